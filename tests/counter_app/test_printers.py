"""The print worker against a network printer that is a real TCP server on 127.0.0.1.

Real bytes over real sockets: what the worker sends is parsed back into raster images and the
ticket's QR code is decoded with zxing-cpp.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError
from typing import Any

import pytest
from PIL import Image

from counter_app.printers.status import FAULTS, PrinterState, decode_status, read_status
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintJob, PrintResult, PrintWorker
from tests.support import raster
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.ports import free_port
from tests.support.waits import ANSWER_S, STATUS_S

URL = "https://tresen.example/s/demo/t/A-042?k=7f3a"
ESC_INIT = b"\x1b@"
FULL_CUT = b"\x1dV\x00"


@pytest.fixture
def fake() -> Iterator[FakeEscposPrinter]:
    with FakeEscposPrinter() as printer:
        yield printer


def worker_for(uri: str, **kwargs: Any) -> PrintWorker:
    kwargs.setdefault("retry_delay", 0.05)
    # A printer that answers may answer late on a busy machine; only the silent ones (which
    # pass a short limit) wait it out.
    kwargs.setdefault("status_timeout", STATUS_S)
    worker = PrintWorker(lambda: open_printer(uri, 576, timeout=ANSWER_S), **kwargs)
    worker.start()
    return worker


@pytest.fixture
def states() -> list[PrinterState]:
    return []


@pytest.fixture
def worker(fake: FakeEscposPrinter, states: list[PrinterState]) -> Iterator[PrintWorker]:
    w = worker_for(fake.uri, on_state=states.append)
    yield w
    w.stop()


def print_one(worker: PrintWorker, image: Image.Image | None = None) -> PrintResult:
    return worker.submit(PrintJob(image or raster.qr_ticket(URL), label="A-042")).result(ANSWER_S)


def test_the_ticket_qr_code_survives_the_wire(fake: FakeEscposPrinter, worker: PrintWorker) -> None:
    result = print_one(worker)

    assert result == PrintResult(True, PrinterState.READY, "", result.seconds)
    printed = fake.printed()
    assert printed.startswith(ESC_INIT + raster.GS_V0)
    assert printed.endswith(FULL_CUT)
    assert raster.has_cut(printed)
    assert raster.decode_qr(printed) == [URL]
    [image] = raster.images_from_escpos(printed)
    assert image.size == raster.qr_ticket(URL).size
    assert image.getpixel((0, 0)) == 0 and image.getpixel((575, 0)) == 0  # the bar: full width
    assert fake.status_requests() == [1, 2, 4, 1, 2, 4]  # before and after the ticket
    assert fake.received().startswith(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04\x1b@")


def test_the_printed_raster_is_the_image_bit_for_bit(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    ticket = raster.qr_ticket(URL)
    print_one(worker, ticket)
    [image] = raster.images_from_escpos(fake.printed())
    assert image.tobytes() == ticket.tobytes()


def test_a_narrow_tall_ticket_is_centred_in_every_fragment(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    """python-escpos splits images taller than 960 dots into fragments; the worker centres the
    image before that (see the next test for why)."""
    ticket = Image.new("1", (200, 2100), 1)
    ticket.paste(0, (0, 0, 200, 2100))
    assert print_one(worker, ticket).printed

    blocks = raster.raster_blocks(fake.printed())
    assert [b.height for b in blocks] == [960, 960, 180]
    [image] = raster.images_from_escpos(fake.printed())
    assert image.size == (576, 2100)
    assert image.getbbox() is not None
    black = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert black == (188, 0, 388, 2100)


def test_python_escpos_still_blackens_tall_images_it_centres() -> None:
    """Why the worker centres itself: python-escpos 3.1 crops the fragments of a tall image
    from the uncentred image at the paper's width, so the missing part prints solid black. If
    this fails, python-escpos got fixed and the worker's own centring may go."""
    from escpos.printer import Dummy

    printer = Dummy()
    printer.profile = open_printer("tcp://10.0.0.1").profile
    printer.image(Image.new("1", (200, 2100), 1), center=True)  # white, narrow, tall
    [image] = raster.images_from_escpos(printer.output)
    assert Image.eval(image.convert("L"), lambda v: 255 - v).getbbox() == (200, 0, 576, 2100)


