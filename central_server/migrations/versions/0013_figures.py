"""The statistics' figures (issue 14)

* ``tickets.first_called_at``: the first call (a recall or a later call after a transfer does not
  move the wait); filled from ``called_at`` for the tickets already kept;
* ``tickets.served_by_user_id``: the clerk who served the ticket last (started, finished it or
  marked it as no-show), for per-clerk figures where the site file allows them;
* ``sites.staff_statistics``, ``sites.service_level_goal``: from the site file;
  ``sites.figures_until``: the last local day whose figures are summed up in ``figures``
  (None: none yet);
* ``figures``: a site's tickets summed up per local day or per month (``level``: which, and
  split by which of hour, weekday, service and desk; a dimension the level leaves out holds -1
  or 0), with counts, sums and the histograms the percentiles are read from (``bars``).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_KEY = ("site_id", "level", "day", "hour", "weekday", "service_id", "desk_id")

COUNTS = (
    "arrivals",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "called",
    "within_target",
    "handled",
    "walk_in",
    "appointment",
    "urgent",
    "offline",
)
SUMS = ("wait_seconds", "handling_seconds")


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("first_called_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("served_by_user_id", sa.Integer(), nullable=True))
    op.execute("UPDATE tickets SET first_called_at = called_at WHERE called_at IS NOT NULL")
    # Plain ALTER TABLE: SQLite's batch mode would copy the sites table, and dropping the old
    # one would cascade to every row that refers to a site.
    op.add_column(
        "sites",
        sa.Column("staff_statistics", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "sites", sa.Column("service_level_goal", sa.Float(), nullable=False, server_default="0.8")
    )
    op.add_column("sites", sa.Column("figures_until", sa.Date(), nullable=True))
    op.create_table(
        "figures",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTS],
        *[sa.Column(name, sa.Float(), nullable=False, server_default="0") for name in SUMS],
        sa.Column("bars", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_figures_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_figures")),
    )


def downgrade() -> None:
    op.drop_table("figures")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("figures_until")
        batch.drop_column("service_level_goal")
        batch.drop_column("staff_statistics")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("served_by_user_id")
        batch.drop_column("first_called_at")
