"""What the supervisor's window shows of a site's board, as rows: Qt-free, so it tests without a
screen.

The server computes every figure (``GET /sites/{site}/board``); this module only words them. A
row is built from one board and nothing else: no clock of this computer enters it (how long a
ticket has been at a desk is the board's ``read_at`` minus the ticket's ``since``, both the
server's times), so what the window shows is what the server said at one moment.

``tr`` is the staff catalogue's gettext of the window's language (``resources.i18n``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from counter_app.core.answers import Board, BoardAlert, BoardService, Ticket
from resources.i18n import N_
from resources.vocabulary import (
    ALERT_KIND_LABELS,
    SERVICE_LEVEL_LABELS,
    STOP_REASON_LABELS,
    AlertKind,
    PrinterState,
    ServiceLevel,
    StopReason,
)

Tr = Callable[[str], str]

#: A desk's state as the supervisor reads it (the board says ``paused`` for a break).
DESK_STATE_LABELS: dict[str, str] = {
    "open": N_("open"),
    "paused": N_("on a break"),
    "closed": N_("closed"),
}

#: The colour of a level (the level's words are always shown beside it).
LEVEL_COLOURS: dict[str, str] = {
    ServiceLevel.GREEN: "#2e7d32",
    ServiceLevel.AMBER: "#b26a00",
    ServiceLevel.RED: "#c62828",
}
#: The light background of a level's cell (dark text stays readable on it).
LEVEL_BACKGROUNDS: dict[str, str] = {
    ServiceLevel.GREEN: "#e3f2e5",
    ServiceLevel.AMBER: "#fff0d2",
    ServiceLevel.RED: "#fde0de",
}

#: A kiosk printer's state as the alerts name it (the clerk's banner says the same words).
PRINTER_PROBLEMS: dict[str, str] = {
    PrinterState.PAPER_OUT: N_("printer out of paper"),
    PrinterState.COVER_OPEN: N_("printer cover open"),
    PrinterState.OFFLINE: N_("printer not answering"),
    PrinterState.ERROR: N_("printer fault"),
}

DESK_COLUMNS = (N_("Desk"), N_("State"), N_("Who"), N_("Ticket"), N_("For"), N_("Calls"))
SERVICE_COLUMNS = (
    N_("Service"),
    N_("People waiting"),
    N_("Longest wait"),
    N_("Level"),
    N_("Walk-in waits"),
    N_("Served today"),
    N_("No-shows today"),
    N_("Left today"),
    N_("Issuing"),
)


def minutes(count: int | None, tr: Tr) -> str:
    return "–" if count is None else tr(N_("{minutes} min")).format(minutes=count)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (never negative)."""
    return max(0, int((end - start).total_seconds() // 60))


@dataclass(frozen=True)
class DeskRow:
    code: str
    cells: tuple[str, ...]
    state: str
    #: The services the desk calls, in its order.
    services: tuple[int, ...]


@dataclass(frozen=True)
class ServiceRow:
    id: int
    prefix: str
    cells: tuple[str, ...]
    level: str
    issuing: bool
    stopped: bool
    waiting: int


@dataclass(frozen=True)
class AlertRow:
    #: The site's local time, "HH:MM".
    time: str
    text: str
    kind: str


def service_label(service: BoardService, language: str) -> str:
    """``A · Registration of address``."""
    return f"{service.prefix} · {service.name_in(language)}"


def desk_rows(board: Board, tr: Tr, language: str) -> list[DeskRow]:
    prefixes = {s.id: s.prefix for s in board.services}
    rows = []
    for desk in board.desks:
        ticket, since = "", ""
        if desk.ticket is not None:
            ticket = desk.ticket.number
            if desk.ticket.status == "serving":
                ticket = tr(N_("{number} (serving)")).format(number=desk.ticket.number)
            else:
                ticket = tr(N_("{number} (called)")).format(number=desk.ticket.number)
            since = minutes(minutes_between(desk.ticket.since, board.read_at), tr)
        elif desk.state == "open" and desk.idle_since is not None:
            since = tr(N_("idle {minutes} min")).format(
                minutes=minutes_between(desk.idle_since, board.read_at)
            )
        calls = ", ".join(prefixes.get(s, "?") for s in desk.services) or tr(
            N_("only what is forwarded to it")
        )
        state = tr(DESK_STATE_LABELS.get(desk.state, desk.state))
        rows.append(
            DeskRow(
                desk.code,
                (desk.name, state, desk.user or "–", ticket or "–", since or "–", calls),
                desk.state,
                desk.services,
            )
        )
    return rows


def level_label(level: str, tr: Tr) -> str:
    try:
        return tr(SERVICE_LEVEL_LABELS[ServiceLevel(level)])
    except ValueError:
        return level


def stop_reason_label(reason: str | None, tr: Tr) -> str:
    try:
        return tr(STOP_REASON_LABELS[StopReason(reason or "")])
    except ValueError:
        return ""


def issuing_label(service: BoardService, tr: Tr) -> str:
    if service.issuing:
        return tr(N_("issuing"))
    if service.stopped:
        reason = stop_reason_label(service.stop_reason, tr)
        if reason:
            return tr(N_("stopped: {reason}")).format(reason=reason)
        return tr(N_("stopped today"))
    if service.daily_limit is not None and service.left_today == 0:
        return tr(N_("contingent used up"))
    return tr(N_("not issuing"))


def service_rows(board: Board, tr: Tr, language: str) -> list[ServiceRow]:
    rows = []
    for service in board.services:
        if not service.active:
            continue
        longest = (
            tr(N_("{minutes} of {target} min")).format(
                minutes=service.longest_wait_minutes, target=service.target_wait_minutes
            )
            if service.longest_wait_minutes is not None
            else tr(N_("nobody (target {target} min)")).format(target=service.target_wait_minutes)
        )
        left = (
            tr(N_("{left} of {limit}")).format(left=service.left_today, limit=service.daily_limit)
            if service.daily_limit is not None
            else tr(N_("no limit"))
        )
        rows.append(
            ServiceRow(
                service.id,
                service.prefix,
                (
                    service_label(service, language),
                    str(service.waiting),
                    longest,
                    level_label(service.level, tr),
                    minutes(service.estimated_wait_minutes, tr),
                    str(service.served_today),
                    str(service.no_show_today),
                    left,
                    issuing_label(service, tr),
                ),
                service.level,
                service.issuing,
                service.stopped,
                service.waiting,
            )
        )
    return rows


def alert_text(alert: BoardAlert, board: Board, tr: Tr, language: str) -> str:
    """What the alert says, naming its service, desk or device."""
    try:
        kind = tr(ALERT_KIND_LABELS[AlertKind(alert.kind)])
    except ValueError:
        kind = alert.kind
    subject = ""
    if alert.service_id is not None:
        service = next((s for s in board.services if s.id == alert.service_id), None)
        subject = service_label(service, language) if service is not None else ""
    elif alert.desk is not None:
        desk = next((d for d in board.desks if d.code == alert.desk), None)
        subject = desk.name if desk is not None else alert.desk
    elif alert.device is not None:
        subject = alert.device
        if alert.kind == AlertKind.PRINTER_FAULT and alert.detail:
            subject = f"{subject}, {tr(PRINTER_PROBLEMS.get(alert.detail, alert.detail))}"
        elif alert.kind == AlertKind.WRONG_SCANS and alert.detail:
            subject = tr(N_("{count} unknown receipts within a minute at {device}")).format(
                count=alert.detail, device=alert.device
            )
    return f"{kind}: {subject}" if subject else kind


def alert_rows(board: Board, tr: Tr, language: str, zone: tzinfo) -> list[AlertRow]:
    return [
        AlertRow(
            alert.at.astimezone(zone).strftime("%H:%M"),
            alert_text(alert, board, tr, language),
            alert.kind,
        )
        for alert in board.alerts
    ]


def site_zone(name: str) -> tzinfo:
    """The site's time zone (``Site.timezone``); Berlin when it cannot be found."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("Europe/Berlin")


def waiting_label(ticket: Ticket, prefixes: dict[int, str], tr: Tr) -> str:
    """A waiting ticket as the steering dialogs list it: ``A003 · A · 12 min``."""
    waited = ""
    if ticket.estimated_wait_minutes is not None:
        waited = " · " + tr(N_("about {minutes} min more")).format(
            minutes=ticket.estimated_wait_minutes
        )
    service = prefixes.get(ticket.service_id, ticket.service_prefix)
    return f"{ticket.number} · {service}{waited}"
