"""What a generic AAS tool reads of our exports: each signal's names in Korean and English, its unit and public ids
of the unit and quantity (IEC 61360 concept descriptions), through Eclipse BaSyx alone and the IDTA JSON schema."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aas_core3.jsonization as jsonization
import aas_core3.verification as verification
import pytest
from basyx.aas import model
from basyx.aas.adapter.json import read_aas_json_file, write_aas_json_file
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.aas import (
    SignalName,
    equipment_from_aas,
    equipment_to_aas,
    measurements_from_aas,
    signal_names,
)
from sangsaeng.standard.aas.dictionary import QUDT_QUANTITY_KIND, QUDT_UNIT, UNITS, public_unit
from sangsaeng.standard.aas.names import clean, derived_name
from sangsaeng.standard.entities import Equipment, Measurement
from sangsaeng.standard.units import _ALIASES

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
PRESS = Equipment(id="urn:uuid:7d0f6c64-0000-4000-8000-000000000002", site="s", isa95_path="E/S/A/L/Press")
TIME_SERIES = "https://admin-shell.io/idta/TimeSeries/1/1"


def measured(signals: list[tuple[str, str]], equipment: str = PRESS.id, moments: int = 3) -> list[Measurement]:
    return [
        Measurement(equipment=equipment, signal=s, timestamp=T0 + timedelta(seconds=i), value=i + k, unit=u)
        for i in range(moments)
        for k, (s, u) in enumerate(signals)
    ]


SIGNALS = [
    ("spindle_temperature", "degC"),
    ("주축 부하", "percent"),
    ("power", "kilowatt"),
    ("coolant_flow_rate", "meter ** 3 / second"),
    ("hardness", "HRC"),
]


def basyx_store(document: dict[str, Any]) -> model.DictIdentifiableStore[model.Identifiable]:
    """The export as a generic tool built on BaSyx reads it (BaSyx checks its own constraints as it reads)."""
    return read_aas_json_file(io.StringIO(json.dumps(document, ensure_ascii=False)), failsafe=False)


def unordered(value: Any) -> Any:
    """JSON with every list sorted: BaSyx keeps references, asset ids and isCaseOf as sets, in no fixed order."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def properties(elements: Any) -> Iterator[model.Property]:
    for element in elements:
        if isinstance(element, model.SubmodelElementCollection):
            yield from properties(element.value)
        elif isinstance(element, model.Property):
            yield element


# ---- a generic tool's view (BaSyx only, none of our reading code) ------------------------------------------------
def test_a_generic_tool_finds_names_unit_and_public_ids_of_every_series_variable() -> None:
    store = basyx_store(equipment_to_aas(PRESS, measured(SIGNALS)))
    series = [
        o
        for o in store
        if isinstance(o, model.Submodel) and o.semantic_id and o.semantic_id.key[0].value == TIME_SERIES
    ]
    seen: dict[str, tuple[str, str, str, str | None, list[str]]] = {}
    for variable in properties(series[0].submodel_element):
        if variable.value_type is not model.datatypes.Double:
            continue  # Time, RecordCount, …
        assert variable.semantic_id is not None
        concept = store.get_item(variable.semantic_id.key[0].value)
        assert isinstance(concept, model.ConceptDescription)
        spec = concept.embedded_data_specifications[0].data_specification_content
        assert isinstance(spec, model.DataSpecificationIEC61360)
        unit_id = spec.unit_id.key[0].value if spec.unit_id else None
        kinds = sorted(r.key[0].value for r in concept.is_case_of or ())  # a set in BaSyx
        seen[spec.preferred_name["en"]] = (spec.preferred_name["ko"], spec.short_name["en"], spec.unit, unit_id, kinds)
    assert seen == {
        "Spindle temperature": (
            "주축 온도",
            "spin_temp",  # the id is 19 characters, one more than a short name may have
            "°C",
            QUDT_UNIT + "DEG_C",
            ["0112/2///62720#UAD374", QUDT_QUANTITY_KIND + "Temperature"],
        ),
        "Spindle load": ("주축 부하", "주축 부하", "%", QUDT_UNIT + "PERCENT", []),
        "Power": ("전력", "power", "kW", QUDT_UNIT + "KiloW", ["0112/2///62720#UAD003", QUDT_QUANTITY_KIND + "Power"]),
        "Coolant flow rate": (
            "절삭유 유량",
            "coolant_flow_rate",
            "m³/s",
            QUDT_UNIT + "M3-PER-SEC",
            ["0112/2///62720#UAD239", QUDT_QUANTITY_KIND + "VolumeFlowRate"],
        ),
        # a hardness scale is in no public dictionary: the unit is shown, the concept keeps only our URN
        "Hardness": ("hardness", "hardness", "HRC", None, []),
    }


