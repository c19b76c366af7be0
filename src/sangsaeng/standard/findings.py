"""What checking a file found, as data: a ``Finding`` per problem (stable code, record, sheet row, field, source
column, value, what was expected; a message and a hint in English and Korean), and the ``Report`` that keeps every
one of them — past ``Report.MEMORY`` findings on a temporary file — counted by code and severity, and read back
in pages.

Errors set their row aside; notes (``no-value``) are shown and counted but never set a row aside.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import IO, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.standard.labels import field_label

Severity = Literal["error", "note"]
NOTES = frozenset({"no-value", "pact-unmapped", "pact-empty", "known-value"})

MESSAGES: dict[str, tuple[str, str]] = {
    "missing-value": ("{field} is required but empty{found}", "{field} 값이 비어 있습니다 (필수 항목){found}"),
    "type-error": ("{field}: {value!r} is not {expected}", "{field}: {value!r}은(는) {expected} 형식이 아닙니다"),
    "bad-date": (
        "{field}: {value!r} is not a date/time ({expected})",
        "{field}: {value!r}은(는) 날짜/시간이 아닙니다 ({expected})",
    ),
    "out-of-range": (
        "{field}: {value} is out of range ({expected})",
        "{field}: {value} 값이 허용 범위를 벗어났습니다 ({expected})",
    ),
    "unknown-code": (
        "{field}: {value!r} is not one of {expected}",
        "{field}: {value!r}은(는) 허용된 코드가 아닙니다 ({expected})",
    ),
    "duplicate-key": ("{field}: {value} appears more than once", "{field}: {value} 이(가) 중복되었습니다"),
    "duplicate-row": (
        "the whole row repeats an earlier one: {value} ({expected})",
        "행 전체가 앞의 행과 똑같습니다: {value} ({expected})",
    ),
    "unknown-unit": (
        "{field}: unit {value!r} is unknown ({expected})",
        "{field}: 단위 {value!r}을(를) 알 수 없습니다 ({expected})",
    ),
    "unit-mismatch": (
        "{field}: unit {value!r} does not fit ({expected})",
        "{field}: 단위 {value!r}은(는) 맞지 않습니다 ({expected})",
    ),
    "no-value": (
        "{field}: {expected!r} means no value; read as an empty cell",
        "{field}: {expected!r}은(는) 값 없음 표시이므로 빈 칸으로 읽었습니다",
    ),
    "missing-measurement": (
        "{field}: no measured value{found}, though the record has limits, a nominal value or a unit",
        "{field}: 측정값이 없습니다{found} (규격 한계, 기준값 또는 단위는 있음)",
    ),
    "bad-format": (
        "{field}: {value!r} is not {expected}",
        "{field}: {value!r}은(는) {expected} 형식이 아닙니다",
    ),
    "pact-unmapped": (
        "{label} ({field}): needed to export {expected}, and the mapping neither reads it from a column nor "
        "gives its value",
        "{label} ({field}): {expected} 내보내기에 필요한데, 매핑이 열에서 읽지도 값을 주지도 않습니다",
    ),
    "pact-empty": (
        "{label} ({field}): empty{found}, and needed to export {expected}",
        "{label} ({field}): 비어 있습니다{found}. {expected} 내보내기에 필요합니다",
    ),
    "known-value": (
        "{label} ({field}): the mapping does not give it; this connector's settings say {value}",
        "{label} ({field}): 매핑에는 없지만 이 커넥터 설정에 {value}(으)로 있습니다",
    ),
}

# How to fix each problem, in the words of the person who keeps the sheet.
HINTS: dict[str, tuple[str, str]] = {
    "missing-value": (
        "fill in the cell, or map {field} to a column that has it (or to a fixed value in the mapping)",
        "셀에 값을 넣거나, 값이 있는 열 또는 고정값으로 {field}을(를) 매핑하세요",
    ),
    "type-error": (
        "write a number (12.5, 1,234.5 or 12.5 mm), or leave the cell empty when there is none",
        "숫자로 적거나 (12.5, 1,234.5, 12.5 mm), 값이 없으면 셀을 비워 두세요",
    ),
    "bad-date": (
        "write the date as the other rows do, or give the mapping the format the file uses (an example date)",
        "다른 행과 같은 형식으로 날짜를 적거나, 매핑에 파일이 쓰는 날짜 형식(예시 날짜)을 지정하세요",
    ),
    "out-of-range": (
        "check the value for a typing or sign error (allowed: {expected})",
        "입력 실수나 부호를 확인하세요 (허용: {expected})",
    ),
    "unknown-code": (
        "use one of the allowed values, or tell the mapping what this one means (e.g. 재검: reinspect)",
        "허용된 값 중 하나를 쓰거나, 매핑에 이 값의 뜻을 지정하세요 (예: 재검 → reinspect)",
    ),
    "duplicate-key": (
        "different records share this key: keep the right one, or map the column that tells them apart "
        "(e.g. a sample number)",
        "서로 다른 행이 같은 키를 가집니다: 맞는 행만 남기거나, 행을 구분하는 열(예: 시료 번호)을 매핑하세요",
    ),
    "duplicate-row": (
        "the same row was entered or exported twice: delete the repeated row",
        "같은 행이 두 번 입력되었거나 두 번 내보내졌습니다: 반복된 행을 지우세요",
    ),
    "unknown-unit": (
        "write a unit the platform reads (e.g. mm, kWh, °C, HRC), or state the unit in the mapping",
        "읽을 수 있는 단위(예: mm, kWh, °C, HRC)로 적거나, 매핑에 단위를 지정하세요",
    ),
    "unit-mismatch": (
        "this unit measures something else: check that the right column is mapped, or correct the unit",
        "이 단위는 다른 양을 나타냅니다: 올바른 열이 매핑되었는지 확인하거나 단위를 고치세요",
    ),
    "no-value": (
        "nothing to fix if the value is really unknown; fill it in if it was measured",
        "값을 정말 모른다면 고칠 것이 없습니다; 측정했다면 값을 넣으세요",
    ),
    "missing-measurement": (
        "enter the measured value; for a pass/fail (attribute) check, leave limits, nominal and unit empty",
        "측정값을 넣으세요; 합격/불합격만 판정하는 검사라면 규격 한계, 기준값, 단위를 비워 두세요",
    ),
    "bad-format": ("write it as the field's standard does: {expected}", "항목의 표준대로 적으세요: {expected}"),
    "pact-unmapped": (
        "map a column or type the value (the data is kept either way; the export asks for it)",
        "열을 매핑하거나 값을 입력하세요 (데이터는 그대로 게시되고, 내보낼 때 이 값이 필요합니다)",
    ),
    "pact-empty": (
        "fill in the cell if it is known; nothing else to fix (the row is kept)",
        "알고 있다면 칸을 채우세요; 그 밖에 고칠 것은 없습니다 (행은 게시됩니다)",
    ),
    "known-value": (
        "if it is right, give it in the mapping ({field}: {expected}); the portal's review page fills it in for you "
        "to confirm",
        "맞다면 매핑에 넣으세요 ({field}: {expected}). 포털의 검토 화면에는 미리 채워져 있으니 확인만 하면 됩니다",
    ),
}

# The expectations the checks write, in Korean; the rest (formats, codes, units) read the same in both.
EXPECTED_KO = {
    "a number": "숫자",
    "a whole number": "정수",
    "a value": "값",
    "e.g. kWh, kg, mm, °C": "예: kWh, kg, mm, °C",
    "a number (decimal ','; e.g. 1.234,5)": "숫자 (소수점 ','; 예: 1.234,5)",
    "a plain number, or a unit for this field in the mapping": "단위 없는 숫자, 또는 매핑에서 이 항목의 단위 지정",
    "a UN CPC code: 1 to 5 digits": "UN CPC 코드: 숫자 1–5자리",
    "a unit a footprint is declared in: kg, t, EA (개, piece), L, m³, m², kWh, MJ, h": (
        "탄소발자국의 기준 단위: kg, 톤, 개(EA), L, m³, m², kWh, MJ, 시간"
    ),
    "an IPCC assessment report: AR and its number, e.g. AR6": "IPCC 평가보고서: AR과 그 번호 (예: AR6)",
    (
        "a URN, e.g. urn:pact:sample.com:product-id:44055-9c05bc35-68f8; a part number becomes one with the "
        "mapping's prefix for the field (prefix: urn:pact:<your domain>:product-id:)"
    ): (
        "URN, 예: urn:pact:sample.com:product-id:44055-9c05bc35-68f8. 품번은 매핑에서 이 항목의 접두어(prefix)를 "
        "주면 URN이 됩니다 (prefix: urn:pact:<회사 도메인>:product-id:)"
    ),
}
EXPECTED_KO_PREFIX = {
    "a column named ": "열 이름 ",
    "convertible to ": "다음으로 변환 가능: ",
    "a unit convertible to ": "다음으로 변환할 수 있는 단위: ",
    "did you mean: ": "다음 중 하나가 아닌가요: ",
    "unique; first seen in row ": "중복 불가; 처음 나온 행 ",
    "unique; seen again in row ": "중복 불가; 다시 나온 행 ",
    "no exact repeat; first seen in row ": "반복 불가; 처음 나온 행 ",
    "a URN, e.g. ": "URN, 예: ",
}


def expected_ko(expected: str) -> str:
    if expected in EXPECTED_KO:
        return EXPECTED_KO[expected]
    for english, korean in EXPECTED_KO_PREFIX.items():
        if expected.startswith(english):
            return korean + expected.removeprefix(english)
    return expected


MEANINGS = {
    "missing-value": "a required field is empty (or holds a no-value marker such as N/A)",
    "type-error": "a cell that should hold a number does not",
    "bad-date": "a cell that should hold a date or time does not, in any form the mapping reads",
    "out-of-range": "a value outside what the field allows (e.g. a negative count)",
    "unknown-code": "a cell that is none of the field's values, and not one the mapping names",
    "duplicate-key": "two or more different rows share one key: all of them are set aside",
    "duplicate-row": "a row that repeats an earlier one in every cell, mapped or not: the earlier one is kept",
    "unknown-unit": "a unit that is not known",
    "unit-mismatch": "a unit of another quantity than the field's",
    "no-value": "a marker that means no value (-, N/A, 측정불가 …) in an optional field: read as empty",
    "missing-measurement": "a quality result with limits, a nominal value or a unit, but no measured value",
    "bad-format": "a value not written the way the field's standard writes it (a URN, AR6, a CPC code)",
    "pact-unmapped": "a field a PACT export needs that the mapping does not give (once per field, record 0)",
    "pact-empty": "a field a PACT export needs left empty in a row",
    "known-value": "a field the mapping does not give and the connector's settings do (its participant id, name)",
}


def reference_lines() -> list[str]:
    """The reference page's section on what a check reports (``standard.reference``)."""
    lines = [
        "## Problems a check reports",
        "",
        "Each finding names its record (`row`), the row a person sees in the sheet (`line`), the field and the",
        "source column. Errors set their row aside when the file is published; notes are shown and counted only.",
        "",
        "| code | severity | meaning | how to fix it | 고치는 법 |",
        "| --- | --- | --- | --- | --- |",
    ]
    words = {"field": "the field", "value": None, "expected": "see the field", "found": "", "label": "the field"}
    words_ko = {**words, "field": "이 항목", "expected": "항목 설명 참고", "label": "이 항목"}
    for code in MESSAGES:
        hint, hint_ko = HINTS[code][0].format(**words), HINTS[code][1].format(**words_ko)
        lines.append(f"| `{code}` | {severity_of(code)} | {MEANINGS[code]} | {hint} | {hint_ko} |")
    return [*lines, ""]


