"""What the server answers, as the desktop programs read it: one model per answer.

The client (``counter_app.core.api``) parses every answer into these before anyone reads it, so
the clerk desk, the pickup desk and the kiosk read attributes, never string keys. Each model
names only the fields a desk reads, with the type the server documents for them:

* a field the server adds is ignored (the server extends its answers, it never renames);
* a field the server drops or renames, or one of another type, fails the parse at once, at the
  client, as ``counter_app.core.errors.BadAnswer`` ("this program does not understand the
  server"), not as a ``KeyError`` somewhere in a widget.

The contract lives here and in ``OPERATIONS`` of ``counter_app.core.api`` (which operation each
model answers); ``tests/counter_app/test_contract.py`` checks both against the server's OpenAPI
document, field by field, so a renamed server field fails that test in CI, not a clerk's
morning. The payloads of live events (``DeskEvent`` ...) are not in that document: the same test
reads them from a running server. Qt-free and without ``central_server``: the desktop bundle
carries neither.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resources.vocabulary import DocumentKind, PickupStatus, Priority, TicketStatus


class Answer(BaseModel):
    """Base of every answer: unknown fields ignored, nothing changed after parsing."""

    model_config = ConfigDict(extra="ignore", frozen=True)


_R = TypeVar("_R", bound=Answer)


# Sign-in ---------------------------------------------------------------------------------------


class SignIn(Answer):
    token: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    expires_at: datetime


# The site and its services ---------------------------------------------------------------------


class Site(Answer):
    name: str
    timezone: str


class ChecklistStep(Answer):
    """A step of a service's checklist: the clerk ticks it off."""

    id: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("de", "")


class ServiceDocument(Answer):
    """A document a service usually orders: the "document ordered" dialog suggests it."""

    kind: str
    detail: str
    weeks: int


class Service(Answer):
    id: int
    prefix: str
    #: In the language asked for (``lang``), German if it has none.
    name: str
    hint: str
    #: In every language the site file gives (all citizen languages).
    names: dict[str, str]
    hints: dict[str, str]
    open_now: bool
    hours_today: str
    checklist: tuple[ChecklistStep, ...]
    documents: tuple[ServiceDocument, ...]
    #: Tickets are issued today: not stopped by a supervisor, the day's contingent not used up.
    issuing: bool
    #: While not issuing: what the kiosk shows, in every citizen language.
    stopped_message: dict[str, str] | None
    #: Tickets left of today's contingent (None: the service has none).
    left_today: int | None
    #: How long a walk-in should wait at most (the clerk's queue marks who waited longer).
    target_wait_minutes: int

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names.get("de") or self.name or self.prefix

    def hint_in(self, language: str) -> str:
        return self.hints.get(language) or self.hints.get("de") or self.hint


class Device(Answer):
    name: str
    printer_state: str | None


class PrinterReported(Answer):
    device: str
    state: str


# Desks -----------------------------------------------------------------------------------------


class Desk(Answer):
    code: str
    name: str
    kind: str
    #: open, paused, closed.
    state: str
    signed_on_user: str | None
    #: The number of the ticket it serves, e.g. ``A012``.
    current_ticket: str | None


# Tickets and the queue -------------------------------------------------------------------------


class Case(Answer):
    """A ticket's case as the server has it."""

    steps_done: tuple[str, ...]
    notes: str
    case_reference: str
    forward_reason: str


class Ticket(Answer):
    id: int
    number: str
    service_id: int
    service_prefix: str
    status: TicketStatus
    priority: Priority
    language: str
    #: The desk that called it last.
    desk: str | None
    #: The only desk that may call it (a transfer to one desk).
    target_desk: str | None
    #: 1 = next; only while it waits.
    position: int | None
    estimated_wait_minutes: int | None
    created_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    #: Printed by a kiosk while the server was gone, uploaded later.
    issued_offline: bool
    case: Case | None = None
    #: The booked time of a checked-in appointment (None: not drawn by an appointment).
    appointment_at: datetime | None = None
    #: Checked in after the appointment's window and let in as a walk-in.
    appointment_late: bool = False

    @property
    def since(self) -> datetime:
        """Since when it is in its present state at the desk (or waiting)."""
        return self.started_at or self.called_at or self.queued_at

    @property
    def forward_reason(self) -> str:
        return self.case.forward_reason if self.case is not None else ""


class IssuedTicket(Ticket):
    """A new ticket: it carries the key of its status page, in this answer only."""

    status_token: str


class ServiceCount(Answer):
    service_id: int
    prefix: str
    waiting: int


class Queue(Answer):
    waiting: tuple[Ticket, ...]
    called: tuple[Ticket, ...]
    serving: tuple[Ticket, ...]
    parked: tuple[Ticket, ...]
    counts: tuple[ServiceCount, ...]


