"""The rules of the waiting-room pages: who may open a display, what a display and a status
page show, and how a status token is looked up.

A display is opened with its site's display device token only (not a user's sign-in); it
sees ticket numbers, desk names and counts. A status page is opened with a ticket's
``status_token`` (128 random bits) and sees its own ticket and counts, nothing about other
citizens. Lookups of unknown tokens are counted per client address (:class:`LookupGuard`).

Once the visit is done the status page asks "How was your visit?" (:func:`give_feedback`): one
of five faces (``resources.vocabulary.FeedbackScore``), once per ticket, on the ticket's day
(while its token opens the page). Only a visit that took place is asked (:data:`RATED`: done);
a no-show did not come, and a cancelled ticket was not served. The answer is a row of
``ticket_feedback`` (ticket, site, service, day, score, when) and the event
``ticket.feedback_given``, which names the ticket but not the score: the site's event stream
reaches every desk, and a score beside its ticket would rate the clerk who served it, which
per-clerk figures may only do where the staff council agreed (``staff_statistics``). The
display shows nothing of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server.auth import service as auth_service
from central_server.auth.principal import Principal, Role
from central_server.db import Database
from central_server.errors import N_, Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Site, Ticket, TicketFeedback
from central_server.models._types import utcnow
from central_server.queue_rules import FINAL, QUEUED, Status
from central_server.ratelimits import FailureCounter, key
from central_server.sites import repository as sites_repo
from central_server.web import repository, texts
from central_server.web.board import (
    FRESH_SECONDS,
    KEEP_SECONDS,
    Board,
    BoardCache,
    calls_to_show,
)
from central_server.writes import Answer, perform
from resources.i18n import RIGHT_TO_LEFT, citizen_gettext
from resources.vocabulary import FeedbackScore

#: The language the display speaks and shows first, and the one it shows under it.
DISPLAY_LANGUAGE = "de"
DISPLAY_SECOND_LANGUAGE = "en"
#: What a status token looks like (kiosks make 22 characters; uploads may have up to 64).
STATUS_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
#: What a site's slug may look like in a page's address (anything else names no site).
SLUG = re.compile(r"[A-Za-z0-9_.-]{1,64}")
#: The statuses whose citizen is asked "How was your visit?" (see the module's docstring).
RATED = frozenset({Status.DONE})
#: A status page's ``feedback``: the question is open, or answered (None: not asked).
FEEDBACK_ASK = "ask"
FEEDBACK_GIVEN = "given"
#: The event of an answer, and who it names as the actor (never more than that).
FEEDBACK_EVENT = "ticket.feedback_given"
FEEDBACK_ACTOR = "citizen"


# The display ---------------------------------------------------------------------------------


def sites(db: Database) -> list[tuple[str, str]]:
    """Every site's (slug, name), for the server's start page."""
    with db.read_session() as session:
        return [(site.slug, site.name) for site in repository.sites(session)]


def site_by_slug(db: Database, slug: str) -> Site | None:
    if not SLUG.fullmatch(slug):
        return None
    with db.read_session() as session:
        try:
            return sites_repo.site_by_slug(session, slug)
        except NotFound:
            return None


def display_principal(db: Database, token: str | None, site_id: int) -> Principal:
    """The display device of ``site_id`` that ``token`` belongs to; refuses anything else
    (no token, a wrong or revoked one, a user's sign-in, another kind of device or site)."""
    if not token:
        raise Unauthorized("not_signed_in", N_("Please sign in first."))
    principal = auth_service.principal_for_token(db, token)
    if principal.kind != "device" or Role.DISPLAY not in principal.roles:
        raise Forbidden("forbidden_role", N_("Your role does not allow this."))
    if not principal.works_at(site_id):
        raise Forbidden("forbidden_site", N_("You are not signed up for this site."))
    return principal


def is_display(db: Database, token: str | None, site_id: int) -> bool:
    try:
        display_principal(db, token, site_id)
    except (Unauthorized, Forbidden):
        return False
    return True


def spoken_number(prefix: str, number: str) -> str:
    """How the number is said: "A 42" for A042 (a voice reads "A zweiundvierzig")."""
    digits = number[len(prefix) :]
    return f"{prefix} {int(digits)}" if digits.isdecimal() else number


def display_payload(board: Board, now: datetime) -> dict[str, Any]:
    """What a display receives: calls (newest first), people waiting per service, the time.

    Nothing else leaves for the display: no actor, no names, no notes."""
    say = citizen_gettext(DISPLAY_LANGUAGE)
    return {
        "seq": board.seq,
        "now": now.isoformat(),
        "calls": [
            {
                "seq": call.seq,
                "number": call.number,
                "desk": call.desk,
                "at": call.at.isoformat(),
                "status": call.status.value,
                "speech": say(texts.SPOKEN_CALL).format(
                    number=spoken_number(call.prefix, call.number), desk=call.desk
                ),
            }
            for call in calls_to_show(board.calls, now)
        ],
        "waiting": [
            {
                "prefix": w.prefix,
                "name": w.names.get(DISPLAY_LANGUAGE, ""),
                "name_second": w.names.get(DISPLAY_SECOND_LANGUAGE, ""),
                "count": w.count,
            }
            for w in board.waiting
        ],
    }


def display_config(slug: str, site: Site, speak: bool) -> dict[str, Any]:
    """What the display's script needs besides the live state."""
    return {
        "site": slug,
        "timezone": site.timezone,
        "locale": "de-DE",
        "speak": speak,
        "speech_lang": "de-DE",
        "fresh_seconds": FRESH_SECONDS,
        "keep_seconds": KEEP_SECONDS,
        "chime_url": "/web/chime.wav",
    }


# The status page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRef:
    """The ticket a status token opens."""

    id: int
    site_id: int
    site_name: str
    timezone: str
    day: date
    number: str
    language: str
    #: The booked time of the appointment the ticket was drawn for (None: a walk-in's).
    appointment_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        """A status page is valid on the ticket's day (the site's local day)."""
        return now.astimezone(ZoneInfo(self.timezone)).date() == self.day


def lookup(db: Database, token: str, now: datetime | None = None) -> TicketRef | None:
    """The ticket of ``token``; None when there is none or its day is over."""
    if not STATUS_TOKEN.fullmatch(token):
        return None
    with db.read_session() as session:
        ticket = repository.ticket_by_status_token(session, token)
        if ticket is None:
            return None
        site = session.get_one(Site, ticket.site_id)
        ref = TicketRef(
            id=ticket.id,
            site_id=site.id,
            site_name=site.name,
            timezone=site.timezone,
            day=ticket.day,
            number=ticket.display_number,
            language=ticket.language,
            appointment_at=ticket.appointment_at,
        )
    return ref if ref.valid_at(now or utcnow()) else None


class LookupGuard:
    """Unknown status tokens per client address, in a window of a minute.

    Past the limit every lookup from that address is refused (429) until the window has moved
    on. 128 random bits make guessing hopeless anyway; this keeps anyone from trying at scale.
    The counts are in the database (:mod:`central_server.ratelimits`), shared by every server
    process; a lookup reads them once, only an unknown token writes.
    """

    def __init__(self, counter: FailureCounter, failures_per_minute: int = 20) -> None:
        self._counter = counter
        self.limit = failures_per_minute

    def allowed(self, client: str) -> bool:
        lookups = _lookup_key(client)
        return self._counter.failures(lookups)[lookups] < self.limit

    def failed(self, client: str) -> None:
        self._counter.add(_lookup_key(client))


def _lookup_key(client: str) -> str:
    return key("status-lookup", client)


@dataclass(frozen=True)
class TicketStatus:
    status: Status
    service_id: int
    position: int | None = None
    minutes: int | None = None
    desk: str | None = None
    recalls: int = 0
    #: :data:`FEEDBACK_ASK` or :data:`FEEDBACK_GIVEN` for a rated status, else None.
    feedback: str | None = None


def ticket_status(db: Database, board: Board, ref: TicketRef) -> TicketStatus:
    """The ticket's status from the board, or (finished tickets) from the database."""
    open_ticket = board.tickets.get(ref.id)
    if open_ticket is not None:
        return TicketStatus(
            status=open_ticket.status,
            service_id=open_ticket.service_id,
            position=open_ticket.position,
            minutes=open_ticket.minutes,
            desk=open_ticket.desk,
            recalls=open_ticket.recalls,
        )
    with db.read_session() as session:
        ticket = session.get_one(Ticket, ref.id)
        status = Status(ticket.status)
        feedback = None
        if status in RATED:
            given = repository.feedback_given(session, ref.id)
            feedback = FEEDBACK_GIVEN if given else FEEDBACK_ASK
        return TicketStatus(status=status, service_id=ticket.service_id, feedback=feedback)


def status_view(ref: TicketRef, status: TicketStatus, service_name: str) -> dict[str, Any]:
    """What the status page shows, in the ticket's language: the page's title, a headline,
    a few lines and ``alert``, which changes whenever the citizen is called (again)."""
    say = citizen_gettext(ref.language)
    lines: list[str] = []
    title = f"{ref.number} – {ref.site_name}"
    alert = None
    desk = status.desk or ""
    if ref.language in RIGHT_TO_LEFT and desk:
        desk = f"\u2068{desk}\u2069"  # a left-to-right name, isolated in right-to-left text
    if status.status in QUEUED:
        ahead = status.position - 1 if status.position is not None else None
        if status.status == Status.TRANSFERRED:
            headline = say(texts.FORWARDED)
        elif ahead == 0:
            headline = say(texts.YOU_ARE_NEXT)
        else:
            headline = say(texts.PLEASE_WAIT)
        if ahead is not None:
            lines.append(say(texts.PEOPLE_AHEAD).format(count=ahead))
            if ahead > 0 and status.minutes is not None:
                lines.append(say(texts.ESTIMATED_WAIT).format(minutes=max(1, status.minutes)))
    elif status.status == Status.CALLED:
        headline = say(texts.GO_NOW).format(desk=desk)
        title = f"▶ {ref.number} → {status.desk or ''}"
        alert = f"called-{status.recalls}"
    elif status.status == Status.SERVING:
        headline = say(texts.BEING_SERVED).format(desk=desk)
        title = f"{ref.number} → {status.desk or ''}"
    elif status.status == Status.PARKED:
        headline = say(texts.PAUSED).format(desk=desk)
    elif status.status == Status.DONE:
        headline = say(texts.DONE)
        title = f"✓ {ref.number} – {ref.site_name}"
    elif status.status == Status.NO_SHOW:
        headline = say(texts.NO_SHOW)
    else:
        headline = say(texts.CANCELLED)
    final = status.status in FINAL
    if ref.appointment_at is not None and not final:
        booked = ref.appointment_at.astimezone(ZoneInfo(ref.timezone))
        lines.insert(0, say(texts.APPOINTMENT_AT).format(time=booked.strftime("%H:%M")))
    return {
        "state": status.status.value,
        "number": ref.number,
        "service": service_name,
        "headline": headline,
        "lines": lines,
        "note": "" if final else say(texts.UPDATES_ITSELF),
        "title": title,
        "alert": alert,
        "final": final,
        "feedback": status.feedback,
    }


def current_view(
    db: Database, boards: BoardCache, ref: TicketRef, seq: int | None = None
) -> dict[str, Any] | None:
    """The status page's view now; None once the ticket's day is over. ``seq``: the site's
    newest event, if known (see :meth:`BoardCache.current`)."""
    board = boards.current(db, ref.site_id, seq)
    if not ref.valid_at(board.read_at):
        return None
    status = ticket_status(db, board, ref)
    names = board.service_names.get(status.service_id, {})
    service_name = names.get(ref.language) or names.get(DISPLAY_LANGUAGE, "")
    return status_view(ref, status, service_name)


# Feedback ------------------------------------------------------------------------------------


def feedback_score(value: object) -> FeedbackScore:
    """The score a request names: a whole number 1 to 5 (not a text, a fraction or true);
    anything else is refused (422 ``invalid_score``)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return FeedbackScore(value)
    raise InvalidInput("invalid_score", texts.FEEDBACK_BAD_SCORE, field="score")


def give_feedback(db: Database, bus: EventBus, ref: TicketRef, score: FeedbackScore) -> Answer:
    """Keep the citizen's answer to "How was your visit?" (201), once per ticket.

    Refused, changing nothing (409): a visit not done yet (``visit_not_done``), a ticket whose
    citizen was not served (``no_visit_to_rate``: no-show, cancelled), an answer already given
    (``feedback_already_given``). The messages are citizen messages (the ticket's language).
    The site's lock (``writes.perform``) serialises two taps at once: one counts."""

    def change(session: Session, site: Site) -> Answer:
        ticket = repository.ticket_for_feedback(session, ref.id)
        if ticket is None:
            raise NotFound("not_found", N_("There is nothing here."))
        status = Status(ticket.status)
        if status not in RATED:
            if status in FINAL:
                raise Conflict("no_visit_to_rate", texts.FEEDBACK_NO_VISIT)
            raise Conflict("visit_not_done", texts.FEEDBACK_NOT_DONE)
        if repository.feedback_given(session, ref.id):
            raise Conflict("feedback_already_given", texts.FEEDBACK_ALREADY_GIVEN)
        session.add(
            TicketFeedback(
                ticket_id=ref.id,
                site_id=site.id,
                service_id=ticket.service_id,
                day=ticket.day,
                score=int(score),
            )
        )
        event_log.append(session, site, FEEDBACK_EVENT, actor=FEEDBACK_ACTOR, ticket_id=ref.id)
        return 201, {"feedback": FEEDBACK_GIVEN}

    return perform(db, bus, ref.site_id, None, None, change)


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
