"""The supervisor's statistics: the server's figures as tables, and those tables as a file.

Qt-free. The window reads a period's figures (``GET /sites/{site}/statistics``) three times,
split by hour of the day, by day and by weekday and hour, and once more per service, desk or
clerk when the supervisor splits them so (``by=``; then the hours and days are split too:
:func:`read_report`); every chart of
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

from counter_app.core.answers import (
    Figures,
    Statistics,
    StatisticsGroup,
    StatisticsOrganisation,
    StatisticsSite,
)
from counter_app.core.api import TresenClient
from counter_app.core.errors import NotAllowed
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
#: What the figures can be split by (``by=``): the words of the server.
SPLITS = ("service", "desk", "clerk")
#: How a split reads, as a column's heading and in the export's heading.
SPLIT_LABELS = {"service": N_("Service"), "desk": N_("Desk"), "clerk": N_("Clerk")}
#: How many series a chart draws at most (those with the most arrivals); the table beside it
#: holds every one.
CHARTED_SERIES = 6


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
    #: Split by service, desk or clerk (``SPLITS``), or not at all.
    by: str | None = None

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
    #: The period split by ``filters.by`` alone (one group per service, desk or clerk).
    by_series: Statistics | None = None

    @property
    def totals(self) -> Figures:
        return self.by_day.totals

    @property
    def goal(self) -> float:
        return self.by_day.service_level_goal


def read_report(client: TresenClient, filters: Filters) -> Report:
    """The period's figures (three requests); blocking: run it off the GUI thread."""

    def ask(group: str | None, by: str | None = filters.by) -> Statistics:
        if filters.organisation:
            return client.organisation_statistics(
                filters.organisation, filters.first, filters.last, group=group, by=by
            )
        return client.statistics(
            filters.site,
            filters.first,
            filters.last,
            group=group,
            service_id=filters.service_id,
            desk=filters.desk,
            by=by,
        )

    by_hour, by_day = ask("hour"), ask("day")
    by_weekday_hour = ask("weekday_hour", None)  # the heat map counts every arrival
    by_series = ask(None) if filters.by else None
    # The site's name as the server answers it.
    named = ", ".join(site.name for site in by_day.sites) or filters.site_name
    if filters.organisation and by_day.organisation is not None:
        named = f"{by_day.organisation.name}: {named}"
    return Report(replace(filters, site_name=named), by_hour, by_day, by_weekday_hour, by_series)


@dataclass(frozen=True)
class Reach:
    """Which sites' figures the user may read, learnt before the first report: the
    organisation of the user's site (if it names one) with its sites, and which of them allow
    figures per clerk (``staff_statistics`` in the site file)."""

    organisation: StatisticsOrganisation | None
    sites: tuple[StatisticsSite, ...]
    clerk_sites: frozenset[str]


def read_reach(client: TresenClient, site: str, today: date) -> Reach:
    """Ask today's figures (the cheapest a server answers: today's tickets only) of ``site``
    and of its organisation, per clerk first: the answers name the organisation and its
    sites, and a refusal ``staff_statistics_off`` names the sites without figures per clerk.
    Two to four requests; blocking: run it off the GUI thread."""
    clerks: set[str] = set()
    off: set[str] = set()

    def per_clerk_or_not(ask: Callable[[str | None], Statistics]) -> Statistics:
        try:
            answer = ask("clerk")
        except NotAllowed as refused:
            if refused.code != "staff_statistics_off":
                raise
            off.update(s.strip() for s in str(refused.details.get("sites") or "").split(","))
            return ask(None)
        clerks.update(s.slug for s in answer.sites)
        return answer

    own = per_clerk_or_not(lambda by: client.statistics(site, today, today, by=by))
    organisation = own.organisation
    if organisation is None:
        return Reach(None, own.sites, frozenset(clerks))
    whole = per_clerk_or_not(
        lambda by: client.organisation_statistics(organisation.slug, today, today, by=by)
    )
    clerks.update(s.slug for s in whole.sites if s.slug not in off)
    return Reach(organisation, whole.sites, frozenset(clerks - off))


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
    #: The column naming each row's service, desk or clerk when split (its charts draw one
    #: series each), else None.
    series_column: int | None = None

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
        (tr(N_("Handling, 80 % within (min)")), t.handling_minutes.p80, "minutes"),
        (tr(N_("Handling, 95 % within (min)")), t.handling_minutes.p95, "minutes"),
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


def series_label(group: StatisticsGroup, tr: Tr, language: str, sites: int = 1) -> str:
    """How a split group's service, desk or clerk reads (``A · Registration``, ``Desk 2``);
    with several sites, the site's slug after it."""
    site: str | None = None
    if group.service is not None:
        name = group.service.names.get(language) or group.service.name
        label, site = f"{group.service.prefix} · {name}", group.service.site
    elif group.desk is not None:
        label = group.desk.name or tr(N_("never at a desk"))
        site = group.desk.site
    elif group.clerk is not None:
        label = group.clerk.name or tr(N_("no clerk"))
    else:
        return ""
    return f"{label} ({site})" if sites > 1 and site else label


