"""``tresen MODE --self-test``: has this computer what the mode needs? No server is needed.

Each mode lists its checks (``counter_app.clerk.app``, ``counter_app.pickup.app``,
``kiosk.app``); :func:`run` runs them in order and prints one line per check::

    ok qt 6.11.3, platform offscreen
    ok translations de,en,tr,ar,ru,uk
    ok ticket 576x970 1-bit (de,en,tr,ar,ru,uk)
    ok printer tcp://10.0.5.20:9100 (not connected)
    note printer none configured (--printer, or printer = ... in /home/kiosk/.../kiosk.toml)
    FAIL printer Unknown printer type 'lpt' in 'lpt://1'. Known: tcp://, usb://, ...

``ok`` passed; ``note`` is worth knowing but not wrong (no printer configured yet); ``FAIL``
gives the reason. The last line sums up; the exit code is 0 when no check failed, else 1.

Invariants:

* No check connects to anything: a machine is tested while it is being set up, before the
  server or the printer can be reached. Printer URIs are parsed (``open_printer``), never opened.
* A check that raises fails with the exception's message; the checks after it still run, so
  one run names every problem.
* Nothing is written to the user's folders: what needs files (the outbox) gets a temporary
  folder.
* The Qt platform is the real one where there is a screen (so a missing system library shows),
  else ``offscreen``; :func:`prepare_platform` decides before the application is made.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel
from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from counter_app.core.receipt import PickupReceipt, receipt_slip
from counter_app.core.screen import has_screen
from counter_app.printers.uri import open_printer
from counter_app.qt.paper import FAMILIES, FONT_FILES, load_fonts, render, to_bitmap
from resources import path

#: Packages of the server that no desktop mode may load (and the bundle does not hold).
SERVER_PACKAGES = ("central_server", "fastapi", "uvicorn", "alembic", "starlette")
#: The token a sample receipt carries (base32, like a real one; it opens nothing).
SAMPLE_TOKEN = "SELFTESTSELFTESTSELFTESTSELFTEST"  # noqa: S105 - not a secret


class CheckFailed(Exception):
    """A check found a problem; the message says which and, where it can, what to do."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok" or "note"
    detail: str


def ok(detail: str) -> Outcome:
    return Outcome("ok", detail)


def note(detail: str) -> Outcome:
    return Outcome("note", detail)


Check = Callable[[], Outcome]


def prepare_platform() -> None:
    """Before the QApplication is made: offscreen where there is no screen."""
    if not has_screen():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run(checks: Sequence[tuple[str, Check]], out: TextIO | None = None) -> int:
    """Run ``checks`` (name, check) in order, one line each; 0 when none failed, else 1."""
    out = out or sys.stdout
    failed = 0
    for name, check in checks:
        try:
            outcome = check()
        except Exception as exc:  # every problem is a line, not a traceback
            failed += 1
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            reason = "; ".join(lines) or exc.__class__.__name__
            print(f"FAIL {name} {reason}", file=out, flush=True)
        else:
            print(f"{outcome.status} {name} {outcome.detail}".rstrip(), file=out, flush=True)
    if failed:
        print(f"self-test failed: {failed} of {len(checks)} checks", file=out, flush=True)
        return 1
    print(f"self-test passed: {len(checks)} checks", file=out, flush=True)
    return 0


# -- checks every mode uses ---------------------------------------------------------------


def qt() -> Outcome:
    app = QGuiApplication.instance()
    if app is None:
        raise CheckFailed("no Qt application")
    return ok(f"{pyside_version}, platform {QGuiApplication.platformName()}")


def settings_file(file: Path, problem: str = "") -> Outcome:
    """The mode's settings file: there, and usable (``problem`` says why not: the file or the
    command line, the setting, the reason; the program would not start)."""
    if problem:
        raise CheckFailed(problem)
    if not file.exists():
        return note(f"no file {file} (defaults; the first start asks)")
    return ok(str(file))


Loaded = TypeVar("Loaded", bound=BaseModel)


def settings_or_defaults(load: Callable[[], Loaded], model: type[Loaded]) -> tuple[Loaded, str]:
    """The mode's settings and "", or, when they cannot be used, the defaults and why (the
    other checks still run)."""
    try:
        return load(), ""
    except ValueError as exc:  # SettingsError
        return model(), str(exc)


