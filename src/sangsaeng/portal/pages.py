"""The portal's pages: server-rendered (Jinja2), plain forms that work without JavaScript, behind a login.

Every page calls the connector's own services in-process — the same ones the REST API calls — so the portal
can do nothing the API cannot, and refuses what the API refuses, in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sangsaeng.errors import Forbidden, SangsaengError
from sangsaeng.policy import duties as duty_status
from sangsaeng.policy.rights import end_of
from sangsaeng.portal import auth
from sangsaeng.portal.guard import cookie_headers
from sangsaeng.portal.i18n import LANGUAGES, Words, choose
from sangsaeng.portal.names import TITLES_FILE, Names, RememberedTitles, load_names, short
from sangsaeng.portal.paths import base, url
from sangsaeng.portal.summary import duty_text
from sangsaeng.roles import Principal, allowed
from sangsaeng.services import ServicesDep, services
from sangsaeng.store.records import Agreement, Dataset, User
from sangsaeng.tenants.context import context_of

router = APIRouter(prefix="/portal", include_in_schema=False)
views = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# An id in a link or form address, as one path segment: Jinja's urlencode keeps "/", so an agreement id a
# provider chose as "../agreements/…/terminate" made the "get data" button post to another page of ours.
views.env.filters["segment"] = lambda value: quote(str(value), safe="")
EXPIRING = timedelta(days=14)


class LoginRequired(Exception):
    pass


class NotAllowed(Exception):
    pass


def words(request: Request) -> Words:
    """The reader's language, and the company's time zone for every moment shown."""
    return Words(
        choose(request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")),
        services(request).connector.settings.timezone,
    )


async def names_for(
    request: Request, user: User, *, datasets: list[Dataset] | None = None, agreements: list[Agreement] | None = None
) -> Names:
    """Partners, datasets and agreements by name, for one page (lists it read already passed in)."""
    svc = services(request)
    if datasets is None or agreements is None:
        read = await svc.views.naming(acting(user))
        datasets = read.datasets if datasets is None else datasets
        agreements = read.agreements if agreements is None else agreements
    return load_names(svc.connector, words(request), titles_of(request), datasets=datasets, agreements=agreements)


def titles_of(request: Request) -> RememberedTitles:
    """Partners' dataset titles as this connector's portal remembers them (one file per participant context)."""
    settings = services(request).connector.settings
    return context_of(request.scope).own(RememberedTitles, lambda: RememberedTitles(settings.data_dir / TITLES_FILE))


def acting(user: User) -> Principal:
    """The signed-in person as the use cases see them: their name and role, through the portal."""
    return Principal(user.name, user.role, "portal")


@contextmanager
def refused_as(kind: str) -> Iterator[None]:
    """A use case's refusal as the portal's: a role refused (403), anything else as ``kind``."""
    try:
        yield
    except Forbidden:
        raise NotAllowed("role") from None
    except SangsaengError:
        raise NotAllowed(kind) from None


async def current_user(request: Request, svc: ServicesDep) -> User:
    name = request.session.get("user")
    if not isinstance(name, str):
        raise LoginRequired
    user = await svc.accounts.user(name)
    if user is None:
        request.session.clear()
        raise LoginRequired
    return user


UserDep = Annotated[User, Depends(current_user)]


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, refused (403) without the session's CSRF token."""
    form = dict(await request.form())
    given = form.get("csrf")
    if not auth.csrf_valid(request.session, given if isinstance(given, str) else None) or not from_here(request):
        raise NotAllowed("csrf")
    return form


