"""An application read whole and checked: the company's facts and its connector's identity. Every refusal says
where (a JSON path in the application), what, and how to fix it, in Korean and English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from sangsaeng.errors import InvalidInput
from sangsaeng.hub.members.brn import read_brn
from sangsaeng.hub.members.ksic import read_ksic
from sangsaeng.hub.members.regions import read_region, read_size
from sangsaeng.i18n.refusals import refusal
from sangsaeng.identity.directory import Participant, UnsafeAddress, normalised
from sangsaeng.identity.keys import public_key_from_jwk

TIER = re.compile(r"^(?:OEM|[1-9]차)$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{6,19}$")
PARTICIPANT_ID = re.compile(r"^[a-z][a-z0-9+.-]*:[!-~]{1,200}$")
MAX_TEXT = 200
MAX_LIST = 10


@dataclass(frozen=True)
class TierIn:
    chain: str  # the value chain named (the OEM's name, a programme)
    tier: str  # "OEM", "1차", "2차", …

    def to_dict(self) -> dict[str, str]:
        return {"chain": self.chain, "tier": self.tier}


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "phone": self.phone}


@dataclass(frozen=True)
class Company:
    name: str
    brn: str  # ten digits
    ksic: tuple[str, ...]
    region: str  # ISO 3166-2:KR
    size: str  # sme | midsize | large
    tiers: tuple[TierIn, ...]
    contact: Contact

    def attributes(self) -> dict[str, list[str]]:
        """What credentials attest and the directory shows (``membership`` is the hub's to add)."""
        return {
            "tier": sorted({t.tier for t in self.tiers}),
            "sector": list(self.ksic),
            "region": [self.region],
            "size": [self.size],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "brn": self.brn,
            "ksic": list(self.ksic),
            "region": self.region,
            "size": self.size,
            "tiers": [t.to_dict() for t in self.tiers],
            "contact": self.contact.to_dict(),
        }


@dataclass(frozen=True)
class Application:
    company: Company
    participant: Participant
    proof: str  # a self-issued token signed by the participant's key, for the hub


def _object(value: Any, at: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refusal("hub", "field.object", at=at)
    return value


def _text(value: Any, at: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise refusal("hub", "field.text", at=at, limit=limit)
    return value.strip()


def _list(value: Any, at: str) -> list[Any]:
    items = [value] if isinstance(value, str | dict) else value
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_LIST:
        raise refusal("hub", "field.list", at=at, limit=MAX_LIST)
    return items


def read_tier(value: Any, at: str) -> TierIn:
    entry = _object(value, at)
    tier = entry.get("tier")
    if not isinstance(tier, str) or not TIER.match(tier.strip()):
        raise refusal("hub", "tier.unknown", at=f"{at}.tier", given=str(tier)[:40])
    return TierIn(_text(entry.get("chain"), f"{at}.chain"), tier.strip())


def email_of(value: Any) -> str | None:
    """An e-mail address as people write it, Korean ones included (``김@회사.한국``: RFC 6531 and IDNA, read by
    ``email-validator`` without asking DNS), normalised (the domain lower-cased); None when it is not one."""
    if not isinstance(value, str) or len(value) > 320:
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False, allow_smtputf8=True).normalized
    except EmailNotValidError:
        return None


def read_contact(value: Any, at: str = "company.contact") -> Contact:
    entry = _object(value, at)
    email, phone = email_of(entry.get("email")), entry.get("phone")
    if email is None:
        raise refusal("hub", "contact.email", at=f"{at}.email", given=str(entry.get("email"))[:80])
    if not isinstance(phone, str) or not PHONE.match(phone.strip()):
        raise refusal("hub", "contact.phone", at=f"{at}.phone", given=str(phone)[:40])
    return Contact(_text(entry.get("name"), f"{at}.name"), email, phone.strip())


def read_company(value: Any, at: str = "company") -> Company:
    entry = _object(value, at)
    ksic = tuple(
        dict.fromkeys(
            read_ksic(code, f"{at}.ksic[{i}]") for i, code in enumerate(_list(entry.get("ksic"), f"{at}.ksic"))
        )
    )
    tiers = tuple(
        dict.fromkeys(read_tier(t, f"{at}.tiers[{i}]") for i, t in enumerate(_list(entry.get("tiers"), f"{at}.tiers")))
    )
    return Company(
        name=_text(entry.get("name"), f"{at}.name"),
        brn=read_brn(entry.get("brn"), f"{at}.brn"),
        ksic=ksic,
        region=read_region(entry.get("region"), f"{at}.region"),
        size=read_size(entry.get("size"), f"{at}.size"),
        tiers=tiers,
        contact=read_contact(entry.get("contact"), f"{at}.contact"),
    )


def read_key(value: Any, at: str) -> dict[str, str]:
    try:
        public_key_from_jwk(_object(value, at))
    except InvalidInput:
        raise refusal("hub", "key.shape", at=at) from None
    return {"kty": "OKP", "crv": "Ed25519", "x": str(value["x"])}


def _address(value: Any, at: str) -> str:
    if not isinstance(value, str):
        raise refusal("hub", "address.unsafe", at=at, reason="-")
    try:
        return normalised(value).rstrip("/")
    except UnsafeAddress as exc:
        raise refusal("hub", "address.unsafe", at=at, reason=str(exc)) from None


def read_participant(value: Any, name: str, at: str = "participant") -> Participant:
    entry = _object(value, at)
    pid = entry.get("id")
    if not isinstance(pid, str) or not PARTICIPANT_ID.match(pid):
        raise refusal("hub", "participant.id", at=f"{at}.id", given=str(pid)[:80])
    data = entry.get("dataEndpoint")
    return Participant(
        id=pid,
        name=name,
        public_key=read_key(entry.get("publicKey"), f"{at}.publicKey"),
        endpoint=_address(entry.get("endpoint"), f"{at}.endpoint"),
        data_endpoint=_address(data, f"{at}.dataEndpoint") if data is not None else None,
    )


def read_application(body: Any) -> Application:
    """An application as ``POST /hub/applications`` takes it (``docs/hub.md``)."""
    entry = _object(body, "$")
    company = read_company(entry.get("company"))
    participant = read_participant(entry.get("participant"), company.name)
    proof = entry.get("proof")
    if not isinstance(proof, str) or not proof or len(proof) > 8192:
        raise refusal("hub", "proof.missing", at="proof")
    return Application(company, participant, proof)


def read_reason(value: Any, at: str = "reason") -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 1000:
        raise refusal("hub", "reason.missing", at=at)
    return value.strip()
