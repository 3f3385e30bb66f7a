"""The clerk's main window: the queue on the left, the citizen at the desk on the right.

Every action has a function key, shown on its button; the whole window works by keyboard.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.clerk.arrivals import ArrivalsDialog
from counter_app.clerk.controller import DeskController
from counter_app.clerk.desk_issue import CancelDialog, UrgentDialog
from counter_app.clerk.desk_window import CALL_NEXT, FINISH, NO_SHOW, RECALL, START, DeskWindow
from counter_app.clerk.dialogs import OrderDialog, OutcomeDialog, TransferDialog
from counter_app.clerk.queue_model import QueueModel, minutes_seconds
from counter_app.core.answers import ChecklistStep, Ticket
from counter_app.core.queue_reasons import appointment_text, clock_time, language_name
from counter_app.qt.i18n import N_, Language
from resources.vocabulary import DOCUMENT_KIND_LABELS, TICKET_STATUS_LABELS, PrinterState

#: A kiosk printer's state as the clerk reads it in the banner.
PRINTER_PROBLEMS: dict[str, str] = {
    PrinterState.PAPER_OUT: N_("printer out of paper"),
    PrinterState.COVER_OPEN: N_("printer cover open"),
    PrinterState.OFFLINE: N_("printer not answering"),
    PrinterState.ERROR: N_("printer fault"),
}

STYLE = """
QMainWindow { background: #f4f5f7; }
#offlineBanner { background: #b3261e; color: white; font-weight: bold; padding: 8px; }
#printerBanner { background: #fde68a; color: #111; font-weight: bold; padding: 8px; }
#parkedArea, #parkedArea > QWidget, #parkedRow { background: transparent; }
#deskStateBanner { background: #e0e7ff; color: #1e3a8a; font-weight: bold; padding: 8px; }
#noticeLabel { color: #1d4ed8; }
#errorLabel { color: #b3261e; font-weight: bold; }
#queueView::item { padding: 3px 4px; }
#currentTicketLabel { font-size: 56px; font-weight: bold; color: #111827; }
#ticketPanel, #casePanel, #queuePanel { background: white; border: 1px solid #d1d5db;
    border-radius: 6px; }
