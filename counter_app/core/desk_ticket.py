"""A wait ticket issued at a desk (an urgent one, for a citizen who cannot wait): what its slip
says, in the citizen's language. Qt-free; ``counter_app.qt.paper`` draws it.

It says what the kiosk's ticket says (the same catalogue texts: the number large, the service,
the status page's QR code with its code in text), so the citizen holds an ordinary ticket. The
kiosk keeps its own layout (``kiosk.ticket``), which the desk may not import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, format_time

from counter_app.core.paper import Line, Size, Slip, in_groups
from resources.i18n import RIGHT_TO_LEFT, N_citizen, citizen_gettext


@dataclass(frozen=True)
class DeskTicket:
    number: str
    service_name: str  # in the citizen's language
    service_name_de: str
    issued_at: datetime  # aware, in the site's time zone
    language: str
    status_token: str
    status_url: str  # the status page: where the QR code leads


def desk_ticket_slip(ticket: DeskTicket, site_name: str) -> Slip:
    _ = citizen_gettext(ticket.language)
    rtl = ticket.language in RIGHT_TO_LEFT
    locale = "de_DE" if ticket.language == "de" else ticket.language
    issued = (
        f"{format_date(ticket.issued_at, 'medium', locale=locale)}  "
        f"{format_time(ticket.issued_at, 'short', locale=locale)}"
    )
    top = [
        Line(site_name, Size.NORMAL, bold=True),
        Line(ticket.service_name, Size.LARGE, bold=True, right_to_left=rtl),
    ]
    if ticket.language != "de" and ticket.service_name_de != ticket.service_name:
        top.append(Line(ticket.service_name_de, Size.SMALL))
    top += [
        Line(_(N_citizen("citizen", "Your number")), Size.NORMAL, right_to_left=rtl),
        Line(ticket.number, Size.HUGE, bold=True),
        Line(issued, Size.SMALL, right_to_left=rtl),
    ]
    bottom = [
        Line(
            _(N_citizen("citizen", "Scan to see your place in the queue")), Size.SMALL, False, rtl
        ),
        Line(f"{ticket.number}  ·  {in_groups(ticket.status_token)}", Size.SMALL, bold=True),
        Line(
            _(N_citizen("citizen", "Please wait until your number is shown on the screen.")),
            Size.NORMAL,
            right_to_left=rtl,
        ),
    ]
    return Slip(top, ticket.status_url, bottom)
