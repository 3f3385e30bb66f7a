"""The keys of the waiting-room pages never reach the logs: a ticket's status token in
``/t/<token>`` and a display's token in ``?token=`` are masked in uvicorn's access log of the
real ``tresen server``."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from central_server.web.logfilter import SecretsFilter, mask
from tests.support.ports import free_port
from tresen.health import wait_until_up


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("/t/AbCdEfGhIjKlMnOpQrStUv", "/t/***"),
        ("/t/AbCdEfGhIjKlMnOpQrStUv/events", "/t/***/events"),
        ("/t/AbC?x=1", "/t/***?x=1"),
        ('GET "http://host:8080/t/AbC/state"', 'GET "http://host:8080/t/***/state"'),
        ("/display/demo?token=demo-display", "/display/demo?token=***"),
        ("/display/demo?speak=1&token=s3cret", "/display/demo?speak=1&token=***"),
        ("/api/v1/sites/t/queue", "/api/v1/sites/t/queue"),  # a site called "t" is no token
        ("/api/v1/sites/demo/queue", "/api/v1/sites/demo/queue"),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_the_filter_masks_the_arguments_of_an_access_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/t/AbCdEfGhIjKlMnOpQrStUv", "1.1", 200),
        None,
    )
    assert SecretsFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /t/*** HTTP/1.1" 200'


def test_tokens_are_not_in_the_access_log_of_the_real_server(tmp_path: Path) -> None:
    port = free_port()
    log_file = tmp_path / "server.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tresen",
                "server",
                "--db",
                f"sqlite:///{tmp_path / 'tresen.sqlite3'}",
                "--port",
                str(port),
                "--demo",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            assert wait_until_up(url, 60, process), log_file.read_text()
            ticket = requests.post(
                f"{url}/api/v1/sites/demo/tickets",
                json={"service_id": 1},
                headers={"Authorization": "Bearer demo-kiosk"},
                timeout=10,
            ).json()
            token = ticket["status_token"]
            assert requests.get(f"{url}/t/{token}", timeout=10).status_code == 200
            assert requests.get(f"{url}/t/{token}/state", timeout=10).status_code == 200
            link = requests.get(
                f"{url}/display/demo?token=demo-display", allow_redirects=False, timeout=10
            )
            assert link.status_code == 303
        finally:
            process.terminate()
            process.wait(timeout=20)
    written = log_file.read_text()
    assert '"GET /t/*** HTTP/1.1" 200' in written, written
    assert '"GET /t/***/state HTTP/1.1" 200' in written, written
    assert '"GET /display/demo?token=*** HTTP/1.1" 303' in written, written
    assert token not in written
    assert "demo-display" not in written
