"""The print worker: the one thread that owns the printer.

The GUI hands over a rendered ticket and gets a future; everything that talks to the printer
(connecting, status requests, sending, reconnecting) happens on the worker's thread.

Invariants:

* One thread, one printer object. Only the worker's thread touches it; ``submit()`` and
  ``check()`` only enqueue and return a ``Future`` at once, and never raise for printer trouble.
* Jobs run one at a time, in the order they were submitted (a FIFO queue), status checks
  among them in the same order.
* Nothing is sent to a printer that reports a fault (``FAULTS``: paper_out, cover_open, offline,
  error): the job resolves with ``printed=False`` and that state. ``unknown`` is not a fault:
  printers that cannot answer (CUPS, Windows spooler, files) and silent ones still print.
* A job is ``ESC @`` (Network sends none on connect), the image as one or more ``GS v 0``
  raster blocks, centred on the paper by the worker, then feed and cut. (python-escpos 3.1
  centres images taller than 960 dots wrongly: it splits them into fragments cropped from the
  uncentred image at the paper's width, which prints them left-aligned with a solid black
  band to their right.)
* ``printed=True`` means: all bytes went to the transport and the status read afterwards is no
  fault. A printer that ran out of paper or opened during the job gives ``printed=False``. The
  status is what the printer knows when the last byte has arrived; a roll that ends while the
  buffered ticket is still printing shows in the next job's check.
* Connection failures (refused, reset, timeout, device gone) close the printer and retry the
  job from the start, ``retries`` times after ``retry_delay`` seconds, with a fresh printer
  object from the factory; then ``printed=False, state=offline``. A job whose bytes were all
  sent is never sent again: if the connection fails after that, it is ``printed=False,
  state=offline`` (the kiosk then shows the number on screen; better than two tickets).
* Other errors (image wider than the paper, a bad URI from the factory) are not retried:
  ``printed=False``, the state as last known, ``error`` says why.
* Spooling transports (``CupsPrinter``, ``LP``, ``Win32Raw``) hand a job on when closed: the
  worker closes them after every job. Others stay open until a failure or ``stop()``.
* ``on_state`` is called on the worker's thread whenever the state differs from the last one
  (first reading included). An exception in it is logged and does not stop the worker.
* ``stop()`` lets the job in progress finish (transport timeouts bound it), cancels the jobs
  still queued, closes the printer and joins the thread. Later ``submit()``/``check()`` return
  futures that fail with ``RuntimeError``.
"""

from __future__ import annotations

import logging
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image

from counter_app.printers.status import FAULTS, PrinterState, can_read_status, read_status

__all__ = ["PrintJob", "PrintResult", "PrintWorker"]

log = logging.getLogger("tresen.printer")

T = TypeVar("T")
_STOP = object()


@dataclass(frozen=True)
class PrintJob:
    """A rendered ticket: a 1-bit image (mode "1") at most as wide as the paper."""

    image: Image.Image
    cut: bool = True
    label: str = ""  # for logs, e.g. the ticket number


@dataclass(frozen=True)
class PrintResult:
    """How a job ended: ``printed`` as the worker's invariants define it, and the printer's
    state at the end (the state that kept it from printing, if it did not)."""

    printed: bool
    state: PrinterState
    error: str = ""  # for logs and technicians; citizens get texts made from ``state``
    seconds: float = 0.0


class _ConnectionLost(Exception):
    """The connection failed after all bytes of the job were sent: do not send again."""


