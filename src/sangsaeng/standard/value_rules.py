"""What a field's text must look like beyond its type, checked and written one way as a file is read; no I/O.

Each rule reads one item (a cell, or one item of a list cell) and gives it as the canonical data keeps it, or
None when it cannot mean anything: then the cell is a finding (``bad-format``, or ``unknown-code`` for a word
outside a vocabulary) and stays empty. Common spellings of a vocabulary's words are read as its token ("ISO
14067", "ISO Standard 14067" → ``ISO14067``; "GHG Protocol Product standard" → ``GHGP-Product``).

The product footprint's rules are PACT's, in the words of the PACT package (``standard.pact.vocabulary``, from
``../shared/spec/pact/openapi_v*.yaml``), so that what enters is what an export can say: ids and classifications
are URNs (RFC 8141, as the export checks them), IPCC characterization factors ``AR`` and a number, cross-sectoral
standards the tokens of v3.0's ``crossSectoralStandards`` (2.x's ``crossSectoralStandardsUsed`` words read as
them), and the UN CPC code the digits of the classification (1 to 5: section … subclass). Ranges the model states
(``exempted_emissions_percent``, ``primary_data_share`` 0–100) are the checker's (``out-of-range``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from sangsaeng.errors import SangsaengError
from sangsaeng.standard.pact import vocabulary as words
from sangsaeng.standard.pact.units import DECLARED_UNITS, DEFAULT_NAME
from sangsaeng.standard.units import recognize

STANDARDS = words.STANDARDS_V3


def _key(text: str) -> str:
    """A standard's name as compared: case, blanks, punctuation, "standard", an edition's year and a trailing
    remark aside (``ISO Standard 14067:2018 (탄소발자국)`` → ``iso14067``)."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = re.sub(r"\s*\([^)]*\)$", "", key)
    key = re.sub(r":\s*\d{4}$", "", key)
    return re.sub(r"[\s_\-./·]+|standards?|표준", "", key)


_STANDARD_KEYS = (
    {_key(token): token for token in STANDARDS}
    | {_key(old): new for old, new in words.STANDARDS_FROM_V2.items()}  # "GHG Protocol Product standard" …
    | {
        _key("ISO 14040"): "ISO14040-44",  # the pair 14040 (principles) and 14044 (requirements) is one token
        _key("ISO 14040/14044"): "ISO14040-44",
        _key("EU PEF"): "PEF",
        _key("Product Environmental Footprint"): "PEF",
        _key("EU Product Environmental Footprint"): "PEF",
    }
)
_PACT = re.compile(r"^pact(?:methodology)?v?([123])0?$")
_IPCC = re.compile(r"^(?:IPCC)?AR(\d{1,2})$")
_URN_PATTERN = f"^(?:{words.URN.pattern})$"  # Python's re and RE2 read it alike
_CPC = re.compile(r"^(?:CPC)?(\d{1,5})$", re.IGNORECASE)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def standard(text: str) -> str | None:
    """A cross-sectoral standard as its token: ``ISO 14067:2018`` → ``ISO14067``; None if it is none of them."""
    key = _key(text)
    return _STANDARD_KEYS.get(key) or (f"PACT-{m.group(1)}.0" if (m := _PACT.match(key)) else None)


def ipcc_factor(text: str) -> str | None:
    """An IPCC assessment report as PACT writes it: ``AR 6``, ``ar6``, ``IPCC AR6`` → ``AR6``."""
    found = _IPCC.match(re.sub(r"[\s\-_.]+", "", _folded(text)).upper())
    report = f"AR{int(found.group(1))}" if found and int(found.group(1)) > 0 else None
    return report if report and words.IPCC_REPORT.fullmatch(report) else None


def urn(text: str) -> str | None:
    """A URN (``urn:<namespace>:<id>``, RFC 8141: non-ASCII percent-encoded), as written."""
    text = _folded(text)
    return text if words.URN.fullmatch(text) else None


def footprint_id(text: str) -> str | None:
    """A footprint's id: a URN; a bare UUID (as PACT writes ids) is the URN ``urn:uuid:`` of it."""
    text = _folded(text)
    return f"{words.URN_UUID}{text.lower()}" if words.UUID.fullmatch(text) else urn(text)


def cpc(text: str) -> str | None:
    """A UN CPC code: its digits (``CPC 4321`` → ``4321``)."""
    found = _CPC.match(re.sub(r"\s+", "", _folded(text)))
    return found.group(1) if found else None


@dataclass(frozen=True)
class Declared:
    """A declared unit as written, in canonical terms: the unit, the factor its amount is multiplied by, and
    PACT's word where the canonical unit does not say it (liter, megajoule, hour)."""

    canonical: str
    factor: Fraction
    pact_name: str | None


DECLARABLE = frozenset(unit.canonical for unit in DECLARED_UNITS.values())
_CLOSE = 1e-9  # pint's factors are floats (a litre is 0.0010000000000000002 m³): PACT's exact one where it agrees


