"""The one question before a document leaves the desk: was the holder's ID checked?"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.qt.i18n import N_, Language


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
