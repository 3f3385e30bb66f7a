"""The supervisor's statistics without a server: the answers of ``GET /sites/{site}/statistics``
as the shared contract shapes them (``_notes/contract-statistics.md``) read into tables, shown in
the window's charts and tables with their numbers in the models, and exported as XLSX and CSV
with the period and the filters written above them (read back with openpyxl)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from counter_app.core.answers import Statistics
from counter_app.core.api import TresenClient
from counter_app.core.statistics import (
    Filters,
    Report,
    export_csv,
    export_xlsx,
    heat_table,
    outcomes_table,
    service_level_table,
    totals_table,
    waits_table,
)
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import SyncTasks
from counter_app.supervisor.controller import SupervisorController
from counter_app.supervisor.models import VALUE_ROLE
from counter_app.supervisor.statistics_view import StatisticsView
from resources.i18n import gettext_for

DE = gettext_for("de")
EN = gettext_for("en")


def figures(
    arrivals: int = 0,
    served: int = 0,
    no_show: int = 0,
    wait: tuple[float | None, ...] = (None, None, None, None),
    service_level: float | None = None,
    outcomes: dict[str, int] | None = None,
    cancelled: int = 0,
) -> dict[str, Any]:
    mean, p50, p80, p95 = wait
    return {
        "arrivals": arrivals,
        "served": served,
        "no_show": no_show,
        "cancelled": cancelled,
        "transferred": 0,
        "wait_minutes": {"mean": mean, "p50": p50, "p80": p80, "p95": p95},
        "handling_minutes": {"mean": 6.0, "p50": 5.0, "p80": 8.0, "p95": 9.5},
        "service_level": service_level,
        "estimate_error_minutes": {"p50": 2.0, "p90": 7.5},
        "kinds": {"walk_in": arrivals - 1, "appointment": 1, "urgent": 0, "offline": 0},
        "outcomes": outcomes or {},
        "feedback": {"count": 2, "mean": 4.5},
    }


TOTALS = figures(
    arrivals=6,
    served=4,
    no_show=1,
    cancelled=1,
    wait=(12.5, 10.0, 20.0, 31.0),
    service_level=0.8,
    outcomes={"completed": 3, "documents_missing": 1},
)


def answer(group: str, groups: list[dict[str, Any]]) -> Statistics:
    return Statistics.model_validate(
        {
            "sites": [{"slug": "demo", "name": "Bürgeramt Demo"}],
            "organisation": None,
            "from": "2026-12-01",
            "to": "2026-12-02",
            "group": group,
            "by": None,
            "service_level_goal": 0.8,
            "totals": TOTALS,
            "groups": groups,
        }
    )


BY_HOUR = answer(
    "hour",
    [
        {"key": "08", **figures(4, 3, 1, (5.0, 4.0, 8.0, 9.0), 1.0)},
        {"key": "09", **figures(2, 1, 0, (25.0, 25.0, 31.0, 31.0), 0.5)},
    ],
)
BY_DAY = answer(
    "day",
    [
        {"key": "2026-12-01", **figures(5, 3, 1, (10.0, 9.0, 15.0, 20.0), 0.75)},
        {"key": "2026-12-02", **figures(1, 1, 0, (30.0, 30.0, 30.0, 30.0), None)},
    ],
)
BY_WEEKDAY_HOUR = answer(
    "weekday_hour",
    [
        {"key": "2-08", **figures(4, 3)},
        {"key": "2-10", **figures(1, 1)},
        {"key": "3-09", **figures(1, 0)},
    ],
)
FILTERS = Filters(
    site="demo",
    site_name="Bürgeramt Demo",
    first=date(2026, 12, 1),
    last=date(2026, 12, 2),
    service_id=1,
    service_label="A · Anmeldung und Ummeldung",
)
REPORT = Report(FILTERS, BY_HOUR, BY_DAY, BY_WEEKDAY_HOUR)


def test_an_answer_shaped_by_the_contract_reads_into_tables_with_the_servers_numbers() -> None:
    waits = waits_table(REPORT, EN)
    assert waits.rows == (
        ("08:00", 4, 5.0, 4.0, 8.0, 9.0),
        ("09:00", 2, 25.0, 25.0, 31.0, 31.0),
    )
    level = service_level_table(REPORT, EN)
    assert level.rows == (("2026-12-01", 5, 3, 0.75, 0.8), ("2026-12-02", 1, 1, None, 0.8))
    heat = heat_table(REPORT, DE)
    assert heat.columns == ("Wochentag", "08", "09", "10")
    assert heat.rows[0] == ("Montag", 0, 0, 0)
    assert heat.rows[1] == ("Dienstag", 4, 0, 1)
    assert heat.rows[2] == ("Mittwoch", 0, 1, 0)
    outcomes = outcomes_table(REPORT, DE)
    assert outcomes.rows == (
        ("Erledigt", 3),
        ("Unterlagen fehlen", 1),
        ("Nicht erschienen", 1),
        ("Storniert", 1),
        ("Weitergeleitet", 0),
    )
    totals = dict(totals_table(REPORT, EN).rows)
    assert totals["Arrivals"] == 6
    assert totals["Service level"] == 0.8
    assert totals["Wait, 80 % within (min)"] == 20.0
    assert totals["Estimate off by, 90 % within (min)"] == 7.5


def test_a_period_that_ends_before_it_begins_is_refused_before_asking() -> None:
    backwards = Filters("demo", "Demo", date(2026, 12, 2), date(2026, 12, 1))
    assert backwards.problem() == "The period ends before it begins."
    too_long = Filters("demo", "Demo", date(2025, 1, 1), date(2026, 1, 2))
    assert too_long.problem() == "A period covers at most 366 days."
    assert Filters("demo", "Demo", date(2025, 1, 1), date(2026, 1, 1)).problem() is None


def test_the_xlsx_export_holds_the_period_the_filters_and_the_figures(tmp_path: Path) -> None:
    path = tmp_path / "figures.xlsx"
    export_xlsx(REPORT, path, DE)
    book = load_workbook(path)
    assert book.sheetnames == [
        "Summen",
        "Wartezeit je Tagesstunde",
        "Bearbeitungszeit je Tagesstunde",
        "Bearbeitungszeit je Tag",
        "Servicelevel je Tag",
        "Ankünfte nach Wochentag, Stunde",
        "Ergebnisse",
    ]
    totals = book["Summen"]
    head = [[c.value for c in row] for row in totals.iter_rows(min_row=1, max_row=7)]
    assert head == [
        ["Summen", None],
        ["Standort", "Bürgeramt Demo (demo)"],
        ["Von", "2026-12-01"],
        ["Bis", "2026-12-02"],
        ["Anliegen", "A · Anmeldung und Ummeldung"],
        ["Platz", "alle Plätze"],
        ["Aufgeteilt nach", "keine"],
    ]
    values = {row[0]: row[1] for row in totals.iter_rows(min_row=10, values_only=True)}
    assert values["Ankünfte"] == 6
    assert values["Servicelevel"] == 0.8
    assert values["Bearbeitung, 95 % innerhalb (Min.)"] == 9.5
    level = book["Servicelevel je Tag"]
    rows = list(level.iter_rows(min_row=9, values_only=True))
    assert rows[0] == ("Tag", "Ankünfte", "Bedient", "Servicelevel", "Ziel")
    assert rows[1:] == [("2026-12-01", 5, 3, 0.75, 0.8), ("2026-12-02", 1, 1, None, 0.8)]
    assert level.cell(row=10, column=4).number_format == "0.0%"
    handling = list(book["Bearbeitungszeit je Tag"].iter_rows(min_row=9, values_only=True))
    assert handling[0] == (
        "Tag", "Bedient", "Mittel (Min.)", "Median (Min.)", "80-%-Wert (Min.)",
        "95-%-Wert (Min.)",
    )  # fmt: skip
    assert handling[1:] == [
        ("2026-12-01", 3, 6.0, 5.0, 8.0, 9.5),
        ("2026-12-02", 1, 6.0, 5.0, 8.0, 9.5),
    ]


def test_the_csv_export_holds_the_same(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    export_csv(REPORT, path, EN)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[:6] == [
        ["Site", "Bürgeramt Demo (demo)"],
        ["From", "2026-12-01"],
        ["To", "2026-12-02"],
        ["Service", "A · Anmeldung und Ummeldung"],
        ["Desk", "all desks"],
        ["Split by", "none"],
    ]
    at = rows.index(["Waits per hour of the day"])
    assert rows[at + 1 : at + 4] == [
        ["Hour", "Arrivals", "Mean wait (min)", "Median (min)", "80 % within (min)",
         "95 % within (min)"],
        ["08:00", "4", "5.0", "4.0", "8.0", "9.0"],
        ["09:00", "2", "25.0", "25.0", "31.0", "31.0"],
    ]  # fmt: skip


class _Answers(TresenClient):
    """Answers the statistics as the contract shapes them, without a server."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9")
        self.asked: list[dict[str, Any]] = []

    def statistics(  # type: ignore[override]
        self, site: str, first: date, last: date, group: str | None = None, **_filters: Any
    ) -> Statistics:
        self.asked.append({"site": site, "from": first, "to": last, "group": group})
        return {"hour": BY_HOUR, "day": BY_DAY, "weekday_hour": BY_WEEKDAY_HOUR}[group or "day"]


