"""bench/city.py end to end in a tiny city, so the benchmark cannot rot: it must run, serve its
citizens and pass its own consistency checks (no ticket lost, none called twice, no number given
twice, every stream gap-free), on SQLite and, with a server process killed and PostgreSQL
restarted mid-day, on a private PostgreSQL cluster. Its figures are not asserted (they are the
benchmark's to print)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.city import PrivateCluster

ROOT = Path(__file__).resolve().parent.parent
CHECKS = (
    "no ticket lost",
    "no ticket made twice by a retried create",
    "none called twice",
    "no number given twice",
    "every stream gap-free",
)
#: Two sites with two desks each; a day of 15 s with 30 tickets per site, every request timed.
TINY = ("--sites", "2", "--desks", "2", "--minutes", "0.25", "--scale", "0.2", "--warm-up", "0")


def _city(*args: str, timeout: float) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "city.py"), *TINY, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for name in CHECKS:
        assert f"check: {name}: ok" in output, output
    return output


def test_a_city_day_on_sqlite_serves_citizens_and_passes_its_checks() -> None:
    output = _city("--db", "sqlite", timeout=110)
    assert "errors: 0" in output, output
    served = [line for line in output.splitlines() if line.startswith("finish ")]
    assert served and int(served[0].split()[1]) > 0, output


_NO_CLUSTER = PrivateCluster.available()


@pytest.mark.slow
@pytest.mark.skipif(_NO_CLUSTER is not None, reason=f"no private PostgreSQL: {_NO_CLUSTER}")
def test_a_city_day_survives_a_killed_server_and_a_postgres_restart() -> None:
    output = _city(
        "--db", "postgres", "--processes", "2", "--separate-processes", "--faults", timeout=110
    )
    assert "kill -9 server process" in output, output
    assert "PostgreSQL restarted" in output, output
