"""Clerk program start: from launching ``tresen clerk`` (signing in from TRESEN_PASSWORD) to the
log line "desk N usable" (queue shown, desk open). Median, p90, max over --runs launches.

    .venv/bin/python bench/clerk_start.py [--runs 10]

Runs its own server (``tresen server``, SQLite, demo site) and the program offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clerk_window import ServerProcess, cpu_model, percentile
from tests.support.sites import demo_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = demo_database(folder, "start.sqlite3")
    server = ServerProcess(url)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TRESEN_PASSWORD": "demo",
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
    }
    times: list[float] = []
    try:
        for _ in range(args.runs):
            began = time.perf_counter()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tresen",
                    "clerk",
                    "--server",
                    server.url,
                    "--site",
                    "demo",
                    "--user",
                    "clerk1",
                    "--desk",
                    "1",
                ],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stderr is not None
            for line in process.stderr:
                if "desk 1 usable" in line:
                    times.append((time.perf_counter() - began) * 1000)
                    break
            process.terminate()
            process.wait(timeout=20)
            process.stderr.close()
    finally:
        server.stop()
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {sys.version.split()[0]}")
    print(
        f"clerk program start to usable  n={len(times)}  median={statistics.median(times):.0f}"
        f"  p90={percentile(times, 0.9):.0f}  max={max(times):.0f}  (ms)"
    )


if __name__ == "__main__":
    main()