@pytest.fixture
def view(qtbot: Any, tmp_path: Path) -> StatisticsView:
    client = _Answers()
    controller = SupervisorController(client, "demo", SyncTasks())
    shown = StatisticsView(
        controller,
        client,
        ("demo",),
        Language("de"),
        SyncTasks(),
        today=date(2026, 12, 4),
        ask_path=lambda _parent, _title, name: tmp_path / name,
    )
    qtbot.addWidget(shown)
    shown.resize(1280, 680)
    shown.show()
    return shown


def test_the_view_shows_each_charts_figures_in_a_table_and_exports_them(
    view: StatisticsView, tmp_path: Path
) -> None:
    assert view.period_from.date().toPython() == date(2026, 12, 1)
    assert view.period_to.date().toPython() == date(2026, 12, 4)
    view.set_period(date(2026, 12, 1), date(2026, 12, 2))
    assert not view.export_button.isEnabled()
    view.show_button.click()
    assert [a["group"] for a in view.client.asked] == ["hour", "day", "weekday_hour"]  # type: ignore[attr-defined]
    assert view.message.text() == "Bürgeramt Demo, 2026-12-01 bis 2026-12-02: 6 Nummern."
    waits = view.models["waitsTable"]
    assert waits.data(waits.index(1, 2)) == "25,0"
    assert waits.data(waits.index(1, 2), VALUE_ROLE) == 25.0
    level = view.models["serviceLevelTable"]
    assert level.data(level.index(0, 3)) == "75,0 %"
    assert level.data(level.index(1, 3)) == "–"
    heat = view.models["arrivalsHeatMap"]
    assert heat.data(heat.index(1, 1)) == "4"
    # The charts draw what the tables hold.
    bars = view.charts["waitsChart"].chart().series()[0].barSets()
    assert [bars[0].at(i) for i in range(bars[0].count())] == [5.0, 25.0]
    line, goal = view.charts["serviceLevelChart"].chart().series()
    assert [(p.x(), p.y()) for p in line.points()] == [(0, 75.0)]
    assert {p.y() for p in goal.points()} == {80.0}
    outcome_bars = view.charts["outcomesChart"].chart().series()[0].barSets()[0]
    assert [outcome_bars.at(i) for i in range(outcome_bars.count())] == [3, 1, 1, 1, 0]

    assert view.export_button.isEnabled()
    view.export_button.click()
    written = tmp_path / "tresen-demo-2026-12-01-2026-12-02.xlsx"
    assert view.message.text() == f"Gespeichert: {written}"
    assert load_workbook(written)["Summen"]["B3"].value == "2026-12-01"


