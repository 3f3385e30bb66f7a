"""The served OpenAPI document is a contract an outside system can build against.

It lists, for each operation, the errors the server can answer (with the one error shape), the
Idempotency-Key's limits as the server enforces them; a 405 says which methods the address
takes; ids in JSON bodies are integers, never ``true``, ``"1"`` or ``1.0``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.support.api import assert_error, new_ticket, queue

ERROR_REF = {"$ref": "#/components/schemas/Error"}

#: What some operations must list, beyond their success (checked exactly, 5xx aside).
EXPECTED = {
    ("post", "/api/v1/login"): {401, 413, 422, 429},
    ("post", "/api/v1/logout"): {401, 413, 422},
    ("get", "/api/v1/sites/{site}/queue"): {401, 403, 404, 422},
    ("post", "/api/v1/sites/{site}/tickets"): {401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/sites/{site}/desks/{desk}/call-next"): {401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/sites/{site}/desks/{desk}/sign-on"): {401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/tickets/{ticket_id}/transfer"): {401, 403, 404, 409, 413, 422},
    ("put", "/api/v1/tickets/{ticket_id}/case"): {401, 403, 404, 409, 413, 422},
    ("get", "/api/v1/tickets/{ticket_id}"): {401, 403, 404, 422},
    ("post", "/api/v1/sites/{site}/pickups"): {401, 403, 404, 409, 413, 422},
    ("post", "/api/v1/pickups/lookup"): {401, 403, 404, 413, 422, 429},
    ("post", "/api/v1/pickups/{pickup_id}/hand-over"): {401, 403, 404, 409, 413, 422, 429},
    ("post", "/api/v1/sites/{site}/devices/printer"): {401, 403, 404, 413, 422},
    ("get", "/api/v1/sites/{site}/events"): {401, 403, 404, 422},
}


@pytest.fixture
def document(server) -> dict[str, Any]:
    answer = requests.get(f"{server.url}/openapi.json", timeout=10)
    assert answer.status_code == 200
    return dict(answer.json())


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_each_operation_lists_the_errors_it_can_answer(document):
    operations = _operations(document)
    for key, expected in EXPECTED.items():
        listed = {int(s) for s in operations[key]["responses"] if int(s) >= 400 and int(s) < 500}
        assert listed == expected, (key, listed)
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        errors = {int(s) for s in responses if int(s) >= 400}
        assert 503 in errors, (method, path)  # the database may be unreachable
        if path.startswith("/api/"):
            assert 422 in errors, (method, path)
        if operation.get("security"):
            assert 401 in errors, (method, path)
        if method in ("post", "put"):
            assert 413 in errors, (method, path)
        for status in errors:
            entry = responses[str(status)]
            assert entry["description"].strip(), (method, path, status)
            assert entry["content"]["application/json"]["schema"] == ERROR_REF, (
                method,
                path,
                status,
            )
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "details"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_idempotency_key_is_documented_as_it_is_enforced(server, document, kiosk):
    operation = document["paths"]["/api/v1/sites/{site}/tickets"]["post"]
    (header,) = [p for p in operation["parameters"] if p["name"].lower() == "idempotency-key"]
    schema = header["schema"]
    assert (schema["minLength"], schema["maxLength"]) == (1, 200)
    assert schema["pattern"] == "^[!-~]{1,200}$"

    def create(key: str) -> requests.Response:
        return kiosk.post(
            "/sites/demo/tickets", json={"service_id": 1}, headers={"Idempotency-Key": key}
        )

    assert create("k" * 200).status_code == 201
    assert create("3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b").status_code == 201
    for wrong in ("k" * 201, "zwei worte", "ä".encode().decode("latin-1")):
        assert_error(create(wrong), 422, "invalid_idempotency_key")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/sites/demo/queue", "GET"),
        ("get", "/api/v1/sites/demo/tickets", "POST"),
        ("delete", "/api/v1/sites/demo/pickups", "GET, POST"),
        ("put", "/api/v1/tickets/1/start", "POST"),
        ("post", "/healthz", "GET"),
    ],
)
def test_a_wrong_method_answers_405_with_allow(server, method, path, allowed):
    answer = requests.request(method, f"{server.url}{path}", timeout=10)
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["Allow"] == allowed


@pytest.mark.parametrize("wrong", [True, "1", 1.0, "A"])
def test_ids_in_bodies_are_integers_only(server, kiosk, clerk, wrong):
    before = queue(clerk)
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": wrong})
    error = assert_error(answer, 422, "invalid_input")
    assert [p["field"] for p in error["details"]["problems"]] == ["service_id"]
    ticket = new_ticket(kiosk, 1)
    transfer = clerk.post(f"/tickets/{ticket['id']}/transfer", json={"service_id": wrong})
    assert_error(transfer, 422, "invalid_input")
    order = clerk.post(
        "/sites/demo/pickups",
        json={
            "document_kind": "passport",
            "holder_name": "Erika M.",
            "case_reference": "AZ-1",
            "ticket_id": wrong,
        },
    )
    assert_error(order, 422, "invalid_input")
    assert clerk.get("/sites/demo/pickups").json() == []
    assert len(queue(clerk)["waiting"]) == len(before["waiting"]) + 1  # only the real ticket
