"""The whole pickup, as the office works it, against one real server: the clerk orders the
document and the receipt comes out of the desk's printer (a test printer on a socket); its QR
code is read back; the back office marks the document ready on a shelf; the citizen checks in
at the kiosk, which prints a P ticket; the pickup desk calls it, scans the receipt and hands the
document over; a second hand-over is refused."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from counter_app.clerk.app import ClerkSession, receipt_printer
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.pickup.app import PickupSession
from counter_app.pickup.dialogs import HandOverDialog
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.kiosk.test_kiosk_pickup import scan
from tests.kiosk.test_kiosk_window import server_queue, tap, wait_printed
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.raster import images_from_escpos
from tests.support.waits import ANSWER_MS


def signed_in(server, user: str) -> tuple[TresenClient, object]:  # type: ignore[no-untyped-def]
    client = TresenClient(server.url)
    return client, client.login(user, "demo")


def test_order_receipt_ready_check_in_call_scan_hand_over_once(
    open_kiosk, server, qtbot, tmp_path: Path
) -> None:
    tasks = Tasks(QApplication.instance())
    with FakeEscposPrinter() as desk_printer:
        # 1. The citizen takes a ticket for the residence permit, in Ukrainian.
        kiosk = open_kiosk()
        tap(kiosk, "lang-uk", qtbot)
        tap(kiosk, "service-C", qtbot)
        wait_printed(kiosk, qtbot)
        tap(kiosk, "doneButton", qtbot)

        # 2. The clerk serves them and orders the document: the receipt prints at the desk.
        client, sign_in = signed_in(server, "clerk1")
        clerk = ClerkSession(
            client,
            sign_in,
            "demo",
            "1",
            Language("de"),
            Outbox(tmp_path / "clerk.sqlite3"),
            tasks,
            receipt_printer(desk_printer.uri, 576),
        )
        qtbot.addWidget(clerk.window)
        clerk.window.show()
        clerk.start()
        c = clerk.controller
        qtbot.waitUntil(lambda: c.desk_state == "open" and bool(c.waiting), timeout=ANSWER_MS)
        c.call_next()
        qtbot.waitUntil(lambda: c.current is not None and not c.busy, timeout=ANSWER_MS)
        c.act("start")
        qtbot.waitUntil(lambda: c.current.status == "serving" and not c.busy, timeout=ANSWER_MS)
        c.order_document(
            {
                "document_kind": "residence_permit",
                "holder_name": "Olena Kovalenko",
                "case_reference": "32-AT-2026-0815",
            }
        )
        qtbot.waitUntil(lambda: desk_printer.cuts() == 1, timeout=ANSWER_MS)
        [image] = images_from_escpos(desk_printer.printed())
        [code] = zxingcpp.read_barcodes(image.convert("L"))
        token = code.text
        c.finish("completed")
        qtbot.waitUntil(lambda: c.current is None and not c.busy, timeout=ANSWER_MS)

        # 3. The document arrives; the back office puts it on shelf B-17.
        back_office = server.client(server.login("clerk2"))
        pickup = next(
            p
            for p in back_office.get("/sites/demo/pickups", params={"status": "ordered"}).json()
            if p["case_reference"] == "32-AT-2026-0815"
        )
        marked = back_office.post(f"/pickups/{pickup['id']}/ready", json={"slot": "B-17"})
        assert marked.status_code == 200

        # 4. The citizen comes back and scans the receipt at the kiosk: a P ticket prints.
        scan(kiosk, qtbot, token)
        wait_printed(kiosk, qtbot, tickets=2)
        assert kiosk.controller.last.ticket.number == "P001"
        assert [t["number"] for t in server_queue(server)["waiting"]] == ["P001"]

        # 5. The pickup desk calls P001, scans the receipt, checks the ID and hands it over.
        client, sign_in = signed_in(server, "pickup1")
        desk = PickupSession(
            client, sign_in, "demo", "6", Language("de"), Outbox(tmp_path / "p.sqlite3"), tasks
        )
        qtbot.addWidget(desk.window)
        desk.window.show()
        desk.start()
        d = desk.controller
        qtbot.waitUntil(lambda: d.desk_state == "open" and bool(d.waiting), timeout=ANSWER_MS)
        qtbot.keyClick(desk.window, Qt.Key.Key_F2)
        current = desk.window.findChild(QLabel, "currentTicketLabel")
        qtbot.waitUntil(lambda: "P001" in current.text(), timeout=ANSWER_MS)
        field = desk.window.findChild(QLineEdit, "scanInput")
        qtbot.keyClicks(field, token.lower())  # typed by hand: small letters do too
        qtbot.keyClick(field, Qt.Key.Key_Return)
        slot = desk.window.findChild(QLabel, "pickupSlotLabel")
        qtbot.waitUntil(lambda: "B-17" in slot.text(), timeout=ANSWER_MS)
        hand_over = desk.window.findChild(QPushButton, "handOverButton")
        qtbot.waitUntil(hand_over.isEnabled, timeout=ANSWER_MS)

        def confirm() -> None:
            dialog = desk.window.findChild(HandOverDialog)
            if dialog is None or not dialog.isVisible():
                QTimer.singleShot(50, confirm)
                return
            assert "Olena Kovalenko" in " ".join(
                label.text() for label in dialog.findChildren(QLabel)
            )
            dialog.findChild(QPushButton, "confirmHandOverButton").click()

        QTimer.singleShot(50, confirm)
        hand_over.click()
        supervisor = server.client(server.login("supervisor"))
        qtbot.waitUntil(
            lambda: supervisor.get(f"/pickups/{pickup['id']}").json()["status"] == "handed_over",
            timeout=ANSWER_MS,
        )
        done = supervisor.get(f"/pickups/{pickup['id']}").json()
        assert done["handed_over_by"] == "pickup1"
        # The P ticket is finished with it.
        qtbot.waitUntil(lambda: d.current is None, timeout=ANSWER_MS)
        assert server_queue(server)["waiting"] == []

        # 6. The same receipt again: refused, nothing changes.
        again = server.client(server.login("pickup1")).post(
            f"/pickups/{pickup['id']}/hand-over", json={"token": token, "id_checked": True}
        )
        assert again.status_code == 409
        assert again.json()["code"] == "pickup_already_handed_over"
        assert supervisor.get(f"/pickups/{pickup['id']}").json() == done

        desk.stop()
        clerk.stop()
        tasks.wait(ANSWER_MS)
