"""The server side of the lobby kiosk (issue #4) over the real server: number leases for
issuing tickets offline, uploading those tickets later, and printer reports.

What staff and citizens notice: no number is ever given twice, online or offline; a ticket
printed offline takes its real place in the queue; a retry does not make a second ticket; a
bad upload says why and changes nothing; a printer fault is one event on the live stream.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from central_server.admin import site_file
from central_server.models import Event, Ticket, TicketCounter
from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from counter_app.core.api import TresenClient, offline_ticket_call
from counter_app.core.errors import NotAllowed, StateConflict
from tests.support.api import assert_error, call_next, new_ticket, queue
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import SECOND_KIOSK_TOKEN, SECOND_SITE, add_second_site, demo_spec
from tests.support.sse import EventStream

BERLIN = ZoneInfo("Europe/Berlin")
SECOND_DEMO_KIOSK = "demo-kiosk-2"


def today() -> date:
    return utcnow().astimezone(BERLIN).date()


def token() -> str:
    """A status token as a kiosk makes one."""
    return secrets.token_urlsafe(16)


def lease(client: ApiClient, size: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """The site's leases by prefix, e.g. ``{"A": {"id", "first", "last", ...}}``."""
    answer = client.post(
        "/sites/demo/number-leases", json=None if size is None else {"size": size}, **kwargs
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert all(entry["day"] == body["day"] for entry in body["leases"]), body
    return {entry["prefix"]: entry for entry in body["leases"]}


def offline_body(
    service_id: int, lease_: dict[str, Any], number: int, issued_at: datetime | str, **fields: Any
) -> dict[str, Any]:
    return {
        "service_id": service_id,
        "offline": {
            "lease_id": lease_["id"],
            "number": number,
            "issued_at": issued_at if isinstance(issued_at, str) else issued_at.isoformat(),
            "status_token": fields.pop("status_token", None) or token(),
        },
        **fields,
    }


def upload(client: ApiClient, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/sites/demo/tickets", json=body, headers=headers)


def counts(server: LiveServer) -> tuple[int, int]:
    """(tickets, events) of the demo site."""
    assert server.db is not None
    with server.db.read_session() as session:
        site = sites_repo.site_by_slug(session, "demo")
        tickets = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.site_id == site.id)
        )
        events = session.scalar(
            select(func.count()).select_from(Event).where(Event.site_id == site.id)
        )
    return int(tickets or 0), int(events or 0)


def events_of(server: LiveServer, type_: str) -> list[dict[str, Any]]:
    assert server.db is not None
    with server.db.read_session() as session:
        query = select(Event).where(Event.type == type_).order_by(Event.id)
        return [{"actor": e.actor, **e.data} for e in session.scalars(query)]


def set_counter(server: LiveServer, prefix: str, last_number: int) -> None:
    assert server.db is not None
    with server.db.write_session() as session:
        site = sites_repo.site_by_slug(session, "demo")
        session.merge(
            TicketCounter(site_id=site.id, prefix=prefix, day=today(), last_number=last_number)
        )


def same_day_or_skip(*moments: datetime) -> None:
    days = {m.astimezone(BERLIN).date() for m in moments}
    if len(days) > 1:
        pytest.skip("the test ran across midnight in Berlin")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def add_second_demo_kiosk(server: LiveServer) -> ApiClient:
    spec = demo_spec()
    spec["devices"].append({"name": "lobby-kiosk-2", "kind": "kiosk", "token": SECOND_DEMO_KIOSK})
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    return server.client(SECOND_DEMO_KIOSK)


@pytest.fixture
def supervisor(server: LiveServer) -> ApiClient:
    return server.client(server.login("supervisor"))


# Leases ---------------------------------------------------------------------------------------


