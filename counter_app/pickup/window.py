"""The quick-pickup desk's window: the P ticket at the desk on the left, the receipt scanned
last on the right, in type large enough to read from the shelf.

The scan field has the keyboard focus always: nothing else in the window can take it (no button
takes focus), so Qt gives it back whenever the window is active again, and the window takes it
back after every dialog and change. A keyboard-wedge scanner types the receipt's code and Enter,
wherever the person last clicked. Every action has a function key.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.clerk.dialogs import OutcomeDialog
from counter_app.clerk.queue_model import minutes_seconds
from counter_app.core.answers import Pickup
from counter_app.pickup.camera import CameraScanner, CameraUnavailable
from counter_app.pickup.desk import PickupDeskController
from counter_app.pickup.dialogs import HandOverDialog
from counter_app.pickup.errors import describe as describe_failure
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from resources.vocabulary import (
    DOCUMENT_KIND_LABELS,
    PICKUP_STATUS_LABELS,
    TICKET_STATUS_LABELS,
    PickupStatus,
)

# (object name, label, key) of the ticket buttons, in their order on screen.
ACTIONS = (
    ("callNextButton", N_("Call next"), "F2"),
    ("recallButton", N_("Call again"), "F3"),
    ("noShowButton", N_("No-show"), "F4"),
    ("startButton", N_("Start serving"), "F5"),
    ("finishButton", N_("Finish"), "F9"),
)
HAND_OVER_KEY = "F6"
#: The colour of the bar under a pickup, by its status.
PICKUP_COLOURS = {
    PickupStatus.ORDERED: "#b45309",
    PickupStatus.READY: "#15803d",
    PickupStatus.HANDED_OVER: "#b3261e",
    PickupStatus.CANCELLED: "#b3261e",
    PickupStatus.EXPIRED: "#b3261e",
}

#: A pickup's status as staff read it on the panel, and the colour of its bar.
PICKUP_STATUS = {
    status: (PICKUP_STATUS_LABELS[status], PICKUP_COLOURS[status]) for status in PickupStatus
}
JUST_HANDED_OVER = (N_("✓ Handed over"), "#1d4ed8")
FAILED = "#b3261e"
WAITING = "#6b7280"

STYLE = """
QMainWindow { background: #f4f5f7; }
#offlineBanner { background: #b3261e; color: white; font-weight: bold; padding: 8px; }
#noticeLabel { color: #1d4ed8; }
#cameraStatusLabel { color: #374151; }
#cameraStatusLabel[problem="true"] { color: #b3261e; font-weight: bold; }
#currentTicketLabel { font-size: 72px; font-weight: bold; color: #111827; }
#ticketPanel, #pickupDetails { background: white; border: 1px solid #d1d5db; border-radius: 6px; }
#scanInput { font-size: 26px; padding: 8px; border: 3px solid #1d4ed8; border-radius: 6px;
    font-family: monospace; }
#scanLabel { font-size: 18px; font-weight: bold; }
#pickupStateLabel { font-size: 30px; font-weight: bold; color: white; padding: 10px 16px;
    border-radius: 6px; }
#pickupDocumentLabel { font-size: 26px; color: #111827; }
#pickupHolderLabel { font-size: 48px; font-weight: bold; color: #111827; }
#pickupSlotLabel { font-size: 150px; font-weight: bold; color: #111827; }
#pickupSlotLabel[closed="true"] { font-size: 56px; color: #9ca3af; text-decoration: line-through; }
#pickupNoteLabel { font-size: 22px; color: #111827; }
#pickupNoteLabel[closed="true"] { font-size: 26px; font-weight: bold; }
#waitingLabel { font-size: 18px; }
#currentDetails { font-size: 16px; }
#pickupHint { font-size: 26px; color: #6b7280; }
QLabel[caption="true"] { font-size: 16px; color: #6b7280; }
QPushButton { padding: 6px 10px; min-height: 34px; font-size: 15px; text-align: left; }
#callNextButton { background: #1d4ed8; color: white; font-weight: bold; }
#callNextButton:disabled, #handOverButton:disabled { background: #d1d5db; color: #6b7280; }
#handOverButton { background: #15803d; color: white; font-size: 26px; font-weight: bold;
    min-height: 64px; text-align: center; border-radius: 6px; }
