"""Pickups: finished documents waiting to be handed out, and the receipts that collect them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow
from resources.vocabulary import PickupStatus


class Pickup(Base):
    """A document ordered for a citizen, from "ordered" to "handed over".

    It holds only what is needed to find the document on the shelf: its kind, the case
    reference and the holder's name (``document_detail`` is a short free-text addition to the
    kind). These personal fields are emptied ``pickup_purge_days`` after the pickup closed
    (``purged_at``); the row and its status stay for the statistics.

    The receipt's token is random (160 bits, base32; see ``central_server.pickups.receipts``)
    and stored only as the SHA-256 digest ``token_hash`` of its normal form: the token is shown
    once, when the pickup is ordered, and a copy of the database hands nobody a working receipt.
    The digest outlives the purge, so a receipt used again is still recognised as used.

    ``status``: ordered -> ready (``slot`` says where the document lies) -> handed_over; ordered
    or ready -> cancelled; ready -> expired when not collected within ``pickup_collect_days``
    of ``ready_at``. ``closed_at``/``closed_by`` say when and by whom it left the open states
    (``system`` or ``admin`` for an expiry). ``checked_in_at`` and ``checkin_ticket_id`` record
    the citizen's check-in at the kiosk, which leaves the status ``ready``. The status changes
    only through ``central_server.pickups.service``; every change is also an event in the
    site's log, which never holds the name, the case reference or the token.

    ``expected_ready_on`` is the clerk's estimate, given when ordering, of the day the document
    arrives (a day at the site, never in the past when given); the kiosk tells a citizen who
    comes too early when to come back.
    """

    __tablename__ = "pickups"
    __table_args__ = (
        # The pickup desk's lists, newest first (of one status, or of all), without sorting
        # every pickup the site ever had.
        Index("ix_pickups_site_status_created", "site_id", "status", "created_at", "id"),
        Index("ix_pickups_site_created", "site_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: The ticket of the visit at which the document was ordered, if any.
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    document_kind: Mapped[str] = mapped_column(String(40))
    document_detail: Mapped[str] = mapped_column(String(200), default="")
    case_reference: Mapped[str] = mapped_column(String(100), default="")
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=PickupStatus.ORDERED.value)
    slot: Mapped[str | None] = mapped_column(String(32), default=None)
    expected_ready_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ready_by: Mapped[str | None] = mapped_column(String(100), default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    checkin_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ReplacedReceipt(Base):
    """A receipt that was replaced by a new one (the citizen lost it): void, but recognised.

    Only the digest of its token is kept, as for a pickup's own receipt, so that scanning it
    answers "this receipt was replaced" instead of "unknown" (see
    ``central_server.pickups.service.reissue``). A pickup may have been re-issued several
    times; each old receipt is one row, and they go with the pickup.
    """

    __tablename__ = "replaced_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_id: Mapped[int] = mapped_column(ForeignKey("pickups.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