def test_the_export_survives_basyx_json_round_trip_unchanged_in_meaning() -> None:
    ours = equipment_to_aas(PRESS, measured(SIGNALS))
    text = io.StringIO()
    write_aas_json_file(text, basyx_store(ours))
    theirs = json.loads(text.getvalue())
    again = io.StringIO()
    write_aas_json_file(again, basyx_store(theirs))
    assert unordered(json.loads(again.getvalue())) == unordered(theirs)  # BaSyx reads back what it wrote
    assert list(verification.verify(jsonization.environment_from_jsonable(theirs))) == []
    # every name, unit and id of every concept kept
    assert unordered(theirs["conceptDescriptions"]) == unordered(ours["conceptDescriptions"])
    key = lambda m: (m.signal, m.timestamp)  # noqa: E731
    assert sorted(measurements_from_aas(theirs), key=key) == sorted(measured(SIGNALS), key=key)
    assert equipment_from_aas(theirs) == PRESS


# ---- the IDTA JSON schema (IDTA-01001-3-0-1, schemas V3.0.9) ----------------------------------------------------
SCHEMA = Path(
    os.environ.get(
        "SANGSAENG_AAS_SCHEMA", Path(__file__).resolve().parents[2] / "shared" / "spec" / "aas-3-0" / "aas.json"
    )
)


@pytest.mark.skipif(
    not SCHEMA.is_file(), reason=f"the IDTA AAS JSON schema is not at {SCHEMA}; set SANGSAENG_AAS_SCHEMA"
)
def test_the_export_validates_against_the_idta_json_schema() -> None:
    validator = Draft201909Validator(json.loads(SCHEMA.read_text("utf-8")))
    document = json.loads(json.dumps(equipment_to_aas(PRESS, measured(SIGNALS))))
    assert [e.message for e in validator.iter_errors(document)] == []
    broken = json.loads(json.dumps(document).replace('"shortName"', '"shortname"', 1))
    concept = broken["conceptDescriptions"][0]["embeddedDataSpecifications"][0]["dataSpecificationContent"]
    concept["preferredName"] = []
    assert list(validator.iter_errors(broken))  # the schema does refuse a concept without a preferred name


# ---- every concept description is valid IEC 61360, whatever the signal and unit ---------------------------------
KNOWN_UNITS = [u.expression for u in UNITS]
OTHER_UNITS = ["kelvin", "kilogram * meter ** 2 / ampere / second ** 3", "HRC", "piece", "kg_CO2e", "Nm3", "zz?"]


@settings(max_examples=40, deadline=None)
@given(
    signals=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4, unique=True),
    units=st.lists(
        st.sampled_from(KNOWN_UNITS + OTHER_UNITS) | st.text(min_size=1, max_size=12), min_size=4, max_size=4
    ),
)
def test_every_concept_description_is_valid_iec_61360(signals: list[str], units: list[str]) -> None:
    pairs = list(zip(signals, units, strict=False))
    rows = measured(pairs, moments=1)
    if any(not clean(u) for _, u in pairs):
        with pytest.raises(InvalidInput, match="no unit"):
            equipment_to_aas(PRESS, rows)
        return
    document = equipment_to_aas(PRESS, rows)  # verified by aas-core as it is written
    store = basyx_store(document)  # and read by BaSyx, which checks the IEC 61360 string lengths again
    concepts = {c.id: c for c in store if isinstance(c, model.ConceptDescription)}
    assert len(concepts) == len(pairs)
    for signal, unit in pairs:
        concept = concepts[next(i for i in concepts if _names(i) == (signal, unit))]
        spec = concept.embedded_data_specifications[0].data_specification_content
        assert isinstance(spec, model.DataSpecificationIEC61360)
        assert set(spec.preferred_name) == {"ko", "en"}
        assert all(0 < len(t) <= 255 for t in spec.preferred_name.values())
        assert spec.short_name is not None and all(0 < len(t) <= 18 for t in spec.short_name.values())
        assert spec.definition is not None and {"ko", "en"} <= set(spec.definition)
        assert all(0 < len(t) <= 1023 for t in spec.definition.values())
        assert spec.data_type is model.DataTypeIEC61360.REAL_MEASURE and spec.unit
        public = public_unit(unit)
        assert (spec.unit_id.key[0].value if spec.unit_id else None) == (public.iri if public else None)
        kind = public.quantity if public else None
        assert sorted(r.key[0].value for r in concept.is_case_of or ()) == sorted(kind.public_ids() if kind else [])
    assert sorted((m.signal, m.unit) for m in measurements_from_aas(document)) == sorted(pairs)


def _names(concept_id: str) -> tuple[str, str]:
    from sangsaeng.standard.aas.concepts import signal_of

    found = signal_of(concept_id)
    assert found is not None
    return found


# ---- names: derived from the id, or given -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("signal", "ko", "en"),
    [
        ("spindle_temperature", "주축 온도", "Spindle temperature"),
        ("spindleLoad", "주축 부하", "Spindle Load"),
        ("x_axis_load", "X 축 부하", "X axis load"),
        ("주축온도", "주축온도", "Spindle temperature"),
        ("압력", "압력", "Pressure"),
        ("door_state", "door state", "Door state"),  # a word the glossary does not know: no guess
        ("주조 온도", "주조 온도", "주조 온도"),
    ],
)
def test_a_readable_name_is_derived_from_the_signal_id(signal: str, ko: str, en: str) -> None:
    name = derived_name(signal, "Signal1")
    assert (name.ko, name.en) == (ko, en)
    assert 0 < len(name.short) <= 18


