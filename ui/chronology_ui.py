"""The Chronology view beside the evidence list (docs/chronology.md): the facts of a case in
date order with filters, the cast, and who knew what; adding a person or a fact (its date read
back as it will be kept, its cited words checked on the page); writing the tables; a
double-click on a fact opens its first cited exhibit at the words.

The case is read on the view's own pool, so a large chronology never holds the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.chronology_dialogs import FactDialog, PersonDialog
from ui.chronology_models import FACT_ROLE, FactsModel, RowsModel, display_name
from ui.chronology_timeline import TimelineArea
from ui.host import WindowHost, feature_dock
from ui.messages import user_message
from ui.worker import Job
from vault.chronology.filters import FactFilter
from vault.chronology.model import DISPUTED, MENTION, STATUSES, Entity, Fact
from vault.errors import VaultError
from vault.store.vault import Vault

TABLE_NAMES = (("neutral", "The chronology to share (neutral)"),
               ("working", "Working chronology (privileged)"),
               ("cast", "Dramatis personae"), ("matrix", "Who knew what, and when"),
               ("action", "From knowing to acting"),
               ("elements", "Facts by element (privileged)"),
               ("gaps", "What is missing: gaps (privileged)"))


class ChronologyPanel(QWidget):
    """The view: a case, filters, and tabs of facts, people and who knew what."""

    open_citation = Signal(str, int, str)  # ref, page (from 1; 0 for none), quote
    loaded = Signal()

    def __init__(self, vault: Callable[[], Vault | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self.setAccessibleName(self.tr("Chronology"))
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.jobs: set[Job] = set()
        self.generation = 0
        self.people: dict[str, Entity] = {}
        self.all_facts: list[Fact] = []
        self.case = QComboBox()
        self.case.setAccessibleName(self.tr("Case"))
        self.add_fact_button = QPushButton(self.tr("Add a fact…"))
        self.add_person_button = QPushButton(self.tr("Add a person…"))
        self.write_button = QPushButton(self.tr("Write…"))
        self.write_menu = QMenu(self)
        self.write_button.setMenu(self.write_menu)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Case")))
        top.addWidget(self.case, 1)
        for b in (self.add_fact_button, self.add_person_button, self.write_button):
            top.addWidget(b)
        self.person = QComboBox()
        self.person.setAccessibleName(self.tr("Person filter"))
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Status filter"))
        self.status.addItem(self.tr("Any status"), None)
        for s in STATUSES:
            self.status.addItem(self.tr(s), s)
        self.key_only = QCheckBox(self.tr("Key facts"))
        self.undated = QCheckBox(self.tr("Undated"))
        self.no_citation = QCheckBox(self.tr("No citation"))
        filters = QHBoxLayout()
        for w in (self.person, self.status, self.key_only, self.undated, self.no_citation):
            filters.addWidget(w)
        filters.addStretch(1)
        self.facts = FactsModel()
        self.fact_view = self._table(self.facts, self.tr("Facts"))
        self.cast = RowsModel(("Name", "Kind", "Role", "Facts"))
        self.cast_view = self._table(self.cast, self.tr("People and bodies"))
        self.matrix = RowsModel(("Who",))
        self.matrix_view = self._table(self.matrix, self.tr("Who knew what"))
        self.tabs = QTabWidget()
        self.timeline_area = TimelineArea()
        self.timeline = self.timeline_area.timeline
        self.tabs.addTab(self.fact_view, self.tr("Facts"))
        self.tabs.addTab(self.timeline_area, self.tr("Timeline"))
        self.tabs.addTab(self.cast_view, self.tr("People"))
        self.tabs.addTab(self.matrix_view, self.tr("Who knew what"))
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.status_line)
        layout.addWidget(self.tabs, 1)
        self.case.currentIndexChanged.connect(lambda _i: self.reload())
        for box in (self.person, self.status):
            box.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for check in (self.key_only, self.undated, self.no_citation):
            check.toggled.connect(lambda _on: self.apply_filters())
        self.fact_view.doubleClicked.connect(self._activated)
        self.timeline.activated.connect(self._open_fact)

    def _table(self, model: RowsModel, name: str) -> QTableView:
        view = QTableView()
        view.setAccessibleName(name)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(True)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(lambda: self._widths(view))
        return view

    @staticmethod
    def _widths(view: QTableView) -> None:
        """The widest column (the event, a matter) takes the room left and wraps; the
        others fit their contents."""
        header, model = view.horizontalHeader(), view.model()
        if model is None or not model.columnCount():
            return
        wide = 2 if isinstance(model, FactsModel) else model.columnCount() - 1
        for c in range(model.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == wide else
                                        QHeaderView.ResizeMode.ResizeToContents)
        if isinstance(model, FactsModel):  # dates and statuses wrap: the event keeps the room
            em = view.fontMetrics().horizontalAdvance("m")
            for c, width in ((1, 11), (3, 9), (4, 8)):
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(c, width * em)

    # ------------------------------------------------------------------ reading
    def set_cases(self, cases: list[str]) -> None:
        chosen = self.case.currentText()
        blocked = self.case.blockSignals(True)
        self.case.clear()
        self.case.addItems(cases)
        if chosen in cases:
            self.case.setCurrentText(chosen)
        self.case.blockSignals(blocked)
        self.add_fact_button.setEnabled(bool(cases))
        self.add_person_button.setEnabled(bool(cases))
        self.write_button.setEnabled(bool(cases))
        if not cases:
            self.status_line.setText(self.tr("Import evidence into a case first: a chronology "
                                             "belongs to a case."))

    def reload(self) -> None:
        """Read the chosen case's chronology on the view's pool (results in :meth:`_read`)."""
        v, case = self._vault(), self.case.currentText()
        self.generation += 1
        generation = self.generation
        if v is None or not case:
            return

        def work(_cancel: Callable[[], bool]) -> Any:
            from vault.chronology import reports, store

            if not _has_case(v, case):
                return [], [], {}
            return (store.entities(v, case), store.facts(v, case),
                    reports.matrix_cells(store.knowledge(v, case)))

        job = Job(work)
        self.jobs.add(job)
        job.finished.connect(lambda result: self._read(job, generation, result))
        job.failed.connect(lambda message, _bug: self._failed(job, message))
        self.pool.start(job)

    def _read(self, job: Job, generation: int, result: Any) -> None:
        self.jobs.discard(job)
        if generation != self.generation or self._vault() is None:
            return
        people, facts, matrix = result
        self.people = {e.short: e for e in people}
        self.all_facts = facts
        chosen = self.person.currentData()
        blocked = self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(self.tr("Anyone"), None)
        for e in sorted(people, key=lambda e: e.name.lower()):
            self.person.addItem(display_name(e), e.short)
        self.person.setCurrentIndex(max(0, self.person.findData(chosen)))
        self.person.blockSignals(blocked)
        counts: dict[str, int] = {}
        for f in facts:
            for short in {s for s, _ in f.people}:
                counts[short] = counts.get(short, 0) + 1
        self.cast.set_rows([[display_name(e), e.kind, e.role + (", public office"
                                                                if e.public_office else ""),
                             str(counts.get(e.short, 0))] for e in people])
        matters = list(dict.fromkeys(m for _w, m in matrix))
        who = list(dict.fromkeys(w for w, _m in matrix))
        self.matrix.set_rows(
            [[display_name(self.people[w]) if w in self.people else w,
              *(matrix[(w, m)].show() if (w, m) in matrix else "" for m in matters)]
             for w in who], header=["Who", *(self._named(m) for m in matters)])
        self.apply_filters()
        self.loaded.emit()

    def _failed(self, job: Job, message: str) -> None:
        self.jobs.discard(job)
        self.status_line.setText(message)

    def _named(self, text: str) -> str:
        return MENTION.sub(lambda m: self.people[m.group(1)].name if m.group(1) in self.people
                           else m.group(0), text)

    def current_filter(self) -> FactFilter:
        person = self.person.currentData()
        return FactFilter(people=(person,) if person else (), status=self.status.currentData(),
                          key=self.key_only.isChecked(), undated=self.undated.isChecked(),
                          no_citation=self.no_citation.isChecked())

    def apply_filters(self) -> None:
        shown = self.current_filter().apply(self.all_facts)
        self.facts.set_facts(shown, self.people)
        self.timeline.set_facts(shown, self.people)
        total = len(self.all_facts)
        if not total:
            self.status_line.setText(self.tr(
                "No facts yet. Add people with “Add a person…”, then the first fact with “Add "
                "a fact…”: a short neutral sentence, its date as you would say it, and the "
                "words on the page that prove it."))
        elif len(shown) == total:
            self.status_line.setText(self.tr("{n} facts, in date order. Double-click one to "
                                             "open its source.").format(n=total))
        else:
            self.status_line.setText(self.tr("{shown} of {n} facts shown (filtered).").format(
                shown=len(shown), n=total))

    def _activated(self, index: Any) -> None:
        fact = self.facts.data(index, FACT_ROLE)
        if isinstance(fact, Fact):
            self._open_fact(fact)

    def _open_fact(self, fact: Fact) -> None:
        if fact.citations:
            c = fact.citations[0]
            self.open_citation.emit(c.ref, c.page or 0, c.quote)

    def run(self, job: Job, done: Callable[[Any], None], failed: Callable[[str], None]
            ) -> None:
        """A change to the chronology, on the view's pool (one at a time, after any read);
        ``done(result)`` or ``failed(message)`` back on the GUI thread."""
        self.jobs.add(job)

        def finished(result: Any) -> None:
            self.jobs.discard(job)
            done(result)

        def refused(message: str, _bug: bool) -> None:
            self.jobs.discard(job)
            failed(message)

        job.finished.connect(finished)
        job.failed.connect(refused)
        self.pool.start(job)

    def stop(self) -> None:
        """At lock: nothing read is left shown, no read is left running."""
        self.generation += 1
        self.pool.clear()
        self.pool.waitForDone()
        self.jobs.clear()
        self.people, self.all_facts = {}, []
        for model in (self.facts, self.cast, self.matrix):
            model.clear()
        self.timeline.clear()
        self.case.clear()
        self.person.clear()
        self.status_line.clear()


def _has_case(v: Vault, case: str) -> bool:
    with v.db_lock:
        return v.con.execute("SELECT 1 FROM cases WHERE name=?", (case,)).fetchone() is not None


class ChronologyFeature(QObject):
    """The chronology in the main window (``window.chronology``): View > Chronology."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.panel = ChronologyPanel(lambda: window.vault)
        self.dock, self.action = feature_dock(
            window, self.tr("Chronology"), "chronology-dock", self.panel,
            Qt.DockWidgetArea.RightDockWidgetArea, self.tr("&Chronology…"),
            [QKeySequence("Ctrl+Shift+H")])
        self.action.triggered.connect(self.show)
        for name, label in TABLE_NAMES:
            for fmt in ("docx", "pdf", "csv"):
                act = self.panel.write_menu.addAction(f"{self.tr(label)} ({fmt.upper()})")
                act.triggered.connect(lambda _c=False, n=name, f=fmt: self.write(n, f))
        self.panel.add_fact_button.clicked.connect(lambda: self.add_fact())
        self.panel.add_person_button.clicked.connect(self.add_person)
        self.panel.open_citation.connect(self.open_citation)
        window.locking.connect(self.panel.stop)

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.refreshed()

    def refreshed(self) -> None:
        v = self.window.vault
        if v is None or not self.dock.isVisible():
            return
        from vault.evidence.items import list_cases

        self.panel.set_cases(list_cases(v))
        self.panel.reload()

    def _case(self) -> str:
        return self.panel.case.currentText()

    def add_person(self) -> Any:
        from vault.chronology.store import add_entity

        dialog = PersonDialog(self.window)
        self.window.dialog = dialog

        def done() -> None:
            v = self.window.vault
            if v is None:
                return
            try:
                add_entity(v, self._case(), dialog.short.text(), dialog.name.text(),
                           kind=dialog.kind.currentData(), role=dialog.role.currentData(),
                           pseudonym=dialog.pseudonym.text(),
                           public_office=dialog.public_office.isChecked())
            except Exception as e:  # shown, never raised into Qt
                self.window.show_error(user_message(e)[0])
                return
            self.panel.reload()

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def add_fact(self, *, text: str = "", ref: str = "", page: int = 0, quote: str = "",
                 date: str = "") -> Any:
        v = self.window.vault
        if v is None:
            return None
        from vault.evidence.items import list_items

        refs = [i.ref for i in list_items(v) if i.status == "present"]
        dialog = FactDialog(self.panel.people, refs, self.window, text=text, ref=ref,
                            page=page, quote=quote, date=date)
        self.window.dialog = dialog

        def submitted() -> None:
            from vault.chronology import store

            parsed, cited, case = dialog.parsed_date(), dialog.ref.currentData(), self._case()
            if parsed is None:
                dialog.saved(self.tr("The date cannot be read."))
                return
            words, where = dialog.text.text(), dialog.page.value() or None
            status, key, quoted = dialog.status.currentData(), dialog.key.isChecked(), \
                dialog.quote.text()

            def work(_cancel: Callable[[], bool]) -> Any:
                vault = self.window.vault
                if vault is None:
                    raise VaultError("the vault is locked")
                return store.add_fact(vault, case, words, parsed, status=status, key=key,
                                      citing=(cited, where, quoted) if cited else None)

            self.panel.run(Job(work), lambda _f: dialog.saved(""), dialog.saved)

        dialog.submitted.connect(submitted)
        dialog.accepted.connect(self.panel.reload)
        dialog.open()
        return dialog

    def change_fact(self, fact: Fact) -> Any:
        """Change a fact's sentence, date, status and key mark; the custody event keeps
        what it said before."""
        dialog = FactDialog(self.panel.people, [], self.window, fact=fact)
        self.window.dialog = dialog

        def submitted() -> None:
            from vault.chronology import store

            parsed, case = dialog.parsed_date(), self._case()
            if parsed is None:
                dialog.saved(self.tr("The date cannot be read."))
                return
            changes = {"text": dialog.text.text().strip(), "date": parsed,
                       "status": dialog.status.currentData(), "key": dialog.key.isChecked()}
            if changes["status"] not in DISPUTED:
                changes["versions"] = ()

            def work(_cancel: Callable[[], bool]) -> Any:
                vault = self.window.vault
                if vault is None:
                    raise VaultError("the vault is locked")
                return store.change_fact(vault, case, fact.number, **changes)

            self.panel.run(Job(work), lambda _f: dialog.saved(""), dialog.saved)

        dialog.submitted.connect(submitted)
        dialog.accepted.connect(self.panel.reload)
        dialog.open()
        return dialog

    def remove_fact(self, fact: Fact) -> None:
        """Take a fact out, after asking why (it stays in the vault and its history)."""
        from vault.chronology import store

        reason, ok = QInputDialog.getText(
            self.window, self.tr("Take fact {n} out").format(n=fact.number),
            self.tr("Why is it taken out? (It stays in the vault's history; its number is not "
                    "given again.)"))
        v = self.window.vault
        if not ok or v is None:
            return
        try:
            store.remove_fact(v, self._case(), fact.number, reason)
        except VaultError as e:
            self.window.show_error(user_message(e)[0])
            return
        self.panel.reload()

    def add_from_viewer(self, ref: str, page: int, quote: str) -> Any:
        """"Add to chronology" in the viewer: the citation made from the words selected, a
        date suggested from them, the case the exhibit is in."""
        v = self.window.vault
        if v is None:
            return None
        from vault.chronology.dates import suggest_date
        from vault.evidence.items import get_item

        self.show()
        case = get_item(v, ref).case
        if case and self.panel.case.findText(case) >= 0:
            self.panel.case.setCurrentText(case)
        return self.add_fact(ref=ref, page=page, quote=quote, date=suggest_date(quote))

    def write(self, table: str, fmt: str) -> None:
        v = self.window.vault
        if v is None:
            return
        case = self._case()
        suggested = f"{case}-{table}.{fmt}".replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save the table as"),
                                              suggested, f"{fmt.upper()} (*.{fmt})")
        if not path:
            return
        from vault.chronology import reports
        from vault.chronology.documents import write_table

        def work(_cancel: Callable[[], bool]) -> Any:
            t = reports.TABLES[table](v, case)
            write_table(v, case, t, Path(path), fmt)
            return path

        self.window.run(self.tr("Writing the table"), Job(work), lambda _p: None)

    def open_citation(self, ref: str, page: int, quote: str) -> Any:
        viewer = self.window.open_viewer(ref)
        if viewer is None or not page or not quote:
            return viewer

        def go() -> None:
            if shiboken6.isValid(viewer) and viewer.pdf is not None:
                viewer.show_search_hit(page - 1, quote)

        if viewer.ready:
            go()
        else:
            viewer.loaded.connect(go)
        return viewer
