"""The quick-pickup desk's window: the P ticket at the desk on the left (with its pickup's
document and slot as soon as it is called), the receipt scanned last on the right, in type large
enough to read from the shelf. For a citizen without the receipt, F7 (or "No receipt?" in the
top bar) opens the search by case reference or name in place of the receipt's panel; Esc closes
it.

The scan field has the keyboard focus always, except while the search is open: nothing else in
the window can take it (no button takes focus), so Qt gives it back whenever the window is
active again, and the window takes it back after every dialog and change. A keyboard-wedge
scanner types the receipt's code and Enter, wherever the person last clicked. Every action has
a function key. Ctrl+N opens a field to call a particular P ticket by its number, and after F4
Ctrl+Z takes the no-show back (as at the clerk's desk, ``counter_app.clerk.particular``); once
the number is entered or the confirmation answered, the scan field has the keyboard again.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.clerk.desk_window import DeskWindow
from counter_app.clerk.dialogs import OutcomeDialog
from counter_app.clerk.queue_model import minutes_seconds
from counter_app.core.answers import Pickup
from counter_app.pickup.camera import CameraScanner, CameraUnavailable
from counter_app.pickup.desk import PickupDeskController
from counter_app.pickup.dialogs import HandOverDialog, MissingReceiptDialog
from counter_app.pickup.errors import describe as describe_failure
from counter_app.qt.i18n import N_, Language
from resources.vocabulary import (
    DOCUMENT_KIND_LABELS,
    PICKUP_STATUS_LABELS,
    TICKET_STATUS_LABELS,
    PickupStatus,
)

HAND_OVER_KEY = "F6"
SEARCH_KEY = "F7"
WITHOUT_RECEIPT_KEY = "F8"
REISSUE_KEY = "F10"
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
#pickupSlotLabel { font-size: 128px; font-weight: bold; color: #111827; }
#pickupSlotLabel[closed="true"] { font-size: 56px; color: #9ca3af; text-decoration: line-through; }
#pickupNoteLabel { font-size: 22px; color: #111827; }
#pickupNoteLabel[closed="true"] { font-size: 26px; font-weight: bold; }
#waitingLabel { font-size: 18px; }
#currentDetails { font-size: 16px; }
#callNumberEdit { font-size: 16px; padding: 4px; }
#undoNoShowLabel { font-size: 16px; }
#pickupHint { font-size: 26px; color: #6b7280; }
#calledPickupLabel { font-size: 20px; font-weight: bold; color: #111827; background: #dcfce7;
    border-radius: 6px; padding: 6px; }
#pickupSearchLabel { font-size: 18px; font-weight: bold; }
#noReceiptButton { text-align: center; font-weight: bold; color: #b45309; }
#pickupSearchField { font-size: 20px; padding: 6px; }
#pickupSearchPanel { background: white; border: 2px solid #b45309; border-radius: 6px; }
#pickupSearchStatus { font-size: 18px; font-weight: bold; }
#pickupSearchStatus[problem="true"] { color: #b3261e; }
#pickupSearchResults { font-size: 18px; }
#pickupSearchResults::item { padding: 6px; border-bottom: 1px solid #e5e7eb; }
#pickupSearchResults::item:selected { background: #1d4ed8; color: white; }
#handOverWithoutReceiptButton, #reissueReceiptButton { font-size: 18px; font-weight: bold;
    min-height: 48px; text-align: center; }
#handOverWithoutReceiptButton { background: #15803d; color: white; }
#reissueReceiptButton { background: #1d4ed8; color: white; }
#handOverWithoutReceiptButton:disabled, #reissueReceiptButton:disabled { background: #d1d5db;
    color: #6b7280; }
QLabel[caption="true"] { font-size: 16px; color: #6b7280; }
QPushButton { padding: 6px 10px; min-height: 34px; font-size: 15px; text-align: left; }
#callNextButton { background: #1d4ed8; color: white; font-weight: bold; }
#callNextButton:disabled, #handOverButton:disabled { background: #d1d5db; color: #6b7280; }
#handOverButton { background: #15803d; color: white; font-size: 26px; font-weight: bold;
    min-height: 64px; text-align: center; border-radius: 6px; }
"""


