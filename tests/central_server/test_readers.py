"""Readers that cost nothing when nothing changed, and what a process keeps in memory.

The queue and the desk list carry an ``ETag``; sent back as ``If-None-Match`` they are answered
304 without a body until the site changes. A process keeps a site's configuration and the
tokens it checked: a change made by another process (``tresen admin``, a second server on the
same database) shows in the next read, and a revoked token is refused within
``TOKEN_CACHE_SECONDS`` by a process that had checked it, at once by the one that revoked it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sqlalchemy import event

from central_server.auth import service as auth_service
from central_server.auth.service import TOKEN_CACHE_SECONDS
from central_server.events.stream import RECHECK_SECONDS
from resources import path as resource_path
from tests.support.live_server import ApiClient, LiveServer
from tests.support.server_process import ServerProcess, run_tresen
from tests.support.sse import EventStream
from tests.support.waits import ANSWER_S


def _read(client: ApiClient, path: str, tag: str | None = None) -> requests.Response:
    return client.get(path, headers={"If-None-Match": tag} if tag else {})


def _refused_within(client: ApiClient, path: str, seconds: float) -> bool:
    """Whether ``path`` answers 401 before ``seconds`` have passed (asked every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get(path).status_code == 401:
            return True
        time.sleep(0.1)
    return False


def test_a_reader_with_the_current_etag_gets_304_and_no_body(clerk: ApiClient) -> None:
    for path in ("/sites/demo/queue", "/sites/demo/queue?desk=1", "/sites/demo/desks"):
        first = _read(clerk, path)
        assert first.status_code == 200, first.text
        tag = first.headers["ETag"]
        assert tag.startswith('"') and tag.endswith('"')
        again = _read(clerk, path, tag)
        assert again.status_code == 304, (path, again.text)
        assert again.content == b""
        assert again.headers["ETag"] == tag
        assert _read(clerk, path, '"0-stale"').status_code == 200


def test_after_a_change_the_etag_changes_and_the_body_shows_it(
    clerk: ApiClient, kiosk: ApiClient, services: dict[str, int]
) -> None:
    queue = _read(clerk, "/sites/demo/queue?desk=1")
    desks = _read(clerk, "/sites/demo/desks")
    made = kiosk.post("/sites/demo/tickets", {"service_id": services["A"]})
    assert made.status_code == 201, made.text
    number = made.json()["number"]

    queue_after = _read(clerk, "/sites/demo/queue?desk=1", queue.headers["ETag"])
    assert queue_after.status_code == 200
    assert queue_after.headers["ETag"] != queue.headers["ETag"]
    assert number in [t["number"] for t in queue_after.json()["waiting"]]

    assert clerk.post("/sites/demo/desks/1/sign-on").status_code == 200
    desks_after = _read(clerk, "/sites/demo/desks", desks.headers["ETag"])
    assert desks_after.status_code == 200
    assert desks_after.headers["ETag"] != desks.headers["ETag"]
    desk_1 = next(d for d in desks_after.json() if d["code"] == "1")
    assert (desk_1["state"], desk_1["signed_on_user"]) == ("open", "clerk1")

    called = clerk.post("/sites/demo/desks/1/call-next", headers={"Idempotency-Key": "k1"})
    assert called.json()["number"] == number
    desk_1 = next(d for d in clerk.get("/sites/demo/desks").json() if d["code"] == "1")
    assert desk_1["current_ticket"] == number
    queue_now = clerk.get("/sites/demo/queue").json()
    assert [t["number"] for t in queue_now["called"]] == [number]


def test_the_etag_differs_for_roles_that_see_cases(server: LiveServer, clerk: ApiClient) -> None:
    """A display's queue has no cases; it never gets a 304 for a clerk's answer, or back."""
    display = server.client("demo-display")
    for_clerk = clerk.get("/sites/demo/queue")
    for_display = display.get("/sites/demo/queue")
    assert for_clerk.headers["ETag"] != for_display.headers["ETag"]
    assert _read(display, "/sites/demo/queue", for_clerk.headers["ETag"]).status_code == 200


def test_a_change_by_tresen_admin_shows_in_the_next_read(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services: dict[str, int], tmp_path: Path
) -> None:
    """``tresen admin apply`` in its own process switches service C off and gives desk 1 other
    services: the running server refuses C and shows desk 1's services at once."""
    desks = clerk.get("/sites/demo/desks")
    assert next(d for d in desks.json() if d["code"] == "1")["service_ids"] == [
        services["A"],
        services["B"],
        services["C"],
    ]
    assert kiosk.post("/sites/demo/tickets", {"service_id": services["C"]}).status_code == 201

    text = resource_path("demo_site.toml").read_text(encoding="utf-8")
    text = text.replace('services = ["A", "B", "C"]', 'services = ["B", "A"]', 1)
    c_start = text.index('prefix = "C"')
    text = text[:c_start] + "active = false\n" + text[c_start:]
    site_file = tmp_path / "site.toml"
    site_file.write_text(text, encoding="utf-8")
    applied = run_tresen("admin", "apply", str(site_file), "--db", server.database_url)
    assert applied.returncode == 0, applied.stderr

    refused = kiosk.post("/sites/demo/tickets", {"service_id": services["C"]})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "service_inactive"
    after = _read(clerk, "/sites/demo/desks", desks.headers["ETag"])
    assert after.status_code == 200
    assert next(d for d in after.json() if d["code"] == "1")["service_ids"] == [
        services["B"],
        services["A"],
    ]


def test_a_second_server_process_sees_the_desks_the_first_changed(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services: dict[str, int], tmp_path: Path
) -> None:
    """Two server processes on one database: a desk paused on one is paused on the other; a
    call there opens it again, which the first shows."""
    with ServerProcess("--db", server.database_url, folder=tmp_path) as other:
        there = ApiClient(other.url, server.login("clerk1"))
        for client in (clerk, there):  # both processes have read the desks (and kept them)
            desk_1 = next(d for d in client.get("/sites/demo/desks").json() if d["code"] == "1")
            assert desk_1["state"] == "closed"
        assert clerk.post("/sites/demo/desks/1/sign-on").status_code == 200
        assert clerk.post("/sites/demo/desks/1/pause").status_code == 200
        desk_1 = next(d for d in there.get("/sites/demo/desks").json() if d["code"] == "1")
        assert (desk_1["state"], desk_1["signed_on_user"]) == ("paused", "clerk1")

        made = kiosk.post("/sites/demo/tickets", {"service_id": services["A"]}).json()
        called = there.post("/sites/demo/desks/1/call-next", headers={"Idempotency-Key": "c1"})
        assert called.status_code == 200, called.text
        assert called.json()["number"] == made["number"]
        desk_1 = next(d for d in clerk.get("/sites/demo/desks").json() if d["code"] == "1")
        assert (desk_1["state"], desk_1["current_ticket"]) == ("open", made["number"])
        # The first process's queue shows the call made on the second.
        assert [t["number"] for t in clerk.get("/sites/demo/queue").json()["called"]] == [
            made["number"]
        ]


def test_a_sign_out_is_refused_at_once_here_and_within_seconds_on_another_process(
    server: LiveServer, tmp_path: Path
) -> None:
    token = server.login("clerk1")
    here = server.client(token)
    with ServerProcess("--db", server.database_url, folder=tmp_path) as other:
        there = ApiClient(other.url, token)
        assert here.get("/sites/demo/desks").status_code == 200  # both have checked the token
        assert there.get("/sites/demo/desks").status_code == 200
        assert there.post("/logout").status_code in (200, 204)
        assert there.get("/sites/demo/desks").status_code == 401  # at once where it ended
        # PostgreSQL: heard by the other process at once (NOTIFY); SQLite: within seconds.
        within = 1.0 if "postgresql" in server.database_url else TOKEN_CACHE_SECONDS + ANSWER_S
        assert _refused_within(here, "/sites/demo/desks", within)


def test_a_revoked_device_token_is_refused_within_seconds(server: LiveServer) -> None:
    display = server.client("demo-display")
    assert display.get("/sites/demo/queue").status_code == 200  # the server has checked it
    revoked = run_tresen(
        "admin", "revoke-device-token", "demo", "waiting-room-display", "--db", server.database_url
    )
    assert revoked.returncode == 0, revoked.stderr
    within = 1.0 if "postgresql" in server.database_url else TOKEN_CACHE_SECONDS + ANSWER_S
    assert _refused_within(display, "/sites/demo/queue", within)


def test_a_process_that_hears_revocations_trusts_a_token_longer(server: LiveServer) -> None:
    """On PostgreSQL a process that listens checks a token once a minute, not every few
    seconds: the revocations it hears make that safe (the two tests above)."""
    if "postgresql" not in server.database_url:
        pytest.skip("SQLite: no other process announces revocations, tokens are trusted 5 s")
    assert server.db is not None
    lookups: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT") and "FROM auth_tokens" in statement:
            lookups.append(statement)

    display = server.client("demo-display")
    deadline = time.monotonic() + ANSWER_S
    while time.monotonic() < deadline and not _hearing(server):
        time.sleep(0.05)
    assert _hearing(server), "the server does not listen for revocations"
    event.listen(server.db.engine, "before_cursor_execute", count)
    try:
        started = time.monotonic()
        while time.monotonic() - started < TOKEN_CACHE_SECONDS + 1:
            assert display.get("/sites/demo/desks").status_code == 200
            time.sleep(0.25)
    finally:
        event.remove(server.db.engine, "before_cursor_execute", count)
    assert len(lookups) <= 1, lookups


def _hearing(server: LiveServer) -> bool:
    assert server.db is not None
    return bool(auth_service._token_cache(server.db).hearing.is_set())


def test_every_desk_sees_its_own_queue_read_once_per_change(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services: dict[str, int]
) -> None:
    """Ten desks read their queue after each change: the site's open tickets are read from the
    database once for all of them (the cost a city's server pays per event), and each desk
    still sees only what it may call, in the order it calls it."""
    numbers = {}
    for prefix in ("A", "B", "C", "P"):
        made = kiosk.post("/sites/demo/tickets", {"service_id": services[prefix]})
        assert made.status_code == 201, made.text
        numbers[prefix] = made.json()["number"]

    assert server.db is not None
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(server.db.engine, "before_cursor_execute", count)
    queues, per_read = {}, {}
    try:
        for desk in "12346":
            statements.clear()
            queues[desk] = clerk.get(f"/sites/demo/queue?desk={desk}").json()
            per_read[desk] = list(statements)
    finally:
        event.remove(server.db.engine, "before_cursor_execute", count)

    ticket_reads = [s for read in per_read.values() for s in read if "FROM tickets" in s]
    assert len(ticket_reads) == 1, ticket_reads
    # After the first desk, each read looks up the site's row and nothing else (SQLite's BEGIN
    # is no round trip; PostgreSQL's lookup runs without a transaction).
    for desk in "2346":
        lookups = [s for s in per_read[desk] if not s.startswith("BEGIN")]
        assert len(lookups) == 1 and "FROM sites" in lookups[0], per_read[desk]
    waiting = {desk: [t["number"] for t in queue["waiting"]] for desk, queue in queues.items()}
    front_office = [numbers["A"], numbers["B"], numbers["C"]]
    assert waiting == {"1": front_office, "2": front_office, "3": front_office,
                       "4": front_office, "6": [numbers["P"]]}  # fmt: skip

    clerk4 = server.client(server.login("clerk4"))
    assert clerk4.post("/sites/demo/desks/6/sign-on").status_code == 200
    called = clerk4.post("/sites/demo/desks/6/call-next", headers={"Idempotency-Key": "d6"})
    assert called.json()["number"] == numbers["P"]


def test_the_desk_view_is_the_queue_and_the_desks_of_one_change_in_one_answer(
    clerk: ApiClient, kiosk: ApiClient, services: dict[str, int]
) -> None:
    """``GET desks/{desk}/view``: what the clerk's desk reads after every event, in one request
    instead of two, the same as the two separate reads, with its own ETag."""
    made = kiosk.post("/sites/demo/tickets", {"service_id": services["B"]})
    assert made.status_code == 201, made.text
    view = _read(clerk, "/sites/demo/desks/3/view")
    assert view.status_code == 200, view.text
    assert view.json() == {
        "queue": clerk.get("/sites/demo/queue?desk=3").json(),
        "desks": clerk.get("/sites/demo/desks").json(),
    }
    tag = view.headers["ETag"]
    assert _read(clerk, "/sites/demo/desks/3/view", tag).status_code == 304

    assert clerk.post("/sites/demo/desks/3/sign-on").status_code == 200
    after = _read(clerk, "/sites/demo/desks/3/view", tag)
    assert after.status_code == 200 and after.headers["ETag"] != tag
    desk_3 = next(d for d in after.json()["desks"] if d["code"] == "3")
    assert desk_3["signed_on_user"] == "clerk1"
    assert [t["number"] for t in after.json()["queue"]["waiting"]] == [made.json()["number"]]

    unknown = clerk.get("/sites/demo/desks/99/view")
    assert unknown.status_code == 404, unknown.text


def _ends_within(
    server: LiveServer, token: str, revoke: Callable[[], None], seconds: float
) -> bool:
    """Whether the server ends an open event stream of ``token`` within ``seconds`` of
    ``revoke()``."""
    with EventStream(server.url, token, read_timeout=seconds) as stream:
        assert stream.status_code == 200
        revoke()
        started = time.monotonic()
        try:
            while time.monotonic() - started < seconds:
                stream.next()
        except EOFError:
            return True
        except requests.exceptions.ConnectionError:
            return False  # no byte for ``seconds``: still open
    return False


def test_an_open_event_stream_ends_when_its_token_is_revoked(server: LiveServer) -> None:
    """A stolen display token, revoked: the stream it already holds ends too, not only its
    next request (else it would follow every call of the office for as long as it likes)."""

    def revoke() -> None:
        revoked = run_tresen(
            "admin",
            "revoke-device-token",
            "demo",
            "waiting-room-display",
            "--db",
            server.database_url,
        )
        assert revoked.returncode == 0, revoked.stderr

    # The stream asks every RECHECK_SECONDS; with SQLite the server may trust the token up to
    # TOKEN_CACHE_SECONDS more (it hears of revocations only through PostgreSQL).
    limit = RECHECK_SECONDS + TOKEN_CACHE_SECONDS + ANSWER_S
    assert _ends_within(server, "demo-display", revoke, limit), f"still open after {limit} s"
    with EventStream(server.url, "demo-display") as again:
        assert again.status_code == 401


def test_a_signed_out_users_stream_ends(server: LiveServer) -> None:
    token = server.login("clerk1")

    def sign_out() -> None:
        assert server.client(token).post("/logout").status_code == 204

    assert _ends_within(server, token, sign_out, RECHECK_SECONDS + ANSWER_S)
