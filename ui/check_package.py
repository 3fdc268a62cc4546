"""Checking a package received, with no vault: from the first window (a button, or a package
dropped on it). An encrypted package asks for its passphrase (or the age identity file) and
is decrypted in memory only. The result is the verification screen of the main window; the
signer can be confirmed from there, and a verified package kept: "Keep it in a vault…" asks
which vault (or creates one), then which case; an encrypted package stays decrypted in
memory only until then."""

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
from vault.signing.signers import KnownSigners

PACKAGES = "Evidence packages (*.zip *.age)"


def ask_secret(parent: QWidget | None, package: Path) -> tuple[str | None, Path | None] | None:
    """The passphrase (or the age identity file) that opens an encrypted package, asked of
    the user; None when they cancel."""
    from vault.packages.age import needs_passphrase

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
    # (package, the decrypted bytes or None, the package's case): keep it in a vault; the
    # receiver closes the bytes when done.
    keep_requested = Signal(object)

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
            from vault.packages.age import open_for_checking
            from vault.packages.verify import verify_package

            source = open_for_checking(package, identity_file=identity,
                                       passphrase=lambda: passphrase or "")
            try:
                return verify_package(package, known=known, source=source), source
            except BaseException:
                if source is not None:
                    source.close()
                raise

        job = Job(work)
        self.job = job
        job.finished.connect(lambda outcome: self._show(package, *outcome))
        job.failed.connect(lambda message, _bug: self._error(message))
        start(job)

    def _show(self, package: Path, result: Any, source: Any) -> None:
        self.job = None
        dialog = VerifyDialog(package, result, self.parent_widget)
        # What it shows came from the package: gone with the window, not merely hidden.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.receive.setText(self.tr("&Keep it in a vault…"))
        dialog.receive.setAccessibleName(self.tr("Keep it in a vault"))
        dialog.receive.setVisible(result.outcome == "verified")
        kept = []

        def keep() -> None:
            kept.append(True)  # the receiver closes the decrypted bytes now
            dialog.close()
            self.keep_requested.emit((package, source, result.case or None))

        def closed() -> None:
            if source is not None and not kept:
                source.close()

        dialog.receive_requested.connect(lambda _path: keep())
        dialog.finished.connect(lambda _code: closed())
        note = QLabel({
            "verified": self.tr("Keep it in a vault to hold it as evidence: the sender's chain "
                                "of custody continues there."),
            "signer not confirmed": self.tr(
                "To keep it as evidence, confirm who signed it first, then keep it in a vault: "
                "one you have, or a new one."),
        }.get(result.outcome, self.tr("Do not rely on it. Ask the sender for a new copy.")))
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
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.dialog = box
        box.open()
