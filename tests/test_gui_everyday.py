"""Everyday things a new user hit: a new case from the menu, Enter opens an exhibit, dates a
person can read (UTC in the tooltip), File > Quit locks and then quits, and closing the
window does the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import IDENTITY, PASSPHRASE, write_files
from packages import import_files
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.app import App
from ui.models import short_time
from vault.evidence.items import list_cases
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault


def window_with(app: App, tmp_path: Path, files: int = 1) -> object:
    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    import_files(v, write_files(tmp_path / "docs", files), case="NB-1")
    app.opened(v)
    assert app.window is not None
    return app.window


def test_a_new_case_from_the_menu(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.new_case("  Eastfield   FOI  ")  # type: ignore[attr-defined]
    assert "Eastfield FOI" in list_cases(window.vault)  # type: ignore[attr-defined]
    cases = [window.cases.case_at(r)  # type: ignore[attr-defined]
             for r in range(window.cases.rowCount())]  # type: ignore[attr-defined]
    assert "Eastfield FOI" in cases
    actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()]  # type: ignore
    assert {"Import a &folder…", "&New case…", "&Quit"} <= set(actions)


def test_enter_opens_the_exhibit(qtbot: QtBot, app: App, tmp_path: Path,
                                 corpus: Path) -> None:
    from ui.viewer import ViewerWindow

    window = window_with(app, tmp_path, 0)
    import_files(window.vault, [corpus / "pdf" / "minimal-document.pdf"])  # type: ignore
    window.refresh()  # type: ignore[attr-defined]
    table = window.table  # type: ignore[attr-defined]
    table.setFocus()
    table.setCurrentIndex(window.filtered.index(0, 0))  # type: ignore[attr-defined]
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.findChildren(ViewerWindow)),  # type: ignore
                    timeout=10_000)
    for viewer in window.findChildren(ViewerWindow):  # type: ignore[attr-defined]
        viewer.close()
        viewer.deleteLater()
    qtbot.waitUntil(lambda: not window.findChildren(ViewerWindow),  # type: ignore
                    timeout=10_000)
    # and the Open button in the details does the same
    assert window.detail.open.isEnabled()  # type: ignore[attr-defined]
    qtbot.mouseClick(window.detail.open, Qt.MouseButton.LeftButton)  # type: ignore
    qtbot.waitUntil(lambda: bool(window.findChildren(ViewerWindow)),  # type: ignore
                    timeout=10_000)


def test_dates_a_person_can_read(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    import re

    # "3 Dec 2026, 06:08" in this computer's time zone
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}",
                        short_time("2026-12-03T06:08:00.000000Z"))
    window = window_with(app, tmp_path)
    model = window.items  # type: ignore[attr-defined]
    shown = model.data(model.index(0, 4), Qt.ItemDataRole.DisplayRole)
    assert "T" not in shown and "2026" in shown and "," in shown
    tip = model.data(model.index(0, 4), Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("Z (UTC)")


def test_quit_locks_then_quits_without_the_unlock_screen(qtbot: QtBot, app: App,
                                                         tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.quit_action.trigger()  # type: ignore[attr-defined]
    assert window.vault is None  # type: ignore[attr-defined]  # locked first
    assert app.window is None and app.screen is None  # no unlock screen: it quits


def test_closing_the_window_locks_and_quits(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.close()  # type: ignore[attr-defined]
    assert window.vault is None  # type: ignore[attr-defined]
    assert app.screen is None


def test_the_recovery_key_is_typed_back_as_recovery_accepts_it(dispose: Any) -> None:
    from ui.vault_dialogs import RecoveryKeyDialog
    from vault.store.keyslots import new_recovery_key

    key = new_recovery_key()
    while "0" not in key and "1" not in key:
        key = new_recovery_key()
    dialog = RecoveryKeyDialog(key)
    dispose(dialog)
    typed = key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    dialog.typed.setText(typed)
    assert dialog.ok.isEnabled()
    dialog.typed.setText(key[:-1] + ("2" if key[-1] != "2" else "3"))
    assert not dialog.ok.isEnabled()


def test_no_stray_ampersand_in_the_tsa_dialog(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    """A label shows "&" literally unless it has a buddy: the CA certificate's has one."""
    from PySide6.QtWidgets import QLabel

    from ui.tsa_dialog import AddTsaDialog

    window = window_with(app, tmp_path)
    window.timestamps.open_dialog()  # type: ignore[attr-defined]
    add = window.timestamps.dialog.open_add()  # type: ignore[attr-defined]
    assert isinstance(add, AddTsaDialog)
    labels = [w for w in add.findChildren(QLabel) if "&" in w.text()]
    assert labels and all(w.buddy() is not None for w in labels), [w.text() for w in labels]
    add.reject()


