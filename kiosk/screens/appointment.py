"""Checking in for a booked appointment: scan the confirmation's code, or type it.

A keyboard-wedge scanner types the code and Enter into the focused field; the on-screen keys
hold digits and capital letters, since booking codes are digits (a ZMS process number) or
letters and digits, and the server ignores case, spaces and dashes. What the server answers is
said in the citizen's language, with what to do next; where a walk-in ticket is the way on
(the check-in time passed, the appointment cancelled, no connection to the server) the screen
offers one (``walkInButton``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from babel.dates import format_date, format_time
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

from counter_app.core.answers import AppointmentRefusal, refusal_details
from counter_app.core.errors import Rejected, ServerFault, ServerUnreachable, TooManyRequests
from kiosk.i18n import CitizenLanguage
from kiosk.screens.pickup import SOMETHING_ELSE, TOO_MANY
from kiosk.screens.style import LANGUAGE_BUTTON_HEIGHT, named
from resources.i18n import N_citizen

#: Digits first: most booking systems print numbers.
KEYS = "1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COLUMNS = 10

TOO_EARLY = N_citizen(
    "citizen", "You are early for your appointment. Please come back at {time} to check in."
)
TOO_LATE_AT = N_citizen(
    "citizen",
    "The time to check in for your appointment ended at {time}. "
    "You can take a walk-in ticket or ask at the information desk.",
)
TOO_LATE = N_citizen(
    "citizen",
    "The time to check in for your appointment has passed. "
    "You can take a walk-in ticket or ask at the information desk.",
)
CHECKED_IN = N_citizen("citizen", "You have checked in already. Your number is {number}.")
CANCELLED = N_citizen(
    "citizen",
    "This appointment was cancelled. You can take a walk-in ticket or ask at the information desk.",
)
UNKNOWN = N_citizen(
    "citizen",
    "This appointment code is not known. Please check the code, or ask at the information desk.",
)
OTHER_DAY = N_citizen("citizen", "Your appointment is on {day}, not today. Please come back then.")
OTHER_SITE = N_citizen("citizen", "This appointment is at another office: {site}. Please go there.")
NEEDS_SERVER = N_citizen(
    "citizen",
    "Checking in for an appointment needs the connection to the office, which is down at the "
    "moment. You can take a walk-in ticket instead.",
)


@dataclass(frozen=True)
class Answer:
    """What the citizen is told after a check-in that gave no ticket."""

    text: str
    #: Offer a walk-in ticket beside it.
    walk_in: bool = False
    #: Nothing went wrong, the citizen only learns when to come (early, another day) or their
    #: number: said calmly, not in the red of a failure.
    calm: bool = False


def _locale(language: CitizenLanguage) -> str:
    return "de_DE" if language.code == "de" else language.code


def _time(when: datetime | None, language: CitizenLanguage, zone: tzinfo | None) -> str:
    """A time on the site's clock (the server gives it with the site's offset; ``zone``, the
    site's time zone, makes sure of it)."""
    if when is None:
        return ""
    local = when if zone is None else when.astimezone(zone)  # astimezone(None): this PC's
    return format_time(local, "short", locale=_locale(language))


def offline_answer(language: CitizenLanguage) -> Answer:
    """Only the server knows the appointments: without it, a walk-in ticket is the way on."""
    return Answer(language(NEEDS_SERVER), walk_in=True)


def answer_for(error: Exception, language: CitizenLanguage, zone: tzinfo | None = None) -> Answer:
    """The answer to a failed appointment check-in, in the citizen's language; times on the
    clock of ``zone`` (the site's), else as the server gave them."""
    _ = language
    if isinstance(error, TooManyRequests):
        return Answer(_(TOO_MANY))
    if isinstance(error, ServerUnreachable | ServerFault):
        return offline_answer(language)
    if not isinstance(error, Rejected):
        return Answer(_(SOMETHING_ELSE))
    details = refusal_details(error.details, AppointmentRefusal) or AppointmentRefusal()
    code = error.code
    if code == "appointment_too_early" and details.check_in_from is not None:
        when = _time(details.check_in_from, language, zone)
        return Answer(_(TOO_EARLY).format(time=when), calm=True)
    if code == "appointment_too_late":
        if details.check_in_until is None:
            return Answer(_(TOO_LATE), walk_in=True)
        until = _time(details.check_in_until, language, zone)
        return Answer(_(TOO_LATE_AT).format(time=until), walk_in=True)
    if code == "appointment_checked_in" and details.number:
        return Answer(_(CHECKED_IN).format(number=details.number), calm=True)
    if code == "appointment_cancelled":
        return Answer(_(CANCELLED), walk_in=True)
    if code == "appointment_not_found":
        if details.reason == "other_day" and details.day is not None:
            day = format_date(details.day, "full", locale=_locale(language))
            return Answer(_(OTHER_DAY).format(day=day), calm=True)
        if details.reason == "other_site" and details.site_name:
            return Answer(_(OTHER_SITE).format(site=details.site_name))
        return Answer(_(UNKNOWN))
    return Answer(_(SOMETHING_ELSE))


