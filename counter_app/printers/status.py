"""What the printer says about itself: ESC/POS real-time status, read and decoded here.

``read_status(printer)`` sends the three real-time requests and decodes the replies per the
ESC/POS specification (each reply is one byte with bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0):

============  =======================  ===================================================
request       reply                    bits used
============  =======================  ===================================================
DLE EOT 1     printer status           3: offline
DLE EOT 2     offline cause            2: cover open, 5: stopped at paper end, 6: error
DLE EOT 4     roll paper sensor        2+3: paper near its end, 5+6: paper end
============  =======================  ===================================================

python-escpos's own ``paper_status()``/``is_online()`` are not used: they wait for a reply as
long as the connection's timeout, take an empty reply for "paper adequate" (3.1) and any byte
without the fixed bits for "no paper".

Invariants:

* No reply is ``unknown``, never ``paper_out``: a silent printer, a timeout, a reply without
  the fixed bits. Only transports that can read back are asked (``Network``, ``Serial``,
  ``Usb``); for the others (``CupsPrinter``, ``LP``, ``Win32Raw``, ``File``, ``Dummy``) the state
  is ``unknown`` and nothing is sent.
* Reading is bounded: each request waits at most ``reply_timeout`` (1 s) for its reply, and a
  printer that does not answer the first request is not asked the other two.
* Stale bytes are dropped before each request. A printer answers a DLE EOT n sequence wherever
  it occurs, also inside image data, so replies to such bytes may wait in the input.
* A broken connection is ``offline`` (or raised, with ``errors="raise"``); a printer that
  answers "offline" without a cause (e.g. while paper is fed by the button) is ``offline`` too.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

from resources.vocabulary import PRINTER_FAULTS as FAULTS
from resources.vocabulary import PrinterState

__all__ = [
    "FAULTS",
    "PrinterState",
    "can_read_status",
    "decode_status",
    "read_status",
]

log = logging.getLogger("tresen.printer")

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = DLE_EOT + b"\x01"
OFFLINE_CAUSE = DLE_EOT + b"\x02"
PAPER_SENSOR = DLE_EOT + b"\x04"

_FIXED_MASK = 0b1001_0011  # bits 0, 1, 4, 7 ...
_FIXED_BITS = 0b0001_0010  # ... are 0, 1, 1, 0 in every real-time status reply
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_PAPER_END_STOP = 0x20
_ERROR = 0x40
_NEAR_END = 0x0C
_PAPER_END = 0x60


def decode_status(
    printer: int | None, offline_cause: int | None = None, paper: int | None = None
) -> PrinterState:
    """The state from the replies to DLE EOT 1, 2 and 4 (None: no valid reply)."""
    if printer is None or not _valid(printer):
        return PrinterState.UNKNOWN
    cause = offline_cause if offline_cause is not None and _valid(offline_cause) else 0
    paper_bits = paper if paper is not None and _valid(paper) else 0
    if cause & _COVER_OPEN:
        return PrinterState.COVER_OPEN
    if paper_bits & _PAPER_END or cause & _PAPER_END_STOP:
        return PrinterState.PAPER_OUT
    if cause & _ERROR:
        return PrinterState.ERROR
    if printer & _OFFLINE:
        return PrinterState.OFFLINE
    if paper_bits & _NEAR_END:
        return PrinterState.PAPER_LOW
    return PrinterState.READY


def can_read_status(printer: Any) -> bool:
    """Whether the printer's transport carries replies back (Network, Serial, Usb)."""
    from escpos.printer import Network, Serial, Usb

    return isinstance(printer, Network | Serial | Usb)


def read_status(
    printer: Any,
    *,
    errors: Literal["offline", "raise"] = "offline",
    reply_timeout: float = 1.0,
) -> PrinterState:
    """Ask the printer for its state; opens the connection if python-escpos has not yet.

    A failing connection gives ``offline``, or with ``errors="raise"`` raises the transport's
    error (``OSError`` and its kin, python-escpos's ``DeviceNotFoundError``) so that the caller
    can reconnect.
    """
    if not can_read_status(printer):
        return PrinterState.UNKNOWN
    from escpos.exceptions import DeviceNotFoundError

    try:
        if printer.device is None:  # python-escpos: a failed open is not tried again by itself
            printer.open()
        exchange = _exchanger(printer)
        replies: list[int | None] = []
        for request in (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR):
            reply = exchange(request, reply_timeout)
            if reply is None and not replies:
                log.debug("printer status: no reply to DLE EOT 1")
                return PrinterState.UNKNOWN
            replies.append(reply)
    except (OSError, DeviceNotFoundError) as exc:
        if errors == "raise":
            raise
        log.info("printer status: connection failed: %s", exc)
        return PrinterState.OFFLINE
    state = decode_status(*replies)
    log.debug("printer status: %s from %s", state, replies)
    return state


def _valid(byte: int) -> bool:
    return byte & _FIXED_MASK == _FIXED_BITS


def _last_valid(data: bytes) -> int | None:
    """The printer's reply: the last status byte (earlier ones are late stale replies)."""
    for byte in reversed(data):
        if _valid(byte):
            return byte
    return None


# -- one exchange per transport: drop stale input, send the request, wait for one reply --


def _exchanger(printer: Any) -> Any:
    from escpos.printer import Network, Serial

    if isinstance(printer, Network):
        return lambda request, timeout: _exchange_socket(printer.device, request, timeout)
    if isinstance(printer, Serial):
        return lambda request, timeout: _exchange_serial(printer.device, request, timeout)
    return lambda request, timeout: _exchange_usb(printer, request, timeout)


def _exchange_socket(sock: Any, request: bytes, timeout: float) -> int | None:
    if sock is None:
        raise ConnectionError("the printer is not connected")
    saved = sock.gettimeout()
    try:
        sock.settimeout(0)
        while True:
            try:
                stale = sock.recv(256)
            except BlockingIOError:
                break
            if not stale:
                raise ConnectionResetError("the printer closed the connection")
        sock.settimeout(saved)
        sock.sendall(request)
        sock.settimeout(timeout)
        try:
            data = sock.recv(16)
        except TimeoutError:
            return None
        if not data:
            raise ConnectionResetError("the printer closed the connection")
        return _last_valid(data)
    finally:
        sock.settimeout(saved)


def _exchange_serial(port: Any, request: bytes, timeout: float) -> int | None:
    if port is None:
        raise ConnectionError("the serial port is not open")
    port.reset_input_buffer()
    port.write(request)
    saved = port.timeout
    port.timeout = timeout
    try:
        data = port.read(1)
        # a late reply to an earlier request may have come first; take what else is there
        if data and port.in_waiting:
            data += port.read(port.in_waiting)
    finally:
        port.timeout = saved
    return _last_valid(data) if data else None


def _exchange_usb(printer: Any, request: bytes, timeout: float) -> int | None:
    import usb.core

    device = printer.device
    if device is None:
        raise ConnectionError("the USB printer is not open")
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # drop stale input (bounded: a chatty device)
        try:
            device.read(printer.in_ep, 64, 10)
        except usb.core.USBTimeoutError:
            break
    device.write(printer.out_ep, request, printer.timeout)
    try:
        data = bytes(device.read(printer.in_ep, 16, max(1, int(timeout * 1000))))
    except usb.core.USBTimeoutError:
        return None
    return _last_valid(data) if data else None