def test_automatic_work_is_shown_as_done_by_the_program(dispose: Any, tmp_path: Path,
                                                        corpus: Path) -> None:
    from ui.detail import DetailPane
    from vault.evidence.items import get_item

    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    try:
        (r,) = import_files(v, [corpus / "photos" / "jolla.jpg"])
        pane = DetailPane()
        dispose(pane)
        ref = r.ref or ""
        pane.show_item(get_item(v, ref), [e.fields for e in v.events(ref)])
        by = {row[2]: row[3] for row in pane.timeline.rows()}
        assert by["imported"] == "Mary Okafor"
        assert by["metadata extracted"] == "Evidence Vault, for Mary Okafor"
    finally:
        v.close()


def test_the_unlock_screen_says_which_vault_and_can_show_the_passphrase(
        dispose: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit

    from ui.vault_dialogs import UnlockDialog

    path = tmp_path / "Northbridge.evault"
    dialog = UnlockDialog(path)
    dispose(dialog)
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    assert str(path) in texts and "&Passphrase:" in texts
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_passphrase.setChecked(True)
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Normal


def test_gps_south_and_west_are_said_in_letters() -> None:
    from ui.detail import _captured_text, _gps_text

    assert _gps_text({"latitude": -33.8688, "longitude": -151.2093}) == \
        "33.868800° S, 151.209300° W"
    assert _gps_text({"latitude": 53.48, "longitude": 0}) == "53.480000° N, 0.000000° E"
    assert _captured_text({"captured": "2008:10:22 16:29:49", "offset_time": "+01:00"}) \
        .startswith("22 Oct 2008, 16:29:49 (UTC+01:00)\n")
    assert _captured_text({"captured": "not a date"}).startswith("not a date\n")


def test_the_import_dialog_names_what_it_imports(dispose: Any, tmp_path: Path) -> None:
    from ui.operations import ImportDialog, what_is_imported

    (tmp_path / "Photos").mkdir()
    files = [tmp_path / n for n in ("a.pdf", "b.jpg")]
    for f in files:
        f.write_bytes(b"x")
    assert what_is_imported(files) == "2 files: a.pdf, b.jpg"
    assert what_is_imported([tmp_path / "Photos", files[0]]) == \
        "1 folder and 1 file: Photos, a.pdf"
    many = [tmp_path / f"{n}.txt" for n in range(7)]
    assert what_is_imported(many).endswith("4.txt and 2 more")
    dialog = dispose(ImportDialog(files, ["NB-1", "NB-2"], "NB-2"))
    assert dialog.what.text() == "2 files: a.pdf, b.jpg"
    assert dialog.case.currentText() == "NB-2"


def test_counts_in_plain_grammar() -> None:
    from ui.models import counted

    assert counted(1, "{n} document", "{n} documents") == "1 document"
    assert counted(0, "{n} document", "{n} documents") == "0 documents"
    assert counted(2, "{n} redacted copy", "{n} redacted copies") == "2 redacted copies"


def test_the_recovery_key_can_be_printed_and_saved(dispose: Any, tmp_path: Path) -> None:
    import stat

    import pymupdf
    from PySide6.QtPrintSupport import QPrinter

    from ui.vault_dialogs import RecoveryKeyDialog
    from vault.store.keyslots import new_recovery_key

    key = new_recovery_key()
    dialog = dispose(RecoveryKeyDialog(key, tmp_path / "Northbridge.evault"))
    saved = tmp_path / "stick" / "recovery-key.txt"
    saved.parent.mkdir()
    dialog.save_to(saved)
    text = saved.read_text("utf-8")
    assert key in text and str(tmp_path / "Northbridge.evault") in text
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert [p.name for p in saved.parent.iterdir()] == ["recovery-key.txt"]
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.print_to(printer)
    with pymupdf.open(tmp_path / "printed.pdf") as doc:
        printed = "".join(page.get_text() for page in doc)
    assert key in printed, printed


def test_redaction_reasons_are_codes_and_free_text_is_warned_about(dispose: Any) -> None:
    from ui.operations import RedactDialog
    from vault.documents.redaction_reasons import REASON_CODES, normalised, reason_warning

    assert normalised(" s1 ") == "S1" and reason_warning("S1") is None
    assert reason_warning("") is None
    caution = reason_warning("victim's mother")
    assert caution is not None and "can themselves identify" in caution
    dialog = dispose(RedactDialog(2))
    dialog.reason.setText("s2")
    assert dialog.meaning.text() == REASON_CODES["S2"] and dialog.reason_code() == "S2"
    dialog.reason.setText("victim's mother")
    assert "not one of the reason codes" in dialog.meaning.text()
    assert dialog.reason_code() == "victim's mother"  # allowed, but warned about


def test_the_viewers_reason_fields_offer_codes_and_warn_about_words(dispose: Any) -> None:
    from PySide6.QtWidgets import QDialog, QFormLayout, QLabel

    from ui.annotation_dialogs import text_fields

    dialog = dispose(QDialog())
    form = QFormLayout(dialog)
    word, reason = text_fields(form, ["Word or words:", "Reason (optional):"])
    caution = dialog.findChild(QLabel, "reason-caution")
    assert caution is not None and "S1" in reason.placeholderText()
    assert reason.completer() is not None and word.completer() is None
    reason.setText("victim's mother")
    assert "not one of the reason codes" in caution.text()
    reason.setText("lp")
    assert caution.text() == "Legal professional privilege"


def test_a_redaction_mark_looks_pending_not_done(qtbot: QtBot) -> None:
    """Over the original a mark is red hatching with the words still showing through, never a
    solid box that looks like a finished redaction."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from ui.pdf_view import paint_pending_redaction

    image = QImage(300, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_pending_redaction(painter, QRectF(10, 10, 280, 60), "will be removed in the copy")
    painter.end()
    inside = [image.pixelColor(x, y) for x in range(14, 286) for y in range(40, 66)]
    red = sum(c.red() > 150 and c.green() < 80 for c in inside)
    white = sum(c.red() > 240 and c.green() > 240 and c.blue() > 240 for c in inside)
    assert red > len(inside) // 20 and white > len(inside) // 2, (red, white)
    label = [image.pixelColor(x, y) for x in range(14, 120) for y in range(14, 24)]
    assert any(c.red() < 200 and c.green() < 60 for c in label)  # the words are drawn


def test_a_redaction_mark_on_a_photo_looks_pending(dispose: Any) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QGraphicsRectItem

    from ui.photo_view import PhotoView

    view = dispose(PhotoView())
    view.set_overlay("annotation-redaction", [QRectF(0, 0, 50, 20)], QColor(0, 0, 0, 40))
    view.set_overlay("annotation-rectangle", [QRectF(0, 30, 50, 20)], QColor(0, 0, 255, 50))
    items = {round(i.rect().y()): i for i in view.scene().items()
             if isinstance(i, QGraphicsRectItem)}
    assert items[0].brush().style() == Qt.BrushStyle.BDiagPattern
    assert items[0].pen().style() == Qt.PenStyle.DashLine
    assert items[30].brush().style() == Qt.BrushStyle.SolidPattern


def test_a_narrow_details_pane_cuts_nothing_off(qtbot: QtBot, app: App, tmp_path: Path,
                                                corpus: Path) -> None:
    """On a laptop the details pane may be a third of the window: its buttons (Copy, Add
    tag, Remove tag, Copy text, Add note) and the SHA-256 stay in view, nothing scrolls off
    sideways (walkthrough 10-details-photo-exif.png)."""
    from PySide6.QtWidgets import QPushButton, QScrollArea, QSplitter

    from vault.evidence.tags import add_tag

    window = window_with(app, tmp_path, 0)
    v = window.vault  # type: ignore[attr-defined]
    import_files(v, [corpus / "photos" / "DSCN0010.jpg"])
    add_tag(v, "MO/1", "police knowledge")
    with v.transaction():  # as OCR leaves it: the recognised text row is shown
        v.con.execute("INSERT INTO ocr_pages (item_id, page, text, engine, languages, created) "
                      "SELECT id, 0, 'NOTICE', 'tesseract 5.3.0', 'eng', '2026-05-03' FROM "
                      "items WHERE ref='MO/1'")
    window.refresh()  # type: ignore[attr-defined]
    window.resize(1366, 740)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    split = window.centralWidget()  # type: ignore[attr-defined]
    assert isinstance(split, QSplitter)
    for width in (300, 380, 460):
        split.setSizes([150, 1366 - 150 - width, width])
        window.select("MO/1")  # type: ignore[attr-defined]
        qtbot.wait(20)
        area = split.widget(2)
        assert isinstance(area, QScrollArea)
        viewport = area.viewport().width()
        detail = window.detail  # type: ignore[attr-defined]
        assert detail.width() <= viewport, (width, detail.width(), viewport)
        for button in detail.findChildren(QPushButton):
            if not button.isVisible():
                continue
            right = button.mapTo(detail, button.rect().topRight()).x()
            assert right <= viewport, (width, button.text(), right, viewport)
        assert detail.extras.copy_button.isVisible()
        sha = detail.values["SHA-256"]
        assert sha.isVisible() and sha.width() >= 60
