"""Success cases on the member's own portal (issue 18 § 3): the library searched in Korean or English and filtered
by sector and level, a case's page with its numbers (before → after, in its unit), and the member's own cases —
published with a form, edited and withdrawn. The hub keeps, checks and searches everything
(``/hub/support/cases``, docs/support/experts.md); its refusals are said beside the field they name.

- ``GET  /portal/support/cases?q=&sector=&level=`` — the search and the member's own cases.
- ``GET|POST /portal/support/cases/new`` — the form; the hub's publish.
- ``GET  /portal/support/cases/{id}`` — one case.
- ``GET|POST /portal/support/cases/{id}/edit`` — the member's own case in the form; the hub's replace.
- ``POST /portal/support/cases/{id}/withdraw`` — the hub's withdraw.

Another member's case is the hub's to refuse: its 404 (the same as an unknown case's) is shown as not found.
Publishing, editing and withdrawing are for the roles that may change things (``publisher``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.hub.members.ksic import MANUFACTURING
from sangsaeng.hubclient.support import HubSupport
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support import case_form
from sangsaeng.portal.support.asked import (
    ACT,
    Asked,
    ask,
    bad_form,
    form_fields,
    listed,
    may_act,
    missing_page,
    status_of,
)
from sangsaeng.portal.support.common import HubDep, Said
from sangsaeng.portal.support.shown import coded_name, name_of, segment, text_in, thing
from sangsaeng.portal.words import Words
from sangsaeng.store.records import User
from sangsaeng.support.assessment import loading
from sangsaeng.support.assessment.loading import ModelError

router = APIRouter(prefix="/portal/support/cases", include_in_schema=False)
HUB: Final = "/hub/support/cases"
PAGE: Final = "/portal/support/cases"
LEVELS: Final = range(1, 6)
FILTERS: Final = ("q", "sector", "level")


def level_words(level: Any, w: Words) -> str:
    """A Korean smart-factory level by its name: ``중간1 (레벨 2)``."""
    if not isinstance(level, int) or isinstance(level, bool):
        return "—"
    try:
        name = loading.current().kosf.level(level).name.say(w.language)
    except (ModelError, KeyError, ValueError, StopIteration):
        return w.t("support.cases.level.bare", level=level)
    return w.t("support.cases.level", name=name, level=level)


def change(before: Any, after: Any) -> float | None:
    """How much a result moved, in % of where it started (None from zero or without numbers)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    if not numbers or before == 0:
        return None
    return float((after - before) / abs(before) * 100)


def result_view(result: Mapping[str, Any], w: Words) -> dict[str, Any]:
    metric, metric_language = text_in(result.get("metric"), w.language)
    moved = change(result.get("before"), result.get("after"))
    before, after = result.get("before"), result.get("after")
    return {
        "metric": metric,
        "metric_language": metric_language,
        "before": w.number(before) if isinstance(before, int | float) else "—",
        "after": w.number(after) if isinstance(after, int | float) else "—",
        "unit": str(result.get("unit") or ""),
        "change": None
        if moved is None
        else f"{'+' if moved > 0 else ('−' if moved < 0 else '')}{w.number(round(abs(moved), 1))}%",
    }


def case_view(case: Mapping[str, Any], w: Words) -> dict[str, Any]:
    title, language = text_in(case.get("title"), w.language)
    problem, problem_language = text_in(case.get("problem"), w.language)
    done, done_language = text_in(case.get("done"), w.language)
    contact = thing(case.get("contact"))
    return {
        "id": str(case.get("id", "")),
        "title": title,
        "language": language,
        "company": str(case.get("company") or case.get("publisher") or "—"),
        "publisher": str(case.get("publisher") or "—"),
        "sector": coded_name(case.get("sector"), w.language),
        "before": level_words(case.get("levelBefore"), w),
        "after": level_words(case.get("levelAfter"), w),
        "problem": problem,
        "problem_language": problem_language,
        "done": done,
        "done_language": done_language,
        "results": [result_view(thing(r), w) for r in case.get("results") or []],
        "technologies": [str(t) for t in case.get("technologies") or []],
        "contact": {k: str(contact[k]) for k in ("name", "email", "phone") if contact.get(k)},
        "state": str(case.get("state") or ""),
        "state_words": w.word("support.cases.state", str(case.get("state") or "")),
        "published": case.get("publishedAt"),
        "updated": case.get("updatedAt"),
    }


