"""What the supervisor's board answers and what the steering endpoints take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from central_server.tickets.schemas import ServiceId
from resources.vocabulary import AlertKind, DeskKind, ServiceLevel, StopReason, TicketStatus

#: A language code -> text, in every citizen language.
Texts = dict[str, str]


class BoardTicket(BaseModel):
    id: int
    number: str
    status: TicketStatus = Field(description="called or serving")
    since: datetime = Field(description="when it was called (called) or started (serving)")


class BoardDesk(BaseModel):
    id: int = Field(description="the desk's id (as the statistics' desk filter takes it)")
    code: str
    name: str
    kind: DeskKind
    state: Literal["open", "paused", "closed"] = Field(description="paused: on a break")
    user: str | None = Field(description="the display name of who is signed on")
    services: list[int] = Field(description="the service ids the desk calls, in its order")
    ticket: BoardTicket | None = Field(description="the ticket called or served there")
    idle_since: datetime | None = Field(
        description="an open desk without a ticket: since when (its last action today, or the "
        "start of the day); null otherwise"
    )


class BoardService(BaseModel):
    id: int
    prefix: str
    names: Texts
    active: bool
    issuing: bool = Field(
        description="new tickets are issued today (not stopped, contingent not used up)"
    )
    stop_reason: StopReason | None = Field(
        description="why a supervisor stopped it today (null: not stopped, or no reason given)"
    )
    stopped: bool = Field(description="a supervisor stopped issuing it today")
    stopped_message: Texts | None = Field(
        description="what the kiosk shows while it issues no tickets, in every citizen language"
    )
    waiting: int
    longest_wait_minutes: int | None = Field(description="null while nobody waits")
    target_wait_minutes: int
    amber_share: float = Field(description="from this share of the target the level is amber")
    level: ServiceLevel
    estimated_wait_minutes: int | None = Field(
        description="what a walk-in taking a ticket now is told; null while it issues none"
    )
    served_today: int = Field(description="tickets of the service finished as done today")
    no_show_today: int
    issued_today: int = Field(description="tickets issued under its letter today")
    daily_limit: int | None
    left_today: int | None = Field(description="tickets left of today's contingent")


class BoardAlert(BaseModel):
    kind: AlertKind
    at: datetime = Field(description="when the alert began")
    service_id: int | None = Field(default=None, description="service_past_target")
    desk: str | None = Field(default=None, description="desk_idle: the desk's code")
    device: str | None = Field(
        default=None,
        description="printer_fault: the kiosk; wrong_scans: the device or user who scanned",
    )
    detail: str | None = Field(
        default=None,
        description="printer_fault: the printer's state (paper_out ...); wrong_scans: how many "
        "wrong receipts within a minute",
    )


class Board(BaseModel):
    seq: int = Field(description="the site's event sequence the board was read at")
    read_at: datetime
    desks: list[BoardDesk]
    services: list[BoardService]
    alerts: list[BoardAlert] = Field(description="oldest first")


class DeskServicesUpdate(BaseModel):
    services: Annotated[list[ServiceId], Field(max_length=50)] = Field(
        description="the service ids the desk calls, in its order among equals"
    )


class StopRequest(BaseModel):
    reason: StopReason | None = Field(default=None, description="why (for the board and log)")


class ServiceIssuing(BaseModel):
    """A service as steering left it."""

    id: int
    prefix: str
    names: Texts
    active: bool
    issuing: bool
    stopped: bool
    stop_reason: StopReason | None
    stopped_message: Texts | None
    daily_limit: int | None
    left_today: int | None
