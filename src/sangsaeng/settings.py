"""Connector settings: environment variables (``SANGSAENG_…``) over ``connector.toml`` in the data directory.

Every field is documented in ``docs/settings.md``; a test fails when one is not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_FILE = "connector.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANGSAENG_", extra="forbid")

    data_dir: Path = Field(Path(".sangsaeng"), description="Where keys, state and datasets live.")
    kind: Literal["connector", "hub"] = Field(
        "connector", description="What `serve` runs: a connector, or a hub (a connector that also admits members)."
    )
    participant_id: str = Field("", description="This connector's participant id (a URI); set by `init`.")
    name: str = Field("", description="The company's display name.")
    timezone: str = Field(
        "Asia/Seoul", description="The company's time zone (an IANA name): the portal shows every time in it."
    )
    public_url: str = Field("http://127.0.0.1:8181", description="Base URL at which other connectors reach this one.")
    host: str = Field("127.0.0.1", description="Interface `serve` listens on.")
    port: int = Field(8181, description="Port `serve` listens on.")
    database_url: str = Field("", description="State database URL; empty means SQLite in the data directory.")
    state_schema: str = Field(
        "",
        pattern=r"^([a-z_][a-z0-9_]{0,62})?$",
        description="PostgreSQL only: the schema holding this connector's state, so that connectors hosted on one"
        " database keep apart (`sangsaeng host`); empty: the database's default schema.",
    )
    datasets: str = Field(
        "",
        description="Where dataset files live: empty for `datasets/` in the data directory, another folder, or"
        " `s3://bucket/prefix` (S3 or an S3-compatible store).",
    )
    datasets_endpoint: str = Field(
        "", description="S3 endpoint URL (`http://127.0.0.1:8333`); empty: `AWS_ENDPOINT_URL`, else AWS itself."
    )
    datasets_region: str = Field("", description="The bucket's region; empty: `AWS_REGION`, else `us-east-1`.")
    datasets_access_key: str = Field(
        "", description="S3 access key id; empty: the standard AWS credentials (`AWS_ACCESS_KEY_ID`, `~/.aws`, a role)."
    )
    datasets_secret_key: SecretStr = Field(
        SecretStr(""), description="S3 secret access key, with `datasets_access_key`."
    )
    directory_file: Path | None = Field(
        None, description="Participant directory JSON; empty means `directory.json` in the data directory."
    )
    api_key: SecretStr = Field(SecretStr(""), description="Key for the management API; set by `init`.")
    transfer_token_seconds: int = Field(300, ge=10, le=3600, description="Lifetime of a data-plane token.")
    auto_agree: bool = Field(
        True, description="As provider, agree automatically when a request matches a published offer's policy."
    )
    extra_purposes: list[str] = Field(
        default_factory=list, description="Purposes this connector accepts beyond the built-in vocabulary."
    )
    trusted_issuers: list[str] = Field(
        default_factory=list,
        description="Participant ids whose signed credentials (role, tier, sector, region, membership) count.",
    )
    hub_url: str = Field(
        "",
        description="The hub this connector trusts for its directory (`sangsaeng init --hub` / `hub join`); empty:"
        " the directory file.",
    )
    hub_id: str = Field("", description="The hub's participant id, pinned at join.")
    hub_key: str = Field("", description="The hub's public key (an Ed25519 JWK as JSON text), pinned at join.")
    hub_share_activity: bool = Field(
        False,
        description="Report this connector's monthly counts to its hub every hub_activity_every seconds: datasets"
        " offered and their standard entities, agreements and exchanges begun, distinct partners, streams — counts"
        " only, never names, titles or values. The hub's operator sees them summed over members; this member's plan"
        " reads its own.",
    )
    hub_activity_every: float = Field(
        3600.0, ge=1, le=86400, description="Seconds between two activity reports to the hub (hub_share_activity)."
    )
    hub_refresh: float = Field(
        60.0,
        ge=0.1,
        le=3600,
        description="Seconds between fetches of the hub's directory and status list: a suspended member is refused"
        " within this plus one fetch.",
    )
    outbox_max_attempts: int = Field(30, ge=1, description="Sends of one protocol message before giving up.")
    outbox_base_delay: float = Field(0.2, gt=0, description="First retry delay (seconds); doubles per attempt.")
    outbox_max_delay: float = Field(30.0, gt=0, description="Longest delay between two retries (seconds).")
    catalog_page_size: int = Field(500, ge=1, le=10000, description="Datasets per catalog page.")
    unsolicited_rate: float = Field(
        100.0,
        ge=0,
        description="Unsolicited protocol messages (new negotiations, offers, transfers, catalog requests) a member "
        "may send per second, per connector process; 0 turns the limit off.",
    )
    unsolicited_burst: int = Field(
        2000, ge=1, description="How many unsolicited protocol messages a member may send at once before the rate."
    )
    batch_rows: int = Field(131072, ge=1024, description="Rows per Arrow record batch on the data plane.")
    portal_secure_cookies: bool = Field(
        False, description="Mark portal cookies `Secure` (sent over HTTPS only); set it when a TLS proxy is in front."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Addresses of the proxies whose `X-Forwarded-For`/`-Proto` are believed (comma-separated, `*` for"
        " any); empty: none, every caller is the address it connects from.",
    )
    portal_session_idle_minutes: int = Field(60, ge=1, description="A portal session unused this long ends (minutes).")
    portal_session_max_minutes: int = Field(
        480, ge=1, description="A portal session ends this long after sign-in, used or not (minutes)."
    )
    portal_login_address_failures: int = Field(
        20, ge=1, description="Failed portal sign-ins from one address, within the window, before it must wait."
    )
    portal_login_address_window_minutes: int = Field(
        15, ge=1, description="The sliding window (minutes) in which an address's failed sign-ins count."
    )
    portal_login_account_failures: int = Field(
        10, ge=1, description="Failed sign-ins in a row after which an account is locked until an admin unlocks it."
    )
    max_protocol_body: int = Field(
        1 << 20, ge=1024, description="Largest body of a protocol (`/dsp`) request, in bytes; refused with 413."
    )
    max_json_body: int = Field(
        4 << 20, ge=1024, description="Largest body of other requests (JSON, portal forms), in bytes; 413 beyond."
    )
    max_upload_body: int = Field(
        64 << 30, ge=1024, description="Largest file upload (datasets, ingest, the portal's add page), in bytes."
    )
    upload_max_unpacked_mb: int = Field(
        2048, ge=1, description="Largest an Excel workbook may unpack to, its zip parts together (MB)."
    )
    upload_max_shared_strings_mb: int = Field(
        200, ge=1, description="Largest unpacked shared-strings part of an Excel workbook, held in memory (MB)."
    )
    upload_max_packing_ratio: int = Field(
        100, ge=2, description="Most an Excel part over 1 MB may unpack to, as a multiple of its packed size."
    )
    upload_max_columns: int = Field(2000, ge=1, description="Most columns an uploaded file may have.")
    upload_max_cells: int = Field(
        50_000_000, ge=1, description="Most cells (or shared strings) an Excel sheet may hold."
    )
    upload_max_cell_chars: int = Field(32_767, ge=1, description="Longest value of one cell of an uploaded file.")
    upload_read_seconds: float = Field(
        600.0, gt=0, description="Longest reading an uploaded file may take (each pass), in seconds."
    )
    portal_staging_hours: float = Field(
        24.0, gt=0, description="Files uploaded in the portal and never published are removed after this long."
    )
    max_peer_answer: int = Field(
        64 << 20, ge=1024, description="Largest answer read from another connector's protocol API, in bytes."
    )
    max_json_depth: int = Field(
        32, ge=8, le=512, description="Deepest nesting of a JSON body (protocol messages, `/api`, `/data`); 400 beyond."
    )
    data_streams: int = Field(
        4, ge=1, le=1024, description="Data-plane reads and aggregates served at once; more wait for a slot."
    )
    data_stream_wait: float = Field(
        10.0, ge=0, le=600, description="Seconds a data-plane request waits for a slot before 503 with Retry-After."
    )
    data_send_timeout: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds a data-plane stream waits for a consumer that reads nothing before cutting it off.",
    )
    hub_directory_lifetime: int = Field(
        900, ge=60, le=86400, description="Hub only: seconds a signed directory stays valid after it is signed."
    )
    hub_status_lifetime: int = Field(
        900, ge=60, le=86400, description="Hub only: seconds a signed status list stays valid after it is signed."
    )
    hub_publish_refresh: int = Field(
        60, ge=5, le=3600, description="Hub only: seconds after which members are told to fetch its documents again."
    )
    hub_credential_days: int = Field(90, ge=31, le=730, description="Hub only: days a member's credential is valid.")
    hosted_max_bytes: int = Field(
        10 << 30, ge=0, description="Hub only: bytes of datasets each connector it hosts may keep; 0: no cap."
    )
    hosted_max_datasets: int = Field(
        1000, ge=0, description="Hub only: datasets each connector it hosts may keep; 0: no cap."
    )
    hosted_requests_per_minute: int = Field(
        6000, ge=0, description="Hub only: requests each connector it hosts may be sent per minute; 0: no cap."
    )
    hub_crawl_every: float = Field(
        300, ge=1, le=86400, description="Hub only: seconds between two crawls of the members' catalogs."
    )
    hub_crawl_concurrency: int = Field(8, ge=1, le=256, description="Hub only: members asked at once by a crawl.")
    hub_crawl_timeout: float = Field(
        10, ge=1, le=600, description="Hub only: seconds a member has to answer its whole catalog in a crawl."
    )
    benchmark_min_contributors: int = Field(
        10,
        ge=3,
        le=1000,
        description="Hub only: the fewest contributors a published benchmark cell has (threshold rule).",
    )
    benchmark_dominance_n: int = Field(
        2, ge=1, le=10, description="Hub only: n of the (n,k) dominance rule: the n largest contributions of a cell …"
    )
    benchmark_dominance_percent: float = Field(
        85, gt=0, lt=100, description="Hub only: … make at most this % of its total ((n,k) dominance rule)."
    )
    benchmark_p_percent: float = Field(
        10, gt=0, le=100, description="Hub only: p of the p% rule: no contributor estimates the largest within p %."
    )
    benchmark_epsilon: float = Field(
        4, gt=0, le=100, description="Hub only: ε one benchmark release may cost a member, per indicator."
    )
    benchmark_budget: float = Field(
        8, gt=0, le=1000, description="Hub only: ε all releases of one period may cost a member, per indicator."
    )
    log_level: str = Field("info", description="debug, info, warning or error.")
    log_json: bool = Field(False, description="Logs as JSON lines instead of human-readable text.")

    @field_validator("hub_key")
    @classmethod
    def _jwk_text(cls, value: str) -> str:
        if value:
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict) or parsed.get("kty") != "OKP" or parsed.get("crv") != "Ed25519":
                raise ValueError('hub_key must be an Ed25519 JWK as JSON text: {"kty": "OKP", "crv": "Ed25519", …}')
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; give an IANA name such as Asia/Seoul") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        data_dir = Path(os.environ.get("SANGSAENG_DATA_DIR", ".sangsaeng"))
        init_dir = init_settings()
        if isinstance(init_dir, dict) and init_dir.get("data_dir"):
            data_dir = Path(init_dir["data_dir"])
        toml = TomlConfigSettingsSource(settings_cls, toml_file=data_dir / CONFIG_FILE)
        return (init_settings, env_settings, toml)

    # Derived locations -----------------------------------------------------------------------------
    @property
    def state_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'state.db').resolve()}"

    @property
    def directory_path(self) -> Path:
        return self.directory_file or self.data_dir / "directory.json"

    @property
    def key_path(self) -> Path:
        return self.data_dir / "key.pem"

    @property
    def datasets_dir(self) -> Path:
        """The local dataset store's folder (when ``datasets`` is empty), and the home of streams' folders."""
        return self.data_dir / "datasets"

    @property
    def streams_dir(self) -> Path:
        """Each machine stream's working folder: its lock, state, manifest and status (its parts are datasets)."""
        return self.datasets_dir / "streams"

    @property
    def credentials_path(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def protocol_url(self) -> str:
        return self.public_url.rstrip("/") + "/dsp"
