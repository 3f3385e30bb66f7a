"""Who is called next: appointments before urgent before normal, then who waited longest; a
desk draws from all its services, and only from its services."""

from __future__ import annotations

from tests.support.api import act, call_next, new_ticket, queue, waiting_numbers


def test_appointment_before_urgent_before_normal_then_longest_waiting(
    server, clerk, kiosk, services
):
    new_ticket(kiosk, services["A"])  # A001 normal
    new_ticket(clerk, services["B"], priority="urgent")  # B001 urgent (staff only)
    new_ticket(kiosk, services["C"], priority="appointment")  # C001 appointment
    new_ticket(kiosk, services["A"])  # A002 normal
    new_ticket(clerk, services["A"], priority="urgent")  # A003 urgent
    new_ticket(kiosk, services["B"], priority="appointment")  # B002 appointment

    expected = ["C001", "B002", "B001", "A003", "A001", "A002"]
    waiting = queue(clerk)["waiting"]
    assert [t["number"] for t in waiting] == expected
    assert [t["position"] for t in waiting] == [1, 2, 3, 4, 5, 6]
    assert [t["priority"] for t in waiting] == ["appointment"] * 2 + ["urgent"] * 2 + ["normal"] * 2
    assert waiting_numbers(clerk, desk="3") == expected

    called = []
    for _ in expected:
        ticket = call_next(clerk, "1")
        called.append(ticket["number"])
        act(clerk, ticket["id"], "start")
        act(clerk, ticket["id"], "finish", {"outcome": "completed"})
    assert called == expected
    assert call_next(clerk, "1", expect=204) is None


def test_a_desk_calls_from_all_its_services_whoever_waited_longest(server, clerk, kiosk, services):
    for prefix in "CBAB":
        new_ticket(kiosk, services[prefix])
    new_ticket(kiosk, services["P"])
    # Desk 3 lists B first, but service order only breaks ties: time waited comes first.
    assert waiting_numbers(clerk, desk="3") == ["C001", "B001", "A001", "B002"]
    desk3 = server.client(server.login("clerk3"))
    called = []
    for _ in range(4):
        ticket = call_next(desk3, "3")
        called.append(ticket["number"])
        act(desk3, ticket["id"], "no-show")
    assert called == ["C001", "B001", "A001", "B002"]
    # The pickup ticket is not for a front-office desk.
    assert call_next(desk3, "3", expect=204) is None
    assert waiting_numbers(clerk) == ["P001"]


def test_the_quick_pickup_desk_calls_only_pickups(server, clerk, kiosk, services):
    new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["P"])
    new_ticket(kiosk, services["B"])
    new_ticket(kiosk, services["P"])
    assert waiting_numbers(clerk, desk="6") == ["P001", "P002"]
    assert waiting_numbers(clerk, desk="1") == ["A001", "B001"]
    # Nobody waits for the back office until a ticket is transferred there.
    assert waiting_numbers(clerk, desk="5") == []

    pickup = server.client(server.login("pickup1"))
    first = call_next(pickup, "6")
    assert (first["number"], first["desk"]) == ("P001", "6")
    act(pickup, first["id"], "start")
    act(pickup, first["id"], "finish", {"outcome": "completed"})
    assert call_next(pickup, "6")["number"] == "P002"
    assert waiting_numbers(clerk) == ["A001", "B001"]


def test_waiting_counts_per_service(clerk, kiosk, services):
    for prefix in "AABP":
        new_ticket(kiosk, services[prefix])
    counts = {c["prefix"]: c for c in queue(clerk)["counts"]}
    assert {p: c["waiting"] for p, c in counts.items()} == {"A": 2, "B": 1, "C": 0, "P": 1}
    assert all(c["longest_wait_minutes"] == 0 for c in counts.values())
    listed = {s["prefix"]: s["waiting"] for s in kiosk.get("/sites/demo/services").json()}
    assert listed == {"A": 2, "B": 1, "C": 0, "P": 1}


def test_positions_move_up_as_citizens_are_called(server, clerk, kiosk, services):
    tickets = [new_ticket(kiosk, services["A"]) for _ in range(3)]
    assert [t["position"] for t in tickets] == [1, 2, 3]
    call_next(clerk, "1")
    last = clerk.get(f"/tickets/{tickets[2]['id']}").json()
    assert last["position"] == 2
    display = server.client("demo-display")
    assert display.get(f"/tickets/{tickets[1]['id']}").json()["position"] == 1
