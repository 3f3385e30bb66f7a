"""Printer URIs: every scheme, its options, and the messages for what is wrong."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from escpos.printer import LP, File, Network, Serial, Usb

from counter_app.printers.uri import PrinterDriverMissingError, PrinterUriError, open_printer


def width_of(printer: Any) -> Any:
    return printer.profile.profile_data["media"]["width"]["pixels"]


@pytest.mark.parametrize(
    ("uri", "host", "port"),
    [
        ("tcp://192.168.1.50", "192.168.1.50", 9100),
        ("tcp://192.168.1.50:9100", "192.168.1.50", 9100),
        ("TCP://kasse-drucker.local:4242/", "kasse-drucker.local", 4242),
        ("tcp://[fd00::50]:9101", "fd00::50", 9101),
        ("tcp://[::1]", "::1", 9100),
        (" tcp://10.0.0.7:9100 ", "10.0.0.7", 9100),
    ],
)
def test_tcp(uri: str, host: str, port: int) -> None:
    printer = open_printer(uri, timeout=3.0)
    assert isinstance(printer, Network)
    assert (printer.host, printer.port, printer.timeout) == (host, port, 3.0)
    assert width_of(printer) == 576


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("192.168.1.50:9100", "not a printer address"),
        ("http://192.168.1.50", "Unknown printer type 'http'"),
        ("tcp://", "host is missing"),
        ("tcp://:9100", "host is missing"),
        ("tcp://printer:http", "not a TCP port"),
        ("tcp://printer:70000", "not a TCP port"),
        ("tcp://printer:0", "not a TCP port"),
        ("tcp://printer:9100/queue", "only HOST:PORT"),
        ("tcp://printer:9100?timeout=3", "unknown option 'timeout'"),
        ("tcp://admin@printer", "no user name"),
        ("tcp://[fd00::50", "not a valid address"),
    ],
)
def test_tcp_errors(uri: str, message: str) -> None:
    with pytest.raises(PrinterUriError, match=message):
        open_printer(uri)


def test_every_printer_gets_its_own_paper_width() -> None:
    from escpos.capabilities import get_profile

    wide = open_printer("tcp://10.0.0.1")
    narrow = open_printer("tcp://10.0.0.2", width_dots=384)
    assert (width_of(wide), width_of(narrow)) == (576, 384)
    # python-escpos's shared profile data stays as it was
    assert get_profile("default").profile_data["media"]["width"]["pixels"] == "Unknown"


@pytest.mark.parametrize("width", [0, -576, 580])
def test_the_width_is_a_positive_multiple_of_8(width: int) -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        open_printer("tcp://10.0.0.1", width_dots=width)


def test_usb() -> None:
    printer = open_printer("usb://04b8:0202", timeout=2.5)
    assert isinstance(printer, Usb)
    assert printer.usb_args == {"idVendor": 0x04B8, "idProduct": 0x0202}
    assert printer.timeout == 2500  # milliseconds for pyusb; python-escpos's 0 waits forever
    assert (printer.in_ep, printer.out_ep) == (0x82, 0x01)
    assert width_of(printer) == 576

    other = open_printer("usb://0x0519:2013?in_ep=0x81&out_ep=2", width_dots=384)
    assert other.usb_args == {"idVendor": 0x0519, "idProduct": 0x2013}
    assert (other.in_ep, other.out_ep) == (0x81, 0x02)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("usb://04b8", "usb://VENDOR:PRODUCT"),
        ("usb://04b8:", "usb://VENDOR:PRODUCT"),
        ("usb://epson:tm88", "usb://VENDOR:PRODUCT"),
        ("usb://004b8:0202", "usb://VENDOR:PRODUCT"),
        ("usb://0000:0202", "usb://VENDOR:PRODUCT"),
        ("usb://04b8:0202?in_ep=0x181", "not a USB endpoint"),
        ("usb://04b8:0202?interface=0", "unknown option 'interface'"),
    ],
)
def test_usb_errors(uri: str, message: str) -> None:
    with pytest.raises(PrinterUriError, match=message):
        open_printer(uri)


def test_usb_without_pyusb_fails_for_usb_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import escpos.printer.usb

    monkeypatch.setattr(escpos.printer.usb, "_DEP_USB", False)
    with pytest.raises(PrinterDriverMissingError, match="pyusb"):
        open_printer("usb://04b8:0202")
    assert isinstance(open_printer("tcp://10.0.0.1"), Network)


def test_serial() -> None:
    printer = open_printer("serial:///dev/ttyS0", timeout=4.0)
    assert isinstance(printer, Serial)
    assert (printer.devfile, printer.baudrate, printer.bytesize) == ("/dev/ttyS0", 9600, 8)
    assert (printer.parity, printer.stopbits, printer.timeout) == ("N", 1, 4.0)
    assert (printer.xonxoff, printer.dsrdtr) == (False, True)

    tuned = open_printer(
        "serial:///dev/ttyUSB0?baud=19200&bytesize=7&parity=even&stopbits=2&timeout=1.5"
        "&xonxoff=1&dsrdtr=0"
    )
    assert (tuned.devfile, tuned.baudrate, tuned.bytesize) == ("/dev/ttyUSB0", 19200, 7)
    assert (tuned.parity, tuned.stopbits, tuned.timeout) == ("E", 2, 1.5)
    assert (tuned.xonxoff, tuned.dsrdtr) == (True, False)

    assert open_printer("serial://COM3?baud=38400&stopbits=1.5").devfile == "COM3"
    assert open_printer("serial://COM3?stopbits=1.5").stopbits == 1.5


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("serial://", "serial port is missing"),
        ("serial:///", "serial port is missing"),
        ("serial://dev/ttyS0", "three slashes"),
        ("serial:///dev/ttyS0?baud=fast", "baud='fast'"),
        ("serial:///dev/ttyS0?baud=-9600", "baud='-9600'"),
        ("serial:///dev/ttyS0?bytesize=9", "bytesize='9'"),
        ("serial:///dev/ttyS0?parity=X", "parity='X'"),
        ("serial:///dev/ttyS0?stopbits=3", "stopbits='3'"),
        ("serial:///dev/ttyS0?timeout=0", "timeout='0'"),
        ("serial:///dev/ttyS0?xonxoff=maybe", "must be 0 or 1"),
        ("serial:///dev/ttyS0?speed=9600", "unknown option 'speed'.*baud"),
    ],
)
def test_serial_errors(uri: str, message: str) -> None:
    with pytest.raises(PrinterUriError, match=message):
        open_printer(uri)


def test_win32_needs_windows() -> None:
    with pytest.raises(PrinterDriverMissingError, match="Windows only"):
        open_printer("win32://EPSON TM-T88V Receipt")


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("win32://EPSON TM-T88V Receipt", "EPSON TM-T88V Receipt"),
        ("win32://EPSON%20TM-T88V%20Receipt", "EPSON TM-T88V Receipt"),
        ("win32://\\\\druckserver\\Kiosk #2", "\\\\druckserver\\Kiosk #2"),
        ("WIN32://Bon%2FKasse?", "Bon/Kasse?"),
    ],
)
def test_win32_names_are_percent_decoded(
    monkeypatch: pytest.MonkeyPatch, uri: str, name: str
) -> None:
    """pywin32 cannot exist here: python-escpos's availability flag is faked; the printer
    object is built, not opened."""
    import escpos.printer.win32raw

    monkeypatch.setattr(escpos.printer.win32raw, "_DEP_WIN32PRINT", True)
    printer = open_printer(uri)
    assert isinstance(printer, escpos.printer.win32raw.Win32Raw)
    assert printer.printer_name == name
    assert width_of(printer) == 576


def test_win32_without_a_name() -> None:
    with pytest.raises(PrinterUriError, match="printer name is missing"):
        open_printer("win32://")


def fake_cups_client(folder: Path, queue: str) -> None:
    """``lp`` and ``lpstat`` as shell scripts: lp saves its arguments and the job."""
    scripts = {
        "lpstat": f"""#!/bin/sh
