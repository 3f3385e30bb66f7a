"""History that costs nothing: indexes for what the request paths ask, and the case purge mark

A site gathers ~375,000 tickets a year and keeps them. The queries on the request paths read
only the part of that history they need:

* ``tickets (site_id, status, finished_at)`` replaces ``(site_id, status)``: the queue as before,
  and the latest finished tickets of a site (wait estimates) without sorting all of them;
* ``tickets (desk_id, status)``: the ticket open at a desk, asked before every call;
* ``events (site_id, at)``: the calls of the last hours for the display;
* ``pickups (site_id, status, created_at, id)`` replaces ``(site_id, status)``, and
  ``pickups (site_id, created_at, id)``: the pickup desk's lists, newest first, of one status or all;
* ``cases.purged_at``: when a finished ticket's case notes, case reference and forwarding
  reason were erased (``TRESEN_CASE_PURGE_DAYS``); None while they are kept. Indexed with
  ``updated_at``: the purge reads the cases not purged and last changed before its cut-off.

Existing rows keep their data; cases are marked when the server's housekeeping erases them.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_site_status_finished", "tickets", ["site_id", "status", "finished_at"]
    )
    op.drop_index("ix_tickets_site_status", table_name="tickets")
    op.create_index("ix_tickets_desk_status", "tickets", ["desk_id", "status"])
    op.create_index("ix_events_site_at", "events", ["site_id", "at"])
    op.create_index(
        "ix_pickups_site_status_created", "pickups", ["site_id", "status", "created_at", "id"]
    )
    op.drop_index("ix_pickups_site_status", table_name="pickups")
    op.create_index("ix_pickups_site_created", "pickups", ["site_id", "created_at", "id"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("purged_at", UTCDateTime(), nullable=True))
    op.create_index("ix_cases_purged_updated", "cases", ["purged_at", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_purged_updated", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("purged_at")
    op.drop_index("ix_pickups_site_created", table_name="pickups")
    op.create_index("ix_pickups_site_status", "pickups", ["site_id", "status"])
    op.drop_index("ix_pickups_site_status_created", table_name="pickups")
    op.drop_index("ix_events_site_at", table_name="events")
    op.drop_index("ix_tickets_desk_status", table_name="tickets")
    op.create_index("ix_tickets_site_status", "tickets", ["site_id", "status"])
    op.drop_index("ix_tickets_site_status_finished", table_name="tickets")
