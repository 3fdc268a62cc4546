"""Changing the passphrase, and replacing the keys when a secret may have been seen.

A plain change is quick and re-wraps the same key; the dialog says plainly what it does not
do, and offers the full replacement (vault/store/key_change.py): a new master key, a new recovery
key shown and typed back, the old passphrase and recovery key then opening nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.vault_dialogs import StrengthMeter, show_toggle


class ChangePassphraseDialog(QDialog):
    def __init__(self, user_inputs: list[str], *, seen: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_inputs = user_inputs
        self.setWindowTitle(self.tr("Change the passphrase"))
        self.setAccessibleName(self.tr("Change the passphrase"))
        self.explain = QLabel()
        self.explain.setTextFormat(Qt.TextFormat.PlainText)
        self.explain.setWordWrap(True)
        self.explain.setAccessibleName(self.tr("What this does"))
        self.new = QLineEdit()
        self.new.setEchoMode(QLineEdit.EchoMode.Password)
        self.new.setAccessibleName(self.tr("New passphrase"))
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(self.tr("New passphrase again"))
        self.meter = StrengthMeter()
        self.seen = QCheckBox(self.tr("I think my passphrase or recovery key was &seen by "
                                      "someone"))
        self.seen.setAccessibleName(self.tr("The passphrase or recovery key may have been seen"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("What happened"))
        self.reason.setPlaceholderText(self.tr("for example: typed it while someone watched "
                                               "(kept in the chain of custody)"))
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Problem"))
        form = QFormLayout()
        form.addRow(self.tr("&New passphrase:"), self.new)
        form.addRow("", show_toggle(self.new))
        form.addRow(self.tr("&Again:"), self.again)
        form.addRow("", self.meter)
        form.addRow("", self.seen)
        self.reason_label = QLabel(self.tr("&What happened:"))
        self.reason_label.setBuddy(self.reason)
        form.addRow(self.reason_label, self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("Change the passphrase"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.new.textChanged.connect(lambda t: self.meter.update_for(t, self.user_inputs))
        self.seen.toggled.connect(self._mode)
        self.seen.setChecked(seen)
        self._mode(seen)

    def _mode(self, seen: bool) -> None:
        self.reason.setVisible(seen)
        self.reason_label.setVisible(seen)
        if seen:
            self.setWindowTitle(self.tr("Replace the vault's keys"))
            self.ok.setText(self.tr("Next: a new recovery key"))
            self.explain.setText(self.tr(
                "The vault gets new keys: a new passphrase and a new recovery key, which you "
                "write down next. After that, the old passphrase and the old recovery key open "
                "nothing in this vault, even with an older copy of its files. Backups made "
                "before this keep the old keys: destroy them, or make a new backup after "
                "this. The evidence and its chain of custody are not changed."))
        else:
            self.setWindowTitle(self.tr("Change the passphrase"))
            self.ok.setText(self.tr("Change the passphrase"))
            self.explain.setText(self.tr(
                "The new passphrase opens the vault from now on. It does not lock out someone "
                "who already has the old passphrase and a copy of the vault made before (a "
                "backup, a synced copy), or who has the recovery key. If you think either was "
                "seen by someone, tick the box below: the vault then gets new keys."))
        self.ok.setAccessibleName(self.ok.text())
        self.adjustSize()

    def _accept(self) -> None:
        if not self.new.text():
            self.message.setText(self.tr("Type the new passphrase."))
            return
        if self.new.text() != self.again.text():
            self.message.setText(self.tr("The two passphrases differ."))
            return
        from vault.errors import VaultError
        from vault.store.passphrase import require_strong

        try:
            require_strong(self.new.text(), self.user_inputs)
        except VaultError as e:
            self.message.setText(str(e))
            return
        self.accept()
