"""The viewer (pytest-qt, offscreen, a real vault holding the real corpus): every corpus PDF
opens and its pages are drawn; continuous scroll, zoom, fit width, outline, find, selection
and copy; a password-protected PDF after its password; photos upright with their stored bytes
unchanged; closing and locking drop everything; nothing is written outside the vault."""

from __future__ import annotations

import hashlib
import math
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest
import shiboken6
from conftest import CORPUS, IDENTITY, PASSPHRASE, ROOT, T0, import_refs
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QInputDialog,
    QLineEdit,
    QScrollBar,
    QWidget,
)
from pytestqt.qtbot import QtBot
from test_no_plaintext import (
    NOT_FILES,
    TRACED,
    places_to_scan,
    scan,
    strace_or_fail,
    temp_roots,
    write_pdf,
    written_paths,
)

from ui.main_window import MainWindow
from ui.pdf_view import MARGIN, PAGE_CACHE_PAGES, BoundedCache
from ui.viewer import ViewerWindow, open_viewer
from vault.clock import FixedClock
from vault.documents.document import PasswordRequired, WrongPassword, open_document, open_photo
from vault.documents.thumbnails import original_item
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

WAIT = 60_000
PDFS = sorted(p.name for p in (CORPUS / "pdf").glob("*.pdf"))
PROTECTED = "password-protected.pdf"
OPEN_PASSWORD = "openpassword"


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, dict[str, str]]]:
    """One vault holding the whole corpus, shared by the tests that only read it."""
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    v, _ = Vault.create(tmp_path_factory.mktemp("viewer") / "case", PASSPHRASE, IDENTITY,
                        clock=FixedClock(T0), kdf=TEST_KDF)
    refs = import_refs(v, CORPUS)
    yield v, refs
    v.close()


@pytest.fixture
def viewers(qtbot: QtBot) -> Iterator[Callable[[Vault, str], ViewerWindow]]:
    """Opens viewers on a stand-in main window; closes what is still open at the end."""
    host = QWidget()
    qtbot.addWidget(host)
    opened: list[ViewerWindow] = []

    def make(v: Vault, ref: str) -> ViewerWindow:
        viewer = ViewerWindow(v, ref, host)
        opened.append(viewer)
        viewer.show()
        return viewer

    yield make
    for viewer in opened:
        if shiboken6.isValid(viewer):
            viewer.close()


def rendered(viewer: ViewerWindow, page: int) -> bool:
    """The page is drawn at the view's present zoom."""
    assert viewer.renderer is not None and viewer.pdf is not None
    entry = viewer.renderer.page_image(page)
    return entry is not None and math.isclose(entry[1], viewer.pdf.zoom *
                                              viewer.pdf.devicePixelRatioF())


def settled(viewer: ViewerWindow) -> bool:
    return viewer.pdf is not None and all(rendered(viewer, p)
                                          for p in viewer.pdf.visible_pages())


def open_pdf(qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow], v: Vault,
             ref: str) -> ViewerWindow:
    viewer = viewers(v, ref)
    qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    return viewer


def not_blank(image: QImage, area: QRectF | None = None) -> bool:
    """Some pixel (in ``area``) is not white."""
    if area is not None:
        image = image.copy(area.toAlignedRect())
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return bool(bytes(image.constBits()).replace(b"\xff", b""))