"""


class PickupWindow(QMainWindow):
    def __init__(
        self,
        controller: PickupDeskController,
        language: Language,
        user: str,
        camera: CameraScanner | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.lookup = controller.lookup
        self.language = language
        self.user = user
        self.camera = camera
        self.setObjectName("pickupWindow")
        self.setStyleSheet(STYLE)
        self._dialog_open = False
        self._build()
        controller.changed.connect(self._on_controller_changed)
        controller.online_changed.connect(self._on_controller_online_changed)
        controller.busy_changed.connect(self._on_controller_busy_changed)
        controller.problem.connect(self._on_controller_problem)
        self.lookup.changed.connect(self._on_lookup_changed)
        language.changed.connect(self._on_language_changed)
        if camera is not None:
            camera.decoded.connect(self._on_camera_decoded)
            camera.status_changed.connect(self._on_camera_status_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_tick)
        self._clock.start()
        self.retranslate()

    # Building ------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 8)

        self.offline_banner = QLabel()
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setWordWrap(True)
        self.offline_banner.hide()
        outer.addWidget(self.offline_banner)

        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("titleLabel")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.title.setFont(font)
        top.addWidget(self.title, 1)
        self.language_button = self._button("languageButton", self._on_language_button_clicked)
        self.pause_button = self._button("pauseButton", self._on_pause_clicked, "F11")
        self.sign_off_button = self._button("signOffButton", self.controller.sign_off)
        for widget in (self.language_button, self.pause_button, self.sign_off_button):
            widget.setStyleSheet("text-align: center;")
            top.addWidget(widget)
        outer.addLayout(top)

        body = QHBoxLayout()
        body.addWidget(self._build_ticket_panel(), 3)
        body.addLayout(self._build_pickup_side(), 8)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        QShortcut(QKeySequence("Esc"), self, self._on_clear_pressed)

    def _button(self, name: str, handler: Any, key: str | None = None) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        # No button takes the focus: the scanner's keystrokes always reach the scan field.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(handler)
        if key:
            # A window-wide shortcut acts at once (a button's own shortcut animates first).
            QShortcut(QKeySequence(key), self, button.click)
        return button

    def _build_ticket_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("ticketPanel")
        layout = QVBoxLayout(panel)
        self.ticket_caption = _caption()
        layout.addWidget(self.ticket_caption)
        self.current_label = QLabel("—")
        self.current_label.setObjectName("currentTicketLabel")
        self.current_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.current_label)
        self.current_details = QLabel()
        self.current_details.setObjectName("currentDetails")
        self.current_details.setWordWrap(True)
        self.current_details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.current_details)
        self.buttons: dict[str, QPushButton] = {}
        handlers = {
            "callNextButton": self.controller.call_next,
            "recallButton": lambda: self.controller.act("recall"),
            "noShowButton": lambda: self.controller.act("no_show"),
            "startButton": lambda: self.controller.act("start"),
            "finishButton": self._on_finish_clicked,
        }
        for name, _label, key in ACTIONS:
            self.buttons[name] = self._button(name, handlers[name], key)
            layout.addWidget(self.buttons[name])
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("waitingLabel")
        self.waiting_label.setWordWrap(True)
        layout.addWidget(self.waiting_label)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setWordWrap(True)
        layout.addWidget(self.notice_label)
        layout.addStretch(1)
        self.camera_label = QLabel()
        self.camera_label.setObjectName("cameraStatusLabel")
        self.camera_label.setWordWrap(True)
        self.camera_label.setVisible(self.camera is not None)
        layout.addWidget(self.camera_label)
        return panel

    def _build_pickup_side(self) -> QVBoxLayout:
        side = QVBoxLayout()
        row = QHBoxLayout()
        self.scan_label = QLabel()
        self.scan_label.setObjectName("scanLabel")
        self.scan_input = QLineEdit()
        self.scan_input.setObjectName("scanInput")
        self.scan_input.setClearButtonEnabled(False)
        self.scan_input.returnPressed.connect(self._on_scan_input_return_pressed)
        self.scan_label.setBuddy(self.scan_input)
        row.addWidget(self.scan_label)
        row.addWidget(self.scan_input, 1)
        side.addLayout(row)

        panel = QFrame()
        panel.setObjectName("pickupDetails")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(16, 16, 16, 16)
        self.state_label = QLabel()
        self.state_label.setObjectName("pickupStateLabel")
        layout.addWidget(self.state_label)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("pickupHint")
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        self.document_label = _plain("pickupDocumentLabel")
        layout.addWidget(self.document_label)
        self.holder_caption = _caption()
        layout.addWidget(self.holder_caption)
        self.holder_label = _plain("pickupHolderLabel")
        layout.addWidget(self.holder_label)
        self.slot_caption = _caption()
        layout.addWidget(self.slot_caption)
        self.slot_label = _plain("pickupSlotLabel")
        layout.addWidget(self.slot_label)
        self.note_label = _plain("pickupNoteLabel")
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        self.hand_over_button = self._button(
            "handOverButton", self._on_hand_over_clicked, HAND_OVER_KEY
        )
        layout.addWidget(self.hand_over_button)
        side.addWidget(panel, 1)
        return side

    # Rendering -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        self.setWindowTitle(
            tr(N_("Tresen · Quick pickup {desk}")).format(desk=self.controller.desk)
        )
        for name, label, key in ACTIONS:
            self.buttons[name].setText(f"{tr(label)} ({key})")
        self.language_button.setText("English" if self.language.code == "de" else "Deutsch")
        self.sign_off_button.setText(tr(N_("Sign off")))
        self.ticket_caption.setText(tr(N_("At the desk")))
        self.scan_label.setText(tr(N_("&Receipt:")))
        self.scan_input.setPlaceholderText(tr(N_("Scan the receipt or type its code")))
        self.holder_caption.setText(tr(N_("Holder")))
        self.slot_caption.setText(tr(N_("Shelf slot")))
        self.hand_over_button.setText(tr(N_("Hand over ({key})")).format(key=HAND_OVER_KEY))
        self.show_state()

    def show_state(self) -> None:
        c, tr = self.controller, self.language
        self.title.setText(
            tr(N_("{site} · Quick pickup {desk} · {user}")).format(
                site=c.site_name, desk=c.desk, user=self.user
            )
        )
        self.pause_button.setText(
            tr(N_("Resume work (F11)")) if c.desk_state == "paused" else tr(N_("Break (F11)"))
        )
        self.offline_banner.setText(
            tr(
                N_(
                    "No connection to the server. Receipts cannot be checked and no document "
                    "can be handed over until it is back."
                )
            )
        )
        self.offline_banner.setVisible(not c.online)
        waiting = [t.number for t in c.waiting]
        self.waiting_label.setText(
            tr(N_("Waiting: {count}")).format(count=len(waiting))
            + (f" · {', '.join(waiting[:8])}" if waiting else "")
            + (" …" if len(waiting) > 8 else "")
        )
        self._render_ticket()
        self._render_buttons()
        self._render_pickup()
        self._render_camera()

    def _render_ticket(self) -> None:
        ticket, tr = self.controller.current, self.language
        if ticket is None:
            self.current_label.setText("—")
            self.current_details.setText(tr(N_("No citizen at the desk. Call the next (F2).")))
            return
        self.current_label.setText(ticket.number)
        self.current_details.setText(
            f"{tr(TICKET_STATUS_LABELS.get(ticket.status, ticket.status))} · "
            f"{minutes_seconds(ticket.since, datetime.now(UTC))}"
        )

    def _render_buttons(self) -> None:
        c = self.controller
        status = c.current.status if c.current else None
        # A window that lost its desk (taken over, signed off) acts no more.
        online, idle = c.online, not c.busy and c.ended_reason is None
        enabled = {
            "callNextButton": online and idle and status is None and c.desk_state != "paused",
            "recallButton": online and idle and status == "called",
            "noShowButton": online and idle and status == "called",
            "startButton": online and idle and status == "called",
            "finishButton": idle and status == "serving",
        }
        for name, button in self.buttons.items():
            button.setEnabled(enabled[name])
        for widget in (self.pause_button, self.sign_off_button):
            widget.setEnabled(c.ended_reason is None)
        self.hand_over_button.setEnabled(
            c.online and c.ended_reason is None and self.lookup.can_hand_over()
        )

    def _render_pickup(self) -> None:
        lookup, tr = self.lookup, self.language
        pickup, error = lookup.pickup, lookup.error
        state: tuple[str, str] | None = None
        hint = note = ""
        if error is not None:
            headline, note = describe_failure(error, tr, lookup.error_during)
            state = (headline, FAILED)
        if pickup is not None:
            if state is None:
                label, colour = (
                    JUST_HANDED_OVER
                    if lookup.handed_over_here
                    else PICKUP_STATUS.get(pickup.status, (pickup.status, WAITING))
                )
                state = (tr(label), colour)
                note = self._pickup_note(pickup)
            self.document_label.setText(self._document(pickup))
            self.holder_label.setText(pickup.holder_name or "—")
            self.slot_label.setText(pickup.slot or "—")
        elif lookup.busy:
            state = (tr(N_("Looking up the receipt …")), WAITING)
        elif error is None:
            hint = tr(
                N_(
                    "Scan the pickup receipt (or type its code and press Enter). The document and "
                    "its shelf slot show here."
                )
            )
        # Nobody walks to the shelf for a document that is not to be handed out.
        closed = pickup is not None and pickup.status != "ready"
        for closable in (self.slot_label, self.note_label):
            _set_property(closable, "closed", closed)
        shown = pickup is not None
        for widget in (
            self.document_label,
            self.holder_caption,
            self.holder_label,
            self.slot_caption,
            self.slot_label,
        ):
            widget.setVisible(shown)
        self.state_label.setVisible(state is not None)
        if state is not None:
            self.state_label.setText(state[0])
            self.state_label.setStyleSheet(f"background: {state[1]};")
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.hand_over_button.setVisible(shown)
        c = self.controller
        self.hand_over_button.setEnabled(
            c.online and c.ended_reason is None and lookup.can_hand_over()
        )

    def _document(self, pickup: Pickup) -> str:
        """The kind in the window's language, with the free detail: "Residence permit · eAT"."""
        kind = self.language(DOCUMENT_KIND_LABELS[pickup.kind])
        detail = pickup.document_detail
        return f"{kind} · {detail}" if detail else kind

    def _pickup_note(self, pickup: Pickup) -> str:
        tr, zone = self.language, self.controller.timezone
        lines = []
        if pickup.status == "handed_over":
            lines.append(
                tr(N_("Handed over on {at} by {by}.")).format(
                    at=_local(pickup.handed_over_at, zone),
                    by=pickup.handed_over_by or "—",
                )
            )
        elif pickup.status == "cancelled":
            lines.append(
                tr(N_("Cancelled on {at} by {by}.")).format(
                    at=_local(pickup.cancelled_at, zone),
                    by=pickup.cancelled_by or "—",
                )
            )
        elif pickup.status == "expired":
            lines.append(
                tr(N_("Not collected in time: expired on {at}.")).format(
                    at=_local(pickup.expired_at, zone)
                )
            )
        elif pickup.status == "ordered":
            lines.append(tr(N_("The document has not arrived yet. Do not hand anything out.")))
            if pickup.expected_ready_on is not None:
                day = pickup.expected_ready_on
                lines.append(tr(N_("Expected from {day}.")).format(day=day.strftime("%d.%m.%Y")))
        number = pickup.checkin_ticket_number
        current = self.controller.current
        if number and pickup.status == "ready":
            if current is not None and current.id != pickup.checkin_ticket_id:
                lines.append(
                    tr(N_("Checked in as {number}; at the desk is {current}.")).format(
                        number=number, current=current.number
                    )
                )
            else:
                lines.append(tr(N_("Checked in as {number}.")).format(number=number))
        if pickup.case_reference:
            lines.append(
                tr(N_("Case reference: {reference}")).format(reference=pickup.case_reference)
            )
        return "\n".join(lines)

    def _render_camera(self) -> None:
        camera, tr = self.camera, self.language
        if camera is None:
            return
        problem = camera.problem
        if isinstance(problem, CameraUnavailable):
            reason = tr(problem.message).format(**problem.fields)
        else:
            reason = problem or ""
        if problem is not None:
            text = tr(N_("No camera can be opened: {reason}")).format(reason=reason)
        elif camera.name:
            text = tr(N_("Camera: {name}. Hold the receipt's code in front of it.")).format(
                name=camera.name
            )
        else:
            text = tr(N_("Opening the camera …"))
        self.camera_label.setText(text)
        _set_property(self.camera_label, "problem", problem is not None)

    def _refocus(self) -> None:
        """The scan field takes the keyboard again (within this window: never from another
        program, since this also runs on live updates)."""
        if not self._dialog_open:
            self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _back_from_dialog(self) -> None:
        self.activateWindow()
        self._refocus()

    # Slots ----------------------------------------------------------------------------------

    def _on_controller_changed(self) -> None:
        self.show_state()

    def _on_controller_online_changed(self, _online: bool) -> None:
        self.show_state()

    def _on_controller_busy_changed(self, _busy: bool) -> None:
        self._render_buttons()
        self._refocus()

    def _on_lookup_changed(self) -> None:
        self._render_pickup()
        self._refocus()

    def _on_controller_problem(self, problem: tuple[str, Any]) -> None:
        kind, detail = problem
        if kind == "info" and detail == "nobody_waiting":
            text = self.language(N_("Nobody is waiting for this desk."))
        elif kind == "refused":
            text = self.language(N_("The server refused a saved change: {change}: {why}")).format(
                change=detail[-1].label, why=detail[-1].error
            )
        elif isinstance(detail, Exception):
            text = describe(detail, self.language)
        else:
            text = str(detail)
        self.notice_label.setText(text)

    def _on_scan_input_return_pressed(self) -> None:
        text = self.scan_input.text()
        self.scan_input.clear()
        self.notice_label.clear()
        self.lookup.scan(text)

    def _on_camera_decoded(self, token: str) -> None:
        if self._dialog_open:
            return  # the question on screen is about the receipt scanned before
        self.lookup.scan(token)

    def _on_camera_status_changed(self) -> None:
        self._render_camera()

    def _on_hand_over_clicked(self) -> None:
        pickup = self.lookup.pickup
        if pickup is None or not self.lookup.can_hand_over() or self._dialog_open:
            return
        dialog = HandOverDialog(
            self.language, pickup.holder_name, self._document(pickup), pickup.slot or "", self
        )
        self._dialog_open = True
        try:
            confirmed = bool(dialog.exec())
        finally:
            self._dialog_open = False
            dialog.deleteLater()
        if confirmed:
            self.lookup.hand_over(pickup.id)
        self._back_from_dialog()

    def _on_finish_clicked(self) -> None:
        ticket = self.controller.current
        if ticket is None or ticket.status != "serving" or self._dialog_open:
            return
        dialog = OutcomeDialog(self.language, ticket.number, self)
        self._dialog_open = True
        try:
            chosen = dialog.outcome if dialog.exec() else None
        finally:
            self._dialog_open = False
            dialog.deleteLater()
        if chosen:
            self.notice_label.clear()
            self.controller.finish(chosen)
        self._back_from_dialog()

    def _on_clear_pressed(self) -> None:
        self.scan_input.clear()
        self.lookup.clear()

    def _on_clock_tick(self) -> None:
        if self.controller.current is not None:
            self._render_ticket()

    def _on_language_changed(self, _code: str) -> None:
        self.retranslate()

    def _on_language_button_clicked(self) -> None:
        self.language.set("en" if self.language.code == "de" else "de")

    def _on_pause_clicked(self) -> None:
        if self.controller.desk_state == "paused":
            self.controller.sign_on()
        else:
            self.controller.pause()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._clock.stop()
        super().closeEvent(event)


def _set_property(widget: QWidget, name: str, value: bool) -> None:
    """Set a property the style sheet selects on, and apply the style again if it changed."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _caption() -> QLabel:
    label = QLabel()
    label.setProperty("caption", True)
    return label


def _plain(name: str) -> QLabel:
    """A label for what people typed (names, slots): never read as rich text."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _local(moment: datetime | None, zone: tzinfo | None) -> str:
    """A moment from the server as people at the site read it: 24.11.2026 14:05 (in the site's
    time zone; this computer's until the site has been read)."""
    if moment is None:
        return "—"
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")
