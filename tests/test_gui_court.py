"""The Court menu in the app (docs/court-bundle.md): a witness added, the selected PDF marked
as an exhibit, its labels and continuity record written, a page-stamped copy made; and what
it says when something is missing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pymupdf
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot
from test_gui_chronology import CASE, WAIT, case_window

from ui.app import App
from ui.court_ui import (
    InStatementDialog,
    MarkDialog,
    ScheduleDialog,
    StatementDialog,
    WitnessDialog,
)
from vault.court import store
from vault.custody import log as custody
from vault.documents.annotations import read_content
from vault.evidence.items import get_item


def ok(dialog: WitnessDialog | MarkDialog | StatementDialog | InStatementDialog
       | ScheduleDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_marking_and_writing_from_the_court_menu(qtbot: QtBot, app: App, tmp_path: Path
                                                 ) -> None:
    window = case_window(qtbot, app, tmp_path)
    feature = window.court
    v = window.vault
    assert v is not None
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Court") == titles.index("Help") - 1
    ref = window.items.item_at(0).ref
    window.select(ref)

    # marking before there is a witness says what to do first
    assert feature.mark() is None
    assert "Add the producing witness first" in window.dialog.text()
    window.dialog.accept()

    dialog = feature.add_witness()
    assert isinstance(dialog, WitnessDialog)
    assert dialog.accessibleName() == "Add a producing witness"
    dialog.name.setText("Mary Okafor")
    dialog.initials.setText("mo")
    dialog.role.setCurrentText("investigator")
    ok(dialog)
    assert [(w.initials, w.name) for w in store.witnesses(v, CASE)] == [("MO", "Mary Okafor")]

    mark = feature.mark()
    assert isinstance(mark, MarkDialog)
    assert mark.witness.currentData() == "MO" and mark.under.currentData() is None
    mark.description.setPlainText("Referral letter of three pages, 2026")
    ok(mark)
    [exhibit] = store.exhibits(v, CASE)
    assert (exhibit.mark, exhibit.item) == ("MO/1", ref)
    assert feature.mark() is None  # the same item again: it names its mark
    assert "already exhibit MO/1" in window.dialog.text()
    window.dialog.accept()

    labels = tmp_path / "labels.pdf"
    feature.write("labels", "pdf", str(labels))
    qtbot.waitUntil(lambda: labels.exists() and not window.jobs, timeout=WAIT)
    assert exhibit.sha256 in pymupdf.open(labels)[0].get_text().replace("\n", "")
    record = tmp_path / "continuity.pdf"
    feature.continuity(str(record))
    qtbot.waitUntil(lambda: record.exists() and not window.jobs, timeout=WAIT)
    written = [e.fields["details"] for e in v.events()
               if e.fields["action"] == custody.COURT_WRITTEN]
    assert [(w["document"], w["sha256"]) for w in written] == [
        ("exhibit labels", hashlib.sha256(labels.read_bytes()).hexdigest()),
        ("continuity record", hashlib.sha256(record.read_bytes()).hexdigest())]

    before = window.items.rowCount()
    feature.stamp()
    qtbot.waitUntil(lambda: window.items.rowCount() == before + 1 and not window.jobs,
                    timeout=WAIT)
    copy = next(i for i in (window.items.item_at(r) for r in range(window.items.rowCount()))
                if "stamped" in i.name)
    with pymupdf.open(stream=read_content(v, get_item(v, copy.ref)), filetype="pdf") as doc:
        assert [f"MO/1-{n}" in page.get_text() for n, page in enumerate(doc, 1)] == \
            [True, True, True]


def test_the_menu_asks_for_one_item_with_a_case(qtbot: QtBot, app: App, tmp_path: Path
                                                ) -> None:
    window = case_window(qtbot, app, tmp_path)
    window.table.clearSelection()
    window.court.continuity(str(tmp_path / "x.pdf"))
    assert isinstance(window.dialog, QMessageBox)
    assert "Select one item in the list first" in window.dialog.text()
    window.dialog.accept()
    window.select(window.items.item_at(0).ref)
    window.court.stamp()
    assert "is not an exhibit yet" in window.dialog.text()
    window.dialog.accept()
    assert not (tmp_path / "x.pdf").exists()


def test_a_statement_in_the_app(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = case_window(qtbot, app, tmp_path)
    feature, v = window.court, window.vault
    assert v is not None
    ref = window.items.item_at(0).ref
    window.select(ref)
    store.add_witness(v, CASE, "Mary Okafor", "MO", "investigator")
    store.mark_exhibit(v, CASE, ref, by="MO", description="Referral letter of three pages")
    dialog = feature.add_statement()
    assert isinstance(dialog, StatementDialog)
    dialog.dated.setText("12/05/2026")
    ok(dialog)
    assert [st.name for st in store.statements(v, CASE)] == ["MO:1"]
    placed = feature.in_statement()
    assert isinstance(placed, InStatementDialog)
    assert placed.statement.currentData() == "MO:1" and placed.how.currentText() == "produced"
    ok(placed)
    assert [(d.how, d.mark) for d in store.statement_documents(v, CASE, "MO:1")] == [
        ("produced", "MO/1")]
    out = tmp_path / "list.csv"
    feature.statement_list(False, "MO:1", str(out))
    qtbot.waitUntil(lambda: out.exists() and not window.jobs, timeout=WAIT)
    assert "MO/1" in out.read_text("utf-8-sig")


def test_unused_material_in_the_app(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from vault.court import disclosure

    window = case_window(qtbot, app, tmp_path)
    feature, v = window.court, window.vault
    assert v is not None
    ref = window.items.item_at(0).ref
    window.select(ref)
    dialog = feature.schedule()
    assert isinstance(dialog, ScheduleDialog)
    dialog.schedule.setCurrentIndex(dialog.schedule.findData("sensitive"))
    dialog.description.setText("Referral letter, names a source")
    ok(dialog)  # no reason: refused, said, nothing saved
    assert "needs its reason" in window.dialog.text()
    window.dialog.accept()
    assert disclosure.entries(v, CASE, "sensitive") == []
    dialog = feature.schedule()
    assert isinstance(dialog, ScheduleDialog)
    dialog.description.setText("Referral letter of three pages")
    ok(dialog)
    feature.decide("disclose")
    feature.disclosed("disclosed to the defence")
    [entry] = disclosure.entries(v, CASE, "non-sensitive")
    assert (entry.label, entry.decision) == ("N1", "disclose")
    out = tmp_path / "unused.csv"
    feature.write_schedule("non-sensitive", str(out))
    qtbot.waitUntil(lambda: out.exists() and not window.jobs, timeout=WAIT)
    assert "disclosed to the defence" in out.read_text("utf-8-sig")


def test_the_export_window_offers_the_court_documents(qtbot: QtBot, app: App,
                                                      tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from ui.operations import ExportDialog, ResultDialog
    from vault.packages.verify import verify_package

    window = case_window(qtbot, app, tmp_path)
    v = window.vault
    assert v is not None
    ref = window.items.item_at(0).ref
    store.add_witness(v, CASE, "Mary Okafor", "MO", "investigator")
    store.mark_exhibit(v, CASE, ref, by="MO", description="Referral letter of three pages")
    wizard = window.open_export()
    assert isinstance(wizard, ExportDialog)
    wizard.next()
    wizard.encryption.setCurrentIndex(2)
    wizard.unencrypted_ok.setChecked(True)
    wizard.next()
    assert "court documents (1 exhibit marked) are left out unless you choose them" in \
        wizard.summary.text()
    assert wizard.with_court.isVisible() and not wizard.with_court.isChecked()
    wizard.with_court.setChecked(True)
    assert "court documents (1 exhibit marked) go with it as PDF" in wizard.summary.text()
    wizard.next()
    out = tmp_path / "case.zip"
    wizard.out.setText(str(out))
    qtbot.mouseClick(wizard.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    window.dialog.accept()
    result = verify_package(out)
    assert result.intact, result.reason
    assert result.court == ["exhibit labels", "cover sheets", "continuity records",
                            "statement lists", "non-sensitive schedule"]
    assert "data/court/continuity-MO_1.pdf" in result.court_files
    window.lock()