def from_here(request: Request) -> bool:
    """Whether the browser says the form was posted from our own pages. Before sign-in the token is only compared
    with its cookie, and a page on another port of this host (or a sibling domain) can set that cookie — cookies
    ignore ports — then post a matching pair: the browser would sign in to the attacker's account (login CSRF).
    Browsers name such a post same-site or cross-site; clients that send no such header are not browsers."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def publisher(user: User, action: str = "dataset.add") -> None:
    """Pages with forms for changing things are not shown to a role that may not send them (the use case
    decides again when the form comes)."""
    if not allowed(user.role, action):
        raise NotAllowed("role")


def render(request: Request, template: str, user: User | None = None, status: int = 200, **context: Any) -> Response:
    w = words(request)
    connector = services(request).connector
    listed = connector.directory.find(connector.participant_id)
    return views.TemplateResponse(
        request,
        template,
        {
            "w": w,
            "t": w.t,
            "lang": w.language,
            "languages": LANGUAGES,
            "user": user,
            "csrf": auth.csrf_token(request.session),
            "base": base(request.scope),  # every address a page names starts with it (``paths.py``)
            "connector": connector,
            "company": connector.settings.name or (listed.name if listed else short(connector.participant_id)),
            **context,
        },
        status_code=status,
    )


# ---- the pages' own style and script (files: the Content-Security-Policy allows nothing inline) -----------
STATIC = Path(__file__).parent / "static"


@router.get("/static/portal.css")
async def portal_css() -> Response:
    return FileResponse(STATIC / "portal.css", media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/static/chart.js")
async def chart_js() -> Response:
    return FileResponse(STATIC / "chart.js", media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


# ---- language ---------------------------------------------------------------------------------------------
@router.get("/lang/{language}")
async def switch_language(language: str, request: Request) -> Response:
    home = url(request, "/portal/")
    back = request.headers.get("referer") or home
    # base_url carries the context's prefix: a page of another context is not "back".
    response = RedirectResponse(back if back.startswith(str(request.base_url)) else home, status_code=303)
    if language in LANGUAGES:
        secure = services(request).connector.settings.portal_secure_cookies
        for value in cookie_headers(request.scope, "lang", language, secure, max_age=365 * 86400):  # as the others
            response.headers.append("set-cookie", value)
        # One set before with Path=/ would be sent after this one and win: it goes.
        response.delete_cookie("lang", path="/", secure=secure, httponly=True, samesite="lax")
    return response


# ---- home --------------------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def home(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    c = svc.connector
    now = c.now()
    seen = await svc.views.overview(acting(user))
    datasets, offers, agreements = seen.datasets, seen.offers, seen.agreements
    negotiations, transfers, accesses = seen.negotiations, seen.transfers, seen.accesses
    names = await names_for(request, user, agreements=agreements)
    w = words(request)
    shared = []
    for d in datasets:
        given = [a for a in agreements if a.dataset_id == d.id and a.provider == c.participant_id]
        offered = [(o.id, names.offer(o.id, o.policy, c.purposes)) for o in offers if o.dataset_id == d.id]
        shared.append({"dataset": d, "offers": offered, "agreements": given})
    warnings: list[dict[str, str]] = []
    for a in agreements:
        compiled = c.policies.compiled(a.id, a.body)
        duties = compiled.policy.duties
        for duty, due in zip(duties, duty_status.status(duties, a.created_at, now, a.fulfilled or {}), strict=True):
            if due["state"] == "overdue":
                text = w.t("warning.overdue", agreement=names.agreement(a.id), what=duty_text(duty, w))
                warnings.append({"text": text, "detail": ""})
        ends = [end_of(rule, a.created_at) for rule in compiled.policy.of_kind("permission")]
        end = None if not ends or any(e is None for e in ends) else max(e for e in ends if e is not None)
        if a.terminated_at is None and end is not None and now <= end <= now + EXPIRING:
            text = w.t("warning.expiring", agreement=names.agreement(a.id), when=w.when(end))
            warnings.append({"text": text, "detail": ""})
    for t in transfers:
        if t.state == "TERMINATED":
            warnings.append(
                {"text": w.t("warning.transfer", agreement=names.agreement(t.agreement_id)), "detail": t.reason or ""}
            )
    pending = [n for n in negotiations if n.role == "provider" and n.state in ("REQUESTED", "ACCEPTED")]
    recent = [{"at": e.at, "counterparty": e.counterparty, "agreement": e.agreement_id} for e in accesses]
    return render(
        request, "home.html", user, shared=shared, pending=pending, recent=recent, warnings=warnings, names=names
    )


# ---- adding data: portal.onboarding ------------------------------------------------------------------------
