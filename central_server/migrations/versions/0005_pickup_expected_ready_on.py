"""The day a pickup's document is expected

``pickups.expected_ready_on``: the clerk's estimate, given when ordering, of the day the
document arrives; the kiosk names it to a citizen who comes too early. Pickups ordered before
have none.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pickups") as batch:
        batch.add_column(sa.Column("expected_ready_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pickups") as batch:
        batch.drop_column("expected_ready_on")
