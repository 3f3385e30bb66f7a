"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
an existing database is brought up to date with its data kept."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from central_server import migrate
from central_server.db import Base, Database


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    from tests.conftest import _pg_execute, _pg_url

    request.getfixturevalue("postgres_template")  # skips where PostgreSQL is absent
    name = f"tresen_m_{abs(hash(str(tmp_path))) % 10**10}"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}"')
    _pg_execute(f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return _pg_url(name)


def test_the_migrated_schema_is_the_models_schema(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert differences == []


def test_numbers_given_before_the_prefix_counters_continue_after(
    empty_database_url: str,
) -> None:
    """Upgrading from 0002: today's counters are rebuilt from the tickets already given."""
    from alembic import command

    db = Database(empty_database_url)
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sites (id, slug, name, timezone, last_event_seq) "
                "VALUES (1, 's', 'S', 'Europe/Berlin', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO services (id, site_id, key, prefix, names, hints, hours, "
                "target_wait_minutes, default_service_minutes, checklist, position, active) "
                "VALUES (1, 1, 'a', 'A', '{}', '{}', '{}', 20, 10, '[]', 0, true)"
            )
        )
        for number in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO tickets (site_id, service_id, day, number, prefix, priority, "
                    "language, status, status_token, created_at, queued_at, recall_count, "
                    "transfer_count) VALUES (1, 1, :day, :n, 'A', 'normal', 'de', 'waiting', "
                    ":token, :now, :now, 0, 0)"
                ),
                {
                    "day": date(2026, 11, 23),
                    "n": number,
                    "token": f"t{number}",
                    "now": "2026-11-23 08:00:00+00:00",
                },
            )
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT prefix, last_number FROM ticket_counters WHERE site_id = 1")
        ).one()
    db.dispose()
    assert tuple(row) == ("A", 3)


def test_tickets_and_devices_from_before_0004_keep_their_data(empty_database_url: str) -> None:
    """Upgrading from 0003: tickets given so far were issued online; no printer has reported."""
    from alembic import command

    db = Database(empty_database_url)
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sites (id, slug, name, timezone, last_event_seq) "
                "VALUES (1, 's', 'S', 'Europe/Berlin', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO services (id, site_id, key, prefix, names, hints, hours, "
                "target_wait_minutes, default_service_minutes, checklist, position, active) "
                "VALUES (1, 1, 'a', 'A', '{}', '{}', '{}', 20, 10, '[]', 0, true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO tickets (site_id, service_id, day, number, prefix, priority, "
                "language, status, status_token, created_at, queued_at, recall_count, "
                "transfer_count) VALUES (1, 1, :day, 7, 'A', 'normal', 'de', 'waiting', "
                "'t7', :now, :now, 0, 0)"
            ),
            {"day": date(2026, 11, 30), "now": "2026-11-30 08:00:00+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO devices (site_id, name, kind, created_at) "
                "VALUES (1, 'lobby-kiosk', 'kiosk', :now)"
            ),
            {"now": "2026-11-30 08:00:00+00:00"},
        )
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        ticket = connection.execute(text("SELECT number, issued_offline FROM tickets")).one()
        device = connection.execute(
            text("SELECT name, printer_state, printer_detail, printer_state_since FROM devices")
        ).one()
        leases = connection.execute(text("SELECT count(*) FROM number_leases")).scalar()
    db.dispose()
    assert (ticket[0], bool(ticket[1])) == (7, False)
    assert tuple(device) == ("lobby-kiosk", None, "", None)
    assert leases == 0


def test_pickups_from_before_0005_have_no_expected_day(empty_database_url: str) -> None:
    """Upgrading from 0004: pickups ordered so far keep everything and have no expected day."""
    from alembic import command

    db = Database(empty_database_url)
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sites (id, slug, name, timezone, last_event_seq) "
                "VALUES (1, 's', 'S', 'Europe/Berlin', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO pickups (site_id, token_hash, document_kind, document_detail, "
                "case_reference, holder_name, status, created_at, created_by) VALUES (1, 'h', "
                "'passport', '', 'AZ-1', 'Name', 'ordered', :now, 'clerk1')"
            ),
            {"now": "2026-11-30 08:00:00+00:00"},
        )
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        pickup = connection.execute(
            text("SELECT token_hash, holder_name, status, expected_ready_on FROM pickups")
        ).one()
    db.dispose()
    assert tuple(pickup) == ("h", "Name", "ordered", None)


def test_tickets_and_cases_from_before_0008_keep_their_data(empty_database_url: str) -> None:
    """Upgrading from 0006: finished tickets and their cases stay as they were, their case text
    not yet erased (``purged_at`` empty); the housekeeping's purge then erases the old text."""
    from alembic import command
    from sqlalchemy import inspect

    from central_server.tickets import purge

    db = Database(empty_database_url)
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sites (id, slug, name, timezone, last_event_seq) "
                "VALUES (1, 's', 'S', 'Europe/Berlin', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO services (id, site_id, key, prefix, names, hints, hours, "
                "target_wait_minutes, default_service_minutes, checklist, position, active) "
                "VALUES (1, 1, 'a', 'A', '{}', '{}', '{}', 20, 10, '[]', 0, true)"
            )
        )
        for number, finished in ((1, "2026-09-01 09:00:00+00:00"), (2, None)):
            connection.execute(
                text(
                    "INSERT INTO tickets (id, site_id, service_id, day, number, prefix, "
                    "priority, language, status, status_token, created_at, queued_at, "
                    "started_at, finished_at, recall_count, transfer_count, issued_offline) "
                    "VALUES (:n, 1, 1, :day, :n, 'A', 'normal', 'de', :status, :token, :at, "
                    ":at, :at, :finished, 0, 0, false)"
                ),
                {
                    "n": number,
                    "day": date(2026, 9, 1),
                    "status": "done" if finished else "serving",
                    "token": f"t{number}",
                    "at": "2026-09-01 08:50:00+00:00",
                    "finished": finished,
                },
            )
            connection.execute(
                text(
                    "INSERT INTO cases (ticket_id, steps_done, outcome, notes, case_reference, "
                    "forward_reason, extra, updated_at) VALUES (:n, '[\"id_checked\"]', "
                    "'completed', 'Notiz', 'AZ-1', 'Grund', '{}', :at)"
                ),
                {"n": number, "at": "2026-09-01 09:00:00+00:00"},
            )
    migrate.upgrade(db.engine)
    cases = "SELECT ticket_id, steps_done, outcome, notes, case_reference, forward_reason, "
    with db.engine.connect() as connection:
        kept = connection.execute(text(cases + "purged_at FROM cases ORDER BY ticket_id")).all()
        indexes = {ix["name"] for ix in inspect(connection).get_indexes("tickets")}
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in kept] == [
        (1, "completed", "Notiz", "AZ-1", "Grund", None),
        (2, "completed", "Notiz", "AZ-1", "Grund", None),
    ]
    assert {"ix_tickets_site_status_finished", "ix_tickets_desk_status"} <= indexes
    assert purge.purge_case_text(db, 30) == 1
    with db.engine.connect() as connection:
        after = connection.execute(text(cases + "purged_at FROM cases ORDER BY ticket_id")).all()
        finished = connection.execute(text("SELECT status, finished_at FROM tickets")).all()
    db.dispose()
    assert [(r[0], r[2], r[3], r[4], r[5], r[6] is None) for r in after] == [
        (1, "completed", "", "", "", False),
        (2, "completed", "Notiz", "AZ-1", "Grund", True),
    ]
    assert sorted(row[0] for row in finished) == ["done", "serving"]
