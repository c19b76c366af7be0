"""A PACT ``ProductFootprint`` document (2.x or 3.x) as a canonical ``ProductFootprint``.

The edge reads; it does not validate against the schema first. A document is refused when it lacks a property its
version's schema requires, or holds one in a form the schema does not allow, with the JSON path of each (all at
once). 2.0–2.2 are read with 2.2's names, later 2.x with 2.3's, every 3.x with 3.0's; a 2.0 or 2.1 document, which
predates ``ipccCharacterizationFactorsSources``, has its ``characterizationFactors`` read as the list.

Every property the canonical model holds is read; the others (``dqi``, ``assurance``, land-use emissions,
``extensions`` …) are listed in ``Reading.unmapped`` so a caller can say what was not kept. A property is
"undefined" when absent or ``null`` (3.0, "Undefined Properties").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.pact import vocabulary as words
from sangsaeng.standard.pact.decimals import parse_decimal, to_float
from sangsaeng.standard.pact.units import canonical, units_of
from sangsaeng.standard.pact.versions import PLACES, PactVersion, layout_of, schema_required
from sangsaeng.standard.said import PerLanguage, Problem, both, refusal, term

SPEC_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9]{8})?")
# RFC 3339 date-time, as ``format: date-time`` means
MOMENT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_TOP = {
    "id",
    "specVersion",
    "precedingPfIds",
    "created",
    "status",
    "validityPeriodStart",
    "validityPeriodEnd",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "comment",
    "pcf",
}
_PCF = {
    "referencePeriodStart",
    "referencePeriodEnd",
    *words.GEOGRAPHY_PROPERTIES,
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "biogenicCarbonContent",
    "packagingEmissionsIncluded",
    "packagingGhgEmissions",
    "boundaryProcessesDescription",
    "exemptedEmissionsPercent",
    "exemptedEmissionsDescription",
    "allocationRulesDescription",
    "primaryDataShare",
}
KNOWN: dict[PactVersion, tuple[set[str], set[str]]] = {
    "2.2": (
        _TOP | {"version", "productCategoryCpc"},
        _PCF
        | {
            "declaredUnit",
            "unitaryProductAmount",
            "pCfExcludingBiogenic",
            "pCfIncludingBiogenic",
            "characterizationFactors",
            "ipccCharacterizationFactorsSources",
            "crossSectoralStandardsUsed",
        },
    ),
}
KNOWN["2.3"] = (
    KNOWN["2.2"][0] | {"productClassifications"},
    KNOWN["2.2"][1] | {"productMassPerDeclaredUnit", "crossSectoralStandards"},
)
KNOWN["3.0"] = (
    _TOP | {"productClassifications"},
    _PCF
    | {
        "declaredUnitOfMeasurement",
        "declaredUnitAmount",
        "productMassPerDeclaredUnit",
        "pcfExcludingBiogenicUptake",
        "pcfIncludingBiogenicUptake",
        "ipccCharacterizationFactors",
        "crossSectoralStandards",
    },
)


@dataclass(frozen=True)
class Reading:
    footprint: ProductFootprint
    layout: PactVersion  # the version whose names the document was read with
    unmapped: tuple[str, ...] = field(default=())  # JSON paths of properties the canonical model does not hold


class _Reader:
    def __init__(self, document: dict[str, Any], layout: PactVersion) -> None:
        self.top, self.pcf, self.layout, self.v2 = document, document["pcf"], layout, layout.startswith("2")
        self.problems: list[tuple[str, Problem]] = []

    def problem(self, path: str, key: str, /, **values: Any) -> None:
        self.problems.append((path, Problem(key, **values)))

    def get(self, path: str) -> Any:
        inside, _, name = path.rpartition(".")
        return (self.pcf if inside == "pcf" else self.top).get(name)

    # ---- values of each JSON type ------------------------------------------------------------------------------

    def text(self, path: str) -> str | None:
        value = self.get(path)
        if value is None or isinstance(value, str):
            return value
        self.problem(path, "pact.read.not-string", kind=_kind(value))
        return None

    def texts(self, path: str) -> list[str]:
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, "pact.read.not-strings")
            return []
        return value

    def urns(self, path: str) -> list[str]:
        values = self.texts(path)
        wrong = [v for v in values if not words.URN.fullmatch(v)]
        if wrong:
            self.problem(path, "pact.read.not-urn", wrong=", ".join(map(repr, wrong)))
        return values

    def uuid(self, path: str, value: Any) -> str | None:
        if isinstance(value, str) and words.UUID.fullmatch(value):
            return words.URN_UUID + value
        self.problem(path, "pact.read.not-uuid", value=value)
        return None

    def moment(self, path: str) -> datetime | None:
        value = self.get(path)
        if value is None:
            return None
        found = MOMENT.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            self.problem(path, "pact.read.not-moment", value=value)
            return None
        zone = found["zone"].upper().replace("Z", "+00:00")
        fraction = (found["fraction"] or "")[:7]  # microseconds are what a moment holds
        try:
            return datetime.fromisoformat(f"{found['date']}T{found['time']}{fraction}{zone}").astimezone(UTC)
        except ValueError:
            self.problem(path, "pact.read.no-such-moment", value=value)
            return None

    def exact(self, path: str) -> Fraction | None:
        """A decimal string's exact value ("string<decimal>")."""
        value = self.get(path)
        if value is None:
            return None
        parsed = parse_decimal(value) if isinstance(value, str) else None
        if parsed is None:
            self.problem(path, "pact.read.not-decimal", value=value)
        return parsed

    def decimal(self, path: str) -> float | None:
        return self._finite(path, self.exact(path))

    def number(self, path: str) -> float | None:
        """A JSON number (2.x percentages), or a decimal string where the layout writes decimals (3.0)."""
        if not self.v2:
            return self.decimal(path)
        value = self.get(path)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, "pact.read.not-number", kind=_kind(value))
            return None
        return self._finite(path, Fraction(value))

    def _finite(self, path: str, value: Fraction | None) -> float | None:
        if value is None:
            return None
        number = to_float(value)
        if number is None:
            self.problem(path, "pact.read.out-of-range")
        return number

    def flag(self, path: str) -> bool | None:
        value = self.get(path)
        if value is None or isinstance(value, bool):
            return value
        self.problem(path, "pact.read.not-flag", kind=_kind(value))
        return None

    # ---- the footprint -------------------------------------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        top = self.top
        spec = top["specVersion"]
        values: dict[str, Any] = {
            "id": self.uuid("id", top.get("id")),
            "spec_version": spec,
            "version": self.version(),
            "status": self.text("status"),
            "created": self.moment("created"),
            "validity_period_start": self.moment("validityPeriodStart"),
            "validity_period_end": self.moment("validityPeriodEnd"),
            "company_name": self.text("companyName"),
            "company_ids": self.urns("companyIds"),
            "product_description": self.text("productDescription"),
            "product_ids": self.urns("productIds"),
            "product_name": self.text("productNameCompany"),
            "comment": self.text("comment"),
            "preceding_pf_ids": [self.uuid("precedingPfIds", i) for i in self.texts("precedingPfIds")],
            "reference_period_start": self.moment("pcf.referencePeriodStart"),
            "reference_period_end": self.moment("pcf.referencePeriodEnd"),
            "geography": self.geography(),
            "pcf_excluding_biogenic": self.decimal(
                "pcf.pCfExcludingBiogenic" if self.v2 else "pcf.pcfExcludingBiogenicUptake"
            ),
            "pcf_including_biogenic": self.decimal(
                "pcf.pCfIncludingBiogenic" if self.v2 else "pcf.pcfIncludingBiogenicUptake"
            ),
            "fossil_ghg_emissions": self.decimal("pcf.fossilGhgEmissions"),
            "fossil_carbon_content": self.decimal("pcf.fossilCarbonContent"),
            "biogenic_carbon_content": self.decimal("pcf.biogenicCarbonContent"),
            "packaging_emissions_included": self.flag("pcf.packagingEmissionsIncluded"),
            "packaging_ghg_emissions": self.packaging(),
            "boundary_processes_description": self.text("pcf.boundaryProcessesDescription"),
            "exempted_emissions_percent": self.number("pcf.exemptedEmissionsPercent"),
            "exempted_emissions_description": self.text("pcf.exemptedEmissionsDescription"),
            "allocation_rules_description": self.text("pcf.allocationRulesDescription"),
            "primary_data_share": self.number("pcf.primaryDataShare"),
        }
        values.update(self.declared())
        values.update(self.classifications())
        values.update(self.characterization())
        values["cross_sectoral_standards"] = self.standards()
        return values

    def version(self) -> int:
        if not self.v2:
            return 1  # 3.0 has no version: "The version number of this new PCF MUST always be 1" (ADR-0041)
        value = self.top.get("version")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= words.INT32:
            self.problem("version", "pact.read.not-version", value=value, most=words.INT32)
            return 0
        return value

    def declared(self) -> dict[str, Any]:
        v2 = self.v2
        unit_path = "pcf.declaredUnit" if v2 else "pcf.declaredUnitOfMeasurement"
        amount_path = "pcf.unitaryProductAmount" if v2 else "pcf.declaredUnitAmount"
        name, amount = self.get(unit_path), self.exact(amount_path)
        names = units_of(self.layout)
        if name not in names:
            self.problem(unit_path, "pact.read.not-unit", name=name, layout=self.layout, names=", ".join(names))
            return {}
        if amount is None:
            return {}
        read = canonical(name, amount)
        if read.amount is None:
            self.problem(amount_path, "pact.read.out-of-range")
        mass = self.exact("pcf.productMassPerDeclaredUnit") if self.layout != "2.2" else None
        if mass is not None and self.layout == "2.3":
            mass *= amount  # 2.3 gives the mass of one declared unit; the canonical field, of the declared amount
        return {
            "declared_unit": read.unit,
            "declared_amount": read.amount,
            "declared_unit_pact": read.pact_name,
            "product_mass_per_declared_unit": self._finite("pcf.productMassPerDeclaredUnit", mass),
        }

    def geography(self) -> str | None:
        given = [(p, self.pcf[p]) for p in words.GEOGRAPHY_PROPERTIES if self.pcf.get(p) is not None]
        if len(given) > 1:
            self.problem(f"pcf.{given[1][0]}", "pact.read.two-geographies", first=given[0][0])
        if not given:
            return None
        path, value = given[0]
        if not isinstance(value, str) or words.geography_property(value) != path:
            self.problem(f"pcf.{path}", "pact.read.not-geography", value=value, path=path)
            return None
        return value

    def packaging(self) -> float | None:
        emissions = self.decimal("pcf.packagingGhgEmissions")
        if emissions is not None and self.pcf.get("packagingEmissionsIncluded") is False:
            self.problem("pcf.packagingGhgEmissions", "pact.read.packaging-excluded")
        return emissions

    def classifications(self) -> dict[str, Any]:
        listed = self.urns("productClassifications") if self.layout != "2.2" else []
        if self.v2:
            cpc = self.text("productCategoryCpc")
        else:
            cpc = next((code for code in map(words.cpc_of, listed) if code), None)
        kept = [c for c in listed if cpc is None or words.cpc_of(c) != cpc]  # the code lives in its own field
        return {"product_category_cpc": cpc, "product_classifications": kept}

    def characterization(self) -> dict[str, Any]:
        path = "pcf.ipccCharacterizationFactorsSources" if self.v2 else "pcf.ipccCharacterizationFactors"
        reports = self.texts(path)
        if self.v2 and path not in self.present():  # 2.0, 2.1: the one report
            old = self.text("pcf.characterizationFactors")
            reports = [old] if old else []
        wrong = [r for r in reports if not words.IPCC_REPORT.fullmatch(r)]
        if wrong:
            self.problem(path, "pact.read.not-ipcc", wrong=", ".join(map(repr, wrong)))
        return {"ipcc_characterization_factors": reports}

    def standards(self) -> list[str]:
        if not self.v2 or (self.layout == "2.3" and "pcf.crossSectoralStandards" in self.present()):
            return self.texts("pcf.crossSectoralStandards")  # any value: "A host system MUST accept … values"
        used = self.texts("pcf.crossSectoralStandardsUsed")
        unknown = [s for s in used if s not in words.STANDARDS_FROM_V2]
        if unknown:
            self.problem(
                "pcf.crossSectoralStandardsUsed", "pact.read.unknown-standards", unknown=", ".join(map(repr, unknown))
            )
        return [words.STANDARDS_FROM_V2[s] for s in used if s in words.STANDARDS_FROM_V2]

    def present(self) -> set[str]:
        return {k for k, v in self.top.items() if v is not None} | {
            f"pcf.{k}" for k, v in self.pcf.items() if v is not None
        }

    def unmapped(self) -> tuple[str, ...]:
        top, pcf = KNOWN[self.layout]
        return tuple(
            [k for k in self.top if k not in top and self.top[k] is not None]
            + [f"pcf.{k}" for k in self.pcf if k not in pcf and self.pcf[k] is not None]
        )