def series(report: Report, tr: Tr, language: str) -> list[str]:
    """The split's services, desks or clerks, most arrivals first (then by name)."""
    if report.by_series is None:
        return []
    count = len(report.by_series.sites)
    ranked = sorted(
        report.by_series.groups,
        key=lambda g: (-g.arrivals, series_label(g, tr, language, count)),
    )
    return [series_label(g, tr, language, count) for g in ranked]


def charted_series(report: Report, tr: Tr, language: str) -> list[str]:
    """The series a chart draws: those with the most arrivals, at most ``CHARTED_SERIES``."""
    return series(report, tr, language)[:CHARTED_SERIES]


def _split_column(report: Report, tr: Tr) -> tuple[str, ...]:
    by = report.filters.by
    return (tr(SPLIT_LABELS[by]),) if by else ()


def _spread_table(
    report: Report,
    answer: Statistics,
    tr: Tr,
    language: str,
    title: str,
    key: tuple[str, Callable[[str], str]],
    measure: Literal["wait", "handling"],
) -> Table:
    """Minutes (mean, median, 80 % and 95 % within) per group of ``answer``, each group's
    service, desk or clerk beside its key when split."""
    split = _split_column(report, tr)
    count = len(answer.sites)
    rows = []
    for g in answer.groups:
        spread = g.wait_minutes if measure == "wait" else g.handling_minutes
        rows.append(
            (
                key[1](g.key or ""),
                *((series_label(g, tr, language, count),) if split else ()),
                g.arrivals if measure == "wait" else g.served,
                spread.mean,
                spread.p50,
                spread.p80,
                spread.p95,
            )
        )
    first = len(split) + 2  # the mean's column
    kinds: tuple[Kind, ...] = (
        "text",
        *(("text",) if split else ()),
        "count",
        "minutes",
        "minutes",
        "minutes",
        "minutes",
    )
    return Table(
        title,
        (
            tr(key[0]),
            *split,
            tr(N_("Arrivals")) if measure == "wait" else tr(N_("Served")),
            tr(N_("Mean wait (min)")) if measure == "wait" else tr(N_("Mean handling (min)")),
            tr(N_("Median (min)")),
            tr(N_("80 % within (min)")),
            tr(N_("95 % within (min)")),
        ),
        kinds,
        tuple(rows),
        # Split: one line per series of the mean; else the mean and the 80 % beside it.
        charted=(first,) if split else (first, first + 2),
        series_column=1 if split else None,
    )


def _hour(key: str) -> str:
    return f"{key}:00"


def _day(key: str) -> str:
    return key


def waits_table(report: Report, tr: Tr, language: str = "de") -> Table:
    """Waits per hour of the day (the site's local time)."""
    return _spread_table(
        report,
        report.by_hour,
        tr,
        language,
        tr(N_("Waits per hour of the day")),
        (N_("Hour"), _hour),
        "wait",
    )


def handling_table(report: Report, tr: Tr, language: str = "de", per: str = "hour") -> Table:
    """Handling times (start to finish of the served tickets) per hour of the day the ticket
    was issued, or per day."""
    if per == "day":
        return _spread_table(
            report,
            report.by_day,
            tr,
            language,
            tr(N_("Handling times per day")),
            (N_("Day"), _day),
            "handling",
        )
    return _spread_table(
        report,
        report.by_hour,
        tr,
        language,
        tr(N_("Handling times per hour of the day")),
        (N_("Hour"), _hour),
        "handling",
    )


def service_level_table(report: Report, tr: Tr, language: str = "de") -> Table:
    """The service level per day against the goal (per service, desk or clerk when split)."""
    split = _split_column(report, tr)
    count = len(report.by_day.sites)
    rows = tuple(
        (
            g.key or "",
            *((series_label(g, tr, language, count),) if split else ()),
            g.arrivals,
            g.served,
            _share(g.service_level),
            report.goal,
        )
        for g in report.by_day.groups
    )
    level = len(split) + 3
    kinds: tuple[Kind, ...] = (
        "text",
        *(("text",) if split else ()),
        "count",
        "count",
        "share",
        "share",
    )
    return Table(
        tr(N_("Service level per day")),
        (
            tr(N_("Day")),
            *split,
            tr(N_("Arrivals")),
            tr(N_("Served")),
            tr(N_("Service level")),
            tr(N_("Goal")),
        ),
        kinds,
        rows,
        charted=(level, level + 1),
        series_column=1 if split else None,
    )


