"""How the benchmarks' answers read on the member's page (pure): periods, its own place (sector and region, from
the credentials its hub issued it), the cells of its place, its position per indicator with the band chart, and
the contribution form's rows and where a refusal of the hub belongs among them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from markupsafe import Markup

from sangsaeng.portal.support.bandchart import Standing, band_chart
from sangsaeng.portal.support.case_form import number
from sangsaeng.portal.support.shown import name_of, text_in, thing
from sangsaeng.portal.words import Words

LEVELS: Final = ("sector-region", "sector", "region", "all")  # finest first, as a member reads its place
EXTRA_ROWS: Final = 2  # rows beyond one per indicator: another period, or a second unit
ROW_FIELDS: Final = ("indicator", "period", "value", "unit")
_AT = re.compile(r"^\$?\.?contributions\[(\d+)\]")


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def periods(today: date, quarters: int = 8) -> list[str]:
    """The periods offered: this quarter and the ones before it, then this year and the last."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(quarters):
        found.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found + [str(today.year), str(today.year - 1)]


def row_count(indicators: Sequence[Mapping[str, Any]]) -> int:
    return len(indicators) + EXTRA_ROWS


def row_fields(rows: int) -> frozenset[str]:
    return frozenset(f"row.{n}.{f}" for n in range(rows) for f in ROW_FIELDS)


def blank_rows(indicators: Sequence[Mapping[str, Any]], period: str, language: str) -> dict[str, str]:
    """One row per indicator, with the period shown and the indicator's unit as the hub states it."""
    form: dict[str, str] = {}
    for n, indicator in enumerate(indicators):
        form |= {f"row.{n}.indicator": str(indicator.get("id", "")), f"row.{n}.period": period,
                 f"row.{n}.unit": name_of(indicator.get("unit"), language)}  # fmt: skip
    return form


def contributions_of(form: Mapping[str, str], rows: int) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows with a value, as the hub takes them, and each one's row on the form."""
    sent: list[dict[str, Any]] = []
    where: list[int] = []
    for n in range(rows):
        value = form.get(f"row.{n}.value", "").strip()
        if not value:
            continue
        sent.append({
            "indicator": form.get(f"row.{n}.indicator", "").strip(),
            "period": form.get(f"row.{n}.period", "").strip(),
            "value": number(value),
            "unit": form.get(f"row.{n}.unit", "").strip(),
        })  # fmt: skip
        where.append(n)
    return sent, where


def row_at(position: str | None, where: list[int]) -> int | None:
    """The form's row a refusal at ``contributions[i]…`` names; None when it names the batch or nothing."""
    found = _AT.match(position or "")
    if found is None or int(found.group(1)) >= len(where):
        return None
    return where[int(found.group(1))]


def own_place(attributes: Mapping[str, Any]) -> tuple[set[str], set[str]] | None:
    """The KSIC divisions and regions the member's credentials attest (as the hub keeps its facts), None when
    they attest neither."""
    sectors = {division(s) for s in attributes.get("sector") or () if isinstance(s, str)} - {None}
    regions = {r for r in attributes.get("region") or () if isinstance(r, str)}
    if not sectors and not regions:
        return None
    return {s for s in sectors if s is not None}, regions


def division(code: str) -> str | None:
    """``C2912`` → ``C29``; a section letter stays itself (the benchmarks' sectors)."""
    found = re.match(r"^([A-U])(\d{2})?", code.strip().upper())
    return found.group(0) if found else None


def holds(cell: Mapping[str, Any], place: tuple[set[str], set[str]] | None) -> bool:
    """Whether a cell is of the member's place (any cell when its place is not known)."""
    if place is None:
        return True
    sector, region = thing(cell.get("sector")).get("code"), thing(cell.get("region")).get("code")
    return (sector is None or sector in place[0]) and (region is None or region in place[1])


def contributors(cell: Mapping[str, Any], w: Words) -> str:
    band = thing(cell.get("contributors"))
    low, high = band.get("from"), band.get("to")
    if isinstance(low, int) and isinstance(high, int):
        return w.t("support.benchmarks.contributors", low=low, high=high)
    if isinstance(low, int):
        return w.t("support.benchmarks.contributors.more", low=low)
    return "—"


def place_words(cell: Mapping[str, Any], w: Words) -> str:
    """A cell's sector and region by name: ``C30 자동차 … · 경상남도``; all members when it takes every one."""
    parts = []
    sector = thing(cell.get("sector"))
    if sector:
        parts.append(f"{sector.get('code', '')} {name_of(sector.get('name'), w.language)}".strip())
    region = thing(cell.get("region"))
    if region:
        parts.append(name_of(region.get("name"), w.language))
    return " · ".join(parts) or w.t("support.benchmarks.everyone")


