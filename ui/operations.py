"""The long operations' dialogs: import, export, verify (and receive), vault health.

Each runs a core generator through :class:`ui.worker.Job`; a :class:`ProgressDialog` shows
progress, speed and a Cancel button, and the window stays responsive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui.colours import BAD, GOOD, WARNING, colour, css
from ui.details_toggle import Details
from ui.labels import plain_label
from ui.models import TableModel, counted, human_size
from ui.screen_fit import fit_size, fit_to_content, text_width
from ui.worker import Job
from vault.documents.redaction_reasons import REASON_CODES, normalised, reason_warning
from vault.evidence.importer import IMPORTED, RECEIVED_AGAIN, ImportResult, import_paths, readable
from vault.store.vault import Vault


class ProgressDialog(QDialog):
    """Progress of one job: what is being done, how far, how fast; Cancel."""

    def __init__(self, title: str, job: Job, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.what = QLabel()
        self.what.setAccessibleName(self.tr("Current file"))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr("Progress"))
        self.bar.setRange(0, 1000)
        self.speed = QLabel()
        self.speed.setAccessibleName(self.tr("Speed"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        layout = QVBoxLayout(self)
        for w in (self.what, self.bar, self.speed, self.cancel_button):
            layout.addWidget(w)
        self.cancel_button.clicked.connect(self._cancel)
        self.started = time.monotonic()

    def show_progress(self, done: int, total: int, current: str) -> None:
        self.bar.setValue(int(1000 * done / total) if total else 0)
        self.what.setText(current)
        seconds = max(time.monotonic() - self.started, 1e-3)
        self.speed.setText(self.tr("{done} of {total}, {speed}/s").format(
            done=human_size(done), total=human_size(total), speed=human_size(int(done / seconds))))

    def _cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.what.setText(self.tr("Cancelling… (what is already stored is kept)"))

    def reject(self) -> None:  # Escape cancels rather than hiding a running job
        self._cancel()


# ----------------------------------------------------------------------------------- import

class ImportDialog(QDialog):
    """How and from whom the batch was received, and for which case."""

    def __init__(self, paths: list[Path], cases: list[str], case: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.setWindowTitle(self.tr("Import evidence"))
        self.setAccessibleName(self.tr("Import evidence"))
        self.received_from = QLineEdit()
        self.received_from.setAccessibleName(self.tr("Received how and from whom"))
        self.received_from.setPlaceholderText(self.tr("for example: USB stick handed over by "
                                                      "J. Smith, 3 May 2026"))
        # wide enough for its own example, whole
        self.received_from.setMinimumWidth(
            self.received_from.fontMetrics().horizontalAdvance(
                self.received_from.placeholderText()) + 24)
        self.case = QComboBox()
        self.case.setEditable(True)
        self.case.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.case.setAccessibleName(self.tr("Case"))
        self.case.addItems(["", *cases])
        self.case.setCurrentText(case or "")
        line = self.case.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("type a new case's name, or choose one") if cases
                                    else self.tr("type a case's name, for example NB-2026-01"))
        case_hint = QLabel(self.tr("A new name starts a new case. Leave it empty to keep the "
                                   "files outside any case."))
        case_hint.setWordWrap(True)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Received &how and from whom:"), self.received_from)
        form.addRow(self.tr("&Case:"), self.case)
        form.addRow("", case_hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Import"))
        if line is not None:  # Enter in the case's box imports, as it does in the other field
            line.returnPressed.connect(self.ok.click)
        count = QLabel(what_is_imported(paths))
        count.setTextFormat(Qt.TextFormat.PlainText)  # file names, shown as they are
        count.setWordWrap(True)
        self.what = count
        layout = QVBoxLayout(self)
        layout.addWidget(count)
        layout.addLayout(form)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok.setDefault(True)  # in the dialog now: Enter imports
        self.received_from.setFocus()
        fit_to_content(self, text_width(self, 90, 640))  # the wrapped hints whole, any text size


def what_is_imported(paths: list[Path], shown: int = 5) -> str:
    """``2 files: a.pdf, b.jpg`` or ``1 folder and 1 file: Photos, a.pdf``: what the
    investigator is about to import, named."""
    folders = sum(p.is_dir() for p in paths)
    files = len(paths) - folders
    counts = [f"{n} {word}{'' if n == 1 else 's'}"
              for n, word in ((folders, "folder"), (files, "file")) if n]
    names = [readable(p.name) or str(p) for p in paths[:shown]]
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return f"{' and '.join(counts)}: {', '.join(names)}{more}"


@dataclass
class ImportSummary:
    results: list[ImportResult] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def import_work(v: Vault, paths: list[Path], case: str | None, received_from: str) -> Any:
    """The job: the core's progress, then one :class:`ImportSummary`."""
    def work(cancel: Any) -> Any:
        summary = ImportSummary()
        # acknowledged as soon as stored and recorded: details are read in the background
        for p in import_paths(v, paths, case=case, received_from=received_from, cancel=cancel,
                              details="queue"):
            summary.results.extend(p.acknowledged)
            yield p
        summary.cancelled = cancel()
        yield summary
    return work


