"""The kiosk's first-start dialog asks the real server before it saves: an unknown site, an
address typed into the site field or a refused device token is said and nothing is saved; a
server that cannot be reached is said, with "Save anyway"."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel

from counter_app.qt.setup import DeviceSetupDialog
from counter_app.qt.tasks import Tasks
from kiosk import app as kiosk_app
from kiosk.settings import KioskSettings
from tests.support.live_server import free_port
from tests.support.waits import ANSWER_MS


def dialog_for(qtbot, file: Path, server: str, site: str, token: str) -> DeviceSetupDialog:  # type: ignore[no-untyped-def]
    dialog = kiosk_app.setup_dialog(file, KioskSettings(), Tasks())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server.setText(server)
    dialog.site.setText(site)
    dialog.token.setText(token)
    dialog.printer.edit.setText("")
    return dialog


def save_and_wait_for(qtbot, dialog: DeviceSetupDialog, words: str) -> str:  # type: ignore[no-untyped-def]
    error = dialog.findChild(QLabel, "setupError")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), _left())
    qtbot.waitUntil(lambda: words in error.text(), timeout=ANSWER_MS)
    assert dialog.result() != QDialog.DialogCode.Accepted
    return str(error.text())


def test_an_unknown_site_is_named_and_nothing_is_saved(qtbot, server, tmp_path: Path) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = dialog_for(qtbot, file, server.url, "nordstadt", "demo-kiosk")
    text = save_and_wait_for(qtbot, dialog, "kennt keinen Standort")
    assert text == f"Der Server {server.url} kennt keinen Standort „nordstadt“."
    assert not file.exists()
    assert not dialog.save_anyway_button.isVisible()


def test_the_servers_address_in_the_site_field_is_refused_before_asking(
    qtbot, server, tmp_path: Path
) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = dialog_for(qtbot, file, server.url, server.url, "demo-kiosk")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), _left())
    error = dialog.findChild(QLabel, "setupError")
    assert error.text().startswith("Der Standort ist der Kurzname aus der Standortdatei")
    assert not file.exists()


def test_a_refused_token_is_said_and_nothing_is_saved(qtbot, server, tmp_path: Path) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = dialog_for(qtbot, file, server.url, "demo", "not-the-token")
    text = save_and_wait_for(qtbot, dialog, "abgelehnt")
    assert "tresen admin issue-device-token demo NAME --kind kiosk" in text
    assert "not-the-token" not in text
    assert not file.exists()


def test_a_site_and_token_the_server_accepts_are_saved(qtbot, server, tmp_path: Path) -> None:
    file = tmp_path / "kiosk.toml"
    dialog = dialog_for(qtbot, file, server.url, "demo", "demo-kiosk")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), _left())
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=ANSWER_MS)
    saved = tomllib.loads(file.read_text(encoding="utf-8"))
    assert (saved["server"], saved["site"], saved["token"]) == (server.url, "demo", "demo-kiosk")


def test_a_server_that_cannot_be_reached_offers_to_save_anyway(qtbot, tmp_path: Path) -> None:
    file = tmp_path / "kiosk.toml"
    nobody = f"http://127.0.0.1:{free_port()}"
    dialog = dialog_for(qtbot, file, nobody, "demo", "demo-kiosk")
    text = save_and_wait_for(qtbot, dialog, "nicht erreichbar")
    assert text.startswith(f"Der Server {nobody} ist nicht erreichbar.")
    assert dialog.save_anyway_button.isVisible()
    assert dialog.save_anyway_button.text() == "Trotzdem speichern"
    assert not file.exists()
    # A change in the fields is not what was asked about: the offer goes.
    dialog.site.setText("mitte")
    assert not dialog.save_anyway_button.isVisible()
    save_and_wait_for(qtbot, dialog, "nicht erreichbar")
    qtbot.mouseClick(dialog.save_anyway_button, _left())
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert tomllib.loads(file.read_text(encoding="utf-8"))["site"] == "mitte"


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
