"""The supervisor's statistics: the server's figures as tables, and those tables as a file.

Qt-free. The window reads a period's figures (``GET /sites/{site}/statistics``) three times,
split by hour of the day, by day and by weekday and hour (:func:`read_report`); every chart of
the window draws one :class:`Table` of this module, and the same tables stand beside the charts
(a screen reader cannot read a chart) and go into the export (:func:`export_xlsx`,
:func:`export_csv`), with the period and the filters written above them. No figure is computed
here: each cell is a number the server answered, only turned (a share 0..1 is shown as a
percentage; a weekday number as its name).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from babel.numbers import format_decimal, format_percent

from counter_app.core.answers import Figures, Statistics
from counter_app.core.api import TresenClient
from resources.i18n import N_
from resources.vocabulary import OUTCOME_LABELS, Outcome

Tr = Callable[[str], str]
#: How a column's numbers read: text, a count, minutes (one decimal), a share 0..1 (percent).
Kind = Literal["text", "count", "minutes", "share"]

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
#: The hours a heat map shows when the period has no arrival at all.
USUAL_HOURS = tuple(range(7, 19))


@dataclass(frozen=True)
class Filters:
    """What the supervisor chose: the period (both days included) and the filters."""

    site: str
    site_name: str
    first: date
    last: date
    #: All sites of this organisation together (``site`` is then the user's own site).
    organisation: str | None = None
    service_id: int | None = None
    #: How the service reads (``A · Registration``); "" for every service.
    service_label: str = ""
    #: The desk's id.
    desk: int | None = None
    desk_label: str = ""

    def problem(self) -> str | None:
        """Why the period cannot be asked for (a message id), or None."""
        if self.first > self.last:
            return N_("The period ends before it begins.")
        if (self.last - self.first).days > 365:
            return N_("A period covers at most 366 days.")
        return None


@dataclass(frozen=True)
class Report:
    """One period's figures, as the server answered them."""

    filters: Filters
    by_hour: Statistics
    by_day: Statistics
    by_weekday_hour: Statistics

    @property
    def totals(self) -> Figures:
        return self.by_day.totals

    @property
    def goal(self) -> float:
        return self.by_day.service_level_goal


def read_report(client: TresenClient, filters: Filters) -> Report:
    """The period's figures (three requests); blocking: run it off the GUI thread."""

    def ask(group: str) -> Statistics:
        if filters.organisation:
            return client.organisation_statistics(
                filters.organisation, filters.first, filters.last, group=group
            )
        return client.statistics(
            filters.site,
            filters.first,
            filters.last,
            group=group,
            service_id=filters.service_id,
            desk=filters.desk,
        )

    by_hour, by_day, by_weekday_hour = ask("hour"), ask("day"), ask("weekday_hour")
    # The site's name as the server answers it.
    named = ", ".join(site.name for site in by_day.sites) or filters.site_name
    if filters.organisation and by_day.organisation is not None:
        named = f"{by_day.organisation.name}: {named}"
    return Report(replace(filters, site_name=named), by_hour, by_day, by_weekday_hour)


@dataclass(frozen=True)
class Table:
    """A titled table; ``rows`` hold the numbers themselves (None where nothing was measured)."""

    title: str
    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: Which columns a chart draws (indexes into ``columns``).
    charted: tuple[int, ...] = field(default=())
    #: A table of one value per row (the totals): each row's kind of value.
    row_kinds: tuple[Kind, ...] = field(default=())

    def kind(self, row: int, column: int) -> Kind:
        if self.row_kinds and column > 0:
            return self.row_kinds[row]
        return self.kinds[column]


def cell_text(value: Any, kind: Kind, language: str) -> str:
    """A cell as a person reads it, in the window's language (``12,5`` in German)."""
    if value is None:
        return "–"
    if kind == "share":
        return str(format_percent(value, format="#,##0.0 %", locale=language))
    if kind == "minutes":
        return str(format_decimal(value, format="#,##0.0", locale=language))
    if kind == "count":
        return str(format_decimal(value, format="#,##0", locale=language))
    return str(value)


