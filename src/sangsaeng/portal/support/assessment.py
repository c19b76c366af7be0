"""The maturity self-assessment on the member's own portal (issue 18 § 1): its results and history, the
questionnaire walked a section at a time, and a completed assessment's result — each page asks the hub as this
member (``/hub/support/assessment/…``, docs/support/assessment.md); the hub keeps, checks and scores everything.

- ``GET  /portal/support/assessment`` — the latest result (level, radar, the previous one beside it and the change
  per dimension), the history, and the button that starts or resumes the assessment.
- ``POST /portal/support/assessment/start`` — the hub's ``start``, then the walk where the answers stop.
- ``GET  /portal/support/assessment/{id}/answer?section=N`` — one section's questions with every option's meaning.
- ``POST /portal/support/assessment/{id}/answer`` — the section's answers saved (in parts), then the next or
  previous section, the overview, or ``finish`` (the hub's ``complete``; the questions still open are listed).
- ``GET  /portal/support/assessment/{id}`` — a completed assessment's result.

Answering is for the roles that may change things (``publisher``); a viewer reads the results. The radar chart
is drawn here by the pure renderer (``support/assessment/svg.py``) from the bands the hub sent, with this
software's copy of the models' versions: markup taken from the hub would be put into our pages as it came, and the
renderer escapes every label."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from sangsaeng.hubclient.support import HubRefused, HubSupport
from sangsaeng.portal.pages import UserDep, checked_form, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.support.common import HubDep, Said, asking
from sangsaeng.portal.words import Words, day_text
from sangsaeng.roles import allowed
from sangsaeng.store.records import User
from sangsaeng.support.assessment import loading, svg
from sangsaeng.support.assessment import radar as drawing
from sangsaeng.support.assessment.loading import ModelError

router = APIRouter(prefix="/portal/support/assessment", include_in_schema=False)
HUB = "/hub/support/assessment"
PAGE = "/portal/support/assessment"
MOST = 8  # questions on one page at most: a pillar's few questions, or a block's pillars while they fit together
TOP = 5  # the highest band
GOES = ("next", "previous", "save", "finish")
_AT = re.compile(r'^\$\.answers(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(".*")\])$')


# ---- sections: the questionnaire in pages -------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    """One page of the walk: consecutive questions of one SIRI building block (one pillar, or several that fit)."""

    number: int  # from 1
    block: str
    pillars: tuple[str, ...]
    questions: tuple[dict[str, Any], ...]

    @property
    def ids(self) -> list[str]:
        return [q["id"] for q in self.questions]


def sections(questions: list[dict[str, Any]], most: int = MOST) -> list[Section]:
    """The questions in the questionnaire's order, cut by pillar; pillars of one block that follow each other share
    a page while together they are at most ``most`` questions. Every question is on exactly one page."""
    runs: list[tuple[str, str, list[dict[str, Any]]]] = []
    for q in questions:
        if runs and runs[-1][:2] == (q["block"], q["pillar"]):
            runs[-1][2].append(q)
        else:
            runs.append((q["block"], q["pillar"], [q]))
    pages: list[tuple[str, list[str], list[dict[str, Any]]]] = []
    for block, pillar, asked in runs:
        if pages and pages[-1][0] == block and len(pages[-1][2]) + len(asked) <= most:
            pages[-1][1].append(pillar)
            pages[-1][2].extend(asked)
        else:
            pages.append((block, [pillar], list(asked)))
    return [Section(n, b, tuple(p), tuple(q)) for n, (b, p, q) in enumerate(pages, start=1)]


def resume_at(pages: list[Section], answered: dict[str, Any]) -> Section:
    """Where a walk resumes: the first page with a question not answered yet, else the last."""
    return next((s for s in pages if any(i not in answered for i in s.ids)), pages[-1])


def section_title(section: Section, names: dict[str, str]) -> str:
    """The block and its pillars by name; the page's dimensions by name where this software lacks the model."""
    if section.block in names and all(p in names for p in section.pillars):
        return f"{names[section.block]} · " + ", ".join(names[p] for p in section.pillars)
    return ", ".join(dict.fromkeys(q["dimensionName"] for q in section.questions))


def question_at(position: str | None) -> str | None:
    """The question a refusal's JSON path names (``$.answers.x``, ``$.answers["x-y"]``), else None."""
    found = _AT.match(position or "")
    if found is None:
        return None
    if found.group(1):
        return found.group(1)
    named = json.loads(found.group(2))
    return named if isinstance(named, str) else None


