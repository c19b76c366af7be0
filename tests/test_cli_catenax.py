"""`sangsaeng catenax export parts|bom|usage` and `catenax import`: canonical Parquet to Catena-X aspects, one file
per document, valid against the official schema of the release asked for, and back to the same records; refused
whole, in Korean or English, naming what is missing or where a file is damaged, with nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app
from sangsaeng.standard.catenax import RELEASES, Release
from sangsaeng.standard.catenax.export import NAME_BYTES, FileNames, part_documents, safe_name
from sangsaeng.standard.catenax.gather import Gathered
from sangsaeng.standard.entities import ENTITIES, BomLink, Entity, PartInstance, PartType, arrow_schema
from sangsaeng.standard.versions import read_table, stored_version
from tests.catenax_schemas import errors

runner = CliRunner()
SEOUL = ZoneInfo("Asia/Seoul")
# 20:00 UTC is the next morning in Seoul and the same evening in Berlin: the production day tells the zone apart.
MADE = datetime(2026, 10, 1, 20, 0, tzinfo=UTC)
SUPPLIER, CUSTOMER, MAKER = "BPNLDEMOSUNGJIN1", "BPNLDEMODAEHAN01", "BPNLDEMOHANBIT01"


def uid(n: int) -> str:
    return f"urn:uuid:6c5b8b2c-0000-4000-8000-{n:012d}"


CALIPER = PartType(
    id="pt:BRK-CAL-2041",
    manufacturer_part_id="BRK-CAL-2041",
    customer_part_id="58130-AB000",
    name="브레이크 캘리퍼 하우징",
    name_at_customer="캘리퍼 ASSY",
    classification="1004712",
    classification_standard="GIN 20510-21513",
)
RING = PartType(
    id="pt:SJ-RING-07",
    manufacturer_part_id="SJ-RING-07",
    customer_part_id="HB-RING-07",
    name="씰 링",
    name_at_customer="Seal ring",
    classification="1004713",
    classification_standard="GIN 20510-21513",
)
# Serial and lot numbers a file system would not take as they are, or tells apart only by case.
PARTS = [
    PartInstance(global_asset_id=uid(1), part_type=CALIPER.id, kind="serial", local_id="SN/0042", production_date=MADE),
    PartInstance(
        global_asset_id=uid(2),
        part_type=CALIPER.id,
        kind="serial",
        local_id="sn-1",
        production_date=MADE + timedelta(hours=5, minutes=7),
        site="BPNSDEMOHANBITC1",
    ),
    PartInstance(global_asset_id=uid(3), part_type=CALIPER.id, kind="serial", local_id="SN-1", production_date=MADE),
    PartInstance(global_asset_id=uid(4), part_type=RING.id, kind="batch", local_id="로트 26/10", production_date=MADE),
    PartInstance(global_asset_id=uid(5), part_type=RING.id, kind="batch", local_id=None, production_date=MADE),
]
LINKS = [
    BomLink(
        parent=uid(1),
        child=uid(10 + n),
        quantity=q,
        quantity_unit=unit,
        lifecycle="as-built",
        business_partner=SUPPLIER,
        customer=CUSTOMER,
        created_on=MADE + timedelta(minutes=n),
        has_alternatives=n % 2 == 0,
    )
    for n, (q, unit) in enumerate([(2, "piece"), (0.25, "kilogram"), (1.5, "meter")])
] + [
    BomLink(
        parent=uid(2),
        child=uid(10),  # the same child in two parents: its usage names both
        quantity=1,
        lifecycle="as-built",
        business_partner=SUPPLIER,
        customer=MAKER,
        created_on=MADE,
        has_alternatives=True,
    )
]
PART_RELEASES = ["4.0.0", "3.0.1"]
LINK_RELEASES = ["4.0.0", "3.0.0"]


def parquet(path: Path, records: list[Any]) -> Path:
    model = type(records[0])
    pq.write_table(pa.Table.from_pylist([r.model_dump() for r in records], schema=arrow_schema(model)), path)
    return path


def sangsaeng(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200", "LANG": "C.UTF-8"})
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())


def canonical(folder: Path, entity: str) -> list[Any]:
    path = folder / f"{entity}.parquet"
    assert stored_version(pq.read_schema(path)) == (entity, ENTITIES[entity].schema_version)
    return [ENTITIES[entity].model_validate(row) for row in read_table(path).to_pylist()]


def envelopes(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.iterdir())}


def of_urn(urn: str) -> Release:
    return next(r for releases in RELEASES.values() for r in releases if r.urn == urn)


def valid(folder: Path, version: str) -> list[str]:
    """Every file's release, after checking that each is the release asked for and valid against its schema."""
    found = []
    for name, envelope in envelopes(folder).items():
        of = of_urn(envelope["aspectType"])
        assert of.version == version, name
        assert errors(of, envelope["payload"]) == [], name
        found.append(of.aspect)
    return found


