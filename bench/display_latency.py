"""Display figure: a call made at the API to its number visible on the waiting-room display.

    .venv/bin/python bench/display_latency.py [--calls 100]

Runs a real server (``tresen server``, its own process, SQLite, demo site) and the call
display in the system's Chromium (headless, Playwright) on loopback. A MutationObserver in the
page stamps the moment the big number changes (``performance.timeOrigin +
performance.now()``); each run takes the wall clock just before ``POST call-next`` and reports
the difference, corrected by the offset between the browser's clock and this process's
(measured before the runs). Included: the call on the server (one write transaction), the
event bus waking the display's stream, reading the site's board, the server-sent event, the
page's script and the DOM change. After each call the ticket is marked no-show, which frees the
desk for the next. Prints the machine, then median, p90, p99 and max in milliseconds. Aim:
under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from playwright.sync_api import expect, sync_playwright

from bench.clerk_window import ServerProcess, cpu_model, report
from tests.support.browser import CHROMIUM
from tests.support.browser import CHROMIUM_ARGS as ARGS
from tests.support.live_server import ApiClient
from tests.support.sites import demo_database

OBSERVE = """() => {
  window.benchSeen = {};
  const target = document.getElementById("current-number");
  new MutationObserver(() => {
    const text = target.textContent;
    if (text && !(text in window.benchSeen)) {
      window.benchSeen[text] = performance.timeOrigin + performance.now();
    }
  }).observe(target, { childList: true, characterData: true, subtree: true });
}"""
BROWSER_NOW = "() => performance.timeOrigin + performance.now()"


def clock_offset(page: Any) -> tuple[float, float]:
    """The browser's clock minus ours (ms), from the quickest of 50 round trips, and the
    uncertainty (half that round trip)."""
    best = (float("inf"), 0.0)
    for _ in range(50):
        before = time.time() * 1000
        theirs = float(page.evaluate(BROWSER_NOW))
        after = time.time() * 1000
        if after - before < best[0]:
            best = (after - before, theirs - (before + after) / 2)
    return best[1], best[0] / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="calls to time")
    parser.add_argument("--warm-up", type=int, default=5, help="calls made first, not timed")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    server = ServerProcess(demo_database(folder, "bench.sqlite3"))
    try:
        kiosk = ApiClient(server.url, "demo-kiosk")
        login = requests.post(
            f"{server.url}/api/v1/login",
            json={"username": "clerk1", "password": "demo"},
            timeout=10,
        )
        clerk = ApiClient(server.url, login.json()["token"])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{server.url}/display/demo?token=demo-display")
            expect(page.locator("#current-empty")).to_be_visible()
            page.evaluate(OBSERVE)
            offset, uncertainty = clock_offset(page)
            shown: list[float] = []
            answered: list[float] = []
            for run in range(args.warm_up + args.calls):
                created = kiosk.post("/sites/demo/tickets", json={"service_id": 1}).json()
                number = created["number"]
                started = time.time() * 1000
                answer = clerk.post("/sites/demo/desks/1/call-next")
                done = time.time() * 1000
                assert answer.status_code == 200 and answer.json()["number"] == number, answer.text
                expect(page.locator("#current-number")).to_have_text(number, timeout=10000)
                seen = float(page.evaluate("(n) => window.benchSeen[n]", number)) - offset
                if run >= args.warm_up:
                    shown.append(seen - started)
                    answered.append(done - started)
                clerk.post(f"/tickets/{created['id']}/no-show")
            version = browser.version
            browser.close()
    finally:
        server.stop()

    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, Chromium {version}"
    )
    print("server: tresen server (own process, SQLite), display in headless Chromium, loopback")
    print(f"clock offset browser - here: {offset:+.2f} ms (± {uncertainty:.2f} ms)")
    report("call-next answered (API)", answered, width=34)
    report("call → number on the display", shown, width=34)


if __name__ == "__main__":
    main()
