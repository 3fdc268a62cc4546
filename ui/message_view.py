"""An e-mail as a person reads it: its headers, the text of its body, and its attachments,
each an exhibit of its own that opens from here. Text from the evidence is shown as text,
never as markup; it lives in this window only, which closes when the vault locks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.screen_fit import fit_size

HEADERS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("date", "Date"),
           ("subject", "Subject"), ("message_id", "Message-ID"))


class MessageDialog(QDialog):
    open_requested = Signal(str)  # the reference of an attachment to open

    def __init__(self, ref: str, headers: dict[str, str], body: str,
                 attachments: list[tuple[str, str]], parent: QWidget | None = None,
                 thread: dict[str, list[str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{ref}: {subject}").format(
            ref=ref, subject=headers.get("subject", self.tr("(no subject)"))))
        self.setAccessibleName(self.tr("E-mail"))
        form = QFormLayout()
        self.headers: dict[str, QLabel] = {}
        for key, name in HEADERS:
            if headers.get(key):
                label = QLabel(headers[key])
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setAccessibleName(self.tr(name))
                self.headers[key] = label
                form.addRow(self.tr(name) + ":", label)
        self.thread_links = QLabel("\n".join(
            f"{self.tr('In reply to') if what == 'in reply to' else self.tr('Replies')}: "
            f"{', '.join(refs)}" for what, refs in (thread or {}).items() if refs))
        self.thread_links.setTextFormat(Qt.TextFormat.PlainText)
        self.thread_links.setAccessibleName(self.tr("Thread"))
        if self.thread_links.text():
            form.addRow(self.tr("Thread:"), self.thread_links)
        self.body = QPlainTextEdit(body)
        self.body.setReadOnly(True)
        self.body.setAccessibleName(self.tr("Message text"))
        self.attachments = QListWidget()
        self.attachments.setAccessibleName(self.tr("Attachments"))
        for child_ref, name in attachments:
            entry = QListWidgetItem(f"{child_ref}  {name}")
            entry.setData(Qt.ItemDataRole.UserRole, child_ref)
            self.attachments.addItem(entry)
        self.attachments.itemActivated.connect(
            lambda entry: self.open_requested.emit(entry.data(Qt.ItemDataRole.UserRole)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        if attachments:
            layout.addWidget(QLabel(self.tr("Attachments (each an exhibit of its own; Enter "
                                            "or double-click opens it):")))
            layout.addWidget(self.attachments)
        layout.addWidget(buttons)
        fit_size(self, 760, 560)
