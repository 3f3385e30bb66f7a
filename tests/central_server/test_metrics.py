"""``GET /metrics`` as the city's Prometheus reads it: the text format with request times per
route template, open live streams, events per site and waiting tickets per service; readable
from loopback (by default) or with the metrics token, which never reaches the log; with several
server processes, figures added up over all of them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from central_server import metrics
from tests.support.api import assert_error, new_ticket
from tests.support.live_server import ApiClient, LiveServer, free_port
from tests.support.server_process import ServerProcess, run_tresen, tresen_env
from tests.support.sse import EventStream
from tests.support.waits import ANSWER_S

CREATE = "/api/v1/sites/{site}/tickets"
STREAM = "/api/v1/sites/{site}/events"
TOKEN = "metrics-Token-0815-geheim"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str, **headers: str) -> Samples:
    """Every sample of /metrics by name and labels."""
    answer = requests.get(f"{url}/metrics", headers=headers, timeout=ANSWER_S)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def created(samples: Samples) -> float:
    return value(
        samples,
        "tresen_http_request_duration_seconds_count",
        method="POST",
        route=CREATE,
        status="201",
    )


def eventually(read: Callable[[], Any], expected: Any) -> None:
    """Wait until ``read()`` gives ``expected`` (a closed stream is noticed by the server soon,
    not at once)."""
    deadline = time.monotonic() + ANSWER_S
    while (seen := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == expected


def test_metrics_from_loopback_after_some_requests(
    server: LiveServer, kiosk: ApiClient, services: dict[str, int]
) -> None:
    before = scrape(server.url)
    tickets = [new_ticket(kiosk, services["B"]) for _ in range(3)]
    # A client names the method: an unusual one does not become a label of its own.
    requests.request("PROPFIND", f"{server.url}/api/v1/sites/demo/tickets", timeout=ANSWER_S)
    after = scrape(server.url)

    assert created(after) - created(before) == 3
    waiting = {"site": "demo", "service": "id-card-passport"}  # service B
    assert value(after, "tresen_waiting_tickets", **waiting) - value(
        before, "tresen_waiting_tickets", **waiting
    ) == pytest.approx(3)
    assert value(after, "tresen_events_total", site="demo") - value(
        before, "tresen_events_total", site="demo"
    ) == pytest.approx(3)
    methods = {dict(labels).get("method") for (_, labels) in after} - {None}
    assert "PROPFIND" not in methods and "other" in methods
    # Labels carry route templates: no slug, id, number or token of a request.
    routes = {dict(labels).get("route") for (_, labels) in after} - {None}
    assert CREATE in routes
    for route in routes:
        assert route is not None and (route == "none" or route.startswith("/")), route
        assert "demo" not in route
        for ticket in tickets:
            assert str(ticket["id"]) not in route.split("/")
            assert ticket["status_token"] not in route


def test_open_streams_are_counted_while_open(server: LiveServer) -> None:
    def open_streams() -> float:
        return value(scrape(server.url), "tresen_open_streams", route=STREAM)

    before = open_streams()
    with EventStream(server.url, "demo-display") as stream:
        assert stream.status_code == 200
        assert open_streams() == before + 1
    eventually(open_streams, before)


def test_metrics_are_refused_elsewhere_and_read_with_the_token(tmp_path: Path) -> None:
    env = tresen_env(TRESEN_METRICS_ALLOW="10.20.0.0/16, 192.0.2.7", TRESEN_METRICS_TOKEN=TOKEN)
    with ServerProcess(
        "--db", str(tmp_path / "t.sqlite3"), "--demo", folder=tmp_path, env=env
    ) as server:
        refused = requests.get(f"{server.url}/metrics", timeout=ANSWER_S)
        body = assert_error(refused, 403, "metrics_forbidden")
        english = requests.get(
            f"{server.url}/metrics", headers={"Accept-Language": "en"}, timeout=ANSWER_S
        )
        assert english.json()["message"] == (
            "The metrics are readable only from the addresses in TRESEN_METRICS_ALLOW or with "
            "the token in TRESEN_METRICS_TOKEN."
        )
        assert "TRESEN_METRICS_ALLOW" in body["message"]
        wrong = requests.get(
            f"{server.url}/metrics",
            headers={"Authorization": f"Bearer {TOKEN[:-1]}x"},
            timeout=ANSWER_S,
        )
        assert_error(wrong, 403, "metrics_forbidden")
        samples = scrape(server.url, Authorization=f"Bearer {TOKEN}")
        assert value(samples, "tresen_events_total", site="demo") >= 1
        server.stop()
        log = server.log()
    assert "GET /metrics" in log
    assert TOKEN not in log
    assert TOKEN[:-1] not in log


def test_figures_of_two_processes_are_added_up(database_url: str, tmp_path: Path) -> None:
    """As ``tresen server --workers 2`` runs them: two processes, one folder for their figures."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = tresen_env(PROMETHEUS_MULTIPROC_DIR=str(folder))
    with (
        ServerProcess("--db", database_url, folder=tmp_path, env=env) as first,
        ServerProcess("--db", database_url, folder=tmp_path, env=env) as second,
    ):
        before = scrape(first.url)
        for count, server in ((2, first), (3, second)):
            kiosk = ApiClient(server.url, "demo-kiosk")
            service = kiosk.service_id("A")
            for _ in range(count):
                new_ticket(kiosk, service)
        assert created(scrape(first.url)) - created(before) == 5
        assert created(scrape(second.url)) - created(before) == 5

        def open_streams() -> float:
            return value(scrape(first.url), "tresen_open_streams", route=STREAM)

        stream = EventStream(second.url, "demo-display")
        assert stream.status_code == 200
        assert open_streams() == 1
        # A process that stops takes its open streams out of the sum; its counts stay.
        second.stop()
        stream.close()
        assert open_streams() == 0
        assert created(scrape(first.url)) - created(before) == 5


def test_an_allow_list_entry_that_is_no_address_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_tresen(
        "server",
        "--db",
        str(tmp_path / "t.sqlite3"),
        "--port",
        str(free_port()),
        env=tresen_env(TRESEN_METRICS_ALLOW="10.0.7.5, prometheus.stadt.local"),
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: TRESEN_METRICS_ALLOW: 'prometheus.stadt.local' is not an IP address or network "
        "(e.g. 10.0.0.5, 10.0.0.0/24 or loopback)"
    ]


def test_the_multiprocess_folder_starts_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures of an earlier run (its processes' files) do not come back after a restart."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_4711.db").write_bytes(b"old")
    (folder / "gauge_livesum_4711.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("the operator's", encoding="utf-8")
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(folder))
    assert metrics.prepare_multiprocess_dir() == folder
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    monkeypatch.delenv(metrics.MULTIPROC_ENV)
    fresh = metrics.prepare_multiprocess_dir()
    assert fresh.is_dir() and os.environ[metrics.MULTIPROC_ENV] == str(fresh)
    fresh.rmdir()