def figure(value: Any, w: Words) -> str:
    """A number as the page writes it (up to six decimals: small values per unit stay readable)."""
    return w.cell(value) if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def cell_view(cell: Mapping[str, Any], w: Words) -> dict[str, Any]:
    quartiles = thing(cell.get("quartiles"))
    suppressed = thing(cell.get("suppressed"))
    reason, _ = text_in(suppressed.get("reason"), w.language)
    return {
        "indicator": name_of(thing(cell.get("indicator")).get("name"), w.language),
        "indicator_id": str(thing(cell.get("indicator")).get("id", "")),
        "level": w.word("support.benchmarks.level", str(cell.get("level", ""))),
        "place": place_words(cell, w),
        "published": cell.get("published") is True,
        "contributors": contributors(cell, w),
        "quartiles": [figure(quartiles.get(q), w) for q in ("p25", "p50", "p75")],
        "unit": name_of(cell.get("unit"), w.language) if cell.get("unit") else "",
        "released": cell.get("releasedAt"),
        "why": reason if suppressed else None,
    }


def in_order(cells: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Cells by indicator (as the hub lists them), each indicator's finest first."""
    firsts: dict[str, int] = {}
    for n, c in enumerate(cells):
        firsts.setdefault(str(thing(c.get("indicator")).get("id")), n)

    def key(cell: Mapping[str, Any]) -> tuple[int, int]:
        level = cell.get("level")
        rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
        return firsts[str(thing(cell.get("indicator")).get("id"))], rank

    return sorted(cells, key=key)


def _quartiles(given: Any) -> tuple[float, float, float] | None:
    q = thing(given)
    found = [q.get(k) for k in ("p25", "p50", "p75")]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in found):
        return None
    low, mid, high = (float(v) for v in found)  # type: ignore[arg-type]
    return (low, mid, high) if low <= mid <= high else None


def position_view(item: Mapping[str, Any], valid: Mapping[str, tuple[float, float]], w: Words) -> dict[str, Any]:
    """One indicator's position in words, and its chart when a cell of the member's was published."""
    indicator = thing(item.get("indicator"))
    name = name_of(indicator.get("name"), w.language)
    unit = name_of(item.get("unit"), w.language) if item.get("unit") else ""
    band = thing(item.get("band"))
    against = thing(item.get("against"))
    quartiles = _quartiles(against.get("quartiles"))
    value = item.get("value")
    better = item.get("better")
    chart = None
    if band and quartiles is not None and isinstance(value, int | float) and better in ("lower", "higher"):
        labels = {b: w.t(f"support.benchmarks.band.{b}") for b in ("bottom-25", "25-50", "50-75", "top-25")}
        title = w.t("support.benchmarks.chart", indicator=name)
        p25, p50, p75 = (figure(q, w) for q in quartiles)
        said = {"indicator": name, "value": figure(value, w), "unit": unit, "p25": p25, "p50": p50, "p75": p75}
        description = w.t("support.benchmarks.chart.desc", **said)
        standing = Standing(
            value=float(value),
            quartiles=quartiles,
            better=better,
            valid=valid.get(str(indicator.get("id"))),
            title=title,
            description=description,
            names=labels,
            you=w.t("support.benchmarks.you"),
            number=lambda v: figure(v, w),
            band=str(band.get("id")),
        )
        chart = Markup(band_chart(standing))  # ElementTree escaped every label and attribute
    reason, _ = text_in(item.get("reason"), w.language)
    return {
        "indicator": name,
        "id": str(indicator.get("id", "")),
        "value": figure(value, w),
        "unit": unit,
        "band": text_in(band.get("label"), w.language)[0] if band else None,
        "band_id": band.get("id") if band else None,
        "better": w.t(f"support.benchmarks.better.{better}") if better in ("lower", "higher") else "",
        "against": (w.word("support.benchmarks.level", str(against.get("level", ""))) + " — " + place_words(against, w))
        if against
        else None,  # fmt: skip
        "reason": None if band else reason,
        "chart": chart,
    }


def indicator_view(indicator: Mapping[str, Any], w: Words) -> dict[str, Any]:
    given = indicator.get("valid")
    valid: list[Any] = given if isinstance(given, list) else []
    better = indicator.get("better")
    return {
        "id": str(indicator.get("id", "")),
        "name": name_of(indicator.get("name"), w.language),
        "unit": name_of(indicator.get("unit"), w.language),
        "valid": " – ".join(figure(v, w) for v in valid) if len(valid) == 2 else "—",
        "better": w.t(f"support.benchmarks.better.{better}") if better in ("lower", "higher") else "",
    }


def valid_ranges(indicators: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for i in indicators:
        valid = i.get("valid")
        if isinstance(valid, list) and len(valid) == 2 and all(isinstance(v, int | float) for v in valid):
            found[str(i.get("id"))] = (float(valid[0]), float(valid[1]))
    return found