def kept_day(moment: datetime | None, version: str, zone: ZoneInfo = SEOUL) -> datetime | None:
    """What a release keeps of a production time: 4.0.0 the day where the company works, 3.x the instant."""
    assert moment is not None
    if version.startswith("3"):
        return moment
    return datetime.combine(moment.astimezone(zone).date(), datetime.min.time(), zone).astimezone(UTC)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "parts": parquet(tmp_path / "part_instance.parquet", PARTS),
        "types": parquet(tmp_path / "part_type.parquet", [CALIPER, RING]),
        "links": parquet(tmp_path / "bom_link.parquet", LINKS),
    }


@pytest.mark.parametrize("version", PART_RELEASES)
def test_parts_go_out_valid_and_come_back_the_same(tmp_path: Path, files: dict[str, Path], version: str) -> None:
    # 3.x names every part by its serial or batch number; 4.0.0 by its global asset id alone when it has none
    parts = PARTS if version == "4.0.0" else PARTS[:4]
    instances = parquet(tmp_path / "parts.parquet", parts)
    out = tmp_path / "parts"
    said = sangsaeng(
        "catenax", "export", "parts", instances, "--types", files["types"], "--manufacturer", MAKER,
        "--release", version, "--out", out,
    )  # fmt: skip
    batches = len(parts) - 3
    assert f"3 SerialPart {version}, {batches} Batch {version} → {out}" in said
    assert sorted(valid(out, version)) == ["Batch"] * batches + ["SerialPart"] * 3
    # named by the serial or batch number, made safe, told apart without regard to case; else the asset id
    names = sorted(envelopes(out))
    assert names[:3] == ["SN_0042.json", "sn-1.json", "urn_uuid_6c5b8b2c-0000-4000-8000-000000000003.json"]
    assert names[-1] == "로트_26_10.json"
    assert names[3:-1] == ([] if batches == 1 else ["urn_uuid_6c5b8b2c-0000-4000-8000-000000000005.json"])

    back = tmp_path / "back"
    said = sangsaeng("catenax", "import", out, "--out", back)
    assert f"{len(parts)} document(s)" in said and f"part_instance.parquet ({len(parts)})" in said
    assert "part_type.parquet (2)" in said and f"manufacturerId) of {len(parts)} part(s) is not kept" in said
    expected = [p.model_copy(update={"production_date": kept_day(p.production_date, version)}) for p in parts]
    assert sorted(canonical(back, "part_instance"), key=str) == sorted(expected, key=str)
    # Batch carries no customer fields: the ring, used only by batches, comes back without them
    ring = RING.model_copy(update={"customer_part_id": None, "name_at_customer": None})
    assert sorted(canonical(back, "part_type"), key=str) == sorted([CALIPER, ring], key=str)
    assert not (back / "bom_link.parquet").exists()


@pytest.mark.parametrize("version", LINK_RELEASES)
def test_boms_and_usages_go_out_valid_and_come_back_the_same(
    tmp_path: Path, files: dict[str, Path], version: str
) -> None:
    down, up = tmp_path / "bom", tmp_path / "usage"
    assert f"2 SingleLevelBomAsBuilt {version}" in sangsaeng(
        "catenax", "export", "bom", files["links"], "--release", version, "--out", down
    )
    assert f"3 SingleLevelUsageAsBuilt {version}" in sangsaeng(
        "catenax", "export", "usage", files["links"], "--release", version, "--out", up
    )
    assert valid(down, version) == ["SingleLevelBomAsBuilt"] * 2
    assert valid(up, version) == ["SingleLevelUsageAsBuilt"] * 3
    usage_of_10 = envelopes(up)["urn_uuid_6c5b8b2c-0000-4000-8000-000000000010.json"]["payload"]
    assert sorted(usage_of_10["customers"]) == sorted([CUSTOMER, MAKER])

    def back(*folders: Path) -> list[BomLink]:
        target = tmp_path / f"back-{len(list(tmp_path.iterdir()))}"
        sangsaeng("catenax", "import", *folders, "--out", target)
        return sorted(canonical(target, "bom_link"), key=str)

    # each direction names one partner of the link; the two together give the whole link
    assert back(down) == sorted((x.model_copy(update={"customer": None}) for x in LINKS), key=str)
    assert back(up) == sorted((x.model_copy(update={"business_partner": None}) for x in LINKS), key=str)
    assert back(down, up) == sorted(LINKS, key=str)


