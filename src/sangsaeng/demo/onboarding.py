"""The demo's dataspace being set up: a hub with an operator, and companies that join it as members do — each
connector pins the hub, applies with its own key and facts, the operator approves, the credentials arrive.
The tier-2 has no IT of its own: ``start_tier2`` has the hub host its connector (``POST /hub/hosted``)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from sangsaeng.accounts.passwords import add_user
from sangsaeng.client import Client
from sangsaeng.demo.telling import Teller
from sangsaeng.demo.valuechain import OEM, TIER1, TIER2
from sangsaeng.errors import PeerError
from sangsaeng.hub.documents.signed import thumbprint
from sangsaeng.hub.store import migrate as hub_migrate
from sangsaeng.hubclient.join import HubInfo, discover
from sangsaeng.hubclient.member import application, credentials_url, keep, member_headers
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.directory import Participant
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.launch import ConnectorProcess, HubProcess, Node, free_port
from sangsaeng.settings import Settings
from sangsaeng.setup import Initialized, hub_settings, init_connector
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore

CHAIN = "대한자동차"
# How often the demo's connectors read the hub's directory, status list and their credentials: short, so that a
# suspension the visitor tries out is felt within seconds (the default is a minute).
HUB_REFRESH = 5.0
# The fewest contributors a published benchmark cell has on the demo's hub: the least the settings allow, so that the
# chain's three companies fill one cell (a real hub keeps the default, 10; the other disclosure rules keep theirs).
BENCHMARK_MIN_CONTRIBUTORS = 3


@dataclass(frozen=True)
class Company:
    """A company of the chain and the facts it applies with (the numbers are made up; their check digits hold)."""

    folder: str
    id: str
    name: str
    brn: str
    ksic: tuple[str, ...]
    region: str
    size: str
    tier: str
    contact: tuple[str, str, str]

    def facts(self) -> dict[str, Any]:
        name, email, phone = self.contact
        return {
            "name": self.name,
            "brn": self.brn,
            "ksic": list(self.ksic),
            "region": self.region,
            "size": self.size,
            "tiers": [{"chain": CHAIN, "tier": self.tier}],
            "contact": {"name": name, "email": email, "phone": phone},
        }


OEM_CO = Company(
    "oem", OEM, "대한자동차", "611-81-03427", ("C30",), "울산광역시", "대기업", "OEM",
    ("박품질", "quality@daehan.example.com", "052-200-1000"),
)  # fmt: skip
TIER1_CO = Company(
    "tier1", TIER1, "한빛정밀", "312-86-05178", ("C30",), "경상남도", "중소기업", "1차",
    ("김담당", "kim@hanbit.example.com", "055-123-4567"),
)  # fmt: skip
TIER2_CO = Company(
    "tier2", TIER2, "성진금속", "609-81-02731", ("C29",), "부산광역시", "중소기업", "2차",
    ("이현장", "lee@sungjin.example.com", "051-330-7788"),
)  # fmt: skip


def portal_user(settings: Settings, name: str, role: str) -> str:
    """A portal user with a fresh password (as ``sangsaeng user add`` makes one), so the visitor can sign in; in
    the connector's own state (a hosted one's schema, on PostgreSQL)."""
    password = secrets.token_urlsafe(12)
    schema = settings.state_schema or None
    migrate.upgrade(settings.state_url, schema)

    async def create() -> None:
        store = SqlStore(settings.state_url, schema=schema)
        try:
            await add_user(store, name, password, role, datetime.now(UTC))
        finally:
            await store.close()

    asyncio.run(create())
    return password


@dataclass
class Hub:
    init: Initialized
    process: ConnectorProcess
    info: HubInfo
    operator: str  # the operator's portal password (user OPERATOR)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The operator's request to the hub's API (its API key), as ``sangsaeng hub approve|crawl`` make it."""
        answer = httpx.request(
            method, self.info.url + path, json=body, headers={"X-API-Key": self.init.api_key}, timeout=60
        )
        if answer.status_code >= 400:
            raise PeerError(f"the hub answered {method} {path} with {answer.status_code}: {answer.text[:300]}")
        return answer.json()


