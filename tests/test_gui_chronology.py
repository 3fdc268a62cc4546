"""The Chronology view (pytest-qt, offscreen, a real vault): adding a person and a fact whose
words are checked on the page, the date read back before saving, filters, the cast and who
knew what, a double-click opening the exhibit at the cited words, writing a table, the models
under Qt's model tester, and nothing left shown after locking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from test_gui import create_vault, import_by_drop
from test_gui_search import settle, three_pages

from ui.app import App
from ui.chronology_dialogs import FactDialog, PersonDialog, read_back
from ui.viewer import ViewerWindow
from vault.chronology import store
from vault.chronology.dates import parse_date

WAIT = 120_000
CASE = "C-1"


def test_building_a_chronology_in_the_app(qtbot: QtBot, app: App, tmp_path: Path,
                                          monkeypatch: object) -> None:
    window = create_vault(qtbot, app, tmp_path / "v")
    import_by_drop(qtbot, window, [three_pages(tmp_path / "referral.pdf")], CASE,
                   "post").accept()
    settle(qtbot, window)
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
