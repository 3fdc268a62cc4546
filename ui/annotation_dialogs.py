"""The small dialogs of the viewer's annotation tools: a form of text fields (a note's text, a
label, a redaction mark's reason, the words to redact everywhere) and the form changing an
annotation's text, reason and colour. Built here, opened (not modal to the app) by
:class:`ui.annotation_tools.AnnotationTools`, which keeps the one open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ui.colours import WARNING, css
from vault.documents.annotations import Annotation
from vault.documents.redaction_reasons import REASON_CODES, normalised, reason_warning

# What the edit form gives back: the new text, reason (None where the kind has none), colour.
Edited = tuple[str | None, str | None, str]


def form_dialog(parent: QWidget, title: str) -> tuple[QDialog, QFormLayout]:
    """A new dialog titled ``title`` with a form to fill."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    return dialog, QFormLayout(dialog)


def add_ok_cancel(dialog: QDialog, form: QFormLayout) -> None:
    """OK and Cancel under the form, accepting or rejecting the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                               QDialogButtonBox.StandardButton.Cancel)
    buttons.setAccessibleName(dialog.tr("{title} buttons").format(title=dialog.windowTitle()))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)


def text_fields(form: QFormLayout, labels: list[str]) -> list[QLineEdit]:
    """A line of text a label, added to the form (a reason with its caution, see
    :func:`with_reason_caution`)."""
    edits = []
    for label in labels:
        edit = QLineEdit()
        edit.setAccessibleName(label.rstrip(":"))
        form.addRow(label, edit)
        if label.startswith(form.tr("Reason")):
            with_reason_caution(form, edit)
        edits.append(edit)
    return edits


def with_reason_caution(form: QFormLayout, edit: QLineEdit) -> QLabel:
    """Under a redaction reason: the code's meaning, or why words printed on a box are risky
    (vault.documents.redaction_reasons); codes are offered as the reason is typed."""
    edit.setPlaceholderText(form.tr("a code: {codes}").format(codes=", ".join(REASON_CODES)))
    edit.setCompleter(QCompleter(list(REASON_CODES), edit))
    caution = QLabel()
    caution.setTextFormat(Qt.TextFormat.PlainText)
    caution.setWordWrap(True)
    caution.setObjectName("reason-caution")

    def said(text: str) -> None:
        warning = reason_warning(text)
        caution.setText(warning or REASON_CODES.get(text.strip().upper(), ""))
        caution.setStyleSheet(css(WARNING) if warning else "")

    edit.textChanged.connect(said)
    said(edit.text())
    form.addRow("", caution)
    return caution


def edit_fields(dialog: QDialog, form: QFormLayout, a: Annotation,
                colours: dict[str, str]) -> Callable[[], Edited]:
    """The fields changing ``a``: its text (a note or a label), reason (a redaction mark) and
    colour (one of ``colours``, name to value, or another picked); returns what reads them."""
    text_edit = reason_edit = None
    if a.kind in ("note", "label"):
        text_edit = QLineEdit(a.text)
        text_edit.setAccessibleName(dialog.tr("Text"))
        form.addRow(dialog.tr("Text:"), text_edit)
    if a.kind == "redaction":
        reason_edit = QLineEdit(a.reason)
        reason_edit.setAccessibleName(dialog.tr("Reason"))
        form.addRow(dialog.tr("Reason:"), reason_edit)
        with_reason_caution(form, reason_edit)
    colour_box = QComboBox()
    colour_box.setAccessibleName(dialog.tr("Colour"))
    for name, value in colours.items():
        colour_box.addItem(name, value)
    if colour_box.findData(a.colour) < 0:
        colour_box.addItem(a.colour, a.colour)
    colour_box.setCurrentIndex(colour_box.findData(a.colour))
    other = QPushButton(dialog.tr("Other colour…"))
    other.setAccessibleName(dialog.tr("Other colour"))

    def pick() -> None:
        chosen = QColorDialog.getColor(QColor(str(colour_box.currentData())), dialog,
                                       dialog.tr("Annotation colour"))
        if chosen.isValid():
            name = chosen.name()
            if colour_box.findData(name) < 0:
                colour_box.addItem(name, name)
            colour_box.setCurrentIndex(colour_box.findData(name))

    other.clicked.connect(pick)
    row = QHBoxLayout()
    row.addWidget(colour_box, 1)
    row.addWidget(other)
    form.addRow(dialog.tr("Colour:"), row)
    return lambda: (None if text_edit is None else text_edit.text(),
                    None if reason_edit is None else normalised(reason_edit.text()),
                    str(colour_box.currentData()))
