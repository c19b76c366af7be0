"""Hosting a company's connector in the hub's process: signing it up (its own data directory, participant id,
key, state, API key and first portal user, its membership filed and approved by the hub), reloading the hosted
ones at the hub's start, and handing the directory to them as it changes."""

from __future__ import annotations

import hmac
import secrets
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import structlog

from sangsaeng.accounts.passwords import add_user
from sangsaeng.connector import Connector
from sangsaeng.errors import Conflict, Forbidden, NotFound
from sangsaeng.hub.hosting.naming import schema_of, tenant_name
from sangsaeng.hub.members.facts import Company, read_company
from sangsaeng.hub.members.states import state_word
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.service.views import application_view
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.hubclient.join import HubInfo
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.identity.directory import UnsafeAddress, normalised
from sangsaeng.identity.hub import HubDirectory
from sangsaeng.identity.keys import public_jwk, public_key_from_jwk
from sangsaeng.roles import Principal, require
from sangsaeng.settings import CONFIG_FILE, Settings
from sangsaeng.setup import Initialized, hub_settings, init_connector
from sangsaeng.tenants.context import Context
from sangsaeng.tenants.host import Host

log = structlog.get_logger(__name__)
TENANTS = "tenants"  # under the hub's data directory, one folder per hosted connector


