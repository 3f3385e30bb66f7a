"""The floor: what the server's stack costs per request before Tresen does anything.

::

    python bench/floor.py [--duration 10] [--clients 10] [--only NAME ...]

Issue 12 asks for at most 2 ms of server CPU per create, call-next, start and finish. This
benchmark measures, on the same machine and with the same kind of load as ``bench/load.py``
(10 clients, each its own process with a keep-alive ``requests.Session``, sending as fast as they
are answered), the CPU per request of minimal servers built from the parts Tresen's server is
built from (uvicorn with uvloop and httptools, Starlette, FastAPI, SQLAlchemy on SQLite), each
adding one layer:

``starlette``           an async Starlette route answering a small JSON
``fastapi-async``       the same as an ``async def`` FastAPI endpoint with a pydantic body and a
                        header dependency (what every Tresen write has)
``fastapi-thread``      the same as a plain ``def`` endpoint: FastAPI runs it in a worker thread
                        (Tresen's endpoints that touch the database)
``core-write``          ``fastapi-thread`` plus one SQLite write transaction of 3 statements
                        through SQLAlchemy Core (lock a row, insert, update)
``orm-write``           the same transaction through the ORM (a Session, objects, flush)

Every server runs without an access log. The figure is the server process's CPU time (user +
system, from ``/proc/<pid>/stat``) over the requests it answered. It says where the floor lies,
so the figures of ``bench/load.py`` can be read against it: Tresen's writes do 8 to 14
statements, a site lock, an event row, an answer remembered for retries, and the wait estimate.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

if __package__ in (None, ""):  # run as a script: bench/ is not a package on the path then
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import (
    cpu_model,
    load_average,
    machine_busy_ticks,
    os_name,
    percentile,
    process_cpu_seconds,
)
from tests.support.ports import free_port
from tresen.health import wait_until_up

_COMMON = """
import sys, uvicorn
from pydantic import BaseModel
class Body(BaseModel):
    service_id: int
    language: str = "de"
def SQLITE_AS_TRESEN(engine):
    # WAL and synchronous=NORMAL on every connection, as central_server/db.py sets them
    from sqlalchemy import event
    @event.listens_for(engine, "connect")
    def pragmas(connection, _record):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
ANSWER = {"id": 1, "number": "A001", "status": "waiting", "position": 3, "minutes": 12}
"""

_SERVERS = {
    "starlette": """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def endpoint(request):
    Body.model_validate_json(await request.body())
    return JSONResponse(ANSWER, status_code=201)
async def health(request):
    return JSONResponse({})
app = Starlette(routes=[Route("/t", endpoint, methods=["POST"]), Route("/healthz", health)])
""",
    "fastapi-async": """
from typing import Annotated
from fastapi import FastAPI, Header
app = FastAPI()
@app.post("/t", status_code=201)
async def endpoint(body: Body, authorization: Annotated[str | None, Header()] = None) -> dict:
    return ANSWER
""",
    "fastapi-thread": """
from typing import Annotated
from fastapi import FastAPI, Header
app = FastAPI()
@app.post("/t", status_code=201)
def endpoint(body: Body, authorization: Annotated[str | None, Header()] = None) -> dict:
    return ANSWER
""",
    "core-write": """
import threading
from typing import Annotated
from fastapi import FastAPI, Header
from sqlalchemy import create_engine, text
engine = create_engine("sqlite:///" + sys.argv[2], connect_args={"check_same_thread": False})
SQLITE_AS_TRESEN(engine)
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS sites (id INTEGER PRIMARY KEY, seq INTEGER)"))
    c.execute(text("CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, site_id INTEGER,"
                   " service_id INTEGER, language TEXT, status TEXT)"))
    c.execute(text("INSERT OR IGNORE INTO sites VALUES (1, 0)"))
LOCK = threading.Lock()
app = FastAPI()
@app.post("/t", status_code=201)
def endpoint(body: Body, authorization: Annotated[str | None, Header()] = None) -> dict:
    with LOCK, engine.begin() as c:
        c.execute(text("SELECT seq FROM sites WHERE id = 1")).scalar()
        c.execute(text("INSERT INTO tickets (site_id, service_id, language, status)"
                       " VALUES (1, :s, :l, 'waiting')"),
                  {"s": body.service_id, "l": body.language})
        c.execute(text("UPDATE sites SET seq = seq + 1 WHERE id = 1"))
    return ANSWER
""",
    "orm-write": """
import threading
from typing import Annotated
from fastapi import FastAPI, Header
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
class Base(DeclarativeBase):
    pass
