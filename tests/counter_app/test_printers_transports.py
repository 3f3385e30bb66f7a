"""The transports other than TCP: serial over a real pseudo-terminal, a file, CUPS via a fake
``lp``, pycups and USB with their libraries' entry points faked (no such printers here)."""

from __future__ import annotations

import os
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from counter_app.printers.status import PrinterState, read_status
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintJob, PrintResult, PrintWorker
from tests.counter_app.test_printers_uri import fake_cups_client
from tests.support import raster
from tests.support.escpos_printer import FakeSerialEscposPrinter, FakeUsbEscposPrinter
from tests.support.waits import ANSWER_MS, ANSWER_S, STATUS_S

URL = "https://tresen.example/s/demo/t/B-007?k=11aa"


def print_with(uri: str, jobs: int = 1, **kwargs: Any) -> list[PrintResult]:
    # A printer that answers may answer late on a busy machine; a silent one gets a short limit.
    kwargs.setdefault("status_timeout", STATUS_S)
    worker = PrintWorker(
        lambda: open_printer(uri, 576, timeout=ANSWER_S), retry_delay=0.05, **kwargs
    )
    worker.start()
    try:
        futures = [worker.submit(PrintJob(raster.qr_ticket(URL))) for _ in range(jobs)]
        return [f.result(ANSWER_S) for f in futures]
    finally:
        worker.stop()


# -- serial: a real pty ---------------------------------------------------------------------


@pytest.fixture
def serial_printer() -> Iterator[FakeSerialEscposPrinter]:
    with FakeSerialEscposPrinter() as fake:
        yield fake


def test_serial_ticket_arrives_on_the_far_end_of_the_pty(
    serial_printer: FakeSerialEscposPrinter,
) -> None:
    [result] = print_with(serial_printer.uri + "?baud=19200")
    assert (result.printed, result.state) == (True, PrinterState.READY)
    printed = serial_printer.printed()
    assert printed.startswith(b"\x1b@") and printed.endswith(b"\x1dV\x00")
    assert raster.decode_qr(printed) == [URL]
    assert serial_printer.status_requests() == [1, 2, 4, 1, 2, 4]


@pytest.mark.parametrize("state", ["ready", "paper_low", "paper_out", "cover_open", "offline"])
def test_serial_status_bytes_written_back_on_the_pty_are_decoded(
    serial_printer: FakeSerialEscposPrinter, state: str
) -> None:
    serial_printer.state = state
    printer = open_printer(serial_printer.uri)
    try:
        assert read_status(printer, reply_timeout=STATUS_S) == PrinterState(state)
    finally:
        printer.close()


def test_serial_stale_bytes_are_not_taken_for_the_answer(
    serial_printer: FakeSerialEscposPrinter,
) -> None:
    printer = open_printer(serial_printer.uri)
    try:
        printer.open()
        serial_printer.write_back(b"\x1a\x32\x72")  # "no paper", from long ago
        deadline = time.monotonic() + ANSWER_S  # until the stale bytes wait on our side
        while printer.device.in_waiting < 3:
            assert time.monotonic() < deadline, "the stale bytes never arrived"
            time.sleep(0.01)
        assert read_status(printer, reply_timeout=STATUS_S) == PrinterState.READY
    finally:
        printer.close()


def test_serial_silent_printer_is_unknown_within_the_timeout() -> None:
    with FakeSerialEscposPrinter(silent=True) as fake:
        printer = open_printer(fake.uri)
        try:
            assert read_status(printer, reply_timeout=0.3) == PrinterState.UNKNOWN
        finally:
            printer.close()
        [result] = print_with(fake.uri, status_timeout=0.3)
        assert (result.printed, result.state) == (True, PrinterState.UNKNOWN)


def test_serial_port_that_does_not_exist_is_offline(tmp_path: Path) -> None:
    [result] = print_with(f"serial://{tmp_path}/ttyNONE", retries=1)
    assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
    assert "ttyNONE" in result.error


# -- file ---------------------------------------------------------------------------------


def test_file_gets_the_raw_bytes(tmp_path: Path) -> None:
    target = tmp_path / "bon.bin"
    results = print_with(f"file://{target}", jobs=2)
    assert [(r.printed, r.state) for r in results] == [(True, PrinterState.UNKNOWN)] * 2
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert raster.decode_qr(data) == [URL, URL]
    assert b"\x10\x04" not in raster.commands(data)  # a file cannot answer: nothing asked


# -- CUPS ---------------------------------------------------------------------------------


