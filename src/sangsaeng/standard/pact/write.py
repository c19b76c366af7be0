"""A canonical ``ProductFootprint`` as a PACT 2.2, 2.3 or 3.0 ``ProductFootprint`` document — complete, or refused.

Nothing is invented: a value a version requires and the footprint does not hold is named, with every other one,
in one refusal (``requirements``), and so is a value the version cannot say (a unit 2.x lacks, a standard outside
its vocabulary, an id that is not a URN). Per version:

- 2.x write the 3.0 vocabulary's standards as ``crossSectoralStandardsUsed`` ("GHG Protocol Product standard",
  "ISO Standard 14067", "ISO Standard 14044"); 2.2 refuses any other standard, 2.3 writes the whole list as
  ``crossSectoralStandards`` too and needs one the old property can say (it is required, non-empty).
- 2.x ``characterizationFactors`` is the earliest report of ``ipcc_characterization_factors`` ("indicate the
  earliest version used"), which must be AR5 or AR6; the list itself is ``ipccCharacterizationFactorsSources``.
- 2.x ``productCategoryCpc`` is the CPC code; 2.3 and 3.0 list it among ``productClassifications`` as
  ``urn:cpc:<code>``.
- ``productMassPerDeclaredUnit``: 2.3 gives the mass of *one* declared unit ("if the declared unit is kilogram …
  populated with 1"), 3.0 the mass of ``declaredUnitAmount`` units, as the canonical field does; 2.2 has none.
- Percentages are JSON numbers in 2.x and decimal strings in 3.0; every other fractional number is a decimal string.
"""

from __future__ import annotations

from datetime import MAXYEAR, UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sangsaeng.errors import InvalidInput
from sangsaeng.standard import said
from sangsaeng.standard.entities import ProductFootprint
from sangsaeng.standard.pact import vocabulary as words
from sangsaeng.standard.pact.decimals import decimal_for, decimal_text
from sangsaeng.standard.pact.requirements import Missing, cpc_code, known, label, missing, requirements
from sangsaeng.standard.pact.units import amount_text, pact_unit, units_of
from sangsaeng.standard.pact.versions import SPEC_VERSION, PactVersion, place, version_of
from sangsaeng.standard.said import CAMEL, PerLanguage


def _utc(moment: datetime) -> datetime:
    """A moment without a zone is UTC, as every moment of the canonical model is."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; seconds, and microseconds only when there are some."""
    utc = _utc(moment)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds").replace("+00:00", "Z")


def _three_years_after(moment: datetime) -> datetime:
    if moment.year + 3 > MAXYEAR:
        return datetime.max.replace(tzinfo=UTC)
    try:
        return moment.replace(year=moment.year + 3)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 3, day=28)


