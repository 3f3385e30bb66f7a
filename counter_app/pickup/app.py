"""``tresen pickup``: sign in, sign on at the quick-pickup desk, hand documents over."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pydantic import Field

from counter_app.clerk import desk_session
from counter_app.clerk.desk_session import DeskSessionBase, receipt_printer
from counter_app.clerk.login import LoginDialog, outbox_file_name, run_desk
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
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks

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
    desk_session.add_sign_in_options(
        parser,
        desk="desk code (a quick-pickup desk)",
        printer=f"the desk's receipt printer, for new receipts: {FORMS_HELP}",
    )
    parser.add_argument(
        "--camera",
        nargs="?",
        const="default",
        metavar="DEVICE",
        help="read receipts with a camera too: the default one, or one whose name contains "
        "DEVICE; 'off' for none (remembered)",
    )
    desk_session.add_self_test_option(parser, "a server or camera")
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> PickupSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    saved = desk_settings.load(config, PickupSettings)
    if args.camera is not None:  # "off" empties it, which merged() would skip
        saved = saved.model_copy(update={"camera": "" if args.camera == "off" else args.camera})
    return desk_settings.merged(saved, desk_session.given_options(args))


class PickupSession(DeskSessionBase):
    """The quick-pickup desk: the session's parts (``DeskSessionBase``), the camera (if asked
    for), and the receipt printer for new receipts (if there is one; without one a new receipt
    shows on screen)."""

    window: PickupWindow
    controller: PickupDeskController
    log = logging.getLogger("tresen.pickup")
    RECEIPT_PRINTED = N_("The new receipt is printed. Hand it to the citizen.")

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
        controller = PickupDeskController(client, outbox, site, desk, tasks)
        controller.user = sign_in.username
        self.camera = CameraScanner(camera, open_camera) if camera else None
        window = PickupWindow(
            controller, language, sign_in.display_name or sign_in.username, self.camera
        )
        if self.camera is not None:
            self.camera.setParent(window)
        super().__init__(window, sign_in, printer, paper_width_dots)
        controller.search.reissued.connect(self._on_search_reissued)

    def _on_search_reissued(self, pickup: OrderedPickup, language: str) -> None:
        self.receipts.print_receipt(self.controller.site_name, pickup, language)

    def start(self, sign_on: bool = True) -> None:
        super().start(sign_on)
        if self.camera is not None:
            self.camera.start()

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        super().stop()


def main(argv: list[str] | None = None) -> int:
    started = desk_session.start_program("pickup", build_parser(), argv, settings_from, self_test)
    if isinstance(started, int):
        return started
    merged, language, tasks = started.settings, started.language, started.tasks
    dialog = LoginDialog(merged, language, tasks)

    def open_session(client: TresenClient, sign_in: SignIn) -> PickupSession:
        # What the dialog asked for, over what it did not (the camera).
        chosen = PickupSettings.model_validate(
            {**merged.model_dump(), **dialog.settings().model_dump()}
        )
        desk_settings.save(started.config, chosen)
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

    return run_desk(started.app, dialog, open_session, bool(started.args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen pickup --self-test``: one line per check."""
    config, merged, problem = desk_session.self_test_settings(
        "pickup", args, settings_from, PickupSettings
    )
    return selftest.run(
        [
            *desk_session.first_checks(config, problem, merged),
            desk_session.receipt_check(576),
            ("scanning", lambda: selftest.receipt_read_back(decode_qr)),
            ("camera", lambda: selftest.camera(merged.camera)),
            desk_session.window_check(merged, "6", PickupDeskController, PickupWindow),
            ("desktop", selftest.desktop_only),
        ]
    )
