"""The words the server and the desks share: each defined once, here, with its labels.

The values are the wire strings: what the server stores, serves in JSON and lists in its
OpenAPI, and what the desks and the kiosk send and compare. A value already served is never
renamed. The labels are message ids of the one catalogue (``resources/i18n.py``): staff labels
(``N_``) exist in German and English, citizen labels (``N_citizen``, context ``citizen``) in all
six citizen languages; ``tests/test_vocabulary.py`` checks that every value has its label in
every language.

The citizen languages are :data:`resources.i18n.CITIZEN_LANGUAGES` (re-exported here). This
module imports neither Qt nor the server, so both sides and the kiosk may import it.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from resources.i18n import CITIZEN_LANGUAGES, N_, CitizenLanguage, N_citizen

__all__ = [
    "ALERT_KIND_LABELS",
    "APPOINTMENT_STATE_LABELS",
    "CANCEL_WHY_LABELS",
    "CITIZEN_LANGUAGES",
    "DOCUMENT_KIND_CITIZEN_LABELS",
    "DOCUMENT_KIND_LABELS",
    "FEEDBACK_SCORE_LABELS",
    "LANGUAGE_LABELS",
    "MAX_WEEKS",
    "MISSING_RECEIPT_LABELS",
    "OUTCOME_LABELS",
    "PICKUP_STATUS_LABELS",
    "PRINTER_FAULTS",
    "PRIORITY_LABELS",
    "SERVICE_LEVEL_LABELS",
    "STOP_REASON_LABELS",
    "TICKET_STATUS_LABELS",
    "USUAL_WEEKS",
    "AlertKind",
    "AppointmentState",
    "CancelWhy",
    "CitizenLanguage",
    "DeskKind",
    "DeviceKind",
    "DocumentKind",
    "FeedbackScore",
    "MissingReceipt",
    "Outcome",
    "PickupStatus",
    "PrinterState",
    "Priority",
    "ServiceLevel",
    "StopReason",
    "TicketStatus",
]


class TicketStatus(StrEnum):
    """Where a ticket stands; the transitions are the queue's rules (``queue_rules.py``)."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"


class Priority(StrEnum):
    """A ticket's priority class; who goes first is a queue rule (``queue_rules.py``)."""

    APPOINTMENT = "appointment"
    URGENT = "urgent"
    NORMAL = "normal"


class Outcome(StrEnum):
    """How a visit ended, for the statistics."""

    COMPLETED = "completed"
    DOCUMENTS_MISSING = "documents_missing"
    REFERRED = "referred"
    FOLLOW_UP = "follow_up"
    WITHDRAWN = "withdrawn"


class DocumentKind(StrEnum):
    """What lies on the shelf; ``document_detail`` adds free text (e.g. "Fiktionsbescheinigung")."""

    RESIDENCE_PERMIT = "residence_permit"
    ID_CARD = "id_card"
    PASSPORT = "passport"
    TRAVEL_DOCUMENT = "travel_document"
    DRIVING_LICENCE = "driving_licence"
    CERTIFICATE = "certificate"
    OTHER = "other"


class FeedbackScore(IntEnum):
    """What a citizen answers to "How was your visit?" on the status page: one of five faces,
    from 1 (very bad) to 5 (very good). The statistics count the answers and take their mean."""

    VERY_BAD = 1
    BAD = 2
    OKAY = 3
    GOOD = 4
    VERY_GOOD = 5


class PickupStatus(StrEnum):
    """Where a pickup stands: ordered, then ready on its shelf slot, then handed over once."""

    ORDERED = "ordered"
    READY = "ready"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class MissingReceipt(StrEnum):
    """Why a document is handed over without its receipt (after the ID check): recorded in
    the hand-over's event, so a supervisor sees how often receipts go missing and why."""

    LOST = "lost"
    DAMAGED = "damaged"
    STOLEN = "stolen"
    NEVER_RECEIVED = "never_received"


class DeviceKind(StrEnum):
    """A device signs in with a token and acts in the role of its kind."""

    KIOSK = "kiosk"
    DISPLAY = "display"
    #: The office's booking system: it pushes the day's appointments (no screen, no printer).
    INTEGRATION = "integration"


