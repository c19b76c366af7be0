"""A company without IT asks the hub to host its connector (``/portal/hub/hosted``): the request files an
application the operator reviews like any other, and only the operator's approval opens the connector.

The request (public, limited per address as applications are) makes the connector's folder under
``signups/<name>/`` — its participant id and key, so the application is an ordinary one, its proof signed by that
key — and keeps beside it ``signups/<name>.json``: the application's id, the first portal user's name and password
*hash*, and the hash of the status code the applicant was given. Nothing is served from ``signups/``. On approval
(``Membership.decided``) the folder moves to ``tenants/<name>/``, the connector starts under ``/c/<name>``, its user
is added with the hash kept, and it gets its credentials and the directory, as an operator's sign-up does. On a
decline the folder goes; the record stays, for the applicant to read the reason. The applicant reads its state with
its application id and code; once approved, the answer holds the connector's API key the first time only.

If opening fails after the approval committed (the folder goes back to ``signups/``), it is tried again at the hub's
next start and whenever the operator asks (``retry``): an approved application whose folder is still in ``signups/``
is opened as above."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import structlog

from sangsaeng.accounts.passwords import check_new_password, hash_new_password
from sangsaeng.errors import Conflict, InvalidInput, NotFound
from sangsaeng.hub.hosting.tenancy import SIGNUPS, Hosting
from sangsaeng.hub.members.facts import read_company
from sangsaeng.hub.members.states import Step, state_word
from sangsaeng.hub.store.access import records_of
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.i18n.refusals import refusal, refused_as
from sangsaeng.identity import tokens
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.roles import Principal, require
from sangsaeng.store.records import User

log = structlog.get_logger(__name__)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass
class HostedApplications:
    hosting: Hosting
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.hosting.hub.membership.decided.append(self._decided)
        self.hosting.host.started.append(self.finish_approved)  # what a failed start left, at the hub's start

    @property
    def folder(self) -> Path:
        return self.hosting.c.settings.data_dir / SIGNUPS

    def _record(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    # ---- asking ----------------------------------------------------------------------------------
    async def request(self, body: Any, address: str) -> dict[str, Any]:
        """``{"company": facts, "admin": {"name", "password"}}`` from anyone at ``address``: an application for a
        hosted connector, filed for the operator. The answer holds the status code, shown this once."""
        membership = self.hosting.hub.membership
        membership.admit(address)
        if not isinstance(body, dict):
            raise refusal("hosting", "body.shape", at="$")
        company = read_company(body.get("company"))
        user, password_hash = self._admin(body.get("admin"))
        made = await self.hosting.make(self.folder, None, company)
        name = made.settings.data_dir.name
        try:
            key = load_private_key(made.settings.key_path)
            hub = self.hosting.c
            proof = tokens.issue(key, made.participant.id, hub.participant_id, hub.now(), timedelta(minutes=2))
            application = await membership.file(
                {
                    "company": company.to_dict(),
                    "participant": {
                        "id": made.participant.id,
                        "publicKey": public_jwk(key.public_key()),
                        "endpoint": made.settings.protocol_url,
                        "dataEndpoint": made.settings.public_url.rstrip("/") + "/data",
                    },
                    "proof": proof,
                },
                hosted=True,
            )
            code = secrets.token_urlsafe(12)
            record = {
                "name": name,
                "application": application["id"],
                "participantId": made.participant.id,
                "admin": user,
                "passwordHash": password_hash,
                "code": _digest(code),
                "keyShown": False,
            }
            await anyio.to_thread.run_sync(lambda: self._write(name, record))
        except BaseException:
            await self.hosting.discard(made.settings.data_dir)
            raise
        await hub.audit.record("hub.hosted.requested", counterparty=made.participant.id, tenant=name)
        return {"name": name, "application": application["id"], "code": code, "view": application}

    def _admin(self, given: Any) -> tuple[str, str]:
        admin: dict[str, Any] = given if isinstance(given, dict) else {}
        user = admin.get("name")
        if not isinstance(user, str) or not user.strip() or len(user) > 128:
            raise refusal("hosting", "admin.name.required", at="admin.name")
        password = admin.get("password")
        try:
            check_new_password(password if isinstance(password, str) else "")
        except InvalidInput:
            raise refusal("hosting", "admin.password.rules", at="admin.password") from None
        assert isinstance(password, str)
        return user.strip(), hash_new_password(password)

    def _write(self, name: str, record: dict[str, Any]) -> None:
        path = self._record(name)
        spare = path.with_suffix(".json.new")
        spare.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
        spare.chmod(0o600)
        spare.replace(path)

    def _records(self) -> list[dict[str, Any]]:
        if not self.folder.is_dir():
            return []
        return [json.loads(p.read_text("utf-8")) for p in sorted(self.folder.glob("*.json"))]

    # ---- the operator decided --------------------------------------------------------------------
    async def _decided(self, member: MemberRecord, action: Step) -> None:
        record = next((r for r in self._records() if r["participantId"] == member.participant_id), None)
        if record is None:
            return
        pending = self.folder / record["name"]
        if action == "approve" and pending.is_dir():
            await self._open(record, pending)
        elif action == "decline" and pending.is_dir():
            await self.hosting.discard(pending)  # its folder, and on PostgreSQL its schema

    async def _open(self, record: dict[str, Any], pending: Path) -> None:
        """The approved applicant's connector, served from now on under ``/c/<name>`` with its first user."""
        name = record["name"]
        target = self.hosting.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        await anyio.to_thread.run_sync(lambda: pending.rename(target))
        try:
            context = await self.hosting.open(name, target)
            c = context.connector
            async with c.store.begin() as tx:
                if await tx.users.get(record["admin"]) is None:
                    await tx.users.add(User(record["admin"], record["passwordHash"], "admin", c.now()))
            await self.hosting.hand_credentials(context)
        except BaseException:  # not served half-made, nor at the next start: back to signups/ (logged)
            log.error("hosting.open-failed", tenant=name, application=record["application"])
            if self.hosting.hosted(name) is not None:
                await self.hosting.host.remove(name)
            await anyio.to_thread.run_sync(lambda: target.rename(pending))
            raise
        await self.hosting.spread()
        await self.hosting.c.audit.record("hub.hosted", counterparty=c.participant_id, tenant=name, by="review")

    # ---- what a failed start left behind -------------------------------------------------------------
    async def retry(self, principal: Principal, name: str) -> dict[str, Any]:
        """The operator's retry of ``name``, approved but not opened (its folder still in ``signups/``): opened
        now, or the error that stops it again."""
        require(principal, "hub.review")
        record = next((r for r in self._records() if r["name"] == name), None)
        pending = self.folder / name
        if record is None:
            raise refused_as(NotFound, "hosting", "unknown", name=name)
        async with self.hosting.c.store.begin() as tx:
            member = await records_of(tx).get(record["application"])
        if member is None or member.state != "approved" or not pending.is_dir():
            state = state_word(member.state if member is not None else "applied")
            opened = self.hosting.hosted(name) is not None
            raise refused_as(Conflict, "hosting", "retry.opened" if opened else "retry.waiting", name=name, state=state)
        await self._open(record, pending)
        url = self.hosting.url_of(name)
        return {"name": name, "application": record["application"], "url": url, "portal": url + "/portal/"}

    async def finish_approved(self) -> None:
        """Every approved application whose connector is still in ``signups/`` opened, each on its own (one that
        fails again stays there, logged, for the next start or the operator's retry)."""
        for record in self._records():
            pending = self.folder / record["name"]
            if not pending.is_dir():
                continue
            async with self.hosting.c.store.begin() as tx:
                member = await records_of(tx).get(record["application"])
            if member is None or member.state != "approved":
                continue
            try:
                await self._open(record, pending)
            except Exception:
                log.exception("hosting.retry.failed", tenant=record["name"], application=record["application"])

    # ---- the applicant reads -----------------------------------------------------------------------
    async def status(self, application: str, code: str) -> dict[str, Any]:
        """The hosted application ``application`` for whoever holds its code (anyone else: unknown). Once it is
        approved and served, the first answer holds the connector's address, portal and API key; later ones the
        address and portal only."""
        async with self.lock:
            record = next((r for r in self._records() if r["application"] == application), None)
            if record is None or not hmac.compare_digest(record["code"], _digest(code)):
                raise refused_as(NotFound, "hub", "application.unknown", application=application)
            async with self.hosting.c.store.begin() as tx:
                member = await records_of(tx).get(application)
            if member is None:
                raise refused_as(NotFound, "hub", "application.unknown", application=application)
            answer: dict[str, Any] = {"name": record["name"], "view": self.hosting.hub.membership.view(member)}
            context = self.hosting.hosted(record["name"])
            if member.state == "approved" and context is not None:
                url = self.hosting.url_of(record["name"])
                answer |= {"url": url, "portal": url + "/portal/", "admin": record["admin"]}
                if not record["keyShown"]:
                    answer["apiKey"] = context.settings.api_key.get_secret_value()
                    record["keyShown"] = True
                    await anyio.to_thread.run_sync(lambda: self._write(record["name"], record))
            return answer
