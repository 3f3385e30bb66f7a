"""Ticket numbers unique per prefix letter, not per service id

A ticket transferred to another service keeps its printed number (A001 stays A001 in C's
queue). Keyed by service id, the number then clashed with the new service's own numbers, and
the service's counter could never get past it that day. The printed number is what must not
repeat, so tickets and their counters are keyed by (site, prefix, day).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("uq_tickets_site_id_service_id_day_number", type_="unique")
        batch.create_unique_constraint(
            "uq_tickets_site_id_prefix_day_number", ["site_id", "prefix", "day", "number"]
        )
    op.drop_table("ticket_counters")
    counters = op.create_table(
        "ticket_counters",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_ticket_counters_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "prefix", "day", name="pk_ticket_counters"),
    )
    # The counters follow from the tickets already given.
    tickets = sa.table(
        "tickets",
        sa.column("site_id", sa.Integer),
        sa.column("prefix", sa.String),
        sa.column("day", sa.Date),
        sa.column("number", sa.Integer),
    )
    op.execute(
        counters.insert().from_select(
            ["site_id", "prefix", "day", "last_number"],
            sa.select(
                tickets.c.site_id, tickets.c.prefix, tickets.c.day, sa.func.max(tickets.c.number)
            ).group_by(tickets.c.site_id, tickets.c.prefix, tickets.c.day),
        )
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
    counters = op.create_table(
        "ticket_counters",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"],
            name="fk_ticket_counters_service_id_services", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_ticket_counters_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "service_id", "day", name="pk_ticket_counters"),
    )
    tickets = sa.table(
        "tickets",
        sa.column("site_id", sa.Integer),
        sa.column("service_id", sa.Integer),
        sa.column("day", sa.Date),
        sa.column("number", sa.Integer),
    )
    op.execute(
        counters.insert().from_select(
            ["site_id", "service_id", "day", "last_number"],
            sa.select(
                tickets.c.site_id, tickets.c.service_id, tickets.c.day,
                sa.func.max(tickets.c.number),
            ).group_by(tickets.c.site_id, tickets.c.service_id, tickets.c.day),
        )
    )
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("uq_tickets_site_id_prefix_day_number", type_="unique")
        batch.create_unique_constraint(
            "uq_tickets_site_id_service_id_day_number", ["site_id", "service_id", "day", "number"]
        )
