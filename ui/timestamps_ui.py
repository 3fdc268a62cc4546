"""Trusted time in the desktop app (docs/timestamps.md): the "Trusted timestamps" dialog (the
configured Time-Stamp Authorities, what is waiting, the tokens received, "Stamp now"),
stamping in the background whenever a TSA is turned on, the status-bar count of what is still
waiting, and the history checks against an earlier package.

Every network exchange runs in a :class:`ui.worker.Job` (the core's ``stamp_pending``), one
at a time; an unreachable TSA is normal (offline first) and only shows in the queue and the
status bar. Locking stops the timers and cancels the job with the window's other jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.messages import user_message
from ui.operations import ResultDialog
from ui.worker import Job, start
from vault import timestamps as ts
from vault.errors import VaultError
from vault.vault import Vault

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
WARNING = QColor("#b26a00")  # a large clock difference: kept, but flagged
BAD = QColor("#c62828")
GOOD = QColor("#1a7f37")
EVERY_MS = 5 * 60 * 1000  # background stamping while a TSA is turned on
SOON_MS = 3000  # after an import, a receipt or an export
BACKGROUND_TIMEOUT = 5.0  # seconds per TSA answer in the background (lock waits for it)
MAX_CA_FILE = 1 << 20
SKEW_TIP = ("When this token arrived, the TSA's time and this computer's clock differed by "
            "more than {limit}. The token is kept and its time is the TSA's, signed by it; "
            "but either this computer's clock (and so the times in the custody log) or the "
            "TSA's clock is wrong. Check the computer's date and time.")


def _skew(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "−"
    s = abs(seconds)
    for unit, size in (("days", 86400), ("hours", 3600), ("min", 60)):
        if s >= 2 * size:
            return f"{sign}{s / size:.0f} {unit}"
    return f"{sign}{s:.0f} s"


class RowsModel(QAbstractTableModel):
    """Rows of strings with fixed headers, a colour and a tooltip per row."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[list[str]] = []
        self._colours: list[QColor | None] = []
        self._tips: list[str] = []

    def _set(self, rows: Sequence[Sequence[str]], colours: Sequence[QColor | None] = (),
             tips: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        self._colours = list(colours)
        self._tips = list(tips)
        self.endResetModel()

    def clear(self) -> None:
        self._set([])

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def tooltip(self, row: int) -> str:
        return self._tips[row] if row < len(self._tips) else ""

    def colour(self, row: int) -> QColor | None:
        return self._colours[row] if row < len(self._colours) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers) and \
                role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or \
                not 0 <= index.column() < len(self._headers):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row) or self._rows[row][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.colour(row)
        return None


class TsaModel(RowsModel):
    """The configured TSAs: name, URL, enabled, last answer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("Name"), self.tr("URL"), self.tr("Enabled"),
                          self.tr("Last answer")], parent)
        self.tsas: list[ts.Tsa] = []

    def load(self, tsas: list[ts.Tsa], tokens: list[ts.StoredToken],
             waiting: list[ts.Pending]) -> None:
        self.tsas = tsas
        rows, colours, tips = [], [], []
        for t in tsas:
            got = max((k.local_time for k in tokens if k.tsa == t.name), default="")
            errors = sorted(((p.last_try or "", part) for p in waiting
                             for part in p.last_error.split("; ")
                             if part.startswith(f"{t.name}: ")), reverse=True)
            if errors and errors[0][0] > got:
                last, colour = self.tr("no answer at {when}").format(
                    when=errors[0][0][:19].replace("T", " ")), BAD
                tip = errors[0][1]
            elif got:
                last, colour, tip = self.tr("token at {when}").format(
                    when=got[:19].replace("T", " ")), None, ""
            else:
                last, colour, tip = self.tr("not asked yet"), None, ""
            rows.append([t.name, t.url, self.tr("yes") if t.enabled else self.tr("no"), last])
            colours.append(colour)
            tips.append(tip or "; ".join(t.ca_subjects()))
        self._set(rows, colours, tips)


class QueueModel(RowsModel):
    """What is waiting for a trusted timestamp."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("Queued"),
                          self.tr("Last error")], parent)

    def load(self, waiting: list[ts.Pending]) -> None:
        self._set([[p.kind, p.subject, p.queued[:19].replace("T", " "),
                    p.last_error or p.reason] for p in waiting], [],
                  [self.tr("Waiting for: {tsas}").format(tsas=", ".join(p.missing))
                   if p.missing else p.reason for p in waiting])