def drag(qtbot: QtBot, widget: QWidget, a: QPointF, b: QPointF) -> None:
    start, end = a.toPoint(), b.toPoint()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 5):
        qtbot.mouseMove(widget, start + (end - start) * i / 4)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def sha256_stored(v: Vault, ref: str) -> str:
    item, key = original_item(v, ref)
    assert item.oid is not None and key is not None
    digest = hashlib.sha256()
    with v.objects.open(item.oid, key) as reader:
        for chunk in reader.iter_chunks():
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------------------ the core
def damaged(v: Vault, tmp_path: Path) -> dict[str, str]:
    """Content that does not decode: a JPEG cut in half, a PDF cut after 300 bytes."""
    inputs = tmp_path / "damaged"
    inputs.mkdir()
    jolla = (CORPUS / "photos" / "jolla.jpg").read_bytes()
    (inputs / "truncated.jpg").write_bytes(jolla[: len(jolla) // 2])
    (inputs / "cut.pdf").write_bytes((CORPUS / "pdf" / "minimal-document.pdf").read_bytes()[:300])
    return import_refs(v, inputs)


def test_the_core_opens_pdfs_from_memory(library: tuple[Vault, dict[str, str]], vault: Vault,
                                         tmp_path: Path) -> None:
    v, refs = library
    with pytest.raises(PasswordRequired) as e:
        open_document(v, refs[PROTECTED])
    assert not isinstance(e.value, WrongPassword)
    with pytest.raises(WrongPassword):
        open_document(v, refs[PROTECTED], "not it")
    doc = open_document(v, refs[PROTECTED], OPEN_PASSWORD)
    assert doc.protected and doc.page_count == 1
    doc.close()
    doc = open_document(v, refs["habibi-rotated.pdf"])
    try:
        for page in range(doc.page_count):
            w, h = doc.page_size(page)
            width, height, stride, rgb = doc.render(page, 1.0)
            assert (width, height) == (math.ceil(w), math.ceil(h)) and len(rgb) == stride * height
            for word in doc.words(page):  # boxes in the page as displayed (rotation applied)
                x0, y0, x1, y1 = word.rect
                assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        assert [p for p, _ in doc.search("HABIBI")] == [0, 1, 2, 3]  # case-insensitive
    finally:
        doc.close()
    assert doc.closed
    with pytest.raises(VaultError, match="not a PDF"):
        open_document(v, refs["jolla.jpg"])
    with pytest.raises(VaultError, match="not a photo"):
        open_photo(v, refs["minimal-document.pdf"])
    bad = damaged(vault, tmp_path)
    with pytest.raises(VaultError, match="damaged"):
        open_photo(vault, bad["truncated.jpg"])
    with pytest.raises(VaultError, match="damaged"):
        open_document(vault, bad["cut.pdf"])
    width, height, rgb = open_photo(v, refs["corrupted.jpg"])  # damaged, but it decodes
    assert len(rgb) == width * height * 3


# ------------------------------------------------------------------------------ PDFs
@pytest.mark.parametrize("name", PDFS)
def test_every_corpus_pdf_opens_draws_and_scrolls_to_its_last_page(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]], name: str) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs[name])
    pdf, renderer = viewer.pdf, viewer.renderer
    assert pdf is not None and renderer is not None
    count = renderer.page_count
    with pymupdf.open(CORPUS / "pdf" / name) as original:
        assert count == original.page_count
    drawn = renderer.page_image(0)
    assert drawn is not None and not_blank(drawn[0])
    shot = pdf.viewport().grab().toImage()
    assert not_blank(shot, QRectF(pdf.page_rect(0)).intersected(QRectF(shot.rect())))
    assert viewer.page_of.text() == f"of {count}"

    # continuous scroll: page after page until the last
    seen, painted = [pdf.current_page()], set(pdf.visible_pages())
    bar = pdf.verticalScrollBar()
    while bar.value() < bar.maximum():
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)
        qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
        seen.append(pdf.current_page())
        painted.update(pdf.visible_pages())
    assert seen == sorted(seen) and seen[-1] == count - 1
    assert painted == set(range(count))
    assert viewer.page_box.value() == count
    last = renderer.page_image(count - 1)
    assert last is not None


def test_a_long_document_keeps_a_bounded_number_of_pages_in_memory(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    source = tmp_path / "long.pdf"
    with pymupdf.open() as doc:
        for i in range(60):
            doc.new_page().insert_text((72, 72), f"Page number {i + 1} of the long statement")
        doc.save(source)
    v, _ = make_vault()
    refs = import_refs(v, source)
    viewer = open_pdf(qtbot, viewers, v, refs["long.pdf"])
    pdf, renderer = viewer.pdf, viewer.renderer
    assert pdf is not None and renderer is not None
    viewer.zoom_out_action.trigger()  # several pages on screen at once
    bar = pdf.verticalScrollBar()
    most = 0
    while bar.value() < bar.maximum():
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)
        qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
        most = max(most, len(renderer.pages))
        # those on screen and just around them, plus at most PAGE_CACHE_PAGES others
        assert len(renderer.pages) <= PAGE_CACHE_PAGES + 3 * len(pdf.visible_pages()) + 2
    assert pdf.current_page() == 59 and most > PAGE_CACHE_PAGES
    qtbot.keyClick(pdf, Qt.Key.Key_Home)
    assert pdf.current_page() == 0
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    viewer.find_action.trigger()
    viewer.find_edit.setText("number 42 of")
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(viewer.hits), timeout=WAIT)
    assert [page for page, _rect in viewer.hits] == [41] and pdf.current_page() == 41


