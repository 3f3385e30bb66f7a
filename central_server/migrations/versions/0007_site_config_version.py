"""A site's configuration version

``sites.config_version`` counts the changes of a site's services, desks (with their services and
their state) in any process; a server process keeps the site's configuration in memory and reads
it again only when the counter it reads with the site's row has moved
(``central_server.sites.config``).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(
            sa.Column("config_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("config_version")