class PrintWorker:
    """The printer's own thread; see the module docstring for what it promises."""

    def __init__(
        self,
        open_printer: Callable[[], Any],
        on_state: Callable[[PrinterState], None] | None = None,
        retries: int = 2,
        retry_delay: float = 0.5,
        *,
        status_timeout: float = 1.0,
    ) -> None:
        """``open_printer`` builds a python-escpos printer, e.g. ``lambda: open_printer(uri)``;
        it is called again after every failure. ``status_timeout`` bounds each status reply.
        """
        if retries < 0:
            raise ValueError("retries must not be negative")
        self._open_printer = open_printer
        self._on_state = on_state
        self._retries = retries
        self._retry_delay = retry_delay
        self._status_timeout = status_timeout
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._printer: Any = None
        self._connected = False
        self._state: PrinterState | None = None

    # -- any thread ---------------------------------------------------------------------

    @property
    def state(self) -> PrinterState:
        """The last state seen (``unknown`` before the first reading)."""
        return self._state or PrinterState.UNKNOWN

    def start(self) -> None:
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped print worker cannot be started again")
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="tresen-printer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._cancel_queued()
        self._queue.put(_STOP)
        if thread is threading.current_thread():  # stop() from on_state: the loop ends soon
            return
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("print worker did not stop within %s s", timeout)
        else:
            self._close()

    def submit(self, job: PrintJob) -> Future[PrintResult]:
        """Print ``job`` after the jobs before it; the future never raises for printer faults."""
        return self._enqueue(lambda: self._print(job))

    def check(self) -> Future[PrinterState]:
        """The printer's state, read in turn with the jobs."""
        return self._enqueue(self._check)

    def __enter__(self) -> PrintWorker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _enqueue(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                future.set_exception(RuntimeError("the print worker is stopped"))
                return future
            self._queue.put((call, future))
        return future

    def _cancel_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                item[1].cancel()

    # -- the worker's thread ------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                call, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(call())
                except BaseException as exc:  # the future carries it to the caller
                    log.exception("print worker: unexpected error")
                    future.set_exception(exc)
        finally:
            self._close()

    def _print(self, job: PrintJob) -> PrintResult:
        started = time.monotonic()

        def result(printed: bool, state: PrinterState, error: str = "") -> PrintResult:
            seconds = time.monotonic() - started
            log.info(
                "ticket %s: printed=%s state=%s %.2fs %s", job.label, printed, state, seconds, error
            )
            return PrintResult(printed, state, error, seconds)

        error = ""
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(self._retry_delay)
            try:
                printer = self._printer_object()
                image = _fit_to_paper(job.image, _paper_width(printer))
                self._connect(printer)
                state = self._read_state(printer)
                if state in FAULTS:
                    return result(False, state)
                self._send(printer, image, job.cut)
                if not can_read_status(printer):  # a spooler hands the job on when closed
                    if _is_spooler(printer):
                        self._close()
                    return result(True, PrinterState.UNKNOWN)
                try:
                    state = self._read_state(printer)
                except _CONNECTION_ERRORS as exc:
                    raise _ConnectionLost(_describe(exc)) from exc
                return result(state not in FAULTS, state)
            except _ConnectionLost as exc:
                self._close()
                self._set_state(PrinterState.OFFLINE)
                return result(False, PrinterState.OFFLINE, f"sent, then lost the printer: {exc}")
            except _CONNECTION_ERRORS as exc:
                self._close()
                error = _describe(exc)
                log.info("ticket %s: attempt %d failed: %s", job.label, attempt + 1, error)
            except Exception as exc:  # not the connection: trying again would not help
                log.exception("ticket %s: cannot print", job.label)
                if self._printer is not None and _is_spooler(self._printer):
                    self._close()
                return result(False, self.state, _describe(exc))
        self._set_state(PrinterState.OFFLINE)
        return result(False, PrinterState.OFFLINE, error)

    def _check(self) -> PrinterState:
        try:
            printer = self._printer_object()
            self._connect(printer)
            return self._read_state(printer)
        except _CONNECTION_ERRORS as exc:
            log.info("printer check: %s", _describe(exc))
            self._close()
            self._set_state(PrinterState.OFFLINE)
            return PrinterState.OFFLINE
        except Exception:
            log.exception("printer check failed")
            self._close()
            self._set_state(PrinterState.UNKNOWN)
            return PrinterState.UNKNOWN

    def _printer_object(self) -> Any:
        if self._printer is None:
            self._printer = self._open_printer()
        return self._printer

    def _connect(self, printer: Any) -> None:
        """Open the connection once; spoolers are opened per job instead (in _send)."""
        if not self._connected and not _is_spooler(printer):
            printer.open()
            self._connected = True

    def _read_state(self, printer: Any) -> PrinterState:
        state = read_status(printer, errors="raise", reply_timeout=self._status_timeout)
        self._set_state(state)
        return state

    def _send(self, printer: Any, image: Image.Image, cut: bool) -> None:
        if _is_spooler(printer):
            printer.open()
        printer.hw("INIT")  # ESC @: a known state whatever the last job left
        printer.image(image, impl="bitImageRaster", center=True)
        if cut:
            printer.cut()  # feeds the ticket past the cutter (ESC d 6), then GS V 0

    def _set_state(self, state: PrinterState) -> None:
        if state == self._state:
            return
        log.info("printer state: %s -> %s", self._state, state)
        self._state = state
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("print worker: on_state failed")

    def _close(self) -> None:
        printer, self._printer = self._printer, None
        self._connected = False
        if printer is None:
            return
        try:
            printer.close()
        except Exception as exc:  # closing a broken connection may fail too
            log.debug("closing the printer: %s", _describe(exc))


def _connection_errors() -> tuple[type[BaseException], ...]:
    from escpos.exceptions import DeviceNotFoundError

    # OSError covers sockets, pyserial's SerialException and pyusb's USBError
    return (OSError, DeviceNotFoundError, subprocess.SubprocessError)


_CONNECTION_ERRORS = _connection_errors()


def _is_spooler(printer: Any) -> bool:
    from escpos.printer import LP, CupsPrinter, Win32Raw

    return isinstance(printer, CupsPrinter | LP | Win32Raw)


def _paper_width(printer: Any) -> int | None:
    try:
        return int(printer.profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        return None


def _fit_to_paper(image: Image.Image, width: int | None) -> Image.Image:
    """The image centred on a white strip as wide as the paper (unchanged if it fits)."""
    if width is None or image.width == width:
        return image
    if image.width > width:
        raise ValueError(f"the ticket is {image.width} dots wide, the paper {width}")
    x = (width - image.width) // 2
    if image.mode == "1":
        canvas = Image.new("1", (width, image.height), 1)
        canvas.paste(image, (x, 0))
        return canvas
    rgba = image.convert("RGBA")
    canvas = Image.new("RGBA", (width, image.height), (255, 255, 255, 255))
    canvas.paste(rgba, (x, 0), rgba)
    return canvas


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
