"""A piece of equipment as a shell with the Digital Nameplate (IDTA 02006-3-0) and Technical Data (ZVEI) submodels,
their properties named by their ECLASS IRDIs; where the equipment stands (site, ISA-95 path) travels as specific
asset ids, so that reading the shell back gives the same ``Equipment``."""

from __future__ import annotations

from typing import Any

import aas_core3.types as aas

from sangsaeng.standard.aas.document import from_document
from sangsaeng.standard.aas.identifiers import (
    ENGLISH,
    GENERAL_INFORMATION,
    IRDI,
    NAMEPLATE,
    TECHNICAL_DATA,
    TECHNICAL_PROPERTIES,
    semantic,
    semantic_of,
    submodel_reference,
)
from sangsaeng.standard.entities import Equipment
from sangsaeng.standard.said import refusal


def _text(id_short: str, value: str) -> aas.Property:
    return aas.Property(aas.DataTypeDefXSD.STRING, id_short=id_short, value=value, semantic_id=semantic(IRDI[id_short]))


def _words(id_short: str, value: str) -> aas.MultiLanguageProperty:
    return aas.MultiLanguageProperty(
        id_short=id_short, value=[aas.LangStringTextType(ENGLISH, value)], semantic_id=semantic(IRDI[id_short])
    )


def _nameplate(equipment: Equipment) -> aas.Submodel:
    elements: list[aas.SubmodelElement] = []
    if equipment.manufacturer:
        elements.append(_words("ManufacturerName", equipment.manufacturer))
    if equipment.model:
        elements.append(_words("ManufacturerProductDesignation", equipment.model))
    if equipment.serial_number:
        elements.append(_text("SerialNumber", equipment.serial_number))
    if equipment.year is not None:
        elements.append(_text("YearOfConstruction", str(equipment.year)))
    return aas.Submodel(
        f"{equipment.id}/submodels/nameplate",
        id_short="Nameplate",
        semantic_id=semantic(NAMEPLATE),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=elements or None,
    )


def _technical_data(equipment: Equipment) -> aas.Submodel:
    general: list[aas.SubmodelElement] = []
    if equipment.manufacturer:
        general.append(_text("ManufacturerName", equipment.manufacturer))
    if equipment.model:
        general.append(_text("ManufacturerArticleNumber", equipment.model))
    return aas.Submodel(
        f"{equipment.id}/submodels/technical-data",
        id_short="TechnicalData",
        semantic_id=semantic(TECHNICAL_DATA),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=[
            aas.SubmodelElementCollection(
                id_short="GeneralInformation", semantic_id=semantic(GENERAL_INFORMATION), value=general or None
            ),
            aas.SubmodelElementCollection(id_short="TechnicalProperties", semantic_id=semantic(TECHNICAL_PROPERTIES)),
        ],
    )


def shell_of(equipment: Equipment) -> tuple[aas.AssetAdministrationShell, list[aas.Submodel]]:
    """The shell and its Nameplate and Technical Data submodels."""
    nameplate, technical = _nameplate(equipment), _technical_data(equipment)
    shell = aas.AssetAdministrationShell(
        f"{equipment.id}/shell",
        aas.AssetInformation(
            aas.AssetKind.INSTANCE,
            global_asset_id=equipment.id,
            specific_asset_ids=[
                aas.SpecificAssetID("site", equipment.site),
                aas.SpecificAssetID("isa95Path", equipment.isa95_path),
            ],
        ),
        id_short="Equipment",
        submodels=[submodel_reference(nameplate.id), submodel_reference(technical.id)],
    )
    return shell, [nameplate, technical]


def equipment_from_aas(document: Any) -> Equipment:
    """The equipment of the environment's first shell, from its asset information and Nameplate."""
    environment = from_document(document)
    shells = environment.asset_administration_shells or []
    if not shells:
        raise refusal("aas.no-shell", at="assetAdministrationShells")
    info = shells[0].asset_information
    specific = {s.name: s.value for s in info.specific_asset_ids or []}
    values: dict[str, str] = {}
    for submodel in environment.submodels or []:
        if semantic_of(submodel) == NAMEPLATE:
            for element in submodel.submodel_elements or []:
                if isinstance(element, aas.MultiLanguageProperty) and element.value:
                    values[element.id_short or ""] = element.value[0].text
                elif isinstance(element, aas.Property) and element.value is not None:
                    values[element.id_short or ""] = element.value
    return Equipment(
        id=info.global_asset_id or shells[0].id,
        site=specific.get("site", ""),
        isa95_path=specific.get("isa95Path", ""),
        manufacturer=values.get("ManufacturerName"),
        model=values.get("ManufacturerProductDesignation"),
        serial_number=values.get("SerialNumber"),
        year=int(values["YearOfConstruction"]) if "YearOfConstruction" in values else None,
    )
