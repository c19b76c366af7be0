"""``sangsaeng hub host NAME``, ``hub unhost NAME`` and ``hub export NAME``: the hub's operator signs a company up for
a hosted connector, stops hosting one, or takes one out as a tar (through the running hub's API, so each goes
through its use cases and log);
``sangsaeng import FILE.tar``: that tar made a connector of its own, its new address announced to the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked
from sangsaeng.cli.hub import _call
from sangsaeng.errors import SangsaengError
from sangsaeng.i18n.refusals import words

Korean = Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English (default: LANG)")]
HUB_DIR = Path(".sangsaeng-hub")


def register(hub_app: typer.Typer, app: typer.Typer) -> None:
    hub_app.command("host")(host)
    hub_app.command("unhost")(unhost)
    hub_app.command("export")(export)
    app.command("import")(import_)


def _say(key: str, korean: bool, **values: Any) -> str:
    return words("hosting", key, "ko" if korean else "en", **values)


def host(
    name: Annotated[str, typer.Argument(help="The connector's name: its address ends in /c/NAME")],
    company: Annotated[str, typer.Option(help="The company's name")],
    brn: Annotated[str, typer.Option(help="Business registration number (123-45-67890)")],
    ksic: Annotated[list[str], typer.Option(help="KSIC sector code (repeat for several)")],
    region: Annotated[str, typer.Option(help="Region (e.g. 경상남도)")],
    size: Annotated[str, typer.Option(help="중소기업 / 중견기업 / 대기업 (or sme, midsize, large)")],
    chain: Annotated[str, typer.Option(help="The value chain it serves (the OEM's name)")],
    tier: Annotated[str, typer.Option(help="Its tier in that chain: OEM, 1차, 2차, …")],
    contact: Annotated[str, typer.Option(help="Contact person's name")],
    email: Annotated[str, typer.Option(help="Contact e-mail")],
    phone: Annotated[str, typer.Option(help="Contact phone")],
    admin: Annotated[str, typer.Option(help="The first portal user's name")] = "admin",
    data_dir: DataDir = HUB_DIR,
    ko: Korean = None,
) -> None:
    """Host a company's connector on this hub: its id, key, API key and first portal user (shown once)."""
    korean = korean_asked(ko)
    body = {
        "name": name,
        "company": {
            "name": company,
            "brn": brn,
            "ksic": ksic,
            "region": region,
            "size": size,
            "tiers": [{"chain": chain, "tier": tier}],
            "contact": {"name": contact, "email": email, "phone": phone},
        },
        "admin": {"name": admin},
    }
    made = _call(data_dir, "POST", "/hub/hosted", korean, body)
    console.print(_say("cli.hosted", korean, name=made["name"], id=made["participantId"], url=made["url"]))
    console.print(
        _say("cli.hosted.secrets", korean, api_key=made["apiKey"], user=admin, password=made["admin"]["password"])
    )


def unhost(
    name: Annotated[str, typer.Argument(help="The hosted connector's name")],
    reason: Annotated[str, typer.Option(help="Why (kept in the hub's log and shown as the suspension's reason)")],
    force: Annotated[bool, typer.Option(help="Even while it has agreements nobody has ended")] = False,
    data_dir: DataDir = HUB_DIR,
    ko: Korean = None,
) -> None:
    """Stop hosting a company's connector without moving it: its membership suspended, its folder kept aside."""
    korean = korean_asked(ko)
    query = urlencode({"reason": reason, "force": "true" if force else "false"})
    gone = _call(data_dir, "DELETE", f"/hub/hosted/{quote(name, safe='')}?{query}", korean)
    console.print(_say("cli.unhosted", korean, name=gone["name"], id=gone["participantId"], folder=gone["folder"]))


def export(
    name: Annotated[str, typer.Argument(help="The hosted connector's name")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The tar file to write")],
    data_dir: DataDir = HUB_DIR,
    ko: Korean = None,
) -> None:
    """Everything of a hosted connector (data, key, configuration, state and log) as one tar."""
    import httpx

    from sangsaeng.cli.common import settings_of

    korean = korean_asked(ko)
    settings = settings_of(data_dir)
    headers = {"X-API-Key": settings.api_key.get_secret_value(), "Accept-Language": "ko" if korean else "en"}
    url = f"{settings.public_url.rstrip('/')}/hub/hosted/{name}/export"
    partial = out.with_name(f".{out.name}.part")
    try:
        with httpx.stream("GET", url, headers=headers, timeout=300) as answer:
            if answer.status_code != 200:
                answer.read()
                _call(data_dir, "GET", f"/hub/hosted/{name}/export", korean)  # says the refusal and stops
            with partial.open("wb") as file:
                for chunk in answer.iter_bytes():
                    file.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    partial.replace(out)
    console.print(_say("cli.exported", korean, name=name, out=out))


def import_(
    file: Annotated[Path, typer.Argument(help="A tar made by `sangsaeng hub export`")],
    data_dir: DataDir = Path(".sangsaeng"),
    public_url: Annotated[str, typer.Option(help="Base URL partners will reach this connector at")] = "",
    announce: Annotated[bool, typer.Option(help="Tell the hub the new endpoint now")] = True,
    ko: Korean = None,
) -> None:
    """A connector of your own from a hosted one's export: same id, key, datasets, agreements and log."""
    from sangsaeng.hub.hosting.moving import announce_move, import_tar

    korean = korean_asked(ko)
    if not public_url:
        fail(_say("cli.import.url", korean))
    try:
        settings = import_tar(file, data_dir, public_url)
        if announce and settings.hub_url:
            announce_move(settings)
    except SangsaengError as exc:
        message = exc.details.get("message_ko") if korean and exc.details else None
        fail(message or exc.message, exc.hint)
    console.print(_say("cli.imported", korean, id=settings.participant_id, data_dir=data_dir, url=settings.public_url))
