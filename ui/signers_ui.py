"""Who signed, in the desktop app: confirming a package's signer, and the investigator's own
fingerprint card (to hand over or read out, with a QR code holding the fingerprint as text).

Kept apart from the main window: the dialogs get plain values, never the window.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vault.signing.signers import (
    KnownSigner,
    SignerVerdict,
    display_fingerprint,
    spoken_fingerprint,
)


def _plain(text: str, name: str, *, mono: bool = False, big: bool = False) -> QLabel:
    """A label that shows text from a package or a vault as text, never as markup."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if mono or big:
        font = QFont("monospace") if mono else label.font()
        font.setStyleHint(QFont.StyleHint.Monospace)
        if big:
            font.setPointSize(font.pointSize() + 4)
        label.setFont(font)
    return label


class ConfirmSignerDialog(QDialog):
    """Confirm a signer after comparing the fingerprint with the sender by another route."""

    def __init__(self, verdict: SignerVerdict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = verdict
        self.setWindowTitle(self.tr("Confirm who signed"))
        self.setAccessibleName(self.tr("Confirm who signed"))
        who = verdict.name + (f", {verdict.organisation}" if verdict.organisation else "")
        intro = _plain(self.tr(
            "Phone or meet {who} (not by e-mail or the route the package came) and ask them "
            "to read out the fingerprint of their signing certificate. Confirm only if every "
            "group below is the same.").format(who=who), self.tr("What to do"))
        self.fingerprint = _plain(spoken_fingerprint(verdict.certificate_fingerprint),
                                  self.tr("Fingerprint to compare"), mono=True, big=True)
        self.how = QLineEdit()
        self.how.setAccessibleName(self.tr("How you confirmed it"))
        self.how.setPlaceholderText(self.tr("for example: read out by {name} on the phone, "
                                            "12 May").format(name=verdict.name or "them"))
        self.in_vault = QCheckBox(self.tr("Keep it in this vault's own list too"))
        self.in_vault.setAccessibleName(self.tr("Keep it in this vault's own list too"))
        form = QFormLayout()
        form.addRow(self.tr("&How you confirmed it:"), self.how)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(self.tr("The fingerprints are the same: &confirm"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setAccessibleName(self.tr("Confirm this signer"))
        self.ok.setEnabled(False)
        self.how.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fingerprint)
        layout.addLayout(form)
        layout.addWidget(self.in_vault)
        layout.addWidget(buttons)

    def signer(self) -> KnownSigner:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        v = self.verdict
        return KnownSigner(v.name, v.organisation, display_fingerprint(v.certificate_fingerprint),
                           v.custody_key_fingerprint, now, self.how.text().strip())


def qr_image(text: str, module: int = 6) -> QImage:
    """A QR code of ``text`` (error correction M, a quiet zone of four modules)."""
    import segno

    code = segno.make_qr(text, error="m")
    rows = [list(row) for row in code.matrix]
    quiet = 4
    size = (len(rows) + 2 * quiet) * module
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        for y, row in enumerate(rows):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect((x + quiet) * module, (y + quiet) * module, module, module,
                                     QColor("black"))
    finally:
        painter.end()
    return image


def card_text(name: str, organisation: str, certificate: str, custody: str) -> str:
    """What the card says, as plain text (also what the QR code holds, but for the name)."""
    who = name + (f", {organisation}" if organisation else "")
    return "\n".join([
        f"Evidence Vault signer: {who}",
        "Package-signing certificate (SHA-256):",
        f"  {spoken_fingerprint(certificate)}",
        f"  {display_fingerprint(certificate)}",
        f"Custody key: {custody}",
    ])


class FingerprintCardDialog(QDialog):
    """The investigator's fingerprints, to read out or hand over once, by another route than
    the packages; the QR code holds the certificate fingerprint as text."""

    def __init__(self, name: str, organisation: str, certificate: str, custody: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("My fingerprint card"))
        self.setAccessibleName(self.tr("My fingerprint card"))
        self.text = card_text(name, organisation, certificate, custody)
        self.qr_payload = display_fingerprint(certificate)
        explain = _plain(self.tr(
            "Give this to the people you send packages to, once, in person, by phone or by "
            "letter: never with a package. With it they can tell that a package really comes "
            "from you."), self.tr("What this card is for"))
        who = _plain(name + (f", {organisation}" if organisation else ""), self.tr("Signer"),
                     big=True)
        groups = _plain(spoken_fingerprint(certificate), self.tr("Certificate fingerprint"),
                        mono=True, big=True)
        custody_label = _plain(self.tr("Custody key: {fp}").format(fp=custody),
                               self.tr("Custody key fingerprint"), mono=True)
        self.qr = QLabel()
        self.qr.setAccessibleName(self.tr("QR code of the certificate fingerprint"))
        self.qr.setPixmap(QPixmap.fromImage(qr_image(self.qr_payload)))
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy = buttons.addButton(self.tr("&Copy the card's text"),
                                      QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setAccessibleName(self.tr("Copy the card's text"))
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        self.save = buttons.addButton(self.tr("&Save as picture…"),
                                      QDialogButtonBox.ButtonRole.ActionRole)
        self.save.setAccessibleName(self.tr("Save the card as a picture"))
        self.save.clicked.connect(self._save)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (explain, who, groups, custody_label, self.qr):
            layout.addWidget(w)
        layout.addWidget(buttons)

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the card"), "fingerprint.png",
                                              self.tr("Pictures (*.png)"))
        if path:
            self.grab().save(path, "PNG")
