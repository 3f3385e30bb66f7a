"""Checking in for a document pickup: scan the receipt's QR code, or type the code under it.

A keyboard-wedge scanner types the code and Enter into the focused field; the on-screen keys
hold exactly the letters of the receipt codes (A–Z and 2–7), so nothing else can be typed by
mistake. What went wrong is said in the citizen's language, with what to do next.
"""

from __future__ import annotations

from babel.dates import format_date
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import PickupRefusal, refusal_details
from counter_app.core.errors import Rejected, ServerFault, ServerUnreachable, TooManyRequests
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import Service
from kiosk.screens.style import LANGUAGE_BUTTON_HEIGHT, named
from resources.i18n import N_citizen

KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
COLUMNS = 8

#: What the citizen is told, by the server's error code.
ANSWERS = {
    "pickup_unknown": N_citizen(
        "citizen",
        "This receipt is not known. Please check the code, or ask at the information desk.",
    ),
    "pickup_not_ready": N_citizen(
        "citizen",
        "Your document is not ready yet. Please come back later or ask at the information desk.",
    ),
    "pickup_already_checked_in": N_citizen(
        "citizen", "You have checked in already. Your number is {number}."
    ),
    "pickup_already_handed_over": N_citizen(
        "citizen", "This document was handed out already, on {at}."
    ),
    "pickup_cancelled": N_citizen(
        "citizen", "This pickup was cancelled. Please ask at the information desk."
    ),
    # The desk printed a new receipt (the old one was lost): this one no longer counts.
    "pickup_receipt_replaced": N_citizen(
        "citizen",
        "This receipt was replaced by a new one. Please use the new receipt, "
        "or ask at the information desk.",
    ),
    "pickup_expired": N_citizen(
        "citizen",
        "The time to collect this document has ended. Please ask at the information desk.",
    ),
    # The pickup service stopped for today by a supervisor, or its contingent used up.
    "service_stopped": N_citizen(
        "citizen", "No more documents are handed out today. Please ask at the information desk."
    ),
    "service_limit_reached": N_citizen(
        "citizen", "No more documents are handed out today. Please ask at the information desk."
    ),
}
NOT_READY_UNTIL = N_citizen(
    "citizen", "Your document is not ready yet. It is expected from {date}: please come back then."
)
TOO_MANY = N_citizen("citizen", "Too many attempts. Please ask at the information desk.")
NEEDS_SERVER = N_citizen(
    "citizen",
    "Checking in needs the connection to the office, which is down at the moment. "
    "Please ask at the information desk.",
)
SOMETHING_ELSE = N_citizen("citizen", "That did not work. Please ask at the information desk.")


def answer_for(error: Exception, language: CitizenLanguage) -> str:
    """The sentence for a failed check-in, in the citizen's language."""
    _ = language
    if isinstance(error, TooManyRequests):
        return _(TOO_MANY)
    if isinstance(error, ServerUnreachable | ServerFault):
        return _(NEEDS_SERVER)
    if not isinstance(error, Rejected) or error.code not in ANSWERS:
        return _(SOMETHING_ELSE)
    details = refusal_details(error.details, PickupRefusal) or PickupRefusal()
    if error.code == "pickup_not_ready" and details.expected_ready_on:
        locale = "de_DE" if language.code == "de" else language.code
        when = format_date(details.expected_ready_on, "long", locale=locale)
        return _(NOT_READY_UNTIL).format(date=when)
    return _(ANSWERS[error.code]).format(number=details.number, at=details.at)


class PickupScreen(QWidget):
    submitted = Signal(str)  # the code as scanned or typed
    back = Signal()

    def __init__(self, language: CitizenLanguage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pickupScreen")
        self.language = language
        self.service: Service | None = None
        self.title = named(QLabel(), "pickupTitle")
        self.instruction = named(QLabel(), "pickupInstruction")
        self.answer = named(QLabel(), "pickupAnswer")
        for label in (self.title, self.instruction, self.answer):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.answer.hide()
        self.code = named(QLineEdit(), "pickupCodeEdit")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setMaxLength(60)
        self.code.returnPressed.connect(self._on_code_return_pressed)
        # The receipt's code is Latin letters and digits: its keys keep their usual order, also
        # in Arabic (a keyboard is not mirrored), as the appointment screen's do.
        self.keys = named(QWidget(), "pickupKeys")
        self.keys.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        keys = QGridLayout(self.keys)
        keys.setContentsMargins(0, 0, 0, 0)
        keys.setSpacing(10)
        for index, letter in enumerate(KEYS):
            key = named(QPushButton(letter), f"key-{letter}")
            key.setProperty("kind", "key")
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the scanner's input
            key.clicked.connect(lambda _checked=False, c=letter: self.code.insert(c))
            keys.addWidget(key, index // COLUMNS, index % COLUMNS)
        self.delete = named(QPushButton("⌫"), "key-delete")
        self.delete.setProperty("kind", "key")
        self.delete.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.delete.clicked.connect(self.code.backspace)
        self.back_button = named(QPushButton(), "backButton")
        self.back_button.setProperty("kind", "action")
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back.emit)
        self.check_in_button = named(QPushButton(), "checkInButton")
        self.check_in_button.setProperty("kind", "action")
        self.check_in_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.check_in_button.clicked.connect(self._on_code_return_pressed)
        for button in (self.back_button, self.check_in_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(LANGUAGE_BUTTON_HEIGHT)
        actions = QHBoxLayout()
        actions.setSpacing(20)
        actions.addWidget(self.back_button)
        actions.addWidget(self.delete)
        actions.addWidget(self.check_in_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(20)
        layout.addWidget(self.title)
        layout.addWidget(self.instruction)
        layout.addWidget(self.code)
        layout.addWidget(self.answer)
        layout.addStretch(1)
        layout.addWidget(self.keys)
        layout.addLayout(actions)
        language.changed.connect(self.retranslate)
        self.retranslate()

    def open_for(self, service: Service, typed: str = "") -> None:
        """Show the screen for ``service`` (the pickup service), the field empty and focused."""
        self.service = service
        self.code.setText(typed)
        self.answer.hide()
        self.retranslate()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_answer(self, text: str) -> None:
        self.answer.setText(text)
        self.answer.show()
        self.code.selectAll()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_code_return_pressed(self) -> None:
        code = self.code.text().strip()
        if code:
            self.submitted.emit(code)

    def retranslate(self, _code: str | None = None) -> None:
        _ = self.language
        self.title.setText(
            self.service.name(self.language.code)
            if self.service
            else _(N_citizen("citizen", "Collect a document"))
        )
        self.instruction.setText(
            _(
                N_citizen(
                    "citizen",
                    "Hold the QR code of your pickup receipt under the scanner, "
                    "or type the code printed under it.",
                )
            )
        )
        self.back_button.setText(_(N_citizen("citizen", "Back")))
        self.check_in_button.setText(_(N_citizen("citizen", "Check in")))
