"""Reads a site's live events (server-sent events) in a background thread, for ever.

On a broken connection it waits a moment and reconnects with ``Last-Event-ID``, so it receives
every event it missed, in order, with no gap. The moment is drawn at random and grows while the
server stays away (:class:`Backoff`): after a server restart a city's desks come back spread
over seconds, not all in the same instant. ``on_event`` and ``on_connection`` are called on
the reader's thread: the Qt side turns them into signals (``counter_app.qt.live``).
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import ValidationError

from counter_app.core.answers import Answer
from counter_app.core.api import events_url

log = logging.getLogger("tresen.live")

A = TypeVar("A", bound=Answer)


@dataclass(frozen=True)
class LiveEvent:
    seq: int
    type: str
    data: dict[str, Any]

    def payload(self, model: builtins.type[A]) -> A | None:
        """The event's data as ``model`` (``counter_app.core.answers``: ``DeskEvent`` ...);
        None when it does not fit, and the event is then read as "something changed" only."""
        try:
            return model.model_validate(self.data)
        except ValidationError:
            log.warning("event %s %s not understood as %s", self.seq, self.type, model.__name__)
            return None


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str | None, str, str]]:
    """(id, event, data) per message of a text/event-stream; comments are skipped."""
    event_id: str | None = None
    event_type = "message"
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield event_id, event_type, "\n".join(data)
            event_type, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event_id = value
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)


@dataclass
class Backoff:
    """How long to wait before the next try: between half and all of a ceiling that starts at
    ``first`` seconds and doubles with each failure in a row, up to ``most``; :meth:`reset`
    after a connection that opened.

    A fixed wait would bring every desk of a city back in the same second after a restart (each
    lost its stream at the same moment), and the server would take that herd at once; drawn
    at random, they arrive spread out, and a server that stays away is asked less often."""

    first: float = 1.0
    most: float = 5.0
    draw: Callable[[], float] = random.random
    failures: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.most, self.first * 2**self.failures)
        self.failures += 1
        return ceiling * (0.5 + self.draw() / 2)

    def reset(self) -> None:
        self.failures = 0


class LiveEvents:
    def __init__(
        self,
        base_url: str,
        token: str,
        site: str,
        on_event: Callable[[LiveEvent], None],
        on_connection: Callable[[bool], None] = lambda _up: None,
        last_event_id: int | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.url = events_url(base_url, site)
        self.token = token
        self.on_event = on_event
        self.on_connection = on_connection
        self.last_event_id = last_event_id
        self.backoff = backoff if backoff is not None else Backoff()
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._thread = threading.Thread(target=self._run, name="tresen-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            _interrupt(response)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_once(self._opened)
            except Exception as exc:  # any break of the stream: reconnect, unless stopping
                if self._stop.is_set():
                    return
                log.info("live events interrupted: %s", exc.__class__.__name__)
            if not self._stop.is_set():
                self.on_connection(False)
                self._stop.wait(self.backoff.next_delay())

    def _opened(self) -> None:
        self.backoff.reset()
        self.on_connection(True)

    def _read_once(self, on_open: Callable[[], None]) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        with requests.get(self.url, headers=headers, stream=True, timeout=(3.05, 30)) as answer:
            self._response = answer
            answer.raise_for_status()
            on_open()
            lines = answer.iter_lines(chunk_size=None, decode_unicode=True)
            for event_id, event_type, data in parse_sse(lines):
                if self._stop.is_set():
                    return
                seq = int(event_id) if event_id and event_id.isdigit() else None
                if seq is not None and self.last_event_id is not None and seq <= self.last_event_id:
                    continue
                self.on_event(LiveEvent(seq or 0, event_type, json.loads(data)))
                if seq is not None:
                    self.last_event_id = seq


def _interrupt(response: requests.Response) -> None:
    """End a blocking read of ``response`` from another thread.

    Closing the response alone does not wake a thread blocked in ``recv``; shutting the socket
    down does.
    """
    connection = getattr(response.raw, "_connection", None) or getattr(
        response.raw, "connection", None
    )
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed by the other side
            sock.shutdown(socket.SHUT_RDWR)
    # The reader's thread, woken by the shutdown, may be closing the same response right now.
    with contextlib.suppress(OSError, ValueError):
        response.close()
