"""The board and the statistics as Qt item models: views of the controller and of the core's
rows (``counter_app.core.board``, ``counter_app.core.statistics``), never a copy of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from counter_app.core.board import (
    DESK_COLUMNS,
    LEVEL_BACKGROUNDS,
    LEVEL_COLOURS,
    SERVICE_COLUMNS,
    DeskRow,
    ServiceRow,
    desk_rows,
    service_rows,
)
from counter_app.core.statistics import Table, cell_text
from counter_app.qt.i18n import Language
from counter_app.supervisor.controller import SupervisorController

Index = QModelIndex | QPersistentModelIndex
#: The raw value of a statistics cell (a number, or None), beside its text.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
#: The level column of the services.
LEVEL_COLUMN = 3


class _BoardModel(QAbstractTableModel):
    columns: tuple[str, ...] = ()
    rows: Sequence[object] = ()

    def __init__(self, controller: SupervisorController, language: Language) -> None:
        super().__init__(controller)
        self.controller = controller
        self.language = language
        controller.changed.connect(self.reload)
        language.changed.connect(lambda _code: self.reload())

    def reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _load(self) -> None:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(self.columns)

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.language(self.columns[section])
        return None


class DeskBoardModel(_BoardModel):
    columns = DESK_COLUMNS

    def __init__(self, controller: SupervisorController, language: Language) -> None:
        self.rows: list[DeskRow] = []
        super().__init__(controller, language)

    def _load(self) -> None:
        board = self.controller.board
        self.rows = desk_rows(board, self.language, self.language.code) if board else []

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.state != "open":
            return QBrush(QColor("#5f6368"))
        return None


class ServiceBoardModel(_BoardModel):
    columns = SERVICE_COLUMNS

    def __init__(self, controller: SupervisorController, language: Language) -> None:
        self.rows: list[ServiceRow] = []
        super().__init__(controller, language)

    def _load(self) -> None:
        board = self.controller.board
        self.rows = service_rows(board, self.language, self.language.code) if board else []

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return row.cells[column]
        if column in (2, LEVEL_COLUMN):  # the level: its words and its colour
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(LEVEL_BACKGROUNDS.get(row.level, "#ffffff")))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(LEVEL_COLOURS.get(row.level, "#000000")))
        if role == Qt.ItemDataRole.ForegroundRole and column == 8 and not row.issuing:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < column < 8:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class TableModel(QAbstractTableModel):
    """A statistics table: the text a person reads, and the number itself under
    ``VALUE_ROLE`` (also what a chart draws)."""

    def __init__(self, language: Language, parent: Any = None) -> None:
        super().__init__(parent)
        self.language = language
        self.table: Table | None = None
        #: Colours cells by their value (the heat map); None: plain.
        self.heat = False

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if self.table is None else len(self.table.columns)

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            self.table is not None
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return wrapped(self.table.columns[section])
        return None

    def value(self, row: int, column: int) -> Any:
        assert self.table is not None
        return self.table.rows[row][column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        row, column = index.row(), index.column()
        value = self.table.rows[row][column]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(value, self.table.kind(row, column), self.language.code)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            if self.table.kind(row, column) == "text":  # a service's or desk's name
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self.heat and column > 0 and isinstance(value, int):
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(heat_colour(value, self.most()))
            if role == Qt.ItemDataRole.ForegroundRole and value > 0.6 * self.most():
                return QBrush(QColor("#ffffff"))
        return None

    def most(self) -> int:
        if self.table is None:
            return 0
        return max((v for row in self.table.rows for v in row[1:] if isinstance(v, int)), default=0)


def wrapped(heading: str) -> str:
    """A column's heading on up to three lines (``Wait, 80 % within`` / ``(min)``), so that a
    table of many figures fits beside its chart at 1280 pixels."""
    if ", " in heading or " (" in heading:
        return heading.replace(", ", ",\n").replace(" (", "\n(")
    if len(heading) > 12 and " " in heading:  # "Documents missing": at the middle space
        middle = len(heading) / 2
        space = min((i for i, ch in enumerate(heading) if ch == " "), key=lambda i: abs(i - middle))
        return f"{heading[:space]}\n{heading[space + 1 :]}"
    return heading


def heat_colour(value: int, most: int) -> QColor:
    """White for none, to dark blue for the busiest hour of the period."""
    share = 0.0 if most <= 0 else value / most
    light, dark = (255, 255, 255), (21, 67, 140)
    return QColor(*(round(a + (b - a) * share) for a, b in zip(light, dark, strict=True)))
