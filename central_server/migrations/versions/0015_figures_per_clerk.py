"""The statistics' figures per clerk (issue 14)

``figures`` gets the clerk as a dimension of its key (``clerk_id``, 0 where a level does not
split by clerk), so figures per clerk are read from a few summed-up rows instead of a year of
tickets. The figures are derived, never the source: the table is made anew, empty, and every
site's ``figures_until`` forgotten, so the next request (or ``tresen admin sum-up-figures``)
sums the past up again from the tickets.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

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
    "appointment_missed",
)
SUMS = ("wait_seconds", "handling_seconds")


def _create_figures(key: tuple[str, ...]) -> None:
    op.create_table(
        "figures",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        *([sa.Column("clerk_id", sa.Integer(), nullable=False)] if "clerk_id" in key else []),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTS],
        *[sa.Column(name, sa.Float(), nullable=False, server_default="0") for name in SUMS],
        sa.Column("bars", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_figures_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_figures")),
    )


_KEY = ("site_id", "level", "day", "hour", "weekday", "service_id", "desk_id")


def upgrade() -> None:
    op.drop_table("figures")
    _create_figures((*_KEY, "clerk_id"))
    op.execute("UPDATE sites SET figures_until = NULL")


def downgrade() -> None:
    op.drop_table("figures")
    _create_figures(_KEY)
    op.execute("UPDATE sites SET figures_until = NULL")