def sectors(language: str) -> list[tuple[str, str]]:
    """Manufacturing's KSIC divisions by name, offered for the sector fields (any KSIC code is taken)."""
    return [("C", name_of({"ko": "제조업", "en": "Manufacturing"}, language))] + [
        (f"C{d}", getattr(named, language, named.ko)) for d, named in sorted(MANUFACTURING.items())
    ]


def _filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in FILTERS}


@router.get("", response_class=HTMLResponse)
async def cases_page(request: Request, user: UserDep, hub: HubDep) -> Response:
    """Published cases matching the words and filters, newest first; the member's own cases."""
    if hub is None:
        return render(request, "support_cases.html", user, hub=False)
    w = words(request)
    asked = _filters(request)
    level = int(asked["level"]) if asked["level"] in {str(n) for n in LEVELS} else None
    wrong_level = bool(asked["level"]) and level is None
    if wrong_level:  # not a level the form offers: said beside it in the reader's words, nothing searched
        said = Said()
        said.problem = w.t("support.cases.level_wrong", given=asked["level"][:20])
        found = Asked(said=said)
    else:
        found = await ask(
            request,
            partial(hub.get, HUB, w.language, q=asked["q"] or None, sector=asked["sector"] or None, level=level),
        )
    mine = await ask(request, partial(hub.get, f"{HUB}/mine", w.language))
    beside = {name: found.said for name in FILTERS if found.position == name}
    if wrong_level:
        beside["level"] = found.said
    return render(
        request,
        "support_cases.html",
        user,
        status=400 if wrong_level else status_of(found, mine),
        hub=True,
        asked=asked,
        found=found,
        search_error=None if beside else found.said,
        beside=beside,
        cases=[case_view(c, w) for c in listed(found, "cases")],
        mine=mine,
        own=[case_view(c, w) for c in listed(mine, "cases")],
        levels=[(n, level_words(n, w)) for n in LEVELS],
        sectors=sectors(w.language),
        may_act=may_act(user),
    )


def _form_page(
    request: Request,
    user: User,
    *,
    case_id: str | None,
    form: Mapping[str, str],
    errors: dict[str, Said] | None = None,
    above: Said | None = None,
    status: int = 200,
) -> Response:
    w = words(request)
    rows = max((int(k.split(".")[1]) + 1 for k in form if k.startswith("results.") and form[k].strip()), default=0)
    return render(
        request,
        "support_cases_form.html",
        user,
        status=status,
        hub=True,
        case_id=case_id,
        form=form,
        errors=errors or {},
        above=above or Said(),
        rows=min(max(rows + 1, 3), case_form.ROWS),
        languages=case_form.LANGUAGES,
        levels=[(n, level_words(n, w)) for n in LEVELS],
        sectors=sectors(w.language),
    )


async def _send(request: Request, user: User, hub: HubSupport, case_id: str | None) -> Response:
    """The form's case to the hub (new, or in place of ``case_id``); the case's page, or the form with the hub's
    refusal beside the field it names."""
    publisher(user, ACT)
    form = form_fields(await checked_form(request), case_form.FIELDS)
    if form is None:
        return bad_form(request, user)
    document, rows = case_form.document_of(form)
    language = words(request).language
    if case_id is None:
        sent = await ask(request, partial(hub.post, HUB, document, language))
    else:
        sent = await ask(request, partial(hub.put, f"{HUB}/{segment(case_id)}", document, language))
    if sent.missing:
        return missing_page(request, user)
    made = thing(sent.found)
    if sent.failed or not isinstance(made.get("id"), str):
        said = sent.said or Said()
        slot = case_form.slot_of(sent.refused.position if sent.refused else None, rows)
        errors, above = ({slot: said}, None) if slot else ({}, said)
        return _form_page(request, user, case_id=case_id, form=form, errors=errors, above=above, status=sent.status)
    return RedirectResponse(url(request, f"{PAGE}/{segment(made['id'])}"), status_code=303)


