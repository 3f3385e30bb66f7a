"""PostgreSQL's ``LISTEN tresen_events``: every server process hears of every commit at once.

One thread per process holds one connection of its own (autocommit, outside the pool) and
listens on :data:`central_server.events.log.NOTIFY_CHANNEL`; each notification (``SITE:SEQ``,
sent by the committing transaction) wakes that site's feed in this process
(:meth:`EventBus.notify`). When the connection is lost (PostgreSQL restarted, network gone) the
thread connects again, with a growing pause of at most :data:`MAX_PAUSE_SECONDS`, and then wakes
every feed once (:meth:`EventBus.wake_all`): what was committed meanwhile is read, so no stream
misses anything. An idle connection is checked every :data:`CHECK_SECONDS`, so a silently
dropped one is noticed too. Until the listener runs, the feeds' own safety poll keeps streams
going, only slower.

The same connection listens on ``tresen_tokens`` (``auth.service.REVOKE_CHANNEL``): a
signed-out or revoked token is forgotten by this process within milliseconds (``on_revoked``),
and ``on_hearing`` says whether it hears them (see ``central_server.auth.service``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import URL

from central_server.auth.service import REVOKE_CHANNEL
from central_server.events.bus import EventBus
from central_server.events.log import NOTIFY_CHANNEL

log = logging.getLogger("tresen.events")

#: The listening connection's name in ``pg_stat_activity``.
APPLICATION_NAME = "tresen-listen"
#: How long ``notifies()`` waits before the thread looks whether it should stop.
WAIT_SECONDS = 1.0
#: An idle listening connection is checked this often.
CHECK_SECONDS = 10.0
#: The longest pause between two attempts to connect again.
MAX_PAUSE_SECONDS = 5.0


def conninfo(url: URL) -> str:
    """A libpq connection string for SQLAlchemy's ``postgresql+psycopg://`` URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """The listening thread of one process (PostgreSQL only); :meth:`stop` ends it."""

    def __init__(
        self,
        url: URL,
        bus: EventBus,
        on_revoked: Callable[[str], None] | None = None,
        on_hearing: Callable[[bool], None] | None = None,
    ) -> None:
        self._conninfo = conninfo(url)
        self._shown = url.render_as_string(hide_password=True)
        self.bus = bus
        self._on_revoked = on_revoked or (lambda _what: None)
        self._on_hearing = on_hearing or (lambda _hearing: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tresen-listen", daemon=True)
        #: Set while a connection listens (tests and the log use it).
        self.listening = threading.Event()
        self.connections = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            log.warning(
                "psycopg is not installed: this process cannot listen for the events of other "
                "processes; its streams see them only by their poll (TRESEN_EVENT_POLL_SECONDS)"
            )
            return
        pause = 0.1
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                pause, failures = 0.1, 0
            except Exception as exc:  # lost or refused: connect again after a pause
                was_listening = self.listening.is_set()
                self.listening.clear()
                if was_listening:
                    log.warning(
                        "lost the connection listening for events (%s); connecting again",
                        exc.__class__.__name__,
                    )
                elif failures == 0:
                    log.warning(
                        "cannot listen for events at %s (%s); trying again",
                        self._shown,
                        exc.__class__.__name__,
                    )
                failures += 1
                self._stop.wait(pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)

    def _listen(self) -> None:
        import psycopg

        connect_options: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": 5,
            # How an operator finds it in pg_stat_activity.
            "application_name": APPLICATION_NAME,
            # Notice a peer that vanished without closing the connection.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        with psycopg.connect(self._conninfo, **connect_options) as connection:
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            connection.execute(f"LISTEN {REVOKE_CHANNEL}")
            self.connections += 1
            self.listening.set()
            self._on_hearing(True)
            try:
                if self.connections > 1:
                    log.info("listening for events again at %s", self._shown)
                # Whatever was committed before LISTEN took effect is read now.
                self.bus.wake_all()
                self._hear(connection)
            finally:
                self.listening.clear()
                self._on_hearing(False)

    def _hear(self, connection: Any) -> None:
        idle = 0.0
        while not self._stop.is_set():
            heard = False
            for notify in connection.notifies(timeout=WAIT_SECONDS, stop_after=1000):
                heard = True
                if notify.channel == REVOKE_CHANNEL:
                    self._on_revoked(notify.payload)
                    continue
                site, _, seq = notify.payload.partition(":")
                if site.isdigit() and seq.isdigit():
                    self.bus.notify({int(site): int(seq)})
            idle = 0.0 if heard else idle + WAIT_SECONDS
            if idle >= CHECK_SECONDS:
                idle = 0.0
                connection.execute("SELECT 1")