def test_cups_via_lp_one_spool_job_per_ticket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_cups_client(tmp_path, "Kiosk")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    results = print_with("cups://Kiosk", jobs=2)

    assert [(r.printed, r.state) for r in results] == [(True, PrinterState.UNKNOWN)] * 2
    jobs = sorted(tmp_path.glob("job-*.bin"))
    assert len(jobs) == 2
    for job in jobs:
        data = job.read_bytes()
        assert data.startswith(b"\x1b@")
        assert raster.has_cut(data)  # python-escpos's LP adds a line feed after it
        assert raster.decode_qr(data) == [URL]
    args = (tmp_path / "job-0.args").read_text().split()
    assert args[:2] == ["-d", "Kiosk"] and "raw" in args


def test_cups_with_pycups(monkeypatch: pytest.MonkeyPatch) -> None:
    """pycups is not installed here (it needs libcups headers): python-escpos's module is given
    a stand-in ``cups`` that keeps the files handed to ``printFile``."""
    import escpos.printer.cups as escpos_cups

    spooled: list[tuple[str, bytes, dict[str, str]]] = []

    class Connection:
        def getPrinters(self) -> dict[str, dict[str, int]]:
            return {"Kiosk": {"printer-state": 3}}

        def getDefault(self) -> str:
            return "Kiosk"

        def printFile(self, queue: str, path: str, title: str, options: dict[str, str]) -> int:
            spooled.append((queue, Path(path).read_bytes(), options))
            return len(spooled)

    fake = types.SimpleNamespace(
        Connection=Connection,
        setServer=lambda host: None,
        setPort=lambda port: None,
        CUPS_FORMAT_RAW="application/vnd.cups-raw",
    )
    monkeypatch.setattr(escpos_cups, "cups", fake, raising=False)
    monkeypatch.setattr(escpos_cups, "_DEP_PYCUPS", True)
    monkeypatch.setattr(escpos_cups, "DEFAULT_HOST", "localhost", raising=False)
    monkeypatch.setattr(escpos_cups, "DEFAULT_PORT", 631, raising=False)

    results = print_with("cups://Kiosk", jobs=2)

    assert [(r.printed, r.state) for r in results] == [(True, PrinterState.UNKNOWN)] * 2
    assert [(queue, options) for queue, _, options in spooled] == [
        ("Kiosk", {"document-format": "application/vnd.cups-raw"})
    ] * 2
    for _, data, _ in spooled:
        assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
        assert raster.decode_qr(data) == [URL]


# -- USB ----------------------------------------------------------------------------------


@pytest.fixture
def usb_printer(monkeypatch: pytest.MonkeyPatch) -> FakeUsbEscposPrinter:
    """No USB printer can exist here: pyusb's device lookup (``usb.core.find``) is replaced by
    one that returns a stand-in device answering like a printer; python-escpos's ``Usb`` and
    the worker run unchanged on top of it."""
    import usb.core

    fake = FakeUsbEscposPrinter(0x04B8, 0x0202)
    monkeypatch.setattr(usb.core, "find", fake.find)
    return fake


def test_usb_ticket_with_bounded_transfers(usb_printer: FakeUsbEscposPrinter) -> None:
    [result] = print_with("usb://04b8:0202")

    assert (result.printed, result.state) == (True, PrinterState.READY)
    assert raster.decode_qr(usb_printer.printed()) == [URL]
    assert usb_printer.status_requests() == [1, 2, 4, 1, 2, 4]
    assert set(usb_printer.write_timeouts) == {ANSWER_MS}  # ms; never 0 (= wait forever)
    assert usb_printer.read_timeouts and all(t and t > 0 for t in usb_printer.read_timeouts)
    assert usb_printer.endpoints == {0x01, 0x82}


def test_usb_paper_out_is_not_printed(usb_printer: FakeUsbEscposPrinter) -> None:
    usb_printer.state = "paper_out"
    [result] = print_with("usb://04b8:0202")
    assert (result.printed, result.state) == (False, PrinterState.PAPER_OUT)
    assert usb_printer.printed() == b""


def test_usb_silent_printer_is_unknown(usb_printer: FakeUsbEscposPrinter) -> None:
    usb_printer.silent = True
    printer = open_printer("usb://04b8:0202")
    try:
        assert read_status(printer, reply_timeout=0.3) == PrinterState.UNKNOWN
    finally:
        printer.close()


def test_usb_printer_not_plugged_in_is_offline(usb_printer: FakeUsbEscposPrinter) -> None:
    [result] = print_with("usb://04b8:0e15", retries=1)
    assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
    assert "DeviceNotFoundError" in result.error
