"""Hostile and unlucky files: every one is refused early with a sentence (what, where, how to fix), within a
budget, leaving nothing behind — through the library, the CLI, the API and the portal — and the connector keeps
answering while one is read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sangsaeng.cli.main import app as cli
from sangsaeng.datasets.configured import open_store
from sangsaeng.errors import InvalidInput
from sangsaeng.launch import running
from sangsaeng.settings import Settings
from sangsaeng.standard.ingest import check_file
from sangsaeng.standard.mapping import load_mapping
from sangsaeng.standard.sources import LINE, open_source
from sangsaeng.standard.suggest import suggest
from sangsaeng.standard.workbook import Limits
from tests.helpers import Dataspace
from tests.test_portal import PASSWORD, csrf_of, session

pytestmark = pytest.mark.anyio
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


# ---- hostile files, made here ------------------------------------------------------------------------------------
def column(n: int) -> str:
    """A for 0, AA for 26."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(row: int, col: int, text: str) -> str:
    return f'<c r="{column(col)}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def workbook(path: Path, rows: str, shared: str = "", prolog: str = "") -> Path:
    """A minimal .xlsx written part by part, so that a test can put in it what Excel never would."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{PACKAGE}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {MAIN} xmlns:r="{RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?>{prolog}<worksheet {MAIN}><sheetData>{rows}</sheetData></worksheet>',
        )
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {MAIN}>{shared}</sst>')
    return path


HEADER = row(1, [cell(1, i, h) for i, h in enumerate(["설비", "신호", "시각", "값"])])


def good_row(number: int) -> str:
    return row(number, [cell(number, 0, "M1"), cell(number, 1, "temp"), cell(number, 2, "2026-10-01 08:00")])


def strings_bomb(path: Path, strings: int = 1_000_000) -> Path:
    """A few tens of kilobytes that unpack to a shared-strings table of ``strings`` entries."""
    used = row(2, ['<c r="A2" t="s"><v>0</v></c>', cell(2, 1, "x")])
    return workbook(path, HEADER + used, shared="<si><t>a</t></si>" * strings)


def wide(path: Path, columns: int = 5000) -> Path:
    return workbook(path, row(1, [cell(1, i, f"h{i}") for i in range(columns)]))


def huge_cell(path: Path, chars: int = 100_000, shared: bool = False) -> Path:
    if shared:
        body = row(2, ['<c r="A2" t="s"><v>0</v></c>'])
        return workbook(path, HEADER + body, shared=f"<si><t>{'x' * chars}</t></si>")
    return workbook(path, HEADER + row(2, [cell(2, 0, "x" * chars)]))


def xxe(path: Path) -> Path:
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return workbook(path, row(1, [cell(1, 0, "a&xxe;"), cell(1, 1, "b")]), prolog=prolog)


def nested_parquet(path: Path) -> Path:
    pq.write_table(pa.table({"설비": ["M1"], "readings": [{"temp": 1.5}]}), path)
    return path


def long_csv_cell(path: Path, size: int = 5 << 20) -> Path:
    path.write_bytes("설비,값\nM1,".encode() + b"x" * size + b"\n")
    return path


def late_bad_utf8(path: Path) -> Path:
    path.write_bytes("설비,값\n".encode() + b"M1,1\n" * 20_000 + b"M2,\xff\xfe\n")
    return path


def cp949_header(path: Path) -> Path:
    path.write_bytes("설비,값\nM1,1\n".encode("cp949"))
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    # name: (maker, words the refusal must contain)
    "bomb.xlsx": (strings_bomb, r"sharedStrings\.xml unpacks \d+-fold"),
    "wide.xlsx": (wide, r"row 1, cell BXY1: more than 2,000 columns"),
    "cell.xlsx": (huge_cell, r"row 2, cell A2: a cell longer than the 32,767"),
    "shared-cell.xlsx": (lambda p: huge_cell(p, shared=True), r"row 2, cell A2: a cell longer"),
    "xxe.xlsx": (xxe, r"sheet1\.xml declares a DOCTYPE"),
    "nested.parquet": (nested_parquet, r"column readings: a nested column"),
    "cell.csv": (long_csv_cell, r"row 1, column 값: a value of 5,242,880 characters"),
    "late.csv": (late_bad_utf8, r"column 값: not UTF-8 text"),
}


def make(tmp_path: Path, name: str) -> Path:
    return HOSTILE[name][0](tmp_path / name)


def read_all(path: Path, limits: Limits | None = None) -> int:
    source = open_source(path, limits=limits or Limits())
    return sum(b.num_rows for b in source.batches())


# ---- the library refuses each, quickly, in words -----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_refused_early_with_a_sentence(tmp_path: Path, name: str) -> None:
    path = make(tmp_path, name)
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=HOSTILE[name][1]) as refused:
        read_all(path)
    assert time.monotonic() - started < 3
    assert refused.value.hint, "how to fix it"
    assert "root:" not in refused.value.message  # nothing of /etc/passwd


def test_a_sheet_refused_at_its_first_cell_beyond_the_columns_allowed(tmp_path: Path) -> None:
    path = wide(tmp_path / "w.xlsx", 40)
    assert len(open_source(path).headers) == 40
    with pytest.raises(InvalidInput, match="row 1, cell AE1: more than 30 columns"):
        open_source(path, limits=Limits(columns=30))


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        (Limits(shared_strings_mb=1, packing_ratio=10**6), r"sharedStrings\.xml unpacks to more than 1 MB"),
        (Limits(unpacked_mb=1, packing_ratio=10**6), r"unpacks to more than 1 MB \(at part xl/sharedStrings\.xml\)"),
    ],
)
def test_a_workbook_is_refused_beyond_its_unpacked_budget(tmp_path: Path, limits: Limits, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as refused:
        read_all(strings_bomb(tmp_path / "b.xlsx", 100_000), limits)
    assert "SANGSAENG_UPLOAD_MAX_" in (refused.value.hint or "")


def test_a_lying_dimension_does_not_stretch_every_row(tmp_path: Path) -> None:
    """A sheet claiming A1:XFD2 holds four columns: the rows read have four values, not 16,384."""
    body = HEADER + row(2, [cell(2, 0, "M1"), cell(2, 3, "1.5")])
    path = workbook(tmp_path / "d.xlsx", body, prolog="")
    text = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    stretched = text.replace("<sheetData>", '<dimension ref="A1:D2"/><sheetData>')
    with zipfile.ZipFile(tmp_path / "s.xlsx", "w") as z:
        for info in zipfile.ZipFile(path).infolist():
            data = zipfile.ZipFile(path).read(info)
            z.writestr(info.filename, stretched if info.filename.endswith("sheet1.xml") else data)
    source = open_source(tmp_path / "s.xlsx")
    assert [b.drop_columns([LINE]).num_columns for b in source.batches()] == [4]


def test_reading_stops_when_its_time_is_up(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slow.xlsx", HEADER + "".join(good_row(n) for n in range(2, 3003)))
    assert read_all(path) == 3001
    with pytest.raises(InvalidInput, match=r"reading took longer than 1e-06 s \(stopped at row 1000\)"):
        read_all(path, Limits(seconds=1e-6))


def test_a_csv_value_longer_than_a_block_is_a_sentence_not_an_arrow_error(tmp_path: Path) -> None:
    path = long_csv_cell(tmp_path / "c.csv", 50 << 20)
    with pytest.raises(InvalidInput, match=r"c\.csv, row 1 or later: a value or row too long to read") as refused:
        read_all(path, Limits(cell_chars=100 << 20))
    assert "quote" in (refused.value.hint or "")


# Arrow decodes a short CSV row as UTF-8 before our handler of short rows is called; damaged bytes there raise
# inside Arrow, which reports it as an "exception ignored" and then refuses the row — the refusal is what is tested.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from([".xlsx", ".csv", ".parquet", ".jsonl"]),
    cut=st.integers(0, 4000),
    noise=st.binary(min_size=0, max_size=64),
)
def test_any_damaged_file_reads_or_is_refused_in_words(tmp_path: Path, suffix: str, cut: int, noise: bytes) -> None:
    """A real file of each kind, cut short and with bytes overwritten: read, or InvalidInput — nothing else."""
    whole = tmp_path / f"whole{suffix}"
    if not whole.exists():
        if suffix == ".xlsx":
            workbook(whole, HEADER + "".join(good_row(n) for n in range(2, 40)))
        elif suffix == ".parquet":
            pq.write_table(pa.table({"설비": ["M1"] * 50, "값": [1.5] * 50}), whole)
        elif suffix == ".jsonl":
            whole.write_text('{"설비": "M1", "값": 1.5}\n' * 50, "utf-8")
        else:
            whole.write_text("설비,값\n" + "M1,1.5\n" * 50, "utf-8")
    data = bytearray(whole.read_bytes())
    at = cut % max(len(data), 1)
    data[at : at + len(noise)] = noise
    damaged = tmp_path / f"damaged{suffix}"
    damaged.write_bytes(bytes(data[: max(at + len(noise), len(data) - cut // 3)]))
    try:
        read_all(damaged)
    except InvalidInput as exc:
        assert exc.message and damaged.name in exc.message


# ---- the CLI: no traceback ---------------------------------------------------------------------------------------
MAPPING = """entity: measurement
timezone: Asia/Seoul
fields:
  equipment: {column: 설비}
  signal: {column: 신호}
  timestamp: {column: 시각}
  value: {column: 값}
