"""What goes on a printed slip (a wait ticket, a pickup receipt): lines of text above and below
one QR code. Qt-free; ``counter_app.qt.paper`` draws it for the printer and the screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Size(StrEnum):
    SMALL = "small"
    NORMAL = "normal"
    LARGE = "large"
    HUGE = "huge"


@dataclass(frozen=True)
class Line:
    text: str
    size: Size = Size.NORMAL
    bold: bool = False
    right_to_left: bool = False


@dataclass(frozen=True)
class Slip:
    """Lines, the QR code's text, lines."""

    top: list[Line]
    qr: str
    bottom: list[Line] = field(default_factory=list)


def in_groups(code: str, size: int = 4) -> str:
    """A long code in groups, easy to read out or type: ``ABCD EFGH …``."""
    return " ".join(code[i : i + size] for i in range(0, len(code), size))