def test_release_3_is_the_3_x_release_of_each_aspect(tmp_path: Path, files: dict[str, Path]) -> None:
    sangsaeng("catenax", "export", "bom", files["links"], "--release", "3", "--out", tmp_path / "bom")
    sangsaeng("catenax", "export", "parts", files["parts"], "--types", files["types"], "--release", "3",
              "--out", tmp_path / "parts", code=1)  # fmt: skip  # the lot without a number: 3.x needs one
    assert valid(tmp_path / "bom", "3.0.0") == ["SingleLevelBomAsBuilt"] * 2


def test_a_production_date_is_the_day_where_the_connector_says_the_company_works(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    berlin = tmp_path / "berlin"
    berlin.mkdir()
    (berlin / "connector.toml").write_text('timezone = "Europe/Berlin"\n', "utf-8")
    args: list[str | Path] = ["catenax", "export", "parts", files["parts"], "--types", files["types"]]
    sangsaeng(*args, "--out", tmp_path / "seoul-out")
    sangsaeng(*args, "--data-dir", berlin, "--out", tmp_path / "berlin-out")
    sangsaeng(*args, "--timezone", "Europe/Berlin", "--out", tmp_path / "asked-out")

    def day(folder: str) -> str:
        made: str = envelopes(tmp_path / folder)["SN_0042.json"]["payload"]["manufacturingInformation"][
            "productionDate"
        ]
        return made

    assert (day("seoul-out"), day("berlin-out"), day("asked-out")) == ("2026-10-02", "2026-10-01", "2026-10-01")
    sangsaeng(*args, "--timezone", "Mars/Olympus", "--out", tmp_path / "nowhere", code=2)
    assert not (tmp_path / "nowhere").exists()


def nothing_written(parent: Path, out: Path) -> None:
    assert not out.exists()
    assert not [p for p in parent.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize(
    ("language", "label", "count"),
    [("--ko", "생산 일시", "1건에 없습니다"), ("--en", "Made on", "1 record(s) have none")],
)
def test_a_missing_production_date_is_refused_by_its_label_and_nothing_is_written(
    tmp_path: Path, language: str, label: str, count: str
) -> None:
    undated = [PARTS[0], PARTS[1].model_copy(update={"production_date": None}), PARTS[3]]
    parts = parquet(tmp_path / "part_instance.parquet", undated)
    types = parquet(tmp_path / "part_type.parquet", [CALIPER.model_copy(update={"name_at_customer": None}), RING])
    out = tmp_path / "out"
    said = sangsaeng("catenax", "export", "parts", parts, "--types", types, "--out", out, language, code=1)
    assert f"{label}: SerialPart 4.0.0" in said and count in said and "[part_instance.production_date]" in said
    assert "production_date: {column: …}" in said and "sangsaeng map check" in said  # how to give it
    # every field at once, not the first alone: the customer's name of the caliper is missing too
    assert "[part_type.name_at_customer]" in said
    assert "Batch" not in said  # the lot has its date
    nothing_written(tmp_path, out)
    # at 3.0.1 the customer's name is not required; the date still is
    said = sangsaeng("catenax", "export", "parts", parts, "--types", types, "--out", out, "--release", "3.0.1",
                     language, code=1)  # fmt: skip
    assert "SerialPart 3.0.1" in said and "name_at_customer" not in said
    nothing_written(tmp_path, out)


def test_korean_is_the_default_when_lang_is_korean(tmp_path: Path) -> None:
    parts = parquet(tmp_path / "p.parquet", [PARTS[0].model_copy(update={"production_date": None})])
    types = parquet(tmp_path / "t.parquet", [CALIPER])
    args = ["catenax", "export", "parts", str(parts), "--types", str(types), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args, env={"LANG": "ko_KR.UTF-8", "COLUMNS": "200"})
    assert result.exit_code == 1 and "생산 일시" in result.output and "아무것도 쓰지 않았습니다" in result.output


def test_links_the_release_cannot_hold_are_refused_whole(tmp_path: Path) -> None:
    planned = LINKS[1].model_copy(update={"lifecycle": "as-planned"})
    anonymous = LINKS[2].model_copy(update={"business_partner": None})
    links = parquet(tmp_path / "bom_link.parquet", [LINKS[0], planned, anonymous])
    out = tmp_path / "out"
    said = sangsaeng("catenax", "export", "bom", links, "--out", out, code=1)
    assert "Supplier: SingleLevelBomAsBuilt 4.0.0 requires it" in said and "[bom_link.business_partner]" in said
    assert "must be as-built; 1 record(s) hold something else" in said
    nothing_written(tmp_path, out)
    said = sangsaeng("catenax", "export", "bom", links, "--out", out, "--release", "3.0.1", code=2)
    assert "SingleLevelBomAsBuilt 3.0.1 is not written here" in said and "4.0.0, 3.0.0" in said


def test_a_refusal_while_writing_leaves_nothing_half_written(tmp_path: Path) -> None:
    # the second parent names one child twice, which only writing its document finds: the first is written by then
    twice = [LINKS[3], LINKS[3].model_copy(update={"quantity": 3.0})]
    links = parquet(tmp_path / "bom_link.parquet", [*LINKS[:3], *twice])
    out = tmp_path / "out"
    said = sangsaeng("catenax", "export", "bom", links, "--out", out, code=2)
    assert f"{uid(10)} is linked to {uid(2)} twice" in said
    nothing_written(tmp_path, out)


def test_files_given_the_wrong_way_round_are_refused_by_what_they_hold(tmp_path: Path, files: dict[str, Path]) -> None:
    said = sangsaeng("catenax", "export", "parts", files["types"], "--types", files["parts"], "--out", tmp_path / "o",
                     code=2)  # fmt: skip
    assert "part_type.parquet holds part_type records, not part_instance" in said
    said = sangsaeng("catenax", "export", "usage", files["parts"], "--out", tmp_path / "o", "--ko", code=2)
    assert "part_instance.parquet에는 bom_link가 아니라 part_instance 기록이 있습니다" in said
    nothing_written(tmp_path, tmp_path / "o")


def test_a_folder_that_holds_files_is_not_written_into(tmp_path: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", "utf-8")
    said = sangsaeng("catenax", "export", "bom", files["links"], "--out", out, code=2)
    assert "not an empty folder" in said and [p.name for p in out.iterdir()] == ["keep.txt"]
    (out / "keep.txt").unlink()  # an empty folder is taken
    sangsaeng("catenax", "export", "bom", files["links"], "--out", out)
    assert len(list(out.iterdir())) == 2


def test_a_damaged_file_is_refused_with_its_name_and_position(tmp_path: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "bom"
    sangsaeng("catenax", "export", "bom", files["links"], "--out", out)
    damaged = out / "urn_uuid_6c5b8b2c-0000-4000-8000-000000000001.json"  # the parent of three children
    text = damaged.read_text("utf-8")
    damaged.write_text(text.replace('"quantity": {', '"quantity": {,', 1), "utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if '"quantity": {' in x)) + 1
    back = tmp_path / "back"
    said = sangsaeng("catenax", "import", out, "--out", back, code=2)
    assert str(damaged) in said and f"line {line}, column" in said and "not a JSON document" in said
    nothing_written(tmp_path, back)
    said = sangsaeng("catenax", "import", out, "--out", back, "--ko", code=2)
    assert "JSON 문서로 읽을 수 없습니다" in said and f"line {line}, column" in said

    # valid JSON that is not a valid aspect: the file and the JSON path of what is wrong
    document = json.loads(text)
    del document["payload"]["childItems"][1]["quantity"]
    damaged.write_text(json.dumps(document), "utf-8")
    said = sangsaeng("catenax", "import", out, "--out", back, code=2)
    assert f"{damaged}: childItems[1].quantity" in said and "gives no quantity" in said
    nothing_written(tmp_path, back)


def test_bare_documents_are_read_with_their_semantic_id(tmp_path: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "parts"
    sangsaeng("catenax", "export", "parts", files["parts"], "--types", files["types"], "--out", out)
    bare = tmp_path / "bare.json"
    serial = envelopes(out)["SN_0042.json"]
    bare.write_text(json.dumps(serial["payload"]), "utf-8")
    said = sangsaeng("catenax", "import", bare, "--out", tmp_path / "no", code=2)
    assert "does not say which aspect" in said and "--aspect" in said
    pcf = "urn:samm:io.catenax.pcf:7.0.0#Pcf"  # an aspect this command does not read
    said = sangsaeng("catenax", "import", bare, "--out", tmp_path / "no", "--aspect", pcf, code=2)
    assert f"{bare}: '{pcf}' is not the semantic id of SerialPart or Batch or" in said
    nothing_written(tmp_path, tmp_path / "no")
    sangsaeng("catenax", "import", bare, "--out", tmp_path / "yes", "--aspect", serial["aspectType"])
    assert canonical(tmp_path / "yes", "part_instance")[0].local_id == "SN/0042"


def test_two_documents_that_disagree_about_a_part_are_refused_naming_both(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    out = tmp_path / "parts"
    sangsaeng("catenax", "export", "parts", files["parts"], "--types", files["types"], "--out", out)
    twin = envelopes(out)["sn-1.json"]
    twin["payload"]["manufacturingInformation"]["sites"][0]["siteId"] = "BPNSDEMOHANBITC2"
    (out / "twin.json").write_text(json.dumps(twin), "utf-8")
    said = sangsaeng("catenax", "import", out, "--out", tmp_path / "back", "--ko", code=2)
    assert f"{out / 'twin.json'}에서: {uid(2)}의 생산 사업장(site)가 여기에는 'BPNSDEMOHANBITC2', " in said
    assert f"{out / 'sn-1.json'}에는 'BPNSDEMOHANBITC1'로 서로 다릅니다" in said
    nothing_written(tmp_path, tmp_path / "back")
    # a part type under several parts is one record; what they say of it must agree as well
    (out / "twin.json").unlink()
    twin["payload"]["globalAssetId"] = uid(99)
    twin["payload"]["manufacturingInformation"]["sites"][0]["siteId"] = "BPNSDEMOHANBITC1"
    twin["payload"]["partTypeInformation"]["nameAtManufacturer"] = "다른 이름"
    (out / "twin.json").write_text(json.dumps(twin, ensure_ascii=False), "utf-8")
    said = sangsaeng("catenax", "import", out, "--out", tmp_path / "back", code=2)
    assert "Part name (name) is '다른 이름' here but '브레이크 캘리퍼 하우징' in" in said
    nothing_written(tmp_path, tmp_path / "back")


@pytest.mark.parametrize(
    "command", [["catenax"], ["catenax", "export"], *(["catenax", "export", c] for c in ("parts", "bom", "usage"))]
    + [["catenax", "import"]], ids=" ".join
)  # fmt: skip
def test_every_catenax_command_explains_itself(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    description = result.output.split("Usage", 1)[1].split("\n", 3)[-1].strip()
    assert len(description) > 20, result.output


# What holds for every name and every set of ids, without the command line.
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_a_safe_name_is_safe_on_every_common_file_system(text: str) -> None:
    name = safe_name(text)
    assert name and len(name.encode()) <= NAME_BYTES + 1
    assert not set(name) & set('/\\:*?"<>|\x00') and all(c.isprintable() for c in name)
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20) | st.none(), st.uuids()), max_size=30))
def test_names_in_one_folder_never_collide(ids: list[tuple[str | None, Any]]) -> None:
    names = FileNames()
    given_names = [names.name(local, f"urn:uuid:{asset}") for local, asset in ids]
    assert len({n.casefold() for n in given_names}) == len(given_names)


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(["serial", "batch"]), st.none() | st.text(max_size=8).filter(str.strip), moments),
        max_size=8,
    ),
    st.sampled_from(PART_RELEASES),
    st.sampled_from(["Asia/Seoul", "Europe/Berlin", "America/Los_Angeles"]),
)
def test_any_parts_read_back_from_their_documents(parts: list[Any], version: str, zone: str) -> None:
    instances = [
        PartInstance(
            global_asset_id=uid(n),
            part_type=CALIPER.id,
            kind=kind,
            local_id=f"L{n}" if local is None and version.startswith("3") else local,  # 3.x requires one
            production_date=made,
        )
        for n, (kind, local, made) in enumerate(parts)
    ]
    gathered = Gathered()
    for name, aspect in part_documents(instances, {CALIPER.id: CALIPER}, version=version, zone=zone):
        gathered.add(json.loads(json.dumps(aspect.envelope())), name, zone=zone)
    read: dict[str, list[Entity]] = gathered.records()
    expected = [
        i.model_copy(update={"production_date": kept_day(i.production_date, version, ZoneInfo(zone))})
        for i in instances
    ]
    assert read.get("part_instance", []) == expected
