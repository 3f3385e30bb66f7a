"""The start screen: one big button per service, a row of language buttons.

Nothing moves under a finger: the notes that come and go (server gone, printer out, a ticket
refused) appear in a band above the services whose height is reserved for the longest of them
in any language, so the service buttons stay where they are whatever is said.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_app.printers.status import FAULTS
from counter_app.qt.i18n import N_
from kiosk.controller import SITE_NOT_ALLOWED, SITE_UNKNOWN, TOKEN_REFUSED, KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import PICKUP_PREFIX, Service
from kiosk.screens.style import LANGUAGE_BUTTON_HEIGHT, SERVICE_BUTTON_HEIGHT, STYLE, named
from resources.i18n import CITIZEN_LANGUAGES, NATIVE_NAMES, N_citizen, citizen_gettext, gettext_for

NOTICE_SECONDS = 12
#: Why no ticket was issued, by the server's error code; said to the citizen.
NO_MORE_TODAY = N_citizen("citizen", "No more tickets for this service today.")
REFUSALS = {
    "service_closed": N_citizen("citizen", "This service is closed now."),
    "service_inactive": N_citizen("citizen", "This service is not offered at the moment."),
    # Stopped by a supervisor, or its daily contingent used up, since the kiosk last looked.
    "service_stopped": NO_MORE_TODAY,
    "service_limit_reached": NO_MORE_TODAY,
}
CANNOT_ISSUE = N_citizen(
    "citizen", "No ticket can be issued at the moment. Please ask at the information desk."
)
PRINTER_OUT = N_citizen(
    "citizen", "The ticket printer is out of order: your number will be shown on the screen."
)
ISSUING_OFFLINE = N_citizen("citizen", "Tickets are being issued without a connection.")
#: For staff, in German (the staff's language), when the server refuses this kiosk.
STAFF_REFUSALS = {
    TOKEN_REFUSED: N_(
        "For staff: the server {server} refused this kiosk's device token (wrong or revoked). "
        "The kiosk issues no tickets, not even offline.\n\n"
        "To fix it, issue a new token on the server:\n"
        "tresen admin issue-device-token {site} NAME --kind kiosk\n"
        "and put it into the kiosk's settings file {file} (token = …) or into "
        "$TRESEN_KIOSK_TOKEN, then restart the kiosk."
    ),
    SITE_UNKNOWN: N_(
        'For staff: the server {server} knows no site "{site}". The kiosk issues no tickets.'
        "\n\nCorrect the site (site = …, the short name from the site's file) in the kiosk's "
        "settings file {file}, then restart the kiosk."
    ),
    SITE_NOT_ALLOWED: N_(
        'For staff: this kiosk\'s device token is not valid for the site "{site}" at the '
        "server {server}. The kiosk issues no tickets.\n\n"
        "Issue a token for this site on the server:\n"
        "tresen admin issue-device-token {site} NAME --kind kiosk\n"
        "and put it into the kiosk's settings file {file} (token = …), then restart the kiosk."
    ),
}
#: Every text the band above the services shows, by the label that shows it: its height is
#: reserved for the longest of them.
BAND_TEXTS = {
    "statusNote": (PRINTER_OUT, ISSUING_OFFLINE, CANNOT_ISSUE),
    "notice": (CANNOT_ISSUE, *REFUSALS.values()),
}


class ServiceButton(QPushButton):
    """A service: its letter, its name and hint in the citizen's language, or why it issues no
    ticket now (closed, or no more tickets today), greyed and not tappable, as large as the
    others."""

    def __init__(self, service: Service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"service-{service.prefix}")
        self.setProperty("kind", "service")
        self.setMinimumHeight(SERVICE_BUTTON_HEIGHT)
        self.setMaximumHeight(2 * SERVICE_BUTTON_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.badge = QLabel(service.prefix)
        self.badge.setProperty("role", "badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel()
        self.name.setProperty("role", "serviceName")
        self.name.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setProperty("role", "serviceHint")
        self.hint.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        texts.addStretch(1)
        texts.addWidget(self.name)
        texts.addWidget(self.hint)
        texts.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(24)
        row.addWidget(self.badge)
        row.addLayout(texts, 1)
        for label in (self.badge, self.name, self.hint):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def retranslate(self, language: CitizenLanguage) -> None:
        service = self.service
        self.name.setText(service.name(language.code))
        available = service.open_now and service.issuing
        if not service.issuing:
            # Stopped for today, or the day's contingent used up: the server's words.
            self.hint.setText(service.not_issuing_text(language.code) or language(NO_MORE_TODAY))
        elif not service.open_now:
            closed = language(N_citizen("citizen", "Closed now. Opening hours today: {hours}"))
            self.hint.setText(closed.format(hours=service.hours_today or "—"))
        else:
            self.hint.setText(service.hint(language.code))
        name = service.name(language.code)
        self.setAccessibleName(name if available else f"{name}: {self.hint.text()}")
        self.setEnabled(available)
        for label in (self.badge, self.name, self.hint):
            label.setProperty("closed", not available)
            label.style().unpolish(label)
            label.style().polish(label)


class AppointmentButton(QPushButton):
    """The button "I have an appointment": opens the check-in of a booked appointment. Drawn
    apart from the services (white, framed): not a concern, the way in for those who booked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentButton")
        self.setProperty("kind", "appointment")
        self.setMinimumHeight(SERVICE_BUTTON_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.name = named(QLabel(), "appointmentButtonName")
        self.hint = named(QLabel(), "appointmentButtonHint")
        texts = self._texts = QVBoxLayout(self)
        texts.setSpacing(4)
        texts.addStretch(1)
        for label in (self.name, self.hint):
            label.setWordWrap(True)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            texts.addWidget(label)
        texts.addStretch(1)

    def retranslate(self, language: CitizenLanguage) -> None:
        self.name.setText(language(N_citizen("citizen", "I have an appointment")))
        self.hint.setText(
            language(
                N_citizen("citizen", "Check in with the code of your appointment confirmation")
            )
        )
        self.setAccessibleName(self.name.text())
        # The texts in line with the services' names (after their letter), on the side where
        # the reading starts: a layout's margins are not mirrored right to left.
        indent, edge = 144, 24
        if language.direction == Qt.LayoutDirection.RightToLeft:
            self._texts.setContentsMargins(edge, 12, indent, 12)
        else:
            self._texts.setContentsMargins(indent, 12, edge, 12)


class StartScreen(QWidget):
    chosen = Signal(object)  # Service
    pickup_chosen = Signal(object)  # the pickup Service: check in a receipt, no plain ticket
    appointment_chosen = Signal()  # check in a booked appointment

    def __init__(
        self,
        controller: KioskController,
        language: CitizenLanguage,
        settings_file: str = "kiosk.toml",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("startScreen")
        self.controller = controller
        self.language = language
        self.settings_file = settings_file
        # Where the services would be: what staff must do when the server refuses this kiosk.
        self.staff_message = named(QLabel(), "kioskRefused")
        self.staff_message.setWordWrap(True)
        self.staff_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.staff_message.hide()
        self.site_name = named(QLabel(), "siteName")
        self.site_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = named(QLabel(), "prompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.notice = named(QLabel(), "notice")
        self.status_note = named(QLabel(), "statusNote")
        # The band: one of the two at a time (a notice of the last tap over the standing note),
        # at a height that fits the longest text, so showing one moves nothing below.
        self.band = named(QWidget(), "messageBand")
        band = QVBoxLayout(self.band)
        band.setContentsMargins(0, 0, 0, 0)
        for label in (self.status_note, self.notice):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.hide()
            band.addWidget(label)
        band.addStretch(1)
        self._note = ""
        self._notice_message = ""
        self._notice_fields: dict[str, str] = {}
        self._notice_timer = QTimer(self, singleShot=True, interval=NOTICE_SECONDS * 1000)
        self._notice_timer.timeout.connect(self.clear_notice)
        self._band_width = -1
        # Shown whenever services are: online it checks in, offline it says that checking in
        # needs the server and offers a walk-in ticket (the kiosk cannot know which sites'
        # services are booked, and a citizen with a booking should find the way in anyway).
        self.appointment_button = AppointmentButton(self)
        self.appointment_button.clicked.connect(self.appointment_chosen.emit)
        self.grid = QGridLayout()
        self.grid.setSpacing(20)
        self.buttons: list[ServiceButton] = []
        self.language_buttons: dict[str, QPushButton] = {}
        languages = QGridLayout()
        languages.setSpacing(14)
        group = QButtonGroup(self)
        for code in CITIZEN_LANGUAGES:
            language_button = named(QPushButton(NATIVE_NAMES[code]), f"lang-{code}")
            language_button.setProperty("kind", "language")
            language_button.setCheckable(True)
            language_button.setMinimumHeight(LANGUAGE_BUTTON_HEIGHT)
            language_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            language_button.clicked.connect(lambda _checked=False, c=code: self.language.set(c))
            group.addButton(language_button)
            self.language_buttons[code] = language_button
        self._languages = languages
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(20)
        layout.addWidget(self.site_name)
        layout.addWidget(self.prompt)
        layout.addWidget(self.band)
        layout.addWidget(self.staff_message)
        layout.addWidget(self.appointment_button)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addLayout(languages)
        controller.changed.connect(self._on_controller_changed)
        language.changed.connect(self.retranslate)
        self._rebuild()

    # Views of the controller -----------------------------------------------------------------

    def _on_controller_changed(self) -> None:
        if [b.service for b in self.buttons] != self.controller.services:
            self._rebuild()
        else:
            self.retranslate()

    def _rebuild(self) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.setParent(None)  # out of the tree at once: findChild must not see it
            button.deleteLater()
        self.buttons = []
        for service in self.controller.services:
            button = ServiceButton(service, self)
            if service.prefix == PICKUP_PREFIX:
                # Its tickets come only from checking a receipt in, so it opens the check-in.
                button.setObjectName("pickupButton")
                button.clicked.connect(lambda _checked=False, s=service: self.pickup_chosen.emit(s))
            else:
                button.clicked.connect(lambda _checked=False, s=service: self.chosen.emit(s))
            self.buttons.append(button)
        self._arrange()
        for button in self.buttons:
            button.show()  # at once: a child added to a shown widget is shown only later
        self.retranslate()

    def _arrange(self) -> None:
        """One column of services standing (1080x1920), two lying (1920x1080); the language
        buttons in one row lying, in two standing (six do not fit one row in large type)."""
        standing = self.height() > self.width()
        columns = 1 if standing else 2
        for index, button in enumerate(self.buttons):
            self.grid.removeWidget(button)
            self.grid.addWidget(button, index // columns, index % columns)
        per_row = 3 if standing else len(self.language_buttons)
        for index, language_button in enumerate(self.language_buttons.values()):
            self._languages.removeWidget(language_button)
            self._languages.addWidget(language_button, index // per_row, index % per_row)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._reserve_band()
        self._arrange()

    def _reserve_band(self) -> None:
        """Give the band the height of its longest text, in any language, at this width."""
        margins = self._layout.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        if width == self._band_width or width <= 0:
            return
        self._band_width = width
        height = 0
        for name, messages in BAND_TEXTS.items():
            probe = named(QLabel(), name)  # outside the window: styled like the real one
            probe.setStyleSheet(STYLE)
            probe.setWordWrap(True)
            probe.ensurePolished()
            for code in CITIZEN_LANGUAGES:
                for message in messages:
                    probe.setText(citizen_gettext(code)(message))
                    height = max(height, probe.heightForWidth(width))
        self.band.setFixedHeight(height)

    def retranslate(self, _code: str | None = None) -> None:
        _ = self.language
        self.site_name.setText(self.controller.site_name)
        self.prompt.setText(_(N_citizen("citizen", "Please choose your concern")))
        self.prompt.setVisible(bool(self.buttons))  # nothing to choose: no prompt to choose
        for button in self.buttons:
            button.retranslate(self.language)
        self.appointment_button.retranslate(self.language)
        self.appointment_button.setVisible(bool(self.buttons))
        for code, language_button in self.language_buttons.items():
            language_button.setChecked(code == self.language.code)
        controller = self.controller
        refusal = STAFF_REFUSALS.get(controller.refusal, "")
        if refusal:
            self.staff_message.setText(
                gettext_for("de")(refusal).format(
                    server=controller.issuer.client.base_url,
                    site=controller.issuer.site,
                    file=self.settings_file,
                )
            )
        self.staff_message.setVisible(bool(refusal))
        note = ""
        if refusal or (not controller.online and not controller.numbers_in_hand):
            note = CANNOT_ISSUE  # as the README promises: ask at the information desk
        elif controller.printer_state in FAULTS:
            note = PRINTER_OUT
        elif not controller.online:
            note = ISSUING_OFFLINE
        self._note = note
        self._show_band()

    def _show_band(self) -> None:
        """The notice of the last tap while it lasts, else the standing note, else nothing."""
        notice = bool(self._notice_message)
        if notice:
            self.notice.setText(self._render_notice())
        self.status_note.setText(self.language(self._note) if self._note else "")
        self.notice.setVisible(notice)
        self.status_note.setVisible(bool(self._note) and not notice)

    # Notices -----------------------------------------------------------------------------------

    def show_notice(self, message: str, **fields: str) -> None:
        """A message for the citizen (kept as message id, so it follows a language switch)."""
        self._notice_message, self._notice_fields = message, fields
        self._show_band()
        self._notice_timer.start()

    def _render_notice(self) -> str:
        return self.language(self._notice_message).format(**self._notice_fields)

    def clear_notice(self) -> None:
        self._notice_timer.stop()
        self._notice_message = ""
        self._show_band()