def _share(value: float | None) -> float | None:
    return None if value is None else float(value)


def totals_table(report: Report, tr: Tr) -> Table:
    t = report.totals
    rows: list[tuple[str, Any, Kind]] = [
        (tr(N_("Arrivals")), t.arrivals, "count"),
        (tr(N_("Served (finished)")), t.served, "count"),
        (tr(N_("No-shows")), t.no_show, "count"),
        (tr(N_("Cancelled")), t.cancelled, "count"),
        (tr(N_("Transferred")), t.transferred, "count"),
        (tr(N_("Wait, mean (min)")), t.wait_minutes.mean, "minutes"),
        (tr(N_("Wait, median (min)")), t.wait_minutes.p50, "minutes"),
        (tr(N_("Wait, 80 % within (min)")), t.wait_minutes.p80, "minutes"),
        (tr(N_("Wait, 95 % within (min)")), t.wait_minutes.p95, "minutes"),
        (tr(N_("Handling, mean (min)")), t.handling_minutes.mean, "minutes"),
        (tr(N_("Handling, median (min)")), t.handling_minutes.p50, "minutes"),
        (tr(N_("Service level")), _share(t.service_level), "share"),
        (tr(N_("Service level goal")), report.goal, "share"),
        (tr(N_("Estimate off by, median (min)")), t.estimate_error_minutes.p50, "minutes"),
        (tr(N_("Estimate off by, 90 % within (min)")), t.estimate_error_minutes.p90, "minutes"),
        (tr(N_("Walk-ins")), t.kinds.walk_in, "count"),
        (tr(N_("Appointments")), t.kinds.appointment, "count"),
        (tr(N_("Urgent")), t.kinds.urgent, "count"),
        (tr(N_("Issued offline")), t.kinds.offline, "count"),
        (tr(N_("Feedback given")), t.feedback.count, "count"),
        (tr(N_("Feedback, mean (1–5)")), t.feedback.mean, "minutes"),
    ]
    return Table(
        tr(N_("Totals")),
        (tr(N_("Figure")), tr(N_("Value"))),
        ("text", "count"),
        tuple((label, value) for label, value, _kind in rows),
        row_kinds=tuple(kind for _label, _value, kind in rows),
    )


def waits_table(report: Report, tr: Tr) -> Table:
    """Waits per hour of the day (the site's local time)."""
    rows = tuple(
        (
            f"{g.key or ''}:00",
            g.arrivals,
            g.wait_minutes.mean,
            g.wait_minutes.p50,
            g.wait_minutes.p80,
            g.wait_minutes.p95,
        )
        for g in report.by_hour.groups
    )
    return Table(
        tr(N_("Waits per hour of the day")),
        (
            tr(N_("Hour")),
            tr(N_("Arrivals")),
            tr(N_("Mean wait (min)")),
            tr(N_("Median (min)")),
            tr(N_("80 % within (min)")),
            tr(N_("95 % within (min)")),
        ),
        ("text", "count", "minutes", "minutes", "minutes", "minutes"),
        rows,
        charted=(2, 4),
    )


def service_level_table(report: Report, tr: Tr) -> Table:
    """The service level per day against the goal."""
    rows = tuple(
        (g.key or "", g.arrivals, g.served, _share(g.service_level), report.goal)
        for g in report.by_day.groups
    )
    return Table(
        tr(N_("Service level per day")),
        (
            tr(N_("Day")),
            tr(N_("Arrivals")),
            tr(N_("Served")),
            tr(N_("Service level")),
            tr(N_("Goal")),
        ),
        ("text", "count", "count", "share", "share"),
        rows,
        charted=(3, 4),
    )


def heat_hours(report: Report) -> tuple[int, ...]:
    """The hours the heat map shows: from the first to the last with arrivals."""
    hours = [int(g.key.split("-")[1]) for g in report.by_weekday_hour.groups if g.key]
    if not hours:
        return USUAL_HOURS
    return tuple(range(min(hours), max(hours) + 1))


