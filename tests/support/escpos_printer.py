"""Test printers that speak ESC/POS like an Epson: real bytes over real sockets and ptys.

``FakeEscposPrinter`` is a TCP server on 127.0.0.1 (a network printer on port 9100),
``FakeSerialEscposPrinter`` sits on the far end of a pseudo-terminal, and
``FakeUsbEscposPrinter`` stands in for a pyusb device (no USB printer exists here). All three
share one model: they record every byte, and answer ``DLE EOT 1/2/3/4`` as a TM-T88 does for
their ``state`` — wherever the request occurs, also inside image data, as real printers do.
``silent=True`` answers nothing.

``received()`` is every byte; ``printed()`` leaves out the status requests (not those inside
image data). ``wait_for(...)``/``wait_for_cut()`` wait until bytes have arrived.
``cuts()`` counts the tickets; ``last_byte_at()`` is the ``time.monotonic()`` of the last byte,
for benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from typing import Any, Self

from tests.support import raster
from tests.support.waits import ANSWER_S

STATES = ("ready", "paper_low", "paper_out", "cover_open", "offline", "error")

# The status byte per state and request n (DLE EOT n); bits 1 and 4 are always set.
REPLIES: dict[str, dict[int, int]] = {
    #              printer  offline cause     error cause  roll paper sensor
    "ready": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 | 0x0C},
    "paper_out": {1: 0x12 | 0x08, 2: 0x12 | 0x20, 3: 0x12, 4: 0x12 | 0x60},
    "cover_open": {1: 0x12 | 0x08, 2: 0x12 | 0x04, 3: 0x12, 4: 0x12},
    "offline": {1: 0x12 | 0x08, 2: 0x12, 3: 0x12, 4: 0x12},
    "error": {1: 0x12 | 0x08, 2: 0x12 | 0x40, 3: 0x12 | 0x40, 4: 0x12},
}
_REQUEST = re.compile(rb"\x10\x04([\x01-\x04])")


class _FakePrinter:
    """The model: state, the bytes received per connection, the replies."""

    def __init__(self, state: str = "ready", *, silent: bool = False) -> None:
        self._check_state(state)
        self._cond = threading.Condition()
        self._state = state
        self.silent = silent
        self._connections: list[bytearray] = []
        self._total = bytearray()
        self._switches: list[tuple[int, str]] = []
        self._first_byte_at: float | None = None
        self._last_byte_at: float | None = None

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, state: str) -> None:
        self._check_state(state)
        with self._cond:
            self._state = state

    def switch_state_after(self, n_bytes: int, state: str) -> None:
        """From the moment ``n_bytes`` bytes (in total) have arrived, be in ``state``: requests
        later in the stream get the new answer. For "paper runs out during the ticket"."""
        self._check_state(state)
        with self._cond:
            self._switches.append((n_bytes, state))
            self._switches.sort()

    def received(self) -> bytes:
        with self._cond:
            return bytes(self._total)

    def connections(self) -> list[bytes]:
        """The bytes of each connection, in the order they were opened."""
        with self._cond:
            return [bytes(c) for c in self._connections]

    def printed(self) -> bytes:
        """What the printer got to print: everything but the status requests."""
        return raster.strip_status_requests(self.received())

    def status_requests(self) -> list[int]:
        """The n of each DLE EOT n received (outside image data), in order."""
        return raster.status_requests(self.received())

    def cuts(self) -> int:
        """How many cuts (GS V) have arrived: one per ticket."""
        return raster.cuts(self.received())

    def first_byte_at(self) -> float | None:
        """``time.monotonic()`` when the first byte arrived (None: none yet)."""
        with self._cond:
            return self._first_byte_at

    def last_byte_at(self) -> float | None:
        """``time.monotonic()`` when the last byte arrived, e.g. a ticket's cut."""
        with self._cond:
            return self._last_byte_at

    def wait_for(self, until: int | Callable[[bytes], bool], timeout: float = ANSWER_S) -> bytes:
        """Wait until ``until`` bytes have arrived in total, or ``until(received)`` is true."""
        check = until if callable(until) else (lambda data: len(data) >= until)
        with self._cond:
            if not self._cond.wait_for(lambda: check(bytes(self._total)), timeout):
                raise TimeoutError(
                    f"the printer got {len(self._total)} bytes, not what the test waits for"
                )
            return bytes(self._total)

    def wait_for_cut(self, count: int = 1, timeout: float = ANSWER_S) -> bytes:
        """Wait until ``count`` cuts (GS V) have arrived."""
        return self.wait_for(lambda data: raster.cuts(data) >= count, timeout)

    def _check_state(self, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown printer state {state!r}; one of {STATES}")

    def _new_connection(self) -> int:
        with self._cond:
            self._connections.append(bytearray())
            return len(self._connections) - 1

    def _receive(self, index: int, chunk: bytes) -> bytes:
        """Record ``chunk`` and return the replies to the requests in it."""
        with self._cond:
            conn = self._connections[index]
            tail = bytes(conn[-2:])
            base = len(self._total) - len(tail)
            conn.extend(chunk)
            self._total.extend(chunk)
            replies = bytearray()
            for match in _REQUEST.finditer(tail + chunk):
                self._apply_switches(base + match.end())
                if not self.silent:
                    replies.append(REPLIES[self._state][match[1][0]])
            self._apply_switches(len(self._total))
            now = time.monotonic()
            self._first_byte_at = self._first_byte_at or now
            self._last_byte_at = now
            self._cond.notify_all()
            return bytes(replies)

    def _apply_switches(self, position: int) -> None:
        while self._switches and self._switches[0][0] <= position:
            self._state = self._switches.pop(0)[1]


class FakeEscposPrinter(_FakePrinter):
    """A network printer on a free port of 127.0.0.1; use as a context manager.

    ``drop_after=N`` closes each connection once it has received N bytes (0: at once, like a
    printer that accepts and hangs up); ``drop_connections()`` closes the open ones now.
    Leaving the ``with`` block (``close()``) closes the port: the printer is gone.
    """

    def __init__(
        self, state: str = "ready", *, silent: bool = False, drop_after: int | None = None
    ) -> None:
        super().__init__(state, silent=silent)
        self.drop_after = drop_after
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.settimeout(0.05)
        self.host, self.port = self._server.getsockname()
        self.uri = f"tcp://{self.host}:{self.port}"
        self._closing = threading.Event()
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, name="fake-printer", daemon=True)
        self._accepting.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._accepting.join(5)
        self._server.close()
        self.drop_connections()
        for thread in list(self._threads):
            thread.join(5)

    def drop_connections(self) -> None:
        with self._cond:
            conns, self._open = self._open, []
        for conn in conns:
            _close_socket(conn)

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            index = self._new_connection()
            if self.drop_after == 0:
                _close_socket(conn)
                continue
            with self._cond:
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn, index), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        conn.settimeout(0.05)
        try:
            while not self._closing.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                replies = self._receive(index, chunk)
                if replies:
                    conn.sendall(replies)
                if self.drop_after is not None and len(self._connections[index]) >= self.drop_after:
                    return
        except OSError:
            return  # dropped by drop_connections() or reset by the client
        finally:
            with self._cond:
                if conn in self._open:
                    self._open.remove(conn)
            _close_socket(conn)


