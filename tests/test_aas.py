"""Equipment as an Asset Administration Shell: verified by aas-core, and read back unchanged."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aas_core3.jsonization as jsonization
import aas_core3.verification as verification
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.errors import InvalidInput
from sangsaeng.standard.aas import (
    NAMEPLATE,
    TECHNICAL_DATA,
    TIME_SERIES,
    UTC_TIME,
    environment_to_aas,
    equipment_from_aas,
    equipment_to_aas,
    measurements_from_aas,
    read_aasx,
    write_aasx,
)
from sangsaeng.standard.entities import Equipment, Measurement, arrow_schema

CNC = Equipment(
    id="urn:uuid:7d0f6c64-0000-4000-8000-000000000001",
    site="site:changwon-1",
    isa95_path="Hanbit/Changwon/Machining/Line2/CNC-07",
    manufacturer="DN Solutions",
    model="DNM 5700",
    serial_number="DN-5700-1234",
    year=2019,
)


@pytest.mark.parametrize("equipment", [CNC, Equipment(id="urn:x:bare", site="s", isa95_path="E/S/A")])
def test_equipment_round_trips_through_a_verified_shell(equipment: Equipment) -> None:
    document = equipment_to_aas(equipment)
    environment = jsonization.environment_from_jsonable(json.loads(json.dumps(document)))
    assert list(verification.verify(environment)) == []
    assert equipment_from_aas(document) == equipment


def test_the_shell_carries_the_nameplate_and_technical_data_templates() -> None:
    document = equipment_to_aas(CNC)
    semantic = {s["idShort"]: s["semanticId"]["keys"][0]["value"] for s in document["submodels"]}
    assert semantic == {"Nameplate": NAMEPLATE, "TechnicalData": TECHNICAL_DATA}
    nameplate = next(s for s in document["submodels"] if s["idShort"] == "Nameplate")
    elements = {e["idShort"]: e for e in nameplate["submodelElements"]}
    assert elements["SerialNumber"]["value"] == "DN-5700-1234"
    assert elements["ManufacturerName"]["value"] == [{"language": "en", "text": "DN Solutions"}]


@pytest.mark.parametrize(
    "document",
    [{"assetAdministrationShells": "nope"}, {"submodels": []}, {"assetAdministrationShells": [{"id": ""}]}],
)
def test_what_is_not_a_valid_environment_is_refused(document: Any) -> None:
    with pytest.raises(InvalidInput):
        equipment_from_aas(document)


# ---- time series (IDTA 02008-1-1) and AASX ------------------------------------------------------------
T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def series(equipment: str = CNC.id) -> list[Measurement]:
    signals = [("spindle_temperature", "degC"), ("주축 부하", "percent"), ("power", "kW")]
    return [
        Measurement(
            equipment=equipment,
            signal=signal,
            timestamp=T0 + timedelta(seconds=10 * i),
            value=20.0 + i / 3 + k,
            unit=unit,
            quality="uncertain" if (i, k) == (2, 1) else "good",
        )
        for i in range(6)
        for k, (signal, unit) in enumerate(signals)
        if not (signal == "power" and i % 2)  # power is sampled half as often
    ]


def key(m: Measurement) -> tuple[str, str, datetime]:
    return (m.equipment, m.signal, m.timestamp)


def test_measurements_round_trip_through_a_verified_time_series() -> None:
    measured = series()
    document = json.loads(json.dumps(equipment_to_aas(CNC, measured)))
    assert list(verification.verify(jsonization.environment_from_jsonable(document))) == []
    assert sorted(measurements_from_aas(document), key=key) == sorted(measured, key=key)
    assert equipment_from_aas(document) == CNC


def test_the_time_series_follows_the_idta_template() -> None:
    document = equipment_to_aas(CNC, series())
    submodel = next(s for s in document["submodels"] if s["idShort"] == "TimeSeries")
    assert submodel["semanticId"]["keys"][0]["value"] == TIME_SERIES
    metadata, segments = submodel["submodelElements"]
    record = next(e for e in metadata["value"] if e["idShort"] == "Record")
    assert [e["idShort"] for e in record["value"]][0] == "Time"
    assert record["value"][0]["semanticId"]["keys"][0]["value"] == UTC_TIME
    segment = {e["idShort"]: e for e in segments["value"][0]["value"]}
    assert segment["RecordCount"]["value"] == "6" and len(segment["Records"]["value"]) == 6
    assert segment["StartTime"]["value"] == "2026-10-01T08:00:00Z"
    concepts = {c["id"]: c for c in document["conceptDescriptions"]}
    korean = concepts["urn:sangsaeng:signal:%EC%A3%BC%EC%B6%95%20%EB%B6%80%ED%95%98:percent"]  # our URN stays the id
    spec = korean["embeddedDataSpecifications"][0]["dataSpecificationContent"]
    names = {n["language"]: n["text"] for n in spec["preferredName"]}
    assert spec["unit"] == "%" and names == {"ko": "주축 부하", "en": "Spindle load"}


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["temp", "압력", "flow_1"]),
            st.integers(0, 10_000),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.sampled_from(["good", "uncertain", "bad"]),
        ),
        min_size=1,
        max_size=40,
        unique_by=lambda v: (v[0], v[1]),
    )
)
def test_any_series_round_trips_value_for_value(values: list[tuple[str, int, float, str]]) -> None:
    units = {"temp": "degC", "압력": "bar", "flow_1": "m**3/h"}
    measured = [
        Measurement(
            equipment="urn:x:m", signal=s, timestamp=T0 + timedelta(milliseconds=t), value=v, unit=units[s], quality=q
        )
        for s, t, v, q in values
    ]
    bare = Equipment(id="urn:x:m", site="s", isa95_path="E/S/A")
    back = measurements_from_aas(equipment_to_aas(bare, measured))
    assert sorted(back, key=key) == sorted(measured, key=key)


def test_a_signal_in_two_units_is_refused() -> None:
    mixed = [*series(), series()[0].model_copy(update={"unit": "degF", "timestamp": T0 + timedelta(hours=1)})]
    with pytest.raises(InvalidInput, match="spindle_temperature"):
        equipment_to_aas(CNC, mixed)


def test_shells_and_series_round_trip_through_an_aasx_package(tmp_path: Path) -> None:
    press = Equipment(id="urn:uuid:7d0f6c64-0000-4000-8000-000000000002", site="s", isa95_path="E/S/A/L/Press")
    measured = series() + series(press.id)
    document = environment_to_aas([(CNC, series()), (press, series(press.id))])
    target = tmp_path / "line2.aasx"
    write_aasx(document, target)
    with zipfile.ZipFile(target) as package:
        names = package.namelist()
        assert "[Content_Types].xml" in names and "_rels/.rels" in names
        assert "aas-spec" in package.read("aasx/_rels/aasx-origin.rels").decode()
    back = read_aasx(target)
    assert {s["id"] for s in back["assetAdministrationShells"]} == {
        s["id"] for s in document["assetAdministrationShells"]
    }
    assert sorted(measurements_from_aas(back), key=key) == sorted(measured, key=key)
    assert [p.name for p in tmp_path.iterdir()] == ["line2.aasx"]  # no partial file left


def test_what_is_not_an_aasx_package_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "x.aasx"
    bogus.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput, match="not an AASX package"):
        read_aasx(bogus)


def test_a_record_with_an_unknown_quality_is_refused() -> None:
    document = equipment_to_aas(CNC, series())
    text = json.dumps(document).replace('"value": "uncertain"', '"value": "sort of"')
    with pytest.raises(InvalidInput, match="quality"):
        measurements_from_aas(json.loads(text))


def test_the_cli_exports_canonical_files_as_a_verified_package(tmp_path: Path) -> None:
    equipment, measurements = tmp_path / "equipment.parquet", tmp_path / "measurements.parquet"
    pq.write_table(pa.Table.from_pylist([CNC.model_dump()], schema=arrow_schema(Equipment)), equipment)
    measured = series()
    pq.write_table(
        pa.Table.from_pylist([m.model_dump() for m in measured], schema=arrow_schema(Measurement)), measurements
    )
    target = tmp_path / "cnc.aasx"
    result = CliRunner().invoke(
        app, ["aas", "export", str(equipment), "--measurements", str(measurements), "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert f"1 shell(s), {len(measured)} measurement(s)" in result.output
    document = read_aasx(target)
    assert equipment_from_aas(document) == CNC
    assert sorted(measurements_from_aas(document), key=key) == sorted(measured, key=key)

    stranger = tmp_path / "stranger.parquet"
    other = series("urn:x:not-listed")[:1]
    pq.write_table(pa.Table.from_pylist([m.model_dump() for m in other], schema=arrow_schema(Measurement)), stranger)
    refused = CliRunner().invoke(
        app, ["aas", "export", str(equipment), "--measurements", str(stranger), "--out", str(tmp_path / "x.json")]
    )
    assert refused.exit_code == 2 and "urn:x:not-listed" in refused.output
    assert not (tmp_path / "x.json").exists()


def test_the_cli_takes_what_people_call_the_signals(tmp_path: Path) -> None:
    equipment, measurements = tmp_path / "equipment.parquet", tmp_path / "measurements.parquet"
    pq.write_table(pa.Table.from_pylist([CNC.model_dump()], schema=arrow_schema(Equipment)), equipment)
    pq.write_table(
        pa.Table.from_pylist([m.model_dump() for m in series()], schema=arrow_schema(Measurement)), measurements
    )
    names = tmp_path / "names.yaml"
    names.write_text("power: {ko: 주전동기 전력, en: Main motor power, short: P_main}\n", "utf-8")
    target = tmp_path / "cnc.json"
    command = ["aas", "export", str(equipment), "--measurements", str(measurements), "--out", str(target)]
    result = CliRunner().invoke(app, [*command, "--signal-names", str(names)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text("utf-8"))
    content = {
        c["idShort"]: c["embeddedDataSpecifications"][0]["dataSpecificationContent"]
        for c in document["conceptDescriptions"]
    }
    assert content["power"]["preferredName"] == [
        {"language": "ko", "text": "주전동기 전력"},
        {"language": "en", "text": "Main motor power"},
    ]
    assert content["power"]["shortName"] == [{"language": "en", "text": "P_main"}]
    assert content["spindle_temperature"]["preferredName"][0] == {"language": "ko", "text": "주축 온도"}  # derived
    assert sorted(measurements_from_aas(document), key=key) == sorted(series(), key=key)

    names.write_text("power: {ko: 전력}\n", "utf-8")
    refused = CliRunner().invoke(app, [*command, "--signal-names", str(names)], env={"LANG": "ko_KR.UTF-8"})
    assert refused.exit_code == 2 and "power.en" in refused.output and "이름이 필요합니다" in refused.output