class PickupWindow(DeskWindow):
    controller: PickupDeskController
    WINDOW_TITLE = N_("Tresen · Quick pickup {desk}")
    TITLE = N_("{site} · Quick pickup {desk} · {user}")
    OFFLINE = N_(
        "No connection to the server. Receipts cannot be checked and no document "
        "can be handed over until it is back."
    )
    # No button takes the focus: the scanner's keystrokes always reach the scan field.
    BUTTONS_TAKE_FOCUS = False

    def __init__(
        self,
        controller: PickupDeskController,
        language: Language,
        user: str,
        camera: CameraScanner | None = None,
    ) -> None:
        self.controller = controller
        self.lookup = controller.lookup
        self.search = controller.search
        self.camera = camera
        self._dialog_open = False
        #: The search for a citizen without the receipt is open (in place of the panel).
        self._searching = False
        super().__init__(controller, language, user, "pickupWindow", STYLE)
        self.lookup.changed.connect(self._on_lookup_changed)
        self.search.changed.connect(self._on_search_changed)
        if camera is not None:
            camera.decoded.connect(self._on_camera_decoded)
            camera.status_changed.connect(self._on_camera_status_changed)

    # Building ------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(self._build_offline_banner())

        # The search takes no room until it is needed: the receipt's panel keeps its size.
        self.no_receipt_button = self._button(
            "noReceiptButton", self._on_search_key_pressed, SEARCH_KEY
        )
        outer.addLayout(self._build_top_bar(self.no_receipt_button))
        for widget in (self.language_button, self.pause_button, self.sign_off_button):
            widget.setStyleSheet("text-align: center;")

        body = QHBoxLayout()
        body.addWidget(self._build_ticket_panel(), 3)
        body.addLayout(self._build_pickup_side(), 8)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        QShortcut(QKeySequence("Esc"), self, self._on_clear_pressed)

    def _build_ticket_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("ticketPanel")
        layout = QVBoxLayout(panel)
        self.ticket_caption = _caption()
        layout.addWidget(self.ticket_caption)
        current, details = self._build_current()
        details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(current)
        layout.addWidget(details)
        self.called_pickup_label = _plain("calledPickupLabel")
        self.called_pickup_label.hide()
        layout.addWidget(self.called_pickup_label)
        for button in self._build_actions({"finishButton": self._on_finish_clicked}):
            layout.addWidget(button)
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("waitingLabel")
        self.waiting_label.setWordWrap(True)
        layout.addWidget(self.waiting_label)
        notice = self._build_notice()
        # The number field shows from Ctrl+N until it is answered ("Undo" after F4 goes under
        # the scan field: this column has no room left for its wrapped text at 1280x720).
        self.particular.number_edit.hide()
        layout.addWidget(self.particular.number_edit)
        layout.addWidget(notice)
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
        self.scan_input.installEventFilter(self)  # Ctrl+Z: see eventFilter
        self.scan_label.setBuddy(self.scan_input)
        row.addWidget(self.scan_label)
        row.addWidget(self.scan_input, 1)
        side.addLayout(row)
        side.addWidget(self.particular.undo_row)
        side.addWidget(self._build_search_panel(), 1)

        panel = QFrame()
        self.details_panel = panel
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

    def _build_search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_label = QLabel()
        self.search_label.setObjectName("pickupSearchLabel")
        self.search_field = QLineEdit()
        self.search_field.setObjectName("pickupSearchField")
        self.search_field.setMaxLength(100)
        self.search_field.returnPressed.connect(self._on_search_field_return_pressed)
        self.search_label.setBuddy(self.search_field)
        row.addWidget(self.search_label)
        row.addWidget(self.search_field, 1)
        return row

    def _build_search_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("pickupSearchPanel")
        layout = QVBoxLayout(panel)
        layout.addLayout(self._build_search_row())
        self.search_status = QLabel()
        self.search_status.setObjectName("pickupSearchStatus")
        self.search_status.setWordWrap(True)
        self.search_status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.search_status)
        self.search_results = QListWidget()
        self.search_results.setObjectName("pickupSearchResults")
        self.search_results.setWordWrap(True)
        self.search_results.currentRowChanged.connect(self._on_search_results_row_changed)
        self.search_results.itemActivated.connect(self._on_search_results_item_activated)
        layout.addWidget(self.search_results, 1)
        row = QHBoxLayout()
        self.without_receipt_button = self._button(
            "handOverWithoutReceiptButton", self._on_without_receipt_clicked, WITHOUT_RECEIPT_KEY
        )
        self.reissue_button = self._button(
            "reissueReceiptButton", self._on_reissue_clicked, REISSUE_KEY
        )
        row.addWidget(self.without_receipt_button, 1)
        row.addWidget(self.reissue_button, 1)
        layout.addLayout(row)
        panel.hide()
        self.search_panel = panel
        return panel

    # Rendering -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        self.ticket_caption.setText(tr(N_("At the desk")))
        self.scan_label.setText(tr(N_("&Receipt:")))
        self.scan_input.setPlaceholderText(tr(N_("Scan the receipt or type its code")))
        self.holder_caption.setText(tr(N_("Holder")))
        self.slot_caption.setText(tr(N_("Shelf slot")))
        self.hand_over_button.setText(tr(N_("Hand over ({key})")).format(key=HAND_OVER_KEY))
        self.search_label.setText(f"{tr(N_('Find'))}:")
        self.no_receipt_button.setText(tr(N_("No receipt? ({key})")).format(key=SEARCH_KEY))
        self.search_field.setPlaceholderText(
            tr(N_("Case reference or name (at least 3 letters), then Enter"))
        )
        self.without_receipt_button.setText(
            tr(N_("Hand over without receipt ({key})")).format(key=WITHOUT_RECEIPT_KEY)
        )
        self.reissue_button.setText(tr(N_("New receipt ({key})")).format(key=REISSUE_KEY))
        super().retranslate()

    def show_state(self) -> None:
        c, tr = self.controller, self.language
        super().show_state()
        waiting = [t.number for t in c.waiting]
        self.waiting_label.setText(
            tr(N_("Waiting: {count}")).format(count=len(waiting))
            + (f" · {', '.join(waiting[:8])}" if waiting else "")
            + (" …" if len(waiting) > 8 else "")
        )
        self._render_ticket()
        self._render_pickup()
        self._render_search()
        self._render_camera()

    def _render_ticket(self) -> None:
        ticket, tr = self.controller.current, self.language
        self._render_called_pickup()
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
        super()._render_buttons()
        c = self.controller
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

    def _render_called_pickup(self) -> None:
        """The called ticket's pickup: what to fetch from which slot (the scan confirms)."""
        pickup, tr = self.controller.called_pickup, self.language
        scanned = self.lookup.pickup
        if (
            pickup is None
            or self.controller.current is None
            or (scanned is not None and scanned.id == pickup.id)
        ):
            # once the receipt is scanned, the details beside say it all (and in full)
            self.called_pickup_label.hide()
            return
        if pickup.status == "ready":
            text = tr(N_("{document}\nShelf slot {slot}\nScan the receipt to confirm.")).format(
                document=self._document(pickup), slot=pickup.slot or "—"
            )
        else:
            label = PICKUP_STATUS_LABELS.get(PickupStatus(pickup.status), pickup.status)
            text = f"{self._document(pickup)}\n{tr(label)}"
        self.called_pickup_label.setText(text)
        self.called_pickup_label.show()

    def _render_search(self) -> None:
        search, tr = self.search, self.language
        self.search_panel.setVisible(self._searching)
        self.details_panel.setVisible(not self._searching)
        if not self._searching:
            self.search_results.clear()  # names stay on screen no longer than needed
            return
        problem = False
        if search.busy:
            status = tr(N_("Searching …"))
        elif search.error is not None:
            headline, sentence = describe_failure(search.error, tr, "hand_over")
            status, problem = f"{headline}: {sentence}", True
        elif search.done is not None:
            what, pickup = search.done
            said = (
                N_("Handed over without receipt: {holder}, {document}.")
                if what == "handed_over"
                else N_("New receipt for {holder}, {document}: the old one no longer works.")
            )
            status = tr(said).format(holder=pickup.holder_name, document=self._document(pickup))
        elif search.results is None:
            status = tr(
                N_(
                    "Type the case reference or a part of the name and press Enter. Check the "
                    "ID before anything is handed over."
                )
            )
        elif not search.results:
            status = tr(N_("No pickup found."))
        elif search.more:
            status = tr(N_("More than {count} found: please search more precisely.")).format(
                count=len(search.results)
            )
        else:
            status = tr(N_("Found: {count}. Choose with the arrow keys.")).format(
                count=len(search.results)
            )
        self.search_status.setText(status)
        _set_property(self.search_status, "problem", problem)
        chosen = self._chosen_id()
        self.search_results.blockSignals(True)
        self.search_results.clear()
        for pickup in search.results or []:
            item = QListWidgetItem(self._search_line(pickup))
            item.setData(Qt.ItemDataRole.UserRole, pickup.id)
            self.search_results.addItem(item)
            if pickup.id == chosen:
                self.search_results.setCurrentItem(item)
        if self.search_results.currentRow() < 0 and self.search_results.count():
            self.search_results.setCurrentRow(0)
        self.search_results.blockSignals(False)
        self._render_search_buttons()

    def _search_line(self, pickup: Pickup) -> str:
        tr = self.language
        status = tr(PICKUP_STATUS_LABELS.get(PickupStatus(pickup.status), pickup.status))
        slot = tr(N_("slot {slot}")).format(slot=pickup.slot) if pickup.slot else ""
        first = f"{pickup.holder_name} · {pickup.case_reference}"
        second = " · ".join(part for part in (self._document(pickup), slot, status) if part)
        return f"{first}\n{second}"

    def _chosen_id(self) -> int | None:
        item = self.search_results.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _chosen(self) -> Pickup | None:
        chosen = self._chosen_id()
        return self.search.pickup(chosen) if chosen is not None else None

    def _render_search_buttons(self) -> None:
        c, pickup = self.controller, self._chosen()
        usable = c.online and c.ended_reason is None and not self.search.busy
        status = pickup.status if pickup is not None else None
        self.without_receipt_button.setEnabled(usable and status == "ready")
        self.reissue_button.setEnabled(usable and status in ("ordered", "ready"))

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
        program, since this also runs on live updates); while the search is open, its list
        (or its field, before there is a list) keeps it."""
        if self._dialog_open or self._calling_by_number():
            return
        if not self._searching:
            self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.search_results.count() and not self.search_field.hasFocus():
            self.search_results.setFocus(Qt.FocusReason.OtherFocusReason)

    def _back_from_dialog(self) -> None:
        self.activateWindow()
        self._refocus()

    def _calling_by_number(self) -> bool:
        """The number field is open (Ctrl+N) or its confirmation asks: they keep the keyboard."""
        return self.particular.number_edit.isVisible() or self.particular.confirmation is not None

    def _particular_done(self) -> None:
        self.particular.number_edit.hide()
        self._back_from_dialog()

    # Slots ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Ctrl+Z in the scan field is the window's "Undo" of a no-show: the field would take it
        as undoing its typing, which nobody needs there (the scanner types, Enter empties it)."""
        if (
            watched is self.scan_input
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
        ):
            event.ignore()
            return True  # not overridden: the window's shortcut acts
        return super().eventFilter(watched, event)

    def _on_controller_busy_changed(self, busy: bool) -> None:
        super()._on_controller_busy_changed(busy)
        self._refocus()

    def _on_lookup_changed(self) -> None:
        self._render_pickup()
        self._render_called_pickup()
        self._refocus()

    def _on_search_changed(self) -> None:
        self._render_search()
        if self.search.results and not self.search.busy:
            self.search_results.setFocus(Qt.FocusReason.OtherFocusReason)
        self._refocus()

    def _on_search_key_pressed(self) -> None:
        self._searching = True
        self._render_search()
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def _on_search_field_return_pressed(self) -> None:
        self._searching = True
        self.search.search(self.search_field.text())
        self._render_search()

    def _on_search_results_row_changed(self, _row: int) -> None:
        self._render_search_buttons()

    def _on_search_results_item_activated(self, _item: QListWidgetItem) -> None:
        """Enter on a result: hand over if the document is ready, else make a new receipt."""
        if self.without_receipt_button.isEnabled():
            self.without_receipt_button.click()
        elif self.reissue_button.isEnabled():
            self.reissue_button.click()

    def _ask_missing_receipt(self, pickup: Pickup, reissue: bool) -> tuple[str, str] | None:
        """The dialog: (reason, receipt language) once confirmed, else None."""
        current = self.controller.current
        dialog = MissingReceiptDialog(
            self.language,
            pickup.holder_name,
            self._document(pickup),
            pickup.slot or "",
            reissue,
            current.language if current is not None else "de",
            self,
        )
        self._dialog_open = True
        try:
            confirmed = bool(dialog.exec())
            chosen = (dialog.chosen_reason(), dialog.chosen_language()) if confirmed else None
        finally:
            self._dialog_open = False
            dialog.deleteLater()
        self.activateWindow()
        self.search_results.setFocus(Qt.FocusReason.OtherFocusReason)
        return chosen

    def _on_without_receipt_clicked(self) -> None:
        pickup = self._chosen()
        if pickup is None or not self.without_receipt_button.isEnabled() or self._dialog_open:
            return
        chosen = self._ask_missing_receipt(pickup, reissue=False)
        if chosen is not None:
            self.search.hand_over(pickup.id, chosen[0])

    def _on_reissue_clicked(self) -> None:
        pickup = self._chosen()
        if pickup is None or not self.reissue_button.isEnabled() or self._dialog_open:
            return
        chosen = self._ask_missing_receipt(pickup, reissue=True)
        if chosen is not None:
            self.search.reissue(pickup.id, *chosen)

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
        if self.particular.number_edit.isVisible():
            self._particular_done()  # Esc in the number field: nobody is called
            return
        if self._searching:
            # Close the search: the next citizen does not see this one's results.
            self._searching = False
            self.search_field.clear()
            self.search.clear()
            self._refocus()
            return
        self.scan_input.clear()
        self.lookup.clear()


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
