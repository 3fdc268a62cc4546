"""The main window: cases on the left, the evidence list (table or thumbnail grid) in the
middle, the detail pane on the right; import by drop or menu, export, verify, health, lock."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QObject,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QPixmapCache,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFrame,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.action_icons import decorate
from ui.chronology_ui import ChronologyFeature
from ui.court_ui import CourtFeature
from ui.detail import DetailPane
from ui.empty_states import EmptyList
from ui.host import WindowHost
from ui.icons import Icons, toolbar_icon_size
from ui.models import ITEM_ROLE, CaseModel, ItemFilter, ItemModel, counted, row_text
from ui.operations import (
    ExportDialog,
    ImportDialog,
    ImportSummary,
    ImportSummaryDialog,
    ProgressDialog,
    RedactDialog,
    ResultDialog,
    VerifyDialog,
    import_work,
)
from ui.screen_fit import fit_size
from ui.search_panel import SearchFeature
from ui.session import IDLE_LOCK_MS
from ui.theme import Theme, appearance_menu
from ui.timestamps_ui import TimestampsFeature
from ui.worker import Job, start
from vault.errors import VaultError
from vault.evidence.items import Item, count_items, get_item, list_cases, list_items
from vault.search.index import given_up, text_problem
from vault.store.keyslots import KdfParams
from vault.store.vault import Vault

PACKAGE_SUFFIXES = (".zip", ".age")

if TYPE_CHECKING:
    from ui.self_test_ui import SelfTestRun


# a list read: the items, the order they are in (None: not ordered yet), each one's text to
# filter in by reference (None: made when first needed)
Listed = tuple[list[Item], tuple[int, Qt.SortOrder] | None, dict[str, str] | None]


class MainWindow(WindowHost):
    locked = Signal()  # the vault is closed and every decrypted thing dropped
    idle_minutes_changed = Signal(int)
    # from this many items in the vault, the list is read on the pool (10,000 took 50-100 ms
    # of the GUI thread: bench/bench_gui.py); a shorter one is read at once
    READ_IN_BACKGROUND = 2000

    def __init__(self, v: Vault, *, idle_ms: int = IDLE_LOCK_MS,
                 kdf: KdfParams | None = None, theme: Theme | None = None) -> None:
        super().__init__()
        self.icons = Icons(self)  # tinted for the palette, again when it changes
        self.theme = theme
        self.vault: Vault | None = v
        self.kdf = kdf  # a new key slot's cost: measured here unless given (tests)
        self.jobs: set[Job] = set()  # running jobs (kept alive until they report)
        self.dialog: Any = None  # the last dialog opened (tests look at it)
        self.thumbnails_asked: set[str] = set()  # refs a thumbnail job has been given
        self.review: list[str] = []  # items with redaction marks waiting for their copies
        self.last_folder = ""  # where the last import came from (file dialogs start there)
        self.quitting = False  # locked to quit: no unlock screen after
        self._locking = False  # inside lock(): a second request (a timer, the session) waits
        self._readings = 0  # lists asked for; only the latest one read is shown
        self._waiting = 0  # the reading under way in the background (0: none)
        self._after_listing: list[Callable[[], None]] = []  # to do once it is shown
        # the list's own thread: never queued behind indexing or OCR on the global pool
        self.list_pool = QThreadPool(self)
        self.list_pool.setMaxThreadCount(1)
        self.setWindowTitle(self.tr("Evidence Vault: {name}").format(
            name=v.folder.name.removesuffix(".evault")))
        self.setAccessibleName(self.tr("Evidence Vault"))
        self.setAcceptDrops(True)
        self.cases = CaseModel()
        self.items = ItemModel()
        self.filtered = ItemFilter(self.items)
        self._build()
        self._actions()
        self.search = SearchFeature(self)  # search panel, tags, OCR in the background
        self.search.text_jobs.details_read.connect(self._details_read)
        self.search.text_jobs.items_added.connect(self.refresh)
        self.timestamps = TimestampsFeature(self)  # trusted time: TSAs, queue, history checks
        self.chronology = ChronologyFeature(self)  # who knew what, and when
        self.court = CourtFeature(self, self.selected_refs)  # exhibits for court
        self._key_actions()  # last in the Vault menu, after the features' entries
        decorate(self, self.icons)  # every menu and toolbar action gets its icon
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(idle_ms)
        self.idle.timeout.connect(self.lock)
        self.idle.start()
        found = [*v.open_warnings, *v.kdf_warnings, *v.notices]
        self.open_problems.setText("\n".join(
            self.tr("Warning: {problem}").format(problem=w[:1].upper() + w[1:])
            for w in found))
        self.open_problems.setVisible(bool(found))
        self.refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.case_view = QListView()
        self.case_view.setModel(self.cases)
        self.case_view.setAccessibleName(self.tr("Cases"))
        self.case_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter the list (any column)"))
        self.filter.setAccessibleName(self.tr("Filter"))
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setModel(self.filtered)
        self.table.setAccessibleName(self.tr("Evidence list"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.grid = QListView()
        self.grid.setModel(self.filtered)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(128, 128))
        self.grid.setGridSize(QSize(150, 170))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setUniformItemSizes(True)  # fast layout; the placeholder fixes the size
        blank = QPixmap(128, 128)
        blank.fill(Qt.GlobalColor.transparent)
        self.items.placeholder = QIcon(blank)
        self.grid.setSelectionModel(self.table.selectionModel())
        self.grid.setAccessibleName(self.tr("Thumbnail grid"))
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.views = QStackedWidget()
        self.views.addWidget(self.table)
        self.views.addWidget(self.grid)
        self.empty_page = EmptyList()  # a case with nothing in it yet: how to start
        self.empty_page.import_files.connect(lambda: self._choose_import())
        self.empty_page.import_folder.connect(lambda: self._choose_import_folder())
        self.views.addWidget(self.empty_page)
        middle = QWidget()
        layout = QVBoxLayout(middle)
        layout.setContentsMargins(0, 0, 0, 0)
        # What opening the vault found wrong (a rolled-back log, a weakened key slot): said
        # at the top until the vault is locked, never in a dialog that blocks the work.
        self.open_problems = QLabel()
        self.open_problems.setTextFormat(Qt.TextFormat.PlainText)
        self.open_problems.setWordWrap(True)
        self.open_problems.setAccessibleName(self.tr("Problems found when opening the vault"))
        self.open_problems.setStyleSheet(
            "QLabel { background: #fde7e9; color: #7a0010; border: 1px solid #c50f1f;"
            " padding: 6px; }")
        layout.addWidget(self.open_problems)
        layout.addWidget(self.filter)
        layout.addWidget(self.views)
        self.detail = DetailPane()
        split = QSplitter()
        split.addWidget(self.case_view)
        split.addWidget(middle)
        detail_area = QScrollArea()  # the details scroll: the window fits a small screen
        detail_area.setWidget(self.detail)
        detail_area.setWidgetResizable(True)
        detail_area.setFrameShape(QFrame.Shape.NoFrame)
        detail_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # never so narrow that its values wrap word by word (a panel docked beside takes the
        # list's room instead)
        detail_area.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        split.addWidget(detail_area)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        em = self.fontMetrics().averageCharWidth()  # sizes follow the text size
        split.setSizes([max(150, 16 * em), max(640, 80 * em), max(420, 52 * em)])
        for column, characters in ((0, 13), (1, 32), (2, 18), (3, 10)):
            self.table.setColumnWidth(column, characters * em)
        # the date received whole, at any text size (a longest date, as short_time writes it)
        self.table.setColumnWidth(4, self.table.fontMetrics().horizontalAdvance(
            "30 Sep 2026, 09:30") + 3 * self.table.fontMetrics().averageCharWidth())
        self.setCentralWidget(split)
        self.filter.textChanged.connect(self.filtered.set_filter)
        self.case_view.selectionModel().currentChanged.connect(lambda *_: self._load_items())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.detail.note_requested.connect(self.add_note)
        self.detail.open_requested.connect(self.open_viewer)
        # Enter, or a double-click, opens the exhibit.
        self.table.activated.connect(lambda index: self.open_viewer(
            self.filtered.data(index, ITEM_ROLE)))
        self.grid.activated.connect(lambda index: self.open_viewer(
            self.filtered.data(index, ITEM_ROLE)))
        fit_size(self, 1280, 800)

    def _actions(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("main-toolbar")
        bar.setAccessibleName(self.tr("Main toolbar"))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(toolbar_icon_size(self))
        bar.setMovable(False)
        self.addToolBar(bar)
        self.toolbar = bar
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        vault_menu = self.menuBar().addMenu(self.tr("&Vault"))  # the features add theirs
        self.card_action = QAction(self.tr("My signing &fingerprint card…"), self)
        self.card_action.triggered.connect(lambda _checked=False: self.show_fingerprint_card())
        vault_menu.addAction(self.card_action)
        self.trust_root_action = QAction(self.tr("Trust an organisation's &root…"), self)
        self.trust_root_action.triggered.connect(lambda _checked=False: self.trust_root())
        vault_menu.addAction(self.trust_root_action)
        self.vault_menu = vault_menu
        self.view_menu = view_menu

        def action(text: str, slot: Any, shortcut: Any = None,
                   menu: Any = file_menu, toolbar: bool = True, tip: str = "") -> QAction:
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(shortcut)
            a.triggered.connect(slot)
            menu.addAction(a)
            if tip:
                a.setToolTip(tip)
                a.setStatusTip(tip)
            if toolbar:
                bar.addAction(a)
                bar.widgetForAction(a).setAccessibleName(text.replace("&", "").rstrip("…"))
            return a

        # The toolbar in groups: bring evidence in | send it and check what was sent |
        # look after the vault | how the list is shown, and Lock at the far end.
        self.import_action = action(self.tr("&Import…"), self._choose_import,
                                    QKeySequence.StandardKey.Open,
                                    tip=self.tr("Bring files in as evidence (or drop them "
                                                "on the list)"))
        self.import_folder_action = action(self.tr("Import a &folder…"),
                                           self._choose_import_folder,
                                           QKeySequence("Ctrl+Shift+O"), toolbar=False)
        self.new_case_action = action(self.tr("&New case…"), self.new_case, None,
                                      toolbar=False)
        file_menu.addSeparator()
        bar.addSeparator()
        self.export_action = action(self.tr("&Export package…"), self.open_export,
                                    QKeySequence("Ctrl+E"),
                                    tip=self.tr("Make a signed package of a case for a "
                                                "solicitor"))
        self.verify_action = action(self.tr("&Verify package…"), self._choose_package,
                                    QKeySequence("Ctrl+Shift+V"),
                                    tip=self.tr("Check that a package is intact and who "
                                                "signed it"))
        bar.addSeparator()
        self.health_action = action(self.tr("Vault &health"), self.run_health,
                                    QKeySequence("Ctrl+H"),
                                    tip=self.tr("Check that every file and the custody log "
                                                "are intact"))
        self.grid_action = action(self.tr("&Thumbnail grid"), self._toggle_grid,
                                  QKeySequence("Ctrl+G"), view_menu)
        self.grid_action.setCheckable(True)
        self.grid_action.setToolTip(self.tr("Show the evidence as pictures instead of a list"))
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        spacer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar.addWidget(spacer)
        self.view_action = action(self.tr("&Open in the viewer"), self._view_current,
                                  QKeySequence("Ctrl+Return"), view_menu, toolbar=False)
        file_menu.addSeparator()
        self.redact_action = action(self.tr("&Redact every occurrence…"),
                                    self.open_redact_everywhere, None, file_menu,
                                    toolbar=False)
        self.withdraw_action = action(self.tr("&Withdraw a copy that leaked…"),
                                      self.open_withdraw, None, file_menu, toolbar=False)
        self._sort_menu(view_menu)
        view_menu.addSeparator()
        self.idle_action = action(self.tr("Lock after &idle time…"), self.choose_idle_minutes,
                                  None, view_menu, toolbar=False)
        if self.theme is not None:
            appearance_menu(view_menu, self.theme)
        file_menu.addSeparator()
        self.lock_action = action(self.tr("&Lock"), self.lock, QKeySequence("Ctrl+L"),
                                  tip=self.tr("Close the vault; the passphrase opens it "
                                              "again"))
        self.quit_action = action(self.tr("&Quit"), self.quit, QKeySequence("Ctrl+Q"),
                                  toolbar=False)
        self.help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.guide_action = action(self.tr("&User guide"), self.open_guide,
                                   QKeySequence.StandardKey.HelpContents, self.help_menu,
                                   toolbar=False)
        self.self_test_action = action(self.tr("&Check this installation…"), self.run_self_test,
                                       None, self.help_menu, toolbar=False)

    def _sort_menu(self, view_menu: QMenu) -> None:
        """View > Sort the list by: the header's sorting, from the keyboard (a header takes no
        focus). Choosing the column already sorted on reverses its order."""
        menu = view_menu.addMenu(self.tr("&Sort the list by"))
        group = QActionGroup(menu)
        group.setExclusive(True)
        self.sort_actions: list[QAction] = []
        for column, name in enumerate(ItemModel.SHOWN):
            a = menu.addAction(self.tr(name))
            a.setCheckable(True)
            group.addAction(a)
            a.triggered.connect(lambda _checked=False, c=column: self._sort_by(c))
            self.sort_actions.append(a)
        header = self.table.horizontalHeader()
        header.sortIndicatorChanged.connect(
            lambda column, _order: self.sort_actions[column].setChecked(True)
            if 0 <= column < len(self.sort_actions) else None)
        self.sort_actions[header.sortIndicatorSection()].setChecked(True)

    def _sort_by(self, column: int) -> None:
        header = self.table.horizontalHeader()
        order = Qt.SortOrder.AscendingOrder
        if header.sortIndicatorSection() == column:
            order = (Qt.SortOrder.DescendingOrder
                     if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
                     else Qt.SortOrder.AscendingOrder)
        self.table.sortByColumn(column, order)

    def open_guide(self) -> None:
        """The user guide (docs/user-guide.md), shown in a window of its own."""
        from ui.guide import GuideWindow

        self.dialog = GuideWindow(self)
        self.dialog.show()

    def _key_actions(self) -> None:
        self.vault_menu.addSeparator()
        self.passphrase_action = QAction(self.tr("Change the &passphrase…"), self)
        self.passphrase_action.triggered.connect(
            lambda _checked=False: self.change_passphrase())
        self.vault_menu.addAction(self.passphrase_action)
        self.rekey_action = QAction(self.tr("&Replace the keys (a secret was seen)…"), self)
        self.rekey_action.triggered.connect(
            lambda _checked=False: self.change_passphrase(seen=True))
        self.vault_menu.addAction(self.rekey_action)

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        v = self._open_vault()
        current = self.current_case()
        blocked = self.case_view.selectionModel().blockSignals(True)  # one load, below
        try:
            self.cases.set_cases(list_cases(v))
            row = next((r for r in range(self.cases.rowCount())
                        if self.cases.case_at(r) == current), 0)
            self.case_view.setCurrentIndex(self.cases.index(row))
        finally:
            self.case_view.selectionModel().blockSignals(blocked)
        # the panels first: their queries would otherwise wait for the list's reading,
        # which has the vault's connection while it runs
        self.search.refreshed()
        self.timestamps.refreshed()
        self.chronology.refreshed()
        self._load_items()

    def _details_read(self, ref: str) -> None:
        """An item's details were read in the background: its row, and the pane if shown."""
        if self.vault is None:
            return
        try:
            self.items.replace_item(get_item(self.vault, ref))
        except VaultError:
            return
        index = self.table.currentIndex()
        if index.isValid() and self.filtered.data(index, ITEM_ROLE) == ref:
            self._show_current()

    def current_case(self) -> str | None:
        index = self.case_view.currentIndex()
        return self.cases.case_at(index.row()) if index.isValid() else None

    def _load_items(self) -> None:
        """Read the list again. A long one (:attr:`READ_IN_BACKGROUND` items or more) is
        read on the pool, so the window never waits for it: it shows the list it has until
        the new one is ready (only the latest reading is shown)."""
        if self.vault is None or self._locking:  # no reading starts while the vault closes
            return
        v, case = self.vault, self.current_case()
        self._readings += 1
        reading = self._readings
        if count_items(v) < self.READ_IN_BACKGROUND:
            self._listed(reading, (list_items(v, case), None, None))
            return
        order = self.items.sorted_by

        def read(_cancel: Any) -> Listed:
            with v.db_lock:
                items = list_items(v, case)
            return ItemModel.ordered(items, *order), order, {i.ref: row_text(i) for i in items}

        job = Job(read)
        self._waiting = reading

        def done(listed: Listed) -> None:
            self.jobs.discard(job)
            self._listed(reading, listed)

        def failed(message: str, _bug: bool) -> None:
            self.jobs.discard(job)
            self._list_failed(reading, message)

        job.finished.connect(done)
        job.failed.connect(failed)
        self.jobs.add(job)
        start(job, self.list_pool)

    def _listed(self, reading: int, listed: Listed) -> None:
        """The list read (in the order it names, with each row's text to filter in, when
        read in the background); shown if it is the latest asked for."""
        if reading != self._readings or self.vault is None or self._locking:
            return
        self._waiting = 0
        items, ordered_by, texts = listed
        self.items.set_items(items, ordered_by=ordered_by, texts=texts)
        self._show_view()
        gc.freeze()  # the list's many long-lived objects: no longer scanned by every collection
        self.detail.clear()
        self.thumbnails_asked.clear()
        if self.views.currentWidget() is self.grid:
            self._load_thumbnails()
        then, self._after_listing = self._after_listing, []
        for step in then:
            step()

    def _list_failed(self, reading: int, message: str) -> None:
        if reading == self._readings and self.vault is not None and not self._locking:
            self._waiting = 0
            self._after_listing = []
            self.show_error(self.tr("The list could not be read: {why}").format(why=message))

    def after_listing(self, step: Callable[[], None]) -> None:
        """Run ``step`` once the list being read is shown (at once when none is)."""
        if self.listing:
            self._after_listing.append(step)
        else:
            step()

    @property
    def listing(self) -> bool:
        """The latest list asked for is being read in the background."""
        return self._waiting != 0 and self._waiting == self._readings

    def selected_refs(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.filtered.data(r, ITEM_ROLE) for r in rows]

    def select(self, ref: str) -> None:
        """Choose ``ref`` in the list, if the list shows it."""
        row = self.items.row_of(ref)
        index = self.filtered.mapFromSource(self.items.index(row, 0)) if row is not None \
            else None
        if index is not None and index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect |
                QItemSelectionModel.SelectionFlag.Rows)

    def _show_current(self) -> None:
        index = self.table.currentIndex()
        if self.vault is None or not index.isValid():
            self.detail.clear()
            return
        ref = self.filtered.data(index, ITEM_ROLE)
        item = get_item(self.vault, ref)
        problems = [text_problem(kind, error) for r, kind, error in given_up(self.vault)
                    if r == ref]
        from vault.evidence.private_details import private_record

        events = [e.fields for e in self.vault.events(ref)]
        private = {}  # what this vault keeps to itself: the absolute paths it came from
        for e in events:
            sealed = (e.get("details") or {}).get("private_sha256")
            if isinstance(sealed, str):
                private[sealed] = private_record(self.vault.con, sealed) or {}
        self.detail.show_item(item, events, problems, private)
        self.detail.extras.show_item(self.vault, ref)

    def _open_vault(self) -> Vault:
        if self.vault is None:
            raise RuntimeError("the vault is locked")
        return self.vault

    # ------------------------------------------------------------------ jobs
    def run(self, title: str, job: Job, done: Any) -> ProgressDialog:
        """Start ``job`` with a progress dialog; ``done(result)`` runs on success."""
        dialog = ProgressDialog(title, job, self)
        self.jobs.add(job)
        self.dialog = dialog

        def progress(p: Any) -> None:
            total = int(getattr(p, "bytes_total", 0) or getattr(p, "total_bytes", 0) or 0)
            done_ = int(getattr(p, "bytes_done", 0) or getattr(p, "done_bytes", 0) or 0)
            if total or done_:
                dialog.show_progress(done_, total, str(getattr(p, "current", "")))

        def finished(result: Any) -> None:
            self.jobs.discard(job)
            dialog.accept()
            done(result)

        def failed(message: str, _bug: bool) -> None:
            self.jobs.discard(job)
            dialog.accept()
            self.show_error(message)

        job.progress.connect(progress)
        job.finished.connect(finished)
        job.failed.connect(failed)
        dialog.show()  # not modal: the investigator can keep reading while it runs
        start(job)
        return dialog

    def show_info(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Evidence Vault"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(self.tr("Done"))
        self.dialog = box
        box.open()

    def change_passphrase(self, *, seen: bool = False) -> QDialog:
        """A new passphrase; or, when a secret may have been seen, new keys: a new recovery
        key shown and typed back, then the index re-encrypted (vault/store/key_change.py)."""
        from ui.passphrase_ui import ChangePassphraseDialog
        from ui.vault_dialogs import RecoveryKeyDialog
        from vault.store.key_change import replace_keys
        from vault.store.keyslots import new_recovery_key

        v = self._open_vault()
        dialog = ChangePassphraseDialog([v.identity.name, v.identity.initials], seen=seen,
                                        parent=self)
        self.dialog = dialog
        kdf = self.kdf

        def accepted() -> None:
            new, reason = dialog.new.text(), dialog.reason.text()
            if not dialog.seen.isChecked():
                self.run(self.tr("Changing the passphrase"),
                         Job(lambda _cancel: v.change_passphrase(new, kdf=kdf)),
                         lambda _r: self.show_info(self.tr(
                             "The passphrase is changed. If you think the old one or the "
                             "recovery key was seen by someone, use Vault > Replace the keys "
                             "as well.")))
                return
            key = new_recovery_key()
            shown = RecoveryKeyDialog(key, v.folder, self, replacing=True)
            self.dialog = shown

            def typed_back() -> None:
                self.run(self.tr("Replacing the keys"),
                         Job(lambda _cancel: replace_keys(v, new, key, reason=reason, kdf=kdf)),
                         lambda _r: self.show_info(self.tr(
                             "The keys are replaced. The old passphrase and the old recovery "
                             "key no longer open this vault. Backups made before this still "
                             "open with the old ones: destroy them, or make a new backup.")))

            shown.accepted.connect(typed_back)
            shown.open()

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Evidence Vault"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # it may name a file, or quote a package
        box.setAccessibleName(self.tr("Problem"))
        self.dialog = box
        box.open()

    # ------------------------------------------------------------------ import
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].suffix in PACKAGE_SUFFIXES and paths[0].is_file():
            self.verify(paths[0])
        elif paths:
            self.open_import(paths)

    def _start_folder(self) -> str:
        """Where the file dialogs start: the last folder used, else the user's documents
        (never the program's folder)."""
        from PySide6.QtCore import QStandardPaths

        return self.last_folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)

    def _choose_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Import evidence"),
                                                self._start_folder())
        if files:
            self.last_folder = str(Path(files[0]).parent)
            self.open_import([Path(f) for f in files])

    def _choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import a folder of evidence"),
                                                  self._start_folder())
        if folder:
            self.last_folder = str(Path(folder).parent)
            self.open_import([Path(folder)])

    def new_case(self, name: str | None = None) -> None:
        """Make a case (recorded in the custody log) and show it."""
        from vault.evidence.items import case_id

        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("New case"),
                                            self.tr("The case's name or reference:"))
            if not ok:
                return
        name = " ".join(name.split())
        if not name:
            return
        v = self._open_vault()
        with v.transaction():
            case_id(v, name)
        self.refresh()

    def quit(self) -> None:
        """Lock, then quit the program (File > Quit, Ctrl+Q, or closing the window)."""
        self.quitting = True
        if self.vault is not None:
            self.lock()
        QCoreApplication.quit()

    def open_import(self, paths: list[Path]) -> ImportDialog:
        v = self._open_vault()
        dialog = ImportDialog(paths, list_cases(v), self.current_case(), self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.start_import(
            paths, dialog.case.currentText().strip() or None, dialog.received_from.text()))
        dialog.open()
        return dialog

    def start_import(self, paths: list[Path], case: str | None, received_from: str) -> None:
        job = Job(import_work(self._open_vault(), paths, case, received_from))
        self.run(self.tr("Importing"), job, self._imported)

    def _imported(self, summary: ImportSummary) -> None:
        self.refresh()
        dialog = ImportSummaryDialog(summary, self)
        self.dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ viewer
    def _view_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_viewer(self.filtered.data(index, ITEM_ROLE))

    def add_to_chronology(self, ref: str, page: int, quote: str,
                          region: list[float] | None = None) -> Any:
        return self.chronology.add_from_viewer(ref, page, quote, region)

    def show_in_list(self, ref: str) -> None:
        self.after_listing(lambda: self._show_in_list(ref))

    def _show_in_list(self, ref: str) -> None:
        self.select(ref)
        if self.detail.ref != ref:  # not in the list shown: show every item, unfiltered
            self.filter.clear()
            if self.case_view.currentIndex().row() != 0:
                self.case_view.setCurrentIndex(self.cases.index(0))  # read again
            self.after_listing(lambda: self.select(ref))

    def open_viewer(self, ref: str) -> Any:
        """Read a PDF or a photo in the viewer (a window of its own, closed at lock)."""
        from ui.viewer import open_viewer

        item = get_item(self._open_vault(), ref)
        if item.mime in ("message/rfc822", "application/x-ole-storage") and \
                item.status == "present" and item.metadata.get("email") is not None:
            return self.open_message(ref)
        if item.mime != "application/pdf" and not item.mime.startswith("image/"):
            self.show_error(self.tr("{ref} is {mime}: the viewer shows PDFs and photos.").format(
                ref=ref, mime=item.mime))
            return None
        if item.status != "present":
            self.show_error(self.tr("{ref} was purged: there is nothing to show.").format(ref=ref))
            return None
        return open_viewer(self, ref)

    def open_message(self, ref: str) -> Any:
        """An e-mail: its headers, body and attachments (each opens in its turn)."""
        from ui.message_view import MessageDialog
        from vault.evidence.children import made_from, read_email, thread

        v = self._open_vault()
        headers, body = read_email(v, ref)
        dialog = MessageDialog(ref, headers, body, made_from(v, ref), self, thread(v, ref))
        dialog.open_requested.connect(self.open_viewer)
        self.dialog = dialog
        dialog.show()
        return dialog

    # ------------------------------------------------------------------ redaction
    def open_withdraw(self, ref: str | None = None) -> QDialog | None:
        """Withdraw the selected copy (a redacted copy that leaked): why, and which copy
        replaces it; it stays as evidence, shown as withdrawn, out of the case's exports."""
        from ui.withdraw_ui import WithdrawDialog
        from vault.evidence.withdraw import made_from, withdraw_copy

        refs = [ref] if ref else self.selected_refs()
        if len(refs) != 1:
            self.show_error(self.tr("Select the one copy to withdraw."))
            return None
        v = self._open_vault()
        with v.db_lock:
            item = get_item(v, refs[0])
            original = made_from(v, item.ref)
            others = [] if original is None else [
                i.ref for i in list_items(v, item.case) if i.ref != item.ref
                and i.withdrawn is None and made_from(v, i.ref) == original]
        if original is None:
            self.show_error(self.tr("{ref} is an original, not a copy: originals are never "
                                    "withdrawn.").format(ref=item.ref))
            return None
        dialog = WithdrawDialog(item.ref, item.name, original, others, self)
        self.dialog = dialog

        def accepted() -> None:
            try:
                withdraw_copy(v, item.ref, dialog.reason.text(),
                              superseded_by=dialog.superseded_by())
            except VaultError as e:
                self.show_error(str(e))
                return
            self.refresh()

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def open_redact_everywhere(self) -> RedactDialog:
        """Mark every occurrence of a word or name in the selected PDFs (or all of the case's),
        show how many were found in each for review, then make the redacted copies."""
        refs = self.selected_refs() or self.items.refs()
        dialog = RedactDialog(len(refs), self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.mark_everywhere(
            refs, dialog.word.text(), dialog.reason_code()))
        dialog.open()
        return dialog

    def mark_everywhere(self, refs: list[str], word: str, reason: str) -> None:
        from vault.documents.derive import mark_every_occurrence

        v = self._open_vault()

        def done(marks: list[Any]) -> None:
            counts: dict[str, int] = {}
            for mark in marks:
                counts[mark.ref] = counts.get(mark.ref, 0) + 1
            lines = [self.tr("{ref}: {n} marked").format(ref=r, n=n)
                     for r, n in sorted(counts.items())]
            dialog = ResultDialog(
                self.tr("Review the redaction marks"),
                counted(len(marks), self.tr("{n} occurrence of {word!r}"),
                        self.tr("{n} occurrences of {word!r}"), word=word) + " " +
                counted(len(counts), self.tr("marked in {n} document."),
                        self.tr("marked in {n} documents.")),
                lines or [self.tr("Nothing found.")], None, self)
            self.review = sorted(counts)
            make = dialog.buttons.addButton(self.tr("&Make redacted copies"),
                                            dialog.buttons.ButtonRole.ActionRole)
            make.setAccessibleName(self.tr("Make redacted copies"))
            make.setEnabled(bool(counts))

            def make_copies() -> None:
                dialog.accept()
                self.make_redacted(self.review)

            make.clicked.connect(make_copies)
            self.dialog = dialog
            dialog.open()

        self.run(self.tr("Finding {word!r}").format(word=word), Job(
            lambda cancel: mark_every_occurrence(v, refs, word, reason=reason)), done)

    def make_redacted(self, refs: list[str]) -> None:
        from vault.documents.derive import redacted_copy

        v = self._open_vault()

        def work(cancel: Any) -> Any:
            made = []
            for ref in refs:
                if cancel():
                    break
                made.append((ref, redacted_copy(v, ref)))
            return made

        def done(made: list[Any]) -> None:
            self.refresh()
            dialog = ResultDialog(self.tr("Redacted copies made"),
                                  counted(len(made), self.tr("{n} redacted copy made."),
                                          self.tr("{n} redacted copies made.")),
                                  [self.tr("{ref} -> {copy}").format(ref=ref, copy=r.ref)
                                   for ref, r in made], None, self)
            self.dialog = dialog
            dialog.open()

        self.run(self.tr("Making redacted copies"), Job(work), done)

    # ------------------------------------------------------------------ notes
    def add_note(self, ref: str, text: str) -> None:
        from vault.evidence.notes import add_note

        try:
            add_note(self._open_vault(), ref, text)
        except Exception as e:
            from ui.messages import user_message

            self.show_error(user_message(e)[0])
            return
        self.detail.note.clear()
        self._show_current()

    # ------------------------------------------------------------------ export
    def open_export(self) -> ExportDialog:
        v = self._open_vault()
        dialog = ExportDialog(list_cases(v), self.current_case(), self.selected_refs(), self,
                              summarise=self.export_summary)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.start_export(dialog.export_options()))
        dialog.open()
        return dialog

    def export_summary(self, case: str | None, refs: list[str], *, notes: bool = False,
                       include_withdrawn: bool = False,
                       chronology: list[str] | None = None,
                       court: list[str] | None = None) -> list[str]:
        """Plain lines: what the recipient of such a package will be able to read."""
        from vault.packages.export import preview

        try:
            p = preview(self._open_vault(), case=case, refs=refs or None,
                        include_withdrawn=include_withdrawn)
        except VaultError as e:
            return [str(e)]

        lines = [counted(len(p.originals), self.tr("{n} original"), self.tr("{n} originals"))
                 + ", " + counted(len(p.redacted), self.tr("{n} redacted copy"),
                                self.tr("{n} redacted copies"))
                 + (", " + counted(len(p.other_copies), self.tr("{n} other item made in the "
                                                             "vault (copy or attachment)"),
                                 self.tr("{n} other items made in the vault (copies or "
                                         "attachments)")) if p.other_copies else "") + "."]
        for copy, original in p.redacted_with_original:
            lines.append(self.tr("WARNING: {copy} is a redacted copy of {original}, and the "
                                 "original goes too: the recipient can read what was "
                                 "redacted.").format(copy=copy, original=original))
        if p.notes and notes:
            lines.append(counted(p.notes, self.tr("{n} note or annotation you wrote on these "
                                                "exhibits goes with them: the recipient can "
                                                "read it."),
                               self.tr("{n} notes and annotations you wrote on these exhibits "
                                       "go with them: the recipient can read them.")))
        elif p.notes:
            lines.append(counted(p.notes, self.tr("{n} note or annotation you wrote is left "
                                                "out (the chain of custody still verifies)."),
                               self.tr("{n} notes and annotations you wrote are left out (the "
                                       "chain of custody still verifies).")))
        for ref in p.withdrawn:
            lines.append(self.tr("WARNING: {ref} is a withdrawn copy, and it goes.").format(
                ref=ref))
        if p.chronology_facts:
            facts = counted(p.chronology_facts, self.tr("{n} fact"), self.tr("{n} facts"))
            privileged = {"working", "elements", "gaps"} & set(chronology or ())
            lines.append(self.tr(
                "The case's chronology ({facts}) goes with it: {n} tables, pseudonyms only, "
                "each source tied to its exhibit.").format(facts=facts, n=len(chronology))
                + (self.tr(" PRIVILEGED tables go too: {tables}.").format(
                    tables=", ".join(sorted(privileged))) if privileged else "")
                if chronology else self.tr(
                "The case's chronology ({facts}) is left out unless you choose it below.")
                .format(facts=facts))
        if p.court_exhibits:
            marks = counted(p.court_exhibits, self.tr("{n} exhibit marked"),
                            self.tr("{n} exhibits marked"))
            lines.append(self.tr(
                "The case's court documents ({marks}) go with it as PDF: {docs}.").format(
                marks=marks, docs=", ".join(court)) if court else self.tr(
                "The case's court documents ({marks}) are left out unless you choose them "
                "below.").format(marks=marks))
        if p.withdrawn_left_out:
            lines.append(self.tr("Left out: {refs} (withdrawn copies).").format(
                refs=", ".join(p.withdrawn_left_out)))
        if p.sensitive_left_out:
            lines.append(self.tr("Left out: {refs} (on the sensitive schedule of unused "
                                 "material: never in a package).").format(
                refs=", ".join(p.sensitive_left_out)))
        if p.purged:
            lines.append(self.tr("Purged (their content no longer exists; their purge is "
                                 "recorded): {refs}").format(refs=", ".join(p.purged)))
        return lines

    def start_export(self, options: dict[str, Any]) -> None:
        from vault.packages.export import ExportResult, export_package

        v = self._open_vault()
        out = options.pop("out")
        if not str(out) or out == Path():
            self.show_error(self.tr("Choose where to save the package."))
            return

        def work(cancel: Any) -> Any:
            return export_package(v, out, cancel=cancel, **options)

        def done(result: ExportResult) -> None:
            dialog = ResultDialog(self.tr("Package exported"), self.tr("Package exported."), [
                self.tr("Saved as: {path}").format(path=result.path),
                self.tr("Signer fingerprint (SHA-256), to read to the solicitor: {fp}").format(
                    fp=result.certificate_fingerprint),
                self.tr("Package SHA-256: {sha}").format(sha=result.sha256),
                self.tr("Exhibits: {refs}").format(refs=", ".join(result.exhibits)),
                *self.timestamps.export_lines(result)], None,
                self)
            self._after_export(dialog, result)
            self.dialog = dialog
            self._show_current()
            dialog.open()
            self.timestamps.work_done()  # the head queued before the export: stamp it soon

        self.run(self.tr("Exporting"), Job(work), done)

    def _after_export(self, dialog: ResultDialog, result: Any) -> None:
        """Show in folder, Copy fingerprint and, while the signature's trusted time waits,
        Add the trusted time (the package rewritten with the token once a TSA answered)."""
        path = Path(result.path)
        dialog.show_folder = dialog.add_button(  # type: ignore[attr-defined]
            self.tr("Show in &folder"), self.tr("Show the package in its folder"),
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        fingerprint = str(result.certificate_fingerprint)

        def copy() -> None:
            QGuiApplication.clipboard().setText(fingerprint)

        dialog.copy_fingerprint = dialog.add_button(  # type: ignore[attr-defined]
            self.tr("Copy &fingerprint"), self.tr("Copy the signer fingerprint"), copy)
        if result.timestamp_waiting and path.suffix != ".age":
            dialog.add_time = dialog.add_button(  # type: ignore[attr-defined]
                self.tr("Add the &trusted time"),
                self.tr("Add the trusted time to the package"),
                lambda: self.attach_trusted_time(path))

    def attach_trusted_time(self, package: Path) -> None:
        """Ask the TSAs for what waits, then add the signature's token to ``package``."""
        from vault.errors import NotFound
        from vault.packages.stamp import attach_signature_token
        from vault.timestamps.stamping import stamp_pending

        v = self._open_vault()

        def work(cancel: Any) -> Any:
            for _ in stamp_pending(v, cancel=cancel):
                if cancel():
                    break
            try:
                return attach_signature_token(v, package)
            except NotFound:
                return None

        def done(attached: Any) -> None:
            if attached is None:
                self.show_error(self.tr(
                    "No Time-Stamp Authority has answered yet. The request waits in the vault; "
                    "try again when this computer is online."))
                return
            dialog = ResultDialog(
                self.tr("Trusted time added"), self.tr("Trusted time added to the package."),
                [self.tr("Package: {path}").format(path=attached.path),
                 self.tr("Trusted time: {time} (TSA: {tsa})").format(time=attached.gen_time,
                                                                    tsa=attached.tsa),
                 self.tr("New package SHA-256: {sha}").format(sha=attached.new_sha256)],
                True, self)
            self.dialog = dialog
            dialog.open()

        self.run(self.tr("Adding the trusted time"), Job(work), done)

    # ------------------------------------------------------------------ verify / receive
    def _choose_package(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Verify a package"), "",
                                              self.tr("Evidence packages (*.zip *.age)"))
        if path:
            self.verify(Path(path))

    def known_signers(self) -> list[tuple[str, Any]]:
        """The signer lists a verification is judged against: the user's own (outside any
        vault), and this vault's."""
        from vault.packages.receive import vault_signers
        from vault.signing.signers import KnownSigner, KnownSigners

        v = self._open_vault()
        with v.db_lock:
            own = vault_signers(v)
            me = KnownSigner(v.identity.name, v.identity.organisation,
                             v.certificate_fingerprint(), v.fingerprint(), "",
                             self.tr("this vault's own signing certificate"))
        return [(self.tr("this vault's own certificate"), KnownSigners([me])),
                (self.tr("your list of known signers"), KnownSigners.user()),
                (self.tr("this vault's list"), own)]

    def verify(self, package: Path, *, passphrase: str | None = None,
               identity: Path | None = None) -> None:
        """Verify a package; an encrypted one (``.age``) is decrypted in memory only, kept
        open while its report is shown so that it can be received from there."""
        from vault.packages.verify import verify_package

        roots = self.timestamps.roots()  # the configured TSAs' CAs are trusted roots
        try:
            known = self.known_signers()
            if package.suffix == ".age" and passphrase is None and identity is None:
                from ui.check_package import ask_secret

                secret = ask_secret(self, package)
                if secret is None:
                    return
                passphrase, identity = secret
        except VaultError as e:
            self.show_error(str(e))
            return

        def work(cancel: Any) -> Any:
            from vault.packages.age import open_for_checking

            source = open_for_checking(package, identity_file=identity,
                                       passphrase=lambda: passphrase or "")
            try:
                return verify_package(package, tsa_roots=roots, known=known, source=source), \
                    source
            except BaseException:
                if source is not None:
                    source.close()
                raise

        def done(outcome: Any) -> None:
            result, source = outcome
            dialog = VerifyDialog(package, result, self)
            if source is not None:
                dialog.finished.connect(lambda _code: source.close())
            dialog.receive_requested.connect(lambda p: self.receive(
                Path(p), source, suggested=getattr(result, "case", None)))
            dialog.compare_requested.connect(lambda p: self.timestamps.choose_earlier(Path(p)))
            dialog.confirm_requested.connect(
                lambda verdict: self.confirm_signer(verdict, package, dialog))
            self.dialog = dialog
            dialog.open()

        self.run(self.tr("Verifying"), Job(work), done)

    def confirm_signer(self, verdict: Any, package: Path, report: QDialog) -> None:
        """Confirm a package's signer (the user's list, and the vault's if asked), then show
        the package's verification again."""
        from ui.signers_ui import ConfirmSignerDialog
        from vault.packages.receive import confirm_in_vault
        from vault.signing.signers import KnownSigners

        dialog = ConfirmSignerDialog(verdict, self)
        self.dialog = dialog

        def accepted() -> None:
            signer = dialog.signer()
            try:
                KnownSigners.user().add(signer)
                if dialog.in_vault.isChecked():
                    confirm_in_vault(self._open_vault(), signer)
            except VaultError as e:
                self.show_error(str(e))
                return
            report.close()
            self.verify(package)

        dialog.accepted.connect(accepted)
        dialog.open()

    def trust_root(self, path: Path | None = None, how: str | None = None) -> None:
        """Recognise every signer an organisation's root issued (the root.pem it gave you)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        from vault.signing.certs import cert_fingerprint
        from vault.signing.signers import KnownSigners, TrustedRoot

        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, self.tr("The organisation's root certificate"), "",
                self.tr("Certificates (*.pem *.crt)"))
            if not chosen:
                return
            path = Path(chosen)
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except (OSError, ValueError):
            self.show_error(self.tr("{name} is not a certificate.").format(name=path.name))
            return
        fp = cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))
        if how is None:
            how, ok = QInputDialog.getText(
                self, self.tr("Trust an organisation's root"),
                self.tr("Root {name}\nFingerprint {fp}\n\nCompare the fingerprint with the "
                        "organisation by phone or in person. How did you get and check it?"
                        ).format(name=cert.subject.rfc4514_string(), fp=fp))
            if not ok or not how.strip():
                return
        import datetime as dt

        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        try:
            KnownSigners.user().add_root(TrustedRoot(
                cert.subject.rfc4514_string(), fp,
                cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), now, how.strip()))
        except VaultError as e:
            self.show_error(str(e))

    def show_fingerprint_card(self) -> None:
        from ui.signers_ui import FingerprintCardDialog

        v = self._open_vault()
        with v.db_lock:
            cert, custody_fp = v.certificate_fingerprint(), v.fingerprint()
        dialog = FingerprintCardDialog(v.identity.name, v.identity.organisation, cert,
                                       custody_fp, self)
        self.dialog = dialog
        dialog.open()

    def receive(self, package: Path, source: Any = None, *, merge: bool = False,
                ask: bool = True, case: str | None = None, suggested: str | None = None,
                after: Any = None) -> None:
        """Receive a verified package under the case the user chooses (``ask``; else
        ``case``); exhibits held already from a package another key signed are never merged
        into their history without asking. ``after()`` runs when it is over, however it
        ends (the caller closes what it opened)."""
        from ui.receive_ui import ReceiveCaseDialog
        from vault.packages.receive import OtherSigner, receive_package
        from vault.signing.signers import KnownSigners

        v = self._open_vault()

        def over() -> None:
            if after is not None:
                after()

        if ask:
            with v.db_lock:
                cases = list_cases(v)
            choose = ReceiveCaseDialog(package.name, cases, self.current_case() or suggested,
                                       self)
            self.dialog = choose
            choose.accepted.connect(lambda: self.receive(
                package, source, merge=merge, ask=False, case=choose.chosen(), after=after))
            choose.rejected.connect(over)
            choose.open()
            return
        try:
            known = [(self.tr("your list of known signers"), KnownSigners.user())]
        except VaultError as e:
            over()
            self.show_error(str(e))
            return

        def work(cancel: Any) -> Any:
            try:
                return receive_package(v, package, case=case, known=known,
                                       source=source, merge_other_signers=merge)
            except OtherSigner as e:
                return e

        def done(receipt: Any) -> None:
            if isinstance(receipt, OtherSigner):
                box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Another signer"),
                                  str(receipt)[:1].upper() + str(receipt)[1:] + ".",
                                  QMessageBox.StandardButton.Cancel, self)
                box.setTextFormat(Qt.TextFormat.PlainText)
                anyway = box.addButton(self.tr("Receive it anyway"),
                                       QMessageBox.ButtonRole.AcceptRole)
                anyway.clicked.connect(lambda: self.receive(package, source, merge=True,
                                                            ask=False, case=case, after=after))
                box.rejected.connect(over)
                self.dialog = box
                box.open()
                return
            over()
            self.refresh()
            self.show_case(case)
            dialog = ResultDialog(self.tr("Package received"), self.tr("Package received."), [
                f"{r.ref}: {r.status}" for r in receipt.results], None, self)
            self.dialog = dialog
            dialog.open()

        progress = self.run(self.tr("Receiving"), Job(work), done)
        progress.job.failed.connect(lambda *_: over())

    def show_case(self, case: str | None) -> None:
        """Select ``case`` in the case list (all items when None)."""
        row = next((r for r in range(self.cases.rowCount()) if self.cases.case_at(r) == case),
                   None)
        if row is not None:
            self.case_view.setCurrentIndex(self.cases.index(row))

    # ------------------------------------------------------------------ health
    def run_health(self) -> None:
        from vault.store.check import check

        v = self._open_vault()

        def done(report: Any) -> None:
            # the problems first, then what was checked
            lines = [*report.problems,
                     counted(report.items_checked, self.tr("{n} item, "), self.tr("{n} items, "))
                     + counted(report.events_checked, self.tr("{n} custody event checked."),
                               self.tr("{n} custody events checked."))]
            dialog = ResultDialog(self.tr("Vault health"),
                                  self.tr("✔ OK: no problems found.") if report.ok else
                                  self.tr("✖ PROBLEMS FOUND: {n}").format(
                                      n=len(report.problems)), lines, report.ok, self)
            self.dialog = dialog
            dialog.open()

        self.run(self.tr("Checking the vault"), Job(lambda cancel: check(v, cancel)), done)

    def run_self_test(self) -> SelfTestRun:
        """Help > Check this installation: ``evidence-vault self-test``, off the GUI thread
        (a throwaway vault in a temporary folder; this vault is not touched)."""
        from ui.self_test_ui import SelfTestRun

        self.self_test = SelfTestRun(self)
        self.self_test.finished.connect(lambda dialog: setattr(self, "dialog", dialog))
        return self.self_test

    def choose_idle_minutes(self) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Lock after idle time"))
        dialog.setAccessibleName(self.tr("Lock after idle time"))
        dialog.setLabelText(self.tr("Lock the vault after this many minutes without input:"))
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1, 240)
        dialog.setIntValue(max(1, self.idle.interval() // 60_000))
        dialog.intValueSelected.connect(self.idle_minutes_changed)
        self.dialog = dialog
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ grid
    def _toggle_grid(self, on: bool) -> None:
        self._show_view()
        if on:
            self._load_thumbnails()

    def _show_view(self) -> None:
        """The list, the grid, or (nothing imported yet) how to start."""
        if self.items.rowCount() == 0:
            self.empty_page.set_case(self.current_case())
            self.views.setCurrentWidget(self.empty_page)
        else:
            self.views.setCurrentWidget(self.grid if self.grid_action.isChecked() else
                                        self.table)

    def _load_thumbnails(self) -> None:
        from vault.documents.thumbnails import drawable, thumbnails_for

        v = self._open_vault()
        refs = [self.items.item_at(row).ref for row in range(self.items.rowCount())
                if drawable(self.items.item_at(row).mime) and
                not self.items.has_thumbnail(self.items.item_at(row).ref) and
                self.items.item_at(row).ref not in self.thumbnails_asked]
        self.thumbnails_asked.update(refs)
        if not refs:
            return
        job = Job(lambda cancel: thumbnails_for(v, refs, 128, cancel=cancel))

        def one(pair: Any) -> None:
            ref, data = pair
            if data and self.vault is not None:
                image = QImage.fromData(data)
                self.items.set_thumbnail(ref, QIcon(QPixmap.fromImage(image)))

        job.progress.connect(one)
        job.finished.connect(lambda _r: self.jobs.discard(job))
        job.failed.connect(lambda _m, _b: self.jobs.discard(job))
        self.jobs.add(job)
        start(job)

    # ------------------------------------------------------------------ lock
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                            QEvent.Type.MouseMove, QEvent.Type.Wheel):
            self.idle.start()
        return False

    def lock(self) -> None:
        """Close the vault and drop every decrypted thing from widgets, models and caches.
        Once only: a request while locking (the idle timer, the session's screen lock, during
        the events processed below) or after it (the window is then on its way out) does
        nothing, so the unlock screen is never shown twice."""
        if self._locking or self.vault is None:
            return
        self._locking = True
        try:
            self._lock()
        finally:
            self._locking = False

    def _lock(self) -> None:
        self.locking.emit()
        for job in list(self.jobs):
            job.cancel()
        QThreadPool.globalInstance().waitForDone()
        self.list_pool.waitForDone()
        QCoreApplication.processEvents()  # what the jobs reported before they stopped
        self.jobs.clear()
        self._after_listing = []
        self._waiting = 0
        self.dialog = None
        for dialog in self.findChildren(QDialog):  # reports, summaries, progress: destroyed
            if shiboken6.isValid(dialog):
                dialog.close()
                shiboken6.delete(dialog)
        self.idle.stop()
        self.detail.clear()
        self.filter.clear()
        self.items.clear()
        self.cases.clear()
        self.thumbnails_asked.clear()
        gc.unfreeze()  # what the list held can now be collected like anything else
        QPixmapCache.clear()  # scaled thumbnails Qt may have cached while painting
        clipboard = QGuiApplication.clipboard()
        if self.detail.copied and clipboard.text() == self.detail.copied:
            clipboard.clear()  # a hash we put there does not outlive the lock
        self.detail.copied = ""
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        self.hide()
        self.locked.emit()

    def closeEvent(self, event: Any) -> None:
        """Closing the last window quits the program, after locking the vault (the
        platform's convention; the unlock screen is for the idle and suspend locks)."""
        self.quitting = True
        if self.vault is not None:
            self.lock()
        event.accept()