def test_the_bounded_cache_pushes_out_the_oldest_but_never_a_pinned_entry() -> None:
    cache: BoundedCache[bytes] = BoundedCache(2, 10, len)
    for key in range(4):
        cache.put(key, b"x" * 3, pinned=[0])
    assert cache.keys() == [0, 2, 3] and cache.nbytes == 9  # 0 pinned, 2 others
    cache.get(2)
    cache.put(4, b"y" * 3, pinned=[0])
    assert cache.keys() == [0, 2, 4]  # 3 was the least recently used
    cache.put(5, b"z" * 9)
    assert cache.keys() == [5] and cache.nbytes == 9  # over the byte bound
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0


def test_password_protected_pdf_after_its_password(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = viewers(v, refs[PROTECTED])
    qtbot.waitUntil(lambda: viewer.dialog is not None, timeout=WAIT)
    dialog = viewer.dialog
    assert isinstance(dialog, QInputDialog)
    assert dialog.textEchoMode() == QLineEdit.EchoMode.Password
    assert "password" in dialog.labelText().lower() and "wrong" not in dialog.labelText().lower()
    assert not dialog.isModal() or dialog.windowModality() != Qt.WindowModality.ApplicationModal
    dialog.setTextValue("not the password")
    dialog.accept()
    qtbot.waitUntil(lambda: viewer.dialog is not None and viewer.dialog is not dialog,
                    timeout=WAIT)
    again = viewer.dialog
    assert isinstance(again, QInputDialog)
    assert "wrong password" in again.labelText().lower()
    assert "wrong password" in viewer.message.text().lower()
    again.reject()  # cancelled: the viewer says why nothing is shown, and offers to retry
    assert viewer.password_button.isVisibleTo(viewer) and viewer.pdf is None
    qtbot.mouseClick(viewer.password_button, Qt.MouseButton.LeftButton)
    third = viewer.dialog
    assert isinstance(third, QInputDialog)
    third.setTextValue(OPEN_PASSWORD)
    third.accept()
    qtbot.waitUntil(lambda: viewer.ready and settled(viewer), timeout=WAIT)
    assert viewer.renderer is not None and viewer.document is not None
    assert viewer.document.protected
    assert "read-only" in viewer.statusBar().currentMessage()
    drawn = viewer.renderer.page_image(0)
    assert drawn is not None and not_blank(drawn[0])


def test_zoom_and_fit_width_change_the_drawn_size(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["pdflatex-4-pages.pdf"])
    pdf, renderer = viewer.pdf, viewer.renderer
    assert pdf is not None and renderer is not None
    assert pdf.fitting
    widest = max(w for w, _h in renderer.sizes)
    assert pdf.zoom == pytest.approx((pdf.viewport().width() - 2 * MARGIN) / widest)
    assert {s.toString() for s in viewer.zoom_in_action.shortcuts()} >= {"Ctrl+="}
    assert {s.toString() for s in viewer.zoom_out_action.shortcuts()} >= {"Ctrl+-"}

    def width() -> int:
        page = pdf.current_page()
        entry = renderer.page_image(page)
        assert entry is not None
        return entry[0].width()

    fitted, shown = width(), pdf.page_rect(0).width()
    viewer.zoom_in_action.trigger()
    assert not pdf.fitting and pdf.page_rect(0).width() > shown
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    assert width() == pytest.approx(fitted * 1.25, abs=2)
    viewer.zoom_out_action.trigger()
    viewer.zoom_out_action.trigger()
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    assert width() == pytest.approx(fitted / 1.25, abs=2)
    assert viewer.zoom_label.text().endswith("%")
    viewer.fit_action.trigger()
    assert pdf.fitting
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    assert width() == pytest.approx(fitted, abs=1)
    viewer.resize(viewer.width() + 200, viewer.height())  # fit width follows the window
    qtbot.waitUntil(lambda: pdf.page_rect(0).width() > shown + 100, timeout=WAIT)
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    assert width() > fitted + 100
    # Ctrl+wheel zooms too
    before = pdf.zoom
    QApplication.sendEvent(pdf.viewport(), QWheelEvent(
        QPointF(100, 100), QPointF(100, 100), QPoint(), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase, False))
    assert pdf.zoom == pytest.approx(before * 1.25)


def test_outline_entries_jump_to_their_pages(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["pdflatex-outline.pdf"])
    pdf = viewer.pdf
    assert pdf is not None
    with pymupdf.open(CORPUS / "pdf" / "pdflatex-outline.pdf") as original:
        toc = original.get_toc()
    model = viewer.outline_model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [t[1] for t in toc]
    viewer.side.setCurrentWidget(viewer.outline)
    for row, (_level, title, number) in enumerate(toc):
        pdf.go_to_page(0)
        assert pdf.current_page() == 0
        index = model.index(row, 0)
        viewer.outline.scrollTo(index)
        qtbot.mouseClick(viewer.outline.viewport(), Qt.MouseButton.LeftButton,
                         pos=viewer.outline.visualRect(index).center())
        assert pdf.current_page() == number - 1, title
        assert viewer.page_box.value() == number
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)


