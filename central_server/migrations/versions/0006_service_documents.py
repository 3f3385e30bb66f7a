"""The documents a service orders

``services.documents``: what the service orders for a citizen (kind, detail, usual weeks), from
the site file; the clerk's "document ordered" dialog suggests them. Services set up before
order nothing until their site file is applied again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("documents", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.drop_column("documents")
