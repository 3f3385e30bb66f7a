from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, Strict, StringConstraints

from central_server.tickets.schemas import Language
from resources.vocabulary import DocumentKind, MissingReceipt, PickupStatus

#: The largest id a row can have (INTEGER, 32-bit on PostgreSQL; ``central_server.deps.MAX_ID``).
MAX_ID = 2**31 - 1


#: Nothing happens to a pickup after these; its personal data is purged some days later.
CLOSED = frozenset({PickupStatus.HANDED_OVER, PickupStatus.CANCELLED, PickupStatus.EXPIRED})


def _printable(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value


#: Text a person typed: trimmed, without control characters (a NUL from a broken client).
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_printable)]
#: A scanned token: trimmed (scanners end with a line break).
Scanned = Annotated[str, StringConstraints(strip_whitespace=True)]


class PickupCreate(BaseModel):
    document_kind: DocumentKind
    document_detail: Text = Field(default="", max_length=200)
    case_reference: Text = Field(min_length=1, max_length=100, description="the Aktenzeichen")
    holder_name: Text = Field(
        min_length=1, max_length=200, description="as far as needed to find the document"
    )
    ticket_id: Annotated[int, Strict()] | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="the ticket of the visit at which the document was ordered",
    )
    expected_ready_on: date | None = Field(
        default=None,
        description="the day the document is expected to arrive (e.g. in about six weeks), a "
        "day at the site; not in the past. The kiosk names it to a citizen who comes too early",
    )


class ReadyRequest(BaseModel):
    slot: Text = Field(min_length=1, max_length=32, description="the shelf slot, e.g. B-17")


class TokenRequest(BaseModel):
    token: Scanned = Field(
        min_length=1,
        max_length=200,
        description="from the receipt's QR code, or as typed: case, spaces and dashes do not "
        "matter",
    )


class HandOverRequest(TokenRequest):
    id_checked: bool = Field(description="the holder's ID was checked; must be true")


class MissingReceiptRequest(BaseModel):
    """A holder without the receipt: the document handed over, or a new receipt made."""

    id_checked: bool = Field(description="the holder's ID was checked; must be true")
    reason: MissingReceipt = Field(description="why the holder has no receipt")


#: The most pickups one search answers: enough for a common name, never a site's whole list.
SEARCH_LIMIT = 20


class PickupSearch(BaseModel):
    query: Text = Field(
        min_length=3,
        max_length=100,
        description="a case reference (its start) or a part of the holder's name; case does "
        "not matter. Sent in the body, so it stays out of access logs; the event log records "
        "who searched, never what",
    )


class CheckInRequest(TokenRequest):
    language: Language = Field(default="de", description="the citizen's language")


class PickupPublic(BaseModel):
    """A pickup as staff see it. Never carries the receipt's token."""

    id: int
    site: str
    status: PickupStatus
    document_kind: DocumentKind
    document_detail: str
    case_reference: str
    holder_name: str
    slot: str | None
    expected_ready_on: date | None = Field(
        default=None, description="the day the document is expected to arrive, if known"
    )
    ticket_id: int | None = Field(description="the ticket of the visit it was ordered at")
    created_at: datetime
    created_by: str
    ready_at: datetime | None
    ready_by: str | None
    checked_in_at: datetime | None
    checkin_ticket_id: int | None
    checkin_ticket_number: str | None = Field(description="the P ticket drawn at the kiosk")
    handed_over_at: datetime | None
    handed_over_by: str | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    expired_at: datetime | None = Field(
        default=None, description="when it expired, not collected in time"
    )
    purged: bool = Field(description="the holder's name and case reference have been erased")


class PickupSearchAnswer(BaseModel):
    pickups: list[PickupPublic] = Field(
        description=f"the matching pickups, newest first, at most {SEARCH_LIMIT}"
    )
    more: bool = Field(description="more pickups match than are listed: search more precisely")


class PickupCreated(PickupPublic):
    token: str = Field(
        description="the receipt's token for its QR code and to print under it: 32 characters "
        "of A-Z and 2-7 (base32, 160 random bits); shown in this answer only (a retry with the "
        "same Idempotency-Key gets a new one, and the earlier one stops working)"
    )
    ready_page: str = Field(
        description="the public page where the citizen checks with the code whether the "
        "document is ready (printed on the receipt): the server's public_url (or the address "
        "this request reached) and /p"
    )
