"""What a person typed, as the server takes it.

The server refuses text with control characters other than tab and line breaks (422
``invalid_input``: a NUL breaks PostgreSQL). Such characters are invisible in a text field and
arrive by pasting from other programs (a form feed from a PDF, a vertical tab from Word); the
desk removes them before it sends, so a pasted note never turns into an error the clerk cannot
see the cause of.
"""

from __future__ import annotations

import unicodedata

#: The control characters the server accepts in text.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def typed_text(text: str) -> str:
    """``text`` without control characters (but tab and line breaks) and lone surrogates."""
    return "".join(
        c for c in text if c in ALLOWED_CONTROLS or unicodedata.category(c) not in ("Cc", "Cs")
    )
