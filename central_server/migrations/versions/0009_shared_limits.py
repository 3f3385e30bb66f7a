"""Rate limits shared by every server process

``rate_limit_counters``: failed sign-ins, wrong pickup scans and unknown status-page links,
counted per key (a scope and a digest) in a window of a minute, so that several server processes
on one database allow together what one allows. Counts kept in the processes' memory before are
not carried over (they lasted a minute).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
