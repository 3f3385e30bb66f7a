"""Keeps the keys of the waiting-room pages out of the logs.

uvicorn's access log prints every request's path and query: ``/t/<status_token>`` would put a
citizen's ticket key in the log, ``/display/<site>?token=...`` a display's device token.
:class:`SecretsFilter` masks both in every record of the loggers in ``LOGGERS`` before any
handler sees it (a logger's filters survive uvicorn's logging set-up, which replaces the
handlers).
"""

from __future__ import annotations

import logging
import re

LOGGERS = ("uvicorn.access", "tresen.server")
MASK = "***"
# /t/<token>, at the start of a path or of a full URL, where the text or a word begins.
_STATUS_PATH = re.compile(r"""((?:^|[\s"'(])(?:https?://[^/\s"']+)?/t/)[^\s?#/"']+""")
_TOKEN_QUERY = re.compile(r"""([?&](?:token|status_token)=)[^&#\s"']+""")


def mask(text: str) -> str:
    if "/t/" not in text and "token" not in text:
        return text  # most lines (every access line of the API) hold neither: no regex runs
    return _TOKEN_QUERY.sub(rf"\g<1>{MASK}", _STATUS_PATH.sub(rf"\g<1>{MASK}", text))


class SecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install() -> None:
    """Put the filter on each logger of ``LOGGERS`` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretsFilter) for f in logger.filters):
            logger.addFilter(SecretsFilter())
