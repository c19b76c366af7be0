"""The application form: what was typed, as the hub's API takes an application, and each refusal of the hub's
core put next to the field it is about, in the reader's language. Nothing typed is lost on a refused form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from sangsaeng.accounts.passwords import check_new_password
from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.hub.members.brn import read_brn
from sangsaeng.hub.members.facts import read_company, read_contact, read_participant, read_tier
from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.hub.members.regions import read_region, read_size
from sangsaeng.i18n.refusals import refusal
from sangsaeng.portal.hub.common import TIER_ROWS

MAX_PROOF = 8192

TEXT_FIELDS = (
    "name", "brn", "region", "size", "contact_name", "contact_email", "contact_phone",
    "participant_id", "public_key", "endpoint", "data_endpoint", "proof",
)  # fmt: skip
# A refusal's position in the application (indexes dropped) → the form's field.
FIELDS = {
    "company": "name",
    "company.name": "name",
    "company.brn": "brn",
    "company.ksic": "ksic",
    "company.region": "region",
    "company.size": "size",
    "company.tiers": "tiers",
    "company.tiers.chain": "tiers",
    "company.tiers.tier": "tiers",
    "company.contact": "contact_name",
    "company.contact.name": "contact_name",
    "company.contact.email": "contact_email",
    "company.contact.phone": "contact_phone",
    "participant": "participant_id",
    "participant.id": "participant_id",
    "participant.publicKey": "public_key",
    "participant.endpoint": "endpoint",
    "participant.dataEndpoint": "data_endpoint",
    "proof": "proof",
    "admin.name": "admin_name",
    "admin.password": "password",
}
HOSTED_FIELDS = ("name", "brn", "region", "size", "contact_name", "contact_email", "contact_phone", "admin_name")


def values_of(form: FormData) -> dict[str, Any]:
    """What was typed, to show again: text fields, the sectors picked, the chains and tiers."""
    kept: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    kept["ksic"] = [str(v) for v in form.getlist("ksic")]
    kept["tiers"] = [
        {"chain": str(form.get(f"chain_{i}", "")).strip(), "tier": str(form.get(f"tier_{i}", "")).strip()}
        for i in range(TIER_ROWS)
    ]
    return kept


def hosted_values_of(form: FormData) -> tuple[dict[str, Any], str]:
    """What was typed on the hosted sign-up, to show again, and the password (never shown again)."""
    kept = values_of(form)
    kept = {k: v for k, v in kept.items() if k in HOSTED_FIELDS or k in ("ksic", "tiers")}
    kept["admin_name"] = str(form.get("admin_name", "")).strip()
    return kept, str(form.get("password", ""))


def hosted_of(kept: dict[str, Any], password: str) -> dict[str, Any]:
    """The hosted sign-up as ``HostedApplications.request`` takes it: the company, its first portal user."""
    return {"company": company_of(kept), "admin": {"name": kept["admin_name"], "password": password}}


def _key(text: str) -> Any:
    """A public key as a JWK (what ``sangsaeng hub identity`` prints) or its ``x`` alone."""
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return {"kty": "OKP", "crv": "Ed25519", "x": text} if text else None


def company_of(kept: dict[str, Any]) -> dict[str, Any]:
    """The company's facts as an application holds them."""
    return {
        "name": kept["name"],
        "brn": kept["brn"],
        "ksic": kept["ksic"],
        "region": kept["region"],
        "size": kept["size"],
        "tiers": [t for t in kept["tiers"] if t["chain"] or t["tier"]],
        "contact": {"name": kept["contact_name"], "email": kept["contact_email"], "phone": kept["contact_phone"]},
    }


def application_of(kept: dict[str, Any]) -> dict[str, Any]:
    """The application as ``POST /hub/applications`` takes it (``docs/hub.md``)."""
    return {
        "company": company_of(kept),
        "participant": {
            "id": kept["participant_id"],
            "publicKey": _key(kept["public_key"]),
            "endpoint": kept["endpoint"],
            **({"dataEndpoint": kept["data_endpoint"]} if kept["data_endpoint"] else {}),
        },
        "proof": kept["proof"],
    }


def _proof(token: str) -> None:
    if not token or len(token) > MAX_PROOF:  # as the core reads it; its signature is checked when applying
        raise refusal("hub", "proof.missing", at="proof")


def admin_problems(admin: dict[str, str]) -> None:
    """The first portal user of a hosted connector: a name, a password by the portal's rules."""
    name = admin["name"]
    if not name or len(name) > 128:
        raise refusal("hosting", "admin.name.required", at="admin.name")
    try:
        check_new_password(admin["password"])
    except InvalidInput:
        raise refusal("hosting", "admin.password.rules", at="admin.password") from None


def field_of(position: str | None) -> str:
    """The form's field a refusal is about (``""``: the form as a whole)."""
    return FIELDS.get(re.sub(r"\[\d+\]", "", position or ""), "")


def said(error: SangsaengError, language: str) -> dict[str, str]:
    """A refusal in the reader's language: what is wrong, and how to fix it."""
    details = error.details or {}
    if language == "ko" and isinstance(details.get("message_ko"), str):
        return {"message": details["message_ko"], "hint": str(details.get("hint_ko") or "")}
    return {"message": error.message, "hint": error.hint or ""}


def problems(application: dict[str, Any], language: str) -> dict[str, dict[str, str]]:
    """Every field the hub's core refuses, each with its first refusal (the core stops at the first problem of
    an application; asking it field by field shows them all at once)."""
    company = application["company"]
    checks: list[Callable[[], object]] = [
        lambda: read_brn(company["brn"]),
        lambda: [read_ksic(code, f"company.ksic[{i}]") for i, code in enumerate(company["ksic"])],
        lambda: read_region(company["region"]),
        lambda: read_size(company["size"]),
        lambda: [read_tier(t, f"company.tiers[{i}]") for i, t in enumerate(company["tiers"])],
        lambda: read_contact(company["contact"]),
        lambda: read_company(company),  # the rest: the name, an empty list
    ]
    if "participant" in application:  # a hosted sign-up has none: the hub makes the key and endpoints
        participant = application["participant"]
        checks[-1:-1] = [lambda: read_participant(participant, company["name"] or "-")]
        checks.append(lambda: _proof(application["proof"]))
    if "admin" in application:
        checks.append(lambda: admin_problems(application["admin"]))
    found: dict[str, dict[str, str]] = {}
    for check in checks:
        try:
            check()
        except InvalidInput as exc:
            found.setdefault(field_of(exc.position), said(exc, language))
    return found
