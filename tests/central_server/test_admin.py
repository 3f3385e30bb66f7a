"""The city's IT sets up sites from a TOML file and manages users and device tokens with
`tresen admin`: run here as the real command, against a real database file."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from central_server import cli, migrate
from central_server.admin import site_file
from central_server.auth.service import TOKEN_CACHE_SECONDS
from central_server.db import Database
from central_server.models import Site
from resources import path
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_S

EXAMPLE = path("examples", "kundenzentrum-mitte.toml")


def tresen(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `tresen` command, as IT runs it."""
    return subprocess.run(
        [sys.executable, "-m", "central_server.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`tresen` in this process (the same code as the command, without its start-up time)."""

    def runner(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return runner


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'admin.sqlite3'}"


def test_apply_loads_the_example_office_and_a_second_apply_changes_nothing(db_url: str) -> None:
    first = tresen("admin", "apply", str(EXAMPLE), "--db", db_url)
    assert first.returncode == 0, first.stderr
    assert "site mitte created" in first.stdout
    assert "desk S2 created" in first.stdout
    second = tresen("admin", "apply", str(EXAMPLE), "--db", db_url)
    assert second.returncode == 0, second.stderr
    assert "nothing to change" in second.stdout


def test_a_broken_site_file_is_refused_with_the_reason_and_changes_nothing(
    db_url: str, run, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace('uk = "Посвідчення водія"', 'uk = ""')
    broken.write_text(text, encoding="utf-8")
    result = run("admin", "apply", str(broken), "--db", db_url)
    assert result.returncode == 2
    assert "missing in: uk" in result.stderr
    db = Database(db_url)
    with db.read_session() as session:
        assert session.execute(select(Site)).first() is None
    db.dispose()


def test_a_misspelt_key_is_refused_not_ignored(db_url: str, run, tmp_path: Path) -> None:
    # "daily_limt" ignored in silence would leave the office believing a contingent holds.
    misspelt = tmp_path / "misspelt.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "daily_limit = " in text
    misspelt.write_text(text.replace("daily_limit = ", "daily_limt = ", 1), encoding="utf-8")
    result = run("admin", "apply", str(misspelt), "--db", db_url)
    assert result.returncode == 2
    assert ".daily_limt: unknown key (misspelt?" in result.stderr, result.stderr
    db = Database(db_url)
    with db.read_session() as session:
        assert session.execute(select(Site)).first() is None
    db.dispose()


def test_editing_the_file_changes_only_what_changed(db_url: str) -> None:
    db = Database(db_url)
    migrate.upgrade(db.engine)
    spec = site_file.read(EXAMPLE)
    site_file.apply(db, spec)
    spec.desks[0].services = ["F", "A"]
    spec.services = [s for s in spec.services if s.key != "driving-licence"]
    for desk in spec.desks:
        desk.services = [p for p in desk.services if p != "D"]
    changes = site_file.apply(db, spec)
    db.dispose()
    assert "desk 1: services updated" in changes
    assert "service driving-licence switched off (no longer in the file)" in changes
    assert not any("created" in line for line in changes)


def test_the_site_file_sets_the_boards_settings_and_the_daily_contingent(db_url: str) -> None:
    from central_server.models import Service

    db = Database(db_url)
    migrate.upgrade(db.engine)
    spec = site_file.read(EXAMPLE)
    site_file.apply(db, spec)
    with db.read_session() as session:
        site = session.scalars(select(Site)).one()
        assert (site.amber_share, site.desk_idle_minutes) == (0.8, 3)
        limits = {
            s.prefix: (s.daily_limit, s.amber_share) for s in session.scalars(select(Service))
        }
    assert limits["C"] == (60, 0.66)
    assert limits["A"] == (None, None)
    next(s for s in spec.services if s.prefix == "C").daily_limit = 40
    spec.site.desk_idle_minutes = 5
    changes = site_file.apply(db, spec)
    db.dispose()
    assert "service C (residence-permit): daily_limit updated" in changes
    assert "site mitte: desk_idle_minutes updated" in changes


def _refused_soon(client: ApiClient, path: str) -> bool:
    """Whether ``path`` answers 401 within the seconds the server trusts a checked token."""
    deadline = time.monotonic() + TOKEN_CACHE_SECONDS + ANSWER_S
    while time.monotonic() < deadline:
        if client.get(path).status_code == 401:
            return True
        time.sleep(0.1)
    return False


def test_users_and_device_tokens_from_the_command_line(db_url: str, run) -> None:
    assert run("admin", "apply", str(EXAMPLE), "--db", db_url).returncode == 0
    added = run(
        "admin",
        "add-user",
        "a.neumann",
        "--role",
        "clerk",
        "--site",
        "mitte",
        "--password-stdin",
        "--db",
        db_url,
        stdin="sicheres-passwort\n",
    )
    assert added.returncode == 0, added.stderr
    issued = run(
        "admin", "issue-device-token", "mitte", "lobby-kiosk-1", "--kind", "kiosk", "--db", db_url
    )
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert len(token) >= 40

    server = LiveServer(db_url)
    server.start()
    try:
        login = requests.post(
            f"{server.url}/api/v1/login",
            json={"username": "a.neumann", "password": "sicheres-passwort"},
            timeout=10,
        )
        assert login.status_code == 200
        assert login.json()["sites"] == ["mitte"]
        kiosk = server.client(token)
        assert kiosk.get("/sites/mitte/services").status_code == 200

        revoked = run("admin", "revoke-device-token", "mitte", "lobby-kiosk-1", "--db", db_url)
        assert revoked.returncode == 0
        # The server trusts a token it checked for a few seconds (TOKEN_CACHE_SECONDS).
        assert _refused_soon(kiosk, "/sites/mitte/services")

        reset = run("admin", "reset-password", "a.neumann", "--db", db_url)
        assert reset.returncode == 0
        new_password = reset.stdout.strip().splitlines()[-1].split(": ", 1)[1]
        old_session = server.client(login.json()["token"])
        assert _refused_soon(old_session, "/sites/mitte/queue")
        assert server.login("a.neumann", new_password)
    finally:
        server.stop()


def test_secrets_never_reach_the_log_output(db_url: str, run) -> None:
    assert run("admin", "apply", str(EXAMPLE), "--db", db_url).returncode == 0
    issued = run(
        "admin", "issue-device-token", "mitte", "lobby-kiosk-2", "--kind", "kiosk", "--db", db_url
    )
    token = issued.stdout.strip().splitlines()[-1]
    assert token not in issued.stderr


def test_unknown_user_and_site_are_clear_errors(db_url: str, run) -> None:
    result = run("admin", "reset-password", "nobody", "--db", db_url)
    assert result.returncode == 2
    assert "there is no user 'nobody'" in result.stderr
    result = run("admin", "issue-device-token", "nowhere", "k", "--kind", "kiosk", "--db", db_url)
    assert result.returncode == 2
    assert "there is no site 'nowhere'" in result.stderr
