from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class SitePublic(BaseModel):
    slug: str
    name: str
    timezone: str


class ServicePublic(BaseModel):
    id: int
    key: str
    prefix: str
    name: str
    hint: str
    names: dict[str, str]
    hints: dict[str, str]
    hours: dict[str, list[str]]
    open_now: bool
    hours_today: str
    target_wait_minutes: int
    checklist: list[dict[str, Any]]
    waiting: int


class DeskPublic(BaseModel):
    code: str
    name: str
    kind: str
    state: str
    signed_on_user: str | None
    service_ids: list[int]
    current_ticket: str | None
