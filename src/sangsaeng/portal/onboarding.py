"""The upload flow, for a person without a command line: a factory file in → what the suggestion understood,
confirmed by picking (sheet, header rows, wide columns to turn into rows, each field's column or value, units,
date readings, unknown codes and units — remembered for the company's next files) → every problem, paged and
filtered → published with the count of rows kept stated first → the offer page.

Pages only translate: the file is read, suggested and checked by ``standard`` in worker threads, within the upload
limits; who may add data, the company's words and the ingest itself are the intake use case's (``usecases/intake``),
the same the API and the CLI go through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.catalog import vocabulary
from sangsaeng.errors import Forbidden, InvalidInput, SangsaengError
from sangsaeng.portal import auth, checking, readings, reviewing, revise, staging
from sangsaeng.portal.pages import NotAllowed, UserDep, acting, from_here, refused_as, render, words
from sangsaeng.portal.paths import url
from sangsaeng.services import ServicesDep
from sangsaeng.standard.company import Company
from sangsaeng.standard.entities import ENTITIES
from sangsaeng.standard.mapping import Applier
from sangsaeng.standard.sources import SUFFIXES
from sangsaeng.standard.workbook import Limits
from sangsaeng.store.records import User

router = APIRouter(prefix="/portal", include_in_schema=False)
PAGE = 50  # problems a page
COLUMNS_SHOWN = 200  # a file's columns offered in the selects and as wide columns, then how many more there are
NOTE = "onboarding"  # the session key of a one-time note on the review page


def _may_add(svc: ServicesDep, user: User) -> None:
    """Every step of the flow: refused (403) by the use case to a role that may not add data."""
    with refused_as("role"):
        svc.intake.begin(acting(user))


def _limits(svc: ServicesDep) -> Limits:
    return Limits.of(svc.connector.settings)


def _company(svc: ServicesDep) -> Company:
    """What the connector knows of its company: offered for a file's fields, never asked (issue 15)."""
    settings = svc.connector.settings
    return Company.of(settings.participant_id, settings.name, settings.public_url)


def _stage(svc: ServicesDep, token: str) -> staging.Stage:
    try:
        return staging.find(svc.connector.settings.data_dir, token)
    except staging.NoStage:
        raise NotAllowed("stage") from None


async def _posted(request: Request) -> revise.Form:
    """The posted form with every value of a name (checkboxes), refused (403) without the session's token."""
    form = await request.form()
    given = form.get("csrf")
    if not auth.csrf_valid(request.session, given if isinstance(given, str) else None) or not from_here(request):
        raise NotAllowed("csrf")
    return lambda name: [v for v in form.getlist(name) if isinstance(v, str)]


def _entities(request: Request) -> list[tuple[str, str]]:
    w = words(request)
    return [(e, w.entity(e)) for e in ENTITIES]


def _add_page(request: Request, user: User, status: int = 200, **context: Any) -> Response:
    return render(request, "add.html", user, status=status, entities=_entities(request), **context)