# ---- the models this software has: names of blocks and pillars, and the radar chart -------------------------------
def _names(versions: Any, language: str) -> dict[str, str]:
    try:
        siri = loading.scored_with(versions if isinstance(versions, dict) else {}).siri
    except ModelError:
        return {}
    found = {b.id: b.name.say(language) for b in siri.blocks}
    return found | {p.id: p.name.say(language) for b in siri.blocks for p in b.pillars}


def _bands(given: Any) -> dict[str, int]:
    """Bands as the hub sent them, only what can be bands (a chart is never drawn from anything else)."""
    if not isinstance(given, dict):
        return {}
    return {k: v for k, v in given.items() if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= TOP}


def bands_of(view: dict[str, Any]) -> dict[str, int]:
    """A completed assessment's band per dimension, from its result."""
    result = view.get("result") or {}
    return _bands({d.get("id"): d.get("band") for d in result.get("dimensions", []) if isinstance(d, dict)})


def _day(w: Words, moment: str | None) -> str | None:
    if not moment:
        return None
    return day_text(datetime.fromisoformat(moment).astimezone(w.zone).date(), w.language)


def chart(
    w: Words, versions: Any, now: dict[str, int], before: dict[str, int] | None, when: str | None, then: str | None
) -> Markup | None:
    """The radar chart as inline SVG (no script, no style: the page's policy holds), this assessment filled and
    the previous one dashed; None when this software lacks the models' versions or the bands do not fit them."""
    try:
        models = loading.scored_with(versions if isinstance(versions, dict) else {})
        drawn = drawing.radar(models, now, before, w.language, _day(w, when), _day(w, then))
    except (ModelError, KeyError):
        return None
    return Markup(svg.render(drawn))  # ElementTree escaped every label and attribute