class FakeSerialEscposPrinter(_FakePrinter):
    """A serial printer on the far end of a pseudo-terminal; ``uri`` names its near end."""

    def __init__(self, state: str = "ready", *, silent: bool = False) -> None:
        super().__init__(state, silent=silent)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no newline translation, before anyone opens it
        self.device = os.ttyname(self._slave)
        self.uri = f"serial://{self.device}"
        self._index = self._new_connection()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-serial", daemon=True)
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_back(self, data: bytes) -> None:
        """Bytes from the printer to the computer, e.g. an unasked status byte."""
        os.write(self._master, data)

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._thread.join(5)
        os.close(self._master)
        os.close(self._slave)

    def _serve(self) -> None:
        while not self._closing.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: nobody holds the near end (we do, so only while closing)
                time.sleep(0.01)
                continue
            replies = self._receive(self._index, chunk)
            if replies:
                os.write(self._master, replies)


class FakeUsbEscposPrinter(_FakePrinter):
    """A pyusb device that answers like a USB printer; patch ``usb.core.find`` with ``find``.

    Records the timeouts python-escpos passes (``write_timeouts``, milliseconds) so a test can
    see that no transfer waits forever (pyusb: 0 = no limit).
    """

    def __init__(
        self, id_vendor: int, id_product: int, state: str = "ready", *, silent: bool = False
    ) -> None:
        super().__init__(state, silent=silent)
        self.id_vendor, self.id_product = id_vendor, id_product
        self.write_timeouts: list[int | None] = []
        self.read_timeouts: list[int | None] = []
        self.endpoints: set[int] = set()
        self._pending = bytearray()
        self._index = self._new_connection()
        self.backend = _FakeBackend()  # not libusb1: python-escpos skips the kernel driver
        self._ctx = _FakeBackend()  # for usb.util.dispose_resources(), which close() calls

    def find(self, **match: Any) -> Self | None:
        if match.get("idVendor") == self.id_vendor and match.get("idProduct") == self.id_product:
            return self
        return None

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def write(self, endpoint: int, data: bytes, timeout: int | None = None) -> int:
        self.endpoints.add(endpoint)
        self.write_timeouts.append(timeout)
        replies = self._receive(self._index, bytes(data))
        with self._cond:
            self._pending.extend(replies)
            self._cond.notify_all()
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int | None = None) -> bytes:
        import usb.core

        self.endpoints.add(endpoint)
        self.read_timeouts.append(timeout)
        with self._cond:
            wait = (timeout if timeout is not None else 1000) / 1000
            if not self._cond.wait_for(lambda: bool(self._pending), wait):
                raise usb.core.USBTimeoutError("Operation timed out")
            data = bytes(self._pending[:size])
            del self._pending[:size]
            return data


class _FakeBackend:
    def dispose(self, device: object) -> None:
        pass


def _close_socket(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()


__all__ = [
    "REPLIES",
    "STATES",
    "FakeEscposPrinter",
    "FakeSerialEscposPrinter",
    "FakeUsbEscposPrinter",
]
