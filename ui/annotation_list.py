"""The viewer's list of an item's annotations: every note, highlight, shape and redaction
mark, with its page and text, in page order; choosing one goes to it. Its text comes from the
investigator, shown as plain text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui.thumbnails import PAGE_ROLE
from vault.documents.annotations import Annotation

Index = QModelIndex | QPersistentModelIndex
ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 2  # the annotation's id

KIND_NAMES = {"highlight": "Highlight", "underline": "Underline", "strikeout": "Strike-out",
              "note": "Note", "rectangle": "Rectangle", "ellipse": "Ellipse", "ink": "Ink",
              "arrow": "Arrow", "label": "Label", "redaction": "Redaction mark"}
SHOWN_TEXT = 60


class AnnotationListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Annotation] = []

    def set_annotations(self, found: Sequence[Annotation]) -> None:
        self.beginResetModel()
        self._rows = sorted(found, key=lambda a: (a.page, a.created, a.id))
        self.endResetModel()

    def annotation_at(self, row: int) -> Annotation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, annotation_id: str) -> int | None:
        return next((i for i, a in enumerate(self._rows) if a.id == annotation_id), None)

    def per_page(self) -> dict[int, int]:
        """How many annotations each page carries (pages from 0)."""
        counts: dict[int, int] = {}
        for a in self._rows:
            counts[a.page] = counts.get(a.page, 0) + 1
        return counts

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        a = self.annotation_at(index.row()) if index.isValid() else None
        if a is None:
            return None
        kind = self.tr(KIND_NAMES.get(a.kind, a.kind))
        if a.kind == "redaction" and a.reason:
            kind += f" ({a.reason})"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = " ".join(a.text.split())
            shown = text[:SHOWN_TEXT] + ("…" if len(text) > SHOWN_TEXT else "")
            return self.tr("p. {page} · {kind}").format(page=a.page + 1, kind=kind) + (
                f": {shown}" if shown else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{kind} on page {page}, by {author}, {when}").format(
                kind=kind, page=a.page + 1, author=a.author, when=a.updated) + (
                "\n\n" + a.text if a.text else "")
        if role == PAGE_ROLE:
            return a.page
        if role == ANNOTATION_ROLE:
            return a.id
        return None
