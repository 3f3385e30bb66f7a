"""The statements of the supervisor's board: today's figures of a site, read through the
indexes the queue already has (``tickets (site_id, status, finished_at)``, ``events (site_id,
at)``), never the site's whole history."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from central_server.models import Event, Ticket, User
from central_server.queue_rules import Status

_FINISHED_SINCE = (
    select(Ticket.service_id, Ticket.status, func.count())
    .where(
        Ticket.site_id == bindparam("site_id"),
        Ticket.status.in_([Status.DONE.value, Status.NO_SHOW.value]),
        Ticket.finished_at >= bindparam("since"),
    )
    .group_by(Ticket.service_id, Ticket.status)
)


def finished_since(session: Session, site_id: int, since: datetime) -> dict[tuple[int, str], int]:
    """(service id, status) -> tickets finished as done or no-show since ``since``."""
    rows = session.execute(_FINISHED_SINCE, {"site_id": site_id, "since": since})
    return {(service_id, status): count for service_id, status, count in rows}


#: What a supervisor does to a desk or to a ticket once called there is no action of the desk's
#: own.
_NOT_THE_DESKS_OWN = ("desk.services_changed", "ticket.moved")

_DESK_ACTIVITY = (
    select(Event.desk_code, func.max(Event.at))
    .where(
        Event.site_id == bindparam("site_id"),
        Event.at >= bindparam("since"),
        Event.desk_code.is_not(None),
        Event.type.not_in(_NOT_THE_DESKS_OWN),
    )
    .group_by(Event.desk_code)
)


def desk_activity(session: Session, site_id: int, since: datetime) -> dict[str, datetime]:
    """Desk code -> the time of the desk's last event since ``since`` (a call, a finish, a
    sign-on, ...)."""
    rows = session.execute(_DESK_ACTIVITY, {"site_id": site_id, "since": since})
    return {code: at for code, at in rows if code is not None and at is not None}


@dataclass(frozen=True)
class WrongScans:
    at: datetime
    actor: str
    count: int


_WRONG_SCANS = (
    select(Event.at, Event.actor, Event.data)
    .where(
        Event.site_id == bindparam("site_id"),
        Event.at >= bindparam("since"),
        Event.type == "pickup.wrong_scans",
    )
    .order_by(Event.at)
)


def wrong_scans(session: Session, site_id: int, since: datetime) -> list[WrongScans]:
    """The ``pickup.wrong_scans`` reports of the site since ``since``, oldest first."""
    rows = session.execute(_WRONG_SCANS, {"site_id": site_id, "since": since})
    found = []
    for at, actor, data in rows:
        payload: dict[str, Any] = data or {}
        found.append(WrongScans(at=at, actor=actor, count=int(payload.get("count", 0))))
    return found


def display_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """User id -> display name (the user name where none is set), in one query."""
    if not user_ids:
        return {}
    query = select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))
    return {user_id: display or name for user_id, display, name in session.execute(query)}
