"""Citizen feedback on the ticket status page (``POST /t/<status_token>/feedback``), against the
real server on both databases: once the visit is done the page asks "How was your visit?", the
answer is kept once per ticket (a second tap changes nothing), nothing is kept before the visit
is done or for a citizen who was not served, a bad score is refused in the ticket's language,
and an unknown link is answered and limited exactly as the status page's.

The page itself is driven in a real Chromium in ``test_feedback_page.py``.
"""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, inspect, select, update

from central_server.models import Event, RateLimitCounter, Site, Ticket, TicketFeedback
from central_server.models._types import utcnow
from tests.support.api import act, assert_error, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_S


def finished(kiosk: ApiClient, clerk: ApiClient, service: int, **fields: Any) -> dict[str, Any]:
    """A ticket served at desk 1 and finished (the queue is empty before)."""
    ticket = new_ticket(kiosk, service, **fields)
    called = call_next(clerk, "1")
    assert called is not None and called["id"] == ticket["id"]
    act(clerk, ticket["id"], "start")
    act(clerk, ticket["id"], "finish", {"outcome": "completed"})
    return ticket


def rate(server: LiveServer, token: str, score: Any = None, **kwargs: Any) -> requests.Response:
    if "json" not in kwargs and "data" not in kwargs:
        kwargs["json"] = {"score": score}
    kwargs.setdefault("allow_redirects", False)
    return requests.post(f"{server.url}/t/{token}/feedback", timeout=ANSWER_S, **kwargs)


def rows(server: LiveServer) -> list[TicketFeedback]:
    assert server.db is not None
    with server.db.read_session() as session:
        return list(session.scalars(select(TicketFeedback)))


def feedback_events(server: LiveServer) -> list[Event]:
    assert server.db is not None
    with server.db.read_session() as session:
        query = select(Event).where(Event.type == "ticket.feedback_given")
        return list(session.scalars(query))


def last_seq(server: LiveServer) -> int:
    assert server.db is not None
    with server.db.read_session() as session:
        return int(session.scalar(select(Site.last_event_seq).where(Site.slug == "demo")) or 0)


def state(server: LiveServer, token: str) -> dict[str, Any]:
    answer = requests.get(f"{server.url}/t/{token}/state", timeout=ANSWER_S)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_done_visit_is_rated_once(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["A"], language="en")
    call_next(clerk, "1")
    # Forwarded to another service and finished there: the answer counts for that service.
    act(clerk, mine["id"], "transfer", {"service_id": services["C"]})
    call_next(clerk, "1")
    act(clerk, mine["id"], "start")
    act(clerk, mine["id"], "finish", {"outcome": "completed"})
    token = mine["status_token"]
    assert state(server, token)["feedback"] == "ask"
    before = last_seq(server)

    answer = rate(server, token, 4)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"feedback": "given", "message": "Thank you for your answer!"}
    assert answer.headers["cache-control"] == "no-store"
    assert state(server, token)["feedback"] == "given"
    [kept] = rows(server)
    assert server.db is not None
    with server.db.read_session() as session:
        ticket = session.get_one(Ticket, mine["id"])
        site_id, day = ticket.site_id, ticket.day
    assert (kept.ticket_id, kept.site_id, kept.service_id, kept.day, kept.score) == (
        mine["id"],
        site_id,
        services["C"],
        day,
        4,
    )
    assert abs(kept.given_at - utcnow()) < timedelta(minutes=1)
    # One event, naming the ticket and the citizen, not the score.
    [event] = feedback_events(server)
    assert event.seq == before + 1 and last_seq(server) == before + 1
    assert (event.ticket_id, event.actor, event.desk_code, event.data) == (
        mine["id"],
        "citizen",
        None,
        {},
    )

    # A second tap (another face, the same face, a plain form): answered, nothing changes.
    for again in (
        rate(server, token, 1),
        rate(server, token, 4),
        rate(server, token, data={"score": "2"}),
    ):
        if again.headers.get("content-type", "").startswith("application/json"):
            body = assert_error(again, 409, "feedback_already_given")
            assert body["message"] == "You have already rated this visit. Thank you!"
        else:
            assert again.status_code == 303
            assert again.headers["location"] == f"/t/{token}"
    assert [(r.ticket_id, r.score) for r in rows(server)] == [(mine["id"], 4)]
    assert len(feedback_events(server)) == 1 and last_seq(server) == before + 1


