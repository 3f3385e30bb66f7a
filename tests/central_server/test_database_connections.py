"""The server's pooled PostgreSQL connections: a connection that rested in the pool is tried
before it is used (``central_server.db``), so after PostgreSQL ended them (a restart, a network
cut, an idle timeout) the next request is answered as usual, not with "database unavailable"."""

from __future__ import annotations

import time

import psycopg
import pytest

from central_server.db import PING_AFTER_REST_SECONDS
from tests.support.api import new_ticket
from tests.support.live_server import ApiClient, LiveServer

POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)


@POSTGRES
def test_requests_after_postgresql_ended_the_pooled_connections_are_answered(
    server: LiveServer,
    clerk: ApiClient,
    kiosk: ApiClient,
    services: dict[str, int],
    database_url: str,
) -> None:
    # Several connections in the pool: a few requests at once would leave more than one.
    for _ in range(3):
        new_ticket(kiosk, services["A"])
    assert clerk.get("/sites/demo/queue").status_code == 200
    time.sleep(PING_AFTER_REST_SECONDS + 0.2)  # they rest in the pool

    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as conn:
        ended = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name <> 'tresen-listen'"
        ).fetchall()
    assert ended, "the server had no pooled connection to end"

    answers = [clerk.get("/sites/demo/queue").status_code for _ in range(5)]
    made = kiosk.post("/sites/demo/tickets", {"service_id": services["A"]})
    assert answers == [200] * 5
    assert made.status_code == 201, made.text
