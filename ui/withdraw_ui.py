"""Withdrawing a copy that turned out to leak: why, and which copy replaces it. The copy is
kept as evidence, shown as withdrawn, and left out of a case's exports
(vault/evidence/withdraw.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class WithdrawDialog(QDialog):
    def __init__(self, ref: str, name: str, original: str, others: list[str],
                 parent: QWidget | None = None) -> None:
        """``others``: the other standing copies of ``original`` (one may replace it)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Withdraw {ref}").format(ref=ref))
        self.setAccessibleName(self.tr("Withdraw a copy"))
        intro = QLabel(self.tr(
            "{ref} ({name}), a copy of {original}, will be marked withdrawn. It is kept as "
            "evidence of what was made, with this in its chain of custody, and left out of the "
            "case's exports from now on.").format(ref=ref, name=name, original=original))
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Why"))
        self.reason.setPlaceholderText(self.tr("for example: the surname on page 2 was left "
                                               "visible"))
        self.replacement = QComboBox()
        self.replacement.setAccessibleName(self.tr("Replaced by"))
        self.replacement.addItem(self.tr("(no copy replaces it)"), None)
        for other in others:
            self.replacement.addItem(other, other)
        if others:
            self.replacement.setCurrentIndex(len(others))  # the newest copy
        form = QFormLayout()
        form.addRow(self.tr("&Why:"), self.reason)
        form.addRow(self.tr("&Replaced by:"), self.replacement)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("&Withdraw"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Withdraw"))
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def superseded_by(self) -> str | None:
        data = self.replacement.currentData()
        return str(data) if data else None
