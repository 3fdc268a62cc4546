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
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
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
    QActionGroup,
    QCloseEvent,
    QColor,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.messages import user_message
from ui.pdf_view import CURRENT_COLOUR, FIND_COLOUR, THUMB_SIZE, PdfView, Renderer
from ui.photo_view import PhotoView
from ui.worker import Job, start
from vault.annotations import (
    DEFAULT_COLOUR,
    Annotation,
    NotAuthor,
    add_annotation,
    delete_annotation,
    edit_annotation,
)
from vault.annotations import annotations as annotations_of
from vault.document import PDF, Document, PasswordRequired, WrongPassword
from vault.items import get_item
from vault.vault import Vault

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
PAGE_ROLE = Qt.ItemDataRole.UserRole + 1
FIND_DELAY_MS = 300
NOTE_SIZE = 16.0  # points: the side of a note's square
REDACTION_FILL = QColor(0, 0, 0, 40)
REDACTION_OUTLINE = QColor(0, 0, 0)
REVIEW_COLOUR = QColor(220, 0, 0, 70)
SELECTED_OUTLINE = QColor(0, 90, 255)
ALPHA = {"highlight": 90, "underline": 140, "strikeout": 140, "note": 150, "rectangle": 50,
         "ellipse": 50, "ink": 90}
MARKUP = ("highlight", "underline", "strikeout")
LINES = ("ink", "arrow", "label")  # drawn as lines or text, not boxes
LABEL_BOX = 24.0  # pixels: the side of the box that selects a label


