"""What every desk program holds once signed on, the clerk's and the quick-pickup desk's: the
live events that keep its window current, the emergency call, the desk's receipt printer, and
their start and stop; and the start-up (command line, settings, self-test checks) the staff
programs share, the supervisor's too.

The command line is a contract (scripts and packaging call it): its options keep their names,
their order and their help.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.clerk.controller import DeskController
from counter_app.clerk.desk_window import DeskWindow
from counter_app.clerk.login import PASSWORD_VARIABLE
from counter_app.clerk.receipt import ReceiptDesk, ReceiptDialog, ReceiptOutcome
from counter_app.core import settings as desk_settings
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.outbox import Outbox
from counter_app.core.settings import DeskSettings
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt import selftest
from counter_app.qt.emergency import EmergencyWatch
from counter_app.qt.i18n import N_, Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.selftest import Check
from counter_app.qt.tasks import Tasks
from resources.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES, gettext_for


class DeskSessionBase:
    """Everything one signed-on desk holds: client, outbox (in the controller), live events,
    emergency call, controller, window, and the receipt printer (None: receipts show on
    screen). A subclass makes its controller and window and hands the window over here."""

    #: What the notice says once a receipt is printed.
    RECEIPT_PRINTED = N_("The pickup receipt is printed.")
    #: The program's logger.
    log: logging.Logger

    def __init__(
        self, window: DeskWindow, sign_in: SignIn, printer: PrintWorker | None, width_dots: int
    ) -> None:
        controller, language = window.controller, window.language
        client, tasks = controller.client, controller.tasks
        site, desk = controller.site, controller.desk
        self.client = client
        self.controller = controller
        self.window = window
        self.printer = printer
        self.receipts = ReceiptDesk(printer, width_dots, window)
        self.receipts.finished.connect(self._on_receipts_finished)
        language.changed.connect(self._on_language_changed)
        self.live = LiveSignals(client.base_url, sign_in.token, site, window)
        self.live.received.connect(controller.on_live_event)
        self.emergency = EmergencyWatch(
            window, client, site, desk, tasks, language, sign_in.username
        )
        self.live.received.connect(self.emergency.on_live_event)
        self.live.connection.connect(self.emergency.on_live_connection)
        self.live.connection.connect(controller.on_live_connection)
        controller.changed.connect(self._on_controller_changed)
        self._usable_logged = False

    def _on_controller_changed(self) -> None:
        c = self.controller
        if not self._usable_logged and c.services and c.desk_state == "open":
            self._usable_logged = True
            self.log.info("desk %s usable (queue shown, %d waiting)", c.desk, len(c.waiting))

    def _on_receipts_finished(self, outcome: ReceiptOutcome) -> None:
        if outcome.printed:
            self.window.notice_label.setText(self.window.language(self.RECEIPT_PRINTED))
            return
        dialog = ReceiptDialog(outcome, self.window.language, self.printer is not None, self.window)
        dialog.accepted.connect(self.receipts.print_again)
        dialog.open()
        self.receipt_dialog = dialog

    def _on_language_changed(self, code: str) -> None:
        self.client.language = code
        self.controller.refresh()

    def start(self, sign_on: bool = True) -> None:
        """Sign on (unless the sign-in dialog has), read the desk, follow its live events."""
        if sign_on:
            self.controller.sign_on()
        self.controller.load()
        self.controller.flush_outbox()
        self.live.start()

    def stop(self) -> None:
        self.controller.stop()
        self.live.stop()
        if self.printer is not None:
            self.printer.stop()


def receipt_printer(uri: str, width_dots: int) -> PrintWorker | None:
    """The desk's receipt printer, or None when there is none (receipts then show on screen)."""
    if not uri:
        return None
    worker = PrintWorker(lambda: open_printer(uri, width_dots))
    worker.start()
    return worker


# The command line, the settings, the self-test ------------------------------------------------


