"""Equipment and its measurements as one environment: a shell per piece of equipment, its Nameplate and
Technical Data, its Time Series when it has measurements, and one concept description per signal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import aas_core3.types as aas

from sangsaeng.standard.aas.document import to_document
from sangsaeng.standard.aas.identifiers import submodel_reference
from sangsaeng.standard.aas.names import SignalName
from sangsaeng.standard.aas.series import time_series
from sangsaeng.standard.aas.shell import shell_of
from sangsaeng.standard.entities import Equipment, Measurement


def equipment_to_aas(
    equipment: Equipment, measurements: Iterable[Measurement] = (), names: Mapping[str, SignalName] | None = None
) -> dict[str, Any]:
    """The environment JSON: one shell, its Nameplate, its Technical Data and, given measurements, its Time
    Series; refused if aas-core finds fault."""
    return environment_to_aas([(equipment, list(measurements))], names)


def environment_to_aas(
    items: Sequence[tuple[Equipment, list[Measurement]]], names: Mapping[str, SignalName] | None = None
) -> dict[str, Any]:
    """One environment with a shell per equipment (and a time series for those with measurements); ``names``
    are what people call signals (others get names derived from their ids)."""
    shells: list[aas.AssetAdministrationShell] = []
    submodels: list[aas.Submodel] = []
    concepts: dict[str, aas.ConceptDescription] = {}
    for equipment, measurements in items:
        shell, own = shell_of(equipment)
        if measurements:
            series, signal_concepts = time_series(equipment, measurements, names or {})
            own.append(series)
            assert shell.submodels is not None
            shell.submodels.append(submodel_reference(series.id))
            concepts.update((c.id, c) for c in signal_concepts)
        shells.append(shell)
        submodels.extend(own)
    environment = aas.Environment(
        asset_administration_shells=shells, submodels=submodels, concept_descriptions=list(concepts.values()) or None
    )
    return to_document(environment)
