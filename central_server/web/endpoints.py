"""The waiting-room pages over HTTP; rules are in ``service``, the streams in ``live``.

::

    GET /                                        the server's start page: each site's display
                                                 link and the API's documentation (staff)
    GET /display/{site}[?token=...][&speak=1|0]  the call display; a token in the link is put
                                                 in an HttpOnly cookie, then the browser is sent
                                                 to the clean address
    GET /display/{site}/state                    the display's state (JSON)
    GET /display/{site}/events                   the display's live state (server-sent events)
    GET /t/{status_token}                        the citizen's ticket status page
    GET /t/{status_token}/state                  its state (JSON)
    GET /t/{status_token}/events                 its live state (server-sent events)
    POST /t/{status_token}/feedback              the citizen's answer to "How was your visit?"
                                                 (see ``give_feedback``)
    GET /p[?lang=..]                             "Is my document ready?": a form for a pickup
                                                 receipt's code
    POST /p  (form: code, lang)                  the receipt's state (see ``pickup_page``)
    GET /web/static/...                          scripts and styles
    GET /web/chime.wav, /web/fonts/{file}        the chime, the fonts

A display authenticates with its device token in the cookie (browsers' EventSource cannot send
an Authorization header) or as a bearer token. None of these routes is in the OpenAPI document:
they are pages, not the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from central_server.deps import BusDep, DbDep
from central_server.errors import N_, Conflict, InvalidInput, NotFound, RateLimited
from central_server.models._types import utcnow
from central_server.pickups import service as pickups_service
from central_server.web import chime, live, logfilter, pages, service, texts
from central_server.web.board import BoardCache
from resources import path as resource_path
from resources.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES, best_language, citizen_gettext

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent / "static"
DISPLAY_COOKIE = "tresen_display"
SPEAK_COOKIE = "tresen_display_speak"
COOKIE_PATH = "/display"
#: Browsers keep a cookie at most 400 days; a display that runs every day renews it.
COOKIE_SECONDS = 400 * 24 * 3600
FONTS = frozenset(
    {
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
        "NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
    }
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; media-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
}
#: The status page sends its one form (the feedback's faces) to its own server.
STATUS_PAGE_HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(
        "form-action 'none'", "form-action 'self'"
    ),
}
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
#: What a browser sends for a plain form; any other body is read as JSON.
FORM = "application/x-www-form-urlencoded"


def install(app: FastAPI) -> None:
    """Serve the pages and their files, and keep their keys out of the logs."""
    app.state.web_boards = BoardCache()
    app.state.web_lookups = service.LookupGuard(app.state.failures)
    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")
    logfilter.install()


def _boards(request: Request) -> BoardCache:
    boards: BoardCache = request.app.state.web_boards
    return boards


def _page(
    body: str, status_code: int = 200, headers: dict[str, str] = PAGE_HEADERS
) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=headers)


def _display_token(request: Request) -> str | None:
    """The display's token: from its cookie, else from an ``Authorization: Bearer`` header."""
    token = request.cookies.get(DISPLAY_COOKIE)
    if token:
        return token
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def _site_or_404(db: DbDep, site: str) -> int:
    found = service.site_by_slug(db, site)
    if found is None:
        raise NotFound("site_not_found", N_("There is no site {site}."), site=site)
    return found.id


# The start page ------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, db: DbDep) -> Response:
    language = best_language(request.headers.get("accept-language"), STAFF_LANGUAGES)
    return _page(pages.home(language, service.sites(db)))


# The call display ----------------------------------------------------------------------------


