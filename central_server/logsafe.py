"""Logging failures without the data they carried.

An exception's message may quote what a request held: SQLAlchemy prints a failed statement's
parameters (case notes, a case reference, a typed user name), PostgreSQL adds the offending
value to a unique violation ("DETAIL: Key (username)=(...)") or to a type error, pydantic quotes
the input. So the server never logs an exception's message. :func:`safe_traceback` gives what
IT needs to find the fault instead: where it happened (file, line, source line of every frame)
and what kind of fault it was (the class; for a database error also the SQL statement, whose
values are placeholders, and the database's error code).

:class:`SafeExceptions` puts that text in place of the usual traceback for every record of the
loggers in ``LOGGERS`` (uvicorn logs the traceback of an error no handler answered).
Parameters are also hidden in SQLAlchemy's own messages (``hide_parameters`` in
``central_server.db.make_engine``).
"""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import DBAPIError, StatementError

LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "tresen.server",
    "tresen.db",
    "tresen.auth",
    "tresen.pickups",
    "tresen.admin",
)


def _kind(exc: BaseException) -> str:
    """The exception's class and, for a database error, the statement and the error code."""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        kind += f" ({type(orig).__module__}.{type(orig).__qualname__}"
        kind += f", {code})" if code else ")"
    if isinstance(exc, StatementError) and exc.statement:
        kind += f"\n[SQL: {exc.statement}]"
    return kind + "\n(the message is left out: it may hold personal data)"


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions that led to it, without their messages."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif not current.__suppress_context__:
            current = current.__context__
        else:
            current = None
    # The chain was walked from the last exception back; print it oldest first, like Python.
    text = ""
    for error in reversed(chain):
        if text:
            text += "\nThe above exception led to the following one:\n\n"
        frames = traceback.format_list(traceback.extract_tb(error.__traceback__))
        text += "Traceback (most recent call last):\n" + "".join(frames) + _kind(error)
    return text


class SafeExceptions(logging.Filter):
    """Replaces a record's traceback by :func:`safe_traceback` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1])
        return True


def install() -> None:
    """Put the filter on each logger of ``LOGGERS`` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SafeExceptions) for f in logger.filters):
            logger.addFilter(SafeExceptions())
