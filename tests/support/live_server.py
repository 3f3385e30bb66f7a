"""A real uvicorn server in a background thread, on a free port of 127.0.0.1."""

from __future__ import annotations

import faulthandler
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests
import uvicorn

from central_server.app import create_app
from central_server.config import ServerSettings
from central_server.db import Database
from central_server.serve import uvicorn_config
from tests.support.ports import free_port as free_port

#: How long a test waits for an answer: longer than a write may wait for the database by design
#: (``central_server.db.WRITE_WAIT_SECONDS``), so a write that waited in a busy CI run is slow,
#: not failed. Two CI runs saw a first write wait over 10 s (see the session note of
#: 2026-12-04); what held it is not found yet.
REQUEST_TIMEOUT = 35
#: A request that has not been answered after this long is written down with what every thread
#: of the test process (the test, the in-process server, its workers) was doing then, in
#: :data:`STALL_LOG`; the test goes on waiting. ``.ci/run`` prints that file at its end, so a
#: stall is seen even when the test passes.
STALL_SECONDS = 10
STALL_LOG = Path(
    os.environ.get("TRESEN_STALL_LOG", Path(__file__).resolve().parents[2] / "test-stalls.log")
)
_stall_file: IO[str] | None = None


@contextmanager
def stall_watch() -> Iterator[None]:
    """Within: after :data:`STALL_SECONDS`, every thread's stack goes to :data:`STALL_LOG`
    (faulthandler's own thread writes it, so a thread holding the GIL cannot stop it). One
    watch at a time in the process: a second one replaces the first."""
    global _stall_file
    if _stall_file is None:
        _stall_file = STALL_LOG.open("a", encoding="utf-8")
    faulthandler.dump_traceback_later(STALL_SECONDS, file=_stall_file)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


class LiveServer:
    """Start, stop and start again (same port, same database) like a real server restart."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.settings = ServerSettings(db=database_url, port=self.port, **settings)
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.db: Database | None = None

    def start(self) -> None:
        self.db = Database(self.database_url)
        app = create_app(self.settings, db=self.db)
        # The server's own uvicorn set-up (proxy headers, request timeout), quieter and quicker.
        config = uvicorn_config(
            app, self.settings, log_level="warning", timeout_graceful_shutdown=1, lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        if self.db is not None:
            self.db.dispose()
        self._server = self._thread = self.db = None

    # Helpers for tests -------------------------------------------------------------------

    def login(self, username: str, password: str = "demo") -> str:
        with stall_watch():
            answer = requests.post(
                f"{self.url}/api/v1/login",
                json={"username": username, "password": password},
                timeout=REQUEST_TIMEOUT,
            )
        answer.raise_for_status()
        return str(answer.json()["token"])

    def client(self, token: str) -> ApiClient:
        return ApiClient(self.url, token)


class ApiClient:
    """requests with the bearer token and the /api/v1 prefix."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self._send("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self._send("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self._send("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self._send("DELETE", path, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        with stall_watch():
            return self.session.request(method, self.base + path, **kwargs)

    def service_id(self, prefix: str, site: str = "demo") -> int:
        services = self.get(f"/sites/{site}/services").json()
        return next(int(s["id"]) for s in services if s["prefix"] == prefix)
