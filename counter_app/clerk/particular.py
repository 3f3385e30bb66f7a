"""Calling a particular citizen and taking back a no-show, at either desk (the clerk's and the
quick-pickup desk's window place it through ``counter_app.clerk.desk_window``).

A particular citizen: the number typed into ``callNumberEdit`` (Ctrl+N goes there), or at the
clerk's desk Enter or a double click on a queue row, then a confirmation that names the ticket
and the desk (``callConfirmDialog``: Enter calls, Escape calls nobody), so a misclick calls
nobody.

After F4 the window offers "Undo" (``undoNoShowButton``, Ctrl+Z) instead of asking first:
until the ten minutes the server allows are over or the desk calls somebody else. It calls
the citizen back to this desk. It needs the server: offline the offer says so and waits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from counter_app.clerk.controller import DeskController
from counter_app.clerk.queue_model import QueueModel
from counter_app.core.answers import Ticket
from counter_app.core.calling import find_ticket
from counter_app.core.queue_reasons import clock_time
from counter_app.qt.i18n import N_, Language


class ParticularCall:
    """The number field, the confirmation, and the "Undo" row; the window places the two
    widgets (:attr:`number_edit`, :attr:`undo_row`) and calls :meth:`render` with its own.

    ``queue``: the window's queue (view, model), whose rows Enter and a double click call;
    None where the window lists the waiting as text. ``done``: called when the number field or
    the confirmation is done with, to put the keyboard back where the desk works (None: it
    stays in the number field)."""

    def __init__(
        self,
        window: QWidget,
        controller: DeskController,
        language: Language,
        notice: QLabel,
        queue: tuple[QTableView, QueueModel] | None = None,
        done: Callable[[], None] | None = None,
    ) -> None:
        self.window = window
        self.controller = controller
        self.language = language
        self.notice = notice
        self.done = done
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("callNumberEdit")
        self.number_edit.setMaxLength(8)
        self.number_edit.returnPressed.connect(self._on_number_entered)
        QShortcut(QKeySequence("Ctrl+N"), window, self._on_focus_number)
        self.queue = queue
        if queue is not None:
            queue_view = queue[0]
            queue_view.doubleClicked.connect(self._on_row_chosen)
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                enter = QShortcut(QKeySequence(key), queue_view, self._on_row_entered)
                enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.undo_row = QWidget()
        self.undo_row.setObjectName("undoNoShowRow")
        row = QHBoxLayout(self.undo_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel()
        self.undo_label.setObjectName("undoNoShowLabel")
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton()
        self.undo_button.setObjectName("undoNoShowButton")
        self.undo_button.clicked.connect(controller.undo_no_show)
        QShortcut(QKeySequence("Ctrl+Z"), window, self.undo_button.click)
        row.addWidget(self.undo_label, 1)
        row.addWidget(self.undo_button)
        self.undo_row.hide()
        #: The confirmation open now (None: none).
        self.confirmation: QMessageBox | None = None

    # Showing ------------------------------------------------------------------------------

    def render(self) -> None:
        c, tr = self.controller, self.language
        hint = tr(N_("Call number … (Ctrl+N)"))
        self.number_edit.setPlaceholderText(hint)
        # The whole hint shows, the key to reach the field with it.
        self.number_edit.setMinimumWidth(
            self.number_edit.fontMetrics().horizontalAdvance(hint) + 16
        )
        self.number_edit.setEnabled(c.online and c.ended_reason is None)
        offer = c.undo_offered(datetime.now(UTC))
        self.undo_row.setVisible(offer is not None and c.ended_reason is None)
        if offer is None:
            return
        if c.online:
            text = tr(N_("{number} marked as no-show. Undo until {time}.")).format(
                number=offer.number, time=clock_time(offer.until, c.zone)
            )
        else:
            text = tr(
                N_("{number} marked as no-show. Undo needs the server; it is not kept offline.")
            ).format(number=offer.number)
        self.undo_label.setText(text)
        self.undo_button.setText(tr(N_("Undo (Ctrl+Z)")))
        self.undo_button.setEnabled(c.online and not c.busy and c.current is None)

    # Choosing a ticket --------------------------------------------------------------------

    def _on_focus_number(self) -> None:
        self.number_edit.show()  # where it waits hidden until asked for
        self.number_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.number_edit.selectAll()

    def _on_row_entered(self) -> None:
        if self.queue is not None:
            self._on_row_chosen(self.queue[0].currentIndex())

    def _on_row_chosen(self, index: QModelIndex) -> None:
        model = self.queue[1] if self.queue is not None else None
        if model is not None and index.isValid() and index.row() < model.rowCount():
            self.confirm(model.ticket_at(index.row()))

    def _on_number_entered(self) -> None:
        text = self.number_edit.text()
        ticket = find_ticket(text, self.controller.waiting)
        if ticket is None:
            self.notice.setText(
                self.language(N_("{number} is not waiting for this desk.")).format(
                    number=text.strip()
                )
            )
        else:
            self.number_edit.clear()
            self.confirm(ticket)
        if self.confirmation is None and self.done is not None:
            self.done()  # nothing (more) to answer

    def confirm(self, ticket: Ticket) -> None:
        """Ask "A012 jetzt an Platz 3 aufrufen?"; only a yes calls."""
        c, tr = self.controller, self.language
        if c.current is not None:
            self.notice.setText(
                tr(N_("Finish with {number} first.")).format(number=c.current.number)
            )
            return
        if not c.online or c.busy or c.ended_reason is not None or self.confirmation:
            return
        desk = next((d.name or d.code for d in c.desks if d.code == c.desk), c.desk)
        box = QMessageBox(self.window)
        box.setObjectName("callConfirmDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr(N_("Call a particular citizen")))
        box.setText(tr(N_("Call {number} to {desk} now?")).format(number=ticket.number, desk=desk))
        yes = box.addButton(tr(N_("Call")), QMessageBox.ButtonRole.AcceptRole)
        yes.setObjectName("callConfirmButton")
        no = box.addButton(tr(N_("Cancel")), QMessageBox.ButtonRole.RejectRole)
        no.setObjectName("callCancelButton")
        box.setDefaultButton(yes)
        box.setEscapeButton(no)

        def answered() -> None:
            self.confirmation = None
            if box.clickedButton() is yes:
                self.controller.call_ticket(ticket.id)
            box.deleteLater()
            if self.done is not None:
                self.done()

        box.finished.connect(answered)
        self.confirmation = box
        box.open()