def _kind(value: Any) -> PerLanguage:
    key = {bool: "pact.kind.boolean", int: "pact.kind.number", float: "pact.kind.number", list: "pact.kind.list"}.get(
        type(value), "pact.kind.object" if isinstance(value, dict) else "pact.kind.string"
    )
    return term("pact.kind.null" if value is None else key)


def _refuse(problems: list[tuple[str, Problem]], spec: str) -> InvalidInput:
    def listed(language: str) -> str:
        return "; ".join(f"{path} {said.said(language)}" for path, said in problems)

    message, message_ko = both("pact.not-footprint", spec=spec, problems=PerLanguage(listed))
    hint, hint_ko = both("pact.not-footprint.hint")
    listing = [{"position": p, "message": said.en, "message_ko": said.ko} for p, said in problems]
    return InvalidInput(
        message,
        position=problems[0][0],
        hint=hint,
        details={"message_ko": message_ko, "hint_ko": hint_ko, "problems": listing},
    )


def _layout(document: Any) -> tuple[PactVersion, str]:
    if not isinstance(document, dict) or not isinstance(document.get("pcf"), dict):
        raise refusal("pact.no-pcf", at="pcf")
    spec = document.get("specVersion")
    layout = layout_of(spec) if isinstance(spec, str) and SPEC_VERSION.fullmatch(spec) else None
    if layout is None or not isinstance(spec, str):
        raise refusal("pact.unknown-spec", at="specVersion", spec=spec)
    return layout, spec


