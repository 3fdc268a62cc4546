"""The court bundle in the main window (``window.court``): the Court menu (docs/court-bundle.md).
It works on the item selected in the list and its case: add a producing witness, mark the
item as an exhibit, and make the labels, cover sheets, a page-stamped copy or the item's
continuity record, each on a background job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
    show_date,
)
from vault.errors import VaultError
from vault.evidence.items import get_item

D = TypeVar("D", bound=QDialog)


def _accessible(widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    return widget


class _FormDialog(QDialog):
    """A titled form of labelled fields, wide enough for its hints, with OK and Cancel."""

    def __init__(self, title: str, name: str, parent: QWidget | None, width_em: int = 40
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(name)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * width_em)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def field(self, label: str, widget: QWidget, name: str) -> None:
        self.form.addRow(label, _accessible(widget, name))

    def finish(self) -> None:
        self.form.addRow(self.buttons)


def _witnesses(witnesses: list[Witness]) -> QComboBox:
    box = QComboBox()
    for w in witnesses:
        box.addItem(f"{w.initials}: {w.name}", w.initials)
    return box


class WitnessDialog(_FormDialog):
    """A producing witness of the case: name, initials, role."""

    def __init__(self, case: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Add a producing witness to {case}").format(case=case),
                         self.tr("Add a producing witness"), parent)
        self.name = QLineEdit()
        self.initials = QLineEdit()
        self.initials.setMaxLength(4)
        self.initials.setPlaceholderText(self.tr("for example MO"))
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText("witness")
        self.field(self.tr("&Name:"), self.name, self.tr("Name"))
        self.field(self.tr("&Initials (for the marks):"), self.initials, self.tr("Initials"))
        self.field(self.tr("&Role:"), self.role, self.tr("Role"))
        self.finish()


class MarkDialog(_FormDialog):
    """Mark the selected item as the next exhibit of a witness (or a sub-exhibit)."""

    def __init__(self, case: str, ref: str, name: str, witnesses: list[Witness],
                 exhibits: list[Exhibit], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Mark {ref} as an exhibit").format(ref=ref),
                         self.tr("Mark as an exhibit"), parent, 50)
        what = QLabel(self.tr("{ref} ({name}), case {case}").format(ref=ref, name=name,
                                                                    case=case))
        self.form.addRow(what)
        self.witness = _witnesses(witnesses)
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
        self.field(self.tr("Produced &by:"), self.witness, self.tr("Witness"))
        self.field(self.tr("&Description:"), self.description, self.tr("Description"))
        self.field(self.tr("&Sub-exhibit of:"), self.under, self.tr("Sub-exhibit of"))
        self.finish()


class StatementDialog(_FormDialog):
    """A witness statement: whose, and its date (its words stay in the statement itself)."""

    def __init__(self, case: str, witnesses: list[Witness], parent: QWidget | None = None
                 ) -> None:
        super().__init__(self.tr("Add a witness statement to {case}").format(case=case),
                         self.tr("Add a witness statement"), parent)
        self.witness = _witnesses(witnesses)
        self.dated = QLineEdit()
        self.dated.setPlaceholderText(self.tr("for example 12/05/2026"))
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("optional, for example First statement"))
        self.field(self.tr("&Witness:"), self.witness, self.tr("Witness"))
        self.field(self.tr("&Dated:"), self.dated, self.tr("Date"))
        self.field(self.tr("&Title:"), self.title, self.tr("Title"))
        self.finish()


class InStatementDialog(_FormDialog):
    """Record the selected item in a statement: produced, referred to or shown."""

    def __init__(self, ref: str, statements: list[Statement], parent: QWidget | None = None
                 ) -> None:
        super().__init__(self.tr("{ref} in a witness statement").format(ref=ref),
                         self.tr("In a witness statement"), parent, 44)
        self.statement = QComboBox()
        for st in statements:
            # the date first: readable whatever the text size
            self.statement.addItem(f"{st.name} dated {show_date(st.dated)} "
                                   f"({st.witness.name})", st.name)
        self.how = QComboBox()
        self.how.addItems(list(HOW))
        self.note = QLineEdit()
        self.field(self.tr("&Statement:"), self.statement, self.tr("Statement"))
        self.field(self.tr("The statement &does:"), self.how, self.tr("How"))
        self.field(self.tr("&Note:"), self.note, self.tr("Note"))
        self.finish()


class ScheduleDialog(_FormDialog):
    """Put the selected item on a schedule of unused material."""

    def __init__(self, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Put {ref} on a schedule of unused material").format(ref=ref),
                         self.tr("Schedule of unused material"), parent, 44)
        self.schedule = QComboBox()
        self.schedule.addItem(self.tr("Non-sensitive (served on the defence)"), NON_SENSITIVE)
        self.schedule.addItem(self.tr("Sensitive (never served)"), SENSITIVE)
        self.description = QLineEdit()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("why it is sensitive (needed for a sensitive "
                                               "entry)"))
        self.field(self.tr("&Schedule:"), self.schedule, self.tr("Schedule"))
        self.field(self.tr("&Description:"), self.description, self.tr("Description"))
        self.field(self.tr("&Why sensitive:"), self.reason, self.tr("Reason"))
        self.finish()


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

    def _open(self, dialog: D, save: Callable[[], object]) -> D:
        """Open ``dialog``; when accepted, ``save()``, saying why if the vault refuses."""
        def accepted() -> None:
            try:
                save()
            except VaultError as e:
                self._refused(e)

        dialog.accepted.connect(accepted)
        self.window.dialog = dialog
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ actions
    def add_witness(self) -> WitnessDialog | None:
        current = self._current()
        if current is None:
            return None
        v, case, _ref = current
        dialog = WitnessDialog(case, self.window)
        return self._open(dialog, lambda: store.add_witness(
            v, case, dialog.name.text(), dialog.initials.text(), dialog.role.currentText()))

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
        return self._open(dialog, lambda: store.add_statement(
            v, case, dialog.witness.currentData(), dialog.dated.text(), dialog.title.text()))

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
        marked = store.exhibit_of_item(v, case, ref)
        return self._open(dialog, lambda: store.add_statement_document(
            v, case, dialog.statement.currentData(), marked.mark if marked else ref,
            dialog.how.currentText(), dialog.note.text()))

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
        return self._open(dialog, lambda: disclosure.schedule_item(
            v, case, ref, dialog.schedule.currentData(), dialog.description.text(),
            dialog.reason.text()))

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
