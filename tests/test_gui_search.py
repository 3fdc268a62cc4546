"""Search, tags and OCR in the desktop app (pytest-qt, offscreen, real vaults, real Tesseract):
the search model under the model tester, typing a query and opening the hit at its page,
filters, tags through the detail pane, scans read in the background while the window stays
responsive, and locking during OCR."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pymupdf
import pytest
from conftest import PASSPHRASE
from PIL import Image
from PySide6.QtCore import Qt as QtNS
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from test_gui import create_vault, import_by_drop
from test_ocr import scanned_pdf

from ui.app import App
from ui.main_window import MainWindow
from ui.search_model import HTML_ROLE, SNIPPET_COLUMN, plain_snippet, snippet_html
from ui.search_panel import SearchPanel
from ui.vault_dialogs import UnlockDialog
from ui.viewer import ViewerWindow
from vault.evidence.tags import tags_of
from vault.search.ocr import ocr_text, pending_ocr
from vault.search.query import HIT_END, HIT_START, Hit, search
from vault.store.vault import Vault

WAIT = 120_000
WORD = "Pendleford"


# ------------------------------------------------------------------------------ inputs
def three_pages(path: Path, last: str = f"Referral seen by {WORD} on 3 May") -> Path:
    """A text PDF whose word is on page 3 only."""
    with pymupdf.open() as doc:
        for text in ("Minutes of the safeguarding board", "Agenda and apologies", last):
            doc.new_page(width=595, height=842).insert_text((72, 100), text, fontsize=14)
        doc.save(path)
    return path


def small_photo(path: Path) -> Path:
    Image.new("RGB", (48, 32), (200, 180, 160)).save(path, "JPEG")
    return path


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the background indexing and OCR to finish."""
    qtbot.waitUntil(lambda: not window.search.text_jobs.running, timeout=WAIT)


def search_for(qtbot: QtBot, panel: SearchPanel, text: str) -> None:
    """Type ``text`` into the (cleared) box and wait for its results to be shown."""
    panel.query.clear()
    with qtbot.waitSignal(panel.searched, timeout=WAIT):
        qtbot.keyClicks(panel.query, text)


def refs_shown(panel: SearchPanel) -> set[str]:
    return {panel.model.hit_at(r).ref for r in range(panel.model.rowCount())}


def ref_of(window: MainWindow, name: str) -> str:
    return next(window.items.item_at(r).ref for r in range(window.items.rowCount())
                if window.items.item_at(r).name == name)


def choose(qtbot: QtBot, panel: SearchPanel, combo: object, data: object) -> None:
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo, QComboBox)
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    with qtbot.waitSignal(panel.searched, timeout=WAIT):
        combo.setCurrentIndex(index)