QPushButton { padding: 6px 10px; min-height: 30px; }
QPushButton:default { border: 2px solid #1d4ed8; }
#callNextButton, #finishNextButton { background: #1d4ed8; color: white; font-weight: bold; }
#callNextButton:disabled, #finishNextButton:disabled { background: #9ca3af; }
"""


class ClerkWindow(DeskWindow):
    ACTIONS = (
        CALL_NEXT,
        RECALL,
        NO_SHOW,
        START,
        ("parkButton", N_("Park"), "F6"),
        ("transferButton", N_("Forward"), "F8"),
        FINISH,
        ("finishNextButton", N_("Finish and call next"), "F10"),
    )
    WINDOW_TITLE = N_("Tresen · Desk {desk}")
    TITLE = N_("{site} · Desk {desk} · {user}")
    OFFLINE = N_(
        "No connection to the server. What you type is kept on this computer and sent "
        "when the server is back (waiting to be sent: {count})."
    )

    def __init__(self, controller: DeskController, language: Language, user: str) -> None:
        super().__init__(controller, language, user, "clerkWindow", STYLE)

    # Building ------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 8)

        self.arrivals_button = self._button("arrivalsButton", self._on_arrivals_clicked, "F12")
        outer.addLayout(self._build_top_bar(self.arrivals_button))
        outer.addWidget(self._build_status_strip())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_queue_panel())
        splitter.addWidget(self._build_right_side())
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _build_status_strip(self) -> QWidget:
        """The banners' row: its height is kept whether a banner shows or not, so nothing
        below moves under the clerk's mouse when the server goes or a kiosk printer fails."""
        strip = QWidget()
        strip.setObjectName("statusStrip")
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        self._build_offline_banner()
        self.desk_banner = QLabel()
        self.desk_banner.setObjectName("deskStateBanner")
        self.printer_banner = QLabel()
        self.printer_banner.setObjectName("printerBanner")
        for banner in (self.offline_banner, self.desk_banner, self.printer_banner):
            banner.setWordWrap(True)
            banner.setTextFormat(Qt.TextFormat.PlainText)
            # Long texts wrap inside the strip rather than widen the window.
            banner.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            banner.hide()
            row.addWidget(banner, 1)
        self.printer_banner_close = QToolButton()
        self.printer_banner_close.setObjectName("printerBannerDismiss")
        self.printer_banner_close.setText("✕")
        self.printer_banner_close.setAutoRaise(True)
        self.printer_banner_close.clicked.connect(self._on_printer_banner_dismissed)
        self.printer_banner_close.hide()
        row.addWidget(self.printer_banner_close)
        #: The printer faults the clerk dismissed; the banner returns when they change.
        self._printer_faults_dismissed: list[tuple[str, str]] | None = None
        bold = QFont(self.font())
        bold.setBold(True)
        # One line of bold text and the banners' padding; a longer text is clipped (its whole
        # wording is the tooltip) rather than make the row grow and push the desk down.
        strip.setFixedHeight(QFontMetrics(bold).lineSpacing() + 2 * 8 + 2)
        return strip

    def _build_queue_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("queuePanel")
        layout = QVBoxLayout(panel)
        self.queue_title = QLabel()
        self.queue_title.setObjectName("queueTitle")
        #: The title, and the field to call a number (``particular``) to its right.
        self.queue_number_row = QHBoxLayout()
        self.queue_number_row.addWidget(self.queue_title, 1)
        layout.addLayout(self.queue_number_row)
        self.queue_model = QueueModel(self.controller, self.language)
        self.queue_view = QTableView()
        self.queue_view.setObjectName("queueView")
        self.queue_view.setModel(self.queue_model)
        self.queue_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue_view.verticalHeader().hide()
        # Two lines a row (the service, then why it is there); a long reason wraps to a third.
        self.queue_view.setWordWrap(True)
        self.queue_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.queue_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.queue_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.queue_view.setAlternatingRowColors(True)
        layout.addWidget(self.queue_view, 1)
        layout.addLayout(self._build_queue_actions())
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.counts_label.setWordWrap(True)
        layout.addWidget(self.counts_label)
        self.desks_label = QLabel()
        self.desks_label.setObjectName("otherDesksLabel")
        self.desks_label.setWordWrap(True)
        self.desks_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.desks_label)
        return panel

    def _build_queue_actions(self) -> QHBoxLayout:
        """Below the queue: cancel the selected waiting ticket (Del in the queue), issue an
        urgent ticket (Ctrl+Shift+N; Ctrl+N types a number to call)."""
        row = QHBoxLayout()
        self.cancel_ticket_button = QPushButton()
        self.cancel_ticket_button.setObjectName("cancelTicketButton")
        self.cancel_ticket_button.clicked.connect(self._on_cancel_ticket_clicked)
        # Del in the queue only: in the notes it deletes text.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.queue_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.cancel_ticket_button.click)
        self.issue_urgent_button = QPushButton()
        self.issue_urgent_button.setObjectName("issueUrgentButton")
        self.issue_urgent_button.clicked.connect(self._on_issue_urgent_clicked)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, self.issue_urgent_button.click)
        row.addWidget(self.cancel_ticket_button)
        row.addStretch(1)
        row.addWidget(self.issue_urgent_button)
        return row

    def _build_right_side(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)

        ticket_panel = QFrame()
        ticket_panel.setObjectName("ticketPanel")
        ticket_layout = QVBoxLayout(ticket_panel)
        head = QHBoxLayout()
        current, details = self._build_current()
        current.setMinimumWidth(200)
        head.addWidget(current)
        head.addWidget(details, 1)
        ticket_layout.addLayout(head)

        grid = QGridLayout()
        buttons = self._build_actions(
            {
                "parkButton": self.controller.park,
                "transferButton": self._on_transfer_clicked,
                "finishButton": lambda: self._on_finish_clicked(False),
                "finishNextButton": lambda: self._on_finish_clicked(True),
            }
        )
        for position, button in enumerate(buttons):
            grid.addWidget(button, position // 4, position % 4)
        ticket_layout.addLayout(grid)
        # A particular citizen by number or from the queue, and "Undo" after F4.
        ticket_layout.addWidget(self._build_notice((self.queue_view, self.queue_model)))
        self.queue_number_row.addWidget(self.particular.number_edit)
        ticket_layout.addWidget(self.particular.undo_row)
        layout.addWidget(ticket_panel)

        layout.addWidget(self._build_case_panel(), 1)
        return side

    def _build_case_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("casePanel")
        layout = QVBoxLayout(panel)
        self.case_title = QLabel()
        self.case_title.setObjectName("caseTitle")
        bold = QFont(self.case_title.font())
        bold.setBold(True)
        self.case_title.setFont(bold)
        layout.addWidget(self.case_title)
        self.forward_reason = QLabel()
        self.forward_reason.setObjectName("forwardReason")
        self.forward_reason.setWordWrap(True)
        layout.addWidget(self.forward_reason)
        self.checklist_box = QVBoxLayout()
        layout.addLayout(self.checklist_box)
        self._checkboxes: list[QCheckBox] = []
        #: The checklist step of each box, in the same order.
        self._steps: list[ChecklistStep] = []
        self._checklist_for: int | None = None
        row = QHBoxLayout()
        self.reference_label = QLabel()
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("caseReferenceEdit")
        self.reference_edit.textEdited.connect(
            lambda text: self.controller.update_draft(case_reference=text)
        )
        self.reference_label.setBuddy(self.reference_edit)
        row.addWidget(self.reference_label)
        row.addWidget(self.reference_edit, 1)
        self.order_button = QPushButton()
        self.order_button.setObjectName("documentOrderedButton")
        self.order_button.clicked.connect(self._on_order_clicked)
        QShortcut(QKeySequence("F7"), self, self.order_button.click)
        row.addWidget(self.order_button)
        layout.addLayout(row)
        self.notes_label = QLabel()
        layout.addWidget(self.notes_label)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("caseNotesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.textChanged.connect(self._on_notes_changed)
        self.notes_label.setBuddy(self.notes_edit)
        layout.addWidget(self.notes_edit, 1)
        self.parked_label = QLabel()
        self.parked_label.setObjectName("parkedLabel")
        layout.addWidget(self.parked_label)
        # However many are parked, the row scrolls rather than widen the window.
        parked_area = QScrollArea()
        parked_area.setObjectName("parkedArea")
        parked_area.setWidgetResizable(True)
        parked_area.setFrameShape(QFrame.Shape.NoFrame)
        parked_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        parked_holder = QWidget()
        parked_holder.setObjectName("parkedRow")
        self.parked_row = QHBoxLayout(parked_holder)
        self.parked_row.setContentsMargins(0, 0, 0, 0)
        parked_area.setWidget(parked_holder)
        parked_area.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        parked_area.setFixedHeight(58)  # one row of buttons and a scroll bar below it
        self.parked_area = parked_area
        layout.addWidget(parked_area)
        return panel

    # Rendering -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        self.arrivals_button.setText(f"{tr(N_('Documents arrived'))} (F12)")
        self.case_title.setText(tr(N_("Case")))
        self.reference_label.setText(tr(N_("Case &reference")))
        self.order_button.setText(tr(N_("Document ordered (F7)")))
        self.notes_label.setText(tr(N_("&Notes")))
        self.cancel_ticket_button.setText(tr(N_("Cancel ticket (Del)")))
        self.issue_urgent_button.setText(tr(N_("Urgent ticket (Ctrl+Shift+N)")))
        super().retranslate()

    def show_state(self) -> None:
        c, tr = self.controller, self.language
        super().show_state()
        self.offline_banner.setToolTip(self.offline_banner.text())
        self._render_desk_banner()
        self._render_printer_banner()
        self.queue_title.setText(
            tr(N_("Waiting for this desk: {count}")).format(count=len(c.waiting))
        )
        counts = [f"{n.prefix}: {n.waiting}" for n in c.counts if n.waiting]
        self.counts_label.setText(
            tr(N_("Waiting per service: {counts}")).format(counts=", ".join(counts) or "0")
        )
        self.desks_label.setText(self._other_desks_text())
        self._render_ticket()
        self._render_case()
        self._render_parked()

    def _render_desk_banner(self) -> None:
        """A break or a desk this window lost reads as such, above everything else."""
        c, tr = self.controller, self.language
        text = ""
        if c.ended_reason is not None:
            kind, who = c.ended_reason
            if kind == "taken_over":
                text = tr(
                    N_("{user} has taken desk {desk} over. This window no longer works for it.")
                ).format(user=who, desk=c.desk)
            elif kind == "closed":
                text = tr(
                    N_("{user} has signed desk {desk} off. This window no longer works for it.")
                ).format(user=who, desk=c.desk)
            else:
                text = tr(N_("Signed off at desk {desk}.")).format(desk=c.desk)
        elif c.desk_state == "paused":
            text = tr(
                N_("On a break: nobody is called to desk {desk}. Resume work with F11.")
            ).format(desk=c.desk)
        self.desk_banner.setText(text)
        self.desk_banner.setVisible(bool(text))

    def _render_printer_banner(self) -> None:
        c, tr = self.controller, self.language
        faults = c.printer_faults()
        if faults != self._printer_faults_dismissed:
            self._printer_faults_dismissed = None  # a new printer state shows again
        texts = [
            tr(N_("Kiosk {device}: {problem}")).format(
                device=name, problem=tr(PRINTER_PROBLEMS.get(state, N_("printer fault")))
            )
            for name, state in faults
        ]
        self.printer_banner.setText("  ·  ".join(texts))
        self.printer_banner.setToolTip(self.printer_banner.text())
        # Offline, the red banner needs the row (and the printers' states are not current).
        shown = bool(faults) and self._printer_faults_dismissed is None and c.online
        self.printer_banner.setVisible(shown)
        self.printer_banner_close.setVisible(shown)
        self.printer_banner_close.setToolTip(tr(N_("Hide until the printer's state changes")))

    def _on_printer_banner_dismissed(self) -> None:
        self._printer_faults_dismissed = self.controller.printer_faults()
        self._render_printer_banner()

    def _other_desks_text(self) -> str:
        tr = self.language
        states = {
            "open": tr(N_("open")),
            "paused": tr(N_("on a break")),
            "closed": tr(N_("closed")),
        }
        lines = []
        for desk in self.controller.desks:
            if desk.code == self.controller.desk:
                continue
            serving = desk.current_ticket or "—"
            who = desk.signed_on_user or ""
            name = desk.name or desk.code
            lines.append(f"{name}: {states.get(desk.state, desk.state)} · {serving} {who}".rstrip())
        return tr(N_("Other desks:")) + "\n" + "\n".join(lines)

    def _render_ticket(self) -> None:
        ticket, tr = self.controller.current, self.language
        if ticket is None:
            self.current_label.setText("—")
            if self.controller.ended_reason is not None:
                self.current_details.setText(self.desk_banner.text())
            elif self.controller.desk_state == "paused":
                self.current_details.setText(tr(N_("On a break. Resume work with F11.")))
            else:
                self.current_details.setText(tr(N_("No citizen at the desk. Call the next (F2).")))
            return
        self.current_label.setText(ticket.number)
        service = self.controller.services.get(ticket.service_id)
        self.current_details.setText(
            "\n".join(
                [
                    service.name_in(tr.code) if service else "",
                    f"{tr(TICKET_STATUS_LABELS.get(ticket.status, ticket.status))} · "
                    f"{minutes_seconds(ticket.since, datetime.now(UTC))}",
                    tr(N_("Waited {minutes} min")).format(minutes=_waited(ticket)),
                    self._ticket_facts(ticket),
                ]
            )
        )

    def _ticket_facts(self, ticket: Ticket) -> str:
        """The citizen's language, the appointment time, the offline mark: what the clerk
        should know before the citizen sits down."""
        tr = self.language
        facts = [tr(N_("Language: {language}")).format(language=language_name(ticket.language, tr))]
        if ticket.appointment_at is not None:
            label = N_("missed appointment {time}") if ticket.appointment_late else None
            facts.append(
                tr(label).format(time=clock_time(ticket.appointment_at, self.controller.zone))
                if label
                else appointment_text(ticket, self.controller.zone, tr)
            )
        if ticket.issued_offline:
            facts.append(tr(N_("issued offline")))
        return " · ".join(facts)

    def _render_case(self) -> None:
        c, tr = self.controller, self.language
        ticket = c.current
        enabled = ticket is not None
        for widget in (self.reference_edit, self.notes_edit):
            widget.setEnabled(enabled)
        self.order_button.setEnabled(
            enabled
            and c.online
            and not c.busy
            and ticket is not None
            and ticket.status == "serving"
        )
        if self.notes_edit.toPlainText() != c.draft.notes:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(c.draft.notes)
            self.notes_edit.blockSignals(False)
        if self.reference_edit.text() != c.draft.case_reference:
            self.reference_edit.setText(c.draft.case_reference)
        reason = ticket.forward_reason if ticket is not None else ""
        self.forward_reason.setVisible(bool(reason))
        self.forward_reason.setText(tr(N_("Forwarded: {reason}")).format(reason=reason))
        self._render_checklist()

    def _render_checklist(self) -> None:
        c = self.controller
        ticket_id = c.current.id if c.current else None
        if ticket_id != self._checklist_for:
            for box in self._checkboxes:
                box.setParent(None)  # gone from the screen now, not at the next event loop turn
                box.deleteLater()
            self._checkboxes, self._steps = [], []
            service = c.services.get(c.current.service_id) if c.current else None
            for step in service.checklist if service else ():
                box = QCheckBox()
                box.setProperty("step", step.id)
                box.toggled.connect(self._on_step_toggled)
                self.checklist_box.addWidget(box)
                self._checkboxes.append(box)
                self._steps.append(step)
            self._checklist_for = ticket_id
        for box, step in zip(self._checkboxes, self._steps, strict=True):
            box.setText(step.name(self.language.code))
            box.blockSignals(True)
            box.setChecked(box.property("step") in c.draft.steps_done)
            box.blockSignals(False)

    def _render_parked(self) -> None:
        while self.parked_row.count():
            item = self.parked_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        parked = self.controller.parked
        self.parked_label.setVisible(bool(parked))
        self.parked_area.setVisible(bool(parked))
        self.parked_label.setText(self.language(N_("Parked at this desk:")))
        for ticket in parked:
            button = QPushButton(self.language(N_("Resume {number}")).format(number=ticket.number))
            button.setObjectName(f"resume-{ticket.number}")
            button.clicked.connect(lambda _=False, t=ticket.id: self.controller.resume(t))
            self.parked_row.addWidget(button)
        self.parked_row.addStretch(1)

    def _enabled_actions(self) -> dict[str, bool]:
        c = self.controller
        status = c.current.status if c.current else None
        idle = not c.busy and c.ended_reason is None
        return {
            **super()._enabled_actions(),
            "parkButton": idle and status == "serving",
            "transferButton": idle and status in ("called", "serving"),
            "finishNextButton": idle and status == "serving",
        }

    def _render_buttons(self) -> None:
        super()._render_buttons()
        c, tr = self.controller, self.language
        status = c.current.status if c.current else None
        online, idle = c.online, not c.busy and c.ended_reason is None
        # During a break F2 calls nobody: the button says so, F11 ends the break.
        self.buttons["callNextButton"].setText(
            tr(N_("On a break (F11 resumes)"))
            if c.desk_state == "paused" and status is None
            else f"{tr(N_('Call next'))} (F2)"
        )
        self.cancel_ticket_button.setEnabled(online and idle and bool(c.waiting))
        self.issue_urgent_button.setEnabled(online and idle and bool(c.services))
        default = (
            "startButton"
            if status == "called"
            else ("finishNextButton" if status == "serving" else "callNextButton")
        )
        for name, button in self.buttons.items():
            button.setDefault(name == default)

    # Slots ----------------------------------------------------------------------------------

    def _on_arrivals_clicked(self) -> None:
        c = self.controller
        dialog = ArrivalsDialog(c.client, c.site, c.tasks, self.language, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _problem_text(self, kind: str, detail: Any) -> str:
        if kind == "ordered":
            return self.language(N_("Pickup {id} created: {kind}, {reference}.")).format(
                id=detail.id,
                kind=self.language(DOCUMENT_KIND_LABELS[detail.kind]),
                reference=detail.case_reference,
            )
        if kind == "cancelled":
            return self.language(N_("Ticket {number} is cancelled.")).format(number=detail)
        return super()._problem_text(kind, detail)

    def _on_clock_tick(self) -> None:
        self.queue_model.tick()
        super()._on_clock_tick()

    def _on_notes_changed(self) -> None:
        self.controller.update_draft(notes=self.notes_edit.toPlainText())

    def _on_step_toggled(self, _checked: bool) -> None:
        steps = [b.property("step") for b in self._checkboxes if b.isChecked()]
        self.controller.update_draft(steps_done=steps)

    def _on_finish_clicked(self, call_next: bool) -> None:
        ticket = self.controller.current
        if ticket is None or ticket.status != "serving":
            return
        dialog = OutcomeDialog(self.language, ticket.number, self)
        chosen = dialog.outcome if dialog.exec() else None
        dialog.deleteLater()  # a shift opens thousands of these
        if chosen:
            self.notice_label.clear()
            self.controller.finish(chosen, call_next=call_next)

    def _on_order_clicked(self) -> None:
        current = self.controller.current
        if current is None:
            return
        service = self.controller.services.get(current.service_id)
        dialog = OrderDialog(
            self.language,
            self.controller.draft.case_reference,
            list(service.documents) if service else [],
            self,
        )
        body = dialog.body() if dialog.exec() else None
        dialog.deleteLater()
        if body and body["holder_name"] and body["case_reference"]:
            self.controller.order_document(body)
        elif body is not None:
            self.notice_label.setText(
                self.language(N_("Please give the holder's name and the case reference."))
            )

    def _selected_waiting(self) -> Ticket | None:
        rows = self.queue_view.selectionModel().selectedRows() or [self.queue_view.currentIndex()]
        row = rows[0].row() if rows[0].isValid() else -1
        return self.controller.waiting[row] if 0 <= row < len(self.controller.waiting) else None

    def _on_cancel_ticket_clicked(self) -> None:
        ticket = self._selected_waiting()
        if ticket is None:
            self.notice_label.setText(
                self.language(N_("Choose the ticket to cancel in the queue first."))
            )
            return
        service = self.controller.services.get(ticket.service_id)
        name = service.name_in(self.language.code) if service else ticket.service_prefix
        dialog = CancelDialog(self.language, ticket.number, name, self)
        chosen = dialog.chosen() if dialog.exec() else None
        dialog.deleteLater()
        if chosen is not None:
            self.controller.cancel_waiting(ticket, *chosen)
        self.queue_view.setFocus()

    def _on_issue_urgent_clicked(self) -> None:
        c = self.controller
        # Those that issue now first (the server refuses a closed or stopped one, and says so).
        services = sorted(c.services.values(), key=lambda s: (not s.open_now, s.prefix))
        dialog = UrgentDialog(self.language, services, self)
        chosen = dialog.chosen() if dialog.exec() and services else None
        dialog.deleteLater()
        if chosen is not None:
            c.issue_urgent(*chosen)

    def _on_transfer_clicked(self) -> None:
        ticket = self.controller.current
        if ticket is None:
            return
        dialog = TransferDialog(
            self.language,
            ticket.number,
            list(self.controller.services.values()),
            self.controller.desks,
            self.controller.desk,
            self,
        )
        if dialog.exec():
            service_id, desk = dialog.target()
            self.controller.transfer(service_id, desk, dialog.reason.text())
        dialog.deleteLater()


def _waited(ticket: Ticket) -> int:
    end = ticket.called_at or datetime.now(UTC)
    return max(0, int((end - ticket.queued_at).total_seconds() // 60))