@router.get("/display/{site}")
def display_page(
    site: str,
    request: Request,
    db: DbDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
    speak: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    found = service.site_by_slug(db, site)
    if found is None:
        return _page(pages.no_such_site(site), 404)
    secure = request.url.scheme == "https"
    if token is not None or speak is not None:
        if token is not None and not service.is_display(db, token, found.id):
            return _page(pages.display_signed_out(site), 401)
        clean = request.scope.get("root_path", "") + f"/display/{quote(site, safe='')}"
        response = Response(status_code=303, headers={**PAGE_HEADERS, "Location": clean})
        if token is not None:
            response.set_cookie(
                DISPLAY_COOKIE,
                token,
                max_age=COOKIE_SECONDS,
                path=COOKIE_PATH,
                httponly=True,
                samesite="strict",
                secure=secure,
            )
        if speak is not None:
            response.set_cookie(
                SPEAK_COOKIE,
                "1" if speak.lower() in ("1", "on", "yes", "true") else "0",
                max_age=COOKIE_SECONDS,
                path=COOKIE_PATH,
                httponly=True,
                samesite="strict",
                secure=secure,
            )
        return response
    cookie = request.cookies.get(DISPLAY_COOKIE)
    if not service.is_display(db, cookie, found.id):
        response = _page(pages.display_signed_out(site), 401)
        if cookie:
            response.delete_cookie(DISPLAY_COOKIE, path=COOKIE_PATH)
        return response
    speaking = request.cookies.get(SPEAK_COOKIE) == "1"
    return _page(pages.display(site, found, speaking))


@router.get("/display/{site}/state")
def display_state(site: str, request: Request, db: DbDep) -> JSONResponse:
    site_id = _site_or_404(db, site)
    service.display_principal(db, _display_token(request), site_id)
    board = _boards(request).current(db, site_id)
    return JSONResponse(
        service.display_payload(board, utcnow()), headers={"Cache-Control": "no-store"}
    )


@router.get("/display/{site}/events")
def display_events(site: str, request: Request, db: DbDep, bus: BusDep) -> StreamingResponse:
    site_id = _site_or_404(db, site)
    token = _display_token(request)
    service.display_principal(db, token, site_id)
    return StreamingResponse(
        live.display_stream(
            request,
            db,
            bus,
            _boards(request),
            site_id,
            lambda: service.is_display(db, token, site_id),
        ),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


# The ticket status page ----------------------------------------------------------------------


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _lookup(request: Request, db: DbDep, token: str) -> service.TicketRef:
    """The ticket of ``token``; refuses (404, or 429 after many unknown tokens)."""
    guard: service.LookupGuard = request.app.state.web_lookups
    client = _client(request)
    if not guard.allowed(client):
        raise RateLimited(
            "too_many_lookups",
            N_("Too many unknown ticket links from this address. Please wait a minute."),
        )
    ref = service.lookup(db, token)
    if ref is None:
        guard.failed(client)
        raise NotFound("not_found", N_("There is nothing here."))
    return ref


def _citizen_language(request: Request) -> str:
    return best_language(request.headers.get("accept-language"), CITIZEN_LANGUAGES)


def _not_found_page(request: Request, refused: NotFound | RateLimited) -> HTMLResponse:
    too_many = isinstance(refused, RateLimited)
    body = pages.ticket_not_found(_citizen_language(request), too_many=too_many)
    return _page(body, refused.status_code)


@router.get("/t/{token}")
async def status_page(token: str, request: Request, db: DbDep) -> Response:
    try:
        ref = await run_in_threadpool(_lookup, request, db, token)
    except (NotFound, RateLimited) as refused:
        return _not_found_page(request, refused)
    view = await run_in_threadpool(service.current_view, db, _boards(request), ref)
    if view is None:
        return _page(pages.ticket_not_found(_citizen_language(request)), 404)
    return _page(pages.status(ref, view, token), headers=STATUS_PAGE_HEADERS)


@router.get("/t/{token}/state")
def status_state(token: str, request: Request, db: DbDep) -> JSONResponse:
    ref = _lookup(request, db, token)
    view = service.current_view(db, _boards(request), ref)
    if view is None:
        raise NotFound("not_found", N_("There is nothing here."))
    return JSONResponse(view, headers={"Cache-Control": "no-store"})


@router.get("/t/{token}/events")
def status_events(token: str, request: Request, db: DbDep, bus: BusDep) -> StreamingResponse:
    ref = _lookup(request, db, token)
    return StreamingResponse(
        live.status_stream(request, db, bus, _boards(request), ref),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower() == FORM


def _score_in(body: bytes, form: bool) -> object:
    """The request's ``score``: a form's one field (its text "1" to "5" as a number), or a JSON
    object's member as it is (None when absent, given twice, or the body cannot be read)."""
    if form:
        try:
            fields = parse_qs(body.decode("ascii"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return None
        values = fields.get("score", [])
        if len(values) != 1:
            return None
        return int(values[0]) if values[0] in ("1", "2", "3", "4", "5") else values[0]
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return document.get("score") if isinstance(document, dict) else None


def _back_to_page(request: Request, token: str) -> Response:
    """See the status page (a plain form's answer): it now says thank you."""
    page = request.scope.get("root_path", "") + f"/t/{quote(token, safe='')}"
    return Response(status_code=303, headers={**PAGE_HEADERS, "Location": page})


@router.post("/t/{token}/feedback")
async def give_feedback(token: str, request: Request, db: DbDep, bus: BusDep) -> Response:
    """The citizen's answer to "How was your visit?": ``score`` 1 to 5, as a plain form's field
    (the page without script) or as JSON ``{"score": 4}`` (the page's script).

    JSON answers: 201 ``{"feedback": "given", "message"}``; 409 ``feedback_already_given``
    (nothing changes), ``visit_not_done``, ``no_visit_to_rate``; 422 ``invalid_score``; each
    error's message in the ticket's language. An unknown token answers exactly as the status
    page's ``state`` does (404 ``not_found``, 429 ``too_many_lookups`` after many), and counts
    in the same limit. A form is answered with pages instead: 303 back to the status page once
    the answer is kept (also when it was kept before), the same "not found" page as the status
    page, and for a refusal the message page in the ticket's language with the refusal's status.
    """
    form = _is_form(request)
    try:
        ref = await run_in_threadpool(_lookup, request, db, token)
    except (NotFound, RateLimited) as refused:
        if form:
            return _not_found_page(request, refused)
        raise
    say = citizen_gettext(ref.language)
    try:
        score = service.feedback_score(_score_in(await request.body(), form))
        await run_in_threadpool(service.give_feedback, db, bus, ref, score)
    except (Conflict, InvalidInput) as refused:
        message = refused.render(say)
        if form and refused.code == "feedback_already_given":
            return _back_to_page(request, token)
        if form:
            return _page(pages.feedback_refused(ref, message, token), refused.status_code)
        body = {"code": refused.code, "message": message, "details": refused.details()}
        return JSONResponse(
            body, status_code=refused.status_code, headers={"Cache-Control": "no-store"}
        )
    if form:
        return _back_to_page(request, token)
    return JSONResponse(
        {"feedback": service.FEEDBACK_GIVEN, "message": say(texts.FEEDBACK_THANKS)},
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


# Files ---------------------------------------------------------------------------------------


@router.get("/web/chime.wav")
def chime_wav() -> Response:
    return Response(
        chime.wav(), media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/web/fonts/{name}")
def font(name: str) -> Response:
    if name not in FONTS:
        raise NotFound("not_found", N_("There is nothing here."))
    return FileResponse(
        resource_path("fonts", name),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=604800"},
    )


# "Is my document ready?" ---------------------------------------------------------------------


def _page_language(request: Request, asked: str | None) -> str:
    """The language asked for (a link on the page), else the browser's, else German."""
    if asked in CITIZEN_LANGUAGES:
        return str(asked)
    return _citizen_language(request)


@router.get("/p")
def pickup_form(request: Request, lang: str | None = None) -> Response:
    return _page(pages.pickup(_page_language(request, lang)), headers=STATUS_PAGE_HEADERS)


@router.post("/p")
async def pickup_page(request: Request, db: DbDep) -> Response:
    """A receipt's state: ordered (and when expected), ready since, handed over, expired,
    cancelled, or replaced by a new receipt; never a name or the document.

    The code travels in the form's body, never in an address, so it stays out of access logs.
    Unknown codes count against the status page's limit for the sender's address (20 a minute):
    past it, every code is refused with 429 until the minute has passed.
    """
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    code = (form.get("code") or [""])[0]
    language = _page_language(request, (form.get("lang") or [""])[0])
    guard: service.LookupGuard = request.app.state.web_lookups
    client = _client(request)
    if not await run_in_threadpool(guard.allowed, client):
        return _page(pages.pickup(language, "too_many"), 429, STATUS_PAGE_HEADERS)
    state = None
    if code.strip() and len(code) <= 200:
        state = await run_in_threadpool(pickups_service.receipt_state, db, code)
    if state is None:
        await run_in_threadpool(guard.failed, client)
        return _page(pages.pickup(language, "unknown"), 404, STATUS_PAGE_HEADERS)
    return _page(pages.pickup(language, state), headers=STATUS_PAGE_HEADERS)
