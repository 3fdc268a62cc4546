"""The Chronology view (pytest-qt, offscreen, a real vault): adding a person and a fact whose
words are checked on the page, the date read back before saving, filters, the cast and who
knew what, a double-click opening the exhibit at the cited words, writing a table, the models
under Qt's model tester, and nothing left shown after locking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from test_gui import create_vault, import_by_drop
from test_gui_search import settle, three_pages

from ui.app import App
from ui.chronology_dialogs import FactDialog, PersonDialog, read_back
from ui.main_window import MainWindow
from ui.viewer import ViewerWindow
from vault.chronology import store
from vault.chronology.dates import parse_date

WAIT = 120_000
CASE = "C-1"


def case_window(qtbot: QtBot, app: App, tmp_path: Path) -> MainWindow:
    """A new vault whose case holds a three-page letter, read in the background."""
    window = create_vault(qtbot, app, tmp_path / "v")
    import_by_drop(qtbot, window, [three_pages(tmp_path / "referral.pdf")], CASE,
                   "post").accept()
    settle(qtbot, window)
    return window


def test_building_a_chronology_in_the_app(qtbot: QtBot, app: App, tmp_path: Path,
                                          monkeypatch: object) -> None:
    window = case_window(qtbot, app, tmp_path)
    feature = window.chronology
    panel = feature.panel
    feature.action.trigger()
    assert feature.dock.isVisible() and panel.case.currentText() == CASE
    qtbot.waitUntil(lambda: "No facts yet" in panel.status_line.text(), timeout=WAIT)

    # a person: the short name suggested from the name; a survivor gets a pseudonym
    dialog = feature.add_person()
    assert isinstance(dialog, PersonDialog)
    dialog.name.setText("Jane Smith")
    assert dialog.short.text() == "smith"
    dialog.short.setText("ca")
    dialog.role.setCurrentIndex(dialog.role.findData("survivor"))
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert panel.cast.rows[0][0] == "Jane Smith (Child A)"

    # a fact: an unknown @name or an impossible date keeps OK off; the date is read back
    ref = window.items.item_at(0).ref
    dialog = feature.add_fact()
    assert isinstance(dialog, FactDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.text.setText("Referral about @ca seen by @nobody")
    dialog.date.setText("3 May 2009")
    assert not ok.isEnabled() and "@nobody is not in the cast" in dialog.who.text()
    dialog.text.setText("Referral about @ca seen at the board")
    assert "@ca = Jane Smith (Child A)" in dialog.who.text()
    dialog.date.setText("31/02/2009")
    assert not ok.isEnabled() and "does not exist" in dialog.date_read.text()
    dialog.date.setText("c. 05/2009")
    assert ok.isEnabled()
    assert dialog.date_read.text() == "Kept as c. 05/2009: from 01/04/2009 to 30/06/2009"
    dialog.ref.setCurrentIndex(dialog.ref.findData(ref))
    dialog.page.setValue(3)
    dialog.quote.setText("seen by someone else")  # not on page 3: refused, nothing lost
    ok.click()  # checked off the GUI thread: OK waits meanwhile
    assert not ok.isEnabled() and "Checking the words" in dialog.problem.text()
    qtbot.waitUntil(lambda: "not on page 3" in dialog.problem.text(), timeout=WAIT)
    assert dialog.isVisible() and ok.isEnabled()
    assert store.facts(window.vault, CASE) == []  # nothing half-saved
    dialog.quote.setText("Referral seen by")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        ok.click()
    assert not dialog.isVisible()
    assert panel.facts.rows == [["1", "c. 05/2009", "Referral about Jane Smith seen at the "
                                 "board", "", f"{ref}, p. 3"]]

    # @ offers the cast as it is typed; the choice is written as @short
    dialog = feature.add_fact()
    dialog.text.setFocus()
    qtbot.keyClicks(dialog.text, "A letter to @c")
    popup = dialog.completer.popup()
    assert popup is not None and popup.isVisible()
    assert dialog.completer.completionModel().index(0, 0).data() == "@ca: Jane Smith (Child A)"
    dialog.completer.activated[QModelIndex].emit(  # type: ignore[index]
        dialog.completer.completionModel().index(0, 0))
    assert dialog.text.text() == "A letter to @ca "
    dialog.reject()

    # a fact changed (its history keeps the old sentence), then one taken out, with a reason
    [fact] = store.facts(window.vault, CASE)
    dialog = feature.change_fact(fact)
    assert dialog.text.text() == fact.text and dialog.date.text() == "c. 05/2009"
    dialog.text.setText("Referral about @ca seen on the board")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert panel.facts.rows[0][2] == "Referral about Jane Smith seen on the board"
    before = store.history(window.vault, CASE, "fact", 1)[-1].fields["details"]["before"]
    assert before["text"] == "Referral about @ca seen at the board"

    # filters and who knew what
    store.add_fact(window.vault, CASE, "An undated file note", parse_date("undated"))
    store.add_knowledge(window.vault, CASE, "ca", "the referral", parse_date("2009"),
                        how="letter", awareness="received")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.reload()
    assert len(panel.facts.rows) == 2
    panel.undated.setChecked(True)
    assert [r[2] for r in panel.facts.rows] == ["An undated file note"]
    assert "1 of 2 facts shown" in panel.status_line.text()
    panel.undated.setChecked(False)
    panel.no_citation.setChecked(True)
    assert [r[0] for r in panel.facts.rows] == ["2"]
    panel.no_citation.setChecked(False)
    assert panel.matrix.header == ["Who", "the referral"]
    assert panel.matrix.rows == [["Jane Smith (Child A)", "knew by 31/12/2009"]]

    # a double-click opens the exhibit at the cited words
    index = panel.facts.index(0, 2)
    panel.fact_view.doubleClicked.emit(index)
    viewers = window.findChildren(ViewerWindow)
    assert len(viewers) == 1
    viewer = viewers[0]
    qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
    qtbot.waitUntil(lambda: viewer.hit_index >= 0, timeout=WAIT)
    assert viewer.page_box.value() == 3 and viewer.find_edit.text() == "Referral seen by"
    # "Add to chronology" from the words selected: the citation is made for you
    assert viewer.pdf is not None and viewer.chronology_action.isEnabled()
    viewer.add_to_chronology()  # nothing selected yet: it says what to do
    assert "Select the words first" in viewer.statusBar().currentMessage()
    viewer.pdf.select_page(2)
    viewer.chronology_action.trigger()
    made = window.dialog
    assert isinstance(made, FactDialog) and made.windowTitle() == "Add a fact"
    assert (made.ref.currentData(), made.page.value()) == (ref, 3)
    assert made.quote.text().startswith("Referral seen by")
    made.reject()
    # or a box drawn with "Cite an area" (a signature, a photo: no words to check)
    viewer.tool_actions["cite"].trigger()
    viewer._dragged(0, QRectF(50, 60, 150, 90))
    made = window.dialog
    assert isinstance(made, FactDialog) and made.region_cited() == (50.0, 60.0, 200.0, 150.0)
    assert (made.ref.currentData(), made.page.value(), made.quote.text()) == (ref, 1, "")
    made.text.setText("The minutes carry a signature")
    made.date.setText("2009")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        made.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    signed = next(f for f in store.facts(window.vault, CASE) if "signature" in f.text)
    [area] = signed.citations
    assert (area.page, area.quote, area.found_in, area.region) == (
        1, "", "", (50.0, 60.0, 200.0, 150.0))
    store.remove_fact(window.vault, CASE, signed.number, "made by the test")
    viewer.close()

    # writing the neutral chronology: pseudonyms only
    out = tmp_path / "chronology.csv"
    monkeypatch.setattr("ui.chronology_ui.QFileDialog.getSaveFileName",  # type: ignore[attr-defined]
                        lambda *a, **k: (str(out), ""))
    feature.write("neutral", "csv")
    qtbot.waitUntil(out.exists, timeout=WAIT)
    text = out.read_bytes().decode("utf-8-sig")
    assert "Child A" in text and "Jane" not in text and "Smith" not in text

    # locking leaves nothing shown
    window.lock()
    assert panel.facts.rowCount() == 0 and panel.cast.rowCount() == 0
    assert panel.matrix.rowCount() == 0 and panel.people == {}
    assert panel.timeline.marks == [] and panel.timeline.facts == []


def test_the_models_pass_the_model_tester(qtmodeltester: object, tmp_path: Path) -> None:
    from ui.chronology_models import FactsModel, RowsModel
    from vault.chronology.model import Entity, Fact

    people = {"ca": Entity(1, "ca", "Jane Smith", "person", "survivor", "Child A")}
    facts = [Fact(1, 1, "@ca wrote", parse_date("2009"), key=True),
             Fact(2, 2, "Undated", parse_date("undated"), status="disputed by us",
                  versions=("a", "b"))]
    model = FactsModel()
    model.set_facts(facts, people)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rows[0][2] == "Jane Smith wrote"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    rows = RowsModel(("A", "B"))
    rows.set_rows([["1", "2"]])
    qtmodeltester.check(rows)  # type: ignore[attr-defined]


def test_dates_are_read_back_in_words() -> None:
    assert read_back(parse_date("03/03/2010")) == "03/03/2010: on 03/03/2010"
    assert read_back(parse_date("before 2010")) == "before 2010: up to 31/12/2009"
    assert read_back(parse_date("after 2010")) == "after 2010: from 01/01/2011 onwards"
    assert read_back(parse_date("undated")) == "undated"


def test_the_timeline_draws_lanes_spans_and_answers_the_keyboard(qtbot: QtBot) -> None:
    from PySide6.QtCore import QPointF

    from ui.chronology_timeline import TimelineArea
    from vault.chronology.model import Entity, Fact

    people = {"ca": Entity(1, "ca", "Jane Smith", "person", "survivor", "Child A"),
              "police": Entity(2, "police", "Northshire Police", "organisation", "agency")}
    facts = [Fact(1, 1, "@police got a referral about @ca", parse_date("03/03/2009"),
                  key=True, people=(("police", "recipient"), ("ca", "mentioned"))),
             Fact(2, 2, "@police reviewed it", parse_date("between 04/2009 and 06/2009"),
                  people=(("police", "actor"),)),
             Fact(3, 3, "A note was filed", parse_date("before 2010"),
                  status="disputed by us"),
             Fact(4, 4, "An undated note", parse_date("undated"))]
    area = TimelineArea()
    qtbot.addWidget(area)
    area.resize(900, 400)
    area.show()
    t = area.timeline
    opened: list[Fact] = []
    t.activated.connect(opened.append)
    t.set_facts(facts, people)
    assert t.lanes == ["police", "ca", ""]  # by first appearance; "" holds the rest
    assert t.undated == 1 and (t.start.year, t.end.year) == (2009, 2010)
    t.repaint()
    marks = {(m.fact.number, m.lane): m for m in t.marks}
    assert set(marks) == {(1, 0), (1, 1), (2, 0), (3, 2)}  # one mark per lane involved
    assert not marks[(1, 0)].span and marks[(2, 0)].span and marks[(3, 2)].span
    spread = marks[(2, 0)].rect  # April to June: a quarter of the year's width
    year = t.width() - 24 - (t._label_width() + 8)
    assert abs(spread.width() - year * 91 / 365) < 3
    assert marks[(3, 2)].rect.left() <= marks[(1, 0)].rect.left()  # "before": open start
    centre = marks[(1, 0)].rect.center()
    assert t.fact_at(QPointF(centre)) is facts[0]
    assert "Northshire Police got a referral about Jane Smith (Child A)" in t.tip(facts[0])
    # the keyboard reaches every dated fact, Enter opens it
    t.setFocus()
    qtbot.keyClick(t, Qt.Key.Key_Home)
    assert t.current == 0 and t.accessibleDescription().startswith("1. 03/03/2009")
    qtbot.keyClick(t, Qt.Key.Key_Right)
    qtbot.keyClick(t, Qt.Key.Key_Right)
    qtbot.keyClick(t, Qt.Key.Key_Right)  # the last stays the last
    assert t.dated[t.current].number == 3  # the view's order; the undated one not drawn
    qtbot.keyClick(t, Qt.Key.Key_Left)
    qtbot.keyClick(t, Qt.Key.Key_Return)
    assert opened == [facts[1]]
    qtbot.mouseDClick(t, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert opened[-1] is facts[0]
    t.clear()
    assert t.marks == [] and t.lanes == []


def test_issues_gaps_ranges_and_saved_views_in_the_app(qtbot: QtBot, app: App,
                                                        tmp_path: Path,
                                                        monkeypatch: object) -> None:
    from PySide6.QtWidgets import QInputDialog

    from ui.chronology_dialogs import GapDialog, IssueDialog

    window = case_window(qtbot, app, tmp_path)
    v = window.vault
    store.add_entity(v, CASE, "jones", "DS Alan Jones")
    store.add_fact(v, CASE, "@jones got the referral", parse_date("03/03/2009"))
    store.add_fact(v, CASE, "@jones filed it", parse_date("c. 06/2011"))
    store.add_fact(v, CASE, "The school was told", parse_date("2012"), status="to be proved")
    feature, panel = window.chronology, window.chronology.panel
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.action.trigger()

    # an issue and its element, from the Issues tab
    dialog = feature.add_issue()
    assert isinstance(dialog, IssueDialog)
    dialog.title.setText("Misconduct in public office")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.accept()
    dialog = feature.add_issue()
    dialog.title.setText("Aware of the risk")
    dialog.parent_issue.setCurrentIndex(1)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.accept()
    assert panel.elements.rows == [["1 Misconduct in public office", "", ""],
                                   ["1.1 Aware of the risk", "NO SUPPORTING FACT", ""]]
    assert panel.elements.bold == [False, True]

    # a fact linked to the element from its menu, weakly, then strongly
    first = next(f for f in panel.all_facts if f.number == 1)
    menu = feature.fact_menu(first)
    supports = next(a.menu() for a in menu.actions() if a.text() == "Supports")
    element = next(a.menu() for a in supports.actions() if a.text() == "1.1 Aware of the risk")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        next(a for a in element.actions() if a.text() == "weak").trigger()
    assert panel.elements.rows[1] == ["1.1 Aware of the risk", "WEAK SUPPORT ONLY", "1 (weak)"]
    first = next(f for f in panel.all_facts if f.number == 1)
    element = next(a.menu() for a in next(
        a.menu() for a in feature.fact_menu(first).actions() if a.text() == "Supports"
    ).actions() if a.text().startswith("1.1"))
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        next(a for a in element.actions() if a.text() == "strong").trigger()
    assert panel.elements.rows[1][1:] == ["1 fact", "1 (strong)"]

    # filters: by issue, and by a date range (typed as dates are typed)
    panel.issue.setCurrentIndex(panel.issue.findData(2))
    assert [r[0] for r in panel.facts.rows] == ["1"]
    panel.issue.setCurrentIndex(0)
    panel.date_from.setText("2010")
    assert [r[0] for r in panel.facts.rows] == ["2", "3"]
    panel.date_to.setText("06/2011")
    assert [r[0] for r in panel.facts.rows] == ["2"]  # c. 06/2011 overlaps
    panel.date_to.setText("32/13/2011")  # cannot be read: marked, ignored
    assert "border" in panel.date_to.styleSheet() and panel.date_to.toolTip()
    panel.date_to.setText("06/2011")

    # saved as a view, found again after the filters change
    monkeypatch.setattr(QInputDialog, "getText",  # type: ignore[attr-defined]
                        lambda *a, **k: ("From 2010", True))
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.save_view()
    panel.date_from.clear()
    panel.date_to.clear()
    assert len(panel.facts.rows) == 3
    panel.views.setCurrentIndex(panel.views.findText("From 2010"))
    panel.views.activated.emit(panel.views.currentIndex())
    assert panel.date_from.text() == "01/01/2010" and [r[0] for r in panel.facts.rows] == ["2"]

    # gaps: one recorded, one closed; a fact to be proved listed among them
    dialog = feature.add_gap()
    assert isinstance(dialog, GapDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("document not held"))
    dialog.text.setText("The police log of the referral")
    dialog.date.setText("not a date")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.date.setText("03/03/2009")
    dialog.sources.setText("the force's disclosure officer")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.accept()
    assert panel.gap_rows.rows == [
        ["1", "document not held", "The police log of the referral", "03/03/2009",
         "the force's disclosure officer", "", "open"],
        ["", "fact to be proved", "The school was told", "2012", "", "3", "open"]]
    monkeypatch.setattr(QInputDialog, "getItem",  # type: ignore[attr-defined]
                        lambda *a, **k: ("1: The police log of the referral", True))
    monkeypatch.setattr(QInputDialog, "getText",  # type: ignore[attr-defined]
                        lambda *a, **k: ("found: exhibit MO/2", True))
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.close_gap()
    assert panel.gap_rows.rows[0][-1] == "closed: found: exhibit MO/2"
    assert not panel.close_gap_button.isEnabled()
    assert [e.fields["action"] for e in store.history(v, CASE, "gap", 1)] == [
        "chronology entry added", "chronology entry changed"]

    # taking a fact out asks why; its number is kept in its history
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.remove_fact(next(f for f in panel.all_facts if f.number == 2))
    assert [f.number for f in store.facts(v, CASE)] == [1, 3]
    window.lock()
    assert panel.elements.rowCount() == 0 and panel.gap_rows.rowCount() == 0
    assert panel.views.count() == 0 and panel.issue.count() == 0


def test_the_chronology_goes_into_a_package_from_the_export_wizard(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from ui.operations import ExportDialog, ResultDialog
    from vault.packages.verify import verify_package

    window = case_window(qtbot, app, tmp_path)
    v = window.vault
    ref = window.items.item_at(0).ref
    store.add_entity(v, CASE, "ca", "Jane Smith", role="survivor")
    store.add_fact(v, CASE, "A referral about @ca", parse_date("03/05/2009"),
                   citing=(ref, 3, "Referral seen by"))
    wizard = window.open_export()
    assert isinstance(wizard, ExportDialog)
    wizard.next()
    wizard.encryption.setCurrentIndex(2)  # not encrypted, ticked: to read the zip below
    wizard.unencrypted_ok.setChecked(True)
    wizard.next()
    assert "chronology (1 fact) is left out unless you choose it" in wizard.summary.text()
    assert wizard.with_chronology.isVisible() and not wizard.with_chronology.isChecked()
    assert not wizard.chronology_tables.isEnabled()
    wizard.with_chronology.setChecked(True)
    assert "chronology (1 fact) goes with it: 2 tables" in wizard.summary.text()
    wizard.chronology_tables.setCurrentIndex(2)
    assert "PRIVILEGED tables go too: elements, gaps, working" in wizard.summary.text()
    wizard.chronology_tables.setCurrentIndex(1)
    assert "5 tables" in wizard.summary.text()
    wizard.next()
    out = tmp_path / "case.zip"
    wizard.out.setText(str(out))
    qtbot.mouseClick(wizard.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    window.dialog.accept()
    result = verify_package(out)
    assert result.intact and result.chronology == ["neutral", "cast", "matrix", "periods",
                                                   "action"]
    assert result.chronology_sources == 1
    window.lock()


def test_a_chronology_is_brought_in_from_a_sheet(qtbot: QtBot, app: App,
                                                 tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.chronology_import import SheetImportDialog

    window = case_window(qtbot, app, tmp_path)
    ref = window.items.item_at(0).ref
    sheet = tmp_path / "old.csv"
    sheet.write_text("Day,Narrative,Exhibit,Extract\n"
                     f"03/05/2009,A referral was seen,{ref} p. 3,Referral seen by\n"
                     "31/02/2009,An impossible day,,\n"
                     "c. 2010,A review,,\n", encoding="utf-8")
    feature, panel = window.chronology, window.chronology.panel
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.action.trigger()
    feature.import_sheet(sheet)  # read off the GUI thread: the dialog follows
    qtbot.waitUntil(lambda: isinstance(window.dialog, SheetImportDialog), timeout=WAIT)
    dialog = window.dialog
    assert isinstance(dialog, SheetImportDialog)
    # "Day" is not taken for the date (not a word the guess knows): chosen here
    assert dialog.columns["date"].currentData() is None and not dialog.ok.isEnabled()
    assert dialog.columns["text"].currentText() == "Narrative"
    dialog.columns["date"].setCurrentIndex(dialog.columns["date"].findText("Day"))
    dialog.columns["source"].setCurrentIndex(dialog.columns["source"].findText("Exhibit"))
    dialog.columns["quote"].setCurrentIndex(dialog.columns["quote"].findText("Extract"))
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=WAIT)
    assert "2 of 3 rows will become facts" in dialog.summary.text()
    assert dialog.preview.rows[1][4].startswith("NOT IMPORTED: the date '31/02/2009'")
    assert dialog.preview.bold == [False, True, False]
    assert dialog.preview.rows[0][3] == f"{ref}, p. 3"
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.ok.click()
    box = window.dialog
    assert isinstance(box, QMessageBox)
    assert box.text() == "2 facts added; citations checked and made: 1."
    assert "Row 3 NOT IMPORTED" in box.informativeText()
    box.close()
    # by the earliest day each may be: c. 2010 may be as early as 2009
    assert [r[2] for r in panel.facts.rows] == ["A review", "A referral was seen"]
    assert panel.all_facts[1].citations[0].where() == f"{ref}, p. 3"
    window.lock()


def test_knowledge_and_posts_in_the_app(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from ui.chronology_dialogs import KnowledgeDialog, PostDialog

    window = case_window(qtbot, app, tmp_path)
    v = window.vault
    ref = window.items.item_at(0).ref
    store.add_entity(v, CASE, "jones", "DS Alan Jones")
    store.add_entity(v, CASE, "police", "Northshire Police", kind="organisation")
    store.add_fact(v, CASE, "@jones filed the referral", parse_date("06/2009"))
    store.add_fact(v, CASE, "The council met", parse_date("2010"))
    feature, panel = window.chronology, window.chronology.panel
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        feature.action.trigger()

    dialog = feature.add_post()
    assert isinstance(dialog, PostDialog)
    assert dialog.organisation.currentData() == "police" and dialog.person.count() == 1
    dialog.post.setText("Detective Sergeant")
    dialog.start.setText("2005")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        dialog.accept()
    jones = next(r for r in panel.cast.rows if r[0] == "DS Alan Jones")
    assert jones[3] == "Detective Sergeant, Northshire Police (2005 to undated)"

    dialog = feature.add_knowledge()
    assert isinstance(dialog, KnowledgeDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.who.setCurrentIndex(dialog.who.findData("jones"))
    dialog.matter.setCurrentText("the referral")
    dialog.date.setText("before 06/2009")
    assert ok.isEnabled() and "up to 31/05/2009" in dialog.date_read.text()
    dialog.how.setCurrentIndex(dialog.how.findData("referral"))
    dialog.awareness.setCurrentIndex(dialog.awareness.findData("received"))
    dialog.response.setCurrentIndex(dialog.response.findData(1))
    dialog.ref.setCurrentIndex(dialog.ref.findData(ref))
    dialog.page.setValue(3)
    dialog.quote.setText("not on the page at all")
    ok.click()
    qtbot.waitUntil(lambda: "not on page 3" in dialog.problem.text(), timeout=WAIT)
    assert store.knowledge(v, CASE) == []  # both or neither
    dialog.quote.setText("Referral seen by")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        ok.click()
    [k] = store.knowledge(v, CASE)
    assert (k.who, k.response, [c.where() for c in k.citations]) == ("jones", 1,
                                                                    [f"{ref}, p. 3"])
    assert panel.matrix.rows == [["DS Alan Jones", "knew by 31/05/2009 (" + ref + ", p. 3)"]]
    # what each knew on a day
    assert not panel.known_view.isVisibleTo(panel)
    panel.known_day.setText("01/05/2009")
    assert panel.known.rows[0][0] == "nothing recorded as known by then"
    panel.known_day.setText("01/06/2009")
    assert panel.known.rows == [["DS Alan Jones", "the referral", "knew",
                                 "knew by 31/05/2009 (" + ref + ", p. 3)"]]
    panel.known_day.setText("2009")  # not one day: marked
    assert "border" in panel.known_day.styleSheet()

    # a person double-clicked in the People tab: their facts
    row = next(i for i, r in enumerate(panel.cast.rows) if r[0] == "DS Alan Jones")
    panel.cast_view.doubleClicked.emit(panel.cast.index(row, 0))
    assert panel.tabs.currentWidget() is panel.fact_view
    assert [r[2] for r in panel.facts.rows] == ["DS Alan Jones filed the referral"]
    window.lock()
