"""What a printed wait ticket says, in the citizen's language: Qt-free, so it tests on its own.

``ticket_lines`` turns an :class:`IssuedTicket` into the lines of the ticket, top to bottom;
``kiosk.ticket_layout`` draws them. The number and the status code are always printed as text
too, so a QR code that does not scan still leaves the citizen something usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, format_time

from counter_app.core.paper import Line, Size, in_groups
from resources.i18n import RIGHT_TO_LEFT, N_citizen, citizen_gettext


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket as the kiosk gives it to the citizen: from the server, or issued offline."""

    number: str
    service_id: int
    service_prefix: str
    service_name: str  # in the citizen's language
    service_name_de: str
    issued_at: datetime  # aware, in the site's time zone
    language: str
    status_token: str
    status_url: str
    position: int | None = None  # 1 = next; None when not known (offline)
    estimated_wait_minutes: int | None = None
    offline: bool = False
    #: A checked-in appointment's time, in the site's time zone; None on walk-in tickets.
    appointment_at: datetime | None = None
    #: A walk-in ticket given because the appointment's check-in time had passed.
    appointment_late: bool = False

    @property
    def people_ahead(self) -> int | None:
        return None if self.position is None else max(self.position - 1, 0)


def status_code(token: str) -> str:
    """The status token in groups of four, easy to read out or type."""
    return in_groups(token)


def ticket_lines(ticket: IssuedTicket, site_name: str) -> tuple[list[Line], list[Line]]:
    """The lines above the QR code and the lines below it."""
    _ = citizen_gettext(ticket.language)
    rtl = ticket.language in RIGHT_TO_LEFT
    top = [
        Line(site_name, Size.NORMAL, bold=True),
        Line(ticket.service_name, Size.LARGE, bold=True, right_to_left=rtl),
    ]
    if ticket.language != "de" and ticket.service_name_de != ticket.service_name:
        top.append(Line(ticket.service_name_de, Size.SMALL))
    top += [
        Line(_(N_citizen("citizen", "Your number")), Size.NORMAL, right_to_left=rtl),
        Line(ticket.number, Size.HUGE, bold=True),
        Line(issued_text(ticket), Size.SMALL, right_to_left=rtl),
    ]
    # The appointment's time large (the citizen compares it with the confirmation); the
    # sentence of a late walk-in ticket in the normal size.
    size = Size.NORMAL if ticket.appointment_late else Size.LARGE
    top += [Line(text, size, bold=True, right_to_left=rtl) for text in appointment_texts(ticket)]
    top += [Line(text, Size.NORMAL, right_to_left=rtl) for text in wait_texts(ticket)]
    bottom = [
        Line(
            _(N_citizen("citizen", "Scan to see your place in the queue")), Size.SMALL, False, rtl
        ),
        Line(f"{ticket.number}  ·  {status_code(ticket.status_token)}", Size.SMALL, bold=True),
        Line(
            _(N_citizen("citizen", "Please wait until your number is shown on the screen.")),
            Size.NORMAL,
            right_to_left=rtl,
        ),
    ]
    return top, bottom


def issued_text(ticket: IssuedTicket) -> str:
    locale = "de_DE" if ticket.language == "de" else ticket.language
    when = ticket.issued_at
    day = format_date(when, "medium", locale=locale)
    return f"{day}  {format_time(when, 'short', locale=locale)}"


def appointment_texts(ticket: IssuedTicket) -> list[str]:
    """The appointment's time ("Termin 10:15"), or that this is a walk-in ticket because it
    had passed; nothing on other tickets."""
    _ = citizen_gettext(ticket.language)
    if ticket.appointment_late:
        return [
            _(
                N_citizen(
                    "citizen",
                    "Walk-in ticket: the time to check in for your appointment had passed.",
                )
            )
        ]
    if ticket.appointment_at is None:
        return []
    locale = "de_DE" if ticket.language == "de" else ticket.language
    time = format_time(ticket.appointment_at, "short", locale=locale)
    return [_(N_citizen("citizen", "Appointment {time}")).format(time=time)]


def wait_texts(ticket: IssuedTicket) -> list[str]:
    """People ahead and the estimated wait, or why they are not known."""
    _ = citizen_gettext(ticket.language)
    if ticket.offline or ticket.people_ahead is None:
        return [_(N_citizen("citizen", "Issued offline: the wait time is not known yet."))]
    if ticket.people_ahead == 0:
        return [_(N_citizen("citizen", "You are next."))]
    texts = [
        _(N_citizen("citizen", "People ahead of you: {count}")).format(count=ticket.people_ahead)
    ]
    if ticket.estimated_wait_minutes:
        texts.append(
            _(N_citizen("citizen", "Estimated wait: about {minutes} min")).format(
                minutes=ticket.estimated_wait_minutes
            )
        )
    return texts
