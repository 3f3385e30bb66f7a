"""Documents arrived: the back office marks ordered documents ready, with their shelf slot.

A stack of documents comes from the Bundesdruckerei; for each, the clerk types (or scans) the
case reference or the name, Enter picks the only match, types the shelf slot, Enter marks it
ready. The list is the server's (``GET pickups?status=ordered``), read again after each change.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.answers import Pickup
from counter_app.core.api import TresenClient, new_key
from counter_app.qt.errors import describe
from counter_app.qt.i18n import N_, Language
from counter_app.qt.tasks import Tasks
from resources.vocabulary import DOCUMENT_KIND_LABELS

COLUMNS = (N_("Case reference"), N_("Document"), N_("Holder"), N_("Expected"))


class ArrivalsDialog(QDialog):
    def __init__(
        self,
        client: TresenClient,
        site: str,
        tasks: Tasks,
        language: Language,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("arrivalsDialog")
        self.setWindowTitle(language(N_("Documents arrived")))
        self.resize(900, 560)
        self.client, self.site, self.tasks, self.language = client, site, tasks, language
        self.ordered: list[Pickup] = []
        self.search = QLineEdit()
        self.search.setObjectName("arrivalsSearch")
        self.search.setPlaceholderText(language(N_("Case reference or name")))
        self.search.textChanged.connect(self._show)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("arrivalsTable")
        self.table.setHorizontalHeaderLabels([language(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the holder's name
        self.slot = QLineEdit()
        self.slot.setObjectName("arrivalsSlot")
        self.slot.setPlaceholderText(language(N_("e.g. B-17")))
        self.slot.setMaxLength(32)
        self.slot.returnPressed.connect(self.mark_ready)
        self.mark_button = QPushButton(language(N_("Mark ready")))
        self.mark_button.setObjectName("markReadyButton")
        self.mark_button.setAutoDefault(False)
        self.mark_button.clicked.connect(self.mark_ready)
        self.message = QLabel()
        self.message.setObjectName("arrivalsMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(language(N_("Find")), self.search)
        form.addRow(language(N_("Shelf slot")), self.slot)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(language(N_("Close")))
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.mark_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    # Reading -----------------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            self.client.ordered_pickups,
            self.site,
            on_done=self._on_loaded,
            on_error=self._on_failed,
        )

    def _on_loaded(self, pickups: list[Pickup]) -> None:
        self.ordered = pickups
        self._show()

    def matching(self) -> list[Pickup]:
        needle = self.search.text().strip().casefold()
        return [
            p
            for p in self.ordered
            if not needle
            or needle in p.case_reference.casefold()
            or needle in p.holder_name.casefold()
        ]

    def _show(self, _text: str = "") -> None:
        rows = self.matching()
        self.table.setRowCount(len(rows))
        for row, pickup in enumerate(rows):
            values = (
                pickup.case_reference,
                self.language(DOCUMENT_KIND_LABELS[pickup.kind]),
                pickup.holder_name,
                self._day(pickup.expected_ready_on),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.ItemDataRole.UserRole, pickup.id)
                self.table.setItem(row, column, item)
        if len(rows) == 1:
            self.table.selectRow(0)

    def _day(self, day: date | None) -> str:
        """A date as the clerk reads it (``12.01.2027``); empty when not known."""
        if day is None:
            return ""
        locale = "de_DE" if self.language.code == "de" else "en_GB"
        return format_date(day, "medium", locale=locale)

    # Marking ready -----------------------------------------------------------------------------

    def _on_search_return_pressed(self) -> None:
        if len(self.matching()) == 1:
            self.slot.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def mark_ready(self) -> None:
        pickup_id, slot = self.selected_id(), self.slot.text().strip()
        if pickup_id is None:
            self.message.setText(self.language(N_("Choose the document in the list first.")))
            return
        if not slot:
            self.message.setText(self.language(N_("Enter the shelf slot first.")))
            self.slot.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.mark_button.setEnabled(False)

        self.tasks.run(
            self.client.mark_ready,
            pickup_id,
            slot,
            new_key(),
            on_done=self._on_marked,
            on_error=self._on_failed,
        )

    def _on_marked(self, pickup: Pickup) -> None:
        self.mark_button.setEnabled(True)
        self.message.setText(
            self.language(N_("{reference} is ready on shelf {slot}.")).format(
                reference=pickup.case_reference, slot=pickup.slot
            )
        )
        self.slot.clear()
        self.search.clear()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    def _on_failed(self, error: Exception) -> None:
        self.mark_button.setEnabled(True)
        self.message.setText(describe(error, self.language))