class TokenModel(RowsModel):
    """The tokens received: the TSA's time and the clock difference (flagged when large)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([self.tr("What"), self.tr("Subject"), self.tr("TSA"),
                          self.tr("TSA time"), self.tr("Clock difference")], parent)
        self.tokens: list[ts.StoredToken] = []

    def load(self, tokens: list[ts.StoredToken]) -> None:
        self.tokens = tokens
        limit = _skew(ts.SKEW_WARNING_SECONDS).lstrip("+")
        self._set([[t.kind, t.subject, t.tsa, t.gen_time[:19].replace("T", " ") + " UTC",
                    _skew(t.skew_seconds) + (self.tr(" (WARNING)") if t.flagged else "")]
                   for t in tokens],
                  [WARNING if t.flagged else None for t in tokens],
                  [f"{t.warning}\n\n{self.tr(SKEW_TIP).format(limit=limit)}" if t.flagged
                   else "" for t in tokens])


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


# ----------------------------------------------------------------------------- add a TSA

class AddTsaDialog(QDialog):
    """A preset (URL filled in; its CA file is asked for, none ships with the program) or a
    custom TSA: name, URL, CA certificate file. Adding turns it on."""

    def __init__(self, v: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = v
        self.added: ts.Tsa | None = None
        self.setWindowTitle(self.tr("Add a Time-Stamp Authority"))
        self.setAccessibleName(self.tr("Add a Time-Stamp Authority"))
        self.preset = QComboBox()
        self.preset.setAccessibleName(self.tr("Preset"))
        self.preset.addItem(self.tr("Custom"), None)
        for p in ts.PRESETS:
            self.preset.addItem(p.name, p.name)
        self.note = QLabel()
        self.note.setAccessibleName(self.tr("About this TSA"))
        self.note.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("TSA name"))
        self.url = QLineEdit()
        self.url.setAccessibleName(self.tr("TSA address"))
        self.url.setPlaceholderText("https://…")
        self.ca_file = QLineEdit()
        self.ca_file.setAccessibleName(self.tr("CA certificate file"))
        self.ca_file.setPlaceholderText(self.tr("the TSA's CA certificate (PEM or DER)"))
        browse = QPushButton(self.tr("&Choose…"))
        browse.setAccessibleName(self.tr("Choose the CA certificate file"))
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(browse)
        self.error = QLabel()
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {BAD.name()}")
        form = QFormLayout()
        form.addRow(self.tr("&Preset:"), self.preset)
        form.addRow(self.note)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Address:"), self.url)
        form.addRow(self.tr("CA &certificate:"), ca_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("Add and turn on"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Add and turn on"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Once added, this TSA is sent the SHA-256 of the custody log's head and of each "
            "package's signature (never the evidence) whenever it can be reached.")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.resize(560, 0)

    def choose_preset(self, name: str) -> None:
        self.preset.setCurrentIndex(max(0, self.preset.findData(name)))

    def _preset_changed(self, _index: int) -> None:
        p = ts.preset(str(self.preset.currentData() or ""))
        if p is None:
            self.note.clear()
            self.ca_file.setPlaceholderText(self.tr("the TSA's CA certificate (PEM or DER)"))
            return
        self.name.setText(p.name)
        self.url.setText(p.url)
        note = p.note.replace(" (give it with --ca)", "").replace(" (--ca)", "")
        if self._preset_root() is not None:
            self.ca_file.setPlaceholderText(self.tr("the bundled root '{root}' (or choose a "
                                                    "file)").format(root=p.root))
            self.note.setText(note + ".")
        else:
            self.ca_file.setPlaceholderText(self.tr("the TSA's CA certificate (PEM or DER)"))
            self.note.setText(note + self.tr(". Choose its CA certificate file below."))

    def _preset_root(self) -> x509.Certificate | None:
        p = ts.preset(str(self.preset.currentData() or ""))
        return ts.preset_root(p) if p is not None else None

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("The TSA's CA certificate"), self.ca_file.text(),
            self.tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"))
        if path:
            self.choose_ca(Path(path))

    def choose_ca(self, path: Path) -> None:
        self.ca_file.setText(str(path))

    def accept(self) -> None:
        """Add the TSA; a refusal (bad URL, not a certificate, name taken) is shown here and
        the dialog stays open."""
        self.error.clear()
        try:
            self.added = ts.add_tsa(self.vault, self.name.text().strip(), self.url.text(),
                                    self._read_ca())
        except Exception as e:
            self.error.setText(user_message(e)[0])
            return
        super().accept()

    def _read_ca(self) -> bytes:
        text = self.ca_file.text().strip()
        root = self._preset_root()
        if not text and root is not None:  # the preset's root ships with the program
            return root.public_bytes(serialization.Encoding.PEM)
        if not text:
            raise ts.TsaConfigRefused(self.tr("Choose the TSA's CA certificate file: its tokens "
                                              "are trusted only if they chain to it."))
        path = Path(text).expanduser()
        if not path.is_file() or path.stat().st_size > MAX_CA_FILE:
            raise ts.TsaConfigRefused(self.tr("{path} is not a certificate file").format(
                path=path))
        return path.read_bytes()


# ----------------------------------------------------------------------------- the dialog

class TimestampsDialog(QDialog):
    """The TSAs, the queue, the tokens; Stamp now."""

    def __init__(self, feature: TimestampsFeature, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feature = feature
        self.child: QDialog | QMessageBox | None = None  # the add or remove dialog open
        self.setWindowTitle(self.tr("Trusted timestamps"))
        self.setAccessibleName(self.tr("Trusted timestamps"))
        self.hint = QLabel()
        self.hint.setAccessibleName(self.tr("Trusted timestamps status"))
        self.hint.setWordWrap(True)
        self.tsa_model = TsaModel(self)
        self.tsa_view = _table(self.tsa_model, self.tr("Time-Stamp Authorities"))
        self.tsa_view.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        self.add_button = QPushButton(self.tr("&Add…"))
        self.add_button.setAccessibleName(self.tr("Add a Time-Stamp Authority"))
        self.toggle_button = QPushButton(self.tr("&Disable"))
        self.toggle_button.setAccessibleName(self.tr("Enable or disable the TSA"))
        self.remove_button = QPushButton(self.tr("&Remove…"))
        self.remove_button.setAccessibleName(self.tr("Remove the TSA"))
        self.add_button.clicked.connect(self.open_add)
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        tsa_buttons = QHBoxLayout()
        for b in (self.add_button, self.toggle_button, self.remove_button):
            tsa_buttons.addWidget(b)
        tsa_buttons.addStretch(1)
        self.queue_model = QueueModel(self)
        self.queue_view = _table(self.queue_model, self.tr("Waiting for a trusted timestamp"))
        self.token_model = TokenModel(self)
        self.token_view = _table(self.token_model, self.tr("Timestamps received"))
        self.stamp_button = QPushButton(self.tr("&Stamp now"))
        self.stamp_button.setAccessibleName(self.tr("Stamp now"))
        self.stamp_button.clicked.connect(self.stamp_now)
        self.report = QLabel()
        self.report.setAccessibleName(self.tr("Stamping report"))
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        stamp_row = QHBoxLayout()
        stamp_row.addWidget(self.stamp_button)
        stamp_row.addWidget(self.report, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(QLabel(self.tr("<b>Time-Stamp Authorities</b>")))
        layout.addWidget(self.tsa_view)
        layout.addLayout(tsa_buttons)
        layout.addWidget(QLabel(self.tr("<b>Waiting</b>")))
        layout.addWidget(self.queue_view)
        layout.addWidget(QLabel(self.tr("<b>Received</b>")))
        layout.addWidget(self.token_view)
        layout.addLayout(stamp_row)
        layout.addWidget(buttons)
        self.resize(820, 640)
        self.reload()

    def reload(self) -> None:
        v = self.feature.vault()
        if v is None:
            return
        tsas, waiting, tokens = ts.list_tsas(v), ts.pending(v), ts.tokens_for(v)
        current = self.selected_name()
        self.tsa_model.load(tsas, tokens, waiting)
        self.queue_model.load(waiting)
        self.token_model.load(tokens)
        row = next((i for i, t in enumerate(tsas) if t.name == current), 0 if tsas else -1)
        if row >= 0:
            self.tsa_view.selectRow(row)
        enabled = any(t.enabled for t in tsas)
        if not tsas:
            self.hint.setText(self.tr(
                "No Time-Stamp Authority is configured, so nothing is sent anywhere and the "
                "times in this vault are this computer's. Add one (a preset or your own) to "
                "have the custody log and each package stamped with a trusted time; it is "
                "contacted only when the network allows, never blocking your work."))
        elif not enabled:
            self.hint.setText(self.tr("Every Time-Stamp Authority is disabled: nothing is sent. "
                                      "{n} waiting.").format(n=len(waiting)))
        else:
            self.hint.setText(self.tr("{n} waiting for a trusted timestamp; sent in the "
                                      "background whenever a TSA answers.").format(
                                          n=len(waiting)))
        self.stamp_button.setEnabled(enabled and not self.feature.manual
                                     and not self.feature.manual_waiting)
        self._selection()

    def selected_name(self) -> str | None:
        row = self.tsa_view.currentIndex().row()
        tsas = self.tsa_model.tsas
        return tsas[row].name if 0 <= row < len(tsas) else None

    def _selection(self) -> None:
        row = self.tsa_view.currentIndex().row()
        tsas = self.tsa_model.tsas
        chosen = tsas[row] if 0 <= row < len(tsas) else None
        self.toggle_button.setEnabled(chosen is not None)
        self.remove_button.setEnabled(chosen is not None)
        self.toggle_button.setText(self.tr("&Disable") if chosen is None or chosen.enabled
                                   else self.tr("&Enable"))

    def open_add(self) -> AddTsaDialog | None:
        v = self.feature.vault()
        if v is None:
            return None
        dialog = AddTsaDialog(v, self)
        self.child = dialog
        dialog.accepted.connect(self._added)
        dialog.open()
        return dialog

    def _added(self) -> None:
        self.reload()
        self.feature.changed()

    def toggle_selected(self) -> None:
        v, name = self.feature.vault(), self.selected_name()
        if v is None or name is None:
            return
        tsa = next(t for t in self.tsa_model.tsas if t.name == name)
        self._guarded(lambda: ts.set_enabled(v, name, not tsa.enabled))

    def remove_selected(self) -> QMessageBox | None:
        """Ask first; the tokens it gave are kept."""
        name = self.selected_name()
        if name is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove a TSA"), self.tr(
            "Remove {name}? It will no longer be contacted. The timestamps it already gave "
            "are kept in the vault.").format(name=name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setAccessibleName(self.tr("Remove a TSA"))
        self.child = box
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(lambda: self._remove(name))
        box.open()
        return box

    def _remove(self, name: str) -> None:
        v = self.feature.vault()
        if v is not None:
            self._guarded(lambda: ts.remove_tsa(v, name))

    def _guarded(self, change: Callable[[], None]) -> None:
        try:
            change()
        except VaultError as e:
            self.report.setText(str(e))
        self.reload()
        self.feature.changed()

    def stamp_now(self) -> None:
        self.report.setText(self.tr("Asking the Time-Stamp Authorities…"))
        self.report.setStyleSheet("")
        self.stamp_button.setEnabled(False)
        self.feature.stamp(manual=True)

    def show_report(self, report: ts.StampReport | None, failure: str = "") -> None:
        """What a "Stamp now" did: stamped, still waiting and why, warnings."""
        self.reload()
        if report is None:
            self.report.setText(self.tr("Stamping failed: {why}").format(why=failure))
            self.report.setStyleSheet(f"color: {BAD.name()}")
            return
        lines = [self.tr("{n} stamped, {w} still waiting.").format(
            n=len(report.stamped), w=len(report.waiting))]
        lines += [f"{s.kind} {s.subject}: {s.tsa} {s.gen_time}" for s in report.stamped]
        lines += [f"{p.kind} {p.subject}: {p.reason}" for p in report.waiting]
        lines += report.warnings
        self.report.setText("\n".join(lines))
        colour = WARNING if report.warnings else (GOOD if report.ok else BAD)
        self.report.setStyleSheet(f"color: {colour.name()}")


# ----------------------------------------------------------------------------- the feature

class TimestampsFeature(QObject):
    """Trusted time in the main window (``window.timestamps``)."""

    finished = Signal(object)  # a stamping job ended: its StampReport, or None if it failed

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.job: Job | None = None
        self.manual = False  # the running (or next) job was asked for by "Stamp now"
        self.manual_waiting = False  # "Stamp now" asked while another job ran
        self.dialog: TimestampsDialog | None = None
        self.shown_warnings: set[str] = set()
        self.last_report: ts.StampReport | None = None
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Waiting for a trusted timestamp"))
        self.status.hide()
        window.statusBar().addPermanentWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.stamp)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(SOON_MS)
        self.soon.timeout.connect(self.stamp)
        menu = self._vault_menu()
        self.dialog_action = self._action(menu, self.tr("&Trusted timestamps…"),
                                          self.open_dialog)
        self.history_action = self._action(
            menu, self.tr("Check &history against an earlier package…"),
            self.choose_packages_to_compare)
        self.vault_history_action = self._action(
            menu, self.tr("Check this &vault against a package…"), self.choose_vault_package)
        window.locking.connect(self._locking)

    def _vault_menu(self) -> QMenu:
        bar = self.window.menuBar()
        menu = next((a.menu() for a in bar.actions() if a.text() == self.tr("&Vault")), None)
        if isinstance(menu, QMenu):
            return menu
        return bar.addMenu(self.tr("&Vault"))

    def _action(self, menu: QMenu, text: str, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def vault(self) -> Vault | None:
        return self.window.vault

    def roots(self) -> list[x509.Certificate]:
        """The configured TSAs' CA certificates: the trusted roots for verifying packages."""
        v = self.vault()
        return ts.tsa_roots(v) if v is not None else []

    # ------------------------------------------------------------ status and scheduling
    def refreshed(self) -> None:
        """After the window read the vault (unlock, import, receive): count, then stamp soon."""
        self.update_status()
        self.work_done()

    def work_done(self) -> None:
        """After an import, receipt or export: stamp shortly, if a TSA is turned on."""
        v = self.vault()
        if v is None:
            return
        if any(t.enabled for t in ts.list_tsas(v)):
            if not self.timer.isActive():
                self.timer.start()
            self.soon.start()
        else:
            self.timer.stop()

    def changed(self) -> None:
        """The TSA configuration changed."""
        self.update_status()
        self.work_done()

    def update_status(self) -> int:
        v = self.vault()
        if v is None:
            return 0
        n = ts.unstamped_count(v) if ts.list_tsas(v) else 0
        self.status.setText(self.tr("{n} waiting for a trusted timestamp").format(n=n))
        self.status.setVisible(n > 0)
        return n

    # ------------------------------------------------------------ stamping
    @property
    def running(self) -> bool:
        return self.job is not None

    def stamp(self, manual: bool = False) -> bool:
        """Start a stamping job (at most one at a time); ``manual`` for "Stamp now" (a longer
        timeout; its report goes to the dialog). False when nothing was started."""
        v = self.vault()
        if v is None:
            return False
        if self.job is not None:
            self.manual_waiting = self.manual_waiting or manual
            return True
        if not manual and (not any(t.enabled for t in ts.list_tsas(v))
                           or not ts.unstamped_count(v)):
            return False
        timeout = ts.DEFAULT_TIMEOUT if manual else BACKGROUND_TIMEOUT

        def work(cancel: Callable[[], bool]) -> Any:
            return ts.stamp_pending(v, timeout=timeout, cancel=cancel)

        job = Job(work)
        self.job, self.manual = job, manual
        self.window.jobs.add(job)
        job.finished.connect(lambda result: self._ended(job, result, ""))
        job.failed.connect(lambda message, _bug: self._ended(job, None, message))
        start(job)
        return True

    def _ended(self, job: Job, result: Any, failure: str) -> None:
        self.window.jobs.discard(job)
        if job is not self.job:
            return
        manual, self.job, self.manual = self.manual, None, False
        if self.vault() is None:  # locked meanwhile: show nothing
            return
        report = result if isinstance(result, ts.StampReport) else None
        self.last_report = report
        self.update_status()
        for warning in report.warnings if report else []:
            if warning not in self.shown_warnings:  # once
                self.shown_warnings.add(warning)
                self.window.statusBar().showMessage(warning, 60_000)
        if self.dialog is not None:
            if manual:
                self.dialog.show_report(report, failure or self.tr("cancelled"))
            else:
                self.dialog.reload()
        self.finished.emit(report)
        if self.manual_waiting:
            self.manual_waiting = False
            self.stamp(manual=True)

    def _locking(self) -> None:
        self.timer.stop()
        self.soon.stop()
        self.manual_waiting = False
        if self.job is not None:
            self.job.cancel()  # the window waits for it with its other jobs
        self.dialog = None
        self.status.hide()
        self.status.clear()

    def export_lines(self, result: Any) -> list[str]:
        """What the export result says about the signature's trusted time."""
        if result.signature_timestamp:
            return [self.tr("Trusted time on the signature: {time} (TSA: {tsa})").format(
                time=result.signature_timestamp, tsa=result.signature_tsa)]
        if result.timestamp_waiting:
            return [self.tr("Trusted time: no TSA answered; the signature's timestamp is "
                            "queued (evidence-vault stamp VAULT --attach PACKAGE adds it to "
                            "the package once stamped).")]
        return []

    # ------------------------------------------------------------ the dialog
    def open_dialog(self) -> TimestampsDialog | None:
        if self.vault() is None:
            return None
        dialog = TimestampsDialog(self, self.window)
        self.dialog = dialog
        self.window.dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: TimestampsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # ------------------------------------------------------------ history
    def choose_packages_to_compare(self) -> None:
        newer, _ = QFileDialog.getOpenFileName(self.window, self.tr("The newer package"), "",
                                               self.tr("Packages (*.zip)"))
        if newer:
            self.choose_earlier(Path(newer))

    def choose_earlier(self, newer: Path) -> None:
        older, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("An earlier package of the same vault (before {name})").format(
                name=newer.name), str(newer.parent), self.tr("Packages (*.zip)"))
        if older:
            self.compare_packages(newer, Path(older))

    def compare_packages(self, newer: Path, older: Path) -> None:
        """Verify ``newer`` with ``older`` as its earlier package: does its custody log
        extend the earlier one's? Run in a job; the answer in a result dialog."""
        from vault.package_verify import verify_package

        roots = self.roots()

        def work(cancel: Callable[[], bool]) -> Any:
            return verify_package(newer, previous=older, tsa_roots=roots)

        def done(result: Any) -> None:
            lines = [self.tr("Newer package: {path}").format(path=newer),
                     self.tr("Earlier package: {path}").format(path=older)]
            if not result.verified and (result.history is None or result.history.ok):
                lines.append(self.tr("The newer package itself: NOT VERIFIED: {reason}").format(
                    reason=result.reason))
            self._show_history(result.history, lines, newer.name)

        self.window.run(self.tr("Comparing with an earlier package"), Job(work), done)

    def choose_vault_package(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("A package exported from this vault"), "",
            self.tr("Packages (*.zip)"))
        if path:
            self.check_vault_against(Path(path))

    def check_vault_against(self, package: Path) -> None:
        """Does this vault's custody log extend the log in ``package``?"""
        from vault.package_verify import compare_vault_with_package

        v = self.vault()
        if v is None:
            return

        def work(cancel: Callable[[], bool]) -> Any:
            return compare_vault_with_package(v, package)

        def done(result: Any) -> None:
            self._show_history(result, [self.tr("Package: {path}").format(path=package)],
                               self.tr("this vault"))

        self.window.run(self.tr("Checking this vault against a package"), Job(work), done)

    def _show_history(self, history: Any, lines: list[str], what: str) -> None:
        if history is None:
            headline, ok = self.tr("NOT COMPARED"), False
            lines.append(self.tr("The packages could not be compared."))
        elif history.ok:
            headline, ok = self.tr("HISTORY EXTENDS THE EARLIER RECORD"), True
            lines.append(history.message)
        else:
            div = history.divergence
            ok = False
            if div is not None and div.seq is not None:
                headline = self.tr("HISTORY DIVERGES AT EVENT {seq}: {what}").format(
                    seq=div.seq, what=div.what)
            else:
                headline = self.tr("HISTORY NOT CONFIRMED")
            lines.append(history.message)
        if history is not None and history.events_compared:
            lines.append(self.tr("{n} events compared; {shared} shared exhibits; earlier "
                                 "record ends at event {old}, {what} at event {new}.").format(
                n=history.events_compared, shared=history.shared_exhibits,
                old=history.older_head, what=what, new=history.newer_head))
        dialog = ResultDialog(self.tr("History check"), headline, lines, ok, self.window)
        self.window.dialog = dialog
        dialog.open()
