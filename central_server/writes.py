"""The one way a change is written: lock the site, honour retries, log, commit, wake streams.

Every state change at a site runs through :func:`perform`:

1. open a write transaction and lock the site's row (so one site's changes are serialised);
2. if the request carries an ``Idempotency-Key`` that was answered before, return that answer
   unchanged (a kiosk or desk retrying after a fault never makes a second ticket);
3. run the change, which appends its events to the log;
4. remember the answer under the key, in the same transaction as the change;
5. commit, then wake the live streams of the site.

A change that raises rolls back entirely: bad input changes nothing. The server's own jobs
(expiring uncollected pickups, erasing personal data and case text) run through it too, one
site per call, with no principal and no ``Idempotency-Key``, and with no bus where no stream of
the process listens (a ``tresen admin`` command: on PostgreSQL its commit still wakes every
server, ``central_server.events.log``). The one exception is the batched erasing of case text
(``central_server.tickets.purge``): its batches span sites and take no site's lock, so a year's
backlog never holds a site's queue; only the text of finished tickets changes, which no queue
rule reads, and the one event per site that reports it goes through :func:`perform`.
A change to a ticket of a day whose statistics are summed up already marks that day to be
summed up again (:func:`_figures_touched`). A citizen's answer on the status page
(``central_server.web.service.give_feedback``) runs through it too, with no principal either:
the ticket's status token is its only credential, and an answer is kept once per ticket, so a
retry needs no ``Idempotency-Key``.

The answer remembered for a retry holds no personal data (kept 48 hours, it would outlive a
purge): the fields of ``PRIVATE_FIELDS`` are left out, at any depth, and a retry reads them from
their row as it is then (:func:`_refill`: a pickup's holder and case reference, a ticket's case
notes, reference, forwarding and cancelling reasons). A pickup receipt's token is never stored
at all (see ``central_server.pickups.service.create_pickup``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, delete, event, insert, select
from sqlalchemy.orm import Session

from central_server.auth.principal import Principal
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.errors import N_, InvalidInput
from central_server.events.bus import EventBus
from central_server.events.log import CHANGED_SEQS
from central_server.models import (
    AppointmentMiss,
    Case,
    IdempotencyRecord,
    Pickup,
    Site,
    Ticket,
    TicketFeedback,
)
from central_server.models._types import utcnow

Answer = tuple[int, Any]

#: Fields of an answer that hold personal data: never in a remembered answer (see above).
PRIVATE_FIELDS = frozenset(
    {"holder_name", "case_reference", "notes", "forward_reason", "cancel_reason"}
)


#: The hot path's statements are built once: building and keying one costs more than the
#: database's work on it.
_LOCK_SITE = (
    select(Site)
    .where(Site.id == bindparam("site_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_site(session: Session, site_id: int) -> Site:
    return session.scalars(_LOCK_SITE, {"site_id": site_id}).one()


def perform(
    db: Database,
    bus: EventBus | None,
    site_id: int,
    principal: Principal | None,
    request: IdempotentRequest | None,
    change: Callable[[Session, Site], Answer],
) -> Answer:
    """Run ``change`` as the steps above. ``principal`` is None for the server's own jobs,
    which carry no ``Idempotency-Key``; ``bus`` is None where no stream of this process
    listens."""
    if request is not None and request.key is not None and principal is None:
        raise ValueError("an Idempotency-Key needs a principal to remember the answer for")
    with db.write_session() as session:
        site = lock_site(session, site_id)
        if principal is not None and request is not None and request.key is not None:
            earlier = _earlier_answer(session, principal, request)
            if earlier is not None:
                return earlier
        status, body = change(session, site)
        _figures_touched(session, site)
        # An empty answer (204) changed nothing worth replaying; a retry may well find work.
        if (
            principal is not None
            and request is not None
            and request.key is not None
            and status != 204
        ):
            session.connection().execute(
                _REMEMBER,
                {
                    "principal": principal.key,
                    "key": request.key,
                    "fingerprint": request.fingerprint,
                    "status_code": status,
                    "body": _without_private(body),
                    "created_at": utcnow(),
                },
            )
        changed = dict(session.info.get(CHANGED_SEQS, {}))
    if bus is not None:
        bus.notify(changed)
    return status, body


#: Session.info key: the earliest local day of a ticket (or a ticket's feedback, or a count of
#: missed appointments) the session has flushed a change of.
FIGURES_TOUCHED = "tresen_figures_touched"


@event.listens_for(Session, "before_flush")
def _note_ticket_days(session: Session, _context: object, _instances: object) -> None:
    earliest: date | None = session.info.get(FIGURES_TOUCHED)
    for obj in chain(session.new, session.dirty):
        day = obj.day if isinstance(obj, Ticket | TicketFeedback | AppointmentMiss) else None
        if day is not None and (earliest is None or day < earliest):
            earliest = day
    if earliest is not None:
        session.info[FIGURES_TOUCHED] = earliest


def _figures_touched(session: Session, site: Site) -> None:
    """A change to a ticket of a day whose figures are summed up already (a late feedback, a
    ticket left open and cancelled the next morning) moves the site's ``figures_until`` back
    before that day: the statistics sum that day up again before they read it. Costs no
    statement unless it happens."""
    if site.figures_until is None:
        session.info.pop(FIGURES_TOUCHED, None)
        return
    session.flush()
    earliest: date | None = session.info.pop(FIGURES_TOUCHED, None)
    if earliest is not None and earliest <= site.figures_until:
        site.figures_until = earliest - timedelta(days=1)


_EARLIER = select(IdempotencyRecord).where(
    IdempotencyRecord.principal == bindparam("principal"),
    IdempotencyRecord.key == bindparam("key"),
)
#: Remembering an answer: one INSERT, without an ORM object.
_REMEMBER = insert(IdempotencyRecord.metadata.tables[IdempotencyRecord.__tablename__])


def _earlier_answer(
    session: Session, principal: Principal, request: IdempotentRequest
) -> Answer | None:
    record = session.scalars(
        _EARLIER, {"principal": principal.key, "key": request.key}
    ).one_or_none()
    if record is None:
        return None
    if record.fingerprint != request.fingerprint:
        raise InvalidInput(
            "idempotency_key_reused",
            N_("This Idempotency-Key was already used for a different request."),
        )
    return record.status_code, _refill(session, record.body)


def _without_private(body: Any) -> Any:
    """``body`` without the fields of ``PRIVATE_FIELDS``, at any depth."""
    if isinstance(body, dict):
        return {k: _without_private(v) for k, v in body.items() if k not in PRIVATE_FIELDS}
    if isinstance(body, list):
        return [_without_private(item) for item in body]
    return body


def _refill(session: Session, body: Any) -> Any:
    """A remembered answer with its private fields read from their rows as they are now (empty
    once purged or gone): a pickup's (it has a ``document_kind``), a ticket's case (its
    ``case``)."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        return body
    if "document_kind" in body:
        pickup = session.get(Pickup, body["id"])
        return {
            **body,
            "holder_name": pickup.holder_name if pickup else "",
            "case_reference": pickup.case_reference if pickup else "",
        }
    if isinstance(body.get("case"), dict):
        case = session.get(Case, body["id"])
        return {
            **body,
            "case": {
                **body["case"],
                "notes": case.notes if case else "",
                "case_reference": case.case_reference if case else "",
                "forward_reason": case.forward_reason if case else "",
                "cancel_reason": case.cancel_reason if case else "",
            },
        }
    return body


def purge_idempotency_records(db: Database, older_than: timedelta) -> int:
    with db.write_session() as session:
        result = session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - older_than)
        )
        return int(getattr(result, "rowcount", 0) or 0)
