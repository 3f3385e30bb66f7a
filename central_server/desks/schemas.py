"""What the desk endpoints read and answer."""

from __future__ import annotations

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