# ------------------------------------------------------------------------------ tests
def test_the_search_model_passes_the_model_tester_and_escapes_snippets(
        qtbot: QtBot, request: pytest.FixtureRequest, app: App, tmp_path: Path) -> None:
    from pytestqt.modeltest import ModelTester

    window = create_vault(qtbot, app, tmp_path / "v")
    pdf = three_pages(tmp_path / "board.pdf", f'<img src="x"> {WORD} & <b>council</b>')
    import_by_drop(qtbot, window, [pdf, three_pages(tmp_path / "other.pdf")], "C-1",
                   "post").accept()
    settle(qtbot, window)
    panel = window.search.panel
    search_for(qtbot, panel, WORD)
    assert panel.model.rowCount() >= 2
    ModelTester(request.config).check(panel.model, force_py=True)
    search_for(qtbot, panel, "council OR safeguarding")  # a new query resets the model
    assert panel.model.rowCount() >= 2
    ModelTester(request.config).check(panel.model, force_py=True)

    search_for(qtbot, panel, WORD)
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.hit_at(r).source == "pdf" and panel.model.hit_at(r).page == 3 and
               panel.model.hit_at(r).ref == ref_of(window, "board.pdf"))
    rich = panel.model.index(row, SNIPPET_COLUMN).data(HTML_ROLE)
    assert "&lt;img src=&quot;x&quot;&gt;" in rich and "&amp;" in rich
    assert "<img" not in rich and "&lt;b&gt;council&lt;/b&gt;" in rich
    assert f">{WORD}</b>" in rich  # the hit, and only the hit, is marked up
    plain = panel.model.index(row, SNIPPET_COLUMN).data()
    assert WORD in plain and HIT_START not in plain and HIT_END not in plain
    assert snippet_html(f"a<{HIT_START}x{HIT_END}") == \
        'a&lt;<b style="background-color:#ffe066; color:#000000">x</b>'
    panel.view.resize(900, 300)
    panel.view.grab()  # the delegate paints every row without a warning
    assert panel.status.text() == f"{panel.model.rowCount()} results"

    # a hit in how it was received: the receipt's fields named in words
    search_for(qtbot, panel, "post")  # received from "post"
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.hit_at(r).source == "provenance")
    assert panel.model.index(row, 3).data() == "How it was received"
    shown = panel.model.index(row, SNIPPET_COLUMN).data()
    assert "received from: post" in shown and "received_from" not in shown, shown
    assert "received_from" not in panel.model.index(row, SNIPPET_COLUMN).data(HTML_ROLE)
    assert "received_from: " in panel.model.hit_at(row).snippet  # the index keeps its names
    assert plain_snippet(Hit("MO/1", 1, "a.pdf", "", "", "provenance", None,
                             f"{HIT_START}original_name{HIT_END}: a.pdf original_path: a",
                             "", "", ())) == \
        f"{HIT_START}original_name{HIT_END}: a.pdf path: a"  # a field's name that is a hit

    search_for(qtbot, panel, "zzzunfindable")
    assert panel.model.rowCount() == 0 and "No results for" in panel.status.text()
    search_for(qtbot, panel, '" ( ** ')
    assert panel.model.rowCount() == 0 and "Type a word" in panel.status.text()
    search_for(qtbot, panel, '"safeguarding board" OR apologies')
    assert panel.model.rowCount() == 4  # a phrase, OR: pages 1 and 2 of both
    search_for(qtbot, panel, "(safeguarding OR apologies) NOT board")
    assert {panel.model.hit_at(r).page for r in range(panel.model.rowCount())} == {2}
    search_for(qtbot, panel, '"board safeguarding"')  # a phrase is in its order
    assert panel.model.rowCount() == 0


def test_typing_a_query_opens_the_hit_at_its_page_highlighted(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path / "v")
    import_by_drop(qtbot, window, [three_pages(tmp_path / "referral.pdf")], "C-1",
                   "post").accept()
    settle(qtbot, window)
    panel = window.search.panel
    window.search.action.trigger()  # Ctrl+F / Ctrl+K
    assert window.search.dock.isVisible()
    qtbot.keyClicks(panel.query, WORD[:6].lower() + "*")  # a prefix query, as typed
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.hit_at(r).source == "pdf")
    hit = panel.model.hit_at(row)
    assert hit.page == 3
    panel.view.setCurrentIndex(panel.model.index(row, 0))
    qtbot.keyClick(panel.view, QtNS.Key.Key_Return)  # activate the result
    viewers = window.findChildren(ViewerWindow)
    assert len(viewers) == 1
    viewer = viewers[0]
    qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
    qtbot.waitUntil(lambda: viewer.hit_index >= 0, timeout=WAIT)
    assert viewer.find_bar.isVisible()
    assert viewer.find_edit.text().casefold() == WORD[:6].casefold()
    page, rect = viewer.hits[viewer.hit_index]
    assert page == 2 and rect.width() > 0  # page 3, counted from 0
    assert viewer.page_box.value() == 3
    assert viewer.pdf is not None and viewer.pdf.current_page() == 2
    assert viewer.find_status.text() == "1 of 1"
    window.lock()


