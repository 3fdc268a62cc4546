"""Before the redacted copy is made: what it will remove, and where the same words stand
unmarked (this document, the case's other exhibits), with the offer to mark them too."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.models import counted

SHOWN_WORDS = 30


def _pages(pages: list[int]) -> str:
    unique = sorted(set(pages))
    return ", ".join(str(p) for p in unique)


class RedactionPreviewDialog(QDialog):
    """``preview``: a :class:`vault.documents.redaction_preview.RedactionPreview`."""

    mark_here = Signal(list)  # words to mark in this document too
    mark_others = Signal(dict)  # word: the other exhibits to mark it in

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(self.tr("Make the redacted copy of {ref}").format(ref=preview.ref))
        self.setAccessibleName(self.tr("What the redacted copy removes"))
        lines = [counted(preview.areas, self.tr("{n} marked area"), self.tr("{n} marked areas"))
                 + " " + counted(len(preview.pages), self.tr("on {n} page"),
                                 self.tr("on {n} pages"))
                 + (f" ({_pages(preview.pages)})" if preview.pages else "")
                 + self.tr(" will be blacked out in a new item; the original stays as it is.")]
        if preview.words:
            shown = " ".join(preview.words[:SHOWN_WORDS]) + (
                " …" if len(preview.words) > SHOWN_WORDS else "")
            lines.append(self.tr("Words under the marks: {words}").format(words=shown))
        for e in preview.elsewhere:
            where = []
            if e.pages:
                where.append(counted(len(e.pages), self.tr("{n} more time in this document"),
                                     self.tr("{n} more times in this document"))
                             + self.tr(" (page {pages})").format(pages=_pages(e.pages)))
            if e.exhibits:
                where.append(counted(len(e.exhibits), self.tr("in {n} other exhibit"),
                                     self.tr("in {n} other exhibits"))
                             + f" ({', '.join(e.exhibits[:8])}"
                             + (" …" if len(e.exhibits) > 8 else "") + ")")
            if where:
                lines.append(self.tr("WARNING: “{word}” also appears, unmarked, {where}."
                                     ).format(word=e.word, where=self.tr(" and ").join(where)))
            if e.marked_exhibits:
                lines.append(self.tr("“{word}” also appears in {refs}, which have redaction "
                                     "marks: review them there.").format(
                    word=e.word, refs=", ".join(e.marked_exhibits[:8])))
        self.text = QLabel("\n\n".join(lines))
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # words from the evidence
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("What will be removed"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        here = preview.unmarked_here()
        others = preview.unmarked_in_others()
        self.mark_here_button = buttons.addButton(
            self.tr("&Mark them in this document too"), QDialogButtonBox.ButtonRole.ActionRole)
        self.mark_here_button.setVisible(bool(here))
        self.mark_here_button.clicked.connect(lambda: self._emit(self.mark_here, here))
        self.mark_others_button = buttons.addButton(
            self.tr("Mark them in the &other exhibits…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.mark_others_button.setVisible(bool(others))
        self.mark_others_button.clicked.connect(lambda: self._emit(self.mark_others, others))
        self.ok = buttons.addButton(self.tr("Make the &redacted copy"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Make the redacted copy"))
        self.ok.setEnabled(preview.areas > 0)
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def _emit(self, signal: Any, value: Any) -> None:
        self.done(2)  # neither made nor cancelled: marked, then shown again
        signal.emit(value)
