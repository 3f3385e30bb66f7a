"""Render the supervisor window's screenshots from the real widgets against a real demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/supervisor_screenshots.py [--language de|en]

Plays two weeks of office days through the API with the server's clock set (so the statistics
have something to show), then a live morning (waits past and near their targets, a desk on a
break, a stopped service, a kiosk without paper), and writes docs/screenshots/supervisor-*.png
at 1280x720, the smallest screen the window serves, and at 1920x1080: German, and English as
supervisor-*-en.png (both without ``--language``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402 - its MonkeyPatch sets the server's clock
from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.qt.i18n import Language  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from counter_app.supervisor.app import SupervisorSession  # noqa: E402
from tests.support.live_server import ApiClient, LiveServer  # noqa: E402
from tests.support.scripted_day import Clock  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ZONE = ZoneInfo("Europe/Berlin")
#: Handling minutes by service (a little spread around them).
HANDLING = {"A": 8, "B": 11, "C": 17}
OUTCOMES = ["completed"] * 8 + ["documents_missing", "follow_up"]


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the state to photograph")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def local(day: date, minutes: float) -> datetime:
    """``minutes`` after local midnight of ``day``, in UTC."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    return (midnight + timedelta(minutes=minutes)).astimezone(UTC)


def play_office_day(
    day: date, clock: Clock, kiosk: ApiClient, clerks: dict[str, ApiClient], ids: dict[str, int]
) -> None:
    """A day at three desks: arrivals heavier in the morning, served first come first served."""
    rng = random.Random(day.toordinal())
    count = rng.randint(34, 44) if day.weekday() != 3 else rng.randint(46, 54)  # long Thursday
    arrivals = sorted(
        rng.triangular(7.5 * 60, 14 * 60, 8.75 * 60) for _ in range(count)
    )  # 07:30..14:00, most around 08:45
    prefixes = [rng.choice("AAABBC") for _ in arrivals]
    free = {desk: 8 * 60.0 for desk in clerks}
    actions: list[tuple[float, int, Callable[[], None]]] = []
    issued: dict[int, dict[str, object]] = {}
    for index, (at, prefix) in enumerate(zip(arrivals, prefixes, strict=True)):
        actions.append((at, 0, lambda i=index, p=prefix: issue(i, p)))
        desk = min(free, key=lambda d: free[d])
        called = max(at, free[desk]) + 0.5
        no_show = rng.random() < 0.06
        handling = max(2.0, rng.gauss(HANDLING[prefix], HANDLING[prefix] / 3))
        done = called + 1 + (0 if no_show else handling)
        free[desk] = done
        actions.append((called, 1, lambda d=desk: call(d)))
        if no_show:
            actions.append((called + 1, 2, lambda i=index, d=desk: act(d, i, "no-show")))
        else:
            actions.append((called + 1, 2, lambda i=index, d=desk: act(d, i, "start")))
            outcome = rng.choice(OUTCOMES)
            actions.append(
                (done, 3, lambda i=index, d=desk, o=outcome: act(d, i, "finish", outcome=o))
            )

    def issue(index: int, prefix: str) -> None:
        answer = kiosk.post("/sites/demo/tickets", json={"service_id": ids[prefix]})
        answer.raise_for_status()
        issued[index] = answer.json()

    def call(desk: str) -> None:
        clerks[desk].post(f"/sites/demo/desks/{desk}/call-next").raise_for_status()

    def act(desk: str, index: int, action: str, **body: object) -> None:
        ticket = issued[index]["id"]
        clerks[desk].post(f"/tickets/{ticket}/{action}", json=body or None).raise_for_status()

    clock.now = local(day, 7 * 60 + 50)
    for desk, client in clerks.items():
        client.post(f"/sites/demo/desks/{desk}/sign-on").raise_for_status()
    for at, _order, action in sorted(actions, key=lambda a: (a[0], a[1])):
        clock.now = local(day, at)
        action()
    clock.now = local(day, 17 * 60)
    for desk, client in clerks.items():
        client.post(f"/sites/demo/desks/{desk}/sign-off").raise_for_status()


