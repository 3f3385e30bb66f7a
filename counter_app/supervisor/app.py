"""``tresen supervisor``: sign in (at no desk), watch the site live, steer it, read its
statistics."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from counter_app.clerk import desk_session
from counter_app.clerk.login import ask_sign_in, show_desk_window
from counter_app.core import settings as desk_settings
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.settings import DeskSettings
from counter_app.qt import selftest
from counter_app.qt.emergency import EmergencyWatch
from counter_app.qt.i18n import Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.tasks import Tasks
from counter_app.supervisor.controller import SupervisorController
from counter_app.supervisor.login import SupervisorLoginDialog
from counter_app.supervisor.window import SupervisorWindow

log = logging.getLogger("tresen.supervisor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tresen supervisor",
        description="the supervisor's window: the live board, steering, statistics",
    )
    desk_session.add_sign_in_options(parser)
    desk_session.add_self_test_option(parser, "a server")
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> DeskSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    return desk_settings.merged(desk_settings.load(config), desk_session.given_options(args))


class SupervisorSession:
    """What one signed-in supervisor holds: client, controller, live events, window."""

    def __init__(
        self,
        client: TresenClient,
        sign_in: SignIn,
        site: str,
        language: Language,
        tasks: Tasks,
    ) -> None:
        self.client = client
        self.controller = SupervisorController(client, site, tasks)
        sites = tuple(sign_in.sites) if site in sign_in.sites else (site, *sign_in.sites)
        self.window = SupervisorWindow(
            self.controller,
            client,
            language,
            sign_in.display_name or sign_in.username,
            sites,
        )
        self.live = LiveSignals(client.base_url, sign_in.token, site, self.window)
        self.live.received.connect(self.controller.on_live_event)
        # The supervisor answers and ends calls from any desk, and calls from none.
        self.emergency = EmergencyWatch(
            self.window, client, site, None, tasks, language, sign_in.username
        )
        self.live.received.connect(self.emergency.on_live_event)
        self.live.connection.connect(self.emergency.on_live_connection)
        self.live.connection.connect(self.controller.on_live_connection)
        language.changed.connect(self._on_language_changed)

    def _on_language_changed(self, code: str) -> None:
        self.client.language = code
        self.controller.refresh()

    def start(self) -> None:
        self.controller.load()
        self.live.start()
        self.window.statistics.learn_sites()

    def stop(self) -> None:
        self.controller.stop()
        self.live.stop()


def run_supervisor(
    app: QCoreApplication,
    dialog: SupervisorLoginDialog,
    open_session: Callable[[TresenClient, SignIn], SupervisorSession],
    user_given: bool,
) -> int:
    """Sign in with ``dialog`` (see ``counter_app.clerk.login.ask_sign_in``), open the window, run
    until it closes; the exit code."""
    sessions: list[SupervisorSession] = []

    def opened(client: TresenClient, sign_in: SignIn) -> None:
        session = open_session(client, sign_in)
        sessions.append(session)
        show_desk_window(session.window)
        session.start()

    dialog.signed_in.connect(opened)
    result = ask_sign_in(dialog, user_given)
    if result == 2 and not sessions:
        return 2
    if not result and not sessions:
        return 1
    code = app.exec()
    for session in sessions:
        session.stop()
    return code


def main(argv: list[str] | None = None) -> int:
    started = desk_session.start_program(
        "supervisor", build_parser(), argv, settings_from, self_test
    )
    if isinstance(started, int):
        return started
    dialog = SupervisorLoginDialog(started.settings, started.language, started.tasks)

    def open_session(client: TresenClient, sign_in: SignIn) -> SupervisorSession:
        chosen = dialog.settings()
        desk_settings.save(started.config, chosen)
        return SupervisorSession(client, sign_in, chosen.site, started.language, started.tasks)

    return run_supervisor(started.app, dialog, open_session, bool(started.args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen supervisor --self-test``: one line per check."""
    config, merged, problem = desk_session.self_test_settings(
        "supervisor", args, settings_from, DeskSettings
    )

    def window(_folder: Path) -> tuple[QWidget, Callable[[], None]]:
        client = TresenClient(merged.server)
        controller = SupervisorController(client, merged.site, Tasks())
        shown = SupervisorWindow(
            controller, client, Language(merged.language), merged.user or "self-test"
        )
        shown.resize(1280, 720)
        return shown, lambda: None

    qt, *first = desk_session.first_checks(config, problem, merged)
    return selftest.run(
        [
            qt,
            ("charts", selftest.charts),
            *first,
            ("export", selftest.spreadsheet),
            ("window", lambda: selftest.window(window)),
            ("desktop", selftest.desktop_only),
        ]
    )
