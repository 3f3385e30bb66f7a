"""Who may do what, where: every role (clerk, quick-pickup staff, supervisor, kiosk, display,
no token, a garbage token) against every endpoint, and people and devices of one site at
another site.

A refused request must answer 401/403 with the JSON error and change nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from tests.support.api import act, assert_error, call_next, new_ticket, queue
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import (
    SECOND_DISPLAY_TOKEN,
    SECOND_KIOSK_TOKEN,
    SECOND_SITE,
    add_second_site,
    extend_demo,
)

ROLES = ["clerk", "pickup", "supervisor", "kiosk", "display", "anonymous", "garbage"]


def anonymous_client(server: LiveServer) -> ApiClient:
    client = ApiClient(server.url, "")
    del client.session.headers["Authorization"]
    return client


def client_for(server: LiveServer, role: str) -> ApiClient:
    if role == "anonymous":
        return anonymous_client(server)
    token = {
        "clerk": lambda: server.login("clerk1"),
        "pickup": lambda: server.login("pickup1"),
        "supervisor": lambda: server.login("supervisor"),
        "kiosk": lambda: "demo-kiosk",
        "display": lambda: "demo-display",
        "garbage": lambda: "c0ffee-this-is-no-token-at-all",
    }[role]()
    return server.client(token)


@dataclass
class World:
    """The test's site, and a supervisor (not one of the roles tested) who sets the scene."""

    server: LiveServer
    setup: ApiClient
    services: dict[str, int]
    tickets: list[int] = field(default_factory=list)
    desks: set[str] = field(default_factory=set)

    def ticket(self, state: str = "waiting", prefix: str = "A", desk: str = "1") -> int:
        """A new ticket in ``state``, at ``desk`` unless it is waiting."""
        ticket = new_ticket(self.setup, self.services[prefix])
        self.tickets.append(ticket["id"])
        if state == "waiting":
            return int(ticket["id"])
        self.desks.add(desk)
        assert call_next(self.setup, desk)["id"] == ticket["id"]
        if state == "no_show":
            act(self.setup, ticket["id"], "no-show")
        elif state != "called":
            act(self.setup, ticket["id"], "start")
        if state == "parked":
            act(self.setup, ticket["id"], "park")
            # Left parked at a desk nobody works at: whoever resumes it there may take it.
            answer = self.setup.post(f"/sites/demo/desks/{desk}/sign-off")
            assert answer.status_code == 200, answer.text
        return int(ticket["id"])

    def snapshot(self) -> tuple[Any, Any, Any, int]:
        """The queue, the desks, the devices and the length of the site's event log."""
        assert self.server.db is not None
        with self.server.db.read_session() as session:
            events = sites_repo.site_by_slug(session, "demo").last_event_seq
        return (
            queue(self.setup),
            self.setup.get("/sites/demo/desks").json(),
            self.setup.get("/sites/demo/devices").json(),
            events,
        )

    def tidy(self) -> None:
        """Cancel what this case made and sign everyone off its desks."""
        for ticket_id in self.tickets:
            answer = self.setup.post(f"/tickets/{ticket_id}/cancel")
            assert answer.status_code in (200, 409), answer.text
        for desk in self.desks:
            answer = self.setup.post(f"/sites/demo/desks/{desk}/sign-off")
            assert answer.status_code == 200, answer.text
        self.tickets.clear()
        self.desks.clear()


Send = Callable[[ApiClient], requests.Response]
#: Sets the scene in the world, then returns how to send the request.
Request = Callable[[World], Send]


@dataclass(frozen=True)
class Case:
    name: str
    request: Request
    #: role -> expected status (allowed) or the code of the 403 (refused)
    expect: dict[str, int | str]
    #: who may ask without a token at all (only the health check)
    public: bool = False


