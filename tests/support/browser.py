"""The system's Chromium (Debian's package) as the tests, benchmarks and screenshot scripts
start it through Playwright; its own browser download does not work on these machines."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("TRESEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # as root
    "--disable-gpu",
    # No calls home: this machine's network is closed and Chromium retries them at every start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # As on a display in kiosk mode: the chime may play without a touch.
    "--autoplay-policy=no-user-gesture-required",
]
