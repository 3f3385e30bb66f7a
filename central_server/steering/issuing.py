"""Whether a service issues tickets today: plain rules, no I/O.

A service issues a ticket unless, on the site's local day,

* a supervisor stopped it (``Service.issuing_stopped_on`` is that day: the stop holds for the
  day it was made and ends by itself at midnight), or
* its daily contingent is used up (``Service.daily_limit`` tickets issued under its letter that
  day, ``TicketCounter.issued``, which counts tickets drawn online and those uploaded from
  offline).

Both refusals tell the citizen the same thing, in their language, naming the service: "No more
tickets for {service} today." (:data:`NO_MORE_TODAY`). Opening hours and switched-off services
are the queue's other refusals (``central_server.tickets.service``). Tickets a kiosk issued
offline are accepted when uploaded even past a stop or the contingent: the citizen holds the
printed ticket, and the kiosk's lease bounds how many there can be.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from central_server.errors import Conflict
from resources.i18n import CITIZEN_LANGUAGES, DEFAULT_LANGUAGE, N_citizen, citizen_gettext

#: What the kiosk shows on a service that issues no more tickets today, and what a refused
#: ticket request answers, in the citizen's language.
NO_MORE_TODAY = N_citizen(
    "citizen", "No more tickets for {service} today. Please come again on another day."
)

#: Why a service issues no ticket now (the error codes of ``POST tickets``).
STOPPED = "service_stopped"
LIMIT_REACHED = "service_limit_reached"


class Steered(Protocol):
    """What the rules read of a service (``Service`` or the kept ``ServiceInfo``)."""

    @property
    def names(self) -> Mapping[str, str]: ...
    @property
    def key(self) -> str: ...
    @property
    def daily_limit(self) -> int | None: ...
    @property
    def issuing_stopped_on(self) -> date | None: ...


def left_today(service: Steered, issued: int) -> int | None:
    """Tickets left of the day's contingent after ``issued`` (None: no contingent)."""
    if service.daily_limit is None:
        return None
    return max(0, service.daily_limit - issued)


def why_not_issuing(service: Steered, day: date, issued: int) -> str | None:
    """:data:`STOPPED`, :data:`LIMIT_REACHED`, or None when the service issues on ``day``
    with ``issued`` tickets given under its letter so far."""
    if service.issuing_stopped_on == day:
        return STOPPED
    if left_today(service, issued) == 0:
        return LIMIT_REACHED
    return None


def name_in(service: Steered, language: str) -> str:
    names = service.names
    return names.get(language) or names.get(DEFAULT_LANGUAGE) or service.key


def message(service: Steered, language: str) -> str:
    """:data:`NO_MORE_TODAY` in ``language`` with the service's name in it."""
    return citizen_gettext(language)(NO_MORE_TODAY).format(service=name_in(service, language))


def messages(service: Steered) -> dict[str, str]:
    """:func:`message` in every citizen language."""
    return {language: message(service, language) for language in CITIZEN_LANGUAGES}


def refusal(service: Steered, why: str, language: str) -> Conflict:
    """The 409 for a ticket of ``service`` refused for ``why``, in the citizen's language."""
    error = Conflict(why, NO_MORE_TODAY, service=name_in(service, language))
    error.for_citizen(language)
    return error
