"""The kiosk's window: the start screen and the confirmation, in the citizen's language.

After ``idle_seconds`` without a touch the kiosk returns to German and the start screen, so the
next citizen does not find the previous one's language or ticket.

A code scanned on the start screen (a keyboard-wedge scanner types it and Enter) is collected
until the Enter and then sent where its shape says (``kiosk.scans``): a pickup receipt to the
pickup check-in, anything else to the appointment check-in. Keys further apart than
``SCAN_GAP_S`` start a new code, so a stray key pressed long before does not spoil a scan.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QStackedLayout, QWidget

from counter_app.core.errors import Rejected, ServerFault, ServerUnreachable
from kiosk.controller import KioskController, Outcome
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import PICKUP_PREFIX, NoOfflineNumbers, Service
from kiosk.scans import ScanKind, kind_of
from kiosk.screens.appointment import AppointmentScreen
from kiosk.screens.appointment import answer_for as appointment_answer
from kiosk.screens.confirmation import ConfirmationScreen
from kiosk.screens.pickup import PickupScreen, answer_for
from kiosk.screens.start import CANNOT_ISSUE, REFUSALS, StartScreen
from kiosk.screens.style import STYLE
from resources.i18n import DEFAULT_LANGUAGE

log = logging.getLogger("tresen.kiosk")

IDLE_SECONDS = 30
#: Seconds between two keys of one scan at most (a scanner types a code in a few ms per key).
SCAN_GAP_S = 2.0
ENTER = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
ACTIVITY = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress})


class KioskWindow(QWidget):
    def __init__(
        self,
        controller: KioskController,
        language: CitizenLanguage,
        idle_seconds: int = IDLE_SECONDS,
        parent: QWidget | None = None,
        settings_file: str = "kiosk.toml",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.setStyleSheet(STYLE)
        # Set explicitly, so the layouts never push the window beyond the screen while the
        # screens re-arrange for a new orientation (Qt's layouts respect an explicit minimum).
        self.setMinimumSize(800, 600)
        self.controller = controller
        self.language = language
        self.start_screen = StartScreen(controller, language, settings_file)
        self.confirmation = ConfirmationScreen(language)
        self.pickup = PickupScreen(language)
        self.appointment = AppointmentScreen(language)
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.start_screen)
        self.stack.addWidget(self.confirmation)
        self.stack.addWidget(self.pickup)
        self.stack.addWidget(self.appointment)
        #: The keys of a scan on the start screen so far, and when the last came.
        self._scanned = ""
        self._scanned_at = 0.0
        self.idle = QTimer(self, singleShot=True, interval=idle_seconds * 1000)
        self.idle.timeout.connect(self.reset)
        self.start_screen.chosen.connect(self._on_start_chosen)
        self.start_screen.pickup_chosen.connect(self._on_start_pickup_chosen)
        self.pickup.submitted.connect(self._on_pickup_submitted)
        self.pickup.back.connect(self.reset)
        self.start_screen.appointment_chosen.connect(self._on_start_appointment_chosen)
        self.appointment.submitted.connect(self._on_appointment_submitted)
        self.appointment.back.connect(self.reset)
        self.appointment.walk_in.connect(self._on_appointment_walk_in)
        self.confirmation.done.connect(self.reset)
        self.confirmation.reprint.connect(controller.reprint)
        controller.issued.connect(self._on_controller_issued)
        controller.print_done.connect(self._on_controller_print_done)
        controller.refused.connect(self._on_controller_refused)
        language.changed.connect(self._on_language_changed)
        self._on_language_changed(language.code)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in ACTIVITY:
            self.idle.start()
        if (
            event.type() == QEvent.Type.KeyPress
            and self.stack.currentWidget() is self.start_screen
            and isinstance(event, QKeyEvent)
        ):
            return self._on_start_key(event)
        return False

    def _on_start_key(self, event: QKeyEvent) -> bool:
        """Collect a scan typed on the start screen; route it at its Enter. True when the key
        was taken (a key of a scan must not reach a button)."""
        now = time.monotonic()
        if now - self._scanned_at > SCAN_GAP_S:
            self._scanned = ""
        self._scanned_at = now
        if event.key() in ENTER and self._scanned:
            code, self._scanned = self._scanned, ""
            self._route_scan(code)
            return True
        text = event.text()
        if len(text) == 1 and (text.isalnum() or (self._scanned and text in " -_")):
            self._scanned += text
            return True
        return False

    def _route_scan(self, code: str) -> None:
        if self.controller.refusal:
            return  # nothing is checked in; the start screen tells staff why
        service = self._pickup_service()
        if kind_of(code) is ScanKind.PICKUP and service is not None:
            self._open_pickup(service, code)
            self._on_pickup_submitted(code)
        else:
            self._open_appointment(code)
            self._on_appointment_submitted(code)

    def _pickup_service(self) -> Service | None:
        return next((s for s in self.controller.services if s.prefix == PICKUP_PREFIX), None)

    def _open_pickup(self, service: Service, typed: str = "") -> None:
        self.start_screen.clear_notice()
        self.pickup.open_for(service, typed)
        self.stack.setCurrentWidget(self.pickup)
        self.idle.start()

    def _on_start_pickup_chosen(self, service: Service) -> None:
        self._open_pickup(service)

    def _on_pickup_submitted(self, code: str) -> None:
        service = self.pickup.service or self._pickup_service()
        if service is not None:
            self.controller.check_in(service, code, self.language.code)

    def _open_appointment(self, typed: str = "") -> None:
        self.start_screen.clear_notice()
        self.appointment.open_for(typed, online=self.controller.online)
        self.stack.setCurrentWidget(self.appointment)
        self.idle.start()

    def _on_start_appointment_chosen(self) -> None:
        self._open_appointment()

    def _on_appointment_submitted(self, code: str) -> None:
        self.controller.check_in_appointment(code, self.language.code)

    def _on_appointment_walk_in(self) -> None:
        """A walk-in ticket instead: of the one service there is, at once; else the citizen
        chooses among the services (the kiosk cannot know which one was booked)."""
        self.stack.setCurrentWidget(self.start_screen)
        self.idle.start()
        services = self.controller.walk_in_services()
        if len(services) == 1:
            self.controller.take_ticket(services[0], self.language.code)

    def reset(self) -> None:
        """Back to the start screen in German."""
        self.idle.stop()
        self._scanned = ""
        self.start_screen.clear_notice()
        self.language.set(DEFAULT_LANGUAGE)
        self.stack.setCurrentWidget(self.start_screen)

    def _on_language_changed(self, _code: str) -> None:
        self.setLayoutDirection(self.language.direction)
        self.idle.start()

    def _on_start_chosen(self, service: Service) -> None:
        self.idle.start()
        self.start_screen.clear_notice()
        self.controller.take_ticket(service, self.language.code)

    def _on_controller_issued(self, outcome: Outcome) -> None:
        self.confirmation.show_outcome(outcome)
        self.stack.setCurrentWidget(self.confirmation)
        self.idle.start()

    def _on_controller_print_done(self, outcome: Outcome) -> None:
        self.confirmation.show_outcome(outcome)
        self.idle.start()

    def _on_controller_refused(self, error: Exception) -> None:
        if self.stack.currentWidget() is self.pickup:
            self.pickup.show_answer(answer_for(error, self.language))
            return
        if self.stack.currentWidget() is self.appointment:
            self.appointment.show_answer(
                appointment_answer(error, self.language, self.controller.issuer.zone)
            )
            if isinstance(error, ServerUnreachable | ServerFault):
                self.controller.refresh()  # the start screen then says it issues offline
            return
        self.stack.setCurrentWidget(self.start_screen)
        if isinstance(error, Rejected) and error.code in REFUSALS:
            self.start_screen.show_notice(REFUSALS[error.code])
        else:
            if not isinstance(error, NoOfflineNumbers | Rejected):
                log.error("no ticket issued: %r", error)
            self.start_screen.show_notice(CANNOT_ISSUE)
        self.controller.refresh()
