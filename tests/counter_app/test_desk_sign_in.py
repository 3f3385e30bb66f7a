"""Signing in at a desk is checked with the server: unknown sites and desks are named in the
dialog and open no window; a colleague's desk is taken over only when confirmed, and the
colleague's window stops at once; signing off goes back to the sign-in; a break reads as one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton

from counter_app.clerk.app import ClerkSession
from counter_app.clerk.login import DeskRun, LoginDialog
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.outbox import Outbox
from counter_app.core.settings import DeskSettings
from counter_app.pickup.app import PickupSession
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.api import new_ticket
from tests.support.waits import ANSWER_MS

DeskRunFactory = Callable[..., DeskRun]


@pytest.fixture
def desk_run(qtbot, tmp_path: Path) -> Iterator[DeskRunFactory]:  # type: ignore[no-untyped-def]
    """``desk_run(server_url, user, desk)``: the sign-in dialog and the desk windows it opens,
    as ``tresen clerk`` runs them (the dialog shown, the fields as remembered)."""
    runs: list[DeskRun] = []

    def make(
        server_url: str, user: str, desk: str, site: str = "demo", pickup: bool = False
    ) -> DeskRun:
        settings = DeskSettings(server=server_url, site=site, user=user, desk=desk)
        dialog = LoginDialog(settings, Language("de"), Tasks())
        qtbot.addWidget(dialog)

        def open_session(client: TresenClient, sign_in: SignIn) -> ClerkSession | PickupSession:
            chosen = dialog.settings()
            outbox = Outbox(tmp_path / f"outbox-{user}-{len(run.sessions)}.sqlite3")
            kind = PickupSession if pickup else ClerkSession
            session = kind(
                client, sign_in, chosen.site, chosen.desk, dialog.language, outbox, Tasks()
            )
            qtbot.addWidget(session.window)
            return session

        run = DeskRun(dialog, open_session)
        runs.append(run)
        dialog.show()
        return run

    yield make
    for run in runs:
        run.stop()
        run.dialog.tasks.wait(ANSWER_MS)
        for session in run.sessions:
            session.controller.tasks.wait(ANSWER_MS)
            session.controller.outbox.close()


def sign_in(qtbot, run: DeskRun, password: str = "demo") -> None:  # type: ignore[no-untyped-def]
    run.dialog.password.setText(password)
    run.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def desks(server) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    answer = server.client(server.login("supervisor")).get("/sites/demo/desks")
    return {d["code"]: d for d in answer.json()}


def button(session: ClerkSession, name: str) -> QPushButton:
    found = session.window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_an_unknown_desk_is_named_and_opens_no_window(desk_run, server, qtbot) -> None:
    run = desk_run(server.url, "clerk1", "99")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: "99" in run.dialog.error.text(), timeout=ANSWER_MS)
    assert (
        run.dialog.error.text() == "Standort demo hat keinen Platz 99. Bitte prüfen Sie den Platz."
    )
    assert run.sessions == [] and run.dialog.isVisible()
    assert not run.dialog.take_over_button.isVisible()
    # Corrected, the same dialog signs on.
    run.dialog.desk.setText("1")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: len(run.sessions) == 1, timeout=ANSWER_MS)
    assert (desks(server)["1"]["state"], desks(server)["1"]["signed_on_user"]) == (
        "open",
        "clerk1",
    )


def test_an_unknown_site_is_named_and_opens_no_window(desk_run, server, qtbot) -> None:
    run = desk_run(server.url, "clerk1", "1", site="nirgendwo")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: "nirgendwo" in run.dialog.error.text(), timeout=ANSWER_MS)
    assert run.dialog.error.text() == (
        "Der Server kennt keinen Standort nirgendwo. Bitte prüfen Sie den Standort."
    )
    assert run.sessions == []
    assert all(d["state"] == "closed" for d in desks(server).values())


@pytest.mark.parametrize(
    ("site", "said"),
    [
        ("demo/1", "nur Kleinbuchstaben, Ziffern und Bindestriche"),
        ("http://127.0.0.1:8000", "nicht die Adresse des Servers"),
        ("tresen.stadt.local", "nicht die Adresse des Servers"),
    ],
)
def test_a_site_that_cannot_be_one_is_refused_in_words(desk_run, qtbot, site, said) -> None:
    """Before: a "/" in the site crashed the clerk; the server's address was taken as a site."""
    run = desk_run("http://127.0.0.1:9", "clerk1", "1")
    # Typed into the dialog: a settings file with such a site already stops the program.
    run.dialog.site.setText(site)
    sign_in(qtbot, run)
    assert said in run.dialog.error.text()
    assert run.sessions == [] and run.dialog.isVisible()
    assert run.dialog.buttons.isEnabled()