def test_page_thumbnails_are_drawn_and_jump_to_their_page(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]], request: pytest.FixtureRequest) -> None:
    from pytestqt.modeltest import ModelTester

    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["multicolumn.pdf"])
    renderer, model, pdf = viewer.renderer, viewer.thumbnail_model, viewer.pdf
    assert renderer is not None and model is not None and pdf is not None
    assert model.rowCount() == 3
    qtbot.waitUntil(lambda: all(renderer.thumbnail(p) is not None for p in range(3)),
                    timeout=WAIT)
    thumb = renderer.thumbnail(1)
    assert thumb is not None and max(thumb.width(), thumb.height()) <= 128
    assert not_blank(thumb.toImage())
    ModelTester(request.config).check(model, force_py=True)
    index = model.index(2)
    qtbot.mouseClick(viewer.thumbnails.viewport(), Qt.MouseButton.LeftButton,
                     pos=viewer.thumbnails.visualRect(index).center())
    assert pdf.current_page() == 2
    viewer.page_box.setValue(2)  # typing a page number
    assert pdf.current_page() == 1
    assert viewer.thumbnails.currentIndex().row() == 1  # the list follows the view


def test_find_highlights_the_hits_and_moves_between_them(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    name = "pdflatex-4-pages.pdf"
    with pymupdf.open(CORPUS / "pdf" / name) as original:
        expected = [(i, len(page.search_for("the"))) for i, page in enumerate(original)]
    viewer = open_pdf(qtbot, viewers, v, refs[name])
    pdf = viewer.pdf
    assert pdf is not None
    assert {s.toString() for s in viewer.find_action.shortcuts()} >= {"Ctrl+F"}
    viewer.find_action.trigger()
    assert viewer.find_bar.isVisible()
    qtbot.keyClicks(viewer.find_edit, "THE")  # whatever the case
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(viewer.hits), timeout=WAIT)
    total = sum(n for _p, n in expected)
    assert len(viewer.hits) == total > 10
    shown = pdf.overlay("find")
    assert {p: len(r) for p, r in shown.items()} == {p: n for p, n in expected if n}
    assert viewer.hit_index == 0 and viewer.find_status.text() == f"1 of {total}"

    def current() -> tuple[int, QRectF]:
        (page, rects), = pdf.overlay("find-current").items()
        return page, rects[0]

    assert current() == viewer.hits[0]
    qtbot.waitUntil(lambda: settled(viewer), timeout=WAIT)
    page, rect = current()
    shot = pdf.viewport().grab().toImage()
    middle = pdf.page_to_view(page, rect).center().toPoint()
    tinted = [QColor(shot.pixel(middle + QPoint(dx, 0))) for dx in range(-3, 4)]
    assert any(c.red() > 200 and c.blue() < 160 for c in tinted)  # highlighted on the page
    qtbot.mouseClick(viewer.find_next, Qt.MouseButton.LeftButton)
    assert viewer.hit_index == 1 and current() == viewer.hits[1]
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)  # Enter: the next one
    assert viewer.hit_index == 2
    qtbot.mouseClick(viewer.find_previous, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(viewer.find_previous, Qt.MouseButton.LeftButton)
    assert viewer.hit_index == 0
    viewer.find_previous_action.trigger()  # wraps round to the last
    assert viewer.hit_index == total - 1 and current() == viewer.hits[-1]
    assert pdf.current_page() == viewer.hits[-1][0]  # scrolled to it
    viewer.find_next_action.trigger()
    assert viewer.hit_index == 0 and pdf.current_page() == viewer.hits[0][0]
    viewer.find_edit.setText("no such words here")
    qtbot.waitUntil(lambda: viewer.find_status.text() == "No matches", timeout=WAIT)
    assert pdf.overlay("find") == {} and viewer.hits == []
    viewer.find_close.click()
    assert not viewer.find_bar.isVisible()


def test_dragging_over_words_selects_them_and_ctrl_c_copies(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["minimal-document.pdf"])
    pdf, renderer = viewer.pdf, viewer.renderer
    assert pdf is not None and renderer is not None
    words = renderer.words[0]
    assert [w.text for w in words[:3]] == ["Lorem", "ipsum", "dolor"]

    def box(i: int) -> QRectF:
        x0, y0, x1, y1 = words[i].rect
        return pdf.page_to_view(0, QRectF(QPointF(x0, y0), QPointF(x1, y1)))

    first = box(0)
    drag(qtbot, pdf.viewport(), QPointF(first.left() + 2, first.center().y()),
         QPointF(first.right() - 2, first.center().y()))
    assert pdf.selected_text() == "Lorem"
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(pdf, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Lorem"
    drag(qtbot, pdf.viewport(), first.center(), box(2).center())
    assert pdf.selected_text() == "Lorem ipsum dolor"
    viewer.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "Lorem ipsum dolor"
    qtbot.mouseClick(pdf.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert pdf.selected_text() == ""  # a click away clears it
    qtbot.keyClick(pdf, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the whole page
    with pymupdf.open(CORPUS / "pdf" / "minimal-document.pdf") as original:
        assert pdf.selected_text().split() == original[0].get_text().split()


def test_overlays_and_dragged_rectangles_are_in_pdf_points(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["minimal-document.pdf"])
    pdf = viewer.pdf
    assert pdf is not None
    area = QRectF(300, 300, 120, 60)  # points, on a blank part of the page
    pdf.set_overlay("annotations", {0: [area]}, QColor(255, 0, 0, 160))
    pdf.go_to_page(0, 250)
    shot = pdf.viewport().grab().toImage()
    colour = QColor(shot.pixel(pdf.page_to_view(0, area).center().toPoint()))
    assert colour.red() > 200 and colour.green() < 150 and colour.blue() < 150
    pdf.clear_overlay("annotations")
    assert pdf.overlay("annotations") == {}
    pdf.set_drag_mode("rect")
    with qtbot.waitSignal(pdf.rect_dragged, timeout=WAIT) as blocker:
        drag(qtbot, pdf.viewport(), pdf.map_from_page(0, QPointF(100, 300)),
             pdf.map_from_page(0, QPointF(250, 380)))
    page, rect = blocker.args
    tolerance = 1.5 / pdf.zoom
    assert page == 0
    assert rect.left() == pytest.approx(100, abs=tolerance)
    assert rect.top() == pytest.approx(300, abs=tolerance)
    assert rect.width() == pytest.approx(150, abs=2 * tolerance)
    assert rect.height() == pytest.approx(80, abs=2 * tolerance)
    assert pdf.selected_text() == ""  # a rectangle, not a selection


def test_closing_the_viewer_drops_everything(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["pdflatex-4-pages.pdf"])
    renderer, doc, pdf = viewer.renderer, viewer.document, viewer.pdf
    assert renderer is not None and doc is not None and pdf is not None
    qtbot.waitUntil(lambda: len(renderer.thumbs) > 0, timeout=WAIT)
    viewer.find_action.trigger()
    qtbot.keyClicks(viewer.find_edit, "text")
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(viewer.hits), timeout=WAIT)
    assert len(renderer.pages) and renderer.words
    viewer.close()
    assert len(renderer.pages) == len(renderer.thumbs) == 0
    assert renderer.pages.nbytes == renderer.thumbs.nbytes == 0
    assert renderer.words == {} and renderer.doc is None
    assert doc.closed and doc._data is None and doc._doc is None
    assert viewer.hits == [] and pdf.overlay("find") == {}
    qtbot.waitUntil(lambda: not shiboken6.isValid(viewer), timeout=WAIT)  # deleted


def test_locking_closes_the_viewer_and_takes_back_the_copied_text(
        qtbot: QtBot, make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    refs = import_refs(v, CORPUS / "pdf" / "minimal-document.pdf")
    window = MainWindow(v)
    qtbot.addWidget(window)
    viewer = open_viewer(window, refs["minimal-document.pdf"])
    assert viewer.parent() is window and viewer.isWindow()
    qtbot.waitUntil(lambda: viewer.ready and settled(viewer), timeout=WAIT)
    pdf, renderer, doc = viewer.pdf, viewer.renderer, viewer.document
    assert pdf is not None and renderer is not None and doc is not None
    x0, y0, x1, y1 = renderer.words[0][0].rect
    word = pdf.page_to_view(0, QRectF(QPointF(x0, y0), QPointF(x1, y1)))
    drag(qtbot, pdf.viewport(), QPointF(word.left() + 1, word.center().y()),
         QPointF(word.right() - 1, word.center().y()))
    viewer.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "Lorem"
    window.lock()
    assert not shiboken6.isValid(viewer) or not viewer.isVisible()  # closed (then deleted)
    assert len(renderer.pages) == 0 and doc.closed
    assert QGuiApplication.clipboard().text() == ""
    qtbot.waitUntil(lambda: not shiboken6.isValid(viewer), timeout=WAIT)


def test_locking_while_the_password_is_asked(
        qtbot: QtBot, make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    refs = import_refs(v, CORPUS / "bad" / PROTECTED)
    window = MainWindow(v)
    qtbot.addWidget(window)
    viewer = open_viewer(window, refs[PROTECTED])
    qtbot.waitUntil(lambda: viewer.dialog is not None, timeout=WAIT)
    dialog = viewer.dialog
    window.lock()  # destroys the dialog (a child), then the viewer closes
    assert not shiboken6.isValid(dialog)
    assert not shiboken6.isValid(viewer) or (not viewer.isVisible() and viewer.dialog is None)
    qtbot.waitUntil(lambda: not shiboken6.isValid(viewer), timeout=WAIT)


# ------------------------------------------------------------------------------ photos
@pytest.mark.parametrize("name", ["portrait_8.jpg", "landscape_6.jpg"])
def test_photos_are_shown_upright_and_their_bytes_never_change(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]], name: str) -> None:
    v, refs = library
    source = CORPUS / "photos" / name
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    assert sha256_stored(v, refs[name]) == sha == get_item(v, refs[name]).sha256
    with Image.open(source) as im:
        stored = im.size
        assert im.getexif().get(0x0112) in (6, 8)
    viewer = viewers(v, refs[name])
    qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
    photo = viewer.photo
    size = photo.image_size()
    assert (size.width(), size.height()) == (stored[1], stored[0])  # turned on screen
    assert photo.fitting and photo.zoom <= 1.0
    shot = photo.viewport().grab().toImage()
    assert not_blank(shot)

    # zoom: actions and the wheel; pan by dragging
    fitted = photo.zoom
    viewer.zoom_in_action.trigger()
    assert photo.zoom == pytest.approx(fitted * 1.25) and not photo.fitting
    QApplication.sendEvent(photo.viewport(), QWheelEvent(
        QPointF(50, 50), QPointF(50, 50), QPoint(), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False))
    assert photo.zoom == pytest.approx(fitted * 1.25 ** 3)
    photo.set_zoom(4.0)
    h, vbar = photo.horizontalScrollBar(), photo.verticalScrollBar()
    assert h.maximum() > 0 and vbar.maximum() > 0
    h.setValue(h.maximum() // 2)
    vbar.setValue(vbar.maximum() // 2)
    before = (h.value(), vbar.value())
    middle = QPointF(photo.viewport().rect().center())
    drag(qtbot, photo.viewport(), middle, middle + QPointF(-120, -90))
    assert (h.value(), vbar.value()) != before
    assert h.value() > before[0] and vbar.value() > before[1]  # the photo followed the hand
    viewer.fit_action.trigger()
    assert photo.fitting and photo.zoom == pytest.approx(fitted)
    viewer.close()
    assert photo.image_size().isEmpty()  # its pixels dropped
    assert sha256_stored(v, refs[name]) == sha
    assert hashlib.sha256(source.read_bytes()).hexdigest() == sha


def test_other_content_says_why_it_is_not_shown(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]], vault: Vault, tmp_path: Path) -> None:
    v, refs = library
    viewer = viewers(v, refs["LICENSE-CC-BY-SA-4.0.txt"])
    assert "no viewer" in viewer.message.text().lower()
    for ref in damaged(vault, tmp_path).values():
        shown = viewers(vault, ref)
        qtbot.waitUntil(lambda s=shown: "damaged" in s.message.text(),  # type: ignore[misc]
                        timeout=WAIT)
        assert not shown.ready
    garbled = viewers(v, refs["corrupted.jpg"])  # damaged but decodable: shown as it is
    qtbot.waitUntil(lambda: garbled.ready, timeout=WAIT)


def test_every_visible_control_has_an_accessible_name(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    viewer = open_pdf(qtbot, viewers, v, refs["pdflatex-outline.pdf"])
    viewer.find_action.trigger()
    protected = viewers(v, refs[PROTECTED])
    qtbot.waitUntil(lambda: protected.dialog is not None, timeout=WAIT)
    dialog = protected.dialog
    assert dialog is not None
    unnamed = []
    for screen in (viewer, protected, dialog):
        for w in screen.findChildren(QWidget):
            if not isinstance(w, (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView,
                                  QAbstractSlider, QAbstractSpinBox)) or not w.isVisible():
                continue
            if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
                continue
            if isinstance(w, QScrollBar):
                continue
            if w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()):
                continue
            unnamed.append(f"{type(w).__name__} {w.objectName()!r} in {screen.windowTitle()}")
    assert unnamed == []


# ------------------------------------------------------------------------------ no plaintext
def marked_inputs(folder: Path, marker: str) -> Path:
    """A PDF whose text carries the marker, an outlined PDF and two photos."""
    folder.mkdir()
    write_pdf(folder / "statement.pdf", marker)
    for source in (CORPUS / "pdf" / "pdflatex-outline.pdf", CORPUS / "photos" / "portrait_8.jpg",
                   CORPUS / "photos" / "IMG_5195.HEIC"):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder


def files_in_temp_folders(skip: set[Path]) -> dict[Path, tuple[int, int]]:
    found = {}
    for root in {*temp_roots(), Path("/dev/shm")}:
        if not root.is_dir():
            continue
        for folder, _dirs, names in os.walk(root):
            if any(Path(folder).is_relative_to(s) for s in skip):
                continue
            for n in names:
                try:
                    st = Path(folder, n).lstat()
                except FileNotFoundError:
                    continue
                found[Path(folder, n)] = (st.st_size, st.st_mtime_ns)
    return found


def test_viewing_writes_nothing_outside_the_vault(
        qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow],
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A PDF whose text carries a marker unique to this run, and photos, are viewed: pages
    drawn, thumbnails, a search for the marker, the marker selected and copied. No file
    appears in the temp folders (pytest's own aside), nothing is stored in the vault, and the
    marker is in no file of the vault or of the temp folders written since."""
    marker = f"MARKER-{secrets.token_hex(16)}"
    inputs = marked_inputs(tmp_path / "in", marker)
    v, _ = make_vault()
    refs = import_refs(v, inputs)
    sources = {p.resolve() for p in inputs.iterdir()}
    objects = v.objects.names()
    pytest_temp = tmp_path_factory.getbasetemp().parent  # other pytest runs write there
    since = time.time()
    before = files_in_temp_folders({pytest_temp})

    viewer = open_pdf(qtbot, viewers, v, refs["statement.pdf"])
    pdf, renderer = viewer.pdf, viewer.renderer
    assert pdf is not None and renderer is not None
    qtbot.waitUntil(lambda: renderer.thumbnail(0) is not None, timeout=WAIT)
    viewer.find_action.trigger()
    viewer.find_edit.setText(marker)
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(viewer.hits) == 1, timeout=WAIT)
    words = renderer.words[0]
    x0, y0, x1, y1 = words[-1].rect
    assert words[-1].text == marker
    box = pdf.page_to_view(0, QRectF(QPointF(x0, y0), QPointF(x1, y1)))
    drag(qtbot, pdf.viewport(), QPointF(box.left() + 1, box.center().y()),
         QPointF(box.right() - 1, box.center().y()))
    viewer.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == marker
    QGuiApplication.clipboard().clear()
    viewer.close()
    for name in ("pdflatex-outline.pdf", "portrait_8.jpg", "IMG_5195.HEIC"):
        other = viewers(v, refs[name])
        qtbot.waitUntil(lambda o=other: o.ready, timeout=WAIT)  # type: ignore[misc]
        other.close()

    after = files_in_temp_folders({pytest_temp})
    # Other processes on the machine may create files in /tmp meanwhile: none of the new
    # ones may be a picture or a document (a page or thumbnail cache) or hold the marker.
    for new in set(after) - set(before):
        try:
            head = new.read_bytes()[:8] if new.is_file() else b""
        except OSError:
            continue
        assert not head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"P6\n")), new
    assert v.objects.names() == objects  # nothing stored either: viewing is only reading
    recent = {p for p, (_size, mtime) in after.items() if mtime / 1e9 >= since - 2}
    written = recent | {p for p in v.folder.rglob("*") if p.is_file()}
    scanned, hits = scan({p.resolve() for p in written} - sources,
                         (marker.encode(), marker.encode("utf-16-le")))
    assert hits == set() and (v.folder / "index.db").resolve() in scanned


SESSION = """
import sys, time
from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
from ui.viewer import ViewerWindow
from vault.evidence.items import list_items
from vault.store.vault import Vault

def wait(ready):
    deadline = time.monotonic() + 120
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

marker = sys.argv[2]
with Vault.open(sys.argv[1], passphrase=sys.argv[3]) as v:
    host = QWidget()
    for item in list_items(v):
        viewer = ViewerWindow(v, item.ref, host)
        viewer.show()
        wait(lambda: viewer.ready)
        if viewer.pdf is not None:
            wait(lambda: viewer.renderer.thumbnail(0) is not None)
            viewer.find_edit.setText(marker)
            viewer.find_edit.returnPressed.emit()
            wait(lambda: viewer.find_status.text() not in ("", "Searching…"))
            viewer.pdf.select_page(0)
            viewer.copy()
            print(item.name, len(viewer.hits), marker in QGuiApplication.clipboard().text())
        viewer.close()
        app.processEvents()
"""


def test_a_viewer_session_under_strace_writes_only_the_vaults_own_files(
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    """A separate process views every item (a PDF carrying a marker unique to this run, an
    outlined PDF, two photos) under strace: it opens for writing, creates or renames no file
    but the vault's own (its index and lock), and the marker is in none of them nor in any
    temp file written since."""
    strace = strace_or_fail()
    since = time.time()
    marker = f"MARKER-{secrets.token_hex(16)}"
    inputs = marked_inputs(tmp_path / "in", marker)
    v, _ = make_vault()
    import_refs(v, inputs)
    vault_dir = v.folder.resolve()
    v.close()
    log = tmp_path / "viewer.strace"
    env = {k: val for k, val in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([strace, "-f", "-y", "--seccomp-bpf", "-e", f"trace={TRACED}",
                           "-o", str(log), sys.executable, "-X", "faulthandler", "-c", SESSION,
                           str(vault_dir), marker, PASSPHRASE], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split("\n")) == ["", "pdflatex-outline.pdf 0 False",
                                               "statement.pdf 1 True"]
    written = {p for p in written_paths(log, ROOT)
               if not any(p.is_relative_to(r) for r in NOT_FILES)}
    assert written, "the strace parser saw nothing written (the index is opened read-write)"
    outside = {p for p in written if not p.is_relative_to(vault_dir)}
    assert outside == set(), f"written outside the vault: {sorted(map(str, outside))}"
    sources = {p.resolve() for p in inputs.iterdir()}
    scanned, hits = scan(places_to_scan(vault_dir, [log], since) - sources,
                         (marker.encode(), marker.encode("utf-16-le")))
    assert hits == set(), f"the marker is in clear in: {sorted(map(str, hits))}"
    assert vault_dir / "index.db" in scanned