def heat_table(report: Report, tr: Tr) -> Table:
    """Arrivals per weekday (rows, Monday first) and hour (columns)."""
    hours = heat_hours(report)
    counts = {g.key: g.arrivals for g in report.by_weekday_hour.groups}
    rows = tuple(
        (tr(name), *(counts.get(f"{day}-{hour:02d}", 0) for hour in hours))
        for day, name in enumerate(WEEKDAYS, start=1)
    )
    count: Kind = "count"
    kinds: tuple[Kind, ...] = ("text", *((count,) * len(hours)))
    return Table(
        tr(N_("Arrivals per weekday and hour")),
        (tr(N_("Weekday")), *(f"{hour:02d}" for hour in hours)),
        kinds,
        rows,
    )


def outcome_label(word: str, tr: Tr) -> str:
    try:
        return tr(OUTCOME_LABELS[Outcome(word)])
    except ValueError:
        return word


def outcomes_table(report: Report, tr: Tr) -> Table:
    """How the tickets of the period ended: each outcome of those served, then no-shows,
    cancelled and transferred."""
    t = report.totals
    known = [o.value for o in OUTCOME_LABELS]
    words = [w for w in known if w in t.outcomes] + sorted(set(t.outcomes) - set(known))
    rows: list[tuple[Any, ...]] = [(outcome_label(w, tr), t.outcomes[w]) for w in words]
    rows += [
        (tr(N_("No-show")), t.no_show),
        (tr(N_("Cancelled")), t.cancelled),
        (tr(N_("Transferred")), t.transferred),
    ]
    return Table(
        tr(N_("Outcomes")),
        (tr(N_("Outcome")), tr(N_("Tickets"))),
        ("text", "count"),
        tuple(rows),
        charted=(1,),
    )


def tables(report: Report, tr: Tr) -> list[Table]:
    return [
        totals_table(report, tr),
        waits_table(report, tr),
        service_level_table(report, tr),
        heat_table(report, tr),
        outcomes_table(report, tr),
    ]


def heading(filters: Filters, tr: Tr) -> list[tuple[str, str]]:
    """The period and the filters, as written above the figures in an export."""
    site = filters.site_name if filters.organisation else f"{filters.site_name} ({filters.site})"
    return [
        (tr(N_("Site")), site),
        (tr(N_("From")), filters.first.isoformat()),
        (tr(N_("To")), filters.last.isoformat()),
        (tr(N_("Service")), filters.service_label or tr(N_("all services"))),
        (tr(N_("Desk")), filters.desk_label or tr(N_("all desks"))),
    ]


def export_xlsx(report: Report, path: Path, tr: Tr) -> None:
    """An Excel workbook: the first sheet holds the period, the filters and the totals; one
    sheet per table follows, each headed by the period and filters too. Numbers stay numbers
    (a share is a number formatted as a percentage)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    first = True
    for table in tables(report, tr):
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title(table.title)
        sheet.append([table.title])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        for name, value in heading(report.filters, tr):
            sheet.append([name, value])
        sheet.append([])
        sheet.append(list(table.columns))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for index, row in enumerate(table.rows):
            sheet.append(list(row))
            for column in range(len(row)):
                _format(sheet.cell(row=sheet.max_row, column=column + 1), table.kind(index, column))
        sheet.column_dimensions["A"].width = 34
        first = False
    workbook.save(path)


def _format(cell: Any, kind: Kind) -> None:
    if kind == "share":
        cell.number_format = "0.0%"
    elif kind == "minutes":
        cell.number_format = "0.0"


def _sheet_title(title: str) -> str:
    """At most 31 characters, none of ``[]:*?/\\`` (Excel's rule)."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31]


def export_csv(report: Report, path: Path, tr: Tr) -> None:
    """One CSV file (UTF-8 with BOM and ``;``, as German Excel opens it): the period and the
    filters, then each table under its title, a blank line between. Numbers are written with
    a point (``12.5``), shares as 0..1."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for name, value in heading(report.filters, tr):
            writer.writerow([name, value])
        for table in tables(report, tr):
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow(["" if v is None else v for v in row])