def test_filters_and_tags_through_the_detail_pane(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path / "v")
    import_by_drop(qtbot, window, [three_pages(tmp_path / "a.pdf"),
                                   small_photo(tmp_path / f"{WORD}-site.jpg")], "C-1",
                   "post").accept()
    import_by_drop(qtbot, window, [three_pages(tmp_path / "b.pdf")], "C-2",
                   "email").accept()
    settle(qtbot, window)
    a, b, photo = (ref_of(window, n) for n in ("a.pdf", "b.pdf", f"{WORD}-site.jpg"))
    panel = window.search.panel
    search_for(qtbot, panel, WORD)
    assert refs_shown(panel) == {a, b, photo}
    choose(qtbot, panel, panel.case, "C-2")
    assert refs_shown(panel) == {b}
    choose(qtbot, panel, panel.case, None)
    choose(qtbot, panel, panel.kind, "image/")
    assert refs_shown(panel) == {photo}
    choose(qtbot, panel, panel.kind, "application/pdf")
    assert refs_shown(panel) == {a, b}
    choose(qtbot, panel, panel.source, "name")
    assert refs_shown(panel) == set()
    choose(qtbot, panel, panel.kind, None)
    assert refs_shown(panel) == {photo}
    choose(qtbot, panel, panel.source, None)

    # a tag added through the detail pane: offered as a filter, found by tag:
    window.search.show_in_list(a)
    extras = window.detail.extras
    assert extras.ref == a and extras.new_tag.isEnabled()
    with qtbot.waitSignal(panel.searched, timeout=WAIT):
        qtbot.keyClicks(extras.new_tag, "police knowledge")
        qtbot.mouseClick(extras.add_button, QtNS.MouseButton.LeftButton)
    assert tags_of(window._open_vault(), a) == ["police knowledge"]
    assert extras.tags.stringList() == ["police knowledge"]
    choose(qtbot, panel, panel.tag, "police knowledge")
    assert refs_shown(panel) == {a}
    search_for(qtbot, panel, "")  # the tag alone lists its items
    assert refs_shown(panel) == {a}
    choose(qtbot, panel, panel.tag, None)
    search_for(qtbot, panel, f'{WORD} tag:"police knowledge"')
    assert refs_shown(panel) == {a}
    search_for(qtbot, panel, "police")  # tags are searched as text too
    assert refs_shown(panel) == {a}
    assert {panel.model.hit_at(r).source for r in range(panel.model.rowCount())} == {"tag"}
    # the completer offers tags in use on another item
    window.search.show_in_list(b)
    assert extras.known.stringList() == ["police knowledge"]
    # removing it through the pane: gone from the filter and from search
    window.search.show_in_list(a)
    extras.tag_view.setCurrentIndex(extras.tags.index(0))
    with qtbot.waitSignal(panel.searched, timeout=WAIT):
        qtbot.mouseClick(extras.remove_button, QtNS.MouseButton.LeftButton)
    assert tags_of(window._open_vault(), a) == [] and extras.tags.stringList() == []
    assert panel.tag.findData("police knowledge") == -1
    assert refs_shown(panel) == set()
    # a tag the core refuses: a message, not a traceback
    extras.new_tag.setText("x" * 101)
    extras.add_clicked()
    assert isinstance(window.dialog, QMessageBox) and "at most 100" in window.dialog.text()
    assert tags_of(window._open_vault(), a) == []

    # a non-paged hit (a file name) selects the item and shows its details
    window.search.show_in_list(b)
    window.search.open_hit(next(h for h in search(window._open_vault(), WORD, source="name")))
    assert window.detail.ref == photo
    window.lock()
    assert panel.model.rowCount() == 0 and panel.query.text() == ""


def test_a_scan_is_read_in_the_background_and_found_while_the_window_stays_responsive(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path / "v")
    scan = scanned_pdf(tmp_path / "scan.pdf", [["Agenda of the meeting"],
                                                [f"Letter from {WORD} council"]])
    ticks: list[float] = []
    labels: set[str] = set()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: (ticks.append(time.perf_counter()),
                                   labels.add(window.search.text_jobs.label.text())))
    import_by_drop(qtbot, window, [scan], "C-1", "post").accept()
    ref = ref_of(window, "scan.pdf")
    assert window.search.text_jobs.running  # started after the import, not during it
    timer.start()
    started = time.perf_counter()
    settle(qtbot, window)
    ocr_seconds = time.perf_counter() - started
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    print(f"OCR of 2 pages: {ocr_seconds:.2f} s, {len(ticks)} ticks, "
          f"largest gap {max(gaps) * 1000:.0f} ms, "
          f"gaps over 50 ms: {sorted(round(g * 1000) for g in gaps if g > 0.05)}")
    assert ocr_seconds > 0.5 and len(ticks) > 20  # it did run in the background
    assert max(gaps) < 0.2
    assert any(t.startswith("Reading scans:") and "of 2 pages" in t for t in labels), labels
    assert not window.search.text_jobs.widget.isVisible()
    assert [p for p, _t in ocr_text(window._open_vault(), ref)] == [1, 2]

    panel = window.search.panel
    search_for(qtbot, panel, WORD.lower())
    hits = [panel.model.hit_at(r) for r in range(panel.model.rowCount())]
    assert [(h.ref, h.source, h.page) for h in hits] == [(ref, "ocr", 2)]
    window.select(ref)
    extras = window.detail.extras
    assert not extras.text.isHidden()
    assert WORD in extras.text.toPlainText() and extras.text.isReadOnly()
    extras.copy_button.click()
    assert WORD in QGuiApplication.clipboard().text()
    window.lock()
    assert WORD not in QGuiApplication.clipboard().text()  # taken back at lock


