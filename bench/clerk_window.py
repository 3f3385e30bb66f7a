"""Clerk window figures: start to usable, and "call next" pressed to number shown.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/clerk_window.py [--runs 200]

Runs a real server (``tresen server``, its own process, SQLite) with the demo site and the real
clerk window offscreen. "Start to usable": from creating the window (after sign-in) to
the queue shown with the desk open. "Call": from the F2 key press to the called number painted
in the current-ticket label; the window is then finished with a no-show, which is not timed.
Prints median, p90, p99 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from counter_app.clerk.app import ClerkSession
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.live_server import ApiClient, free_port
from tests.support.sites import demo_database
from tresen.health import wait_until_up


class ServerProcess:
    """``tresen server`` in a process of its own, as on a real machine."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tresen",
                "server",
                "--db",
                database_url,
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_until_up(self.url, 60, self.process):
            raise SystemExit(f"the server at {self.url} did not start")

    def login(self, username: str) -> str:
        answer = requests.post(
            f"{self.url}/api/v1/login", json={"username": username, "password": "demo"}, timeout=10
        )
        return str(answer.json()["token"])

    def client(self, token: str) -> ApiClient:
        return ApiClient(self.url, token)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition.__code__.co_firstlineno}")
        app.processEvents()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, values: list[float], width: int = 28) -> None:
    print(
        f"{name:<{width}} n={len(values):<4} median={statistics.median(values):7.1f}  "
        f"p90={percentile(values, 0.9):7.1f}  p99={percentile(values, 0.99):7.1f}  "
        f"max={max(values):7.1f}  (ms)"
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200, help="calls to time")
    parser.add_argument("--starts", type=int, default=20, help="window starts to time")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    url = demo_database(folder, "bench.sqlite3")
    server = ServerProcess(url)
    kiosk = server.client("demo-kiosk")
    service_a = kiosk.service_id("A")
    tasks = Tasks()

    starts: list[float] = []
    for run in range(args.starts):
        client = TresenClient(server.url)
        sign_in = client.login("clerk1", "demo")
        began = time.perf_counter()
        session = ClerkSession(
            client,
            sign_in,
            "demo",
            "1",
            Language("de"),
            Outbox(folder / f"start-{run}.sqlite3"),
            tasks,
        )
        session.window.show()
        session.start()
        wait_for(
            app,
            lambda s=session: (
                s.controller.desk_state == "open"
                and bool(s.controller.services)
                and not s.controller.busy
            ),
        )
        starts.append((time.perf_counter() - began) * 1000)
        session.stop()
        session.window.close()

    client = TresenClient(server.url)
    session = ClerkSession(
        client,
        client.login("clerk1", "demo"),
        "demo",
        "1",
        Language("de"),
        Outbox(folder / "calls.sqlite3"),
        tasks,
    )
    window, controller = session.window, session.controller
    window.show()
    session.start()
    label = window.current_label
    calls: list[float] = []
    for _ in range(args.runs):
        number = kiosk.post("/sites/demo/tickets", json={"service_id": service_a}).json()["number"]
        wait_for(
            app,
            lambda n=number: (
                window.buttons["callNextButton"].isEnabled()
                and any(t.number == n for t in controller.waiting)
            ),
        )
        began = time.perf_counter()
        QTest.keyClick(window, Qt.Key.Key_F2)
        wait_for(app, lambda n=number: label.text() == n)
        calls.append((time.perf_counter() - began) * 1000)
        # The live event may paint the number before the call's own answer is in.
        wait_for(app, lambda: not controller.busy)
        controller.act("no-show")
        wait_for(app, lambda: controller.current is None and not controller.busy)
    session.stop()
    server.stop()

    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}, {platform.platform()}, "
        f"Python {platform.python_version()}; server in its own process on loopback, SQLite"
    )
    report("window start to usable", starts)
    report("F2 to number shown", calls)


if __name__ == "__main__":
    main()