class ImportSummaryDialog(QDialog):
    def __init__(self, summary: ImportSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import finished"))
        self.setAccessibleName(self.tr("Import summary"))
        headline = self.tr("{n} imported, {again} received again, {failed} failed{cut}.").format(
            n=summary.count(IMPORTED), again=summary.count(RECEIVED_AGAIN),
            failed=sum(r.status not in (IMPORTED, RECEIVED_AGAIN) for r in summary.results),
            cut=self.tr(" (cancelled: the rest was not imported)") if summary.cancelled else "")
        self.headline = QLabel(headline)
        self.headline.setAccessibleName(self.tr("Summary"))
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 3)
        self.headline.setFont(font)
        # Problems first: the files that failed, then those imported with warnings.
        failed = [r for r in summary.results if r.status not in (IMPORTED, RECEIVED_AGAIN)]
        warned = [r for r in summary.results if r not in failed and r.warnings]
        ordered = failed + warned + [r for r in summary.results
                                     if r not in failed and r not in warned]
        lines = [self.tr("✖ {file}: not imported. {why}").format(
                     file=r.source, why=r.error or r.status) for r in failed[:10]]
        lines += [self.tr("⚠ {file} ({ref}): {warnings}").format(
                      file=r.source, ref=r.ref or "", warnings="; ".join(r.warnings))
                  for r in warned[:10]]
        more = len(failed) + len(warned) - len(lines)
        if more > 0:
            lines.append(self.tr("…and {n} more in the details.").format(n=more))
        self.problems = plain_label("\n".join(lines) if lines else self.tr(
            "Every file is stored exactly as it was, with its fingerprint; the originals on "
            "your disk were not changed."))
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName(self.tr("Problems") if lines else self.tr("Result"))
        if failed:
            self.problems.setStyleSheet(css(BAD))
        elif warned:
            self.problems.setStyleSheet(css(WARNING))
        self.model = TableModel([self.tr("Reference"), self.tr("Result"), self.tr("File"),
                                 self.tr("Warnings")])
        self.model.set_rows([[r.ref or "", r.status, r.source,
                              "; ".join(r.warnings) or (r.error or "")]
                             for r in ordered])
        view = QTableView()
        view.setModel(self.model)
        view.setAccessibleName(self.tr("Imported items"))
        view.horizontalHeader().setStretchLastSection(True)
        view.verticalHeader().hide()
        self.details = Details(self.tr("Show every file ({n})").format(n=len(ordered)), [view],
                               shown=bool(failed or warned), room=(700, 420))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.problems)
        layout.addWidget(self.details, 1)
        layout.addStretch(0)
        layout.addWidget(buttons)
        if self.details.expanded():
            fit_size(self, text_width(self, 100, 700), 420)
        else:
            fit_to_content(self, text_width(self, 100, 700))


# ----------------------------------------------------------------------------------- export

ENCRYPT_PASSPHRASE, ENCRYPT_KEY, NOT_ENCRYPTED = 0, 1, 2


