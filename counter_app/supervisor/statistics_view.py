"""The statistics of a period: filters, charts (QtCharts), every chart's figures in a table
beside it, and the export.

The figures are the server's (``counter_app.core.statistics``); a chart draws the numbers of the
table model beside it (``VALUE_ROLE``), so what a screen reader reads in the table is what the
chart shows.
"""

from __future__ import annotations

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

from counter_app.core.api import TresenClient
from counter_app.core.board import service_label
from counter_app.core.statistics import (
    Filters,
    Report,
    Table,
    export_csv,
    export_xlsx,
    heat_table,
    outcomes_table,
    read_report,
    service_level_table,
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
    ("serviceLevelTable", "serviceLevelChart", N_("Service level per day")),
    ("arrivalsHeatMap", "", N_("Arrivals by weekday and hour")),
    ("outcomesTable", "outcomesChart", N_("Outcomes")),
    ("totalsTable", "", N_("Totals")),
)


def ask_export_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    name, _chosen = QFileDialog.getSaveFileName(
        parent, title, suggested, "Excel (*.xlsx);;CSV (*.csv)"
    )
    return Path(name) if name else None


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
        today = today or date.today()

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
                page = QSplitter(Qt.Orientation.Horizontal)
                page.addWidget(chart)
                page.addWidget(view)
                page.setStretchFactor(0, 3)
                page.setStretchFactor(1, 2)
                page.setSizes([620, 580])
                self.tabs.addTab(page, "")
            else:
                self.tabs.addTab(view, "")
        self.tables["arrivalsHeatMap"].horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch
        )
        self.tables["arrivalsHeatMap"].horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )

        # What was read (or went wrong) beside the buttons, below the filters: one row for the
        # filters keeps the window within 1280 pixels.
        actions = QHBoxLayout()
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
        self.show_button.setText(tr(N_("&Show (Ctrl+Enter)")))
        self.export_button.setText(tr(N_("E&xport … (Ctrl+E)")))
        for index, (_t, _c, title) in enumerate(TABS):
            self.tabs.setTabText(index, tr(title))
        self._fill_filters()
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
        key = ORGANISATION + organisation.slug
        if self.site_box.findData(key) < 0:
            self.site_box.addItem(
                self.language(N_("All sites of {organisation}")).format(
                    organisation=organisation.name
                ),
                key,
            )
        if report.filters.organisation:
            for site in report.by_day.sites:
                if self.site_box.findData(site.slug) < 0:
                    self.site_box.insertItem(self.site_box.count() - 1, site.name, site.slug)

    def _on_failed(self, error: Exception) -> None:
        self.show_button.setEnabled(True)
        self._say(describe(error, self.language), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e; font-weight: bold;" if error else "")

    # Showing ---------------------------------------------------------------------------

    def _show(self, report: Report) -> None:
        tr = self.language
        made = {
            "waitsTable": waits_table(report, tr),
            "serviceLevelTable": service_level_table(report, tr),
            "arrivalsHeatMap": heat_table(report, tr),
            "outcomesTable": outcomes_table(report, tr),
            "totalsTable": totals_table(report, tr),
        }
        for name, table in made.items():
            self.models[name].set_table(table)
        self._draw_waits(made["waitsTable"])
        self._draw_service_level(made["serviceLevelTable"])
        self._draw_outcomes(made["outcomesTable"])

    def _values(self, name: str, column: int) -> list[float]:
        model = self.models[name]
        return [
            float(model.data(model.index(row, column), VALUE_ROLE) or 0)
            for row in range(model.rowCount())
        ]

    def _labels(self, name: str) -> list[str]:
        model = self.models[name]
        return [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]

    def _reset(self, name: str, title: str) -> QChart:
        chart = self.charts[name].chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        return chart

    def _draw_waits(self, table: Table) -> None:
        chart = self._reset("waitsChart", table.title)
        series = QBarSeries()
        for column, colour in zip(table.charted, ("#1565c0", "#90caf9"), strict=True):
            bars = QBarSet(table.columns[column])
            bars.setColor(QColor(colour))
            bars.append(self._values("waitsTable", column))
            series.append(bars)
        chart.addSeries(series)
        hours = [label[:2] for label in self._labels("waitsTable")]  # "08:00" -> "08"
        self._axes(chart, series, hours, self.language(N_("minutes")))

    def _draw_service_level(self, table: Table) -> None:
        chart = self._reset("serviceLevelChart", table.title)
        days = self._labels("serviceLevelTable")
        level = QLineSeries()
        level.setName(table.columns[3])
        goal = QLineSeries()
        goal.setName(table.columns[4])
        pen = QPen(QColor("#c62828"))
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(2)
        goal.setPen(pen)
        level.setPen(QPen(QColor("#1565c0"), 3))
        model = self.models["serviceLevelTable"]
        for row in range(len(days)):
            value = model.data(model.index(row, 3), VALUE_ROLE)
            if value is not None:
                level.append(row, 100 * float(value))
            goal.append(row, 100 * float(model.data(model.index(row, 4), VALUE_ROLE) or 0))
        level.setPointsVisible(True)
        chart.addSeries(level)
        chart.addSeries(goal)
        axis_x = QBarCategoryAxis()
        axis_x.append([day[5:] for day in days])  # MM-DD
        axis_x.setLabelsAngle(-60 if len(days) > 10 else 0)
        axis_y = QValueAxis()
        axis_y.setRange(0, 100)
        axis_y.setLabelFormat("%d %%")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for series in (level, goal):
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)

    def _draw_outcomes(self, table: Table) -> None:
        chart = self._reset("outcomesChart", table.title)
        series = QHorizontalBarSeries()
        bars = QBarSet(table.columns[1])
        bars.setColor(QColor("#1565c0"))
        bars.append(self._values("outcomesTable", 1))
        series.append(bars)
        chart.addSeries(series)
        chart.legend().hide()
        axis_y = QBarCategoryAxis()
        axis_y.append(self._labels("outcomesTable"))
        axis_x = QValueAxis()
        axis_x.setLabelFormat("%d")
        axis_x.setRange(0, max([*self._values("outcomesTable", 1), 1.0]))
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)

    def _axes(self, chart: QChart, series: QBarSeries, labels: list[str], unit: str) -> None:
        axis_x = QBarCategoryAxis()
        axis_x.append(labels)
        axis_y = QValueAxis()
        axis_y.setTitleText(unit)
        axis_y.setLabelFormat("%d")
        highest = max((s.at(i) for s in series.barSets() for i in range(s.count())), default=0)
        axis_y.setRange(0, max(5.0, highest * 1.1))
        axis_y.applyNiceNumbers()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)

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
                export_csv(self.report, path, self.language)
            else:
                path = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
                export_xlsx(self.report, path, self.language)
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