EVERYONE = {"clerk": 200, "pickup": 200, "supervisor": 200, "kiosk": 200, "display": 200}
READERS = {
    "clerk": 200,
    "pickup": 200,
    "supervisor": 200,
    "display": 200,
    "kiosk": "forbidden_role",
}
CREATORS = {
    "clerk": 201,
    "supervisor": 201,
    "kiosk": 201,
    "pickup": "forbidden_role",
    "display": "forbidden_role",
}
FRONT_DESK = {
    "clerk": 200,
    "supervisor": 200,
    "pickup": "forbidden_desk",
    "kiosk": "forbidden_role",
    "display": "forbidden_role",
}
PICKUP_DESK = {
    "clerk": 200,
    "supervisor": 200,
    "pickup": 200,
    "kiosk": "forbidden_role",
    "display": "forbidden_role",
}
OFFLINE_ISSUERS = {
    "kiosk": 201,
    "supervisor": 201,
    "clerk": "forbidden_role",
    "pickup": "forbidden_role",
    "display": "forbidden_role",
}
PRINTER_REPORTERS = {
    "kiosk": 200,
    "supervisor": "forbidden_role",
    "clerk": "forbidden_role",
    "pickup": "forbidden_role",
    "display": "forbidden_role",
}


def _health(world: World) -> Send:
    return lambda client: client.session.get(f"{world.server.url}/healthz", timeout=10)


def _get(path: str) -> Request:
    return lambda world: lambda client: client.get(path)


def _send_create(world: World, body: dict[str, Any]) -> Send:
    def send(client: ApiClient) -> requests.Response:
        answer = client.post("/sites/demo/tickets", json=body)
        if answer.status_code == 201:
            world.tickets.append(answer.json()["id"])
        return answer

    return send


def _create(prefix: str, **fields: Any) -> Request:
    return lambda world: _send_create(world, {"service_id": world.services[prefix], **fields})


def _upload_offline(world: World) -> Send:
    """A ticket the kiosk issued offline, with a number the kiosk leased."""
    answer = world.server.client("demo-kiosk").post("/sites/demo/number-leases", json={"size": 1})
    assert answer.status_code == 201, answer.text
    leased = next(e for e in answer.json()["leases"] if e["prefix"] == "A")
    offline = {
        "lease_id": leased["id"],
        "number": leased["first"],
        "issued_at": utcnow().isoformat(),
        "status_token": secrets.token_urlsafe(16),
    }
    return _send_create(world, {"service_id": world.services["A"], "offline": offline})


def _post(path: str, body: Any = None) -> Request:
    return lambda world: lambda client: client.post(path, json=body)


def _on_ticket(
    state: str, action: str, body: Any = None, prefix: str = "A", desk: str = "1"
) -> Request:
    def request(world: World) -> Send:
        ticket_id = world.ticket(state, prefix, desk)
        if action == "case":
            return lambda client: client.put(f"/tickets/{ticket_id}/case", json=body)
        return lambda client: client.post(f"/tickets/{ticket_id}/{action}", json=body)

    return request


def _call_ticket(prefix: str, desk: str) -> Request:
    """Call a waiting ticket at ``desk`` out of order."""

    def request(world: World) -> Send:
        ticket_id = world.ticket("waiting", prefix)
        world.desks.add(desk)
        return lambda client: client.post(f"/tickets/{ticket_id}/call", json={"desk": desk})

    return request


def _read_ticket(world: World) -> Send:
    ticket_id = world.ticket()
    return lambda client: client.get(f"/tickets/{ticket_id}")


def _events(world: World) -> Send:
    def send(client: ApiClient) -> requests.Response:
        answer = client.get("/sites/demo/events", stream=True, timeout=(5, 10))
        if answer.status_code != 200:
            answer.content  # noqa: B018  (read the error body; never a live stream's)
        answer.close()
        return answer

    return send


def _call_with(prefix: str | None, desk: str) -> Request:
    def request(world: World) -> Send:
        if prefix is not None:
            world.ticket("waiting", prefix)
        world.desks.add(desk)
        return lambda client: client.post(f"/sites/demo/desks/{desk}/call-next")

    return request


def _desk(desk: str, what: str) -> Request:
    def request(world: World) -> Send:
        world.desks.add(desk)
        return lambda client: client.post(f"/sites/demo/desks/{desk}/{what}")

    return request


TICKET_ACTIONS = [
    ("called", "recall", None),
    ("called", "no-show", None),
    ("called", "start", None),
    ("called", "cancel", None),
    ("serving", "park", None),
    ("parked", "resume", None),
    ("serving", "finish", {"outcome": "completed"}),
    ("serving", "transfer", {"desk": "5", "reason": "Rückfrage"}),
    ("serving", "case", {"notes": "Notiz", "steps_done": ["id_checked"]}),
]

