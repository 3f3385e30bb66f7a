"""The heaviest statistics requests over HTTP (issue 14): an organisation's year by day and service,
and its heat maps (weekday x hour) split by desk and by service, for a year of whole months and
from the middle of a month, asked of a real ``tresen server`` on loopback, as the supervisor
window or a report tool would.

::

    python bench/stats_year.py --db sqlite --keep        # prints the URL of the year it kept
    python bench/stats_http.py URL [--rounds 9]

It adds a supervisor of site-01 (organisation "koeln") to the kept database, starts the server
on it, signs in and asks each request (``GET /api/v1/statistics?organisation=koeln&from=..&to=..
&group=..&by=..``) ``--rounds`` times after one warm-up; it prints the median and the slowest,
the size of the answer and the machine's load. The client reads the whole answer (22 MB for the
year by day and service) in the time.

The server starts with ``TRESEN_CASE_PURGE_DAYS=3650``: a generated year has a year of case text
waiting for its first purge, which a running server erases in the background from its start
(hours of batches on this machine), while a real one erases what ended each hour. That backlog is
not the request's cost and would otherwise share the two cores with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

TRESEN = str(Path(sys.executable).with_name("tresen"))
USER, PASSWORD = "bench-supervisor", "bench-password-1"
YEAR = {"organisation": "koeln", "from": "2025-12-01", "to": "2026-11-30"}
FROM_MID_MONTH = {**YEAR, "from": "2025-12-16", "to": "2026-11-15"}
REQUESTS = [
    ("a year by day and service", {**YEAR, "group": "day", "by": "service"}),
    ("a year by weekday_hour and desk", {**YEAR, "group": "weekday_hour", "by": "desk"}),
    ("a year by weekday_hour and service", {**YEAR, "group": "weekday_hour", "by": "service"}),
    (
        "from mid-month by weekday_hour and desk",
        {**FROM_MID_MONTH, "group": "weekday_hour", "by": "desk"},
    ),
    (
        "from mid-month by weekday_hour and service",
        {**FROM_MID_MONTH, "group": "weekday_hour", "by": "service"},
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the database stats_year.py --keep printed")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--port", type=int, default=8199)
    args = parser.parse_args()
    add_user = ["admin", "add-user", USER, "--role", "supervisor", "--site", "site-01"]
    added = subprocess.run(
        [TRESEN, *add_user, "--password-stdin", "--db", args.url],
        input=f"{PASSWORD}\n".encode(),
        capture_output=True,
    )
    if added.returncode and b"exists" not in added.stderr:
        sys.exit(added.stderr.decode())
    server = subprocess.Popen(
        [TRESEN, "server", "--db", args.url, "--port", str(args.port)],
        env={**os.environ, "TRESEN_CASE_PURGE_DAYS": "3650"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}/api/v1"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        signed_in = requests.post(
            f"{base}/login", json={"username": USER, "password": PASSWORD}, timeout=10
        )
        signed_in.raise_for_status()
        headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
        for label, params in REQUESTS:
            times = []
            for round_ in range(args.rounds + 1):
                start = time.perf_counter()
                answer = requests.get(
                    f"{base}/statistics", params=params, headers=headers, timeout=60
                )
                elapsed = (time.perf_counter() - start) * 1000
                answer.raise_for_status()
                if round_:  # the first warms the server up (its first read of the figures)
                    times.append(elapsed)
            groups = len(answer.json()["groups"])
            print(
                f"HTTP {args.url.split(':')[0]}: organisation koeln, {label}: "
                f"median {statistics.median(times):.0f} ms, slowest {max(times):.0f} ms of "
                f"{len(times)}; {len(answer.content) / 1e6:.1f} MB, {groups} groups; "
                f"{os.cpu_count()} cores, load {tuple(round(x, 2) for x in os.getloadavg())}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
