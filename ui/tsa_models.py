"""The tables of the "Trusted timestamps" dialog (docs/timestamps.md): the configured
Time-Stamp Authorities, what is waiting for a timestamp, the tokens received; with the colours
that flag a large clock difference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from vault import timestamps as ts

Index = QModelIndex | QPersistentModelIndex
WARNING = QColor("#b26a00")  # a large clock difference: kept, but flagged
BAD = QColor("#c62828")
GOOD = QColor("#1a7f37")
SKEW_TIP = ("When this token arrived, the TSA's time and this computer's clock differed by "
            "more than {limit}. The token is kept and its time is the TSA's, signed by it; "
            "but either this computer's clock (and so the times in the custody log) or the "
            "TSA's clock is wrong. Check the computer's date and time.")


def _skew(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "−"
    s = abs(seconds)
    for unit, size in (("days", 86400), ("hours", 3600), ("min", 60)):
        if s >= 2 * size:
            return f"{sign}{s / size:.0f} {unit}"
    return f"{sign}{s:.0f} s"


class RowsModel(QAbstractTableModel):
    """Rows of strings with fixed headers, a colour and a tooltip per row."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[list[str]] = []
        self._colours: list[QColor | None] = []
        self._tips: list[str] = []

    def _set(self, rows: Sequence[Sequence[str]], colours: Sequence[QColor | None] = (),
             tips: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        self._colours = list(colours)
        self._tips = list(tips)
        self.endResetModel()

    def clear(self) -> None:
        self._set([])

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def tooltip(self, row: int) -> str:
        return self._tips[row] if row < len(self._tips) else ""

    def colour(self, row: int) -> QColor | None:
        return self._colours[row] if row < len(self._colours) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers) and \
                role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or \
                not 0 <= index.column() < len(self._headers):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row) or self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.colour(row)
        return None


class TsaModel(RowsModel):
    """The configured TSAs: name, URL, enabled, last answer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Name"), self.tr("URL"), self.tr("Enabled"),
                          self.tr("Last answer")], parent)
        self.tsas: list[ts.Tsa] = []

    def load(self, tsas: list[ts.Tsa], tokens: list[ts.StoredToken],
             waiting: list[ts.Pending]) -> None:
        self.tsas = tsas
        rows, colours, tips = [], [], []
        for t in tsas:
            got = max((k.local_time for k in tokens if k.tsa == t.name), default="")
            errors = sorted(((p.last_try or "", part) for p in waiting
                             for part in p.last_error.split("; ")
                             if part.startswith(f"{t.name}: ")), reverse=True)
            if errors and errors[0][0] > got:
                last, colour = self.tr("no answer at {when}").format(
                    when=errors[0][0][:19].replace("T", " ")), BAD
                tip = errors[0][1]
            elif got:
                last, colour, tip = self.tr("token at {when}").format(
                    when=got[:19].replace("T", " ")), None, ""
            else:
                last, colour, tip = self.tr("not asked yet"), None, ""
            rows.append([t.name, t.url, self.tr("yes") if t.enabled else self.tr("no"), last])
            colours.append(colour)
            tips.append(tip or "; ".join(t.ca_subjects()))
        self._set(rows, colours, tips)


class QueueModel(RowsModel):
    """What is waiting for a trusted timestamp."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("Queued"),
                          self.tr("Last error")], parent)

    def load(self, waiting: list[ts.Pending]) -> None:
        self._set([[p.kind, p.subject, p.queued[:19].replace("T", " "),
                    p.last_error or p.reason] for p in waiting], [],
                  [self.tr("Waiting for: {tsas}").format(tsas=", ".join(p.missing))
                   if p.missing else p.reason for p in waiting])


class TokenModel(RowsModel):
    """The tokens received: the TSA's time and the clock difference (flagged when large)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("TSA"),
                          self.tr("TSA time"), self.tr("Clock difference")], parent)
        self.tokens: list[ts.StoredToken] = []

    def load(self, tokens: list[ts.StoredToken]) -> None:
        self.tokens = tokens
        limit = _skew(ts.SKEW_WARNING_SECONDS).lstrip("+")
        self._set([[t.kind, t.subject, t.tsa, t.gen_time[:19].replace("T", " ") + " UTC",
                    _skew(t.skew_seconds) + (self.tr(" (WARNING)") if t.flagged else "")]
                   for t in tokens],
                  [WARNING if t.flagged else None for t in tokens],
                  [f"{t.warning}\n\n{self.tr(SKEW_TIP).format(limit=limit)}" if t.flagged
                   else "" for t in tokens])


def table_view(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