class DeskView(Answer):
    """What a clerk's desk shows, of one site change: its queue and the site's desks."""

    queue: Queue
    desks: tuple[Desk, ...]


class Lease(Answer):
    """A block of numbers the kiosk may issue offline on ``day``."""

    id: int
    service_id: int
    prefix: str
    day: date
    first: int
    last: int


class Leases(Answer):
    day: date
    leases: tuple[Lease, ...]


# Pickups ---------------------------------------------------------------------------------------


class Pickup(Answer):
    """A pickup as staff see it (never the receipt's token)."""

    id: int
    status: PickupStatus
    #: A ``resources.vocabulary.DocumentKind`` value; text, as the server serves it, so a kind
    #: added there shows as "other document" here rather than failing the answer.
    document_kind: str
    document_detail: str
    case_reference: str
    holder_name: str
    slot: str | None
    expected_ready_on: date | None = None
    created_at: datetime
    checkin_ticket_id: int | None
    #: The P ticket drawn at the kiosk.
    checkin_ticket_number: str | None
    handed_over_at: datetime | None
    handed_over_by: str | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    expired_at: datetime | None = None

    @property
    def kind(self) -> DocumentKind:
        """``document_kind`` as a known kind; one this program does not know is "other"."""
        known = {k.value for k in DocumentKind}
        return (
            DocumentKind(self.document_kind) if self.document_kind in known else DocumentKind.OTHER
        )


class OrderedPickup(Pickup):
    """ "Document ordered": the receipt's token, in this answer only."""

    token: str = Field(repr=False)
    #: The public "Ready yet?" page, printed on the receipt; empty from an older server.
    ready_page: str = ""


class PickupSearchResult(Answer):
    """The pickups found by case reference or name (a citizen without the receipt)."""

    pickups: list[Pickup]
    #: More match than are listed: search more precisely.
    more: bool


# The supervisor's board and steering ------------------------------------------------------------


class BoardTicket(Answer):
    """The ticket called or served at a desk of the board."""

    id: int
    number: str
    status: TicketStatus
    #: Called at (called) or started at (serving).
    since: datetime


class BoardDesk(Answer):
    #: What the statistics' desk filter takes.
    id: int
    code: str
    name: str
    #: open, paused (a break), closed.
    state: str
    #: The display name of who is signed on.
    user: str | None
    #: The service ids it calls, in its order.
    services: tuple[int, ...]
    ticket: BoardTicket | None
    idle_since: datetime | None


class BoardService(Answer):
    id: int
    prefix: str
    #: In every citizen language.
    names: dict[str, str]
    active: bool
    issuing: bool
    stopped: bool
    #: A ``resources.vocabulary.StopReason`` value, or None.
    stop_reason: str | None
    waiting: int
    longest_wait_minutes: int | None
    target_wait_minutes: int
    #: A ``resources.vocabulary.ServiceLevel`` value: green, amber, red.
    level: str
    estimated_wait_minutes: int | None
    served_today: int
    no_show_today: int
    issued_today: int
    daily_limit: int | None
    left_today: int | None

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names.get("de") or self.prefix


class BoardAlert(Answer):
    #: A ``resources.vocabulary.AlertKind`` value.
    kind: str
    at: datetime
    service_id: int | None = None
    desk: str | None = None
    device: str | None = None
    detail: str | None = None


class Board(Answer):
    """The supervisor's live board of a site."""

    seq: int
    read_at: datetime
    desks: tuple[BoardDesk, ...]
    services: tuple[BoardService, ...]
    alerts: tuple[BoardAlert, ...]


class SteeredDesk(Answer):
    """A desk as its new services left it."""

    code: str
    service_ids: tuple[int, ...]


class ServiceIssuing(Answer):
    """A service as a stop or resume left it."""

    id: int
    prefix: str
    issuing: bool
    stopped: bool
    stop_reason: str | None
    left_today: int | None


# Statistics ----------------------------------------------------------------------------------


class Spread(Answer):
    """Minutes: mean and percentiles; None where there is nothing to measure."""

    mean: float | None
    p50: float | None
    p80: float | None
    p95: float | None


class EstimateError(Answer):
    p50: float | None
    p90: float | None


class Kinds(Answer):
    walk_in: int
    appointment: int
    urgent: int
    offline: int


class Feedback(Answer):
    count: int
    mean: float | None


class Figures(Answer):
    """The figures of a period, or of one group of it."""

    arrivals: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    #: Appointments not checked in by the end of their window (apart from ``no_show``).
    appointment_missed: int = 0
    wait_minutes: Spread
    handling_minutes: Spread
    #: 0..1: called tickets whose wait was within their service's target.
    service_level: float | None
    estimate_error_minutes: EstimateError
    kinds: Kinds
    #: Outcome word -> how many.
    outcomes: dict[str, int]
    feedback: Feedback


