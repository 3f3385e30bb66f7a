"""The statistics' figures by desk and by clerk with a split in time (issue 14)

New levels of ``figures`` (``central_server.statistics.figures.LEVELS``): a day by desk, a day by
hour and desk, a month by hour and desk, a month by weekday, hour and desk, and the same by hour
for clerks (where the site file allows figures per clerk); and a day by hour and service, for the
days around whole months of a period split by hour and service, and a month by weekday, hour and
service. Without them a split by desk or clerk and by hour or day (the supervisor's charts split
so) read every ticket of the period: a year of an organisation by day and desk took half a minute.
The figures are derived, never the source: the rows are removed and every site's ``figures_until``
forgotten, so the next request (or ``tresen admin sum-up-figures``, upgrade step 5) sums the past
up again, with the new levels.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM figures")
    op.execute("UPDATE sites SET figures_until = NULL")


def downgrade() -> None:
    # the older version knows fewer levels: it sums the past up again without them
    op.execute("DELETE FROM figures")
    op.execute("UPDATE sites SET figures_until = NULL")
