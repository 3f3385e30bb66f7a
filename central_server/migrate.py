"""Bring a database to the newest schema. Runs on every server start; safe to repeat.

Several processes may start at once (``tresen server --workers N``, or servers on several
machines sharing one PostgreSQL): the upgrade runs under a lock, so one of them migrates and
the others then find the schema up to date.

* PostgreSQL: a transaction-level advisory lock with a fixed key (:data:`LOCK_KEY`), held until
  the upgrade's transaction ends (PostgreSQL's DDL is transactional, so a failed upgrade leaves
  nothing behind for the next one).
* SQLite: the upgrade's transaction begins ``IMMEDIATE``, which takes the database file's write
  lock at once; a second process waits for it (``busy_timeout``) and then reads the finished
  schema. That lock is enough: SQLite has no other writers to fear.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine

log = logging.getLogger("tresen.db")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The advisory lock around migrations on PostgreSQL ("tresen" in ASCII, as a number).
LOCK_KEY = 0x747265_73656E


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        before = _revision(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        after = _revision(connection)
    if before != after:
        log.info("database schema upgraded from %s to %s", before or "nothing", after)
    else:
        log.info("database schema is up to date")


def autogenerate(engine: Engine, message: str) -> None:
    """For developers: write a new revision for model changes (``tresen admin`` does not)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
