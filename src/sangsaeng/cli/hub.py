"""``sangsaeng hub …``: set up and run a hub, and its operator's review from a terminal (through the running
hub's API, so that each decision goes through the same use case and into the hub's log)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from sangsaeng.cli.common import DataDir, console, fail, korean_asked, say, settings_of
from sangsaeng.errors import SangsaengError

hub_app = typer.Typer(
    help="Run a hub (admit companies, issue their credentials, serve the signed directory), or join one."
)
# An application's state in words, by the state the hub answers.
STATES = {
    "applied": "hub.state.applied",
    "approved": "hub.state.approved",
    "declined": "hub.state.declined",
    "suspended": "hub.state.suspended",
}
Korean = Annotated[bool | None, typer.Option("--ko/--en", help="Say it in Korean or in English (default: LANG).")]


@hub_app.command()
def init(
    name: Annotated[str, typer.Option(help="The hub's display name")],
    data_dir: DataDir = Path(".sangsaeng-hub"),
    port: Annotated[int, typer.Option(help="Port to serve on")] = 9000,
    public_url: Annotated[str, typer.Option(help="Base URL members reach the hub at")] = "",
    ko: Korean = None,
) -> None:
    """Give a hub its identity (a participant id and key), its configuration and its tables, in DATA_DIR."""
    from sangsaeng.hub.documents.signed import thumbprint
    from sangsaeng.hub.store import migrate
    from sangsaeng.setup import init_connector

    korean = korean_asked(ko)
    try:
        made = init_connector(
            data_dir, f"urn:uuid:{uuid.uuid4()}", name, port=port, public_url=public_url, extra={"kind": "hub"}
        )
        migrate.upgrade(made.settings.state_url, made.settings.state_schema or None)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    settings = made.settings
    console.print(say("hub.init.done", korean, name=name, id=settings.participant_id, data_dir=data_dir))
    console.print(say("hub.init.url", korean, url=settings.public_url))
    console.print(say("hub.init.fingerprint", korean, fingerprint=thumbprint(made.participant.public_key)))
    console.print(say("hub.init.api-key", korean, api_key=made.api_key))


@hub_app.command()
def serve(data_dir: DataDir = Path(".sangsaeng-hub"), ko: Korean = None) -> None:
    """Run the hub (its own connector and the hub's routes) until Ctrl-C."""
    from sangsaeng.cli.connector import serve as serve_connector

    if settings_of(data_dir).kind != "hub":
        fail(say("hub.not-a-hub", korean_asked(ko), data_dir=data_dir), say("hub.not-a-hub.hint", korean_asked(ko)))
    serve_connector(data_dir, None, None)


def _call(data_dir: Path, method: str, path: str, korean: bool, body: dict[str, Any] | None = None) -> Any:
    import httpx

    settings = settings_of(data_dir)
    if settings.kind != "hub":
        fail(say("hub.not-a-hub", korean, data_dir=data_dir), say("hub.not-a-hub.hint", korean))
    headers = {"X-API-Key": settings.api_key.get_secret_value(), "Accept-Language": "ko" if korean else "en"}
    try:
        answer = httpx.request(method, settings.public_url.rstrip("/") + path, json=body, headers=headers, timeout=30)
    except httpx.HTTPError:
        fail(say("hub.not-running", korean, url=settings.public_url), say("hub.not-running.hint", korean))
    if answer.status_code >= 400:
        error = answer.json().get("error", {}) if "json" in answer.headers.get("content-type", "") else {}
        details = error.get("details", {})
        message = details.get("message_ko") if korean and details.get("message_ko") else error.get("message")
        hint = details.get("hint_ko") if korean and details.get("hint_ko") else error.get("hint")
        fail(message or answer.text, hint)
    return answer.json()


@hub_app.command()
def members(
    data_dir: DataDir = Path(".sangsaeng-hub"),
    state: Annotated[str | None, typer.Option(help="applied, approved, declined or suspended")] = None,
    ko: Korean = None,
) -> None:
    """The applications and members, oldest first."""
    korean = korean_asked(ko)
    found = _call(data_dir, "GET", "/hub/applications" + (f"?state={state}" if state else ""), korean)
    for item in found["applications"]:
        words = say(STATES[item["state"]], korean)
        console.print(f"{item['id']}  {words}  {item['company']['name']}  {item['participant']['id']}", soft_wrap=True)
    if not found["applications"]:
        console.print(say("hub.members.none", korean))


def _decide(data_dir: Path, application: str, action: str, korean: bool, reason: str | None = None) -> None:
    body = {"reason": reason} if reason is not None else None
    done = _call(data_dir, "POST", f"/hub/applications/{application}/{action}", korean, body)
    console.print(say("hub.decided", korean, application=application, state=say(STATES[done["state"]], korean)))


@hub_app.command()
def approve(application: str, data_dir: DataDir = Path(".sangsaeng-hub"), ko: Korean = None) -> None:
    """Approve an application: the company becomes a member and gets its credentials."""
    _decide(data_dir, application, "approve", korean_asked(ko))


@hub_app.command()
def decline(
    application: str,
    reason: Annotated[str, typer.Option(help="Why (the company reads it)")],
    data_dir: DataDir = Path(".sangsaeng-hub"),
    ko: Korean = None,
) -> None:
    """Decline an application, saying why."""
    _decide(data_dir, application, "decline", korean_asked(ko), reason)


@hub_app.command()
def suspend(
    application: str,
    reason: Annotated[str, typer.Option(help="Why (the company reads it)")],
    data_dir: DataDir = Path(".sangsaeng-hub"),
    ko: Korean = None,
) -> None:
    """Suspend a member: its credentials are revoked and the directory says it is suspended."""
    _decide(data_dir, application, "suspend", korean_asked(ko), reason)


@hub_app.command()
def reinstate(application: str, data_dir: DataDir = Path(".sangsaeng-hub"), ko: Korean = None) -> None:
    """Reinstate a suspended member: it gets new credentials."""
    _decide(data_dir, application, "reinstate", korean_asked(ko))


@hub_app.command()
def crawl(data_dir: DataDir = Path(".sangsaeng-hub"), ko: Korean = None) -> None:
    """Crawl the members' catalogs now (the running hub also does every hub_crawl_every seconds)."""
    korean = korean_asked(ko)
    done = _call(data_dir, "POST", "/hub/catalog/crawl", korean)
    counts = {name: len(done[name]) for name in ("indexed", "unchanged", "failed", "waiting", "forgotten")}
    console.print(say("hub.crawled", korean, **counts))
