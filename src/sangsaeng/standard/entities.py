"""The canonical model (DATA-MODEL.md): one typed record model per entity, from which its Arrow schema, its JSON
Schema and its reference page are derived, so the three can never disagree.

Quantities carry their canonical unit (``x-unit``); a value read in another unit is converted on ingest and the
raw value and raw unit are kept beside it (``raw_value`` / ``raw_unit``). Each entity has a schema version; a
change that is not backwards compatible bumps it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import pyarrow as pa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SCHEMA_BASE = "urn:sangsaeng:standard"


def brn_valid(number: str) -> bool:
    """Korean business registration number (사업자등록번호): 10 digits, the last a check digit."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10 or len([c for c in number if c not in "-"]) != 10:
        return False
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(d * w for d, w in zip(digits, weights, strict=False)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10 == digits[9]


def _brn(value: str) -> str:
    if not brn_valid(value):
        raise ValueError("not a valid business registration number (10 digits with a check digit, e.g. 123-45-67891)")
    return value.replace("-", "")


BusinessNumber = Annotated[str, AfterValidator(_brn)]


def quantity(unit: str, description: str, **kwargs: Any) -> Any:
    return Field(description=description, json_schema_extra={"x-unit": unit}, **kwargs)


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    entity: ClassVar[str]
    schema_version: ClassVar[int] = 1
    title_ko: ClassVar[str]
    key: ClassVar[tuple[str, ...]]  # fields that identify a record (duplicate-key checks); a null is a value
    measured: ClassVar[str | None] = None  # the field whose raw value and unit are kept beside it
    # Records that repeat their key are repeated samples, not duplicates: this key field numbers them (1, 2, … in
    # file order) when the source gives no such column. Only exact repeats of a whole record are then problems.
    sample_field: ClassVar[str | None] = None
    # Fields that, when present, say the record is a measurement: without a value in ``measured`` it is incomplete.
    measurement_context: ClassVar[tuple[str, ...]] = ()


class Organization(Entity):
    """A company of the value chain."""

    entity = "organization"
    title_ko = "기업"
    key = ("id",)
    id: str = Field(description="A URI naming the company, e.g. urn:sangsaeng:participant:hanbit")
    name: str = Field(description="The company's name")
    business_registration_number: BusinessNumber | None = Field(None, description="사업자등록번호, 10 digits")
    sector: str | None = Field(None, description="KSIC code, e.g. C29 (machinery), C30 (motor vehicles)")
    size_class: Literal["large", "mid", "sme"] | None = Field(None, description="Enterprise size class")


class Site(Entity):
    """A plant or warehouse of an organization."""

    entity = "site"
    title_ko = "사업장"
    key = ("id",)
    id: str = Field(description="Site id")
    organization: str = Field(description="The organization's id")
    country: str = Field(description="ISO 3166-1 alpha-2 country code, e.g. KR")
    region: str | None = Field(None, description="Region or city, e.g. Changwon")


class Equipment(Entity):
    """A machine, line or cell; exported as an AAS shell with Nameplate and Technical Data."""

    entity = "equipment"
    title_ko = "설비"
    key = ("id",)
    id: str = Field(description="Equipment id (becomes the AAS global asset id)")
    site: str = Field(description="The site's id")
    isa95_path: str = Field(description="ISA-95 hierarchy: Enterprise/Site/Area/WorkCenter/WorkUnit")
    manufacturer: str | None = Field(None, description="Manufacturer name")
    model: str | None = Field(None, description="Manufacturer's model designation")
    serial_number: str | None = Field(None, description="Serial number")
    year: int | None = Field(None, ge=1900, le=2100, description="Year of construction")


class PartType(Entity):
    """A kind of part, as manufacturer and customer number it.

    Version 2 adds what Catena-X SerialPart 4.0.0 requires of a part type: the customer's name for it and the
    standard its classification code is from (a code alone says nothing: 1004712 in which catalogue?).
    """

    entity = "part_type"
    schema_version = 2
    title_ko = "품목"
    key = ("id",)
    id: str = Field(description="Part type id")
    manufacturer_part_id: str = Field(description="The manufacturer's part number (품번)")
    customer_part_id: str | None = Field(None, description="The customer's part number")
    name: str = Field(description="Part name (품명)")
    classification: str | None = Field(None, description="Classification, e.g. an ECLASS code")
    name_at_customer: str | None = Field(None, description="The customer's name for the part (since v2)")
    classification_standard: str | None = Field(
        None, description="The standard the classification code is from, e.g. ECLASS (since v2)"
    )


class PartInstance(Entity):
    """A serialized part or a batch; exported as Catena-X SerialPart or Batch."""

    entity = "part_instance"
    title_ko = "개별 부품·로트"
    key = ("global_asset_id",)
    global_asset_id: str = Field(description="Catena-X global asset id (urn:uuid:…)")
    part_type: str = Field(description="The part type's id")
    kind: Literal["serial", "batch"] = Field(description="serial: one item; batch: a lot (로트)")
    local_id: str | None = Field(
        None, description="Serial number or batch/lot number (로트번호); empty when only the global asset id names it"
    )
    production_date: datetime | None = Field(None, description="When it was made (UTC)")
    site: str | None = Field(None, description="Where it was made")


class BomLink(Entity):
    """One level of a bill of material; exported as Catena-X SingleLevelBomAsBuilt (down, from the parent) and
    SingleLevelUsageAsBuilt (up, from the child).

    Version 2 adds the customer (the company that built the parent, to whom the child went: the upward aspect
    names it) and whether the child is only one of several that may have been built in (Catena-X
    ``hasAlternatives`` / ``isOnlyPotentialParent``, which both aspects require and nothing else can tell).
    """

    entity = "bom_link"
    schema_version = 2
    title_ko = "BOM 구성"
    key = ("parent", "child", "lifecycle")
    parent: str = Field(description="Parent part instance (global asset id)")
    child: str = Field(description="Child part instance (global asset id)")
    quantity: float = Field(gt=0, description="How many of the child the parent holds")
    quantity_unit: str = Field("piece", description="Canonical unit of the quantity (piece, kilogram, meter …)")
    business_partner: str | None = Field(None, description="The organization that supplied the child")
    lifecycle: Literal["as-built", "as-planned"] = Field(description="As built or as planned")
    created_on: datetime | None = Field(None, description="When the link was made (UTC)")
    customer: str | None = Field(
        None, description="The organization that built the parent and so received the child (since v2)"
    )
    has_alternatives: bool | None = Field(
        None,
        description="true: the child is one of several that may have been built in (suppliers' parts told apart "
        "only by part number); false: this very child was built in (since v2)",
    )


class Measurement(Entity):
    """One sample of a machine signal; exported as AAS Time Series."""

    entity = "measurement"
    title_ko = "측정값(시계열)"
    key = ("equipment", "signal", "timestamp")
    measured = "value"
    equipment: str = Field(description="The equipment's id")
    signal: str = Field(description="Signal name, e.g. spindle_temperature")
    timestamp: datetime = Field(description="When it was measured (UTC)")
    value: float = Field(description="The value in `unit`")
    unit: str = Field(description="Canonical unit of the value")
    raw_value: float | None = Field(None, description="The value as the source gave it")
    raw_unit: str | None = Field(None, description="The unit as the source wrote it")
    quality: Literal["good", "uncertain", "bad"] = Field("good", description="OPC UA-style quality")
    source: str | None = Field(None, description="Where it came from: protocol and address")


class ProductionRun(Entity):
    """An order run on a piece of equipment (ISO 22400 inputs for OEE).

    Version 2 adds the shift and the run's start and end (a daily report has one row per order, machine and
    shift), the defect count (불량수량, often the only count a report gives beside the total) and the cavities of
    the mould (injection moulding and die casting make several parts per shot: counts and cycle times depend on it).
    """

    entity = "production_run"
    schema_version = 2
    title_ko = "생산 실적"
    key = ("order", "equipment", "shift", "started_at")
    order: str = Field(description="Production order")
    equipment: str = Field(description="The equipment's id")
    part_type: str = Field(description="The part type made")
    planned_time: float = quantity("second", "Planned busy time", ge=0)
    run_time: float = quantity("second", "Actual run time", ge=0)
    downtime: float = quantity("second", "Unplanned downtime", ge=0)
    total_count: int = Field(ge=0, description="Parts made")
    good_count: int = Field(ge=0, description="Good parts made")
    ideal_cycle_time: float = quantity("second", "Ideal time per part", gt=0)
    shift: str | None = Field(None, description="The shift as the plant names it, e.g. 주간, 야간, A, B (since v2)")
    started_at: datetime | None = Field(None, description="When the run started (UTC) (since v2)")
    ended_at: datetime | None = Field(None, description="When the run ended (UTC) (since v2)")
    defect_count: int | None = Field(None, ge=0, description="Defective parts (불량수량) (since v2)")
    cavities: int | None = Field(
        None, ge=1, description="Cavities of the mould (캐비티): parts made per shot or cycle (since v2)"
    )


class QualityResult(Entity):
    """One inspected characteristic of a part or batch (수입검사, 공정검사).

    Version 2 adds ``sample``: one characteristic is often measured several times on one lot (n = 5 per lot in an
    SPC sheet); such rows are samples numbered 1, 2, … in file order when the file has no sample column, and only
    a row that repeats another one exactly is a duplicate. ``nominal`` is the target value, which SPC needs
    beside the limits (a capability index is computed against it). ``lot`` is the lot a serial number belongs
    to, so that a recall of a lot finds its serials. ``disposition`` is what was decided about a nonconforming
    part or lot beyond pass/fail.
    """

    entity = "quality_result"
    schema_version = 2
    title_ko = "품질 검사 결과"
    key = ("subject", "characteristic", "inspected_at", "sample")
    measured = "value"
    sample_field = "sample"
    measurement_context = ("lower_spec_limit", "upper_spec_limit", "nominal", "unit")
    subject: str = Field(description="Part instance or batch (global asset id, serial or lot number)")
    characteristic: str = Field(description="What was measured, e.g. bore_diameter")
    inspected_at: datetime | None = Field(None, description="When (UTC)")
    value: float | None = Field(None, description="Measured value in `unit` (absent for attribute checks)")
    unit: str | None = Field(None, description="Canonical unit of value, limits and nominal")
    raw_value: float | None = Field(None, description="The value as the source gave it")
    raw_unit: str | None = Field(None, description="The unit as the source wrote it")
    lower_spec_limit: float | None = Field(None, description="Lower specification limit, in `unit`")
    upper_spec_limit: float | None = Field(None, description="Upper specification limit, in `unit`")
    passed: bool = Field(description="Whether the characteristic passed (합격)")
    sample: int | None = Field(
        None,
        ge=1,
        description="Which measurement of this characteristic on this subject (시료 번호), 1, 2, …; numbered in "
        "file order when the source has no such column (since v2)",
    )
    nominal: float | None = Field(None, description="Nominal (target) value, in `unit` (기준값) (since v2)")
    lot: str | None = Field(
        None, description="The lot (로트) the subject belongs to, when the subject is a serial (since v2)"
    )
    disposition: Literal["accept", "reject", "rework", "reinspect", "concession"] | None = Field(
        None,
        description="What was decided: accept (합격), reject (폐기·반품), rework (수정), reinspect (재검), "
        "concession (특채) (since v2)",
    )


class EnergyRecord(Entity):
    """Energy used by a site or a machine over a period, with its emission factor.

    Version 2: a fuel bought by volume or mass (LNG in Nm³, diesel in L) becomes kWh only through a calorific
    value, and the same fuel gives more energy on a gross basis (총발열량: the heat of condensing the water vapour
    formed is counted) than on a net basis (순발열량: it is not). The record keeps the factor used, its unit and
    its basis, so that a reader can check the conversion or redo it; Korea's Energy Act enforcement rules
    (에너지법 시행규칙, 별표: 에너지열량 환산기준) give both values per fuel, and which one was used must be said. No
    factor is assumed here: the one the file or the mapping gives is recorded. ``estimated`` tells an estimate
    (추정치, e.g. a month's bill not yet read) from a meter reading.
    """

    entity = "energy_record"
    schema_version = 2
    title_ko = "에너지 사용량"
    key = ("consumer", "carrier", "period_start")
    measured = "amount"
    consumer: str = Field(description="Site or equipment id")
    period_start: datetime = Field(description="Start of the period (UTC)")
    period_end: datetime = Field(description="End of the period (UTC)")
    carrier: Literal["electricity", "lng", "lpg", "diesel", "steam", "other"] = Field(description="Energy carrier")
    amount: float = quantity("kilowatt_hour", "Energy used", ge=0)
    raw_value: float | None = Field(None, description="The amount as the source gave it")
    raw_unit: str | None = Field(None, description="The unit as the source wrote it")
    emission_factor: float | None = quantity(
        "kilogram_CO2e / kilowatt_hour", "Emission factor of the carrier", default=None, ge=0
    )
    calorific_factor: float | None = Field(
        None,
        gt=0,
        description="Calorific value used to turn the fuel's amount into energy, in `calorific_unit` (since v2)",
    )
    calorific_unit: str | None = Field(
        None, description="Unit of the calorific value: energy per fuel amount, e.g. MJ/Nm³, MJ/L, kcal/kg (since v2)"
    )
    calorific_basis: Literal["gross", "net"] | None = Field(
        None, description="gross (총발열량, higher heating value) or net (순발열량, lower heating value) (since v2)"
    )
    estimated: bool | None = Field(
        None, description="true: an estimate (추정치); false: a meter reading; empty: not stated (since v2)"
    )


class ProductFootprint(Entity):
    """A product carbon footprint; PACT ProductFootprint v2.2, v2.3 and v3.0 at the edges.

    Every amount is per declared unit (``declared_amount`` of ``declared_unit``), as PACT reports it. Since v2 it
    carries what PACT v2.3 and v3.0 require beyond the numbers of v1; a field left empty is not known — never
    guessed — and an export to a PACT version that requires it is refused, naming it. What PACT calls the
    solution's own (the id, the version of a new footprint) is the system's, not asked of the file; a footprint
    that did not come from a PACT document has no ``spec_version`` (v2 files hold one in every row: still read)."""

    entity = "product_footprint"
    title_ko = "제품 탄소발자국"
    schema_version = 2
    key = ("id",)
    id: str = Field(
        description="Footprint id (urn:uuid:…); the system's own, as PACT says: a file that gives none gets one "
        "derived from the company, product, reference period and declared unit, the same on every ingest"
    )
    spec_version: str | None = Field(
        None,
        description="The PACT specification version the footprint was read from, e.g. 2.2.0 or 3.0.0; empty: it "
        "did not come from a PACT document (an export writes the version it is asked for)",
    )
    version: int = Field(
        1,
        ge=0,
        description="Version of this footprint (PACT 2.x); 1 for a new footprint, as PACT starts one (ADR-0041; "
        "3.0: always 1)",
    )
    status: Literal["Active", "Deprecated"] = Field("Active", description="PACT status")
    company_ids: list[str] = Field(description="Ids of the reporting company")
    product_ids: list[str] = Field(description="Ids of the product")
    declared_unit: str = Field(description="Canonical unit the footprint refers to (kilogram, piece, kilowatt_hour …)")
    declared_amount: float = Field(gt=0, description="Amount of the declared unit")
    pcf_excluding_biogenic: float = quantity("kilogram_CO2e", "Footprint without biogenic uptake", ge=0)
    pcf_including_biogenic: float | None = quantity("kilogram_CO2e", "Footprint with biogenic uptake", default=None)
    reference_period_start: datetime = Field(description="Start of the reference period (UTC)")
    reference_period_end: datetime = Field(description="End of the reference period (UTC)")
    geography: str | None = Field(
        None,
        description="Country (ISO 3166-1 alpha-2, e.g. KR), subdivision (ISO 3166-2, e.g. KR-26) or UN region or "
        "subregion (e.g. Eastern Asia)",
    )
    preceding_pf_ids: list[str] = Field(
        default_factory=list, description="Ids of earlier versions of this footprint (PACT precedingPfIds)"
    )
    primary_data_share: float | None = Field(None, ge=0, le=100, description="Share of primary data, percent")
    company_name: str | None = Field(None, description="The reporting company's name (since v2)")
    product_name: str | None = Field(None, description="The product's trade name (PACT productNameCompany) (since v2)")
    product_description: str | None = Field(None, description="What the product is, how it is made (since v2)")
    product_category_cpc: str | None = Field(None, description="UN CPC code of the product category (since v2)")
    product_classifications: list[str] = Field(
        default_factory=list, description="Product classifications as URNs (since v2)"
    )
    comment: str | None = Field(None, description="Anything else a reader should know (since v2)")
    product_mass_per_declared_unit: float | None = quantity(
        "kilogram", "Mass of the product without packaging per declared unit (since v2)", default=None, ge=0
    )
    fossil_ghg_emissions: float | None = quantity(
        "kilogram_CO2e", "Emissions from fossil sources (since v2)", default=None, ge=0
    )
    fossil_carbon_content: float | None = quantity(
        "kilogram", "Mass of fossil carbon in the product (since v2)", default=None, ge=0
    )
    biogenic_carbon_content: float | None = quantity(
        "kilogram", "Mass of biogenic carbon in the product (since v2)", default=None, ge=0
    )
    packaging_emissions_included: bool | None = Field(
        None, description="Whether the footprint includes packaging (since v2)"
    )
    packaging_ghg_emissions: float | None = quantity(
        "kilogram_CO2e", "Emissions of the packaging (since v2)", default=None, ge=0
    )
    ipcc_characterization_factors: list[str] = Field(
        default_factory=list, description="IPCC assessment reports whose factors were used, e.g. AR6 (since v2)"
    )
    cross_sectoral_standards: list[str] = Field(
        default_factory=list,
        description="Standards the calculation followed: ISO14067, GHGP-Product, ISO14040-44, PEF … (since v2)",
    )
    boundary_processes_description: str | None = Field(
        None, description="The processes of each life-cycle stage included (since v2)"
    )
    exempted_emissions_percent: float | None = Field(
        None, ge=0, le=100, description="Share of emissions left out, percent (PACT 2.x: at most 5 advised) (since v2)"
    )
    exempted_emissions_description: str | None = Field(
        None, description="Why emissions were left out (empty when none were) (since v2)"
    )
    allocation_rules_description: str | None = Field(None, description="Allocation rules applied (since v2)")
    created: datetime | None = Field(
        None, description="When the footprint was made (UTC); a PACT export without it says the moment of export"
    )
    validity_period_start: datetime | None = Field(None, description="Valid for use from (UTC)")
    validity_period_end: datetime | None = Field(None, description="Valid for use until, excluded (UTC)")
    declared_unit_pact: (
        Literal[
            "liter",
            "kilogram",
            "cubic meter",
            "kilowatt hour",
            "megajoule",
            "ton kilometer",
            "square meter",
            "piece",
            "hour",
            "megabit second",
        ]
        | None
    ) = Field(
        None,
        description="The declared unit in PACT's words where it is not the canonical unit's own (liter for m³, "
        "megajoule for kWh), so that a footprint goes out in the unit it came in",
    )


class DemandForecast(Entity):
    """A buyer's expected demand for a part in a period."""

    entity = "demand_forecast"
    title_ko = "수요 예측"
    key = ("buyer", "part_type", "period_start")
    buyer: str = Field(description="The buying organization")
    part_type: str = Field(description="The part type")
    period_start: date = Field(description="First day of the period")
    period_end: date = Field(description="Last day of the period")
    quantity: float = Field(ge=0, description="Quantity in `quantity_unit`")
    quantity_unit: str = Field("piece", description="Canonical unit of the quantity")
    firmness: Literal["firm", "forecast"] = Field(description="A firm order or a forecast")


ENTITIES: dict[str, type[Entity]] = {
    model.entity: model
    for model in (
        Organization,
        Site,
        Equipment,
        PartType,
        PartInstance,
        BomLink,
        Measurement,
        ProductionRun,
        QualityResult,
        EnergyRecord,
        ProductFootprint,
        DemandForecast,
    )
}


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The allowed values of a ``Literal`` field (also inside ``Optional``), else ()."""
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    for arg in get_args(annotation):
        if get_origin(arg) is Literal:
            return tuple(str(a) for a in get_args(arg))
    return ()


def _arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """(Arrow type, nullable) of a field annotation."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _arrow_type(args[0])
    if type(None) in args:
        inner = [a for a in args if a is not type(None)]
        arrow, _ = _arrow_type(inner[0])
        return arrow, True
    if origin is Literal:
        return pa.string(), False
    if origin is list:
        item, _ = _arrow_type(args[0])
        return pa.list_(item), False
    simple = {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        bool: pa.bool_(),
        datetime: pa.timestamp("us", tz="UTC"),
        date: pa.date32(),
    }
    if annotation in simple:
        return simple[annotation], False
    raise TypeError(f"no Arrow type for {annotation!r}")


def arrow_schema(model: type[Entity]) -> pa.Schema:
    fields = []
    for name, info in model.model_fields.items():
        arrow, nullable = _arrow_type(info.annotation)
        metadata = {"description": info.description or ""}
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "x-unit" in extra:
            metadata["unit"] = str(extra["x-unit"])
        fields.append(pa.field(name, arrow, nullable=nullable or not info.is_required(), metadata=metadata))
    return pa.schema(
        fields, metadata={"sangsaeng.entity": model.entity, "sangsaeng.version": str(model.schema_version)}
    )


def json_schema(model: type[Entity]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$id"] = f"{SCHEMA_BASE}:{model.entity}:v{model.schema_version}"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