def declared_unit(text: str) -> Declared | None:
    """``text`` as a unit a footprint can be declared in (kg, 개, EA, L, 리터, MJ, m², 톤, g …), or None. A multiple
    of a canonical unit converts the amount; PACT's word is kept where PACT has one for the unit as written
    (``standard.pact.units``, exact factors), else the amount is simply in the canonical unit (g, t, MWh)."""
    try:
        unit = recognize(_folded(text))
    except SangsaengError:
        return None
    if unit.canonical not in DECLARABLE or unit.offset != 0 or unit.factor <= 0:
        return None
    for pact in DECLARED_UNITS.values():
        if pact.canonical == unit.canonical and abs(float(pact.factor) / unit.factor - 1) < _CLOSE:
            word = None if DEFAULT_NAME.get(pact.canonical) == pact.name else pact.name
            return Declared(unit.canonical, pact.factor, word)
    exact = Fraction(unit.factor).limit_denominator(10**6)  # g: 1/1000, GJ: 2500/9 kWh
    return Declared(
        unit.canonical, exact if abs(float(exact) / unit.factor - 1) < _CLOSE else Fraction(unit.factor), None
    )


def canonical_unit(text: str) -> str | None:
    """A declared unit as the canonical data names it (``kg`` → ``kilogram``, ``개`` → ``piece``, ``L`` →
    ``meter ** 3``, ``톤`` → ``kilogram``); the amount beside it is converted as the batch is made
    (``footprint_entry``). None for what is no unit a footprint is declared in."""
    found = declared_unit(text)
    return found.canonical if found else None


# A part number is no URN, and becomes one by the field's prefix (``prefixes``); PACT's own example first.
PRODUCT_ID_EXPECTED = (
    "a URN, e.g. urn:pact:sample.com:product-id:44055-9c05bc35-68f8; a part number becomes one with the "
    "mapping's prefix for the field (prefix: urn:pact:<your domain>:product-id:)"
)
DECLARED_EXPECTED = "a unit a footprint is declared in: kg, t, EA (개, piece), L, m³, m², kWh, MJ, h"


@dataclass(frozen=True)
class ValueRule:
    """``read`` one item (None: it cannot mean anything); ``fast``, an RE2 expression that items already written
    as the data keeps them match (a column all of them is taken as it is, with no Python per item)."""

    read: Callable[[str], str | None]
    expected: str  # for the finding; its Korean an expected.… entry of the findings catalog
    fast: str
    code: str = "bad-format"


def _urn(example: str, read: Callable[[str], str | None] = urn) -> ValueRule:
    return ValueRule(read, f"a URN, e.g. {example}", _URN_PATTERN)


# Examples are PACT's own (openapi_v3_0.yaml): companyIds, productIds, productClassifications, precedingPfIds.
RULES: dict[str, dict[str, ValueRule]] = {
    "product_footprint": {
        "id": _urn("urn:uuid:f4b1225a-bd44-4c8e-861d-079e4e1dfd69", footprint_id),
        "preceding_pf_ids": _urn("urn:uuid:f4b1225a-bd44-4c8e-861d-079e4e1dfd69", footprint_id),
        "company_ids": _urn("urn:company:example:company1"),
        "product_ids": ValueRule(urn, PRODUCT_ID_EXPECTED, _URN_PATTERN),
        "product_classifications": _urn("urn:pact:productclassification:un-cpc:1234"),
        "declared_unit": ValueRule(
            canonical_unit,
            DECLARED_EXPECTED,
            r"^(?:kilogram|piece|kilowatt_hour|meter \*\* [23]|kilogram \* meter)$",
        ),
        "product_category_cpc": ValueRule(cpc, "a UN CPC code: 1 to 5 digits", r"^\d{1,5}$"),
        "ipcc_characterization_factors": ValueRule(
            ipcc_factor, "an IPCC assessment report: AR and its number, e.g. AR6", r"^AR[1-9]\d?$"
        ),
        "cross_sectoral_standards": ValueRule(
            standard, ", ".join(STANDARDS), "^(?:" + "|".join(re.escape(s) for s in STANDARDS) + ")$", "unknown-code"
        ),
    }
}
# Fields in percent: a cell may write the sign (12 %), as a unit declared for the field would be.
PERCENT: dict[str, frozenset[str]] = {
    "product_footprint": frozenset({"exempted_emissions_percent", "primary_data_share"}),
}


# Fields whose values are URNs a company's own numbers become by a prefix (``prefixes``; the portal's box).
URN_FIELDS: dict[str, tuple[str, ...]] = {
    "product_footprint": ("product_ids", "company_ids", "product_classifications"),
}


def urn_fields(entity: str) -> tuple[str, ...]:
    return URN_FIELDS.get(entity, ())


def rule_for(entity: str, field: str) -> ValueRule | None:
    return RULES.get(entity, {}).get(field)


def in_percent(entity: str, field: str) -> bool:
    return field in PERCENT.get(entity, frozenset())
