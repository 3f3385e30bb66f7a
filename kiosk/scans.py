"""What a scanned or typed code is: a pickup receipt, or the code of a booked appointment.

Qt-free. A keyboard-wedge scanner "types" whatever its code holds and Enter, so the kiosk only
sees text; it tells the two apart by shape:

* a pickup receipt's token is 32 characters of base32 (``A``–``Z``, ``2``–``7``) once spaces,
  tabs and dashes are dropped, in either case. This is the rule of the server's
  ``central_server.pickups.receipts.normalised``, copied here because the desktop bundle carries
  no ``central_server``; keep the two alike. A receipt from before base32
  (``secrets.token_urlsafe(24)``: 32 characters of ``A``–``Z``, ``a``–``z``, ``0``–``9``, ``-``,
  ``_``, as the server still accepts them) counts too when it has both small and capital
  letters, which such a random token has and a booking system's code (read case-insensitively)
  practically never;
* anything else is an appointment's code (a ZMS process number, digits, letters and digits).

Booking codes ignore case, spaces and dashes: :func:`appointment_code` is what the kiosk sends.
"""

from __future__ import annotations

import re
from enum import StrEnum

RECEIPT_LENGTH = 32
_SEPARATORS = str.maketrans("", "", " \t-")
_BASE32_TYPED = re.compile(rf"[A-Za-z2-7]{{{RECEIPT_LENGTH}}}")
_OLD_RECEIPT = re.compile(rf"[A-Za-z0-9_-]{{{RECEIPT_LENGTH}}}")


class ScanKind(StrEnum):
    PICKUP = "pickup"
    APPOINTMENT = "appointment"


def is_receipt(typed: str) -> bool:
    """True when ``typed`` has the shape of a pickup receipt's token."""
    given = typed.strip()
    if _BASE32_TYPED.fullmatch(given.translate(_SEPARATORS)):
        return True
    return bool(
        _OLD_RECEIPT.fullmatch(given)
        and any(c.islower() for c in given)
        and any(c.isupper() for c in given)
    )


def kind_of(typed: str) -> ScanKind:
    """Where a code scanned on the start screen goes."""
    return ScanKind.PICKUP if is_receipt(typed) else ScanKind.APPOINTMENT


def appointment_code(typed: str) -> str:
    """An appointment's code as the server compares it: without spaces and dashes, capitals."""
    return typed.strip().translate(_SEPARATORS).upper()
