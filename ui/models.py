"""The app's list models: cases, exhibits, a custody timeline, verification checks.

Each holds plain rows copied from the core and can be emptied at once (``clear``), which is
what locking does: after it no model holds anything read from the vault.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from vault.evidence.items import Item

Index = QModelIndex | QPersistentModelIndex
ALL_CASES = ""  # the "All exhibits" row
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{n} bytes"


def counted(n: int, one: str, many: str, **more: object) -> str:
    """``one`` or ``many`` (each with ``{n}``) as the count asks: "1 document", "2 documents"."""
    return (one if n == 1 else many).format(n=n, **more)


def short_time(iso: str) -> str:
    """A time as a person reads it: ``3 Dec 2026, 06:08``, in this computer's time zone (the
    exact UTC time is in tooltips)."""
    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if t.tzinfo is not None:
        t = t.astimezone()
    return f"{t.day} {t:%b %Y, %H:%M}"


class CaseModel(QAbstractListModel):
    """"All exhibits" then each case by name."""

    def __init__(self) -> None:
        super().__init__()
        self._cases: list[str] = []

    def set_cases(self, cases: Sequence[str]) -> None:
        self.beginResetModel()
        self._cases = [ALL_CASES, *sorted(cases)]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._cases = []
        self.endResetModel()

    def case_at(self, row: int) -> str | None:
        """None for "All exhibits"."""
        name = self._cases[row]
        return None if name == ALL_CASES else name

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cases)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cases):
            return None
        name = self._cases[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.tr("All exhibits") if name == ALL_CASES else name
        if role == Qt.ItemDataRole.UserRole:
            return name
        return None


class FlatTableModel(QAbstractTableModel):
    """A flat table with fixed column headers (translated when shown): the row and column
    counts and the header, shared by every table model of the app."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)

    def _count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers) and \
                role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self._headers[section])
        return None

    def _cell(self, index: Index) -> bool:
        """Whether ``index`` names a cell of this table."""
        return index.isValid() and 0 <= index.row() < self._count() and \
            0 <= index.column() < len(self._headers)


KINDS = {
    "application/pdf": "PDF document", "image/jpeg": "Photo (JPEG)", "image/heic": "Photo (HEIC)",
    "image/heif": "Photo (HEIF)", "image/png": "Picture (PNG)", "image/tiff": "Picture (TIFF)",
    "image/gif": "Picture (GIF)", "image/webp": "Picture (WebP)", "message/rfc822": "E-mail",
    "application/vnd.ms-outlook": "E-mail (Outlook)", "text/plain": "Text",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Spreadsheet",
    "application/zip": "Zip archive", "text/csv": "Table (CSV)", "text/html": "Web page",
    "application/octet-stream": "Unknown kind",
}


def kind_of_file(mime: str) -> str:
    """A file's kind in plain words (its MIME type stays in the tooltip and the details)."""
    return KINDS.get(mime.split(";")[0].strip().lower(), mime)


def cell_text(item: Item, column: int) -> str:
    """What the evidence list shows in ``column`` of ``item``'s row (any thread)."""
    if column == 0:
        return item.ref
    if column == 1:
        state = _tr(" [purged]") if item.status != "present" else ""
        if item.withdrawn is not None:
            state += _tr(" [withdrawn, superseded by {ref}]").format(
                ref=item.withdrawn) if item.withdrawn else _tr(" [withdrawn]")
        return item.name + state
    if column == 2:
        return kind_of_file(item.mime)
    if column == 3:
        return human_size(item.size)
    if column == 4:
        return short_time(item.received)
    if column == 5:
        return item.received_from
    if column == 6:
        return item.sha256[:12]
    return str(len(item.warnings)) if item.warnings else ""


def row_text(item: Item) -> str:
    """Every column's text of ``item``'s row, case-folded: what the filter looks in."""
    return "\n".join([cell_text(item, c) for c in range(len(ItemModel.COLUMNS))]).casefold()


def _tr(text: str) -> str:
    return QCoreApplication.translate("ItemModel", text)


@functools.lru_cache(maxsize=1 << 17)
def _ref_key(ref: str) -> tuple[str, int]:
    """``MO/7`` sorts before ``MO/10``."""
    prefix, _, n = ref.partition("/")
    return (prefix, int(n)) if n.isdigit() else (ref, 0)