@router.get("/new", response_class=HTMLResponse)
async def new_case(request: Request, user: UserDep, hub: HubDep) -> Response:
    publisher(user, ACT)
    if hub is None:
        return render(request, "support_cases.html", user, hub=False)
    return _form_page(request, user, case_id=None, form={})


@router.post("/new", response_class=HTMLResponse)
async def publish_case(request: Request, user: UserDep, hub: HubDep) -> Response:
    if hub is None:
        publisher(user, ACT)
        await checked_form(request)
        return render(request, "support_cases.html", user, hub=False)
    return await _send(request, user, hub, None)


async def _own(request: Request, hub: HubSupport, case_id: str) -> tuple[Asked, bool]:
    """The case and whether it is the member's own (among the hub's ``mine``)."""
    language = words(request).language
    found = await ask(request, partial(hub.get, f"{HUB}/{segment(case_id)}", language))
    if found.failed:
        return found, False
    mine = await ask(request, partial(hub.get, f"{HUB}/mine", language))
    return found, any(c.get("id") == case_id for c in listed(mine, "cases"))


@router.get("/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, user: UserDep, hub: HubDep) -> Response:
    """A case with its numbers; the member's own with edit and withdraw."""
    if hub is None:
        return render(request, "support_cases.html", user, hub=False)
    found, own = await _own(request, hub, case_id)
    if found.missing:
        return missing_page(request, user)
    if found.failed:
        return render(request, "support_cases_case.html", user, status=found.status, said=found.said, case=None)
    return render(
        request,
        "support_cases_case.html",
        user,
        said=Said(),
        case=case_view(thing(found.found), words(request)),
        own=own,
        may_act=may_act(user) and own,
    )


@router.get("/{case_id}/edit", response_class=HTMLResponse)
async def edit_case(request: Request, case_id: str, user: UserDep, hub: HubDep) -> Response:
    """The member's own published case in the form."""
    publisher(user, ACT)
    if hub is None:
        return render(request, "support_cases.html", user, hub=False)
    found, own = await _own(request, hub, case_id)
    if found.missing or (not found.failed and not own):
        return missing_page(request, user)  # another member's case: not ours to edit, as the hub would say
    if found.failed:
        return render(request, "support_cases_case.html", user, status=found.status, said=found.said, case=None)
    return _form_page(request, user, case_id=case_id, form=case_form.form_of(thing(found.found)))


@router.post("/{case_id}/edit", response_class=HTMLResponse)
async def save_case(request: Request, case_id: str, user: UserDep, hub: HubDep) -> Response:
    if hub is None:
        publisher(user, ACT)
        await checked_form(request)
        return render(request, "support_cases.html", user, hub=False)
    return await _send(request, user, hub, case_id)


@router.post("/{case_id}/withdraw", response_class=HTMLResponse)
async def withdraw_case(request: Request, case_id: str, user: UserDep, hub: HubDep) -> Response:
    """The hub's withdraw; back to the member's cases."""
    publisher(user, ACT)
    form = form_fields(await checked_form(request), frozenset())
    if hub is None:
        return render(request, "support_cases.html", user, hub=False)
    if form is None:
        return bad_form(request, user)
    done = await ask(request, partial(hub.post, f"{HUB}/{segment(case_id)}/withdraw", None, words(request).language))
    if done.missing:
        return missing_page(request, user)
    if done.failed:
        return render(request, "support_cases_case.html", user, status=done.status, said=done.said, case=None)
    return RedirectResponse(url(request, f"{PAGE}#mine"), status_code=303)
