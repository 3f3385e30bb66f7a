"""The pickup receipt at the counter: drawn when "document ordered" is answered, printed on the
desk's receipt printer, and shown on screen when it could not be printed.

The receipt's token comes from the server once, in the answer that created the pickup; it is
kept in memory here only for the receipt on screen, never written to disk or to the log.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from counter_app.core.answers import OrderedPickup
from counter_app.core.receipt import PickupReceipt, receipt_slip
from counter_app.printers.status import PrinterState
from counter_app.printers.worker import PrintJob, PrintResult, PrintWorker
from counter_app.qt.i18n import N_, Language
from counter_app.qt.paper import render, to_bitmap

log = logging.getLogger("tresen.clerk")

#: Why a receipt did not print, for the clerk.
PRINTER_PROBLEMS = {
    PrinterState.PAPER_OUT: N_("The receipt printer is out of paper."),
    PrinterState.COVER_OPEN: N_("The receipt printer's cover is open."),
    PrinterState.OFFLINE: N_("The receipt printer is not answering."),
    PrinterState.ERROR: N_("The receipt printer has a fault."),
}


@dataclass(frozen=True)
class ReceiptOutcome:
    receipt: PickupReceipt
    image: QImage
    printed: bool
    problem: str  # a message id; empty when printed


class SlipDesk(QObject):
    """Prints what the desk draws (a pickup receipt, an urgent ticket) on the desk's printer off
    the GUI thread; ``finished`` says how it went, on the GUI thread, with the outcome
    :meth:`_outcome` makes. ``print_again`` sends the last one again."""

    finished = Signal(object)  # the outcome
    _printed = Signal(object, object, object)  # slip, image, PrintResult
    #: What the clerk is told when the desk has no printer (a message id; "" says nothing).
    no_printer = ""

    def __init__(
        self, worker: PrintWorker | None, width_dots: int = 576, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.width_dots = width_dots
        self.last: Any = None
        self._last_slip: Any = None
        self._printed.connect(self._on_worker_printed)

    def print_again(self) -> None:
        if self.last is not None:
            self._send(self._last_slip, self.last.image)

    def _outcome(self, slip: Any, image: QImage, printed: bool, problem: str) -> Any:
        raise NotImplementedError

    def _label(self, slip: Any) -> str:
        """What the print job and the log call the slip."""
        raise NotImplementedError

    def _send(self, slip: Any, image: QImage) -> None:
        self._last_slip = slip
        if self.worker is None:
            self._finish(self._outcome(slip, image, False, self.no_printer))
            return
        future = self.worker.submit(PrintJob(to_bitmap(image), cut=True, label=self._label(slip)))
        future.add_done_callback(lambda done: self._printed.emit(slip, image, _result(done)))

    def _on_worker_printed(self, slip: Any, image: QImage, result: PrintResult) -> None:
        if result.printed:
            self._finish(self._outcome(slip, image, True, ""))
            return
        log.warning("%s not printed: %s %s", self._label(slip), result.state, result.error)
        problem = PRINTER_PROBLEMS.get(result.state, N_("The receipt could not be printed."))
        self._finish(self._outcome(slip, image, False, problem))

    def _finish(self, outcome: Any) -> None:
        self.last = outcome
        self.finished.emit(outcome)


class ReceiptDesk(SlipDesk):
    """Draws and prints pickup receipts (outcome: :class:`ReceiptOutcome`)."""

    no_printer = N_("This desk has no receipt printer.")

    def print_receipt(self, site_name: str, pickup: OrderedPickup, language: str) -> None:
        receipt = PickupReceipt.from_api(site_name, pickup, language)
        self._send(receipt, render(receipt_slip(receipt), self.width_dots))

    def _outcome(
        self, slip: PickupReceipt, image: QImage, printed: bool, problem: str
    ) -> ReceiptOutcome:
        return ReceiptOutcome(slip, image, printed, problem)

    def _label(self, slip: PickupReceipt) -> str:
        return "pickup receipt"


class ReceiptDialog(QDialog):
    """The receipt on screen: the citizen can photograph it, or the clerk print it again."""

    def __init__(
        self,
        outcome: ReceiptOutcome,
        language: Language,
        can_print: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.setWindowTitle(language(N_("Pickup receipt")))
        message = QLabel(language(outcome.problem) if outcome.problem else "")
        message.setObjectName("receiptProblem")
        message.setWordWrap(True)
        message.setStyleSheet("color: #b3261e; font-weight: bold;")
        preview = QLabel()
        preview.setObjectName("receiptPreview")
        preview.setPixmap(
            QPixmap.fromImage(outcome.image).scaledToHeight(
                min(outcome.image.height(), 700), Qt.TransformationMode.SmoothTransformation
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(language(N_("Close")))
        if can_print:
            again = buttons.addButton(
                language(N_("Print again")), QDialogButtonBox.ButtonRole.AcceptRole
            )
            again.setObjectName("printReceiptAgainButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(buttons)


def _result(future: Future[PrintResult]) -> PrintResult:
    try:
        return future.result()
    except Exception as exc:  # the worker resolves every job; this is a last guard
        return PrintResult(printed=False, state=PrinterState.ERROR, error=str(exc))
