"""The chronology's dialogs: adding someone to the cast, adding or changing a fact (its date
read back as it will be kept, people offered as @ is typed)."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ui.chronology_models import display_name
from vault.chronology.dates import BadDate, UncertainDate, parse_date
from vault.chronology.model import CASE_ROLES, ENTITY_KINDS, MENTION, STATUSES, Entity, Fact

MENTION_ROLE = Qt.ItemDataRole.UserRole + 20  # "@short": what a completion inserts


def read_back(date: UncertainDate) -> str:
    """How a typed date will be kept, in words: "c. 03/2009: from 01/02/2009 to 30/04/2009"."""
    lo, hi = date.interval()
    if lo is None and hi is None:
        return "undated"
    span = (f"on {lo:%d/%m/%Y}" if lo == hi and lo is not None else
            f"from {lo:%d/%m/%Y} " if lo else "any time ")
    if lo != hi:
        span += f"to {hi:%d/%m/%Y}" if hi else "onwards"
        span = span.replace("any time to", "up to")
    return f"{date.show()}: {span.strip()}"


def line(name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    """A text field with its accessible name and an example in it."""
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def choices(name: str, values: tuple[str, ...], tr: Callable[[str], str]) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    for value in values:
        box.addItem(tr(value), value)
    return box


def problem_label(form: QFormLayout) -> QLabel:
    """Where a dialog says what is wrong (in words; the colour only adds to them)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    form.addRow(label)
    return label


def _buttons(dialog: QDialog, form: QFormLayout) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                               QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return buttons


class SavingDialog(QDialog):
    """A dialog whose OK saves off the GUI thread: :attr:`submitted` asks for it, and
    :meth:`saved` brings the answer; a refusal keeps the dialog and what was typed. It has a
    date field (``date``, read back in ``date_read``) and the citation fields."""

    submitted = Signal()

    def _common(self, form: QFormLayout, refs: list[str], ref: str = "", page: int = 0,
                quote: str = "", date: str = "") -> None:
        self.busy = False
        self.date = line(self.tr("When"), self.tr(
            "03/03/2010, c. 03/2009, before 2010, between 06/2011 and 09/2011, undated"), date)
        self.date_read = QLabel()
        self.date_read.setWordWrap(True)
        self.ref = QComboBox()
        self.ref.setAccessibleName(self.tr("Source"))
        self.ref.addItem(self.tr("(no citation yet)"), "")
        for r in refs:
            self.ref.addItem(r, r)
        self.ref.setCurrentIndex(max(0, self.ref.findData(ref)))
        self.page = QSpinBox()
        self.page.setAccessibleName(self.tr("Page"))
        self.page.setRange(0, 100000)
        self.page.setSpecialValueText(self.tr("no pages"))
        self.page.setValue(page)
        self.quote = line(self.tr("Words cited"), self.tr("the exact words on that page"),
                          quote)

    def _citation_rows(self, form: QFormLayout) -> None:
        form.addRow(self.tr("Source"), self.ref)
        form.addRow(self.tr("Page"), self.page)
        form.addRow(self.tr("Words cited"), self.quote)

    def _finish(self, form: QFormLayout) -> None:
        self.problem = problem_label(form)
        self.buttons = _buttons(self, form)
        self.buttons.accepted.disconnect()
        self.buttons.accepted.connect(self._accept)
        self.date.textChanged.connect(lambda _t: self._check())

    def parsed_date(self) -> UncertainDate | None:
        try:
            return parse_date(self.date.text())
        except BadDate:
            return None

    def _date_ok(self) -> bool:
        """Read the date back as it will be kept; False when it cannot be read."""
        try:
            self.date_read.setText(self.tr("Kept as {date}").format(
                date=read_back(parse_date(self.date.text()))))
            return True
        except BadDate as e:
            self.date_read.setText(str(e))
            return False

    def _ready(self) -> bool:
        return self._date_ok()

    def _check(self) -> None:
        ok = self._ready() and not self.busy
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def _accept(self) -> None:
        self.busy = True
        self._check()
        self.problem.setText(self.tr("Checking the words on the page and saving…")
                             if self.ref.currentData() else self.tr("Saving…"))
        self.submitted.emit()

    def saved(self, problem: str) -> None:
        """The answer to :attr:`submitted`: "" when saved (the dialog closes), else why not
        (it stays open: nothing typed is lost)."""
        self.busy = False
        if problem:
            self.problem.setText(problem)
            self._check()
            return
        self.accept()


