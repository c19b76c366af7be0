"""The success-case form and the document the hub takes (``docs/support/experts.md``), both ways, and where on the
form a refusal of the hub belongs. Pure.

The form has a field per text and language (``title.ko``, ``title.en``…), rows of results (``results.3.before``),
technologies separated by commas. A language left empty is left out of the document, so a case written in Korean
only is a Korean case; the hub decides whether the texts agree in their languages, and refuses what does not
read (a number that is not one, a level out of range) with its own words — the form sends what was typed and
lets the hub say where it is wrong, so the rules live in one place."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

LANGUAGES: Final = ("ko", "en")
ROWS: Final = 10  # the hub takes at most ten results
TEXTS: Final = ("title", "problem", "done")
SINGLE: Final = ("company", "sector", "levelBefore", "levelAfter", "technologies")
CONTACT: Final = ("name", "email", "phone")
RESULT: Final = ("before", "after", "unit")
_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def fields() -> list[str]:
    """Every field of the form, by name."""
    found = [f"{t}.{lang}" for t in TEXTS for lang in LANGUAGES] + list(SINGLE)
    found += [f"contact.{c}" for c in CONTACT]
    for row in range(ROWS):
        found += [f"results.{row}.metric.{lang}" for lang in LANGUAGES] + [f"results.{row}.{r}" for r in RESULT]
    return found


FIELDS: Final = frozenset(fields())
# Where a refusal may be said: each field, and the groups a refusal may name as a whole.
SLOTS: Final = (
    FIELDS
    | {*TEXTS, "contact", "results"}
    | {f"results.{r}" for r in range(ROWS)}
    | {f"results.{r}.metric" for r in range(ROWS)}
)


def number(typed: str) -> float | int | str:
    """A number as people type it (``1,200``, ``0.5``); what does not read as one goes to the hub as typed, to be
    refused there in its words."""
    plain = typed.replace(",", "").replace(" ", "")
    if not _NUMBER.match(plain):
        return typed
    found = float(plain)
    if not math.isfinite(found):
        return typed
    return int(found) if found.is_integer() and "e" not in plain.lower() and "." not in plain else found


def whole(typed: str) -> int | str:
    plain = typed.strip()
    return int(plain) if plain.isdigit() and len(plain) < 10 else typed


def _texts(form: Mapping[str, str], name: str) -> dict[str, str]:
    return {lang: form[f"{name}.{lang}"].strip() for lang in LANGUAGES if form.get(f"{name}.{lang}", "").strip()}


def _row_given(form: Mapping[str, str], row: int) -> bool:
    names = [f"results.{row}.metric.{lang}" for lang in LANGUAGES] + [f"results.{row}.{r}" for r in RESULT]
    return any(form.get(n, "").strip() for n in names)


def document_of(form: Mapping[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The case the form says, and for each result sent, the form's row it came from."""
    rows = [r for r in range(ROWS) if _row_given(form, r)]
    document: dict[str, Any] = {t: _texts(form, t) for t in TEXTS}
    document |= {
        "sector": form.get("sector", "").strip(),
        "levelBefore": whole(form.get("levelBefore", "")),
        "levelAfter": whole(form.get("levelAfter", "")),
        "results": [
            {
                "metric": _texts(form, f"results.{r}.metric"),
                "before": number(form.get(f"results.{r}.before", "").strip()),
                "after": number(form.get(f"results.{r}.after", "").strip()),
                "unit": form.get(f"results.{r}.unit", "").strip(),
            }
            for r in rows
        ],
        "contact": {"email": form.get("contact.email", "").strip()}
        | {c: form[f"contact.{c}"].strip() for c in ("name", "phone") if form.get(f"contact.{c}", "").strip()},
    }
    if company := form.get("company", "").strip():
        document["company"] = company
    technologies = [t.strip() for t in form.get("technologies", "").split(",") if t.strip()]
    if technologies:
        document["technologies"] = technologies
    return document, rows


def shown_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def form_of(case: Mapping[str, Any]) -> dict[str, str]:
    """The form filled with a case as the hub answers it (to edit it)."""
    form: dict[str, str] = {}
    for name in TEXTS:
        given = case.get(name) or {}
        form |= {
            f"{name}.{lang}": str(given[lang]) for lang in LANGUAGES if isinstance(given, Mapping) and lang in given
        }
    sector = case.get("sector")
    form["sector"] = str(sector.get("code", "")) if isinstance(sector, Mapping) else str(sector or "")
    form["levelBefore"], form["levelAfter"] = str(case.get("levelBefore", "")), str(case.get("levelAfter", ""))
    if case.get("company"):
        form["company"] = str(case["company"])
    form["technologies"] = ", ".join(str(t) for t in case.get("technologies") or [])
    contact = case.get("contact") or {}
    form |= {f"contact.{c}": str(contact[c]) for c in CONTACT if isinstance(contact, Mapping) and contact.get(c)}
    for row, result in enumerate((case.get("results") or [])[:ROWS]):
        metric = result.get("metric") or {}
        form |= {f"results.{row}.metric.{lang}": str(metric[lang]) for lang in LANGUAGES if lang in metric}
        form |= {f"results.{row}.{r}": shown_number(result.get(r, "")) for r in ("before", "after")}
        form[f"results.{row}.unit"] = str(result.get("unit", ""))
    return form


def steps(position: str) -> list[str | int] | None:
    """A refusal's JSON path (``results[2].metric.ko``, ``$.title``) as its steps, or None when it is not one."""
    rest = position.removeprefix("$")
    found: list[str | int] = []
    while rest:
        step = _STEP.match(rest)
        if step is None:
            return None
        found.append(step.group(1) if step.group(1) is not None else int(step.group(2)))
        rest = rest[step.end() :]
    return found


def slot_of(position: str | None, rows: list[int]) -> str | None:
    """Where on the form a refusal at ``position`` is said: the field it names, else the nearest group holding it;
    None (above the form) when it names nothing on the form. ``rows``: the form row of each result sent."""
    path = steps(position or "")
    if not path:
        return None
    names: list[str] = []
    for i, step in enumerate(path):
        if isinstance(step, int):
            if names != ["results"] or i != 1:
                break  # an item of another list (a technology): said beside the list
            if step >= len(rows):
                break
            names.append(str(rows[step]))
        else:
            names.append(step)
    while names and ".".join(names) not in SLOTS:
        names.pop()
    return ".".join(names) or None
