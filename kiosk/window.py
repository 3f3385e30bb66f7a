"""The kiosk's window: the start screen and the confirmation, in the citizen's language.

After ``idle_seconds`` without a touch the kiosk returns to German and the start screen, so the
next citizen does not find the previous one's language or ticket.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QStackedLayout, QWidget

from counter_app.core.errors import Rejected
from kiosk.controller import KioskController, Outcome
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import PICKUP_PREFIX, NoOfflineNumbers, Service
from kiosk.screens.confirmation import ConfirmationScreen
from kiosk.screens.pickup import PickupScreen, answer_for
from kiosk.screens.start import CANNOT_ISSUE, REFUSALS, StartScreen
from kiosk.screens.style import STYLE
from resources.i18n import DEFAULT_LANGUAGE

log = logging.getLogger("tresen.kiosk")

IDLE_SECONDS = 30
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
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.start_screen)
        self.stack.addWidget(self.confirmation)
        self.stack.addWidget(self.pickup)
        self.idle = QTimer(self, singleShot=True, interval=idle_seconds * 1000)
        self.idle.timeout.connect(self.reset)
        self.start_screen.chosen.connect(self._on_start_chosen)
        self.start_screen.pickup_chosen.connect(self._on_start_pickup_chosen)
        self.pickup.submitted.connect(self._on_pickup_submitted)
        self.pickup.back.connect(self.reset)
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
            and event.text().isalnum()
        ):
            # A receipt scanned on the start screen: the scanner "types" its code.
            service = self._pickup_service()
            if service is not None:
                self._open_pickup(service, event.text())
                return True
        return False

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

    def reset(self) -> None:
        """Back to the start screen in German."""
        self.idle.stop()
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
        self.stack.setCurrentWidget(self.start_screen)
        if isinstance(error, Rejected) and error.code in REFUSALS:
            self.start_screen.show_notice(REFUSALS[error.code])
        else:
            if not isinstance(error, NoOfflineNumbers | Rejected):
                log.error("no ticket issued: %r", error)
            self.start_screen.show_notice(CANNOT_ISSUE)
        self.controller.refresh()