class AppointmentScreen(QWidget):
    submitted = Signal(str)  # the code as scanned or typed
    back = Signal()
    walk_in = Signal()  # the citizen takes a walk-in ticket instead

    def __init__(self, language: CitizenLanguage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentScreen")
        self.language = language
        self.title = named(QLabel(), "appointmentTitle")
        self.instruction = named(QLabel(), "appointmentInstruction")
        self.answer = named(QLabel(), "appointmentAnswer")
        for label in (self.title, self.instruction, self.answer):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.walk_in_button = named(QPushButton(), "walkInButton")
        self.walk_in_button.setProperty("kind", "action")
        self.walk_in_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.walk_in_button.setMinimumHeight(LANGUAGE_BUTTON_HEIGHT)
        self.walk_in_button.clicked.connect(self.walk_in.emit)
        self.answer_row = named(QWidget(), "appointmentAnswerRow")
        answer_row = QHBoxLayout(self.answer_row)
        answer_row.setContentsMargins(0, 0, 0, 0)
        answer_row.setSpacing(20)
        answer_row.addWidget(self.answer, 1)
        answer_row.addWidget(self.walk_in_button)
        self.answer_row.hide()
        self.code = named(QLineEdit(), "appointmentCodeEdit")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setMaxLength(60)
        self.code.returnPressed.connect(self._on_code_return_pressed)
        # A keyboard: digits and Latin letters in their usual order, also in Arabic.
        self.keys = named(QWidget(), "appointmentKeys")
        self.keys.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        keys = QGridLayout(self.keys)
        keys.setContentsMargins(0, 0, 0, 0)
        keys.setSpacing(10)
        for index, char in enumerate(KEYS):
            key = named(QPushButton(char), f"appointmentKey-{char}")
            key.setProperty("kind", "key")
            key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the scanner's input
            key.clicked.connect(lambda _checked=False, c=char: self.code.insert(c))
            keys.addWidget(key, index // COLUMNS, index % COLUMNS)
        self.delete = named(QPushButton("⌫"), "appointmentKey-delete")
        self.delete.setProperty("kind", "key")
        self.delete.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.delete.clicked.connect(self.code.backspace)
        # In the keyboard's last row, after Z: where a keyboard has its backspace.
        keys.addWidget(self.delete, len(KEYS) // COLUMNS, len(KEYS) % COLUMNS, 1, 2)
        self.back_button = named(QPushButton(), "appointmentBackButton")
        self.check_in_button = named(QPushButton(), "appointmentCheckInButton")
        self.back_button.clicked.connect(self.back.emit)
        self.check_in_button.clicked.connect(self._on_code_return_pressed)
        actions = QHBoxLayout()
        actions.setSpacing(20)
        for button in (self.back_button, self.check_in_button):
            button.setProperty("kind", "action")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(LANGUAGE_BUTTON_HEIGHT)
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(20)
        layout.addWidget(self.title)
        layout.addWidget(self.instruction)
        layout.addWidget(self.code)
        layout.addWidget(self.answer_row)
        layout.addStretch(1)
        layout.addWidget(self.keys)
        layout.addLayout(actions)
        language.changed.connect(self.retranslate)
        self.retranslate()

    def open_for(self, typed: str = "", online: bool = True) -> None:
        """Show the screen, the field holding ``typed`` and focused; offline, say at once that
        checking in needs the server (a scan may still try: it may be back)."""
        self.code.setText(typed)
        self.answer_row.hide()
        self.retranslate()
        if not online:
            self.show_answer(offline_answer(self.language))
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_answer(self, answer: Answer) -> None:
        self.answer.setText(answer.text)
        self.answer.setProperty("calm", answer.calm)
        self.answer.style().unpolish(self.answer)
        self.answer.style().polish(self.answer)
        self.walk_in_button.setVisible(answer.walk_in)
        self.answer_row.show()
        self.code.selectAll()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_code_return_pressed(self) -> None:
        code = self.code.text().strip()
        if code:
            self.submitted.emit(code)

    def retranslate(self, _code: str | None = None) -> None:
        _ = self.language
        self.title.setText(_(N_citizen("citizen", "Check in for your appointment")))
        self.instruction.setText(
            _(
                N_citizen(
                    "citizen",
                    "Hold the code of your appointment confirmation under the scanner, "
                    "or type the code on the keys.",
                )
            )
        )
        self.back_button.setText(_(N_citizen("citizen", "Back")))
        self.check_in_button.setText(_(N_citizen("citizen", "Check in")))
        self.walk_in_button.setText(_(N_citizen("citizen", "Take a walk-in ticket")))
