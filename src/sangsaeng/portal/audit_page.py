"""The audit page: the log's latest entries in words (what happened, with whom, under which agreement), the
agreements to export evidence for, and a verification of the whole log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sangsaeng.audit.bundle import evidence_bundle
from sangsaeng.portal.i18n import Words
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import UserDep, acting, checked_form, names_for, render, words
from sangsaeng.roles import API_KEY, CLI_ADMIN
from sangsaeng.services import ServicesDep
from sangsaeng.store.records import LogEntry, User

router = APIRouter(prefix="/portal", include_in_schema=False)
SHOWN = 100


@dataclass(frozen=True)
class Described:
    """One entry as the page shows it: a sentence, a technical detail (muted), who and which agreement."""

    index: int
    at: Any
    text: str
    detail: str
    who: str
    who_id: str
    agreement: str
    agreement_id: str


TOOLS: Final = {(p.name, p.door) for p in (API_KEY, CLI_ADMIN)}


def describe(entry: LogEntry, w: Words, names: Names) -> Described:
    try:
        body: dict[str, Any] = json.loads(entry.entry)
    except ValueError:
        body = {}
    text, detail = _what(entry.kind, body, w, names)
    who_id = entry.counterparty or str(body.get("user") or "")
    who = names.partner(entry.counterparty) if entry.counterparty else (who_id or "—")
    if not entry.counterparty and (who_id, body.get("via")) in TOOLS:  # the API key or the CLI, named in words
        who = w.word("audit.via", who_id)
    agreement = names.agreement(entry.agreement_id) if entry.agreement_id else "—"
    return Described(entry.index, entry.at, text, detail, who, who_id, agreement, entry.agreement_id or "")


def _what(kind: str, body: dict[str, Any], w: Words, names: Names) -> tuple[str, str]:
    """(sentence, detail) for an entry of ``kind``; a kind without words is shown as its code."""
    if kind == "management":
        action = str(body.get("action", ""))
        text = w.word("audit.action", action)
        subject = body.get("dataset")
        return (f"{text} · {names.dataset(str(subject))}" if subject else text), ""
    if kind == "policy.decision":
        verdict = w.t("audit.permit" if body.get("permit") else "audit.deny")
        purpose = f" · {w.purpose(str(body['purpose']))}" if body.get("purpose") else ""
        return f"{w.t('audit.kind.policy.decision')}: {verdict}{purpose}", "; ".join(body.get("reasons") or [])
    if kind == "data.access":
        key = "audit.kind.data.access" if body.get("complete") else "audit.kind.data.access.cut"
        rows = body.get("rows")
        return w.t(key, rows=w.number(rows if isinstance(rows, int) else 0)), str(body.get("cause") or "")
    if kind in ("protocol.sent", "protocol.received"):
        step = body.get("step") or f"{body.get('method', '')} {body.get('path', '')}".strip()
        return w.t(f"audit.kind.{kind}"), f"{step} → {body.get('status', '—')}"
    if kind == "agreement":
        key = "audit.kind.agreement.provider" if body.get("role") == "provider" else "audit.kind.agreement.consumer"
        return w.t(key), ""
    if kind == "portal.refused":
        return w.t("audit.kind.portal.refused", reason=w.word("audit.reason", str(body.get("reason")))), ""
    if kind in ("data.refused", "agreement.terminate"):
        return w.t(f"audit.kind.{kind}"), str(body.get("reason") or "")
    if w.known(f"audit.kind.{kind}"):
        return w.t(f"audit.kind.{kind}"), ""
    return kind, ""


async def _audit(request: Request, svc: ServicesDep, user: User, verified: dict[str, Any] | None = None) -> Response:
    """The last hundred entries, newest first, the agreements to export evidence for, and a verification."""
    recent = await svc.views.recent_log(acting(user), SHOWN)
    size, entries = recent.log_size, recent.log
    names = await names_for(request, user)
    agreements = list(names.agreements.values())[:200]
    w = words(request)
    shown = [describe(e, w, names) for e in reversed(entries)]
    return render(
        request, "audit.html", user, entries=shown, agreements=agreements, size=size, verified=verified, names=names
    )


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    return await _audit(request, svc, user)


@router.post("/audit/verify", response_class=HTMLResponse)
async def audit_verify(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    await checked_form(request)
    return await _audit(request, svc, user, await svc.connector.audit.verify())


@router.get("/audit/evidence")
async def audit_evidence(request: Request, svc: ServicesDep, user: UserDep, agreement: str) -> Response:
    return Response(
        await evidence_bundle(svc.connector.audit, agreement),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="evidence-{agreement.rsplit(":", 1)[-1]}.json"'},
    )
