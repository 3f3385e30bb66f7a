"""Waiting for a Tresen server to answer: ``tresen demo`` waits for the server it started, and
so do the tests and benchmarks that start one in a process of its own."""

from __future__ import annotations

import subprocess
import time
from contextlib import suppress
from typing import Any

import requests


def wait_until_up(
    url: str, seconds: float = 60, process: subprocess.Popen[Any] | None = None
) -> bool:
    """Whether the server at ``url`` answers ``GET /healthz`` with 200 within ``seconds``.

    With ``process`` (the server's), False as soon as it has ended: a server that failed to
    start is not waited for. The caller says what went wrong, with the server's log at hand."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with suppress(requests.RequestException):
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        time.sleep(0.1)
    return False