class ItemModel(FlatTableModel):
    """The evidence list: one row per item. Sorting is done here, in one Python sort over
    precomputed keys (a proxy calling ``data`` for every comparison took seconds at 10,000
    items); the proxy in front only filters."""

    COLUMNS = ("Reference", "Name", "Type", "Size", "Received", "From", "SHA-256", "Warnings")
    # as the header says them (plain words: docs/user-guide.md#glossary)
    SHOWN = ("Reference", "Name", "Kind", "Size", "Received", "Received from", "Fingerprint",
             "Problems")

    def __init__(self) -> None:
        super().__init__(self.SHOWN)
        self._items: list[Item] = []
        self._row_of: dict[str, int] = {}
        self._thumbs: dict[str, Any] = {}
        self._sorted_by: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self.placeholder: Any = None  # the icon shown until an item's thumbnail arrives
        # each row's text (row_text) by reference, made when the filter is first used (or
        # given with the items); looking in it, not in every cell, for every key typed
        self._haystack: dict[str, str] | None = None

    @property
    def sorted_by(self) -> tuple[int, Qt.SortOrder]:
        return self._sorted_by

    def set_items(self, items: Sequence[Item], *,
                  ordered_by: tuple[int, Qt.SortOrder] | None = None,
                  texts: dict[str, str] | None = None) -> None:
        """Show ``items``; ``ordered_by``: they are in that order already (:meth:`ordered`,
        on another thread), so they are sorted again only if the order has changed since;
        ``texts``: each one's :func:`row_text`, made on that thread too."""
        self.beginResetModel()
        self._items = list(items) if ordered_by == self._sorted_by else \
            self.ordered(items, *self._sorted_by)
        self._haystack = texts
        self._reindex()
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in self._row_of}
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._items = []
        self._haystack = None
        _ref_key.cache_clear()  # the references kept for sorting go too (at lock)
        self._row_of = {}
        self._thumbs = {}
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_of = {item.ref: row for row, item in enumerate(self._items)}

    def replace_item(self, item: Item) -> None:
        """The same item read again (its details arrived): its row shows them."""
        row = self._row_of.get(item.ref)
        if row is not None:
            self._items[row] = item
            if self._haystack is not None:
                self._haystack[item.ref] = row_text(item)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def item_at(self, row: int) -> Item:
        return self._items[row]

    def row_of(self, ref: str) -> int | None:
        return self._row_of.get(ref)

    def refs(self) -> list[str]:
        return [i.ref for i in self._items]

    def matches(self, row: int, needle: str) -> bool:
        """Whether any column's text of ``row`` contains ``needle`` (case-folded)."""
        if self._haystack is None:
            self._haystack = {i.ref: row_text(i) for i in self._items}
        return needle in self._haystack[self._items[row].ref]

    def set_thumbnail(self, ref: str, icon: Any) -> None:
        """A decoded thumbnail (QIcon) for the grid; kept in memory only, dropped at lock."""
        row = self._row_of.get(ref)
        if row is not None:
            self._thumbs[ref] = icon
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def has_thumbnail(self, ref: str) -> bool:
        return ref in self._thumbs

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        refs = [self._items[index.row()].ref for index in persistent]
        self._sorted_by = (column, order)
        self._items = self.ordered(self._items, column, order)
        self._reindex()
        self.changePersistentIndexList(persistent, [
            self.index(self._row_of[ref], index.column()) for ref, index in zip(refs, persistent,
                                                                                strict=True)])
        self.layoutChanged.emit()

    @classmethod
    def ordered(cls, items: Sequence[Item], column: int, order: Qt.SortOrder) -> list[Item]:
        """``items`` in the list's order by ``column`` (no Qt object is touched: any thread
        may call it)."""
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == 0:  # the usual order, on every refresh: a reference's key is kept
            return sorted(items, key=lambda i: _ref_key(i.ref), reverse=reverse)
        return sorted(items, key=lambda i: cls._sort_key(i, column), reverse=reverse)

    def _count(self) -> int:
        return len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._cell(index):
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == ITEM_ROLE:
            return item.ref
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._thumbs.get(item.ref, self.placeholder)
        if role == Qt.ItemDataRole.ToolTipRole and column == 7 and item.warnings:
            return "\n".join(item.warnings)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return item.mime
        if role == Qt.ItemDataRole.ToolTipRole and column == 6:
            return self.tr("SHA-256 {hash}").format(hash=item.sha256)
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return self.tr("{time} (UTC)").format(time=item.received)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(item, column)
        return None

    @staticmethod
    def _sort_key(item: Item, column: int) -> Any:
        if column == 0:
            return _ref_key(item.ref)
        if column == 3:
            return item.size
        if column == 7:
            return len(item.warnings)
        return [item.ref, item.name.casefold(), item.mime, "", item.received,
                item.received_from.casefold(), item.sha256, ""][column]


class ItemFilter(QSortFilterProxyModel):
    """Filters on every column's text, case-insensitively; sorting is passed to the
    :class:`ItemModel` (one fast sort there, instead of a comparison callback per pair)."""

    def __init__(self, source: ItemModel) -> None:
        super().__init__()
        self._source = source
        self._needle = ""
        self.setSourceModel(source)
        self.setDynamicSortFilter(False)

    def set_filter(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._needle = text.casefold().strip()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = text.casefold().strip()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        return not self._needle or self._source.matches(row, self._needle)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._source.sort(column, order)


class TableModel(FlatTableModel):
    """Rows of strings with fixed headers, a colour and a tooltip per row (both optional):
    the custody timeline, verification checks, the trusted-timestamp tables."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(headers, parent)
        self._rows: list[list[str]] = []
        self._colours: list[Any] = []
        self._tips: list[str] = []

    def set_rows(self, rows: Sequence[Sequence[str]], colours: Sequence[Any] = (),
                 tips: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        self._colours = list(colours)
        self._tips = list(tips)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def row(self, index: int) -> list[str]:
        """One row (not copied: read it, do not change it)."""
        return self._rows[index]

    def colour(self, row: int) -> Any:
        return self._colours[row] if row < len(self._colours) else None

    def _count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._cell(index):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self._tips[row] if row < len(self._tips) else "") or \
                self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.colour(row)
        return None