def test_the_row_holds_no_more_than_it_should(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"], language="tr")
    answer = rate(
        server,
        mine["status_token"],
        5,
        headers={"User-Agent": "Mozilla/5.0 (Phone of Ayse Yilmaz)", "Accept-Language": "tr"},
    )
    assert answer.status_code == 201, answer.text
    assert server.db is not None
    columns = {c["name"] for c in inspect(server.db.engine).get_columns("ticket_feedback")}
    assert columns == {"ticket_id", "site_id", "service_id", "day", "score", "given_at"}
    with server.db.read_session() as session:
        # A kept answer writes no rate-limit count either: nothing of the caller is stored.
        assert session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0
        [event] = session.scalars(select(Event).where(Event.type == "ticket.feedback_given"))
    assert "Ayse" not in repr(event.data) and event.data == {}
    assert [r.score for r in rows(server)] == [5]


@pytest.mark.parametrize("language", ["de", "tr"])
def test_nothing_is_kept_before_the_visit_is_done(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict, language: str
) -> None:
    mine = new_ticket(kiosk, services["A"], language=language)
    token = mine["status_token"]
    expected = {
        "de": "Ihr Besuch ist noch nicht abgeschlossen. Sie können ihn bewerten, sobald er "
        "erledigt ist.",
        "tr": "Ziyaretiniz henüz tamamlanmadı. Tamamlandığında değerlendirebilirsiniz.",
    }[language]
    before = last_seq(server)
    steps = [
        None,  # waiting
        lambda: call_next(clerk, "1"),  # called
        lambda: act(clerk, mine["id"], "start"),  # serving
        lambda: act(clerk, mine["id"], "park"),  # parked
    ]
    for step in steps:
        if step is not None:
            step()
            before = last_seq(server)
        assert state(server, token)["feedback"] is None
        body = assert_error(rate(server, token, 5), 409, "visit_not_done")
        assert body["message"] == expected
        assert rows(server) == [] and last_seq(server) == before
        page = requests.get(f"{server.url}/t/{token}", timeout=ANSWER_S).text
        assert '<form class="feedback" id="feedback" method="post"' in page
        assert f'action="/t/{token}/feedback" hidden>' in page  # the question is not shown


@pytest.mark.parametrize("how", ["no-show", "cancel"])
def test_a_citizen_who_was_not_served_is_not_asked(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict, how: str
) -> None:
    mine = new_ticket(kiosk, services["B"], language="ru")
    call_next(clerk, "1")
    act(clerk, mine["id"], how)
    token = mine["status_token"]
    view = state(server, token)
    assert view["final"] is True and view["feedback"] is None
    before = last_seq(server)
    body = assert_error(rate(server, token, 3), 409, "no_visit_to_rate")
    assert body["message"] == "По этому талону нет визита, который можно оценить."
    assert rows(server) == [] and last_seq(server) == before
    # A plain form gets the page in the ticket's language, with the way back.
    answer = rate(server, token, data={"score": "3"})
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("text/html")
    assert "По этому талону нет визита, который можно оценить." in answer.text
    assert f'<a href="/t/{token}">Назад к вашему талону</a>' in answer.text
    assert rows(server) == []


ARABIC_BAD_SCORE = "يرجى اختيار أحد الوجوه الخمسة (من 1 إلى 5)."


@pytest.mark.parametrize(
    "request_",
    [
        {"json": {"score": 0}},
        {"json": {"score": 6}},
        {"json": {"score": -1}},
        {"json": {"score": 3.5}},
        {"json": {"score": True}},
        {"json": {"score": "4"}},
        {"json": {"score": None}},
        {"json": {}},
        {"json": [4]},
        {"data": b"{score: 4", "headers": {"Content-Type": "application/json"}},
        {"data": b""},
    ],
    ids=lambda r: repr(r.get("json", r.get("data"))),
)
def test_a_bad_score_is_refused_in_the_tickets_language(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict, request_: dict
) -> None:
    mine = finished(kiosk, clerk, services["B"], language="ar")
    before = last_seq(server)
    sent = dict(request_)
    # The caller's browser asks for German: the ticket's language wins.
    headers = {"Accept-Language": "de", **sent.pop("headers", {})}
    answer = rate(server, mine["status_token"], headers=headers, **sent)
    body = assert_error(answer, 422, "invalid_score")
    assert body["message"] == ARABIC_BAD_SCORE
    assert body["details"] == {"field": "score"}
    assert rows(server) == [] and last_seq(server) == before
    assert state(server, mine["status_token"])["feedback"] == "ask"


@pytest.mark.parametrize("form", ["score=9", "score=abc", "score=", "score=4&score=5", "face=4"])
def test_a_bad_form_is_refused_with_a_page_in_the_tickets_language(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict, form: str
) -> None:
    mine = finished(kiosk, clerk, services["B"], language="ar")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = rate(server, mine["status_token"], data=form, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in answer.text
    assert ARABIC_BAD_SCORE in answer.text
    assert rows(server) == []


def test_a_plain_form_is_kept_and_sent_back_to_the_page(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"])
    token = mine["status_token"]
    page = requests.get(f"{server.url}/t/{token}", timeout=ANSWER_S)
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert f'action="/t/{token}/feedback" >' in page.text  # the question is shown
    assert 'aria-label="sehr gut"' in page.text
    answer = rate(server, token, data={"score": "5"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/t/{token}"
    assert [r.score for r in rows(server)] == [5]
    page = requests.get(f"{server.url}{answer.headers['location']}", timeout=ANSWER_S)
    assert f'action="/t/{token}/feedback" hidden>' in page.text  # the question is gone
    assert '<p class="thanks" id="feedback-thanks" role="status" tabindex="-1" >' in page.text
    assert "Vielen Dank für Ihre Antwort!" in page.text


def test_two_taps_at_once_count_once(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"])
    start = threading.Barrier(4)
    answers: list[int] = []

    def tap(score: int) -> None:
        start.wait()
        answers.append(rate(server, mine["status_token"], score).status_code)

    taps = [threading.Thread(target=tap, args=(score,)) for score in (1, 2, 4, 5)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()
    assert sorted(answers) == [201, 409, 409, 409]
    assert len(rows(server)) == 1 and len(feedback_events(server)) == 1


def test_unknown_links_are_answered_and_limited_like_the_status_page(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"])
    unknown = secrets.token_urlsafe(16)
    as_state = requests.get(f"{server.url}/t/{unknown}/state", timeout=ANSWER_S)
    as_json = rate(server, unknown, 4)
    assert_error(as_json, 404, "not_found")
    assert as_json.json() == as_state.json()
    as_page = requests.get(f"{server.url}/t/{unknown}", timeout=ANSWER_S)
    as_form = rate(server, unknown, data={"score": "4"})
    assert (as_form.status_code, as_form.text) == (404, as_page.text)
    assert rate(server, "x", 4).status_code == 404
    # Unknown links count together, whichever way they come: 20 a minute per address.
    for number in range(20 - 5):
        if number % 2:
            assert rate(server, secrets.token_urlsafe(16), 4).status_code == 404
        else:
            wrong = requests.get(f"{server.url}/t/{secrets.token_urlsafe(16)}", timeout=ANSWER_S)
            assert wrong.status_code == 404
    assert_error(rate(server, mine["status_token"], 4), 429, "too_many_lookups")
    refused = rate(server, mine["status_token"], data={"score": "4"})
    assert refused.status_code == 429 and "Zu viele Versuche." in refused.text
    assert requests.get(f"{server.url}/t/{mine['status_token']}", timeout=10).status_code == 429
    assert rows(server) == []


def test_a_ticket_from_an_earlier_day_is_not_rated(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"])
    assert server.db is not None
    with server.db.write_session() as session:
        ticket = session.get_one(Ticket, mine["id"])
        session.execute(
            update(Ticket).where(Ticket.id == mine["id"]).values(day=ticket.day - timedelta(1))
        )
    assert_error(rate(server, mine["status_token"], 5), 404, "not_found")
    assert rows(server) == []


def test_the_display_shows_nothing_of_it(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = finished(kiosk, clerk, services["A"])
    headers = {"Authorization": "Bearer demo-display"}
    url = f"{server.url}/display/demo/state"

    def shown() -> dict[str, Any]:
        answer = requests.get(url, headers=headers, timeout=ANSWER_S)
        assert answer.status_code == 200
        return {k: v for k, v in answer.json().items() if k not in ("now", "seq")}

    before = shown()
    assert rate(server, mine["status_token"], 2).status_code == 201
    assert shown() == before
