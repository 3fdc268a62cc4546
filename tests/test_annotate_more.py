"""More annotating in the viewer: ink on a PDF, arrows and labels on a photo, editing an
annotation's text and colour through the dialog (an ``annotation changed`` custody event),
the colour chosen for new annotations; the original never changes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot
from test_annotate_gui import (
    MINIMAL,
    PHOTO,
    answer,
    case,
    click_points,
    close,
    drag_points,
    open_viewer,
    sha256,
    tool,
)
from test_viewer import drag, viewers  # noqa: F401 - the fixture open_viewer uses

from ui.viewer import ViewerWindow
from vault.documents.annotations import annotations
from vault.store.vault import Vault

__all__ = ["case", "open_viewer"]  # the fixtures, shared


def events(v: Vault, ref: str, name: str) -> int:
    return sum(1 for e in v.events(ref) if e.fields.get("action") == name)


def test_ink_on_a_pdf(qtbot: QtBot, case: tuple[Vault, dict[str, str]],
                      open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[MINIMAL]
    before = sha256(v, ref)
    viewer = open_viewer(v, ref)
    assert viewer.document is not None and viewer.pdf is not None
    tool(viewer, "ink")
    drag_points(qtbot, viewer, 0, QRectF(100, 150, 120, 60))
    [ink] = annotations(v, ref, kinds=["ink"])
    [stroke] = ink.geometry["strokes"]
    assert len(stroke) >= 4
    w, h = viewer.document.page_size(0)
    assert all(0 <= x <= w and 0 <= y <= h for x, y in stroke)
    assert close(stroke[0], [100, 150], 2) and close(stroke[-1], [220, 210], 2)
    lines = [name for name in viewer.pdf.layer_names() if name.startswith("annotation-ink")]
    assert lines and len(viewer.pdf.lines(lines[0])[0][0]) == len(stroke)
    assert sha256(v, ref) == before


def test_photo_arrow_and_label(qtbot: QtBot, case: tuple[Vault, dict[str, str]],
                               open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[PHOTO]
    before = sha256(v, ref)
    viewer = open_viewer(v, ref)
    photo = viewer.photo
    size = photo.image_size()
    a = QPointF(size.width() * 0.2, size.height() * 0.3)
    b = QPointF(size.width() * 0.6, size.height() * 0.5)
    tool(viewer, "arrow")
    drag(qtbot, photo.viewport(), QPointF(photo.mapFromScene(a)), QPointF(photo.mapFromScene(b)))
    [arrow] = annotations(v, ref, kinds=["arrow"])
    tolerance = 2 / photo.zoom
    assert close(arrow.geometry["from"], [a.x(), a.y()], tolerance)
    assert close(arrow.geometry["to"], [b.x(), b.y()], tolerance)
    assert any(n.startswith("annotation-arrow") for n in photo.layer_names())

    tool(viewer, "label")
    at = QPointF(size.width() * 0.5, size.height() * 0.2)
    qtbot.mouseClick(photo.viewport(), Qt.MouseButton.LeftButton,
                     pos=photo.mapFromScene(at))
    answer(qtbot, viewer, "Licence plate")
    [label] = annotations(v, ref, kinds=["label"])
    assert label.text == "Licence plate"
    assert close(label.geometry["at"], [at.x(), at.y()], tolerance)
    assert any(n.startswith("annotation-label") for n in photo.layer_names())
    assert sha256(v, ref) == before


def test_edit_a_note_and_a_rectangle_colour(
        qtbot: QtBot, case: tuple[Vault, dict[str, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    v, refs = case
    ref = refs[MINIMAL]
    before = sha256(v, ref)
    viewer = open_viewer(v, ref)
    assert viewer.pdf is not None
    assert viewer.colour_box.accessibleName()
    viewer.colour_box.setCurrentIndex(viewer.colour_box.findData("#2060e0"))

    tool(viewer, "note")
    click_points(qtbot, viewer, 0, QPointF(60, 60))
    answer(qtbot, viewer, "First thought")
    tool(viewer, "rectangle")
    drag_points(qtbot, viewer, 0, QRectF(300, 400, 80, 40))
    [rectangle] = annotations(v, ref, kinds=["rectangle"])
    assert rectangle.colour == "#2060e0"

    # the note: selected with a click, edited with Enter
    tool(viewer, "select")
    click_points(qtbot, viewer, 0, QPointF(65, 65))
    assert viewer.selected is not None and viewer.selected.kind == "note"
    qtbot.keyClick(viewer.pdf, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: viewer.ask is not None and viewer.ask.isVisible())
    assert viewer.ask is not None
    assert viewer.ask.windowModality() != Qt.WindowModality.ApplicationModal
    [text] = viewer.ask.findChildren(QLineEdit)
    assert text.accessibleName() == "Text" and text.text() == "First thought"
    text.setText("Second thought")
    viewer.ask.accept()
    [note] = annotations(v, ref, kinds=["note"])
    assert note.text == "Second thought"
    assert events(v, ref, "annotation changed") == 1

    # the rectangle: its colour changed with the Edit action
    click_points(qtbot, viewer, 0, QPointF(340, 420))
    assert viewer.selected is not None and viewer.selected.id == rectangle.id
    viewer.edit_action.trigger()
    qtbot.waitUntil(lambda: viewer.ask is not None and viewer.ask.isVisible())
    assert viewer.ask is not None
    assert viewer.ask.findChildren(QLineEdit) == []
    [colour] = viewer.ask.findChildren(QComboBox)
    assert colour.accessibleName() == "Colour"
    colour.setCurrentIndex(colour.findData("#e02020"))
    viewer.ask.accept()
    [rectangle] = annotations(v, ref, kinds=["rectangle"])
    assert rectangle.colour == "#e02020"
    assert events(v, ref, "annotation changed") == 2
    assert sha256(v, ref) == before


def test_the_annotations_panel_markers_and_hover(
        qtbot: QtBot, case: tuple[Vault, dict[str, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    """Every annotation listed with its page and text (choosing one goes to it and selects
    it), the pages that carry some marked in the thumbnails, a note's text on hover."""
    from vault.documents.annotations import add_annotation

    v, refs = case
    ref = refs[MINIMAL]
    note = add_annotation(v, ref, "note", 0, {"rect": [300, 60, 320, 80]},
                          text="Ask the housing officer about this date")
    add_annotation(v, ref, "redaction", 0, {"rect": [60, 90, 200, 110]}, reason="S1")
    viewer = open_viewer(v, ref)
    qtbot.waitUntil(lambda: viewer.annotation_model.rowCount() == 2, timeout=10_000)
    rows = [viewer.annotation_model.data(viewer.annotation_model.index(r))
            for r in range(2)]
    assert "p. 1 · Note: Ask the housing officer about this date" in rows
    assert "p. 1 · Redaction mark (S1)" in rows
    assert viewer.side.tabText(2) == "Annotations (2)"
    assert viewer.thumbnail_model is not None
    assert "✎2" in viewer.thumbnail_model.data(viewer.thumbnail_model.index(0))
    row = viewer.annotation_model.row_of(note.id)
    assert row is not None
    viewer._annotation_chosen(viewer.annotation_model.index(row))
    assert viewer.selected is not None and viewer.selected.id == note.id
    pdf = viewer.pdf
    assert pdf is not None
    [shown] = viewer.shown_rects(note)
    at = pdf.map_from_page(0, shown.center())
    assert viewer.annotation_text_at(at).startswith("Ask the housing officer about this date")
    assert viewer.annotation_text_at(pdf.map_from_page(0, QPointF(500, 700))) == ""


def test_find_then_highlight_or_mark_by_keyboard(
        qtbot: QtBot, case: tuple[Vault, dict[str, str]],
        open_viewer: Callable[[Vault, str], ViewerWindow]) -> None:
    """No mouse: Ctrl+F, type a word, Ctrl+Shift+H highlights every match, Ctrl+Shift+M marks
    them for redaction (for review)."""
    v, refs = case
    ref = refs[MINIMAL]
    viewer = open_viewer(v, ref)
    qtbot.keyClick(viewer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert viewer.find_edit.hasFocus() or viewer.find_bar.isVisible()
    qtbot.keyClicks(viewer.find_edit, "dolor")
    qtbot.waitUntil(lambda: len(viewer.hits) > 0, timeout=10_000)
    assert viewer.highlight_found_button.isEnabled()
    found = len(viewer.hits)
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_H,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    highlights = annotations(v, ref, kinds=["highlight"])
    assert highlights and sum(len(a.geometry["rects"]) for a in highlights) == found
    qtbot.keyClick(viewer.find_edit, Qt.Key.Key_M,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: bool(viewer.notices), timeout=10_000)
    assert "marked for redaction" in viewer.notices[-1]
    assert len(annotations(v, ref, kinds=["redaction"])) == found
