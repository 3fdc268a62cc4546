"""The viewer: a window showing one item, a PDF or a photo, decrypted into memory only.

PDFs: every page one under the other (pages drawn in the background), zoom and fit width,
page thumbnails, the outline, find with the hits highlighted, text selection and Ctrl+C. A
password-protected PDF asks for its password (and says when it is wrong), then opens
read-only like any other: the viewer never changes what it shows. Photos: upright by their
EXIF orientation, zoom and pan. Nothing is written anywhere; closing the window (and locking
the vault, which closes it) drops everything it decrypted or drew.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QHelpEvent,
    QImage,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QToolTip,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.action_icons import decorate
from ui.annotation_list import AnnotationListModel
from ui.annotation_tools import AnnotationTools
from ui.empty_states import HintedList
from ui.icons import Icons, toolbar_icon_size
from ui.pdf_view import CURRENT_COLOUR, FIND_COLOUR, THUMB_SIZE, PdfView, Renderer
from ui.photo_view import PhotoView
from ui.screen_fit import fit_size
from ui.thumbnails import PAGE_ROLE, ThumbnailModel
from ui.worker import Job, start
from vault.documents.document import PDF, Document, PasswordRequired, WrongPassword
from vault.evidence.items import get_item
from vault.store.vault import Vault

if TYPE_CHECKING:
    from ui.host import WindowHost

FIND_DELAY_MS = 300


class ViewerWindow(AnnotationTools):
    """Shows the item ``ref`` of ``v``; ``parent`` is the main window (its child, so that it
    goes with it). :attr:`loaded` is emitted once the content is on screen, :attr:`problem`
    when it cannot be."""

    loaded = Signal()
    problem = Signal(str)
    chronology_requested = Signal(str, int, str)  # ref, page (from 1), the words selected
    area_requested = Signal(str, int, list)  # ref, page (from 1; 0: a photo), x0, y0, x1, y1

    def __init__(self, v: Vault, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._vault: Vault | None = v
        self.vault: Vault | None = v  # kept (unlike _vault) for annotating, until closed
        self.password: str | None = None  # what opened a password-protected PDF
        self._trying: str | None = None
        item = get_item(v, ref)
        self.ref = item.ref
        self.kind = ("pdf" if item.mime == PDF else
                     "photo" if item.mime.startswith("image/") else "")
        self.pool = QThreadPool(self)  # the viewer's own: closing waits for its jobs only
        self.pool.setMaxThreadCount(2)  # a page being drawn, and a search
        self.jobs: set[Job] = set()  # the opening job(s), kept until they report
        self.document: Document | None = None
        self.renderer: Renderer | None = None
        self.pdf: PdfView | None = None
        self.thumbnail_model: ThumbnailModel | None = None
        self.dialog: QInputDialog | None = None  # the password dialog while it is open
        self.hits: list[tuple[int, QRectF]] = []
        self.hit_index = -1
        self._otherwise: tuple[int, str, Callable[[], object]] | None = None
        self.copied = ""  # text this viewer put on the clipboard
        self.ready = False  # the content is on screen (loaded was emitted)
        self.started = 0.0  # perf_counter() when opening began
        self.first_page_seconds = 0.0  # from then until the first page was on screen
        self.setWindowTitle(self.tr("{ref} {name}: Evidence Vault viewer").format(
            ref=item.ref, name=item.name))
        self.setAccessibleName(self.tr("Viewer"))
        self._build()
        self._actions()
        self._annotation_actions()
        self._decorate()
        fit_size(self, 1100, 850)
        if item.status != "present":
            self._show_problem(self.tr("{ref} was purged: there is nothing to show.").format(
                ref=item.ref))
        elif not self.kind:
            self._show_problem(self.tr("There is no viewer for this type ({mime}).").format(
                mime=item.mime))
        else:
            self._open(None)

    def _menus(self) -> None:
        """Every command in a menu as well (the keyboard reaches a menu with Alt; a toolbar
        button it does not)."""
        bar = self.menuBar()
        document = bar.addMenu(self.tr("&Document"))
        for a in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            document.addAction(a)
        document.addSeparator()
        for a in (self.find_action, self.find_next_action, self.find_previous_action,
                  self.highlight_found_action, self.mark_found_action):
            document.addAction(a)
        document.addSeparator()
        for a in (self.copy_action, self.chronology_action):
            document.addAction(a)
        document.addSeparator()
        document.addAction(self.close_action)
        if self.tool_actions:
            tools = bar.addMenu(self.tr("&Tools"))
            for a in self.tool_actions.values():
                tools.addAction(a)
            tools.addSeparator()
            tools.addAction(self.edit_action)
            tools.addAction(self.delete_action)
            copies = bar.addMenu(self.tr("&Copies"))
            for a in (self.redacted_action, self.annotated_action, self.occurrences_action):
                copies.addAction(a)

    def _decorate(self) -> None:
        """Icons on every action; the drawing tools and zoom as icons only (their names in
        tooltips and for screen readers), the rest with their words beside."""
        self._menus()
        self.icons = Icons(self)
        decorate(self, self.icons)
        for bar in (self.toolbar, self.copies_bar):
            bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.setIconSize(toolbar_icon_size(self))
        for a in (self.zoom_out_action, self.zoom_in_action, *self.tool_actions.values()):
            button = self.toolbar.widgetForAction(a)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
                button.setToolTip(a.text().replace("&", ""))

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.message = QLabel(self.tr("Opening…"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Viewer message"))
        self.password_button = QPushButton(self.tr("Enter the &password…"))
        self.password_button.setAccessibleName(self.tr("Enter the password"))
        self.password_button.clicked.connect(lambda: self.ask_password(False))
        self.password_button.hide()
        waiting = QWidget()
        layout = QVBoxLayout(waiting)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.password_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.photo = PhotoView()
        self.stack = QStackedWidget()  # the PDF view joins once the document is open
        self.stack.addWidget(waiting)
        self.stack.addWidget(self.photo)

        self.thumbnails = QListView()
        self.thumbnails.setAccessibleName(self.tr("Page thumbnails"))
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.thumbnails.setSpacing(6)
        self.thumbnails.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.thumbnails.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.outline_model = QStandardItemModel(self)
        self.outline = QTreeView()
        self.outline.setModel(self.outline_model)
        self.outline.setHeaderHidden(True)
        self.outline.setAccessibleName(self.tr("Outline"))
        self.outline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outline.clicked.connect(self._outline_chosen)
        self.outline.activated.connect(self._outline_chosen)
        self.side = QTabWidget()
        self.side.setAccessibleName(self.tr("Pages and outline"))
        self.side.tabBar().setAccessibleName(self.tr("Pages or outline"))
        self.side.addTab(self.thumbnails, self.tr("Pages"))
        self.side.addTab(self.outline, self.tr("Outline"))
        # Every annotation, with its page and text: choosing one goes to it.
        self.annotation_model = AnnotationListModel()
        self.annotation_view = HintedList()
        self.annotation_view.setModel(self.annotation_model)
        self.annotation_view.setAccessibleName(self.tr("Annotations"))
        self.annotation_view.setWordWrap(True)
        self.annotation_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.annotation_view.clicked.connect(self._annotation_chosen)
        self.annotation_view.activated.connect(self._annotation_chosen)
        self.side.addTab(self.annotation_view, self.tr("Annotations"))
        self.side.setMinimumWidth(THUMB_SIZE + 48)
        self.side.hide()

        self.find_bar = QWidget()
        row = QHBoxLayout(self.find_bar)
        row.setContentsMargins(6, 2, 6, 2)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText(self.tr("Find in the document"))
        self.find_edit.setAccessibleName(self.tr("Find in the document"))
        self.find_edit.setClearButtonEnabled(True)
        self.find_previous = QPushButton(self.tr("&Previous"))
        self.find_previous.setAccessibleName(self.tr("Previous match"))
        self.find_next = QPushButton(self.tr("&Next"))
        self.find_next.setAccessibleName(self.tr("Next match"))
        self.find_status = QLabel()
        self.find_status.setAccessibleName(self.tr("Matches"))
        self.find_close = QPushButton(self.tr("Close"))
        self.find_close.setAccessibleName(self.tr("Close the find bar"))
        # Annotating without a mouse: find the words, then highlight them or mark them.
        self.highlight_found_button = QPushButton(self.tr("&Highlight them"))
        self.highlight_found_button.setAccessibleName(self.tr("Highlight the words found"))
        self.highlight_found_button.setToolTip(self.tr("Highlight every match (Ctrl+Shift+H)"))
        self.mark_found_button = QPushButton(self.tr("&Mark them for redaction"))
        self.mark_found_button.setAccessibleName(self.tr("Mark the words found for redaction"))
        self.mark_found_button.setToolTip(self.tr("Mark every match for redaction, to review "
                                                  "(Ctrl+Shift+M)"))
        for b in (self.highlight_found_button, self.mark_found_button):
            b.setEnabled(False)
        self.highlight_found_button.clicked.connect(self.highlight_found)
        self.mark_found_button.clicked.connect(self.mark_found)
        for w in (self.find_edit, self.find_previous, self.find_next, self.find_status,
                  self.highlight_found_button, self.mark_found_button, self.find_close):
            row.addWidget(w, 1 if w is self.find_edit else 0)
        self.find_bar.hide()
        self.find_timer = QTimer(self)
        self.find_timer.setSingleShot(True)
        self.find_timer.setInterval(FIND_DELAY_MS)
        self.find_timer.timeout.connect(self._search)
        self.find_edit.textChanged.connect(lambda _t: self.find_timer.start())
        self.find_edit.returnPressed.connect(self._find_return)
        self.find_next.clicked.connect(self.next_hit)
        self.find_previous.clicked.connect(self.previous_hit)
        self.find_close.clicked.connect(self.close_find)

        main = QWidget()
        column = QVBoxLayout(main)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.find_bar)
        split = QSplitter()
        split.addWidget(self.side)
        split.addWidget(main)
        split.setStretchFactor(1, 1)
        # room for the side panel's tab names, whole, at any text size
        split.setSizes([max(THUMB_SIZE + 60, self.side.tabBar().sizeHint().width() + 12), 900])
        self.setCentralWidget(split)

        self.page_box = QSpinBox()
        self.page_box.setAccessibleName(self.tr("Page number"))
        self.page_box.setRange(1, 1)
        self.page_box.setKeyboardTracking(False)
        self.page_box.valueChanged.connect(self._page_typed)
        self.page_of = QLabel()
        self.page_of.setAccessibleName(self.tr("Page count"))
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName(self.tr("Zoom"))
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.statusBar().setAccessibleName(self.tr("Status"))

    def _actions(self) -> None:
        bar = QToolBar(self.tr("Viewer"))
        bar.setObjectName("viewer-toolbar")
        bar.setAccessibleName(self.tr("Viewer toolbar"))
        self.addToolBar(bar)
        self.toolbar = bar

        def action(text: str, slot: Callable[[], Any], *keys: QKeySequence.StandardKey | str,
                   toolbar: bool = True) -> QAction:
            a = QAction(text, self)
            a.setShortcuts([s for k in keys for s in (
                [QKeySequence(k)] if isinstance(k, str) else QKeySequence.keyBindings(k))])
            a.triggered.connect(slot)
            self.addAction(a)
            if toolbar:
                bar.addAction(a)
                bar.widgetForAction(a).setAccessibleName(text.replace("&", "").rstrip("…"))
            return a

        self.zoom_out_action = action(self.tr("Zoom &out"), self.zoom_out, "Ctrl+-",
                                      QKeySequence.StandardKey.ZoomOut)
        self.zoom_in_action = action(self.tr("Zoom &in"), self.zoom_in, "Ctrl+=", "Ctrl++",
                                     QKeySequence.StandardKey.ZoomIn)
        self.fit_action = action(self.tr("&Fit width"), self.fit, "Ctrl+0")
        self.find_action = action(self.tr("&Find…"), self.open_find,
                                  QKeySequence.StandardKey.Find)
        self.find_next_action = action(self.tr("Find next"), self.next_hit,
                                       QKeySequence.StandardKey.FindNext, toolbar=False)
        self.find_previous_action = action(self.tr("Find previous"), self.previous_hit,
                                           QKeySequence.StandardKey.FindPrevious,
                                           toolbar=False)
        self.highlight_found_action = action(self.tr("Highlight the words found"),
                                             self.highlight_found, "Ctrl+Shift+H",
                                             toolbar=False)
        self.mark_found_action = action(self.tr("Mark the words found for redaction"),
                                        self.mark_found, "Ctrl+Shift+M", toolbar=False)
        self.copy_action = action(self.tr("&Copy"), self.copy, toolbar=False)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.chronology_action = action(self.tr("Add to &chronology…"), self.add_to_chronology,
                                        "Ctrl+Shift+K", toolbar=False)
        self.chronology_action.setEnabled(False)
        self.close_action = action(self.tr("Close"), self.close,
                                   QKeySequence.StandardKey.Close, toolbar=False)
        self.page_action = bar.addWidget(self.page_box)
        self.page_of_action = bar.addWidget(self.page_of)
        for a in (self.zoom_out_action, self.zoom_in_action, self.fit_action,
                  self.find_action, self.page_action, self.page_of_action):
            a.setEnabled(False)

    # ------------------------------------------------------------------ opening
    def _open(self, password: str | None) -> None:
        v = self._vault
        if v is None:
            return
        self.started = self.started or time.perf_counter()
        self._trying = password
        ref, kind = self.ref, self.kind

        def work(cancel: Callable[[], bool]) -> Any:
            if cancel():
                return None
            if kind == "photo":
                from vault.documents.document import open_photo

                width, height, rgb = open_photo(v, ref)
                return QImage(rgb, width, height, 3 * width,
                              QImage.Format.Format_RGB888).convertToFormat(
                                  QImage.Format.Format_RGB32)
            from vault.documents.document import open_document

            try:
                doc = open_document(v, ref, password)
            except PasswordRequired as e:
                return isinstance(e, WrongPassword)  # ask (again)
            try:
                return doc, doc.outline()
            except BaseException:
                doc.close()
                raise

        job = Job(work)
        self.jobs.add(job)
        job.finished.connect(lambda result: self._opened(job, result))
        job.failed.connect(lambda message, _bug: self._open_failed(job, message))
        self.message.setText(self.tr("Opening…"))
        self.password_button.hide()
        self.stack.setCurrentIndex(0)
        start(job, self.pool)

    def _opened(self, job: Job, result: Any) -> None:
        self.jobs.discard(job)
        if self._vault is None:  # closed meanwhile
            if isinstance(result, tuple):
                result[0].close()
            return
        if isinstance(result, bool):
            self.ask_password(result)
        elif isinstance(result, QImage):
            self._vault = None  # everything needed is in memory now
            self.photo.set_image(result)
            self.stack.setCurrentWidget(self.photo)
            for tab in (0, 1):  # a photo has no pages or outline: its annotations only
                self.side.setTabEnabled(tab, False)
                self.side.setTabVisible(tab, False)
            self.side.setCurrentWidget(self.annotation_view)
            self.side.show()
            # nothing to find and no pages in a picture
            for a in (self.find_action, self.find_next_action, self.find_previous_action,
                      self.highlight_found_action, self.mark_found_action,
                      self.page_action, self.page_of_action):
                a.setVisible(False)
            self.annotation_view.set_hint(self.tr(
                "No annotations yet. Choose a tool above (a box, an ellipse, an arrow, a note "
                "or a redaction mark) and draw on the photo. Annotations are kept in the "
                "vault; the photo itself is never changed."))
            self.fit_action.setText(self.tr("&Fit"))
            self.fit_action.setToolTip(self.tr("Fit the photo to the window"))
            for a in (self.zoom_out_action, self.zoom_in_action, self.fit_action):
                a.setEnabled(True)
            self.photo.zoom_changed.connect(self._show_zoom)
            self._show_zoom(self.photo.zoom)
            size = self.photo.image_size()
            self.statusBar().showMessage(self.tr("{w} × {h} pixels, shown upright").format(
                w=size.width(), h=size.height()))
            self.photo.rect_dragged.connect(lambda r: self._dragged(0, r))
            self.photo.clicked.connect(lambda p: self._clicked(0, p))
            self.photo.line_dragged.connect(self._line_dragged)
            self.photo.double_clicked.connect(lambda p: self._double_clicked(0, p))
            self._annotations_ready()
            self.ready = True
            self.loaded.emit()
        elif isinstance(result, tuple):
            self._vault = None
            self._show_document(*result)

    def _open_failed(self, job: Job, message: str) -> None:
        self.jobs.discard(job)
        if self._vault is not None:
            self._show_problem(message)

    def _show_problem(self, message: str) -> None:
        self.message.setText(message)
        self.stack.setCurrentIndex(0)
        self.problem.emit(message)

    def ask_password(self, wrong: bool) -> QInputDialog:
        """The password dialog (not modal to the app: the main window stays usable)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Password-protected PDF"))
        dialog.setAccessibleName(self.tr("PDF password"))
        dialog.setLabelText(self.tr("Wrong password. Enter the password of this PDF:") if wrong
                            else self.tr("This PDF is protected by a password. Enter it to "
                                         "view the PDF (read-only):"))
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        for edit in dialog.findChildren(QLineEdit):
            edit.setAccessibleName(self.tr("Password"))
        dialog.textValueSelected.connect(self._password_given)
        dialog.rejected.connect(self._password_refused)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.message.setText(self.tr("Wrong password.") if wrong else
                             self.tr("This PDF is protected by a password."))
        self.password_button.hide()
        self.stack.setCurrentIndex(0)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _password_given(self, password: str) -> None:
        self.dialog = None
        self._open(password)

    def _password_refused(self) -> None:
        self.dialog = None
        self.message.setText(self.tr("This PDF is protected by a password: it is not shown "
                                     "without it."))
        self.password_button.show()

    def _show_document(self, doc: Document, outline: list[tuple[int, str, int | None]]
                       ) -> None:
        self.document = doc
        self.password = self._trying if doc.protected else None
        self._trying = None
        self.renderer = Renderer(doc, self.pool, self)
        self.pdf = PdfView(self.renderer)
        self.stack.addWidget(self.pdf)
        self.stack.setCurrentWidget(self.pdf)
        self.thumbnail_model = ThumbnailModel(self.renderer)
        self.thumbnails.setModel(self.thumbnail_model)
        self.thumbnails.selectionModel().currentChanged.connect(self._thumbnail_chosen)
        self.thumbnails.verticalScrollBar().valueChanged.connect(
            lambda _v: self._want_thumbnails())
        self.renderer.page_ready.connect(self._first_page)
        self.renderer.search_done.connect(self._found)
        self.pdf.current_page_changed.connect(self._page_changed)
        self.pdf.zoom_changed.connect(self._show_zoom)
        self._fill_outline(outline)
        self.side.setTabEnabled(1, self.outline_model.rowCount() > 0)
        self.side.show()
        self.page_box.setRange(1, doc.page_count)
        self.page_of.setText(self.tr("of {n}").format(n=doc.page_count))
        for a in (self.zoom_out_action, self.zoom_in_action, self.fit_action,
                  self.find_action, self.page_action, self.page_of_action):
            a.setEnabled(True)
        self.copy_action.setEnabled(True)
        self.chronology_action.setEnabled(True)
        # right-click on the page: copy the words selected, or make a fact of them
        self.pdf.viewport().setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.pdf.viewport().addActions([self.copy_action, self.chronology_action])
        if doc.protected:
            self.statusBar().showMessage(self.tr("Password-protected PDF, opened read-only"))
        self.pdf.viewport().installEventFilter(self)  # hovering a note shows its text
        self.pdf.rect_dragged.connect(self._dragged)
        self.pdf.page_clicked.connect(self._clicked)
        self.pdf.ink_drawn.connect(self._inked)
        self.pdf.double_clicked.connect(self._double_clicked)
        self.annotation_view.set_hint(self.tr(
            "No annotations yet. Choose a tool above (a box, an ellipse, an arrow, a note, a "
            "redaction mark or a quote) and draw on a page, or find words and highlight them. "
            "Annotations are kept in the vault; the document itself is never changed."))
        self._annotations_ready()
        self.pdf.setFocus()
        self.pdf.fit_width()
        self._show_zoom(self.pdf.zoom)
        self._page_changed(self.pdf.current_page())
        QTimer.singleShot(0, self._want_thumbnails)

    def _first_page(self, page: int) -> None:
        if self.pdf is not None and page in self.pdf.visible_pages():
            assert self.renderer is not None
            self.renderer.page_ready.disconnect(self._first_page)
            self.first_page_seconds = time.perf_counter() - self.started
            self.ready = True
            self.loaded.emit()

    def _fill_outline(self, entries: list[tuple[int, str, int | None]]) -> None:
        self.outline_model.clear()
        parents: list[QStandardItem] = [self.outline_model.invisibleRootItem()]
        for level, title, page in entries:
            item = QStandardItem(title)
            item.setEditable(False)
            item.setData(page, PAGE_ROLE)
            if page is not None:
                item.setToolTip(self.tr("Page {n}").format(n=page + 1))
            depth = max(1, min(level, len(parents)))
            del parents[depth:]
            parents[-1].appendRow(item)
            parents.append(item)

    # ------------------------------------------------------------------ navigation
    def go_to_page(self, page: int) -> None:
        if self.pdf is not None:
            self.pdf.go_to_page(page)

    def _outline_chosen(self, index: QModelIndex) -> None:
        page = index.data(PAGE_ROLE)
        if isinstance(page, int):
            self.go_to_page(page)

    def highlight_found(self) -> int:
        """Highlight every match of the find bar (one highlight a page); how many made."""
        if not self.hits or self.vault is None or self.kind != "pdf":
            return 0
        by_page: dict[int, list[list[float]]] = {}
        for page, rect in self.hits:
            by_page.setdefault(page, []).append(self._stored(page, rect))
        made = sum(self.add("highlight", page, {"rects": rects}) is not None
                   for page, rects in sorted(by_page.items()))
        self.statusBar().showMessage(self.tr("{n} matches highlighted").format(
            n=len(self.hits)) if made else self.tr("Nothing was highlighted"))
        return made

    def mark_found(self) -> Job | None:
        """Mark every match of the find bar for redaction, for review (as "Redact every
        occurrence")."""
        text = self.find_edit.text().strip()
        if not self.hits or not text or self.vault is None or self.kind != "pdf":
            return None
        return self.redact_occurrences(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A tooltip over a PDF page: the text of the note (or mark's reason) under it."""
        if event.type() == QEvent.Type.ToolTip and self.pdf is not None and \
                watched is self.pdf.viewport() and isinstance(event, QHelpEvent):
            text = self.annotation_text_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.pdf.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def annotation_text_at(self, pos: QPointF) -> str:
        """What the annotation under ``pos`` (viewport pixels) says: a note's text, a
        redaction mark's reason, with its author; "" where there is none."""
        if self.pdf is None:
            return ""
        at = self.pdf.map_to_page(pos)
        if at is None:
            return ""
        page, point = at
        for a in reversed(self.marks):
            if a.page == page and (a.text or a.reason) and any(
                    r.adjusted(-2, -2, 2, 2).contains(point) for r in self.shown_rects(a)):
                said = a.text or self.tr("Reason: {reason}").format(reason=a.reason)
                return f"{said}\n— {a.author}"
        return ""

    def _annotation_chosen(self, index: QModelIndex) -> None:
        """Go to the annotation chosen in the list, and select it."""
        a = self.annotation_model.annotation_at(index.row())
        if a is None:
            return
        self.selected = a
        self.edit_action.setEnabled(True)
        self._draw_annotations()
        rects = self.shown_rects(a)
        if self.pdf is not None and self.kind == "pdf":
            if rects:
                self.pdf.ensure_visible(a.page, rects[0])
            else:
                self.go_to_page(a.page)
        self.statusBar().showMessage(self.tr("{kind} by {author} selected: Enter edits it, "
                                             "Delete removes it").format(kind=a.kind,
                                                                         author=a.author))

    def _annotations_changed(self) -> None:
        """The list and the pages' markers follow the annotations as last read."""
        self.annotation_model.set_annotations(self.marks)
        self.annotation_view.update_hint()
        if self.thumbnail_model is not None:
            self.thumbnail_model.set_annotated(self.annotation_model.per_page())
        self.side.setTabText(2, self.tr("Annotations ({n})").format(n=len(self.marks))
                             if self.marks else self.tr("Annotations"))

    def _thumbnail_chosen(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if index.isValid() and self.pdf is not None and index.row() != self.pdf.current_page():
            self.go_to_page(index.row())

    def _page_typed(self, number: int) -> None:
        if self.pdf is not None and number - 1 != self.pdf.current_page():
            self.go_to_page(number - 1)

    def _page_changed(self, page: int) -> None:
        blocked = self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(blocked)
        if self.thumbnail_model is not None:
            selection = self.thumbnails.selectionModel()
            blocked = selection.blockSignals(True)
            index = self.thumbnail_model.index(page)
            self.thumbnails.setCurrentIndex(index)
            self.thumbnails.scrollTo(index)
            selection.blockSignals(blocked)
            self._want_thumbnails()

    def _want_thumbnails(self) -> None:
        """Thumbnails for the rows in sight of the side list (and a few beyond)."""
        if self.renderer is None or self.thumbnail_model is None:
            return
        count = self.thumbnail_model.rowCount()
        area = self.thumbnails.viewport().rect()
        first = self.thumbnails.indexAt(area.topLeft() + QPoint(8, 8))
        last = self.thumbnails.indexAt(area.bottomLeft() + QPoint(8, -8))
        lo = first.row() if first.isValid() else 0
        hi = last.row() if last.isValid() else min(count - 1, lo + 8)
        self.renderer.want_thumbnails(list(range(max(0, lo - 2), min(count, hi + 6))))

    # ------------------------------------------------------------------ zoom
    def zoom_in(self) -> None:
        if self.pdf is not None:
            self.pdf.zoom_in()
        elif self.kind == "photo":
            self.photo.zoom_in()

    def zoom_out(self) -> None:
        if self.pdf is not None:
            self.pdf.zoom_out()
        elif self.kind == "photo":
            self.photo.zoom_out()

    def fit(self) -> None:
        if self.pdf is not None:
            self.pdf.fit_width()
        elif self.kind == "photo":
            self.photo.fit()

    def _show_zoom(self, zoom: float) -> None:
        # A PDF's 100% is its size on paper (a point is 1/72 inch, a screen pixel 1/96).
        percent = zoom * 100 * (72 / 96 if self.pdf is not None else 1)
        self.zoom_label.setText(self.tr("{percent}%").format(percent=round(percent)))

    # ------------------------------------------------------------------ find
    def open_find(self) -> None:
        if self.pdf is None:
            return
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def show_search_hit(self, page: int, text: str,
                        otherwise: Callable[[], object] | None = None) -> None:
        """From the search panel: at ``page`` (from 0), with ``text`` found and the first hit
        on or after that page highlighted; ``otherwise()`` is called instead when the text
        layer has no hit on that page (the hit is in text read by OCR)."""
        self.go_to_page(page)
        self.open_find()
        self.find_edit.setText(text)
        self._otherwise = None if otherwise is None else (page, text, otherwise)
        self._search()

    def show_hits(self, hits: list[tuple[int, QRectF]], text: str) -> None:
        """Highlight these boxes (page from 0, points as displayed) as find hits for ``text``
        (found elsewhere: in text read by OCR), the first one shown."""
        if self.pdf is None:
            return
        self.open_find()
        blocked = self.find_edit.blockSignals(True)  # these hits are not the text layer's
        self.find_edit.setText(text)
        self.find_edit.blockSignals(blocked)
        self.find_timer.stop()
        self._set_hits(hits)
        if hits:
            self._go_to_hit(0)
        else:
            self.find_status.setText(self.tr("No matches"))

    def close_find(self) -> None:
        self.find_bar.hide()
        self.find_timer.stop()
        self._set_hits([])
        self.find_status.clear()
        if self.pdf is not None:
            self.pdf.setFocus()

    def _find_return(self) -> None:
        if self.find_timer.isActive() or not self.hits:
            self.find_timer.stop()
            self._search()
        else:
            self.next_hit()

    def _search(self) -> None:
        self.find_timer.stop()
        text = self.find_edit.text()
        if self.renderer is None:
            return
        if not text.strip():
            self._set_hits([])
            self.find_status.clear()
            return
        self.find_status.setText(self.tr("Searching…"))
        self.renderer.search(text)

    def _found(self, text: str, found: list[tuple[int, list[tuple[float, float, float, float]]]]
               ) -> None:
        if text != self.find_edit.text() or self.pdf is None:
            return
        hits = [(page, QRectF(x0, y0, x1 - x0, y1 - y0)) for page, rects in found
                for x0, y0, x1, y1 in rects]
        otherwise, self._otherwise = self._otherwise, None
        if otherwise is not None and otherwise[1] == text and all(
                page != otherwise[0] for page, _r in hits):
            otherwise[2]()  # nothing in the text layer there: the hit is in OCR text
            return
        self._set_hits(hits)
        if not hits:
            self.find_status.setText(self.tr("No matches"))
            return
        here = self.pdf.current_page()
        self._go_to_hit(next((i for i, (page, _r) in enumerate(hits) if page >= here), 0))

    def _set_hits(self, hits: list[tuple[int, QRectF]]) -> None:
        self.hits, self.hit_index = hits, -1
        for b in (self.highlight_found_button, self.mark_found_button):
            b.setEnabled(bool(hits) and self.vault is not None)
        if self.pdf is None:
            return
        by_page: dict[int, list[QRectF]] = {}
        for page, rect in hits:
            by_page.setdefault(page, []).append(rect)
        self.pdf.set_overlay("find", by_page, FIND_COLOUR)
        self.pdf.clear_overlay("find-current")

    def _go_to_hit(self, i: int) -> None:
        if not self.hits or self.pdf is None:
            return
        self.hit_index = i % len(self.hits)
        page, rect = self.hits[self.hit_index]
        self.pdf.set_overlay("find-current", {page: [rect]}, CURRENT_COLOUR)
        self.pdf.ensure_visible(page, rect)
        self.find_status.setText(self.tr("{i} of {n}").format(i=self.hit_index + 1,
                                                               n=len(self.hits)))

    def next_hit(self) -> None:
        self._go_to_hit(self.hit_index + 1)

    def previous_hit(self) -> None:
        self._go_to_hit(self.hit_index - 1 if self.hit_index >= 0 else -1)

    # ------------------------------------------------------------------ copy
    def copy(self) -> None:
        if self.pdf is not None:
            text = self.pdf.copy_selection()
            if text:
                self.copied = text

    def add_to_chronology(self) -> None:
        """A fact citing the words selected on the page (the chronology's dialog opens, the
        citation and a date found in the words filled in)."""
        chosen = self.pdf.selected_rects() if self.pdf is not None else None
        text = " ".join(self.pdf.selected_text().split()) if self.pdf is not None else ""
        if chosen is None or not text:
            self.statusBar().showMessage(self.tr(
                "Select the words first (drag across them), then Add to chronology."), 8000)
            return
        self.chronology_requested.emit(self.ref, chosen[0] + 1, text)

    def cite_area(self, page: int, region: list[float]) -> None:
        self.area_requested.emit(self.ref, page + 1 if self.kind == "pdf" else 0, region)

    # ------------------------------------------------------------------ closing
    def lock_closed(self) -> None:
        """The vault was locked: close, and take back from the clipboard what was copied
        from this viewer."""
        clipboard = QGuiApplication.clipboard()
        copied = {self.copied, self.pdf.copied if self.pdf is not None else ""} - {""}
        if clipboard.text() in copied:
            clipboard.clear()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.drop()
        super().closeEvent(event)

    def drop(self) -> None:
        """Drop everything decrypted or drawn: the document and its bytes, pages,
        thumbnails, words, hits, the photo's pixels."""
        self._vault = self.vault = None
        self.password = self._trying = None
        self.marks, self.review, self.selected = [], [], None
        for d in (self.ask, self.notice):
            if d is not None and shiboken6.isValid(d):
                d.close()
        self.ask = self.notice = None
        for job in self.jobs:
            job.cancel()
        self.find_timer.stop()
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()  # (locking may have destroyed it already)
        self.dialog = None
        if self.renderer is not None:
            self.renderer.close()  # waits for the page being drawn
        self.pool.clear()
        self.pool.waitForDone()
        if self.document is not None:
            self.document.close()
        self.jobs.clear()
        self.hits, self.hit_index = [], -1
        if self.pdf is not None:
            self.pdf.clear()
        if self.thumbnail_model is not None:
            self.thumbnail_model.clear()
        self.outline_model.clear()
        self.photo.clear()
        self.find_edit.clear()
        self.find_status.clear()
        self.message.clear()
        self.statusBar().clearMessage()


def open_viewer(window: WindowHost, ref: str) -> ViewerWindow:
    """Open the viewer on ``ref`` from the main window: a window of its own, closed (and
    emptied) when the vault locks."""
    v = window.vault
    if v is None:
        raise RuntimeError("the vault is locked")
    viewer = ViewerWindow(v, ref, window)
    window.locking.connect(viewer.lock_closed)  # before the vault closes
    viewer.derived.connect(lambda _ref: window.refresh())
    viewer.open_copy.connect(window.open_viewer)  # the copy just made, to check it
    viewer.chronology_requested.connect(window.add_to_chronology)
    viewer.area_requested.connect(
        lambda ref, page, region: window.add_to_chronology(ref, page, "", region))
    viewer.show()
    return viewer
