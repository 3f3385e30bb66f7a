"""Printer addresses: one URI string in a kiosk's or desk's settings names printer and transport.

``open_printer(uri)`` turns the URI into a python-escpos printer object. It does not connect:
python-escpos opens the connection on ``printer.open()`` or on first use, so a kiosk can check
its configuration at start even while the printer is switched off.

=============================================  ==============================================
``tcp://HOST[:PORT]``                          ``Network``; port 9100 by default; ``[IPv6]``
``usb://VID:PID[?in_ep=0x82&out_ep=0x01]``     ``Usb``; the hex ids that ``lsusb`` shows
``serial:///dev/ttyS0[?baud=19200&...]``       ``Serial``; also ``serial://COM3``; see below
``win32://PRINTER NAME``                       ``Win32Raw`` (Windows, pywin32); %-decoded
``cups://QUEUE``                               ``CupsPrinter`` with pycups, else ``LP``
``file:///PATH``                               ``File``: raw bytes into a file or device
=============================================  ==============================================

Serial options: ``baud`` (9600), ``bytesize`` (5-8, 8), ``parity`` (``N``/``E``/``O``/``M``/
``S``, ``N``), ``stopbits`` (1, 1.5, 2; 1), ``timeout`` (seconds, as ``open_printer``),
``xonxoff`` and ``dsrdtr`` (``0``/``1``; flow control, python-escpos's defaults 0 and 1).

Invariants:

* Every printer gets its own copy of a profile whose paper width is ``width_dots``. python-escpos
  refuses images wider than the profile and ignores centring without a width; its profile data
  is shared by every printer of a profile name, so it is copied, never changed in place.
* No direct transport waits forever: connecting, sockets, serial reads and writes, and USB
  transfers time out after ``timeout`` seconds (python-escpos's ``Usb`` waits forever by
  default; its ``Serial`` has no write timeout and drains the port on close without one). The
  spoolers (CUPS, ``lp``, Windows) take the job locally; their timing is theirs.
* ``tcp://`` and ``serial://`` give thin subclasses of python-escpos's ``Network`` (connects
  with ``socket.create_connection``, TCP_NODELAY) and ``Serial`` (the timeouts above);
  ``isinstance`` checks against python-escpos's classes still hold.
* A transport's library is imported only when its scheme is used; a missing one fails for that
  scheme alone, with :class:`PrinterDriverMissingError`.
* ``cups://`` prefers pycups (``CupsPrinter``), which is optional because it builds against the
  libcups headers (``libcups2-dev``). Without it the job is piped to CUPS's ``lp`` command.
  Either way the job reaches the printer when the printer object is closed.

Errors (both are ``ValueError``; messages are for the technician who set up the kiosk)::

    PrinterUriError                 the URI is malformed, or names an unknown scheme or option
     └── PrinterDriverMissingError  the URI is fine, but its transport cannot work here
"""

from __future__ import annotations

import copy
import functools
import shutil
import socket
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from urllib.request import url2pathname

__all__ = [
    "FORMS",
    "FORMS_HELP",
    "SCHEMES",
    "PrinterDriverMissingError",
    "PrinterUriError",
    "open_printer",
]

DEFAULT_TCP_PORT = 9100
#: Every scheme ``open_printer`` accepts, with the form a help text shows for it.
FORMS = {
    "tcp": "tcp://HOST[:PORT]",
    "usb": "usb://VID:PID",
    "serial": "serial:///dev/ttyS0?baud=19200",
    "win32": "win32://PRINTER NAME",
    "cups": "cups://QUEUE",
    "file": "file:///PATH",
}
SCHEMES = tuple(FORMS)
#: The printer addresses in one line, for ``--printer``'s help.
FORMS_HELP = ", ".join(list(FORMS.values())[:-1]) + f" or {list(FORMS.values())[-1]}"
_EXAMPLES = (
    "tcp://192.168.1.50:9100, usb://04b8:0202, serial:///dev/ttyS0?baud=19200, "
    "win32://EPSON TM-T88V Receipt, cups://Kasse, file:///dev/usb/lp0"
)
_PARITIES = {"N": "N", "E": "E", "O": "O", "M": "M", "S": "S"}
_PARITY_WORDS = {"none": "N", "even": "E", "odd": "O", "mark": "M", "space": "S"}
_BOOLS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class PrinterUriError(ValueError):
    """The printer URI cannot be used; the message says why and how to write it."""


