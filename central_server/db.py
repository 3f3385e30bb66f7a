"""Engine, sessions and the one way to write.

SQLite is the embedded default, PostgreSQL the database of a city. Two rules make both behave
the same for the queue:

* Every state change runs in :func:`write_session` and starts by locking its site's row
  (:func:`lock_site`). On PostgreSQL that is ``SELECT ... FOR UPDATE``; on SQLite a write
  transaction starts with ``BEGIN IMMEDIATE``, which takes the database's write lock at once.
  So the writes of one site are serialised: no ticket is called twice, no number is given twice,
  and the site's event sequence grows without gaps in commit order.
* Reads use ordinary deferred transactions and never wait for writers (SQLite runs in WAL mode).

On SQLite the writers of one server process also queue for a lock in Python before they ask for
the database's write lock. SQLite itself lets a waiting writer sleep and retry (up to 100 ms
between tries, see ``busy_timeout``) instead of waking it when the lock is free: under load from
many desks that sleeping, not the work, made most of the waiting. The database lock still guards
against other processes (``tresen admin``, a second server).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger("tresen.db")

#: Session.info key of :attr:`Database.shared`, the process's caches (see there).
SHARED = "tresen_shared"

#: How long a write waits for the database (SQLite's ``busy_timeout``, and the in-process queue).
WRITE_WAIT_SECONDS = 30

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` with the settings each backend needs.

    Every engine hides the parameters of its statements in its errors: a failed statement's
    message would otherwise carry case notes, case references or user names into the log.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        if not _sqlite_in_memory(url) and "poolclass" not in kwargs:
            # Enough pooled connections for the server's worker threads: a connection beyond
            # the pool is opened (with the PRAGMAs below) and closed again for every request.
            kwargs.setdefault("pool_size", 20)
            kwargs.setdefault("max_overflow", 20)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": WRITE_WAIT_SECONDS},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    # Kept connections for most of the server's 40 worker threads: a connection beyond the
    # pool is opened for one request and closed again, and PostgreSQL starts a process for
    # each (in a city's peak with 10 kept, a tenth of the requests waited 60 ms for that).
    # PostgreSQL's max_connections must allow 40 per server process (README).
    engine = create_engine(url, pool_size=30, max_overflow=10, **kwargs)
    _ping_after_rest(engine)
    return engine


#: A pooled PostgreSQL connection that rested this long is tried before it is used.
PING_AFTER_REST_SECONDS = 1.0


def _ping_after_rest(engine: Engine) -> None:
    """Try a pooled connection before use only when it has rested in the pool.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip to PostgreSQL before every transaction, a
    quarter of a queue read's. A connection handed back moments ago is as good as its last
    answer; one that rested (across a PostgreSQL restart, a network cut, an idle timeout) is
    tried first, and a dead one is replaced before anyone uses it. A restart during traffic
    fails the requests on its old connections, which it would anyway; the first such failure
    makes SQLAlchemy replace every older connection of the pool."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rested_since = record.info.get("rested_since")
        if rested_since is None or time.monotonic() - rested_since < PING_AFTER_REST_SECONDS:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection is gone") from exc


def _sqlite_in_memory(url: str) -> bool:
    database = url.split("///", 1)[1] if "///" in url else ""
    return database in ("", ":memory:") or "mode=memory" in database


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself, so writes can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine plus the two kinds of session the server uses."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        # A read sees one snapshot (a queue never shows a ticket both waiting and called): SQLite
        # in WAL mode gives that to every transaction; PostgreSQL needs REPEATABLE READ.
        read_bind = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        #: Per-process caches of the domain modules, by name (e.g. a site's configuration,
        #: ``central_server.sites.config``); every session reaches them as
        #: ``session.info[SHARED]``. Each cache says when it is read again.
        self.shared: dict[str, Any] = {}
        self._read = sessionmaker(read_bind, expire_on_commit=False, info={SHARED: self.shared})
        # A lookup of one row needs no transaction: on PostgreSQL each statement commits by
        # itself, which spares the BEGIN and the ROLLBACK, two of a cached read's three round
        # trips. SQLite's BEGIN costs no round trip.
        quick_bind = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._quick = sessionmaker(quick_bind, expire_on_commit=False, info={SHARED: self.shared})
        # Facts that never change once true (a slug's site, a ticket's site), kept per process
        # to spare a read per request. Only found ids are kept: an unknown one is asked again.
        self.known_sites: dict[str, int] = {}
        self.known_ticket_sites: dict[int, int] = {}
        self._write = sessionmaker(write_bind, expire_on_commit=False, info={SHARED: self.shared})
        # SQLite: this process's writers queue here, so each is woken the moment the one
        # before it commits (see the module's docstring). Re-entrant, so that a write nested in
        # another in one thread meets SQLite's lock and timeout as before instead of waiting on
        # itself. PostgreSQL queues writers itself (SELECT ... FOR UPDATE).
        self._write_queue = threading.RLock() if self.is_sqlite else None

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def quick_read_session(self) -> Iterator[Session]:
        """A session for a single lookup (a site's row): no snapshot across statements."""
        with self._quick() as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        if self._write_queue is None:
            with self._write() as session, session.begin():
                yield session
            return
        if not self._write_queue.acquire(timeout=WRITE_WAIT_SECONDS):
            raise OperationalError(
                "BEGIN IMMEDIATE",
                None,
                TimeoutError("database is locked (waited for other writes)"),
            )
        try:
            with self._write() as session, session.begin():
                yield session
        finally:
            self._write_queue.release()

    def dispose(self) -> None:
        self.engine.dispose()
