"""Draw a wait ticket: its lines (``kiosk.ticket``) around the QR code of its status link."""

from __future__ import annotations

from PySide6.QtGui import QImage

from counter_app.core.paper import Slip
from counter_app.qt.paper import load_fonts, to_bitmap
from counter_app.qt.paper import render as render_slip
from kiosk.ticket import IssuedTicket, ticket_lines

__all__ = ["load_fonts", "render_ticket", "to_bitmap"]


def render_ticket(ticket: IssuedTicket, site_name: str, width: int = 576) -> QImage:
    """The ticket as a greyscale image ``width`` dots wide, as tall as its content."""
    top, bottom = ticket_lines(ticket, site_name)
    return render_slip(Slip(top, ticket.status_url, bottom), width)