def add_sign_in_options(
    parser: argparse.ArgumentParser, desk: str | None = None, printer: str | None = None
) -> None:
    """--server, --site, --user, then --desk (help ``desk``), --language, then --printer (help
    ``printer``); without a help, no such option (the supervisor has neither)."""
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument(
        "--user", help=f"user name; the password may come from ${PASSWORD_VARIABLE}"
    )
    if desk is not None:
        parser.add_argument("--desk", help=desk)
    parser.add_argument("--language", choices=STAFF_LANGUAGES, help="language of the window")
    if printer is not None:
        parser.add_argument("--printer", help=printer)


def add_self_test_option(parser: argparse.ArgumentParser, without: str) -> None:
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=f"check this computer's setup without {without}; one line per check",
    )


def given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The sign-in options of the command line, for ``desk_settings.merged``."""
    names = ("server", "site", "user", "desk", "language", "printer")
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def first_checks(config: Path, problem: str, settings: DeskSettings) -> list[tuple[str, Check]]:
    """The self-test's checks every staff program starts with: Qt, the settings file, the
    server, the translations, the fonts."""
    return [
        ("qt", selftest.qt),
        ("settings", lambda: selftest.settings_file(config, problem=problem)),
        ("server", lambda: selftest.server(settings.server, settings.site)),
        (
            "translations",
            lambda: selftest.translations(STAFF_LANGUAGES, gettext_for, N_("Sign in")),
        ),
        ("fonts", selftest.fonts),
    ]


def receipt_check(width_dots: int) -> tuple[str, Check]:
    return ("receipt", lambda: selftest.receipts("Tresen", CITIZEN_LANGUAGES, width_dots))


Controller = TypeVar("Controller", bound=DeskController)


def window_check(
    settings: DeskSettings,
    desk: str,
    controller_type: type[Controller],
    make: Callable[[Controller, Language, str], QWidget],
) -> tuple[str, Check]:
    """The self-test's window: ``make`` builds the desk's window, its ``controller_type`` at
    ``desk`` (unless the settings name one), without a server."""

    def window(folder: Path) -> tuple[QWidget, Callable[[], None]]:
        outbox = Outbox(folder / "outbox.sqlite3")
        client = TresenClient(settings.server)
        controller = controller_type(client, outbox, settings.site, settings.desk or desk, Tasks())
        shown = make(controller, Language(settings.language), settings.user or "self-test")
        shown.resize(1280, 800)
        return shown, outbox.close

    return ("window", lambda: selftest.window(window))


Loaded = TypeVar("Loaded", bound=DeskSettings)


@dataclass
class Started(Generic[Loaded]):
    """A staff program that has started: its command line, settings file and settings, the
    application, the window's language, the tasks off the GUI thread."""

    args: argparse.Namespace
    config: Path
    settings: Loaded
    app: QCoreApplication
    language: Language
    tasks: Tasks


def start_program(
    mode: str,
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    read: Callable[[argparse.Namespace, Path], Loaded],
    self_test: Callable[[argparse.Namespace], int],
) -> Started[Loaded] | int:
    """``tresen MODE`` starts: the command line, then its ``--self-test`` or logging, the
    settings ``read`` from its file and the command line, the application. An exit code when
    the program ends here: the self-test's, or 2 after one line on stderr naming the file or
    command line and the key, when the settings cannot be used."""
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = desk_settings.config_file(mode)
    try:
        merged = read(args, config)
    except desk_settings.SettingsError as exc:
        print(f"tresen {mode}: cannot start: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    return Started(args, config, merged, app, Language(merged.language), Tasks())


def self_test_settings(
    mode: str,
    args: argparse.Namespace,
    read: Callable[[argparse.Namespace, Path], Loaded],
    model: type[Loaded],
) -> tuple[Path, Loaded, str]:
    """``tresen MODE --self-test`` starts (see counter_app.qt.selftest): its settings file, the
    settings ``read`` from it and the command line (or the defaults), and why not ("": they
    are usable)."""
    selftest.prepare_platform()
    QApplication.instance() or QApplication(sys.argv[:1])
    config = desk_settings.config_file(mode)
    merged, problem = selftest.settings_or_defaults(lambda: read(args, config), model)
    return config, merged, problem