class StatisticsSite(Answer):
    slug: str
    name: str


class StatisticsService(Answer):
    """The service a group of ``by=service`` is of."""

    id: int
    prefix: str
    #: The German name; ``names`` holds it in each language.
    name: str
    names: dict[str, str]
    site: str | None


class StatisticsDesk(Answer):
    """The desk a group of ``by=desk`` is of; ``id`` None: tickets that never reached a desk."""

    id: int | None
    name: str
    code: str | None
    site: str | None


class StatisticsClerk(Answer):
    """The clerk a group of ``by=clerk`` is of; ``id`` None: tickets no clerk served."""

    id: int | None
    name: str


class StatisticsGroup(Figures):
    #: day "YYYY-MM-DD", week "YYYY-Www", month "YYYY-MM", weekday "1".."7", hour "00".."23",
    #: weekday_hour "1-09"; None when split by service, desk or clerk alone.
    key: str | None
    #: Whose figures these are when split ``by``: exactly one of them is set then.
    service: StatisticsService | None = None
    desk: StatisticsDesk | None = None
    clerk: StatisticsClerk | None = None


class StatisticsOrganisation(Answer):
    slug: str
    name: str


class Statistics(Answer):
    sites: tuple[StatisticsSite, ...]
    #: Whom the site works for (a site file's ``[organisation]``), if anyone.
    organisation: StatisticsOrganisation | None
    group: str | None
    by: str | None
    service_level_goal: float
    totals: Figures
    groups: tuple[StatisticsGroup, ...]


# The emergency call ------------------------------------------------------------------------------


class EmergencyResponder(Answer):
    user: str
    #: The desk they left to come; None for a supervisor away from any desk.
    desk: str | None
    desk_name: str | None
    at: datetime


class Emergency(Answer):
    """An emergency call at a desk (``POST .../desks/{desk}/emergency`` and its answers)."""

    desk: str
    desk_name: str
    called_by: str
    called_at: datetime
    responders: list[EmergencyResponder]
    ended_at: datetime | None
    ended_by: str | None


# Live events -----------------------------------------------------------------------------------


class DeskEvent(Answer):
    """``desk.signed_on`` / ``desk.signed_off`` / ``desk.paused``: who did it, at which desk."""

    desk: str | None = None
    actor: str = ""
    #: Who signed on (a take-over names the new holder here).
    user: str = ""


class EmergencyEvent(Answer):
    """``desk.emergency`` / ``desk.emergency_response`` / ``desk.emergency_ended``: the desk
    of the call, who acted (``actor``) and when; an answer names the desk it comes from."""

    desk: str
    desk_name: str
    actor: str
    at: datetime
    from_desk: str | None = None
    from_desk_name: str | None = None


class PrinterEvent(Answer):
    """``device.printer``: a kiosk's printer changed its state."""

    device: str
    state: str


class PickupRef(Answer):
    id: int


class PickupEvent(Answer):
    """``pickup.*``: which pickup changed."""

    pickup: PickupRef | None = None


# What a refusal (4xx) says beyond its code -----------------------------------------------------


class DeskTaken(Answer):
    """``desk_taken`` (409 at sign-on): who holds the desk."""

    user: str
    desk: str


class PickupRefusal(Answer):
    """A refused pickup check-in (kiosk): what the citizen is told beyond the code."""

    #: The number given at the earlier check-in (``pickup_already_checked_in``).
    number: str = ""
    #: When the pickup was closed, as the site's local time in words.
    at: str = ""
    #: ``pickup_not_ready``: the day the document is expected.
    expected_ready_on: date | None = None


class AppointmentRefusal(Answer):
    """A refused appointment check-in (kiosk): what the citizen is told beyond the code.

    Times carry the site's offset, so they read as the site's local time as given."""

    #: ``appointment_too_early``: from when the check-in is open.
    check_in_from: datetime | None = None
    #: ``appointment_too_late``: until when it was.
    check_in_until: datetime | None = None
    #: ``appointment_checked_in``: the number given then.
    number: str = ""
    #: ``appointment_not_found``: ``unknown``, ``other_day`` or ``other_site``.
    reason: str = ""
    #: ``other_day``: the appointment's day.
    day: date | None = None
    #: ``other_site``: where the appointment is.
    site_name: str = ""


def refusal_details(details: dict[str, object], model: type[_R]) -> _R | None:
    """A refusal's ``details`` as ``model``; None when they do not fit (the refusal's code and
    message still stand, only the particulars are missing)."""
    try:
        return model.model_validate(details)
    except ValidationError:
        return None
