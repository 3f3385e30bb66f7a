from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from central_server.queue_rules import Priority, Status
from resources.i18n import CITIZEN_LANGUAGES


class Outcome(StrEnum):
    """How a visit ended, for the statistics."""

    COMPLETED = "completed"
    DOCUMENTS_MISSING = "documents_missing"
    REFERRED = "referred"
    FOLLOW_UP = "follow_up"
    WITHDRAWN = "withdrawn"


Language = Literal["de", "en", "tr", "ar", "ru", "uk"]
assert set(Language.__args__) == set(CITIZEN_LANGUAGES)  # type: ignore[attr-defined]


ServiceId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class TicketCreate(BaseModel):
    service_id: ServiceId
    priority: Priority = Priority.NORMAL
    language: Language = Field(default="de", description="the citizen's language")


class CasePublic(BaseModel):
    steps_done: list[str]
    outcome: str | None
    notes: str
    case_reference: str
    forward_reason: str
    updated_at: datetime


class TicketPublic(BaseModel):
    id: int
    number: str
    service_id: int
    service_prefix: str
    status: Status
    priority: Priority
    language: str
    desk: str | None = Field(description="the desk that called the ticket last")
    target_desk: str | None = Field(description="the only desk that may call it (transfers)")
    position: int | None = Field(description="1 = next; only while the ticket waits")
    estimated_wait_minutes: int | None
    created_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recall_count: int
    transfer_count: int
    case: CasePublic | None = None


class TicketCreated(TicketPublic):
    status_token: str = Field(description="the key of the ticket's status page /t/<status_token>")


class CaseUpdate(BaseModel):
    steps_done: list[str] | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=20000)
    case_reference: str | None = Field(default=None, max_length=100)


class FinishRequest(CaseUpdate):
    outcome: Outcome


class TransferRequest(BaseModel):
    service_id: ServiceId | None = Field(default=None, description="move to this service's queue")
    desk: str | None = Field(default=None, description="or to this desk, e.g. the back office")
    reason: str = Field(default="", max_length=2000)
    notes: str | None = Field(default=None, max_length=20000)


class ResumeRequest(BaseModel):
    desk: str | None = Field(
        default=None, description="the desk resuming; the ticket's own by default"
    )


class DeskCounts(BaseModel):
    service_id: int
    prefix: str
    waiting: int
    longest_wait_minutes: int


class QueuePublic(BaseModel):
    waiting: list[TicketPublic]
    called: list[TicketPublic]
    serving: list[TicketPublic]
    parked: list[TicketPublic]
    counts: list[DeskCounts]
