"""The FastAPI application: routes, error answers, start-up (migrations, demo site)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from central_server import accesslog, logsafe, metrics, migrate, openapi, ratelimits
from central_server.appointments import endpoints as appointments_endpoints
from central_server.appointments import service as appointments_service
from central_server.auth import endpoints as auth_endpoints
from central_server.auth import service as auth_service
from central_server.auth.service import LoginThrottle
from central_server.config import ServerSettings
from central_server.db import Database
from central_server.desks import endpoints as desks_endpoints
from central_server.devices import endpoints as devices_endpoints
from central_server.errors import N_, TresenError
from central_server.events import endpoints as events_endpoints
from central_server.events.bus import EventBus
from central_server.events.listen import Listener
from central_server.guard import RequestGuard
from central_server.pickups import endpoints as pickups_endpoints
from central_server.pickups import service as pickups_service
from central_server.pickups.scans import ScanGuard
from central_server.ratelimits import SharedFailureCounter
from central_server.sites import endpoints as sites_endpoints
from central_server.statistics import endpoints as statistics_endpoints
from central_server.steering import endpoints as steering_endpoints
from central_server.tickets import endpoints as tickets_endpoints
from central_server.tickets import purge as tickets_purge
from central_server.web import endpoints as web_endpoints
from central_server.writes import purge_idempotency_records
from resources.i18n import best_language, citizen_gettext, gettext_for

log = logging.getLogger("tresen.server")

API_PREFIX = "/api/v1"


def _translate(request: Request):
    return gettext_for(best_language(request.headers.get("accept-language")))


def _error(
    request: Request, status: int, code: str, message: str, details: object = None
) -> JSONResponse:
    body = {"code": code, "message": message, "details": details or {}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


#: The methods a 405's ``Allow`` header can name.
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """The methods some route takes at the request's path, for the ``Allow`` header of a 405
    (a path can have several routes, one per method, also in included routers)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TresenError)
    async def _on_tresen_error(request: Request, exc: TresenError) -> JSONResponse:
        translate = (
            citizen_gettext(exc.citizen_language)
            if exc.citizen_language is not None
            else _translate(request)
        )
        return _error(request, exc.status_code, exc.code, exc.render(translate), exc.details())

    @app.exception_handler(RequestValidationError)
    async def _on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "problem": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        fields = ", ".join(p["field"] for p in problems if p["field"]) or "-"
        message = _translate(request)(N_("The request is incomplete or wrong: {fields}"))
        return _error(
            request, 422, "invalid_input", message.format(fields=fields), {"problems": problems}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        translate = _translate(request)
        if exc.status_code == 400:
            # FastAPI's answer to a body its JSON parser gives up on in a way other than a
            # syntax error (bytes that are not UTF-8, nesting deeper than the parser goes):
            # refused like any other body that is not JSON, so the API has one answer for it.
            message = translate(N_("The request is incomplete or wrong: {fields}"))
            problems = [{"field": "body", "problem": "not JSON text"}]
            return _error(
                request, 422, "invalid_input", message.format(fields="body"), {"problems": problems}
            )
        if exc.status_code == 404:
            return _error(request, 404, "not_found", translate(N_("There is nothing here.")))
        if exc.status_code == 405:
            answer = _error(
                request,
                405,
                "method_not_allowed",
                translate(N_("This address does not take that method.")),
            )
            answer.headers["Allow"] = _allowed_methods(request)
            return answer
        return _error(request, exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def _on_crash(request: Request, exc: Exception) -> JSONResponse:
        # Never the exception's message: it may quote the request's data (see logsafe).
        log.error(
            "unexpected error on %s %s\n%s",
            request.method,
            request.url.path,
            logsafe.safe_traceback(exc),
        )
        if isinstance(exc, OperationalError):  # locked, or the connection to it lost
            return _error(
                request,
                503,
                "database_unavailable",
                _translate(request)(
                    N_(
                        "The database could not do this just now. Nothing was changed. "
                        "Please try again in a moment."
                    )
                ),
            )
        return _error(
            request,
            500,
            "internal_error",
            _translate(request)(
                N_("Something went wrong on the server. Nothing was changed. Please try again.")
            ),
        )


async def _housekeeping(database: Database, settings: ServerSettings, bus: EventBus) -> None:
    """Once an hour: forget old retry answers, expired sign-ins and the failure counts of
    rate-limit windows that are over, expire pickups ready for more than
    ``pickup_collect_days`` and not collected, erase the personal data of pickups closed more
    than ``pickup_purge_days`` ago and the case text of tickets finished more than
    ``case_purge_days`` ago, delete the appointments of past days."""
    while True:
        try:
            await run_in_threadpool(
                purge_idempotency_records, database, timedelta(hours=settings.idempotency_hours)
            )
            await run_in_threadpool(auth_service.purge_expired_tokens, database)
            await run_in_threadpool(ratelimits.purge, database)
            await run_in_threadpool(
                pickups_service.expire_uncollected,
                database,
                settings.pickup_collect_days,
                bus=bus,
            )
            await run_in_threadpool(
                pickups_service.purge_personal_data, database, settings.pickup_purge_days, bus=bus
            )
            await run_in_threadpool(
                tickets_purge.purge_case_text, database, settings.case_purge_days, bus=bus
            )
            await run_in_threadpool(appointments_service.purge_past, database, bus)
        except Exception as exc:  # a locked or absent database must not end the server
            log.error(
                "housekeeping failed; trying again in an hour\n%s", logsafe.safe_traceback(exc)
            )
        await asyncio.sleep(3600)


async def _missed_appointments(database: Database, bus: EventBus) -> None:
    """Every minute: appointments still booked after their check-in window become no-shows
    (``central_server.appointments.service.mark_missed``)."""
    while True:
        try:
            await run_in_threadpool(appointments_service.mark_missed, database, bus)
        except Exception as exc:  # a locked or absent database must not end the server
            log.error("marking missed appointments failed\n%s", logsafe.safe_traceback(exc))
        await asyncio.sleep(60)


def create_app(settings: ServerSettings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    database = db or Database(settings.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate.upgrade(database.engine)
        if settings.demo:
            from central_server.admin import demo

            demo.load(database)
        bus: EventBus = app.state.bus
        bus.bind()
        listener = None
        if not database.is_sqlite:
            # Every process hears every commit of every process (events/listen.py).
            listener = Listener(
                database.engine.url,
                bus,
                on_revoked=lambda what: auth_service.revoked(database, what),
                on_hearing=lambda hearing: auth_service.hearing_revocations(database, hearing),
            )
            listener.start()
        housekeeping = asyncio.create_task(_housekeeping(database, settings, bus))
        missed = asyncio.create_task(_missed_appointments(database, bus))
        access_log = accesslog.off_the_loop()
        yield
        housekeeping.cancel()
        missed.cancel()
        if access_log is not None:
            access_log.stop()
        if listener is not None:
            await asyncio.to_thread(listener.stop)
        await bus.close()
        metrics.process_exited(os.getpid())  # its open streams are closed
        if db is None:
            database.dispose()

    # /docs with Swagger UI's files served from here, not from a CDN: the API's documentation
    # opens in a city's closed network too. No /redoc: ReDoc still loads its logo from outside.
    app = FastAPIOffline(
        redoc_url=None,
        static_url="/web/api-docs",
        title="Tresen central server",
        version="1",
        description="Queue and case flow of the citizen-service centres of a city.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.bus = EventBus(database, settings.event_poll_seconds)
    # The rate limits count in the database, shared by every server process (ratelimits.py).
    app.state.failures = SharedFailureCounter(database)
    app.state.login_throttle = LoginThrottle(
        app.state.failures,
        settings.failed_logins_per_minute,
        settings.failed_logins_per_address_per_minute,
    )
    app.state.pickup_scan_guard = ScanGuard(
        app.state.failures, settings.wrong_pickup_scans_per_minute
    )
    _install_error_handlers(app)
    logsafe.install()
    # Outside every route: the size and the text of every request are checked (guard.py).
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    # Outermost: times every request, also those the guard refuses (metrics.py).
    app.add_middleware(metrics.MetricsMiddleware)
    openapi.install(app)  # every operation's error answers in the served document

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Up, and the database answers."""
        with database.read_session() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def read_metrics(request: Request) -> Response:
        """The server's figures for Prometheus; only for allowed addresses or with the token."""
        metrics.require_reader(
            settings,
            request.client.host if request.client else None,
            request.headers.get("authorization", ""),
        )
        body, content_type = metrics.render(database)
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    for module in (
        auth_endpoints,
        sites_endpoints,
        desks_endpoints,
        devices_endpoints,
        tickets_endpoints,
        pickups_endpoints,
        appointments_endpoints,
        events_endpoints,
        steering_endpoints,
        statistics_endpoints,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    web_endpoints.install(app)  # the call display and the ticket status page
    return app
