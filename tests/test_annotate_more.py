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
from vault.annotations import annotations
from vault.vault import Vault

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
