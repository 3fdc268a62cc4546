"""In the detail pane: the item's tags (add with a completer over the tags in use, remove) and
the text read from its scans (read-only, selectable, with a Copy button)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.clipboard import copy_evidence_text
from ui.messages import user_message
from vault.evidence.tags import add_tag, all_tags, remove_tag, tags_of
from vault.search.ocr import ocr_text
from vault.store.vault import Vault


class ItemExtras(QWidget):
    """Tags and recognised text of one item. :attr:`tags_changed` after a tag was added or
    removed; :attr:`problem` with a message for the user."""

    tags_changed = Signal(str)  # ref
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault: Vault | None = None
        self.ref = ""
        self.copied = ""  # what Copy last put on the clipboard (taken back at lock)
        self.tags = QStringListModel()
        self.tag_view = QListView()
        self.tag_view.setModel(self.tags)
        self.tag_view.setAccessibleName(self.tr("Tags"))
        self.tag_view.setFlow(QListView.Flow.LeftToRight)
        self.tag_view.setWrapping(True)
        self.tag_view.setSpacing(2)
        self.tag_view.setMinimumHeight(24)
        self.tag_view.setMaximumHeight(48)
        self.tag_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.known = QStringListModel()  # every tag in use, for the completer
        self.completer = QCompleter(self.known, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.new_tag = QLineEdit()
        self.new_tag.setAccessibleName(self.tr("New tag"))
        self.new_tag.setPlaceholderText(self.tr("Add a tag, for example: police knowledge"))
        self.new_tag.setCompleter(self.completer)
        self.new_tag.returnPressed.connect(self.add_clicked)
        self.add_button = QPushButton(self.tr("Add &tag"))
        self.add_button.setAccessibleName(self.tr("Add the tag"))
        self.add_button.clicked.connect(self.add_clicked)
        self.remove_button = QPushButton(self.tr("&Remove tag"))
        self.remove_button.setAccessibleName(self.tr("Remove the selected tag"))
        self.remove_button.clicked.connect(self.remove_clicked)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Recognised text"))
        self.text.setMinimumHeight(36)
        self.text.setMaximumHeight(110)
        self.text_label = QLabel(self.tr("Recognised text (read from the scan; the original "
                                         "is unchanged):"))
        self.text_label.setWordWrap(True)  # the pane may be narrow: never wider than it
        self.copy_button = QPushButton(self.tr("Cop&y text"))
        self.copy_button.setAccessibleName(self.tr("Copy the recognised text"))
        self.copy_button.clicked.connect(self.copy_text)
        row = QHBoxLayout()  # the tag's field has its own line: the buttons stay in view
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        text_row = QHBoxLayout()
        text_row.addWidget(self.text_label, 1)
        text_row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tags_row = QHBoxLayout()
        tags_row.addWidget(QLabel(self.tr("Tags:")))
        tags_row.addWidget(self.tag_view, 1)
        layout.addLayout(tags_row)
        layout.addWidget(self.new_tag)
        layout.addLayout(row)
        layout.addLayout(text_row)
        layout.addWidget(self.text)
        self.clear()

    def show_item(self, v: Vault | None, ref: str) -> None:
        """Read the tags and recognised text of ``ref`` (nothing when ``v`` is None)."""
        self.vault = v
        if v is None or not ref:
            self.clear()
            return
        try:
            tags = tags_of(v, ref)
            pages = ocr_text(v, ref)
            known = [name for name, _n in all_tags(v)]
        except Exception as e:
            self.clear()
            self.problem.emit(user_message(e)[0])
            return
        self.ref = ref
        self.tags.setStringList(tags)
        self.known.setStringList(known)
        text = "\n\n".join(t.strip() if len(pages) == 1 else
                           self.tr("[page {n}]\n{text}").format(n=page, text=t.strip())
                           for page, t in pages)
        self.text.setPlainText(text)
        for w in (self.text, self.text_label, self.copy_button):
            w.setVisible(bool(pages))
        for control in (self.new_tag, self.add_button, self.remove_button):
            control.setEnabled(True)

    def clear(self) -> None:
        self.ref = ""
        self.tags.setStringList([])
        self.known.setStringList([])
        self.new_tag.clear()
        self.text.clear()
        for w in (self.text, self.text_label, self.copy_button):
            w.setVisible(False)
        for control in (self.new_tag, self.add_button, self.remove_button):
            control.setEnabled(False)

    def texts(self) -> list[str]:
        """Everything shown (for the lock test)."""
        return [*self.tags.stringList(), *self.known.stringList(), self.text.toPlainText()]

    def add_clicked(self) -> None:
        name = self.new_tag.text()
        if self.vault is None or not self.ref or not name.strip():
            return
        self._change(lambda v: add_tag(v, self.ref, name))

    def remove_clicked(self) -> None:
        index = self.tag_view.currentIndex()
        if self.vault is None or not self.ref or not index.isValid():
            return
        name = str(self.tags.data(index))
        self._change(lambda v: remove_tag(v, self.ref, name))

    def _change(self, change: Callable[[Vault], object]) -> None:
        v, ref = self.vault, self.ref
        assert v is not None
        try:
            change(v)
        except Exception as e:
            self.problem.emit(user_message(e)[0])
            return
        self.new_tag.clear()
        self.show_item(v, ref)
        self.tags_changed.emit(ref)

    def copy_text(self) -> None:
        self.copied = self.text.toPlainText()
        if self.copied:
            copy_evidence_text(self.copied)