@dataclass
class Hosting:
    hub: Hub
    host: Host

    @property
    def c(self) -> Connector:
        return self.hub.connector

    @property
    def folder(self) -> Path:
        return self.c.settings.data_dir / TENANTS

    def url_of(self, name: str) -> str:
        return f"{self.c.settings.public_url.rstrip('/')}/c/{name}"

    def hosted(self, name: str) -> Context | None:
        return self.host.get(name)

    # ---- at the hub's start ----------------------------------------------------------------------
    def reload(self) -> list[str]:
        """Every hosted connector of ``tenants/*`` built (started with the host); a folder whose address is not
        the hub's ``/c/<folder>`` is refused, as partners would reach it nowhere."""
        names = []
        for folder in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if not (folder / CONFIG_FILE).is_file() or self.host.get(folder.name) is not None:
                continue
            settings = Settings(data_dir=folder)
            if settings.public_url.rstrip("/") != self.url_of(folder.name):
                log.error(
                    "hosting.misplaced", tenant=folder.name, url=settings.public_url, expected=self.url_of(folder.name)
                )
                continue
            self.host.build(folder.name, settings)
            names.append(folder.name)
        return names

    # ---- signing up ------------------------------------------------------------------------------
    async def sign_up(self, principal: Principal, body: Any) -> dict[str, Any]:
        """A company's connector, hosted here: ``{"company": facts, "name"?: wanted, "admin"?: {"name",
        "password"}}``. The answer holds its API key and its admin's password: shown this once."""
        require(principal, "hub.review")
        entry = body if isinstance(body, dict) else {}
        if not isinstance(body, dict):
            raise refusal("hosting", "body.shape", at="$")
        company = read_company(entry.get("company"))
        given = entry.get("admin")
        admin: dict[str, Any] = given if isinstance(given, dict) else {}
        user = admin.get("name", "admin")
        if not isinstance(user, str) or not user.strip() or len(user) > 128:
            raise refusal("hosting", "admin.name", at="admin.name")
        password = admin.get("password") or secrets.token_urlsafe(15)
        if not isinstance(password, str) or not 10 <= len(password) <= 1024:
            raise refusal("hosting", "admin.password", at="admin.password")
        name = tenant_name(entry.get("name"), company.name, company.brn, self._taken)
        made = await anyio.to_thread.run_sync(lambda: self.init(self.folder, name, company))
        try:
            context = await self.host.add(name, Settings(data_dir=made.settings.data_dir))
            await add_user(context.connector.store, user.strip(), password, "admin", self.c.now())
            application = await self.hub.membership.apply(self._application(context, company), f"hosted:{name}")
            await self.hub.membership.decide(principal, application["id"], "approve")
            await self.hand_credentials(context)
            await self.spread()
        except BaseException:
            await self._undo(name, made)
            raise
        await self.c.audit.record("hub.hosted", counterparty=made.participant.id, tenant=name, by=principal.name)
        return {
            "name": name,
            "participantId": made.participant.id,
            "url": made.settings.public_url,
            "portal": made.settings.public_url + "/portal/",
            "application": application["id"],
            "apiKey": made.api_key,
            "admin": {"name": user.strip(), "password": password},
        }

    def _taken(self, name: str) -> bool:
        return name in self.host.contexts or (self.folder / name).exists()

    def init(self, parent: Path, name: str, company: Company) -> Initialized:
        """Connector ``name``'s folder under ``parent``, addressed as the hub's ``/c/<name>`` (not served yet)."""
        s = self.c.settings
        info = HubInfo(s.public_url.rstrip("/"), s.participant_id, s.name, public_jwk(self.c.key.public_key()))
        extra: dict[str, object] = dict(hub_settings(info))
        if s.database_url:
            extra["state_schema"] = schema_of(name)
        return init_connector(
            parent / name,
            f"urn:uuid:{uuid.uuid4()}",
            company.name,
            public_url=self.url_of(name),
            database_url=s.database_url,
            extra=extra,
        )

    def _application(self, context: Context, company: Company) -> dict[str, Any]:
        c = context.connector
        return {
            "company": company.to_dict(),
            "participant": {
                "id": c.participant_id,
                "publicKey": public_jwk(c.key.public_key()),
                "endpoint": c.protocol_url,
                "dataEndpoint": c.settings.public_url.rstrip("/") + "/data",
            },
            "proof": c.peer.bearer(self.c.participant_id),
        }

    async def _undo(self, name: str, made: Initialized) -> None:
        """Nothing half-made stays: the context stops, its folder goes (a PostgreSQL schema stays, empty of
        members: a name once tried is not offered again while it exists)."""
        if self.host.get(name) is not None:
            await self.host.remove(name)
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(made.settings.data_dir, ignore_errors=True))

    # ---- what the hub hands its hosted connectors ------------------------------------------------
    async def hand_credentials(self, context: Context) -> None:
        """The tenant's valid credentials from the hub, put into its wallet (a hosted connector does not ask)."""
        c = context.connector
        async with self.c.store.begin() as tx:
            member = await records_of(tx).by_participant(c.participant_id)
        if member is None:
            raise refused_as(Conflict, "hosting", "not-member", tenant=context.name)
        held = await self.hub.membership.credentials(member, renew=False)
        hub_key = public_key_from_jwk(public_jwk(self.c.key.public_key()))
        for token in held["credentials"]:
            c.wallet.add(token, lambda i: hub_key if i == self.c.participant_id else None, c.participant_id, c.now())

    async def spread(self) -> None:
        """The hub's current directory and status list, handed to every hosted connector now rather than at its
        next fetch (which still runs: these are the same signed documents)."""
        directory, status = await self.hub.publishing.directory(), await self.hub.publishing.status()
        reader: HubDirectory | None = None  # verified and parsed once, then followed by the others
        for context in self.host.named():
            held = context.connector.directory
            if not isinstance(held, HubDirectory):
                continue
            if reader is None:
                reader = held
                held.accept_directory(directory)
                held.accept_status(status)
            else:
                held.follow(reader)

    # ---- leaving ---------------------------------------------------------------------------------
    def exportable(self, principal: Principal, name: str) -> Settings:
        """The settings of hosted connector ``name``, for its export (the operator's, or its own admin's)."""
        require(principal, "hub.review")
        context = self.host.get(name)
        if context is None:
            raise refused_as(NotFound, "hosting", "unknown", name=name)
        return context.settings

    def own_key(self, name: str, given: str | None) -> bool:
        """Whether ``given`` is the management API key of hosted connector ``name``."""
        context = self.host.get(name)
        expected = context.settings.api_key.get_secret_value() if context is not None else ""
        return bool(expected and given) and hmac.compare_digest((given or "").encode(), expected.encode())

    async def moved(self, member: MemberRecord, body: Any) -> dict[str, Any]:
        """A member's connector answers at a new address (``{"endpoint", "dataEndpoint"?}``): its directory entry
        changes, partners follow it at their next fetch, and if the hub hosted it, the hub stops (its folder is
        kept, renamed ``<name>.moved``)."""
        entry = body if isinstance(body, dict) else {}
        endpoint = _address(entry.get("endpoint"), "endpoint")
        data = entry.get("dataEndpoint")
        data_endpoint = _address(data, "dataEndpoint") if data is not None else None
        if endpoint.startswith(self.c.settings.public_url.rstrip("/") + "/c/"):
            raise refused_as(Conflict, "hosting", "moved.hosted", at="endpoint", endpoint=endpoint)
        if member.state != "approved":
            raise refused_as(
                Forbidden, "hub", "member.inactive", participant=member.participant_id, state=state_word(member.state)
            )
        async with self.c.audit.together() as done:
            records = records_of(done.tx)
            current = await records.get(member.id, for_update=True)
            assert current is not None
            was = current.endpoint
            current.endpoint, current.data_endpoint, current.updated_at = endpoint, data_endpoint, self.c.now()
            await records.save(current)
            await records.bump("directory")
            done.record("hub.member.moved", counterparty=current.participant_id, endpoint=endpoint, was=was)
        hosted = next((x for x in self.host.named() if x.connector.participant_id == member.participant_id), None)
        if hosted is not None:
            await self.host.remove(hosted.name)
            folder = hosted.settings.data_dir
            await anyio.to_thread.run_sync(lambda: folder.rename(folder.with_name(f"{folder.name}.moved")))
            await self.c.audit.record("hub.hosted.left", counterparty=member.participant_id, tenant=hosted.name)
        await self.spread()
        return application_view(current)


def _address(value: Any, at: str) -> str:
    if isinstance(value, str):
        try:
            return normalised(value).rstrip("/")
        except UnsafeAddress:
            pass
    raise refusal("hosting", "endpoint.shape", at=at, field=at)