def test_locking_during_ocr_cancels_it_and_unlocking_resumes_it(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path / "v")
    folder = window._open_vault().folder
    scan = scanned_pdf(tmp_path / "scan.pdf", [[f"Page {n} of the {WORD} file"]
                                                for n in range(1, 7)])
    import_by_drop(qtbot, window, [scan], "C-1", "post").accept()
    jobs = window.search.text_jobs
    qtbot.waitUntil(lambda: jobs.label.text().startswith("Reading scans: 1 of"), timeout=WAIT)
    started = time.perf_counter()
    window.lock()
    lock_seconds = time.perf_counter() - started
    print(f"lock during OCR: {lock_seconds:.2f} s")
    assert lock_seconds < 10 and window.vault is None and not jobs.running
    assert isinstance(app.screen, UnlockDialog)
    v = Vault.open(folder, passphrase=PASSPHRASE)
    try:
        queued = pending_ocr(v)
        assert len(queued) == 1 and queued[0][2] == ""  # left queued, not failed
        read = ocr_text(v, queued[0][0])
        assert 1 <= len(read) < 6  # what was read is kept
    finally:
        v.close()

    dialog = app.screen
    dialog.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, QtNS.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    again = app.window
    assert isinstance(again, MainWindow)
    assert again.search.text_jobs.running  # resumed at unlock
    settle(qtbot, again)
    assert len(ocr_text(again._open_vault(), queued[0][0])) == 6
    search_for(qtbot, again.search.panel, f"{WORD} page")
    assert again.search.panel.model.rowCount() == 6


def test_a_hit_in_ocr_text_opens_with_the_words_boxes_highlighted(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    """A word only in the picture of a scanned page (and of a photo): after the background
    OCR, activating its hit shows the page (the photo) with a find highlight on the word."""
    from test_ocr import near, picture_and_truth

    window = create_vault(qtbot, app, tmp_path / "v")
    first, _ = picture_and_truth(595, 842, ["Agenda of the meeting"])
    second, truth = picture_and_truth(595, 842, [f"Letter from {WORD} council"])
    with pymupdf.open() as doc:
        for picture in (first, second):
            doc.new_page(width=595, height=842).insert_image(pymupdf.Rect(0, 0, 595, 842),
                                                            stream=picture)
        doc.save(tmp_path / "scan.pdf")
    photo, photo_truth = picture_and_truth(595, 842, ["Memo signed Quenbury"])
    (tmp_path / "memo.png").write_bytes(photo)
    import_by_drop(qtbot, window, [tmp_path / "scan.pdf", tmp_path / "memo.png"], "C-1",
                   "post").accept()
    settle(qtbot, window)
    panel = window.search.panel
    window.search.action.trigger()

    search_for(qtbot, panel, WORD.lower())
    hits = [panel.model.hit_at(r) for r in range(panel.model.rowCount())]
    assert [(h.source, h.page) for h in hits] == [("ocr", 2)]
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.view, QtNS.Key.Key_Return)
    viewer = window.findChildren(ViewerWindow)[-1]
    qtbot.waitUntil(lambda: viewer.ready and viewer.hit_index >= 0, timeout=WAIT)
    assert viewer.pdf is not None
    assert [page for page, _r in viewer.hits] == [1]  # page 2, counted from 0
    rect = viewer.hits[0][1]
    assert near((rect.left(), rect.top(), rect.right(), rect.bottom()), truth[WORD], 4)
    assert viewer.pdf.overlay("find")[1] == [rect]  # drawn as find hits are
    assert viewer.pdf.overlay("find-current")[1] == [rect]
    assert viewer.pdf.current_page() == 1 and viewer.page_box.value() == 2
    assert viewer.find_status.text() == "1 of 1"
    viewer.close()

    search_for(qtbot, panel, "quenbury")  # a photo's text: boxes in its pixels
    hits = [panel.model.hit_at(r) for r in range(panel.model.rowCount())]
    assert [(h.source, h.page) for h in hits] == [("ocr", 1)]
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.view, QtNS.Key.Key_Return)
    photo_viewer = next(v for v in window.findChildren(ViewerWindow) if v.kind == "photo")
    qtbot.waitUntil(lambda: bool(photo_viewer.photo.overlay("find")), timeout=WAIT)
    [box] = photo_viewer.photo.overlay("find")
    want = tuple(c * 200 / 72 for c in photo_truth["Quenbury"])
    assert near((box.left(), box.top(), box.right(), box.bottom()), want, 8), (box, want)
    assert photo_viewer.photo.overlay("find-current") == [box]
    window.lock()
