"""Creating a connector's identity and configuration (``sangsaeng init``, the demo and the tests use this)."""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sangsaeng.errors import ConfigurationError, Conflict
from sangsaeng.hubclient.join import HubInfo
from sangsaeng.identity.directory import Participant, upsert_participant
from sangsaeng.identity.keys import generate_key, public_jwk, save_private_key
from sangsaeng.settings import CONFIG_FILE, Settings
from sangsaeng.store import migrate


@dataclass(frozen=True)
class Initialized:
    settings: Settings
    api_key: str
    participant: Participant


def init_connector(
    data_dir: Path,
    participant_id: str,
    name: str,
    *,
    port: int = 8181,
    public_url: str = "",
    directory: Path | None = None,
    database_url: str = "",
    extra: dict[str, object] | None = None,
) -> Initialized:
    config = data_dir / CONFIG_FILE
    if config.exists():
        raise Conflict(
            f"{data_dir} already holds a connector", hint="use another --data-dir, or delete it to start over"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    save_private_key(key, data_dir / "key.pem")
    api_key = secrets.token_urlsafe(24)
    values: dict[str, object] = {
        "participant_id": participant_id,
        "name": name,
        "public_url": public_url or f"http://127.0.0.1:{port}",
        "port": port,
        "api_key": api_key,
    }
    if directory is not None:
        values["directory_file"] = str(directory.resolve())
    if database_url:
        values["database_url"] = database_url
    values.update(extra or {})
    config.write_text("".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items()), "utf-8")
    config.chmod(0o600)
    settings = Settings(data_dir=data_dir)
    data_plane = settings.public_url.rstrip("/") + "/data"  # listed, so consumers follow data addresses only there
    participant = Participant(participant_id, name, public_jwk(key.public_key()), settings.protocol_url, data_plane)
    upsert_participant(settings.directory_path, participant)
    migrate.upgrade(settings.state_url, settings.state_schema or None)
    return Initialized(settings, api_key, participant)


def hub_settings(info: HubInfo, trusted: list[str] | None = None) -> dict[str, object]:
    """What joining ``info``'s hub pins: its address, id and key, and its credentials trusted."""
    issuers = list(trusted or [])
    return {
        "hub_url": info.url,
        "hub_id": info.id,
        "hub_key": info.key_text,
        "trusted_issuers": issuers + ([info.id] if info.id not in issuers else []),
    }


def join_hub(data_dir: Path, info: HubInfo, replace: bool = False) -> Settings:
    """Pin the hub ``info`` in the connector of ``data_dir`` (its connector.toml): from its next start, its
    directory is the hub's. Pinning another hub over one already pinned needs ``replace``."""
    config = data_dir / CONFIG_FILE
    if not config.is_file():
        raise ConfigurationError(
            f"{data_dir} holds no connector", hint="run `sangsaeng init` first, or pass --data-dir"
        )
    try:
        values = tomllib.loads(config.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{config} is not valid TOML: {exc}") from None
    pinned = (values.get("hub_id"), values.get("hub_key"))
    if pinned[0] and pinned != (info.id, info.key_text) and not replace:
        raise Conflict(
            f"this connector already trusts the hub {pinned[0]} ({values.get('hub_url')})",
            hint="pass --replace to trust the new hub instead",
        )
    if any(isinstance(v, dict) for v in values.values()):
        raise ConfigurationError(
            f"{config} holds tables this command does not rewrite", hint="add the hub settings by hand"
        )
    trusted = [str(t) for t in values.get("trusted_issuers", []) if t != pinned[0] or pinned[0] == info.id]
    values.update(hub_settings(info, trusted))
    temporary = config.with_name(f".{CONFIG_FILE}.tmp")
    temporary.write_text("".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items()), "utf-8")
    temporary.chmod(0o600)
    os.replace(temporary, config)
    return Settings(data_dir=data_dir)
