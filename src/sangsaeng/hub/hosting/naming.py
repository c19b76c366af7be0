"""A hosted connector's name, from its company: the ``/c/<name>`` of its address and, dashes made underscores, its
PostgreSQL schema (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from sangsaeng.i18n.refusals import refusal

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # t_<name> stays a PostgreSQL name
LONGEST = 40  # room for a "-<n>" when the name is taken


def slug(text: str) -> str:
    """``text``'s Latin letters and digits, lower-case, the rest made single dashes ("Hanbit Precision Co." →
    "hanbit-precision-co")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:LONGEST].strip("-")


def tenant_name(wanted: object, company: str, brn: str, taken: Callable[[str], bool]) -> str:
    """The name asked for (refused when taken or malformed), else one made from the company's name (its Latin
    part), else from its registration number; made names take the first free "-2", "-3", … when taken."""
    if wanted is not None:
        if not isinstance(wanted, str) or not NAME.match(wanted):
            raise refusal("hosting", "name.shape", at="name", given=str(wanted)[:80])
        if taken(wanted):
            raise refusal("hosting", "name.taken", at="name", name=wanted)
        return wanted
    base = slug(company) or "c" + re.sub(r"\D", "", brn)
    name, n = base, 1
    while taken(name):
        n += 1
        name = f"{base}-{n}"
    return name


def schema_of(name: str) -> str:
    """The PostgreSQL schema of hosted connector ``name``."""
    return "t_" + name.replace("-", "_")