"""


@pytest.mark.parametrize("name", ["bomb.xlsx", "wide.xlsx", "xxe.xlsx", "nested.parquet", "cell.csv", "late.csv"])
def test_the_cli_says_what_is_wrong_without_a_traceback(tmp_path: Path, name: str) -> None:
    load_mapping(MAPPING)  # the mapping itself is fine
    (tmp_path / "m.yaml").write_text(MAPPING, "utf-8")
    path = make(tmp_path, name)
    runner = CliRunner()
    for args in (
        ["map", "check", str(path), "--mapping", str(tmp_path / "m.yaml")],
        ["map", "ingest", str(path), "--mapping", str(tmp_path / "m.yaml"), "--out", str(tmp_path / "out.parquet")],
        ["map", "suggest", str(path), "--entity", "measurement"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output and re.search(HOSTILE[name][1], " ".join(result.output.split()))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "m.yaml"])  # no output, no partial


def test_an_operator_sets_the_cli_limits_like_a_connectors(tmp_path: Path) -> None:
    path = wide(tmp_path / "w.xlsx", 40)
    runner = CliRunner()
    assert runner.invoke(cli, ["map", "suggest", str(path), "--entity", "measurement"]).exit_code == 0
    lowered = runner.invoke(
        cli, ["map", "suggest", str(path), "--entity", "measurement"], env={"SANGSAENG_UPLOAD_MAX_COLUMNS": "30"}
    )
    assert lowered.exit_code == 2 and "more than 30 columns" in lowered.output


# ---- the API: 400 and nothing left behind ------------------------------------------------------------------------
def stored(settings: Settings) -> list[str]:
    """Every file in the connector's dataset store, files being made and debris included."""
    return open_store(settings).files_under("", hidden=True)


