"""Bringing in an existing chronology from a CSV or XLSX sheet (docs/chronology.md, "From a
spreadsheet"): which column is which (guessed from the header, changed here), a preview of
what every row will become, then the import, off the GUI thread; at the end, every row that
was not imported, with why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.chronology_models import RowsModel
from ui.worker import Job
from vault.chronology.importing import FIELDS, LABELS, RowPlan, Sheet, guess_mapping, plan_rows

PREVIEW = 200  # rows shown; all of them are checked and counted


class SheetImportDialog(QDialog):
    """The mapping and the preview; :attr:`import_requested` when the user chooses Import."""

    import_requested = Signal()

    def __init__(self, sheet: Sheet, refs: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet, self.refs = sheet, refs
        self.plans: list[RowPlan] = []
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.jobs: set[Job] = set()
        self.generation = 0
        self.setWindowTitle(self.tr("Bring in a chronology from {name}").format(name=sheet.name))
        self.resize(max(760, 60 * self.fontMetrics().horizontalAdvance("m")), 560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Each row becomes a fact. Say which column holds what; the columns were guessed "
            "from the sheet's first row. Nothing is saved until you choose Import."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.columns: dict[str, QComboBox] = {}
        guessed = guess_mapping(sheet.header)
        for fld in FIELDS:
            box = QComboBox()
            box.setAccessibleName(self.tr(LABELS[fld]))
            box.addItem(self.tr("(not in the sheet)"), None)
            for i, name in enumerate(sheet.header):
                box.addItem(name, i)
            box.setCurrentIndex(box.findData(guessed[fld]) if fld in guessed else 0)
            box.currentIndexChanged.connect(lambda _i: self.replan())
            self.columns[fld] = box
            form.addRow(self.tr(LABELS[fld]), box)
        layout.addLayout(form)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("What the import will do"))
        layout.addWidget(self.summary)
        self.preview = RowsModel(("Row", "Date", "What happened", "Source", "Result"), wide=2)
        self.view = QTableView()
        self.view.setAccessibleName(self.tr("Preview"))
        self.view.setModel(self.preview)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        for c in range(5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c in (2, 4)
                                        else QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.view, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(self.tr("Import"),
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Import"))
        self.buttons.accepted.connect(self.import_requested.emit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.replan()

    def mapping(self) -> dict[str, int]:
        return {fld: int(box.currentData()) for fld, box in self.columns.items()
                if box.currentData() is not None}

    def replan(self) -> None:
        """Check every row against the mapping chosen, off the GUI thread."""
        self.generation += 1
        generation, mapping = self.generation, self.mapping()
        self.ok.setEnabled(False)
        if "date" not in mapping or "text" not in mapping:
            self.plans = []
            self.preview.clear()
            self.summary.setText(self.tr("Choose the column of the date and the column of what "
                                         "happened."))
            return
        self.summary.setText(self.tr("Checking every row…"))

        def work(_cancel: Callable[[], bool]) -> Any:
            return plan_rows(self.sheet, mapping, self.refs)

        job = Job(work)
        self.jobs.add(job)
        job.finished.connect(lambda plans: self._planned(job, generation, plans))
        job.failed.connect(lambda message, _bug: self._planned(job, generation, message))
        self.pool.start(job)

    def _planned(self, job: Job, generation: int, plans: Any) -> None:
        self.jobs.discard(job)
        if generation != self.generation:
            return
        if isinstance(plans, str):
            self.summary.setText(plans)
            return
        self.plans = plans
        good = [p for p in plans if p.ok]
        bad = len(plans) - len(good)
        said = sum(1 for p in good if p.warnings)
        rows, bold = [], []
        for p in plans[:PREVIEW]:
            source = p.cite[0] + (f", p. {p.cite[1]}" if p.cite and p.cite[1] else "") \
                if p.cite else ""
            result = (self.tr("NOT IMPORTED: {why}").format(why=p.problem) if not p.ok else
                      "; ".join(p.warnings) or self.tr("a fact"))
            rows.append([str(p.line), p.date.show() if p.date else "",
                         str(p.fields.get("text", "")), source, result])
            bold.append(not p.ok)
        self.preview.set_rows(rows, bold=bold)
        text = self.tr("{good} of {n} rows will become facts.").format(good=len(good),
                                                                       n=len(plans))
        if bad:
            text += " " + self.tr("{bad} will not (in bold, with why): correct the sheet or "
                                  "the columns, or import the others now and add those by "
                                  "hand.").format(bad=bad)
        if said:
            text += " " + self.tr("{n} keep something in the fact's comment (said in the "
                                  "last column).").format(n=said)
        if len(plans) > PREVIEW:
            text += " " + self.tr("The first {n} rows are shown.").format(n=PREVIEW)
        self.summary.setText(text)
        self.ok.setEnabled(bool(good))

    def done_importing(self) -> None:
        self.pool.waitForDone()
        self.accept()
