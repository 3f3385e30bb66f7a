"""Replaced pickup receipts (issue 16)

* ``replaced_receipts``: the digests of receipts replaced by a new one (lost by the citizen),
  so that scanning an old one says it was replaced.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replaced_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pickup_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pickup_id"],
            ["pickups.id"],
            name=op.f("fk_replaced_receipts_pickup_id_pickups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replaced_receipts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_replaced_receipts_token_hash")),
    )
    op.create_index(
        op.f("ix_replaced_receipts_pickup_id"), "replaced_receipts", ["pickup_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_replaced_receipts_pickup_id"), table_name="replaced_receipts")
    op.drop_table("replaced_receipts")
