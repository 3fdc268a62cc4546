"""Checking a package received, with no vault: from the first window (a button, or a package
dropped on it). An encrypted package asks for its passphrase (or the age identity file) and
is decrypted in memory only. The result is the verification screen of the main window; the
signer can be confirmed from there. Receiving needs a vault: the screen says how."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui.operations import VerifyDialog
from ui.worker import Job, start
from vault.errors import VaultError
from vault.signers import KnownSigners

PACKAGES = "Evidence packages (*.zip *.age)"


def ask_secret(parent: QWidget | None, package: Path) -> tuple[str | None, Path | None] | None:
    """The passphrase (or the age identity file) that opens an encrypted package, asked of
    the user; None when they cancel."""
    from vault.package_age import needs_passphrase

    if needs_passphrase(package):
        passphrase, ok = QInputDialog.getText(
            parent, "Encrypted package",
            f"{package.name} is encrypted. Its passphrase (sent to you by another route than "
            "the package):", QLineEdit.EchoMode.Password)
        return (passphrase, None) if ok and passphrase else None
    chosen, _ = QFileDialog.getOpenFileName(parent, "Your age key file (AGE-SECRET-KEY-...)")
    return (None, Path(chosen)) if chosen else None


class PackageCheck(QObject):
    """One check; ``shown`` carries its VerifyDialog (tests and the caller keep it)."""

    shown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.job: Job | None = None
        self.dialog: Any = None

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, self.tr(
            "Check a package you received"), "", self.tr(PACKAGES))
        if path:
            self.check(Path(path))

    def check(self, package: Path, *, passphrase: str | None = None,
              identity: Path | None = None) -> None:
        if package.suffix == ".age" and passphrase is None and identity is None:
            try:
                secret = ask_secret(self.parent_widget, package)
            except VaultError as e:
                self._error(str(e))
                return
            if secret is None:
                return
            passphrase, identity = secret
        try:
            known = [(self.tr("your list of known signers"), KnownSigners.user())]
        except VaultError as e:
            self._error(str(e))
            return

        def work(cancel: Any) -> Any:
            from vault.package_age import open_for_checking
            from vault.package_verify import verify_package

            source = open_for_checking(package, identity_file=identity,
                                       passphrase=lambda: passphrase or "")
            try:
                return verify_package(package, known=known, source=source)
            finally:
                if source is not None:
                    source.close()

        job = Job(work)
        self.job = job
        job.finished.connect(lambda result: self._show(package, result))
        job.failed.connect(lambda message, _bug: self._error(message))
        start(job)

    def _show(self, package: Path, result: Any) -> None:
        self.job = None
        dialog = VerifyDialog(package, result, self.parent_widget)
        # What it shows came from the package: gone with the window, not merely hidden.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.receive.hide()
        note = QLabel(self.tr("To keep it as evidence, open or create a vault, then drop the "
                              "package on its window: the chain of custody continues there."))
        note.setWordWrap(True)
        note.setAccessibleName(self.tr("How to receive it"))
        layout = dialog.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, note)
        dialog.confirm_requested.connect(lambda verdict: self._confirm(verdict, package, dialog))
        self.dialog = dialog
        dialog.open()
        self.shown.emit(dialog)

    def _confirm(self, verdict: Any, package: Path, report: Any) -> None:
        from ui.signers_ui import ConfirmSignerDialog

        confirm = ConfirmSignerDialog(verdict, self.parent_widget)
        confirm.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        confirm.in_vault.hide()  # no vault here: the user's own list
        self.dialog = confirm

        def accepted() -> None:
            try:
                KnownSigners.user().add(confirm.signer())
            except VaultError as e:
                self._error(str(e))
                return
            report.close()
            self.check(package)  # encrypted: asked again, nothing decrypted was kept

        confirm.accepted.connect(accepted)
        confirm.open()

    def _error(self, message: str) -> None:
        self.job = None
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Evidence Vault"), message,
                          QMessageBox.StandardButton.Ok, self.parent_widget)
        self.dialog = box
        box.open()
