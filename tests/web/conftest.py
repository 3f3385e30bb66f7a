"""Fixtures of the waiting-room page tests: a real Chromium (headless, driven by Playwright)
against the real server on loopback, on both database backends.

Where Chromium or Playwright is missing the browser tests are skipped with the reason, unless
``TRESEN_REQUIRE_BROWSER=1`` (CI sets it): then the run stops with that reason instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from central_server.models import Event, Ticket
from central_server.models._types import utcnow
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_MS, ANSWER_S


def _browser_reason() -> str | None:
    """None when the browser tests can run, else why they are skipped."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


BROWSER_REASON = _browser_reason()
if BROWSER_REASON is None:
    from playwright.sync_api import expect

    # A page's answer may take seconds on a busy machine: wait for it, never fail for slowness.
    expect.set_options(timeout=ANSWER_MS)
if BROWSER_REASON is not None and os.environ.get("TRESEN_REQUIRE_BROWSER") == "1":
    # CI sets this: there the browser tests must run, not be skipped.
    raise pytest.UsageError(f"TRESEN_REQUIRE_BROWSER=1 but {BROWSER_REASON}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if BROWSER_REASON is not None:
        pytest.skip(BROWSER_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(width=1920, height=1080)``: a page in a fresh browser context (its own
    cookies and storage). Errors in the page's scripts fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(width: int = 1920, height: int = 1080, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(ANSWER_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"errors in the page's scripts: {errors}"


def wait_until(check: Callable[[], Any], timeout: float = ANSWER_S, what: str = "") -> Any:
    """Poll ``check`` until it returns something true; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.02)


def backdate_calls(server: LiveServer, ticket_id: int, minutes: float) -> None:
    """Make the ticket's calls ``minutes`` older, as if they had happened then."""
    from central_server.db import Database

    db = Database(server.database_url)
    try:
        with db.write_session() as session:
            session.execute(
                update(Event)
                .where(
                    Event.ticket_id == ticket_id,
                    Event.type.in_(("ticket.called", "ticket.recalled")),
                )
                .values(at=utcnow() - timedelta(minutes=minutes))
            )
            session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(called_at=utcnow() - timedelta(minutes=minutes))
            )
    finally:
        db.dispose()


@pytest.fixture
def kiosk(server: LiveServer) -> ApiClient:
    return server.client("demo-kiosk")


@pytest.fixture
def clerk(server: LiveServer) -> ApiClient:
    """clerk1, at desk 1 (Platz 1)."""
    return server.client(server.login("clerk1"))


@pytest.fixture
def services(kiosk: ApiClient) -> dict[str, int]:
    answer = kiosk.get("/sites/demo/services")
    assert answer.status_code == 200, answer.text
    return {s["prefix"]: int(s["id"]) for s in answer.json()}
