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

COLUMNS = (N_("Number"), N_("Service"), N_("Why here"), N_("Language"), N_("Estimated wait"))
#: The column of each ticket's reason (an appointment's time, a walk-in's wait).
REASON_COLUMN = 2
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
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, 4))

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
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return ticket.number
            if column == 1:
                service = self.controller.services.get(ticket.service_id)
                name = service.name_in(self.language.code) if service else ticket.service_prefix
                if ticket.target_desk:
                    name += " → " + self.language(N_("forwarded to this desk"))
                return name
            if column == REASON_COLUMN:
                service = self.controller.services.get(ticket.service_id)
                target = service.target_wait_minutes if service else None
                return queue_reason(
                    ticket, datetime.now(UTC), self.controller.zone, target, self.language
                )
            if column == 3:
                return language_name(ticket.language, self.language)
            if column == 4:
                minutes = ticket.estimated_wait_minutes
                return (
                    ""
                    if minutes is None
                    else self.language(N_("{minutes} min")).format(minutes=minutes)
                )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and ticket.forward_reason:
            return ticket.forward_reason
        return None

    def ticket_at(self, row: int) -> Ticket:
        return self._rows[row]
