"""The site's emergency calls as one window sees them, from the live events; Qt-free.

A call opens with ``desk.emergency``, gains helpers with ``desk.emergency_response`` and
closes with ``desk.emergency_ended`` (``central_server.desks.emergency``). :class:`EmergencyCalls`
keeps the open ones by desk and says what this window shows: its own desk's call (:attr:`mine`,
shown discreetly: the citizen in front must not notice) and the calls at other desks
(:attr:`others`, shown loudly). The answer to this window's own request is applied the same way
(:meth:`EmergencyCalls.seed`), so the window does not wait for the stream to show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from counter_app.core.answers import Emergency, EmergencyEvent
from counter_app.core.live import LiveEvent

CALLED, RESPONDED, ENDED = "desk.emergency", "desk.emergency_response", "desk.emergency_ended"
EMERGENCY_EVENTS = frozenset({CALLED, RESPONDED, ENDED})


@dataclass(frozen=True)
class Helper:
    """Somebody on their way: their user name and the desk they left (None: a supervisor)."""

    user: str
    desk_name: str | None


@dataclass
class Call:
    desk: str
    desk_name: str
    caller: str
    called_at: datetime
    helpers: list[Helper] = field(default_factory=list)

    def answered_by(self, user: str) -> bool:
        return any(h.user == user for h in self.helpers)


class EmergencyCalls:
    """The open calls of the site, by desk; ``own_desk`` is this window's desk (None: the
    supervisor, who has none)."""

    def __init__(self, own_desk: str | None) -> None:
        self.own_desk = own_desk
        self.open: dict[str, Call] = {}
        #: (desk, called at) of every call seen ending: an answer that arrives after the end
        #: (the stream was quicker) must not open it again.
        self._ended: set[tuple[str, datetime]] = set()

    @property
    def mine(self) -> Call | None:
        """The open call at this window's own desk."""
        return self.open.get(self.own_desk) if self.own_desk is not None else None

    @property
    def others(self) -> list[Call]:
        """The open calls at other desks, the oldest first."""
        calls = [c for desk, c in self.open.items() if desk != self.own_desk]
        return sorted(calls, key=lambda c: c.called_at)

    def apply(self, event: LiveEvent) -> bool:
        """Take ``event`` in; True when it changed a call (other events change nothing)."""
        if event.type not in EMERGENCY_EVENTS:
            return False
        payload = event.payload(EmergencyEvent)
        if payload is None:
            return False
        if event.type == CALLED:
            self.open[payload.desk] = Call(
                payload.desk, payload.desk_name, payload.actor, payload.at
            )
            return True
        if event.type == ENDED:
            ended = self.open.pop(payload.desk, None)
            if ended is not None:
                self._ended.add((ended.desk, ended.called_at))
            return ended is not None
        call = self.open.get(payload.desk)
        if call is None or call.answered_by(payload.actor):
            return False
        call.helpers.append(Helper(payload.actor, payload.from_desk_name))
        return True

    def seed(self, answer: Emergency) -> None:
        """Apply the server's answer to a request of this window (call, respond, end)."""
        key = (answer.desk, answer.called_at)
        if answer.ended_at is not None:
            self._ended.add(key)
        if key in self._ended:
            shown = self.open.get(answer.desk)
            if shown is not None and shown.called_at == answer.called_at:
                del self.open[answer.desk]
            return
        self.open[answer.desk] = Call(
            answer.desk,
            answer.desk_name,
            answer.called_by,
            answer.called_at,
            [Helper(r.user, r.desk_name) for r in answer.responders],
        )