class AppointmentState(StrEnum):
    """Where a booked appointment stands: booked, then checked in at the kiosk (it has a
    ticket), called and done with its ticket; no_show when not checked in by the end of its
    window; cancelled by the booking system."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class DeskKind(StrEnum):
    """What a desk is for (the site file's ``desks[].kind``)."""

    FRONT_OFFICE = "front_office"
    BACK_OFFICE = "back_office"
    QUICK_PICKUP = "quick_pickup"


class PrinterState(StrEnum):
    """What a kiosk's ticket printer is up to, as the kiosk sees it and reports it to the server."""

    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    UNKNOWN = "unknown"


class ServiceLevel(StrEnum):
    """How a service's longest wait stands against its target (the supervisor's board): green
    below the site's amber share of the target, amber from there, red once past the target."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class AlertKind(StrEnum):
    """What the supervisor's board warns of."""

    SERVICE_PAST_TARGET = "service_past_target"
    DESK_IDLE = "desk_idle"
    PRINTER_FAULT = "printer_fault"
    WRONG_SCANS = "wrong_scans"


class CancelWhy(StrEnum):
    """Why a desk cancelled a waiting ticket: a code, so the event log can say it (a reason in
    words may name the citizen and stays with the ticket's case)."""

    LEFT = "left"
    CAME_TWICE = "came_twice"
    WRONG_SERVICE = "wrong_service"
    OTHER = "other"


class StopReason(StrEnum):
    """Why a supervisor stopped issuing a service's tickets for the day."""

    CONTINGENT = "contingent"
    STAFF = "staff"
    CLOSING = "closing"


#: The printer cannot print in these states: a ticket sent to it would be lost, so nothing is
#: sent. ``unknown`` is not one of them.
PRINTER_FAULTS = frozenset(
    {PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE, PrinterState.ERROR}
)


#: The most weeks a document may be expected to take (the site file's ``weeks``, the desk's
#: "ready in about"); 0 means not known.
MAX_WEEKS = 26

#: How many weeks a document usually takes to arrive (Bundesdruckerei), for a kind the service
#: does not name in the site file; 0: not known.
USUAL_WEEKS: dict[DocumentKind, int] = {
    DocumentKind.RESIDENCE_PERMIT: 6,
    DocumentKind.ID_CARD: 4,
    DocumentKind.PASSPORT: 4,
    DocumentKind.TRAVEL_DOCUMENT: 6,
    DocumentKind.DRIVING_LICENCE: 0,
    DocumentKind.CERTIFICATE: 0,
    DocumentKind.OTHER: 0,
}

#: Outcomes as the clerk reads them, in the order the outcome dialog offers them.
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.COMPLETED: N_("Completed"),
    Outcome.DOCUMENTS_MISSING: N_("Documents missing"),
    Outcome.REFERRED: N_("Referred elsewhere"),
    Outcome.FOLLOW_UP: N_("Follow-up appointment"),
    Outcome.WITHDRAWN: N_("Withdrawn by the citizen"),
}

#: Document kinds as staff read them, in the order the desks list them.
DOCUMENT_KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.RESIDENCE_PERMIT: N_("Residence permit"),
    DocumentKind.ID_CARD: N_("ID card"),
    DocumentKind.PASSPORT: N_("Passport"),
    DocumentKind.TRAVEL_DOCUMENT: N_("Travel document"),
    DocumentKind.DRIVING_LICENCE: N_("Driving licence"),
    DocumentKind.CERTIFICATE: N_("Certificate"),
    DocumentKind.OTHER: N_("Other document"),
}

#: Document kinds as the citizen reads them (the pickup receipt, the kiosk).
DOCUMENT_KIND_CITIZEN_LABELS: dict[DocumentKind, str] = {
    DocumentKind.RESIDENCE_PERMIT: N_citizen("citizen", "Residence permit"),
    DocumentKind.ID_CARD: N_citizen("citizen", "ID card"),
    DocumentKind.PASSPORT: N_citizen("citizen", "Passport"),
    DocumentKind.TRAVEL_DOCUMENT: N_citizen("citizen", "Travel document"),
    DocumentKind.DRIVING_LICENCE: N_citizen("citizen", "Driving licence"),
    DocumentKind.CERTIFICATE: N_citizen("citizen", "Certificate"),
    DocumentKind.OTHER: N_citizen("citizen", "Document"),
}

#: The five faces as the citizen reads them (the status page's buttons name them for screen
#: readers), from 1 to 5.
FEEDBACK_SCORE_LABELS: dict[FeedbackScore, str] = {
    FeedbackScore.VERY_BAD: N_citizen("citizen", "very bad"),
    FeedbackScore.BAD: N_citizen("citizen", "bad"),
    FeedbackScore.OKAY: N_citizen("citizen", "okay"),
    FeedbackScore.GOOD: N_citizen("citizen", "good"),
    FeedbackScore.VERY_GOOD: N_citizen("citizen", "very good"),
}

