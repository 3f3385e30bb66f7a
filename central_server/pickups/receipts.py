"""Receipt tokens: made, normalised as people type them, hashed. Plain functions, no I/O.

A receipt's token is RFC 4648 base32 without padding: 160 random bits in exactly 32 characters
of ``A``–``Z`` and ``2``–``7``. The QR code carries it; it is also printed under the code in
groups (``ABCD EFGH …``) for typing at the kiosk, so what a person types is normalised before
it is hashed: surrounding white space is stripped, spaces, tabs and ``-`` are dropped, and the
letters are upper-cased. The normalised text is what is hashed (SHA-256) and stored.

Tokens made before (``secrets.token_urlsafe(24)``: 32 characters, mixed case, ``-`` and ``_``)
keep working. One of them can look like a base32 token typed in mixed case (about one in 23
has neither ``-``, ``_``, ``0``, ``1``, ``8`` nor ``9``), so such a text cannot be told apart
by its shape alone: :func:`digests` gives the digest of the normalised text first and, where
that differs, the digest of the text as given (only stripped). A receipt is found by either;
an old token is stored as its digest as given and so is found by the second.
"""

from __future__ import annotations

import base64
import re
import secrets

from central_server.auth import tokens

#: Random bytes in a token: 160 bits, exactly 32 base32 characters, no padding.
TOKEN_BYTES = 20
TOKEN_LENGTH = 32
#: What a token typed by a person may hold besides its characters.
_SEPARATORS = str.maketrans("", "", " \t-")
_BASE32_TYPED = re.compile(rf"[A-Za-z2-7]{{{TOKEN_LENGTH}}}")


def new_token() -> str:
    """A fresh receipt token: 32 characters of the base32 alphabet (A–Z, 2–7)."""
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii")


def normalised(typed: str) -> str | None:
    """The token a person typed or a scanner read, as it is hashed; None unless it has the
    shape of a base32 token (32 characters of A–Z, a–z, 2–7 once separators are dropped)."""
    compact = typed.strip().translate(_SEPARATORS)
    if _BASE32_TYPED.fullmatch(compact) is None:
        return None
    return compact.upper()


def digests(typed: str) -> tuple[str, ...]:
    """The digests a receipt with this token may be stored under, the likelier first: of the
    normalised token, and of the text as given (a token from before base32)."""
    given = typed.strip()
    token = normalised(given)
    if token is None:
        return (tokens.digest(given),)
    if token == given:
        return (tokens.digest(token),)
    return (tokens.digest(token), tokens.digest(given))
