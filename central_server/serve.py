"""How the server listens: uvicorn, set up from :class:`ServerSettings` in one place.

``tresen server`` and the tests' live server both take their uvicorn configuration from
:func:`uvicorn_config`, so what the tests see is what a city runs.

* **Proxy headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``) are trusted only from the
  addresses in ``TRESEN_FORWARDED_ALLOW_IPS``, none by default. uvicorn's own default trusts
  them from 127.0.0.1 (and reads ``FORWARDED_ALLOW_IPS`` from the environment), which let anyone
  on the server's machine, or anything that relays through it, choose the client address the
  sign-in limits count. The setting is always passed explicitly, so uvicorn's variable has no
  say.
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
import functools
import logging
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

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
    return uvicorn.Config(app, **{**options, **overrides})


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