#: A ticket's status as staff read it, also inside sentences ("Ticket A042 is {status}").
TICKET_STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.WAITING: N_("waiting"),
    TicketStatus.CALLED: N_("called"),
    TicketStatus.SERVING: N_("being served"),
    TicketStatus.PARKED: N_("parked"),
    TicketStatus.DONE: N_("done"),
    TicketStatus.NO_SHOW: N_("marked as no-show"),
    TicketStatus.CANCELLED: N_("cancelled"),
    TicketStatus.TRANSFERRED: N_("transferred"),
}

#: A citizen's language (a ticket's ``language``) as the clerk reads it at the desk.
LANGUAGE_LABELS: dict[str, str] = {
    "de": N_("German"),
    "en": N_("English"),
    "tr": N_("Turkish"),
    "ar": N_("Arabic"),
    "ru": N_("Russian"),
    "uk": N_("Ukrainian"),
}

#: Priorities as the clerk reads them in the queue.
PRIORITY_LABELS: dict[Priority, str] = {
    Priority.APPOINTMENT: N_("Appointment"),
    Priority.URGENT: N_("Urgent"),
    Priority.NORMAL: N_("Normal"),
}

#: An appointment's state as staff read it (the day's appointments).
APPOINTMENT_STATE_LABELS: dict[AppointmentState, str] = {
    AppointmentState.BOOKED: N_("Booked"),
    AppointmentState.CHECKED_IN: N_("Checked in"),
    AppointmentState.CALLED: N_("Called"),
    AppointmentState.DONE: N_("Done"),
    AppointmentState.NO_SHOW: N_("Missed"),
    AppointmentState.CANCELLED: N_("Cancelled"),
}

#: A service's level as the supervisor reads it (with the colour, never instead of it).
SERVICE_LEVEL_LABELS: dict[ServiceLevel, str] = {
    ServiceLevel.GREEN: N_("within target"),
    ServiceLevel.AMBER: N_("close to target"),
    ServiceLevel.RED: N_("past target"),
}

#: The board's alerts as the supervisor reads them.
ALERT_KIND_LABELS: dict[AlertKind, str] = {
    AlertKind.SERVICE_PAST_TARGET: N_("Longest wait past the target"),
    AlertKind.DESK_IDLE: N_("Desk open without a ticket while people wait"),
    AlertKind.PRINTER_FAULT: N_("Kiosk printer fault"),
    AlertKind.WRONG_SCANS: N_("Repeated wrong pickup scans"),
}

#: Why a desk cancelled a waiting ticket, as staff read it.
CANCEL_WHY_LABELS: dict[CancelWhy, str] = {
    CancelWhy.LEFT: N_("The citizen has left"),
    CancelWhy.CAME_TWICE: N_("Holds another ticket"),
    CancelWhy.WRONG_SERVICE: N_("Wrong service drawn"),
    CancelWhy.OTHER: N_("Another reason"),
}

#: Why issuing was stopped, as staff read it.
STOP_REASON_LABELS: dict[StopReason, str] = {
    StopReason.CONTINGENT: N_("Today's contingent is used up"),
    StopReason.STAFF: N_("Not enough staff"),
    StopReason.CLOSING: N_("Closing soon"),
}

#: Why the holder has no receipt, as the pickup staff choose it.
MISSING_RECEIPT_LABELS: dict[MissingReceipt, str] = {
    MissingReceipt.LOST: N_("Receipt lost"),
    MissingReceipt.DAMAGED: N_("Receipt damaged, code unreadable"),
    MissingReceipt.STOLEN: N_("Receipt stolen (with the bag or wallet)"),
    MissingReceipt.NEVER_RECEIVED: N_("Receipt never received"),
}

#: A pickup's status as the pickup staff read it, with what to do about it.
PICKUP_STATUS_LABELS: dict[PickupStatus, str] = {
    PickupStatus.ORDERED: N_("Ordered, not arrived yet"),
    PickupStatus.READY: N_("Ready: hand over after the ID check"),
    PickupStatus.HANDED_OVER: N_("Already handed over"),
    PickupStatus.CANCELLED: N_("Cancelled: do not hand out"),
    PickupStatus.EXPIRED: N_("Expired: do not hand out"),
}
