"""Equipment as an Asset Administration Shell (IEC 63278, metamodel V3.0) with the Digital Nameplate and
Technical Data submodels, built and verified with aas-core3.0 and serialised to the standard JSON.

Where the equipment stands (site, ISA-95 path) travels as specific asset ids of the shell, so that reading the
shell back gives the same ``Equipment``.
"""

from __future__ import annotations

from typing import Any

import aas_core3.jsonization as jsonization
import aas_core3.types as aas
import aas_core3.verification as verification

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import Equipment

NAMEPLATE = "https://admin-shell.io/idta/nameplate/3/0/Nameplate"
TECHNICAL_DATA = "https://admin-shell.io/ZVEI/TechnicalData/Submodel/1/2"
GENERAL_INFORMATION = "https://admin-shell.io/ZVEI/TechnicalData/GeneralInformation/1/1"
TECHNICAL_PROPERTIES = "https://admin-shell.io/ZVEI/TechnicalData/TechnicalProperties/1/1"
IRDI = {
    "ManufacturerName": "0173-1#02-AAO677#002",
    "ManufacturerProductDesignation": "0173-1#02-AAW338#001",
    "SerialNumber": "0173-1#02-AAM556#002",
    "YearOfConstruction": "0173-1#02-AAP906#001",
    "ManufacturerArticleNumber": "0173-1#02-AAO676#003",
}
LANGUAGE = "en"


def _semantic(value: str) -> aas.Reference:
    return aas.Reference(aas.ReferenceTypes.EXTERNAL_REFERENCE, [aas.Key(aas.KeyTypes.GLOBAL_REFERENCE, value)])


def _text(id_short: str, value: str) -> aas.Property:
    return aas.Property(
        aas.DataTypeDefXSD.STRING, id_short=id_short, value=value, semantic_id=_semantic(IRDI[id_short])
    )


def _words(id_short: str, value: str) -> aas.MultiLanguageProperty:
    return aas.MultiLanguageProperty(
        id_short=id_short, value=[aas.LangStringTextType(LANGUAGE, value)], semantic_id=_semantic(IRDI[id_short])
    )


def _submodel_reference(identifier: str) -> aas.Reference:
    return aas.Reference(aas.ReferenceTypes.MODEL_REFERENCE, [aas.Key(aas.KeyTypes.SUBMODEL, identifier)])


def equipment_to_aas(equipment: Equipment) -> dict[str, Any]:
    """The environment JSON: one shell, its Nameplate and its Technical Data; refused if aas-core finds fault."""
    base = equipment.id
    nameplate_elements: list[aas.SubmodelElement] = []
    if equipment.manufacturer:
        nameplate_elements.append(_words("ManufacturerName", equipment.manufacturer))
    if equipment.model:
        nameplate_elements.append(_words("ManufacturerProductDesignation", equipment.model))
    if equipment.serial_number:
        nameplate_elements.append(_text("SerialNumber", equipment.serial_number))
    if equipment.year is not None:
        nameplate_elements.append(_text("YearOfConstruction", str(equipment.year)))
    general: list[aas.SubmodelElement] = []
    if equipment.manufacturer:
        general.append(_text("ManufacturerName", equipment.manufacturer))
    if equipment.model:
        general.append(_text("ManufacturerArticleNumber", equipment.model))
    nameplate = aas.Submodel(
        f"{base}/submodels/nameplate",
        id_short="Nameplate",
        semantic_id=_semantic(NAMEPLATE),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=nameplate_elements or None,
    )
    technical = aas.Submodel(
        f"{base}/submodels/technical-data",
        id_short="TechnicalData",
        semantic_id=_semantic(TECHNICAL_DATA),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=[
            aas.SubmodelElementCollection(
                id_short="GeneralInformation", semantic_id=_semantic(GENERAL_INFORMATION), value=general or None
            ),
            aas.SubmodelElementCollection(id_short="TechnicalProperties", semantic_id=_semantic(TECHNICAL_PROPERTIES)),
        ],
    )
    shell = aas.AssetAdministrationShell(
        f"{base}/shell",
        aas.AssetInformation(
            aas.AssetKind.INSTANCE,
            global_asset_id=base,
            specific_asset_ids=[
                aas.SpecificAssetID("site", equipment.site),
                aas.SpecificAssetID("isa95Path", equipment.isa95_path),
            ],
        ),
        id_short="Equipment",
        submodels=[_submodel_reference(nameplate.id), _submodel_reference(technical.id)],
    )
    environment = aas.Environment(asset_administration_shells=[shell], submodels=[nameplate, technical])
    problems = [f"{e.path}: {e.cause}" for e in verification.verify(environment)]
    if problems:
        raise InvalidInput(
            f"the shell for {equipment.id} does not verify: {problems[0]}", details={"problems": problems}
        )
    jsonable = jsonization.to_jsonable(environment)
    assert isinstance(jsonable, dict)
    return dict(jsonable)


def equipment_from_aas(document: Any) -> Equipment:
    try:
        environment = jsonization.environment_from_jsonable(document)
    except jsonization.DeserializationException as exc:
        raise InvalidInput(f"not an AAS environment: {exc.cause}", position=str(exc.path)) from exc
    problems = [f"{e.path}: {e.cause}" for e in verification.verify(environment)]
    if problems:
        raise InvalidInput(f"the AAS environment does not verify: {problems[0]}", details={"problems": problems})
    shells = environment.asset_administration_shells or []
    if not shells:
        raise InvalidInput("the environment holds no shell", position="assetAdministrationShells")
    info = shells[0].asset_information
    specific = {s.name: s.value for s in info.specific_asset_ids or []}
    values: dict[str, str] = {}
    for submodel in environment.submodels or []:
        if submodel.semantic_id and submodel.semantic_id.keys[0].value == NAMEPLATE:
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