OPERATOR = "operator"


def start_hub(workdir: Path, teller: Teller) -> Hub:
    """``sangsaeng hub init`` and ``hub serve``, and an operator who can sign in to the hub's portal."""
    port = free_port()
    made = init_connector(
        workdir / "hub",
        f"urn:uuid:{uuid.uuid4()}",
        "상생 허브 Sangsaeng Hub",
        port=port,
        extra={"kind": "hub", "benchmark_min_contributors": BENCHMARK_MIN_CONTRIBUTORS},
    )
    hub_migrate.upgrade(made.settings.state_url, made.settings.state_schema or None)
    password = portal_user(made.settings, OPERATOR, "admin")
    process = HubProcess(made.settings.data_dir, port).start()
    info = discover(made.settings.public_url)
    teller.say("hub.ready", name=info.name, url=info.url, fingerprint=thumbprint(made.participant.public_key))
    return Hub(made, process, info, password)


def onboard(workdir: Path, company: Company, hub: Hub, teller: Teller) -> Initialized:
    """A company's connector pinned to the hub, its application (signed by its key), the operator's approval,
    and its credentials fetched as ``sangsaeng hub credentials`` does (a running connector also refreshes them)."""
    made = init_connector(
        workdir / company.folder,
        company.id,
        company.name,
        port=free_port(),
        extra=hub_settings(hub.info) | {"hub_refresh": HUB_REFRESH},
    )
    settings, key = made.settings, load_private_key(made.settings.key_path)
    body = application(settings, key, hub.info.id, company.facts(), datetime.now(UTC))
    answer = httpx.post(hub.info.url + "/hub/applications", json=body, timeout=60)
    if answer.status_code != 201:
        raise PeerError(f"the hub refused {company.name}'s application ({answer.status_code}): {answer.text[:300]}")
    applied = answer.json()
    teller.say(
        "member.applied",
        name=company.name,
        brn=company.brn,
        ksic=", ".join(company.ksic),
        region=company.region,
        size=company.size,
        chain=CHAIN,
        tier=company.tier,
    )
    hub.call("POST", f"/hub/applications/{applied['id']}/approve")
    held = credentials(settings)
    teller.say("member.approved", name=company.name, count=held)
    return made


def credentials(settings: Settings) -> int:
    """The member's credentials from its hub into its wallet; how many it holds."""
    now = datetime.now(UTC)
    headers = member_headers(settings, load_private_key(settings.key_path), now)
    answer = httpx.post(credentials_url(settings), headers=headers, timeout=60)
    return keep(Wallet(settings.credentials_path), settings, answer, now)


def start(made: Initialized) -> Node:
    """``sangsaeng serve`` for an onboarded connector, and a management client of it."""
    process = ConnectorProcess(made.settings.data_dir, made.settings.port).start()
    return Node(made, process, Client(made.settings.public_url, made.api_key))


def start_tier2(workdir: Path, hub: Hub, teller: Teller) -> Node:
    """The tier-2 (성진금속) has no IT of its own: the hub hosts its connector (``POST /hub/hosted``, as ``sangsaeng
    hub host`` does) — its own participant id, key, state, datasets, API key and portal, in the hub's process under
    ``/c/<name>``. The hub files and approves its membership itself and hands it its credentials."""
    company = TIER2_CO
    made = hub.call("POST", "/hub/hosted", {"company": company.facts(), "name": company.folder})
    settings = Settings(data_dir=hub.init.settings.data_dir / "tenants" / str(made["name"]))
    key = load_private_key(settings.key_path)
    participant = Participant(made["participantId"], company.name, public_jwk(key.public_key()), settings.protocol_url)
    teller.say("member.hosted", name=company.name, url=made["portal"], brn=company.brn, tier=company.tier)
    return Node(Initialized(settings, made["apiKey"], participant), hub.process, Client(made["url"], made["apiKey"]))
