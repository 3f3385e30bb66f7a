"""``tresen admin report``: the statistics of a site or an organisation's sites for a period, as
an XLSX workbook (one sheet per view) or as CSV (the views one after another, each under a
heading line). Views: totals, per day, per service, per hour. The period and what the report
covers stand at the top of every sheet (and of the CSV). Headings in German or English from the
catalogue."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central_server.db import Database
from central_server.errors import N_, InvalidInput, NotFound
from central_server.models import Site
from central_server.statistics import repository, service
from resources.i18n import gettext_for
from resources.vocabulary import Outcome

Translate = Callable[[str], str]

#: The views, each: (title, group, by).
VIEWS: tuple[tuple[str, service.Group | None, service.By | None], ...] = (
    (N_("Totals"), None, None),
    (N_("Per day"), "day", None),
    (N_("Per service"), None, "service"),
    (N_("Per hour"), "hour", None),
)

#: The columns after the group's: (heading, how to read it from FIGURES).
COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    (N_("Arrivals"), lambda f: f["arrivals"]),
    (N_("Served"), lambda f: f["served"]),
    (N_("No-shows"), lambda f: f["no_show"]),
    (N_("Cancelled"), lambda f: f["cancelled"]),
    (N_("Transferred"), lambda f: f["transferred"]),
    (N_("Wait, mean (min)"), lambda f: f["wait_minutes"]["mean"]),
    (N_("Wait, median (min)"), lambda f: f["wait_minutes"]["p50"]),
    (N_("Wait, 80 % (min)"), lambda f: f["wait_minutes"]["p80"]),
    (N_("Wait, 95 % (min)"), lambda f: f["wait_minutes"]["p95"]),
    (N_("Handling, mean (min)"), lambda f: f["handling_minutes"]["mean"]),
    (N_("Handling, median (min)"), lambda f: f["handling_minutes"]["p50"]),
    (N_("Handling, 80 % (min)"), lambda f: f["handling_minutes"]["p80"]),
    (N_("Handling, 95 % (min)"), lambda f: f["handling_minutes"]["p95"]),
    (N_("Service level"), lambda f: f["service_level"]),
    (N_("Estimate error, median (min)"), lambda f: f["estimate_error_minutes"]["p50"]),
    (N_("Estimate error, 90 % (min)"), lambda f: f["estimate_error_minutes"]["p90"]),
    (N_("Walk-ins"), lambda f: f["kinds"]["walk_in"]),
    (N_("Appointments"), lambda f: f["kinds"]["appointment"]),
    (N_("Missed appointments"), lambda f: f["appointment_missed"]),
    (N_("Urgent"), lambda f: f["kinds"]["urgent"]),
    (N_("Issued offline"), lambda f: f["kinds"]["offline"]),
    (N_("Feedback, answers"), lambda f: f["feedback"]["count"]),
    (N_("Feedback, mean (1-5)"), lambda f: f["feedback"]["mean"]),
)

OUTCOME_HEADINGS = {
    Outcome.COMPLETED: N_("Outcome: completed"),
    Outcome.DOCUMENTS_MISSING: N_("Outcome: documents missing"),
    Outcome.REFERRED: N_("Outcome: referred"),
    Outcome.FOLLOW_UP: N_("Outcome: follow-up"),
    Outcome.WITHDRAWN: N_("Outcome: withdrawn"),
}


@dataclass(frozen=True)
class Report:
    """The report's views: (title, heading lines, table rows) each."""

    header: list[list[str]]
    views: list[tuple[str, list[list[Any]]]]


def build(
    db: Database,
    site: str | None,
    organisation: str | None,
    first: str,
    last: str,
    language: str = "de",
) -> Report:
    """The report for ``site`` or for ``organisation``'s sites (``site`` may then name some of
    them, comma-separated). Raises ``InvalidInput`` / ``NotFound`` with a message."""
    _ = gettext_for(language)
    start, end = service.parse_period(first, last)
    with db.read_session() as session:
        sites: list[Site]
        if organisation is not None:
            sites = service.organisation_sites(
                repository.sites_of_organisation(session, organisation), organisation, site
            )
        else:
            if not site:
                raise InvalidInput("site_required", N_("Please name a site or an organisation."))
            found_site = repository.sites_by_slug(session, [site]).get(site)
            if found_site is None:
                raise NotFound("site_not_found", N_("There is no site {site}."), site=site)
            sites = [found_site]
        org = service._organisation(sites[0]) if organisation else None
    covered = ", ".join(f"{s.name} ({s.slug})" for s in sites)
    header = [
        [_("Tresen statistics"), covered],
        [_("Period"), f"{start.isoformat()} – {end.isoformat()}"],
    ]
    if org is not None:
        header.append([_("Organisation"), f"{org['name']} ({org['slug']})"])
    views = []
    for title, group, by in VIEWS:
        answer = service.statistics(db, sites, org, service.Query(start, end, group, by))
        views.append((_(title), _table(answer, group, by, _, language)))
    return Report(header, views)


def _table(
    answer: dict[str, Any], group: str | None, by: str | None, _: Translate, language: str
) -> list[list[Any]]:
    first_heading = {
        None: _("Period"),
        "day": _("Day"),
        "hour": _("Hour"),
    }[group]
    if by == "service":
        first_heading = _("Service")
    headings = [first_heading]
    if by == "service":
        headings.insert(0, _("Site"))
        headings.insert(1, _("Prefix"))
    headings += [_(h) for h, _read in COLUMNS] + [_(h) for h in OUTCOME_HEADINGS.values()]
    rows: list[list[Any]] = [headings]
    entries: Sequence[dict[str, Any]]
    if group is None and by is None:
        entries = [{"key": f"{answer['from']} – {answer['to']}", **answer["totals"]}]
    else:
        entries = answer["groups"]
    for entry in entries:
        if by == "service":
            ref = entry["service"]
            name = ref["names"].get(language) or ref["name"]
            lead: list[Any] = [ref["site"], ref["prefix"], name]
        else:
            lead = [entry["key"]]
        rows.append(
            lead
            + [read(entry) for _h, read in COLUMNS]
            + [entry["outcomes"].get(o.value, 0) for o in OUTCOME_HEADINGS]
        )
    return rows


def write_xlsx(report: Report, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for title, rows in report.views:
        sheet = book.create_sheet(title[:31])
        for line in report.header:
            sheet.append(line)
        sheet.append([])
        start = sheet.max_row + 1
        for row in rows:
            sheet.append(row)
        for cell in sheet[start]:
            cell.font = Font(bold=True)
        for cell in sheet["A"][: len(report.header)]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = sheet.cell(row=start + 1, column=2)
    book.save(out)


def write_csv(report: Report, out: Path) -> None:
    """One file: the heading lines, then each view under a line with its title, an empty line
    between views. Semicolons and a BOM, as German spreadsheet programs read them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerows(report.header)
    for title, rows in report.views:
        writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    out.write_text(buffer.getvalue(), encoding="utf-8-sig")