def over(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window with ``dialog`` drawn over its middle, the window dimmed a little (a modal
    dialog as a supervisor sees it)."""
    shot = window.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 60))
    inner = dialog.grab()
    painter.drawPixmap(
        QPoint((shot.width() - inner.width()) // 2, (shot.height() - inner.height()) // 3), inner
    )
    painter.end()
    return shot


def main(languages: tuple[str, ...]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    server = LiveServer(demo_database(folder, "supervisor-shots.sqlite3"))
    server.start()
    patch = pytest.MonkeyPatch()
    clock = Clock().install(patch)
    kiosk = server.client("demo-kiosk")
    ids = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
    clerks = {str(n): server.client(server.login(f"clerk{n}")) for n in (1, 2)}
    today = datetime.now(ZONE).date()
    first = today - timedelta(days=today.weekday() + 7)  # Monday of last week
    day = first
    while day < today:
        if day.weekday() < 5:
            play_office_day(day, clock, kiosk, clerks, ids)
        day += timedelta(days=1)

    # This morning, live: times a little in the past, then the real clock again.
    now = datetime.now(UTC)
    supervisor = server.client(server.login("supervisor"))

    def at(minutes_ago: float) -> None:
        clock.now = now - timedelta(minutes=minutes_ago)

    at(40)
    for desk in ("1", "2", "3", "4"):
        client = clerks.get(desk) or server.client(server.login(f"clerk{desk}"))
        clerks[desk] = client
        client.post(f"/sites/demo/desks/{desk}/sign-on").raise_for_status()
    at(38)
    kiosk.post("/sites/demo/tickets", json={"service_id": ids["C"]}).raise_for_status()
    called = clerks["4"].post("/sites/demo/desks/4/call-next").json()
    clerks["4"].post(f"/tickets/{called['id']}/start").raise_for_status()
    at(20)
    clerks["4"].post(
        f"/tickets/{called['id']}/finish", json={"outcome": "completed"}
    ).raise_for_status()
    clerks["4"].post("/sites/demo/desks/4/pause").raise_for_status()  # a break
    for minutes, prefix in ((33, "A"), (31, "A"), (27, "A"), (17, "B"), (15, "A"), (9, "C")):
        at(minutes)
        kiosk.post("/sites/demo/tickets", json={"service_id": ids[prefix]}).raise_for_status()
    at(14)
    first_called = clerks["1"].post("/sites/demo/desks/1/call-next").json()
    clerks["2"].post("/sites/demo/desks/2/call-next").raise_for_status()
    at(12)
    clerks["1"].post(f"/tickets/{first_called['id']}/start").raise_for_status()
    at(8)
    kiosk.post("/sites/demo/devices/printer", json={"state": "paper_out"}).raise_for_status()
    at(5)
    supervisor.post(f"/sites/demo/services/{ids['C']}/stop", json={"reason": "staff"})
    for minutes, prefix in ((3, "A"), (2, "B"), (1, "A")):
        at(minutes)
        kiosk.post("/sites/demo/tickets", json={"service_id": ids[prefix]}).raise_for_status()
    patch.undo()
    for language in languages:
        photograph(app, server, language, ids, first, today)
    server.stop()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('supervisor-*.png')))}")


def photograph(
    app: QApplication,
    server: LiveServer,
    language: str,
    ids: dict[str, int],
    first: date,
    today: date,
) -> None:
    """Every picture of the window in ``language`` (German without a suffix)."""
    suffix = "" if language == "de" else f"-{language}"

    def save(widget_or_shot: QWidget | QPixmap, name: str) -> None:
        shot = widget_or_shot.grab() if isinstance(widget_or_shot, QWidget) else widget_or_shot
        shot.save(str(OUT / f"supervisor-{name}{suffix}.png"))

    client = TresenClient(server.url, language=language)
    sign_in = client.login("supervisor", "demo")
    session = SupervisorSession(client, sign_in, "demo", Language(language), Tasks())
    window = session.window
    window.resize(1280, 720)
    window.show()
    session.start()
    controller = session.controller
    wait_for(app, lambda: controller.board is not None and controller.site_info is not None)
    wait_for(app, lambda: len(controller.board.alerts) >= 2)  # type: ignore[union-attr]
    window.choose_service("P")
    window.choose_desk("5")
    settle(app, 1.0)
    save(window, "board")
    window.resize(1920, 1080)
    settle(app, 0.8)
    save(window, "board-large")
    window.resize(1280, 720)
    settle(app, 0.5)

    window.choose_desk("3")
    window.ask_desk_services()
    settle(app, 0.6)
    assert window.dialog is not None
    save(over(window, window.dialog), "steering")
    window.dialog.reject()  # type: ignore[attr-defined]
    settle(app, 0.3)
    window.choose_service("A")
    window.ask_move_ticket()
    settle(app, 0.4)
    move = window.dialog
    move.service.setCurrentIndex(move.service.findData(ids["B"]))  # type: ignore[union-attr]
    move.reason.setText(  # type: ignore[union-attr]
        "Nur Abholung des Ausweises" if language == "de" else "Only collecting the ID card"
    )
    move.accept()  # type: ignore[union-attr]
    settle(app, 0.6)
    assert window.dialog is not None and window.dialog.objectName() == "steeringConfirm"
    save(over(window, window.dialog), "confirm")
    window.dialog.reject()  # type: ignore[attr-defined]
    settle(app, 0.3)

    window.tabs.setCurrentIndex(1)
    view = window.statistics
    view.set_period(first, today)
    shown: list[bool] = []
    view.shown.connect(lambda: shown.append(True))
    view.show_figures()
    wait_for(app, lambda: bool(shown), 60)
    settle(app, 1.0)
    save(window, "statistics")
    for index, name in ((1, "handling"), (2, "service-level"), (3, "heat-map")):
        view.tabs.setCurrentIndex(index)
        settle(app, 0.6)
        save(window, name)

    # Split by service: a line per service, the figures per service in their own tab.
    view.split_box.setCurrentIndex(view.split_box.findData("service"))
    shown.clear()
    view.show_figures()
    wait_for(app, lambda: bool(shown), 60)
    for index, name in (
        (0, "split"),
        (2, "split-service-level"),
        (4, "split-outcomes"),
        (5, "split-table"),
    ):
        view.tabs.setCurrentIndex(index)
        settle(app, 0.6)
        save(window, name)
    view.tabs.setCurrentIndex(0)
    window.resize(1920, 1080)
    settle(app, 1.0)
    save(window, "statistics-large")

    session.stop()
    window.close()
    settle(app, 0.3)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=("de", "en"), help="only this language")
    args = parser.parse_args()
    main((args.language,) if args.language else ("de", "en"))