def test_a_lease_covers_every_active_service_and_leases_never_overlap(
    server: LiveServer, kiosk: ApiClient, supervisor: ApiClient, services: dict[str, int]
) -> None:
    first = lease(kiosk)
    assert sorted(first) == ["A", "B", "C", "P"]
    for prefix, entry in first.items():
        assert entry["service_id"] == services[prefix]
        assert entry["day"] == today().isoformat()
        assert (entry["first"], entry["last"]) == (900, 919), entry
    second = lease(kiosk, size=5)
    assert {p: (e["first"], e["last"]) for p, e in second.items()} == dict.fromkeys(
        "ABCP", (920, 924)
    )
    third = lease(supervisor, size=100)
    assert (third["A"]["first"], third["A"]["last"]) == (925, 1024)
    ids = [e["id"] for leases in (first, second, third) for e in leases.values()]
    assert len(ids) == len(set(ids)) == 12

    # One event per lease request, naming the device and the ranges; never a token.
    logged = events_of(server, "numbers.leased")
    assert len(logged) == 3
    assert logged[0]["device"] == "lobby-kiosk" and logged[0]["actor"] == "device:lobby-kiosk"
    assert logged[0]["leases"]["A"] == {"id": first["A"]["id"], "first": 900, "last": 919}
    assert logged[2]["device"] is None and logged[2]["actor"] == "supervisor"
    assert "demo-kiosk" not in json.dumps(logged)

    # A switched-off service gets no lease; the others go on.
    spec = demo_spec()
    next(s for s in spec["services"] if s["prefix"] == "B")["active"] = False
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    assert sorted(lease(kiosk, size=1)) == ["A", "C", "P"]


def test_a_lease_retried_with_its_key_is_the_same_lease(
    server: LiveServer, kiosk: ApiClient
) -> None:
    once = lease(kiosk, size=3, headers={"Idempotency-Key": "morning-lease"})
    before = counts(server)
    again = lease(kiosk, size=3, headers={"Idempotency-Key": "morning-lease"})
    assert again == once
    assert counts(server) == before
    assert lease(kiosk, size=3)["A"]["first"] == 903


@pytest.mark.parametrize("size", [0, 101, -1, "zwanzig", 2.5, None])
def test_a_lease_of_a_wrong_size_is_refused(
    server: LiveServer, kiosk: ApiClient, size: Any
) -> None:
    before = counts(server)
    answer = kiosk.post("/sites/demo/number-leases", json={"size": size})
    assert_error(answer, 422, "invalid_input")
    assert counts(server) == before
    assert lease(kiosk)["A"]["first"] == 900