class _CheckedPage(QWizardPage):
    """A wizard page that says what is wrong with its answers on the page itself, before
    Next, and never discards them."""

    def __init__(self, check: Any) -> None:
        super().__init__()
        self._check = check
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        self.problem.setStyleSheet(css(BAD))

    def validatePage(self) -> bool:
        why = self._check()
        self.problem.setText(why)
        return not why


class ExportDialog(QWizard):
    """A wizard: what (the case in view by default, or the selected exhibits, named); for
    whom and how it is encrypted (a passphrase by default; unencrypted only by a deliberate
    choice); a summary of what the recipient will be able to read; where to save. Each page
    checks its answers before Next."""

    def __init__(self, cases: list[str], case: str | None, selected: list[str],
                 parent: QWidget | None = None,
                 summarise: Any = None) -> None:
        super().__init__(parent)
        self.summarise = summarise  # (case or None, refs) -> lines of the summary page
        self.setWindowTitle(self.tr("Export an evidence package"))
        self.setAccessibleName(self.tr("Export an evidence package"))
        self.whole_case = QRadioButton(self.tr("The whole &case:"))
        self.whole_case.setAccessibleName(self.tr("Export a whole case"))
        self.case = QComboBox()
        self.case.setAccessibleName(self.tr("Case to export"))
        self.case.addItems(cases)
        if case:
            self.case.setCurrentText(case)
        shown = ", ".join(selected[:5]) + (self.tr(" and {n} more").format(
            n=len(selected) - 5) if len(selected) > 5 else "")
        self.selection = QRadioButton(self.tr("Only the &selected exhibits: {refs}").format(
            refs=shown) if selected else self.tr("Only the &selected exhibits (none selected)"))
        self.selection.setAccessibleName(self.tr("Export only the selected exhibits"))
        self.selected = selected
        group = QButtonGroup(self)
        group.addButton(self.whole_case)
        group.addButton(self.selection)
        # The case in view by default: one Next never exports one exhibit by accident.
        (self.whole_case if cases else self.selection).setChecked(True)
        self.selection.setEnabled(bool(selected))
        self.whole_case.setEnabled(bool(cases))
        self.recipient = QLineEdit()
        self.recipient.setAccessibleName(self.tr("Recipient"))
        self.recipient.setPlaceholderText(self.tr("for example: Smith & Co Solicitors"))
        self.encryption = QComboBox()
        self.encryption.setAccessibleName(self.tr("Encryption"))
        self.encryption.addItems([
            self.tr("With a passphrase (recommended)"),
            self.tr("To the recipient's key (a line beginning age1…)"),
            self.tr("Not encrypted: anyone who gets the file can read it")])
        self.secret = QLineEdit()
        self.secret.setAccessibleName(self.tr("Passphrase or key"))
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setAccessibleName(self.tr("Passphrase again"))
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        from ui.vault_dialogs import StrengthMeter

        self.meter = StrengthMeter()
        self.secret.textChanged.connect(
            lambda t: self.meter.update_for(t, []) if self.encryption.currentIndex() ==
            ENCRYPT_PASSPHRASE else None)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.unencrypted_ok = QCheckBox(self.tr(
            "I understand that the evidence in it (survivors' statements, names, addresses) "
            "can be read by anyone who gets the file"))
        self.unencrypted_ok.setAccessibleName(self.tr("Export without encryption"))
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("What the recipient will be able to read"))
        # Notes can be privileged: they go only when chosen. So do a case's withdrawn copies.
        self.with_notes = QCheckBox(self.tr("Send my &notes and annotations too (they may be "
                                            "privileged)"))
        self.with_notes.setAccessibleName(self.tr("Send my notes and annotations"))
        self.with_withdrawn = QCheckBox(self.tr("Send &withdrawn copies too"))
        self.with_withdrawn.setAccessibleName(self.tr("Send withdrawn copies"))
        self.with_chronology = QCheckBox(self.tr(
            "Send the case's &chronology too (the neutral chronology and the dramatis personae, "
            "as PDF, Word and CSV)"))
        self.with_chronology.setAccessibleName(self.tr("Send the chronology"))
        self.with_chronology.setVisible(False)
        self.chronology_tables = QComboBox()
        self.chronology_tables.setAccessibleName(self.tr("Which chronology tables"))
        for label, tables in (
                (self.tr("the neutral chronology and the dramatis personae"),
                 ["neutral", "cast"]),
                (self.tr("every shared table (also who knew what, and from knowing to "
                         "acting)"), ["neutral", "cast", "matrix", "periods", "action"]),
                (self.tr("every table, the privileged ones too (working chronology, facts by "
                         "element, gaps)"),
                 ["neutral", "working", "cast", "matrix", "periods", "action", "elements",
                  "gaps"])):
            self.chronology_tables.addItem(label, tables)
        self.chronology_tables.setVisible(False)
        self.chronology_tables.setEnabled(False)
        self.with_chronology.toggled.connect(self.chronology_tables.setEnabled)
        self.chronology_tables.currentIndexChanged.connect(lambda _i: self._page_shown(0))
        # Court documents (package format 6): the sensitive schedule is never offered here.
        self.with_court = QCheckBox(self.tr(
            "Send the case's &court documents too (exhibit labels, cover sheets, continuity "
            "records, statements' lists and the non-sensitive schedule, as PDF)"))
        self.with_court.setAccessibleName(self.tr("Send the court documents"))
        self.with_court.setVisible(False)
        for box in (self.with_notes, self.with_withdrawn, self.with_chronology,
                    self.with_court):
            box.toggled.connect(lambda _on: self._page_shown(0))
        self.out = QLineEdit()
        self.out.setAccessibleName(self.tr("Package file"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.setAccessibleName(self.tr("Choose the package file"))
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.out)
        where.addWidget(browse)
        what = _CheckedPage(self._check_what)
        what.setTitle(self.tr("What to export"))
        what_form = QFormLayout(what)
        case_row = QHBoxLayout()
        case_row.addWidget(self.whole_case)
        case_row.addWidget(self.case)
        what_form.addRow(case_row)
        what_form.addRow(self.selection)
        what_form.addRow(what.problem)
        to = _CheckedPage(self._check_whom)
        to.setTitle(self.tr("For whom, and how it is protected"))
        to_form = QFormLayout(to)
        to_form.addRow(self.tr("&Recipient:"), self.recipient)
        to_form.addRow(self.tr("&Encryption:"), self.encryption)
        self.secret_label = QLabel(self.tr("&Passphrase:"))
        self.secret_label.setBuddy(self.secret)
        to_form.addRow(self.secret_label, self.secret)
        self.again_label = QLabel(self.tr("&Again:"))
        self.again_label.setBuddy(self.again)
        to_form.addRow(self.again_label, self.again)
        to_form.addRow("", self.meter)
        to_form.addRow(self.advice)
        to_form.addRow(self.unencrypted_ok)
        to_form.addRow(to.problem)
        review = QWizardPage()
        review.setTitle(self.tr("What the recipient will be able to read"))
        review_form = QVBoxLayout(review)
        review_form.addWidget(self.summary)
        review_form.addWidget(self.with_notes)
        review_form.addWidget(self.with_withdrawn)
        review_form.addWidget(self.with_chronology)
        review_form.addWidget(self.chronology_tables)
        review_form.addWidget(self.with_court)
        self.review_page = review
        save = _CheckedPage(self._check_where)
        save.setTitle(self.tr("Where to save the package"))
        save_form = QFormLayout(save)
        save_form.addRow(self.tr("Save as:"), where)
        save_form.addRow(QLabel(self.tr("At the end you will see the signer fingerprint to "
                                        "read to the solicitor.")))
        save_form.addRow(save.problem)
        for page in (what, to, review, save):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Export"))
        self.ok = self.button(QWizard.WizardButton.FinishButton)
        self.ok.setAccessibleName(self.tr("Export"))
        for which, name in ((QWizard.WizardButton.NextButton, self.tr("Next")),
                            (QWizard.WizardButton.BackButton, self.tr("Back")),
                            (QWizard.WizardButton.CancelButton, self.tr("Cancel"))):
            self.button(which).setAccessibleName(name)
        self.encryption.currentIndexChanged.connect(self._encryption_changed)
        self.currentIdChanged.connect(self._page_shown)
        self._encryption_changed(ENCRYPT_PASSPHRASE)

    def _encryption_changed(self, index: int) -> None:
        passphrase = index == ENCRYPT_PASSPHRASE
        shown: list[tuple[QWidget, bool]] = [
            (self.secret, index != NOT_ENCRYPTED), (self.secret_label, index != NOT_ENCRYPTED),
            (self.again, passphrase), (self.again_label, passphrase), (self.meter, passphrase)]
        for widget, visible in shown:
            widget.setVisible(visible)
        self.unencrypted_ok.setVisible(index == NOT_ENCRYPTED)
        self.secret_label.setText(self.tr("&Passphrase:") if passphrase
                                  else self.tr("Recipient's &key:"))
        self.secret.setEchoMode(QLineEdit.EchoMode.Password if passphrase
                                else QLineEdit.EchoMode.Normal)
        self.advice.setText(
            self.tr("Tell the recipient the passphrase by another route than the package: "
                    "by phone, or in person. Never in the same e-mail.") if passphrase else
            self.tr("The recipient's key is a line beginning age1… that they made with the "
                    "age tool (age-keygen) and sent you; only they can open the package.")
            if index == ENCRYPT_KEY else
            self.tr("Not recommended: the package holds survivors' statements and addresses."))

    def _check_what(self) -> str:
        if self.whole_case.isChecked() and not self.case.currentText():
            return self.tr("Choose a case.")
        if self.selection.isChecked() and not self.selected:
            return self.tr("Select the exhibits first, or export the whole case.")
        return ""

    def _check_whom(self) -> str:
        index = self.encryption.currentIndex()
        secret = self.secret.text()
        if index == ENCRYPT_PASSPHRASE:
            from vault.store.passphrase import strength

            if secret != self.again.text():
                return self.tr("The two passphrases differ.")
            found = strength(secret, [self.recipient.text()])
            if not found.acceptable:
                return self.tr("That passphrase is too weak: {why}").format(why=found.reason)
        elif index == ENCRYPT_KEY:
            if not secret.strip().startswith("age1"):
                return self.tr("The recipient's key is one line beginning age1…")
        elif not self.unencrypted_ok.isChecked():
            return self.tr("Tick the box to export without encryption, or choose a passphrase.")
        return ""

    def _check_where(self) -> str:
        text = self.out.text().strip()
        if not text:
            return self.tr("Choose where to save the package.")
        path = Path(text)
        final = path.with_name(path.name + ".age") if self.encryption.currentIndex() != \
            NOT_ENCRYPTED else path
        if final.exists():
            return self.tr("{name} already exists: choose another name.").format(
                name=final.name)
        return ""

    def _page_shown(self, _page_id: int) -> None:
        if self.currentPage() is self.review_page and self.summarise is not None:
            case = self.case.currentText() if self.whole_case.isChecked() else None
            lines = list(self.summarise(case, [] if case else list(self.selected),
                                        notes=self.with_notes.isChecked(),
                                        include_withdrawn=self.with_withdrawn.isChecked(),
                                        chronology=self.chosen_tables(),
                                        court=self.chosen_court()))
            self.with_withdrawn.setVisible(bool(case) and any(
                "withdrawn" in line for line in lines))
            self.with_chronology.setVisible(bool(case) and any(
                "chronology" in line for line in lines))
            self.chronology_tables.setVisible(self.with_chronology.isVisible())
            self.with_court.setVisible(bool(case) and any(
                "court documents" in line for line in lines))
            lines.append(self.tr("Encrypted with a passphrase.") if self.encryption.currentIndex()
                         == ENCRYPT_PASSPHRASE else self.tr("Encrypted to the recipient's key.")
                         if self.encryption.currentIndex() == ENCRYPT_KEY else
                         self.tr("NOT ENCRYPTED: anyone who gets the file can read it."))
            self.summary.setText("\n".join(lines))

    def chosen_tables(self) -> list[str]:
        """The chronology's tables chosen to go ([] when it stays out)."""
        if not self.with_chronology.isChecked() or self.with_chronology.isHidden():
            return []
        return list(self.chronology_tables.currentData())

    def chosen_court(self) -> list[str]:
        """The court documents chosen to go ([] when they stay out)."""
        if not self.with_court.isChecked() or self.with_court.isHidden():
            return []
        return ["exhibit labels", "cover sheets", "continuity records", "statement lists",
                "non-sensitive schedule"]

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the package as"),
                                              self.out.text(), self.tr("Packages (*.zip)"))
        if path:
            self.out.setText(path if path.endswith(".zip") else path + ".zip")

    def export_options(self) -> dict[str, Any]:
        """Keyword arguments for ``export_package`` (and ``out``)."""
        kw: dict[str, Any] = {"out": Path(self.out.text().strip()),
                              "recipient": self.recipient.text().strip()}
        if self.whole_case.isChecked():
            kw["case"] = self.case.currentText()
            kw["include_withdrawn"] = self.with_withdrawn.isChecked()
            if self.chosen_tables():
                kw["chronology"] = self.chosen_tables()
            if self.chosen_court():
                kw["court"] = self.chosen_court()
        else:
            kw["refs"] = list(self.selected)
        kw["notes"] = self.with_notes.isChecked()
        if self.encryption.currentIndex() == ENCRYPT_KEY:
            kw["encrypt_to"] = self.secret.text().strip()
        elif self.encryption.currentIndex() == ENCRYPT_PASSPHRASE:
            kw["passphrase"] = self.secret.text()
        return kw


