"""A connector's side of its hub: ``sangsaeng hub join URL`` (and ``sangsaeng init --hub URL``) trusts a hub — its
name and key's fingerprint shown for the person to compare with what the hub's operator publishes, then its address,
id and key pinned; ``hub apply`` applies for membership with this connector's key; ``hub credentials`` fetches the
member's credentials into its wallet (a running connector also does so every ``hub_refresh`` seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say
from sangsaeng.errors import SangsaengError

if TYPE_CHECKING:  # the command line stays quick to start
    from sangsaeng.hubclient.join import HubInfo
    from sangsaeng.settings import Settings

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Pin the hub without asking (scripts)")]
Korean = Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English (default: LANG)")]


def register(hub_app: typer.Typer) -> None:
    hub_app.command("join")(join)
    hub_app.command("apply")(apply)
    hub_app.command("credentials")(credentials)


def discovered(url: str, yes: bool, korean: bool) -> HubInfo:
    """The hub at ``url``, shown, and agreed to (unless ``yes``); stops the command otherwise."""
    from sangsaeng.hubclient.join import discover

    try:
        info = discover(url)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    console.print(say("hub.join.found", korean, name=info.name, id=info.id, url=info.url), soft_wrap=True)
    console.print(say("hub.join.fingerprint", korean, fingerprint=info.fingerprint), soft_wrap=True)
    if not yes and not typer.confirm(say("hub.join.confirm", korean)):
        fail(say("hub.join.declined", korean))
    return info


def join(
    url: Annotated[str, typer.Argument(help="The hub's base URL, e.g. http://127.0.0.1:9000")],
    data_dir: DataDir = Path(".sangsaeng"),
    replace: Annotated[bool, typer.Option(help="Trust this hub instead of the one already pinned")] = False,
    yes: Yes = False,
    ko: Korean = None,
) -> None:
    """Trust the hub at URL: its signed directory replaces the directory file, its credentials count."""
    from sangsaeng.setup import join_hub

    korean = korean_asked(ko)
    info = discovered(url, yes, korean)
    try:
        join_hub(data_dir, info, replace=replace)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    console.print(say("hub.join.done", korean, name=info.name, data_dir=str(data_dir)), soft_wrap=True)


def _member_settings(data_dir: Path, korean: bool, url: str | None = None) -> Settings:
    from sangsaeng.cli.common import settings_of

    settings = settings_of(data_dir)
    if not settings.participant_id:
        fail(
            say("hub.member.no-connector", korean, data_dir=str(data_dir)), say("hub.member.no-connector.hint", korean)
        )
    if not settings.hub_url or not settings.hub_id or not settings.hub_key:
        fail(say("hub.member.not-joined", korean, data_dir=str(data_dir)), say("hub.member.not-joined.hint", korean))
    if url is not None and url.rstrip("/") != settings.hub_url.rstrip("/"):
        fail(
            say("hub.member.other-hub", korean, url=url, pinned=settings.hub_url),
            say("hub.member.not-joined.hint", korean),
        )
    return settings


def _refused(answer: Any, korean: bool) -> NoReturn:
    error = answer.json().get("error", {}) if "json" in answer.headers.get("content-type", "") else {}
    details = error.get("details", {})
    message = details.get("message_ko") if korean and details.get("message_ko") else error.get("message")
    hint = details.get("hint_ko") if korean and details.get("hint_ko") else error.get("hint")
    fail(message or answer.text, hint)


def apply(
    url: Annotated[str, typer.Argument(help="The hub's base URL (the one this connector joined)")],
    brn: Annotated[str, typer.Option(help="Business registration number, e.g. 220-81-62517")],
    ksic: Annotated[list[str], typer.Option(help="KSIC sector code, e.g. C30 (repeatable)")],
    region: Annotated[str, typer.Option(help="시·도: a name (경상남도, Gyeongsangnam-do) or code (KR-48)")],
    size: Annotated[str, typer.Option(help="중소기업|중견기업|대기업 or sme|midsize|large")],
    tier: Annotated[list[str], typer.Option(help="CHAIN=TIER, e.g. 현대차=1차 (repeatable)")],
    contact_name: Annotated[str, typer.Option(help="Who the hub's operator talks to")],
    contact_email: Annotated[str, typer.Option(help="Their e-mail")],
    contact_phone: Annotated[str, typer.Option(help="Their phone, e.g. 055-123-4567")],
    name: Annotated[str, typer.Option(help="The company's name (default: the connector's)")] = "",
    data_dir: DataDir = Path(".sangsaeng"),
    ko: Korean = None,
) -> None:
    """Apply to the hub for membership: the company's facts, and this connector's id, key and endpoints, proven by
    a token its key signs. The hub's operator decides."""
    from datetime import UTC, datetime

    import httpx

    from sangsaeng.hubclient.member import application
    from sangsaeng.identity.keys import load_private_key

    korean = korean_asked(ko)
    settings = _member_settings(data_dir, korean, url)
    tiers = []
    for given in tier:
        chain, sep, level = given.partition("=")
        if not sep or not chain.strip() or not level.strip():
            fail(say("hub.apply.tier", korean, given=given), say("hub.apply.tier.hint", korean))
        tiers.append({"chain": chain.strip(), "tier": level.strip()})
    contact = {"name": contact_name, "email": contact_email, "phone": contact_phone}
    company = {
        "name": name or settings.name,
        "brn": brn,
        "ksic": ksic,
        "region": region,
        "size": size,
        "tiers": tiers,
        "contact": contact,
    }
    body = application(settings, load_private_key(settings.key_path), settings.hub_id, company, datetime.now(UTC))
    headers = {"Accept-Language": "ko" if korean else "en"}
    try:
        answer = httpx.post(settings.hub_url.rstrip("/") + "/hub/applications", json=body, headers=headers, timeout=30)
    except httpx.HTTPError:
        fail(say("hub.not-running", korean, url=settings.hub_url), None)
    if answer.status_code != 201:
        _refused(answer, korean)
    done = answer.json()
    console.print(say("hub.apply.done", korean, application=done["id"], url=settings.hub_url), soft_wrap=True)


def credentials(data_dir: DataDir = Path(".sangsaeng"), ko: Korean = None) -> None:
    """Fetch this member's credentials from its hub (renewed when due) into the wallet; the hub's older ones go."""
    from datetime import UTC, datetime

    import httpx

    from sangsaeng.errors import PeerError
    from sangsaeng.hubclient.member import credentials_url, keep, member_headers
    from sangsaeng.identity.credentials import Wallet
    from sangsaeng.identity.keys import load_private_key

    korean = korean_asked(ko)
    settings = _member_settings(data_dir, korean)
    now = datetime.now(UTC)
    headers = member_headers(settings, load_private_key(settings.key_path), now) | {
        "Accept-Language": "ko" if korean else "en"
    }
    try:
        answer = httpx.post(credentials_url(settings), headers=headers, timeout=30)
    except httpx.HTTPError:
        fail(say("hub.not-running", korean, url=settings.hub_url), None)
    if answer.status_code != 200:
        _refused(answer, korean)
    try:
        held = keep(Wallet(settings.credentials_path), settings, answer, now)
    except PeerError as exc:
        fail(exc.message, exc.hint)
    console.print(say("hub.credentials.done", korean, count=held, url=settings.hub_url), soft_wrap=True)
