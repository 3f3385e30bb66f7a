"""Appointments (issue 15) over HTTP on the real server, with the server's clock in the test's
hand (``tests.support.scripted_day.Clock``): the booking system pushes them, the kiosk checks
them in at the edges of their window, time turns the forgotten ones into no-shows, and the
purge deletes them after their day while the statistics keep the count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from central_server import cli
from central_server.admin import site_file
from central_server.appointments import service as appointments_service
from central_server.models import Appointment, Event, Site
from tests.support.api import act, assert_error, call_next, queue
from tests.support.live_server import ApiClient, LiveServer
from tests.support.scripted_day import DAY, ZONE, Clock
from tests.support.sites import SECOND_KIOSK_TOKEN, SECOND_SITE, add_second_site, demo_spec

BOOKING_TOKEN = "demo-booking"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock().install(monkeypatch)
    clock.at("09:00")
    return clock


@pytest.fixture
def booking(server: LiveServer) -> ApiClient:
    """The booking system's device (kind integration)."""
    return server.client(BOOKING_TOKEN)


@pytest.fixture
def supervisor(server: LiveServer) -> ApiClient:
    return server.client(server.login("supervisor"))


def at(hhmm: str, day: date = DAY) -> str:
    """``hhmm`` local time on ``day`` as the booking system sends it (ISO 8601, offset)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZONE).isoformat()


def appointment(external_id: str, code: str, service_id: int, hhmm: str, **more: Any) -> dict:
    return {
        "external_id": external_id,
        "code": code,
        "service_id": service_id,
        "starts_at": at(hhmm, more.pop("day", DAY)),
        **more,
    }


def push(client: ApiClient, *items: dict[str, Any], site: str = "demo") -> Any:
    return client.post(f"/sites/{site}/appointments", json={"appointments": list(items)})


def pushed(client: ApiClient, *items: dict[str, Any]) -> dict[str, list[str]]:
    answer = push(client, *items)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def day_list(client: ApiClient, day: date = DAY) -> dict[str, dict[str, Any]]:
    answer = client.get("/sites/demo/appointments", params={"day": day.isoformat()})
    assert answer.status_code == 200, answer.text
    assert answer.json()["day"] == day.isoformat()
    return {a["external_id"]: a for a in answer.json()["appointments"]}


def check_in(kiosk: ApiClient, code: str, site: str = "demo", **more: Any) -> Any:
    return kiosk.post(f"/sites/{site}/appointments/check-in", json={"code": code, **more})


def events(server: LiveServer, prefix: str) -> list[Event]:
    assert server.db is not None
    with server.db.read_session() as session:
        query = select(Event).where(Event.type.like(f"{prefix}%")).order_by(Event.id)
        return list(session.scalars(query))


def rows(server: LiveServer) -> list[tuple[str, str, str, datetime]]:
    """Every appointment as stored: external id, normalised code, state, time."""
    assert server.db is not None
    with server.db.read_session() as session:
        query = select(
            Appointment.external_id,
            Appointment.code_normalised,
            Appointment.state,
            Appointment.starts_at,
        ).order_by(Appointment.external_id)
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def set_site(server: LiveServer, **site: Any) -> None:
    spec = demo_spec()
    spec["site"].update(site)
    assert server.db is not None
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))


# The booking system ----------------------------------------------------------------------


def test_push_again_update_and_list(server, clock, booking, clerk, services):
    first = [
        appointment("T-1", "ab-12 34", services["A"], "10:00", language="tr"),
        appointment("T-2", "CD5678", services["B"], "10:15"),
        appointment("T-3", "EF9012", services["A"], "11:00", day=DAY + timedelta(days=1)),
    ]
    assert pushed(booking, *first) == {
        "created": ["T-1", "T-2", "T-3"],
        "updated": [],
        "unchanged": [],
    }
    # The same push again changes nothing.
    assert pushed(booking, *first) == {
        "created": [],
        "updated": [],
        "unchanged": ["T-1", "T-2", "T-3"],
    }
    # A moved appointment and a new code; T-3 left out of this push stays as it is.
    moved = appointment("T-1", "ab-12 34", services["A"], "10:30", language="tr")
    recoded = appointment("T-2", "CD-5679", services["B"], "10:15")
    assert pushed(booking, moved, recoded) == {
        "created": [],
        "updated": ["T-1", "T-2"],
        "unchanged": [],
    }
    assert [(r[0], r[1], r[2]) for r in rows(server)] == [
        ("T-1", "AB1234", "booked"),
        ("T-2", "CD5679", "booked"),
        ("T-3", "EF9012", "booked"),
    ]
    today = day_list(clerk)  # clerks read the day's list
    assert list(today) == ["T-2", "T-1"]  # by time
    assert today["T-1"] == {
        "external_id": "T-1",
        "service_id": services["A"],
        "starts_at": "2026-12-01T10:30:00+01:00",
        "language": "tr",
        "state": "booked",
        "check_in_from": "2026-12-01T10:00:00+01:00",
        "check_in_until": "2026-12-01T10:40:00+01:00",
        "ticket_number": None,
    }
    assert list(day_list(clerk, DAY + timedelta(days=1))) == ["T-3"]
    # One event per push that changed something; no code in the log.
    assert [(e.type, e.data) for e in events(server, "appointments.")] == [
        ("appointments.pushed", {"created": 3, "updated": 0}),
        ("appointments.pushed", {"created": 0, "updated": 2}),
    ]
    assert all("AB1234" not in str(e.data) for e in events(server, ""))


def test_a_wrong_push_changes_nothing(server, clock, booking, services):
    good = appointment("G-1", "GOOD1", services["A"], "10:00")
    naive = {
        **appointment("N-1", "NAIVE1", services["A"], "10:00"),
        "starts_at": "2026-12-01T10:00:00",
    }
    body = assert_error(push(booking, good, naive), 422, "appointment_time_without_zone")
    assert body["details"]["external_id"] == "N-1"
    assert "time zone" in body["message"] or "Zeitzone" in body["message"]
    assert_error(
        push(booking, good, appointment("U-1", "UNKNOWN1", 999_999, "10:00")),
        422,
        "unknown_service",
    )
    assert_error(push(booking, good, good), 422, "appointment_given_twice")
    assert_error(
        push(booking, good, appointment("S-1", "g-o-o-d 1", services["B"], "12:00")),
        422,
        "appointment_code_taken",
    )
    assert_error(
        push(booking, appointment("E-1", " - ", services["A"], "10:00")),
        422,
        "appointment_code_empty",
    )
    missing_time = {k: v for k, v in good.items() if k != "starts_at"}
    assert_error(push(booking, missing_time), 422, "invalid_input")
    assert rows(server) == []
    assert events(server, "appointment") == []
    # The same code on another day is fine (codes are unique per day).
    other_day = appointment("S-1", "GOOD1", services["B"], "12:00", day=DAY + timedelta(days=1))
    assert pushed(booking, good, other_day)["created"] == ["G-1", "S-1"]


def test_who_may_do_what(server, clock, booking, supervisor, clerk, kiosk, display, services):
    one = appointment("R-1", "ROLE1", services["A"], "09:10")
    for refused in (kiosk, display, clerk):
        assert_error(push(refused, one), 403, "forbidden_role")
        assert_error(refused.delete("/sites/demo/appointments/R-1"), 403, "forbidden_role")
    for refused in (kiosk, display):
        assert_error(refused.get("/sites/demo/appointments"), 403, "forbidden_role")
    assert_error(check_in(booking, "ROLE1"), 403, "forbidden_role")
    assert_error(
        booking.post("/sites/demo/tickets", json={"service_id": services["A"]}),
        403,
        "forbidden_role",
    )
    assert rows(server) == []
    assert pushed(supervisor, one)["created"] == ["R-1"]
    assert pushed(booking, one)["unchanged"] == ["R-1"]
    assert list(day_list(booking)) == ["R-1"]
    assert list(day_list(supervisor)) == ["R-1"]
    # Another site's supervisor may not touch ours.
    assert server.db is not None
    add_second_site(server.db)
    other = server.client(server.login("zsupervisor"))
    assert_error(push(other, one), 403, "forbidden_site")
    assert_error(other.get("/sites/demo/appointments"), 403, "forbidden_site")


def test_cancelling(server, clock, booking, kiosk, services):
    pushed(booking, appointment("C-1", "CANCEL1", services["A"], "09:10"))
    answer = booking.delete("/sites/demo/appointments/C-1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "cancelled"
    assert booking.delete("/sites/demo/appointments/C-1").json()["state"] == "cancelled"
    assert_error(booking.delete("/sites/demo/appointments/NOPE"), 404, "appointment_not_found")
    assert [e.type for e in events(server, "appointment.")] == ["appointment.cancelled"]
    assert_error(check_in(kiosk, "cancel1"), 409, "appointment_cancelled")
    # Pushed again with a change (rebooked), it is booked again.
    pushed(booking, appointment("C-1", "CANCEL1", services["A"], "09:20"))
    assert day_list(booking)["C-1"]["state"] == "booked"
    # A booking system's id with a slash (sent encoded) is cancelled like any other.
    pushed(booking, appointment("2026/12/B-7", "SLASH1", services["A"], "09:30"))
    answer = booking.delete("/sites/demo/appointments/2026%2F12%2FB-7")
    assert answer.status_code == 200, answer.text
    assert day_list(booking)["2026/12/B-7"]["state"] == "cancelled"


# The kiosk -------------------------------------------------------------------------------


def test_checking_in_draws_an_appointment_ticket(server, clock, booking, kiosk, clerk, services):
    pushed(
        booking,
        appointment("K-1", "ZMS-4711 0815", services["A"], "09:10", language="uk"),
        appointment("K-2", "ZMS47110816", services["A"], "09:20"),
    )
    # Typed in lower case with spaces and dashes, as it is printed.
    answer = check_in(kiosk, "zms 4711-0815\t", language="ar")
    assert answer.status_code == 201, answer.text
    ticket = answer.json()
    assert ticket["priority"] == "appointment"
    assert ticket["number"].startswith("A")
    assert ticket["language"] == "uk"  # the booking's, not the kiosk's
    assert ticket["appointment_late"] is False
    assert datetime.fromisoformat(ticket["appointment_at"]) == datetime(
        2026, 12, 1, 8, 10, tzinfo=UTC
    )
    assert ticket["status_token"]
    # Without a language in the booking, the kiosk's.
    second = check_in(kiosk, "ZMS47110816", language="ar").json()
    assert second["language"] == "ar" and second["priority"] == "appointment"
    # Checking in again names the number already given.
    again = assert_error(check_in(kiosk, "ZMS-4711-0815"), 409, "appointment_checked_in")
    assert again["details"]["number"] == ticket["number"]
    # The desks see the appointment's time with the ticket.
    waiting = {t["number"]: t for t in queue(clerk)["waiting"]}
    assert datetime.fromisoformat(waiting[ticket["number"]]["appointment_at"]) == datetime(
        2026, 12, 1, 8, 10, tzinfo=UTC
    )
    listed = day_list(clerk)
    assert (listed["K-1"]["state"], listed["K-1"]["ticket_number"]) == (
        "checked_in",
        ticket["number"],
    )
    # The appointment follows its ticket: called, then done.
    called = call_next(clerk, "1")
    assert called is not None and called["number"] == ticket["number"]
    assert called["appointment_at"] is not None
    assert day_list(clerk)["K-1"]["state"] == "called"
    act(clerk, called["id"], "start")
    act(clerk, called["id"], "finish", {"outcome": "completed"})
    assert day_list(clerk)["K-1"]["state"] == "done"
    checked_in = events(server, "appointment.checked_in")
    assert [e.ticket_id for e in checked_in] == [ticket["id"], second["id"]]
    created = [e for e in events(server, "ticket.created") if e.ticket_id == ticket["id"]]
    assert created and created[0].data["ticket"]["priority"] == "appointment"


def test_the_window_at_its_edges(server, clock, booking, kiosk, services):
    # Service A: from 30 minutes before to 10 minutes after, both included.
    pushed(
        booking,
        appointment("W-1", "EARLY1", services["A"], "10:00"),
        appointment("W-2", "LATE1", services["A"], "11:00"),
    )
    clock.now = datetime(2026, 12, 1, 9, 30, tzinfo=ZONE).astimezone(UTC) - timedelta(seconds=1)
    early = assert_error(check_in(kiosk, "EARLY1"), 409, "appointment_too_early")
    assert early["details"]["check_in_from"] == "2026-12-01T09:30:00+01:00"
    assert early["details"]["starts_at"] == "2026-12-01T10:00:00+01:00"
    clock.at("09:30")
    assert check_in(kiosk, "EARLY1").status_code == 201
    clock.at("11:10")
    assert check_in(kiosk, "LATE1").status_code == 201

    pushed(booking, appointment("W-3", "LATE2", services["A"], "11:00"))
    clock.now = clock.at("11:10") + timedelta(seconds=1)
    late = assert_error(check_in(kiosk, "LATE2"), 409, "appointment_too_late")
    assert late["details"]["check_in_until"] == "2026-12-01T11:10:00+01:00"
    # Past its window it is missed (the list marks it before it is read).
    assert day_list(booking)["W-3"]["state"] == "no_show"


def test_windows_come_from_the_site_file(server, clock, booking, kiosk, services):
    spec = demo_spec()
    service_a = next(s for s in spec["services"] if s["prefix"] == "A")
    service_a["appointment_check_in_before_minutes"] = 5
    service_a["appointment_check_in_after_minutes"] = 0
    assert server.db is not None
    changes = site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    assert changes == [
        "service A (registration): appointment_check_in_before_minutes, "
        "appointment_check_in_after_minutes updated"
    ]
    pushed(booking, appointment("F-1", "FILE1", services["A"], "10:00"))
    clock.at("09:54")
    assert_error(check_in(kiosk, "FILE1"), 409, "appointment_too_early")
    clock.now = clock.at("10:00") + timedelta(seconds=1)
    assert_error(check_in(kiosk, "FILE1"), 409, "appointment_too_late")


def test_a_late_citizen_may_come_in_as_a_walk_in(server, clock, booking, kiosk, services):
    set_site(server, late_appointments="walk_in")
    pushed(booking, appointment("L-1", "LATE3", services["B"], "09:00"))
    clock.at("09:40")
    answer = check_in(kiosk, "late3")
    assert answer.status_code == 201, answer.text
    ticket = answer.json()
    assert (ticket["priority"], ticket["appointment_late"]) == ("normal", True)
    assert datetime.fromisoformat(ticket["appointment_at"]) == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )
    assert day_list(booking)["L-1"]["state"] == "checked_in"


def test_codes_not_found_say_why(server, clock, booking, kiosk, services):
    pushed(
        booking,
        appointment("D-1", "TOMORROW1", services["A"], "10:00", day=DAY + timedelta(days=1)),
    )
    unknown = assert_error(check_in(kiosk, "NOSUCHCODE"), 404, "appointment_not_found")
    assert unknown["details"] == {"reason": "unknown"}
    other_day = assert_error(check_in(kiosk, "tomorrow-1"), 404, "appointment_not_found")
    assert other_day["details"] == {"reason": "other_day", "day": "2026-12-02"}
    assert server.db is not None
    add_second_site(server.db)
    zsupervisor = server.client(server.login("zsupervisor"))
    zservice = zsupervisor.service_id("Z", site=SECOND_SITE)
    answer = push(zsupervisor, appointment("Z-1", "BRANCH1", zservice, "09:15"), site=SECOND_SITE)
    assert answer.status_code == 200, answer.text
    other_site = assert_error(check_in(kiosk, "BRANCH1"), 404, "appointment_not_found")
    assert other_site["details"] == {"reason": "other_site", "site_name": "Bürgeramt Zweigstelle"}
    # At its own site it checks in.
    zkiosk = server.client(SECOND_KIOSK_TOKEN)
    assert check_in(zkiosk, "BRANCH1", site=SECOND_SITE).status_code == 201


def test_wrong_codes_share_the_pickup_scans_limit(server, clock, booking, kiosk, services):
    pushed(booking, appointment("X-1", "RIGHT1", services["A"], "09:10"))
    for n in range(6):
        assert_error(check_in(kiosk, f"WRONG{n}"), 404, "appointment_not_found")
    for n in range(4):
        answer = kiosk.post("/sites/demo/pickups/check-in", json={"token": f"WRONGRECEIPT{n}"})
        assert_error(answer, 404, "pickup_unknown")
    # Ten wrong in a minute: the right code waits too, and so do receipts.
    refused = assert_error(check_in(kiosk, "RIGHT1"), 429, "too_many_wrong_scans")
    assert "code" in refused["message"].lower()
    answer = kiosk.post("/sites/demo/pickups/check-in", json={"token": "WRONGRECEIPT9"})
    assert_error(answer, 429, "too_many_wrong_scans")
    assert [e.type for e in events(server, "pickup.wrong_scans")] == ["pickup.wrong_scans"]
    assert day_list(booking)["X-1"]["state"] == "booked"


# Time ------------------------------------------------------------------------------------


def test_a_missed_appointment_becomes_a_no_show(server, clock, booking, kiosk, services):
    supervisor = server.client(server.login("supervisor"))
    pushed(
        booking,
        appointment("M-1", "MISS1", services["A"], "09:30"),
        appointment("M-2", "KEPT1", services["A"], "09:45"),
    )
    clock.at("09:40")
    assert server.db is not None
    assert appointments_service.mark_missed(server.db, None) == 0  # until 09:40 included
    clock.now = clock.at("09:40") + timedelta(seconds=1)
    assert appointments_service.mark_missed(server.db, None) == 1
    assert appointments_service.mark_missed(server.db, None) == 0
    listed = day_list(booking)
    assert (listed["M-1"]["state"], listed["M-2"]["state"]) == ("no_show", "booked")
    missed = events(server, "appointment.missed")
    assert [e.data["appointment"]["external_id"] for e in missed] == ["M-1"]
    assert_error(check_in(kiosk, "MISS1"), 409, "appointment_too_late")
    figures = supervisor.get(
        "/sites/demo/statistics", params={"from": DAY.isoformat(), "to": DAY.isoformat()}
    ).json()["totals"]
    assert (figures["appointment_missed"], figures["no_show"], figures["arrivals"]) == (1, 0, 0)


def test_appointments_are_deleted_after_their_day(server, clock, booking, services):
    supervisor = server.client(server.login("supervisor"))
    pushed(
        booking,
        appointment("P-1", "PAST1", services["A"], "15:00"),
        appointment("P-2", "PAST2", services["B"], "16:00"),
        appointment("P-3", "NEXT1", services["A"], "09:00", day=DAY + timedelta(days=1)),
    )
    assert booking.delete("/sites/demo/appointments/P-2").status_code == 200
    assert server.db is not None
    assert appointments_service.purge_past(server.db) == 0  # their day is not over
    clock.at("08:00", DAY + timedelta(days=1))
    assert appointments_service.purge_past(server.db) == 2
    assert [r[0] for r in rows(server)] == ["P-3"]
    assert day_list(booking, DAY) == {}
    assert [(e.type, e.data.get("count")) for e in events(server, "appointments.purged")] == [
        ("appointments.purged", 2)
    ]
    # P-1 was never checked in: missed, and the statistics keep it after the purge, also once
    # the day is summed up.
    figures = supervisor.get(
        "/sites/demo/statistics",
        params={"from": DAY.isoformat(), "to": DAY.isoformat(), "by": "service"},
    ).json()
    assert figures["totals"]["appointment_missed"] == 1
    by_service = {g["service"]["id"]: g for g in figures["groups"]}
    assert by_service[services["A"]]["appointment_missed"] == 1
    # Summed up again from their sources (as after a late change to a ticket of that day), the
    # figures still count it: the count outlives the appointment.
    with server.db.write_session() as session:
        session.execute(update(Site).values(figures_until=None))
    again = supervisor.get(
        "/sites/demo/statistics", params={"from": DAY.isoformat(), "to": DAY.isoformat()}
    ).json()
    assert again["totals"]["appointment_missed"] == 1
    with server.db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 1


def test_the_status_page_shows_the_appointment_time(
    server, clock, booking, kiosk, services, monkeypatch
):
    monkeypatch.setattr("central_server.web.board.utcnow", clock)  # the page's day is DAY
    pushed(
        booking,
        appointment("S-1", "PAGE1", services["A"], "09:15", language="tr"),
        appointment("S-2", "PAGE2", services["A"], "09:20", language="de"),
    )
    turkish = check_in(kiosk, "PAGE1").json()
    german = check_in(kiosk, "PAGE2").json()
    walk_in = kiosk.post("/sites/demo/tickets", json={"service_id": services["A"]}).json()
    assert walk_in["appointment_at"] is None and walk_in["appointment_late"] is False

    def state(ticket: dict[str, Any]) -> dict[str, Any]:
        answer = requests.get(f"{server.url}/t/{ticket['status_token']}/state", timeout=10)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    assert state(turkish)["lines"][0] == "Randevunuz: 09:15"
    assert state(german)["lines"][0] == "Ihr Termin: 09:20"
    assert not any("Termin" in line for line in state(walk_in)["lines"])
    page = requests.get(f"{server.url}/t/{german['status_token']}", timeout=10)
    assert "Ihr Termin: 09:20" in page.text


# Importing a booking system's export -----------------------------------------------------

DATA = Path(__file__).parent / "data"


def run_import(server: LiveServer, file: Path, capsys: pytest.CaptureFixture[str]) -> tuple:
    code = cli.main(
        ["admin", "import-appointments", str(file), "--site", "demo", "--db", server.database_url]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_importing_a_csv_and_an_ics_file(server, clock, booking, kiosk, services, capsys):
    capsys.readouterr()
    code, out, err = run_import(server, DATA / "appointments.csv", capsys)
    assert code == 0, err
    assert "created: 3 (ZMS-100234, ZMS-100235, ZMS-100236)" in out
    code, out, err = run_import(server, DATA / "appointments.csv", capsys)
    assert code == 0, err
    assert "created: 0" in out and "unchanged: 3 (ZMS-100234, ZMS-100235, ZMS-100236)" in out

    code, out, err = run_import(server, DATA / "appointments.ics", capsys)
    assert code == 0, err
    assert "created: 3 (termin-88201@buergeramt.example" in out
    assert "skipped: 1 cancelled events" in out

    listed = day_list(booking)
    assert {k: (v["service_id"], v["starts_at"], v["language"]) for k, v in listed.items()} == {
        "ZMS-100234": (services["A"], "2026-12-01T10:15:00+01:00", "tr"),
        "ZMS-100235": (services["B"], "2026-12-01T10:30:00+01:00", None),
        # No offset in the file: the site's local time.
        "ZMS-100236": (services["A"], "2026-12-01T11:00:00+01:00", "de"),
        # TZID=Europe/Berlin, the service by its German name, code and language from the
        # DESCRIPTION's "Vorgangsnummer:" and "Sprache:" lines.
        "termin-88201@buergeramt.example": (services["A"], "2026-12-01T09:15:00+01:00", "uk"),
        # UTC, the service by its key.
        "termin-88202@buergeramt.example": (services["B"], "2026-12-01T10:00:00+01:00", None),
        # A floating time, the service by its English name.
        "termin-88203@buergeramt.example": (services["A"], "2026-12-01T11:30:00+01:00", "en"),
    }
    assert all(state["state"] == "booked" for state in listed.values())
    # The code as the confirmation prints it checks in (09:00 is within 08:45 to 09:25).
    ticket = check_in(kiosk, "88-201-A").json()
    assert (ticket["priority"], ticket["language"]) == ("appointment", "uk")
    # Nothing of the citizen's name or address is kept.
    assert server.db is not None
    with server.db.read_session() as session:
        kept = " ".join(str(row) for row in session.execute(select(Appointment)).all())
        kept += " ".join(str(e.data) for e in session.scalars(select(Event)))
    assert "Olena" not in kept and "olena@example.org" not in kept


def test_a_wrong_file_imports_nothing(server, clock, booking, tmp_path, capsys):
    capsys.readouterr()
    no_code = tmp_path / "no-code.csv"
    no_code.write_text("external_id,service,starts_at\nX-1,registration,2026-12-01T10:00+01:00\n")
    code, _, err = run_import(server, no_code, capsys)
    assert code == 2 and "lacks code" in err
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(
        "external_id,code,service,starts_at\n"
        "X-1,C1,registration,2026-12-01T10:00+01:00\n"
        "X-2,C2,dog-licence,2026-12-01T10:00+01:00\n"
    )
    code, _, err = run_import(server, unknown, capsys)
    assert code == 2 and "unknown.csv:3" in err and "dog-licence" in err
    whole_day = tmp_path / "whole-day.ics"
    whole_day.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d-1\nDTSTART;VALUE=DATE:20261201\n"
        "SUMMARY:registration\nDESCRIPTION:Code: D1\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    code, _, err = run_import(server, whole_day, capsys)
    assert code == 2 and "whole day" in err
    same_code = tmp_path / "same-code.csv"
    same_code.write_text(
        "external_id,code,service,starts_at\n"
        "X-1,C1,registration,2026-12-01T10:00+01:00\n"
        "X-2,c-1,registration,2026-12-01T11:00+01:00\n"
    )
    code, _, err = run_import(server, same_code, capsys)
    assert code == 2 and "same code" in err
    assert rows(server) == []


def test_a_booking_system_gets_its_token_from_the_command_line(server, clock, services, capsys):
    capsys.readouterr()
    code = cli.main(
        [
            "admin",
            "issue-device-token",
            "demo",
            "termine-online",
            "--kind",
            "integration",
            "--db",
            server.database_url,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "token for integration termine-online at demo" in out
    system = server.client(out.strip().splitlines()[-1])
    assert pushed(system, appointment("I-1", "TOKEN1", services["A"], "10:00"))["created"] == [
        "I-1"
    ]
    assert_error(system.get("/sites/demo/queue"), 403, "forbidden_role")
