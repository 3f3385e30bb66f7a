"""The steering dialogs: what the supervisor asks for, then a confirmation naming what happens.

Each dialog works by keyboard alone (Tab, arrows, Space, Enter; Alt+Up/Alt+Down move a service
in a desk's order). On OK it leaves a :class:`Plan`: the sentence the confirmation shows and
what to send. Nothing reaches the server before the confirmation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import BoardDesk, BoardService, Ticket
from counter_app.core.board import service_label, waiting_label
from counter_app.qt.i18n import N_, Language
from resources.vocabulary import STOP_REASON_LABELS

#: The longest reason the server takes for a cancellation.
CANCEL_REASON_MAX = 200


@dataclass(frozen=True)
class Plan:
    """What a dialog asks for: the confirmation's sentence and the call to make."""

    question: str
    #: What the window says once it is done.
    done: str
    act: Callable[[str], None]


def _buttons(dialog: QDialog, language: Language) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(language(N_("Continue …")))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(language(N_("Cancel")))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _heading(text: str) -> QLabel:
    """The dialog's title inside it too (a title bar is not always drawn, e.g. on a kiosk-like
    desktop without window decorations)."""
    label = QLabel(text)
    label.setObjectName("dialogHeading")
    label.setStyleSheet("font-weight: bold; font-size: 14px;")
    return label


def _problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("dialogProblem")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e; font-weight: bold;")
    return label


