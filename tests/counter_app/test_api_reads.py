"""The desk program's client reads the queue and the desk list conditionally: it sends the ETag
of its last answer and keeps its view when the server answers 304 Not Modified."""

from __future__ import annotations

from typing import Any

import requests

from counter_app.core.api import TresenClient
from tests.support.live_server import LiveServer


class _Recording(requests.Session):
    """A requests session that notes each answer's status."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        answer = super().request(*args, **kwargs)
        self.statuses.append(answer.status_code)
        return answer


def test_the_client_keeps_its_view_while_the_server_answers_304(server: LiveServer) -> None:
    session = _Recording()
    client = TresenClient(server.url, session=session)
    client.login("clerk1", "demo")
    first_queue, first_desks = client.queue("demo", "1"), client.desks("demo")
    session.statuses.clear()

    assert client.queue("demo", "1") == first_queue
    assert client.desks("demo") == first_desks
    assert session.statuses == [304, 304]

    services = client.services("demo")
    made = client.create_ticket("demo", services[0].id)
    queue = client.queue("demo", "1")
    assert session.statuses[-1] == 200
    assert made.number in [t.number for t in queue.waiting]


def test_the_desk_reads_its_view_in_one_request_and_keeps_it_while_nothing_changed(
    server: LiveServer,
) -> None:
    """What the clerk's desk reads after every event: its queue and the site's desks, one
    request (``GET desks/{desk}/view``), 304 while the site has not changed."""
    session = _Recording()
    client = TresenClient(server.url, session=session)
    client.login("clerk1", "demo")
    session.statuses.clear()
    first = client.desk_view("demo", "1")
    assert session.statuses == [200]
    assert first.queue == client.queue("demo", "1")
    assert list(first.desks) == client.desks("demo")
    session.statuses.clear()
    assert client.desk_view("demo", "1") == first
    assert session.statuses == [304]

    made = client.create_ticket("demo", client.services("demo")[0].id)
    session.statuses.clear()
    view = client.desk_view("demo", "1")
    assert session.statuses == [200]
    assert made.number in [t.number for t in view.queue.waiting]
