"""``tresen server`` as IT starts it: the real command in a child process.

The database may be given as a plain file path; a value that cannot work is refused with one
line that says what is wrong, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.support.live_server import free_port
from tests.support.server_process import ServerProcess, run_tresen, tresen_env


def _serves(server: ServerProcess) -> None:
    answer = requests.get(f"{server.url}/api/v1/sites/demo/services", timeout=10)
    assert answer.status_code == 401  # the API answers (and wants a sign-in)
    assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}


@pytest.mark.parametrize("form", ["absolute", "relative", "home"])
def test_the_database_may_be_a_plain_file_path(tmp_path: Path, form: str) -> None:
    home = tmp_path / "home"
    (home / "daten").mkdir(parents=True)
    work = tmp_path / "work"
    (work / "daten").mkdir(parents=True)
    given, expected = {
        "absolute": (str(work / "daten" / "amt.sqlite3"), work / "daten" / "amt.sqlite3"),
        "relative": ("daten/amt.sqlite3", work / "daten" / "amt.sqlite3"),
        "home": ("~/daten/amt.sqlite3", home / "daten" / "amt.sqlite3"),
    }[form]
    env = tresen_env(HOME=str(home), USERPROFILE=str(home))
    with ServerProcess("--db", given, folder=tmp_path, cwd=work, env=env) as server:
        _serves(server)
        assert expected.is_file()
        assert "Traceback" not in server.log()


def test_a_database_url_works_as_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'url.sqlite3'}"
    with ServerProcess("--db", url, "--demo", folder=tmp_path) as server:
        login = requests.post(
            f"{server.url}/api/v1/login",
            json={"username": "clerk1", "password": "demo"},
            timeout=10,
        )
        assert login.status_code == 200, login.text
    assert (tmp_path / "url.sqlite3").is_file()


def _refused(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_database_that_cannot_work_is_refused_in_one_line(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("Termine am Montag\n" * 100, encoding="utf-8")
    cases = {
        "missing folder": (str(tmp_path / "nowhere" / "amt.sqlite3"), ["nowhere", "not exist"]),
        "a folder": (str(tmp_path), ["is a folder", "tresen.sqlite3"]),
        "unknown scheme": ("mysql://tresen@db/tresen", ["mysql", "postgresql+psycopg://"]),
        "not a URL": ("postgresql+psycopg://u:pw@host:port/db", ["cannot be read"]),
        "not a database": (str(not_a_database), ["notes.txt", "not a database"]),
        "no server": (
            "postgresql+psycopg://tresen:geheim@127.0.0.1:1/tresen",
            ["127.0.0.1", "refused"],
        ),
    }
    for name, (value, words) in cases.items():
        result = run_tresen("server", "--db", value, "--port", str(free_port()), timeout=60)
        _refused(result, *words)
        assert "geheim" not in result.stderr and ":pw@" not in result.stderr, name
    # The same from the environment, and for the admin commands.
    bad = str(tmp_path / "nowhere" / "amt.sqlite3")
    from_env = run_tresen("server", env=tresen_env(TRESEN_DB=bad, TRESEN_PORT=str(free_port())))
    _refused(from_env, "TRESEN_DB", "not exist")
    _refused(run_tresen("admin", "purge-pickups", "--db", bad), "--db", "not exist")
    assert not (tmp_path / "nowhere").exists()