class _Document:
    """One footprint written in one version; what it cannot say is collected in ``refused``."""

    def __init__(self, footprint: ProductFootprint, version: PactVersion) -> None:
        self.fp, self.version, self.v2 = footprint, version, version.startswith("2")
        self.refused: list[Missing] = []

    def refuse(self, field: str, key: str, **values: Any) -> None:
        """What the version cannot say of ``field``: ``key`` of the ``standard`` catalog, with the field, its label
        and ``values``."""
        where = place(field, self.version)
        en, ko = said.both(key, field=field, label=PerLanguage(lambda language: label(field, language)), **values)
        self.refused.append(Missing(field, where.path if where else field, ko, en, kind="refused"))

    # ---- values -------------------------------------------------------------------------------------------------

    def decimal(self, field: str) -> str | None:
        value = getattr(self.fp, field)
        if value is None:
            return None
        try:
            return decimal_text(value)
        except ValueError:
            self.refuse(field, "pact.not-a-number", value=value)
            return None

    def percent(self, field: str) -> float | str | None:
        """A percentage: a JSON number in 2.x, a decimal string in 3.0 ("string<decimal> in 3.0, was Number")."""
        text = self.decimal(field)
        if text is None:
            return None
        return float(getattr(self.fp, field)) if self.v2 else text

    def text(self, field: str) -> str | None:
        value = getattr(self.fp, field)
        return value if known(value) else None

    def uuid(self, field: str, value: str) -> str | None:
        bare = value[len(words.URN_UUID) :] if value.lower().startswith(words.URN_UUID) else value
        if words.UUID.fullmatch(bare):
            return bare
        self.refuse(field, "pact.not-a-uuid", value=value)
        return None

    def urns(self, field: str, values: list[str]) -> list[str]:
        for value in values:
            if not words.URN.fullmatch(value):
                self.refuse(field, "pact.not-a-urn", value=value)
        self.unique(field, values)
        return values

    def unique(self, field: str, values: list[str]) -> None:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            self.refuse(field, "pact.repeated", values=", ".join(repeated))

    # ---- the document ---------------------------------------------------------------------------------------------

    def document(self, created: datetime | None) -> dict[str, Any]:
        fp = self.fp
        out: dict[str, Any] = {"id": self.uuid("id", fp.id), "specVersion": SPEC_VERSION[self.version]}
        if fp.preceding_pf_ids:
            self.unique("preceding_pf_ids", fp.preceding_pf_ids)
            out["precedingPfIds"] = [self.uuid("preceding_pf_ids", i) for i in fp.preceding_pf_ids]
        if self.v2:
            if fp.version > words.INT32:
                self.refuse("version", "pact.version-too-big", version=fp.version)
            out["version"] = fp.version
        out["created"] = stamp(created) if created else None
        out["status"] = fp.status
        out.update(self.validity())
        out["companyName"] = self.text("company_name")
        out["companyIds"] = self.urns("company_ids", fp.company_ids)
        out["productDescription"] = self.text("product_description")
        out["productIds"] = self.urns("product_ids", fp.product_ids)
        out.update(self.classifications())
        out["productNameCompany"] = self.text("product_name")
        out["comment"] = self.text("comment")
        out["pcf"] = self.pcf()
        return _without_none(out)

    def validity(self) -> dict[str, str]:
        """The validity period: from the reference period's end at the earliest, to three years after it at the
        latest ("MUST be greater than or equal to referencePeriodEnd", "MUST be less than or equal to
        referencePeriodEnd + 3 years"); 2.x define both or neither."""
        start, end = self.fp.validity_period_start, self.fp.validity_period_end
        reference = _utc(self.fp.reference_period_end)
        start, end = (None if m is None else _utc(m) for m in (start, end))
        if self.v2 and (start is None) != (end is None):
            given = "validity_period_start" if start else "validity_period_end"
            self.refuse(given, "pact.validity-one-end")
        if start is not None and start < reference:
            self.refuse("validity_period_start", "pact.validity-early")
        if end is not None and (end > _three_years_after(reference) or (start is not None and end <= start)):
            self.refuse("validity_period_end", "pact.validity-late")
        return {
            name: stamp(moment)
            for name, moment in (("validityPeriodStart", start), ("validityPeriodEnd", end))
            if moment is not None
        }

    def classifications(self) -> dict[str, Any]:
        code = cpc_code(self.fp)
        if code is not None and not words.CPC_CODE.fullmatch(code):
            self.refuse("product_category_cpc", "pact.not-cpc", code=code)
        out: dict[str, Any] = {}
        if self.v2:
            out["productCategoryCpc"] = code
        if self.version == "2.2":
            return out
        listed = list(self.fp.product_classifications)
        own = self.fp.product_category_cpc if known(self.fp.product_category_cpc) else None
        if own is not None and own not in map(words.cpc_of, listed):
            listed.insert(0, words.CPC_URN + own)
        if listed:
            out["productClassifications"] = self.urns("product_classifications", listed)
        return out

    def pcf(self) -> dict[str, Any]:
        v2 = self.v2
        out: dict[str, Any] = {}
        amount = self.declared_unit(out)
        out["productMassPerDeclaredUnit"] = self.mass(amount)
        if not v2:
            out.update(self.period())
            out["boundaryProcessesDescription"] = self.text("boundary_processes_description")
        out["pCfExcludingBiogenic" if v2 else "pcfExcludingBiogenicUptake"] = self.decimal("pcf_excluding_biogenic")
        out["pCfIncludingBiogenic" if v2 else "pcfIncludingBiogenicUptake"] = self.decimal("pcf_including_biogenic")
        out["fossilGhgEmissions"] = self.decimal("fossil_ghg_emissions")
        out["fossilCarbonContent"] = self.decimal("fossil_carbon_content")
        out["biogenicCarbonContent"] = self.decimal("biogenic_carbon_content")
        out.update(self.packaging())
        out.update(self.characterization())
        out.update(self.standards())
        if v2:
            out["boundaryProcessesDescription"] = self.text("boundary_processes_description")
            out.update(self.period())
        out["exemptedEmissionsPercent"] = self.percent("exempted_emissions_percent")
        out["exemptedEmissionsDescription"] = self.exemption()
        out["allocationRulesDescription"] = self.text("allocation_rules_description")
        out["primaryDataShare"] = self.percent("primary_data_share")
        return _without_none(out)

    def declared_unit(self, out: dict[str, Any]) -> Fraction | None:
        """Write the declared unit and amount; the amount as written (the scale of 2.3's mass per unit)."""
        fp, v2 = self.fp, self.v2
        unit = pact_unit(fp.declared_unit, fp.declared_unit_pact)
        names = units_of(self.version)
        if unit is None or unit.name not in names:
            also = PerLanguage(lambda language: said.words("pact.no-declared-unit.in-3", language) if unit else "")
            written = fp.declared_unit_pact or fp.declared_unit
            units = ", ".join(names)
            self.refuse(
                "declared_unit", "pact.no-declared-unit", version=self.version, unit=written, also=also, units=units
            )
            return None
        try:
            text = amount_text(fp.declared_amount, unit)
        except ValueError:
            self.refuse("declared_amount", "pact.amount-not-number", value=fp.declared_amount)
            return None
        out["declaredUnit" if v2 else "declaredUnitOfMeasurement"] = unit.name
        out["unitaryProductAmount" if v2 else "declaredUnitAmount"] = text
        return Fraction(Decimal(text))

    def mass(self, amount: Fraction | None) -> str | None:
        mass = self.fp.product_mass_per_declared_unit
        if mass is None or self.version == "2.2":
            return None
        if self.version == "3.0":
            return self.decimal("product_mass_per_declared_unit")
        if amount is None:
            return None
        try:
            return decimal_for(mass, amount)  # 2.3: the mass of one declared unit
        except ValueError:
            return self.decimal("product_mass_per_declared_unit")  # refuses the non-finite mass

    def period(self) -> dict[str, Any]:
        fp = self.fp
        out: dict[str, Any] = {
            "referencePeriodStart": stamp(fp.reference_period_start),
            "referencePeriodEnd": stamp(fp.reference_period_end),
        }
        if fp.geography is not None:
            prop = words.geography_property(fp.geography)
            if prop is None:
                self.refuse("geography", "pact.geography", geography=fp.geography)
            else:
                out[prop] = fp.geography
        return out

    def packaging(self) -> dict[str, Any]:
        included, emissions = self.fp.packaging_emissions_included, self.decimal("packaging_ghg_emissions")
        if included is False and emissions is not None:
            self.refuse("packaging_ghg_emissions", "pact.packaging")
        return {"packagingEmissionsIncluded": included, "packagingGhgEmissions": emissions}

    def characterization(self) -> dict[str, Any]:
        reports = self.fp.ipcc_characterization_factors
        wrong = [r for r in reports if not words.IPCC_REPORT.fullmatch(r)]
        if wrong:
            self.refuse("ipcc_characterization_factors", "pact.ipcc-report", reports=", ".join(wrong))
            return {}
        self.unique("ipcc_characterization_factors", reports)
        if not reports:
            return {}
        if not self.v2:
            return {"ipccCharacterizationFactors": reports}
        earliest = min(reports, key=lambda r: int(r[2:]))
        if earliest not in words.CHARACTERIZATION_FACTORS_V2:
            self.refuse("ipcc_characterization_factors", "pact.ipcc-earliest", earliest=earliest)
        return {"characterizationFactors": earliest, "ipccCharacterizationFactorsSources": reports}

    def standards(self) -> dict[str, Any]:
        chosen = self.fp.cross_sectoral_standards
        if not chosen:
            return {}
        self.unique("cross_sectoral_standards", chosen)
        vocabulary = {"2.2": tuple(words.STANDARDS_V2), "2.3": words.STANDARDS_V23, "3.0": words.STANDARDS_V3}
        unknown = [s for s in chosen if s not in vocabulary[self.version]]
        if unknown:
            known_ones = ", ".join(vocabulary[self.version])
            field = "cross_sectoral_standards"
            self.refuse(
                field, "pact.standards-unknown", version=self.version, unknown=", ".join(unknown), known=known_ones
            )
        if not self.v2:
            return {"crossSectoralStandards": chosen}
        used = [words.STANDARDS_V2[s] for s in chosen if s in words.STANDARDS_V2]
        if not used and not unknown:
            self.refuse("cross_sectoral_standards", "pact.standards-none-v2")
        out: dict[str, Any] = {"crossSectoralStandardsUsed": used}
        if self.version == "2.3":
            out["crossSectoralStandards"] = chosen
        return out

    def exemption(self) -> str | None:
        description, percent = self.fp.exempted_emissions_description, self.fp.exempted_emissions_percent
        if description is None:
            # "CAN be the empty string if no emissions were excluded": required in 2.x, said so when 0 % was
            return "" if self.v2 and percent == 0 else None
        if description.strip() or percent == 0:
            return description
        return None  # blank while something was left out: 2.x requirements name it, 3.0 goes without


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def refusal(problems: list[Missing], version: PactVersion) -> InvalidInput:
    fields = ", ".join(dict.fromkeys(p.field for p in problems))
    return said.refusal(
        "pact.cannot-write",
        at=problems[0].property,
        shape=CAMEL,
        extra={"version": version, "fields": fields, "problems": [p.to_dict() for p in problems]},
        version=version,
        problems=PerLanguage(lambda language: "; ".join(p.text(language) for p in problems)),
    )


def to_pact(footprint: ProductFootprint, version: str, *, created: datetime | None = None) -> dict[str, Any]:
    """``footprint`` as a PACT ``ProductFootprint`` of ``version`` ("2.2", "2.3" or "3.0"). ``created`` is the
    moment of export, used when the footprint has no ``created`` of its own. Raises ``InvalidInput`` naming every
    value the version requires and the footprint leaves unknown and every value the version cannot say."""
    chosen = version_of(version)
    problems = requirements(footprint, chosen)
    moment = footprint.created or created
    if moment is None:
        problems.append(missing("created", chosen, "pact.no-created"))
    writer = _Document(footprint, chosen)
    document = writer.document(moment)
    problems += writer.refused
    if problems:
        raise refusal(problems, chosen)
    return document
