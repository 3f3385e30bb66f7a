"""Shortcuts for the API tests: the demo site's people and devices as API clients."""

from __future__ import annotations

import pytest

from tests.support.live_server import ApiClient, LiveServer


@pytest.fixture
def kiosk(server: LiveServer) -> ApiClient:
    return server.client("demo-kiosk")


@pytest.fixture
def display(server: LiveServer) -> ApiClient:
    return server.client("demo-display")


@pytest.fixture
def clerk(server: LiveServer) -> ApiClient:
    """clerk1, who works at desk 1 in these tests."""
    return server.client(server.login("clerk1"))


@pytest.fixture
def services(kiosk: ApiClient) -> dict[str, int]:
    """Service ids of the demo site by prefix: A, B, C (front office) and P (pickup)."""
    answer = kiosk.get("/sites/demo/services")
    assert answer.status_code == 200, answer.text
    return {s["prefix"]: int(s["id"]) for s in answer.json()}