def split_table(report: Report, tr: Tr, language: str = "de") -> Table | None:
    """The period's figures per service, desk or clerk (most arrivals first); None unsplit.
    The median and the 95 % of the waits and handling times per service, desk or clerk
    stand in the tables per hour and per day."""
    if report.by_series is None or not report.filters.by:
        return None
    count = len(report.by_series.sites)
    ranked = sorted(
        report.by_series.groups,
        key=lambda g: (-g.arrivals, series_label(g, tr, language, count)),
    )
    rows = tuple(
        (
            series_label(g, tr, language, count),
            g.arrivals,
            g.served,
            g.no_show,
            g.cancelled,
            g.transferred,
            g.wait_minutes.mean,
            g.wait_minutes.p80,
            g.handling_minutes.mean,
            g.handling_minutes.p80,
            _share(g.service_level),
        )
        for g in ranked
    )
    minutes: Kind = "minutes"
    kinds: tuple[Kind, ...] = (
        "text",
        *(("count",) * 5),
        *((minutes,) * 4),
        "share",
    )
    by = report.filters.by
    titles = {
        "service": N_("Per service"),
        "desk": N_("Per desk"),
        "clerk": N_("Per clerk"),
    }
    return Table(
        tr(titles[by]),
        (
            tr(SPLIT_LABELS[by]),
            tr(N_("Arrivals")),
            tr(N_("Served")),
            tr(N_("No-shows")),
            tr(N_("Cancelled")),
            tr(N_("Transferred")),
            tr(N_("Wait, mean (min)")),
            tr(N_("Wait, 80 % within (min)")),
            tr(N_("Handling, mean (min)")),
            tr(N_("Handling, 80 % within (min)")),
            tr(N_("Service level")),
        ),
        kinds,
        rows,
        series_column=0,
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


def _outcome_words(figures: list[Figures]) -> list[str]:
    """The outcome words of ``figures``: the vocabulary's order, then any other."""
    seen = {word for f in figures for word in f.outcomes}
    known = [o.value for o in OUTCOME_LABELS]
    return [w for w in known if w in seen] + sorted(seen - set(known))


def outcomes_table(report: Report, tr: Tr, language: str = "de") -> Table:
    """How the tickets of the period ended: each outcome of those served, then no-shows,
    cancelled and transferred; when split, a row of them for all tickets, then one per
    service, desk or clerk (most arrivals first), the outcomes as columns."""
    t = report.totals
    words = _outcome_words([t])
    rows: list[tuple[Any, ...]] = [(outcome_label(w, tr), t.outcomes[w]) for w in words]
    rows += [
        (tr(N_("No-show")), t.no_show),
        (tr(N_("Cancelled")), t.cancelled),
        (tr(N_("Transferred")), t.transferred),
    ]
    if report.by_series is None or not report.filters.by:
        return Table(
            tr(N_("Outcomes")),
            (tr(N_("Outcome")), tr(N_("Tickets"))),
            ("text", "count"),
            tuple(rows),
            charted=(1,),
        )
    count = len(report.by_series.sites)
    groups = {series_label(g, tr, language, count): g for g in report.by_series.groups}
    names = series(report, tr, language)
    each: list[tuple[Any, ...]] = [
        (
            name,
            *(groups[name].outcomes.get(w, 0) for w in words),
            groups[name].no_show,
            groups[name].cancelled,
            groups[name].transferred,
        )
        for name in names
    ]
    count_kind: Kind = "count"
    return Table(
        tr(N_("Outcomes")),
        (tr(SPLIT_LABELS[report.filters.by]), *(str(label) for label, _n in rows)),
        ("text", *((count_kind,) * len(rows))),
        ((tr(N_("All")), *(n for _label, n in rows)), *each),
        # The chart stacks each charted series' bar by outcome.
        charted=tuple(range(1, len(rows) + 1)),
        series_column=0,
    )


def tables(report: Report, tr: Tr, language: str = "de") -> list[Table]:
    """Every table of the report, in the order the export writes them."""
    split = split_table(report, tr, language)
    return [
        totals_table(report, tr),
        *((split,) if split is not None else ()),
        waits_table(report, tr, language),
        handling_table(report, tr, language, "hour"),
        handling_table(report, tr, language, "day"),
        service_level_table(report, tr, language),
        heat_table(report, tr),
        outcomes_table(report, tr, language),
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
        (tr(N_("Split by")), tr(SPLIT_LABELS[filters.by]) if filters.by else tr(N_("none"))),
    ]


def export_xlsx(report: Report, path: Path, tr: Tr, language: str = "de") -> None:
    """An Excel workbook: the first sheet holds the period, the filters and the totals; one
    sheet per table follows, each headed by the period and filters too. Numbers stay numbers
    (a share is a number formatted as a percentage)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    first = True
    for table in tables(report, tr, language):
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


def export_csv(report: Report, path: Path, tr: Tr, language: str = "de") -> None:
    """One CSV file (UTF-8 with BOM and ``;``, as German Excel opens it): the period and the
    filters, then each table under its title, a blank line between. Numbers are written with
    a point (``12.5``), shares as 0..1."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for name, value in heading(report.filters, tr):
            writer.writerow([name, value])
        for table in tables(report, tr, language):
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow(["" if v is None else v for v in row])