class PrinterDriverMissingError(PrinterUriError):
    """The URI is valid, but the library or program its transport needs is not available."""


def open_printer(uri: str, width_dots: int = 576, timeout: float = 5.0) -> Any:
    """The python-escpos printer for ``uri``, not yet connected.

    ``width_dots`` is the printable width (576 for 80 mm paper, 384 for 58 mm); ``timeout``
    bounds connecting, every write and every read, in seconds.
    """
    if width_dots <= 0 or width_dots % 8:
        raise ValueError(f"width_dots must be a positive multiple of 8, not {width_dots}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout}")
    uri = uri.strip()
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    if not sep or not scheme:
        raise PrinterUriError(
            f"{uri!r} is not a printer address. Write it as SCHEME://..., e.g. {_EXAMPLES}"
        )
    if scheme not in SCHEMES:
        raise PrinterUriError(
            f"Unknown printer type {scheme!r} in {uri!r}. "
            f"Known: {', '.join(s + '://' for s in SCHEMES)} (e.g. {_EXAMPLES})"
        )
    printer = _BUILDERS[scheme](uri, rest, timeout)
    printer.profile = _profile(width_dots)
    return printer


# -- one builder per scheme ---------------------------------------------------------------


def _tcp(uri: str, rest: str, timeout: float) -> Any:
    parts = _split(uri)
    _no_options(uri, parts.query)
    if parts.path not in ("", "/") or parts.fragment:
        raise PrinterUriError(f"{uri!r}: tcp:// takes only HOST:PORT, e.g. tcp://192.168.1.50:9100")
    netloc = parts.netloc
    if "@" in netloc:
        raise PrinterUriError(f"{uri!r}: tcp:// takes no user name, only HOST:PORT")
    if netloc.startswith("["):  # an IPv6 address: tcp://[fd00::50]:9100
        host, bracket, after = netloc[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise PrinterUriError(f"{uri!r}: write an IPv6 address as tcp://[fd00::50]:9100")
        port_text = after[1:]
    else:
        host, colon, port_text = netloc.rpartition(":")
        if not colon:
            host, port_text = netloc, ""
    if not host:
        raise PrinterUriError(f"{uri!r}: the printer's host is missing, e.g. tcp://192.168.1.50")
    port = DEFAULT_TCP_PORT
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise PrinterUriError(
                f"{uri!r}: {port_text!r} is not a TCP port (1-65535; ESC/POS printers "
                "usually listen on 9100)"
            )
        port = int(port_text)
    return _network_class()(host=host, port=port, timeout=timeout)


def _usb(uri: str, rest: str, timeout: float) -> Any:
    ids, _, query = rest.partition("?")
    vid_text, colon, pid_text = ids.rstrip("/").partition(":")
    vid, pid = _hex_id(vid_text), _hex_id(pid_text)
    if not colon or vid is None or pid is None:
        raise PrinterUriError(
            f"{uri!r}: write a USB printer as usb://VENDOR:PRODUCT with the two hex ids "
            "that `lsusb` shows, e.g. usb://04b8:0202"
        )
    options = _options(uri, query, {"in_ep", "out_ep"})
    endpoints = {name: _endpoint(uri, name, value) for name, value in options.items()}
    from escpos.printer import usb

    if not usb.is_usable():
        raise PrinterDriverMissingError(
            f"{uri!r}: USB printers need the pyusb package and libusb; install "
            "python-escpos[usb] (and on Windows a libusb driver, e.g. with Zadig)"
        )
    # pyusb counts its timeouts in milliseconds; 0 (python-escpos's default) waits forever.
    return usb.Usb(idVendor=vid, idProduct=pid, timeout=max(1, int(timeout * 1000)), **endpoints)


def _serial(uri: str, rest: str, timeout: float) -> Any:
    parts = _split(uri)
    if parts.netloc and parts.path:
        raise PrinterUriError(
            f"{uri!r}: write a serial port as serial:///dev/ttyS0 (three slashes) or serial://COM3"
        )
    device = unquote(parts.netloc or parts.path)
    if not device or device == "/":
        raise PrinterUriError(f"{uri!r}: the serial port is missing, e.g. serial:///dev/ttyS0")
    allowed = {"baud", "bytesize", "parity", "stopbits", "timeout", "xonxoff", "dsrdtr"}
    options = _options(uri, parts.query, allowed)
    kwargs: dict[str, Any] = {"devfile": device, "timeout": timeout}
    for name, value in options.items():
        if name == "baud":
            kwargs["baudrate"] = _number(uri, name, value, int, lambda v: v > 0)
        elif name == "bytesize":
            kwargs["bytesize"] = _number(uri, name, value, int, lambda v: 5 <= v <= 8)
        elif name == "stopbits":
            stopbits = _number(uri, name, value, float, lambda v: v in (1, 1.5, 2))
            kwargs["stopbits"] = 1.5 if stopbits == 1.5 else int(stopbits)
        elif name == "timeout":
            kwargs["timeout"] = _number(uri, name, value, float, lambda v: v > 0)
        elif name == "parity":
            parity = _PARITIES.get(value.upper()) or _PARITY_WORDS.get(value.lower())
            if parity is None:
                raise PrinterUriError(
                    f"{uri!r}: parity={value!r} is not one of N, E, O, M, S "
                    "(none, even, odd, mark, space)"
                )
            kwargs["parity"] = parity
        else:  # xonxoff, dsrdtr
            if value.lower() not in _BOOLS:
                raise PrinterUriError(f"{uri!r}: {name}={value!r} must be 0 or 1")
            kwargs[name] = _BOOLS[value.lower()]
    from escpos.printer import serial

    if not serial.is_usable():
        raise PrinterDriverMissingError(
            f"{uri!r}: serial printers need the pyserial package; install python-escpos[serial]"
        )
    return _bounded_serial_class()(**kwargs)


def _win32(uri: str, rest: str, timeout: float) -> Any:
    # Everything after win32:// is the name: Windows printer names may hold spaces, '#', '?'
    # and backslashes (\\server\printer), so the rest is not parsed as a URL.
    name = unquote(rest)
    if not name.strip():
        raise PrinterUriError(
            f"{uri!r}: the Windows printer name is missing, e.g. win32://EPSON TM-T88V Receipt "
            "(the name as shown under Settings > Printers; %20 for spaces also works)"
        )
    from escpos.printer import win32raw

    if not win32raw.is_usable():
        raise PrinterDriverMissingError(
            f"{uri!r}: win32:// works on Windows only, with the pywin32 package; "
            "on this system use tcp://, usb://, serial:// or cups://"
        )
    return win32raw.Win32Raw(printer_name=name)


def _cups(uri: str, rest: str, timeout: float) -> Any:
    queue = unquote(rest.rstrip("/"))
    if not queue or any(c in queue for c in " \t/#\\") or not queue.isprintable():
        raise PrinterUriError(
            f"{uri!r}: write a CUPS printer as cups://QUEUE with the queue name that "
            "`lpstat -e` lists (no spaces, '/', '#' or '\\')"
        )
    from escpos.printer import cups, lp

    if cups.is_usable():
        return cups.CupsPrinter(printer_name=queue)
    if lp.is_usable() and shutil.which("lp") and shutil.which("lpstat"):
        return lp.LP(printer_name=queue)
    raise PrinterDriverMissingError(
        f"{uri!r}: cups:// needs the CUPS client: the `lp` and `lpstat` commands "
        "(Debian: cups-client) or the pycups package (which builds against libcups2-dev)"
    )


def _file(uri: str, rest: str, timeout: float) -> Any:
    parts = _split(uri)
    _no_options(uri, parts.query)
    if parts.netloc not in ("", "localhost") or not parts.path:
        raise PrinterUriError(
            f"{uri!r}: write a file or device as file:///dev/usb/lp0 (three slashes and "
            "an absolute path)"
        )
    from escpos.printer.file import File

    return File(devfile=url2pathname(parts.path))


_BUILDERS = {
    "tcp": _tcp,
    "usb": _usb,
    "serial": _serial,
    "win32": _win32,
    "cups": _cups,
    "file": _file,
}


# -- helpers ------------------------------------------------------------------------------


def _profile(width_dots: int) -> Any:
    """A profile of its own with the paper width, from python-escpos's generic one."""
    from escpos.capabilities import get_profile

    # get_profile() gives an instance whose profile_data is the class's dict, shared by every
    # printer of that profile; the instance gets a deep copy. (Passing a profile object as
    # profile= does not work either: python-escpos looks it up by name and raises KeyError.)
    profile = get_profile("default")
    profile.profile_data = copy.deepcopy(profile.profile_data)
    media = profile.profile_data.setdefault("media", {})
    media["width"] = {"pixels": width_dots, "mm": round(width_dots / 8)}
    media["dpi"] = 203  # 8 dots per mm, the common thermal print head
    return profile


@functools.cache
def _network_class() -> type:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer.network import Network

    class TcpNetwork(Network):
        """python-escpos's Network, connecting with ``socket.create_connection``.

        That resolves IPv4 and IPv6 and closes the socket when connecting fails (python-escpos
        leaves it open). Nagle's algorithm is off: a ticket is a few writes and 3-byte status
        requests, and with Nagle each small write after the image waits for the printer's
        delayed ACK (40 ms on Linux).
        """

        _device: Any  # False (never opened), None (failed to open) or the socket

        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except OSError as exc:
                self._device = None
                if raise_not_found:
                    raise DeviceNotFoundError(
                        f"Could not connect to {self.host}:{self.port}: {exc}"
                    ) from exc
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._device = sock

    return TcpNetwork


@functools.cache
def _bounded_serial_class() -> type:
    from escpos.printer.serial import Serial

    class BoundedSerial(Serial):
        """python-escpos's Serial with a write timeout and a close that cannot hang.

        python-escpos passes only a read timeout to pyserial, so a write to a printer that
        holds the line (flow control, offline) blocks forever, and its close() drains the
        output first (tcdrain), which blocks just as long.
        """

        _device: Any  # False (never opened), None (failed to open) or the pyserial port

        def open(self, raise_not_found: bool = True) -> None:
            super().open(raise_not_found=raise_not_found)
            if self._device:
                self._device.write_timeout = self.timeout

        def close(self) -> None:
            if not self._device:
                return
            if self._device.is_open:
                self._device.close()
            self._device = False

    return BoundedSerial


def _split(uri: str) -> Any:
    try:
        return urlsplit(uri)
    except ValueError as exc:
        raise PrinterUriError(f"{uri!r} is not a valid address: {exc}") from exc


def _hex_id(text: str) -> int | None:
    text = text.strip().lower().removeprefix("0x")
    if not 1 <= len(text) <= 4 or any(c not in "0123456789abcdef" for c in text):
        return None
    value = int(text, 16)
    return value or None


def _endpoint(uri: str, name: str, value: str) -> int:
    try:
        number = int(value, 0)
    except ValueError:
        number = -1
    if not 0 < number < 0x100:
        raise PrinterUriError(f"{uri!r}: {name}={value!r} is not a USB endpoint, e.g. 0x81")
    return number


def _number(uri: str, name: str, value: str, kind: type, ok: Any) -> Any:
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or not ok(number):
        raise PrinterUriError(f"{uri!r}: {name}={value!r} is not a valid value for {name}")
    return number


def _options(uri: str, query: str, allowed: set[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise PrinterUriError(f"{uri!r}: unknown option {name!r} (known: {known})")
        options[name] = value
    return options


def _no_options(uri: str, query: str) -> None:
    _options(uri, query, set())
