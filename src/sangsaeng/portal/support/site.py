"""Support's pages on the connector's portal: each page module's routes, one line each."""

from __future__ import annotations

from typing import Any


def install(app: Any) -> None:
    """Every support page module's router (under ``/portal/support``)."""
