"""What the hub answered one call of a page (experts, programs, cases, benchmarks): the answer, or what went wrong
in the reader's words and the status the page then has. Each call is asked on its own, so one part of a page that
the hub refuses (an unknown skill in a filter) says so where it stands while the rest of the page shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.responses import Response

from sangsaeng.hubclient.support import HubRefused
from sangsaeng.portal.pages import render
from sangsaeng.portal.support.common import Said, asking
from sangsaeng.roles import allowed
from sangsaeng.store.records import User

ACT: Final = "support.act"  # the roles that may ask, publish, agree and contribute (``roles.RULES``)


def may_act(user: User) -> bool:
    """Whether the page shows ``user`` its forms (the route refuses the others with ``publisher(user, ACT)``)."""
    return allowed(user.role, ACT)


@dataclass
class Asked:
    found: Any = None
    said: Said | None = None
    refused: HubRefused | None = None

    @property
    def failed(self) -> bool:
        return self.said is not None and self.said.problem is not None

    @property
    def status(self) -> int:
        """200, the hub's refusal's status, or 502 when it could not be reached."""
        if not self.failed:
            return 200
        return self.refused.answered if self.refused is not None else 502

    @property
    def position(self) -> str:
        """Where the hub's refusal points (a JSON path without its ``$.``, a query parameter without ``query.``),
        "" when it names nothing."""
        given = self.refused.position if self.refused is not None else None
        return (given or "").removeprefix("$").removeprefix(".").removeprefix("query.")

    @property
    def missing(self) -> bool:
        """The hub does not know what was asked for, or will not say (another member's): 404."""
        return self.status == 404


async def ask(request: Request, call: Callable[[], Awaitable[Any]]) -> Asked:
    """The hub's answer to ``call``; its refusal or silence as words (``common.asking``)."""
    asked = Asked(said=Said())
    with asking(request) as asked.said:
        try:
            asked.found = await call()
        except HubRefused as refused:
            asked.refused = refused
            raise
    return asked


def status_of(*answers: Asked) -> int:
    """A page's status: its first failed call's, else 200."""
    return next((a.status for a in answers if a.failed), 200)


def listed(asked: Asked, key: str) -> list[dict[str, Any]]:
    """The objects under ``key`` of an answer (none when the call failed or the hub said something else)."""
    found = asked.found.get(key) if isinstance(asked.found, Mapping) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def form_fields(form: Mapping[str, Any], known: frozenset[str] | set[str]) -> dict[str, str] | None:
    """The posted form's text fields (``csrf`` aside), or None when it holds a field the page does not know or a
    file: what is not understood is refused, not ignored."""
    found: dict[str, str] = {}
    for name, value in form.items():
        if name == "csrf":
            continue
        if name not in known or not isinstance(value, str):
            return None
        found[name] = value
    return found


def missing_page(request: Request, user: User) -> Response:
    return render(request, "problem.html", user, status=404, title="problem.missing", message="problem.missing.text")


def bad_form(request: Request, user: User) -> Response:
    return render(request, "problem.html", user, status=400, title="problem.input", message="problem.bad_request")
