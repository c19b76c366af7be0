"""What checking a file found, as data: a ``Finding`` per problem (stable code, record, sheet row, field, source
column, value, what was expected; a message and a hint in English and Korean, from the ``findings`` catalog), and
the ``Report`` that keeps every one of them — past ``Report.MEMORY`` findings on a temporary file — counted by code
and severity, and read back in pages.

Errors set their row aside; notes (``no-value``) are shown and counted but never set a row aside.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from typing import IO, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sangsaeng.i18n import catalogs
from sangsaeng.standard.labels import field_label

Severity = Literal["error", "note"]
NOTES = frozenset({"no-value", "pact-unmapped", "pact-empty", "known-value"})

# Every code a check reports, in the order the reference page lists them. What a finding says, how to fix it and
# what the code means are entries of the ``findings`` catalog (sangsaeng/i18n/locale), in Korean and English.
CODES = (
    "missing-value",
    "type-error",
    "bad-date",
    "out-of-range",
    "unknown-code",
    "duplicate-key",
    "duplicate-row",
    "unknown-unit",
    "unit-mismatch",
    "no-value",
    "missing-measurement",
    "bad-format",
    "pact-unmapped",
    "pact-empty",
    "known-value",
)
MESSAGES = {code: f"finding.{code}" for code in CODES}  # the catalog key of each code's message
HINTS = {code: f"finding.{code}.hint" for code in CODES}  # … of how to fix it, in the words of the sheet's keeper
MEANINGS = {code: f"finding.{code}.meaning" for code in CODES}  # … of what the code means


def said(key: str, language: str, **values: Any) -> str:
    return catalogs.text("findings", key, language, **values)


@dataclass(frozen=True)
class _Texts:
    """One language's texts of the catalog, looked up once: each code's message and hint, and the expectations
    the checks write (in English, as findings keep them) with the beginnings of the others (a column named …, did
    you mean: …); the rest of what a check expects (formats, codes, units) reads the same in both languages."""

    messages: dict[str, str]
    hints: dict[str, str]
    expected: dict[str, str]
    beginnings: tuple[tuple[str, str], ...]


@cache
def _texts_in(language: str) -> _Texts:
    english, texts = catalogs.entries("en", "findings"), catalogs.entries(language, "findings")
    expected = {english[k]: texts[k] for k in english if k.startswith("expected.") and ".prefix." not in k}
    beginnings = tuple((english[k], texts[k]) for k in english if k.startswith("expected.prefix."))
    return _Texts(
        {code: said(MESSAGES[code], language) for code in CODES},
        {code: said(HINTS[code], language) for code in CODES},
        expected,
        beginnings,
    )


def expected_in(expected: str, language: str) -> str:
    """What a finding expected, in ``language``."""
    if language == "en":
        return expected
    texts = _texts_in(language)
    if expected in texts.expected:
        return texts.expected[expected]
    for english, text in texts.beginnings:
        if expected.startswith(english):
            return text + expected.removeprefix(english)
    return expected


def expected_ko(expected: str) -> str:
    return expected_in(expected, "ko")


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
    for code in CODES:
        hint, hint_ko = (said(HINTS[code], language, **_reference_words(language)) for language in ("en", "ko"))
        lines.append(f"| `{code}` | {severity_of(code)} | {said(MEANINGS[code], 'en')} | {hint} | {hint_ko} |")
    return [*lines, ""]


def _reference_words(language: str) -> dict[str, Any]:
    """A message's values where it is described rather than said of a cell."""
    field, expected = said("reference.field", language), said("reference.expected", language)
    return {"field": field, "value": None, "expected": expected, "found": "", "label": field}


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

    def _words(self, language: str) -> dict[str, Any]:
        found = f" ({self.value!r})" if self.value is not None else ""
        expected = expected_in(self.expected, language)
        label = field_label(None, self.field, language)
        return {"field": self.field, "value": self.value, "expected": expected, "found": found, "label": label}

    def text(self, language: str) -> str:
        """What was found, in ``language`` (``ko`` or ``en``)."""
        return _texts_in(language).messages[self.code].format(**self._words(language))

    def hint_text(self, language: str) -> str:
        """How to fix it, in ``language``."""
        return _texts_in(language).hints[self.code].format(**self._words(language))

    @property
    def message(self) -> str:
        return self.text("en")

    @property
    def message_ko(self) -> str:
        return self.text("ko")

    @property
    def hint(self) -> str:
        return self.hint_text("en")

    @property
    def hint_ko(self) -> str:
        return self.hint_text("ko")

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
