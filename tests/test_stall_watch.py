"""The test client's stall watch (``tests/support/live_server.py``): a request the in-process
server leaves unanswered is written down with every thread's stack, so a stall in a CI run
shows where the server was waiting, even when the test still passes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import live_server
from tests.support.live_server import ApiClient


@pytest.fixture
def stall_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The stall log in a folder of the test's own, after 0.3 s instead of 10 s."""
    log = tmp_path / "stalls.log"
    monkeypatch.setattr(live_server, "STALL_LOG", log)
    monkeypatch.setattr(live_server, "_stall_file", None)
    monkeypatch.setattr(live_server, "STALL_SECONDS", 0.3)
    yield log
    if live_server._stall_file is not None:
        live_server._stall_file.close()


def test_a_request_left_unanswered_is_written_down_with_every_thread(stall_log: Path) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        client = ApiClient(f"http://127.0.0.1:{port}", "token")
        with pytest.raises(requests.Timeout):
            client.get("/sites/demo/queue", timeout=1.5)
    written = stall_log.read_text(encoding="utf-8")
    assert "Timeout (0:00:00.300000)!" in written
    # the test's own thread, waiting in the request
    assert "test_a_request_left_unanswered_is_written_down_with_every_thread" in written
    assert "_send" in written


def test_a_request_that_ends_in_time_writes_nothing(stall_log: Path) -> None:
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        port = refusing.getsockname()[1]  # bound, not listening: refused at once
        client = ApiClient(f"http://127.0.0.1:{port}", "token")
        with pytest.raises(requests.ConnectionError):
            client.get("/health")
    time.sleep(0.5)  # past the watch's time: it was cancelled, nothing is written
    assert stall_log.read_text(encoding="utf-8") == ""
