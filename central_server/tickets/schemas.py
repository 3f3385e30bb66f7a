from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, Strict, StringConstraints, model_validator

from central_server.queue_rules import Priority, Status
from resources.i18n import CitizenLanguage
from resources.vocabulary import CancelWhy, Outcome

#: The citizen's language: one of ``resources.i18n.CITIZEN_LANGUAGES``.
Language = CitizenLanguage


#: Ids and numbers are INTEGER columns: anything larger can name nothing. Strict: a JSON
#: integer only, never ``true``, ``"1"`` or ``1.0`` (an outside system's bug is refused, 422).
ServiceId = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
Id = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]


class OfflineIssue(BaseModel):
    """How a kiosk issued a ticket while it could not reach the server."""

    lease_id: Id = Field(description="the number lease the number was taken from")
    number: Id = Field(description="the number printed, within the lease (903 for A903)")
    issued_at: datetime = Field(
        description="when the ticket was printed, with time zone; it becomes the ticket's "
        "place in the queue"
    )
    status_token: str = Field(
        max_length=200,
        description="the key of the ticket's status page, made by the kiosk: "
        "22 to 64 characters of A-Z a-z 0-9 _ -",
    )


class TicketCreate(BaseModel):
    service_id: ServiceId
    priority: Priority = Priority.NORMAL
    language: Language = Field(default="de", description="the citizen's language")
    offline: OfflineIssue | None = Field(
        default=None,
        description="a ticket the kiosk issued offline, uploaded now (kiosk, supervisor)",
    )


class CasePublic(BaseModel):
    steps_done: list[str]
    outcome: str | None
    notes: str
    case_reference: str
    forward_reason: str
    cancel_reason: str = Field(description="why a supervisor cancelled the ticket")
    updated_at: datetime


class CaseRead(BaseModel):
    """A ticket's case as it is now; empty until something is recorded (``updated_at`` null)."""

    ticket_id: int
    number: str
    status: Status
    steps_done: list[str]
    outcome: str | None
    notes: str
    case_reference: str
    forward_reason: str
    cancel_reason: str = Field(description="why a supervisor cancelled the ticket")
    updated_at: datetime | None


class TicketPublic(BaseModel):
    id: int
    number: str
    service_id: int
    service_prefix: str
    status: Status
    priority: Priority
    language: Language
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
    issued_offline: bool = Field(description="printed by a kiosk offline and uploaded later")
    appointment_at: datetime | None = Field(
        default=None,
        description="the booked time of the appointment checked in with this ticket "
        "(null: not drawn with an appointment)",
    )
    appointment_late: bool = Field(
        default=False,
        description="the appointment was checked in after its window and let in as a walk-in",
    )
    case: CasePublic | None = None


class TicketCreated(TicketPublic):
    status_token: str = Field(description="the key of the ticket's status page /t/<status_token>")


class CaseUpdate(BaseModel):
    steps_done: list[str] | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=20000)
    case_reference: str | None = Field(default=None, max_length=100)


class FinishRequest(CaseUpdate):
    outcome: Outcome


class TransferRequest(CaseUpdate):
    """Where the ticket goes, why, and the case as the forwarding desk leaves it: steps done,
    notes and case reference travel with the ticket to the desk that serves it next."""

    service_id: ServiceId | None = Field(default=None, description="move to this service's queue")
    desk: str | None = Field(default=None, description="or to this desk, e.g. the back office")
    reason: str = Field(default="", max_length=2000)


class MoveRequest(BaseModel):
    """A supervisor moves a waiting ticket to another service's queue; it keeps its place."""

    service_id: ServiceId
    reason: str = Field(
        default="",
        max_length=2000,
        description="why; the desk that calls it reads it as the forwarding reason",
    )


#: A supervisor's reason for cancelling a ticket: 1 to 200 characters, not only spaces.
CancelReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


class CancelRequest(BaseModel):
    """A waiting ticket cancelled with a reason: by a supervisor (steering; a parked ticket
    too), or with ``desk`` by the clerk at that desk. The reason in words is kept with the
    ticket's case (erased with its text), never in the event log, on the display or on the
    citizen's status page; the coded reason ``why`` is logged. One of the two is required."""

    reason: CancelReason | None = Field(default=None, description="why, in words (1..200)")
    why: CancelWhy | None = Field(default=None, description="why, as a code (logged)")
    desk: str | None = Field(
        default=None,
        max_length=50,
        description="the desk cancelling (a clerk signed on there): a waiting ticket of a "
        "service the desk calls",
    )

    @model_validator(mode="after")
    def _a_reason(self) -> CancelRequest:
        if self.reason is None and self.why is None:
            raise ValueError("give a reason: reason (words) or why (a code)")
        return self


class CallRequest(BaseModel):
    desk: str = Field(description="the desk that calls the ticket")


class UndoNoShowRequest(BaseModel):
    desk: str | None = Field(
        default=None,
        description="call the ticket at this desk at once; without it, it waits in its old place",
    )


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


class LeaseRequest(BaseModel):
    size: int = Field(default=20, ge=1, le=100, description="numbers per service")


class LeasePublic(BaseModel):
    id: int
    service_id: int
    prefix: str
    day: date
    first: int
    last: int


class LeasesPublic(BaseModel):
    day: date = Field(description="the site's local day the numbers are for")
    leases: list[LeasePublic] = Field(description="one per active service")
