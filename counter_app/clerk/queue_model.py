"""The waiting tickets of the desk as a Qt table model, in the order the desk calls them (the
server's order), each with why it stands there (``counter_app/core/queue_reasons.py``) and the
citizen's language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from counter_app.clerk.controller import DeskController
from counter_app.core.answers import Ticket
from counter_app.core.queue_reasons import language_name, queue_reason
from counter_app.qt.i18n import N_, Language

#: The service and, on a second line, why the ticket stands there share one column: side by
#: side they do not fit the queue's half of a 1280-pixel window.
COLUMNS = (N_("Number"), N_("Service · why here"), N_("Language"), N_("Estimated wait"))
#: The column of each ticket's service and reason (an appointment's time, a walk-in's wait).
REASON_COLUMN = 1
#: The reason alone (the second line of ``REASON_COLUMN``), for tests and UI automation.
REASON_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def minutes_seconds(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


class QueueModel(QAbstractTableModel):
    def __init__(self, controller: DeskController, language: Language) -> None:
        super().__init__(controller)
        self.controller = controller
        self.language = language
        self._rows: list[Ticket] = []
        controller.changed.connect(self._on_controller_changed)
        language.changed.connect(self._on_language_changed)

    def _on_controller_changed(self) -> None:
        self.beginResetModel()
        self._rows = list(self.controller.waiting)
        self.endResetModel()

    def _on_language_changed(self, _code: str) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self.tick()

    def tick(self) -> None:
        """The waiting times move on: repaint their column."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, 3))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(COLUMNS)

    def headerData(  # noqa: N802 - Qt's name
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.language(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ticket = self._rows[index.row()]
        column = index.column()
        if role == REASON_ROLE:
            return self._reason(ticket)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return ticket.number
            if column == REASON_COLUMN:
                service = self.controller.services.get(ticket.service_id)
                name = service.name_in(self.language.code) if service else ticket.service_prefix
                if ticket.target_desk:
                    name += " → " + self.language(N_("forwarded to this desk"))
                return f"{name}\n{self._reason(ticket)}"
            if column == 2:
                return language_name(ticket.language, self.language)
            if column == 3:
                minutes = ticket.estimated_wait_minutes
                # An appointment is called at its time, which its reason says.
                return (
                    ""
                    if minutes is None or ticket.appointment_at is not None
                    else self.language(N_("{minutes} min")).format(minutes=minutes)
                )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and ticket.forward_reason:
            return ticket.forward_reason
        return None

    def _reason(self, ticket: Ticket) -> str:
        service = self.controller.services.get(ticket.service_id)
        target = service.target_wait_minutes if service else None
        return queue_reason(ticket, datetime.now(UTC), self.controller.zone, target, self.language)

    def ticket_at(self, row: int) -> Ticket:
        return self._rows[row]
