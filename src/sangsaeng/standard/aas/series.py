"""Measurements as the IDTA Time Series Data submodel (IDTA 02008-1-1): the record template in the metadata, one
internal segment of records (one record per moment, a value per signal measured then).

Each signal is one variable of the ``Record`` template; its semantic id is its concept description
(``concepts``), where a generic tool finds its names, unit and quantity kind, and our reader its signal and
canonical unit. Values are written as the shortest decimal that reads back as the same double.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import aas_core3.types as aas

from sangsaeng.standard.aas.concepts import concept_id, described_signals, public_ids, signal_concept, signal_of
from sangsaeng.standard.aas.document import from_document
from sangsaeng.standard.aas.identifiers import ENGLISH, TIME_SERIES, TS, UTC_TIME, semantic, semantic_of
from sangsaeng.standard.aas.names import SignalName, derived_name
from sangsaeng.standard.entities import Equipment, Measurement, literal_values
from sangsaeng.standard.said import refusal

QUALITY = "quality"  # a record's qualifier for a value that is not good
QUALITIES = literal_values(Measurement.model_fields["quality"].annotation)
ID_SHORT = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
ID_SHORT_LENGTH = 128


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _units_of(equipment: Equipment, measurements: list[Measurement]) -> dict[str, str]:
    units: dict[str, str] = {}
    for m in measurements:
        if units.setdefault(m.signal, m.unit) != m.unit:
            raise refusal(
                "aas.two-units", signal=m.signal, equipment=equipment.id, first=units[m.signal], second=m.unit
            )
    return units


def _id_shorts(signals: list[str]) -> dict[str, str]:
    """Each signal's idShort in a record: the signal itself when it is one (and not "Time"), else SignalN, never
    one that another signal has."""
    own = {s for s in signals if ID_SHORT.match(s) and len(s) <= ID_SHORT_LENGTH and s != "Time"}
    found: dict[str, str] = {}
    for index, signal in enumerate(signals):
        name = signal if signal in own else f"Signal{index + 1}"
        while name != signal and name in own:
            name += "_"
        found[signal] = name
    return found


def _records(equipment: Equipment, measurements: list[Measurement], variable: Any) -> list[aas.SubmodelElement]:
    moments: dict[datetime, list[Measurement]] = {}
    for m in sorted(measurements, key=lambda m: (m.timestamp, m.signal)):
        moments.setdefault(m.timestamp, []).append(m)
    records: list[aas.SubmodelElement] = []
    for index, (moment, taken) in enumerate(moments.items()):
        seen: set[str] = set()
        values: list[aas.SubmodelElement] = [_time(moment)]
        for m in taken:
            if m.signal in seen:
                raise refusal("aas.two-values", equipment=equipment.id, signal=m.signal, moment=_iso(moment))
            seen.add(m.signal)
            element = variable(m.signal, repr(float(m.value)))
            if m.quality != "good":
                element.qualifiers = [aas.Qualifier(QUALITY, aas.DataTypeDefXSD.STRING, value=m.quality)]
            values.append(element)
        records.append(
            aas.SubmodelElementCollection(
                id_short=f"Record{index + 1}", semantic_id=semantic(TS + "Record/1/1"), value=values
            )
        )
    return records


def time_series(
    equipment: Equipment, measurements: list[Measurement], names: Mapping[str, SignalName]
) -> tuple[aas.Submodel, list[aas.ConceptDescription]]:
    """The Time Series Data submodel of the measurements and the concept description of each signal; a signal
    not in ``names`` gets a name derived from its id."""
    units = _units_of(equipment, measurements)
    signals = sorted(units)
    id_shorts = _id_shorts(signals)
    concepts = {
        s: signal_concept(s, units[s], names.get(s) or derived_name(s, id_shorts[s]), id_shorts[s]) for s in signals
    }

    def variable(signal: str, value: str | None = None, template: bool = False) -> aas.Property:
        # The template's variables also name the quantity kind, for tools that do not look up concepts.
        kinds = public_ids(concepts[signal]) if template else []
        return aas.Property(
            aas.DataTypeDefXSD.DOUBLE,
            id_short=id_shorts[signal],
            semantic_id=semantic(concept_id(signal, units[signal])),
            supplemental_semantic_ids=[semantic(k) for k in kinds] or None,
            value=value,
        )

    records = _records(equipment, measurements, variable)
    metadata = aas.SubmodelElementCollection(
        id_short="Metadata",
        semantic_id=semantic(TS + "Metadata/1/1"),
        value=[
            aas.MultiLanguageProperty(
                id_short="Name",
                semantic_id=semantic(TS + "Metadata/Name/1/1"),
                value=[aas.LangStringTextType(ENGLISH, f"Measurements of {equipment.id}"[:1023])],
            ),
            aas.SubmodelElementCollection(
                id_short="Record",
                semantic_id=semantic(TS + "Record/1/1"),
                value=[_time(None), *(variable(signal, template=True) for signal in signals)],
            ),
        ],
    )
    moments = sorted({m.timestamp for m in measurements})
    segment = aas.SubmodelElementCollection(
        id_short="InternalSegment",
        semantic_id=semantic(TS + "Segments/InternalSegment/1/1"),
        value=[
            aas.Property(
                aas.DataTypeDefXSD.LONG,
                id_short="RecordCount",
                semantic_id=semantic(TS + "Segment/RecordCount/1/1"),
                value=str(len(records)),
            ),
            _moment("StartTime", moments[0]),
            _moment("EndTime", moments[-1]),
            aas.Property(
                aas.DataTypeDefXSD.STRING,
                id_short="State",
                semantic_id=semantic(TS + "Segment/State/1/1"),
                value="completed",
            ),
            aas.SubmodelElementCollection(id_short="Records", semantic_id=semantic(TS + "Records/1/1"), value=records),
        ],
    )
    submodel = aas.Submodel(
        f"{equipment.id}/submodels/time-series",
        id_short="TimeSeries",
        semantic_id=semantic(TIME_SERIES),
        kind=aas.ModellingKind.INSTANCE,
        submodel_elements=[
            metadata,
            aas.SubmodelElementCollection(
                id_short="Segments", semantic_id=semantic(TS + "Segments/1/1"), value=[segment]
            ),
        ],
    )
    return submodel, list(concepts.values())


def _time(moment: datetime | None) -> aas.Property:
    return aas.Property(
        aas.DataTypeDefXSD.DATE_TIME,
        id_short="Time",
        semantic_id=semantic(UTC_TIME),
        value=None if moment is None else _iso(moment),
    )


def _moment(id_short: str, moment: datetime) -> aas.Property:
    return aas.Property(
        aas.DataTypeDefXSD.DATE_TIME,
        id_short=id_short,
        semantic_id=semantic(TS + f"Segment/{id_short}/1/1"),
        value=_iso(moment),
    )


def _recorded(submodel: aas.Submodel) -> Iterable[aas.SubmodelElementCollection]:
    for segments in submodel.submodel_elements or []:
        if not isinstance(segments, aas.SubmodelElementCollection) or segments.id_short != "Segments":
            continue
        for segment in segments.value or []:
            if not isinstance(segment, aas.SubmodelElementCollection):
                continue
            for part in segment.value or []:
                if isinstance(part, aas.SubmodelElementCollection) and part.id_short == "Records":
                    yield from (r for r in part.value or [] if isinstance(r, aas.SubmodelElementCollection))


def _signal_and_unit(
    element: aas.Property, described: dict[str, tuple[str, str | None]], where: str
) -> tuple[str, str]:
    """From our URN when the variable names one (every export of ours, old and new), else from the concept
    description another tool wrote."""
    concept = semantic_of(element) or ""
    ours = signal_of(concept)
    if ours is not None:
        return ours
    signal, unit = described.get(concept, ("", None))
    if unit is None:
        raise refusal("aas.no-signal", variable=element.id_short, where=where)
    return signal, unit


def measurements_from_aas(document: Any) -> list[Measurement]:
    """Every measurement of every Time Series submodel in an environment, in canonical units."""
    environment = from_document(document)
    described = described_signals(list(environment.concept_descriptions or []))
    owner = {
        ref.keys[0].value: shell.asset_information.global_asset_id or shell.id
        for shell in environment.asset_administration_shells or []
        for ref in shell.submodels or []
    }
    found: list[Measurement] = []
    for submodel in environment.submodels or []:
        if semantic_of(submodel) != TIME_SERIES:
            continue
        equipment = owner.get(submodel.id)
        if equipment is None:
            raise refusal("aas.orphan-series", at="submodels", submodel=submodel.id)
        for record in _recorded(submodel):
            values = {e.id_short: e for e in record.value or [] if isinstance(e, aas.Property)}
            time = values.pop("Time", None)
            if time is None or time.value is None:
                raise refusal("aas.no-time", at=record.id_short, submodel=submodel.id)
            moment = datetime.fromisoformat(time.value)
            for element in values.values():
                signal, unit = _signal_and_unit(element, described, submodel.id)
                quality = next((q.value for q in element.qualifiers or [] if q.type == QUALITY), "good")
                if quality not in QUALITIES or element.value is None:
                    raise refusal(
                        "aas.no-value" if element.value is None else "aas.bad-quality",
                        variable=element.id_short,
                        record=record.id_short,
                        submodel=submodel.id,
                        quality=quality,
                        qualities=", ".join(QUALITIES),
                    )
                found.append(
                    Measurement(
                        equipment=equipment,
                        signal=signal,
                        timestamp=moment,
                        value=float(element.value),
                        unit=unit,
                        quality=quality,
                    )
                )
    return found