def previous_of(view: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The completed assessment before ``view`` in the member's history (newest first), if there is one."""
    completed = [a for a in history if a.get("state") == "complete" and a.get("completedAt")]
    ids = [a.get("id") for a in completed]
    if view.get("id") not in ids:
        return None
    later = ids.index(view.get("id")) + 1
    return completed[later] if later < len(completed) else None


def changes(now: dict[str, int], before: dict[str, int] | None) -> dict[str, int | None]:
    """Per dimension: how many bands it moved since ``before`` (None: nothing to compare with)."""
    return {k: (v - before[k] if before is not None and k in before else None) for k, v in now.items()}


# ---- pages ----------------------------------------------------------------------------------------------------------
def _segment(value: str) -> str:
    return quote(value, safe="")


def _may_answer(user: User) -> bool:
    return allowed(user.role, "support.act")  # as ``publisher``: the roles that may act on support


@dataclass
class Asked:
    """What the hub answered to a page's calls, in order (None when one failed), its refusal if it refused, and
    what went wrong in the reader's words."""

    found: list[Any] | None
    said: Said
    refused: HubRefused | None = None

    @property
    def status(self) -> int:
        """The page's status when a call failed: the hub's refusal's, else 502 (it could not be reached)."""
        return self.refused.answered if self.refused is not None else 502


async def _ask(request: Request, *calls: Callable[[], Awaitable[Any]]) -> Asked:
    """The hub's answers to ``calls``, in order, until one fails."""
    asked = Asked(None, Said())
    found: list[Any] = []
    with asking(request) as asked.said:
        try:
            for call in calls:
                found.append(await call())
        except HubRefused as refused:
            asked.refused = refused
            raise
        asked.found = found
    return asked


async def _read(request: Request, hub: HubSupport, *paths: str) -> Asked:
    """The hub's answers to GET ``paths``, as ``_ask``."""
    return await _ask(request, *(partial(hub.get, path, words(request).language) for path in paths))


def _no_hub(request: Request, user: User) -> Response:
    return render(request, "support_assessment.html", user, hub=False, said=Said())


def _missing_page(request: Request, user: User) -> Response:
    return render(request, "problem.html", user, status=404, title="problem.missing", message="problem.missing.text")


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The member's assessments: the latest result beside the previous one, the history, start or resume."""
    if hub is None:
        return _no_hub(request, user)
    w = words(request)
    read = await _read(request, hub, f"{HUB}/questionnaire", f"{HUB}/mine")
    if read.found is None:
        return render(request, "support_assessment.html", user, status=read.status, hub=True, said=read.said, mine=None)
    said, (asked, mine) = read.said, read.found
    latest, previous = mine.get("latest"), mine.get("previous")
    drawn = None
    if latest:
        before = _bands(previous.get("bands")) if previous else None
        now = bands_of(latest)
        then = previous.get("completedAt") if previous else None
        drawn = chart(w, latest.get("models"), now, before, latest.get("completedAt"), then)
    draft = next((a for a in mine.get("assessments", []) if a.get("id") == mine.get("draft")), None)
    return render(
        request,
        "support_assessment.html",
        user,
        hub=True,
        said=said,
        mine=mine,
        asked=asked,
        latest=latest,
        previous=previous,
        draft=draft,
        chart=drawn,
        may_answer=_may_answer(user),
    )


@router.post("/start")
async def start(request: Request, user: UserDep, hub: HubDep) -> Response:
    """The hub's start (a new assessment, or the open one), then the walk where its answers stop."""
    publisher(user, "support.act")
    await checked_form(request)
    if hub is None:
        return _no_hub(request, user)
    read = await _ask(request, partial(hub.post, f"{HUB}/start", language=words(request).language))
    started = read.found[0] if read.found else None
    if not isinstance(started, dict) or not isinstance(started.get("id"), str):
        return render(request, "support_assessment.html", user, status=read.status, hub=True, said=read.said)
    return RedirectResponse(url(request, f"{PAGE}/{_segment(started['id'])}/answer"), status_code=303)


@dataclass
class Walk:
    """What a walk page is made of: the assessment as the hub keeps it, the questionnaire, its sections, and the
    names of SIRI's blocks and pillars in the reader's language."""

    view: dict[str, Any]
    asked: dict[str, Any]
    pages: list[Section]
    names: dict[str, str]


async def _walk(request: Request, hub: HubSupport, assessment_id: str) -> tuple[Walk | None, Asked]:
    read = await _read(request, hub, f"{HUB}/{_segment(assessment_id)}", f"{HUB}/questionnaire")
    if read.found is None:
        return None, read
    view, asked = read.found
    pages = sections(asked.get("questions") or [])
    if not pages:  # a questionnaire without questions cannot be walked: the hub is not what this page knows
        read.said.problem = words(request).t("support.hub_unreachable")
        return None, read
    return Walk(view, asked, pages, _names(view.get("models"), words(request).language)), read


def _walk_page(
    request: Request,
    user: User,
    walk: Walk,
    section: Section,
    said: Said,
    *,
    given: dict[str, str] | None = None,
    errors: dict[str, Said] | None = None,
    missing: list[tuple[Section, dict[str, Any]]] | None = None,
    status: int = 200,
) -> Response:
    answers = dict(walk.view.get("answers") or {}) | (given or {})
    progress = walk.view.get("progress") or {}
    return render(
        request,
        "support_assessment_walk.html",
        user,
        status=status,
        view=walk.view,
        asked=walk.asked,
        pages=walk.pages,
        section=section,
        title=section_title(section, walk.names),
        titles={s.number: section_title(s, walk.names) for s in walk.pages},
        numbers={q["id"]: n for n, q in enumerate((q for s in walk.pages for q in s.questions), start=1)},
        answers=answers,
        answered=progress.get("answered", 0),
        total=progress.get("total", sum(len(s.ids) for s in walk.pages)),
        said=said,
        errors=errors or {},
        missing=missing,
    )


def _section(walk: Walk, asked_for: str | None) -> Section | None:
    if asked_for is None:
        return resume_at(walk.pages, walk.view.get("answers") or {})
    if not asked_for.isdigit() or not 1 <= int(asked_for) <= len(walk.pages):
        return None
    return walk.pages[int(asked_for) - 1]


@router.get("/{assessment_id}/answer", response_class=HTMLResponse)
async def walk_page(request: Request, assessment_id: str, user: UserDep, hub: HubDep) -> Response:
    """One section of the questionnaire; without ``section``, the first with a question still open."""
    publisher(user, "support.act")
    if hub is None:
        return _no_hub(request, user)
    walk, read = await _walk(request, hub, assessment_id)
    if walk is None:
        return _refused(request, user, read)
    if walk.view.get("state") == "complete":
        return RedirectResponse(url(request, f"{PAGE}/{_segment(assessment_id)}"), status_code=303)
    section = _section(walk, request.query_params.get("section"))
    if section is None:
        return _missing_page(request, user)
    return _walk_page(request, user, walk, section, read.said)


def _refused(request: Request, user: User, read: Asked) -> Response:
    """The hub's refusal of a whole page: an assessment it does not know (or another member's, answered alike)
    is not found; anything else is said on the overview with the hub's status."""
    if read.status == 404:
        return _missing_page(request, user)
    return render(request, "support_assessment.html", user, status=read.status, hub=True, said=read.said)


@router.post("/{assessment_id}/answer", response_class=HTMLResponse)
async def answer(request: Request, assessment_id: str, user: UserDep, hub: HubDep) -> Response:
    """The section's answers saved at the hub; then where the person asked to go."""
    publisher(user, "support.act")
    form = await checked_form(request)
    if hub is None:
        return _no_hub(request, user)
    go = form.get("go", "next")
    given = {k.removeprefix("answer."): v for k, v in form.items() if k.startswith("answer.") and isinstance(v, str)}
    unknown = [k for k in form if k not in ("csrf", "section", "go") and not k.startswith("answer.")]
    walk, read = await _walk(request, hub, assessment_id)
    if walk is None:
        return _refused(request, user, read)
    section = _section(walk, str(form.get("section", "")))
    if section is None or go not in GOES or unknown:
        return render(request, "problem.html", user, status=400, title="problem.input", message="problem.bad_request")
    language = words(request).language
    if walk.view.get("state") == "complete":
        return RedirectResponse(url(request, f"{PAGE}/{_segment(assessment_id)}"), status_code=303)
    if given:
        body = {"questionnaire": (walk.view.get("models") or {}).get("questionnaire"), "answers": given}
        put = partial(hub.put, f"{HUB}/{_segment(assessment_id)}/answers", body, language)
        read = await _ask(request, put)
        saved = read.found[0] if read.found else None
        if not isinstance(saved, dict):
            said, errors = read.said, {}
            named = question_at(said.position)
            if named in section.ids:  # said beside its question; one on no question of this page, above them
                errors[named], said = said, Said()
            return _walk_page(request, user, walk, section, said, given=given, errors=errors, status=read.status)
        walk.view = saved
    if go == "finish":
        return await _finish(request, user, hub, walk, section)
    if go == "save":
        return RedirectResponse(url(request, PAGE), status_code=303)
    step = 1 if go == "next" else -1
    goes_to = min(max(section.number + step, 1), len(walk.pages))
    return RedirectResponse(url(request, f"{PAGE}/{_segment(assessment_id)}/answer?section={goes_to}"), status_code=303)


async def _finish(request: Request, user: User, hub: HubSupport, walk: Walk, section: Section) -> Response:
    """The hub's complete: the result page, or this page again with the questions still open, each linked."""
    assessment_id, language = str(walk.view.get("id")), words(request).language
    done = await _ask(request, partial(hub.post, f"{HUB}/{_segment(assessment_id)}/complete", language=language))
    if done.found is None:
        left = (done.refused.error.get("details") or {}).get("missing") if done.refused else None
        where = {q["id"]: (s, q) for s in walk.pages for q in s.questions}
        missing = [where[i] for i in left if i in where] if isinstance(left, list) else None
        return _walk_page(request, user, walk, section, done.said, missing=missing, status=done.status)
    return RedirectResponse(url(request, f"{PAGE}/{_segment(assessment_id)}"), status_code=303)


@router.get("/{assessment_id}", response_class=HTMLResponse)
async def result(request: Request, assessment_id: str, user: UserDep, hub: HubDep) -> Response:
    """A completed assessment: bands, summaries, the level and what the next one needs, the radar chart."""
    if hub is None:
        return _no_hub(request, user)
    w = words(request)
    read = await _read(request, hub, f"{HUB}/{_segment(assessment_id)}", f"{HUB}/mine")
    if read.found is None:
        return _refused(request, user, read)
    said, (view, mine) = read.said, read.found
    if view.get("state") != "complete" or not view.get("result"):
        if _may_answer(user):
            return RedirectResponse(url(request, f"{PAGE}/{_segment(assessment_id)}/answer"), status_code=303)
        return render(request, "support_assessment_result.html", user, view=view, result=None, said=said)
    previous = previous_of(view, mine.get("assessments") or [])
    now = bands_of(view)
    before = _bands(previous.get("bands")) if previous else None
    then = previous.get("completedAt") if previous else None
    return render(
        request,
        "support_assessment_result.html",
        user,
        view=view,
        result=view["result"],
        previous=previous,
        changes=changes(now, before),
        before=before,
        chart=chart(w, view.get("models"), now, before, view.get("completedAt"), then),
        said=said,
    )
