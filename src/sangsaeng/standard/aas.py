"""Equipment as an Asset Administration Shell (IEC 63278, metamodel V3.0) with the Digital Nameplate and
Technical Data submodels and its measurements as the Time Series Data submodel (IDTA 02008-1-1), built and
verified with aas-core3.0 and serialised to the standard JSON or packed as an AASX file (Eclipse BaSyx's packager).

Where the equipment stands (site, ISA-95 path) travels as specific asset ids of the shell, so that reading the
shell back gives the same ``Equipment``. In the time series, each signal is one variable of the ``Record``
template; its name and canonical unit travel in a concept description (IEC 61360 data specification), so that
reading the series back gives the same ``Measurement`` rows. Values are written as the shortest decimal that reads
back as the same double.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aas_core3.jsonization as jsonization
import aas_core3.types as aas
import aas_core3.verification as verification

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.entities import Equipment, Measurement, literal_values

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
TIME_SERIES = "https://admin-shell.io/idta/TimeSeries/1/1"
TS = "https://admin-shell.io/idta/TimeSeries/"
UTC_TIME = TS + "UtcTime/1/1"
IEC61360 = "https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIEC61360/3/0"
SIGNAL = "urn:sangsaeng:signal:"  # + name:unit, percent-encoded: the concept description of a variable
QUALITY = "quality"  # a record's qualifier for a value that is not good
QUALITIES = literal_values(Measurement.model_fields["quality"].annotation)
ID_SHORT = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")


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


def equipment_to_aas(equipment: Equipment, measurements: Iterable[Measurement] = ()) -> dict[str, Any]:
    """The environment JSON: one shell, its Nameplate, its Technical Data and, given measurements, its Time
    Series; refused if aas-core finds fault."""
    return environment_to_aas([(equipment, list(measurements))])


def environment_to_aas(items: Sequence[tuple[Equipment, list[Measurement]]]) -> dict[str, Any]:
    """One environment with a shell per equipment (and a time series for those with measurements)."""
    shells: list[aas.AssetAdministrationShell] = []
    submodels: list[aas.Submodel] = []
    concepts: dict[str, aas.ConceptDescription] = {}
    for equipment, measurements in items:
        shell, own = _shell(equipment)
        if measurements:
            series, signal_concepts = _time_series(equipment, measurements)
            own.append(series)
            assert shell.submodels is not None
            shell.submodels.append(_submodel_reference(series.id))
            concepts.update((c.id, c) for c in signal_concepts)
        shells.append(shell)
        submodels.extend(own)
    environment = aas.Environment(
        asset_administration_shells=shells, submodels=submodels, concept_descriptions=list(concepts.values()) or None
    )
    problems = [f"{e.path}: {e.cause}" for e in verification.verify(environment)]
    if problems:
        raise InvalidInput(f"the AAS environment does not verify: {problems[0]}", details={"problems": problems})
    jsonable = jsonization.to_jsonable(environment)
    assert isinstance(jsonable, dict)
    return dict(jsonable)


def _shell(equipment: Equipment) -> tuple[aas.AssetAdministrationShell, list[aas.Submodel]]:
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
    return shell, [nameplate, technical]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _time_series(
    equipment: Equipment, measurements: list[Measurement]
) -> tuple[aas.Submodel, list[aas.ConceptDescription]]:
    """The Time Series Data submodel: the record template in the metadata, one internal segment of records (one
    record per moment, a value per signal measured then)."""
    signals = sorted({m.signal for m in measurements})
    units: dict[str, str] = {}
    for m in measurements:
        if units.setdefault(m.signal, m.unit) != m.unit:
            raise InvalidInput(
                f"signal {m.signal!r} of {equipment.id} comes in {units[m.signal]} and {m.unit}",
                hint="normalise the measurements to one canonical unit per signal first",
            )
    names = {signal: signal if ID_SHORT.match(signal) else f"Signal{i + 1}" for i, signal in enumerate(signals)}
    concepts = [
        aas.ConceptDescription(
            f"{SIGNAL}{quote(signal, safe='')}:{quote(units[signal], safe='')}",
            id_short=names[signal],
            embedded_data_specifications=[
                aas.EmbeddedDataSpecification(
                    _semantic(IEC61360),
                    aas.DataSpecificationIEC61360(
                        [aas.LangStringPreferredNameTypeIEC61360(LANGUAGE, signal[:255])],
                        unit=units[signal],
                        definition=[
                            aas.LangStringDefinitionTypeIEC61360(
                                LANGUAGE, f"Machine signal {signal!r}, measured in {units[signal]}"[:1023]
                            )
                        ],
                        data_type=aas.DataTypeIEC61360.REAL_MEASURE,
                    ),
                )
            ],
        )
        for signal in signals
    ]
    concept_of = {signal: c.id for signal, c in zip(signals, concepts, strict=True)}

    def variable(signal: str, value: str | None = None) -> aas.Property:
        return aas.Property(
            aas.DataTypeDefXSD.DOUBLE, id_short=names[signal], semantic_id=_semantic(concept_of[signal]), value=value
        )

    moments: dict[datetime, list[Measurement]] = {}
    for m in sorted(measurements, key=lambda m: (m.timestamp, m.signal)):
        moments.setdefault(m.timestamp, []).append(m)
    records: list[aas.SubmodelElement] = []
    for index, (moment, taken) in enumerate(moments.items()):
        seen: set[str] = set()
        values: list[aas.SubmodelElement] = [_time(moment)]
        for m in taken:
            if m.signal in seen:
                raise InvalidInput(f"{equipment.id} has two values of {m.signal!r} at {_iso(moment)}")
            seen.add(m.signal)
            element = variable(m.signal, repr(float(m.value)))
            if m.quality != "good":
                element.qualifiers = [aas.Qualifier(QUALITY, aas.DataTypeDefXSD.STRING, value=m.quality)]
            values.append(element)
        records.append(
            aas.SubmodelElementCollection(
                id_short=f"Record{index + 1}", semantic_id=_semantic(TS + "Record/1/1"), value=values
            )
        )
    first, last = min(moments), max(moments)
    metadata = aas.SubmodelElementCollection(
        id_short="Metadata",
        semantic_id=_semantic(TS + "Metadata/1/1"),
        value=[
            aas.MultiLanguageProperty(
                id_short="Name",
                semantic_id=_semantic(TS + "Metadata/Name/1/1"),
                value=[aas.LangStringTextType(LANGUAGE, f"Measurements of {equipment.id}"[:1023])],
            ),
            aas.SubmodelElementCollection(
                id_short="Record",
                semantic_id=_semantic(TS + "Record/1/1"),
                value=[_time(None), *(variable(signal) for signal in signals)],
            ),
        ],
    )
    segment = aas.SubmodelElementCollection(
        id_short="InternalSegment",
        semantic_id=_semantic(TS + "Segments/InternalSegment/1/1"),
        value=[
            aas.Property(
                aas.DataTypeDefXSD.LONG,
                id_short="RecordCount",
                semantic_id=_semantic(TS + "Segment/RecordCount/1/1"),
                value=str(len(records)),
            ),
            _moment("StartTime", first),
            _moment("EndTime", last),
            aas.Property(
                aas.DataTypeDefXSD.STRING,
                id_short="State",
                semantic_id=_semantic(TS + "Segment/State/1/1"),
                value="completed",
            ),
            aas.SubmodelElementCollection(id_short="Records", semantic_id=_semantic(TS + "Records/1/1"), value=records),
        ],
    )
    submodel = aas.Submodel(
        f"{equipment.id}/submodels/time-series",
        id_short="TimeSeries",
        semantic_id=_semantic(TIME_SERIES),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=[
            metadata,
            aas.SubmodelElementCollection(
                id_short="Segments", semantic_id=_semantic(TS + "Segments/1/1"), value=[segment]
            ),
        ],
    )
    return submodel, concepts


def _time(moment: datetime | None) -> aas.Property:
    return aas.Property(
        aas.DataTypeDefXSD.DATE_TIME,
        id_short="Time",
        semantic_id=_semantic(UTC_TIME),
        value=None if moment is None else _iso(moment),
    )


def _moment(id_short: str, moment: datetime) -> aas.Property:
    return aas.Property(
        aas.DataTypeDefXSD.DATE_TIME,
        id_short=id_short,
        semantic_id=_semantic(TS + f"Segment/{id_short}/1/1"),
        value=_iso(moment),
    )


def _environment(document: Any) -> aas.Environment:
    try:
        environment = jsonization.environment_from_jsonable(document)
    except jsonization.DeserializationException as exc:
        raise InvalidInput(f"not an AAS environment: {exc.cause}", position=str(exc.path)) from exc
    problems = [f"{e.path}: {e.cause}" for e in verification.verify(environment)]
    if problems:
        raise InvalidInput(f"the AAS environment does not verify: {problems[0]}", details={"problems": problems})
    return environment


def _semantic_of(element: aas.HasSemantics) -> str | None:
    return element.semantic_id.keys[0].value if element.semantic_id and element.semantic_id.keys else None


def measurements_from_aas(document: Any) -> list[Measurement]:
    """Every measurement of every Time Series submodel in an environment, in canonical units."""
    environment = _environment(document)
    units = {
        c.id: (spec.data_specification_content.preferred_name[0].text, spec.data_specification_content.unit)
        for c in environment.concept_descriptions or []
        for spec in c.embedded_data_specifications or []
        if isinstance(spec.data_specification_content, aas.DataSpecificationIEC61360)
    }
    owner = {
        ref.keys[0].value: shell.asset_information.global_asset_id or shell.id
        for shell in environment.asset_administration_shells or []
        for ref in shell.submodels or []
    }
    found: list[Measurement] = []
    for submodel in environment.submodels or []:
        if _semantic_of(submodel) != TIME_SERIES:
            continue
        equipment = owner.get(submodel.id)
        if equipment is None:
            raise InvalidInput(f"no shell refers to the time series {submodel.id}", position="submodels")
        for record in _records(submodel):
            values = {e.id_short: e for e in record.value or [] if isinstance(e, aas.Property)}
            time = values.pop("Time", None)
            if time is None or time.value is None:
                raise InvalidInput(f"a record of {submodel.id} has no Time", position=record.id_short)
            moment = datetime.fromisoformat(time.value)
            for element in values.values():
                concept = _semantic_of(element) or ""
                if concept not in units or units[concept][1] is None:
                    raise InvalidInput(
                        f"variable {element.id_short} of {submodel.id} names no signal with a unit",
                        hint="each variable's semanticId must be a concept description with an IEC 61360 unit",
                    )
                signal, unit = units[concept]
                quality = next((q.value for q in element.qualifiers or [] if q.type == QUALITY), "good")
                if quality not in QUALITIES or element.value is None:
                    raise InvalidInput(
                        f"variable {element.id_short} of {record.id_short} in {submodel.id} has "
                        + ("no value" if element.value is None else f"the quality {quality!r}"),
                        hint=f"a value, and a quality of {', '.join(QUALITIES)}",
                    )
                found.append(
                    Measurement(
                        equipment=equipment,
                        signal=signal,
                        timestamp=moment,
                        value=float(element.value),
                        unit=unit or "",
                        quality=quality,
                    )
                )
    return found


def _records(submodel: aas.Submodel) -> Iterable[aas.SubmodelElementCollection]:
    for segments in submodel.submodel_elements or []:
        if not isinstance(segments, aas.SubmodelElementCollection) or segments.id_short != "Segments":
            continue
        for segment in segments.value or []:
            if not isinstance(segment, aas.SubmodelElementCollection):
                continue
            for part in segment.value or []:
                if isinstance(part, aas.SubmodelElementCollection) and part.id_short == "Records":
                    yield from (r for r in part.value or [] if isinstance(r, aas.SubmodelElementCollection))


def write_aasx(document: dict[str, Any], target: Path) -> None:
    """Pack an environment (as ``equipment_to_aas`` makes it) into an AASX package: every shell with its
    submodels and concept descriptions, as JSON inside."""
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter.json import read_aas_json_file

    _environment(document)  # verified before it is packed
    store = read_aas_json_file(io.StringIO(json.dumps(document)), failsafe=False)
    temporary = target.with_name(f".{target.name}.partial")
    files = aasx.DictSupplementaryFileContainer()  # type: ignore[no-untyped-call]
    try:
        with aasx.AASXWriter(temporary, failsafe=False) as writer:
            # Every object of the environment (write_aas would drop concept descriptions named by global ids).
            writer.write_all_aas_objects("/aasx/data.json", store, files, write_json=True)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def read_aasx(source: Path) -> dict[str, Any]:
    """The environment inside an AASX package, as JSON, verified."""
    from basyx.aas import model
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter.json import write_aas_json_file

    store: model.DictIdentifiableStore[model.Identifiable] = model.DictIdentifiableStore()
    files = aasx.DictSupplementaryFileContainer()  # type: ignore[no-untyped-call]
    try:
        with aasx.AASXReader(source, failsafe=False) as reader:
            reader.read_into(store, files)
    except (ValueError, KeyError, OSError) as exc:
        raise InvalidInput(f"{source.name} is not an AASX package: {exc}") from exc
    text = io.StringIO()
    write_aas_json_file(text, store)
    document: dict[str, Any] = json.loads(text.getvalue())
    _environment(document)
    return document


def equipment_from_aas(document: Any) -> Equipment:
    environment = _environment(document)
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
