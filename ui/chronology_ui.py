"""The Chronology view beside the evidence list (docs/chronology.md): the facts of a case in
date order with filters, the cast, and who knew what; adding a person or a fact (its date read
back as it will be kept, its cited words checked on the page); writing the tables; a
double-click on a fact opens its first cited exhibit at the words.

The case is read on the view's own pool, so a large chronology never holds the window.
"""

from __future__ import annotations

import datetime as dt
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
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.chronology_dialogs import (
    FactDialog,
    GapDialog,
    IssueDialog,
    KnowledgeDialog,
    PersonDialog,
    PostDialog,
    SavingDialog,
)
from ui.chronology_models import FACT_ROLE, FactsModel, RowsModel, display_name
from ui.chronology_timeline import TimelineArea
from ui.host import WindowHost, feature_dock, show_dock
from ui.messages import user_message
from ui.worker import Job
from vault.chronology.dates import BadDate, parse_date
from vault.chronology.filters import FactFilter
from vault.chronology.model import (
    DISPUTED,
    MENTION,
    STATUSES,
    STRENGTHS,
    Entity,
    Fact,
    Gap,
    Issue,
)
from vault.errors import VaultError
from vault.store.vault import Vault

TABLE_NAMES = (("neutral", "The chronology to share (neutral)"),
               ("working", "Working chronology (privileged)"),
               ("cast", "Dramatis personae"), ("matrix", "Who knew what, and when"),
               ("periods", "Who knew what, year by year"),
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
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setToolTip(self.tr("Bring in an existing chronology from a CSV or "
                                              "Excel sheet"))
        self.write_button = QPushButton(self.tr("Write…"))
        self.write_menu = QMenu(self)
        self.write_button.setMenu(self.write_menu)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Case")))
        top.addWidget(self.case, 1)
        for b in (self.add_fact_button, self.add_person_button, self.import_button,
                  self.write_button):
            top.addWidget(b)
        self.person = QComboBox()
        self.person.setAccessibleName(self.tr("Person filter"))
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Status filter"))
        self.status.addItem(self.tr("Any status"), None)
        for s in STATUSES:
            self.status.addItem(self.tr(s), s)
        self.issue = QComboBox()
        self.issue.setAccessibleName(self.tr("Issue filter"))
        self.issue.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.issue.setMinimumContentsLength(12)
        self.key_only = QCheckBox(self.tr("Key facts"))
        self.undated = QCheckBox(self.tr("Undated"))
        self.no_citation = QCheckBox(self.tr("No citation"))
        # three short rows, so that the view fits beside the list at 1366 px, at 200% text too
        for box in (self.person, self.status):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        filters = QHBoxLayout()
        for w in (self.person, self.status, self.issue):
            filters.addWidget(w, 1)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText(self.tr("from, e.g. 2009"))
        self.date_from.setAccessibleName(self.tr("Facts from"))
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText(self.tr("to, e.g. 06/2011"))
        self.date_to.setAccessibleName(self.tr("Facts up to"))
        self.views = QComboBox()
        self.views.setAccessibleName(self.tr("Saved views"))
        self.views.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.views.setMinimumContentsLength(12)
        self.save_view_button = QPushButton(self.tr("Save view…"))
        dates = QHBoxLayout()
        dates.addWidget(QLabel(self.tr("Dates")))
        dates.addWidget(self.date_from)
        dates.addWidget(self.date_to)
        for check in (self.key_only, self.undated, self.no_citation):
            dates.addWidget(check)
        dates.addStretch(1)
        saved = QHBoxLayout()
        saved.addWidget(QLabel(self.tr("View")))
        saved.addWidget(self.views, 1)
        saved.addWidget(self.save_view_button)
        self.facts = FactsModel()
        self.fact_view = self._table(self.facts, self.tr("Facts"))
        self.cast = RowsModel(("Name", "Kind", "Role", "Posts held", "Facts"), wide=3)
        self.cast_view = self._table(self.cast, self.tr("People and bodies"))
        self.matrix = RowsModel(("Who",))
        self.matrix_view = self._table(self.matrix, self.tr("Who knew what"))
        self.elements = RowsModel(("Issue or element", "Support", "Facts"), wide=0)
        self.elements_view = self._table(self.elements, self.tr("Issues and elements"))
        self.add_issue_button = QPushButton(self.tr("Add an issue or element…"))
        self.gap_rows = RowsModel(("No.", "Kind", "What is missing", "Date",
                                   "Potential sources", "Fact", "State"), wide=2)
        self.gaps_view = self._table(self.gap_rows, self.tr("Gaps"))
        self.add_gap_button = QPushButton(self.tr("Add a gap…"))
        self.close_gap_button = QPushButton(self.tr("Close the gap…"))
        self.add_knowledge_button = QPushButton(self.tr("Add who knew what…"))
        self.add_post_button = QPushButton(self.tr("Add a post held…"))
        self.matters: list[str] = []
        self.issues: list[Issue] = []
        self.gaps: list[Gap] = []
        self.labels: dict[int, str] = {}
        self.cast_shorts: list[str] = []
        self.saved: dict[str, FactFilter] = {}
        self.tabs = QTabWidget()
        self.timeline_area = TimelineArea()
        self.timeline = self.timeline_area.timeline
        self.tabs.addTab(self.fact_view, self.tr("Facts"))
        self.tabs.addTab(self.timeline_area, self.tr("Timeline"))
        self.tabs.addTab(_with_buttons(self.cast_view, self.add_post_button),
                         self.tr("People"))
        self.known_day = QLineEdit()
        self.known_day.setAccessibleName(self.tr("What each knew on this day"))
        self.known_day.setPlaceholderText(self.tr("on a day, e.g. 12/03/2014"))
        self.known_day.setMinimumWidth(  # its example is read in full
            self.known_day.fontMetrics().horizontalAdvance(self.known_day.placeholderText())
            + 24)
        self.known = RowsModel(("Who", "Matter", "On that day", "Basis"), wide=3)
        self.known_view = self._table(self.known, self.tr("What each knew on the day"))
        self.known_view.hide()
        knew = _with_buttons(self.matrix_view, self.add_knowledge_button,
                             QLabel(self.tr("What each knew")), self.known_day,
                             below=self.known_view)
        self.cells: dict[tuple[str, str], Any] = {}
        self.tabs.addTab(knew, self.tr("Who knew what"))
        self.tabs.addTab(_with_buttons(self.elements_view, self.add_issue_button),
                         self.tr("Issues"))
        self.tabs.addTab(_with_buttons(self.gaps_view, self.add_gap_button,
                                       self.close_gap_button), self.tr("Gaps"))
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addLayout(saved)
        layout.addWidget(self.status_line)
        layout.addWidget(self.tabs, 1)
        self.case.currentIndexChanged.connect(lambda _i: self.reload())
        for box in (self.person, self.status, self.issue):
            box.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for edit in (self.date_from, self.date_to):
            edit.textChanged.connect(lambda _t: self.apply_filters())
        self.views.activated.connect(self._view_chosen)
        self.known_day.textChanged.connect(lambda _t: self._known_on())
        self.fact_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for check in (self.key_only, self.undated, self.no_citation):
            check.toggled.connect(lambda _on: self.apply_filters())
        self.fact_view.doubleClicked.connect(self._activated)
        self.cast_view.doubleClicked.connect(self._their_facts)
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
        wide = 2 if isinstance(model, FactsModel) else (
            model.wide if isinstance(model, RowsModel) and model.wide >= 0
            else model.columnCount() - 1)
        for c in range(model.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == wide else
                                        QHeaderView.ResizeMode.ResizeToContents)
        if isinstance(model, FactsModel):  # dates and statuses wrap: the event keeps the room
            em = view.fontMetrics().horizontalAdvance("m")
            for c, width in ((1, 8), (3, 6), (4, 6)):
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
        self.import_button.setEnabled(bool(cases))
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
            from vault.chronology.filters import saved_views

            if not _has_case(v, case):
                return [], [], {}, [], [], {}, []
            return (store.entities(v, case), store.facts(v, case),
                    reports.matrix_cells(store.knowledge(v, case)), store.issues(v, case),
                    store.gaps(v, case), saved_views(v, case), store.positions(v, case))

        job = Job(work)
        self.jobs.add(job)
        job.finished.connect(lambda result: self._read(job, generation, result))
        job.failed.connect(lambda message, _bug: self._failed(job, message))
        self.pool.start(job)

    def _read(self, job: Job, generation: int, result: Any) -> None:
        self.jobs.discard(job)
        if generation != self.generation or self._vault() is None:
            return
        people, facts, matrix, issues, gaps, views, posts = result
        self.people = {e.short: e for e in people}
        self.all_facts = facts
        self._issues_and_gaps(issues, gaps, facts)
        self.saved = views
        chosen_view = self.views.currentText()
        blocked = self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem(self.tr("(as set above)"))
        self.views.addItems(list(views))
        self.views.setCurrentIndex(max(0, self.views.findText(chosen_view)))
        self.views.blockSignals(blocked)
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
        held: dict[str, list[str]] = {}
        for p in posts:
            body = self.people.get(p.organisation)
            held.setdefault(p.person, []).append(
                f"{p.post}, {display_name(body) if body else p.organisation} "
                f"({p.start.show()} to {p.end.show()})")
        self.cast.set_rows([[display_name(e), e.kind, e.role + (", public office"
                                                                if e.public_office else ""),
                             "; ".join(held.get(e.short, [])),
                             str(counts.get(e.short, 0))] for e in people])
        self.cells = matrix
        self._known_on()
        matters = list(dict.fromkeys(m for _w, m in matrix))
        self.matters = matters
        self.cast_shorts = [e.short for e in people]
        who = list(dict.fromkeys(w for w, _m in matrix))
        self.matrix.set_rows(
            [[display_name(self.people[w]) if w in self.people else w,
              *(matrix[(w, m)].show() if (w, m) in matrix else "" for m in matters)]
             for w in who], header=["Who", *(self._named(m) for m in matters)])
        self.apply_filters()
        self.loaded.emit()

    def _known_on(self) -> None:
        """What each person or body knew, or may have known, on the day typed (as
        `chronology known-on`; real names: this is the investigator's own screen)."""
        text = self.known_day.text().strip()
        self.known_day.setStyleSheet("")
        if not text:
            self.known.clear()
            self.known_view.hide()
            return
        try:
            date = parse_date(text)
            day = date.interval()[0]
            if date.first is None or date.first.precision != "day" or day is None:
                raise BadDate("give one day, for example 12/03/2014")
        except BadDate as e:
            self.known_day.setStyleSheet("border: 2px solid #b00020;")
            self.known_day.setToolTip(str(e))
            return
        rows = []
        for (w, m), cell in sorted(self.cells.items(), key=lambda x: (
                display_name(self.people[x[0][0]]).lower() if x[0][0] in self.people
                else x[0][0], x[0][1])):
            if cell.certainly_by is not None and cell.certainly_by <= day:
                state = self.tr("knew")
            elif cell.possibly_from is not None and cell.possibly_from <= day:
                state = self.tr("may have known")
            else:
                continue
            rows.append([display_name(self.people[w]) if w in self.people else w,
                         self._named(m), state, self._named(cell.show())])
        self.known.set_rows(rows or [[self.tr("nothing recorded as known by then"), "", "", ""]])
        self.known_view.show()

    def _issues_and_gaps(self, issues: list[Issue], gaps: list[Gap], facts: list[Fact]
                         ) -> None:
        from vault.chronology.reports import element_support, issue_labels

        self.issues, self.gaps = issues, gaps
        labels = {i: self._named(label) for i, label in issue_labels(issues).items()}
        self.labels = labels
        chosen = self.issue.currentData()
        blocked = self.issue.blockSignals(True)
        self.issue.clear()
        self.issue.addItem(self.tr("Any issue"), None)
        for i in issues:
            self.issue.addItem(labels[i.id], i.id)
        self.issue.setCurrentIndex(max(0, self.issue.findData(chosen)))
        self.issue.blockSignals(blocked)
        rows, bold = [], []
        for i, state, mine in element_support(issues, facts):
            rows.append([labels[i.id], state, ", ".join(f"{f.number} ({strength})"
                                                        for f, strength in mine)])
            bold.append(state.isupper())  # NO SUPPORTING FACT, WEAK SUPPORT ONLY
        self.elements.set_rows(rows, bold=bold)
        numbers = {g.fact for g in gaps}
        gap_rows = [[str(g.id), g.kind, self._named(g.text), g.date.show(),
                     self._named(g.sources), "" if g.fact is None else str(g.fact),
                     g.state + (f": {self._named(g.answer)}" if g.answer else "")]
                    for g in sorted(gaps, key=lambda g: (g.state != "open", g.id))]
        gap_rows += [["", "fact to be proved", self._named(f.text), f.date.show(), "",
                      str(f.number), "open"] for f in facts
                     if f.status == "to be proved" and f.number not in numbers]
        self.gap_rows.set_rows(gap_rows)
        self.close_gap_button.setEnabled(any(g.state == "open" for g in gaps))

    def _failed(self, job: Job, message: str) -> None:
        self.jobs.discard(job)
        self.status_line.setText(message)

    def _named(self, text: str) -> str:
        return MENTION.sub(lambda m: self.people[m.group(1)].name if m.group(1) in self.people
                           else m.group(0), text)

    def _typed_day(self, edit: QLineEdit, end: bool) -> dt.date | None:
        """The first (or last) day of the date typed in a range field; None when empty. A
        date that cannot be read is marked and ignored."""
        text = edit.text().strip()
        edit.setToolTip("")
        edit.setStyleSheet("")
        if not text:
            return None
        try:
            lo, hi = parse_date(text).interval()  # (date | None, date | None)
        except BadDate as e:
            edit.setStyleSheet("border: 2px solid #b00020;")
            edit.setToolTip(str(e))
            return None
        chosen: dt.date | None = hi if end else lo
        return chosen

    def current_filter(self) -> FactFilter:
        person, issue = self.person.currentData(), self.issue.currentData()
        return FactFilter(people=(person,) if person else (), status=self.status.currentData(),
                          key=self.key_only.isChecked(), undated=self.undated.isChecked(),
                          no_citation=self.no_citation.isChecked(),
                          start=self._typed_day(self.date_from, False),
                          end=self._typed_day(self.date_to, True),
                          issues=(issue,) if issue is not None else ())

    def show_filter(self, f: FactFilter) -> None:
        """Set the filter controls to ``f`` (a saved view), then apply it once."""
        controls = (self.person, self.status, self.issue, self.key_only, self.undated,
                    self.no_citation, self.date_from, self.date_to)
        blocked = [w.blockSignals(True) for w in controls]
        self.person.setCurrentIndex(max(0, self.person.findData(f.people[0]))
                                    if f.people else 0)
        self.status.setCurrentIndex(max(0, self.status.findData(f.status)))
        self.issue.setCurrentIndex(max(0, self.issue.findData(f.issues[0]))
                                   if f.issues else 0)
        self.key_only.setChecked(f.key)
        self.undated.setChecked(f.undated)
        self.no_citation.setChecked(f.no_citation)
        self.date_from.setText(f.start.strftime("%d/%m/%Y") if f.start else "")
        self.date_to.setText(f.end.strftime("%d/%m/%Y") if f.end else "")
        for w, b in zip(controls, blocked, strict=True):
            w.blockSignals(b)
        self.apply_filters()

    def _view_chosen(self, index: int) -> None:
        name = self.views.itemText(index)
        if index > 0 and name in self.saved:
            self.show_filter(self.saved[name])

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

    def _their_facts(self, index: Any) -> None:
        """A person or body double-clicked in the People tab: their facts."""
        if 0 <= index.row() < len(self.cast_shorts):
            self.person.setCurrentIndex(max(0, self.person.findData(
                self.cast_shorts[index.row()])))
            self.tabs.setCurrentWidget(self.fact_view)

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
        self.people, self.all_facts, self.issues, self.gaps = {}, [], [], []
        self.cells = {}
        self.known_day.clear()
        self.saved = {}
        for model in (self.facts, self.cast, self.matrix, self.elements, self.gap_rows,
                      self.known):
            model.clear()
        self.timeline.clear()
        self.case.clear()
        self.person.clear()
        self.issue.clear()
        self.views.clear()
        self.status_line.clear()


def _with_buttons(view: QWidget, *buttons: QWidget, below: QWidget | None = None) -> QWidget:
    """A tab: its buttons (and fields) in a row above the table; ``below`` under it."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 4, 0, 0)
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    layout.addLayout(row)
    layout.addWidget(view, 1)
    if below is not None:
        layout.addWidget(below, 1)
    return page


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
        self.panel.add_issue_button.clicked.connect(self.add_issue)
        self.panel.add_gap_button.clicked.connect(self.add_gap)
        self.panel.close_gap_button.clicked.connect(self.close_gap)
        self.panel.save_view_button.clicked.connect(self.save_view)
        self.panel.import_button.clicked.connect(lambda: self.import_sheet())
        self.panel.add_knowledge_button.clicked.connect(self.add_knowledge)
        self.panel.add_post_button.clicked.connect(self.add_post)
        self.panel.fact_view.customContextMenuRequested.connect(self._fact_menu)
        self.panel.open_citation.connect(self.open_citation)
        window.locking.connect(self.panel.stop)

    def show(self) -> None:
        show_dock(self.window, self.dock)
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
                 date: str = "", region: list[float] | None = None) -> Any:
        v = self.window.vault
        if v is None:
            return None
        from vault.evidence.items import list_items

        refs = [i.ref for i in list_items(v) if i.status == "present"]
        dialog = FactDialog(self.panel.people, refs, self.window, text=text, ref=ref,
                            page=page, quote=quote, date=date, region=region)
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
            area = dialog.region_cited()

            self.panel.run(self._job(lambda v: store.add_fact(
                v, case, words, parsed, status=status, key=key,
                citing=(cited, where, quoted, area) if cited else None)),
                lambda _f: dialog.saved(""), dialog.saved)

        return self._opened(dialog, submitted)

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

            self.panel.run(self._job(lambda v: store.change_fact(v, case, fact.number,
                                                                 **changes)),
                           lambda _f: dialog.saved(""), dialog.saved)

        return self._opened(dialog, submitted)

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

    def _job(self, work: Callable[[Vault], Any]) -> Job:
        """``work(vault)`` on the view's pool (refused if the vault was locked meanwhile)."""
        def job(_cancel: Callable[[], bool]) -> Any:
            vault = self.window.vault
            if vault is None:
                raise VaultError("the vault is locked")
            return work(vault)

        return Job(job)

    def _opened(self, dialog: SavingDialog, submitted: Callable[[], None]) -> SavingDialog:
        """A saving dialog shown: OK runs ``submitted``; once saved, the view reads back."""
        dialog.submitted.connect(submitted)
        dialog.accepted.connect(self.panel.reload)
        dialog.open()
        return dialog

    def _change(self, work: Callable[[Vault], Any]) -> None:
        """A change to the chronology off the GUI thread; the view reads it back after."""
        self.panel.run(self._job(work), lambda _r: self.panel.reload(), self.window.show_error)

    def add_issue(self) -> Any:
        from vault.chronology.store import add_issue

        dialog = IssueDialog([(i.id, self.panel.labels.get(i.id, i.title))
                              for i in self.panel.issues], self.window)
        self.window.dialog = dialog
        case = self._case()

        def done() -> None:
            title, parent, note = (dialog.title.text(), dialog.parent_issue.currentData(),
                                   dialog.note.text())
            self._change(lambda v: add_issue(v, case, title, parent=parent, note=note))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def add_gap(self) -> Any:
        from vault.chronology.store import add_gap

        dialog = GapDialog(self.window)
        self.window.dialog = dialog
        case = self._case()

        def done() -> None:
            kind, text, date = dialog.kind.currentData(), dialog.text.text(), \
                dialog.parsed_date()
            sources, fact = dialog.sources.text(), dialog.fact.value() or None
            self._change(lambda v: add_gap(v, case, kind, text, date, sources=sources,
                                           fact=fact))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def close_gap(self) -> None:
        from vault.chronology.store import close_gap

        open_gaps = [g for g in self.panel.gaps if g.state == "open"]
        if not open_gaps:
            return
        row = self.panel.gaps_view.currentIndex().row()
        chosen = self.panel.gap_rows.rows[row][0] if row >= 0 else ""
        names = [f"{g.id}: {g.text}" for g in open_gaps]
        current = next((n for n in names if n.split(":")[0] == chosen), names[0])
        picked, ok = QInputDialog.getItem(self.window, self.tr("Close a gap"),
                                          self.tr("Which gap?"), names,
                                          names.index(current), False)
        if not ok:
            return
        answer, ok = QInputDialog.getText(self.window, self.tr("Close a gap"), self.tr(
            "How was it closed? (for example: found, exhibit MO/7)"))
        if not ok:
            return
        gid, case = int(picked.split(":")[0]), self._case()
        self._change(lambda v: close_gap(v, case, gid, answer))

    def save_view(self) -> None:
        from vault.chronology.filters import save_view

        name, ok = QInputDialog.getText(self.window, self.tr("Save this view"), self.tr(
            "Name the view (the filters as they are now; choose it again under View):"))
        if not ok or not name.strip():
            return
        chosen, case = self.panel.current_filter(), self._case()
        self._change(lambda v: save_view(v, case, name, chosen))

    def _fact_menu(self, pos: Any) -> None:
        fact = self.panel.facts.data(self.panel.fact_view.indexAt(pos), FACT_ROLE)
        if isinstance(fact, Fact):
            menu = self.fact_menu(fact)
            menu.popup(self.panel.fact_view.viewport().mapToGlobal(pos))

    def fact_menu(self, fact: Fact) -> QMenu:
        """What can be done with one fact: open its source, change it, link it to the issues
        and elements it supports (with a strength), take it out."""
        from vault.chronology.store import support, unsupport

        menu = QMenu(self.panel)
        opened = menu.addAction(self.tr("Open its source"))
        opened.setEnabled(bool(fact.citations))
        opened.triggered.connect(lambda: self.panel._open_fact(fact))
        menu.addAction(self.tr("Change…")).triggered.connect(lambda: self.change_fact(fact))
        backs = dict(fact.support)
        links = menu.addMenu(self.tr("Supports"))
        links.setEnabled(bool(self.panel.issues))
        case = self._case()
        for issue in self.panel.issues:
            label = self.panel.labels.get(issue.id, issue.title)
            sub = links.addMenu(f"{label} ({backs[issue.id]})" if issue.id in backs else label)
            for strength in STRENGTHS:
                act = sub.addAction(self.tr(strength))
                act.setCheckable(True)
                act.setChecked(backs.get(issue.id) == strength)
                act.triggered.connect(lambda _c=False, i=issue.id, st=strength: self._change(
                    lambda v: support(v, case, fact.number, i, st)))
            if issue.id in backs:
                sub.addSeparator()
                sub.addAction(self.tr("Not linked")).triggered.connect(
                    lambda _c=False, i=issue.id: self._change(lambda v: unsupport(
                        v, case, fact.number, i, "link taken away in the chronology view")))
        menu.addSeparator()
        menu.addAction(self.tr("Take it out…")).triggered.connect(
            lambda: self.remove_fact(fact))
        return menu

    def add_knowledge(self) -> Any:
        """Who knew what, when, how, from which words; and what they did next."""
        v = self.window.vault
        if v is None:
            return None
        from vault.chronology import store
        from vault.evidence.items import list_items

        refs = [i.ref for i in list_items(v) if i.status == "present"]
        dialog = KnowledgeDialog(self.panel.people, self.panel.matters, self.panel.all_facts,
                                 refs, self.window)
        self.window.dialog = dialog
        case = self._case()

        def submitted() -> None:
            date = dialog.parsed_date()
            if date is None:
                dialog.saved(self.tr("The date cannot be read."))
                return
            who, matter = dialog.who.currentData(), dialog.matter.currentText()
            how, awareness = dialog.how.currentData(), dialog.awareness.currentData()
            response, cited = dialog.response.currentData(), dialog.ref.currentData()
            citing = (cited, dialog.page.value() or None, dialog.quote.text()) if cited \
                else None

            self.panel.run(self._job(lambda v: store.add_knowledge(
                v, case, who, matter, date, how=how, awareness=awareness, response=response,
                citing=citing)), lambda _k: dialog.saved(""), dialog.saved)

        return self._opened(dialog, submitted)

    def add_post(self) -> Any:
        from vault.chronology.store import add_position

        dialog = PostDialog(self.panel.people, self.window)
        self.window.dialog = dialog
        case = self._case()

        def done() -> None:
            dates = dialog.dates()
            if dates is None:
                return
            person, post, body = (dialog.person.currentData(), dialog.post.text(),
                                  dialog.organisation.currentData())
            self._change(lambda v: add_position(v, case, person, post, body, *dates))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def import_sheet(self, path: Path | None = None) -> Any:
        """Bring in an existing chronology from a CSV or XLSX sheet: the columns mapped, every
        row previewed, then imported; the rows not imported are named at the end. The dialog
        opens once the sheet is read (``window.dialog``)."""
        from vault.chronology.importing import read_sheet
        from vault.evidence.items import list_items

        v = self.window.vault
        if v is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, self.tr("Bring in a chronology"), "",
                self.tr("Spreadsheets (*.csv *.xlsx *.tsv *.txt)"))
            if not chosen:
                return None
            path = Path(chosen)
        # read off the GUI thread (an XLSX of 20,000 rows takes seconds), then the dialog
        self.panel.run(self._job(lambda vault: (read_sheet(path), {
            i.ref for i in list_items(vault) if i.status == "present"})),
            lambda found: self._sheet_read(*found), self.window.show_error)
        return None

    def _sheet_read(self, sheet: Any, refs: set[str]) -> Any:
        from ui.chronology_import import SheetImportDialog
        from vault.chronology.importing import import_rows

        if self.window.vault is None:
            return None
        dialog = SheetImportDialog(sheet, refs, self.window)
        self.window.dialog = dialog
        case = self._case()

        def start() -> None:
            plans = list(dialog.plans)
            dialog.ok.setEnabled(False)
            dialog.summary.setText(self.tr("Importing…"))

            def work(cancel: Callable[[], bool]) -> Any:
                vault = self.window.vault
                if vault is None:
                    raise VaultError("the vault is locked")
                return import_rows(vault, case, plans, cancel)

            def done(result: Any) -> None:
                dialog.done_importing()
                self.panel.reload()
                lines = [self.tr("{n} facts added; citations checked and made: {c}.").format(
                    n=len(result.facts), c=result.citations)]
                lines += [self.tr("Row {line} NOT IMPORTED: {why}").format(line=line, why=why)
                          for line, why in result.skipped]
                lines += [self.tr("Row {line}: {what}").format(line=line, what=what)
                          for line, what in result.warnings]
                box = QMessageBox(QMessageBox.Icon.Warning if result.skipped else
                                  QMessageBox.Icon.Information, self.tr("Chronology brought in"),
                                  lines[0], QMessageBox.StandardButton.Close, self.window)
                if len(lines) > 1:  # the rows not imported first, all of them behind a click
                    box.setInformativeText("\n".join(lines[1:6]) + ("\n…" if len(lines) > 6
                                                                     else ""))
                    box.setDetailedText("\n".join(lines[1:]))
                self.window.dialog = box
                box.open()

            self.panel.run(Job(work), done, dialog.summary.setText)

        dialog.import_requested.connect(start)
        dialog.open()
        return dialog

    def add_from_viewer(self, ref: str, page: int, quote: str,
                        region: list[float] | None = None) -> Any:
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
        return self.add_fact(ref=ref, page=page, quote=quote, date=suggest_date(quote),
                             region=region)

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
