"""What the statistics need (issue 14)

* ``tickets.estimated_wait_minutes``: the wait a citizen was told at issue, to report how
  accurate the estimates were (tickets issued before this have none);
* ``sites.organisation`` and ``organisation_name``: who a site works for, for reports across an
  organisation's sites;
* ``ticket_feedback``: one anonymous score (1–5) per finished ticket, from the status page.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("estimated_wait_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("organisation", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("organisation_name", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_sites_organisation"), ["organisation"])
    op.create_table(
        "ticket_feedback",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_feedback_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_ticket_feedback_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_ticket_feedback_service_id_services")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_feedback")),
    )
    op.create_index("ix_ticket_feedback_site_day", "ticket_feedback", ["site_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_ticket_feedback_site_day", table_name="ticket_feedback")
    op.drop_table("ticket_feedback")
    with op.batch_alter_table("sites") as batch:
        batch.drop_index(batch.f("ix_sites_organisation"))
        batch.drop_column("organisation_name")
        batch.drop_column("organisation")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("estimated_wait_minutes")
