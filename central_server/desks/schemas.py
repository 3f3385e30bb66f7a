"""What the desk endpoints read and answer."""

from __future__ import annotations

from pydantic import BaseModel


class SignOnRequest(BaseModel):
    force: bool = False


class DeskPublic(BaseModel):
    code: str
    name: str
    kind: str
    state: str
    signed_on_user: str | None
    service_ids: list[int]
    current_ticket: str | None
