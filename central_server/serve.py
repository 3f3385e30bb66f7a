"""How the server listens: uvicorn, set up from :class:`ServerSettings` in one place.

``tresen server`` and the tests' live server both take their uvicorn configuration from
:func:`uvicorn_config`, so what the tests see is what a city runs.

* **Proxy headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``) are trusted only from the
  addresses in ``TRESEN_FORWARDED_ALLOW_IPS``, none by default. uvicorn's own default trusts
  them from 127.0.0.1 (and reads ``FORWARDED_ALLOW_IPS`` from the environment), which let anyone
  on the server's machine, or anything that relays through it, choose the client address the
  sign-in limits count. The setting is always passed explicitly, so uvicorn's variable has no
  say.
* **Several processes** (``tresen server --workers N``, PostgreSQL only) share one listening
  socket through uvicorn's own supervisor: the parent binds the port, migrates the database
  once, and starts N workers, each a whole server (its own pool, its own event listener, see
  ``central_server.events.listen``) that builds the application from the settings the parent
  put into the environment (:func:`worker_app`). The parent restarts a worker that dies, and
  on SIGTERM or SIGINT stops them all and frees the port. Each log line names its process.
* **Slow requests are cut off.** uvicorn times out only idle keep-alive connections: a client
  that sends its request headers or body a byte at a time holds its connection (and a file
  descriptor and memory) for as long as it likes. :func:`request_timeout_protocol` closes a
  connection whose request, headers and body, has not fully arrived ``request_timeout_seconds``
  after its first byte (or after the connection was opened), answering 408. Answers may take
  as long as they need: the live event stream and the call display stream for hours once their
  request has arrived. A reverse proxy in front does the rest (``packaging/nginx/tresen.conf``).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import logging
import os
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from central_server import metrics
from central_server.config import ServerSettings

log = logging.getLogger("tresen.server")

_TIMEOUT_TEXT = b"The request did not arrive in time."
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"%s" % (len(_TIMEOUT_TEXT), _TIMEOUT_TEXT)
)


def uvicorn_config(app: Any, settings: ServerSettings, **overrides: Any) -> uvicorn.Config:
    """uvicorn's configuration for ``app`` from ``settings``; ``overrides`` for tests and logs."""
    trusted = [entry for entry in settings.forwarded_allow_ips.split(",") if entry]
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": request_timeout_protocol(settings.request_timeout_seconds),
        # Without trusted proxies uvicorn does not look at the headers at all.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "log_level": "info",
        "timeout_graceful_shutdown": 3,
    }
    return WorkerConfig(app, **{**options, **overrides})


