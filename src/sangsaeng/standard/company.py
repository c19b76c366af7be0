"""What the connector knows of the company it belongs to, offered where a file does not say it (issue 15: known,
not asked): its participant id for a footprint's ``company_ids`` — only when it is a URN, the form PACT's
``companyIds`` take —, its name for ``company_name``, and its internet domain for the prefix that makes part
numbers product URNs (``urn:pact:<domain>:product-id:``, the form of PACT's ``productIds`` examples). No I/O: the
portal and the check build one from the settings.

The domain is the company's only where the settings say it: a ``did:web`` participant id names it, else the
host of ``public_url`` when that is a DNS name (not an address, not ``localhost``). Otherwise there is none, and
the person is asked: nothing is made up.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from sangsaeng.standard.pact.vocabulary import URN

ENTITY = "product_footprint"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[a-z][a-z0-9-]{{0,61}}[a-z0-9]")
_LOCAL = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def domain_of(host: str) -> str | None:
    """``host`` when it is a DNS name a company can hold (``hanbit.example``), else None."""
    host = host.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if len(host) > 253 or not DOMAIN.fullmatch(host) or host.endswith(_LOCAL) or host == "localhost":
        return None
    return host


def product_prefix(domain: str) -> str:
    """The prefix that makes a part number a product URN of the company's domain."""
    return f"urn:pact:{domain}:product-id:"


@dataclass(frozen=True)
class Company:
    participant_id: str = ""
    name: str = ""
    domain: str | None = None

    @classmethod
    def of(cls, participant_id: str, name: str, public_url: str = "") -> Company:
        """From the settings (``participant_id``, ``name``, ``public_url``)."""
        domain = None
        if participant_id.lower().startswith("did:web:"):
            host = unquote(participant_id[len("did:web:") :].split(":")[0]).rsplit(":", 1)[0]
            domain = domain_of(host)
        if domain is None and public_url:
            domain = domain_of(urlsplit(public_url).hostname or "")
        return cls(participant_id.strip(), name.strip(), domain)

    @property
    def urn(self) -> str | None:
        """The participant id, when it is a URN (RFC 8141) a footprint's ``company_ids`` can hold."""
        return self.participant_id if URN.fullmatch(self.participant_id) else None

    @property
    def prefix(self) -> str | None:
        return product_prefix(self.domain) if self.domain else None

    def known(self, entity: str) -> dict[str, Any]:
        """The fields of ``entity`` this company's settings give, as a mapping's constant values."""
        if entity != ENTITY:
            return {}
        found: dict[str, Any] = {}
        if self.urn:
            found["company_ids"] = [self.urn]
        if self.name:
            found["company_name"] = self.name
        return found
