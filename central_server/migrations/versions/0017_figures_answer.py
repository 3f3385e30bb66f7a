"""The figures a summed-up row answers with, written once (issue 14)

* ``figures.answer``: the row's figures as the API writes them (JSON), for the rows that answer
  a group alone (a day and a service of a site); empty for the others. Rows summed up before
  this get theirs from ``tresen admin sum-up-figures`` or the server's hourly sum-up; until
  then a request makes them as before.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("figures", sa.Column("answer", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("answer")
