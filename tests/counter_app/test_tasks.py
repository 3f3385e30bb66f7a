"""Work off the GUI thread comes back on it, results and errors alike, however often."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Signal

from counter_app.qt.tasks import Tasks


def test_results_and_errors_arrive_on_the_gui_thread(qtbot) -> None:
    tasks = Tasks()
    gui = threading.get_ident()
    seen: list[tuple[str, object, int]] = []

    def fail() -> None:
        raise ValueError("printer out of paper")

    tasks.run(lambda: 42, on_done=lambda r: seen.append(("done", r, threading.get_ident())))
    tasks.run(fail, on_error=lambda e: seen.append(("error", str(e), threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    assert sorted(seen) == [("done", 42, gui), ("error", "printer out of paper", gui)]


def test_thousands_of_signals_do_not_wear_out_none_and_false(qtbot) -> None:
    """PySide6 6.12.0 took a reference from None/False per emitted signal on Python 3.11 until
    the process died mid-shift; pyproject.toml keeps it out. A clerk's day emits far more."""

    class Emitter(QObject):
        flag = Signal(bool)

    emitter = Emitter()
    received: list[bool] = []
    emitter.flag.connect(lambda value: received.append(value))
    tasks = Tasks()
    results: list[object] = []
    before_none, before_false = sys.getrefcount(None), sys.getrefcount(False)
    for _ in range(3000):
        emitter.flag.emit(False)
        tasks.run(lambda: None, on_done=results.append)
    qtbot.waitUntil(lambda: len(results) == 3000, timeout=20000)
    assert len(received) == 3000
    assert sys.getrefcount(None) >= before_none - 50
    assert sys.getrefcount(False) >= before_false - 50
