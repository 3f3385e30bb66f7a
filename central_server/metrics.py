"""``GET /metrics``: the server's figures in Prometheus' text format, for the city's IT.

What is measured:

* ``tresen_http_request_duration_seconds`` (histogram; labels ``method`` (an unusual one is
  ``other``), ``route``, ``status``): how long the server took to answer, per route *template*
  (``/api/v1/tickets/{ticket_id}/call``), never the path as requested, so no id or token ever
  becomes a label; a request no route took is ``route="none"``. A live stream is timed to its
  first byte (the stream itself lasts hours).
* ``tresen_open_streams`` (gauge; label ``route``): live streams (server-sent events) open now.
* ``tresen_events_total`` (counter; label ``site``): events written at a site, read at scrape
  time from the site's event sequence (gap-free, so it is exact across processes).
* ``tresen_waiting_tickets`` (gauge; labels ``site``, ``service``): tickets waiting now, counted
  at scrape time with the index the queue is read by.
* With one process, the process's own figures (CPU, memory, open files: ``process_...``).

The request middleware (:class:`MetricsMiddleware`) is a plain ASGI wrapper: two clock reads, a
look at the answer's headers and one histogram observation per request, no I/O. The figures that
need the database are computed only when /metrics is read.

**Several server processes.** prometheus-client's multiprocess mode: each process writes its
figures to memory-mapped files in the folder ``PROMETHEUS_MULTIPROC_DIR``, and a read of
/metrics from any process adds up those of all processes (open streams count live processes
only). Whoever starts the processes calls :func:`prepare_multiprocess_dir` first (it sets the
variable for the processes started after it, in a fresh folder) and :func:`process_exited` for
each process that ends; a process that stops cleanly does the latter itself. Without the
variable (one process) everything stays in the process's memory.

**Who may read.** Addresses in ``TRESEN_METRICS_ALLOW`` (``loopback`` by default), or whoever sends
``Authorization: Bearer <TRESEN_METRICS_TOKEN>``; anyone else gets 403. The token is compared
in constant time and never logged (it is not in the address, so not in the access log).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central_server.config import ServerSettings
from central_server.db import Database
from central_server.errors import N_, Forbidden
from central_server.models import Service, Site, Ticket
from central_server.queue_rules import QUEUED

#: The variable of prometheus-client's multiprocess mode.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Seconds; the hot path's aim is a few milliseconds, a slow answer takes seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_FILE_KINDS = ("counter", "gauge", "histogram", "summary")
#: A client names the method: any other is ``other``, so labels stay few whatever is sent.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_multiprocess_dir(path: Path | None = None) -> Path:
    """A fresh folder for the figures of several server processes, named in
    ``PROMETHEUS_MULTIPROC_DIR`` for the processes started after this call.

    Call it in the process that starts the server processes, before they start (before they
    create the app). ``path``, or the folder the variable already names, is created if need be
    and emptied of the figures of earlier runs; without either a new temporary folder is made.
    """
    if path is None:
        named = os.environ.get(MULTIPROC_ENV)
        path = Path(named) if named else Path(tempfile.mkdtemp(prefix="tresen-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for kind in _FILE_KINDS:
        for old in path.glob(f"{kind}_*.db"):
            old.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def process_exited(pid: int) -> None:
    """Forget the live figures (open streams) of the server process ``pid``, which has ended."""
    if multiprocess():
        from prometheus_client import multiprocess as prometheus_multiprocess

        prometheus_multiprocess.mark_process_dead(pid)


class _Instruments:
    """The figures this process keeps; made once per process, when the first app is made."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Gauge, Histogram, values
        from prometheus_client.process_collector import ProcessCollector

        if multiprocess():
            Path(os.environ[MULTIPROC_ENV]).mkdir(parents=True, exist_ok=True)
        if multiprocess() and not getattr(values.ValueClass, "_multiprocess", False):
            # prometheus-client chose its storage when it was imported, before the variable was
            # set (prepare_multiprocess_dir in this process): choose again.
            values.ValueClass = values.get_value_class()
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "tresen_http_request_duration_seconds",
            "Time the server took to answer, per route template (streams: to the first byte)",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.open_streams = Gauge(
            "tresen_open_streams",
            "Live event streams open now",
            ["route"],
            multiprocess_mode="livesum",
            registry=self.registry,
        )
        if not multiprocess():
            ProcessCollector(registry=self.registry)


@functools.cache
def instruments() -> _Instruments:
    return _Instruments()


