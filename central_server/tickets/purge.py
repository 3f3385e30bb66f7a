"""Erasing the case text of finished tickets after ``case_purge_days``.

A ticket's case holds free text a clerk typed: notes, the authority's case reference, the reason
for a forwarding. Once the ticket is finished (done, no-show or cancelled) the authority's own
case file holds the record, so that text is erased ``case_purge_days`` after ``finished_at``
(setting ``TRESEN_CASE_PURGE_DAYS``), hourly by the server's housekeeping, like the personal data
of closed pickups. What the statistics need stays: the ticket with its times and status, the
case's steps and outcome; ``cases.purged_at`` says when the text went.

Nothing else holds that text for long: the event log never did (``SiteView.event_summary``
keeps numbers and statuses; ``ticket.case_updated`` and ``ticket.transferred`` say only that
something changed, or whether there was a reason), and a remembered answer to a retried request
(``central_server.writes``) leaves it out and reads it from the case as it is now, so a retry
after the purge answers with the text erased.

The work is done in batches of :data:`BATCH` cases, each its own short transaction, so a year's
backlog (the first run after an upgrade) never holds the database's write lock for long; the
batches span sites and take no site's lock (the text of finished tickets is read by no queue
rule). Each site whose cases were erased then gets one ``cases.purged`` event with their number,
written through ``central_server.writes.perform`` like every change of a site.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy.orm import Session

from central_server.db import Database
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Site
from central_server.models._types import utcnow
from central_server.tickets import repository
from central_server.writes import Answer, perform

log = logging.getLogger("tresen.purge")

#: Cases erased per transaction.
BATCH = 500


def purge_case_text(
    db: Database,
    days: int,
    *,
    actor: str = "system",
    bus: EventBus | None = None,
    batch: int = BATCH,
) -> int:
    """Erase notes, case reference and forwarding reason of tickets finished more than ``days``
    days ago. Returns how many cases were erased."""
    finished_before = utcnow() - timedelta(days=days)
    erased: Counter[int] = Counter()
    while True:
        with db.write_session() as session:
            due = repository.purgeable_cases(session, finished_before, batch)
            if due:
                repository.erase_case_text(session, [ticket_id for _, ticket_id in due], utcnow())
        erased.update(site_id for site_id, _ in due)
        if len(due) < batch:
            break
    for site_id, count in sorted(erased.items()):

        def log_purge(session: Session, site: Site, count: int = count) -> Answer:
            event_log.append(
                session,
                site,
                "cases.purged",
                actor=actor,
                data={"count": count, "finished_days_ago": days},
            )
            return 200, count

        perform(db, bus, site_id, None, None, log_purge)
    total = sum(erased.values())
    if total:
        log.info("case text of %d finished tickets erased (finished over %d days ago)", total, days)
    return total
