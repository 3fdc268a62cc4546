"""Receiving a checked package: which case (matter) of this vault its exhibits are filed
under, a new one if typed. Asked every time, so that nothing lands in whichever case
happened to be in view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui.screen_fit import fit_to_content, text_width


class ReceiveCaseDialog(QDialog):
    """The case to receive ``package_name`` into: an existing one, or a new one typed here
    (created, and recorded in the custody log, by the receipt)."""

    def __init__(self, package_name: str, cases: list[str], suggested: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Receive {name}").format(name=package_name))
        self.setAccessibleName(self.tr("Receive a package"))
        intro = QLabel(self.tr("Its exhibits are kept in this vault with the sender's chain of "
                               "custody. File them under which case or matter? Choose one, or "
                               "type a new name to create it."))
        intro.setWordWrap(True)
        self.case = QComboBox()
        self.case.setEditable(True)
        self.case.setAccessibleName(self.tr("Case"))
        self.case.addItems(cases)
        self.case.setCurrentText(suggested or "")
        self.new_note = QLabel()
        self.new_note.setTextFormat(Qt.TextFormat.PlainText)  # a name from the package
        self.new_note.setWordWrap(True)
        self.cases = cases
        self.case.currentTextChanged.connect(self._changed)
        form = QFormLayout()
        form.addRow(self.tr("&Case:"), self.case)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("&Receive"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Receive"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.new_note)
        layout.addWidget(buttons)
        self.ok.setDefault(True)
        line = self.case.lineEdit()
        if line is not None:  # Enter in the case's box receives, as a default button would
            line.returnPressed.connect(self.ok.click)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._changed(self.case.currentText())
        fit_to_content(self, text_width(self, 72, 480))

    def chosen(self) -> str | None:
        return self.case.currentText().strip() or None

    def _changed(self, text: str) -> None:
        name = text.strip()
        if not name:
            self.new_note.setText(self.tr("No case: the exhibits are kept outside any case."))
        elif name in self.cases:
            self.new_note.setText("")
        else:
            self.new_note.setText(self.tr("A new case, “{name}”, is created.").format(name=name))
