"""Getting into a vault: start (create or open, recent vaults), create, recovery key, unlock,
forgotten passphrase. Slow key derivation runs on the worker pool; dialogs never block."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.icons import APP_ICON
from ui.screen_fit import fit_to_content, text_width
from ui.worker import Job, start
from vault.errors import VaultError, WrongSecret
from vault.store.identity import Identity

if TYPE_CHECKING:  # the vault's code is imported when first used, after the first window
    # is on screen (start-up, issue 16)
    from vault.store.keyslots import KdfParams
    from vault.store.vault import Vault


class StartDialog(QDialog):
    """Create a vault or open one; recent vaults (paths only) come from QSettings."""

    create_requested = Signal()
    open_requested = Signal(str)
    check_requested = Signal(str)  # a package to check ("" to choose one)
    self_test_requested = Signal()  # check this installation

    def __init__(self, recent: list[str], parent: QWidget | None = None, *,
                 keeping: str | None = None) -> None:
        """``keeping``: the name of a checked package to keep; the vault chosen or created
        here receives it."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Evidence Vault") if keeping is None else
                            self.tr("Keep {name} in a vault").format(name=keeping))
        self.setAccessibleName(self.tr("Start"))
        self.setAcceptDrops(keeping is None)  # a package dropped here is checked
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        # The program's mark and name, then what a vault is, in plain words.
        header = QHBoxLayout()
        mark = QLabel()
        mark.setPixmap(QIcon(str(APP_ICON)).pixmap(QSize(56, 56)))
        mark.setAccessibleName(self.tr("Evidence Vault"))
        header.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        title = QLabel(self.tr("Evidence Vault"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        titles.addWidget(title)
        tagline = QLabel(self.tr("Keep a case's evidence safe, and show it has not changed."))
        tagline.setWordWrap(True)
        titles.addWidget(tagline)
        header.addLayout(titles, 1)
        layout.addLayout(header)
        intro = QLabel(self.tr(
            "A vault is one encrypted folder on this computer. It keeps each file exactly as "
            "you received it, with its fingerprint, and a signed record of everything done "
            "with it since. Only your passphrase opens it.")
                       if keeping is None else
                       self.tr("Which vault should keep {name}? Open yours, or create a new "
                               "one: the package is received there next, and you choose its "
                               "case.").format(name=keeping))
        intro.setTextFormat(Qt.TextFormat.PlainText)  # a file name
        intro.setWordWrap(True)
        self.intro = intro
        layout.addWidget(intro)
        self.create_button = QPushButton(self.tr("&Create a new vault…"))
        self.create_button.setAccessibleName(self.tr("Create a new vault"))
        self.create_button.setToolTip(self.tr("Start here if this is your first case"))
        self.open_button = QPushButton(self.tr("&Open a vault…"))
        self.open_button.setAccessibleName(self.tr("Open a vault"))
        self.open_button.setToolTip(self.tr("A vault you or a colleague made (a folder "
                                            "ending in .evault)"))
        self.recent_model = QStringListModel([p for p in recent if Path(p).exists()])
        self.recent = QListView()
        self.recent.setModel(self.recent_model)
        self.recent.setAccessibleName(self.tr("Recent vaults"))
        self.recent.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.recent.setToolTip(self.tr("Double-click, or press Enter, to open"))
        self.check_button = QPushButton(self.tr("C&heck a package I received…"))
        self.check_button.setAccessibleName(self.tr("Check a package I received"))
        self.check_button.clicked.connect(lambda: self.check_requested.emit(""))
        choices = QHBoxLayout()
        for button in (self.create_button, self.open_button):
            button.setMinimumHeight(button.sizeHint().height() * 3 // 2)
            choices.addWidget(button)
        layout.addLayout(choices)
        if self.recent_model.rowCount():
            recent_label = QLabel(self.tr("&Recent vaults (double-click to open):"))
            recent_label.setBuddy(self.recent)
            layout.addWidget(recent_label)
            layout.addWidget(self.recent, 1)
            # the common case, one key: the last vault used is chosen, Enter opens it
            self.recent.setCurrentIndex(self.recent_model.index(0))
            self.recent.setFocus()
        else:
            self.create_button.setDefault(True)  # a first start: Enter creates
            self.create_button.setFocus()
            layout.addStretch(1)
        if keeping is None:
            line = QFrame()
            line.setFrameShape(QFrame.Shape.HLine)
            line.setFrameShadow(QFrame.Shadow.Sunken)
            layout.addWidget(line)
            received = QHBoxLayout()
            hint = QLabel(self.tr("Received a package? Checking it needs no vault; you can "
                                  "also drop it on this window."))
            hint.setWordWrap(True)
            received.addWidget(hint, 1)
            received.addWidget(self.check_button)
            layout.addLayout(received)
        self.self_test_button = QPushButton(self.tr("Check &this installation…"))
        self.self_test_button.setAccessibleName(self.tr("Check this installation"))
        self.self_test_button.setToolTip(self.tr(
            "Tries every part of the program on made-up files in a throwaway vault (about "
            "ten seconds); your vaults are not touched"))
        self.self_test_button.setFlat(True)
        self.self_test_button.clicked.connect(self.self_test_requested)
        if keeping is None:
            bottom = QHBoxLayout()
            bottom.addStretch(1)
            bottom.addWidget(self.self_test_button)
            layout.addLayout(bottom)
        fit_to_content(self, text_width(self, 84, 600),
                       text_width(self, 70) if self.recent_model.rowCount() else 0)
        self.create_button.clicked.connect(self.create_requested)
        self.open_button.clicked.connect(self._browse)
        self.recent.activated.connect(
            lambda index: self.open_requested.emit(self.recent_model.data(index)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.toLocalFile().endswith((".zip", ".age")) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith((".zip", ".age")):
                self.check_requested.emit(url.toLocalFile())
                event.acceptProposedAction()
                return

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a vault (NAME.evault)"))
        if folder:
            self.open_requested.emit(folder)


class StrengthMeter(QWidget):
    """A live passphrase strength bar and the reason it is not yet strong enough."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self.acceptable = False

    def update_for(self, passphrase: str, user_inputs: list[str]) -> None:
        from vault.store.passphrase import strength

        s = strength(passphrase, user_inputs)
        self.bar.setValue(s.score)
        self.acceptable = s.acceptable
        self.label.setText(self.tr("Strong enough.") if s.acceptable else s.reason)
        # The bar's colour follows the strength (the words say it too).
        from ui.colours import BAD, GOOD, WARNING, colour

        tint = colour(GOOD if s.acceptable else WARNING if s.score >= 2 else BAD).name()
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {tint}; }}")


def default_folder() -> Path:
    """Where a new vault goes unless the user chooses: Documents, else the home folder."""
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


class CreateVaultDialog(QDialog):
    """Where, who, and a strong passphrase; then the vault is created off the GUI thread."""

    created = Signal(object, str)  # Vault, recovery key

    def __init__(self, kdf: KdfParams | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kdf = kdf
        self.job: Job | None = None
        self.setWindowTitle(self.tr("Create a vault"))
        self.setAccessibleName(self.tr("Create a vault"))
        form = QFormLayout()
        self.folder = _line(self.tr("Folder to keep the vault in"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.setAccessibleName(self.tr("Browse for a folder"))
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.folder)
        where.addWidget(browse)
        self.vault_name = _line(self.tr("Vault name"), self.tr("for example Northbridge"))
        self.name = _line(self.tr("Your full name"))
        self.initials = _line(self.tr("Your initials"), self.tr("for exhibit references: MO/1"))
        self.role = _line(self.tr("Your role"))
        self.organisation = _line(self.tr("Your organisation"))
        self.passphrase = _line(self.tr("Passphrase"), password=True)
        self.confirm = _line(self.tr("Passphrase again"), password=True)
        self.meter = StrengthMeter()
        folder_label = QLabel(self.tr("Save in &folder:"))
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, where)
        self.where = QLabel()  # where exactly it will be saved, as the fields are filled in
        self.where.setWordWrap(True)
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.where.setAccessibleName(self.tr("Where the vault will be saved"))
        form.addRow("", self.where)
        form.addRow(self.tr("Vault &name:"), self.vault_name)
        form.addRow(self.tr("Your full n&ame:"), self.name)
        form.addRow(self.tr("&Initials:"), self.initials)
        form.addRow(self.tr("&Role:"), self.role)
        form.addRow(self.tr("Or&ganisation:"), self.organisation)
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        form.addRow(self.tr("Passphrase a&gain:"), self.confirm)
        self.show_passphrase = show_toggle(self.passphrase)
        # a bound method, not a lambda holding the dialog: the dialog must be freed when
        # it goes (it holds the investigator's name)
        self.show_passphrase.toggled.connect(self._show_confirm)
        form.addRow("", self.show_passphrase)
        form.addRow("", self.meter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel(self.tr(
            "A vault is saved as one folder, named after it, in the folder you choose. Your "
            "name, initials and organisation go on every exhibit reference and signature."))
        intro.setWordWrap(True)
        recovery = QLabel(self.tr(
            "Choose a passphrase of several words that only you know. Next you are shown a "
            "recovery key: write it on paper and keep it away from this computer. If the "
            "passphrase is ever forgotten, the recovery key is the only way back to the "
            "evidence; nobody else can open the vault."))
        recovery.setWordWrap(True)
        form.addRow("", recovery)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(self.tr("Create"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setAccessibleName(self.tr("Create the vault"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.create_button.setDefault(True)
        self.folder.setText(str(default_folder()))  # the common case: no browsing
        self.vault_name.setFocus()  # the folder is filled in: the name comes first
        for field in (self.passphrase, self.confirm, self.name, self.initials,
                      self.organisation, self.folder, self.vault_name):
            field.textChanged.connect(self._changed)
        fit_to_content(self, text_width(self, 96, 680))
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)
        self._changed()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Keep the vault in"))
        if folder:
            self.folder.setText(folder)

    def _show_confirm(self, on: bool) -> None:
        self.confirm.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)

    def _inputs(self) -> list[str]:
        return [self.name.text(), self.initials.text(), self.organisation.text()]

    def _changed(self) -> None:
        self.meter.update_for(self.passphrase.text(), self._inputs())
        if self.folder.text().strip() and self.vault_name.text().strip():
            self.where.setText(self.tr("It will be saved as {path}").format(path=self.target()))
        else:
            self.where.setText(self.tr("Give the vault a name, for example the case's place."))
        ready = (self.meter.acceptable and self.passphrase.text() == self.confirm.text()
                 and bool(self.name.text().strip()) and bool(self.initials.text().strip())
                 and bool(self.folder.text().strip()) and bool(self.vault_name.text().strip()))
        self.create_button.setEnabled(ready and self.job is None)
        if self.confirm.text() and self.passphrase.text() != self.confirm.text():
            self.error.setText(self.tr("The two passphrases differ."))
        else:
            self.error.setText("")

    def target(self) -> Path:
        from vault.store.vault import vault_path

        return vault_path(Path(self.folder.text().strip()) / self.vault_name.text().strip())

    def _create(self) -> None:
        if not self.create_button.isEnabled():
            return
        identity = Identity(self.name.text().strip(), self.initials.text().strip().upper(),
                            self.role.text().strip(), self.organisation.text().strip())
        from vault.store.vault import Vault

        target, passphrase, kdf = self.target(), self.passphrase.text(), self.kdf
        self.create_button.setEnabled(False)
        self.error.setText(self.tr("Creating the vault…"))
        self.job = start(Job(lambda cancel: Vault.create(target, passphrase, identity,
                                                         kdf=kdf)))
        self.job.finished.connect(self._done)
        self.job.failed.connect(self._failed)

    def _done(self, result: tuple[Vault, str]) -> None:
        self.job = None
        self.passphrase.clear()
        self.confirm.clear()
        self.accept()
        self.created.emit(*result)

    def _failed(self, message: str, _bug: bool) -> None:
        self.job = None
        self.error.setText(message)
        self._changed()


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown once; the dialog closes only when it has been typed back."""

    def __init__(self, key: str, vault_path: Path | None = None,
                 parent: QWidget | None = None, *, replacing: bool = False) -> None:
        """``replacing``: a new key for a vault whose keys are being replaced; until it is
        typed back, Cancel changes nothing."""
        super().__init__(parent)
        self._key = key
        self._replacing = replacing
        self._vault_path = vault_path
        self.setWindowTitle(self.tr("Your recovery key"))
        self.setAccessibleName(self.tr("Recovery key"))
        shown = QLabel(key)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setAccessibleName(self.tr("Recovery key"))
        font = shown.font()
        font.setFamily("monospace")
        font.setPointSize(font.pointSize() + 4)
        shown.setFont(font)
        self.typed = _line(self.tr("Type the recovery key back"))
        self.ok = QPushButton(self.tr("I have written it down"))
        self.ok.setAccessibleName(self.tr("I have written it down"))
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        advice = QLabel(self.tr(
            "Write this key on paper and keep it away from the laptop. If the passphrase is "
            "forgotten, it is the only way back to the evidence. It is shown only now."))
        advice.setWordWrap(True)
        layout.addWidget(advice)
        layout.addWidget(shown)
        keep = QHBoxLayout()
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setAccessibleName(self.tr("Print the recovery key"))
        self.print_button.clicked.connect(self._print)
        self.save_button = QPushButton(self.tr("&Save to a file…"))
        self.save_button.setAccessibleName(self.tr("Save the recovery key to a file"))
        self.save_button.setToolTip(self.tr("To a USB stick you keep apart from the laptop, "
                                            "never to the laptop itself"))
        self.save_button.clicked.connect(self._save)
        keep.addWidget(self.print_button)
        keep.addWidget(self.save_button)
        keep.addStretch(1)
        layout.addLayout(keep)
        self.saved = QLabel()
        self.saved.setTextFormat(Qt.TextFormat.PlainText)
        self.saved.setWordWrap(True)
        layout.addWidget(self.saved)
        layout.addWidget(QLabel(self.tr("To check it was written down, type it here:")))
        layout.addWidget(self.typed)
        if replacing:
            advice.setText(self.tr(
                "This is the vault's new recovery key: once the keys are replaced, the old one "
                "opens nothing. Write it on paper and keep it away from the laptop. If the "
                "passphrase is forgotten, it is the only way back to the evidence. It is shown "
                "only now."))
            self.ok.setText(self.tr("I have written it down: replace the keys"))
            self.ok.setAccessibleName(self.ok.text())
            cancel = QPushButton(self.tr("Cancel (nothing is changed)"))
            cancel.setAccessibleName(self.tr("Cancel"))
            cancel.clicked.connect(super().reject)
            layout.addWidget(cancel)
        layout.addWidget(self.ok)
        self.ok.setDefault(True)
        self.typed.setFocus()
        fit_to_content(self, text_width(self, 80, 520))
        self.typed.textChanged.connect(self._check)
        self.ok.clicked.connect(self.accept)

    def sheet(self) -> str:
        """What Print and Save put on paper or in the file."""
        import datetime as dt

        where = str(self._vault_path) if self._vault_path else self.tr("(this vault)")
        return self.tr(
            "Evidence Vault recovery key\n\nVault: {where}\nWritten: {when}\n\n{key}\n\n"
            "With this key and the vault anyone can read the evidence: keep it locked away "
            "from the laptop. It is the only way back in if the passphrase is forgotten.\n"
        ).format(where=where, when=dt.date.today().isoformat(), key=self._key)

    def save_to(self, path: Path) -> None:
        """The sheet in ``path``, readable by its owner only."""
        from vault.store.atomic import atomic_write

        atomic_write(path, self.sheet().encode("utf-8"), mode=0o600)
        self.saved.setText(self.tr("Saved to {path}. Keep it apart from the laptop.").format(
            path=path))

    def print_to(self, printer: object) -> None:
        from PySide6.QtGui import QFont, QTextDocument

        doc = QTextDocument()
        doc.setDefaultFont(QFont("monospace", 12))
        doc.setPlainText(self.sheet())
        doc.print_(printer)  # type: ignore[arg-type]

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def _save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the recovery key"),
                                              "recovery-key.txt", self.tr("Text (*.txt)"))
        if name:
            try:
                self.save_to(Path(name))
            except VaultError as e:
                self.saved.setText(str(e))

    def _check(self, text: str) -> None:
        """Typed back as recovery will accept it: any case, spaces or dashes, O for 0 and I
        or L for 1."""
        from vault.store.keyslots import parse_recovery_key

        try:
            same = parse_recovery_key(text) == parse_recovery_key(self._key)
        except WrongSecret:
            same = False
        self.ok.setEnabled(same)

    def reject(self) -> None:  # Escape must not lose the only sight of the key
        if self.ok.isEnabled() or self._replacing:  # a replacement is not made until typed
            super().reject()


class UnlockDialog(QDialog):
    """The vault's name, a passphrase field, and the way to the recovery key."""

    unlocked = Signal(object)  # Vault

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.job: Job | None = None
        name = path.name.removesuffix(".evault")
        self.setWindowTitle(self.tr("Unlock {name}").format(name=name))
        self.setAccessibleName(self.tr("Unlock"))
        self.passphrase = _line(self.tr("Passphrase"), password=True)
        self.message = QLabel()
        self.message.setAccessibleName(self.tr("Problem"))
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.forgot = QPushButton(self.tr("&Forgot passphrase…"))
        self.forgot.setAccessibleName(self.tr("Forgot passphrase"))
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        mark = QLabel()
        side = self.fontMetrics().height() * 2
        mark.setPixmap(QIcon(str(APP_ICON)).pixmap(QSize(side, side)))
        mark.setAccessibleName(self.tr("Evidence Vault"))
        header.addWidget(mark)
        title = QLabel(self.tr("{name} is locked.").format(name=name))
        title.setTextFormat(Qt.TextFormat.PlainText)  # a folder's name, shown as text
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        header.addWidget(title, 1)
        layout.addLayout(header)
        where = QLabel(str(path))
        self.where = where
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setAccessibleName(self.tr("Vault file"))
        where.setWordWrap(True)
        layout.addWidget(where)
        label = QLabel(self.tr("&Passphrase:"))
        label.setBuddy(self.passphrase)
        layout.addWidget(label)
        row_pass = QHBoxLayout()
        row_pass.addWidget(self.passphrase, 1)
        self.show_passphrase = show_toggle(self.passphrase)
        row_pass.addWidget(self.show_passphrase)
        layout.addLayout(row_pass)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.forgot)
        row.addStretch()
        row.addWidget(self.unlock_button)
        layout.addLayout(row)
        self.unlock_button.clicked.connect(self._unlock)
        self.passphrase.returnPressed.connect(self._unlock)
        self.forgot.clicked.connect(self._forgot)
        fit_to_content(self, text_width(self, 64, 460))

    def _unlock(self) -> None:
        if self.job is not None:
            return
        from vault.store.vault import Vault

        passphrase, path = self.passphrase.text(), self.path
        self.message.setText(self.tr("Unlocking…"))
        self.unlock_button.setEnabled(False)
        self.job = start(Job(lambda cancel: Vault.open(path, passphrase=passphrase)))
        self.job.finished.connect(self._done)
        self.job.failed.connect(self._failed)

    def _done(self, v: Vault) -> None:
        self.job = None
        self.passphrase.clear()
        self.accept()
        self.unlocked.emit(v)

    def _failed(self, message: str, _bug: bool) -> None:
        self.job = None
        self.unlock_button.setEnabled(True)
        self.passphrase.selectAll()
        self.message.setText(message)

    def _forgot(self) -> None:
        dialog = RecoverDialog(self.path, self)
        dialog.unlocked.connect(self._recovered)
        self.recover_dialog = dialog
        dialog.open()

    def _recovered(self, v: Vault) -> None:
        self.accept()
        self.unlocked.emit(v)


class RecoverDialog(QDialog):
    """A forgotten passphrase: the recovery key and a new passphrase."""

    unlocked = Signal(object)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.job: Job | None = None
        self.setWindowTitle(self.tr("Reset the passphrase"))
        self.setAccessibleName(self.tr("Reset the passphrase"))
        self.key = _line(self.tr("Recovery key"))
        self.new = _line(self.tr("New passphrase"), password=True)
        self.confirm = _line(self.tr("New passphrase again"), password=True)
        self.meter = StrengthMeter()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Problem"))
        form = QFormLayout()
        form.addRow(self.tr("&Recovery key:"), self.key)
        form.addRow(self.tr("&New passphrase:"), self.new)
        form.addRow(self.tr("&Again:"), self.confirm)
        form.addRow("", self.meter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reset = buttons.addButton(self.tr("Reset and unlock"),
                                       QDialogButtonBox.ButtonRole.AcceptRole)
        self.reset.setAccessibleName(self.tr("Reset the passphrase and unlock"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.new.textChanged.connect(lambda t: self.meter.update_for(t, []))
        buttons.accepted.connect(self._reset)
        buttons.rejected.connect(self.reject)

    def _reset(self) -> None:
        if self.new.text() != self.confirm.text():
            self.message.setText(self.tr("The two passphrases differ."))
            return
        key, new, path = self.key.text(), self.new.text(), self.path

        from vault.store.vault import Vault

        def work(cancel: object) -> Vault:
            from vault.custody import log as custody

            v = Vault.open(path, recovery_key=key)
            try:
                v.change_passphrase(new, action=custody.RECOVERED, recovery_key=key)
            except BaseException:
                v.close()
                raise
            return v

        self.message.setText(self.tr("Checking the recovery key…"))
        self.job = start(Job(work))
        self.job.finished.connect(self._done)
        self.job.failed.connect(self._failed)

    def _failed(self, message: str, _bug: bool) -> None:
        self.job = None
        self.message.setText(message)

    def _done(self, v: Vault) -> None:
        self.job = None
        self.accept()
        self.unlocked.emit(v)


def show_toggle(field: QLineEdit) -> QCheckBox:
    """A "Show" box that shows the passphrase typed in ``field`` while ticked."""
    box = QCheckBox(QCoreApplication.translate("vault_dialogs", "Sho&w"))
    box.setAccessibleName(QCoreApplication.translate("vault_dialogs", "Show the passphrase"))
    box.toggled.connect(lambda on: field.setEchoMode(
        QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
    return box


def _line(name: str, placeholder: str = "", *, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
