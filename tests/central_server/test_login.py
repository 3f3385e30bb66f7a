"""Signing in: tokens, wrong passwords, the lock-out after repeated failures, and a log that
names the account but never the password."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.api import assert_error
from tests.support.live_server import LiveServer


@pytest.fixture
def behind_proxy(database_url: str):  # type: ignore[no-untyped-def]
    """A server that believes X-Forwarded-For from loopback, as from its reverse proxy: so one
    test plays several client computers."""
    live = LiveServer(database_url, forwarded_allow_ips="127.0.0.1")
    live.start()
    yield live
    live.stop()


def _login(
    server, username: str, password: str, address: str | None = None, **headers: str
) -> requests.Response:
    if address is not None:
        # Believed only by a server that trusts loopback as its proxy (``behind_proxy``).
        headers["X-Forwarded-For"] = address
    return requests.post(
        f"{server.url}/api/v1/login",
        json={"username": username, "password": password},
        headers=headers,
        timeout=10,
    )


def test_sign_in_gives_a_token_for_one_shift(server):
    answer = _login(server, "clerk1", "demo")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["roles"] == ["clerk"]
    assert body["username"] == "clerk1" and body["display_name"] == "Sachbearbeitung 1"
    assert body["sites"] == ["demo"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)
    clerk = server.client(body["token"])
    assert clerk.get("/sites/demo/queue").status_code == 200
    # Each sign-in is its own token.
    assert server.login("clerk1") != body["token"]


def test_roles_of_the_demo_people(server):
    assert _login(server, "supervisor", "demo").json()["roles"] == ["supervisor"]
    assert _login(server, "pickup1", "demo").json()["roles"] == ["pickup"]


def test_wrong_password_and_unknown_user_answer_alike(server):
    wrong = _login(server, "clerk1", "falsch")
    unknown = _login(server, "niemand", "demo")
    assert_error(wrong, 401, "invalid_credentials")
    assert_error(unknown, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    assert "token" not in wrong.text
    english = _login(server, "clerk1", "falsch", **{"Accept-Language": "en"})
    assert english.json()["message"] == "User name or password is wrong."


def test_sign_out_ends_the_token(server):
    token = server.login("clerk2")
    clerk = server.client(token)
    assert clerk.post("/logout").status_code == 204
    assert_error(clerk.get("/sites/demo/queue"), 401, "invalid_token")
    assert "Bearer" in clerk.get("/sites/demo/queue").headers.get("WWW-Authenticate", "")


def test_five_failures_lock_the_user_name(behind_proxy):
    server = behind_proxy
    for _ in range(5):
        assert_error(_login(server, "clerk1", "rate", "10.0.0.1"), 401, "invalid_credentials")
    # From the same computer or another one, right password or not: locked for a minute.
    assert_error(_login(server, "clerk1", "demo", "10.0.0.1"), 429, "too_many_failed_logins")
    assert_error(_login(server, "clerk1", "demo", "10.0.0.2"), 429, "too_many_failed_logins")
    assert_error(_login(server, "CLERK1", "demo", "10.0.0.3"), 429, "too_many_failed_logins")
    # Other people are not locked out, not even at the second computer.
    assert _login(server, "clerk2", "demo", "10.0.0.2").status_code == 200


def test_one_clerks_typos_do_not_lock_out_the_office(server):
    """A terminal server or NAT puts a whole office behind one address (here: 127.0.0.1)."""
    for _ in range(5):
        assert_error(_login(server, "clerk4", "Tippfehler"), 401, "invalid_credentials")
    locked = _login(server, "clerk4", "demo")
    assert_error(locked, 429, "too_many_failed_logins")
    assert locked.json()["message"] == (
        "Zu viele fehlgeschlagene Anmeldungen. Bitte eine Minute warten und erneut versuchen."
    )
    english = _login(server, "clerk4", "demo", **{"Accept-Language": "en"})
    assert english.json()["message"] == (
        "Too many failed sign-ins. Please wait a minute and try again."
    )
    # The colleague at the next desk, behind the same address, signs in.
    assert _login(server, "clerk3", "demo").status_code == 200


def test_thirty_failures_from_one_address_lock_the_address(server):
    """A password sprayer tries a few passwords on many names from one address."""
    for number in range(30):
        answer = _login(server, f"sachbearbeitung{number}", "Sommer2026!")
        assert_error(answer, 401, "invalid_credentials")
    # The 31st attempt from that address is refused, whoever it names and whatever the password.
    refused = _login(server, "clerk3", "demo")
    assert_error(refused, 429, "too_many_failed_logins")
    assert refused.json()["details"] == {"scope": "address"}
    assert refused.json()["message"] == (
        "Zu viele fehlgeschlagene Anmeldungen von diesem Computer oder Netz. Bitte eine Minute "
        "warten und erneut versuchen."
    )
    english = _login(server, "supervisor", "demo", **{"Accept-Language": "en"})
    assert_error(english, 429, "too_many_failed_logins")
    assert english.json()["message"] == (
        "Too many failed sign-ins from this computer or network. Please wait a minute and try "
        "again."
    )


def test_four_failures_do_not_lock(server):
    for _ in range(4):
        assert _login(server, "clerk3", "nope").status_code == 401
    assert _login(server, "clerk3", "demo").status_code == 200


def test_failed_sign_in_is_logged_without_the_password_or_the_typed_name(server, caplog):
    caplog.set_level(logging.INFO, logger="tresen.auth")
    secret = "Geheim-Passwort-4711"
    assert _login(server, "clerk4", secret).status_code == 401
    assert _login(server, "nobody-here", secret).status_code == 401
    # A password typed into the name field must not land in the log either.
    assert _login(server, secret, "x").status_code == 401
    assert _login(server, "clerk4", "demo").status_code == 200
    with server.db.engine.connect() as conn:
        clerk4 = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'clerk4'").scalar()

    records = [r for r in caplog.records if r.name == "tresen.auth"]
    failed = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    assert failed == [
        f"failed sign-in for user #{clerk4} from 127.0.0.1",
        "failed sign-in for an unknown user name from 127.0.0.1",
        "failed sign-in for an unknown user name from 127.0.0.1",
    ]
    assert f"user #{clerk4} signed in from 127.0.0.1" in [r.getMessage() for r in records]
    for record in caplog.records:
        for typed in (secret, "nobody-here", "clerk4"):
            assert typed not in record.getMessage()
            assert typed not in repr(record.args)
    assert secret not in caplog.text


def test_bad_login_body_is_refused_without_echoing_it(server):
    secret = "x" * 201  # longer than a password may be
    answer = _login(server, "clerk1", secret)
    assert_error(answer, 422, "invalid_input")
    assert secret not in answer.text
    assert_error(
        requests.post(f"{server.url}/api/v1/login", json={"username": "clerk1"}, timeout=10),
        422,
        "invalid_input",
    )
    assert_error(
        requests.post(f"{server.url}/api/v1/login", data="username=clerk1", timeout=10),
        422,
        "invalid_input",
    )
