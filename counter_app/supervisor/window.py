"""The supervisor's window: the live board (services, desks, alerts, steering) and the
statistics, on two tabs.

Every steering action has a function key, shown on its button, and a confirmation that names
what happens; the whole window works by keyboard (Ctrl+1 board, Ctrl+2 statistics).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import BoardDesk, BoardService
from counter_app.core.api import TresenClient
from counter_app.core.board import alert_rows, service_label
from counter_app.core.errors import ServerUnreachable
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.supervisor.controller import SupervisorController
from counter_app.supervisor.dialogs import (
    CancelTicketDialog,
    DeskServicesDialog,
    MoveTicketDialog,
    Plan,
    StopServiceDialog,
    confirm,
)
from counter_app.supervisor.models import DeskBoardModel, ServiceBoardModel
from counter_app.supervisor.statistics_view import AskPath, StatisticsView, ask_export_path

STYLE = """
#liveBanner { background: #b3261e; color: white; font-weight: bold; padding: 6px; }
#steeringMessage { padding: 4px; }
#titleLabel { font-size: 15px; font-weight: bold; }
QTableView { font-size: 13px; }
"""

# (object name, label, key) of the steering buttons, in their order on screen.
STEERING = (
    ("deskServicesButton", N_("Services of the desk …"), "F5"),
    ("stopServiceButton", N_("Stop issuing …"), "F6"),
    ("resumeServiceButton", N_("Resume issuing …"), "F7"),
    ("moveTicketButton", N_("Move a ticket …"), "F8"),
    ("cancelTicketButton", N_("Cancel a ticket …"), "F9"),
)


def _board_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setTabKeyNavigation(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class SupervisorWindow(QMainWindow):
    def __init__(
        self,
        controller: SupervisorController,
        client: TresenClient,
        language: Language,
        user_name: str,
        sites: tuple[str, ...] = (),
        today: date | None = None,
        ask_path: AskPath = ask_export_path,
    ) -> None:
        super().__init__()
        self.setObjectName("supervisorWindow")
        self.setStyleSheet(STYLE)
        self.controller = controller
        self.language = language
        self.user_name = user_name
        #: The dialog or confirmation open now (tests and automation reach it here).
        self.dialog: QWidget | None = None

        self.title = QLabel()
        self.title.setObjectName("titleLabel")
        self.live_banner = QLabel()
        self.live_banner.setObjectName("liveBanner")
        self.live_banner.hide()
        self.language_button = QPushButton()
        self.language_button.setObjectName("languageButton")
        self.language_button.clicked.connect(self._on_language_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.language_button)

        # The board ---------------------------------------------------------------------
        self.service_model = ServiceBoardModel(controller, language)
        self.service_board = _board_view("serviceBoard")
        self.service_board.setModel(self.service_model)
        self.desk_model = DeskBoardModel(controller, language)
        self.desk_board = _board_view("deskBoard")
        self.desk_board.setModel(self.desk_model)
        self.alert_list = QListWidget()
        self.alert_list.setObjectName("alertList")
        self.alert_list.setWordWrap(True)
        self.section_labels = [QLabel() for _ in range(3)]
        for label, view in zip(
            self.section_labels,
            (self.service_board, self.desk_board, self.alert_list),
            strict=True,
        ):
            label.setBuddy(view)
            label.setStyleSheet("font-weight: bold;")
        self._keep_selection(self.service_board, lambda row: self.service_model.rows[row].id)
        self._keep_selection(self.desk_board, lambda row: self.desk_model.rows[row].code)
        for view in (self.service_board, self.desk_board):
            view.selectionModel().currentChanged.connect(lambda *_: self._enable())

        self.buttons: dict[str, QPushButton] = {}
        steering = QGridLayout()
        actions: dict[str, Callable[[], None]] = {
            "deskServicesButton": self.ask_desk_services,
            "stopServiceButton": self.ask_stop_service,
            "resumeServiceButton": self.ask_resume_service,
            "moveTicketButton": self.ask_move_ticket,
            "cancelTicketButton": self.ask_cancel_ticket,
        }
        for index, (name, _label, key) in enumerate(STEERING):
            button = QPushButton()
            button.setObjectName(name)
            button.clicked.connect(actions[name])
            QShortcut(QKeySequence(key), self, button.click)
            steering.addWidget(button, index, 0)
            self.buttons[name] = button
        self.steering_message = QLabel()
        self.steering_message.setObjectName("steeringMessage")
        self.steering_message.setWordWrap(True)

        # Services across the whole width (their columns are many); below them the desks, and
        # beside the desks the alerts and the steering buttons.
        boxes = []
        for label, view in zip(
            self.section_labels[:2], (self.service_board, self.desk_board), strict=True
        ):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(label)
            column.addWidget(view)
            boxes.append(box)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.section_labels[2])
        right_column.addWidget(self.alert_list, 1)
        right_column.addLayout(steering)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(boxes[1])
        lower.addWidget(right)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([760, 480])
        board_split = QSplitter(Qt.Orientation.Vertical)
        board_split.addWidget(boxes[0])
        board_split.addWidget(lower)
        board_split.setStretchFactor(0, 2)
        board_split.setStretchFactor(1, 3)
        board_split.setSizes([230, 380])
        board_page = QWidget()
        board_page.setObjectName("boardPage")
        board_layout = QVBoxLayout(board_page)
        board_layout.addWidget(board_split, 1)
        board_layout.addWidget(self.steering_message)

        # The statistics ----------------------------------------------------------------
        self.statistics = StatisticsView(
            controller, client, sites, language, controller.tasks, today, ask_path
        )

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(board_page, "")
        self.tabs.addTab(self.statistics, "")
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.tabs.setCurrentIndex(0))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.tabs.setCurrentIndex(1))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.live_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        controller.changed.connect(self._on_controller_changed)
        controller.steered.connect(self._on_controller_steered)
        controller.failed.connect(self._on_controller_failed)
        controller.connection.connect(self._on_controller_connection)
        language.changed.connect(lambda _code: self.retranslate())
        self.retranslate()
        self.service_board.setFocus()

    # Texts -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        self.setWindowTitle(
            tr(N_("Tresen · Supervisor · {site}")).format(site=self.controller.site_name)
        )
        self.title.setText(
            tr(N_("{site} · signed in: {user}")).format(
                site=self.controller.site_name, user=self.user_name
            )
        )
        self.language_button.setText(tr(N_("Deutsch / English")))
        for label, text in zip(
            self.section_labels,
            (N_("&Services today"), N_("D&esks"), N_("&Alerts")),
            strict=True,
        ):
            label.setText(tr(text))
        for name, caption, key in STEERING:
            self.buttons[name].setText(f"{tr(caption)} ({key})")
        self.tabs.setTabText(0, tr(N_("Board (Ctrl+1)")))
        self.tabs.setTabText(1, tr(N_("Statistics (Ctrl+2)")))
        self.live_banner.setText(
            tr(N_("No live connection to the server: the board may be out of date."))
        )
        self._fill_alerts()

    def _on_language_clicked(self) -> None:
        self.language.set("en" if self.language.code == "de" else "de")

    # The board -------------------------------------------------------------------------

    def _keep_selection(self, view: QTableView, key_of: Callable[[int], object]) -> None:
        """Keep the chosen row (by its desk or service) across the model's resets."""
        model = view.model()
        kept: list[object] = []

        def remember() -> None:
            kept.clear()
            rows = view.selectionModel().selectedRows() if view.selectionModel() else []
            if rows:
                kept.append(key_of(rows[0].row()))

        def restore() -> None:
            for row in range(model.rowCount()):
                if kept and key_of(row) == kept[0]:
                    self._select(view, row)
                    return
            if model.rowCount() and not kept:
                view.setCurrentIndex(model.index(0, 0))

        model.modelAboutToBeReset.connect(remember)
        model.modelReset.connect(restore)

    @staticmethod
    def _select(view: QTableView, row: int) -> None:
        index = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _on_controller_changed(self) -> None:
        self.retranslate()  # the site's name may have arrived
        self._enable()

    def _enable(self) -> None:
        service = self.chosen_service()
        waiting = bool(self.controller.waiting)
        self.buttons["deskServicesButton"].setEnabled(self.chosen_desk() is not None)
        self.buttons["stopServiceButton"].setEnabled(service is not None and not service.stopped)
        self.buttons["resumeServiceButton"].setEnabled(service is not None and service.stopped)
        self.buttons["moveTicketButton"].setEnabled(waiting)
        self.buttons["cancelTicketButton"].setEnabled(waiting or bool(self.controller.parked))

    def _fill_alerts(self) -> None:
        board = self.controller.board
        self.alert_list.clear()
        if board is None:
            return
        rows = alert_rows(board, self.language, self.language.code, self.controller.zone)
        if not rows:
            self.alert_list.addItem(self.language(N_("No alerts.")))
            return
        for row in rows:
            item = QListWidgetItem(f"{row.time}  {row.text}")
            item.setData(Qt.ItemDataRole.UserRole, row.kind)
            self.alert_list.addItem(item)

    def chosen_service(self) -> BoardService | None:
        board = self.controller.board
        index = self.service_board.currentIndex()
        if board is None or not index.isValid() or index.row() >= len(self.service_model.rows):
            return None
        service_id = self.service_model.rows[index.row()].id
        return next((s for s in board.services if s.id == service_id), None)

    def chosen_desk(self) -> BoardDesk | None:
        board = self.controller.board
        index = self.desk_board.currentIndex()
        if board is None or not index.isValid() or index.row() >= len(self.desk_model.rows):
            return None
        code = self.desk_model.rows[index.row()].code
        return next((d for d in board.desks if d.code == code), None)

    def choose_desk(self, code: str) -> None:
        for row, desk_row in enumerate(self.desk_model.rows):
            if desk_row.code == code:
                self._select(self.desk_board, row)

    def choose_service(self, prefix: str) -> None:
        for row, service_row in enumerate(self.service_model.rows):
            if service_row.prefix == prefix:
                self._select(self.service_board, row)

    # Steering --------------------------------------------------------------------------

    def _confirm(self, plan: Plan) -> None:
        box = confirm(self, plan, self.language)
        self.dialog = box
        box.finished.connect(lambda _result: self._closed(box))

    def _open(self, dialog: QDialog, on_accepted: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.accepted.connect(on_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def ask_desk_services(self) -> None:
        desk = self.chosen_desk()
        board = self.controller.board
        if desk is None or board is None:
            return
        dialog = DeskServicesDialog(desk, board.services, self.language, self)

        def chosen() -> None:
            ids, prefixes = dialog.chosen(), dialog.chosen_prefixes()
            tr = self.language
            if ids:
                question = tr(
                    N_("{desk} will call {services}, in this order, from its next call on.")
                ).format(desk=desk.name, services=", ".join(prefixes))
            else:
                question = tr(
                    N_("{desk} will call no service: only tickets forwarded to it.")
                ).format(desk=desk.name)
            done = tr(N_("{desk} now calls {services}.")).format(
                desk=desk.name, services=", ".join(prefixes) or "–"
            )
            self._confirm(
                Plan(
                    question,
                    done,
                    lambda said: self.controller.set_desk_services(desk.code, ids, said),
                )
            )

        self._open(dialog, chosen)

    def ask_stop_service(self) -> None:
        service = self.chosen_service()
        if service is None or service.stopped:
            return
        dialog = StopServiceDialog(service, self.language, self)

        def chosen() -> None:
            reason = dialog.chosen_reason()
            tr = self.language
            label = service_label(service, self.language.code)
            self._confirm(
                Plan(
                    tr(
                        N_(
                            "Stop issuing tickets for {service} for the rest of today? The "
                            "kiosk then shows that there are no more tickets for it today; the "
                            "{waiting} waiting are still called."
                        )
                    ).format(service=label, waiting=service.waiting),
                    tr(N_("{service} issues no more tickets today.")).format(service=label),
                    lambda said: self.controller.stop_service(service.id, reason, said),
                )
            )

        self._open(dialog, chosen)

    def ask_resume_service(self) -> None:
        service = self.chosen_service()
        if service is None or not service.stopped:
            return
        tr = self.language
        label = service_label(service, self.language.code)
        self._confirm(
            Plan(
                tr(
                    N_("Issue tickets for {service} again today? The kiosk offers it at once.")
                ).format(service=label),
                tr(N_("{service} issues tickets again.")).format(service=label),
                lambda said: self.controller.resume_service(service.id, said),
            )
        )

    def ask_move_ticket(self) -> None:
        board = self.controller.board
        if board is None:
            return
        dialog = MoveTicketDialog(self.controller.waiting, board.services, self.language, self)

        def chosen() -> None:
            ticket = dialog.chosen_ticket()
            if ticket is None:
                return
            target = dialog.chosen_service()
            reason = dialog.reason.text().strip()
            tr = self.language
            label = dialog.labels.get(target, "?")
            self._confirm(
                Plan(
                    tr(
                        N_(
                            "Move {number} to {service}? It keeps its number and its place in "
                            "the queue; the desks of {service} call it."
                        )
                    ).format(number=ticket.number, service=label),
                    tr(N_("{number} now waits for {service}.")).format(
                        number=ticket.number, service=label
                    ),
                    lambda said: self.controller.move_ticket(ticket.id, target, reason, said),
                )
            )

        self._open(dialog, chosen)

    def ask_cancel_ticket(self) -> None:
        board = self.controller.board
        if board is None:
            return
        tickets = (*self.controller.waiting, *self.controller.parked)
        prefixes = {s.id: s.prefix for s in board.services}
        dialog = CancelTicketDialog(tickets, prefixes, self.language, self)

        def chosen() -> None:
            ticket = dialog.chosen_ticket()
            if ticket is None:
                return
            reason = dialog.reason.text().strip()
            tr = self.language
            self._confirm(
                Plan(
                    tr(
                        N_(
                            "Cancel {number}? Nobody calls it any more; the citizen's status "
                            "page says the ticket is no longer valid. The reason is kept with "
                            "the case only."
                        )
                    ).format(number=ticket.number),
                    tr(N_("{number} is cancelled.")).format(number=ticket.number),
                    lambda said: self.controller.cancel_ticket(ticket.id, reason, said),
                )
            )

        self._open(dialog, chosen)

    # What the controller says ----------------------------------------------------------

    def _on_controller_steered(self, said: str) -> None:
        self.steering_message.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.steering_message.setText(said)

    def _on_controller_failed(self, error: Exception) -> None:
        self.steering_message.setStyleSheet("color: #b3261e; font-weight: bold;")
        if isinstance(error, ServerUnreachable):  # the clerk's words speak of an outbox
            text = self.language(
                N_(
                    "The server cannot be reached: nothing was changed, and the board shows "
                    "what it read last."
                )
            )
        else:
            text = describe(error, self.language)
        self.steering_message.setText(text)

    def _on_controller_connection(self, up: bool) -> None:
        self.live_banner.setVisible(not up)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.controller.stop()
        super().closeEvent(event)
