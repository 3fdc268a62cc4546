"""Text from the evidence or from a package is shown as text: a file named as green markup
saying VERIFIED, a camera make holding an image tag and a package whose exhibit is named in
HTML all appear literally, on every screen they reach (details, import summary, verification,
receipt)."""

from __future__ import annotations

from pathlib import Path

from conftest import IDENTITY, PASSPHRASE
from packages import CASE, export
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from test_gui import WAIT, import_by_drop, receive_into_case

from ui.app import App
from ui.operations import ResultDialog, VerifyDialog
from vault.evidence import details
from vault.signing.signers import KnownSigner, KnownSigners
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

MARKUP = '<b style="color:green">VERIFIED<b>'  # no "/": it is a file name here
IMAGE_TAG = "<img src=x>"


def rendered_as_markup() -> list[str]:
    """Every visible label whose text holds a tag and that Qt would render as markup."""
    return [w.text() for w in QApplication.allWidgets()
            if isinstance(w, QLabel) and w.isVisible() and "<" in w.text()
            and w.textFormat() != Qt.TextFormat.PlainText]


def photo_with_make(path: Path, make: str) -> Path:
    img = Image.new("RGB", (40, 30), (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = make  # Make
    exif[0x0110] = "Model 1"
    img.save(path, "JPEG", exif=exif)
    return path


def test_markup_from_evidence_and_packages_is_shown_as_text(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    named = docs / f"{MARKUP}.txt"
    named.write_text("A statement.\n")
    photo = photo_with_make(docs / "door.jpg", IMAGE_TAG)
    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None
    summary = import_by_drop(qtbot, window, [named, photo], CASE, "e-mail from <i>someone</i>")
    assert rendered_as_markup() == []
    summary.accept()
    # the photo's details (its camera) are read by the background job after the import
    def details_waiting() -> int:
        with v.db_lock:
            return int(v.con.execute("SELECT count(*) FROM text_jobs WHERE kind=?",
                                     (details.KIND,)).fetchone()[0])

    qtbot.waitUntil(lambda: details_waiting() == 0, timeout=20000)
    window.refresh()
    for ref in ("MO/1", "MO/2"):
        window.select(ref)
        qtbot.wait(10)
        assert rendered_as_markup() == [], ref
    assert window.detail.values["Camera"].text().startswith(IMAGE_TAG)
    # a package whose exhibit is named in HTML, verified and received elsewhere
    package = export(v, tmp_path / "p.zip", case=CASE).path
    KnownSigners.user().add(KnownSigner("Mary Okafor", "", v.certificate_fingerprint(),
                                        v.fingerprint(), "", "phone"))
    window.lock()
    solicitor, _ = Vault.create(tmp_path / "sol", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    app.opened(solicitor)
    window = app.window
    assert window is not None
    window.verify(package)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    assert rendered_as_markup() == []
    qtbot.mouseClick(report.receive, Qt.MouseButton.LeftButton)
    receive_into_case(qtbot, window)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert rendered_as_markup() == []
    window.dialog.accept()
    report.accept()
    window.select("MO/1")
    assert MARKUP in window.detail.values["Name"].text()
    assert rendered_as_markup() == []
    # an error naming a file: said as text
    junk = tmp_path / f"{MARKUP}.zip"
    junk.write_bytes(b"not a zip")
    window.verify(junk)
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox) and
                    window.dialog.isVisible(), timeout=WAIT)
    assert MARKUP in window.dialog.text()
    assert rendered_as_markup() == []
    window.dialog.accept()
    window.lock()
