"""Write the corpus: every factory file under ``files/``, its case (mapping and expected outcome) under ``cases/``
and the one-line catalogue ``README.md``. Deterministic: the same bytes every run.

    .venv/bin/python -m tests.corpus.make            # rewrite tests/corpus/
    .venv/bin/python -m tests.corpus.make /tmp/out   # write elsewhere (the test compares the two)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.corpus import (
    casting_pcb,
    demand,
    energy,
    erp,
    footprints,
    handkept,
    machining,
    machining_lines,
    moulding,
    surface,
)
from tests.corpus.kit import Case

HERE = Path(__file__).parent
MAKERS: list[Callable[[Path], Case]] = [
    *machining.MAKERS,
    *machining_lines.MAKERS,
    *moulding.MAKERS,
    *surface.MAKERS,
    *casting_pcb.MAKERS,
    *energy.MAKERS,
    *erp.MAKERS,
    *demand.MAKERS,
    *handkept.MAKERS,
    *footprints.MAKERS,
]

INTRO = """# The corpus: factory files nobody here would have made

Each file below is written by `make.py` (deterministic: `.venv/bin/python -m tests.corpus.make` rewrites the same
bytes) the way a quality engineer, an energy manager or a production manager exports or keeps it, and each has a
case in `cases/<name>.yaml`: the mapping a person confirms (mapping document v2) and what the file means — rows,
kept, set aside, every error as `[line, field, code]`, the count of notes and some canonical records exactly.
`tests/test_corpus.py` reads every file through its mapping (and, where `suggest_without_edits`, through the
suggested mapping) and compares; `tests/test_corpus_properties.py` holds the rules that hold for every file.

The expectations are computed by the generator from what it wrote (it knows which cells it corrupted, which hold a
"no value" marker, what each good cell is in canonical units); none was read back from our own ingest.

How to read a case:

- `line` is the Excel row or CSV line a person sees (title and header rows counted, blank lines too).
- Records of a wide row (one per unpivoted cell) share its line. `rows` counts canonical records.
- Values are canonical: lengths in metre, temperatures in kelvin, times in seconds, energy in kWh, percent stays
  percent (12 % is 12), hardness scales stay scales (HRC, HV, HB); timestamps are UTC (the files' times are local,
  Asia/Seoul). A `null` in `values` is an expected null (a marker must never become a number).
- A `duplicate-row` problem has field `null`: the whole row repeats an earlier one.

Decisions where the contract is silent (what a factory user would expect):

- An empty cell in an optional field is simply absent (no note); a written marker (`-`, `N/A`, `없음` …) in an
  optional field is one `no-value` note. A marker that makes an error (a required field, a measurement with
  limits or a unit but no value) gives only the error, whose expected value names the marker.
- Exact duplicates are rows, as the issue says ("exact repeated rows are"): a row repeating an earlier row in
  every cell (merged cells filled down) is a `duplicate-row`; rows that differ in a column the mapping leaves
  out (a time, a pad, a cavity) are different samples even when their records read alike. Only this makes a
  file's problems the same in any row order.
- One key entered twice with different content (`duplicate-key`: a part number for two items, a lot number
  with two quantities) sets both rows aside: neither can be trusted over the other.
- Samples: where the file has no sample column, records of one subject, characteristic and time are numbered in
  file order; a record set aside for an error keeps its place in the count, an exact duplicate takes none.
  A record alone in its group is not checked for a sample number.
- A unit problem of a unit column concerns the field it gives a unit to (`value`, `amount`, `quantity`).
- A date field (demand_forecast) read `at: end` is the last day of the period, as the entity describes it;
  a date-time field (energy_record) ends at the start of the next period.
- A quantity read with a unit keeps its canonical unit beside it (`quantity_unit`), and ERP unit codes mean
  what an ERP means by them (KG kilogram, G gram, M metre).
- Excel percent cells (0.045 % held as 0.00045) mean what the person sees: 0.045 %.
- Product footprints: the id a file does not give is the system's (a UUID v5 of company, product, period and
  declared unit, `docs/pact.md`), part numbers become product URNs by the mapping's `prefix`, a declared unit that
  is a multiple converts the amount (1 t is 1,000 kg), and the notes count what a PACT 2.3 or 3.0 export needs
  and the mapping (once per field) or a row (once per cell) leaves empty. A case's `company` is what the connector
  knows of its company (participant id, name, public address): the suggestion is given it, as the portal gives it.

| file | sector | from | entity | what it holds |
|---|---|---|---|---|
"""


def _tidy(value: Any) -> Any:
    """Floats to 12 significant digits (the test compares within 1e-9), so cases read cleanly."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def write_corpus(out: Path) -> list[Case]:
    files, cases = out / "files", out / "cases"
    files.mkdir(parents=True, exist_ok=True)
    cases.mkdir(parents=True, exist_ok=True)
    made = [maker(files) for maker in MAKERS]
    names = [c.name for c in made]
    assert len(set(names)) == len(names), "two cases with one name"
    lines = [INTRO]
    for case in made:
        document = _tidy(case.document())
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
        (cases / f"{case.name}.yaml").write_text(text, encoding="utf-8")
        lines.append(
            f"| `{case.file.removeprefix('files/')}` | {case.sector} | {case.system} | {case.entity} | "
            f"{case.describe} |\n"
        )
    (out / "README.md").write_text("".join(lines), encoding="utf-8")
    return made


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for case in write_corpus(out):
        expect = case.expect()
        print(
            f"{case.name:40} rows {expect['rows']:>6}  set aside {expect['set_aside']:>3}  notes {expect['notes']:>3}"
        )


if __name__ == "__main__":
    main(sys.argv)