def test_a_taken_desk_names_the_colleague_and_a_confirmed_take_over_stops_their_window(
    desk_run, server, qtbot
) -> None:
    kiosk = server.client("demo-kiosk")
    first = desk_run(server.url, "clerk1", "1")
    sign_in(qtbot, first)
    qtbot.waitUntil(lambda: len(first.sessions) == 1, timeout=ANSWER_MS)
    theirs = first.sessions[0]
    qtbot.waitUntil(lambda: not first.dialog.isVisible(), timeout=ANSWER_MS)
    new_ticket(kiosk, kiosk.service_id("A"))
    qtbot.waitUntil(lambda: button(theirs, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(theirs.window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: theirs.window.current_label.text() == "A001", timeout=ANSWER_MS)

    second = desk_run(server.url, "clerk2", "1")
    sign_in(qtbot, second)
    take_over = second.dialog.take_over_button
    qtbot.waitUntil(take_over.isVisible, timeout=ANSWER_MS)
    assert second.dialog.error.text().startswith("clerk1 ist an Platz 1 angemeldet.")
    assert take_over.text() == "Platz 1 von clerk1 übernehmen …"
    assert second.sessions == [] and desks(server)["1"]["signed_on_user"] == "clerk1"

    # Asked first; "Cancel" leaves the desk to clerk1.
    take_over.click()
    qtbot.waitUntil(lambda: second.dialog.confirm is not None, timeout=ANSWER_MS)
    confirm = second.dialog.confirm
    assert confirm is not None and "clerk1" in confirm.text()
    confirm.button(QMessageBox.StandardButton.No).click()
    assert second.sessions == [] and desks(server)["1"]["signed_on_user"] == "clerk1"

    take_over.click()
    qtbot.waitUntil(
        lambda: second.dialog.confirm is not None and second.dialog.confirm.isVisible(),
        timeout=ANSWER_MS,
    )
    second.dialog.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(second.sessions) == 1, timeout=ANSWER_MS)
    mine = second.sessions[0]
    qtbot.waitUntil(lambda: mine.window.current_label.text() == "A001", timeout=ANSWER_MS)
    assert desks(server)["1"]["signed_on_user"] == "clerk2"

    # clerk1's window is told at once: nothing acts any more, it says why, and the sign-in
    # dialog asks again.
    qtbot.waitUntil(lambda: theirs.controller.ended_reason is not None, timeout=ANSWER_MS)
    assert theirs.controller.ended_reason == ("taken_over", "clerk2")
    assert theirs.window.desk_banner.isVisible()
    assert theirs.window.desk_banner.text() == (
        "clerk2 hat Platz 1 übernommen. Dieses Fenster arbeitet nicht mehr für ihn."
    )
    # The citizen is clerk2's now: not shown in clerk1's window, and nothing can act on them.
    assert theirs.window.current_label.text() == "—"
    for name in ("startButton", "recallButton", "noShowButton", "callNextButton"):
        assert not button(theirs, name).isEnabled(), name
    assert not theirs.window.sign_off_button.isEnabled()
    assert first.dialog.isVisible()
    assert first.dialog.error.text() == "clerk2 hat Platz 1 übernommen."
    # F5 in the old window does nothing: the ticket is still only called, at clerk2's desk.
    # Shortcuts act in the active window, so the old window must be the one in front (else the
    # key would start the ticket in clerk2's window, as it should there).
    theirs.window.activateWindow()
    qtbot.waitUntil(theirs.window.isActiveWindow, timeout=ANSWER_MS)
    qtbot.keyClick(theirs.window, Qt.Key.Key_F5)
    ticket = server.client(server.login("supervisor")).get("/sites/demo/queue").json()
    assert [(t["number"], t["status"]) for t in ticket["called"]] == [("A001", "called")], ticket


def test_sign_off_goes_back_to_the_sign_in_dialog(desk_run, server, qtbot) -> None:
    run = desk_run(server.url, "clerk1", "2")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: len(run.sessions) == 1, timeout=ANSWER_MS)
    session = run.sessions[0]
    qtbot.waitUntil(lambda: session.controller.desk_state == "open", timeout=ANSWER_MS)
    session.window.sign_off_button.click()
    qtbot.waitUntil(run.dialog.isVisible, timeout=ANSWER_MS)
    assert not session.window.isVisible()
    assert run.current is None
    assert (desks(server)["2"]["state"], desks(server)["2"]["signed_on_user"]) == ("closed", None)
    assert run.dialog.password.text() == ""
    # F2 in the closed window signs nobody on again.
    qtbot.keyClick(session.window, Qt.Key.Key_F2)
    assert desks(server)["2"]["state"] == "closed"
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: len(run.sessions) == 2, timeout=ANSWER_MS)
    assert desks(server)["2"]["signed_on_user"] == "clerk1"