class PersonDialog(QDialog):
    """Add a person, organisation or post to the cast."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add to the cast"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("for example: DS Alan Jones"))
        self.short = QLineEdit()
        self.short.setPlaceholderText(self.tr("jones: written @jones in facts"))
        self.kind = QComboBox()
        for k in ENTITY_KINDS:
            self.kind.addItem(self.tr(k), k)
        self.role = QComboBox()
        for r in CASE_ROLES:
            self.role.addItem(self.tr(r), r)
        self.pseudonym = QLineEdit()
        self.pseudonym.setPlaceholderText(self.tr("a survivor gets Child A, Child B… if empty"))
        self.public_office = QCheckBox(self.tr("Holds a public office"))
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Short name"), self.short)
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("Role in the case"), self.role)
        form.addRow(self.tr("Pseudonym"), self.pseudonym)
        form.addRow("", self.public_office)
        hint = QLabel(self.tr("Everything you share names this person by the pseudonym; the "
                              "real name stays in the vault."))
        hint.setWordWrap(True)
        form.addRow(hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._suggest)

    def _suggest(self, text: str) -> None:
        if not self.short.isModified():
            words = [w for w in text.lower().replace(".", " ").split() if w.isalpha()]
            self.short.setText(words[-1] if words else "")


class FactDialog(SavingDialog):
    """Add or change a fact: the sentence (people as @short, offered as you type @), the date
    as said (read back as it will be kept), status, key; optionally the words that prove it,
    checked on the page when saved (off the GUI thread)."""

    def __init__(self, people: dict[str, Entity], refs: list[str],
                 parent: QWidget | None = None, *, text: str = "", ref: str = "",
                 page: int = 0, quote: str = "", date: str = "",
                 fact: Fact | None = None, region: list[float] | None = None) -> None:
        super().__init__(parent)
        self.people = people
        self.region = tuple(region) if region else None  # a box drawn (no words)
        self.fact = fact  # the fact being changed (None: a new one)
        self.setWindowTitle(self.tr("Change fact {n}").format(n=fact.number) if fact
                            else self.tr("Add a fact"))
        # wide enough for its read-backs at any text size (they wrap beyond that)
        self.setMinimumWidth(max(560, 40 * self.fontMetrics().horizontalAdvance("m")))
        form = QFormLayout(self)
        self._common(form, refs, ref, page, quote, fact.date.show() if fact else date)
        self.text = line(self.tr("What happened"),
                         self.tr("@jones received a referral about @ca"),
                         fact.text if fact else text)
        self.completer = self._people_completer()
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.status = choices(self.tr("Status"), STATUSES, self.tr)
        self.key = QCheckBox(self.tr("Key fact"))
        form.addRow(self.tr("What happened"), self.text)
        form.addRow("", self.who)
        form.addRow(self.tr("When"), self.date)
        form.addRow("", self.date_read)
        form.addRow(self.tr("Status"), self.status)
        form.addRow("", self.key)
        if fact is not None:  # its citations stay as they are: shown, not changed here
            cited = "; ".join(c.where() for c in fact.citations) or self.tr("none")
            form.addRow(self.tr("Cites"), QLabel(cited))
            self.status.setCurrentIndex(max(0, self.status.findData(fact.status)))
            self.key.setChecked(fact.key)
            for w in (self.ref, self.page, self.quote):
                w.hide()
        else:
            self._citation_rows(form)
            if self.region is not None:
                self.area = QCheckBox(self.tr("Cite the area drawn on the page (it has no "
                                              "words to check)"))
                self.area.setChecked(True)
                form.addRow("", self.area)
        self._finish(form)
        self.text.textChanged.connect(lambda _t: self._check())
        self._check()

    # ------------------------------------------------------------------ @people
    def _people_completer(self) -> QCompleter:
        model = QStandardItemModel(self)
        for short, e in sorted(self.people.items()):
            item = QStandardItem(f"@{short}: {display_name(e)}")
            item.setData(f"@{short}", MENTION_ROLE)
            model.appendRow(item)
        completer = QCompleter(model, self)
        completer.setCompletionRole(MENTION_ROLE)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setWidget(self.text)
        completer.activated[QModelIndex].connect(self._complete)  # type: ignore[index]
        self.text.textEdited.connect(self._offer_people)
        return completer

    def _mention_at_cursor(self) -> tuple[int, str] | None:
        before = self.text.text()[:self.text.cursorPosition()]
        m = re.search(r"@[A-Za-z0-9_-]*$", before)
        return (m.start(), m.group(0)) if m else None

    def _offer_people(self, _text: str) -> None:
        at = self._mention_at_cursor()
        if at is not None:
            self.completer.setCompletionPrefix(at[1])
        if at is not None and self.completer.completionCount():
            self.completer.complete()
        elif (popup := self.completer.popup()) is not None:
            popup.hide()

    def _complete(self, index: QModelIndex) -> None:
        chosen = str(index.data(MENTION_ROLE) or "")
        at = self._mention_at_cursor()
        if at is None or not chosen:
            return
        start, text, pos = at[0], self.text.text(), self.text.cursorPosition()
        self.text.setText(text[:start] + chosen + " " + text[pos:].lstrip(" "))
        self.text.setCursorPosition(start + len(chosen) + 1)

    def region_cited(self) -> tuple[float, float, float, float] | None:
        if self.region is None or not self.area.isChecked():
            return None
        x0, y0, x1, y1 = self.region[:4]
        return (x0, y0, x1, y1)

    # ------------------------------------------------------------------ checking
    def _ready(self) -> bool:
        names = []
        for short in dict.fromkeys(MENTION.findall(self.text.text())):
            e = self.people.get(short)
            names.append(f"@{short} = {display_name(e)}" if e else
                         self.tr("@{short} is not in the cast yet").format(short=short))
        self.who.setText("; ".join(names))
        unknown = any(s not in self.people for s in MENTION.findall(self.text.text()))
        return self._date_ok() and bool(self.text.text().strip()) and not unknown


class IssueDialog(QDialog):
    """Add an issue of the case, or an element of one (for example the elements of
    misconduct in public office)."""

    def __init__(self, issues: list[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add an issue or element"))
        self.setMinimumWidth(max(480, 34 * self.fontMetrics().horizontalAdvance("m")))
        form = QFormLayout(self)
        self.title = line(self.tr("Title"), self.tr("for example: Aware of the risk to the child"))
        self.parent_issue = QComboBox()
        self.parent_issue.setAccessibleName(self.tr("Element of"))
        self.parent_issue.addItem(self.tr("(an issue of its own)"), None)
        for iid, label in issues:
            self.parent_issue.addItem(label, iid)
        self.note = line(self.tr("Note"), self.tr("what must be shown (private)"))
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Element of"), self.parent_issue)
        form.addRow(self.tr("Note"), self.note)
        self.buttons = _buttons(self, form)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.title.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))


class GapDialog(QDialog):
    """Record what the case lacks: a question, a document referred to but not held, a fact
    to be proved; when, and where it might be found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from vault.chronology.model import GAP_KINDS

        self.setWindowTitle(self.tr("Add a gap"))
        self.setMinimumWidth(max(520, 38 * self.fontMetrics().horizontalAdvance("m")))
        form = QFormLayout(self)
        self.kind = choices(self.tr("Kind"), GAP_KINDS, self.tr)
        self.text = line(self.tr("What is missing"), self.tr(
            "the letter of 3 March 2010 mentioned in the minutes, not on file"))
        self.date = line(self.tr("Date"), self.tr("its date, if known (undated if empty)"))
        self.sources = line(self.tr("Where it might be found"),
                            self.tr("the council's FOI team; the minute-taker"))
        self.fact = QSpinBox()
        self.fact.setAccessibleName(self.tr("The fact it concerns"))
        self.fact.setRange(0, 10_000_000)
        self.fact.setSpecialValueText(self.tr("none"))
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("What is missing"), self.text)
        form.addRow(self.tr("Date"), self.date)
        form.addRow(self.tr("Where it might be found"), self.sources)
        form.addRow(self.tr("Fact it concerns"), self.fact)
        self.problem = problem_label(form)
        self.buttons = _buttons(self, form)
        self.text.textChanged.connect(lambda _t: self._check())
        self.date.textChanged.connect(lambda _t: self._check())
        self._check()

    def parsed_date(self) -> UncertainDate | None:
        try:
            return parse_date(self.date.text() or "undated")
        except BadDate:
            return None

    def _check(self) -> None:
        try:
            parse_date(self.date.text() or "undated")
            self.problem.clear()
            ok = bool(self.text.text().strip())
        except BadDate as e:
            self.problem.setText(str(e))
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class KnowledgeDialog(SavingDialog):
    """Record that a person or body knew (or ought to have known) a matter: when, how, and
    from which words on which page; and what they did next (a fact), if anything."""

    def __init__(self, people: dict[str, Entity], matters: list[str], facts: list[Fact],
                 refs: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from vault.chronology.model import AWARENESS, HOW

        self.setWindowTitle(self.tr("Who knew what, and when"))
        self.setMinimumWidth(max(560, 40 * self.fontMetrics().horizontalAdvance("m")))
        form = QFormLayout(self)
        self._common(form, refs)
        self.who = QComboBox()
        self.who.setAccessibleName(self.tr("Who"))
        for short, e in sorted(people.items(), key=lambda x: display_name(x[1]).lower()):
            self.who.addItem(display_name(e), short)
        self.matter = QComboBox()
        self.matter.setEditable(True)
        self.matter.setAccessibleName(self.tr("The matter"))
        self.matter.addItems(matters)
        self.matter.setCurrentText("")
        if (edit := self.matter.lineEdit()) is not None:
            edit.setPlaceholderText(self.tr("allegation concerning @ca, 2009"))
        self.how = choices(self.tr("How"), HOW, self.tr)
        self.awareness = choices(self.tr("Awareness"), AWARENESS, self.tr)
        self.response = QComboBox()
        self.response.setAccessibleName(self.tr("What they did next"))
        self.response.addItem(self.tr("(no recorded response)"), None)
        for f in facts:
            self.response.addItem(f"{f.number}. {f.date.show()}: {f.text}"[:90], f.number)
        form.addRow(self.tr("Who"), self.who)
        form.addRow(self.tr("Knew of"), self.matter)
        form.addRow(self.tr("When"), self.date)
        form.addRow("", self.date_read)
        form.addRow(self.tr("How"), self.how)
        form.addRow(self.tr("Awareness"), self.awareness)
        form.addRow(self.tr("What they did next"), self.response)
        self._citation_rows(form)
        self._finish(form)
        self.matter.currentTextChanged.connect(lambda _t: self._check())
        self._check()

    def _ready(self) -> bool:
        return self._date_ok() and bool(self.matter.currentText().strip()) and \
            self.who.count() > 0


class PostDialog(QDialog):
    """A post held by a person in an organisation, from and to (dates as said)."""

    def __init__(self, people: dict[str, Entity], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from vault.chronology.model import ORGANISATION, PERSON

        self.setWindowTitle(self.tr("Add a post held"))
        self.setMinimumWidth(max(480, 34 * self.fontMetrics().horizontalAdvance("m")))
        form = QFormLayout(self)
        self.person = QComboBox()
        self.person.setAccessibleName(self.tr("Person"))
        self.organisation = QComboBox()
        self.organisation.setAccessibleName(self.tr("Organisation"))
        for short, e in sorted(people.items(), key=lambda x: display_name(x[1]).lower()):
            if e.kind == PERSON:
                self.person.addItem(display_name(e), short)
            elif e.kind == ORGANISATION:
                self.organisation.addItem(display_name(e), short)
        self.post = line(self.tr("Post"), self.tr("for example: Detective Sergeant"))
        self.start = line(self.tr("From"), self.tr("on or before 03/2014 (undated if empty)"))
        self.end = line(self.tr("To"), self.tr("undated if empty"))
        form.addRow(self.tr("Person"), self.person)
        form.addRow(self.tr("Post"), self.post)
        form.addRow(self.tr("Organisation"), self.organisation)
        form.addRow(self.tr("From"), self.start)
        form.addRow(self.tr("To"), self.end)
        self.problem = problem_label(form)
        self.buttons = _buttons(self, form)
        for w in (self.post, self.start, self.end):
            w.textChanged.connect(lambda _t: self._check())
        self._check()

    def dates(self) -> tuple[UncertainDate, UncertainDate] | None:
        try:
            return (parse_date(self.start.text() or "undated"),
                    parse_date(self.end.text() or "undated"))
        except BadDate:
            return None

    def _check(self) -> None:
        problem = ""
        if self.person.count() == 0 or self.organisation.count() == 0:
            problem = self.tr("Add the person and the organisation to the cast first.")
        elif self.dates() is None:
            problem = self.tr("A date cannot be read: write it as 03/2014, 2014, before "
                              "2015…")
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            not problem and bool(self.post.text().strip()))