def severity_of(code: str) -> Severity:
    return "note" if code in NOTES else "error"


@dataclass(frozen=True)
class Finding:
    code: str
    row: int  # 1-based number of the record in the source (the header is row 0)
    field: str  # the canonical field (or a source column where no field is concerned)
    value: str | None
    expected: str
    line: int | None = None  # the row a person sees in Excel, or the CSV line (title and header rows counted)
    column: str | None = None  # the source column the field was read from

    @property
    def severity(self) -> Severity:
        return severity_of(self.code)

    def _words(self, korean: bool) -> dict[str, Any]:
        found = f" ({self.value!r})" if self.value is not None else ""
        expected = expected_ko(self.expected) if korean else self.expected
        label = field_label(None, self.field, "ko" if korean else "en")
        return {"field": self.field, "value": self.value, "expected": expected, "found": found, "label": label}

    @property
    def message(self) -> str:
        return MESSAGES[self.code][0].format(**self._words(False))

    @property
    def message_ko(self) -> str:
        return MESSAGES[self.code][1].format(**self._words(True))

    @property
    def hint(self) -> str:
        return HINTS[self.code][0].format(**self._words(False))

    @property
    def hint_ko(self) -> str:
        return HINTS[self.code][1].format(**self._words(True))

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "severity": self.severity,
            "message": self.message,
            "message_ko": self.message_ko,
            "hint": self.hint,
            "hint_ko": self.hint_ko,
        }


