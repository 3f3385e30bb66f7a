"""Who call-next calls once appointments are checked in, with the server's clock in the test's
hand: due at their time less the lead, before the walk-ins; not yet due, after them; the cap of
appointments in a row (per site, over the desk's services) before one walk-in past its target.
The desk's queue lists the same order."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from central_server.models import Site, Ticket
from tests.support.api import act, call_next, new_ticket, waiting_numbers
from tests.support.live_server import ApiClient, LiveServer
from tests.support.scripted_day import DAY, ZONE, Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock().install(monkeypatch)


def walk_in(kiosk: ApiClient, clock: Clock, hhmm: str, service_id: int) -> dict[str, Any]:
    clock.at(hhmm)
    return new_ticket(kiosk, service_id)


def appointment(
    server: LiveServer, kiosk: ApiClient, clock: Clock, hhmm: str, service_id: int, at: str
) -> dict[str, Any]:
    """An appointment at ``at`` checked in at ``hhmm``: an appointment ticket with its time, as
    the check-in makes it."""
    clock.at(hhmm)
    ticket = new_ticket(kiosk, service_id, priority="appointment")
    when: datetime = Clock().at(at)
    assert server.db is not None
    with server.db.write_session() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket["id"]).values(appointment_at=when))
    return ticket


def site_settings(server: LiveServer, **values: int) -> None:
    assert server.db is not None
    with server.db.write_session() as session:
        session.execute(update(Site).where(Site.slug == "demo").values(**values))


def serve(client: ApiClient, desk: str) -> str:
    """Call the next at ``desk`` and finish with them; the number called."""
    ticket = call_next(client, desk)
    assert ticket is not None
    act(client, ticket["id"], "start")
    act(client, ticket["id"], "finish", {"outcome": "completed"})
    return str(ticket["number"])


def test_an_appointment_is_called_from_its_time_less_the_lead_and_walk_ins_fill_the_time(
    server, clock, kiosk, clerk, services
) -> None:
    a = services["A"]
    walk_in(kiosk, clock, "08:00", a)  # A001
    appointment(server, kiosk, clock, "08:01", a, at="08:15")  # A002, for 08:15
    walk_in(kiosk, clock, "08:05", a)  # A003

    clock.at("08:10")
    # Not due before 08:13: the walk-ins first, the appointment last.
    assert waiting_numbers(clerk, desk="1") == ["A001", "A003", "A002"]
    assert serve(clerk, "1") == "A001"

    clock.now += timedelta(minutes=2, seconds=59)  # 08:12:59
    assert serve(clerk, "1") == "A003"

    walk_in(kiosk, clock, "08:12", a)  # A004
    clock.at("08:13")  # 08:15 less the site's lead of 2 minutes: due
    assert waiting_numbers(clerk, desk="1") == ["A002", "A004"]
    called = call_next(clerk, "1")
    assert called is not None
    assert (called["number"], called["priority"]) == ("A002", "appointment")


def test_a_due_appointment_goes_before_walk_ins_who_came_earlier_and_urgent_ones(
    server, clock, kiosk, clerk, services
) -> None:
    walk_in(kiosk, clock, "08:00", services["A"])  # A001
    clock.at("08:01")
    new_ticket(clerk, services["B"], priority="urgent")  # B001
    appointment(server, kiosk, clock, "08:02", services["C"], at="08:20")  # C001
    appointment(server, kiosk, clock, "08:03", services["A"], at="08:10")  # A002

    clock.at("08:19")  # both due; the earlier appointment time first, then urgent, then normal
    assert waiting_numbers(clerk, desk="1") == ["A002", "C001", "B001", "A001"]
    assert [serve(clerk, "1") for _ in range(4)] == ["A002", "C001", "B001", "A001"]


def test_an_appointment_not_yet_due_is_called_when_nobody_else_waits(
    server, clock, kiosk, clerk, services
) -> None:
    appointment(server, kiosk, clock, "08:00", services["A"], at="09:30")
    clock.at("08:05")
    assert serve(clerk, "1") == "A001"


def test_after_the_cap_of_appointments_in_a_row_one_walk_in_past_the_target_goes_first(
    server, clock, kiosk, clerk, services
) -> None:
    """Two in a row (the site's setting), counted over both desks: desk 1 calls one, desk 2
    the next, and then desk 1 calls the walk-in who waited past A's target of 20 minutes."""
    site_settings(server, appointments_in_a_row=2)
    a = services["A"]
    walk_in(kiosk, clock, "08:00", a)  # A001, past its target from 08:20
    for minute, at in ((5, "08:10"), (6, "08:11"), (7, "08:12")):  # A002, A003, A004
        appointment(server, kiosk, clock, f"08:0{minute}", a, at=at)
    clerk2 = server.client(server.login("clerk2"))

    clock.at("08:30")
    # The queue lists the calls to come: two appointments, the walk-in, the third appointment.
    assert waiting_numbers(clerk, desk="1") == ["A002", "A003", "A001", "A004"]
    assert serve(clerk, "1") == "A002"
    assert serve(clerk2, "2") == "A003"
    assert waiting_numbers(clerk, desk="1") == ["A001", "A004"]
    assert serve(clerk, "1") == "A001"
    assert serve(clerk2, "2") == "A004"


def test_without_a_walk_in_past_the_target_appointments_go_on(
    server, clock, kiosk, clerk, services
) -> None:
    site_settings(server, appointments_in_a_row=1)
    a = services["A"]
    appointment(server, kiosk, clock, "08:00", a, at="08:10")  # A001
    appointment(server, kiosk, clock, "08:01", a, at="08:11")  # A002
    walk_in(kiosk, clock, "08:05", a)  # A003: 20 minutes is A's target, from 08:25

    clock.at("08:15")
    assert serve(clerk, "1") == "A001"
    assert serve(clerk, "1") == "A002"  # the cap is reached, but nobody waited too long
    assert serve(clerk, "1") == "A003"


def test_the_pickup_desks_calls_do_not_break_a_run_of_front_office_appointments(
    server, clock, kiosk, clerk, services
) -> None:
    """In a row counts the calls of the desk's services only: the quick-pickup desk calling a
    walk-in P ticket between two appointments leaves the run at two."""
    site_settings(server, appointments_in_a_row=2)
    a = services["A"]
    walk_in(kiosk, clock, "08:00", a)  # A001
    appointment(server, kiosk, clock, "08:01", a, at="08:10")  # A002
    appointment(server, kiosk, clock, "08:02", a, at="08:10")  # A003
    appointment(server, kiosk, clock, "08:03", a, at="08:10")  # A004
    walk_in(kiosk, clock, "08:04", services["P"])  # P001
    pickup = server.client(server.login("pickup1"))

    clock.at("08:40")
    assert serve(clerk, "1") == "A002"
    assert serve(pickup, "6") == "P001"
    assert serve(clerk, "1") == "A003"
    assert serve(clerk, "1") == "A001"
    assert serve(clerk, "1") == "A004"


def test_an_appointment_pushed_by_the_booking_system_and_checked_in_at_the_kiosk(
    server, clock, kiosk, clerk, services
) -> None:
    """The whole way: the booking system pushes, the citizen checks in early, walk-ins are
    called until two minutes before the appointment, then the appointment."""
    a = services["A"]
    clock.at("07:50")
    booking = server.client("demo-booking")
    starts_at = datetime.combine(DAY, time(8, 30), ZONE).isoformat()
    pushed = booking.post(
        "/sites/demo/appointments",
        json={
            "appointments": [
                {"external_id": "K-9", "code": "ZMS-0830", "service_id": a, "starts_at": starts_at}
            ]
        },
    )
    assert pushed.status_code == 200, pushed.text
    walk_in(kiosk, clock, "08:00", a)  # A001
    clock.at("08:05")
    checked_in = kiosk.post("/sites/demo/appointments/check-in", json={"code": "zms0830"})
    assert checked_in.status_code == 201, checked_in.text
    number = checked_in.json()["number"]  # A002
    walk_in(kiosk, clock, "08:10", a)  # A003

    clock.at("08:20")
    assert waiting_numbers(clerk, desk="1") == ["A001", "A003", number]
    assert serve(clerk, "1") == "A001"
    clock.at("08:28")
    assert waiting_numbers(clerk, desk="1") == [number, "A003"]
    assert serve(clerk, "1") == number