PICKUP_ACTIONS = {"recall", "start", "resume", "finish", "case"}
#: Case data is read and written by the site's clerks and supervisors only.
CASE_KEEPERS = {
    "clerk": 200,
    "supervisor": 200,
    "pickup": "forbidden_role",
    "kiosk": "forbidden_role",
    "display": "forbidden_role",
}


def _read_case(state: str) -> Request:
    def request(world: World) -> Send:
        ticket_id = world.ticket(state)
        return lambda client: client.get(f"/tickets/{ticket_id}/case")

    return request


CASES = [
    Case("health", _health, EVERYONE, public=True),
    Case("services", _get("/sites/demo/services"), EVERYONE),
    Case("services in Turkish", _get("/sites/demo/services?lang=tr"), EVERYONE),
    Case("create normal ticket", _create("A"), CREATORS),
    # A desk issues urgent or normal tickets; appointment ones come from the check-in.
    Case(
        "create appointment ticket",
        _create("C", priority="appointment"),
        {**CREATORS, "clerk": "forbidden_priority"},
    ),
    Case(
        "create urgent ticket",
        _create("B", priority="urgent"),
        {**CREATORS, "kiosk": "forbidden_priority"},
    ),
    Case("lease numbers", _post("/sites/demo/number-leases", {"size": 3}), OFFLINE_ISSUERS),
    Case("upload a ticket issued offline", _upload_offline, OFFLINE_ISSUERS),
    Case(
        "report the printer",
        _post("/sites/demo/devices/printer", {"state": "paper_low", "detail": "Rolle"}),
        PRINTER_REPORTERS,
    ),
    Case("devices", _get("/sites/demo/devices"), READERS),
    Case("queue", _get("/sites/demo/queue"), READERS),
    Case("queue of desk 6", _get("/sites/demo/queue?desk=6"), READERS),
    Case("read ticket", _read_ticket, READERS),
    Case("desks", _get("/sites/demo/desks"), READERS),
    Case("desk view of desk 1", _get("/sites/demo/desks/1/view"), READERS),
    Case("events", _events, READERS),
    Case("call-next at desk 1", _call_with("A", "1"), FRONT_DESK),
    Case(
        "call-next at back office",
        _call_with(None, "5"),
        {**FRONT_DESK, "clerk": 204, "supervisor": 204},
    ),
    Case("call-next at quick pickup", _call_with("P", "6"), PICKUP_DESK),
    Case("call a particular ticket at desk 1", _call_ticket("A", "1"), FRONT_DESK),
    Case("call a particular ticket at quick pickup", _call_ticket("P", "6"), PICKUP_DESK),
    Case("undo a no-show at desk 1", _on_ticket("no_show", "undo-no-show"), FRONT_DESK),
    Case(
        "undo a no-show at quick pickup",
        _on_ticket("no_show", "undo-no-show", None, "P", "6"),
        PICKUP_DESK,
    ),
    Case("sign on at desk 1", _desk("1", "sign-on"), FRONT_DESK),
    Case("pause at desk 1", _desk("1", "pause"), FRONT_DESK),
    Case("sign off at desk 1", _desk("1", "sign-off"), FRONT_DESK),
    Case("sign on at quick pickup", _desk("6", "sign-on"), PICKUP_DESK),
    Case("sign off at quick pickup", _desk("6", "sign-off"), PICKUP_DESK),
    *[
        Case(
            f"{action} at desk 1",
            _on_ticket(state, action, body),
            {**FRONT_DESK, "pickup": "forbidden_role"} if action == "case" else FRONT_DESK,
        )
        for state, action, body in TICKET_ACTIONS
    ],
    *[
        Case(
            f"{action} at quick pickup",
            _on_ticket(state, action, body, "P", "6"),
            {**PICKUP_DESK, "pickup": "forbidden_role"} if action == "case" else PICKUP_DESK,
        )
        for state, action, body in TICKET_ACTIONS
        if action in PICKUP_ACTIONS
    ],
    Case("read the case of a waiting ticket", _read_case("waiting"), CASE_KEEPERS),
    Case("read the case being served", _read_case("serving"), CASE_KEEPERS),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_endpoint(server, services, role):
    extend_demo(
        server.db,
        users=[
            {
                "username": "setup",
                "display_name": "Setup",
                "roles": ["supervisor"],
                "password": "demo",
            }
        ],
    )
    world = World(server, server.client(server.login("setup")), services)
    client = client_for(server, role)
    problems: list[str] = []
    for case in CASES:
        expected: int | str
        if case.public:
            expected = 200
        elif role == "anonymous":
            expected = "401:not_signed_in"
        elif role == "garbage":
            expected = "401:invalid_token"
        else:
            expected = case.expect[role]
        try:
            send = case.request(world)
            before = world.snapshot() if not isinstance(expected, int) else None
            answer = send(client)
            if isinstance(expected, int):
                if answer.status_code != expected:
                    problems.append(
                        f"{case.name}: expected {expected}, got "
                        f"{answer.status_code} {answer.text[:200]}"
                    )
            else:
                status, _, code = expected.rpartition(":")
                assert_error(answer, int(status or 403), code)
                if world.snapshot() != before:
                    problems.append(f"{case.name}: refused, but the queue or desks changed")
        except AssertionError as failed:
            problems.append(f"{case.name}: {failed}")
        finally:
            world.tidy()
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_display_never_sees_case_notes(server, clerk, display, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    act(
        clerk,
        ticket["id"],
        "transfer",
        {"desk": "5", "reason": "Rückfrage", "notes": "Geburtsurkunde fehlt"},
    )

    staff_view = queue(clerk)["waiting"][0]
    assert staff_view["case"]["notes"] == "Geburtsurkunde fehlt"
    screen = display.get("/sites/demo/queue")
    assert screen.status_code == 200
    assert "Geburtsurkunde" not in screen.text and "Rückfrage" not in screen.text
    assert all(t["case"] is None for t in screen.json()["waiting"])
    one = display.get(f"/tickets/{ticket['id']}")
    assert one.status_code == 200 and "Geburtsurkunde" not in one.text
    # The desk view holds the same queue: notes for clerks, none for a screen.
    assert "Geburtsurkunde" in clerk.get("/sites/demo/desks/5/view").text
    screen_view = display.get("/sites/demo/desks/5/view")
    assert screen_view.status_code == 200 and "Geburtsurkunde" not in screen_view.text

    # Quick-pickup staff read the queue too, but not other people's case notes.
    pickup = server.client(server.login("pickup1"))
    assert "Geburtsurkunde" not in pickup.get("/sites/demo/queue").text
    assert "Geburtsurkunde" not in pickup.get(f"/tickets/{ticket['id']}").text


def test_pickup_staff_cannot_touch_waiting_front_office_tickets(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    clerk.put(f"/tickets/{ticket['id']}/case", json={"notes": "Abschiebungsschutz prüfen"})
    pickup = server.client(server.login("pickup1"))
    problems = []
    for action, body in (("case", {}), ("transfer", {"desk": "6"}), ("cancel", None)):
        if action == "case":
            answer = pickup.put(f"/tickets/{ticket['id']}/case", json=body)
        else:
            answer = pickup.post(f"/tickets/{ticket['id']}/{action}", json=body)
        if answer.status_code != 403 or "Abschiebungsschutz" in answer.text:
            problems.append(f"{action}: {answer.status_code} {answer.text[:300]}")
    shown = clerk.get(f"/tickets/{ticket['id']}").json()
    assert not problems, problems
    assert (shown["status"], shown["target_desk"]) == ("waiting", None)


# Another site ---------------------------------------------------------------------------


def _other_site_requests(
    site: str, desk: str, service_id: int, ticket_id: int
) -> list[tuple[str, Callable[[ApiClient], requests.Response]]]:
    return [
        ("services", lambda c: c.get(f"/sites/{site}/services")),
        (
            "create ticket",
            lambda c: c.post(f"/sites/{site}/tickets", json={"service_id": service_id}),
        ),
        ("queue", lambda c: c.get(f"/sites/{site}/queue")),
        ("desks", lambda c: c.get(f"/sites/{site}/desks")),
        ("desk view", lambda c: c.get(f"/sites/{site}/desks/{desk}/view")),
        ("devices", lambda c: c.get(f"/sites/{site}/devices")),
        ("number leases", lambda c: c.post(f"/sites/{site}/number-leases")),
        (
            "printer",
            lambda c: c.post(f"/sites/{site}/devices/printer", json={"state": "error"}),
        ),
        ("events", lambda c: c.get(f"/sites/{site}/events", timeout=(5, 10))),
        ("call-next", lambda c: c.post(f"/sites/{site}/desks/{desk}/call-next")),
        ("sign-on", lambda c: c.post(f"/sites/{site}/desks/{desk}/sign-on")),
        ("pause", lambda c: c.post(f"/sites/{site}/desks/{desk}/pause")),
        ("read ticket", lambda c: c.get(f"/tickets/{ticket_id}")),
        ("cancel ticket", lambda c: c.post(f"/tickets/{ticket_id}/cancel")),
        ("case", lambda c: c.put(f"/tickets/{ticket_id}/case", json={"notes": "x"})),
        ("read case", lambda c: c.get(f"/tickets/{ticket_id}/case")),
    ]


def _refused_everywhere(
    clients: dict[str, ApiClient],
    site: str,
    desk: str,
    service_id: int,
    ticket_id: int,
    watcher: ApiClient,
) -> list[str]:
    before = watcher.get(f"/sites/{site}/queue").json()
    problems = []
    for who, client in clients.items():
        for name, request in _other_site_requests(site, desk, service_id, ticket_id):
            answer = request(client)
            if answer.status_code != 403 or answer.json()["code"] not in (
                "forbidden_site",
                "forbidden_role",
            ):
                problems.append(f"{who} {name}: {answer.status_code} {answer.text[:200]}")
            elif answer.json()["code"] == "forbidden_role" and name == "services":
                problems.append(f"{who} {name}: refused for the role, not the site")
    if watcher.get(f"/sites/{site}/queue").json() != before:
        problems.append("the other site's queue changed")
    return problems


def test_people_and_devices_of_one_site_are_refused_at_another(server, clerk, kiosk, services):
    add_second_site(server.db)
    zclerk = server.client(server.login("zclerk"))
    zkiosk = server.client(SECOND_KIOSK_TOKEN)
    zservice = zkiosk.service_id("Z", site=SECOND_SITE)
    zticket = zkiosk.post(f"/sites/{SECOND_SITE}/tickets", json={"service_id": zservice})
    assert zticket.status_code == 201 and zticket.json()["number"] == "Z001"
    demo_ticket = new_ticket(kiosk, services["A"])

    demo_people = {
        "clerk1": clerk,
        "pickup1": server.client(server.login("pickup1")),
        "supervisor": server.client(server.login("supervisor")),
        "demo-kiosk": kiosk,
        "demo-display": server.client("demo-display"),
    }
    problems = _refused_everywhere(
        demo_people, SECOND_SITE, "Z1", zservice, zticket.json()["id"], zclerk
    )
    other_people = {
        "zclerk": zclerk,
        "zsupervisor": server.client(server.login("zsupervisor")),
        "zweig-kiosk": zkiosk,
        "zweig-display": server.client(SECOND_DISPLAY_TOKEN),
    }
    problems += _refused_everywhere(
        other_people, "demo", "1", services["A"], demo_ticket["id"], clerk
    )
    assert not problems, "\n".join(problems)

    # Each at their own site may work as usual.
    called = call_next_at(zclerk, SECOND_SITE, "Z1")
    assert called["number"] == "Z001"
    assert call_next(clerk, "1")["number"] == "A001"


def call_next_at(client: ApiClient, site: str, desk: str) -> dict[str, Any]:
    answer = client.post(f"/sites/{site}/desks/{desk}/call-next")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_site_serves_only_its_own_services_and_desks(server, clerk, kiosk, services):
    add_second_site(server.db)
    zservice = server.client(SECOND_KIOSK_TOKEN).service_id("Z", site=SECOND_SITE)
    # The demo kiosk may not make a ticket of the other site's service at demo.
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": zservice}), 404, "service_not_found"
    )
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    assert_error(
        clerk.post(f"/tickets/{ticket['id']}/transfer", json={"service_id": zservice}),
        404,
        "service_not_found",
    )
    assert_error(
        clerk.post(f"/tickets/{ticket['id']}/transfer", json={"desk": "Z1"}), 404, "desk_not_found"
    )
    assert_error(clerk.post("/sites/demo/desks/Z1/call-next"), 404, "desk_not_found")
    shown = clerk.get(f"/tickets/{ticket['id']}").json()
    assert (shown["status"], shown["service_id"], shown["desk"]) == ("called", services["A"], "1")
    zqueue = server.client(server.login("zclerk")).get(f"/sites/{SECOND_SITE}/queue").json()
    assert zqueue["waiting"] == [] and zqueue["called"] == []
