"""The desk's local outbox: changes that must reach the server, kept on disk until they do,
and the drafts of what the clerk typed, saved as they type.

Each change gets its Idempotency-Key when it is written here, so sending it again after a fault
can never apply it twice. Changes are sent in the order they were made. A change that replaces
the whole of something (the case as the clerk has it now) supersedes its older versions still
waiting: only the newest is sent, never a stale one after it. A change the server
refuses for good (4xx) is kept, marked with the server's message, for the clerk to see: it is
never dropped silently. SQLite through SQLAlchemy, one file per desk program.

A change is kept as the ``Call`` that ``counter_app.core.api`` built for it (method, path, body):
paths are written there and nowhere else. Rows are stored in the same three columns as by every
earlier version, so an outbox left by the program before an upgrade is sent as it stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from counter_app.core.api import Call, TresenClient, new_key
from counter_app.core.errors import NotSignedIn, Rejected, ServerFault, ServerUnreachable

log = logging.getLogger("tresen.outbox")


class _Base(DeclarativeBase):
    pass


class OutboxItem(_Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    body: Mapped[Any] = mapped_column(JSON, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    # pending, sent, refused, superseded (a newer version of the same change replaced it)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class Draft(_Base):
    """What the clerk has typed for a ticket's case, saved as they type."""

    __tablename__ = "drafts"

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Pending:
    id: int
    method: str
    path: str
    body: Any
    idempotency_key: str
    label: str
    state: str
    error: str

    @property
    def call(self) -> Call:
        return Call(self.method, self.path, self.body)


class Outbox:
    def __init__(self, path: Path | str) -> None:
        url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
        self._engine = create_engine(url)
        _Base.metadata.create_all(self._engine)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    def close(self) -> None:
        self._engine.dispose()

    def save_draft(self, ticket_id: int, data: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            draft = session.get(Draft, ticket_id)
            if draft is None:
                session.add(Draft(ticket_id=ticket_id, data=data, updated_at=datetime.now(UTC)))
            else:
                draft.data, draft.updated_at = data, datetime.now(UTC)

    def draft(self, ticket_id: int) -> dict[str, Any] | None:
        with self._sessions() as session:
            draft = session.get(Draft, ticket_id)
            return dict(draft.data) if draft else None

    def drop_draft(self, ticket_id: int) -> None:
        with self._sessions.begin() as session:
            draft = session.get(Draft, ticket_id)
            if draft is not None:
                session.delete(draft)

    def add(self, call: Call, label: str = "", supersede: bool = False) -> Pending:
        """Keep a change; it is on disk when this returns.

        ``supersede``: the change replaces the whole resource (a PUT), so the same request still
        waiting to be sent is dropped; the newest version is sent, in this one's place.
        """
        item = OutboxItem(
            created_at=datetime.now(UTC),
            method=call.method,
            path=call.path,
            body=call.body,
            idempotency_key=new_key(),
            label=label,
            state="pending",
            attempts=0,
            error="",
        )
        with self._sessions.begin() as session:
            if supersede:
                older = select(OutboxItem).where(
                    OutboxItem.state == "pending",
                    OutboxItem.method == call.method,
                    OutboxItem.path == call.path,
                )
                for stale in session.scalars(older):
                    stale.state = "superseded"
            session.add(item)
        return _pending(item)

    def waiting(self) -> list[Pending]:
        """Changes not yet accepted by the server (pending and refused), oldest first."""
        with self._sessions() as session:
            query = (
                select(OutboxItem)
                .where(OutboxItem.state.in_(("pending", "refused")))
                .order_by(OutboxItem.id)
            )
            return [_pending(i) for i in session.scalars(query)]

    def pending_ticket_ids(self) -> set[int]:
        """Tickets with a change of state still on its way: the server's view of them is out
        of date. A case saved as the clerk types changes no state and does not count."""
        ids = set()
        for item in self.waiting():
            ticket_id = item.call.ticket_id()
            if item.state == "pending" and ticket_id is not None:
                ids.add(ticket_id)
        return ids

    def last_sent_id(self) -> int:
        """The newest change the server has taken (0: none yet). A read of the server that
        started before this moved may show that change as not made yet."""
        with self._sessions() as session:
            query = select(OutboxItem.id).where(OutboxItem.state == "sent")
            return max(session.scalars(query), default=0)

    def pending_count(self) -> int:
        return sum(1 for item in self.waiting() if item.state == "pending")

    def _state(self, item_id: int) -> str:
        with self._sessions() as session:
            return session.get_one(OutboxItem, item_id).state

    def _mark(self, item_id: int, state: str, error: str = "") -> None:
        with self._sessions.begin() as session:
            item = session.get_one(OutboxItem, item_id)
            item.state = state
            item.error = error
            item.attempts += 1

    def flush(
        self, client: TresenClient, on_sent: Callable[[Pending, Any], None] = lambda _p, _a: None
    ) -> int:
        """Send the pending changes in order; stop at the first that cannot be sent now.

        Returns how many were sent. Raises ServerUnreachable or ServerFault when the server
        cannot take them now (they stay pending).
        """
        sent = 0
        for item in self.waiting():
            if item.state != "pending" or self._state(item.id) != "pending":
                continue  # refused, or superseded since the list was read
            try:
                answer = client.send(item.call, item.idempotency_key)
            except (ServerUnreachable, ServerFault):
                with self._sessions.begin() as session:
                    session.get_one(OutboxItem, item.id).attempts += 1
                raise
            except NotSignedIn:
                raise  # sign in again; the change stays pending
            except Rejected as refusal:
                log.warning("outbox item %s refused: %s", item.id, refusal.code)
                self._mark(item.id, "refused", refusal.message or refusal.code)
                continue
            self._mark(item.id, "sent")
            on_sent(item, answer)
            sent += 1
        return sent


def _pending(item: OutboxItem) -> Pending:
    return Pending(
        item.id,
        item.method,
        item.path,
        item.body,
        item.idempotency_key,
        item.label,
        item.state,
        item.error,
    )
