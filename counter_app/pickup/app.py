"""``tresen pickup``: sign in, sign on at the quick-pickup desk, hand documents over."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import Field
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.clerk.app import receipt_printer
from counter_app.clerk.login import PASSWORD_VARIABLE, LoginDialog, outbox_file_name, run_desk
from counter_app.clerk.receipt import ReceiptDesk, ReceiptDialog, ReceiptOutcome
from counter_app.core import settings as desk_settings
from counter_app.core.answers import OrderedPickup
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.outbox import Outbox
from counter_app.core.settings import DeskSettings
from counter_app.pickup.camera import CameraScanner, OpenCamera, decode_qr, open_qt_camera
from counter_app.pickup.desk import PickupDeskController
from counter_app.pickup.window import PickupWindow
from counter_app.printers.uri import FORMS_HELP
from counter_app.printers.worker import PrintWorker
from counter_app.qt import selftest
from counter_app.qt.emergency import EmergencyWatch
from counter_app.qt.i18n import N_, Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.tasks import Tasks
from resources.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES, gettext_for

log = logging.getLogger("tresen.pickup")


class PickupSettings(DeskSettings):
    """What ``tresen pickup`` remembers in ``pickup.json`` (never the password)."""

    camera: str = Field(
        "",
        description="camera reading the receipts: empty for none, 'default', or a part of a "
        "camera's name (or its id)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen pickup", description="the quick-pickup desk")
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument(
        "--user", help=f"user name; the password may come from ${PASSWORD_VARIABLE}"
    )
    parser.add_argument("--desk", help="desk code (a quick-pickup desk)")
    parser.add_argument("--language", choices=STAFF_LANGUAGES, help="language of the window")
    parser.add_argument(
        "--printer", help=f"the desk's receipt printer, for new receipts: {FORMS_HELP}"
    )
    parser.add_argument(
        "--camera",
        nargs="?",
        const="default",
        metavar="DEVICE",
        help="read receipts with a camera too: the default one, or one whose name contains "
        "DEVICE; 'off' for none (remembered)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this computer's setup without a server or camera; one line per check",
    )
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> PickupSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    given = {
        "server": args.server,
        "site": args.site,
        "user": args.user,
        "desk": args.desk,
        "language": args.language,
        "printer": args.printer,
    }
    saved = desk_settings.load(config, PickupSettings)
    if args.camera is not None:  # "off" empties it, which merged() would skip
        saved = saved.model_copy(update={"camera": "" if args.camera == "off" else args.camera})
    return desk_settings.merged(saved, given)


class PickupSession:
    """Everything one signed-on pickup desk holds: client, outbox, live events, controller,
    camera (if asked for), window, and the receipt printer for new receipts (if there is one;
    without one a new receipt shows on screen)."""

    def __init__(
        self,
        client: TresenClient,
        sign_in: SignIn,
        site: str,
        desk: str,
        language: Language,
        outbox: Outbox,
        tasks: Tasks,
        camera: str = "",
        open_camera: OpenCamera = open_qt_camera,
        printer: PrintWorker | None = None,
        paper_width_dots: int = 576,
    ) -> None:
        self.client = client
        self.controller = PickupDeskController(client, outbox, site, desk, tasks)
        self.controller.user = sign_in.username
        self.camera = CameraScanner(camera, open_camera) if camera else None
        self.window = PickupWindow(
            self.controller, language, sign_in.display_name or sign_in.username, self.camera
        )
        if self.camera is not None:
            self.camera.setParent(self.window)
        self.printer = printer
        self.receipts = ReceiptDesk(printer, paper_width_dots, self.window)
        self.controller.search.reissued.connect(self._on_search_reissued)
        self.receipts.finished.connect(self._on_receipts_finished)
        language.changed.connect(self._on_language_changed)
        self.live = LiveSignals(client.base_url, sign_in.token, site, self.window)
        self.live.received.connect(self.controller.on_live_event)
        self.emergency = EmergencyWatch(
            self.window, client, site, desk, tasks, language, sign_in.username
        )
        self.live.received.connect(self.emergency.on_live_event)
        self.live.connection.connect(self.emergency.on_live_connection)
        self.live.connection.connect(self.controller.on_live_connection)
        self.controller.changed.connect(self._on_controller_changed)
        self._usable_logged = False

    def _on_controller_changed(self) -> None:
        c = self.controller
        if not self._usable_logged and c.services and c.desk_state == "open":
            self._usable_logged = True
            log.info("desk %s usable (%d waiting)", c.desk, len(c.waiting))

    def _on_search_reissued(self, pickup: OrderedPickup, language: str) -> None:
        self.receipts.print_receipt(self.controller.site_name, pickup, language)

    def _on_receipts_finished(self, outcome: ReceiptOutcome) -> None:
        if outcome.printed:
            self.window.notice_label.setText(
                self.window.language(N_("The new receipt is printed. Hand it to the citizen."))
            )
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
        if self.camera is not None:
            self.camera.start()

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        self.live.stop()
        if self.printer is not None:
            self.printer.stop()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        return self_test(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = desk_settings.config_file("pickup")
    try:
        merged = settings_from(args, config)
    except desk_settings.SettingsError as exc:  # one line: the file or command line, the key
        print(f"tresen pickup: cannot start: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    language = Language(merged.language)
    tasks = Tasks()
    dialog = LoginDialog(merged, language, tasks)

    def open_session(client: TresenClient, sign_in: SignIn) -> PickupSession:
        # What the dialog asked for, over what it did not (the camera).
        chosen = PickupSettings.model_validate(
            {**merged.model_dump(), **dialog.settings().model_dump()}
        )
        desk_settings.save(config, chosen)
        outbox = Outbox(desk_settings.data_folder() / outbox_file_name(chosen.site, chosen.desk))
        session = PickupSession(
            client,
            sign_in,
            chosen.site,
            chosen.desk,
            language,
            outbox,
            tasks,
            chosen.camera,
            printer=receipt_printer(chosen.printer, chosen.paper_width_dots),
            paper_width_dots=chosen.paper_width_dots,
        )
        return session

    return run_desk(app, dialog, open_session, bool(args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen pickup --self-test``: see counter_app.qt.selftest."""
    selftest.prepare_platform()
    QApplication.instance() or QApplication(sys.argv[:1])
    config = desk_settings.config_file("pickup")
    merged, problem = selftest.settings_or_defaults(
        lambda: settings_from(args, config), PickupSettings
    )

    def window(folder: Path) -> tuple[QWidget, Callable[[], None]]:
        outbox = Outbox(folder / "outbox.sqlite3")
        client = TresenClient(merged.server)
        controller = PickupDeskController(client, outbox, merged.site, merged.desk or "6", Tasks())
        shown = PickupWindow(controller, Language(merged.language), merged.user or "self-test")
        shown.resize(1280, 800)
        return shown, outbox.close

    return selftest.run(
        [
            ("qt", selftest.qt),
            ("settings", lambda: selftest.settings_file(config, problem=problem)),
            ("server", lambda: selftest.server(merged.server, merged.site)),
            (
                "translations",
                lambda: selftest.translations(STAFF_LANGUAGES, gettext_for, N_("Sign in")),
            ),
            ("fonts", selftest.fonts),
            ("receipt", lambda: selftest.receipts("Tresen", CITIZEN_LANGUAGES, 576)),
            ("scanning", lambda: selftest.receipt_read_back(decode_qr)),
            ("camera", lambda: selftest.camera(merged.camera)),
            ("window", lambda: selftest.window(window)),
            ("desktop", selftest.desktop_only),
        ]
    )