def read_pact(document: Any) -> Reading:
    """Read a PACT ``ProductFootprint``: the canonical footprint and the properties not kept."""
    layout, spec = _layout(document)
    reader = _Reader(document, layout)
    present = reader.present()
    required = set(schema_required(layout))
    if layout == "2.2" and spec.split(".")[1] in ("0", "1"):  # before ipccCharacterizationFactorsSources
        required.discard("pcf.ipccCharacterizationFactorsSources")
    lacking = sorted(required - present)
    if lacking:
        raise _refuse([(path, Problem("pact.read.missing")) for path in lacking], spec)
    values = reader.fields()
    if reader.problems:
        raise _refuse(reader.problems, spec)
    try:
        footprint = ProductFootprint(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            where = PLACES.get(name, {}).get(layout)
            cause = (error.get("ctx") or {}).get("error")
            said = cause if isinstance(cause, Problem) else Problem("pact.read.other", problem=str(error["msg"]))
            problems.append((where.path if where else name, said))
        raise _refuse(problems, spec) from exc
    return Reading(footprint, layout, reader.unmapped())


def from_pact(document: Any) -> ProductFootprint:
    """Read a PACT 2.x or 3.x ``ProductFootprint``; refuse what is missing or malformed, with its JSON path."""
    return read_pact(document).footprint