def test_a_break_reads_as_a_break(open_desk, qtbot) -> None:
    session = open_desk("clerk1", "3")
    call = button(session, "callNextButton")
    assert call.text() == "Nächste aufrufen (F2)"
    qtbot.keyClick(session.window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: session.controller.desk_state == "paused", timeout=ANSWER_MS)
    assert call.text() == "Pause (F11 beendet sie)"
    assert not call.isEnabled()
    assert session.window.desk_banner.isVisible()
    assert "Pause" in session.window.desk_banner.text()
    assert session.window.current_details.text() == "Pause. Weiter arbeiten mit F11."
    qtbot.keyClick(session.window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: session.controller.desk_state == "open", timeout=ANSWER_MS)
    assert call.text() == "Nächste aufrufen (F2)"
    assert not session.window.desk_banner.isVisible()


def test_tresen_clerk_without_a_screen_exits_2_when_the_desk_is_unknown(
    server, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TRESEN_PASSWORD": "demo",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "tresen", "clerk", "--server", server.url, "--site", "demo"]
    command += ["--user", "clerk1", "--desk", "99", "--language", "en"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "tresen: Site demo has no desk 99. Please check the desk." in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "config" / "tresen" / "clerk.json").exists()


def test_the_pickup_desk_shares_the_checked_sign_in(desk_run, server, qtbot) -> None:
    """Quick-pickup staff at a front-office desk are told so; a pickup desk taken over stops."""
    refused = desk_run(server.url, "pickup1", "1", pickup=True)
    sign_in(qtbot, refused)
    qtbot.waitUntil(lambda: "Platz 1" in refused.dialog.error.text(), timeout=ANSWER_MS)
    assert refused.sessions == []
    assert desks(server)["1"]["state"] == "closed"

    first = desk_run(server.url, "clerk1", "6", pickup=True)
    sign_in(qtbot, first)
    qtbot.waitUntil(lambda: len(first.sessions) == 1, timeout=ANSWER_MS)
    theirs = first.sessions[0]
    qtbot.waitUntil(lambda: theirs.controller.desk_state == "open", timeout=ANSWER_MS)
    second = desk_run(server.url, "pickup1", "6", pickup=True)
    sign_in(qtbot, second)
    qtbot.waitUntil(second.dialog.take_over_button.isVisible, timeout=ANSWER_MS)
    second.dialog.take_over_button.click()
    qtbot.waitUntil(
        lambda: second.dialog.confirm is not None and second.dialog.confirm.isVisible(),
        timeout=ANSWER_MS,
    )
    second.dialog.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(second.sessions) == 1, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: theirs.controller.ended_reason is not None, timeout=ANSWER_MS)
    assert theirs.controller.ended_reason == ("taken_over", "pickup1")
    assert not button(theirs, "callNextButton").isEnabled()
    assert not theirs.window.sign_off_button.isEnabled()
    assert first.dialog.isVisible()
    assert first.dialog.error.text() == "pickup1 hat Platz 6 übernommen."


def test_a_slash_in_the_desk_is_an_unknown_desk_not_a_crash(desk_run, server, qtbot) -> None:
    run = desk_run(server.url, "clerk1", "1/sign-on")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: "1/sign-on" in run.dialog.error.text(), timeout=ANSWER_MS)
    assert run.dialog.error.text() == (
        "Standort demo hat keinen Platz 1/sign-on. Bitte prüfen Sie den Platz."
    )
    assert run.sessions == []
    assert desks(server)["1"]["state"] == "closed"


def test_a_desk_a_supervisor_signs_off_goes_back_to_the_sign_in(desk_run, server, qtbot) -> None:
    run = desk_run(server.url, "clerk1", "2")
    sign_in(qtbot, run)
    qtbot.waitUntil(lambda: len(run.sessions) == 1, timeout=ANSWER_MS)
    session = run.sessions[0]
    qtbot.waitUntil(lambda: session.controller.desk_state == "open", timeout=ANSWER_MS)
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.post("/sites/demo/desks/2/sign-off").status_code == 200
    qtbot.waitUntil(run.dialog.isVisible, timeout=ANSWER_MS)
    assert session.controller.ended_reason == ("closed", "supervisor")
    assert run.dialog.error.text() == "supervisor hat Platz 2 abgemeldet."
    assert not button(session, "callNextButton").isEnabled()