case "$1" in
  -e) echo {queue} ;;
  -v) echo "device for {queue}: usb://EPSON/TM-T88V" ;;
  -d) echo "system default destination: {queue}" ;;
esac
""",
        "lp": f"""#!/bin/sh
n=$(ls {folder}/job-*.bin 2>/dev/null | wc -l)
echo "$@" > {folder}/job-$n.args
cat > {folder}/job-$n.bin
""",
    }
    for name, text in scripts.items():
        path = folder / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_cups_without_pycups_uses_lp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_cups_client(tmp_path, "Kiosk")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    printer = open_printer("cups://Kiosk")
    assert isinstance(printer, LP)
    assert printer.printer_name == "Kiosk"
    assert width_of(printer) == 576


def test_cups_without_pycups_and_lp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterDriverMissingError, match=r"lp.*pycups.*libcups2-dev"):
        open_printer("cups://Kiosk")


@pytest.mark.parametrize("uri", ["cups://", "cups://Kiosk Drucker", "cups://a/b", "cups://%23k"])
def test_cups_errors(uri: str) -> None:
    with pytest.raises(PrinterUriError, match="cups://QUEUE"):
        open_printer(uri)


def test_file(tmp_path: Path) -> None:
    printer = open_printer(f"file://{tmp_path}/Bon%20Drucker.bin")
    assert isinstance(printer, File)
    assert printer.devfile == f"{tmp_path}/Bon Drucker.bin"
    assert open_printer("file://localhost/dev/usb/lp0").devfile == "/dev/usb/lp0"


@pytest.mark.parametrize("uri", ["file://", "file://dev/usb/lp0", "file:///x?mode=a"])
def test_file_errors(uri: str) -> None:
    with pytest.raises(PrinterUriError):
        open_printer(uri)


def test_errors_are_value_errors_and_name_the_uri() -> None:
    assert issubclass(PrinterUriError, ValueError)
    assert issubclass(PrinterDriverMissingError, PrinterUriError)
    with pytest.raises(ValueError, match=r"'ftp://x'.*tcp://.*usb://.*serial://"):
        open_printer("ftp://x")