ORDER = ("row", "field", "code")
SPILLED = pa.schema(
    [
        ("code", pa.string()),
        ("row", pa.int64()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("expected", pa.string()),
        ("line", pa.int64()),
        ("column", pa.string()),
    ]
)


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return finding.row, finding.field, finding.code, finding.value or ""


@dataclass
class _Chunk:
    """Findings written to the spill file: where, how many, and how many of each (code, field)."""

    offset: int
    length: int
    counts: Counter[tuple[str, str]]


class Report:
    """Every finding of a check, in row order as long as findings are added a batch at a time in row order.

    ``rows`` is the number of records read; ``rows_set_aside`` the records with at least one error,
    ``rows_kept`` the others. Findings past ``MEMORY`` go to an unnamed temporary file (removed when the report
    is), so a file with a problem in every row is reported whole in bounded memory.
    """

    MEMORY = 10_000

    def __init__(self) -> None:
        self.rows = 0
        self.counts: Counter[str] = Counter()
        self._by_field: Counter[tuple[str, str]] = Counter()  # (code, field) → findings
        self._memory: list[Finding] = []
        self._chunks: list[_Chunk] = []
        self._file: IO[bytes] | None = None
        self._set_aside_before = 0  # distinct error rows of batches already closed
        self._set_aside_open: set[int] = set()  # distinct error rows of the latest batch(es)

    # ---- adding ------------------------------------------------------------------------------------
    def extend(self, found: Iterable[Finding]) -> None:
        """Add the findings of one batch (any order within it)."""
        batch = sorted(found, key=_order)
        if not batch:
            return
        errors = {f.row for f in batch if f.severity == "error"}
        if errors:
            if self._set_aside_open and min(errors) > max(self._set_aside_open):
                self._set_aside_before += len(self._set_aside_open)  # a later batch: the earlier one is closed
                self._set_aside_open = errors
            else:
                self._set_aside_open |= errors
        for finding in batch:
            self.counts[finding.code] += 1
            self._by_field[(finding.code, finding.field)] += 1
        self._memory.extend(batch)
        if len(self._memory) >= self.MEMORY:
            self._spill()

    def _spill(self) -> None:
        columns = {name: [getattr(f, name) for f in self._memory] for name in SPILLED.names}
        batch = pa.RecordBatch.from_pydict(columns, schema=SPILLED)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="sangsaeng-findings-")
        data = batch.serialize()
        offset = self._file.seek(0, 2)
        self._file.write(data)
        self._chunks.append(_Chunk(offset, data.size, Counter((f.code, f.field) for f in self._memory)))
        self._memory = []

    def close(self) -> None:
        """Remove the spill file now rather than when the report is collected."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._chunks = []

    # ---- counting ----------------------------------------------------------------------------------
    @property
    def errors(self) -> int:
        return sum(n for code, n in self.counts.items() if severity_of(code) == "error")

    @property
    def notes(self) -> int:
        return sum(n for code, n in self.counts.items() if severity_of(code) == "note")

    @property
    def by_severity(self) -> dict[str, int]:
        return {"error": self.errors, "note": self.notes}

    @property
    def valid(self) -> bool:
        """No errors (notes allowed)."""
        return self.errors == 0

    @property
    def rows_set_aside(self) -> int:
        return self._set_aside_before + len(self._set_aside_open)

    @property
    def rows_kept(self) -> int:
        return max(0, self.rows - self.rows_set_aside)

    def count(self, code: str | None = None, field: str | None = None, severity: str | None = None) -> int:
        """How many findings a ``page`` with these filters pages through."""
        return sum(n for key, n in self._by_field.items() if _wanted(key, code, field, severity))

    # ---- reading -----------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Finding]:
        for chunk in self._chunks:
            yield from _findings(self._read(chunk))
        yield from self._memory

    @property
    def findings(self) -> list[Finding]:
        """Every finding (all of them in memory: for a large report, read ``page`` by page)."""
        return list(self)

    def page(
        self,
        offset: int = 0,
        limit: int = 100,
        code: str | None = None,
        field: str | None = None,
        severity: str | None = None,
    ) -> list[Finding]:
        """Findings ``offset`` … ``offset + limit - 1`` of those with this code, field and severity, in row order."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit are counted from 0")
        shown: list[Finding] = []
        skip = offset
        for chunk in self._chunks:
            if len(shown) >= limit:
                return shown
            matching = sum(n for key, n in chunk.counts.items() if _wanted(key, code, field, severity))
            if matching <= skip:  # the whole chunk lies before the page: not read at all
                skip -= matching
                continue
            batch = self._read(chunk)
            wanted = _mask(batch, code, field, severity)
            chosen = batch.filter(wanted) if wanted is not None else batch
            chosen = chosen.slice(skip, limit - len(shown))
            skip = 0
            shown.extend(_findings(chosen))
        for finding in self._memory:
            if len(shown) >= limit:
                break
            if _wanted((finding.code, finding.field), code, field, severity):
                if skip:
                    skip -= 1
                else:
                    shown.append(finding)
        return shown

    def _read(self, chunk: _Chunk) -> pa.RecordBatch:
        assert self._file is not None
        self._file.seek(chunk.offset)
        return pa.ipc.read_record_batch(pa.py_buffer(self._file.read(chunk.length)), SPILLED)

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        return [[getattr(f, k) for k in keys] for f in sorted(self, key=_order)]

    def to_dict(
        self,
        limit: int = 100,
        offset: int = 0,
        code: str | None = None,
        field: str | None = None,
        severity: str | None = None,
    ) -> dict[str, Any]:
        """Counts, and one page of findings in row order: the first ``limit`` unless told otherwise (``page``)."""
        return {
            "valid": self.valid,
            "rows": self.rows,
            "rows_kept": self.rows_kept,
            "rows_set_aside": self.rows_set_aside,
            "errors": self.errors,
            "notes": self.notes,
            "counts": dict(sorted(self.counts.items())),
            "findings": [f.to_dict() for f in self.page(offset, limit, code, field, severity)],
        }

    def top_codes(self, n: int = 3) -> list[tuple[str, int]]:
        """The most frequent error codes, most frequent first."""
        errors = Counter({c: k for c, k in self.counts.items() if severity_of(c) == "error"})
        return errors.most_common(n)