# ---- 1. upload ---------------------------------------------------------------------------------------------
@router.get("/add", response_class=HTMLResponse)
async def add_page(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    _may_add(svc, user)
    return _add_page(request, user)


@router.post("/add", response_class=HTMLResponse)
async def upload(
    request: Request,
    svc: ServicesDep,
    user: UserDep,
    file: Annotated[UploadFile, File()],
    entity: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> Response:
    _may_add(svc, user)
    if not auth.csrf_valid(request.session, csrf) or not from_here(request):
        raise NotAllowed("csrf")
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in SUFFIXES or entity not in ENTITIES:
        return _add_page(request, user, status=400, error="add.bad_file")
    stage = staging.new(svc.connector.settings.data_dir, svc.connector.settings.portal_staging_hours)
    try:
        source = stage.folder / f"source{suffix}"
        async with await anyio.open_file(source, "wb") as out:
            while chunk := await file.read(1 << 20):
                await out.write(chunk)
        (stage.folder / "name.txt").write_text(Path(file.filename or "data").name, "utf-8")
        await _suggest(svc, user, stage, entity, None)
    except SangsaengError as exc:
        stage.drop()
        return _add_page(request, user, status=400, error="add.unreadable", error_text=_reason(exc))
    except BaseException:
        stage.drop()
        raise
    return RedirectResponse(url(request, f"/portal/add/{stage.token}"), status_code=303)


def _reason(exc: SangsaengError) -> str:
    return " ".join(p for p in (exc.message, exc.hint and f"({exc.hint})") if p)


async def _suggest(svc: ServicesDep, user: User, stage: staging.Stage, entity: str, sheet: str | None) -> None:
    """The suggestion for a sheet of the staged file, with the company's remembered words, kept in the stage."""
    known = await svc.intake.words(acting(user), entity)
    limits = _limits(svc)
    company = _company(svc)
    document, about = await anyio.to_thread.run_sync(
        lambda: reviewing.propose(stage.source, entity, sheet, limits, known, company)
    )
    about["name"] = stage.name
    stage.save_document(document)
    stage.save_proposal(about)


# ---- 2. review ---------------------------------------------------------------------------------------------
async def _checked(svc: ServicesDep, stage: staging.Stage) -> checking.Checked:
    found = checking.last(stage)
    if found is not None:
        return found
    mapping = reviewing.as_mapping(stage.document())
    limits, company = _limits(svc), _company(svc)
    return await anyio.to_thread.run_sync(lambda: checking.check(stage, mapping, limits, company))


async def _review(
    request: Request,
    svc: ServicesDep,
    user: User,
    stage: staging.Stage,
    status: int = 200,
    problem: str | None = None,
    error_text: str | None = None,
) -> Response:
    w = words(request)
    document, about = stage.document(), stage.proposal()
    limits = _limits(svc)
    checked: checking.Checked | None = None
    try:  # the file as now laid out, or through the mapping, cannot be read: say why, and offer what can be
        cols = await anyio.to_thread.run_sync(lambda: reviewing.columns(stage.source, document, limits))
    except SangsaengError as exc:
        cols = reviewing.Columns([], [])
        error_text = error_text or _reason(exc)
    try:
        checked = await _checked(svc, stage)
    except SangsaengError as exc:
        error_text = error_text or _reason(exc)
    entity = str(document["entity"])
    rows = reviewing.field_rows(document, about, cols, checked.field_errors if checked else {}, w, _company(svc))
    fixed = _fixed_unit(entity, ENTITIES[entity].measured)  # energy is in kWh: only energy units are offered
    unknown_units = [(u, readings.unit_choices(u, fixed)) for u in (checked.unknown_units if checked else [])]
    unknown_codes = {
        f: [(v, r.codes) for v in values]
        for f, values in (checked.unknown_codes if checked else {}).items()
        for r in rows
        if r.name == f and r.codes
    }
    shown = [r.name for r in rows if r.column]
    measured = ENTITIES[entity].measured
    if measured in shown and "unit" in ENTITIES[entity].model_fields and "unit" not in shown:
        shown.insert(shown.index(measured) + 1, "unit")  # the value's unit, as the file wrote it
    return render(
        request,
        "review.html",
        user,
        status=status,
        token=stage.token,
        name=stage.name,
        entity=entity,
        document=document,
        about=about,
        sheet=document.get("sheet")
        or next((s for s in about.get("sheets", []) if s not in about.get("empty_sheets", [])), None),
        layout=readings.layout_of(document, about.get("titles", []), about.get("wide_kind")),
        header_rows=range(1, revise.HEADER_ROWS_LOOKED_AT + 1),
        headers=cols.headers[:COLUMNS_SHOWN],
        wide=cols.wide[:COLUMNS_SHOWN],
        more_columns=max(0, len(cols.headers) - COLUMNS_SHOWN),
        unpivot=document.get("unpivot") or {},
        # What a PACT export will ask, and nothing gives yet, first: asked where the data enters (issue 15).
        required=[r for r in rows if r.asked] + [r for r in rows if (r.required or r.column) and not r.asked],
        optional=[r for r in rows if not (r.required or r.column or r.asked)],
        asked=sum(r.asked for r in rows),
        constant=revise.CONSTANT,
        checked=checked,
        preview=checking.preview(stage) if checked else [],
        preview_columns=shown,
        first_problems=checking.problems(stage, 0, 5, severity="error").findings if checked else [],
        unknown_units=unknown_units,
        unknown_codes=unknown_codes,
        quantity_key=readings.quantity_key,
        title=reviewing.dataset_title(about, stage.name),
        note=request.session.pop(NOTE, None),
        problem=problem,
        error_text=error_text,
    )


def _fixed_unit(entity: str, name: str | None) -> str | None:
    if name is None:
        return None
    extra = ENTITIES[entity].model_fields[name].json_schema_extra
    return str(extra["x-unit"]) if isinstance(extra, dict) and "x-unit" in extra else None


@router.get("/add/{token}", response_class=HTMLResponse)
async def review(token: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    _may_add(svc, user)
    return await _review(request, svc, user, _stage(svc, token))


@router.post("/add/{token}", response_class=HTMLResponse)
async def revise_or_publish(token: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    _may_add(svc, user)
    form = await _posted(request)
    stage = _stage(svc, token)
    action = revise.first(form, "action") or "check"
    if action == "sheet":
        return await _choose_sheet(request, svc, user, stage, form)
    before = stage.document()
    try:
        document = await _revised(svc, user, stage, before, form)
        meant = _same(document)  # a document the reading refuses is shown with its reason, not kept
    except revise.Refused:
        raise NotAllowed("form") from None
    except (SangsaengError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, SangsaengError) else str(exc)
        return await _review(request, svc, user, stage, status=400, error_text=reason)
    try:
        meant_before: dict[str, Any] | None = _same(before)
    except (SangsaengError, ValueError):
        meant_before = None
    changed = meant != meant_before and stage.save_document(document)
    if action != "publish":
        return RedirectResponse(url(request, f"/portal/add/{stage.token}"), status_code=303)
    title = revise.first(form, "title") or ""
    if not title:
        return await _review(request, svc, user, stage, status=400, problem="review.title_needed")
    if changed:  # the counts the button stated were of another mapping: state the new ones first
        request.session[NOTE] = "review.changed"
        return RedirectResponse(url(request, f"/portal/add/{stage.token}"), status_code=303)
    return await _publish(request, svc, user, stage, title)


def _same(document: dict[str, Any]) -> dict[str, Any]:
    """What a document means, defaults filled in: a form that only spells out a default changes nothing. Its
    values for the whole file are read as cells are: one no cell could hold (ISO 9001 as a standard) is refused
    with its reason here, not kept."""
    mapping = reviewing.as_mapping(document)
    Applier(mapping)
    return mapping.model_dump()


async def _choose_sheet(
    request: Request, svc: ServicesDep, user: User, stage: staging.Stage, form: revise.Form
) -> Response:
    sheet = revise.first(form, "sheet") or ""
    if sheet not in stage.proposal().get("sheets", []):
        raise NotAllowed("form")
    try:
        await _suggest(svc, user, stage, str(stage.document()["entity"]), sheet)
    except SangsaengError as exc:
        return await _review(request, svc, user, stage, status=400, error_text=_reason(exc))
    return RedirectResponse(url(request, f"/portal/add/{stage.token}"), status_code=303)


async def _revised(
    svc: ServicesDep, user: User, stage: staging.Stage, document: dict[str, Any], form: revise.Form
) -> dict[str, Any]:
    """The document the form describes; the words it declares remembered for the company's next files."""
    limits = _limits(svc)
    cols = await anyio.to_thread.run_sync(lambda: reviewing.columns(stage.source, document, limits))
    revised = document
    if revise.first(form, "header.row") is not None:
        revised = revise.layout(document, form, cols.wide)
    if revise.layout_of(revised) != revise.layout_of(document):
        # Other rows or columns now: the fields keep what still exists, and the person picks among the new ones.
        after = await anyio.to_thread.run_sync(lambda: reviewing.columns(stage.source, revised, limits))
        revised = revise.prune(revised, after.headers)
    else:
        revised = revise.fields(revised, form, cols.headers)
    entity, now = str(revised["entity"]), svc.connector.now()
    declared = []
    try:
        for word, meaning in revise.declared_words(form, "unit_"):
            declared.append(vocabulary.unit_term(word, meaning, by=user.name, at=now))
            revised = revise.with_unit(revised, word, meaning)
        for name, kind in revise.kinds(entity).items():
            if kind in ("code", "yesno"):
                for word, meaning in revise.declared_words(form, f"code_{name}_"):
                    declared.append(vocabulary.code_term(entity, name, word, meaning, by=user.name, at=now))
                    revised = revise.with_code(revised, name, word, meaning)
    except InvalidInput as exc:
        raise revise.Refused(exc.message) from exc
    await svc.intake.declare(acting(user), declared)
    return revised


# ---- 3. problems -------------------------------------------------------------------------------------------
@router.get("/add/{token}/problems", response_class=HTMLResponse)
async def problems_page(
    token: str,
    request: Request,
    svc: ServicesDep,
    user: UserDep,
    offset: int = 0,
    code: str = "",
    field: str = "",
    severity: str = "error",
) -> Response:
    _may_add(svc, user)
    stage = _stage(svc, token)
    try:
        checked = await _checked(svc, stage)
    except SangsaengError as exc:
        return await _review(request, svc, user, stage, status=400, error_text=_reason(exc))
    severity = severity if severity in ("error", "note") else "error"
    code = code if code in checked.counts else ""
    field = field if field in checked.fields else ""
    page = checking.problems(stage, max(0, offset), PAGE, code=code or None, field=field or None, severity=severity)
    document = stage.document()
    return render(
        request,
        "problems.html",
        user,
        token=stage.token,
        name=stage.name,
        entity=str(document["entity"]),
        checked=checked,
        page=page,
        code=code,
        field=field,
        severity=severity,
        page_size=PAGE,
    )


# ---- 4. publish --------------------------------------------------------------------------------------------
async def _publish(request: Request, svc: ServicesDep, user: User, stage: staging.Stage, title: str) -> Response:
    checked = await _checked(svc, stage)
    if checked.kept == 0:  # never an empty dataset: the button is disabled, and a post anyway is refused
        return await _review(request, svc, user, stage, status=400, problem="review.nothing_kept")
    mapping = reviewing.as_mapping(stage.document())
    try:
        dataset, result = await svc.intake.ingest(
            acting(user), stage.source, mapping, dataset_id=None, title=title, accept_partial=True
        )
    except Forbidden:
        raise NotAllowed("role") from None
    except SangsaengError as exc:
        return await _review(request, svc, user, stage, status=400, error_text=_reason(exc))
    if dataset is None:
        return await _review(request, svc, user, stage, status=400, problem="review.not_published")
    # The headers the fields were read from, for the company's next files.
    headers = vocabulary.header_terms(stage.document(), by=user.name, at=svc.intake.now())
    await svc.intake.declare(acting(user), headers, logged=False)
    stage.drop()
    return RedirectResponse(url(request, f"/portal/offer/{dataset.id}"), status_code=303)
