"""Signing in at the clerk's desk: the dialog, remembered fields, and the password never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from counter_app.clerk.login import LoginDialog
from counter_app.core import settings as desk_settings
from counter_app.core.settings import DeskSettings
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.waits import ANSWER_MS


def fill(dialog: LoginDialog, server_url: str, password: str) -> None:
    dialog.server.setText(server_url)
    dialog.site.setText("demo")
    dialog.user.setText("clerk1")
    dialog.password.setText(password)
    dialog.desk.setText("1")


def test_a_wrong_password_is_said_plainly_and_the_right_one_signs_in(server, qtbot) -> None:
    dialog = LoginDialog(DeskSettings(), Language("de"), Tasks())
    qtbot.addWidget(dialog)
    signed_in: list[object] = []
    dialog.signed_in.connect(lambda client, sign_in: signed_in.append(sign_in))
    fill(dialog, server.url, "falsch")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    error = dialog.findChild(QLabel, "errorLabel")
    qtbot.waitUntil(
        lambda: error.text() == "Benutzername oder Passwort ist falsch.", timeout=ANSWER_MS
    )
    assert signed_in == []
    dialog.password.setText("demo")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: len(signed_in) == 1, timeout=ANSWER_MS)
    assert dialog.password.text() == ""


def test_empty_fields_are_refused_before_asking_the_server(qtbot) -> None:
    dialog = LoginDialog(DeskSettings(server="http://127.0.0.1:9"), Language("en"), Tasks())
    qtbot.addWidget(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.text() == "Please fill in every field."


def test_an_unreachable_server_is_said_plainly(qtbot) -> None:
    dialog = LoginDialog(DeskSettings(), Language("de"), Tasks())
    qtbot.addWidget(dialog)
    fill(dialog, "http://127.0.0.1:9", "demo")
    dialog.attempt()
    qtbot.waitUntil(lambda: "nicht erreichbar" in dialog.error.text(), timeout=ANSWER_MS)


def test_settings_remember_everything_but_the_password(tmp_path: Path, qtbot) -> None:
    dialog = LoginDialog(DeskSettings(), Language("en"), Tasks())
    qtbot.addWidget(dialog)
    fill(dialog, "http://tresen.stadt.local:8080", "geheim-123")
    path = tmp_path / "clerk.json"
    desk_settings.save(path, dialog.settings())
    text = path.read_text(encoding="utf-8")
    assert "geheim-123" not in text
    loaded = desk_settings.load(path)
    assert (loaded.server, loaded.site, loaded.user, loaded.desk, loaded.language) == (
        "http://tresen.stadt.local:8080",
        "demo",
        "clerk1",
        "1",
        "en",
    )
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(desk_settings.SettingsError, match="not valid JSON"):
        desk_settings.load(path)  # stops the start with the reason, never silent defaults
