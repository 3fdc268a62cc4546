"""The page thumbnails of the viewer's side list: one row a page, drawn in the background by
the :class:`ui.pdf_view.Renderer` (kept in memory only, dropped when the viewer closes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPixmap

from ui.pdf_view import THUMB_SIZE, Renderer

Index = QModelIndex | QPersistentModelIndex
PAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the page (from 0) of a thumbnail or outline entry


class ThumbnailModel(QAbstractListModel):
    """One row a page: its number, and its thumbnail once drawn (a blank of the page's
    shape until then)."""

    def __init__(self, renderer: Renderer) -> None:
        super().__init__()
        self.renderer: Renderer | None = renderer
        self._count = renderer.page_count
        self._blanks: dict[tuple[int, int], QPixmap] = {}
        self._marked: dict[int, int] = {}  # page: how many annotations it carries
        renderer.thumbnail_ready.connect(self._ready)

    def set_annotated(self, counts: dict[int, int]) -> None:
        """Mark the pages that carry annotations (a pencil and the count by the number)."""
        changed = set(counts) ^ set(self._marked) | {
            p for p in counts if counts[p] != self._marked.get(p)}
        self._marked = dict(counts)
        for page in changed:
            if 0 <= page < self._count:
                index = self.index(page)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                                     Qt.ItemDataRole.ToolTipRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count or self.renderer is None:
            return None
        page = index.row()
        marks = self._marked.get(page, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{page + 1}  ✎{marks}" if marks else str(page + 1)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self.tr("Page {n}").format(n=page + 1) + (
                self.tr(": {count} annotations").format(count=marks) if marks > 1 else
                self.tr(": 1 annotation") if marks else "")
        if role == Qt.ItemDataRole.DecorationRole:
            return self.renderer.thumbnail(page) or self._blank(page)
        if role == PAGE_ROLE:
            return page
        return None

    def _blank(self, page: int) -> QPixmap:
        assert self.renderer is not None
        w, h = self.renderer.sizes[page]
        longest = max(w, h)
        size = (max(1, round(THUMB_SIZE * w / longest)), max(1, round(THUMB_SIZE * h / longest)))
        if size not in self._blanks:
            blank = QPixmap(*size)
            blank.fill(Qt.GlobalColor.white)
            self._blanks[size] = blank
        return self._blanks[size]

    def _ready(self, page: int) -> None:
        if 0 <= page < self._count:
            index = self.index(page)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def clear(self) -> None:
        self.beginResetModel()
        self._count = 0
        self.renderer = None
        self._blanks.clear()
        self._marked.clear()
        self.endResetModel()