class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int]
    service_id: Mapped[int]
    language: Mapped[str]
    status: Mapped[str]
engine = create_engine("sqlite:///" + sys.argv[2], connect_args={"check_same_thread": False})
SQLITE_AS_TRESEN(engine)
Base.metadata.create_all(engine)
with Session(engine) as s, s.begin():
    if s.get(Site, 1) is None:
        s.add(Site(id=1, seq=0))
LOCK = threading.Lock()
app = FastAPI()
@app.post("/t", status_code=201)
def endpoint(body: Body, authorization: Annotated[str | None, Header()] = None) -> dict:
    with LOCK, Session(engine) as s, s.begin():
        site = s.scalars(select(Site).where(Site.id == 1)).one()
        s.add(Ticket(site_id=1, service_id=body.service_id, language=body.language,
                     status="waiting"))
        site.seq += 1
    return ANSWER
""",
}

_RUN = """
if not any(getattr(r, "path", "") == "/healthz" for r in app.routes):
    app.add_api_route("/healthz", lambda: {})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning",
            loop="uvloop", http="httptools")
"""


def _client(url: str, until: float, times: mp.Queue) -> None:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer token"
    taken: list[float] = []
    while time.time() < until:
        started = time.perf_counter()
        answer = session.post(url, json={"service_id": 3, "language": "de"}, timeout=10)
        taken.append(time.perf_counter() - started)
        if answer.status_code != 201:
            raise SystemExit(f"{url}: HTTP {answer.status_code} {answer.text[:200]}")
    times.put(taken)


def measure(name: str, duration: float, clients: int, folder: Path) -> dict[str, float]:
    port = free_port()
    source = folder / f"floor_{name.replace('-', '_')}.py"
    source.write_text(_COMMON + textwrap.dedent(_SERVERS[name]) + _RUN, "utf-8")
    database = folder / f"{name}.sqlite3"
    server = subprocess.Popen(
        [sys.executable, str(source), str(port), str(database)], stdin=subprocess.DEVNULL
    )
    try:
        if not wait_until_up(f"http://127.0.0.1:{port}", 30, server):
            raise SystemExit(f"the {name} server did not start")
        # Warm up: imports, the first statement of each kind, the thread pool.
        for _ in range(50):
            requests.post(f"http://127.0.0.1:{port}/t", json={"service_id": 1}, timeout=10)
        times: mp.Queue = mp.Queue()
        cpu_before = process_cpu_seconds(server.pid) or 0.0
        busy_before = machine_busy_ticks()
        started = time.time()
        workers = [
            mp.Process(
                target=_client, args=(f"http://127.0.0.1:{port}/t", started + duration, times)
            )
            for _ in range(clients)
        ]
        for worker in workers:
            worker.start()
        taken = [t for _ in workers for t in times.get(timeout=duration + 60)]
        for worker in workers:
            worker.join(timeout=30)
        elapsed = time.time() - started
        cpu = (process_cpu_seconds(server.pid) or 0.0) - cpu_before
        busy_after = machine_busy_ticks()
    finally:
        server.terminate()
        server.wait(timeout=30)
    busy = None
    if busy_before and busy_after:
        busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    ordered = sorted(taken)
    return {
        "requests": len(taken),
        "per_second": len(taken) / elapsed,
        "cpu_ms": 1000 * cpu / max(1, len(taken)),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * percentile(ordered, 99),
        "busy": busy if busy is not None else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per server")
    parser.add_argument("--clients", type=int, default=10, help="client processes")
    parser.add_argument("--only", nargs="*", choices=sorted(_SERVERS), help="these servers only")
    args = parser.parse_args()
    print(
        f"machine: {mp.cpu_count()} cores, {cpu_model()}, {os_name()}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"load average before: {load_average()}")
    print(f"{args.clients} clients, {args.duration:.0f} s each, no access log\n")
    print(
        f"{'server':16} {'requests':>9} {'req/s':>8} {'CPU ms/req':>11} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'machine busy':>13}"
    )
    with tempfile.TemporaryDirectory(prefix="tresen-floor-") as folder:
        for name in args.only or list(_SERVERS):
            figures = measure(name, args.duration, args.clients, Path(folder))
            print(
                f"{name:16} {figures['requests']:9.0f} {figures['per_second']:8.0f} "
                f"{figures['cpu_ms']:11.2f} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} "
                f"{100 * figures['busy']:12.0f}%"
            )


if __name__ == "__main__":
    main()