@pytest.mark.parametrize("state", ["paper_out", "cover_open", "offline", "error"])
def test_nothing_is_sent_to_a_printer_with_a_fault(
    fake: FakeEscposPrinter, worker: PrintWorker, state: str
) -> None:
    fake.state = state

    result = print_one(worker)

    assert result.printed is False
    assert result.state == PrinterState(state)
    assert fake.printed() == b""  # only status requests went out
    assert fake.status_requests() == [1, 2, 4]


def test_a_printer_low_on_paper_still_prints(fake: FakeEscposPrinter, worker: PrintWorker) -> None:
    fake.state = "paper_low"
    result = print_one(worker)
    assert (result.printed, result.state) == (True, PrinterState.PAPER_LOW)
    assert raster.decode_qr(fake.printed()) == [URL]


def test_paper_running_out_during_the_ticket_is_not_printed(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    fake.switch_state_after(2000, "paper_out")  # inside the image data

    result = print_one(worker)

    assert (result.printed, result.state) == (False, PrinterState.PAPER_OUT)
    assert fake.cuts() == 1  # it was all sent; the printer said afterwards it has no paper


def test_replies_to_status_bytes_inside_the_image_do_not_confuse_the_next_reading(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    """A printer answers DLE EOT n wherever it occurs, also in image data: such late replies
    wait in the socket and must not be taken for the answers after the ticket."""
    dots = bytearray(72 * 40)
    dots[0:9] = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # black dots that read as requests
    ticket = Image.frombytes("1", (576, 40), bytes(dots).translate(raster._INVERT))
    fake.switch_state_after(9 + 2 + 8 + len(dots), "paper_out")  # once the image is in

    result = print_one(worker, ticket)

    assert (result.printed, result.state) == (False, PrinterState.PAPER_OUT)
    raw = fake.received()
    assert raw.count(b"\x10\x04") == 9  # 3 before, 3 in the image (answered), 3 after
    assert fake.status_requests() == [1, 2, 4, 1, 2, 4]
    [image] = raster.images_from_escpos(fake.printed())
    assert image.tobytes() == ticket.tobytes()  # image bytes are not stripped as requests


def test_a_silent_printer_is_unknown_not_paper_out_and_still_prints() -> None:
    with FakeEscposPrinter(silent=True) as fake:
        printer = open_printer(fake.uri, timeout=2.0)
        state = read_status(printer, reply_timeout=0.3)
        printer.close()
        assert state == PrinterState.UNKNOWN
        assert state != PrinterState.PAPER_OUT
        assert fake.status_requests() == [1]  # one unanswered request, then no more asking

        worker = worker_for(fake.uri, status_timeout=0.3)
        try:
            result = print_one(worker)
        finally:
            worker.stop()
        assert (result.printed, result.state) == (True, PrinterState.UNKNOWN)
        assert raster.decode_qr(fake.printed()) == [URL]


def test_a_printer_that_is_gone_is_offline_after_the_retries_in_bounded_time(
    states: list[PrinterState],
) -> None:
    with FakeEscposPrinter() as fake:
        worker = worker_for(fake.uri, on_state=states.append, retries=2, retry_delay=0.1)
        try:
            assert print_one(worker).printed
            fake.close()  # switched off: the connection drops, the port is closed

            started = time.monotonic()
            result = print_one(worker)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
    assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
    assert "ConnectionRefusedError" in result.error or "DeviceNotFoundError" in result.error
    assert 0.2 <= elapsed < 3.0  # two retry delays, no long timeouts
    assert states == [PrinterState.READY, PrinterState.OFFLINE]


def test_a_closed_port_from_the_start_is_offline() -> None:
    worker = worker_for(f"tcp://127.0.0.1:{free_port()}", retries=1)
    try:
        started = time.monotonic()
        result = print_one(worker)
        assert worker.check().result(ANSWER_S) == PrinterState.OFFLINE
    finally:
        worker.stop()
    assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
    assert result.error
    assert time.monotonic() - started < 3.0


def test_a_dropped_connection_is_reopened_and_the_ticket_printed(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    assert print_one(worker).printed
    fake.drop_connections()  # the printer restarted, or closed an idle connection

    result = print_one(worker)

    assert (result.printed, result.state) == (True, PrinterState.READY)
    assert len(fake.connections()) == 2
    assert raster.decode_qr(fake.printed()) == [URL, URL]


def test_a_printer_that_hangs_up_at_once_is_offline_without_printing() -> None:
    with FakeEscposPrinter(drop_after=0) as fake:
        worker = worker_for(fake.uri, retries=2)
        try:
            result = print_one(worker)
        finally:
            worker.stop()
        assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
        assert len(fake.connections()) == 3  # the first try and two retries
        assert fake.cuts() == 0


def test_a_ticket_lost_after_sending_is_not_sent_twice() -> None:
    with FakeEscposPrinter() as probe:
        worker = worker_for(probe.uri)
        print_one(worker)
        worker.stop()
        job_bytes = len(probe.received()) - 9  # all but the three requests after the ticket

    with FakeEscposPrinter(drop_after=job_bytes) as fake:
        worker = worker_for(fake.uri)
        try:
            result = print_one(worker)
        finally:
            worker.stop()
        assert (result.printed, result.state) == (False, PrinterState.OFFLINE)
        assert result.error.startswith("sent, then lost the printer")
        assert fake.cuts() == 1  # sent once, not again


def test_on_state_is_called_from_the_worker_thread_on_changes_only(
    fake: FakeEscposPrinter,
) -> None:
    seen: list[tuple[PrinterState, str]] = []
    worker = worker_for(
        fake.uri, on_state=lambda s: seen.append((s, threading.current_thread().name))
    )
    try:
        assert worker.check().result(ANSWER_S) == PrinterState.READY
        assert print_one(worker).printed
        fake.state = "paper_out"
        assert worker.check().result(ANSWER_S) == PrinterState.PAPER_OUT
        assert worker.check().result(ANSWER_S) == PrinterState.PAPER_OUT
        fake.state = "ready"
        assert print_one(worker).printed
    finally:
        worker.stop()
    assert seen == [
        (PrinterState.READY, "tresen-printer"),
        (PrinterState.PAPER_OUT, "tresen-printer"),
        (PrinterState.READY, "tresen-printer"),
    ]
    assert worker.state == PrinterState.READY


def test_a_failing_on_state_does_not_stop_the_worker(fake: FakeEscposPrinter) -> None:
    def broken(state: PrinterState) -> None:
        raise RuntimeError("the GUI is gone")

    worker = worker_for(fake.uri, on_state=broken)
    try:
        assert print_one(worker).printed
        assert print_one(worker).printed
    finally:
        worker.stop()


def test_jobs_from_many_threads_print_one_at_a_time_in_submission_order(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    order: list[str] = []
    futures = []
    lock = threading.Lock()
    tickets = {f"{URL}&n={n}": raster.qr_ticket(f"{URL}&n={n}") for n in range(12)}
    texts = list(tickets)

    def submit_some(mine: list[str]) -> None:
        for text in mine:
            with lock:  # the order of submit() calls is the order to print in
                futures.append(worker.submit(PrintJob(tickets[text], label=text)))
                order.append(text)

    threads = [threading.Thread(target=submit_some, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [f.result(ANSWER_S) for f in futures]

    assert all(r.printed for r in results)
    assert raster.decode_qr(fake.printed()) == order
    assert fake.cuts() == 12
    # one at a time: each ticket sits between its own status checks
    assert fake.status_requests() == [1, 2, 4] * 24


def test_submit_returns_at_once_while_the_printer_is_slow() -> None:
    with FakeEscposPrinter(silent=True) as fake:  # each status reading waits for its timeout
        worker = worker_for(fake.uri, status_timeout=0.2)
        try:
            futures = [worker.submit(PrintJob(raster.qr_ticket(URL))) for _ in range(3)]
            # submit did not wait for the printer: the last job has not been printed yet
            assert not futures[-1].done()
            assert all(f.result(ANSWER_S).printed for f in futures)
        finally:
            worker.stop()


def test_stop_finishes_the_job_in_progress_and_cancels_the_queued() -> None:
    with FakeEscposPrinter(silent=True) as fake:
        worker = worker_for(fake.uri, status_timeout=0.4)
        futures = [worker.submit(PrintJob(raster.qr_ticket(URL))) for _ in range(3)]
        fake.wait_for(3)  # the first job has started
        worker.stop()

        assert futures[0].result(0).printed
        for future in futures[1:]:
            with pytest.raises(CancelledError):
                future.result(0)
        late = worker.submit(PrintJob(raster.qr_ticket(URL)))
        with pytest.raises(RuntimeError, match="stopped"):
            late.result(0)
        assert fake.cuts() == 1


def test_a_ticket_wider_than_the_paper_is_refused_without_retrying(
    fake: FakeEscposPrinter, worker: PrintWorker
) -> None:
    result = print_one(worker, raster.qr_ticket(URL, width=640))
    assert result.printed is False
    assert "640" in result.error and "576" in result.error
    assert fake.received() == b""  # refused before anything was sent
    assert print_one(worker).printed  # the worker goes on


def test_fault_states_are_those_that_cannot_print() -> None:
    assert {
        PrinterState.PAPER_OUT,
        PrinterState.COVER_OPEN,
        PrinterState.OFFLINE,
        PrinterState.ERROR,
    } == FAULTS
    assert PrinterState.UNKNOWN not in FAULTS and PrinterState.PAPER_LOW not in FAULTS
    assert [str(s) for s in PrinterState] == [
        "ready",
        "paper_low",
        "paper_out",
        "cover_open",
        "offline",
        "error",
        "unknown",
    ]


@pytest.mark.parametrize(
    ("replies", "state"),
    [
        ((0x12, 0x12, 0x12), PrinterState.READY),
        ((0x12, 0x12, 0x1E), PrinterState.PAPER_LOW),
        ((0x12, 0x12, 0x16), PrinterState.PAPER_LOW),  # one near-end bit is enough
        ((0x1A, 0x32, 0x72), PrinterState.PAPER_OUT),
        ((0x1A, 0x32, None), PrinterState.PAPER_OUT),  # paper end stop, no sensor reply
        ((0x12, 0x12, 0x52), PrinterState.PAPER_OUT),  # one paper-end bit is enough
        ((0x1A, 0x16, 0x12), PrinterState.COVER_OPEN),
        ((0x1A, 0x36, 0x72), PrinterState.COVER_OPEN),  # open to change the roll
        ((0x1A, 0x52, 0x12), PrinterState.ERROR),
        ((0x1A, 0x12, 0x12), PrinterState.OFFLINE),
        ((0x1A, None, None), PrinterState.OFFLINE),
        ((None, None, None), PrinterState.UNKNOWN),
        ((0x00, 0x00, 0x00), PrinterState.UNKNOWN),  # no fixed bits: not a status reply
        ((0x1B, 0x12, 0x12), PrinterState.UNKNOWN),  # bit 0 set: not a status reply
        ((0x12, 0x00, 0x00), PrinterState.READY),  # invalid causes are ignored
    ],
)
def test_decoding_the_status_bytes(
    replies: tuple[int | None, int | None, int | None], state: PrinterState
) -> None:
    assert decode_status(*replies) == state


def test_read_status_of_a_closed_port_is_offline_or_raises() -> None:
    from escpos.exceptions import DeviceNotFoundError

    printer = open_printer(f"tcp://127.0.0.1:{free_port()}", timeout=1.0)
    assert read_status(printer) == PrinterState.OFFLINE
    with pytest.raises(DeviceNotFoundError):
        read_status(printer, errors="raise")
