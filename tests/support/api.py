"""Small helpers for the API tests: make tickets, act on them, read the queue, check errors."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.live_server import ApiClient, LiveServer


def new_ticket(client: ApiClient, service_id: int, **fields: Any) -> dict[str, Any]:
    answer = client.post("/sites/demo/tickets", json={"service_id": service_id, **fields})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def queue(client: ApiClient, **params: Any) -> dict[str, Any]:
    answer = client.get("/sites/demo/queue", params=params or None)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def waiting_numbers(client: ApiClient, **params: Any) -> list[str]:
    return [t["number"] for t in queue(client, **params)["waiting"]]


def act(
    client: ApiClient, ticket_id: int, action: str, body: Any = None, expect: int = 200
) -> dict[str, Any]:
    answer = client.post(f"/tickets/{ticket_id}/{action}", json=body)
    assert answer.status_code == expect, f"{action}: {answer.status_code} {answer.text}"
    return dict(answer.json())


def call_next(client: ApiClient, desk: str, expect: int = 200) -> dict[str, Any] | None:
    answer = client.post(f"/sites/demo/desks/{desk}/call-next")
    assert answer.status_code == expect, f"call-next {desk}: {answer.status_code} {answer.text}"
    return dict(answer.json()) if answer.status_code == 200 else None


def assert_error(answer: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is the JSON error ``{"code", "message", "details"}`` with ``status``."""
    assert answer.status_code == status, (
        f"expected {status} {code}: {answer.status_code} {answer.text}"
    )
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    body = answer.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert isinstance(body["details"], dict), body
    return dict(body)


def settled(server: LiveServer, answer: requests.Response) -> requests.Response:
    """``answer``, once the server has finished logging the crash behind a 500.

    uvicorn logs "Exception in ASGI application" just after sending the 500. Python 3.11 draws
    the traceback's carets with ``ast.parse``, which is not thread-safe: if pytest formats a
    failure in the test thread at the same moment, pytest dies with "SystemError: AST
    constructor recursion depth mismatch". The server's event loop logs before it serves the
    next request, so one more request (on a new connection) waits for the log to be written.
    """
    if answer.status_code >= 500:
        requests.get(f"{server.url}/healthz", timeout=10)
    return answer
