"""A small reader of the server's live event stream (server-sent events) over requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from tests.support.waits import ANSWER_S


@dataclass(frozen=True)
class SseEvent:
    id: int
    type: str
    data: dict[str, Any]


class EventStream:
    """``GET /api/v1/sites/{site}/events`` as a blocking iterator of events.

    Each read waits at most ``read_timeout`` seconds for the server, so a missing event fails
    the test instead of hanging it. Comment lines (``: ...``) are skipped, but the first one,
    ``: connected at event N``, is kept as :attr:`connected_at`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        site: str = "demo",
        *,
        last_event_id: str | int | None = None,
        after: int | None = None,
        read_timeout: float = ANSWER_S,
    ) -> None:
        headers = {"Accept": "text/event-stream"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        params = {"after": after} if after is not None else None
        self.response = requests.get(
            f"{base_url}/api/v1/sites/{site}/events",
            headers=headers,
            params=params,
            stream=True,
            timeout=(ANSWER_S, read_timeout),
        )
        self.status_code = self.response.status_code
        self.connected_at: int | None = None
        self.retry: int | None = None
        self._buffer = ""
        self._chunks: Iterator[bytes] | None = None
        if self.status_code == 200:
            self._chunks = self.response.iter_content(chunk_size=None)
            self._read_preamble()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.response.close()

    def json(self) -> Any:
        """The error body when the stream was refused."""
        return self.response.json()

    # ------------------------------------------------------------------------------------

    def _blocks(self) -> Iterator[str]:
        """Raw SSE blocks (the text between blank lines)."""
        assert self._chunks is not None, f"stream refused: {self.status_code}"
        while True:
            while "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                yield block
            chunk = next(self._chunks, None)
            if chunk is None:
                raise EOFError("the server ended the event stream")
            self._buffer += chunk.decode("utf-8").replace("\r\n", "\n")

    def _read_preamble(self) -> None:
        block = next(self._blocks())
        for line in block.split("\n"):
            if line.startswith("retry:"):
                self.retry = int(line.split(":", 1)[1])
            elif line.startswith(": connected at event"):
                self.connected_at = int(line.rsplit(" ", 1)[1])
        assert self.connected_at is not None, f"no 'connected' comment in {block!r}"

    def next(self) -> SseEvent:
        """The next event (not a comment); fails after ``read_timeout`` without one."""
        for block in self._blocks():
            fields: dict[str, str] = {}
            for line in block.split("\n"):
                if not line or line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                fields[name] = fields[name] + "\n" + value if name in fields else value
            if "data" not in fields:
                continue
            return SseEvent(
                int(fields["id"]), fields.get("event", "message"), json.loads(fields["data"])
            )
        raise AssertionError("unreachable")

    def take(self, count: int) -> list[SseEvent]:
        return [self.next() for _ in range(count)]

    def until(self, seq: int) -> list[SseEvent]:
        """Every event up to and including event ``seq``."""
        events: list[SseEvent] = []
        while not events or events[-1].id < seq:
            events.append(self.next())
        return events
