"""The search results: a table model over :class:`vault.search.query.Hit` and a delegate that paints
a snippet with its hits highlighted.

Snippets are untrusted document text: everything in them is escaped, and only the core's hit
markers (``HIT_START``/``HIT_END``) become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.models import FlatTableModel
from vault.search.query import HIT_END, HIT_START, Hit

Index = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole + 10  # the Hit of a row
HTML_ROLE = Qt.ItemDataRole.UserRole + 11  # the snippet as safe rich text
SNIPPET_COLUMN = 4
HIGHLIGHT = "#ffe066"

SOURCE_NAMES = {"name": "File name", "provenance": "How it was received",
                "metadata": "Details in the file", "pdf": "PDF text", "ocr": "Recognised text",
                "note": "Note", "annotation": "Annotation", "tag": "Tag", "text": "Text"}

# The words a receipt's fields are shown by in a snippet (the index keeps the record's own
# names, docs/vault-format.md); a name that is itself a hit is left as it is.
PLAIN_KEYS = {"original_name": "name", "original_path": "path", "received_from": "received from",
              "imported_by": "imported by", "mime": "kind",
              "machine": "computer", "reached_through_link": "reached through a link"}
_KEY = re.compile(r"(?<![\w" + re.escape(HIT_START + HIT_END) + "])("
                  + "|".join(PLAIN_KEYS) + r"): ")


def plain_snippet(hit: Hit) -> str:
    """The hit's snippet, a receipt's field names in words."""
    if hit.source != "provenance":
        return hit.snippet
    return _KEY.sub(lambda m: PLAIN_KEYS[m.group(1)] + ": ", hit.snippet)


def snippet_html(snippet: str) -> str:
    """The snippet as rich text: everything escaped, each hit bold on a highlight."""
    out: list[str] = []
    inside = False
    for ch in snippet:
        if ch == HIT_START and not inside:
            out.append(f'<b style="background-color:{HIGHLIGHT}; color:#000000">')
            inside = True
        elif ch == HIT_END and inside:
            out.append("</b>")
            inside = False
        elif ch not in (HIT_START, HIT_END):
            out.append(html.escape(ch) if ch not in "\r\n\t" else " ")
    if inside:
        out.append("</b>")
    return "".join(out)


def snippet_text(snippet: str) -> str:
    """The snippet without its markers, on one line."""
    return " ".join(snippet.replace(HIT_START, "").replace(HIT_END, "").split())


class SearchModel(FlatTableModel):
    """One row per hit, best first: reference, name, page, where it was found, snippet."""

    COLUMNS = ("Reference", "Name", "Page", "Found in", "Snippet")

    def __init__(self) -> None:
        super().__init__(self.COLUMNS)
        self._hits: list[Hit] = []

    def set_hits(self, hits: Sequence[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits([])

    def hit_at(self, row: int) -> Hit:
        return self._hits[row]

    def hits(self) -> list[Hit]:
        return list(self._hits)

    def _count(self) -> int:
        return len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._cell(index):
            return None
        hit = self._hits[index.row()]
        if role == HIT_ROLE:
            return hit
        if role == HTML_ROLE:
            return snippet_html(plain_snippet(hit)) if index.column() == SNIPPET_COLUMN \
                else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return [hit.ref, hit.name, "" if hit.page is None else str(hit.page),
                    self.tr(SOURCE_NAMES.get(hit.source, hit.source)),
                    snippet_text(plain_snippet(hit))][index.column()]
        return None


class SnippetDelegate(QStyledItemDelegate):
    """Paints the rich text of :data:`HTML_ROLE` (the snippet with its hits highlighted)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        rich = index.data(HTML_ROLE)
        if not isinstance(rich, str):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(rich, opt)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        painter.save()
        painter.translate(area.topLeft())
        painter.setClipRect(area.translated(-area.topLeft()))
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        rich = index.data(HTML_ROLE)
        if not isinstance(rich, str):
            return super().sizeHint(option, index)
        doc = self._document(rich, option)
        return QSize(int(doc.idealWidth()), int(doc.size().height()))

    @staticmethod
    def _document(rich: str, option: QStyleOptionViewItem) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(2)
        doc.setDefaultFont(option.font)
        doc.setHtml(rich)
        return doc