def test_online_numbers_skip_the_leased_ranges(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    set_counter(server, "A", 897)
    leased = lease(kiosk, size=20)
    assert (leased["A"]["first"], leased["A"]["last"]) == (900, 919)
    numbers = [new_ticket(clerk, services["A"])["number"] for _ in range(4)]
    assert numbers == ["A898", "A899", "A920", "A921"]
    # The next lease starts past the online numbers; online drawing jumps it too.
    again = lease(kiosk, size=3)
    assert (again["A"]["first"], again["A"]["last"]) == (922, 924)
    assert new_ticket(kiosk, services["A"])["number"] == "A925"
    # Other letters are untouched: their online numbers start at 001.
    assert new_ticket(kiosk, services["B"])["number"] == "B001"
    assert lease(kiosk, size=1)["A"]["first"] == 926


def test_leases_and_online_tickets_at_the_same_time_never_share_a_number(
    server: LiveServer, services: dict[str, int]
) -> None:
    """Two kiosks lease while two clerks draw online, around the start of the high range."""
    second_kiosk = add_second_demo_kiosk(server)
    set_counter(server, "A", 890)
    clerk_tokens = [server.login("clerk1"), server.login("clerk2")]
    barrier = threading.Barrier(4)

    def leaser(client: ApiClient) -> list[tuple[int, int]]:
        barrier.wait()
        ranges = []
        for _ in range(6):
            entry = lease(client, size=3)["A"]
            ranges.append((entry["first"], entry["last"]))
        return ranges

    def drawer(token_: str) -> list[int]:
        client = server.client(token_)
        barrier.wait()
        return [int(new_ticket(client, services["A"])["number"][1:]) for _ in range(12)]

    with ThreadPoolExecutor(4) as pool:
        leasing = [pool.submit(leaser, c) for c in (server.client("demo-kiosk"), second_kiosk)]
        drawing = [pool.submit(drawer, t) for t in clerk_tokens]
        ranges = [r for f in leasing for r in f.result()]
        online = [n for f in drawing for n in f.result()]

    leased = [n for first, last in ranges for n in range(first, last + 1)]
    assert len(leased) == len(set(leased)) == 36, "leases overlap"
    assert len(online) == len(set(online)) == 24, "an online number was given twice"
    assert not set(leased) & set(online), "an online number lies in a lease"
    assert min(leased) >= 900 and min(online) == 891


# Uploading tickets issued offline -------------------------------------------------------------


def test_an_offline_ticket_takes_its_real_place_in_the_queue(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    leased = lease(kiosk)["A"]
    first = new_ticket(kiosk, services["A"])
    second = new_ticket(kiosk, services["A"])
    first_at, second_at = parse(first["queued_at"]), parse(second["queued_at"])
    same_day_or_skip(first_at, second_at, datetime.fromisoformat(leased["day"] + "T12:00+01:00"))
    assert leased["day"] == first_at.astimezone(BERLIN).date().isoformat()
    # Printed between the two online tickets, while the server was away; uploaded now.
    issued_at = (first_at + (second_at - first_at) / 2).astimezone(BERLIN)
    body = offline_body(services["A"], leased, 903, issued_at, language="tr")
    answer = upload(kiosk, body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["number"] == "A903"
    assert created["issued_offline"] is True and created["status"] == "waiting"
    assert created["status_token"] == body["offline"]["status_token"]
    assert created["language"] == "tr"
    assert parse(created["created_at"]) == parse(created["queued_at"]) == issued_at
    assert created["position"] == 2

    waiting = queue(clerk)["waiting"]
    assert [t["number"] for t in waiting] == ["A001", "A903", "A002"]
    assert [t["issued_offline"] for t in waiting] == [False, True, False]
    assert [t["position"] for t in waiting] == [1, 2, 3]
    assert call_next(clerk, "1")["number"] == "A001"
    assert call_next(clerk, "2")["number"] == "A903"

    with EventStream(server.url, server.login("supervisor"), after=0) as stream:
        created_events = []
        while len(created_events) < 3:
            event = stream.next()
            if event.type == "ticket.created":
                created_events.append(event.data)
    offline_event = next(e for e in created_events if e["ticket"]["number"] == "A903")
    assert offline_event["ticket"]["issued_offline"] is True
    assert parse(offline_event["ticket"]["queued_at"]) == issued_at
    assert offline_event["lease_id"] == leased["id"]
    assert body["offline"]["status_token"] not in json.dumps(created_events)
    online_events = [e for e in created_events if e is not offline_event]
    assert [e["ticket"]["issued_offline"] for e in online_events] == [False, False]


def test_a_retried_upload_makes_one_ticket_and_a_used_number_is_refused(
    server: LiveServer, kiosk: ApiClient, services: dict[str, int]
) -> None:
    leased = lease(kiosk)["A"]
    issued_at = utcnow() - timedelta(seconds=30)
    same_day_or_skip(issued_at, utcnow())
    body = offline_body(services["A"], leased, 900, issued_at)
    first = upload(kiosk, body, key="offline-A900")
    assert first.status_code == 201, first.text
    after_first = counts(server)
    # The answer was lost; the kiosk sends the same again: the same ticket, nothing new.
    again = upload(kiosk, body, key="offline-A900")
    assert (again.status_code, again.json()) == (201, first.json())
    assert counts(server) == after_first

    # The same number with another key: it is taken.
    other_key = upload(kiosk, {**body, "offline": {**body["offline"], "status_token": token()}})
    error = assert_error(other_key, 409, "number_taken")
    assert "A900" in error["message"] and error["details"]["ticket"] == str(first.json()["id"])
    # Another number with the status token already used.
    same_token = upload(kiosk, {**body, "offline": {**body["offline"], "number": 901}})
    assert_error(same_token, 409, "status_token_taken")
    # The same key for another upload is refused as before.
    reused = upload(kiosk, offline_body(services["A"], leased, 902, issued_at), key="offline-A900")
    assert_error(reused, 422, "idempotency_key_reused")
    assert counts(server) == after_first
    # Number 901 is still free.
    assert upload(kiosk, offline_body(services["A"], leased, 901, issued_at)).status_code == 201


def test_wrong_uploads_are_refused_with_their_reason_and_change_nothing(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    add_second_site(server.db)
    other_site_kiosk = server.client(SECOND_KIOSK_TOKEN)
    other_site_lease = other_site_kiosk.post(f"/sites/{SECOND_SITE}/number-leases").json()
    other_kiosk = add_second_demo_kiosk(server)
    foreign = lease(other_kiosk)["A"]
    leased = lease(kiosk)["A"]
    now = utcnow()
    issued_at = now - timedelta(seconds=20)
    same_day_or_skip(issued_at, now + timedelta(minutes=1))
    a, b = services["A"], services["B"]
    midnight = datetime.combine(today(), time(0), tzinfo=BERLIN)

    inside = leased["first"] + 5

    def body(number: int = inside, at: datetime | str = issued_at, **fields: Any) -> dict[str, Any]:
        return offline_body(
            fields.pop("service_id", a), fields.pop("lease_", leased), number, at, **fields
        )

    cases: list[tuple[str, ApiClient, dict[str, Any], int, str]] = [
        ("no such lease", kiosk, body(lease_={"id": 99999}), 404, "lease_not_found"),
        (
            "a lease of another site",
            kiosk,
            body(lease_=other_site_lease["leases"][0]),
            404,
            "lease_not_found",
        ),
        ("another kiosk's lease", kiosk, body(lease_=foreign), 403, "lease_foreign"),
        # The number before is the other kiosk's: leased, but not to this kiosk.
        ("below the lease", kiosk, body(leased["first"] - 1), 422, "number_outside_lease"),
        ("past the lease", kiosk, body(leased["last"] + 1), 422, "number_outside_lease"),
        ("a service of another letter", kiosk, body(service_id=b), 422, "lease_prefix_mismatch"),
        (
            "no time zone",
            kiosk,
            body(at=issued_at.replace(tzinfo=None).isoformat()),
            422,
            "issued_at_invalid",
        ),
        (
            "in the future",
            kiosk,
            body(at=now + timedelta(minutes=10)),
            422,
            "issued_at_invalid",
        ),
        (
            "the day before",
            kiosk,
            body(at=midnight - timedelta(seconds=1)),
            422,
            "issued_at_invalid",
        ),
        ("a short status token", kiosk, body(status_token="abc"), 422, "status_token_invalid"),
        (
            "a status token with spaces",
            kiosk,
            body(status_token="a b c d e f g h i j k l m"),
            422,
            "status_token_invalid",
        ),
        ("a clerk", clerk, body(), 403, "forbidden_role"),
        ("the display", server.client("demo-display"), body(), 403, "forbidden_role"),
        ("the kiosk of another site", other_site_kiosk, body(), 403, "forbidden_site"),
        ("urgent from the kiosk", kiosk, body(priority="urgent"), 403, "forbidden_priority"),
        ("a huge number", kiosk, body(2**31), 422, "invalid_input"),
        ("not a time", kiosk, body(at="gestern"), 422, "invalid_input"),
    ]
    before = counts(server), queue(clerk)
    problems = []
    for name, client, request, status, code in cases:
        answer = upload(client, request)
        try:
            assert_error(answer, status, code)
        except AssertionError as failed:
            problems.append(f"{name}: {failed}")
    assert not problems, "\n".join(problems)
    assert (counts(server), queue(clerk)) == before
    # The right upload still works afterwards, with the number the wrong ones tried.
    assert upload(kiosk, body()).status_code == 201


def test_refusals_are_told_in_german_and_english(
    server: LiveServer, kiosk: ApiClient, services: dict[str, int]
) -> None:
    leased = lease(kiosk)["A"]
    request = offline_body(services["A"], leased, 950, utcnow())
    german = assert_error(upload(kiosk, request), 422, "number_outside_lease")
    english = kiosk.post(
        "/sites/demo/tickets", json=request, headers={"Accept-Language": "en"}
    ).json()
    assert english["message"] == "Number A950 is not in number lease {} (A900 to A919).".format(
        leased["id"]
    )
    assert german["message"] != english["message"] and "A950" in german["message"]


def test_opening_hours_count_when_the_ticket_was_issued(
    server: LiveServer, kiosk: ApiClient, services: dict[str, int]
) -> None:
    """A ticket printed while the service was open is accepted after it closed; one printed
    after closing time is not."""
    now = utcnow().astimezone(BERLIN)
    opened = (now - timedelta(minutes=3)).replace(second=0, microsecond=0)
    closed = opened + timedelta(minutes=1)
    same_day_or_skip(opened, now)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[opened.weekday()]
    spec = demo_spec()
    for entry in spec["services"]:
        if entry["prefix"] == "C":
            entry["hours"] = {weekday: [f"{opened:%H:%M}-{closed:%H:%M}"]}
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    leased = lease(kiosk)["C"]  # closed now, leased all the same
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["C"]}),
        409,
        "service_closed",
    )
    while_open = opened + timedelta(seconds=30)
    answer = upload(kiosk, offline_body(services["C"], leased, 900, while_open))
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == "C900"
    before = counts(server)
    after_closing = upload(kiosk, offline_body(services["C"], leased, 901, closed))
    assert f"{closed:%H:%M}" in assert_error(after_closing, 409, "service_closed")["message"]
    assert counts(server) == before

    # A service switched off takes no uploads either.
    next(s for s in spec["services"] if s["prefix"] == "C")["active"] = False
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    before = counts(server)
    switched_off = upload(kiosk, offline_body(services["C"], leased, 902, while_open))
    assert_error(switched_off, 409, "service_inactive")
    assert counts(server) == before


def test_a_supervisor_may_upload_with_a_kiosks_lease(
    server: LiveServer, kiosk: ApiClient, supervisor: ApiClient, services: dict[str, int]
) -> None:
    """For a kiosk that broke down with tickets still to upload."""
    leased = lease(kiosk)["B"]
    issued_at = utcnow() - timedelta(seconds=5)
    same_day_or_skip(issued_at, utcnow())
    answer = upload(supervisor, offline_body(services["B"], leased, 919, issued_at))
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == "B919" and answer.json()["issued_offline"] is True


# Printers -------------------------------------------------------------------------------------


def test_a_printer_fault_is_one_event_and_a_repeat_none(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient
) -> None:
    with EventStream(server.url, server.login("supervisor")) as stream:
        start = stream.connected_at
        assert start is not None
        out = kiosk.post(
            "/sites/demo/devices/printer",
            json={"state": "paper_out", "detail": "Papierende", "ticket": "A012"},
        )
        assert out.status_code == 200, out.text
        assert out.json()["device"] == "lobby-kiosk" and out.json()["state"] == "paper_out"
        since = parse(out.json()["since"])
        assert abs(utcnow() - since) < timedelta(minutes=1)
        event = stream.next()
        assert (event.id, event.type) == (start + 1, "device.printer")
        assert {k: event.data[k] for k in ("device", "state", "detail", "ticket")} == {
            "device": "lobby-kiosk",
            "state": "paper_out",
            "detail": "Papierende",
            "ticket": "A012",
        }
        assert "demo-kiosk" not in json.dumps(event.data)

        # The kiosk says so again (it checks every few seconds): nothing changes.
        before = counts(server)
        for detail in ("Papierende", "noch immer"):
            repeat = kiosk.post(
                "/sites/demo/devices/printer", json={"state": "paper_out", "detail": detail}
            )
            assert repeat.status_code == 200, repeat.text
            assert parse(repeat.json()["since"]) == since
        assert counts(server) == before

        ready = kiosk.post("/sites/demo/devices/printer", json={"state": "ready"})
        assert ready.status_code == 200 and parse(ready.json()["since"]) >= since
        event = stream.next()
        assert (event.id, event.type, event.data["state"]) == (start + 2, "device.printer", "ready")
        assert event.data["ticket"] is None and event.data["detail"] == ""

    devices = {d["name"]: d for d in clerk.get("/sites/demo/devices").json()}
    assert devices["lobby-kiosk"] == {
        "name": "lobby-kiosk",
        "kind": "kiosk",
        "printer_state": "ready",
        "printer_detail": "",
        "printer_state_since": ready.json()["since"],
    }
    assert devices["waiting-room-display"]["printer_state"] is None
    assert devices["waiting-room-display"]["printer_state_since"] is None
    assert "token" not in json.dumps(devices)


@pytest.mark.parametrize(
    "body",
    [
        {"state": "on_fire"},
        {},
        {"state": "error", "detail": "x" * 201},
        {"state": "error", "ticket": "A0123456789"},
    ],
)
def test_a_wrong_printer_report_is_refused(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, body: dict[str, Any]
) -> None:
    before = counts(server)
    assert_error(kiosk.post("/sites/demo/devices/printer", json=body), 422, "invalid_input")
    assert counts(server) == before
    assert all(d["printer_state"] is None for d in clerk.get("/sites/demo/devices").json())


# The desktop client ---------------------------------------------------------------------------


@pytest.fixture
def kiosk_client(server: LiveServer) -> Iterator[TresenClient]:
    client = TresenClient(server.url, "demo-kiosk")
    yield client


def test_the_client_leases_uploads_and_reports(
    server: LiveServer, kiosk_client: TresenClient, services: dict[str, int]
) -> None:
    leases = kiosk_client.lease_numbers("demo", size=2)
    assert leases.day == today()
    a = next(entry for entry in leases.leases if entry.prefix == "A")
    assert (a.first, a.last) == (900, 901)
    issued_at = utcnow().astimezone(BERLIN) - timedelta(seconds=3)
    same_day_or_skip(issued_at, utcnow())
    upload = offline_ticket_call("demo", services["A"], "de", a.id, 901, issued_at, token())
    ticket = kiosk_client.send(upload, "k-901")
    assert ticket["number"] == "A901" and ticket["issued_offline"] is True
    assert parse(ticket["queued_at"]) == issued_at
    assert kiosk_client.send(upload, "k-901") == ticket  # the retry is answered as the first
    again = offline_ticket_call("demo", services["A"], "de", a.id, 901, issued_at, token())
    with pytest.raises(StateConflict) as taken:
        kiosk_client.send(again, "k-other")
    assert taken.value.code == "number_taken"
    staff = server.client(server.login("clerk1"))

    report = kiosk_client.report_printer("demo", "paper_low", detail="Rolle fast leer")
    assert (report.device, report.state) == ("lobby-kiosk", "paper_low")
    assert kiosk_client.report_printer("demo", "paper_low", key="same") == report
    with pytest.raises(NotAllowed):
        kiosk_client.devices("demo")
    clerk = TresenClient(server.url)
    clerk.login("clerk1", "demo")
    listed = {d.name: d for d in clerk.devices("demo")}
    assert listed["lobby-kiosk"].printer_state == "paper_low"
    shown = {d["name"]: d for d in staff.get("/sites/demo/devices").json()}
    assert shown["lobby-kiosk"]["printer_detail"] == "Rolle fast leer"
    with pytest.raises(NotAllowed):
        clerk.report_printer("demo", "ready")
    with pytest.raises(NotAllowed):
        clerk.lease_numbers("demo")
