"""The emergency call in every desk window and the supervisor's: built once, used by all three.

:class:`EmergencyWatch` attaches to a window (a ``QMainWindow``) and adds:

* for a desk, the way to call: :data:`CALL_KEYS` (Ctrl+Shift+F12: three keys at the keyboard's
  far corner, which no other shortcut of the desk windows uses and no typing reaches) and
  ``emergencyButton`` at the bottom right, in the status bar, away from the ticket buttons.
  The keys work in the window's own dialogs too (a finish dialog open when the citizen turns
  threatening): Qt blocks a window's shortcuts while one of its dialogs is modal, so the keys
  are also caught on their way to such a dialog (:meth:`EmergencyWatch.eventFilter`).
  The caller's own screen stays calm: a grey line "Help requested" with who is coming
  (``emergencyStatusLabel``) and ``emergencyEndButton`` for when it is over;
* for a call at another desk, a red overlay over the whole window (``emergencyOverlay``: "Notruf
  an Platz 3", who called when, who is coming) with ``emergencyRespondButton`` ("I am coming")
  and a loud alarm (:class:`AlarmSound`) until somebody answers; once somebody does, every
  overlay names them. ``emergencyHideButton`` puts the overlay away (the call stays in the red
  status line); the supervisor also ends a call from it (``emergencyOverlayEndButton``).

What the windows show comes from :class:`counter_app.core.emergency.EmergencyCalls`, fed by the
live events (:meth:`EmergencyWatch.on_live_event` and ``on_live_connection``, connected where
the window's live events are: the open calls are read once the stream is up) and by the answers
to its own requests; requests run off the GUI thread (``Tasks``).
"""

from __future__ import annotations

import logging
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import Emergency
from counter_app.core.api import TresenClient
from counter_app.core.emergency import Call, EmergencyCalls
from counter_app.core.live import LiveEvent
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks
from resources import path

log = logging.getLogger("tresen.emergency")

#: The key combination that calls for help from a desk.
CALL_KEYS = "Ctrl+Shift+F12"
_CALL_COMBINATION = QKeySequence(CALL_KEYS)[0]  # type: ignore[index]  # stubs lack __getitem__
#: How often the alarm repeats (1 s each) unless somebody answers first.
ALARM_LOOPS = 30

STYLE = """
#emergencyOverlay { background: rgba(153, 27, 27, 245); }
#emergencyOverlay QLabel { color: white; background: transparent; }
#emergencyTitle { font-size: 56px; font-weight: bold; }
#emergencyDetails { font-size: 22px; }
#emergencyHelpers { font-size: 28px; font-weight: bold; }
#emergencyErrorLabel { font-size: 18px; font-weight: bold; }
#emergencyRespondButton { background: white; color: #991b1b; font-size: 28px;
    font-weight: bold; padding: 12px 36px; min-height: 56px; border-radius: 6px; }
#emergencyRespondButton:disabled { background: #fecaca; color: #7f1d1d; }
#emergencyHideButton, #emergencyOverlayEndButton { background: transparent; color: white;
    font-size: 18px; padding: 8px 20px; min-height: 40px; border: 2px solid white;
    border-radius: 6px; }
"""


class AlarmSound:
    """The alarm of a call at another desk: ``resources/sounds/emergency.wav`` in a loop, by
    QtMultimedia's ``QSoundEffect``; where QtMultimedia cannot be loaded (no PySide6-Addons, no
    libpulse0 on Linux), the system's beep instead, once."""

    def __init__(self, parent: QObject) -> None:
        self.effect: Any = None
        #: Whether the alarm was started and not stopped since (tests cannot hear it).
        self.sounding = False
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except (ImportError, OSError) as exc:
            log.warning("QtMultimedia unavailable, the alarm beeps instead: %s", exc)
            return
        self.effect = QSoundEffect(parent)
        self.effect.setSource(QUrl.fromLocalFile(str(path("sounds", "emergency.wav"))))
        self.effect.setLoopCount(ALARM_LOOPS)
        self.effect.setVolume(1.0)

    def start(self) -> None:
        self.sounding = True
        if self.effect is None:
            QApplication.beep()
        else:
            self.effect.play()

    def stop(self) -> None:
        self.sounding = False
        if self.effect is not None:
            self.effect.stop()


