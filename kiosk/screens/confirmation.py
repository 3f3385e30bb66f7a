"""The confirmation: the number, the wait, whether the ticket came out, and its preview.

When the printer fails, the number and the ticket (with its QR code) stay on the screen, so the
citizen can note it or photograph it; "Print again" tries once more.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_app.printers.status import PrinterState
from kiosk.controller import Outcome
from kiosk.i18n import CitizenLanguage
from kiosk.screens.style import named
from kiosk.ticket import appointment_texts, wait_texts
from resources.i18n import N_citizen

FAULT_TEXTS = {
    PrinterState.PAPER_OUT: N_citizen("citizen", "The printer is out of paper."),
    PrinterState.COVER_OPEN: N_citizen("citizen", "The printer's cover is open."),
    PrinterState.OFFLINE: N_citizen("citizen", "The printer is not answering."),
    PrinterState.ERROR: N_citizen("citizen", "The printer has a fault."),
}
FAULT_ADVICE = N_citizen(
    "citizen",
    "Your number is {number}: please note it or take a photo of the ticket on the screen. "
    "Staff have been told.",
)


class TicketPreview(QLabel):
    """The printed ticket on screen, scaled to whatever room the layout gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ticketPreview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(200, 200)
        self._image: QImage | None = None

    def show_image(self, image: QImage | None) -> None:
        self._image = image
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None:
            self.clear()
            return
        self.setPixmap(
            QPixmap.fromImage(self._image).scaled(
                self.contentsRect().size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


class ConfirmationScreen(QWidget):
    done = Signal()
    reprint = Signal()

    def __init__(self, language: CitizenLanguage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketConfirmation")
        self.language = language
        self.outcome: Outcome | None = None
        self.your_number = named(QLabel(), "yourNumber")
        self.number = named(QLabel(), "confirmedNumber")
        self.service = named(QLabel(), "confirmedService")
        # The appointment's time ("Termin 10:15"), or why this is a walk-in ticket.
        self.appointment = named(QLabel(), "confirmedAppointment")
        self.appointment.hide()
        self.wait = named(QLabel(), "confirmedWait")
        self.status = named(QLabel(), "printStatus")
        labels = (
            self.your_number,
            self.number,
            self.service,
            self.appointment,
            self.wait,
            self.status,
        )
        for label in labels:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.preview = TicketPreview()
        self.reprint_button = named(QPushButton(), "reprintButton")
        self.reprint_button.setProperty("kind", "action")
        self.reprint_button.clicked.connect(self.reprint.emit)
        # Its place is kept while it is hidden: "Done" must not move when a fault shows it.
        policy = self.reprint_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.reprint_button.setSizePolicy(policy)
        self.done_button = named(QPushButton(), "doneButton")
        self.done_button.setProperty("kind", "action")
        self.done_button.clicked.connect(self.done.emit)
        buttons = QHBoxLayout()
        buttons.setSpacing(20)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.done_button)
        texts = QVBoxLayout()
        texts.setSpacing(16)
        texts.addStretch(1)
        for widget in labels:
            texts.addWidget(widget)
        texts.addStretch(1)
        texts.addLayout(buttons)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.body.setContentsMargins(40, 40, 40, 40)
        self.body.setSpacing(40)
        self.body.addLayout(texts, 1)
        self.body.addWidget(self.preview, 1)
        language.changed.connect(self.retranslate)
        self.retranslate()

    def show_outcome(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.preview.show_image(outcome.preview)
        self.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        standing = self.height() > self.width()
        self.body.setDirection(
            QBoxLayout.Direction.TopToBottom if standing else QBoxLayout.Direction.LeftToRight
        )

    def retranslate(self, _code: str | None = None) -> None:
        _ = self.language
        self.your_number.setText(_(N_citizen("citizen", "Your number")))
        self.done_button.setText(_(N_citizen("citizen", "Done")))
        self.reprint_button.setText(_(N_citizen("citizen", "Print again")))
        outcome = self.outcome
        if outcome is None:
            return
        ticket = outcome.ticket
        self.number.setText(ticket.number)
        self.service.setText(ticket.service_name)
        appointment = appointment_texts(ticket)
        self.appointment.setText("\n".join(appointment))
        self.appointment.setVisible(bool(appointment))
        self.wait.setText("\n".join(wait_texts(ticket)))
        fault = not outcome.printing and not outcome.printed
        if outcome.printing:
            status = _(N_citizen("citizen", "Your ticket is being printed…"))
        elif outcome.printed:
            status = _(N_citizen("citizen", "Please take your ticket."))
        else:
            reason = FAULT_TEXTS.get(
                outcome.printer_state, N_citizen("citizen", "The ticket could not be printed.")
            )
            status = f"{_(reason)} {_(FAULT_ADVICE).format(number=ticket.number)}"
        self.status.setText(status)
        self.status.setProperty("fault", fault)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.reprint_button.setVisible(fault)
