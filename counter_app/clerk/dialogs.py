"""The two questions the clerk answers: how did the visit end, and where does it go next."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import Desk, Service, ServiceDocument
from counter_app.qt.i18n import N_, Language
from resources.vocabulary import (
    DOCUMENT_KIND_LABELS,
    MAX_WEEKS,
    OUTCOME_LABELS,
    USUAL_WEEKS,
    DeskKind,
    DocumentKind,
    Outcome,
)


class OutcomeDialog(QDialog):
    """One button per outcome, keys 1-5; Enter takes "Completed"."""

    def __init__(self, language: Language, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeDialog")
        self.setWindowTitle(language(N_("Finish {number}")).format(number=number))
        self.outcome: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(language(N_("How did the visit end?"))))
        for index, (code, label) in enumerate(OUTCOME_LABELS.items(), start=1):
            button = QPushButton(f"{index}  {language(label)}")
            button.setObjectName(f"outcome-{code}")
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _=False, c=code: self._choose(c))
            QShortcut(QKeySequence(str(index)), self, lambda c=code: self._choose(c))
            if code == Outcome.COMPLETED:
                button.setDefault(True)
                button.setFocus()
            layout.addWidget(button)
        cancel = QPushButton(language(N_("Back (Esc)")))
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _choose(self, code: str) -> None:
        self.outcome = code
        self.accept()


class OrderDialog(QDialog):
    """ "Document ordered": what was ordered and the name it will be filed under, nothing more.

    ``documents`` are what the ticket's service orders (the site file's ``documents``, most
    usual first): they head the list, the first is chosen and its usual weeks are filled in.
    Every other kind follows, for the rare order the site file does not name.
    """

    def __init__(
        self,
        language: Language,
        case_reference: str,
        documents: list[ServiceDocument] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.setWindowTitle(language(N_("Document ordered")))
        self.kind = QComboBox()
        self.kind.setObjectName("documentKind")
        names = DOCUMENT_KIND_LABELS
        suggested = [d for d in documents or [] if d.kind in names]
        for document in suggested:
            label = language(names[DocumentKind(document.kind)])
            if document.detail:
                label = f"{label} · {document.detail}"
            self.kind.addItem(label, document)
        if suggested:
            self.kind.insertSeparator(self.kind.count())
        plain = {d.kind for d in suggested if not d.detail}
        for kind, label in DOCUMENT_KIND_LABELS.items():
            if kind not in plain:
                weeks = USUAL_WEEKS[kind]
                self.kind.addItem(
                    language(label), ServiceDocument(kind=kind.value, detail="", weeks=weeks)
                )
        self.kind.setCurrentIndex(0)
        self.holder = QLineEdit()
        self.holder.setObjectName("holderName")
        self.holder.setPlaceholderText(language(N_("Name as on the document")))
        # Room for a full name and the hint, which a narrow field cut off.
        self.holder.setMinimumWidth(300)
        self.reference = QLineEdit(case_reference)
        self.reference.setObjectName("orderCaseReference")
        self.weeks = QSpinBox()
        self.weeks.setObjectName("expectedWeeks")
        self.weeks.setRange(0, MAX_WEEKS)
        self.weeks.setSpecialValueText(language(N_("not known")))
        self.weeks.setSuffix(language(N_(" weeks")))
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()
        form = QFormLayout(self)
        form.addRow(language(N_("Document")), self.kind)
        form.addRow(language(N_("Holder")), self.holder)
        form.addRow(language(N_("Case reference")), self.reference)
        form.addRow(language(N_("Ready in about")), self.weeks)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(language(N_("Order")))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(language(N_("Cancel")))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.holder.setFocus(Qt.FocusReason.OtherFocusReason)

    def _document(self) -> ServiceDocument:
        chosen = self.kind.currentData()
        if isinstance(chosen, ServiceDocument):
            return chosen
        return ServiceDocument(kind=DocumentKind.OTHER.value, detail="", weeks=0)

    def _on_kind_changed(self, _index: int = 0) -> None:
        self.weeks.setValue(self._document().weeks)

    def body(self) -> dict[str, str]:
        document = self._document()
        body = {
            "document_kind": document.kind,
            "holder_name": self.holder.text().strip(),
            "case_reference": self.reference.text().strip(),
        }
        if document.detail:
            body["document_detail"] = document.detail
        if self.weeks.value():
            ready = date.today() + timedelta(weeks=self.weeks.value())
            body["expected_ready_on"] = ready.isoformat()
        return body


class TransferDialog(QDialog):
    """To another service's queue, or to one desk (e.g. the back office), with a reason."""

    def __init__(
        self,
        language: Language,
        number: str,
        services: list[Service],
        desks: list[Desk],
        own_desk: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.setWindowTitle(language(N_("Forward {number}")).format(number=number))
        self.to_desk = QRadioButton(language(N_("To a desk")))
        self.to_service = QRadioButton(language(N_("To another service")))
        self.desk_box = QComboBox()
        self.desk_box.setObjectName("transferDesk")
        others = [d for d in desks if d.code != own_desk]
        # Back office first: forwarding there is what the front office does most.
        others.sort(key=lambda d: (d.kind != DeskKind.BACK_OFFICE, d.code))
        for desk in others:
            self.desk_box.addItem(f"{desk.code} · {desk.name}", desk.code)
        self.service_box = QComboBox()
        self.service_box.setObjectName("transferService")
        for service in services:
            self.service_box.addItem(f"{service.prefix} · {service.name}", service.id)
        self.reason = QLineEdit()
        self.reason.setObjectName("transferReason")
        self.reason.setPlaceholderText(language(N_("e.g. documents complete, decision needed")))
        self.to_desk.setChecked(True)
        form = QFormLayout(self)
        form.addRow(self.to_desk, self.desk_box)
        form.addRow(self.to_service, self.service_box)
        form.addRow(language(N_("Reason")), self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(language(N_("Forward")))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(language(N_("Cancel")))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.desk_box.currentIndexChanged.connect(lambda _i: self.to_desk.setChecked(True))
        self.service_box.activated.connect(lambda _i: self.to_service.setChecked(True))
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def target(self) -> tuple[int | None, str | None]:
        if self.to_desk.isChecked():
            return None, self.desk_box.currentData()
        return self.service_box.currentData(), None
