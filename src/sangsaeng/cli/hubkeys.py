"""``sangsaeng hub key next|use|promote``: a member changes its connector's key without a moment in which partners
refuse it.

1. ``next`` makes the next key (``key.next.pem``) and announces it to the hub with a proof signed by it; the hub
   lists it as ``nextKey``, so partners accept either key once they have fetched the directory (every
   ``hub_refresh`` seconds).
2. ``use``, once partners had that long, makes it the connector's key (the old one kept as ``key.retired-….pem``);
   restart the connector so that it signs with it.
3. ``promote`` tells the hub: the new key becomes the listed one and the old one is retired — what it signed before
   (agreements, log heads) still verifies with it, tokens no longer do."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say
from sangsaeng.cli.hubjoin import Korean, _member_settings, _refused

NEXT = "key.next.pem"

key_app = typer.Typer(help="Change this connector's key, with its hub: next, use, promote.", no_args_is_help=True)


def register(hub_app: typer.Typer) -> None:
    hub_app.add_typer(key_app, name="key")


def _post(url: str, headers: dict[str, str], korean: bool, hub_url: str, body: object = None) -> None:
    import httpx

    try:
        answer = httpx.post(url, json=body, headers=headers, timeout=30)
    except httpx.HTTPError:
        fail(say("hub.not-running", korean, url=hub_url), None)
    if answer.status_code != 200:
        _refused(answer, korean)


@key_app.command("next")
def next_key(data_dir: DataDir = Path(".sangsaeng"), ko: Korean = None) -> None:
    """Make the next key and announce it to the hub (partners accept either key once they have the directory)."""
    from sangsaeng.hubclient.member import member_headers
    from sangsaeng.identity import tokens
    from sangsaeng.identity.keys import generate_key, load_private_key, public_jwk, save_private_key

    korean = korean_asked(ko)
    settings = _member_settings(data_dir, korean)
    path = settings.data_dir / NEXT
    if path.exists():
        fail(say("hub.key.next.exists", korean, path=str(path)), say("hub.key.next.exists.hint", korean))
    key, now = generate_key(), datetime.now(UTC)
    body = {
        "nextKey": public_jwk(key.public_key()),
        "proof": tokens.issue(key, settings.participant_id, settings.hub_id, now),
    }
    headers = member_headers(settings, load_private_key(settings.key_path), now) | {
        "Accept-Language": "ko" if korean else "en"
    }
    _post(settings.hub_url.rstrip("/") + "/hub/members/me/keys", headers, korean, settings.hub_url, body)
    save_private_key(key, path)  # kept only once the hub listed it
    console.print(say("hub.key.next.done", korean, seconds=round(settings.hub_refresh)), soft_wrap=True)


@key_app.command("use")
def use_key(
    data_dir: DataDir = Path(".sangsaeng"),
    ko: Korean = None,
    now: Annotated[bool, typer.Option("--now", help="Do not wait for partners to fetch the directory")] = False,
) -> None:
    """Make the announced key this connector's own (restart the connector afterwards)."""
    korean = korean_asked(ko)
    settings = _member_settings(data_dir, korean)
    path = settings.data_dir / NEXT
    if not path.exists():
        fail(say("hub.key.use.none", korean, path=str(path)), say("hub.key.use.none.hint", korean))
    # Partners fetch the hub's directory every hub_refresh seconds: before that, some still know the old key only.
    waited = time.time() - path.stat().st_mtime
    if not now and waited < settings.hub_refresh * 2:
        fail(
            say("hub.key.use.early", korean, seconds=round(settings.hub_refresh * 2 - waited)),
            say("hub.key.use.early.hint", korean),
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    retired = settings.data_dir / f"key.retired-{stamp}.pem"
    os.replace(settings.key_path, retired)
    os.replace(path, settings.key_path)
    console.print(say("hub.key.use.done", korean, retired=str(retired)), soft_wrap=True)


@key_app.command("promote")
def promote_key(data_dir: DataDir = Path(".sangsaeng"), ko: Korean = None) -> None:
    """Tell the hub that the new key is the key now: the old one is retired (what it signed still verifies)."""
    from sangsaeng.hubclient.member import member_headers
    from sangsaeng.identity.keys import load_private_key

    korean = korean_asked(ko)
    settings = _member_settings(data_dir, korean)
    if (settings.data_dir / NEXT).exists():
        fail(say("hub.key.promote.early", korean), say("hub.key.promote.early.hint", korean))
    headers = member_headers(settings, load_private_key(settings.key_path), datetime.now(UTC)) | {
        "Accept-Language": "ko" if korean else "en"
    }
    _post(settings.hub_url.rstrip("/") + "/hub/members/me/keys/promote", headers, korean, settings.hub_url)
    console.print(say("hub.key.promote.done", korean, url=settings.hub_url), soft_wrap=True)