async def test_a_cp949_header_is_refused_by_post_datasets_and_leaves_no_file(two: Dataspace, tmp_path: Path) -> None:
    supplier = two.parties["supplier"]
    answer = await supplier.api.post(
        "/api/datasets",
        params={"title": "t", "filename": "x.csv"},
        content=cp949_header(tmp_path / "x.csv").read_bytes(),
    )
    assert answer.status_code == 400, answer.text
    assert "header row is not UTF-8" in answer.json()["error"]["message"]
    assert stored(supplier.connector.settings) == []


@pytest.mark.parametrize("name", ["late.csv", "cell.csv"])
async def test_post_datasets_refuses_unreadable_csv_in_words(two: Dataspace, tmp_path: Path, name: str) -> None:
    supplier = two.parties["supplier"]
    big = long_csv_cell(tmp_path / name, 50 << 20) if name == "cell.csv" else make(tmp_path, name)
    body = big.read_bytes()
    answer = await supplier.api.post("/api/datasets", params={"title": "t", "filename": name}, content=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["hint"]
    assert stored(supplier.connector.settings) == []


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_post_ingest_refuses_each_hostile_file_with_400(two: Dataspace, tmp_path: Path, name: str) -> None:
    supplier = two.parties["supplier"]
    path = make(tmp_path, name)
    with path.open("rb") as handle:
        answer = await supplier.api.post(
            "/api/ingest", data={"mapping": MAPPING, "title": "t"}, files={"file": (name, handle)}
        )
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert re.search(HOSTILE[name][1], error["message"]) and error["hint"]
    assert stored(supplier.connector.settings) == []


# ---- the portal: refused in words, stages cleaned, review pages bounded ------------------------------------------
def stages(two: Dataspace) -> list[str]:
    root = two.parties["supplier"].connector.settings.data_dir / "portal-staging"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.mark.parametrize("name", ["bomb.xlsx", "wide.xlsx", "xxe.xlsx", "nested.parquet", "late.csv"])
async def test_the_portal_refuses_a_hostile_upload_in_words_and_keeps_nothing(
    two: Dataspace, tmp_path: Path, name: str
) -> None:
    steward = await session(two.parties["supplier"], "park", "steward")
    form = await steward.get("/portal/add")
    answer = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "measurement"},
        files={"file": (name, make(tmp_path, name).read_bytes())},
        params={"lang": "ko"},
    )
    assert answer.status_code == 400, answer.text[:2000]
    assert "이 파일은 읽을 수 없어 저장하지 않았습니다" in answer.text
    assert re.search(HOSTILE[name][1], " ".join(answer.text.replace("&#39;", "'").split()))
    assert stages(two) == []


