"""Reading ESC/POS bytes back: the raster images on the paper, cuts, status requests.

Only what python-escpos sends for a ticket is understood: ``GS v 0`` raster blocks (an image
taller than 960 dots comes as several adjacent blocks, joined here into one image again, as the
paper shows it), ``GS V`` cuts and ``DLE EOT n`` status requests. The data of raster blocks is
skipped when looking for commands, so image bytes that happen to look like commands are not
taken for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

GS_V0 = b"\x1dv0"
_CUT = re.compile(rb"\x1dV(?:[\x00\x01\x30\x31]|[\x41\x42\x61-\x67].)", re.DOTALL)
_STATUS_REQUEST = re.compile(rb"\x10\x04[\x01-\x04]")
_INVERT = bytes(255 - b for b in range(256))


@dataclass(frozen=True)
class RasterBlock:
    start: int  # offset of GS v 0
    end: int  # offset after the last data byte
    width_bytes: int
    height: int
    data: bytes


def qr_ticket(text: str, width: int = 576, height: int | None = None) -> Image.Image:
    """A stand-in for a rendered ticket: a 1-bit image of ``width`` with a QR code of ``text``,
    centred, and a black bar across the top (so a test sees the edges of the paper)."""
    import qrcode

    code = qrcode.make(text, box_size=6, border=4).get_image().convert("1")
    height = height or code.height + 40
    image = Image.new("1", (width, height), 1)
    image.paste(0, (0, 0, width, 16))
    image.paste(code, ((width - code.width) // 2, 24))
    return image


def decode_qr(data: bytes) -> list[str]:
    """The texts of the QR codes on the paper, ticket by ticket (needs zxing-cpp)."""
    import zxingcpp

    return [
        result.text
        for image in images_from_escpos(data)
        for result in zxingcpp.read_barcodes(image)
    ]


def raster_blocks(data: bytes) -> list[RasterBlock]:
    """Every complete ``GS v 0`` block, in order (a truncated last block is left out)."""
    return [block for block in _segments(data) if isinstance(block, RasterBlock)]


def images_from_escpos(data: bytes) -> list[Image.Image]:
    """The raster images in ``data`` as 1-bit images (black = printed dot); adjacent blocks of
    one width (python-escpos's fragments of a tall image) are joined."""
    groups: list[list[RasterBlock]] = []
    for block in raster_blocks(data):
        previous = groups[-1][-1] if groups else None
        if previous and previous.end == block.start and previous.width_bytes == block.width_bytes:
            groups[-1].append(block)
        else:
            groups.append([block])
    images = []
    for group in groups:
        width = group[0].width_bytes * 8
        height = sum(block.height for block in group)
        bits = b"".join(block.data for block in group).translate(_INVERT)
        images.append(Image.frombytes("1", (width, height), bits))
    return images


def commands(data: bytes) -> bytes:
    """``data`` without the data of raster blocks (their headers stay)."""
    return b"".join(
        data[seg.start : seg.start + 8] if isinstance(seg, RasterBlock) else seg
        for seg in _segments(data)
    )


def has_cut(data: bytes) -> bool:
    """Whether a ``GS V`` cut command is in ``data`` (outside image data)."""
    return cuts(data) > 0


def cuts(data: bytes) -> int:
    """How many ``GS V`` cut commands are in ``data`` (outside image data)."""
    return sum(
        len(_CUT.findall(seg)) for seg in _segments(data) if not isinstance(seg, RasterBlock)
    )


def strip_status_requests(data: bytes) -> bytes:
    """``data`` without ``DLE EOT n`` requests, except where they are image data."""
    return b"".join(
        data[seg.start : seg.end] if isinstance(seg, RasterBlock) else _STATUS_REQUEST.sub(b"", seg)
        for seg in _segments(data)
    )


def status_requests(data: bytes) -> list[int]:
    """The ``n`` of every ``DLE EOT n`` outside image data, in order."""
    return [
        match[0][2]
        for seg in _segments(data)
        if not isinstance(seg, RasterBlock)
        for match in _STATUS_REQUEST.finditer(seg)
    ]


def _segments(data: bytes) -> Iterator[RasterBlock | bytes]:
    """``data`` cut into raster blocks and the command bytes between them."""
    pos = 0
    while True:
        start = data.find(GS_V0, pos)
        if start < 0 or start + 8 > len(data):
            break
        width_bytes = data[start + 4] | data[start + 5] << 8
        height = data[start + 6] | data[start + 7] << 8
        end = start + 8 + width_bytes * height
        if end > len(data):
            break
        if start > pos:
            yield data[pos:start]
        yield RasterBlock(start, end, width_bytes, height, data[start + 8 : end])
        pos = end
    if pos < len(data):
        yield data[pos:]
