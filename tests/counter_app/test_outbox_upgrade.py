"""An outbox left on a desk PC by the program before an upgrade is sent by the new one.

The earlier program kept each change as method, path and JSON body. The rows below are written
with plain SQLite, in that program's table, exactly as it wrote them; the new program opens the
same file and hands every change to the server, in order, each once.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from tests.support.live_server import LiveServer

#: The outbox table as the program before typed answers created it.
EARLIER_TABLE = """
CREATE TABLE outbox (
    id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    method VARCHAR(8) NOT NULL,
    path VARCHAR(300) NOT NULL,
    body JSON,
    idempotency_key VARCHAR(64) NOT NULL,
    label VARCHAR(200) NOT NULL,
    state VARCHAR(10) NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (idempotency_key)
)
"""


def write_earlier_outbox(path: Path, changes: list[tuple[str, str, object, str]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(EARLIER_TABLE)
        for method, url_path, body, label in changes:
            db.execute(
                "INSERT INTO outbox (created_at, method, path, body, idempotency_key, label, "
                "state, attempts, error) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, '')",
                (
                    datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                    method,
                    url_path,
                    json.dumps(body),
                    uuid.uuid4().hex,
                    label,
                ),
            )


def test_a_desks_changes_kept_before_the_upgrade_reach_the_server(
    server: LiveServer, tmp_path: Path
) -> None:
    kiosk = TresenClient(server.url, token="demo-kiosk")
    service = next(s for s in kiosk.services("demo") if s.prefix == "A")
    made = kiosk.create_ticket("demo", service.id, language="de")
    clerk = TresenClient(server.url)
    clerk.login("clerk1", "demo")
    clerk.sign_on("demo", "1")
    called = clerk.call_next("demo", "1")
    assert called is not None and called.id == made.id
    clerk.act(made.id, "start")
    case = {"steps_done": [], "notes": "Meldebescheinigung mitgegeben", "case_reference": "AZ-7"}
    file = tmp_path / "outbox-demo-1.sqlite3"
    write_earlier_outbox(
        file,
        [
            ("PUT", f"/tickets/{made.id}/case", case, f"case {made.number}"),
            ("POST", f"/tickets/{made.id}/finish", {"outcome": "completed", **case}, "finish"),
        ],
    )

    outbox = Outbox(file)
    assert outbox.pending_ticket_ids() == {made.id}  # the finish, not the case
    assert outbox.flush(clerk) == 2
    assert outbox.pending_count() == 0
    finished = clerk.ticket(made.id)
    assert finished.status == "done"
    assert finished.case is not None and finished.case.notes == case["notes"]
    outbox.close()


def test_a_kiosks_offline_tickets_kept_before_the_upgrade_reach_the_server(
    server: LiveServer, tmp_path: Path
) -> None:
    kiosk = TresenClient(server.url, token="demo-kiosk")
    service = next(s for s in kiosk.services("demo") if s.prefix == "A")
    lease = next(
        x for x in kiosk.lease_numbers("demo", size=5).leases if x.service_id == service.id
    )
    issued_at = datetime.now(UTC).astimezone()
    body = {
        "service_id": service.id,
        "language": "tr",
        "offline": {
            "lease_id": lease.id,
            "number": lease.first,
            "issued_at": issued_at.isoformat(),
            "status_token": "offline-status-token-0001",
        },
    }
    number = f"A{lease.first:03d}"
    file = tmp_path / "outbox-kiosk.sqlite3"
    write_earlier_outbox(file, [("POST", "/sites/demo/tickets", body, number)])

    outbox = Outbox(file)
    assert outbox.flush(kiosk) == 1
    clerk = TresenClient(server.url)
    clerk.login("clerk1", "demo")
    waiting = clerk.queue("demo").waiting
    uploaded = [t for t in waiting if t.number == number]
    assert len(uploaded) == 1 and uploaded[0].language == "tr"
    outbox.close()