def test_a_backwards_period_is_said_and_nothing_is_asked(view: StatisticsView) -> None:
    view.set_period(date(2026, 12, 3), date(2026, 12, 1))
    view.show_button.click()
    assert view.message.text() == "Der Zeitraum endet, bevor er beginnt."
    assert view.client.asked == []  # type: ignore[attr-defined]


# Through the real server: the scripted day ------------------------------------------------------


@pytest.fixture
def scripted(server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.support.scripted_day import Clock, play_day

    clock = Clock().install(monkeypatch)
    return play_day(server, clock)


def _column(model: Any, column: int) -> list[Any]:
    return [model.data(model.index(row, column), VALUE_ROLE) for row in range(model.rowCount())]


def _texts(model: Any) -> list[list[str]]:
    return [
        [model.data(model.index(row, column)) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_the_window_shows_the_exact_figures_of_a_scripted_day_and_exports_them(
    scripted: Any, open_supervisor: Any, qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    from tests.support.waits import ANSWER_MS

    session = open_supervisor()
    window = session.window
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.statistics
    view = window.statistics
    view.set_period(date(2026, 11, 30), date(2026, 12, 6))
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        qtbot.keyClick(view.period_to, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.message.text() == "Bürgeramt Demo, 2026-11-30 bis 2026-12-06: 6 Nummern."

    totals = {row[0]: row[1] for row in _texts(view.models["totalsTable"])}
    assert totals["Ankünfte"] == "6"
    assert totals["Bedient (abgeschlossen)"] == "4"
    assert totals["Nicht erschienen"] == "1"
    assert totals["Storniert"] == "1"
    assert totals["Weitergeleitet"] == "1"
    assert totals["Wartezeit, Mittel (Min.)"] == "13,8"
    assert totals["Wartezeit, Median (Min.)"] == "8,0"
    assert totals["Wartezeit, 95 % innerhalb (Min.)"] == "27,0"
    assert totals["Bearbeitung, Mittel (Min.)"] == "8,8"  # 8.75 shown to one decimal
    assert totals["Servicelevel"] == "60,0 %"
    assert totals["Servicelevel-Ziel"] == "80,0 %"
    assert totals["Ohne Termin"] == "4"
    assert totals["Termine"] == "1"
    assert totals["Dringend"] == "1"
    assert totals["Offline ausgegeben"] == "1"
    assert totals["Bewertungen"] == "2"
    assert totals["Bewertung, Mittel (1–5)"] == "3,5"
    # Waits per hour of the day: T1..T5 issued at 8, T6 at 9.
    waits = view.models["waitsTable"]
    assert _column(waits, 0) == ["08:00", "09:00"]
    assert _column(waits, 1) == [5, 1]
    assert _column(waits, 2) == [16.5, 3.0]
    level = view.models["serviceLevelTable"]
    assert _texts(level) == [["2026-12-01", "6", "4", "60,0 %", "80,0 %"]]
    heat = view.models["arrivalsHeatMap"]
    assert heat.table.columns == ("Wochentag", "08", "09")
    assert heat.table.rows[1] == ("Dienstag", 5, 1)
    assert sum(sum(row[1:]) for row in heat.table.rows) == 6
    outcomes = _texts(view.models["outcomesTable"])
    assert outcomes == [
        ["Erledigt", "3"],
        ["Unterlagen fehlen", "1"],
        ["Nicht erschienen", "1"],
        ["Storniert", "1"],
        ["Weitergeleitet", "1"],
    ]

    with qtbot.waitSignal(view.exported, timeout=ANSWER_MS) as written:
        qtbot.keyClick(view.period_to, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    path = written.args[0]
    assert path == tmp_path / "tresen-demo-2026-11-30-2026-12-06.xlsx"
    book = load_workbook(path)
    sheet = book["Summen"]
    assert [sheet.cell(row=r, column=2).value for r in range(2, 7)] == [
        "Bürgeramt Demo (demo)",
        "2026-11-30",
        "2026-12-06",
        "alle Anliegen",
        "alle Plätze",
    ]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=10, values_only=True)}
    assert values["Ankünfte"] == 6
    assert values["Wartezeit, Mittel (Min.)"] == 13.8
    assert values["Servicelevel"] == 0.6
    hours = list(book["Wartezeit je Tagesstunde"].iter_rows(min_row=10, values_only=True))
    assert [row[:3] for row in hours] == [("08:00", 5, 16.5), ("09:00", 1, 3.0)]

    # Only service A; then only desk 2: the filters reach the server and the sheet.
    view.service_box.setCurrentIndex(view.service_box.findData(scripted.services["A"]))
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    totals = {row[0]: row[1] for row in _texts(view.models["totalsTable"])}
    assert (totals["Ankünfte"], totals["Bedient (abgeschlossen)"], totals["Storniert"]) == (
        "3",
        "2",
        "1",
    )
    view.service_box.setCurrentIndex(0)
    view.desk_box.setCurrentIndex(view.desk_box.findData(scripted.desks["2"]))
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    assert _column(view.models["waitsTable"], 1) == [2]
    assert _column(view.models["waitsTable"], 2) == [17.0]
    csv_path = tmp_path / "desk2.csv"
    view.export_to(csv_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[4] == ["Platz", "Platz 2"]


def test_the_sites_of_the_organisation_are_offered_before_the_first_read(
    server: Any, open_supervisor: Any, qtbot: Any, tmp_path: Path
) -> None:
    """demo and koeln-sued work for Köln: the demo supervisor reads both, together or each,
    offered as soon as the window opens; figures per clerk only for koeln-sued, whose site
    file allows them."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from central_server.admin import site_file
    from tests.support.sites import demo_spec, names
    from tests.support.waits import ANSWER_MS

    koeln = {"slug": "koeln", "name": "Stadt Köln"}
    spec = demo_spec()
    spec["organisation"] = koeln
    other = {
        "site": {"slug": "koeln-sued", "name": "Bürgeramt Köln-Süd", "staff_statistics": True},
        "organisation": koeln,
        "services": [{"key": "registration", "prefix": "S", "names": names("Anmeldung")}],
        "desks": [{"code": "S1", "services": ["S"]}],
        "devices": [{"name": "sued-kiosk", "kind": "kiosk", "token": "sued-kiosk-token"}],
    }
    for data in (spec, other):
        site_file.apply(server.db, site_file.SiteFile.model_validate(data))
    for slug, token, count in (("demo", "demo-kiosk", 1), ("koeln-sued", "sued-kiosk-token", 2)):
        kiosk = server.client(token)
        service = kiosk.get(f"/sites/{slug}/services").json()[0]["id"]
        for _ in range(count):
            kiosk.post(f"/sites/{slug}/tickets", json={"service_id": service}).raise_for_status()

    view = open_supervisor().window.statistics
    # Offered before anything is read: the user's site, each other site of Köln, all of them.
    qtbot.waitUntil(lambda: view.reach is not None, timeout=ANSWER_MS)
    assert view.report is None
    assert [
        (view.site_box.itemData(i), view.site_box.itemText(i)) for i in range(view.site_box.count())
    ] == [
        ("demo", "Bürgeramt Demo"),
        ("koeln-sued", "Bürgeramt Köln-Süd"),
        ("organisation:koeln", "Alle Standorte von Stadt Köln"),
    ]
    clerk = view.split_box.model().item(view.split_box.findData("clerk"))  # type: ignore[attr-defined]
    assert not clerk.isEnabled()  # demo's site file keeps figures per clerk off
    assert clerk.toolTip() == "Zahlen je Sachbearbeitung sind für diesen Standort abgeschaltet."
    view.site_box.setCurrentIndex(view.site_box.findData("koeln-sued"))
    assert clerk.isEnabled()
    view.split_box.setCurrentIndex(view.split_box.findData("clerk"))
    view.site_box.setCurrentIndex(view.site_box.findData("organisation:koeln"))
    assert not clerk.isEnabled() and view.split_box.currentData() is None  # demo is one of them
    view.site_box.setCurrentIndex(0)

    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    view.set_period(today, today)
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    assert view.report is not None and view.report.totals.arrivals == 1
    assert view.site_box.count() == 3  # nothing offered twice
    everywhere = view.site_box.findData("organisation:koeln")
    view.site_box.setCurrentIndex(everywhere)
    assert not view.service_box.isEnabled() and not view.desk_box.isEnabled()
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    assert view.message.text() == (
        f"Stadt Köln: Bürgeramt Demo, Bürgeramt Köln-Süd, {today} bis {today}: 3 Nummern."
    )
    view.export_to(tmp_path / "koeln.xlsx")
    assert load_workbook(tmp_path / "koeln.xlsx")["Summen"]["B2"].value == (
        "Stadt Köln: Bürgeramt Demo, Bürgeramt Köln-Süd"
    )
    # Köln-Süd per clerk: its kiosk issued both, no clerk has served them yet.
    view.site_box.setCurrentIndex(view.site_box.findData("koeln-sued"))
    view.split_box.setCurrentIndex(view.split_box.findData("clerk"))
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    assert view.report.totals.arrivals == 2
    assert view.message.text().startswith("Bürgeramt Köln-Süd, ")
    assert _texts(view.models["splitTable"])[0][:3] == ["keine Sachbearbeitung", "2", "0"]
    assert view.tabs.tabText(5) == "Je Sachbearbeitung"


A = "A · Anmeldung und Ummeldung"
B = "B · Personalausweis und Reisepass"
C = "C · Aufenthaltstitel"


def test_split_by_service_shows_each_services_figures_and_handling_times_and_exports_them(
    scripted: Any, open_supervisor: Any, qtbot: Any, tmp_path: Path
) -> None:
    """The scripted day split by service: T1 counts for B (it was moved there), T3 was
    cancelled in A's queue, T4 (C) did not come. Handling: T5 10 min, T2 7, T1 13, T6 5."""
    from tests.support.waits import ANSWER_MS

    view = open_supervisor().window.statistics
    view.set_period(date(2026, 11, 30), date(2026, 12, 6))
    assert [view.split_box.itemText(i) for i in range(view.split_box.count())] == [
        "keine",
        "Anliegen",
        "Platz",
        "Sachbearbeitung",
    ]
    assert not view.tabs.isTabVisible(5)
    view.split_box.setCurrentIndex(view.split_box.findData("service"))
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()

    # The figures per service, most arrivals first, in their own tab.
    assert view.tabs.isTabVisible(5) and view.tabs.tabText(5) == "Je Anliegen"
    split = view.models["splitTable"]
    assert split.table is not None and split.table.columns[:3] == (
        "Anliegen",
        "Ankünfte",
        "Bedient",
    )
    assert [row[:6] for row in split.table.rows] == [
        (A, 3, 2, 0, 1, 0),
        (B, 2, 2, 0, 0, 1),
        (C, 1, 0, 1, 0, 0),
    ]
    assert split.table.columns[6:] == (
        "Wartezeit, Mittel (Min.)",
        "Wartezeit, 80 % innerhalb (Min.)",
        "Bearbeitung, Mittel (Min.)",
        "Bearbeitung, 80 % innerhalb (Min.)",
        "Servicelevel",
    )
    handling = {row[0]: row[8:10] for row in split.table.rows}
    assert handling == {A: (7.5, 10.0), B: (10.0, 13.0), C: (None, None)}
    assert _texts(split)[1][8] == "10,0"
    assert _texts(split)[2][8] == "–"
    # Waits per hour and service; the chart draws one line per service, with its legend.
    waits = view.models["waitsTable"]
    assert [row[:4] for row in waits.table.rows] == [
        ("08:00", A, 2, 5.0),
        ("08:00", C, 1, 8.0),
        ("08:00", B, 2, 26.5),
        ("09:00", A, 1, 3.0),
    ]
    lines = view.charts["waitsChart"].chart().series()
    assert [line.name() for line in lines] == [A, B, C]
    assert [(p.x(), p.y()) for p in lines[0].points()] == [(0, 5.0), (1, 3.0)]
    assert view.legends["waitsChart"].names() == [A, B, C]  # whole, under the chart
    # Handling times per hour, then per day, split the same way.
    assert view.tabs.tabText(1) == "Bearbeitungszeiten"
    per_hour = view.models["handlingTable"]
    assert _texts(per_hour)[0] == [
        "08:00", A, "1", "10,0", "10,0", "10,0", "10,0"
    ]  # fmt: skip
    assert [row[:4] for row in per_hour.table.rows] == [
        ("08:00", A, 1, 10.0),
        ("08:00", C, 0, None),
        ("08:00", B, 2, 10.0),
        ("09:00", A, 1, 5.0),
    ]
    view.handling_box.setCurrentIndex(view.handling_box.findData("day"))
    assert [row[:7] for row in view.models["handlingTable"].table.rows] == [
        ("2026-12-01", A, 2, 7.5, 5.0, 10.0, 10.0),
        ("2026-12-01", C, 0, None, None, None, None),
        ("2026-12-01", B, 2, 10.0, 7.0, 13.0, 13.0),
    ]
    handling_lines = view.charts["handlingChart"].chart().series()
    assert [(line.name(), [p.y() for p in line.points()]) for line in handling_lines] == [
        (A, [7.5]),
        (B, [10.0]),
        (C, []),
    ]
    # Outcomes: a row for all tickets, then one per service; a bar per service, stacked by
    # outcome, the most arrivals at the top.
    outcomes = view.models["outcomesTable"]
    assert outcomes.table is not None
    assert outcomes.table.columns == (
        "Anliegen",
        "Erledigt",
        "Unterlagen fehlen",
        "Nicht erschienen",
        "Storniert",
        "Weitergeleitet",
    )
    assert _texts(outcomes) == [
        ["Alle", "3", "1", "1", "1", "1"],
        [A, "2", "0", "0", "1", "0"],
        [B, "1", "1", "0", "0", "1"],
        [C, "0", "0", "1", "0", "0"],
    ]
    stacked = view.charts["outcomesChart"].chart().series()[0].barSets()
    assert [(bars.label(), [bars.at(i) for i in range(3)]) for bars in stacked] == [
        ("Erledigt", [0, 1, 2]),  # C, B, A from the bottom
        ("Unterlagen fehlen", [0, 1, 0]),
        ("Nicht erschienen", [1, 0, 0]),
        ("Storniert", [0, 0, 1]),
        ("Weitergeleitet", [0, 1, 0]),
    ]

    # The export holds the split and the handling times, headed by the split.
    view.export_to(tmp_path / "split.xlsx")
    book = load_workbook(tmp_path / "split.xlsx")
    assert book.sheetnames[:5] == [
        "Summen",
        "Je Anliegen",
        "Wartezeit je Tagesstunde",
        "Bearbeitungszeit je Tagesstunde",
        "Bearbeitungszeit je Tag",
    ]
    sheet = book["Je Anliegen"]
    assert [sheet.cell(row=r, column=2).value for r in range(2, 8)] == [
        "Bürgeramt Demo (demo)",
        "2026-11-30",
        "2026-12-06",
        "alle Anliegen",
        "alle Plätze",
        "Anliegen",
    ]
    rows = list(sheet.iter_rows(min_row=9, values_only=True))
    assert rows[0][:2] == ("Anliegen", "Ankünfte")
    assert [row[:3] for row in rows[1:]] == [(A, 3, 2), (B, 2, 2), (C, 1, 0)]
    assert [row[8] for row in rows[1:]] == [7.5, 10.0, None]
    per_day = list(book["Bearbeitungszeit je Tag"].iter_rows(min_row=10, values_only=True))
    assert per_day[2] == ("2026-12-01", B, 2, 10.0, 7.0, 13.0, 13.0)
    totals = {r[0]: r[1] for r in book["Summen"].iter_rows(min_row=10, values_only=True)}
    assert totals["Bearbeitung, 80 % innerhalb (Min.)"] == 13.0

    # Back to no split: the tab goes, the charts are bars of all tickets again.
    view.split_box.setCurrentIndex(0)
    with qtbot.waitSignal(view.shown, timeout=ANSWER_MS):
        view.show_button.click()
    assert not view.tabs.isTabVisible(5)
    mean, p80 = view.charts["handlingChart"].chart().series()[0].barSets()
    assert (mean.count(), mean.at(0), p80.at(0)) == (1, 8.75, 13.0)  # one day: every ticket


def _service(number: int) -> dict[str, Any]:
    prefix = "ABCDEFGH"[number]
    return {
        "id": number + 1,
        "prefix": prefix,
        "name": f"Anliegen {prefix}",
        "names": {"de": f"Anliegen {prefix}", "en": f"Service {prefix}"},
        "site": "demo",
    }


class _EightServices(_Answers):
    """Eight services, service H with the most arrivals (8), A with the fewest (1)."""

    def statistics(  # type: ignore[override]
        self, site: str, first: date, last: date, group: str | None = None, **filters: Any
    ) -> Statistics:
        if not filters.get("by"):
            return super().statistics(site, first, last, group)
        self.asked.append({"group": group, "by": filters["by"]})
        key = {"hour": "08", "day": "2026-12-01", None: None}[group]
        groups = [
            {"key": key, "service": _service(n), **figures(n + 1, n, 0, (float(n),) * 4)}
            for n in range(8)
        ]
        return answer(group or "", groups).model_copy(update={"by": "service"})


def test_many_services_the_charts_draw_the_six_with_most_arrivals_the_tables_all(
    qtbot: Any, tmp_path: Path
) -> None:
    client = _EightServices()
    view = StatisticsView(
        SupervisorController(client, "demo", SyncTasks()),
        client,
        ("demo",),
        Language("en"),
        SyncTasks(),
        today=date(2026, 12, 4),
    )
    qtbot.addWidget(view)
    view.split_box.setCurrentIndex(view.split_box.findData("service"))
    view.show_button.click()
    assert [a.get("by") for a in client.asked] == ["service", "service", None, "service"]
    assert view.tabs.tabText(5) == "Per service"
    split = view.models["splitTable"]
    assert [split.data(split.index(row, 0)) for row in range(split.rowCount())] == [
        f"{p} · Service {p}" for p in "HGFEDCBA"
    ]
    lines = view.charts["waitsChart"].chart().series()
    assert [line.name() for line in lines] == [f"{p} · Service {p}" for p in "HGFEDC"]
    assert view.charts["waitsChart"].chart().title() == (
        "Waits per hour of the day: the 6 of 8 with the most arrivals (all in the table)"
    )
    assert view.models["waitsTable"].rowCount() == 8
    assert len(view.legends["waitsChart"].names()) == 6
    outcomes = view.models["outcomesTable"]
    assert outcomes.rowCount() == 9  # all, then each of the eight
    stacked = view.charts["outcomesChart"].chart().series()[0].barSets()
    assert {bars.count() for bars in stacked} == {6}  # a bar for each of the six
