"""What every support page shares: the hub, asked as this member, and the hub's refusals in the reader's words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request

from sangsaeng.errors import PeerError
from sangsaeng.hubclient.support import HubRefused, HubSupport, NoHub
from sangsaeng.portal.pages import words
from sangsaeng.services import services


def hub_support(request: Request) -> HubSupport | None:
    """The request's connector asking its hub; None when it has joined none (the page says so)."""
    c = services(request).connector
    try:
        return HubSupport(c.settings, c.key, c.peer.http, c.now)
    except NoHub:
        return None


HubDep = Annotated[HubSupport | None, Depends(hub_support)]


class Said:
    """What went wrong asking the hub, in the reader's language, for a page to show (``problem``)."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self.hint: str | None = None
        self.position: str | None = None


@contextmanager
def asking(request: Request) -> Iterator[Said]:
    """Around calls to the hub: a refusal or an unreachable hub becomes words on the page, not an error page."""
    said = Said()
    language = words(request).language
    try:
        yield said
    except HubRefused as refused:
        said.problem, said.hint = refused.said(language)
        said.position = refused.position
    except PeerError:
        said.problem = words(request).t("support.hub_unreachable")
