"""``tresen supervisor``: sign in (at no desk), watch the site live, steer it, read its
statistics."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.clerk.login import PASSWORD_VARIABLE, show_desk_window
from counter_app.core import settings as desk_settings
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.screen import has_screen
from counter_app.core.settings import DeskSettings
from counter_app.qt import selftest
from counter_app.qt.emergency import EmergencyWatch
from counter_app.qt.i18n import N_, Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.tasks import Tasks
from counter_app.supervisor.controller import SupervisorController
from counter_app.supervisor.login import SupervisorLoginDialog
from counter_app.supervisor.window import SupervisorWindow
from resources.i18n import STAFF_LANGUAGES, gettext_for

log = logging.getLogger("tresen.supervisor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tresen supervisor",
        description="the supervisor's window: the live board, steering, statistics",
    )
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument(
        "--user", help=f"user name; the password may come from ${PASSWORD_VARIABLE}"
    )
    parser.add_argument("--language", choices=STAFF_LANGUAGES, help="language of the window")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this computer's setup without a server; one line per check",
    )
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> DeskSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    given = {
        "server": args.server,
        "site": args.site,
        "user": args.user,
        "language": args.language,
    }
    return desk_settings.merged(desk_settings.load(config), given)


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
    """Sign in with ``dialog``, open the window, run until it closes; the exit code.

    With ``$TRESEN_PASSWORD`` and a user given it signs in at once; refused without a screen,
    it writes the reason to stderr and exits with 2 (on a screen the dialog says why)."""
    sessions: list[SupervisorSession] = []

    def opened(client: TresenClient, sign_in: SignIn) -> None:
        session = open_session(client, sign_in)
        sessions.append(session)
        show_desk_window(session.window)
        session.start()

    dialog.signed_in.connect(opened)
    password = os.environ.get(PASSWORD_VARIABLE) if user_given else None
    unattended = bool(password) and not has_screen(QGuiApplication.platformName())
    refusals: list[str] = []

    def give_up(text: str) -> None:
        refusals.append(text)
        print(f"tresen: {text}", file=sys.stderr)
        dialog.done(2)

    if password:
        dialog.password.setText(password)
        if unattended:
            dialog.refused.connect(give_up)
        dialog.attempt()
    result = 2 if refusals else dialog.exec()
    if result == 2 and not sessions:
        return 2
    if not result and not sessions:
        return 1
    code = app.exec()
    for session in sessions:
        session.stop()
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        return self_test(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = desk_settings.config_file("supervisor")
    try:
        merged = settings_from(args, config)
    except desk_settings.SettingsError as exc:  # one line: the file or command line, the key
        print(f"tresen supervisor: cannot start: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    language = Language(merged.language)
    tasks = Tasks()
    dialog = SupervisorLoginDialog(merged, language, tasks)

    def open_session(client: TresenClient, sign_in: SignIn) -> SupervisorSession:
        chosen = dialog.settings()
        desk_settings.save(config, chosen)
        return SupervisorSession(client, sign_in, chosen.site, language, tasks)

    return run_supervisor(app, dialog, open_session, bool(args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen supervisor --self-test``: see counter_app.qt.selftest."""
    selftest.prepare_platform()
    QApplication.instance() or QApplication(sys.argv[:1])
    config = desk_settings.config_file("supervisor")
    merged, problem = selftest.settings_or_defaults(
        lambda: settings_from(args, config), DeskSettings
    )

    def window(_folder: Path) -> tuple[QWidget, Callable[[], None]]:
        client = TresenClient(merged.server)
        controller = SupervisorController(client, merged.site, Tasks())
        shown = SupervisorWindow(
            controller, client, Language(merged.language), merged.user or "self-test"
        )
        shown.resize(1280, 720)
        return shown, lambda: None

    return selftest.run(
        [
            ("qt", selftest.qt),
            ("charts", selftest.charts),
            ("settings", lambda: selftest.settings_file(config, problem=problem)),
            ("server", lambda: selftest.server(merged.server, merged.site)),
            (
                "translations",
                lambda: selftest.translations(STAFF_LANGUAGES, gettext_for, N_("Sign in")),
            ),
            ("fonts", selftest.fonts),
            ("export", selftest.spreadsheet),
            ("window", lambda: selftest.window(window)),
            ("desktop", selftest.desktop_only),
        ]
    )