class EmergencyOverlay(QFrame):
    """The red screen over a window while another desk calls for help."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyOverlay")
        self.setStyleSheet(STYLE)
        # Keys typed meanwhile stop here instead of reaching the form underneath.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addStretch(1)
        self.title = self._label("emergencyTitle")
        self.details = self._label("emergencyDetails")
        self.helpers = self._label("emergencyHelpers")
        self.others = self._label("emergencyOthers")
        self.error = self._label("emergencyErrorLabel")
        for label in (self.title, self.details, self.helpers, self.others, self.error):
            layout.addWidget(label)
            layout.addSpacing(8)
        self.respond_button = QPushButton()
        self.respond_button.setObjectName("emergencyRespondButton")
        self.respond_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide_button = QPushButton()
        self.hide_button.setObjectName("emergencyHideButton")
        self.end_button = QPushButton()
        self.end_button.setObjectName("emergencyOverlayEndButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.respond_button)
        buttons.addSpacing(24)
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.hide_button)
        buttons.addStretch(1)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.hide()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label


class EmergencyWatch(QObject):
    """The emergency call in ``window``: see the module's text. ``desk`` is the window's desk
    (None for the supervisor, who calls from none but answers and ends any call); ``user`` the
    signed-in person's user name, as the events name them."""

    def __init__(
        self,
        window: QMainWindow,
        client: TresenClient,
        site: str,
        desk: str | None,
        tasks: Tasks,
        language: Language,
        user: str,
        sound: AlarmSound | None = None,
    ) -> None:
        super().__init__(window)
        self.user = user
        self.window = window
        self.client = client
        self.site = site
        self.desk = desk
        self.tasks = tasks
        self.language = language
        self.calls = EmergencyCalls(desk)
        self.sound = sound or AlarmSound(self)
        #: Calls (desk, called at) this window put away or answered: no overlay, no alarm.
        self._hidden: set[tuple[str, Any]] = set()
        self._alarmed: set[tuple[str, Any]] = set()
        self._answered: set[tuple[str, Any]] = set()
        self._failure = ""
        self._overlay_error = ""
        self._sending = False
        #: What had the keyboard before the overlay took it.
        self._focus_before: QWidget | None = None

        self.overlay = EmergencyOverlay(window)
        self.overlay.respond_button.clicked.connect(self._on_respond_clicked)
        self.overlay.hide_button.clicked.connect(self._on_hide_clicked)
        self.overlay.end_button.clicked.connect(self._on_overlay_end_clicked)
        self.overlay.end_button.setVisible(desk is None)

        bar = window.statusBar()
        bar.setObjectName("emergencyBar")
        self.status_label = QLabel()
        self.status_label.setObjectName("emergencyStatusLabel")
        bar.addWidget(self.status_label, 1)
        self.end_button = QPushButton()
        self.end_button.setObjectName("emergencyEndButton")
        self.end_button.setFlat(True)
        self.end_button.clicked.connect(self._on_end_clicked)
        bar.addPermanentWidget(self.end_button)
        self.call_button = QPushButton()
        self.call_button.setObjectName("emergencyButton")
        self.call_button.setFlat(True)
        self.call_button.clicked.connect(self.call_for_help)
        bar.addPermanentWidget(self.call_button)
        if desk is not None:
            QShortcut(QKeySequence(CALL_KEYS), window, self.call_for_help)
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)  # the keys in the window's dialogs (see the module)
        else:
            self.call_button.hide()

        window.installEventFilter(self)
        language.changed.connect(self._on_language_changed)
        self.render()

    # Requests ------------------------------------------------------------------------------

    def call_for_help(self) -> None:
        if self.desk is None or self.calls.mine is not None or self._sending:
            return
        self._sending, self._failure = True, ""
        self.render()
        self.tasks.run(
            self.client.call_for_help,
            self.site,
            self.desk,
            on_done=self._on_answer,
            on_error=self._on_call_failed,
        )

    def _on_respond_clicked(self) -> None:
        call = self.shown_call()
        if call is None:
            return
        self._answered.add(_key(call))
        self.sound.stop()
        self._overlay_error = ""
        self.render()
        self.tasks.run(
            self.client.respond_to_emergency,
            self.site,
            call.desk,
            self.desk,
            on_done=self._on_answer,
            on_error=self._on_overlay_failed,
        )

    def _on_end_clicked(self) -> None:
        if self.calls.mine is not None and self.desk is not None:
            self._end(self.desk)

    def _on_overlay_end_clicked(self) -> None:
        call = self.shown_call()
        if call is not None:
            self._end(call.desk)

    def _end(self, desk: str) -> None:
        self.tasks.run(
            self.client.end_emergency,
            self.site,
            desk,
            on_done=self._on_answer,
            on_error=self._on_overlay_failed,
        )

    def _on_answer(self, answer: Emergency) -> None:
        self._sending = False
        self.calls.seed(answer)
        self.render()

    def _on_call_failed(self, error: Exception) -> None:
        self._sending = False
        self._failure = describe(error, self.language)
        self.render()

    def _on_overlay_failed(self, error: Exception) -> None:
        self._overlay_error = describe(error, self.language)
        self.render()

    def _on_hide_clicked(self) -> None:
        call = self.shown_call()
        if call is not None:
            self._hidden.add(_key(call))
        self.render()

    # Events --------------------------------------------------------------------------------

    def on_live_connection(self, up: bool) -> None:
        """Read the open calls once the stream is up: a window opened during a call (or back
        after the server was away) shows it at once; the stream tells every change after."""
        if up:
            self.tasks.run(
                self.client.emergencies, self.site, on_done=self._on_open_calls, on_error=_ignore
            )

    def _on_open_calls(self, calls: list[Emergency]) -> None:
        for call in calls:
            self.calls.seed(call)
        self.render()

    def on_live_event(self, event: LiveEvent) -> None:
        if self.calls.apply(event):
            self._overlay_error = ""
            self.render()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.overlay.setGeometry(self.window.rect())
        elif (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.keyCombination() == _CALL_COMBINATION
            and self._in_own_dialog(watched)
        ):
            self.call_for_help()
            return True
        return False

    def _in_own_dialog(self, watched: QObject) -> bool:
        """Whether ``watched`` is in a dialog of this window (where its shortcuts are blocked)."""
        if not isinstance(watched, QWidget):
            return False
        top = watched.window()
        if top is self.window:
            return False  # the window's own shortcut takes it
        parent = top.parentWidget()
        while parent is not None:
            if parent is self.window:
                return True
            parent = parent.window().parentWidget()
        return False

    def _on_language_changed(self, _code: str) -> None:
        self.render()

    # Showing -------------------------------------------------------------------------------

    def shown_call(self) -> Call | None:
        """The call at another desk the overlay shows: the oldest not put away."""
        return next((c for c in self.calls.others if _key(c) not in self._hidden), None)

    def render(self) -> None:
        tr = self.language
        # The keys as the keyboard's caps say them ("Strg+Umschalt+F12" in German).
        self.call_button.setText(tr(N_("Call for help (Ctrl+Shift+F12)")))
        self.call_button.setEnabled(self.calls.mine is None and not self._sending)
        self.end_button.setText(tr(N_("Help no longer needed")))
        self.end_button.setVisible(self.calls.mine is not None)
        self.overlay.respond_button.setText(tr(N_("I am coming")))
        self.overlay.hide_button.setText(tr(N_("Hide")))
        self.overlay.end_button.setText(tr(N_("End the emergency call")))
        self._render_status()
        self._render_overlay()
        self._sound_alarm()

    def _render_status(self) -> None:
        tr, mine, others = self.language, self.calls.mine, self.calls.others
        if self._failure:
            text = tr(N_("Help could NOT be requested: {why} Please phone for help.")).format(
                why=self._failure
            )
            style = "color: #b3261e; font-weight: bold;"
        elif self._sending:
            text, style = tr(N_("Requesting help …")), "color: #4b5563;"
        elif mine is not None:
            # The caller's screen stays calm: the citizen in front must not notice.
            text = tr(N_("Help requested.")) + " " + self._helpers_text(mine)
            style = "color: #4b5563;"
        elif others:
            text = "; ".join(
                tr(N_("Emergency call at {desk}")).format(desk=c.desk_name)
                + " – "
                + self._helpers_text(c)
                for c in others
            )
            style = "color: #b3261e; font-weight: bold;"
        else:
            text, style = "", ""
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    def _render_overlay(self) -> None:
        tr, call, overlay = self.language, self.shown_call(), self.overlay
        if call is None:
            if overlay.isVisible():
                overlay.hide()
                # Back to where the person was: a pickup desk's scanner types into its field.
                before, self._focus_before = self._focus_before, None
                if before is not None and shiboken6.isValid(before) and before.isVisible():
                    before.setFocus()
            return
        overlay.title.setText(tr(N_("Emergency call at {desk}")).format(desk=call.desk_name))
        overlay.details.setText(
            tr(N_("{user} called for help at {time}.")).format(
                user=call.caller, time=call.called_at.astimezone().strftime("%H:%M")
            )
        )
        overlay.helpers.setText(self._helpers_text(call))
        more = [c.desk_name for c in self.calls.others if c is not call]
        overlay.others.setText(
            tr(N_("Also calling for help: {desks}")).format(desks=", ".join(more)) if more else ""
        )
        overlay.others.setVisible(bool(more))
        overlay.error.setText(self._overlay_error)
        overlay.error.setVisible(bool(self._overlay_error))
        answered = _key(call) in self._answered or call.answered_by(self.user)
        overlay.respond_button.setEnabled(not answered)
        if answered:
            overlay.respond_button.setText(tr(N_("You are on your way")))
        if not overlay.isVisible():
            self._focus_before = self.window.focusWidget()
            overlay.setGeometry(self.window.rect())
            overlay.show()
            overlay.raise_()
            overlay.setFocus()

    def _sound_alarm(self) -> None:
        """Sound for each new call at another desk; quiet once anybody is coming, this window
        answered or put it away, or the calls ended."""
        calls = self.calls.others
        waiting = [
            c
            for c in calls
            if not c.helpers and _key(c) not in self._answered and _key(c) not in self._hidden
        ]
        new = [c for c in waiting if _key(c) not in self._alarmed]
        self._alarmed.update(_key(c) for c in new)
        if new:
            self.sound.start()
        elif not waiting and self.sound.sounding:
            self.sound.stop()

    def _helpers_text(self, call: Call) -> str:
        tr = self.language
        if not call.helpers:
            return tr(N_("Nobody has answered yet."))
        names = ", ".join(
            f"{h.user} ({h.desk_name})" if h.desk_name else h.user for h in call.helpers
        )
        return tr(N_("Coming: {names}")).format(names=names)


def _ignore(_error: Exception) -> None:
    """A failed read of the open calls: the live stream still tells every new one."""


def _key(call: Call) -> tuple[str, Any]:
    return (call.desk, call.called_at)
