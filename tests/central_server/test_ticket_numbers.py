"""No number is given twice a day: the server's counter (one row per site, service and local
day, incremented under the site lock) over the real server, sequentially and from many threads.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from central_server.models import TicketCounter
from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from tests.support.live_server import ApiClient, LiveServer

PREFIXES = ("A", "B", "C", "P")


def _service_ids(client: ApiClient) -> dict[str, int]:
    return {prefix: client.service_id(prefix) for prefix in PREFIXES}


def _assert_gapless(numbers_by_prefix: dict[str, list[str]]) -> None:
    for prefix, numbers in numbers_by_prefix.items():
        assert len(numbers) == len(set(numbers)), f"{prefix}: a number was given twice"
        expected = [f"{prefix}{n:03d}" for n in range(1, len(numbers) + 1)]
        assert sorted(numbers, key=lambda s: int(s[1:])) == expected, prefix


def _queue_numbers(server: LiveServer) -> list[str]:
    clerk = server.client(server.login("clerk1"))
    answer = clerk.get("/sites/demo/queue")
    assert answer.status_code == 200, answer.text
    return [t["number"] for t in answer.json()["waiting"]]


def test_numbers_count_up_per_service_without_gaps(server: LiveServer) -> None:
    kiosk = server.client("demo-kiosk")
    services = _service_ids(kiosk)
    given: dict[str, list[str]] = defaultdict(list)
    ids = set()
    for i in range(48):
        prefix = PREFIXES[(i * 7) % len(PREFIXES)] if i % 5 else "A"
        answer = kiosk.post("/sites/demo/tickets", json={"service_id": services[prefix]})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["service_prefix"] == prefix
        assert body["number"] == f"{prefix}{len(given[prefix]) + 1:03d}"
        given[prefix].append(body["number"])
        ids.add(body["id"])
    assert len(ids) == 48
    _assert_gapless(given)
    waiting = _queue_numbers(server)
    assert sorted(waiting) == sorted(n for numbers in given.values() for n in numbers)


def test_numbers_stay_unique_and_gapless_under_concurrent_requests(server: LiveServer) -> None:
    """Eight kiosks and clerks at once, some retrying with the same Idempotency-Key in
    parallel: every ticket gets its own number, numbers have no gaps, retries get the
    first answer."""
    clerk_token = server.login("clerk2")
    services = _service_ids(server.client("demo-kiosk"))
    threads = 8
    per_thread = 12
    barrier = threading.Barrier(threads)
    shared_keys = [f"retry-{uuid.uuid4().hex}" for _ in range(per_thread)]

    def work(worker: int) -> list[tuple[str, int, str, str | None]]:
        token = "demo-kiosk" if worker % 2 else clerk_token
        client = server.client(token)
        answers = []
        barrier.wait()
        for i in range(per_thread):
            prefix = PREFIXES[(worker + i) % len(PREFIXES)]
            key = None
            headers = {}
            if worker in (1, 3) and i % 3 == 0:
                # Two kiosk threads send the same request with the same key at the same time.
                prefix = "C"
                key = shared_keys[i]
                headers["Idempotency-Key"] = key
            answer = client.post(
                "/sites/demo/tickets",
                json={"service_id": services[prefix]},
                headers=headers,
                timeout=60,
            )
            assert answer.status_code == 201, answer.text
            body = answer.json()
            assert body["service_prefix"] == prefix
            answers.append((prefix, body["id"], body["number"], key))
        return answers

    with ThreadPoolExecutor(threads) as pool:
        results = [a for answers in pool.map(work, range(threads)) for a in answers]

    by_id: dict[int, str] = {}
    for _prefix, ticket_id, number, _key in results:
        assert by_id.setdefault(ticket_id, number) == number
    # The retries with a shared key made one ticket each, not two.
    ids_by_key: dict[str, set[int]] = defaultdict(set)
    for _prefix, ticket_id, _number, key in results:
        if key is not None:
            ids_by_key[key].add(ticket_id)
    assert len(ids_by_key) == 4
    assert all(len(ids) == 1 for ids in ids_by_key.values())
    replays = len(ids_by_key)
    assert len(by_id) == threads * per_thread - replays

    given: dict[str, list[str]] = defaultdict(list)
    for number in by_id.values():
        given[number[0]].append(number)
    _assert_gapless(given)
    assert sorted(_queue_numbers(server)) == sorted(by_id.values())


def test_numbers_go_past_999(server: LiveServer) -> None:
    """After A999 comes A1000 (four digits), never A000 or a repeated number."""
    kiosk = server.client("demo-kiosk")
    service_a = kiosk.service_id("A")
    assert server.db is not None
    with server.db.write_session() as session:
        site = sites_repo.site_by_slug(session, "demo")
        day = utcnow().astimezone(ZoneInfo(site.timezone)).date()
        session.add(TicketCounter(site_id=site.id, prefix="A", day=day, last_number=997))
    numbers = []
    for _ in range(4):
        answer = kiosk.post("/sites/demo/tickets", json={"service_id": service_a})
        assert answer.status_code == 201, answer.text
        numbers.append(answer.json()["number"])
    assert numbers == ["A998", "A999", "A1000", "A1001"]
