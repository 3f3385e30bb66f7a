"""Mistakes undone, and what a desk can issue: cancelling a waiting ticket of the queue with a
reason, and an urgent ticket for a citizen who cannot wait, printed on the desk's printer or
shown on screen large enough to read out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.clerk.receipt import SlipDesk
from counter_app.core.answers import Service
from counter_app.core.desk_ticket import DeskTicket, desk_ticket_slip
from counter_app.core.queue_reasons import language_name
from counter_app.qt.i18n import N_, Language
from counter_app.qt.paper import render
from resources.i18n import CITIZEN_LANGUAGES
from resources.vocabulary import CANCEL_WHY_LABELS, CancelWhy

log = logging.getLogger("tresen.clerk")


class CancelDialog(QDialog):
    """Why the ticket is cancelled: a reason from the list (keys 1-4 or the arrows), words
    optional, needed for "another reason". Enter cancels the ticket, Esc goes back."""

    def __init__(
        self, language: Language, number: str, service: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cancelTicketDialog")
        self.setWindowTitle(language(N_("Cancel ticket {number}")).format(number=number))
        question = QLabel(
            language(
                N_("Cancel ticket {number} ({service})? The citizen is no longer called.")
            ).format(number=number, service=service)
        )
        question.setWordWrap(True)
        self.why = QComboBox()
        self.why.setObjectName("cancelReasonCombo")
        for index, (code, label) in enumerate(CANCEL_WHY_LABELS.items(), start=1):
            self.why.addItem(f"{index}  {language(label)}", code.value)
        self.reason = QLineEdit()
        self.reason.setObjectName("cancelReasonEdit")
        self.reason.setMaxLength(200)
        self.reason.setMinimumWidth(360)
        self.reason.setPlaceholderText(language(N_("In your words (kept with the case)")))
        self.buttons = QDialogButtonBox()
        self.confirm = self.buttons.addButton(
            language(N_("Cancel the ticket")), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm.setObjectName("confirmCancelButton")
        back = self.buttons.addButton(
            language(N_("Back (Esc)")), QDialogButtonBox.ButtonRole.RejectRole
        )
        back.setObjectName("cancelBackButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(language(N_("Reason")), self.why)
        form.addRow(language(N_("In words")), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.why.currentIndexChanged.connect(self._on_changed)
        self.reason.textChanged.connect(self._on_changed)
        self.confirm.setDefault(True)
        self.why.setFocus()
        self._on_changed()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """1-4 choose a reason while the list has the focus (the words field takes digits)."""
        text = event.text()
        if self.why.hasFocus() and text.isdigit() and 1 <= int(text) <= self.why.count():
            self.why.setCurrentIndex(int(text) - 1)
            return
        super().keyPressEvent(event)

    def _on_changed(self) -> None:
        other = self.why.currentData() == CancelWhy.OTHER.value
        self.confirm.setEnabled(not other or bool(self.reason.text().strip()))

    def chosen(self) -> tuple[str, str]:
        """(the reason's code, the words)."""
        return str(self.why.currentData()), self.reason.text().strip()


class UrgentDialog(QDialog):
    """An urgent ticket: the service (the desk's own first) and the citizen's language."""

    def __init__(
        self,
        language: Language,
        services: list[Service],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("issueUrgentDialog")
        self.setWindowTitle(language(N_("Urgent ticket")))
        intro = QLabel(
            language(
                N_(
                    "For a citizen who cannot wait long: the ticket goes before every walk-in. "
                    "It is printed on this desk's printer, or shown here."
                )
            )
        )
        intro.setWordWrap(True)
        self.service = QComboBox()
        self.service.setObjectName("urgentServiceCombo")
        for service in services:
            self.service.addItem(f"{service.prefix}  {service.name_in(language.code)}", service.id)
        self.language_box = QComboBox()
        self.language_box.setObjectName("urgentLanguageCombo")
        for code in CITIZEN_LANGUAGES:
            self.language_box.addItem(language_name(code, language), code)
        buttons = QDialogButtonBox()
        self.confirm = buttons.addButton(
            language(N_("Issue the ticket")), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm.setObjectName("confirmUrgentButton")
        self.confirm.setEnabled(bool(services))
        self.confirm.setDefault(True)
        buttons.addButton(language(N_("Back (Esc)")), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(language(N_("Service")), self.service)
        form.addRow(language(N_("Language of the ticket")), self.language_box)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.service.setFocus()

    def chosen(self) -> tuple[int, str]:
        """(the service's id, the citizen's language)."""
        return int(self.service.currentData()), str(self.language_box.currentData())


@dataclass(frozen=True)
class IssuedOutcome:
    ticket: DeskTicket
    image: QImage
    printed: bool
    problem: str  # a message id; empty when printed


class DeskTickets(SlipDesk):
    """Draws and prints the tickets issued at the desk (outcome: :class:`IssuedOutcome`;
    without a printer it is shown on screen, which is no problem to report)."""

    def print_ticket(self, ticket: DeskTicket, site_name: str) -> None:
        self._send(ticket, render(desk_ticket_slip(ticket, site_name), self.width_dots))

    def _outcome(
        self, slip: DeskTicket, image: QImage, printed: bool, problem: str
    ) -> IssuedOutcome:
        return IssuedOutcome(slip, image, printed, problem)

    def _label(self, slip: DeskTicket) -> str:
        return f"desk ticket {slip.number}"


class IssuedTicketDialog(QDialog):
    """The ticket on screen: its number large enough to read out from across the desk, and
    the ticket itself (the citizen can photograph its QR code)."""

    def __init__(
        self,
        outcome: IssuedOutcome,
        language: Language,
        can_print: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("issuedTicketDialog")
        ticket = outcome.ticket
        self.setWindowTitle(language(N_("Urgent ticket {number}")).format(number=ticket.number))
        problem = QLabel(language(outcome.problem) if outcome.problem else "")
        problem.setObjectName("issuedTicketProblem")
        problem.setWordWrap(True)
        problem.setStyleSheet("color: #b3261e; font-weight: bold;")
        problem.setVisible(bool(outcome.problem))
        number = QLabel(ticket.number)
        number.setObjectName("issuedTicketNumber")
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setStyleSheet("font-size: 96px; font-weight: bold; color: #111827;")
        heading = QLabel(language(N_("Urgent ticket")))
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setStyleSheet("font-size: 22px; font-weight: bold; color: #b3261e;")
        # The clerk reads the service out in German; the slip beside it is in the citizen's.
        service = QLabel(ticket.service_name_de)
        service.setObjectName("issuedTicketService")
        service.setAlignment(Qt.AlignmentFlag.AlignCenter)
        service.setStyleSheet("font-size: 22px;")
        service.setWordWrap(True)
        preview = QLabel()
        preview.setObjectName("issuedTicketPreview")
        preview.setPixmap(
            QPixmap.fromImage(outcome.image).scaledToHeight(
                min(outcome.image.height(), 520), Qt.TransformationMode.SmoothTransformation
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(language(N_("Close")))
        if can_print:
            again = buttons.addButton(
                language(N_("Print again")), QDialogButtonBox.ButtonRole.AcceptRole
            )
            again.setObjectName("printTicketAgainButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(problem)
        side.addStretch(1)
        side.addWidget(heading)
        side.addWidget(number)
        side.addWidget(service)
        side.addStretch(1)
        side.addWidget(buttons)
        row = QHBoxLayout(self)
        row.addWidget(preview)
        row.addLayout(side, 1)