def server(url: str, site: str) -> Outcome:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckFailed(
            f"{url!r} is not a server address; write it as http://HOST:PORT or https://HOST"
        )
    if not site:
        raise CheckFailed("no site given (--site, or site in the settings file)")
    return ok(f"{url}, site {site} (not contacted)")


def translations(
    languages: Iterable[str], render_in: Callable[[str], Callable[[str], str]], message: str
) -> Outcome:
    """``message`` rendered in each language: every language but English must translate it
    (else its catalogue is missing from ``resources/translations``)."""
    languages = tuple(languages)
    for language in languages:
        text = render_in(language)(message)
        if language != "en" and text == message:
            raise CheckFailed(
                f"no {language} translation of {message!r}: is "
                f"{path('translations', language + '.po')} missing?"
            )
    return ok(",".join(languages))


def fonts() -> Outcome:
    missing = [name for name in FONT_FILES if not path("fonts", name).is_file()]
    if missing:
        raise CheckFailed(f"missing in {path('fonts')}: {', '.join(missing)}")
    load_fonts()
    known = set(QFontDatabase.families())
    absent = [family for family in FAMILIES if family not in known]
    if absent:
        raise CheckFailed(f"Qt did not load {', '.join(absent)} from {path('fonts')}")
    return ok(", ".join(FAMILIES))


def drawn(made: Sequence[tuple[str, QImage]], width: int) -> Outcome:
    """Slips drawn (language, image), each made 1-bit at the printer's width as for printing."""
    first = ""
    for _language, image in made:
        bitmap = to_bitmap(image)
        if bitmap.mode != "1" or bitmap.width != width:
            raise CheckFailed(f"the slip came out {bitmap.width} wide in mode {bitmap.mode}")
        if bitmap.getextrema() != (0, 255):
            raise CheckFailed("the slip came out blank")
        first = first or f"{bitmap.width}x{bitmap.height} 1-bit"
    languages = [language for language, _image in made]
    return ok(first if len(languages) < 2 else f"{first} ({','.join(languages)})")


def sample_receipt(site_name: str, language: str = "de") -> PickupReceipt:
    """A pickup receipt as the desk prints one, for drawing only."""
    return PickupReceipt(
        site_name=site_name,
        document_kind="id_card",
        document_detail="",
        case_reference="SELBSTTEST-1",
        token=SAMPLE_TOKEN,
        language=language,
        ordered_at=datetime.now().astimezone(),
        expected_ready_on=date.today(),
    )


def receipts(site_name: str, languages: Iterable[str], width: int) -> Outcome:
    """A pickup receipt, German and each of ``languages``, drawn as the desk prints it."""
    made = [
        (lang, render(receipt_slip(sample_receipt(site_name, lang)), width)) for lang in languages
    ]
    return drawn(made, width)


def receipt_read_back(decode: Callable[[QImage], str | None], width: int = 576) -> Outcome:
    """A drawn receipt's QR code read by ``decode`` (the pickup desk's camera decoder)."""
    image = render(receipt_slip(sample_receipt("Tresen")), width)
    text = decode(image)
    if text != SAMPLE_TOKEN:
        raise CheckFailed(f"the receipt's QR code read back as {text!r}")
    return ok("a receipt's QR code reads back")


def camera(device: str) -> Outcome:
    """The camera the desk is configured for: Qt Multimedia loads with a backend, and which
    cameras there are (none connected is a note: the desk still works with a scanner)."""
    if not device:
        return note("none configured (--camera; receipts are read by a scanner or typed)")
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except (ImportError, OSError) as exc:
        raise CheckFailed(f"Qt Multimedia cannot be loaded (Linux needs libpulse0): {exc}") from exc
    backends, problems = _multimedia_backends()
    if not backends:
        reasons = "; ".join(problems) or "no plugin in plugins/multimedia"
        raise CheckFailed(f"Qt Multimedia has no backend: {reasons}")
    names = [d.description() for d in QMediaDevices.videoInputs()]
    if not names:
        return note(f"{device!r} configured, but no camera is connected")
    return ok(f"{device!r}; connected: {', '.join(names)}")


