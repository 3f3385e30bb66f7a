"""Why a waiting ticket stands where it stands in the desk's queue, in the clerk's words:
Qt-free, so it tests without a screen.

The server orders the queue (``central_server/queue_rules.py``: due appointments, then walk-ins,
urgent first, then appointments not yet due; after a run of appointments one walk-in who waited
past the service's target). The desk does not order anything again; it only words, per ticket,
what put it in its place:

* an appointment: its time, ``Termin 10:15`` (the order among appointments and against the
  walk-ins follows from it);
* a walk-in: how long they have waited, ``wartet seit 25 Min.``, ``Dringend · ...`` before it
  for an urgent one, and ``über Ziel (20 Min.)`` once they waited past the service's target
  (which is what lets one of them go before a run of appointments);
* a walk-in who came too late for their appointment: that too, ``Termin 10:15 verpasst``;
* a ticket a kiosk printed offline: ``offline gezogen`` (its number is from the high range,
  its place that of its real time of issue).

``tr`` is the staff catalogue's gettext of the window's language (``resources.i18n``); times are
shown in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from counter_app.core.answers import Ticket
from resources.i18n import N_
from resources.vocabulary import LANGUAGE_LABELS, Priority

Tr = Callable[[str], str]


def waited_minutes(ticket: Ticket, now: datetime) -> int:
    """Whole minutes since the ticket was queued (never negative)."""
    return max(0, int((now - ticket.queued_at).total_seconds() // 60))


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """``10:15`` in the site's time zone."""
    return moment.astimezone(zone).strftime("%H:%M")


def appointment_text(ticket: Ticket, zone: tzinfo, tr: Tr) -> str:
    """``Termin 10:15`` for a ticket with an appointment time; empty otherwise."""
    if ticket.appointment_at is None:
        return ""
    return tr(N_("Appointment {time}")).format(time=clock_time(ticket.appointment_at, zone))


def queue_reason(
    ticket: Ticket, now: datetime, zone: tzinfo, target_minutes: int | None, tr: Tr
) -> str:
    """Why ``ticket`` stands where it stands in the desk's queue (see the module's docstring).

    ``target_minutes``: the target wait of the ticket's service (None: unknown)."""
    if ticket.priority == Priority.APPOINTMENT and ticket.appointment_at is not None:
        return appointment_text(ticket, zone, tr)
    waited = waited_minutes(ticket, now)
    parts = [tr(N_("waiting {minutes} min")).format(minutes=waited)]
    if ticket.priority == Priority.URGENT:
        parts.insert(0, tr(N_("Urgent")))
    elif ticket.priority == Priority.APPOINTMENT:  # an appointment ticket without a time
        parts.insert(0, tr(N_("Appointment")))
    if target_minutes is not None and waited > target_minutes:
        parts.append(tr(N_("over target ({minutes} min)")).format(minutes=target_minutes))
    if ticket.issued_offline:
        parts.append(tr(N_("issued offline")))
    if ticket.appointment_late and ticket.appointment_at is not None:
        parts.append(
            tr(N_("missed appointment {time}")).format(time=clock_time(ticket.appointment_at, zone))
        )
    return " · ".join(parts)


def language_name(code: str, tr: Tr) -> str:
    """The citizen's language as the clerk reads it (``Türkisch``); an unknown code as is."""
    label = LANGUAGE_LABELS.get(code)
    return tr(label) if label else code
