"""The search panel: a query box over everything readable in the vault, results as you type
(snippets with the hits highlighted), filters (case, type, date received, where found, tag).

Queries run on a pool of their own (one thread) under the vault's lock, so a background job
holding it for a moment never freezes the window; a newer query makes older results stale
and they are dropped. :class:`SearchFeature` wires the panel, the detail pane's tags and
recognised text, and the background reading into the main window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.host import WindowHost, feature_dock, show_dock
from ui.ocr_highlight import show_ocr_hit
from ui.search_model import HIT_ROLE, SNIPPET_COLUMN, SOURCE_NAMES, SearchModel, SnippetDelegate
from ui.text_jobs import TextJobs
from ui.worker import Job
from vault.evidence.tags import all_tags
from vault.search.index import SOURCES
from vault.search.query import Hit, count, parse_query, search
from vault.store.vault import Vault

DEBOUNCE_MS = 150
LIMIT = 200
NO_DATE = QDate(2000, 1, 1)  # the date boxes' "any"
PDF = "application/pdf"
TYPES = (("Any type", None), ("PDFs", PDF), ("Photos", "image/"), ("Other", "other"))


class SearchPanel(QWidget):
    """:attr:`open_requested` when a result is activated (Enter, double click)."""

    open_requested = Signal(object)  # Hit
    searched = Signal()  # results (or a message) for the current query are shown

    def __init__(self, vault: Callable[[], Vault | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.setAccessibleName(self.tr("Search"))
        self.pool = QThreadPool(self)  # the panel's own: a query never waits for a long job
        self.pool.setMaxThreadCount(1)
        self.generation = 0  # results of an older query are dropped
        self.jobs: set[Job] = set()
        self.query = QLineEdit()
        self.query.setAccessibleName(self.tr("Search the vault"))
        self.query.setPlaceholderText(self.tr(
            'Search everything: words, "a phrase", polic*, council OR police, tag:minutes'))
        self.query.setClearButtonEnabled(True)
        self.case = self._combo(self.tr("Case filter"))
        self.kind = self._combo(self.tr("Type filter"))
        for text, value in TYPES:
            self.kind.addItem(self.tr(text), value)
        self.source = self._combo(self.tr("Where found filter"))
        self.source.addItem(self.tr("Anywhere"), None)
        for s in SOURCES:
            self.source.addItem(self.tr(SOURCE_NAMES.get(s, s)), s)
        self.tag = self._combo(self.tr("Tag filter"))
        self.date_from = self._date(self.tr("Received from"))
        self.date_to = self._date(self.tr("Received until"))
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Search results count"))
        self.model = SearchModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Search results"))
        self.view.setItemDelegateForColumn(SNIPPET_COLUMN, SnippetDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # widths from the text size: the longest "found in" whole, a name's ~30 letters (its
        # middle left out when longer, as in the list: the end says the date and the kind)
        metrics, pad = self.view.fontMetrics(), 2 * self.view.fontMetrics().averageCharWidth()
        found_in = max(metrics.horizontalAdvance(self.tr(n)) for n in SOURCE_NAMES.values())
        for column, width in ((0, metrics.horizontalAdvance(self.tr("Reference"))),
                              (1, metrics.averageCharWidth() * 30),
                              (2, metrics.horizontalAdvance(self.tr("Page"))),
                              (3, found_in)):
            self.view.setColumnWidth(column, width + pad)
        self.view.activated.connect(self._activated)
        filters = QGridLayout()
        for col, (label, widget) in enumerate((
                (self.tr("Case:"), self.case), (self.tr("Type:"), self.kind),
                (self.tr("Found in:"), self.source), (self.tr("Tag:"), self.tag),
                (self.tr("From:"), self.date_from), (self.tr("Until:"), self.date_to))):
            row, col = divmod(col, 3)  # two rows of three: the panel fits a small screen
            filters.addWidget(QLabel(label), row, 2 * col)
            filters.addWidget(widget, row, 2 * col + 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run_query)
        self.query.textChanged.connect(lambda _t: self.timer.start())
        self.query.returnPressed.connect(self.run_query)
        for combo in (self.case, self.kind, self.source, self.tag):
            combo.currentIndexChanged.connect(lambda _i: self.timer.start())
        for box in (self.date_from, self.date_to):
            box.dateChanged.connect(lambda _d: self.timer.start())
        self.set_choices([], [])

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(  # long case or tag names must not widen the window
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        return combo

    def _date(self, name: str) -> QDateEdit:
        box = QDateEdit()
        box.setAccessibleName(name)
        box.setCalendarPopup(True)
        box.setDisplayFormat("yyyy-MM-dd")
        box.setMinimumDate(NO_DATE)
        box.setSpecialValueText(self.tr("any"))
        box.setDate(NO_DATE)
        return box

    # ------------------------------------------------------------------ choices
    def set_choices(self, cases: list[str], tags: list[str]) -> None:
        """The cases and tags the filters offer (keeping what is chosen, if still there)."""
        for combo, first, values in ((self.case, self.tr("All cases"), cases),
                                     (self.tag, self.tr("Any tag"), tags)):
            chosen = combo.currentData()
            blocked = combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.blockSignals(blocked)

    def refresh_choices(self) -> None:
        v = self._vault()
        if v is None:
            return
        from vault.evidence.items import list_cases

        self.set_choices(list_cases(v), [name for name, _n in all_tags(v)])

    # ------------------------------------------------------------------ querying
    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``vault.search.query.search`` the filters stand for."""
        def day(box: QDateEdit) -> dt.date | None:
            date = box.date()
            return None if date == NO_DATE else dt.date(date.year(), date.month(), date.day())

        tag = self.tag.currentData()
        return {"case": self.case.currentData(), "mime_prefix": self.kind.currentData(),
                "source": self.source.currentData(), "tags": (tag,) if tag else (),
                "received_after": day(self.date_from), "received_before": day(self.date_to)}

    def run_query(self) -> None:
        """Search now for what is typed (results arrive in :meth:`_results`)."""
        self.timer.stop()
        self.generation += 1
        generation = self.generation
        v = self._vault()
        text = self.query.text().strip()
        kw = self.filters()
        if v is None:
            return
        if not text and not kw["tags"]:
            self.model.clear()
            self.status.setText("")
            self.searched.emit()
            return
        parsed = parse_query(text)
        if not parsed.fts:
            tags = (*kw["tags"], *parsed.tags)
            if not tags:
                self.model.clear()
                self.status.setText(self.tr(
                    'Type a word to search for, "a phrase", a beginning such as polic* or '
                    "words joined by AND, OR, NOT."))
                self.searched.emit()
                return
            # only tags: every item with them, found through its tag row
            text, kw["source"], kw["tags"] = '"' + tags[0].replace('"', '""') + '"', "tag", tags
        other = kw["mime_prefix"] == "other"
        if other:
            kw["mime_prefix"] = None

        def work(cancel: Callable[[], bool]) -> Any:
            if cancel():
                return None
            hits = search(v, text, limit=LIMIT, **kw)
            if other:
                hits = [h for h in hits if h.mime != PDF and not h.mime.startswith("image/")]
                return hits, len(hits)
            return hits, (count(v, text, **kw) if len(hits) >= LIMIT else len(hits))

        job = Job(work)
        self.jobs.add(job)
        job.finished.connect(lambda result: self._results(job, generation, result))
        job.failed.connect(lambda message, _bug: self._failed(job, generation, message))
        self.pool.start(job)

    def _results(self, job: Job, generation: int, result: Any) -> None:
        self.jobs.discard(job)
        if generation != self.generation or result is None or self._vault() is None:
            return  # stale: a newer query was typed, or the vault was locked
        hits, total = result
        self.model.set_hits(hits)
        shown = self.query.text().strip()
        if not hits:
            self.status.setText(self.tr("No results for “{query}”.").format(query=shown)
                                if shown else self.tr("No items with this tag."))
        elif total > len(hits):
            self.status.setText(self.tr("{n} results (the best {shown} shown)").format(
                n=total, shown=len(hits)))
        else:
            self.status.setText(self.tr("1 result") if total == 1 else
                                self.tr("{n} results").format(n=total))
        self.searched.emit()

    def _failed(self, job: Job, generation: int, message: str) -> None:
        self.jobs.discard(job)
        if generation == self.generation:
            self.model.clear()
            self.status.setText(message)
            self.searched.emit()

    def _activated(self, index: Any) -> None:
        hit = self.model.data(index, HIT_ROLE)
        if isinstance(hit, Hit):
            self.open_requested.emit(hit)

    def focus(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    def stop(self) -> None:
        """At lock: no query is left running, nothing read is left shown."""
        self.timer.stop()
        self.generation += 1
        for job in self.jobs:
            job.cancel()
        self.pool.clear()
        self.pool.waitForDone()
        self.jobs.clear()
        self.model.clear()
        self.status.clear()
        self.query.clear()
        self.set_choices([], [])


def viewer_term(hit: Hit) -> str:
    """What to find in the viewer: a query term seen in the hit's snippet, else the first."""
    snippet = hit.snippet.casefold()
    return next((t for t in hit.terms if t.casefold() in snippet), hit.terms[0] if hit.terms
                else "")


class SearchFeature(QObject):
    """Search, tags and recognised text in the main window (``window.search``)."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.panel = SearchPanel(lambda: window.vault)
        self.dock, self.action = feature_dock(
            window, self.tr("Search"), "search-dock", self.panel,
            Qt.DockWidgetArea.BottomDockWidgetArea, self.tr("&Search…"),
            [QKeySequence(QKeySequence.StandardKey.Find), QKeySequence("Ctrl+K")])
        self.action.triggered.connect(self.show)
        self.text_jobs = TextJobs(lambda: window.vault, window.jobs, self)
        window.statusBar().addPermanentWidget(self.text_jobs.widget)
        self.text_jobs.changed.connect(self._text_changed)
        self.panel.open_requested.connect(self.open_hit)
        extras = window.detail.extras
        extras.problem.connect(window.show_error)
        extras.tags_changed.connect(self._tags_changed)
        window.locking.connect(self._locking)

    def show(self) -> None:
        show_dock(self.window, self.dock)
        self.panel.focus()

    def refreshed(self) -> None:
        """After the window read the vault again (unlock, import, receive, copies)."""
        self.panel.refresh_choices()
        self.text_jobs.start()
        if self.panel.query.text().strip():
            self.panel.timer.start()

    def _text_changed(self, ref: str) -> None:
        if self.panel.query.text().strip() or self.panel.tag.currentData():
            self.panel.timer.start()  # new text may be found now
        extras = self.window.detail.extras
        if ref and ref == extras.ref:
            extras.show_item(self.window.vault, ref)

    def _tags_changed(self, _ref: str) -> None:
        self.panel.refresh_choices()
        self.panel.timer.start()

    def open_hit(self, hit: Hit) -> Any:
        """A PDF hit on a page: the viewer at that page with the term highlighted (in text
        read by OCR: the boxes of its words); a photo's recognised text: the photo with the
        words' boxes; anything else: the item selected with its details."""
        w = self.window
        if hit.page is not None and (hit.mime == PDF or hit.mime.startswith("image/")):
            viewer = w.open_viewer(hit.ref)
            if viewer is None:
                return viewer
            page, term = hit.page - 1, viewer_term(hit)

            def go() -> None:  # text read by OCR: its word boxes (a photo's are all OCR)
                if not shiboken6.isValid(viewer):
                    return
                if hit.source == "ocr" or viewer.pdf is None:
                    show_ocr_hit(viewer, page, hit.terms, term)
                else:
                    viewer.show_search_hit(page, term, lambda: show_ocr_hit(
                        viewer, page, hit.terms, term))

            if viewer.ready:
                go()
            else:
                viewer.loaded.connect(go)
            return viewer
        self.show_in_list(hit.ref)
        return None

    def show_in_list(self, ref: str) -> None:
        self.window.show_in_list(ref)

    def _locking(self) -> None:
        self.text_jobs.stop()
        self.panel.stop()
        extras = self.window.detail.extras
        clipboard = QGuiApplication.clipboard()
        if extras.copied and clipboard.text() == extras.copied:
            clipboard.clear()  # recognised text we put there does not outlive the lock
        extras.copied = ""
        extras.clear()
