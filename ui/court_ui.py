"""The court bundle in the main window (``window.court``): the Court menu (docs/court-bundle.md).
It works on the item selected in the list and its case: add a producing witness, mark the
item as an exhibit, and make the labels, cover sheets, a page-stamped copy or the item's
continuity record, each on a background job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QWidget,
)

from ui.host import WindowHost
from ui.messages import user_message
from ui.worker import Job
from vault.court import store
from vault.court.model import (
    DECISIONS,
    HOW,
    MIN_DESCRIPTION,
    NON_SENSITIVE,
    ROLES,
    SENSITIVE,
    Exhibit,
    Statement,
    Witness,
)
from vault.errors import VaultError
from vault.evidence.items import get_item


def _accessible(widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    return widget


class WitnessDialog(QDialog):
    """A producing witness of the case: name, initials, role."""

    def __init__(self, case: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a producing witness to {case}").format(case=case))
        self.setAccessibleName(self.tr("Add a producing witness"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.initials = QLineEdit()
        self.initials.setMaxLength(4)
        self.initials.setPlaceholderText(self.tr("for example MO"))
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText("witness")
        form.addRow(self.tr("&Name:"), _accessible(self.name, self.tr("Name")))
        form.addRow(self.tr("&Initials (for the marks):"),
                    _accessible(self.initials, self.tr("Initials")))
        form.addRow(self.tr("&Role:"), _accessible(self.role, self.tr("Role")))
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class MarkDialog(QDialog):
    """Mark the selected item as the next exhibit of a witness (or a sub-exhibit)."""

    def __init__(self, case: str, ref: str, name: str, witnesses: list[Witness],
                 exhibits: list[Exhibit], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Mark {ref} as an exhibit").format(ref=ref))
        self.setAccessibleName(self.tr("Mark as an exhibit"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        what = QLabel(self.tr("{ref} ({name}), case {case}").format(ref=ref, name=name,
                                                                    case=case))
        what.setWordWrap(True)
        form.addRow(what)
        self.witness = QComboBox()
        for w in witnesses:
            self.witness.addItem(f"{w.initials}: {w.name}", w.initials)
        self.under = QComboBox()
        self.under.addItem(self.tr("(none: an exhibit of its own)"), None)
        for e in exhibits:
            if e.parent is None:
                self.under.addItem(f"{e.mark}: {e.description}", e.mark)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(self.tr(
            "What it is, from and to whom, its date, how many pages: enough to identify it "
            "without opening it"))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        form.addRow(self.tr("Produced &by:"), _accessible(self.witness, self.tr("Witness")))
        form.addRow(self.tr("&Description:"),
                    _accessible(self.description, self.tr("Description")))
        form.addRow(self.tr("&Sub-exhibit of:"),
                    _accessible(self.under, self.tr("Sub-exhibit of")))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class StatementDialog(QDialog):
    """A witness statement: whose, and its date (its words stay in the statement itself)."""

    def __init__(self, case: str, witnesses: list[Witness], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a witness statement to {case}").format(case=case))
        self.setAccessibleName(self.tr("Add a witness statement"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.witness = QComboBox()
        for w in witnesses:
            self.witness.addItem(f"{w.initials}: {w.name}", w.initials)
        self.dated = QLineEdit()
        self.dated.setPlaceholderText(self.tr("for example 12/05/2026"))
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("optional, for example First statement"))
        form.addRow(self.tr("&Witness:"), _accessible(self.witness, self.tr("Witness")))
        form.addRow(self.tr("&Dated:"), _accessible(self.dated, self.tr("Date")))
        form.addRow(self.tr("&Title:"), _accessible(self.title, self.tr("Title")))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class InStatementDialog(QDialog):
    """Record the selected item in a statement: produced, referred to or shown."""

    def __init__(self, ref: str, statements: list[Statement], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{ref} in a witness statement").format(ref=ref))
        self.setAccessibleName(self.tr("In a witness statement"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.statement = QComboBox()
        for st in statements:
            self.statement.addItem(f"{st.name}: {st.shown()}", st.name)
        self.how = QComboBox()
        self.how.addItems(list(HOW))
        self.note = QLineEdit()
        form.addRow(self.tr("&Statement:"), _accessible(self.statement, self.tr("Statement")))
        form.addRow(self.tr("The statement &does:"), _accessible(self.how, self.tr("How")))
        form.addRow(self.tr("&Note:"), _accessible(self.note, self.tr("Note")))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class ScheduleDialog(QDialog):
    """Put the selected item on a schedule of unused material."""

    def __init__(self, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Put {ref} on a schedule of unused material").format(ref=ref))
        self.setAccessibleName(self.tr("Schedule of unused material"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.schedule = QComboBox()
        self.schedule.addItem(self.tr("Non-sensitive (served on the defence)"), NON_SENSITIVE)
        self.schedule.addItem(self.tr("Sensitive (never served)"), SENSITIVE)
        self.description = QLineEdit()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("why it is sensitive (needed for a sensitive "
                                               "entry)"))
        form.addRow(self.tr("&Schedule:"), _accessible(self.schedule, self.tr("Schedule")))
        form.addRow(self.tr("&Description:"),
                    _accessible(self.description, self.tr("Description")))
        form.addRow(self.tr("&Why sensitive:"), _accessible(self.reason, self.tr("Reason")))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)


class CourtFeature(QObject):
    """The Court menu."""

    def __init__(self, window: WindowHost, selected: Callable[[], list[str]]) -> None:
        super().__init__(window)
        self.window = window
        self.selected = selected
        menu = QMenu(self.tr("C&ourt"), window)
        help_menu = getattr(window, "help_menu", None)  # before Help, where there is one
        if help_menu is not None:
            window.menuBar().insertMenu(help_menu.menuAction(), menu)
        else:
            window.menuBar().addMenu(menu)
        self.menu = menu
        add = menu.addAction(self.tr("Add a producing &witness…"))
        add.triggered.connect(lambda _c=False: self.add_witness())
        self.mark_action = menu.addAction(self.tr("&Mark as an exhibit…"))
        self.mark_action.triggered.connect(lambda _c=False: self.mark())
        menu.addSeparator()
        for label, document, fmt in ((self.tr("Exhibit &labels (PDF)…"), "labels", "pdf"),
                                     (self.tr("Exhibit labels (&Word)…"), "labels", "docx"),
                                     (self.tr("&Cover sheets (PDF)…"), "covers", "pdf"),
                                     (self.tr("Cover sheets (W&ord)…"), "covers", "docx")):
            act = menu.addAction(label)
            act.triggered.connect(lambda _c=False, d=document, f=fmt: self.write(d, f))
        self.continuity_action = menu.addAction(self.tr("Con&tinuity record of this "
                                                        "exhibit…"))
        self.continuity_action.triggered.connect(lambda _c=False: self.continuity())
        self.stamp_action = menu.addAction(self.tr("&Page-stamped copy of this exhibit"))
        self.stamp_action.triggered.connect(lambda _c=False: self.stamp())
        menu.addSeparator()
        act = menu.addAction(self.tr("Add a witness &statement…"))
        act.triggered.connect(lambda _c=False: self.add_statement())
        act = menu.addAction(self.tr("This item &in a statement…"))
        act.triggered.connect(lambda _c=False: self.in_statement())
        for label, referred in ((self.tr("A statement's &exhibit list…"), False),
                                (self.tr("A statement's documents &referred to…"), True)):
            act = menu.addAction(label)
            act.triggered.connect(lambda _c=False, r=referred: self.statement_list(r))
        menu.addSeparator()
        act = menu.addAction(self.tr("Put this item on a sc&hedule of unused material…"))
        act.triggered.connect(lambda _c=False: self.schedule())
        act = menu.addAction(self.tr("Disclosure &decision on this item…"))
        act.triggered.connect(lambda _c=False: self.decide())
        act = menu.addAction(self.tr("Record a disclosure &action on this item…"))
        act.triggered.connect(lambda _c=False: self.disclosed())
        for label, schedule in ((self.tr("Non-sensitive schedule…"), NON_SENSITIVE),
                                (self.tr("Sensitive schedule (not for the defence)…"),
                                 SENSITIVE)):
            act = menu.addAction(label)
            act.triggered.connect(lambda _c=False, sc=schedule: self.write_schedule(sc))

    # ------------------------------------------------------------------ helpers
    def _current(self) -> tuple[Any, str, str] | None:
        """(vault, case, ref) of the selected item, or None (said why)."""
        v = self.window.vault
        refs = self.selected()
        if v is None:
            return None
        if len(refs) != 1:
            self.window.show_error(self.tr("Select one item in the list first: the Court "
                                           "menu works on it and its case."))
            return None
        case = get_item(v, refs[0]).case
        if not case:
            self.window.show_error(self.tr("{ref} belongs to no case: give it one first "
                                           "(exhibits are marked within a case).").format(
                ref=refs[0]))
            return None
        return v, case, refs[0]

    def _refused(self, e: Exception) -> None:
        self.window.show_error(user_message(e)[0])

    # ------------------------------------------------------------------ actions
    def add_witness(self) -> WitnessDialog | None:
        current = self._current()
        if current is None:
            return None
        v, case, _ref = current
        dialog = WitnessDialog(case, self.window)

        def accepted() -> None:
            try:
                store.add_witness(v, case, dialog.name.text(), dialog.initials.text(),
                                  dialog.role.currentText())
            except VaultError as e:
                self._refused(e)

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def mark(self) -> MarkDialog | None:
        current = self._current()
        if current is None:
            return None
        v, case, ref = current
        try:
            witnesses = store.witnesses(v, case)
            marked = store.exhibit_of_item(v, case, ref)
        except VaultError as e:
            self._refused(e)
            return None
        if marked is not None:
            self.window.show_error(self.tr("{ref} is already exhibit {mark}.").format(
                ref=ref, mark=marked.mark))
            return None
        if not witnesses:
            self.window.show_error(self.tr("Add the producing witness first (Court > Add a "
                                           "producing witness)."))
            return None
        dialog = MarkDialog(case, ref, get_item(v, ref).name, witnesses,
                            store.exhibits(v, case), self.window)

        def accepted() -> None:
            text = dialog.description.toPlainText()
            if len(" ".join(text.split())) < MIN_DESCRIPTION:
                self.window.show_error(self.tr(
                    "Describe the exhibit well enough to identify it without opening it."))
                return
            try:
                e = store.mark_exhibit(v, case, ref, by=dialog.witness.currentData(),
                                       description=text, under=dialog.under.currentData())
            except VaultError as err:
                self._refused(err)
                return
            self.last_mark = e.mark
            self.window.refresh()
            self.window.show_in_list(ref)  # the list was read again: the item stays chosen

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def _save_as(self, suggested: str, fmt: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save as"), suggested,
                                              f"{fmt.upper()} (*.{fmt})")
        return path

    def write(self, document: str, fmt: str, path: str | None = None) -> None:
        from vault.court.labels import COVERS, LABELS, write_court_document

        current = self._current()
        if current is None:
            return
        v, case, _ref = current
        path = path or self._save_as(f"{case}-{document}.{fmt}".replace("/", "-"), fmt)
        if not path:
            return
        name = LABELS if document == "labels" else COVERS

        def work(_cancel: Callable[[], bool]) -> Any:
            return write_court_document(v, case, name, Path(path), None, fmt)

        self.window.run(self.tr("Writing the {what}").format(what=name), Job(work),
                        lambda _sha: None)

    def _exhibit(self) -> tuple[Any, str, Exhibit] | None:
        current = self._current()
        if current is None:
            return None
        v, case, ref = current
        e = store.exhibit_of_item(v, case, ref)
        if e is None:
            self.window.show_error(self.tr("{ref} is not an exhibit yet: mark it first "
                                           "(Court > Mark as an exhibit).").format(ref=ref))
            return None
        return v, case, e

    def continuity(self, path: str | None = None) -> None:
        from vault.court.labels import CONTINUITY, write_court_document

        found = self._exhibit()
        if found is None:
            return
        v, case, e = found
        path = path or self._save_as(f"{e.file_safe}-continuity.pdf", "pdf")
        if not path:
            return

        def work(_cancel: Callable[[], bool]) -> Any:
            return write_court_document(v, case, CONTINUITY, Path(path), [e.mark])

        self.window.run(self.tr("Writing the continuity record"), Job(work), lambda _s: None)

    def stamp(self) -> None:
        from vault.court.stamping import stamped_copy

        found = self._exhibit()
        if found is None:
            return
        v, case, e = found

        def work(_cancel: Callable[[], bool]) -> Any:
            return stamped_copy(v, case, e.mark)[1]

        def done(result: Any) -> None:
            self.window.refresh()
            self.window.show_in_list(str(result.ref))

        self.window.run(self.tr("Stamping the pages of {mark}").format(mark=e.mark), Job(work),
                        done)

    def add_statement(self) -> StatementDialog | None:
        current = self._current()
        if current is None:
            return None
        v, case, _ref = current
        witnesses = store.witnesses(v, case)
        if not witnesses:
            self.window.show_error(self.tr("Add the witness first (Court > Add a producing "
                                           "witness)."))
            return None
        dialog = StatementDialog(case, witnesses, self.window)

        def accepted() -> None:
            try:
                store.add_statement(v, case, dialog.witness.currentData(), dialog.dated.text(),
                                    dialog.title.text())
            except VaultError as e:
                self._refused(e)

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def in_statement(self) -> InStatementDialog | None:
        current = self._current()
        if current is None:
            return None
        v, case, ref = current
        found = store.statements(v, case)
        if not found:
            self.window.show_error(self.tr("Add the statement first (Court > Add a witness "
                                           "statement)."))
            return None
        dialog = InStatementDialog(ref, found, self.window)

        def accepted() -> None:
            marked = store.exhibit_of_item(v, case, ref)
            try:
                store.add_statement_document(v, case, dialog.statement.currentData(),
                                             marked.mark if marked else ref,
                                             dialog.how.currentText(), dialog.note.text())
            except VaultError as e:
                self._refused(e)

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def statement_list(self, referred: bool, statement: str | None = None,
                       path: str | None = None) -> None:
        from vault.court.labels import write_court_document
        from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST

        current = self._current()
        if current is None:
            return
        v, case, _ref = current
        if statement is None:
            names = [st.name for st in store.statements(v, case)]
            if not names:
                self.window.show_error(self.tr("The case has no witness statements yet."))
                return
            from PySide6.QtWidgets import QInputDialog

            statement, chosen_ok = QInputDialog.getItem(
                self.window, self.tr("Which statement?"), self.tr("Statement:"), names, 0,
                False)
            if not chosen_ok:
                return
        document = REFERRED_LIST if referred else EXHIBIT_LIST
        path = path or self._save_as(f"{statement.replace(':', '-')}-"
                                     f"{'referred' if referred else 'exhibits'}.docx", "docx")
        if not path:
            return
        name = statement

        def work(_cancel: Callable[[], bool]) -> Any:
            return write_court_document(v, case, document, Path(path), statement=name)

        self.window.run(self.tr("Writing the {what}").format(what=document), Job(work),
                        lambda _sha: None)

    # ------------------------------------------------------------------ unused material
    def schedule(self) -> ScheduleDialog | None:
        from vault.court import disclosure

        current = self._current()
        if current is None:
            return None
        v, case, ref = current
        dialog = ScheduleDialog(ref, self.window)

        def accepted() -> None:
            try:
                disclosure.schedule_item(v, case, ref, dialog.schedule.currentData(),
                                         dialog.description.text(), dialog.reason.text())
            except VaultError as e:
                self._refused(e)

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def _entry(self) -> tuple[Any, str, Any] | None:
        from vault.court import disclosure

        current = self._current()
        if current is None:
            return None
        v, case, ref = current
        for schedule in (NON_SENSITIVE, SENSITIVE):
            for e in disclosure.entries(v, case, schedule):
                if e.item == ref:
                    return v, case, e
        self.window.show_error(self.tr("{ref} is on no schedule of unused material.").format(
            ref=ref))
        return None

    def decide(self, decision: str | None = None) -> None:
        from PySide6.QtWidgets import QInputDialog

        from vault.court import disclosure

        found = self._entry()
        if found is None:
            return
        v, case, e = found
        if decision is None:
            decision, chosen = QInputDialog.getItem(
                self.window, self.tr("Disclosure decision on {entry}").format(entry=e.label),
                self.tr("Decision:"), list(DECISIONS), DECISIONS.index(e.decision), False)
            if not chosen:
                return
        try:
            disclosure.decide(v, case, e.label, decision)
        except VaultError as err:
            self._refused(err)

    def disclosed(self, action: str | None = None, note: str = "") -> None:
        from PySide6.QtWidgets import QInputDialog

        from vault.court import disclosure

        found = self._entry()
        if found is None:
            return
        v, case, e = found
        if action is None:
            action, chosen = QInputDialog.getText(
                self.window, self.tr("Disclosure action on {entry}").format(entry=e.label),
                self.tr("What was done (for example: disclosed to the defence):"))
            if not chosen:
                return
        try:
            disclosure.record_disclosure(v, case, e.label, action, note)
        except VaultError as err:
            self._refused(err)

    def write_schedule(self, schedule: str, path: str | None = None) -> None:
        from vault.court.labels import write_court_document
        from vault.court.schedules import DOCUMENTS

        current = self._current()
        if current is None:
            return
        v, case, _ref = current
        path = path or self._save_as(f"{case}-{schedule}-schedule.docx".replace("/", "-"),
                                     "docx")
        if not path:
            return

        def work(_cancel: Callable[[], bool]) -> Any:
            return write_court_document(v, case, DOCUMENTS[schedule], Path(path))

        self.window.run(self.tr("Writing the {what}").format(what=DOCUMENTS[schedule]),
                        Job(work), lambda _sha: None)
