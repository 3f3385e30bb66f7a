"""``tresen kiosk``: the lobby kiosk, full screen, with its ticket printer."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from counter_app.core.api import TresenClient
from counter_app.core.errors import ApiError, NotAllowed, NotFound, NotSignedIn
from counter_app.core.outbox import Outbox
from counter_app.core.settings import data_folder, merged
from counter_app.printers.uri import FORMS_HELP, PrinterUriError, open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt import selftest
from counter_app.qt.i18n import Language
from counter_app.qt.setup import (
    CheckDevice,
    DeviceSetupDialog,
    check_device,
    write_settings_file,
)
from counter_app.qt.tasks import Tasks
from kiosk import settings as kiosk_settings
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.settings import KioskSettings
from kiosk.store import KioskStore
from kiosk.ticket import IssuedTicket
from kiosk.ticket_layout import load_fonts, render_ticket
from kiosk.window import KioskWindow
from resources.i18n import CITIZEN_LANGUAGES, N_citizen, citizen_gettext

TOKEN_VARIABLE = "TRESEN_KIOSK_TOKEN"  # noqa: S105 - the name of a variable, not a token
#: A kiosk must not keep a citizen waiting: short timeouts, then the offline numbers.
TIMEOUT = (1.5, 5.0)
log = logging.getLogger("tresen.kiosk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen kiosk", description="the lobby kiosk")
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument("--token", help=f"device token (or ${TOKEN_VARIABLE}, or the file)")
    parser.add_argument(
        "--printer",
        help=f"the ticket printer: {FORMS_HELP}",
    )
    parser.add_argument("--windowed", action="store_true", help="a window, not full screen")
    parser.add_argument("--size", default="1080x1920", help="window size with --windowed")
    parser.add_argument(
        "--config", type=Path, help=f"settings file (default {kiosk_settings.default_file()})"
    )
    parser.add_argument(
        "--no-setup",
        action="store_true",
        help="never open the first-start dialog (unattended starts): without a token, exit 2",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this computer's setup without a server or printer; one line per check",
    )
    return parser


def settings_from(args: argparse.Namespace, saved: KioskSettings | None = None) -> KioskSettings:
    """The settings file (or ``saved``), then the environment, then the command line.
    Raises SettingsError (a ValueError) naming the file or the command line, and the setting."""
    saved = kiosk_settings.load(args.config) if saved is None else saved
    chosen = {
        "server": args.server,
        "site": args.site,
        "token": args.token or os.environ.get(TOKEN_VARIABLE),
        "printer": args.printer,
        "windowed": args.windowed or None,
    }
    return merged(saved, chosen)


def setup_dialog(
    file: Path, given: KioskSettings, tasks: Tasks, check: CheckDevice = check_device
) -> DeviceSetupDialog:
    """The first start's dialog: server, site, token, printer and paper, checked with the
    server (``check``) and saved to ``file``."""

    def save(values: dict[str, Any]) -> None:
        merged(given, values, source="")  # raises SettingsError with the setting and the reason
        write_settings_file(file, values)
        log.info("settings saved to %s", file)

    return DeviceSetupDialog(given.model_dump(), save, Language("de"), tasks, check=check)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        return self_test(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = settings_from(args)
    except ValueError as exc:  # SettingsError: one line, the file (or command line), the key
        print(f"tresen kiosk: cannot start: {exc}", file=sys.stderr)
        return 2
    file = args.config or kiosk_settings.default_file()
    if not config.token and not file.exists() and not args.no_setup and selftest.has_screen():
        # First start on a machine with a screen: ask, save, go on with what was saved.
        QApplication.instance() or QApplication(sys.argv[:1])
        dialog = setup_dialog(file, config, Tasks())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            print("tresen kiosk: setup cancelled; nothing was saved", file=sys.stderr)
            return 2
        config = KioskSettings.model_validate({**config.model_dump(), **dialog.values()})
    if not config.token:
        print(
            f"tresen kiosk: no device token; pass --token, set ${TOKEN_VARIABLE} or put "
            "token = ... in the settings file (tresen admin issue-device-token SITE NAME "
            "--kind kiosk prints one)",
            file=sys.stderr,
        )
        return 2
    if config.printer:
        try:
            open_printer(config.printer, config.paper_width_dots)
        except PrinterUriError as exc:
            print(f"tresen kiosk: {exc}", file=sys.stderr)
            return 2

    client = TresenClient(config.server, config.token, language="de", timeout=TIMEOUT)
    if args.no_setup:
        # Unattended: nobody reads the screen, so a kiosk the server refuses stops right here.
        refusal = refused_access(client, config.site)
        if refusal:
            print(f"tresen kiosk: {refusal}", file=sys.stderr)
            return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_fonts()
    folder = data_folder()
    store = KioskStore(folder / f"kiosk-{config.site}.sqlite3")
    outbox = Outbox(folder / f"outbox-kiosk-{config.site}.sqlite3")
    issuer = TicketIssuer(
        client,
        store,
        outbox,
        config.site,
        status_base_url=config.status_url or None,
        lease_size=config.lease_size,
    )
    worker = PrintWorker(_printer_factory(config.printer, config.paper_width_dots))
    worker.start()
    tasks = Tasks()
    controller = KioskController(issuer, worker, tasks, config.paper_width_dots)
    window = KioskWindow(
        controller, CitizenLanguage("de"), config.idle_seconds, settings_file=str(file)
    )
    window.setWindowTitle("Tresen Kiosk")
    if config.windowed:
        width, _, height = args.size.partition("x")
        window.resize(int(width), int(height))
        window.show()
    else:
        window.showFullScreen()
    controller.start()
    try:
        return app.exec()
    finally:
        controller.stop()
        worker.stop()
        tasks.wait(3000)


def refused_access(client: TresenClient, site: str) -> str:
    """Why the server refuses this kiosk, in one line; "" when it accepts it or cannot be
    reached (a kiosk starts offline and issues its leased numbers). Never names the token."""
    try:
        client.site(site)
    except NotSignedIn:
        return (
            f"the server {client.base_url} refused this kiosk's device token (wrong or "
            f"revoked); issue a new one with: tresen admin issue-device-token {site} NAME "
            f"--kind kiosk"
        )
    except NotFound:
        return f"the server {client.base_url} knows no site {site!r}; check site = ... or --site"
    except NotAllowed:
        return (
            f"this kiosk's device token is not valid for the site {site!r}; issue one with: "
            f"tresen admin issue-device-token {site} NAME --kind kiosk"
        )
    except ApiError:
        return ""
    return ""


def self_test(args: argparse.Namespace) -> int:
    """``tresen kiosk --self-test``: see counter_app.qt.selftest."""
    selftest.prepare_platform()
    QApplication.instance() or QApplication(sys.argv[:1])
    file = args.config or kiosk_settings.default_file()
    try:
        config, problem = settings_from(args), ""
    except ValueError as exc:
        problem = str(exc)
        try:  # the command line still counts for the other checks
            config = settings_from(args, KioskSettings())
        except ValueError:
            config = KioskSettings()

    def settings() -> selftest.Outcome:
        return selftest.settings_file(file, problem)

    def token() -> selftest.Outcome:
        if config.token:
            return selftest.ok("given (not shown)")
        return selftest.note(f"none (--token, ${TOKEN_VARIABLE} or token = ... in {file})")

    def ticket(language: str) -> IssuedTicket:
        return IssuedTicket(
            number="A001",
            service_id=1,
            service_prefix="A",
            service_name="Anmeldung",
            service_name_de="Anmeldung",
            issued_at=datetime.now(ZoneInfo("Europe/Berlin")),
            language=language,
            status_token=selftest.SAMPLE_TOKEN,
            status_url=f"{config.status_url or config.server}/t/{selftest.SAMPLE_TOKEN}",
            position=3,
            estimated_wait_minutes=12,
        )

    def window(folder: Path) -> tuple[QWidget, Callable[[], None]]:
        store = KioskStore(folder / "kiosk.sqlite3")
        outbox = Outbox(folder / "outbox.sqlite3")
        issuer = TicketIssuer(TresenClient(config.server), store, outbox, config.site)
        worker = PrintWorker(_printer_factory("", config.paper_width_dots))  # never started
        controller = KioskController(issuer, worker, Tasks(), config.paper_width_dots)
        shown = KioskWindow(controller, CitizenLanguage("de"), config.idle_seconds)
        shown.resize(1080, 1920)

        def close() -> None:
            store.close()
            outbox.close()

        return shown, close

    width = config.paper_width_dots
    return selftest.run(
        [
            ("qt", selftest.qt),
            ("settings", settings),
            ("server", lambda: selftest.server(config.server, config.site)),
            ("token", token),
            (
                "translations",
                lambda: selftest.translations(
                    CITIZEN_LANGUAGES, citizen_gettext, N_citizen("citizen", "Your number")
                ),
            ),
            ("fonts", selftest.fonts),
            (
                "ticket",
                lambda: selftest.drawn(
                    [
                        (lang, render_ticket(ticket(lang), "Tresen", width))
                        for lang in CITIZEN_LANGUAGES
                    ],
                    width,
                ),
            ),
            (
                "printer",
                lambda: selftest.printer(
                    config.printer, width, f"--printer, or printer = ... in {file}"
                ),
            ),
            ("window", lambda: selftest.window(window)),
            ("desktop", selftest.desktop_only),
        ]
    )


def _printer_factory(uri: str, width: int) -> Callable[[], Any]:
    def open_configured() -> Any:
        if not uri:
            raise ConnectionError("no printer configured (--printer)")
        return open_printer(uri, width)

    return open_configured
