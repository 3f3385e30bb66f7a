"""What the /metrics middleware costs per request: CPU time of the server's request path with
and without ``central_server.metrics.MetricsMiddleware``, in one process and in prometheus-client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, as with ``--workers``).

The app under the middleware answers at once, with the headers of a real JSON answer, so the
difference is the middleware's own work (two clock reads, a look at the headers, one histogram
observation, the route template). Each mode runs in its own child process, since
prometheus-client chooses its storage once per process.

    .venv/bin/python bench/metrics_overhead.py [--requests 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from starlette.routing import Route


async def _endpoint(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"42"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"{}" * 21})


_ROUTE = Route("/sites/{site}/tickets", _endpoint)


async def _app(scope: Any, receive: Any, send: Any) -> None:
    # What the router leaves in the scope for an included route.
    scope["route"] = _ROUTE
    scope["path_params"] = {"site": "demo"}
    await _endpoint(scope, receive, send)


async def _send(message: Any) -> None:
    return None


async def _receive() -> Any:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _run(app: Any, count: int) -> float:
    """CPU seconds per request of ``count`` requests through ``app``."""
    started = time.process_time()
    for _ in range(count):
        scope = {"type": "http", "method": "POST", "path": "/api/v1/sites/demo/tickets"}
        await app(scope, _receive, _send)
    return (time.process_time() - started) / count


def _measure(count: int) -> None:
    from central_server.metrics import MetricsMiddleware

    wrapped = MetricsMiddleware(_app)
    asyncio.run(_run(wrapped, count // 10))  # warm up
    bare = asyncio.run(_run(_app, count))
    timed = asyncio.run(_run(wrapped, count))
    mode = "multiprocess" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "one process"
    print(
        f"{mode:13}  without {bare * 1e6:6.2f} µs  with {timed * 1e6:6.2f} µs  "
        f"middleware {(timed - bare) * 1e6:6.2f} µs CPU per request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _measure(args.requests)
        return
    base = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    command = [sys.executable, __file__, "--child", "--requests", str(args.requests)]
    subprocess.run(command, env=base, check=True)
    with tempfile.TemporaryDirectory(prefix="tresen-metrics-bench-") as folder:
        subprocess.run(command, env={**base, "PROMETHEUS_MULTIPROC_DIR": folder}, check=True)


if __name__ == "__main__":
    main()