def _wanted(key: tuple[str, str], code: str | None, field: str | None, severity: str | None) -> bool:
    return (
        (code is None or key[0] == code)
        and (field is None or key[1] == field)
        and (severity is None or severity_of(key[0]) == severity)
    )


def _mask(batch: pa.RecordBatch, code: str | None, field: str | None, severity: str | None) -> pa.Array | None:
    masks = []
    if code is not None:
        masks.append(pc.equal(batch.column("code"), code))
    if field is not None:
        masks.append(pc.equal(batch.column("field"), field))
    if severity is not None:
        notes = pc.is_in(batch.column("code"), value_set=pa.array(sorted(NOTES), pa.string()))
        masks.append(notes if severity == "note" else pc.invert(notes))
    if not masks:
        return None
    mask = masks[0]
    for more in masks[1:]:
        mask = pc.and_(mask, more)
    return mask


def _findings(batch: pa.RecordBatch) -> Iterator[Finding]:
    columns = [batch.column(name).to_pylist() for name in SPILLED.names]
    for code, row, field, value, expected, line, column in zip(*columns, strict=True):
        yield Finding(code, row, field, value, expected, line, column)


def error_rows(findings: Iterable[Finding]) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The distinct rows these findings set aside (errors only), sorted."""
    return np.unique(np.array([f.row for f in findings if f.severity == "error"], dtype=np.int64))
