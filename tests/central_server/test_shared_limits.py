"""The rate limits hold across server processes: two real ``tresen server`` processes on one
database (PostgreSQL, and a SQLite file both open) count failed sign-ins, wrong pickup scans and
unknown status-page links (the page's and its feedback's) together, so an attacker gets no more
by spreading tries over them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from central_server import ratelimits
from central_server.db import Database
from central_server.models import Event, RateLimitCounter
from central_server.models._types import utcnow
from central_server.pickups import receipts
from tests.support.api import assert_error
from tests.support.live_server import ApiClient
from tests.support.server_process import ServerProcess, tresen_env
from tests.support.waits import ANSWER_S


@pytest.fixture
def pair(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes on the test's database (with the demo site)."""
    env = tresen_env()
    with (
        ServerProcess("--db", database_url, folder=tmp_path, env=env) as first,
        ServerProcess("--db", database_url, folder=tmp_path, env=env) as second,
    ):
        yield first, second


def _login(url: str, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/login", json={"username": username, "password": password}, timeout=ANSWER_S
    )


def test_a_sign_in_lock_out_on_one_process_holds_on_the_other(pair) -> None:
    first, second = pair
    # Five wrong passwords for one name, spread over both processes: each counts.
    for number in range(5):
        server = (first, second)[number % 2]
        assert_error(_login(server.url, "clerk1", "geraten"), 401, "invalid_credentials")
    for server in pair:
        assert_error(_login(server.url, "clerk1", "demo"), 429, "too_many_failed_logins")
    # Other people sign in on either.
    assert _login(second.url, "clerk2", "demo").status_code == 200
    assert _login(first.url, "clerk3", "demo").status_code == 200


def test_wrong_pickup_scans_count_on_every_process_and_are_reported_once(
    pair, database_url: str
) -> None:
    first, _ = pair
    token = _login(first.url, "pickup1", "demo").json()["token"]
    desks = [ApiClient(server.url, token) for server in pair]
    for number in range(10):
        answer = desks[number % 2].post("/pickups/lookup", json={"token": receipts.new_token()})
        assert_error(answer, 404, "pickup_unknown")
    for desk in desks:
        answer = desk.post("/pickups/lookup", json={"token": receipts.new_token()})
        assert_error(answer, 429, "too_many_wrong_scans")
    db = Database(database_url)
    try:
        with db.read_session() as session:
            reports = session.scalars(select(Event).where(Event.type == "pickup.wrong_scans"))
            assert [e.data for e in reports] == [{"count": 10, "window_seconds": 60}]
    finally:
        db.dispose()


def test_unknown_status_links_count_on_every_process(pair) -> None:
    first, second = pair
    kiosk = ApiClient(first.url, "demo-kiosk")
    service = kiosk.service_id("A")
    made = kiosk.post("/sites/demo/tickets", json={"service_id": service})
    assert made.status_code == 201, made.text
    mine = made.json()["status_token"]
    assert requests.get(f"{second.url}/t/{mine}", timeout=ANSWER_S).status_code == 200
    for number in range(20):
        url = (first, second)[number % 2].url
        unknown = f"{url}/t/{secrets.token_urlsafe(16)}"
        if number % 4 == 3:  # a feedback sent with an unknown link counts the same
            wrong = requests.post(f"{unknown}/feedback", json={"score": 5}, timeout=ANSWER_S)
        else:
            wrong = requests.get(unknown, timeout=ANSWER_S)
        assert wrong.status_code == 404
    # Past the limit even the right link is refused from this address, by both processes.
    for server in pair:
        answer = requests.get(f"{server.url}/t/{mine}/state", timeout=ANSWER_S)
        assert_error(answer, 429, "too_many_lookups")
        feedback = f"{server.url}/t/{mine}/feedback"
        answer = requests.post(feedback, json={"score": 5}, timeout=ANSWER_S)
        assert_error(answer, 429, "too_many_lookups")


def test_counts_are_kept_as_digests_and_a_window_ends_after_a_minute(database_url: str) -> None:
    now = utcnow()
    db = Database(database_url)
    try:
        counter = ratelimits.SharedFailureCounter(db, clock=lambda: now)
        user = ratelimits.key("login-user", "clerk1")
        address = ratelimits.key("login-address", "10.1.2.3")
        assert counter.failures(user, address) == {user: 0, address: 0}
        assert counter.add(user, address) == {user: 1, address: 1}
        assert counter.add(user) == {user: 2}
        assert counter.failures(user, address) == {user: 2, address: 1}
        with db.read_session() as session:
            stored = " ".join(session.scalars(select(RateLimitCounter.key)))
        assert "clerk1" not in stored and "10.1.2.3" not in stored

        # A minute after its first failure the window is over: the count starts again.
        now += timedelta(seconds=61)
        assert counter.failures(user, address) == {user: 0, address: 0}
        assert counter.add(user) == {user: 1}
        # The housekeeping deletes the windows that are over, and only those.
        assert ratelimits.purge(db, now) == 1
        assert counter.failures(user) == {user: 1}
    finally:
        db.dispose()


def test_a_lock_out_outlives_a_restart(server) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert_error(_login(server.url, "clerk2", "geraten"), 401, "invalid_credentials")
    server.stop()
    server.start()
    assert_error(_login(server.url, "clerk2", "demo"), 429, "too_many_failed_logins")
