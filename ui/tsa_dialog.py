"""The "Trusted timestamps" dialog (docs/timestamps.md): the configured Time-Stamp
Authorities (add, turn on or off, remove), what is waiting, the tokens received, and "Stamp
now"; and the dialog adding a TSA (a preset or a custom one, with its CA certificate file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.colours import BAD, GOOD, WARNING, css
from ui.messages import user_message
from ui.models import counted, short_time
from ui.screen_fit import fit_size, text_width
from ui.tsa_models import QueueModel, TokenModel, TsaModel, table_view
from vault.errors import VaultError
from vault.store.vault import Vault
from vault.timestamps import stamping as ts


class Stamping(Protocol):
    """What the dialog needs of the trusted-time feature (ui/timestamps_ui.py), which
    imports this module: an interface here, so that this module does not import it back."""

    manual: bool  # the running (or next) job was asked for by "Stamp now"
    manual_waiting: bool  # "Stamp now" asked while another job ran

    def vault(self) -> Vault | None: ...

    def stamp(self, manual: bool = False) -> bool: ...

    def changed(self) -> None: ...


MAX_CA_FILE = 1 << 20

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
        self.error.setStyleSheet(css(BAD))
        form = QFormLayout()
        form.addRow(self.tr("&Preset:"), self.preset)
        form.addRow(self.note)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Address:"), self.url)
        ca_label = QLabel(self.tr("CA &certificate:"))  # a layout has no buddy: the field is
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
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

    def __init__(self, feature: Stamping, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feature = feature
        self.child: QDialog | QMessageBox | None = None  # the add or remove dialog open
        self.files: dict[str, str] = {}  # each exported package's id and file name
        self.setWindowTitle(self.tr("Trusted timestamps"))
        self.setAccessibleName(self.tr("Trusted timestamps"))
        self.hint = QLabel()
        self.hint.setAccessibleName(self.tr("Trusted timestamps status"))
        self.hint.setWordWrap(True)
        self.tsa_model = TsaModel(self)
        self.tsa_view = table_view(self.tsa_model, self.tr("Time-Stamp Authorities"), self.tr(
            "None yet: Add… below adds one."))
        self.tsa_view.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        self.add_button = QPushButton(self.tr("&Add…"))
        self.add_button.setAccessibleName(self.tr("Add a Time-Stamp Authority"))
        self.toggle_button = QPushButton(self.tr("Turn &off"))
        self.toggle_button.setAccessibleName(self.tr("Turn the TSA on or off"))
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
        self.queue_view = table_view(self.queue_model, self.tr("Waiting for a trusted timestamp"),
                                     self.tr("Nothing waits."))
        self.queue_view.setWordWrap(True)
        self.token_model = TokenModel(self)
        self.token_view = table_view(self.token_model, self.tr("Timestamps received"), self.tr(
            "None yet. Each trusted timestamp a Time-Stamp Authority gives is listed here, "
            "with its time."))
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
        layout.addWidget(_heading(self.tr("Time-Stamp Authorities: services that vouch for "
                                          "the time")))
        layout.addWidget(self.tsa_view)
        layout.addLayout(tsa_buttons)
        layout.addWidget(_heading(self.tr("Waiting for a trusted timestamp")))
        layout.addWidget(self.queue_view)
        layout.addWidget(_heading(self.tr("Trusted timestamps received")))
        layout.addWidget(self.token_view)
        layout.addLayout(stamp_row)
        layout.addWidget(buttons)
        fit_size(self, text_width(self, 100, least=820),  # wider and taller with the text
                 max(640, self.fontMetrics().lineSpacing() * 40))
        self.reload()

    def reload(self) -> None:
        v = self.feature.vault()
        if v is None:
            return
        from vault.packages.stamp import exported_files

        tsas, waiting, tokens = ts.list_tsas(v), ts.pending(v), ts.tokens_for(v)
        packages = {p.subject for p in waiting if p.kind == ts.SIGNATURE_KIND} | \
            {t.subject for t in tokens if t.kind == ts.SIGNATURE_KIND}
        if packages - self.files.keys():  # the custody log read once, not at every reload
            self.files = exported_files(v)
        files = self.files
        current = self.selected_name()
        self.tsa_model.load(tsas, tokens, waiting)
        self.queue_model.load(waiting, files)
        self.token_model.load(tokens, files)
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
            self.hint.setText(counted(
                len(waiting), self.tr("Every Time-Stamp Authority is turned off, so nothing is "
                                      "sent. {n} thing waits for a trusted timestamp."),
                self.tr("Every Time-Stamp Authority is turned off, so nothing is sent. {n} "
                        "things wait for a trusted timestamp.")))
        elif not waiting:
            self.hint.setText(self.tr("Nothing waits for a trusted timestamp."))
        else:
            self.hint.setText(counted(
                len(waiting), self.tr("{n} thing waits for a trusted timestamp. It is sent in "
                                      "the background whenever a Time-Stamp Authority "
                                      "answers."),
                self.tr("{n} things wait for a trusted timestamp. They are sent in the "
                        "background whenever a Time-Stamp Authority answers.")))
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
        self.toggle_button.setText(self.tr("Turn &off") if chosen is None or chosen.enabled
                                   else self.tr("Turn &on"))

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
            self.report.setStyleSheet(css(BAD))
            return
        lines = [self.tr("{n} stamped, {w} still waiting.").format(
            n=len(report.stamped), w=len(report.waiting))]
        what = self.token_model.what
        lines += [self.tr("{what}: stamped by {tsa}, {when}").format(
            what=what(s.kind, s.subject), tsa=s.tsa, when=short_time(s.gen_time))
            for s in report.stamped]
        lines += [f"{what(p.kind, p.subject)}: {self.queue_model.why(p)}"
                  for p in report.waiting]
        lines += [s.warning for s in report.stamped if s.warning]
        self.report.setText("\n".join(lines))
        self.report.setStyleSheet(css(WARNING if report.warnings else
                                      (GOOD if report.ok else BAD)))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label
