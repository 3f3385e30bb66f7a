"""The appointments' requests and answers (the booking system, the desks and the kiosk)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from central_server.pickups.schemas import Scanned, Text
from central_server.tickets.schemas import Language, ServiceId
from resources.vocabulary import AppointmentState

#: How many appointments one push may carry (a large office books ~1,500 a day).
MAX_PUSH = 5000


class AppointmentIn(BaseModel):
    """One appointment as the booking system knows it. No names: only what the queue needs."""

    external_id: Text = Field(
        min_length=1, max_length=100, description="the booking system's id, unique per site"
    )
    code: Scanned = Field(
        min_length=1,
        max_length=100,
        description="what the confirmation prints and encodes in its QR/barcode (e.g. ZMS's "
        "process number); case, spaces and dashes do not matter",
    )
    service_id: ServiceId = Field(
        description="the service's id as GET /sites/{site}/services serves it"
    )
    starts_at: datetime = Field(
        description="ISO 8601 with a time zone, e.g. 2026-12-04T10:15:00+01:00; without one: 422"
    )
    language: Language | None = Field(
        default=None, description="the citizen's language if the booking knows it"
    )


class AppointmentsPush(BaseModel):
    appointments: list[AppointmentIn] = Field(max_length=MAX_PUSH)


class PushResult(BaseModel):
    """What a push did, by ``external_id``: an appointment missing from a later push is left
    as it is (cancel it with DELETE)."""

    created: list[str]
    updated: list[str]
    unchanged: list[str]


class AppointmentPublic(BaseModel):
    external_id: str
    service_id: int
    starts_at: datetime = Field(description="in the site's time zone")
    language: str | None
    state: AppointmentState = Field(
        description="booked, checked_in (waits with its ticket), called (at a desk), done, "
        "no_show (not checked in by the end of its window), cancelled"
    )
    check_in_from: datetime = Field(description="the kiosk checks it in from ...")
    check_in_until: datetime = Field(description="... to this time, both included")
    ticket_number: str | None = Field(description="the ticket drawn at check-in, e.g. A042")


class AppointmentList(BaseModel):
    day: date = Field(description="the site's local day")
    appointments: list[AppointmentPublic] = Field(description="by time, then external id")


class AppointmentCheckIn(BaseModel):
    code: Scanned = Field(
        min_length=1,
        max_length=200,
        description="as scanned or typed: case, spaces, tabs and dashes do not matter",
    )
    language: Language | None = Field(
        default=None,
        description="the kiosk's current language: the ticket's when the appointment has none",
    )
