"""The server's own pages for the city's IT, against the real server on both backends: ``/``
names each site's display link and the API's documentation in the reader's language (never a
token), and ``/docs`` shows the API's operations in a browser that reaches nothing beyond the
server, as in a city's closed network."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.support.live_server import LiveServer

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@pytest.mark.parametrize(
    ("accept_language", "lang", "headline"),
    [
        ("de-DE,de;q=0.9", "de", "Tresen-Zentralserver"),
        ("en-GB,en;q=0.8", "en", "Tresen central server"),
    ],
)
def test_the_start_page_names_the_sites_display_and_the_api_docs(
    server: LiveServer, accept_language: str, lang: str, headline: str
) -> None:
    answer = requests.get(
        f"{server.url}/", headers={"Accept-Language": accept_language}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert f'<html lang="{lang}"' in page
    assert headline in page
    assert 'href="/display/demo">Bürgeramt Demo</a>' in page
    assert "/display/demo?token=…" in page  # how a display signs in, without a token
    assert 'href="/docs"' in page and 'href="/openapi.json"' in page
    for token in ("demo-display", "demo-kiosk"):
        assert token not in page, "a device token on a page anyone can open"


def test_the_start_page_links_open_in_a_browser(server: LiveServer, new_page: Any) -> None:
    page = new_page(width=1280, height=720, locale="en-GB")
    page.goto(f"{server.url}/")
    expect(page.locator("h1")).to_have_text("Tresen central server")
    page.locator("#api-docs").click()
    expect(page.locator(".opblock").first).to_be_visible()


def test_the_api_docs_show_the_operations_without_internet(
    server: LiveServer, new_page: Any
) -> None:
    page = new_page(width=1280, height=900)
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:  # a closed network: nothing answers outside the server
            outside.append(url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(f"{server.url}/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(page.locator('.opblock-summary-path[data-path="/api/v1/login"]')).to_be_visible()
    assert operations.count() > 20
    assert outside == [], f"the API docs load files from outside the server: {outside}"
