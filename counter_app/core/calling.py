"""Calling a particular citizen, and taking back a no-show: the desk's parts without Qt.

A clerk types the number as the citizen says it ("a12", "A 12", "A012"): :func:`find_ticket`
finds it among the tickets the desk may call. After F4 the window offers "Undo" for as long as
the server takes a no-show back (:data:`UNDO_WINDOW`, the server's own limit) or until the desk
calls somebody else (:class:`UndoOffer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from counter_app.core.answers import Ticket

#: How long a no-show can be taken back (``central_server.tickets.service.UNDO_NO_SHOW_WITHIN``).
UNDO_WINDOW = timedelta(minutes=10)

_NUMBER = re.compile(r"^\s*([A-Za-z])\s*-?\s*0*(\d{1,4})\s*$")


def normalise_number(text: str) -> str | None:
    """``a12``, ``A 12`` and ``A012`` make ``A012`` (as ticket and display print it); None for
    what is no ticket number."""
    found = _NUMBER.match(text)
    if found is None:
        return None
    letter, digits = found.groups()
    return f"{letter.upper()}{int(digits):03d}"


def find_ticket(text: str, tickets: Iterable[Ticket]) -> Ticket | None:
    """The ticket numbered as ``text`` says among ``tickets`` (None: not among them)."""
    number = normalise_number(text)
    return next((t for t in tickets if t.number == number), None) if number else None


@dataclass(frozen=True)
class UndoOffer:
    """A no-show the desk just marked, and when: "Undo" is offered until ``until``."""

    ticket_id: int
    number: str
    marked_at: datetime

    @property
    def until(self) -> datetime:
        return self.marked_at + UNDO_WINDOW

    def open_at(self, now: datetime) -> bool:
        return now <= self.until
