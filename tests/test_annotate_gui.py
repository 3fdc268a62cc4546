"""Annotating in the viewer (pytest-qt, offscreen, a real vault holding corpus files): the
tools driven with the mouse and the keyboard store annotations through the core (unrotated
for a PDF), draw them back where they were made, delete them with Delete; every occurrence
of a word marked for redaction; the annotated and redacted copies made as new items; the
original never changes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from conftest import CORPUS, import_refs
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QLineEdit, QToolBar
from pytestqt.qtbot import QtBot
from test_viewer import drag, viewers  # noqa: F401 - viewers is a fixture used below

from ui.viewer import ViewerWindow
from vault.documents.annotations import add_annotation, annotations, read_content
from vault.evidence.items import get_item
from vault.store.identity import Identity
from vault.store.vault import Vault

WAIT = 60_000
MINIMAL = "minimal-document.pdf"
ROTATED = "habibi-rotated.pdf"
PHOTO = "jolla.jpg"


@pytest.fixture
def case(make_vault: Callable[..., tuple[Vault, str]]) -> tuple[Vault, dict[str, str]]:
    v, _ = make_vault()
    refs = import_refs(v, CORPUS / "pdf" / MINIMAL, CORPUS / "pdf" / ROTATED,
                       CORPUS / "photos" / PHOTO)
    return v, refs


@pytest.fixture
def open_viewer(qtbot: QtBot, viewers: Callable[[Vault, str], ViewerWindow]  # noqa: F811
                ) -> Callable[[Vault, str], ViewerWindow]:
    """A viewer, ready and active, on a stand-in main window (test_viewer's ``viewers``)."""
    def make(v: Vault, ref: str) -> ViewerWindow:
        viewer = viewers(v, ref)
        qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
        viewer.activateWindow()
        return viewer

    return make


def sha256(v: Vault, ref: str) -> str:
    return hashlib.sha256(read_content(v, get_item(v, ref))).hexdigest()


def word(viewer: ViewerWindow, text: str, page: int = 0) -> QRectF:
    """The first word ``text`` of the page, as displayed."""
    assert viewer.document is not None
    w = next(w for w in viewer.document.words(page) if w.text == text)
    return QRectF(QPointF(w.rect[0], w.rect[1]), QPointF(w.rect[2], w.rect[3]))


def drag_points(qtbot: QtBot, viewer: ViewerWindow, page: int, rect: QRectF) -> None:
    """Drag over ``rect`` (points as displayed) of the page."""
    pdf = viewer.pdf
    assert pdf is not None
    pdf.ensure_visible(page, rect)
    shown = pdf.page_to_view(page, rect)
    drag(qtbot, pdf.viewport(), shown.topLeft(), shown.bottomRight())


def click_points(qtbot: QtBot, viewer: ViewerWindow, page: int, point: QPointF) -> None:
    pdf = viewer.pdf
    assert pdf is not None
    pos = pdf.map_from_page(page, point).toPoint()
    qtbot.mouseClick(pdf.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def answer(qtbot: QtBot, viewer: ViewerWindow, *texts: str) -> None:
    """Fill in the open annotation dialog and press OK."""
    qtbot.waitUntil(lambda: viewer.ask is not None and viewer.ask.isVisible())
    dialog = viewer.ask
    assert dialog is not None
    for edit, text in zip(dialog.findChildren(QLineEdit), texts, strict=False):
        edit.setText(text)
    dialog.accept()


def make_redacted(qtbot: QtBot, viewer: ViewerWindow) -> str:
    """Make redacted copy: the preview of what it removes first, then the copy; its ref."""
    from ui.redaction_preview_ui import RedactionPreviewDialog

    viewer.redacted_action.trigger()
    qtbot.waitUntil(lambda: isinstance(viewer.ask, RedactionPreviewDialog), timeout=WAIT)
    preview = viewer.ask
    assert isinstance(preview, RedactionPreviewDialog)
    with qtbot.waitSignal(viewer.derived, timeout=WAIT) as made:
        qtbot.mouseClick(preview.ok, Qt.MouseButton.LeftButton)
    return str(made.args[0])


def tool(viewer: ViewerWindow, name: str) -> None:
    viewer.tool_actions[name].trigger()
    assert viewer.tool == name


def close(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float],
          tolerance: float = 1.5) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_pdf_tools_store_draw_and_delete_annotations_and_make_copies(
        qtbot: QtBot, case: tuple[Vault, dict[str, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[MINIMAL]
    before = sha256(v, ref)
    viewer = open_viewer(v, ref)
    assert viewer.document is not None and viewer.pdf is not None
    names = {bar.widgetForAction(a).accessibleName()
             for bar in (viewer.annotate_bar, viewer.copies_bar)
             for a in bar.actions() if a.isVisible() and not a.isSeparator()}
    assert {"Select", "Highlight", "Note", "Rectangle", "Redaction mark",
            "Redact every occurrence", "Make annotated copy", "Make redacted copy"} <= names

    # a highlight dragged over a word covers that word (stored unrotated)
    tool(viewer, "highlight")
    target = word(viewer, "consetetur")
    drag_points(qtbot, viewer, 0, target.adjusted(3, 3, -3, -3))
    highlights = annotations(v, ref, kinds=["highlight"])
    assert len(highlights) == 1
    [box] = highlights[0].geometry["rects"]
    unrotated = viewer.document.to_unrotated(
        0, (target.left(), target.top(), target.right(), target.bottom()))
    assert box[0] <= unrotated[0] + 0.5 and box[2] >= unrotated[2] - 0.5
    assert close(box[1::2], unrotated[1::2], 0.5)
    assert viewer.pdf.overlay("annotation-highlight")[0]

    # a note with its text
    tool(viewer, "note")
    click_points(qtbot, viewer, 0, QPointF(60, 60))
    answer(qtbot, viewer, "Check this paragraph")
    [note] = annotations(v, ref, kinds=["note"])
    assert note.text == "Check this paragraph"

    # a rectangle, then deleted: selected with a click, removed with the Delete key
    tool(viewer, "rectangle")
    drag_points(qtbot, viewer, 0, QRectF(300, 400, 80, 40))
    [rectangle] = annotations(v, ref, kinds=["rectangle"])
    assert close(rectangle.geometry["rect"], [300, 400, 380, 440])
    tool(viewer, "select")
    click_points(qtbot, viewer, 0, QPointF(340, 420))
    assert viewer.selected is not None and viewer.selected.id == rectangle.id
    qtbot.keyClick(viewer.pdf, Qt.Key.Key_Delete)
    assert annotations(v, ref, kinds=["rectangle"]) == []
    assert "annotation-rectangle" not in viewer.pdf.layer_names()

    # a redaction mark over a word found once, with a reason
    tool(viewer, "redaction")
    secret = word(viewer, "takimata")
    drag_points(qtbot, viewer, 0, secret.adjusted(-1, -1, 1, 1))
    answer(qtbot, viewer, "privacy")
    [mark] = annotations(v, ref, kinds=["redaction"])
    assert mark.reason == "privacy"
    assert viewer.pdf.overlay("annotation-redaction")[0]

    # every occurrence of a word marked, for review
    viewer.occurrences_action.trigger()
    answer(qtbot, viewer, "dolor", "")
    qtbot.waitUntil(lambda: bool(viewer.review), timeout=WAIT)
    found = len(viewer.review)
    assert found >= 4
    assert len(annotations(v, ref, kinds=["redaction"])) == found + 1
    assert any(f"{found} occurrences" in n for n in viewer.notices)
    assert sum(len(r) for r in viewer.pdf.overlay("annotation-review").values()) == found

    # the annotated copy: a new item with standard PDF annotations
    with qtbot.waitSignal(viewer.derived, timeout=WAIT) as made:
        viewer.annotated_action.trigger()
    copy = made.args[0]
    assert copy != ref and copy in viewer.notices[-1]
    with pymupdf.open(stream=read_content(v, get_item(v, copy)), filetype="pdf") as doc:
        kinds = {a.type[1] for a in doc[0].annots()}
    assert {"Highlight", "Text"} <= kinds

    # the redacted copy: the word under the mark is gone
    redacted = make_redacted(qtbot, viewer)
    with pymupdf.open(stream=read_content(v, get_item(v, redacted)), filetype="pdf") as doc:
        text = doc[0].get_text()
    assert "takimata" not in text and "dolor" not in text
    assert "Lorem" in text

    assert sha256(v, ref) == before == get_item(v, ref).sha256
    assert hashlib.sha256((CORPUS / "pdf" / MINIMAL).read_bytes()).hexdigest() == before


def test_only_the_author_may_delete(qtbot: QtBot, case: tuple[Vault, dict[str, str]],
                                    open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[MINIMAL]
    mine = v.identity
    v.identity = Identity("Someone Else", "SE", "Investigator", mine.organisation)
    other = add_annotation(v, ref, "rectangle", 0, {"rect": [100, 500, 200, 560]})
    v.identity = mine
    viewer = open_viewer(v, ref)
    assert viewer.pdf is not None
    assert viewer.pdf.overlay("annotation-rectangle")[0]
    click_points(qtbot, viewer, 0, QPointF(150, 530))
    assert viewer.selected is not None and viewer.selected.id == other.id
    qtbot.keyClick(viewer.pdf, Qt.Key.Key_Delete)
    assert [a.id for a in annotations(v, ref)] == [other.id]
    assert "Someone Else" in viewer.notices[-1]


def test_a_rectangle_on_a_rotated_page_round_trips(
        qtbot: QtBot, case: tuple[Vault, dict[str, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[ROTATED]
    viewer = open_viewer(v, ref)
    assert viewer.document is not None and viewer.pdf is not None
    tool(viewer, "rectangle")
    dragged = QRectF(100, 200, 150, 60)  # as displayed: the page is turned a quarter
    drag_points(qtbot, viewer, 0, dragged)
    [a] = annotations(v, ref)
    with pymupdf.open(CORPUS / "pdf" / ROTATED) as doc:
        page = doc[0]
        assert page.rotation == 90
        expected = pymupdf.Rect(100, 200, 250, 260) * page.derotation_matrix
    assert close(a.geometry["rect"], list(expected.normalize()))
    assert not close(a.geometry["rect"], [100, 200, 250, 260])  # stored unrotated
    [drawn] = viewer.pdf.overlay("annotation-rectangle")[0]
    assert close((drawn.left(), drawn.top(), drawn.right(), drawn.bottom()),
                 (100, 200, 250, 260))
    viewer.close()
    again = open_viewer(v, ref)  # drawn back where it was dragged when opened again
    assert again.pdf is not None
    [drawn] = again.pdf.overlay("annotation-rectangle")[0]
    assert close((drawn.left(), drawn.top(), drawn.right(), drawn.bottom()),
                 (100, 200, 250, 260))


def test_photo_rectangle_and_redaction(qtbot: QtBot, case: tuple[Vault, dict[str, str]],
                                       open_viewer: Callable[[Vault, str], ViewerWindow]
                                       ) -> None:
    v, refs = case
    ref = refs[PHOTO]
    before = sha256(v, ref)
    viewer = open_viewer(v, ref)
    photo = viewer.photo
    names = {bar.widgetForAction(a).accessibleName()
             for bar in (viewer.annotate_bar, viewer.copies_bar)
             for a in bar.actions() if a.isVisible() and not a.isSeparator()}
    assert {"Rectangle", "Redaction mark", "Make redacted copy"} <= names
    assert "Highlight" not in names
    # nothing to find and no pages in a picture: neither is offered
    shown = {a for bar in viewer.findChildren(QToolBar) for a in bar.actions() if a.isVisible()}
    assert not {viewer.find_action, viewer.page_action, viewer.page_of_action} & shown
    assert not viewer.find_next_action.isVisible()
    # the empty list of annotations says how to make one (and a screen reader hears it)
    hint = viewer.annotation_view.hint
    assert "draw on the photo" in hint and "never changed" in hint
    assert viewer.annotation_view.accessibleDescription() == hint
    empty = viewer.annotation_view.viewport().grab().toImage()
    assert len({empty.pixel(x, y) for x in range(0, empty.width(), 3)
                for y in range(0, min(empty.height(), 80), 3)}) > 1  # words are drawn

    def drag_pixels(rect: QRectF) -> None:
        a = QPointF(photo.mapFromScene(rect.topLeft()))
        b = QPointF(photo.mapFromScene(rect.bottomRight()))
        drag(qtbot, photo.viewport(), a, b)

    size = photo.image_size()
    area = QRectF(size.width() * 0.2, size.height() * 0.2, size.width() * 0.3,
                  size.height() * 0.3)
    tool(viewer, "rectangle")
    drag_pixels(area)
    [rect] = annotations(v, ref, kinds=["rectangle"])
    tolerance = 2 / photo.zoom
    assert close(rect.geometry["rect"], [area.left(), area.top(), area.right(),
                                         area.bottom()], tolerance)
    assert photo.overlay("annotation-rectangle")
    assert viewer.annotation_view.accessibleDescription() == ""  # listed: no hint

    tool(viewer, "redaction")
    hidden = area.translated(size.width() * 0.4, size.height() * 0.4)
    drag_pixels(hidden)
    answer(qtbot, viewer, "")
    [mark] = annotations(v, ref, kinds=["redaction"])
    assert close(mark.geometry["rect"], [hidden.left(), hidden.top(), hidden.right(),
                                         hidden.bottom()], tolerance)
    copy = get_item(v, make_redacted(qtbot, viewer))
    assert copy.mime == "image/png" and copy.ref != ref
    assert sha256(v, ref) == before


def test_a_mark_is_reviewed_before_the_copy_and_its_words_followed(
        qtbot: QtBot, make_vault: Callable[..., tuple[Vault, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow], tmp_path: Path) -> None:
    """Applying the marks says what goes (areas, pages, the words), names the same surname
    left unmarked below it and in another exhibit, marks it on request, then makes the copy
    and asks for it to be opened."""
    from test_annotations import make_pdf

    from ui.redaction_preview_ui import RedactionPreviewDialog
    from vault.search.index import run_index_jobs

    v, _ = make_vault()
    refs = import_refs(v, make_pdf(tmp_path / "letter.pdf", 1, lines=[
        "Dear Ms Okafor,", "12 Mill Lane, Northbridge", "Yours, for the Okafor family"]),
        make_pdf(tmp_path / "minutes.pdf", 1, lines=["Mrs Okafor rang the office."]))
    list(run_index_jobs(v))
    letter = refs["letter.pdf"]
    add_annotation(v, letter, "redaction", 0, {"rect": [60, 85, 300, 124]}, reason="S3")
    viewer = open_viewer(v, letter)
    viewer.redacted_action.trigger()
    qtbot.waitUntil(lambda: isinstance(viewer.ask, RedactionPreviewDialog), timeout=WAIT)
    preview = viewer.ask
    assert isinstance(preview, RedactionPreviewDialog)
    text = preview.text.text()
    assert text.startswith("1 marked area on 1 page (1) will be blacked out")
    assert "Dear Ms Okafor, 12 Mill Lane, Northbridge" in text
    assert "“Okafor” also appears, unmarked, 1 more time in this document (page 1) and in " \
           f"1 other exhibit ({refs['minutes.pdf']})" in text
    assert preview.mark_here_button.isVisible() and preview.mark_others_button.isVisible()
    qtbot.mouseClick(preview.mark_here_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(viewer.ask, RedactionPreviewDialog)
                    and viewer.ask is not preview, timeout=WAIT)
    again = viewer.ask
    assert isinstance(again, RedactionPreviewDialog)
    assert "in this document" not in again.text.text()
    assert not again.mark_here_button.isVisible()
    marks = annotations(v, letter, kinds=["redaction"])
    assert len(marks) >= 2 and all(m.reason == "S3" for m in marks)
    # and in the other exhibit: marked there, for review in its own viewer
    assert again.mark_others_button.isVisible()
    qtbot.mouseClick(again.mark_others_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(viewer.ask, RedactionPreviewDialog)
                    and viewer.ask is not again, timeout=WAIT)
    last = viewer.ask
    assert isinstance(last, RedactionPreviewDialog)
    [other] = annotations(v, refs["minutes.pdf"], kinds=["redaction"])
    assert other.reason == "S3" and refs["minutes.pdf"] in viewer.notices[-1]
    assert "WARNING" not in last.text.text() and not last.mark_others_button.isVisible()
    assert f"also appears in {refs['minutes.pdf']}, which have redaction marks" in \
        last.text.text()
    with qtbot.waitSignal(viewer.open_copy, timeout=WAIT) as made:
        qtbot.mouseClick(last.ok, Qt.MouseButton.LeftButton)
    copy = get_item(v, str(made.args[0]))
    with pymupdf.open(stream=read_content(v, copy), filetype="pdf") as doc:
        assert "Okafor" not in doc[0].get_text()
