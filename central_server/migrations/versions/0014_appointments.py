"""Appointments (issue 15)

* ``appointments``: the booking system's appointments of a site (no names), looked up by
  normalised code and site at the kiosk;
* ``appointment_misses``: the missed appointments counted per site, local day, hour and
  service, kept after the appointments are deleted;
* ``tickets.appointment_at``, ``tickets.appointment_late``: a ticket drawn by checking in an
  appointment;
* ``services.appointment_check_in_before_minutes`` / ``..._after_minutes``: the check-in window;
* ``sites.appointment_lead_minutes``, ``sites.appointments_in_a_row``,
  ``sites.late_appointments``: from the site file;
* ``figures.appointment_missed``.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from central_server.models._types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("code_normalised", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_appointments_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_appointments_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint(
            "site_id", "external_id", name=op.f("uq_appointments_site_id_external_id")
        ),
    )
    op.create_index("ix_appointments_code_site", "appointments", ["code_normalised", "site_id"])
    op.create_index("ix_appointments_site_day", "appointments", ["site_id", "day"])
    op.create_index("ix_appointments_state_starts", "appointments", ["state", "starts_at"])
    op.create_table(
        "appointment_misses",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_appointment_misses_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "site_id", "day", "hour", "service_id", name=op.f("pk_appointment_misses")
        ),
    )
    # Plain ALTER TABLE: SQLite's batch mode would copy the table, and dropping the old one
    # would cascade to every row that refers to it.
    op.add_column("tickets", sa.Column("appointment_at", UTCDateTime(), nullable=True))
    op.add_column(
        "tickets",
        sa.Column("appointment_late", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "services",
        sa.Column(
            "appointment_check_in_before_minutes",
            sa.Integer(),
            nullable=False,
            server_default="30",
        ),
    )
    op.add_column(
        "services",
        sa.Column(
            "appointment_check_in_after_minutes", sa.Integer(), nullable=False, server_default="10"
        ),
    )
    op.add_column(
        "sites",
        sa.Column("appointment_lead_minutes", sa.Integer(), nullable=False, server_default="2"),
    )
    op.add_column(
        "sites",
        sa.Column("appointments_in_a_row", sa.Integer(), nullable=False, server_default="3"),
    )
    op.add_column(
        "sites",
        sa.Column(
            "late_appointments", sa.String(length=8), nullable=False, server_default="refuse"
        ),
    )
    op.add_column(
        "figures",
        sa.Column("appointment_missed", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("appointment_missed")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("late_appointments")
        batch.drop_column("appointments_in_a_row")
        batch.drop_column("appointment_lead_minutes")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("appointment_check_in_after_minutes")
        batch.drop_column("appointment_check_in_before_minutes")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("appointment_late")
        batch.drop_column("appointment_at")
    op.drop_table("appointment_misses")
    op.drop_index("ix_appointments_state_starts", table_name="appointments")
    op.drop_index("ix_appointments_site_day", table_name="appointments")
    op.drop_index("ix_appointments_code_site", table_name="appointments")
    op.drop_table("appointments")
