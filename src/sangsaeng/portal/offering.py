"""The offer page: a dataset offered on a named template or on terms the form builds, each choice summarised in
words — partners by name, purposes and columns in the reader's language — with the values entered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.errors import Forbidden, InvalidInput, SangsaengError
from sangsaeng.policy import templates as offer_templates
from sangsaeng.policy.access import default_audience
from sangsaeng.policy.model import parse_policy
from sangsaeng.portal.names import Names
from sangsaeng.portal.pages import NotAllowed, UserDep, acting, checked_form, names_for, publisher, render, words
from sangsaeng.portal.paths import url
from sangsaeng.portal.summary import Summary, seen_by, summarize
from sangsaeng.services import ServicesDep
from sangsaeng.store.records import Dataset, User

router = APIRouter(prefix="/portal", include_in_schema=False)
# Where a refused offer went wrong (the error's position) → the sentence shown next to that field.
FIELD_ERRORS = {
    "parameters.days": "offer.error.days",
    "custom.days": "offer.error.days",
    "parameters.k": "offer.error.k",
    "custom.k": "offer.error.k",
}


@router.get("/offer/{dataset_id}", response_class=HTMLResponse)
async def offer_page(dataset_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    publisher(user)
    dataset = await svc.offers.find_dataset(acting(user), dataset_id)
    names = await names_for(request, user)
    if dataset is None:
        raise NotAllowed("dataset")
    return _page(request, svc, user, dataset, names, {})


def _page(
    request: Request,
    svc: ServicesDep,
    user: User,
    dataset: Dataset,
    names: Names,
    form: dict[str, Any],
    status: int = 200,
    **context: Any,
) -> Response:
    partners = [p for p in svc.connector.directory.participants() if p.id != svc.connector.participant_id]
    entity = dataset.latest.entity if dataset.latest else None
    return render(
        request,
        "offer.html",
        user,
        status=status,
        dataset=dataset,
        entity=entity,
        templates=list(offer_templates.TEMPLATES.values()),
        partners=partners,
        summaries=_summaries(request, svc, partners, names, entity, form),
        entered={k: str(v) for k, v in form.items() if k.startswith("param.")},
        columns=[c["name"] for c in dataset.latest.columns] if dataset.latest else [],
        purposes=sorted(svc.connector.purposes),
        names=names,
        **context,
    )


def _summaries(
    request: Request, svc: ServicesDep, partners: list[Any], names: Names, entity: str | None, form: dict[str, Any]
) -> dict[str, Summary]:
    """What each template would let a partner do, in words: with the values entered when the form came back
    refused, else with its defaults (and the first partner)."""
    w = words(request)
    first = partners[0].id if partners else "urn:example"
    chosen = form.get("template")
    found = {}
    for name, template in offer_templates.TEMPLATES.items():
        given = _defaults(template, first, w.t("offer.entered"))
        if name == chosen:
            given |= {p.name: str(form[f"param.{p.name}"]) for p in template.parameters if form.get(f"param.{p.name}")}
        try:
            policy = parse_policy(template.policy(given), purposes=svc.connector.purposes)
        except SangsaengError:  # a value entered that the template refuses: its defaults are summarised
            defaults = _defaults(template, first, w.t("offer.entered"))
            policy = parse_policy(template.policy(defaults), purposes=svc.connector.purposes)
        found[name] = summarize(policy, w, names, entity)
        found[name].seen = seen_by(default_audience(policy).describe(), w, names)
    return found


def _defaults(template: offer_templates.Template, first: str, entered: str) -> dict[str, Any]:
    """A template's parameters before anything is entered: the first partner, the defaults, and for a value
    without a default (a membership) words that say it will be what is entered."""
    return {
        p.name: (first if p.name in ("customer", "suppliers") else (p.default or entered)) for p in template.parameters
    }


@router.post("/offer/{dataset_id}", response_class=HTMLResponse)
async def offer(dataset_id: str, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    publisher(
        user, "offer.publish"
    )  # refused before the form is read, as the page itself is; the use case decides again
    form = await checked_form(request)
    who = acting(user)
    name = str(form.get("template", ""))
    try:
        if name == "custom":
            await svc.offers.publish(who, dataset_id, custom_policy(form))
        else:
            chosen = offer_templates.TEMPLATES.get(name)
            if chosen is None:
                raise NotAllowed("template")
            parameters = {
                p.name: str(form.get(f"param.{p.name}", "")) for p in chosen.parameters if form.get(f"param.{p.name}")
            }
            await svc.offers.publish(who, dataset_id, None, template=name, parameters=parameters)
    except Forbidden:
        raise NotAllowed("role") from None
    except SangsaengError as exc:
        dataset = await svc.offers.find_dataset(who, dataset_id)
        names = await names_for(request, user)
        if dataset is None:
            raise NotAllowed("dataset") from None
        return _page(request, svc, user, dataset, names, form, status=400, **_error(request, exc))
    request.session["flash"] = "offer.published"
    return RedirectResponse(url(request, "/portal/"), status_code=303)


def _error(request: Request, exc: SangsaengError) -> dict[str, Any]:
    """The refusal in the reader's words, placed next to its field where it has one; the service's own
    (English) sentence goes along as a detail."""
    w = words(request)
    position = exc.position or ""
    if position in FIELD_ERRORS:
        text = w.t(FIELD_ERRORS[position])
    elif position.startswith("parameters."):
        text = w.t("offer.error.missing", field=w.t(f"param.{position.removeprefix('parameters.')}"))
    else:
        text = w.t("offer.error.refused")
    return {"error_text": text, "error_at": position, "error_detail": exc.message}


def custom_policy(form: dict[str, Any]) -> dict[str, Any]:
    """The offer the form describes: partner, purpose, period, fields, aggregates only, passing on."""
    constraints: list[dict[str, Any]] = []

    def add(left: str, operator: str, right: Any) -> None:
        constraints.append({"leftOperand": left, "operator": operator, "rightOperand": right})

    if form.get("custom.partner"):
        add("participant", "eq", str(form["custom.partner"]))
    if form.get("custom.purpose"):
        add("purpose", "eq", str(form["custom.purpose"]))
    days = str(form.get("custom.days", "")).strip()
    if days:
        if not days.isdigit() or not 1 <= int(days) <= 3650:
            raise InvalidInput("days must be a whole number between 1 and 3650", position="custom.days")
        add("elapsedTime", "lteq", f"P{int(days)}D")
    fields = [str(v) for k, v in form.items() if k.startswith("custom.field.")]
    if fields:
        add("fields", "isAnyOf", fields)
    if form.get("custom.aggregates") == "on":
        add("aggregateOnly", "eq", True)
        k = str(form.get("custom.k", "5")).strip()
        if not k.isdigit() or int(k) < 2:
            raise InvalidInput("the smallest group must be a whole number of at least 2", position="custom.k")
        add("minGroupSize", "gteq", k)
    if form.get("custom.no_passing_on") == "on":
        add("redistribution", "eq", False)
    return {"permission": [{"action": "use", "constraint": constraints}]}
