"""The server's log never holds case data, names or tokens, not even when the database fails.

A statement that fails used to print its parameters (case notes, the case reference, a typed
user name) to the log, and PostgreSQL quotes values in its own messages. Here the database of a
real ``tresen server`` is broken under it while a clerk records a case and someone signs in;
the clerk gets a clear JSON error, and the log names the fault but none of the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from tests.support.api import assert_error
from tests.support.server_process import ServerProcess

NOTE = "Frau Mustermann-Geheim bringt den Mietvertrag nach"
REFERENCE = "AZ-GEHEIM-4711"
TYPED_NAME = "erika.geheimname"
TYPED_PASSWORD = "Sommer2026!geheim"


@pytest.fixture
def server_process(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess("--db", database_url, folder=tmp_path) as process:
        yield process


def break_case_writes(database_url: str) -> None:
    """Every write of a case fails from now on, as a broken disk or schema would make it."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for when in ("INSERT", "UPDATE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER broken_{when.lower()} BEFORE {when} ON cases "
                    "BEGIN SELECT RAISE(ABORT, 'broken'); END"
                )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION broken() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'broken'; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER broken BEFORE INSERT OR UPDATE ON cases "
                "FOR EACH ROW EXECUTE FUNCTION broken()"
            )
    engine.dispose()


def break_sign_ins(database_url: str) -> None:
    """The look-up of a typed user name fails from now on: its column is gone."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users RENAME COLUMN username TO username_gone")
    engine.dispose()


def test_a_failing_database_leaves_no_personal_data_in_the_log(
    server_process: ServerProcess, database_url: str
) -> None:
    url = server_process.url + "/api/v1"
    signed_in = requests.post(
        f"{url}/login", json={"username": "clerk1", "password": "demo"}, timeout=10
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["token"]
    clerk = {"Authorization": f"Bearer {token}"}
    kiosk = {"Authorization": "Bearer demo-kiosk"}
    made = requests.post(
        f"{url}/sites/demo/tickets", json={"service_id": 1}, headers=kiosk, timeout=10
    )
    assert made.status_code == 201, made.text
    called = requests.post(f"{url}/sites/demo/desks/1/call-next", headers=clerk, timeout=10)
    assert called.status_code == 200, called.text
    ticket = called.json()["id"]

    break_case_writes(database_url)
    answer = requests.put(
        f"{url}/tickets/{ticket}/case",
        json={"notes": NOTE, "case_reference": REFERENCE, "steps_done": ["id_checked"]},
        headers={**clerk, "Accept-Language": "en"},
        timeout=10,
    )
    error = answer.json()
    assert answer.status_code in (500, 503), answer.text
    assert_error(answer, answer.status_code, error["code"])
    assert error["code"] in ("internal_error", "database_unavailable")
    assert "Nothing was changed" in error["message"]
    assert NOTE not in answer.text and REFERENCE not in answer.text

    break_sign_ins(database_url)
    login = requests.post(
        f"{url}/login", json={"username": TYPED_NAME, "password": TYPED_PASSWORD}, timeout=10
    )
    assert login.status_code in (500, 503), login.text
    assert login.json()["code"] in ("internal_error", "database_unavailable")
    # The server still answers, and has written its log (the error lines come before /healthz).
    assert requests.get(f"{server_process.url}/healthz", timeout=10).status_code == 200

    server_process.stop()
    written = server_process.log()
    # IT learns where and what failed ...
    assert "unexpected error on PUT /api/v1/tickets/" in written, written
    assert "[SQL: " in written, written
    # ... but nothing of what the clerk typed, who tried to sign in, or anyone's token.
    for secret in (NOTE, "Mustermann", REFERENCE, TYPED_NAME, TYPED_PASSWORD, token):
        assert secret not in written, (secret, written)
