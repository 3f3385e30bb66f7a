"""The one question before a document leaves the desk, or a new receipt is made: was the
holder's ID checked? (and, without a receipt, why not)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.qt.i18n import N_, Language
from resources.i18n import CITIZEN_LANGUAGES, NATIVE_NAMES
from resources.vocabulary import MISSING_RECEIPT_LABELS


class HandOverDialog(QDialog):
    """Names the holder and the document; Enter confirms, Esc cancels."""

    def __init__(
        self,
        language: Language,
        holder: str,
        document: str,
        slot: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handOverDialog")
        self.setWindowTitle(language(N_("Hand over")))
        layout = QVBoxLayout(self)
        question = QLabel(
            language(N_("Did you check the ID of {holder}?")).format(holder=holder or "—")
        )
        question.setObjectName("handOverQuestion")
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        question.setStyleSheet("font-size: 22px; font-weight: bold;")
        layout.addWidget(question)
        what = QLabel(
            language(N_("{document} from slot {slot}, to be handed over once.")).format(
                document=document, slot=slot or "—"
            )
        )
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setWordWrap(True)
        layout.addWidget(what)
        row = QHBoxLayout()
        self.confirm = QPushButton(language(N_("Yes, ID checked: hand over (Enter)")))
        self.confirm.setObjectName("confirmHandOverButton")
        self.confirm.setDefault(True)
        self.confirm.setAutoDefault(True)
        self.confirm.setMinimumHeight(44)
        self.confirm.setStyleSheet("background: #15803d; color: white; font-weight: bold;")
        self.confirm.clicked.connect(self.accept)
        cancel = QPushButton(language(N_("Cancel (Esc)")))
        cancel.setObjectName("cancelHandOverButton")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(44)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.confirm, 2)
        row.addWidget(cancel, 1)
        layout.addLayout(row)
        self.confirm.setFocus(Qt.FocusReason.OtherFocusReason)


class MissingReceiptDialog(QDialog):
    """The holder has no receipt: the ID check, why, and (for a new receipt) its language.

    Enter confirms, Esc cancels; the reason and language lists are reached with Tab.
    """

    def __init__(
        self,
        language: Language,
        holder: str,
        document: str,
        slot: str,
        reissue: bool,
        receipt_language: str = "de",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("missingReceiptDialog")
        self.setWindowTitle(
            language(N_("New receipt") if reissue else N_("Hand over without receipt"))
        )
        layout = QVBoxLayout(self)
        question = QLabel(
            language(N_("Did you check the ID of {holder}?")).format(holder=holder or "—")
        )
        question.setObjectName("missingReceiptQuestion")
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        question.setStyleSheet("font-size: 22px; font-weight: bold;")
        layout.addWidget(question)
        if reissue:
            said = N_("{document}: a new receipt is printed; the old one no longer works.")
        else:
            said = N_("{document} from slot {slot}, handed over without the receipt.")
        what = QLabel(language(said).format(document=document, slot=slot or "—"))
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setWordWrap(True)
        layout.addWidget(what)
        form = QFormLayout()
        self.reason = QComboBox()
        self.reason.setObjectName("missingReceiptReason")
        for value, label in MISSING_RECEIPT_LABELS.items():
            self.reason.addItem(language(label), value.value)
        form.addRow(language(N_("Why is there no receipt?")), self.reason)
        self.receipt_language = QComboBox()
        self.receipt_language.setObjectName("receiptLanguage")
        for code in CITIZEN_LANGUAGES:
            self.receipt_language.addItem(NATIVE_NAMES[code], code)
        self.receipt_language.setCurrentIndex(
            max(0, self.receipt_language.findData(receipt_language))
        )
        if reissue:
            form.addRow(language(N_("Receipt also in")), self.receipt_language)
        else:
            self.receipt_language.hide()
        layout.addLayout(form)
        row = QHBoxLayout()
        confirm_text = (
            N_("Yes, ID checked: print a new receipt (Enter)")
            if reissue
            else N_("Yes, ID checked: hand over (Enter)")
        )
        self.confirm = QPushButton(language(confirm_text))
        self.confirm.setObjectName("confirmMissingReceiptButton")
        self.confirm.setDefault(True)
        self.confirm.setAutoDefault(True)
        self.confirm.setMinimumHeight(44)
        self.confirm.setStyleSheet("background: #15803d; color: white; font-weight: bold;")
        self.confirm.clicked.connect(self.accept)
        cancel = QPushButton(language(N_("Cancel (Esc)")))
        cancel.setObjectName("cancelMissingReceiptButton")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(44)
        cancel.clicked.connect(self.reject)
        row.addWidget(self.confirm, 2)
        row.addWidget(cancel, 1)
        layout.addLayout(row)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def chosen_reason(self) -> str:
        return str(self.reason.currentData())

    def chosen_language(self) -> str:
        return str(self.receipt_language.currentData())
