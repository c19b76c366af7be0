"""What exporting a product footprint to PACT will need that canonical data may leave unknown, asked for where
the data enters (issue 15): a mapping that neither reads such a field from a column nor gives its value is told
once per field (``pact-unmapped``), and a row whose mapped cell is empty once per cell (``pact-empty``). Both are
notes: the rows are good canonical data — unknown is never guessed — and only the export needs more.

``required_fields`` is the one place that says what each PACT version requires of the canonical footprint; it
follows the ``required`` lists of ``../shared/spec/pact/openapi_v2_2.yaml``, ``…v2_3.yaml`` and ``…v3_0.yaml``
(``ProductFootprint`` and ``CarbonFootprint``), and gives way to the PACT package's own when that lands. No I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.findings import Finding

if TYPE_CHECKING:
    from sangsaeng.standard.mapping import Mapping

ENTITY = "product_footprint"
ASKED = ("2.3", "3.0")  # the PACT versions an entry is checked against
_V2 = frozenset(
    {
        "company_name",  # companyName
        "product_name",  # productNameCompany
        "product_description",  # productDescription
        "product_category_cpc",  # productCategoryCpc
        "comment",  # comment
        "fossil_ghg_emissions",  # pcf.fossilGhgEmissions
        "fossil_carbon_content",  # pcf.fossilCarbonContent
        "biogenic_carbon_content",  # pcf.biogenicCarbonContent
        "ipcc_characterization_factors",  # pcf.characterizationFactors, pcf.ipccCharacterizationFactorsSources
        "cross_sectoral_standards",  # pcf.crossSectoralStandardsUsed
        "boundary_processes_description",  # pcf.boundaryProcessesDescription
        "exempted_emissions_percent",  # pcf.exemptedEmissionsPercent
        "exempted_emissions_description",  # pcf.exemptedEmissionsDescription
        "packaging_emissions_included",  # pcf.packagingEmissionsIncluded
    }
)
_V3 = frozenset(
    {
        "company_name",  # companyName
        "product_name",  # productNameCompany
        "product_description",  # productDescription
        "product_mass_per_declared_unit",  # pcf.productMassPerDeclaredUnit
        "pcf_including_biogenic",  # pcf.pcfIncludingBiogenicUptake
        "fossil_ghg_emissions",  # pcf.fossilGhgEmissions
        "fossil_carbon_content",  # pcf.fossilCarbonContent
        "ipcc_characterization_factors",  # pcf.ipccCharacterizationFactors
        "cross_sectoral_standards",  # pcf.crossSectoralStandards
        "exempted_emissions_percent",  # pcf.exemptedEmissionsPercent
    }
)


def required_fields(version: str) -> frozenset[str]:
    """The canonical footprint's fields PACT ``version`` (2.2, 2.3 or 3.0) requires that the canonical model
    leaves optional (the ones it requires itself are required anyway)."""
    if version in ("2.2", "2.3"):
        return _V2
    if version == "3.0":
        return _V3
    raise ValueError(f"no PACT version {version!r}: 2.2, 2.3 or 3.0")


def needed(entity: str) -> dict[str, tuple[str, ...]]:
    """Each field a PACT export of ``entity`` needs beyond what the model requires, with the versions (of
    ``ASKED``) that need it, in the model's order; {} for entities PACT does not export."""
    if entity != ENTITY:
        return {}
    fields = ENTITIES[entity].model_fields
    wanted = {version: required_fields(version) for version in ASKED}
    return {
        name: tuple(v for v in ASKED if name in wanted[v])
        for name, info in fields.items()
        if not info.is_required() and any(name in wanted[v] for v in ASKED)
    }


def versions_text(versions: tuple[str, ...]) -> str:
    return "PACT " + ", ".join(versions)


def unmapped(mapping: Mapping) -> dict[str, tuple[str, ...]]:
    """The fields a PACT export needs that ``mapping`` neither reads from a column nor gives a value."""
    return {name: versions for name, versions in needed(mapping.entity).items() if name not in mapping.fields}


def asked(mapping: Mapping) -> list[Finding]:
    """One note per field a PACT export needs and the mapping does not give (record 0: the mapping itself)."""
    return [Finding("pact-unmapped", 0, name, None, versions_text(v)) for name, v in unmapped(mapping).items()]


def empty_cells(canonical: pa.RecordBatch, mapping: Mapping, first_row: int) -> list[Finding]:
    """One note per row whose mapped column left a field a PACT export needs empty."""
    found = []
    for name, versions in needed(mapping.entity).items():
        rule = mapping.fields.get(name)
        if rule is None or rule.column is None or name not in canonical.schema.names:
            continue
        empty = pc.indices_nonzero(pc.is_null(canonical.column(name))).to_pylist()
        expected = versions_text(versions)
        found += [Finding("pact-empty", first_row + i, name, None, expected, column=rule.column) for i in empty]
    return found
