"""The dashboard's tables as an Excel workbook: one sheet per figure, headings in the reader's language, numbers
as numbers (a spreadsheet sums them), text neutralised as every export of ours is (no cell starts a formula)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Font

from sangsaeng.portal.hub.figures import Table
from sangsaeng.standard.exports import neutralise

SHEET_NAME = 31  # Excel's longest sheet name
NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet's name from its table's title: within Excel's rules, and unique in the workbook."""
    name = NOT_IN_NAME.sub(" ", title).strip()[:SHEET_NAME] or "sheet"
    stem, n = name, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = stem[: SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def workbook(tables: Sequence[Table]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # the default sheet: every sheet here is a figure
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.title, taken))
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([neutralise(c) if isinstance(c, str) else c for c in row])
        if table.note:
            sheet.append([])
            sheet.append([neutralise(table.note)])
        sheet.column_dimensions["A"].width = max([12, *(len(str(r[0])) + 2 for r in table.rows)])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
