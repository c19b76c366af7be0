"""``/hub/support/assessment/…``: the self-assessment for members (their self-issued tokens; only approved
members, a suspended one gets 403) — routes only translate, ``service/assessment.py`` decides. The language of
the words is ``?lang=ko|en``, else the request's ``Accept-Language`` (Korean when it asks for Korean).

- ``GET  questionnaire`` — the questions, every option's meaning, band and criteria; the bands and levels.
- ``POST start`` — a new draft (201), or the member's open draft (200).
- ``PUT  {id}/answers`` — ``{"questionnaire"?: version, "answers": {question: option | null}}``, merged.
- ``POST {id}/complete`` — scores it; 400 with ``details.missing`` while questions are open.
- ``GET  {id}`` — one assessment with its result and every answer explained.
- ``GET  mine`` — history newest first, the latest completed in full, the previous beside it, the radar data.
- ``GET  {id}/radar.svg`` — the radar chart of a completed assessment (with the one before it), as SVG."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from sangsaeng.hub.api.routes import HubDep, Member
from sangsaeng.i18n import catalogs
from sangsaeng.i18n.refusals import refusal
from sangsaeng.services import CONTEXT
from sangsaeng.support.service.assessment import Assessments

router = APIRouter(prefix="/hub/support/assessment", tags=["support"])


def assessments_of(request: Request, hub: HubDep) -> Assessments:
    """The hub's one ``Assessments``, kept by its context."""
    found: Assessments = request.scope[CONTEXT].own(Assessments, lambda: Assessments(hub.connector, hub.membership))
    return found


def language_of(request: Request, lang: Annotated[str | None, Query(max_length=16)] = None) -> str:
    if lang is not None and lang not in catalogs.LANGUAGES:
        raise refusal("assessment", "lang.unknown", at="lang", given=lang, languages=", ".join(catalogs.LANGUAGES))
    return catalogs.choose(lang, None, request.headers.get("accept-language"))


Service = Annotated[Assessments, Depends(assessments_of)]
Language = Annotated[str, Depends(language_of)]
AssessmentId = Annotated[str, Path(max_length=64)]


@router.get("/questionnaire")
async def questionnaire(service: Service, language: Language) -> dict[str, Any]:
    """The current questionnaire in the chosen language."""
    return service.questionnaire(language)


@router.post("/start", status_code=201)
async def start(service: Service, me: Member, language: Language) -> JSONResponse:
    """Start an assessment, or resume the open one (200)."""
    view, created = await service.start(me, language)
    return JSONResponse(view, status_code=201 if created else 200)


@router.get("/mine")
async def mine(service: Service, me: Member, language: Language) -> dict[str, Any]:
    """The member's assessments and its progress over time."""
    return await service.mine(me, language)


@router.get("/{assessment_id}")
async def read(service: Service, me: Member, language: Language, assessment_id: AssessmentId) -> dict[str, Any]:
    """One assessment with its result and explanations."""
    return await service.read(me, assessment_id, language)


@router.put("/{assessment_id}/answers")
async def answer(
    service: Service,
    me: Member,
    language: Language,
    assessment_id: AssessmentId,
    body: Annotated[Any, Body()] = None,
) -> dict[str, Any]:
    """Save answers (in parts: what is sent is merged over what was saved)."""
    return await service.answer(me, assessment_id, body, language)


@router.post("/{assessment_id}/complete")
async def complete(service: Service, me: Member, language: Language, assessment_id: AssessmentId) -> dict[str, Any]:
    """Complete and score the assessment."""
    return await service.complete(me, assessment_id, language)


@router.get("/{assessment_id}/radar.svg", response_class=Response)
async def radar_svg(service: Service, me: Member, language: Language, assessment_id: AssessmentId) -> Response:
    """The radar chart of a completed assessment, as an SVG document."""
    return Response(await service.radar_svg(me, assessment_id, language), media_type="image/svg+xml")


def install(app: FastAPI) -> None:
    app.include_router(router)
