"""The viewer's annotation tools (docs/annotations.md): the annotation toolbar, the tool the
mouse works with, annotations added, changed and removed through the core (each a custody
event), drawn back over the page or photo (ui/annotation_drawing.py), their small dialogs
(ui/annotation_dialogs.py), every occurrence of a word marked for redaction, and the
annotated and redacted copies made in the background.

:class:`AnnotationTools` is the part of the viewer window that annotates;
:class:`ui.viewer.ViewerWindow` builds on it and sets what it works on (the document or
photo shown, the vault, the thread pool)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from ui.annotation_dialogs import add_ok_cancel, edit_fields, form_dialog, text_fields
from ui.annotation_drawing import draw_annotations, shown_rects, shown_strokes
from ui.messages import user_message
from ui.pdf_view import PdfView
from ui.photo_view import PhotoView
from ui.worker import Job, start
from vault.documents.annotations import (
    DEFAULT_COLOUR,
    Annotation,
    NotAuthor,
    add_annotation,
    delete_annotation,
    edit_annotation,
)
from vault.documents.annotations import annotations as annotations_of
from vault.documents.document import Document
from vault.documents.redaction_reasons import normalised
from vault.store.vault import Vault

NOTE_SIZE = 16.0  # points: the side of a note's square
MARKUP = ("highlight", "underline", "strikeout")


class AnnotationTools(QMainWindow):
    """Annotating the item a window shows. The window sets :attr:`vault` (None once
    closed), :attr:`ref`, :attr:`kind` ("pdf" or "photo"), :attr:`password`,
    :attr:`document`, :attr:`pdf` and :attr:`photo` (the views), :attr:`stack` (their
    stack), :attr:`toolbar` (its own), :attr:`pool` and :attr:`jobs`, then calls
    :meth:`_annotation_actions`, and :meth:`_annotations_ready` once the content is shown.
    :attr:`derived` says the reference of a copy made from the item."""

    derived = Signal(str)  # the reference of a copy made from this item
    open_copy = Signal(str)  # a redacted copy just made, to be opened for checking

    # set by the window
    vault: Vault | None
    ref: str
    kind: str
    password: str | None
    document: Document | None
    pdf: PdfView | None
    photo: PhotoView
    stack: QStackedWidget
    toolbar: QToolBar
    pool: QThreadPool
    jobs: set[Job]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks: list[Annotation] = []  # the item's annotations, as last read
        self.selected: Annotation | None = None
        self.review: list[Annotation] = []  # marks just added by "redact every occurrence"
        self.tool = "select"
        self.ask: QDialog | None = None  # an open annotation dialog (note text, reason...)
        self.notice: QMessageBox | None = None
        self.notices: list[str] = []  # every message shown, newest last

    def _annotation_actions(self) -> None:
        bar = QToolBar(self.tr("Annotate"))
        bar.setObjectName("annotate-toolbar")
        bar.setAccessibleName(self.tr("Annotation toolbar"))
        self.addToolBarBreak()  # a row of its own: both fit the window
        self.addToolBar(bar)
        self.annotate_bar = bar
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_actions: dict[str, QAction] = {}
        names = {"select": self.tr("Select"), "highlight": self.tr("Highlight"),
                 "underline": self.tr("Underline"), "strikeout": self.tr("Strike-out"),
                 "note": self.tr("Note"), "rectangle": self.tr("Rectangle"),
                 "ellipse": self.tr("Ellipse"), "redaction": self.tr("Redaction mark"),
                 "ink": self.tr("Ink"), "arrow": self.tr("Arrow"), "label": self.tr("Label"),
                 "cite": self.tr("Cite an area")}
        tools = (("select", "highlight", "underline", "strikeout", "note", "rectangle", "ink",
                  "redaction", "cite") if self.kind == "pdf" else
                 ("select", "rectangle", "ellipse", "arrow", "label", "redaction", "cite")
                 if self.kind == "photo" else ())
        for tool in tools:
            a = QAction(names[tool], self)
            a.setCheckable(True)
            a.setChecked(tool == "select")
            a.setEnabled(False)
            a.triggered.connect(lambda _c=False, t=tool: self.set_tool(t))
            self.tool_group.addAction(a)
            bar.addAction(a)
            bar.widgetForAction(a).setAccessibleName(names[tool])
            self.tool_actions[tool] = a
        bar.addSeparator()
        self.colours = {self.tr("Yellow"): DEFAULT_COLOUR, self.tr("Red"): "#e02020",
                        self.tr("Green"): "#20a040", self.tr("Blue"): "#2060e0",
                        self.tr("Black"): "#000000"}
        self.colour_box = QComboBox()
        self.colour_box.setAccessibleName(self.tr("Colour of new annotations"))
        self.colour_box.setToolTip(self.tr("Colour of new annotations"))
        for name, value in self.colours.items():
            self.colour_box.addItem(name, value)
        self.colour_box.setEnabled(False)
        self.colour_action = bar.addWidget(self.colour_box)

        # The commands that make copies have a row of their own, so that "Make redacted
        # copy" is never folded into an overflow menu on a laptop's screen.
        copies = QToolBar(self.tr("Copies"))
        copies.setObjectName("copies-toolbar")
        copies.setAccessibleName(self.tr("Copies toolbar"))
        self.addToolBarBreak()
        self.addToolBar(copies)
        self.copies_bar = copies

        def action(text: str, slot: Callable[[], Any], on: QToolBar = bar) -> QAction:
            a = QAction(text, self)
            a.triggered.connect(slot)
            a.setEnabled(False)
            on.addAction(a)
            on.widgetForAction(a).setAccessibleName(text.replace("&", "").rstrip("…"))
            return a

        self.redacted_action = action(self.tr("Make &redacted copy…"),
                                      self.review_redaction, copies)
        self.annotated_action = action(self.tr("Make &annotated copy"),
                                       lambda: self.make_copy("annotated"), copies)
        self.occurrences_action = action(self.tr("Redact every &occurrence…"),
                                         self.ask_occurrences, copies)
        self.occurrences_action.setVisible(self.kind == "pdf")
        self.delete_action = QAction(self.tr("Delete annotation"), self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.stack.addAction(self.delete_action)  # Delete over the page, not in the find bar
        self.edit_action = action(self.tr("&Edit annotation…"), self.edit_selected)
        self.edit_action.setShortcuts([QKeySequence(Qt.Key.Key_Return),
                                       QKeySequence(Qt.Key.Key_Enter)])
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.stack.addAction(self.edit_action)
        for toolbar in (self.toolbar, bar):  # the » button shown when a bar is too narrow
            for button in toolbar.findChildren(QToolButton, "qt_toolbar_ext_button"):
                button.setAccessibleName(self.tr("More tools"))

    def _annotations_ready(self) -> None:
        for a in (*self.tool_actions.values(), self.occurrences_action,
                  self.annotated_action, self.redacted_action):
            a.setEnabled(True)
        self.colour_box.setEnabled(True)
        self.reload_annotations()

    def set_tool(self, tool: str) -> None:
        """The tool the mouse works with: ``select`` or a kind of annotation."""
        self.tool = tool
        if tool in self.tool_actions:
            self.tool_actions[tool].setChecked(True)
        mode = "select" if tool == "select" else "rect"
        if self.pdf is not None:
            self.pdf.set_drag_mode("ink" if tool == "ink" else mode)
        self.photo.set_drag_mode("line" if tool == "arrow" else mode)

    def reload_annotations(self) -> None:
        """Read the item's annotations again and draw them, a layer a kind."""
        v = self.vault
        if v is None:
            return
        try:
            self.marks = annotations_of(v, self.ref)
        except Exception as e:
            self.show_message(user_message(e)[0])
            return
        if self.selected is not None and self.selected.id not in {a.id for a in self.marks}:
            self.selected = None
        self.review = [a for a in self.review if a.id in {m.id for m in self.marks}]
        self.edit_action.setEnabled(self.selected is not None)
        self._draw_annotations()
        self._annotations_changed()

    def _annotations_changed(self) -> None:
        """Hook: the window's list of annotations follows (see ViewerWindow)."""

    def shown_rects(self, a: Annotation) -> list[QRectF]:
        """The annotation's boxes as displayed (points of the page, or photo pixels)."""
        return shown_rects(a, self.document)

    def _draw_annotations(self) -> None:
        draw_annotations(self.marks, self.review, self.selected, self.document, self.pdf,
                         self.photo if self.kind == "photo" else None)

    def shown_strokes(self, a: Annotation) -> list[list[QPointF]]:
        """An ink annotation's strokes as displayed (points of the page)."""
        return shown_strokes(a, self.document)

    def _inked(self, page: int, points: list[QPointF]) -> None:
        if self.tool != "ink":
            return
        stroke = []
        for p in points:
            x, y = p.x(), p.y()
            if self.document is not None:
                x, y, _, _ = self.document.to_unrotated(page, (x, y, x, y))
            stroke.append([round(x, 2), round(y, 2)])
        self.add("ink", page, {"strokes": [stroke]})

    def _line_dragged(self, start: QPointF, end: QPointF) -> None:
        if self.tool == "arrow":
            self.add("arrow", 0, {"from": [round(start.x(), 2), round(start.y(), 2)],
                                  "to": [round(end.x(), 2), round(end.y(), 2)]})

    def _double_clicked(self, page: int, point: QPointF) -> None:
        if self.tool == "select":
            self._clicked(page, point)
            self.edit_selected()

    def _stored(self, page: int, rect: QRectF) -> list[float]:
        """A displayed box as stored: unrotated for a PDF."""
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        if self.document is not None:
            box = self.document.to_unrotated(page, box)
        return [round(c, 2) for c in box]

    def add(self, kind: str, page: int, geometry: dict[str, Any], *, text: str = "",
            reason: str = "") -> Annotation | None:
        """Add an annotation through the core (a custody event); a message if refused."""
        v = self.vault
        if v is None:
            return None
        try:
            a = add_annotation(v, self.ref, kind, page, geometry, text=text, reason=reason,
                               colour=str(self.colour_box.currentData() or DEFAULT_COLOUR),
                               password=self.password)
        except Exception as e:
            self.show_message(user_message(e)[0])
            return None
        self.selected = a
        self.reload_annotations()
        self.statusBar().showMessage(self.tr("Annotation added"))
        return a

    def _dragged(self, page: int, rect: QRectF) -> None:
        tool = self.tool
        if tool in MARKUP and self.document is not None:
            lines: dict[tuple[int, int], QRectF] = {}
            for w in self.document.words(page):
                box = QRectF(QPointF(w.rect[0], w.rect[1]), QPointF(w.rect[2], w.rect[3]))
                if box.intersects(rect):
                    key = (w.block, w.line)
                    lines[key] = lines[key].united(box) if key in lines else box
            if not lines:
                self.statusBar().showMessage(self.tr("No text there to mark"))
                return
            self.add(tool, page, {"rects": [self._stored(page, r) for r in lines.values()]})
        elif tool in ("rectangle", "ellipse"):
            self.add(tool, page, {"rect": self._stored(page, rect)})
        elif tool == "redaction":
            stored = self._stored(page, rect)
            self.ask_fields(self.tr("Redaction mark"), [self.tr("Reason (optional):")],
                            lambda values: self.add("redaction", page, {"rect": stored},
                                                    reason=normalised(values[0])))
        elif tool == "cite":  # a box with no words (a photo, a signature): to the chronology
            self.cite_area(page, self._stored(page, rect))

    def cite_area(self, page: int, region: list[float]) -> None:
        """A box drawn with "Cite an area" (the viewer sends it to the chronology)."""

    def _clicked(self, page: int, point: QPointF) -> None:
        if self.tool == "note" and self.document is not None:
            w, h = self.document.page_size(page)
            x = min(max(point.x(), 0.0), w - NOTE_SIZE)
            y = min(max(point.y(), 0.0), h - NOTE_SIZE)
            box = self._stored(page, QRectF(x, y, NOTE_SIZE, NOTE_SIZE))
            self.ask_fields(self.tr("Note"), [self.tr("Note:")],
                            lambda values: self.add("note", page, {"rect": box},
                                                    text=values[0]))
        elif self.tool == "label" and self.kind == "photo":
            at = [round(point.x(), 2), round(point.y(), 2)]
            self.ask_fields(self.tr("Label"), [self.tr("Label:")],
                            lambda values: self.add("label", 0, {"at": at}, text=values[0]))
        elif self.tool == "select":
            found = [a for a in self.marks if a.page == page and
                     any(r.adjusted(-1, -1, 1, 1).contains(point)
                         for r in self.shown_rects(a))]
            self.selected = found[-1] if found else None
            self.edit_action.setEnabled(self.selected is not None)
            self._draw_annotations()
            if self.selected is not None:
                self.statusBar().showMessage(self.tr("{kind} by {author} selected: Delete "
                                                     "removes it").format(
                    kind=self.selected.kind, author=self.selected.author))

    def delete_selected(self) -> None:
        """Remove the selected annotation (only its author may)."""
        v, a = self.vault, self.selected
        if v is None or a is None:
            return
        try:
            delete_annotation(v, a.id)
        except NotAuthor:
            self.show_message(self.tr("Only {author}, who made this annotation, may remove "
                                      "it.").format(author=a.author))
            return
        except Exception as e:
            self.show_message(user_message(e)[0])
            return
        self.selected = None
        self.reload_annotations()
        self.statusBar().showMessage(self.tr("Annotation removed"))

    def edit_selected(self) -> QDialog | None:
        """A small dialog (not modal to the app) changing the selected annotation's text (a
        note or a label), reason (a redaction mark) and colour."""
        a = self.selected
        if a is None or self.vault is None:
            return None
        dialog, form = self._small_dialog(self.tr("Edit annotation"))
        read = edit_fields(dialog, form, a, self.colours)

        def accepted() -> None:
            text, reason, colour = read()
            self.apply_edit(a, text=text, reason=reason, colour=colour)

        return self._open_small_dialog(dialog, form, accepted)

    def apply_edit(self, a: Annotation, *, text: str | None = None, reason: str | None = None,
                   colour: str | None = None) -> Annotation | None:
        """Change the annotation through the core (an ``annotation changed`` custody event;
        only its author may)."""
        v = self.vault
        if v is None:
            return None
        try:
            after = edit_annotation(v, a.id, text=text, reason=reason, colour=colour,
                                    password=self.password)
        except NotAuthor:
            self.show_message(self.tr("Only {author}, who made this annotation, may change "
                                      "it.").format(author=a.author))
            return None
        except Exception as e:
            self.show_message(user_message(e)[0])
            return None
        self.selected = after
        self.reload_annotations()
        self.statusBar().showMessage(self.tr("Annotation changed"))
        return after

    def ask_fields(self, title: str, labels: list[str],
                   done: Callable[[list[str]], Any]) -> QDialog:
        """A small dialog (not modal to the app) asking for lines of text; ``done`` gets
        them when it is accepted."""
        dialog, form = self._small_dialog(title)
        edits = text_fields(form, labels)
        return self._open_small_dialog(dialog, form, lambda: done([e.text() for e in edits]))

    def _small_dialog(self, title: str) -> tuple[QDialog, QFormLayout]:
        """A new small dialog (closing the one open before) with a form to fill."""
        if self.ask is not None and shiboken6.isValid(self.ask):
            self.ask.close()
        return form_dialog(self, title)

    def _open_small_dialog(self, dialog: QDialog, form: QFormLayout,
                           accepted: Callable[[], Any]) -> QDialog:
        """OK and Cancel under the form; opened (not modal to the app); ``accepted`` runs on
        OK; the dialog is deleted when it closes."""
        add_ok_cancel(dialog, form)

        def finished(result: int) -> None:
            if self.ask is dialog:
                self.ask = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                accepted()

        dialog.finished.connect(finished)
        self.ask = dialog
        dialog.open()
        return dialog

    def show_message(self, text: str) -> None:
        self.notices.append(text)
        if self.notice is not None and shiboken6.isValid(self.notice):
            self.notice.close()
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Evidence Vault"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(self.tr("Message"))
        box.finished.connect(lambda _r: box.deleteLater())
        self.notice = box
        box.open()

    def _run(self, work: Callable[[Callable[[], bool]], Any],
             done: Callable[[Any], None]) -> Job:
        job = Job(work)
        self.jobs.add(job)

        def finished(result: Any) -> None:
            self.jobs.discard(job)
            if self.vault is not None:
                done(result)

        def failed(message: str, _bug: bool) -> None:
            self.jobs.discard(job)
            if self.vault is not None:
                self.statusBar().clearMessage()
                self.show_message(message)

        job.finished.connect(finished)
        job.failed.connect(failed)
        start(job, self.pool)
        return job

    def ask_occurrences(self) -> QDialog:
        return self.ask_fields(self.tr("Redact every occurrence"),
                               [self.tr("Word or words:"), self.tr("Reason (optional):")],
                               lambda values: self.redact_occurrences(values[0],
                                                                      normalised(values[1])))

    def redact_occurrences(self, word: str, reason: str = "") -> Job | None:
        """Mark every occurrence of ``word`` for redaction (in the background), then show the
        new marks for review."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from vault.documents.derive import mark_every_occurrence

        def done(added: list[Annotation]) -> None:
            self.review = list(added)
            self.reload_annotations()
            self.review = [a for a in self.marks if a.id in {b.id for b in added}]
            self._draw_annotations()
            if added and self.pdf is not None:
                first = self.shown_rects(added[0])
                if first:
                    self.pdf.ensure_visible(added[0].page, first[0])
            text = self.tr("{n} occurrences of “{word}” marked for redaction: review them "
                           "(outlined in red) before making the redacted copy.").format(
                n=len(added), word=word)
            self.statusBar().showMessage(text)
            self.show_message(text)

        self.statusBar().showMessage(self.tr("Finding “{word}”…").format(word=word))
        return self._run(lambda _c: mark_every_occurrence(v, [ref], word, reason=reason,
                                                          password=password), done)

    def review_redaction(self) -> Job | None:
        """Say what the redacted copy will remove, and where the words under the marks stand
        unmarked (offering to mark them too), then make it and open it."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from ui.redaction_preview_ui import RedactionPreviewDialog
        from vault.documents.redaction_preview import preview_redaction

        def done(preview: Any) -> None:
            self.statusBar().clearMessage()
            dialog = RedactionPreviewDialog(preview, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self.make_copy("redacted", open_after=True))
            dialog.mark_here.connect(self._mark_too)
            dialog.mark_others.connect(self._mark_in_others)
            self.ask = dialog
            dialog.open()

        self.statusBar().showMessage(self.tr("Reading what the marks cover…"))
        return self._run(lambda _c: preview_redaction(v, ref, password=password), done)

    def _reason_of_marks(self) -> str:
        reasons = [a.reason for a in self.marks if a.kind == "redaction" and a.reason]
        return reasons[-1] if reasons else ""

    def _mark_too(self, words: list[str]) -> Job | None:
        """Mark the words in this document too (the marks' reason), then review again."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from vault.documents.derive import mark_every_occurrence

        reason = self._reason_of_marks()

        def work(_c: Callable[[], bool]) -> Any:
            return [a for w in words
                    for a in mark_every_occurrence(v, [ref], w, reason=reason,
                                                   password=password)]

        def done(_added: Any) -> None:
            self.reload_annotations()
            self.review_redaction()

        return self._run(work, done)

    def _mark_in_others(self, found: dict[str, list[str]]) -> Job | None:
        """Mark the words in the other exhibits (each to be reviewed and copied there)."""
        v = self.vault
        if v is None:
            return None
        from vault.documents.derive import mark_every_occurrence

        reason = self._reason_of_marks()

        def work(_c: Callable[[], bool]) -> Any:
            return [a for w, refs in found.items()
                    for a in mark_every_occurrence(v, refs, w, reason=reason)]

        def done(added: Any) -> None:
            refs = sorted({a.ref for a in added})
            self.show_message(self.tr(
                "{n} areas marked for redaction in {refs}: open each to review the marks and "
                "make its redacted copy.").format(n=len(added), refs=", ".join(refs)))
            self.review_redaction()

        return self._run(work, done)

    def make_copy(self, which: str, *, open_after: bool = False) -> Job | None:
        """Make the annotated (``which`` "annotated") or redacted copy as a new item, in the
        background; :attr:`derived` says its reference; with ``open_after``,
        :attr:`open_copy` asks for it to be opened."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from vault.documents.derive import annotated_copy, redacted_copy

        def work(_cancel: Callable[[], bool]) -> Any:
            if which == "annotated":
                return annotated_copy(v, ref, password=password)
            return redacted_copy(v, ref, password=password)

        def done(result: Any) -> None:
            self.statusBar().clearMessage()
            text = (self.tr("Annotated copy made: {ref}") if which == "annotated" else
                    self.tr("Redacted copy made: {ref}")).format(ref=result.ref)
            if result.warnings:
                text += "\n" + "\n".join(result.warnings)
            self.show_message(text)
            self.derived.emit(result.ref)
            if open_after:
                self.open_copy.emit(result.ref)

        self.statusBar().showMessage(self.tr("Making the copy…"))
        return self._run(work, done)

