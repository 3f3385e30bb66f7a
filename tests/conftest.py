"""Fixtures shared by every test: real databases and a real server on loopback.

``backend`` runs a test on SQLite and, where it answers on 127.0.0.1:5432, on PostgreSQL.
Each test gets a fresh database with the demo site, copied from a template made once per run
(a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from central_server import migrate
from central_server.admin import demo
from central_server.db import Database
from tests.support.live_server import LiveServer

POSTGRES_ADMIN_URL = os.environ.get(
    "TRESEN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL runs are skipped."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(
            POSTGRES_ADMIN_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=2
        ):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL on 127.0.0.1:5432 ({exc.__class__.__name__}: {exc})".strip()


_PG_REASON = _postgres_reason()
if _PG_REASON is not None and os.environ.get("TRESEN_REQUIRE_POSTGRES") == "1":
    # CI sets this: there the PostgreSQL runs must happen, not be skipped.
    raise pytest.UsageError(f"TRESEN_REQUIRE_POSTGRES=1 but {_PG_REASON}")


def pytest_report_header() -> str:
    return "PostgreSQL: " + ("available" if _PG_REASON is None else f"skipped: {_PG_REASON}")


def _pg_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        POSTGRES_ADMIN_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True
    ) as conn:
        conn.execute(sql)


def _pg_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    demo.load(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if _PG_REASON is not None:
        pytest.skip(_PG_REASON)
    name = f"tresen_tpl_{uuid.uuid4().hex[:10]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    migrate.upgrade(db.engine)
    demo.load(db)
    db.dispose()
    yield name
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database holding the demo site."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "tresen.sqlite3"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"tresen_t_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg_url(name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    """The real server (uvicorn) on a free loopback port, with the demo site."""
    live = LiveServer(database_url)
    live.start()
    yield live
    live.stop()
