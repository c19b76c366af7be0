"""Fetching the hub's directory and status list every ``hub_refresh`` seconds, for as long as the connector runs.

A fetch that fails or a document that is refused leaves the last verified copy in place (it serves until its
``exp``); the reason is logged, and so is the moment the directory turns stale and the moment it is fresh again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import structlog

from sangsaeng.dsp.peer import read_bounded
from sangsaeng.errors import PeerError
from sangsaeng.identity.hub import DocumentRefused, HubDirectory

log = structlog.get_logger(__name__)

# A directory of thousands of members is a few MB at most; more is a hub (or a proxy) gone wrong.
DOCUMENT_BYTES = 32 << 20


class FetchFailed(Exception):
    """The hub could not be reached or did not answer with a document."""


async def fetch_document(http: httpx.AsyncClient, url: str, limit: int = DOCUMENT_BYTES) -> str:
    """One signed document (compact JWS text), read to ``limit`` bytes; redirects are not followed."""
    request = http.build_request("GET", url, headers={"Accept": "application/jwt"})
    try:
        response = await http.send(request, stream=True, follow_redirects=False)
        try:
            body, more = await read_bounded(response, limit)
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{url} could not be fetched: {exc or type(exc).__name__}") from None
    if response.status_code != 200:
        raise FetchFailed(f"{url} answered {response.status_code}")
    if more:
        raise FetchFailed(f"{url} answered more than {limit:,} bytes")
    try:
        return body.decode("ascii").strip()
    except UnicodeDecodeError:
        raise FetchFailed(f"{url} answered something that is not a compact JWS") from None


async def refresh(directory: HubDirectory, http: httpx.AsyncClient) -> bool:
    """Fetch and accept both documents once; True when both were fetched and taken (or already held)."""
    problems: list[str] = []
    for what, url, accept in (
        ("directory", directory.pin.directory_url, directory.accept_directory),
        ("status list", directory.pin.status_url, directory.accept_status),
    ):
        try:
            changed = accept(await fetch_document(http, url))
        except (FetchFailed, DocumentRefused) as exc:
            problems.append(f"the hub's {what} was not taken: {exc}")
            log.warning("hub.document.refused", hub=directory.pin.url, document=what, reason=str(exc))
            continue
        if changed:
            log.info("hub.document.taken", hub=directory.pin.url, document=what)
    directory.last_error = "; ".join(problems) or None
    return not problems


async def follow(
    directory: HubDirectory, http: httpx.AsyncClient, credentials: Callable[[], Awaitable[int]] | None = None
) -> None:
    """Refresh now and every ``directory.refresh`` seconds until cancelled; with ``credentials``, the member's
    credentials are fetched each round too (renewals, and new ones after a reinstatement, arrive by themselves)."""
    was_stale: bool | None = None
    said: str | None = None  # the last refusal of the credentials, logged when it changes
    count: int | None = None  # how many the wallet held after the last round, logged when it changes
    while True:
        try:
            await refresh(directory, http)
        except Exception:  # never let one bad round end the following
            log.exception("hub.refresh.failed", hub=directory.pin.url)
        if credentials is not None:
            try:
                held = await credentials()
                if held != count:
                    log.info("hub.credentials.held", hub=directory.pin.url, count=held)
                said, count = None, held
            except PeerError as exc:
                if exc.message != said:
                    log.warning("hub.credentials.refused", hub=directory.pin.url, reason=exc.message)
                said = exc.message
            except Exception:
                log.exception("hub.credentials.failed", hub=directory.pin.url)
        stale = directory.stale()
        if stale is not None and was_stale is not True:
            log.error("hub.directory.stale", hub=directory.pin.url, reason=stale.message)
        elif stale is None and was_stale:
            log.info("hub.directory.fresh", hub=directory.pin.url, seq=directory.seq)
        was_stale = stale is not None
        await asyncio.sleep(directory.refresh)
