"""Draw a printed slip with Qt into an image of the printer's width.

Qt shapes every script (Arabic joined and right to left, Cyrillic, Turkish), so the printer
needs no code pages: slips go to it as a 1-bit raster image. The same image, in grey, is the
on-screen preview. The fonts ship in ``resources/fonts`` so every machine prints the same.
"""

from __future__ import annotations

import qrcode
from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QTextOption

from counter_app.core.paper import Line, Size, Slip
from resources import path

#: Pixel heights of the text sizes at 203 dpi (8 dots per mm).
FONT_PIXELS = {Size.SMALL: 22, Size.NORMAL: 28, Size.LARGE: 36, Size.HUGE: 150}
MARGIN = 16
GAP = 8
FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
)
FAMILIES = ["Noto Sans", "Noto Sans Arabic"]

_loaded = False


def load_fonts() -> None:
    """Register the shipped fonts with Qt once (needs a QGuiApplication)."""
    global _loaded
    if _loaded:
        return
    for name in FONT_FILES:
        QFontDatabase.addApplicationFont(str(path("fonts", name)))
    _loaded = True


def font(size: Size, bold: bool = False) -> QFont:
    load_fonts()
    result = QFont()
    result.setFamilies(FAMILIES)
    result.setPixelSize(FONT_PIXELS[size])
    result.setBold(bold)
    return result


def qr_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def render(slip: Slip, width: int = 576) -> QImage:
    """The slip as a greyscale image ``width`` dots wide, as tall as its content."""
    matrix = qr_matrix(slip.qr)
    module = max(3, min(7, (width - 2 * MARGIN) // (len(matrix) + 8)))
    qr_side = module * len(matrix)
    inner = width - 2 * MARGIN
    # Measure on a scratch image first, so the slip is exactly as long as it needs to be.
    scratch = QImage(width, 10, QImage.Format.Format_Grayscale8)
    with _Painter(scratch) as painter:
        heights_top = [_measure(painter, line, inner) for line in slip.top]
        heights_bottom = [_measure(painter, line, inner) for line in slip.bottom]
    height = (
        2 * MARGIN
        + sum(heights_top)
        + GAP * len(slip.top)
        + 6 * GAP
        + qr_side
        + sum(heights_bottom)
        + GAP * len(slip.bottom)
    )
    image = QImage(width, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    with _Painter(image) as painter:
        y = MARGIN
        for line, line_height in zip(slip.top, heights_top, strict=True):
            _draw(painter, line, QRect(MARGIN, y, inner, line_height))
            y += line_height + GAP
        y += 3 * GAP
        left = (width - qr_side) // 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for row, cells in enumerate(matrix):
            for column, dark in enumerate(cells):
                if dark:
                    painter.drawRect(left + column * module, y + row * module, module, module)
        y += qr_side + 3 * GAP
        for line, line_height in zip(slip.bottom, heights_bottom, strict=True):
            _draw(painter, line, QRect(MARGIN, y, inner, line_height))
            y += line_height + GAP
    return image


def to_bitmap(image: QImage, threshold: int = 160) -> Image.Image:
    """A 1-bit PIL image (black = print) of a greyscale QImage, for the printer."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    stride = grey.bytesPerLine()
    raw = bytes(grey.constBits())[: stride * grey.height()]
    pil = Image.frombuffer("L", (grey.width(), grey.height()), raw, "raw", "L", stride, 1)
    return pil.point(lambda value: 255 if value >= threshold else 0, mode="1")


class _Painter:
    """``with _Painter(image) as p:`` ends the painter even when drawing fails."""

    def __init__(self, image: QImage) -> None:
        self.painter = QPainter(image)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.painter.setPen(QColor("black"))

    def __enter__(self) -> QPainter:
        return self.painter

    def __exit__(self, *_exc: object) -> None:
        self.painter.end()


def _option(line: Line) -> QTextOption:
    option = QTextOption(Qt.AlignmentFlag.AlignHCenter)
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    option.setTextDirection(
        Qt.LayoutDirection.RightToLeft if line.right_to_left else Qt.LayoutDirection.LeftToRight
    )
    return option


def _measure(painter: QPainter, line: Line, width: int) -> int:
    painter.setFont(font(line.size, line.bold))
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
    return painter.boundingRect(QRect(0, 0, width, 2000), flags, line.text).height()


def _draw(painter: QPainter, line: Line, rect: QRect) -> None:
    painter.setFont(font(line.size, line.bold))
    painter.setPen(QColor("black"))
    painter.drawText(rect.toRectF(), line.text, _option(line))
