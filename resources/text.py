"""What counts as text, for the server that refuses anything else and the desks that send it.

Text holds no control character but tab, line feed and carriage return (typed notes have line
breaks; programs on Windows send them as CR LF), and no lone UTF-16 surrogate. NUL above all:
PostgreSQL cannot store it while SQLite can. The server answers anything else with 422
``invalid_input`` (``central_server/guard.py``); a desk removes such characters from what a
person typed or pasted (a form feed from a PDF, a vertical tab from Word: invisible in a text
field) before it sends, so a note never turns into an error whose cause the clerk cannot see.
Both sides read the rule here, in the package the server and the desktop bundle both carry.
"""

from __future__ import annotations

import unicodedata

#: The control characters a text may hold.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def _allowed(c: str) -> bool:
    return c in ALLOWED_CONTROLS or unicodedata.category(c) not in ("Cc", "Cs")


def is_text(value: str) -> bool:
    """Whether ``value`` holds no control character but tab and line breaks, and no surrogate."""
    return all(_allowed(c) for c in value if not (" " <= c <= "~"))  # ASCII: quickly


def typed_text(text: str) -> str:
    """``text`` without the characters that would make it no text."""
    return "".join(c for c in text if _allowed(c))
