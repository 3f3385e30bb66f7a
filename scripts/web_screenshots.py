"""Screenshots of the waiting-room pages for the README, from the real pages in Chromium.

    .venv/bin/python scripts/web_screenshots.py [--out docs/screenshots]

Runs the real server (demo site, a fresh SQLite database in a temporary folder) on loopback,
makes a morning's worth of tickets and calls through the API, and photographs with the
system's Chromium (Playwright, headless):

* ``display-landscape.png`` (1920x1080) and ``display-portrait.png`` (1080x1920): the call
  display half a second after a call, while the new call flashes;
* ``status-waiting-de.png``: the status page of a waiting ticket on a phone (390x844, German);
* ``status-called-ar.png``: the same page in Arabic, right to left, as the citizen is called;
* ``status-feedback-de.png``, ``status-feedback-ar.png``: the page of a finished visit asking
  "How was your visit?", in German and in Arabic (right to left);
* ``status-feedback-thanks-de.png``: the German page after a tap on a face;
* ``status-appointment-de.png``: the page of an appointment's ticket (checked in at the kiosk)
  with the appointment's time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.support.browser import CHROMIUM  # noqa: E402
from tests.support.browser import CHROMIUM_ARGS as ARGS  # noqa: E402
from tests.support.live_server import ApiClient, LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402


def ticket(kiosk: ApiClient, service: int, **fields: Any) -> dict[str, Any]:
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": service, **fields})
    answer.raise_for_status()
    return dict(answer.json())


def call(client: ApiClient, desk: str) -> dict[str, Any]:
    answer = client.post(f"/sites/demo/desks/{desk}/call-next")
    answer.raise_for_status()
    return dict(answer.json())


def act(client: ApiClient, ticket_id: int, action: str, body: Any = None) -> None:
    client.post(f"/tickets/{ticket_id}/{action}", json=body).raise_for_status()


def freeze_animations(page: Any, at_ms: int) -> None:
    """Hold every running animation at ``at_ms`` (the flash of a new call at its brightest)."""
    page.evaluate(
        "(at) => document.getAnimations().forEach((a) => { a.pause(); a.currentTime = at; })",
        at_ms,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    server = LiveServer(demo_database(Path(tempfile.mkdtemp())))
    server.start()
    try:
        kiosk = server.client("demo-kiosk")
        desks = {d: server.client(server.login(f"clerk{d}")) for d in "1234"}
        services = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
        for prefix, count in (("A", 6), ("B", 4), ("C", 3)):
            for _ in range(count):
                ticket(kiosk, services[prefix])
        # The morning so far: one finished, two being served, two still called.
        first = call(desks["1"], "1")
        act(desks["1"], first["id"], "start")
        act(desks["1"], first["id"], "finish", {"outcome": "completed"})
        serving = {desk: call(desks[desk], desk) for desk in "23"}
        for desk, served in serving.items():
            act(desks[desk], served["id"], "start")
        call(desks["4"], "4")
        at_desk_1 = call(desks["1"], "1")
        for prefix, count in (("A", 3), ("B", 2), ("C", 1)):
            for _ in range(count):
                ticket(kiosk, services[prefix])
        waiting_de = ticket(kiosk, services["A"], language="de")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            displays = {}
            for name, size in (
                ("display-landscape", {"width": 1920, "height": 1080}),
                ("display-portrait", {"width": 1080, "height": 1920}),
            ):
                page = browser.new_context(viewport=size).new_page()
                page.goto(f"{server.url}/display/demo?token=demo-display")
                expect(page.locator("#recent li").first).to_be_visible()
                displays[name] = page
            time.sleep(6.5)  # the highlights of the calls the displays found have faded
            act(desks["2"], serving["2"]["id"], "finish", {"outcome": "completed"})
            called = call(desks["2"], "2")
            for name, page in displays.items():
                expect(page.locator("#current-number")).to_have_text(called["number"])
                freeze_animations(page, 450)
                page.screenshot(path=str(args.out / f"{name}.png"))
                print(f"{name}.png: {called['number']} → Platz 2")

            phone = {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
            }
            page = browser.new_context(**phone).new_page()
            page.goto(f"{server.url}/t/{waiting_de['status_token']}")
            expect(page.locator("#headline")).to_be_visible()
            page.screenshot(path=str(args.out / "status-waiting-de.png"), full_page=True)
            print(f"status-waiting-de.png: {waiting_de['number']} waiting")

            # An appointment is called next: the Arabic page turns "called" live.
            arabic = ticket(kiosk, services["B"], language="ar", priority="appointment")
            page = browser.new_context(**phone).new_page()
            page.goto(f"{server.url}/t/{arabic['status_token']}")
            expect(page.locator("#headline")).to_be_visible()
            act(desks["3"], serving["3"]["id"], "finish", {"outcome": "completed"})
            call(desks["3"], "3")
            expect(page.locator("#card")).to_have_class("card state-called")
            freeze_animations(page, 0)
            print(f"status-called-ar.png: title {page.title()!r}")
            page.screenshot(path=str(args.out / "status-called-ar.png"), full_page=True)

            # Two visits end: each page asks "How was your visit?"; one tap answers it.
            act(desks["1"], at_desk_1["id"], "start")
            act(desks["1"], at_desk_1["id"], "finish", {"outcome": "completed"})
            asked_de = ticket(kiosk, services["A"], language="de", priority="appointment")
            assert call(desks["1"], "1")["id"] == asked_de["id"]
            for language, desk, served in (("de", "1", asked_de), ("ar", "3", arabic)):
                page = browser.new_context(**phone).new_page()
                page.goto(f"{server.url}/t/{served['status_token']}")
                expect(page.locator("#headline")).to_be_visible()
                act(desks[desk], served["id"], "start")
                act(desks[desk], served["id"], "finish", {"outcome": "completed"})
                expect(page.locator("#feedback")).to_be_visible()
                name = f"status-feedback-{language}.png"
                page.screenshot(path=str(args.out / name), full_page=True)
                print(f"{name}: {served['number']} done, asked")
                if language == "de":
                    page.get_by_role("button", name="gut", exact=True).click()
                    expect(page.locator("#feedback-thanks")).to_be_visible()
                    thanks = args.out / "status-feedback-thanks-de.png"
                    page.screenshot(path=str(thanks), full_page=True)
                    print(f"{thanks.name}: answered")

            # An appointment in ten minutes, pushed by the booking system and checked in.
            booked_for = datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(minutes=10)
            server.client("demo-booking").post(
                "/sites/demo/appointments",
                json={
                    "appointments": [
                        {
                            "external_id": "ZMS-100234",
                            "code": "4711-0815",
                            "service_id": services["A"],
                            "starts_at": booked_for.replace(second=0, microsecond=0).isoformat(),
                            "language": "de",
                        }
                    ]
                },
            ).raise_for_status()
            checked_in = kiosk.post("/sites/demo/appointments/check-in", json={"code": "47110815"})
            checked_in.raise_for_status()
            appointment_de = checked_in.json()
            page = browser.new_context(**phone).new_page()
            page.goto(f"{server.url}/t/{appointment_de['status_token']}")
            expect(page.locator("#headline")).to_be_visible()
            page.screenshot(path=str(args.out / "status-appointment-de.png"), full_page=True)
            print(f"status-appointment-de.png: {appointment_de['number']}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