def test_names_a_caller_gives_win_and_bad_ones_are_refused() -> None:
    given_names = signal_names({"power": {"ko": "주전동기 전력", "en": "Main motor power", "short": "P_main"}})
    document = equipment_to_aas(PRESS, measured([("power", "kW"), ("temp", "degC")]), given_names)
    names = {
        c["idShort"]: {
            n["language"]: n["text"]
            for n in c["embeddedDataSpecifications"][0]["dataSpecificationContent"]["preferredName"]
        }
        for c in document["conceptDescriptions"]
    }
    assert names == {"power": {"ko": "주전동기 전력", "en": "Main motor power"}, "temp": {"ko": "온도", "en": "Temp"}}
    assert given_names["power"] == SignalName(ko="주전동기 전력", en="Main motor power", short="P_main")
    for bad, where in [
        ({"power": {"ko": "전력"}}, "power.en"),
        ({"power": {"ko": "전력", "en": "Power", "short": "a_short_name_too_long"}}, "power.short"),
        ({"power": {"ko": "전력", "en": "Power", "unit": "kW"}}, "power"),
        ({"power": {"ko": " ", "en": "Power"}}, "power.ko"),
        (["power"], None),
    ]:
        with pytest.raises(InvalidInput) as refused:
            signal_names(bad)
        assert refused.value.position == where and refused.value.details["messageKo"]


# ---- the dictionary -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "qudt"),
    [
        ("degC", "DEG_C"),
        ("°C", "DEG_C"),
        ("Cel", "DEG_C"),
        ("kelvin", "K"),  # the canonical temperature: not °C
        ("kilowatt_hour", "KiloW-HR"),
        ("kilogram * meter ** 2 / ampere / second ** 3", "V"),  # a volt as canonical SI base units
        ("dimensionless", "ONE"),
        ("RPM", "PER-MIN"),
        ("N·m", "N-M"),  # a torque, not a joule
        ("piece", None),
        ("HRC", None),
        ("kg_CO2e", None),
        ("not a unit", None),
    ],
)
def test_a_unit_is_matched_to_the_dictionary_by_what_it_is(written: str, qudt: str | None) -> None:
    found = public_unit(written)
    assert (found.qudt if found else None) == qudt


def test_the_dictionary_agrees_with_the_unece_codes_units_reads() -> None:
    """Two sources, one meaning: a UNECE code our unit reader knows is the dictionary unit QUDT gives that code."""
    compared = 0
    for unit in UNITS:
        if unit.unece and unit.unece in _ALIASES:
            assert public_unit(unit.unece) is unit, unit.unece
            compared += 1
    assert compared >= 30


def test_every_public_identifier_has_its_dictionarys_form() -> None:
    for unit in UNITS:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", unit.qudt) and unit.symbol.strip() == unit.symbol != ""
        assert unit.iec_cdd is None or re.fullmatch(r"0112/2///62720#UA[A-D]\d{3}", unit.iec_cdd)
        assert unit.unece is None or re.fullmatch(r"[0-9A-Z]{2,3}", unit.unece)
        if unit.quantity:
            assert unit.quantity.iec_cdd is None or re.fullmatch(r"0112/2///62720#UAD\d{3}", unit.quantity.iec_cdd)
    assert len({u.qudt for u in UNITS}) == len(UNITS)


# ---- exports made before the names ---------------------------------------------------------------------------------
def test_an_export_from_before_the_names_still_reads_back() -> None:
    """Written by the previous exporter (preferred name = signal id, unit as stored, English only)."""
    document = json.loads((Path(__file__).parent / "aas_files" / "export-before-names.json").read_text("utf-8"))
    back = measurements_from_aas(document)
    assert {(m.signal, m.unit) for m in back} == {
        ("spindle_temperature", "kelvin"),
        ("주축 부하", "dimensionless"),
        ("power", "kilowatt"),
    }
    assert len(back) == 9 and [m.quality for m in back].count("uncertain") == 1
    assert equipment_from_aas(document).serial_number == "DN-5700-1234"


def test_another_tools_concept_is_read_by_its_english_name_and_unit() -> None:
    """A time series whose variables name concepts of another scheme: signal = English preferred name."""
    text = json.dumps(equipment_to_aas(PRESS, measured([("spindle_temperature", "degC")])), ensure_ascii=False)
    document = json.loads(text.replace("urn:sangsaeng:signal:spindle_temperature:degC", "urn:example:concept:t"))
    back = measurements_from_aas(document)
    assert {(m.signal, m.unit) for m in back} == {("Spindle temperature", "°C")} and len(back) == 3