async def test_an_abandoned_stage_is_swept_when_a_new_one_is_made(two: Dataspace, tmp_path: Path) -> None:
    steward = await session(two.parties["supplier"], "park", "steward")
    root = two.parties["supplier"].connector.settings.data_dir / "portal-staging"
    old, recent = root / ("o" * 24), root / ("r" * 24)
    for folder in (old, recent):
        folder.mkdir(parents=True)
        (folder / "source.csv").write_text("a\n1\n")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    form = await steward.get("/portal/add")
    answer = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "measurement"},
        files={"file": ("m.csv", "설비,신호,시각,값\nM1,temp,2026-10-01 08:00,1.5\n".encode())},
    )
    assert answer.status_code == 303
    token = answer.headers["location"].rsplit("/", 1)[1]
    assert stages(two) == sorted([recent.name, token])


async def test_a_review_page_lists_the_first_columns_and_counts_the_rest(two: Dataspace) -> None:
    steward = await session(two.parties["supplier"], "park", "steward")
    headers = ["설비", "신호", "시각", "값"] + [f"extra{i}" for i in range(1500)]
    text = ",".join(headers) + "\n" + ",".join(["M1", "temp", "2026-10-01 08:00", "1.5"] + ["0"] * 1500) + "\n"
    form = await steward.get("/portal/add")
    answer = await steward.post(
        "/portal/add",
        data={"csrf": csrf_of(form.text), "entity": "measurement"},
        files={"file": ("wide.csv", text.encode())},
    )
    assert answer.status_code == 303, answer.text[:2000]
    review = await steward.get(answer.headers["location"], params={"lang": "en"})
    assert review.status_code == 200
    assert "The lists show the first 200 columns" in review.text and "1,304 more are not listed" in review.text
    assert "extra1499" not in review.text and len(review.content) < 1_000_000


def test_a_file_is_suggested_and_checked_like_before(tmp_path: Path) -> None:
    """The limits take nothing from an ordinary file."""
    path = workbook(tmp_path / "ok.xlsx", HEADER + "".join(good_row(n) for n in range(2, 12)))
    source = open_source(path)
    assert suggest("measurement", source.headers, source.sample()).mapping.fields["equipment"].column == "설비"
    assert check_file(path, load_mapping(MAPPING)).rows == 10


# ---- a connector answers while a costly upload is read -----------------------------------------------------------
def test_the_connector_answers_within_a_second_while_a_costly_workbook_is_read(tmp_path: Path) -> None:
    """A workbook allowed by raised limits yet slow to parse (200,000 shared strings) goes through the portal of a
    real connector process; meanwhile its health endpoint answers every time within a second."""
    with running(tmp_path, ["supplier"], upload_max_packing_ratio=1_000_000) as nodes:
        node = nodes["supplier"]
        made = subprocess.run(
            [sys.executable, "-m", "sangsaeng", "user", "add", "park", "--role", "steward", "--password", PASSWORD]
            + ["--data-dir", str(node.init.settings.data_dir)],
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stdout + made.stderr
        bomb = strings_bomb(tmp_path / "slow.xlsx", 200_000).read_bytes()
        base = node.process.url
        done: dict[str, object] = {}
        with httpx.Client(base_url=base, timeout=120) as browser:
            page = browser.get("/portal/login")
            browser.post("/portal/login", data={"csrf": csrf_of(page.text), "name": "park", "password": PASSWORD})
            form = browser.get("/portal/add")

            def upload() -> None:
                started = time.monotonic()
                done["answer"] = browser.post(
                    "/portal/add",
                    data={"csrf": csrf_of(form.text), "entity": "measurement"},
                    files={"file": ("slow.xlsx", bomb)},
                )
                done["seconds"] = time.monotonic() - started

            worker = threading.Thread(target=upload)
            worker.start()
            slowest = 0.0
            with httpx.Client(base_url=base, timeout=5) as health:
                while worker.is_alive():
                    started = time.monotonic()
                    assert health.get("/.well-known/dspace-version").status_code == 200
                    slowest = max(slowest, time.monotonic() - started)
                    time.sleep(0.1)
            worker.join()
        answer = done["answer"]
        assert isinstance(answer, httpx.Response) and answer.status_code in (303, 400), answer.text[:500]
        assert isinstance(done["seconds"], float) and done["seconds"] > 1.0, "the upload was not costly"
        assert slowest < 1.0, slowest

        # `dataset add` (through the API) says what is wrong, without a traceback, and the connector keeps nothing.
        refused = subprocess.run(
            [sys.executable, "-m", "sangsaeng", "dataset", "add", str(cp949_header(tmp_path / "k.csv"))]
            + ["--title", "t", "--data-dir", str(node.init.settings.data_dir)],
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 2 and "header row is not UTF-8" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr + refused.stdout
        assert stored(node.init.settings) == []
