"""Reading receipts with a camera: frames in, tokens out, the same way as a scanner's.

Three parts, each testable on its own:

* :func:`decode_qr`: the text of the QR code in a ``QImage`` (zxing-cpp); no GUI, any thread.
* :class:`FrameScanner`: decodes at most ``per_second`` frames a second, one at a time, on its
  own worker thread (a frame arriving meanwhile is skipped), and passes each token on once: the
  same token again is ignored while it was seen within ``repeat_seconds`` (a receipt held in
  front of the camera is one scan, not one a second, and never a run of wrong scans).
* :class:`CameraScanner`: the port to the camera. The real one (:func:`open_qt_camera`) uses
  QtMultimedia (``QCamera`` → ``QMediaCaptureSession`` → ``QVideoSink``), which is imported only
  here, only when a camera is asked for: it is in PySide6-Addons, and on Linux it does not even
  import without libpulse0. When no camera can be opened, ``problem`` says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import zxingcpp
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from counter_app.qt.i18n import N_
from counter_app.qt.tasks import Tasks

log = logging.getLogger("tresen.camera")

MAX_FRAMES_PER_SECOND = 5
REPEAT_SECONDS = 3.0


def decode_qr(image: QImage) -> str | None:
    """The text of the first QR code in ``image``, or None. Safe off the GUI thread."""
    if image.isNull():
        return None
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    stride = gray.bytesPerLine()
    pixels = memoryview(bytes(gray.constBits())).cast("B", (gray.height(), stride))
    # zxing-cpp takes any buffer; its stub names numpy's arrays where numpy is installed (the
    # server's statistics use it), and the desktop bundle leaves numpy out
    view = zxingcpp.ImageView(
        pixels,  # type: ignore[arg-type]
        gray.width(),
        gray.height(),
        zxingcpp.ImageFormat.Lum,
        stride,
    )
    # Receipts carry a QR code: looking for nothing else is faster and reads nothing else. (Made
    # per call: a module-level zxing object is reported as leaked when the program ends.)
    only_qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for barcode in zxingcpp.read_barcodes(view, formats=only_qr):
        if barcode.valid and barcode.text:
            return str(barcode.text)
    return None


class Frame(Protocol):
    """What a camera delivers: ``QVideoFrame`` (or a stand-in) converts itself to a QImage."""

    def toImage(self) -> QImage: ...  # noqa: N802 - Qt's name


class FrameScanner(QObject):
    #: A token read from the camera, passed on once.
    decoded = Signal(str)

    def __init__(
        self,
        per_second: float = MAX_FRAMES_PER_SECOND,
        repeat_seconds: float = REPEAT_SECONDS,
        decode: Callable[[QImage], str | None] = decode_qr,
        clock: Callable[[], float] = time.monotonic,
        tasks: Tasks | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.interval = 1.0 / per_second
        self.repeat_seconds = repeat_seconds
        self.decode = decode
        self.clock = clock
        # Its own single thread: decoding never holds up a request to the server.
        self.tasks = tasks or Tasks(self, max_threads=1)
        self.decoding = False
        self._last_frame = -1e9
        self._last_text: str | None = None
        self._last_seen = -1e9

    def on_frame(self, frame: Frame | QImage) -> None:
        now = self.clock()
        if self.decoding or now - self._last_frame < self.interval:
            return
        self._last_frame = now
        image = frame if isinstance(frame, QImage) else frame.toImage()
        self.decoding = True
        self.tasks.run(self.decode, image, on_done=self._on_decoded, on_error=self._on_failed)

    def _on_decoded(self, text: str | None) -> None:
        self.decoding = False
        if not text:
            return
        now = self.clock()
        again = text == self._last_text and now - self._last_seen < self.repeat_seconds
        self._last_text, self._last_seen = text, now
        if not again:
            self.decoded.emit(text)

    def _on_failed(self, error: Exception) -> None:
        self.decoding = False
        log.warning("a camera frame could not be decoded: %r", error)


class CameraUnavailable(Exception):
    """No camera can be opened; ``message`` (a message id) and ``fields`` say why."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message.format(**fields))
        self.message = message
        self.fields = fields


class CameraSource(Protocol):
    """An open camera that sends its frames somewhere; ``stop`` closes it."""

    name: str

    def stop(self) -> None: ...


#: Opens ``device`` ("" or "default": the system's default camera; else a device's id or a
#: part of its name) and calls ``on_frame`` with every frame and ``on_error`` with what went
#: wrong later; raises CameraUnavailable.
OpenCamera = Callable[[str, Callable[[Any], None], Callable[[str], None], QObject], CameraSource]


class _QtCamera:
    def __init__(self, name: str, parts: tuple[Any, ...]) -> None:
        self.name = name
        self._parts = parts  # camera, session, sink: kept alive while open

    def stop(self) -> None:
        self._parts[0].stop()


def open_qt_camera(
    device: str,
    on_frame: Callable[[Any], None],
    on_error: Callable[[str], None],
    parent: QObject,
) -> CameraSource:
    try:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoSink
    except (ImportError, OSError) as exc:  # PySide6-Addons missing; libpulse0 missing on Linux
        log.warning("QtMultimedia unavailable: %s", exc)
        raise CameraUnavailable(
            N_(
                "Qt Multimedia cannot be loaded on this computer (it needs PySide6-Addons, and "
                "on Linux the package libpulse0)."
            )
        ) from exc
    inputs = QMediaDevices.videoInputs()
    if not inputs:
        raise CameraUnavailable(N_("No camera is connected."))
    chosen: Any
    if device in ("", "default"):
        chosen = QMediaDevices.defaultVideoInput()
    else:
        wanted = device.casefold()
        chosen = next(
            (
                d
                for d in inputs
                if bytes(d.id().data()).decode(errors="replace") == device
                or wanted in d.description().casefold()
            ),
            None,
        )
        if chosen is None:
            raise CameraUnavailable(
                N_("There is no camera {device}. Connected: {cameras}."),
                device=device,
                cameras=", ".join(d.description() for d in inputs),
            )
    camera = QCamera(chosen, parent)
    session = QMediaCaptureSession(parent)
    sink = QVideoSink(parent)
    session.setCamera(camera)
    session.setVideoSink(sink)
    sink.videoFrameChanged.connect(on_frame)
    camera.errorOccurred.connect(lambda _error, text: on_error(text))
    camera.start()
    return _QtCamera(chosen.description(), (camera, session, sink))


class CameraScanner(QObject):
    """The camera of the desk, if any: tokens out through ``decoded``, like a scanner's."""

    decoded = Signal(str)
    #: ``name`` or ``problem`` changed.
    status_changed = Signal()

    def __init__(
        self,
        device: str = "default",
        open_camera: OpenCamera = open_qt_camera,
        scanner: FrameScanner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.device = device
        self._open = open_camera
        self.scanner = scanner or FrameScanner(parent=self)
        self.scanner.decoded.connect(self.decoded)
        #: The open camera's name; empty while none is open.
        self.name = ""
        #: Why no camera is open: a CameraUnavailable, or the camera's own error text.
        self.problem: CameraUnavailable | str | None = None
        self._source: CameraSource | None = None

    def start(self) -> None:
        try:
            self._source = self._open(self.device, self.scanner.on_frame, self._on_error, self)
        except CameraUnavailable as exc:
            log.warning("no camera: %s", exc)
            self.problem = exc
        else:
            self.name, self.problem = self._source.name, None
            log.info("camera %s open", self.name)
        self.status_changed.emit()

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source = None

    def _on_error(self, text: str) -> None:
        log.warning("camera error: %s", text)
        self.problem = text
        self.status_changed.emit()
