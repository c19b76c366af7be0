"""The directory a connector's settings name: the hub it joined (pinned id and key), else the directory file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sangsaeng.errors import ConfigurationError, InvalidInput
from sangsaeng.identity.directory import Directory, load_directory
from sangsaeng.identity.hub import HubDirectory, HubPin
from sangsaeng.settings import Settings


def open_directory(settings: Settings, now: Callable[[], datetime]) -> Directory:
    if not settings.hub_url:
        return load_directory(settings.directory_path)
    if not settings.hub_id or not settings.hub_key:
        raise ConfigurationError(
            "hub_url is set but the hub's id or key is not pinned",
            hint="run `sangsaeng hub join URL` to pin them, or clear hub_url to use the directory file",
        )
    try:
        pin = HubPin.of(settings.hub_url, settings.hub_id, json.loads(settings.hub_key))
    except InvalidInput as exc:
        raise ConfigurationError(
            f"hub_key is not usable: {exc.message}", hint="run `sangsaeng hub join URL` again"
        ) from None
    return HubDirectory(pin, settings.data_dir, now, settings.hub_refresh)
