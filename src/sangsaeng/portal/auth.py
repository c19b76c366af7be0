"""The portal's CSRF tokens, bound to the session. Users, roles and passwords are the ``accounts`` use cases'
(named here too, for the pages and tools that took them from here)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from sangsaeng.accounts.passwords import PUBLISHERS as PUBLISHERS
from sangsaeng.accounts.passwords import ROLES as ROLES
from sangsaeng.accounts.passwords import add_user as add_user
from sangsaeng.accounts.passwords import check_new_password as check_new_password
from sangsaeng.accounts.passwords import hash_new_password as hash_new_password
from sangsaeng.accounts.passwords import password_matches as password_matches


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: dict[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(given, str) and hmac.compare_digest(expected, given)