SHOWN_LINES = 8  # a result's lines shown at once; the rest behind "Show all"


class ResultDialog(QDialog):
    """A headline and lines of detail, each selectable (the fingerprint to read out)."""

    def __init__(self, title: str, headline: str, lines: list[str], ok: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.headline = plain_label(headline)
        self.headline.setAccessibleName(self.tr("Result"))
        if ok is not None:
            font = self.headline.font()
            font.setBold(True)
            font.setPointSize(font.pointSize() + 6)
            self.headline.setFont(font)
            self.headline.setStyleSheet(css(GOOD if ok else BAD))
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        self.lines = []
        for line in lines[:SHOWN_LINES]:
            label = plain_label(line)  # names from the evidence or a package, as they are
            label.setWordWrap(True)
            label.setAccessibleName(line.split(":", 1)[0])
            label.setTextInteractionFlags(label.textInteractionFlags() |
                                          label.textInteractionFlags().TextSelectableByMouse)
            self.lines.append(label)
            layout.addWidget(label)
        if len(lines) > SHOWN_LINES:  # the rest behind a click, never a window taller than
            # the screen
            everything = QPlainTextEdit("\n".join(lines))
            everything.setReadOnly(True)
            everything.setAccessibleName(self.tr("Every line"))
            layout.addWidget(Details(self.tr("Show all {n} lines").format(n=len(lines)),
                                     [everything]), 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.accept)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def add_button(self, text: str, accessible: str, slot: Any) -> QPushButton:
        """A button beside Close (Show in folder, Copy fingerprint, ...)."""
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button


# ----------------------------------------------------------------------------------- redact

class RedactDialog(QDialog):
    """A word or name to redact everywhere in the chosen documents, and a reason code."""

    def __init__(self, documents: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Redact every occurrence"))
        self.setAccessibleName(self.tr("Redact every occurrence"))
        self.word = QLineEdit()
        self.word.setAccessibleName(self.tr("Word or name to redact"))
        self.reason_box = QComboBox()
        self.reason_box.setEditable(True)
        self.reason_box.setAccessibleName(self.tr("Reason code"))
        self.reason_box.addItem("")
        for code, meaning in REASON_CODES.items():
            self.reason_box.addItem(code)
            self.reason_box.setItemData(self.reason_box.count() - 1, meaning,
                                        Qt.ItemDataRole.ToolTipRole)
        line = self.reason_box.lineEdit()
        assert line is not None
        self.reason = line
        self.reason.setPlaceholderText(self.tr("optional, printed in each box (for example S1)"))
        self.meaning = QLabel()
        self.meaning.setTextFormat(Qt.TextFormat.PlainText)
        self.meaning.setWordWrap(True)
        self.reason.textChanged.connect(self._reason_changed)
        form = QFormLayout()
        form.addRow(self.tr("&Word or name:"), self.word)
        form.addRow(self.tr("&Reason code:"), self.reason_box)
        form.addRow("", self.meaning)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("Find and mark"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Find and mark"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(counted(documents, self.tr("In {n} document"),
                                        self.tr("In {n} documents")) + self.tr(
            " (the selected ones, or the whole list); the marks can be reviewed in the viewer "
            "before the copies are made.")))
        layout.addLayout(form)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def _reason_changed(self, text: str) -> None:
        """The code's meaning, or why free text printed on a box is risky (in warning colour)."""
        caution = reason_warning(text)
        meaning = REASON_CODES.get(text.strip().upper(), "")
        self.meaning.setText(caution or meaning)
        self.meaning.setStyleSheet(css(WARNING) if caution else "")

    def reason_code(self) -> str:
        return normalised(self.reason.text())


