"""The first start on a rolled-out machine: without a settings file the kiosk asks for what it
needs (server, site, device token, printer) and saves it; unattended starts skip that and stop
with the reason, as before. The clerk's sign-in dialog asks for the receipt printer too."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit

from counter_app.clerk import app as clerk_app
from counter_app.clerk.login import LoginDialog
from counter_app.core.settings import DeskSettings
from counter_app.printers.status import PrinterState
from counter_app.printers.worker import PrintResult
from counter_app.qt import selftest
from counter_app.qt.i18n import Language
from counter_app.qt.setup import DeviceSetupDialog, PrinterField, write_settings_file
from counter_app.qt.tasks import SyncTasks, Tasks
from kiosk import app as kiosk_app
from kiosk import settings as kiosk_settings
from kiosk.settings import KioskSettings
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.waits import ANSWER_MS


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config and data folders, empty, in ``tmp_path``; no token in the environment."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(kiosk_app.TOKEN_VARIABLE, raising=False)
    return tmp_path


def server_accepts(server: str, site: str, token: str) -> None:
    """A stand-in for the server's answer where a test is about the form itself (the real
    server answers in tests/packaging/test_setup_check.py)."""


def kiosk_dialog(qtbot, file: Path) -> DeviceSetupDialog:  # type: ignore[no-untyped-def]
    dialog = kiosk_app.setup_dialog(file, KioskSettings(), Tasks(), check=server_accepts)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: DeviceSetupDialog, printer: str = "tcp://10.0.5.20:9100") -> None:
    dialog.findChild(QLineEdit, "serverEdit").setText("https://tresen.stadt.example")
    dialog.findChild(QLineEdit, "siteEdit").setText("mitte")
    dialog.findChild(QLineEdit, "tokenEdit").setText('geheim "123"')
    dialog.findChild(QLineEdit, "printerEdit").setText(printer)


def test_the_kiosk_setup_dialog_saves_what_it_asks_to_the_settings_file(
    qtbot, tmp_path: Path
) -> None:
    file = tmp_path / "tresen" / "kiosk.toml"
    dialog = kiosk_dialog(qtbot, file)
    assert dialog.windowTitle() == "Tresen · Ersteinrichtung"
    # The defaults are the demo's (a kiosk tried out next to `tresen demo` starts at once).
    assert dialog.server.text() == "http://127.0.0.1:8080" and dialog.site.text() == "demo"
    assert dialog.token.echoMode() == QLineEdit.EchoMode.Password
    fill(dialog)
    dialog.paper.setCurrentIndex(dialog.paper.findData(384))
    assert dialog.paper.currentText() == "58 mm (384 Punkte)"
    assert dialog.findChild(QLabel, "printerStatus").text() == ""
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), _left())
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=ANSWER_MS)
    assert tomllib.loads(file.read_text(encoding="utf-8")) == {
        "server": "https://tresen.stadt.example",
        "site": "mitte",
        "token": 'geheim "123"',
        "printer": "tcp://10.0.5.20:9100",
        "paper_width_dots": 384,
    }
    saved = kiosk_settings.load(file)
    assert (saved.site, saved.token, saved.paper_width_dots) == ("mitte", 'geheim "123"', 384)
    if sys.platform != "win32":  # it holds the device token: the kiosk's account only
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert not list(file.parent.glob("*.tmp"))


def test_the_setup_dialog_refuses_missing_fields_and_a_bad_printer(qtbot, tmp_path: Path) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = kiosk_dialog(qtbot, file)
    dialog.token.setText("")
    dialog.attempt()
    error = dialog.findChild(QLabel, "setupError")
    assert error.text() == "Bitte Server, Standort und Geräte-Token angeben."
    fill(dialog, printer="lpt://1")
    status = dialog.findChild(QLabel, "printerStatus")
    assert status.text().startswith("Diese Druckeradresse ist nicht verwendbar: Unknown printer")
    dialog.attempt()
    assert error.text().startswith("Diese Druckeradresse ist nicht verwendbar")
    dialog.printer.edit.setText("")  # no printer is allowed: the kiosk then shows the number
    assert status.text() == "Kein Drucker: Es wird nichts gedruckt."
    dialog.server.setText("not a url")
    dialog.paper.setCurrentIndex(0)
    dialog.attempt()
    assert error.text().startswith("Die Adresse des Servers beginnt mit http:// oder https://")
    assert not file.exists()
    dialog.server.setText("http://tresen.stadt.local:8080")
    dialog.attempt()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=ANSWER_MS)
    assert not file.with_suffix(".toml.tmp").exists()


def test_a_value_the_kiosk_refuses_keeps_the_dialog_open_with_the_reason(
    qtbot, tmp_path: Path
) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = kiosk_app.setup_dialog(file, KioskSettings(), Tasks(), check=server_accepts)
    qtbot.addWidget(dialog)
    fill(dialog)
    dialog.paper.addItem("1200 dots", 1200)  # not offered; stands for any value the kiosk refuses
    dialog.paper.setCurrentIndex(dialog.paper.count() - 1)
    dialog.attempt()
    error = dialog.findChild(QLabel, "setupError")
    qtbot.waitUntil(lambda: "paper_width_dots" in error.text(), timeout=ANSWER_MS)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not file.exists()


def test_test_printer_prints_a_test_page_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    dialog = kiosk_dialog(qtbot, tmp_path / "kiosk.toml")
    status = dialog.findChild(QLabel, "printerStatus")
    with FakeEscposPrinter() as printer:
        fill(dialog, printer=printer.uri)
        qtbot.mouseClick(dialog.printer.test_button, _left())
        assert status.text() == "Die Testseite wird gedruckt …"
        assert not dialog.printer.test_button.isEnabled()
        qtbot.waitUntil(lambda: status.text() == "Die Testseite ist gedruckt.", timeout=ANSWER_MS)
        assert printer.cuts() == 1
    with FakeEscposPrinter(state="paper_out") as printer:
        dialog.printer.edit.setText(printer.uri)
        dialog.printer.test()
        qtbot.waitUntil(lambda: dialog.printer.test_button.isEnabled(), timeout=ANSWER_MS)
        assert status.text() == "Die Testseite wurde nicht gedruckt: Drucker ohne Papier"
        assert printer.cuts() == 0
    assert dialog.result() != QDialog.DialogCode.Accepted  # testing does not save


def test_a_test_page_that_fails_says_why(qtbot) -> None:
    """The printer's answer, or the error, reaches the technician (the sender is a stand-in)."""
    answers: list[PrintResult | Exception] = [
        PrintResult(printed=False, state=PrinterState.UNKNOWN, error="timed out after 5 s"),
        OSError("No route to host"),
    ]

    def send(uri: str, width: int, page: Image.Image) -> PrintResult:
        assert (uri, width, page.mode, page.width) == ("tcp://10.0.5.20:9100", 576, "1", 576)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    field = PrinterField("tcp://10.0.5.20:9100", Language("de"), SyncTasks(), send=send)
    qtbot.addWidget(field)
    field.test()
    assert field.status.text() == "Die Testseite wurde nicht gedruckt: timed out after 5 s"
    field.test()
    assert field.status.text() == "Die Testseite wurde nicht gedruckt: No route to host"
    assert field.test_button.isEnabled()