def _multimedia_backends() -> tuple[list[str], list[str]]:
    """Qt Multimedia's backend plugins that load here, and why the others do not."""
    from PySide6.QtCore import QCoreApplication, QDir, QPluginLoader

    loaded: list[str] = []
    problems: list[str] = []
    for folder in QCoreApplication.libraryPaths():
        plugins = QDir(f"{folder}/multimedia")
        for name in plugins.entryList(QDir.Filter.Files):
            loader = QPluginLoader(plugins.filePath(name))
            if loader.load():
                loaded.append(name)
            else:
                problems.append(loader.errorString())
    return loaded, problems


def printer(uri: str, width: int, where: str) -> Outcome:
    """Parses ``uri`` as the mode would (without connecting); python-escpos's printer profiles
    (its capabilities.json) are loaded either way."""
    from escpos.capabilities import get_profile

    get_profile("default")
    if not uri:
        return note(f"none configured ({where})")
    open_printer(uri, width)
    if uri.strip().lower().startswith("usb://"):
        # python-escpos looks for libusb only when it connects; say now if it is missing.
        from usb.backend import libusb0, libusb1, openusb

        if not any(backend.get_backend() for backend in (libusb1, libusb0, openusb)):
            raise CheckFailed(
                f"{uri!r}: no libusb library found (Windows: libusb-1.0.dll, see "
                "packaging/README.md; Linux: the package libusb-1.0-0)"
            )
        return ok(f"{uri} (not connected; libusb found)")
    return ok(f"{uri} (not connected)")


#: Builds a mode's main window in a (temporary) folder; returns it and what closes its files.
WindowBuilder = Callable[[Path], tuple[QWidget, Callable[[], None]]]


def window(build: WindowBuilder) -> Outcome:
    """The mode's main window, built and drawn offscreen (never shown, nothing connected)."""
    with tempfile.TemporaryDirectory(prefix="tresen-self-test-", ignore_cleanup_errors=True) as tmp:
        widget, close = build(Path(tmp))
        try:
            image = widget.grab()
            if image.isNull():
                raise CheckFailed(f"{widget.objectName()} could not be drawn")
            return ok(f"{widget.objectName()} drawn {image.width()}x{image.height()}")
        finally:
            widget.close()
            widget.deleteLater()
            close()


def charts() -> Outcome:
    """Qt Charts (the supervisor's statistics) loads and draws a chart."""
    from PySide6.QtCharts import QBarSeries, QBarSet, QChart, QChartView

    bars = QBarSet("check")
    bars.append([1.0, 2.0, 3.0])
    series = QBarSeries()
    series.append(bars)
    chart = QChart()
    chart.addSeries(series)
    view = QChartView(chart)
    view.resize(320, 200)
    image = view.grab()
    if image.isNull():
        raise CheckFailed("a chart could not be drawn")
    return ok(f"QtCharts drew {image.width()}x{image.height()}")


def spreadsheet() -> Outcome:
    """openpyxl writes and reads back an Excel workbook (the statistics' export), in a
    temporary folder."""
    from openpyxl import Workbook, load_workbook

    with tempfile.TemporaryDirectory(prefix="tresen-self-test-", ignore_cleanup_errors=True) as tmp:
        file = Path(tmp) / "check.xlsx"
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["check", 42])
        book.save(file)
        back = load_workbook(file).active
        if back is None or back.cell(row=1, column=2).value != 42:
            raise CheckFailed("an Excel file written could not be read back")
    return ok("xlsx written and read back (openpyxl)")


def desktop_only() -> Outcome:
    """No server package is loaded; in the bundle, none is even there."""
    loaded = [name for name in SERVER_PACKAGES if name in sys.modules]
    if loaded:
        raise CheckFailed(f"server packages loaded: {', '.join(loaded)}")
    if getattr(sys, "frozen", False):
        bundled = [name for name in SERVER_PACKAGES if importlib.util.find_spec(name)]
        if bundled:
            raise CheckFailed(f"server packages in the bundle: {', '.join(bundled)}")
        return ok("bundle without server packages")
    return ok("no server packages loaded")