# ----------------------------------------------------------------------------------- verify

# The three results, told apart by words and a symbol as well as by colour.
RESULT_COLOURS = {"verified": GOOD, "signer not confirmed": WARNING, "not verified": BAD}


class VerifyDialog(QDialog):
    """A package's verification: one of the three results in plain words (problems first),
    who signed, then every check; from there, confirm the signer or receive it."""

    receive_requested = Signal(str)
    compare_requested = Signal(str)  # this package: compare it with an earlier one
    confirm_requested = Signal(object)  # the SignerVerdict to confirm

    def __init__(self, package: Path, result: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.package = package
        self.verification = result
        self.setWindowTitle(self.tr("Verify {name}").format(name=package.name))
        self.setAccessibleName(self.tr("Verification report"))
        outcome = result.outcome
        who = result.signer_name or self.tr("an unnamed signer")
        if outcome == "verified":
            text = self.tr("✔ VERIFIED: intact, and signed by {who}, a confirmed signer").format(
                who=who)
        elif outcome == "not verified":
            text = self.tr("✖ NOT VERIFIED: {reason}").format(reason=result.reason)
        elif result.signer is not None and result.signer.impostor_of:
            text = self.tr("⚠ NOT CONFIRMED: signed with a different key from the one you "
                           "confirmed for {who}").format(who=who)
        else:
            text = self.tr("? INTACT, BUT WHO SIGNED IS NOT CONFIRMED")
        self.headline = QLabel(text)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setAccessibleName(self.tr("Verification result"))
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 6)
        self.headline.setFont(font)
        self.headline.setStyleSheet(css(RESULT_COLOURS[outcome]))
        sentence = result.signer.sentence() if result.signer is not None else self.tr(
            "The package was changed or is damaged: do not rely on it, whoever signed it.")
        self.signer_text = QLabel(sentence)
        self.signer_text.setTextFormat(Qt.TextFormat.PlainText)
        self.signer_text.setAccessibleName(self.tr("Who signed"))
        self.signer_text.setWordWrap(True)
        self.signer_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        signer = plain_label(self.tr("Signer's fingerprint (SHA-256 of the certificate), as "
                                     "the checks by hand print it: {fp}").format(
            fp=result.signer_fingerprint or self.tr("(unknown)")))
        signer.setTextFormat(Qt.TextFormat.PlainText)
        signer.setAccessibleName(self.tr("Signer fingerprint"))
        signer.setWordWrap(True)
        self.checks = TableModel([self.tr("Result"), self.tr("Check"), self.tr("Detail")])
        ordered = sorted(result.checks, key=lambda c: c.ok)  # problems before successes
        self.checks.set_rows([[self.tr("ok") if c.ok else self.tr("FAIL"), c.name, c.detail]
                              for c in ordered],
                             [colour(GOOD) if c.ok else colour(BAD)
                              for c in ordered])
        view = QTableView()
        view.setModel(self.checks)
        view.setAccessibleName(self.tr("Checks"))
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        view.verticalHeader().hide()
        view.setMinimumHeight(160)
        # The plain sentence, then the problems themselves; every check behind "details".
        failed = [c for c in ordered if not c.ok]
        self.summary = plain_label(
            self.tr("All {n} checks passed.").format(n=len(ordered)) if not failed else
            self.tr("{bad} of {n} checks failed:").format(bad=len(failed), n=len(ordered)) +
            "".join(f"\n  ✖ {c.name}: {c.detail}" for c in failed))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Summary of the checks"))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if failed:
            self.summary.setStyleSheet(css(BAD))
        times = self._trusted_times(result)  # RFC 3161 tokens in the package (if any)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.confirm = buttons.addButton(self.tr("C&onfirm this signer…"),
                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.confirm.setAccessibleName(self.tr("Confirm this signer"))
        self.confirm.setVisible(outcome == "signer not confirmed")
        self.confirm.clicked.connect(lambda: self.confirm_requested.emit(result.signer))
        self.receive = buttons.addButton(self.tr("&Receive into this vault"),
                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.receive.setAccessibleName(self.tr("Receive into this vault"))
        self.receive.setEnabled(outcome == "verified")  # a confirmed signer first
        self.receive.clicked.connect(lambda: self.receive_requested.emit(str(package)))
        self.compare = buttons.addButton(self.tr("&Compare with an earlier package…"),
                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.compare.setAccessibleName(self.tr("Compare with an earlier package"))
        self.compare.clicked.connect(lambda: self.compare_requested.emit(str(package)))
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.summary)
        layout.addWidget(self.signer_text)
        layout.addWidget(signer)
        shown_first = [w for w in times if w is self.warnings or w is self.times_summary]
        for w in shown_first:
            layout.addWidget(w)
        self.details = Details(
            self.tr("Show the details ({n} checks)").format(n=len(ordered)),
            [view, *[w for w in times if w not in shown_first]])
        layout.addWidget(self.details, 1)
        layout.addStretch(0)
        layout.addWidget(buttons)
        fit_to_content(self, text_width(self, 110, 760))

    def _trusted_times(self, result: Any) -> list[QWidget]:
        """The trusted times (what, TSA, time, trusted or not) and the warnings."""
        stamps, warnings = list(result.timestamps), list(result.warnings)
        self.times = TableModel([self.tr("What"), self.tr("TSA"), self.tr("Trusted time"),
                                 self.tr("Trusted")])
        self.times.set_rows(
            [[self._what(t), str(t.tsa), str(t.gen_time),
              (self.tr("yes") if t.trusted else self.tr("NOT TRUSTED")) +
              (f" ({t.warning})" if t.warning else "")] for t in stamps],
            [colour(GOOD) if t.trusted and not t.warning else
             colour(WARNING) for t in stamps])
        self.warnings = plain_label("\n".join(self.tr("WARNING: {w}").format(
            w=w.removeprefix("WARNING: ")) for w in warnings))
        self.warnings.setAccessibleName(self.tr("Warnings"))
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(css(WARNING))
        out: list[QWidget] = []
        trusted = sum(bool(t.trusted and not t.warning) for t in stamps)
        self.times_summary = plain_label(
            self.tr("No trusted timestamps: the times shown are the exporting computer's.")
            if not stamps else
            self.tr("{ok} of {n} trusted timestamps confirm when it was signed.").format(
                ok=trusted, n=len(stamps)))
        self.times_summary.setWordWrap(True)
        self.times_summary.setAccessibleName(self.tr("Trusted times"))
        out.append(self.times_summary)
        if stamps:
            label = QLabel(self.tr("Trusted times (RFC 3161):"))
            view = QTableView()
            view.setModel(self.times)
            view.setAccessibleName(self.tr("Trusted times"))
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.horizontalHeader().setStretchLastSection(True)
            view.verticalHeader().hide()
            view.setMaximumHeight(140)
            out += [label, view]
        if warnings:
            out.append(self.warnings)
        return out

    def _what(self, t: Any) -> str:
        if t.what == "signature":
            return self.tr("package signature")
        return self.tr("custody head at event {seq}").format(seq=t.seq)
