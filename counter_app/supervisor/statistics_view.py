"""The statistics of a period: filters, a split by service, desk or clerk, charts (QtCharts),
every chart's figures in a table beside it, and the export.

The figures are the server's (``counter_app.core.statistics``); a chart draws the numbers of the
table model beside it (``VALUE_ROLE``), so what a screen reader reads in the table is what the
chart shows. Split, a chart draws one series (with its legend) for each of the services, desks
or clerks with the most arrivals (``CHARTED_SERIES``); the table beside it holds all of them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import StatisticsOrganisation, StatisticsSite
from counter_app.core.api import TresenClient
from counter_app.core.board import service_label
from counter_app.core.statistics import (
    CHARTED_SERIES,
    SPLIT_LABELS,
    SPLITS,
    Filters,
    Reach,
    Report,
    Table,
    export_csv,
    export_xlsx,
    handling_table,
    heat_table,
    outcomes_table,
    read_reach,
    read_report,
    service_level_table,
    split_table,
    totals_table,
    waits_table,
)
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import SyncTasks, Tasks
from counter_app.supervisor.controller import SupervisorController
from counter_app.supervisor.models import VALUE_ROLE, TableModel

#: Asks where to save the export: (suggested name) -> the path chosen, or None.
AskPath = Callable[[QWidget, str, str], Path | None]

#: The site filter's value for all sites of an organisation: this, then the organisation's slug.
ORGANISATION = "organisation:"

#: (object name of the table, of the chart, title) of each tab, in order.
TABS = (
    ("waitsTable", "waitsChart", N_("Waits per hour")),
    ("handlingTable", "handlingChart", N_("Handling times")),
    ("serviceLevelTable", "serviceLevelChart", N_("Service level per day")),
    ("arrivalsHeatMap", "", N_("Arrivals by weekday and hour")),
    ("outcomesTable", "outcomesChart", N_("Outcomes")),
    ("splitTable", "", N_("Per service, desk or clerk")),
    ("totalsTable", "", N_("Totals")),
)
#: The tab of the figures per service, desk or clerk: shown only when split.
SPLIT_TAB = 5
#: The colours of a split chart's series, one each (``CHARTED_SERIES``), told apart also in
#: grey (a printout, colour blindness): dark and light alternate.
SERIES_COLOURS = ("#1565c0", "#ef6c00", "#2e7d32", "#ad1457", "#6a1b9a", "#00838f")
assert len(SERIES_COLOURS) >= CHARTED_SERIES
#: The colours of the outcomes stacked in a split chart, one per column of the table in turn.
OUTCOME_COLOURS = (
    "#2e7d32",
    "#f9a825",
    "#6a1b9a",
    "#00838f",
    "#ad1457",
    "#8d6e63",
    "#9e9e9e",
    "#616161",
    "#1565c0",
)


def ask_export_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    name, _chosen = QFileDialog.getSaveFileName(
        parent, title, suggested, "Excel (*.xlsx);;CSV (*.csv)"
    )
    return Path(name) if name else None


def _short(key: str) -> str:
    """An axis label: ``08:00`` as ``08``, ``2026-12-01`` as ``12-01``."""
    if len(key) == 5 and key[2] == ":":
        return key[:2]
    if len(key) == 10 and key[4] == "-":
        return key[5:]
    return key


def charted_names(split: TableModel) -> list[str]:
    """The series the charts draw: the first rows of the split table (most arrivals first)."""
    rows = min(split.rowCount(), CHARTED_SERIES)
    return [str(split.data(split.index(row, 0), VALUE_ROLE)) for row in range(rows)]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _table_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _chart_view(name: str) -> QChartView:
    chart = QChart()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumWidth(420)
    return view


class Legend(QWidget):
    """A split chart's legend as labels under it, on as many lines as it takes: Qt's own
    legend keeps to one line and cuts long names ("A · Anmeldung und Um…")."""

    def __init__(self, name: str, columns: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self.columns = columns
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 0, 8, 4)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(2)
        self.labels: list[QLabel] = []
        self.hide()

    def set_entries(self, entries: list[tuple[str, str]]) -> None:
        """(name, colour) of each series; none: hidden."""
        for label in self.labels:
            self.grid.removeWidget(label)
            label.deleteLater()
        self.labels = []
        for index, (name, colour) in enumerate(entries):
            label = QLabel(f'<span style="color:{colour}">■</span> {html.escape(name)}')
            label.setAccessibleName(name)
            label.setWordWrap(True)
            self.grid.addWidget(label, index // self.columns, index % self.columns)
            self.labels.append(label)
        self.setVisible(bool(entries))

    def names(self) -> list[str]:
        return [label.accessibleName() for label in self.labels]


class StatisticsView(QWidget):
    #: A report was read and shown.
    shown = Signal()
    #: An export was written: its path.
    exported = Signal(object)

    def __init__(
        self,
        controller: SupervisorController,
        client: TresenClient,
        sites: tuple[str, ...],
        language: Language,
        tasks: Tasks | SyncTasks,
        today: date | None = None,
        ask_path: AskPath = ask_export_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statisticsView")
        self.controller = controller
        self.client = client
        self.language = language
        self.tasks = tasks
        self.ask_path = ask_path
        self.report: Report | None = None
        #: What the server said the user may read (``learn_sites``), once it has answered.
        self.reach: Reach | None = None
        #: The services, desks or clerks the charts draw (split; most arrivals first).
        self.charted: list[str] = []
        today = today or date.today()
        self.today = today

        self.site_box = QComboBox()
        self.site_box.setObjectName("siteFilter")
        for site in sites or (controller.site,):
            self.site_box.addItem(site, site)
        self.site_box.setCurrentIndex(max(0, self.site_box.findData(controller.site)))
        self.site_box.currentIndexChanged.connect(self._on_site_changed)
        self.period_from = QDateEdit(_qdate(today.replace(day=1)))
        self.period_from.setObjectName("periodFrom")
        self.period_to = QDateEdit(_qdate(today))
        self.period_to.setObjectName("periodTo")
        for edit in (self.period_from, self.period_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.service_box = QComboBox()
        self.service_box.setObjectName("serviceFilter")
        self.desk_box = QComboBox()
        self.desk_box.setObjectName("deskFilter")
        # Wide enough for a site's or service's name, never wider: the filters share one row.
        for box in (self.site_box, self.service_box, self.desk_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(18 if box is not self.desk_box else 12)
        self.split_box = QComboBox()
        self.split_box.setObjectName("splitBy")
        self.split_box.addItem("", None)
        for by in SPLITS:
            self.split_box.addItem("", by)
        self.split_label = QLabel()
        self.split_label.setBuddy(self.split_box)
        self.handling_box = QComboBox()
        self.handling_box.setObjectName("handlingGroup")
        self.handling_box.addItem("", "hour")
        self.handling_box.addItem("", "day")
        self.handling_box.currentIndexChanged.connect(self._on_handling_group_changed)
        self.handling_label = QLabel()
        self.handling_label.setBuddy(self.handling_box)
        self.show_button = QPushButton()
        self.show_button.setObjectName("showStatisticsButton")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.show_figures)
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportButton")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.show_button.click)
        QShortcut(QKeySequence("Ctrl+E"), self, self.export_button.click)

        self.filter_labels: list[QLabel] = []
        filters = QHBoxLayout()
        for widget in (
            self.site_box,
            self.period_from,
            self.period_to,
            self.service_box,
            self.desk_box,
        ):
            label = QLabel()
            label.setBuddy(widget)
            self.filter_labels.append(label)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addStretch(1)

        self.message = QLabel()
        self.message.setObjectName("statisticsMessage")
        self.message.setWordWrap(True)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("statisticsTabs")
        self.models: dict[str, TableModel] = {}
        self.tables: dict[str, QTableView] = {}
        self.charts: dict[str, QChartView] = {}
        #: The legend under each chart when split (``waitsLegend`` ...).
        self.legends: dict[str, Legend] = {}
        #: Each chart beside its table: split, the tables take more room (more columns).
        self.splitters: list[QSplitter] = []
        for table_name, chart_name, _title in TABS:
            model = TableModel(language, self)
            model.heat = table_name == "arrivalsHeatMap"
            view = _table_view(table_name)
            view.setModel(model)
            self.models[table_name] = model
            self.tables[table_name] = view
            if chart_name:
                chart = _chart_view(chart_name)
                self.charts[chart_name] = chart
                legend = Legend(
                    chart_name.replace("Chart", "Legend"), 3 if "outcomes" in chart_name else 2
                )
                self.legends[chart_name] = legend
                drawn = QWidget()
                drawn_layout = QVBoxLayout(drawn)
                drawn_layout.setContentsMargins(0, 0, 0, 0)
                drawn_layout.setSpacing(0)
                drawn_layout.addWidget(chart, 1)
                drawn_layout.addWidget(legend)
                split = QSplitter(Qt.Orientation.Horizontal)
                split.addWidget(drawn)
                split.addWidget(view)
                split.setStretchFactor(0, 3)
                split.setStretchFactor(1, 2)
                split.setSizes([620, 580])
                self.splitters.append(split)
                page: QWidget = split
                if table_name == "handlingTable":  # per hour of the day or per day
                    page = QWidget()
                    choice = QHBoxLayout()
                    choice.addWidget(self.handling_label)
                    choice.addWidget(self.handling_box)
                    choice.addStretch(1)
                    column = QVBoxLayout(page)
                    column.setContentsMargins(0, 0, 0, 0)
                    column.addLayout(choice)
                    column.addWidget(split, 1)
                self.tabs.addTab(page, "")
            else:
                self.tabs.addTab(view, "")
        self.tabs.setTabVisible(SPLIT_TAB, False)
        self.tables["arrivalsHeatMap"].horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch
        )
        self.tables["arrivalsHeatMap"].horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )

        # What was read (or went wrong) beside the buttons, below the filters: one row for the
        # filters keeps the window within 1280 pixels.
        actions = QHBoxLayout()
        actions.addWidget(self.split_label)
        actions.addWidget(self.split_box)
        actions.addSpacing(12)
        actions.addWidget(self.message, 1)
        actions.addWidget(self.show_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)

        controller.changed.connect(self._fill_filters)
        language.changed.connect(lambda _code: self.retranslate())
        self.retranslate()
        self._fill_filters()

    # Texts -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        for label, text in zip(
            self.filter_labels,
            (N_("S&ite"), N_("&From"), N_("&To"), N_("Ser&vice"), N_("&Desk")),
            strict=True,
        ):
            label.setText(tr(text))
        self.split_label.setText(tr(N_("S&plit by")))
        self.split_box.setItemText(0, tr(N_("none")))
        for index, by in enumerate(SPLITS, start=1):
            self.split_box.setItemText(index, tr(SPLIT_LABELS[by]))
        self.handling_label.setText(tr(N_("Handling times &per")))
        self.handling_box.setItemText(0, tr(N_("hour of the day")))
        self.handling_box.setItemText(1, tr(N_("day")))
        self.show_button.setText(tr(N_("&Show (Ctrl+Enter)")))
        self.export_button.setText(tr(N_("E&xport … (Ctrl+E)")))
        for index, (_t, _c, title) in enumerate(TABS):
            self.tabs.setTabText(index, tr(title))
        self._fill_filters()
        self._offer_clerks()
        if self.report is not None:
            self._show(self.report)

    def _fill_filters(self) -> None:
        """The service and desk filters: those of the board's site (another site: all)."""
        tr = self.language
        own_index = self.site_box.findData(self.controller.site)
        if own_index >= 0:  # the site by its name once the server has said it
            self.site_box.setItemText(own_index, self.controller.site_name)
            self.site_box.updateGeometry()
        own = self.site_box.currentData() == self.controller.site  # not another, nor all
        board = self.controller.board
        for box, items in (
            (
                self.service_box,
                [
                    (service_label(s, self.language.code), s.id)
                    for s in (board.services if board and own else ())
                ],
            ),
            (
                self.desk_box,
                [(d.name, d.id) for d in (board.desks if board and own else ())],
            ),
        ):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(tr(N_("all")), None)
            for text, value in items:
                box.addItem(text, value)
            box.setCurrentIndex(max(0, box.findData(chosen)))
            box.blockSignals(False)
            box.setEnabled(own)

    def _on_site_changed(self, _index: int) -> None:
        self._fill_filters()
        self._offer_clerks()

    def _offer_clerks(self) -> None:
        """The split per clerk only where every site chosen allows figures per clerk (the
        site file's ``staff_statistics``), as far as the server has said."""
        chosen = str(self.site_box.currentData())
        allowed = self.reach.clerk_sites if self.reach is not None else frozenset()
        if chosen.startswith(ORGANISATION):
            slugs = {s.slug for s in self.reach.sites} if self.reach is not None else {chosen}
        else:
            slugs = {chosen}
        may = bool(slugs) and slugs <= allowed
        item = self.split_box.model().item(self.split_box.findData("clerk"))  # type: ignore[attr-defined]
        item.setEnabled(may)
        item.setToolTip(
            "" if may else self.language(N_("Figures per clerk are switched off for this site."))
        )
        if not may and self.split_box.currentData() == "clerk":
            self.split_box.setCurrentIndex(0)

    def learn_sites(self) -> None:
        """Ask the server which sites the user may read and whether figures per clerk are
        allowed there, so the site filter offers them before the first report."""
        self.tasks.run(
            read_reach,
            self.client,
            self.controller.site,
            self.today,
            on_done=self._on_reach,
            on_error=lambda _error: None,  # the filter keeps the user's own sites
        )

    def _on_reach(self, reach: Reach) -> None:
        self.reach = reach
        if reach.organisation is not None:
            self._offer_sites(reach.organisation, reach.sites)
        self._offer_clerks()

    # Reading ---------------------------------------------------------------------------

    def filters(self) -> Filters:
        chosen = str(self.site_box.currentData())
        organisation = (
            chosen.removeprefix(ORGANISATION) if chosen.startswith(ORGANISATION) else None
        )
        site = self.controller.site if organisation else chosen
        service = self.service_box.currentData()
        desk = self.desk_box.currentData()
        name = self.controller.site_name if site == self.controller.site else site
        by = self.split_box.currentData()
        return Filters(
            site=site,
            site_name=self.site_box.currentText() if organisation else name,
            organisation=organisation,
            first=self.period_from.date().toPython(),  # type: ignore[arg-type]
            last=self.period_to.date().toPython(),  # type: ignore[arg-type]
            service_id=int(service) if service is not None else None,
            service_label=self.service_box.currentText() if service is not None else "",
            desk=int(desk) if desk is not None else None,
            desk_label=self.desk_box.currentText() if desk is not None else "",
            by=str(by) if by else None,
        )

    def set_period(self, first: date, last: date) -> None:
        self.period_from.setDate(_qdate(first))
        self.period_to.setDate(_qdate(last))

    def show_figures(self) -> None:
        filters = self.filters()
        problem = filters.problem()
        if problem is not None:
            self._say(self.language(problem), error=True)
            return
        self._say(self.language(N_("Reading the figures …")))
        self.show_button.setEnabled(False)
        self.tasks.run(
            read_report, self.client, filters, on_done=self._on_read, on_error=self._on_failed
        )

    def _on_read(self, report: Report) -> None:
        self.show_button.setEnabled(True)
        self.report = report
        self._offer_organisation(report)
        self._show(report)
        self.export_button.setEnabled(True)
        f = report.filters
        self._say(
            self.language(N_("{site}, {first} to {last}: {arrivals} tickets.")).format(
                site=f.site_name,
                first=f.first.isoformat(),
                last=f.last.isoformat(),
                arrivals=report.totals.arrivals,
            )
        )
        self.shown.emit()

    def _offer_organisation(self, report: Report) -> None:
        """Once an answer names the site's organisation, the site filter offers all its
        sites together, and each of them (the server decides who may read which)."""
        organisation = report.by_day.organisation
        if organisation is None:
            return
        self._offer_sites(organisation, report.by_day.sites if report.filters.organisation else ())

    def _offer_sites(
        self, organisation: StatisticsOrganisation, sites: tuple[StatisticsSite, ...]
    ) -> None:
        """All sites of ``organisation`` together (last), and each of ``sites`` by its name."""
        key = ORGANISATION + organisation.slug
        if self.site_box.findData(key) < 0:
            self.site_box.addItem(
                self.language(N_("All sites of {organisation}")).format(
                    organisation=organisation.name
                ),
                key,
            )
        for site in sites:
            index = self.site_box.findData(site.slug)
            if index < 0:
                self.site_box.insertItem(self.site_box.findData(key), site.name, site.slug)
            elif site.slug != self.controller.site:
                self.site_box.setItemText(index, site.name)

    def _on_failed(self, error: Exception) -> None:
        self.show_button.setEnabled(True)
        self._say(describe(error, self.language), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e; font-weight: bold;" if error else "")

    # Showing ---------------------------------------------------------------------------

    def _show(self, report: Report) -> None:
        tr, code = self.language, self.language.code
        split = split_table(report, tr, code)
        made = {
            "waitsTable": waits_table(report, tr, code),
            "handlingTable": handling_table(report, tr, code, self.handling_box.currentData()),
            "serviceLevelTable": service_level_table(report, tr, code),
            "arrivalsHeatMap": heat_table(report, tr),
            "outcomesTable": outcomes_table(report, tr, code),
            "splitTable": split,
            "totalsTable": totals_table(report, tr),
        }
        for name, table in made.items():
            self.models[name].set_table(table)
        self.tabs.setTabVisible(SPLIT_TAB, split is not None)
        if split is not None:
            self.tabs.setTabText(SPLIT_TAB, split.title)
        self.charted = charted_names(self.models["splitTable"]) if split else []
        for splitter in self.splitters:
            splitter.setSizes([520, 680] if split else [620, 580])
        self._draw_spread("waitsChart", "waitsTable")
        self._draw_spread("handlingChart", "handlingTable")
        self._draw_service_level()
        self._draw_outcomes()

    def _on_handling_group_changed(self, _index: int) -> None:
        if self.report is None:
            return
        tr, code = self.language, self.language.code
        table = handling_table(self.report, tr, code, self.handling_box.currentData())
        self.models["handlingTable"].set_table(table)
        self._draw_spread("handlingChart", "handlingTable")

    def _values(self, name: str, column: int) -> list[float]:
        model = self.models[name]
        return [
            float(model.data(model.index(row, column), VALUE_ROLE) or 0)
            for row in range(model.rowCount())
        ]

    def _labels(self, name: str) -> list[str]:
        model = self.models[name]
        return [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]

    def _title(self, table: Table, split: bool | None = None) -> str:
        """The table's title; split into more series than a chart draws, which it draws."""
        if split is None:
            split = table.series_column is not None
        rows = self.models["splitTable"].rowCount()
        if not split or rows <= len(self.charted):
            return table.title
        return self.language(
            N_("{title}: the {shown} of {all} with the most arrivals (all in the table)")
        ).format(title=table.title, shown=len(self.charted), all=rows)

    def _reset(self, name: str, title: str) -> QChart:
        chart = self.charts[name].chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        chart.legend().show()
        self.legends[name].set_entries([])
        return chart

    def _legend(self, name: str, entries: list[tuple[str, str]]) -> None:
        """Split: the series named under the chart, each on its own, instead of Qt's legend."""
        self.charts[name].chart().legend().hide()
        self.legends[name].set_entries(entries)

    def _series_legend(self) -> list[tuple[str, str]]:
        return list(zip(self.charted, SERIES_COLOURS, strict=False))

    def _series_rows(self, name: str, value_column: int) -> tuple[list[str], dict[str, list]]:
        """A split table's keys (hours or days, in the table's order) and, for each charted
        series, its (key's index, value) points where it has a value."""
        model = self.models[name]
        table = model.table
        assert table is not None and table.series_column is not None
        keys: list[str] = []
        points: dict[str, list[tuple[int, float]]] = {n: [] for n in self.charted}
        for row in range(model.rowCount()):
            key = str(model.data(model.index(row, 0), VALUE_ROLE))
            if key not in keys:
                keys.append(key)
            who = model.data(model.index(row, table.series_column), VALUE_ROLE)
            value = model.data(model.index(row, value_column), VALUE_ROLE)
            if who in points and value is not None:
                points[who].append((keys.index(key), float(value)))
        return keys, points

    def _lines(
        self, chart: QChart, keys: list[str], points: dict[str, list], scale: float = 1.0
    ) -> list[QLineSeries]:
        lines = []
        for name, colour in zip(self.charted, SERIES_COLOURS, strict=False):
            line = QLineSeries()
            line.setName(name)
            line.setPen(QPen(QColor(colour), 2))
            line.setPointsVisible(True)
            for x, y in points[name]:
                line.append(x, y * scale)
            chart.addSeries(line)
            lines.append(line)
        return lines

    def _draw_spread(self, chart_name: str, table_name: str) -> None:
        """Minutes per hour or day: the mean and the 80 % as bars; split, the mean of each
        charted series as a line."""
        table = self.models[table_name].table
        assert table is not None
        chart = self._reset(chart_name, self._title(table))
        unit = self.language(N_("minutes"))
        if table.series_column is None:
            series = QBarSeries()
            for column, colour in zip(table.charted, ("#1565c0", "#90caf9"), strict=True):
                bars = QBarSet(table.columns[column])
                bars.setColor(QColor(colour))
                bars.append(self._values(table_name, column))
                series.append(bars)
            chart.addSeries(series)
            labels = [_short(label) for label in self._labels(table_name)]
            highest = max((s.at(i) for s in series.barSets() for i in range(s.count())), default=0)
            self._axes(chart, [series], labels, unit, highest)
            return
        keys, points = self._series_rows(table_name, table.charted[0])
        lines = self._lines(chart, keys, points)
        self._legend(chart_name, self._series_legend())
        highest = max((y for p in points.values() for _x, y in p), default=0)
        self._axes(chart, lines, [_short(k) for k in keys], unit, highest)

    def _draw_service_level(self) -> None:
        model = self.models["serviceLevelTable"]
        table = model.table
        assert table is not None
        level_column, goal_column = table.charted
        chart = self._reset("serviceLevelChart", self._title(table))
        goal = QLineSeries()
        goal.setName(table.columns[goal_column])
        pen = QPen(QColor("#c62828"))
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(2)
        goal.setPen(pen)
        if table.series_column is None:
            days = self._labels("serviceLevelTable")
            level = QLineSeries()
            level.setName(table.columns[level_column])
            level.setPen(QPen(QColor("#1565c0"), 3))
            level.setPointsVisible(True)
            for row in range(len(days)):
                value = model.data(model.index(row, level_column), VALUE_ROLE)
                if value is not None:
                    level.append(row, 100 * float(value))
            chart.addSeries(level)
            lines = [level]
        else:
            days, points = self._series_rows("serviceLevelTable", level_column)
            lines = self._lines(chart, days, points, scale=100.0)
            goal_name = f"{table.columns[goal_column]} (- - -)"
            self._legend("serviceLevelChart", [*self._series_legend(), (goal_name, "#c62828")])
        goal_value = model.data(model.index(0, goal_column), VALUE_ROLE) if days else None
        for row in range(len(days)):
            goal.append(row, 100 * float(goal_value or 0))
        chart.addSeries(goal)
        axis_x = QBarCategoryAxis()
        axis_x.append([_short(day) for day in days])
        # Days side by side from 7 on would be cut ("11-…") beside the table: slanted.
        axis_x.setLabelsAngle(-60 if len(days) > 6 else 0)
        axis_y = QValueAxis()
        axis_y.setRange(0, 100)
        axis_y.setLabelFormat("%d %%")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for series in (*lines, goal):
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)

    def _draw_outcomes(self) -> None:
        """The tickets per outcome; split, a bar per charted series stacked by outcome."""
        model = self.models["outcomesTable"]
        table = model.table
        assert table is not None
        split = table.series_column is not None
        chart = self._reset("outcomesChart", self._title(table))
        series: QHorizontalBarSeries | QHorizontalStackedBarSeries
        axis_y = QBarCategoryAxis()
        if split:
            series = QHorizontalStackedBarSeries()
            # Row 0 holds all tickets; the most arrivals at the top (a horizontal chart draws
            # its first category lowest).
            rows = range(len(self.charted), 0, -1)
            for column, colour in zip(table.charted, OUTCOME_COLOURS, strict=False):
                bars = QBarSet(table.columns[column])
                bars.setColor(QColor(colour))
                bars.append([float(model.value(row, column) or 0) for row in rows])
                series.append(bars)
            axis_y.append([str(model.value(row, 0)) for row in rows])
            self._legend(
                "outcomesChart",
                [
                    (table.columns[column], colour)
                    for column, colour in zip(table.charted, OUTCOME_COLOURS, strict=False)
                ],
            )
            highest = max(
                (sum(float(v or 0) for v in table.rows[row][1:]) for row in rows), default=0
            )
        else:
            series = QHorizontalBarSeries()
            bars = QBarSet(table.columns[1])
            bars.setColor(QColor("#1565c0"))
            bars.append(self._values("outcomesTable", 1))
            series.append(bars)
            chart.legend().hide()
            axis_y.append(self._labels("outcomesTable"))
            highest = max(self._values("outcomesTable", 1), default=0)
        chart.addSeries(series)
        axis_x = QValueAxis()
        axis_x.setLabelFormat("%d")
        axis_x.setRange(0, max(highest, 1.0))
        axis_x.applyNiceNumbers()
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)

    def _axes(
        self,
        chart: QChart,
        series: list[QBarSeries] | list[QLineSeries],
        labels: list[str],
        unit: str,
        highest: float,
    ) -> None:
        axis_x = QBarCategoryAxis()
        axis_x.append(labels)
        axis_x.setLabelsAngle(-60 if len(labels) > 12 else 0)
        axis_y = QValueAxis()
        axis_y.setTitleText(unit)
        axis_y.setLabelFormat("%d")
        axis_y.setRange(0, max(5.0, highest * 1.1))
        axis_y.applyNiceNumbers()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for one in series:
            one.attachAxis(axis_x)
            one.attachAxis(axis_y)

    # Export ----------------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        if self.report is None:
            return
        f = self.report.filters
        where = f.organisation or f.site
        suggested = f"tresen-{where}-{f.first.isoformat()}-{f.last.isoformat()}.xlsx"
        path = self.ask_path(self, self.language(N_("Export the figures")), suggested)
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Write the figures shown to ``path``: CSV for ``.csv``, else an Excel workbook."""
        if self.report is None:
            return
        try:
            if path.suffix.lower() == ".csv":
                export_csv(self.report, path, self.language, self.language.code)
            else:
                path = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
                export_xlsx(self.report, path, self.language, self.language.code)
        except OSError as exc:
            self._say(
                self.language(N_("The file could not be written: {error}")).format(
                    error=exc.strerror or exc
                ),
                error=True,
            )
            return
        self._say(self.language(N_("Saved: {path}")).format(path=path))
        self.exported.emit(path)