class ThumbnailModel(QAbstractListModel):
    """One row a page: its number, and its thumbnail once drawn (a blank of the page's
    shape until then)."""

    def __init__(self, renderer: Renderer) -> None:
        super().__init__()
        self.renderer: Renderer | None = renderer
        self._count = renderer.page_count
        self._blanks: dict[tuple[int, int], QPixmap] = {}
        renderer.thumbnail_ready.connect(self._ready)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count or self.renderer is None:
            return None
        page = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(page + 1)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self.tr("Page {n}").format(n=page + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.renderer.thumbnail(page) or self._blank(page)
        if role == PAGE_ROLE:
            return page
        return None

    def _blank(self, page: int) -> QPixmap:
        assert self.renderer is not None
        w, h = self.renderer.sizes[page]
        longest = max(w, h)
        size = (max(1, round(THUMB_SIZE * w / longest)), max(1, round(THUMB_SIZE * h / longest)))
        if size not in self._blanks:
            blank = QPixmap(*size)
            blank.fill(Qt.GlobalColor.white)
            self._blanks[size] = blank
        return self._blanks[size]

    def _ready(self, page: int) -> None:
        if 0 <= page < self._count:
            index = self.index(page)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def clear(self) -> None:
        self.beginResetModel()
        self._count = 0
        self.renderer = None
        self._blanks.clear()
        self.endResetModel()


class ViewerWindow(QMainWindow):
    """Shows the item ``ref`` of ``v``; ``parent`` is the main window (its child, so that it
    goes with it). :attr:`loaded` is emitted once the content is on screen, :attr:`problem`
    when it cannot be."""

    loaded = Signal()
    problem = Signal(str)
    derived = Signal(str)  # the reference of a copy made from this item

    def __init__(self, v: Vault, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._vault: Vault | None = v
        self.vault: Vault | None = v  # kept (unlike _vault) for annotating, until closed
        self.password: str | None = None  # what opened a password-protected PDF
        self._trying: str | None = None
        self.marks: list[Annotation] = []  # the item's annotations, as last read
        self.selected: Annotation | None = None
        self.review: list[Annotation] = []  # marks just added by "redact every occurrence"
        self.tool = "select"
        self.ask: QDialog | None = None  # an open annotation dialog (note text, reason...)
        self.notice: QMessageBox | None = None
        self.notices: list[str] = []  # every message shown, newest last
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
        self.resize(1100, 850)
        if item.status != "present":
            self._show_problem(self.tr("{ref} was purged: there is nothing to show.").format(
                ref=item.ref))
        elif not self.kind:
            self._show_problem(self.tr("There is no viewer for this type ({mime}).").format(
                mime=item.mime))
        else:
            self._open(None)

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
        for w in (self.find_edit, self.find_previous, self.find_next, self.find_status,
                  self.find_close):
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
        split.setSizes([THUMB_SIZE + 60, 900])
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
        self.copy_action = action(self.tr("&Copy"), self.copy, toolbar=False)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
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
                from vault.document import open_photo

                width, height, rgb = open_photo(v, ref)
                return QImage(rgb, width, height, 3 * width,
                              QImage.Format.Format_RGB888).convertToFormat(
                                  QImage.Format.Format_RGB32)
            from vault.document import open_document

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
        if doc.protected:
            self.statusBar().showMessage(self.tr("Password-protected PDF, opened read-only"))
        self.pdf.rect_dragged.connect(self._dragged)
        self.pdf.page_clicked.connect(self._clicked)
        self.pdf.ink_drawn.connect(self._inked)
        self.pdf.double_clicked.connect(self._double_clicked)
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

    def show_search_hit(self, page: int, text: str) -> None:
        """From the search panel: at ``page`` (from 0), with ``text`` found and the first hit
        on or after that page highlighted."""
        self.go_to_page(page)
        self.open_find()
        self.find_edit.setText(text)
        self._search()

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
        self._set_hits(hits)
        if not hits:
            self.find_status.setText(self.tr("No matches"))
            return
        here = self.pdf.current_page()
        self._go_to_hit(next((i for i, (page, _r) in enumerate(hits) if page >= here), 0))

    def _set_hits(self, hits: list[tuple[int, QRectF]]) -> None:
        self.hits, self.hit_index = hits, -1
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

    # ------------------------------------------------------------------ annotation
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
                 "ink": self.tr("Ink"), "arrow": self.tr("Arrow"), "label": self.tr("Label")}
        tools = (("select", "highlight", "underline", "strikeout", "note", "rectangle", "ink",
                  "redaction") if self.kind == "pdf" else
                 ("select", "rectangle", "ellipse", "arrow", "label", "redaction")
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

        def action(text: str, slot: Callable[[], Any]) -> QAction:
            a = QAction(text, self)
            a.triggered.connect(slot)
            a.setEnabled(False)
            bar.addAction(a)
            bar.widgetForAction(a).setAccessibleName(text.replace("&", "").rstrip("…"))
            return a

        self.occurrences_action = action(self.tr("Redact every &occurrence…"),
                                         self.ask_occurrences)
        self.occurrences_action.setVisible(self.kind == "pdf")
        self.annotated_action = action(self.tr("Make &annotated copy"),
                                       lambda: self.make_copy("annotated"))
        self.redacted_action = action(self.tr("Make &redacted copy"),
                                      lambda: self.make_copy("redacted"))
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

    def shown_rects(self, a: Annotation) -> list[QRectF]:
        """The annotation's boxes as displayed (points of the page, or photo pixels)."""
        g = a.geometry
        boxes: list[list[float]] = (list(g["rects"]) if "rects" in g else
                                    [g["rect"]] if "rect" in g else [])
        if "strokes" in g:
            points = [p for stroke in g["strokes"] for p in stroke]
            if points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                boxes = [[min(xs), min(ys), max(xs), max(ys)]]
        if "from" in g:
            (x0, y0), (x1, y1) = g["from"], g["to"]
            boxes = [[min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]]
        if "at" in g:
            x, y = g["at"]
            boxes = [[x, y, x + LABEL_BOX, y + LABEL_BOX]]
        out = []
        for b in boxes:
            x0, y0, x1, y1 = (float(c) for c in b)
            if self.document is not None:
                x0, y0, x1, y1 = self.document.from_unrotated(a.page, (x0, y0, x1, y1))
            out.append(QRectF(x0, y0, x1 - x0, y1 - y0))
        return out

    def _draw_annotations(self) -> None:
        layers: dict[str, dict[int, list[QRectF]]] = {}
        colours: dict[str, QColor] = {}
        for a in self.marks:
            if a.kind in LINES:
                continue
            layer = f"annotation-{a.kind}"
            layers.setdefault(layer, {}).setdefault(a.page, []).extend(self.shown_rects(a))
            colour = QColor(a.colour)
            colour.setAlpha(ALPHA.get(a.kind, 90))
            colours.setdefault(layer, colour)
        review = {a.id for a in self.review}
        extra = {"annotation-review": ([a for a in self.marks if a.id in review],
                                       REVIEW_COLOUR, REDACTION_OUTLINE),
                 "annotation-selected": ([self.selected] if self.selected else [],
                                         QColor(0, 0, 0, 0), SELECTED_OUTLINE)}
        if self.pdf is not None:
            pdf = self.pdf
            for name in [n for n in pdf.layer_names() if n.startswith("annotation-")]:
                pdf.clear_overlay(name)
            for layer, rects in layers.items():
                redaction = layer == "annotation-redaction"
                pdf.set_overlay(layer, rects, REDACTION_FILL if redaction else colours[layer],
                                REDACTION_OUTLINE if redaction else None)
            for layer, (marks, fill, outline) in extra.items():
                by_page: dict[int, list[QRectF]] = {}
                for a in marks:
                    by_page.setdefault(a.page, []).extend(self.shown_rects(a))
                pdf.set_overlay(layer, by_page, fill, outline)
            strokes: dict[int, list[list[QPointF]]] = {}
            for a in self.marks:
                if a.kind == "ink":
                    strokes.setdefault(a.page, []).extend(self.shown_strokes(a))
            for colour_name in {a.colour for a in self.marks if a.kind == "ink"}:
                pdf.set_lines(f"annotation-ink-{colour_name}", {
                    p: [s for a in self.marks if a.kind == "ink" and a.colour == colour_name
                        and a.page == p for s in self.shown_strokes(a)]
                    for p in strokes}, QColor(colour_name))
        elif self.kind == "photo":
            photo = self.photo
            for name in [n for n in photo.layer_names() if n.startswith("annotation-")]:
                photo.clear_overlay(name)
            for layer, rects in layers.items():
                redaction = layer == "annotation-redaction"
                photo.set_overlay(layer, rects.get(0, []),
                                  REDACTION_FILL if redaction else colours[layer],
                                  REDACTION_OUTLINE if redaction else None,
                                  ellipse=layer == "annotation-ellipse")
            for layer, (marks, fill, outline) in extra.items():
                photo.set_overlay(layer, [r for a in marks for r in self.shown_rects(a)],
                                  fill, outline)
            for i, a in enumerate(m for m in self.marks if m.kind == "arrow"):
                photo.set_arrows(f"annotation-arrow-{i}", [
                    (QPointF(*a.geometry["from"]), QPointF(*a.geometry["to"]))],
                    QColor(a.colour))
            for i, a in enumerate(m for m in self.marks if m.kind == "label"):
                photo.set_labels(f"annotation-label-{i}", [(QPointF(*a.geometry["at"]), a.text)],
                                 QColor(a.colour))

    def shown_strokes(self, a: Annotation) -> list[list[QPointF]]:
        """An ink annotation's strokes as displayed (points of the page)."""
        out = []
        for stroke in a.geometry.get("strokes", []):
            points = []
            for x, y in stroke:
                if self.document is not None:
                    x, y, _, _ = self.document.from_unrotated(a.page, (x, y, x, y))
                points.append(QPointF(x, y))
            out.append(points)
        return out

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
                                                    reason=values[0]))

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
        text_edit = reason_edit = None
        if a.kind in ("note", "label"):
            text_edit = QLineEdit(a.text)
            text_edit.setAccessibleName(self.tr("Text"))
            form.addRow(self.tr("Text:"), text_edit)
        if a.kind == "redaction":
            reason_edit = QLineEdit(a.reason)
            reason_edit.setAccessibleName(self.tr("Reason"))
            form.addRow(self.tr("Reason:"), reason_edit)
        colour_box = QComboBox()
        colour_box.setAccessibleName(self.tr("Colour"))
        for name, value in self.colours.items():
            colour_box.addItem(name, value)
        if colour_box.findData(a.colour) < 0:
            colour_box.addItem(a.colour, a.colour)
        colour_box.setCurrentIndex(colour_box.findData(a.colour))
        other = QPushButton(self.tr("Other colour…"))
        other.setAccessibleName(self.tr("Other colour"))

        def pick() -> None:
            chosen = QColorDialog.getColor(QColor(str(colour_box.currentData())), dialog,
                                           self.tr("Annotation colour"))
            if chosen.isValid():
                name = chosen.name()
                if colour_box.findData(name) < 0:
                    colour_box.addItem(name, name)
                colour_box.setCurrentIndex(colour_box.findData(name))

        other.clicked.connect(pick)
        row = QHBoxLayout()
        row.addWidget(colour_box, 1)
        row.addWidget(other)
        form.addRow(self.tr("Colour:"), row)
        return self._open_small_dialog(dialog, form, lambda: self.apply_edit(
            a, text=None if text_edit is None else text_edit.text(),
            reason=None if reason_edit is None else reason_edit.text(),
            colour=str(colour_box.currentData())))

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
        edits = []
        for label in labels:
            edit = QLineEdit()
            edit.setAccessibleName(label.rstrip(":"))
            form.addRow(label, edit)
            edits.append(edit)
        return self._open_small_dialog(dialog, form, lambda: done([e.text() for e in edits]))

    def _small_dialog(self, title: str) -> tuple[QDialog, QFormLayout]:
        """A new small dialog (closing the one open before) with a form to fill."""
        if self.ask is not None and shiboken6.isValid(self.ask):
            self.ask.close()
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        return dialog, QFormLayout(dialog)

    def _open_small_dialog(self, dialog: QDialog, form: QFormLayout,
                           accepted: Callable[[], Any]) -> QDialog:
        """OK and Cancel under the form; opened (not modal to the app); ``accepted`` runs on
        OK; the dialog is deleted when it closes."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.setAccessibleName(self.tr("{title} buttons").format(title=dialog.windowTitle()))
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)

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
                               lambda values: self.redact_occurrences(*values))

    def redact_occurrences(self, word: str, reason: str = "") -> Job | None:
        """Mark every occurrence of ``word`` for redaction (in the background), then show the
        new marks for review."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from vault.derive import mark_every_occurrence

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

    def make_copy(self, which: str) -> Job | None:
        """Make the annotated (``which`` "annotated") or redacted copy as a new item, in the
        background; :attr:`derived` says its reference."""
        v, ref, password = self.vault, self.ref, self.password
        if v is None:
            return None
        from vault.derive import annotated_copy, redacted_copy

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

        self.statusBar().showMessage(self.tr("Making the copy…"))
        return self._run(work, done)

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


def open_viewer(window: MainWindow, ref: str) -> ViewerWindow:
    """Open the viewer on ``ref`` from the main window: a window of its own, closed (and
    emptied) when the vault locks."""
    v = window.vault
    if v is None:
        raise RuntimeError("the vault is locked")
    viewer = ViewerWindow(v, ref, window)
    window.locking.connect(viewer.lock_closed)  # before the vault closes
    viewer.derived.connect(lambda _ref: window.refresh())
    viewer.show()
    return viewer
