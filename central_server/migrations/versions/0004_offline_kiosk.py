"""Offline numbers for the kiosk, tickets issued offline, printer state of devices

A kiosk keeps issuing tickets while the server is unreachable, with numbers the server leased
to it beforehand (``number_leases``), and uploads them later (``tickets.issued_offline``). It
reports faults of its ticket printer, kept on its ``devices`` row.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import central_server.models._types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("prefix", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", central_server.models._types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_number_leases_device_id_devices",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_number_leases_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_number_leases"),
        sa.UniqueConstraint(
            "site_id", "prefix", "day", "first", name="uq_number_leases_site_id_prefix_day_first"
        ),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("issued_offline", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("printer_state", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("printer_detail", sa.String(length=200), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "printer_state_since",
                central_server.models._types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("printer_state_since")
        batch.drop_column("printer_detail")
        batch.drop_column("printer_state")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("issued_offline")
    op.drop_table("number_leases")
