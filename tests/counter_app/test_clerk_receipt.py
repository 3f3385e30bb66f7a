"""The pickup receipt at the counter: "document ordered" prints it on the desk's printer (a test
printer on a real socket), with a QR code that the pickup desk's scan finds, in German and the
citizen's language; when the printer cannot print, the receipt shows on screen."""

from __future__ import annotations

import zxingcpp
from PySide6.QtWidgets import QLabel, QPushButton

from counter_app.clerk.receipt import ReceiptDialog
from counter_app.printers.status import PrinterState
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.raster import images_from_escpos
from tests.support.waits import ANSWER_MS


def serve_and_order(session, server, qtbot, language: str = "uk") -> dict:  # type: ignore[no-untyped-def]
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post(
        "/sites/demo/tickets", json={"service_id": kiosk.service_id("C"), "language": language}
    )
    assert answer.status_code == 201
    controller = session.controller
    qtbot.waitUntil(lambda: bool(controller.waiting), timeout=ANSWER_MS)
    controller.call_next()
    qtbot.waitUntil(
        lambda: controller.current is not None and not controller.busy, timeout=ANSWER_MS
    )
    controller.act("start")
    qtbot.waitUntil(
        lambda: (
            controller.current is not None
            and controller.current.status == "serving"
            and not controller.busy
        ),
        timeout=ANSWER_MS,
    )
    controller.order_document(
        {
            "document_kind": "residence_permit",
            "holder_name": "Olena Kovalenko",
            "case_reference": "32-AT-2026-0815",
        }
    )
    return answer.json()


def qr_codes(data: bytes) -> list[str]:
    return [
        code.text
        for image in images_from_escpos(data)
        for code in zxingcpp.read_barcodes(image.convert("L"))
    ]


def test_document_ordered_prints_a_receipt_whose_qr_the_pickup_desk_finds(
    open_desk, server, qtbot
) -> None:
    with FakeEscposPrinter() as printer:
        session = open_desk("clerk1", "1", printer=printer.uri)
        serve_and_order(session, server, qtbot)
        qtbot.waitUntil(lambda: printer.cuts() == 1, timeout=ANSWER_MS)
        qtbot.waitUntil(
            lambda: session.window.notice_label.text() == "Der Abholschein ist gedruckt.",
            timeout=ANSWER_MS,
        )
        [token] = qr_codes(printer.printed())
        pickup_staff = server.client(server.login("pickup1"))
        found = pickup_staff.post("/pickups/lookup", json={"token": token})
        assert found.status_code == 200
        assert (found.json()["case_reference"], found.json()["status"]) == (
            "32-AT-2026-0815",
            "ordered",
        )
        assert session.receipts.last is not None
        assert session.receipts.last.receipt.language == "uk"  # the citizen's, from the ticket
        session.stop()


def test_a_receipt_that_cannot_print_is_shown_and_printed_again(open_desk, server, qtbot) -> None:
    with FakeEscposPrinter() as printer:
        printer.state = PrinterState.PAPER_OUT
        session = open_desk("clerk1", "1", printer=printer.uri)
        serve_and_order(session, server, qtbot, language="de")
        qtbot.waitUntil(
            lambda: session.window.findChild(ReceiptDialog) is not None, timeout=ANSWER_MS
        )
        dialog = session.window.findChild(ReceiptDialog)
        problem = dialog.findChild(QLabel, "receiptProblem").text()
        assert problem == "Im Belegdrucker ist kein Papier."
        assert printer.cuts() == 0
        printer.state = PrinterState.READY
        dialog.findChild(QPushButton, "printReceiptAgainButton").click()
        qtbot.waitUntil(lambda: printer.cuts() == 1, timeout=ANSWER_MS)
        assert len(qr_codes(printer.printed())) == 1
        session.stop()


def test_a_desk_without_a_receipt_printer_shows_the_receipt(open_desk, server, qtbot) -> None:
    session = open_desk("clerk1", "1")
    serve_and_order(session, server, qtbot, language="ar")
    qtbot.waitUntil(lambda: session.window.findChild(ReceiptDialog) is not None, timeout=ANSWER_MS)
    dialog = session.window.findChild(ReceiptDialog)
    assert dialog.findChild(QLabel, "receiptProblem").text() == (
        "Dieser Platz hat keinen Belegdrucker."
    )
    assert dialog.findChild(QPushButton, "printReceiptAgainButton") is None
    # The receipt on screen carries the token: its QR code decodes to a token the server knows.
    image = dialog.findChild(QLabel, "receiptPreview").pixmap().toImage()
    assert session.receipts.last is not None
    token = session.receipts.last.receipt.token
    from counter_app.qt.paper import to_bitmap

    decoded = [c.text for c in zxingcpp.read_barcodes(to_bitmap(image).convert("L"))]
    assert decoded == [token]
