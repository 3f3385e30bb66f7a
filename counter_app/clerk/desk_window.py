"""What every desk window has, the clerk's and the quick-pickup desk's: the top bar (title,
language, break F11, sign off), the offline banner, the ticket's buttons and the rule that
enables them, the notices, a clock, calling a particular citizen by number (Ctrl+N) and "Undo"
after a no-show (Ctrl+Z).

A subclass builds its own layout in :meth:`_build` from these pieces, names its ticket buttons
in ``ACTIONS`` and adds what only it has (:meth:`retranslate`, :meth:`show_state` and
:meth:`_enabled_actions` extend this class's). It lives next to the desk controller that both
windows show, since ``counter_app.qt`` imports none of the modes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton

from counter_app.clerk.controller import DeskController
from counter_app.clerk.particular import ParticularCall
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language

#: (object name, label, key) of the ticket buttons both desks have.
CALL_NEXT = ("callNextButton", N_("Call next"), "F2")
RECALL = ("recallButton", N_("Call again"), "F3")
NO_SHOW = ("noShowButton", N_("No-show"), "F4")
START = ("startButton", N_("Start serving"), "F5")
FINISH = ("finishButton", N_("Finish"), "F9")


class DeskWindow(QMainWindow):
    #: (object name, label, key) of this desk's ticket buttons, in their order on screen.
    ACTIONS: tuple[tuple[str, str, str], ...] = (CALL_NEXT, RECALL, NO_SHOW, START, FINISH)
    #: The window's title ({desk}), the top bar's ({site}, {desk}, {user}), and the offline
    #: banner's text ({count}: the changes kept on this computer).
    WINDOW_TITLE: str
    TITLE: str
    OFFLINE: str
    #: False where a scanner types into one field: then no button may take the focus from it.
    BUTTONS_TAKE_FOCUS = True

    def __init__(
        self, controller: DeskController, language: Language, user: str, name: str, style: str
    ) -> None:
        super().__init__()
        self.controller = controller
        self.language = language
        self.user = user
        self.setObjectName(name)
        self.setStyleSheet(style)
        self._build()
        controller.changed.connect(self._on_controller_changed)
        controller.online_changed.connect(self._on_controller_online_changed)
        controller.busy_changed.connect(self._on_controller_busy_changed)
        controller.problem.connect(self._on_controller_problem)
        language.changed.connect(self._on_language_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_tick)
        self._clock.start()
        self.retranslate()

    # Building: the pieces a subclass's _build places -----------------------------------------

    def _build(self) -> None:
        raise NotImplementedError

    def _button(self, name: str, handler: Callable[[], Any], key: str | None = None) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        if not self.BUTTONS_TAKE_FOCUS:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(handler)
        if key:
            # A window-wide shortcut acts at once (a button's own shortcut animates first).
            QShortcut(QKeySequence(key), self, button.click)
        return button

    def _build_top_bar(self, *extra: QPushButton) -> QHBoxLayout:
        """The title, then ``extra`` (this desk's own buttons), language, break, sign off."""
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("titleLabel")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.title.setFont(font)
        top.addWidget(self.title, 1)
        self.language_button = self._button("languageButton", self._on_language_button_clicked)
        self.pause_button = self._button("pauseButton", self._on_pause_clicked, "F11")
        self.sign_off_button = self._button("signOffButton", self.controller.sign_off)
        #: The top bar's buttons, usable while this window holds its desk.
        self.top_buttons = (*extra, self.language_button, self.pause_button, self.sign_off_button)
        for widget in self.top_buttons:
            top.addWidget(widget)
        return top

    def _build_offline_banner(self) -> QLabel:
        self.offline_banner = QLabel()
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setWordWrap(True)
        self.offline_banner.hide()
        return self.offline_banner

    def _build_current(self) -> tuple[QLabel, QLabel]:
        """The ticket at the desk, large, and what to know about it."""
        self.current_label = QLabel("—")
        self.current_label.setObjectName("currentTicketLabel")
        self.current_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_details = QLabel()
        self.current_details.setObjectName("currentDetails")
        self.current_details.setWordWrap(True)
        return self.current_label, self.current_details

    def _build_actions(self, handlers: dict[str, Callable[[], Any]]) -> list[QPushButton]:
        """The ticket buttons of ``ACTIONS`` in their order; those both desks have act alike,
        ``handlers`` gives the others (and may replace any)."""
        c = self.controller
        shared: dict[str, Callable[[], Any]] = {
            "callNextButton": c.call_next,
            "recallButton": lambda: c.act("recall"),
            "noShowButton": lambda: c.act("no_show"),
            "startButton": lambda: c.act("start"),
        }
        shared.update(handlers)
        self.buttons: dict[str, QPushButton] = {
            name: self._button(name, shared[name], key) for name, _label, key in self.ACTIONS
        }
        return list(self.buttons.values())

    def _build_notice(self, queue: Any = None) -> QLabel:
        """The notice line, and the particular call that writes to it too (``queue``: the
        queue's (view, model) whose rows it calls, if the window shows one)."""
        self.notice_label = QLabel()
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setWordWrap(True)
        self.particular = ParticularCall(
            self, self.controller, self.language, self.notice_label, queue, self._particular_done
        )
        if not self.BUTTONS_TAKE_FOCUS:
            self.particular.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return self.notice_label

    def _particular_done(self) -> None:
        """The number field or the confirmation is done with: where the keyboard goes then."""

    # Rendering -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        tr = self.language
        self.setWindowTitle(tr(self.WINDOW_TITLE).format(desk=self.controller.desk))
        for name, label, key in self.ACTIONS:
            self.buttons[name].setText(f"{tr(label)} ({key})")
        self.language_button.setText("English" if self.language.code == "de" else "Deutsch")
        self.sign_off_button.setText(tr(N_("Sign off")))
        self.show_state()

    def show_state(self) -> None:
        c, tr = self.controller, self.language
        self.title.setText(tr(self.TITLE).format(site=c.site_name, desk=c.desk, user=self.user))
        self.pause_button.setText(
            tr(N_("Resume work (F11)")) if c.desk_state == "paused" else tr(N_("Break (F11)"))
        )
        self.offline_banner.setText(tr(self.OFFLINE).format(count=c.pending_changes()))
        self.offline_banner.setVisible(not c.online)
        self._render_buttons()
        self.particular.render()

    def _enabled_actions(self) -> dict[str, bool]:
        """Which ticket buttons act now; a subclass adds its own."""
        c = self.controller
        status = c.current.status if c.current else None
        # A window that lost its desk (taken over, signed off) acts no more.
        online, idle = c.online, not c.busy and c.ended_reason is None
        return {
            "callNextButton": online and idle and status is None and c.desk_state != "paused",
            "recallButton": online and idle and status == "called",
            "noShowButton": online and idle and status == "called",
            "startButton": online and idle and status == "called",
            "finishButton": idle and status == "serving",
        }

    def _render_buttons(self) -> None:
        enabled = self._enabled_actions()
        for name, button in self.buttons.items():
            button.setEnabled(enabled[name])
        for widget in self.top_buttons:
            if widget is not self.language_button:
                widget.setEnabled(self.controller.ended_reason is None)

    def _render_ticket(self) -> None:
        raise NotImplementedError

    def _problem_text(self, kind: str, detail: Any) -> str:
        """A problem the controller reports, as the notice says it; a subclass adds its own."""
        tr = self.language
        if kind == "info" and detail == "nobody_waiting":
            return tr(N_("Nobody is waiting for this desk."))
        if kind == "refused":
            return tr(N_("The server refused a saved change: {change}: {why}")).format(
                change=detail[-1].label, why=detail[-1].error
            )
        if isinstance(detail, Exception):
            return describe(detail, tr)
        return str(detail)

    # Slots ----------------------------------------------------------------------------------

    def _on_controller_changed(self) -> None:
        self.show_state()

    def _on_controller_online_changed(self, _online: bool) -> None:
        self.show_state()

    def _on_controller_busy_changed(self, _busy: bool) -> None:
        self._render_buttons()
        self.particular.render()

    def _on_controller_problem(self, problem: tuple[str, Any]) -> None:
        self.notice_label.setText(self._problem_text(*problem))

    def _on_clock_tick(self) -> None:
        if self.particular.undo_row.isVisible():
            self.particular.render()  # the offer ends after ten minutes
        if self.controller.current is not None:
            self._render_ticket()

    def _on_language_changed(self, _code: str) -> None:
        self.retranslate()

    def _on_language_button_clicked(self) -> None:
        self.language.set("en" if self.language.code == "de" else "de")

    def _on_pause_clicked(self) -> None:
        if self.controller.desk_state == "paused":
            self.controller.sign_on()
        else:
            self.controller.pause()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._clock.stop()
        super().closeEvent(event)