def test_the_setup_dialog_speaks_english_at_a_touch(qtbot, tmp_path: Path) -> None:
    dialog = kiosk_dialog(qtbot, tmp_path / "kiosk.toml")
    qtbot.mouseClick(dialog.language_button, _left())
    assert dialog.windowTitle() == "Tresen · First start"
    assert dialog.buttons.button(dialog.buttons.StandardButton.Save).text() == "Save and start"
    assert dialog.language_button.text() == "Deutsch"


def test_a_first_start_with_a_screen_opens_the_dialog_then_starts_with_what_it_saved(
    qtbot, folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = folders / "kiosk.toml"
    monkeypatch.setattr(selftest, "has_screen", lambda: True)
    shown: list[DeviceSetupDialog] = []

    with FakeEscposPrinter() as printer:

        def answer(dialog: DeviceSetupDialog) -> int:
            """What a technician does: fill in, save (anyway: the server is not there yet); the
            kiosk then starts."""
            shown.append(dialog)
            fill(dialog, printer=printer.uri)
            dialog.server.setText("http://127.0.0.1:9")  # nobody there: the kiosk goes offline
            dialog.attempt()
            qtbot.waitUntil(
                lambda: dialog.save_anyway_button.isVisibleTo(dialog), timeout=ANSWER_MS
            )
            dialog.save_anyway_button.click()  # the dialog is not shown here: no mouse
            return dialog.result()

        monkeypatch.setattr(DeviceSetupDialog, "exec", answer)
        # The kiosk's window is built, shown and started; its event loop ends at once.
        monkeypatch.setattr(QApplication, "exec", lambda app: 0)
        assert kiosk_app.main(["--config", str(file), "--windowed"]) == 0
    assert len(shown) == 1
    saved = kiosk_settings.load(file)
    assert (saved.server, saved.token, saved.printer) == (
        "http://127.0.0.1:9",
        'geheim "123"',
        printer.uri,
    )
    assert (folders / "data" / "tresen" / "kiosk-mitte.sqlite3").exists()


def test_cancelling_the_first_start_saves_nothing(
    qtbot, folders: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = folders / "kiosk.toml"
    monkeypatch.setattr(selftest, "has_screen", lambda: True)
    monkeypatch.setattr(DeviceSetupDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert kiosk_app.main(["--config", str(file)]) == 2
    assert "setup cancelled" in capsys.readouterr().err
    assert not file.exists()


@pytest.mark.parametrize("case", ["--no-setup", "headless", "file without token"])
def test_unattended_starts_never_open_the_dialog_and_stop_with_the_reason(
    qtbot,
    folders: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    file = folders / "kiosk.toml"
    args = ["--config", str(file)]
    monkeypatch.setattr(selftest, "has_screen", lambda: case != "headless")
    if case == "--no-setup":
        args.append("--no-setup")
    if case == "file without token":  # set up by IT, the token to come from the environment
        write_settings_file(file, {"server": "http://127.0.0.1:9", "site": "mitte"})

    def refuse(self: DeviceSetupDialog) -> int:
        raise AssertionError("the setup dialog must not open")

    monkeypatch.setattr(DeviceSetupDialog, "exec", refuse)
    assert kiosk_app.main(args) == 2
    assert "issue-device-token" in capsys.readouterr().err
    assert file.exists() == (case == "file without token")


def test_no_setup_needs_no_screen_at_all(tmp_path: Path) -> None:
    """`--no-setup` decides before Qt starts: a display that does not exist is never opened."""
    import subprocess

    env = {
        **{k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")},
        "DISPLAY": ":97",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop(kiosk_app.TOKEN_VARIABLE, None)
    done = subprocess.run(
        [sys.executable, "-m", "tresen", "kiosk", "--no-setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "issue-device-token" in done.stderr
    assert not (tmp_path / "config" / "tresen" / "kiosk.toml").exists()


# -- the clerk's first start ---------------------------------------------------------------


def test_the_clerks_first_sign_in_also_asks_for_the_receipt_printer(qtbot) -> None:
    language = Language("de")
    dialog = LoginDialog(DeskSettings(), language, Tasks())
    qtbot.addWidget(dialog)
    field = clerk_app.ask_printer(dialog, DeskSettings(), language)
    rows = [
        dialog.form.itemAt(row, dialog.form.ItemRole.LabelRole)
        for row in range(dialog.form.rowCount())
    ]
    labels = [item.widget().text() for item in rows if item is not None]
    assert labels == ["&Server", "S&tandort", "&Benutzer", "Pass&wort", "&Platz", "Bele&gdrucker"]
    assert dialog.findChild(QLineEdit, "printerEdit") is field.edit
    field.edit.setText("tcp://10.0.5.21:9100")
    assert clerk_app.with_printer(DeskSettings(), field).printer == "tcp://10.0.5.21:9100"
    field.edit.setText("lpt://1")  # not usable: not saved (it would stop the next start)
    assert clerk_app.with_printer(DeskSettings(), field).printer == ""
    assert clerk_app.with_printer(DeskSettings(printer="tcp://x"), None).printer == "tcp://x"


@pytest.mark.parametrize("case", ["first start", "clerk.json exists", "--printer given"])
def test_the_printer_field_shows_only_at_the_first_start(
    qtbot, folders: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    args = []
    if case == "clerk.json exists":
        config = folders / "config" / "tresen" / "clerk.json"
        config.parent.mkdir(parents=True)
        config.write_text('{"server": "http://127.0.0.1:9", "user": "clerk1"}', encoding="utf-8")
    if case == "--printer given":
        args = ["--printer", "tcp://10.0.5.21:9100"]
    seen: list[bool] = []

    def look(dialog: LoginDialog) -> int:
        seen.append(dialog.findChild(QLineEdit, "printerEdit") is not None)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(LoginDialog, "exec", look)
    assert clerk_app.main(args) == 1  # signing in cancelled
    assert seen == [case == "first start"]


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
