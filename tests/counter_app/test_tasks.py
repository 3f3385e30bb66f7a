"""Work off the GUI thread comes back on it, results and errors alike, however often."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from counter_app.qt.tasks import Tasks
from tests.support.waits import ANSWER_MS


def test_results_and_errors_arrive_on_the_gui_thread(qtbot) -> None:
    tasks = Tasks()
    gui = threading.get_ident()
    seen: list[tuple[str, object, int]] = []

    def fail() -> None:
        raise ValueError("printer out of paper")

    tasks.run(lambda: 42, on_done=lambda r: seen.append(("done", r, threading.get_ident())))
    tasks.run(fail, on_error=lambda e: seen.append(("error", str(e), threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=ANSWER_MS)
    assert sorted(seen) == [("done", 42, gui), ("error", "printer out of paper", gui)]


def test_a_long_shift_of_signals_does_not_kill_the_program() -> None:
    """PySide6 6.12.0 on Python 3.11 took a reference from None/False with every emitted
    signal, until the program died ("bool_dealloc") after a few thousand: mid-shift for a
    clerk. pyproject.toml keeps that version out; this proves the installed one survives."""
    program = textwrap.dedent("""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication
        from counter_app.qt.tasks import Tasks

        app = QApplication([])

        class Emitter(QObject):
            flag = Signal(bool)

        emitter, seen, results = Emitter(), [], []
        emitter.flag.connect(lambda value: seen.append(value))
        tasks = Tasks()
        for _ in range(30000):
            emitter.flag.emit(False)
        for _ in range(3000):
            tasks.run(lambda: None, on_done=results.append)
        while len(results) < 3000:
            app.processEvents()
        print(len(seen), len(results))
    """)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["30000", "3000"]


def test_a_tasks_object_dropped_after_its_last_job_does_not_crash_the_program() -> None:
    """A Tasks owned by Python alone, whose last reference sat in a finished job's callback:
    deleting the spent relay used to delete it twice, and the program died in ~QObject."""
    program = textwrap.dedent("""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QCoreApplication, QEvent
        from PySide6.QtWidgets import QApplication
        from counter_app.qt.tasks import Tasks

        app = QApplication([])
        results = []
        tasks = Tasks()
        tasks.run(lambda: 1, on_done=results.append)
        tasks.wait()
        while not results:
            app.processEvents()
        del tasks
        for _ in range(5):
            app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        print(results)
    """)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[1]"]
