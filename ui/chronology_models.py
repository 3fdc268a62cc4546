"""The chronology view's tables: facts, the cast and who knew what. Plain rows copied from the
core; ``clear`` empties them (at lock nothing read from the vault stays)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from vault.chronology.model import Entity, Fact

Index = QModelIndex | QPersistentModelIndex
FACT_ROLE = Qt.ItemDataRole.UserRole + 10


class RowsModel(QAbstractTableModel):
    """A read-only table of strings with a header; subclasses add what a row stands for."""

    def __init__(self, header: Sequence[str], wide: int = -1) -> None:
        super().__init__()
        self.header = list(header)
        self.wide = wide  # the column that takes the room left and wraps (-1: the last)
        self.rows: list[list[str]] = []
        self.tips: list[list[str]] = []
        self.bold: list[bool] = []

    def set_rows(self, rows: list[list[str]], tips: list[list[str]] | None = None,
                 bold: list[bool] | None = None, header: Sequence[str] | None = None) -> None:
        self.beginResetModel()
        if header is not None:
            self.header = list(header)
        self.rows = rows
        self.tips = tips or [[] for _ in rows]
        self.bold = bold or [False] * len(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[r][c]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = self.tips[r]
            return tips[c] if c < len(tips) and tips[c] else None
        if role == Qt.ItemDataRole.FontRole and self.bold[r]:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.header[section]
        return None


def display_name(e: Entity) -> str:
    """On the investigator's own screen: the name, and the pseudonym shared outputs use."""
    return f"{e.name} ({e.pseudonym})" if e.pseudonym else e.name


class FactsModel(RowsModel):
    """The facts in date order: No. · Date · Event · Status · Source. Key facts in bold; an
    undisputed fact's status is left blank, so that the others stand out."""

    COLUMNS = ("No.", "Date", "Event", "Status", "Source")

    def __init__(self) -> None:
        super().__init__(self.COLUMNS)
        self.facts: list[Fact] = []

    def set_facts(self, facts: list[Fact], people: dict[str, Entity]) -> None:
        from vault.chronology.model import MENTION

        def named(text: str) -> str:
            return MENTION.sub(lambda m: people[m.group(1)].name if m.group(1) in people
                               else m.group(0), text)

        self.facts = facts
        rows, tips = [], []
        for f in facts:
            sources = "; ".join(dict.fromkeys(c.where() for c in f.citations))
            rows.append([str(f.number), f.date.show(), named(f.text),
                         "" if f.status == "undisputed" else f.status,
                         sources or "no citation yet"])
            interval = f.date.interval()
            span = ("from " + (interval[0].strftime("%d/%m/%Y") if interval[0] else "any time")
                    + " to " + (interval[1].strftime("%d/%m/%Y") if interval[1] else "any time"))
            quotes = "\n".join(f"{c.where()}: “{c.quote}”" for c in f.citations if c.quote)
            tips.append(["", span, "\n".join(f"({chr(97 + i)}) {named(x)}"
                                             for i, x in enumerate(f.versions)),
                         "", quotes])
        self.set_rows(rows, tips, [f.key for f in facts])

    def clear(self) -> None:
        self.facts = []
        super().clear()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == FACT_ROLE and index.isValid():
            return self.facts[index.row()]
        return super().data(index, role)
