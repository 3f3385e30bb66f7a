"""What the desk endpoints read and answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from central_server.tickets.schemas import QueuePublic
from resources.vocabulary import DeskKind


class SignOnRequest(BaseModel):
    force: bool = False


class DeskPublic(BaseModel):
    code: str
    name: str
    kind: DeskKind
    state: str
    signed_on_user: str | None
    service_ids: list[int]
    current_ticket: str | None


class DeskView(BaseModel):
    """What a clerk's desk shows: its queue and the site's desks, of one site change."""

    queue: QueuePublic
    desks: list[DeskPublic]


class EmergencyRespond(BaseModel):
    """Who answers an emergency call: the desk they come from (a supervisor may name none)."""

    desk: str | None = None


class EmergencyResponder(BaseModel):
    user: str
    #: The desk the responder left to come (None: a supervisor away from any desk).
    desk: str | None
    desk_name: str | None
    at: datetime


class EmergencyPublic(BaseModel):
    """An emergency call at a desk, as its events in the log tell it (no table of its own)."""

    desk: str
    desk_name: str
    called_by: str
    called_at: datetime
    responders: list[EmergencyResponder]
    #: None while the call is open.
    ended_at: datetime | None
    ended_by: str | None
