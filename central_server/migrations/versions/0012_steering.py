"""Steering an office (issue 14)

* ``sites.amber_share``, ``sites.desk_idle_minutes``: the supervisor board's site settings (from
  the site file): from which share of its target a service's longest wait shows amber, and
  after how many minutes an open desk without a ticket, while people wait for it, is an alert;
* ``services.daily_limit``: a service's daily contingent of tickets (None: none);
  ``services.amber_share``: the service's own share (None: the site's);
  ``services.issuing_stopped_on``, ``issuing_stop_reason``: a supervisor stopped issuing the
  service's tickets for that local day;
* ``ticket_counters.issued``: the tickets issued under a prefix that day (online and uploaded
  from offline), for the contingent; counted here from the tickets already given;
* ``cases.cancel_reason``: why a supervisor cancelled a ticket (free text, erased with the
  case's other text).

Revision ID: 0012
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("amber_share", sa.Float(), nullable=False, server_default="0.8"))
        batch.add_column(
            sa.Column("desk_idle_minutes", sa.Integer(), nullable=False, server_default="2")
        )
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("daily_limit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("amber_share", sa.Float(), nullable=True))
        batch.add_column(sa.Column("issuing_stopped_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("issuing_stop_reason", sa.String(length=20), nullable=True))
    with op.batch_alter_table("ticket_counters") as batch:
        batch.add_column(sa.Column("issued", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=False, server_default=""))
    # The tickets already given count (through the unique index on site, prefix, day, number).
    op.execute(
        "UPDATE ticket_counters SET issued = (SELECT count(*) FROM tickets "
        "WHERE tickets.site_id = ticket_counters.site_id "
        "AND tickets.prefix = ticket_counters.prefix AND tickets.day = ticket_counters.day)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("cancel_reason")
    with op.batch_alter_table("ticket_counters") as batch:
        batch.drop_column("issued")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("issuing_stop_reason")
        batch.drop_column("issuing_stopped_on")
        batch.drop_column("amber_share")
        batch.drop_column("daily_limit")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("desk_idle_minutes")
        batch.drop_column("amber_share")