class _OrderList(QListWidget):
    """A list whose chosen item Alt+Up and Alt+Down move."""

    def __init__(self, shift: Callable[[int], None]) -> None:
        super().__init__()
        self._shift = shift

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            self._shift(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


class DeskServicesDialog(QDialog):
    """The services a desk calls, ticked, in their order (top first)."""

    def __init__(
        self,
        desk: BoardDesk,
        services: Sequence[BoardService],
        language: Language,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deskServicesDialog")
        self.desk = desk
        self.language = language
        tr = language
        self.setWindowTitle(tr(N_("Services of {desk}")).format(desk=desk.name))
        by_id = {s.id: s for s in services}
        self.list = _OrderList(self.shift)
        self.list.setObjectName("deskServicesList")
        ordered = [by_id[i] for i in desk.services if i in by_id]
        ordered += [s for s in services if s.id not in desk.services and s.active]
        for service in ordered:
            item = QListWidgetItem(service_label(service, language.code))
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = service.id in desk.services
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        hint = QLabel(
            tr(
                N_(
                    "Tick the services {desk} calls (Space). Their order decides between "
                    "citizens who came at the same moment: Alt+Up and Alt+Down move the chosen "
                    "service."
                )
            ).format(desk=desk.name)
        )
        hint.setWordWrap(True)
        up = QPushButton(tr(N_("&Up")))
        up.setObjectName("moveUpButton")
        down = QPushButton(tr(N_("Do&wn")))
        down.setObjectName("moveDownButton")
        up.clicked.connect(lambda: self.shift(-1))
        down.clicked.connect(lambda: self.shift(1))
        side = QVBoxLayout()
        side.addWidget(up)
        side.addWidget(down)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(self.windowTitle()))
        layout.addWidget(hint)
        layout.addLayout(row)
        layout.addWidget(_buttons(self, language))
        self.setMinimumWidth(480)

    def shift(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)

    def chosen(self) -> list[int]:
        """The ticked services, in their order."""
        return [
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def chosen_prefixes(self) -> list[str]:
        return [
            self.list.item(i).text().split(" · ")[0]
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


class StopServiceDialog(QDialog):
    """Stop issuing a service's tickets for today, with a reason."""

    def __init__(
        self, service: BoardService, language: Language, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stopServiceDialog")
        tr = language
        self.setWindowTitle(tr(N_("Stop issuing {service}")).format(service=service.prefix))
        self.reason = QComboBox()
        self.reason.setObjectName("stopReasonBox")
        self.reason.addItem(tr(N_("no reason given")), None)
        for reason, caption in STOP_REASON_LABELS.items():
            self.reason.addItem(tr(caption), reason.value)
        text = QLabel(
            tr(
                N_(
                    "From now on the kiosk issues no more tickets for {service} today and says "
                    "so in the citizen's language. Whoever waits is still called. Tomorrow it "
                    "issues again by itself."
                )
            ).format(service=service_label(service, language.code))
        )
        text.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_heading(self.windowTitle()))
        form.addRow(text)
        label = QLabel(tr(N_("&Reason")))
        label.setBuddy(self.reason)
        form.addRow(label, self.reason)
        form.addRow(_buttons(self, language))
        self.setMinimumWidth(480)

    def chosen_reason(self) -> str | None:
        value = self.reason.currentData()
        return str(value) if value else None


class _TicketDialog(QDialog):
    """Common to moving and cancelling: choose a waiting ticket."""

    def __init__(
        self,
        tickets: Sequence[Ticket],
        prefixes: dict[int, str],
        language: Language,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.language = language
        self.ticket = QComboBox()
        self.ticket.setObjectName("ticketBox")
        for ticket in tickets:
            self.ticket.addItem(waiting_label(ticket, prefixes, language), ticket.id)
        self.tickets = {t.id: t for t in tickets}
        self.problem = _problem_label()
        self.form = QFormLayout(self)
        label = QLabel(language(N_("&Ticket")))
        label.setBuddy(self.ticket)
        self.form.addRow(label, self.ticket)
        self.setMinimumWidth(480)

    def chosen_ticket(self) -> Ticket | None:
        value = self.ticket.currentData()
        return self.tickets.get(int(value)) if value is not None else None

    def select(self, ticket_id: int) -> None:
        index = self.ticket.findData(ticket_id)
        if index >= 0:
            self.ticket.setCurrentIndex(index)


class MoveTicketDialog(_TicketDialog):
    def __init__(
        self,
        tickets: Sequence[Ticket],
        services: Sequence[BoardService],
        language: Language,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tickets, {s.id: s.prefix for s in services}, language, parent)
        self.setObjectName("moveTicketDialog")
        tr = language
        self.setWindowTitle(tr(N_("Move a waiting ticket")))
        self.form.insertRow(0, _heading(self.windowTitle()))
        self.service = QComboBox()
        self.service.setObjectName("targetServiceBox")
        for service in services:
            if service.active:
                self.service.addItem(service_label(service, language.code), service.id)
        self.labels = {s.id: service_label(s, language.code) for s in services}
        self.reason = QLineEdit()
        self.reason.setObjectName("moveReasonEdit")
        self.reason.setPlaceholderText(tr(N_("optional: the desk that calls it reads it")))
        for text, widget in ((N_("T&o service"), self.service), (N_("&Reason"), self.reason)):
            label = QLabel(tr(text))
            label.setBuddy(widget)
            self.form.addRow(label, widget)
        note = QLabel(tr(N_("The ticket keeps its number and its place in the queue.")))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.form.addRow(self.problem)
        self.form.addRow(_buttons(self, language))

    def accept(self) -> None:
        ticket = self.chosen_ticket()
        if ticket is None:
            self.problem.setText(self.language(N_("Nobody is waiting.")))
            return
        if self.service.currentData() == ticket.service_id:
            self.problem.setText(
                self.language(N_("{number} already waits for this service.")).format(
                    number=ticket.number
                )
            )
            return
        super().accept()

    def chosen_service(self) -> int:
        return int(self.service.currentData())


class CancelTicketDialog(_TicketDialog):
    def __init__(
        self,
        tickets: Sequence[Ticket],
        prefixes: dict[int, str],
        language: Language,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tickets, prefixes, language, parent)
        self.setObjectName("cancelTicketDialog")
        tr = language
        self.setWindowTitle(tr(N_("Cancel a ticket")))
        self.form.insertRow(0, _heading(self.windowTitle()))
        self.reason = QLineEdit()
        self.reason.setObjectName("cancelReasonEdit")
        self.reason.setMaxLength(CANCEL_REASON_MAX)
        self.reason.setPlaceholderText(tr(N_("required; kept with the case, never shown")))
        label = QLabel(tr(N_("&Reason")))
        label.setBuddy(self.reason)
        self.form.addRow(label, self.reason)
        self.form.addRow(self.problem)
        self.form.addRow(_buttons(self, language))

    def accept(self) -> None:
        if self.chosen_ticket() is None:
            self.problem.setText(self.language(N_("Nobody is waiting.")))
            return
        if not self.reason.text().strip():
            self.problem.setText(self.language(N_("Please say why the ticket is cancelled.")))
            self.reason.setFocus()
            return
        super().accept()


def confirm(parent: QWidget, plan: Plan, language: Language) -> QMessageBox:
    """The confirmation naming what happens; ``plan.act`` runs on Yes. No is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        language(N_("Please confirm")),
        plan.question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("steeringConfirm")
    box.button(QMessageBox.StandardButton.Yes).setText(language(N_("&Yes, do it")))
    box.button(QMessageBox.StandardButton.No).setText(language(N_("&No")))
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.accepted.connect(lambda: plan.act(plan.done))
    box.finished.connect(box.deleteLater)
    box.open()
    return box