class MetricsMiddleware:
    """Times every HTTP request and counts the open live streams (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._figures = instruments()
        self._templates: dict[int, tuple[object, str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts: the app raised
        stream_route: str | None = None

        async def send_timed(message: Message) -> None:
            nonlocal status, stream_route
            if message["type"] == "http.response.start":
                status = message["status"]
                if _is_event_stream(message.get("headers", ())):
                    stream_route = _template(scope, self._templates)
                    self._observe(scope, status, started)
                    self._figures.open_streams.labels(stream_route).inc()
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            if stream_route is not None:
                self._figures.open_streams.labels(stream_route).dec()
            else:
                self._observe(scope, status, started)

    def _observe(self, scope: Scope, status: int, started: float) -> None:
        method = scope["method"] if scope["method"] in _METHODS else "other"
        self._figures.request_seconds.labels(
            method, _template(scope, self._templates), str(status)
        ).observe(time.perf_counter() - started)


def _template(scope: Scope, templates: dict[int, tuple[object, str]]) -> str:
    """The full template of the route that took the request, ``none`` when none did.

    The router leaves the route in ``scope["route"]``; a route of an included router knows only
    its own part (``/tickets/{ticket_id}/call``), so the prefix it was included under is the
    part of the requested path before that part, filled with the request's values. It is kept
    per route: the prefixes are fixed text (``/api/v1``).
    """
    route = scope.get("route")
    if route is None:
        return "none"
    known = templates.get(id(route))
    if known is not None:
        return known[1]
    own = getattr(route, "path_format", None)
    if not isinstance(own, str):
        return "none"
    filled = own
    for name, value in scope.get("path_params", {}).items():
        filled = filled.replace("{" + name + "}", str(value))
    path = str(scope.get("path", ""))
    if not path.endswith(filled):  # e.g. an escaped character: this request's template only
        return own
    template = path[: len(path) - len(filled)] + own
    templates[id(route)] = (route, template)  # the route kept, so that its id stays its own
    return template


def _is_event_stream(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in headers
    )


# Reading ---------------------------------------------------------------------------------------


def require_reader(settings: ServerSettings, client: str | None, authorization: str) -> None:
    """Refuse (403) unless ``client`` is an allowed address or ``authorization`` carries the
    metrics token."""
    token = settings.metrics_token
    if token and authorization[:7].lower() == "bearer ":
        offered = authorization[7:].strip()
        if hmac.compare_digest(offered.encode(), token.encode()):
            return
    if client is not None and _allowed(client, settings.metrics_networks()):
        return
    raise Forbidden(
        "metrics_forbidden",
        N_(
            "The metrics are readable only from the addresses in TRESEN_METRICS_ALLOW or with "
            "the token in TRESEN_METRICS_TOKEN."
        ),
    )


def _allowed(
    client: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


class _DatabaseFigures:
    """The figures read from the database when /metrics is read (one process reads them, so
    they are not added up over processes)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        events = CounterMetricFamily(
            "tresen_events", "Events written at a site (its event log's length)", labels=["site"]
        )
        waiting = GaugeMetricFamily(
            "tresen_waiting_tickets", "Tickets waiting now", labels=["site", "service"]
        )
        # One count per service through the tickets' (site, status) index: the finished
        # tickets of past days are never read.
        count = (
            select(func.count(Ticket.id))
            .where(
                Ticket.site_id == Service.site_id,
                Ticket.status.in_(QUEUED),
                Ticket.service_id == Service.id,
            )
            .scalar_subquery()
        )
        with self._db.read_session() as session:
            for slug, seq in session.execute(select(Site.slug, Site.last_event_seq)):
                events.add_metric([slug], seq)
            services = select(Site.slug, Service.key, count).join(Site, Site.id == Service.site_id)
            for slug, key, number in session.execute(services):
                waiting.add_metric([slug, key], number)
        yield events
        yield waiting


class _Scrape:
    def __init__(self, *sources: Any) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Any]:
        for source in self._sources:
            yield from source.collect()


def render(db: Database) -> tuple[bytes, str]:
    """The text of /metrics and its content type."""
    from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    figures = instruments()
    own: Any = MultiProcessCollector(None) if multiprocess() else figures.registry
    # The text format every Prometheus (2 and 3) reads; the names need none of 1.0.0's escapes.
    return generate_latest(_Scrape(own, _DatabaseFigures(db))), CONTENT_TYPE_PLAIN_0_0_4
