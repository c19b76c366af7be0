"""Hosting a company's connector in the hub's process: signing it up (its own data directory, participant id,
key, state, API key and first portal user, its membership filed and approved by the hub), reloading the hosted
ones at the hub's start with the caps the hub sets them, and handing the directory to them as it changes."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import structlog

from sangsaeng.accounts.passwords import add_user
from sangsaeng.connector import Connector, Quota
from sangsaeng.errors import Conflict, Forbidden, NotFound
from sangsaeng.hub.hosting.naming import schema_of, tenant_name
from sangsaeng.hub.members.facts import Company, read_company, read_reason
from sangsaeng.hub.members.states import state_word
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.hubclient.join import HubInfo
from sangsaeng.i18n.refusals import both, refusal, refused_as
from sangsaeng.identity.directory import UnsafeAddress, normalised
from sangsaeng.identity.hub import HubDirectory
from sangsaeng.identity.keys import public_jwk, public_key_from_jwk
from sangsaeng.roles import Principal, require
from sangsaeng.settings import CONFIG_FILE, Settings
from sangsaeng.setup import Initialized, hub_settings, init_connector
from sangsaeng.store import migrate
from sangsaeng.tenants.context import Context
from sangsaeng.tenants.host import Host

log = structlog.get_logger(__name__)
TENANTS = "tenants"  # under the hub's data directory, one folder per hosted connector
SIGNUPS = "signups"  # under the hub's data directory: requested on the portal, not yet approved (never served)
# A hosted connector that left keeps its folder (and on PostgreSQL its schema) under its name with one of these:
# the name stays taken, so a newcomer never inherits its state.
LEFT = (".moved", ".removed")
S3_SETTINGS = ("datasets_endpoint", "datasets_region", "datasets_access_key")


@dataclass
class Hosting:
    hub: Hub
    host: Host
    _making: asyncio.Lock = field(default_factory=asyncio.Lock)  # one new folder at a time: no name chosen twice

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

    @property
    def quota(self) -> Quota:
        """What each hosted connector may keep and ask (the hub's ``hosted_…`` settings; 0 is no cap)."""
        s = self.c.settings
        return Quota(
            max_bytes=s.hosted_max_bytes or None,
            max_datasets=s.hosted_max_datasets or None,
            requests_per_minute=s.hosted_requests_per_minute or None,
        )

    async def open(self, name: str, folder: Path) -> Context:
        """The connector of ``folder`` served (and started) under ``/c/<name>``, within the hub's caps."""
        return await self.host.add(name, Settings(data_dir=folder), quota=self.quota)

    # ---- at the hub's start ----------------------------------------------------------------------
    def reload(self) -> list[str]:
        """Every hosted connector of ``tenants/*`` built (started with the host); a folder whose address is not
        the hub's ``/c/<folder>`` is refused, as partners would reach it nowhere."""
        names = []
        for folder in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if folder.name.endswith(LEFT) or not (folder / CONFIG_FILE).is_file() or self.host.get(folder.name):
                continue
            settings = Settings(data_dir=folder)
            if settings.public_url.rstrip("/") != self.url_of(folder.name):
                log.error(
                    "hosting.misplaced", tenant=folder.name, url=settings.public_url, expected=self.url_of(folder.name)
                )
                continue
            self.host.build(folder.name, settings, quota=self.quota)
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
        made = await self.make(self.folder, entry.get("name"), company)
        name, application = made.settings.data_dir.name, None
        try:
            context = await self.open(name, made.settings.data_dir)
            await add_user(context.connector.store, user.strip(), password, "admin", self.c.now())
            filed = await self.hub.membership.file(self._application(context, company), hosted=True)
            application = filed["id"]
            await self.hub.membership.decide(principal, application, "approve")
            await self.hand_credentials(context)
            await self.spread()
        except BaseException:
            await self._undo(principal, name, made.settings.data_dir, application)
            raise
        await self.c.audit.record("hub.hosted", counterparty=made.participant.id, tenant=name, by=principal.name)
        return {
            "name": name,
            "participantId": made.participant.id,
            "url": made.settings.public_url,
            "portal": made.settings.public_url + "/portal/",
            "application": application,
            "apiKey": made.api_key,
            "admin": {"name": user.strip(), "password": password},
        }

    def taken(self, name: str) -> bool:
        """Whether ``name`` is served, being made, awaiting approval, or kept by a connector that left."""
        signups = self.c.settings.data_dir / SIGNUPS
        places = [self.folder / name, *(self.folder / f"{name}{s}" for s in LEFT), signups / name]
        return name in self.host.contexts or any(p.exists() for p in [*places, signups / f"{name}.json"])

    async def make(self, parent: Path, wanted: object, company: Company) -> Initialized:
        """A new connector's folder under ``parent`` (and on PostgreSQL its schema ``t_<name>``), named ``wanted``
        or after the company; a name whose schema exists is taken too. Made whole or not at all."""
        url = self.c.settings.database_url
        async with self._making:
            schemas = await anyio.to_thread.run_sync(lambda: migrate.schemas(url)) if url else set()
            name = tenant_name(wanted, company.name, company.brn, lambda n: self.taken(n) or schema_of(n) in schemas)
            try:
                return await anyio.to_thread.run_sync(lambda: self.init(parent, name, company))
            except BaseException:
                await self.discard(parent / name)  # the name was free: whatever is there now is this attempt's
                raise

    async def discard(self, folder: Path) -> None:
        """A connector that never opened, gone: its folder, and on PostgreSQL its schema (``t_<folder>``)."""
        url = self.c.settings.database_url
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(folder, ignore_errors=True))
        if url:
            await anyio.to_thread.run_sync(lambda: migrate.drop_schema(url, schema_of(folder.name)))

    def init(self, parent: Path, name: str, company: Company) -> Initialized:
        """Connector ``name``'s folder under ``parent``, addressed as the hub's ``/c/<name>`` (not served yet); its
        state in the hub's PostgreSQL database (schema ``t_<name>``) and its datasets under the hub's S3 prefix
        (``…/tenants/<name>``) when the hub keeps its own there."""
        s = self.c.settings
        info = HubInfo(s.public_url.rstrip("/"), s.participant_id, s.name, public_jwk(self.c.key.public_key()))
        extra: dict[str, object] = dict(hub_settings(info))
        extra["hub_share_activity"] = True  # its counts in the operator's figures, as every member's that shares
        if s.database_url:
            extra["state_schema"] = schema_of(name)
        if s.datasets.strip().startswith("s3://"):
            extra["datasets"] = f"{s.datasets.strip().rstrip('/')}/{TENANTS}/{name}"
            extra |= {k: getattr(s, k) for k in S3_SETTINGS if getattr(s, k)}
            if s.datasets_secret_key.get_secret_value():
                extra["datasets_secret_key"] = s.datasets_secret_key.get_secret_value()
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

    async def _undo(self, principal: Principal, name: str, folder: Path, application: str | None) -> None:
        """Nothing half-made stays: the context stops, its folder and schema go, and an application already filed
        leaves the directory (declined, or suspended once approved), its reason saying the sign-up failed."""
        if self.host.get(name) is not None:
            await self.host.remove(name)
        await self.discard(folder)
        if application is None:
            return
        try:
            async with self.c.store.begin() as tx:
                member = await records_of(tx).get(application)
            english, korean = both("hosting", "signup.failed", name=name)
            if member is not None and member.state == "applied":
                await self.hub.membership.decide(principal, application, "decline", f"{korean} / {english}")
            elif member is not None and member.state == "approved":
                await self.hub.membership.decide(principal, application, "suspend", f"{korean} / {english}")
        except Exception:  # the sign-up's own failure is what the operator is told
            log.exception("hosting.undo.failed", tenant=name, application=application)

    # ---- what the hub hands its hosted connectors ------------------------------------------------
    async def hand_credentials(self, context: Context, renew: bool = False) -> int:
        """The tenant's valid credentials from the hub (``renew``: a fresh one first when due), held in its wallet
        exactly (a hosted connector does not ask); how many it holds."""
        c = context.connector
        async with self.c.store.begin() as tx:
            member = await records_of(tx).by_participant(c.participant_id)
        if member is None:
            raise refused_as(Conflict, "hosting", "not-member", tenant=context.name)
        held = await self.hub.membership.credentials(member, renew=renew)
        hub_key = public_key_from_jwk(public_jwk(self.c.key.public_key()))
        key_of = lambda i: hub_key if i == self.c.participant_id else None  # noqa: E731
        return c.wallet.hold(self.c.participant_id, list(held["credentials"]), key_of, c.participant_id, c.now())

    async def spread(self) -> None:
        """The hub's current directory and status list, handed to every hosted connector (they fetch nothing of their
        own: ``hub/hosting/feeding.py`` calls this every ``hub_refresh`` seconds and after every decision)."""
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

    def served_before_reinstating(self, member: MemberRecord, action: str) -> None:
        """A member the hub hosted and stopped hosting (removed, or its sign-up undone) is not reinstated while
        nothing serves it: the directory would list an address that answers 404. Host it again, or let it move."""
        prefix = self.c.settings.public_url.rstrip("/") + "/c/"
        if action != "reinstate" or not member.endpoint.startswith(prefix):
            return
        name = member.endpoint.removeprefix(prefix).split("/", 1)[0]
        if self.host.get(name) is None:
            raise refused_as(Conflict, "hosting", "reinstate.unserved", extra={"name": name}, name=name)

    # ---- leaving ---------------------------------------------------------------------------------
    def exportable(self, principal: Principal, name: str) -> Context:
        """Hosted connector ``name``, for its export (the operator's, or its own admin's)."""
        require(principal, "hub.review")
        context = self.host.get(name)
        if context is None:
            raise refused_as(NotFound, "hosting", "unknown", name=name)
        return context

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
        return self.hub.membership.view(current)

    async def remove(self, principal: Principal, name: str, reason: Any, force: bool) -> dict[str, Any]:
        """Stop hosting ``name`` without its moving anywhere: refused (409) while it has agreements not ended,
        unless ``force``. Its membership is suspended with ``reason`` (a member has no state "left": suspended is
        what partners already refuse, and the hub's log says it was removed), its context stops, its folder is
        kept as ``tenants/<name>.removed`` and, on PostgreSQL, its schema as it is (the log names it)."""
        require(principal, "hub.review")
        context = self.host.get(name)
        if context is None:
            raise refused_as(NotFound, "hosting", "unknown", name=name)
        said = read_reason(reason)
        c = context.connector
        unended = await _agreements_not_ended(c)
        if unended and not force:
            extra = {"agreements": unended}
            raise refused_as(
                Conflict, "hosting", "remove.agreements", at="force", extra=extra, name=name, count=unended
            )
        async with self.c.store.begin() as tx:
            member = await records_of(tx).by_participant(c.participant_id)
        if member is not None and member.state == "approved":
            await self.hub.membership.decide(principal, member.id, "suspend", said)
        await self.host.remove(name)
        folder = context.settings.data_dir
        kept = folder.with_name(f"{folder.name}.removed")
        await anyio.to_thread.run_sync(lambda: folder.rename(kept))
        schema = context.settings.state_schema if context.settings.database_url else None
        await self.c.audit.record(
            "hub.hosted.removed",
            counterparty=c.participant_id,
            tenant=name,
            reason=said,
            by=principal.name,
            agreements=unended,
            folder=f"{TENANTS}/{kept.name}",
            schema=schema,
        )
        await self.spread()
        return {
            "name": name,
            "participantId": c.participant_id,
            "application": member.id if member is not None else None,
            "state": None if member is None else "suspended" if member.state == "approved" else member.state,
            "agreementsNotEnded": unended,
            "folder": f"{TENANTS}/{kept.name}",
            "schema": schema,
        }


async def _agreements_not_ended(c: Connector, page: int = 500) -> int:
    """How many of the connector's agreements, as provider or consumer, nobody has ended (terminated)."""
    count, offset = 0, 0
    while True:
        async with c.store.begin() as tx:
            found = await tx.agreements.page(offset, page)
        count += sum(1 for a in found if a.terminated_at is None)
        if len(found) < page:
            return count
        offset += page


def _address(value: Any, at: str) -> str:
    if isinstance(value, str):
        try:
            return normalised(value).rstrip("/")
        except UnsafeAddress:
            pass
    raise refusal("hosting", "endpoint.shape", at=at, field=at)