class WorkerConfig(uvicorn.Config):
    """uvicorn's configuration, which can also travel to a worker process.

    uvicorn hands its configuration to each worker by pickling it; the HTTP protocol with the
    request timeout is a class made at run time, which pickle cannot name. It travels as its
    timeout and is made again in the worker.
    """

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        timeout = getattr(state["http"], "request_timeout", None)
        if timeout is not None:
            state["http"] = ("request_timeout", timeout)
        state.pop("http_protocol_class", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        http = state["http"]
        if isinstance(http, tuple) and http[:1] == ("request_timeout",):
            state["http"] = request_timeout_protocol(http[1])
        self.__dict__.update(state)


#: The root logger's format in workers (as ``tresen server``'s, plus the process id).
LOG_FORMAT = "%(asctime)s [%(process)d] %(name)s %(levelname)s %(message)s"


def worker_log_config() -> dict[str, Any]:
    """uvicorn's logging set-up, with the process id in every line and Tresen's own loggers
    (the root) printed too: each worker sets up its logging from this."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["default"]["fmt"] = "%(levelprefix)s [%(process)d] %(message)s"
    config["formatters"]["access"]["fmt"] = (
        '%(levelprefix)s [%(process)d] %(client_addr)s - "%(request_line)s" %(status_code)s'
    )
    config["formatters"]["root"] = {"format": LOG_FORMAT}
    config["handlers"]["root"] = {
        "formatter": "root",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["root"] = {"handlers": ["root"], "level": "INFO"}
    config["loggers"]["alembic"] = {"level": "WARNING"}
    return config


def worker_environment(settings: ServerSettings) -> dict[str, str]:
    """Every setting as its ``TRESEN_*`` variable: how a worker gets the parent's settings
    (also those given on the command line)."""
    environment: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        environment[f"TRESEN_{name.upper()}"] = text
    # The parent loaded the demo site already; N workers loading it at once would collide.
    environment["TRESEN_DEMO"] = "false"
    return environment


def worker_app() -> Any:
    """The application of one worker process, from the settings in its environment."""
    from central_server.app import create_app

    app = create_app(ServerSettings())
    tune_garbage_collection()
    return app


#: When Python's cycle collector runs in a server process (allocations in the young generation,
#: then young collections per older one). Python's defaults (700, 10, 10) suit small scripts: a
#: large answer (an organisation's statistics for a year: 30,000 groups of nested figures)
#: allocates millions of objects and triggered hundreds of collections, a third of its time
#: (bench/README.md, issue 14). Answers make no reference cycles worth collecting sooner.
GC_THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collection() -> None:
    """Once the application is built: what it holds for the process's life (modules, routes,
    the models' metadata) moves out of the collector's sight (``gc.freeze``), and collections
    run less often (:data:`GC_THRESHOLDS`)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run_workers(settings: ServerSettings) -> bool:
    """Serve with ``settings.workers`` processes until SIGTERM or SIGINT; False when a worker
    could not start (uvicorn logged why). The database must be migrated already."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    # THE place for what every worker must find in its environment before the first one
    # starts: the settings, and anything the workers share (e.g. PROMETHEUS_MULTIPROC_DIR for
    # prometheus-client's multiprocess mode, an empty folder made here).
    os.environ.update(worker_environment(settings))
    # The workers' figures for /metrics are added up from files in one folder (emptied here,
    # so figures of an earlier run do not count).
    metrics.prepare_multiprocess_dir()
    config = uvicorn_config(
        "central_server.serve:worker_app",
        settings,
        factory=True,
        workers=settings.workers,
        log_config=worker_log_config(),
        # A worker that does not answer the supervisor's ping is killed and replaced: not
        # after uvicorn's 5 s, which a busy machine can exceed, but after 30.
        timeout_worker_healthcheck=30,
    )
    sock = config.bind_socket()
    supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        sock.close()
        for process in supervisor.processes:
            if process.pid is not None:
                metrics.process_exited(process.pid)
    return not any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)


@functools.cache
def request_timeout_protocol(
    timeout: float, base: type[asyncio.Protocol] = AutoHTTPProtocol
) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol ``base`` (by default httptools, else h11), closing requests that
    arrive too slowly.

    It relies on what both of uvicorn's protocols keep per connection: ``transport``, and
    ``cycle`` (the current request: ``more_body`` while its body arrives, ``response_complete``
    once answered). The tests against a real server process show whether that still holds after
    an upgrade of uvicorn.
    """

    class RequestTimeoutProtocol(base):  # type: ignore[valid-type, misc]
        _deadline: asyncio.TimerHandle | None = None
        request_timeout = timeout

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._deadline = self.loop.call_later(timeout, self._on_deadline)

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and not self._receiving():
                # The first byte of the next request on a kept-alive connection.
                self._deadline = self.loop.call_later(timeout, self._on_deadline)
            super().data_received(data)
            if self._deadline is not None and self._arrived():
                self._deadline.cancel()
                self._deadline = None

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            super().connection_lost(exc)

        def _receiving(self) -> bool:
            """A request has begun and not yet fully arrived."""
            cycle = self.cycle
            return cycle is not None and not cycle.response_complete and cycle.more_body

        def _arrived(self) -> bool:
            """The current request's headers and body have arrived (its answer may be running)."""
            cycle = self.cycle
            return cycle is not None and not cycle.response_complete and not cycle.more_body

        def _on_deadline(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            client = self.client[0] if self.client else "unknown"
            log.info(
                "closed the connection of %s: its request did not arrive within %g s",
                client,
                timeout,
            )
            cycle = self.cycle
            if cycle is None or cycle.response_complete or not cycle.response_started:
                # Nothing else writes now: the headers never completed, or the application
                # still waits for the body (it learns of the disconnect once this is closed).
                self.transport.write(_TIMEOUT_ANSWER)
            self.transport.close()

    return RequestTimeoutProtocol
