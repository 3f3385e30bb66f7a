"""Reading receipts with a camera, without a camera: the decoder on rendered QR codes, and the
frame scanner's pace (at most a few frames a second, one at a time, each receipt once)."""

from __future__ import annotations

import io
import threading

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from counter_app.pickup.camera import FrameScanner, decode_qr
from tests.support.waits import ANSWER_MS

TOKEN = "K7QX2MVD3PLATR4EWZ5N6YBC7HJSU2FG"


def rendered(text: str, box_size: int = 6) -> QImage:
    """A QR code as the qrcode package draws it, read back into a QImage."""
    buffer = io.BytesIO()
    qrcode.make(text, box_size=box_size).save(buffer, format="PNG")
    image = QImage.fromData(buffer.getvalue())
    assert not image.isNull()
    return image


def camera_like(code: QImage) -> QImage:
    """The code small and off-centre on a grey 640x480 colour frame, as a webcam sees a receipt."""
    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(QColor(170, 165, 160))
    painter = QPainter(frame)
    painter.drawImage(90, 70, code.scaledToWidth(251, Qt.TransformationMode.SmoothTransformation))
    painter.end()
    return frame


def test_a_rendered_receipt_code_is_read_back() -> None:
    assert decode_qr(rendered(TOKEN)) == TOKEN


def test_a_code_in_a_camera_like_frame_is_read() -> None:
    # 251 px wide: rows of a grayscale copy are padded, which the decoder must not read as pixels
    assert decode_qr(camera_like(rendered(TOKEN))) == TOKEN


def test_a_frame_without_a_code_reads_nothing() -> None:
    blank = QImage(320, 240, QImage.Format.Format_RGB32)
    blank.fill(QColor("white"))
    assert decode_qr(blank) is None
    assert decode_qr(QImage()) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_frames_are_decoded_at_most_five_a_second_and_each_receipt_once(qtbot) -> None:
    clock = Clock()
    scanner = FrameScanner(clock=clock)
    decoded: list[str] = []
    scanner.decoded.connect(decoded.append)
    frame = rendered(TOKEN)

    def show(seconds: float) -> None:
        """The receipt in view for ``seconds``, at 30 frames a second."""
        for _ in range(round(seconds * 30)):
            scanner.on_frame(frame)
            qtbot.waitUntil(lambda: not scanner.decoding, timeout=ANSWER_MS)
            clock.now += 1 / 30

    seen = []
    real = scanner.decode
    scanner.decode = lambda image: seen.append(1) or real(image)
    show(2.0)
    assert decoded == [TOKEN]  # held in view: one scan, not one per frame
    assert 9 <= len(seen) <= 11  # five frames a second decoded, the rest skipped
    clock.now += 3.5  # taken away and shown again later: a new scan
    show(0.5)
    assert decoded == [TOKEN, TOKEN]
    other = rendered("ANOTHERRECEIPT234567ABCDEFGHIJKL")
    clock.now += 0.2
    scanner.on_frame(other)  # another receipt at once: a scan of its own
    qtbot.waitUntil(lambda: len(decoded) == 3, timeout=ANSWER_MS)
    assert decoded[-1] == "ANOTHERRECEIPT234567ABCDEFGHIJKL"


def test_frames_arriving_while_one_is_decoded_are_skipped(qtbot) -> None:
    clock = Clock()
    release = threading.Event()
    started: list[int] = []

    def slow_decode(image: QImage) -> str | None:
        started.append(1)
        release.wait(5)
        return decode_qr(image)

    scanner = FrameScanner(clock=clock, decode=slow_decode)
    decoded: list[str] = []
    scanner.decoded.connect(decoded.append)
    frame = rendered(TOKEN)
    scanner.on_frame(frame)
    for _ in range(10):  # a second of frames while the first is still being decoded
        clock.now += 0.1
        scanner.on_frame(frame)
    assert scanner.decoding
    release.set()
    qtbot.waitUntil(lambda: decoded == [TOKEN], timeout=ANSWER_MS)
    assert len(started) == 1
