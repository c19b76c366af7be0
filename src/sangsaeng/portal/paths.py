"""The portal's own addresses, under the request's participant context: every link, form action, redirect,
static file and cookie path the portal emits goes through here, so that a portal served at ``/c/a`` never sends
a browser to another context's pages (or to none)."""

from __future__ import annotations

from typing import Any

PORTAL = "/portal"


def base(scope: Any) -> str:
    """Where the context is served: "" at the root, ``/c/a`` for context ``a``."""
    root: str = scope.get("root_path", "")
    return root.rstrip("/")


def url(request: Any, path: str) -> str:
    """``path`` (an address of this app, ``/portal/…``) as the browser must ask for it."""
    return base(request.scope) + path


def cookie_path(scope: Any) -> str:
    """The portal's cookies are sent to its own context's portal only: two contexts' sessions never mix."""
    return base(scope) + PORTAL
