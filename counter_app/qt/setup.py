"""First start: what a machine needs before it can work, asked once and saved to its file.

* :class:`PrinterField` — a printer URI, checked as it is typed (``open_printer``, which does not
  connect), with "Test printer", which prints a test page off the GUI thread.
* :class:`DeviceSetupDialog` — the first start of a device that signs in with a device token
  (the kiosk): server, site, device token, printer, paper. "Save and start" first asks the
  server (off the GUI thread) whether it knows the site and accepts the token; only then hands
  the values to ``save`` (the mode validates and writes them) and closes when that worked. An
  unknown site or a refused token is said and nothing is saved; a server that cannot be reached
  is said too, with "Save anyway" (a kiosk may be set up before its network is: it then starts
  offline and keeps trying).
* :func:`write_settings_file` — the values as TOML (JSON for a ``.json`` file), written whole
  or not at all, readable by the owner only: the file holds the device token.

A clerk's or pickup desk's first start needs no dialog of its own: the sign-in dialog asks for
server, site, user and desk; the clerk's adds a :class:`PrinterField` there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.api import TresenClient
from counter_app.core.errors import (
    ApiError,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Rejected,
    ServerFault,
    ServerUnreachable,
)
from counter_app.core.paper import Line, Size, Slip
from counter_app.core.settings import check_server, check_site
from counter_app.printers.status import PrinterState
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintJob, PrintResult, PrintWorker
from counter_app.qt.i18n import N_, Language
from counter_app.qt.paper import render, to_bitmap
from counter_app.qt.tasks import Tasks

#: Paper widths offered: dots across the print head (203 dpi).
PAPER = ((576, N_("80 mm (576 dots)")), (384, N_("58 mm (384 dots)")))
#: Why a test page did not print, for the technician.
PRINTER_STATES = {
    PrinterState.PAPER_OUT: N_("printer out of paper"),
    PrinterState.COVER_OPEN: N_("printer cover open"),
    PrinterState.OFFLINE: N_("printer not answering"),
    PrinterState.ERROR: N_("printer fault"),
}
ERROR_STYLE = "color: #b3261e; font-weight: bold;"

#: Sends a 1-bit test page to the printer at a URI (width in dots); runs off the GUI thread.
SendTestPage = Callable[[str, int, Image.Image], PrintResult]
#: Asks the server at ``server`` whether it knows ``site`` and accepts the device ``token``;
#: raises the ApiError that says why not. Runs off the GUI thread.
CheckDevice = Callable[[str, str, str], None]


def check_device(server: str, site: str, token: str) -> None:
    """The server knows ``site`` and lets the device with ``token`` read it (``GET sites/…``)."""
    TresenClient(server, token, timeout=(3.05, 10.0)).site(site)


def send_test_page(uri: str, width_dots: int, page: Image.Image) -> PrintResult:
    """Prints ``page`` on the printer at ``uri`` with a print worker of its own, then stops it."""
    worker = PrintWorker(lambda: open_printer(uri, width_dots), retries=0)
    worker.start()
    try:
        return worker.submit(PrintJob(page, cut=True, label="test page")).result(timeout=60)
    finally:
        worker.stop()


def printer_problem(uri: str, width_dots: int = 576) -> str:
    """Why ``uri`` cannot be used (the technician's English, from ``open_printer``), or ""."""
    if not uri:
        return ""
    try:
        open_printer(uri, width_dots)
    except ValueError as exc:  # PrinterUriError, or a paper width the printer code refuses
        return str(exc)
    return ""


class PrinterField(QWidget):
    """A printer URI, its problem shown as it is typed, and "Test printer"."""

    def __init__(
        self,
        uri: str,
        language: Language,
        tasks: Tasks,
        width_dots: Callable[[], int] = lambda: 576,
        send: SendTestPage = send_test_page,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.language = language
        self.tasks = tasks
        self.width_dots = width_dots
        self.send = send
        self.edit = QLineEdit(uri)
        self.edit.setObjectName("printerEdit")
        self.edit.setPlaceholderText("tcp://10.0.5.20:9100")
        self.test_button = QPushButton()
        self.test_button.setObjectName("testPrinterButton")
        self.status = QLabel()
        self.status.setObjectName("printerStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.edit.textChanged.connect(lambda _text: self.recheck())
        self.test_button.clicked.connect(self.test)
        language.changed.connect(lambda _code: self.retranslate())
        self._status: tuple[str, dict[str, str], bool] = ("", {}, False)
        self.retranslate()
        self.recheck()

    def uri(self) -> str:
        return self.edit.text().strip()

    def problem(self) -> str:
        return printer_problem(self.uri(), self.width_dots())

    def retranslate(self) -> None:
        self.test_button.setText(self.language(N_("Test printer")))
        message, fields, error = self._status
        self.status.setText(self.language(message).format(**fields) if message else "")
        self.status.setStyleSheet(ERROR_STYLE if error else "")

    def test(self) -> None:
        """Prints a test page; the status line says how it went."""
        if not self.uri() or self.problem():
            self.recheck()
            return
        uri, width = self.uri(), self.width_dots()
        page = to_bitmap(render(self._test_slip(uri), width))
        self.test_button.setEnabled(False)
        self._show(N_("Printing a test page …"))
        self.tasks.run(
            self.send,
            uri,
            width,
            page,
            on_done=self._on_test_done,
            on_error=lambda exc: self._on_test_done(
                PrintResult(printed=False, state=PrinterState.UNKNOWN, error=str(exc))
            ),
        )

    def _test_slip(self, uri: str) -> Slip:
        tr = self.language
        return Slip(
            [
                Line("Tresen", Size.LARGE, bold=True),
                Line(tr(N_("Printer test")), Size.NORMAL, bold=True),
                Line(uri, Size.SMALL),
                Line(datetime.now().strftime("%Y-%m-%d %H:%M"), Size.SMALL),
            ],
            "Tresen printer test",
            [Line(tr(N_("If you can read this, the printer works.")), Size.NORMAL)],
        )

    def _on_test_done(self, result: PrintResult) -> None:
        self.test_button.setEnabled(True)
        if result.printed:
            self._show(N_("Test page printed."))
            return
        state = PRINTER_STATES.get(result.state)
        reason = (
            self.language(state) if state else result.error or self.language(N_("printer fault"))
        )
        self._show(N_("The test page was not printed: {reason}"), error=True, reason=reason)

    def recheck(self) -> None:
        """The status line for the URI as it stands (called as it is typed)."""
        problem = self.problem()
        if problem:
            self._show(N_("This printer address cannot be used: {reason}"), True, reason=problem)
        elif not self.uri():
            self._show(N_("No printer: nothing is printed."))
        else:
            self._show("")

    def _show(self, message: str, error: bool = False, **fields: str) -> None:
        self._status = (message, fields, error)
        self.retranslate()


class DeviceSetupDialog(QDialog):
    """The first start of a device: server, site, device token, printer, paper."""

    def __init__(
        self,
        values: Mapping[str, Any],
        save: Callable[[dict[str, Any]], None],
        language: Language,
        tasks: Tasks,
        send: SendTestPage = send_test_page,
        parent: QWidget | None = None,
        check: CheckDevice = check_device,
    ) -> None:
        """``values``: server, site, token, printer, paper_width_dots to start from. ``save``
        gets them back as typed and raises ValueError (with the reason) to keep the dialog
        open. ``check`` asks the server about site and token first."""
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.language = language
        self.save = save
        self.tasks = tasks
        self.check = check
        self._unchecked: dict[str, Any] | None = None  # unreachable server: "Save anyway"
        self._cancelled = False
        self.intro = QLabel()
        self.intro.setObjectName("setupIntro")
        self.intro.setWordWrap(True)
        self.server = QLineEdit(str(values.get("server", "")))
        self.server.setObjectName("serverEdit")
        self.site = QLineEdit(str(values.get("site", "")))
        self.site.setObjectName("siteEdit")
        self.token = QLineEdit(str(values.get("token", "")))
        self.token.setObjectName("tokenEdit")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.paper = QComboBox()
        self.paper.setObjectName("paperCombo")
        for dots, _label in PAPER:
            self.paper.addItem("", dots)
        index = self.paper.findData(int(values.get("paper_width_dots", 576)))
        self.paper.setCurrentIndex(max(index, 0))
        self.printer = PrinterField(
            str(values.get("printer", "")), language, tasks, self.width_dots, send
        )
        self.paper.currentIndexChanged.connect(lambda _i: self.printer.recheck())
        self.error = QLabel()
        self.error.setObjectName("setupError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.language_button = QPushButton()
        self.language_button.setObjectName("languageButton")
        self.language_button.clicked.connect(
            lambda: language.set("en" if language.code == "de" else "de")
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("saveButton")
        self.buttons.addButton(self.language_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.save_anyway_button = QPushButton()
        self.save_anyway_button.setObjectName("saveAnywayButton")
        self.save_anyway_button.hide()
        self.save_anyway_button.clicked.connect(self._on_save_anyway_clicked)
        self.buttons.addButton(self.save_anyway_button, QDialogButtonBox.ButtonRole.ActionRole)
        for edit in (self.server, self.site, self.token):
            edit.textChanged.connect(self._on_field_changed)
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.intro)
        fields = (self.server, self.site, self.token, self.printer, self.paper)
        self.labels = [QLabel() for _ in fields]
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field.edit if isinstance(field, PrinterField) else field)
            form.addRow(label, field)
        form.addRow(self.error)
        form.addRow(self.buttons)
        language.changed.connect(lambda _code: self.retranslate())
        self._error: tuple[str, dict[str, str]] = ("", {})
        self.retranslate()
        self.resize(560, self.sizeHint().height())

    def width_dots(self) -> int:
        return int(self.paper.currentData() or 576)

    def values(self) -> dict[str, Any]:
        return {
            "server": self.server.text().strip(),
            "site": self.site.text().strip(),
            "token": self.token.text().strip(),
            "printer": self.printer.uri(),
            "paper_width_dots": self.width_dots(),
        }

    def retranslate(self) -> None:
        tr = self.language
        self.setWindowTitle(tr(N_("Tresen · First start")))
        self.intro.setText(
            tr(
                N_(
                    "This computer has no settings yet. Enter the server, the site and the "
                    "device token (tresen admin issue-device-token prints one), and the printer."
                )
            )
        )
        texts = (N_("&Server"), N_("S&ite"), N_("&Device token"), N_("&Printer"), N_("P&aper"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(tr(text))
        for index, (_dots, text) in enumerate(PAPER):
            self.paper.setItemText(index, tr(text))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(tr(N_("Save and start")))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr(N_("Cancel")))
        self.save_anyway_button.setText(tr(N_("Save anyway")))
        self.language_button.setText("English" if self.language.code == "de" else "Deutsch")
        message, fields = self._error
        self.error.setText(tr(message).format(**fields) if message else "")

    def attempt(self) -> None:
        values = self.values()
        if not (values["server"] and values["site"] and values["token"]):
            self._show_error(N_("Please fill in server, site and device token."))
            return
        problem = self.printer.problem()
        if problem:
            self._show_error(N_("This printer address cannot be used: {reason}"), reason=problem)
            return
        try:
            check_server(values["server"])
        except ValueError:
            self._show_error(
                N_(
                    "The server's address starts with http:// or https://, e.g. "
                    "http://tresen.stadt.local:8080."
                )
            )
            return
        try:
            check_site(values["site"])
        except ValueError:
            self._show_error(
                N_(
                    "The site is the short name from the site's file: small letters a-z, digits "
                    "and '-', e.g. mitte (the server's address goes into the field above)."
                )
            )
            return
        self._set_busy(True)
        self._show_error(N_("Asking the server about the site and the device token …"))
        self.tasks.run(
            self.check,
            values["server"],
            values["site"],
            values["token"],
            on_done=lambda _answer: self._finish(values),
            on_error=lambda error: self._on_check_failed(values, error),
        )

    def reject(self) -> None:
        self._cancelled = True  # an answer of the server arriving later saves nothing
        super().reject()

    def _on_check_failed(self, values: dict[str, Any], error: Exception) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        fields = {"server": values["server"], "site": values["site"]}
        if isinstance(error, ServerUnreachable | ServerFault):
            # Perhaps only not yet: a kiosk set up before its network may start offline.
            self._unchecked = values
            self.save_anyway_button.show()
            self._show_error(
                N_(
                    "The server {server} cannot be reached. Check the address; or save anyway: "
                    "the kiosk then starts without a connection and keeps trying."
                ),
                **fields,
            )
        elif isinstance(error, NotSignedIn):
            self._show_error(
                N_(
                    "The server refused this device token (wrong or revoked). A new one: "
                    "tresen admin issue-device-token {site} NAME --kind kiosk"
                ),
                **fields,
            )
        elif isinstance(error, NotFound) and error.code == "site_not_found":
            self._show_error(N_('The server {server} knows no site "{site}".'), **fields)
        elif isinstance(error, NotAllowed):
            self._show_error(N_('This device token is not valid for the site "{site}".'), **fields)
        elif isinstance(error, Rejected | ApiError):
            self._show_error(N_("There is no Tresen server at {server}."), **fields)
        else:
            self._show_error(N_("The settings could not be saved: {reason}"), reason=str(error))

    def _on_save_anyway_clicked(self) -> None:
        if self._unchecked is not None:
            self._finish(self._unchecked)

    def _on_field_changed(self) -> None:
        self._unchecked = None  # what was not checked is no longer what stands in the fields
        self.save_anyway_button.hide()

    def _set_busy(self, busy: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not busy)
        self.save_anyway_button.setEnabled(not busy)

    def _finish(self, values: dict[str, Any]) -> None:
        if self._cancelled:
            return
        self._set_busy(False)
        try:
            self.save(values)
        except (OSError, ValueError) as exc:
            self._show_error(N_("The settings could not be saved: {reason}"), reason=str(exc))
            return
        self.accept()

    def _show_error(self, message: str, **fields: str) -> None:
        self._error = (message, fields)
        self.retranslate()


def write_settings_file(file: Path, values: Mapping[str, str | int | bool]) -> None:
    """``values`` into ``file``: TOML, or JSON when the name ends in ``.json``. Written to a
    temporary file first and then renamed, so a file is whole or absent; on POSIX readable by
    its owner only (it may hold a device token)."""
    if file.suffix == ".json":
        text = json.dumps(dict(values), indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(f"{key} = {_toml_value(value)}\n" for key, value in values.items())
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(file.name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(file)


def _toml_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # A JSON string is a TOML basic string (the same quotes and escapes), except that TOML wants
    # DEL escaped too.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
