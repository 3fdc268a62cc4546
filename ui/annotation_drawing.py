"""How the viewer draws annotations: each kind a layer over the PDF pages or the photo, the
marks under review and the selected one outlined. Plain functions given what to draw and
where; they store nothing."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from ui.pdf_view import PdfView
from ui.photo_view import PhotoView
from vault.documents.annotations import Annotation
from vault.documents.document import Document

REDACTION_FILL = QColor(0, 0, 0, 40)
REDACTION_OUTLINE = QColor(0, 0, 0)
REVIEW_COLOUR = QColor(220, 0, 0, 70)
SELECTED_OUTLINE = QColor(0, 90, 255)
ALPHA = {"highlight": 90, "underline": 140, "strikeout": 140, "note": 150, "rectangle": 50,
         "ellipse": 50, "ink": 90}
LINES = ("ink", "arrow", "label")  # drawn as lines or text, not boxes
LABEL_BOX = 24.0  # pixels: the side of the box that selects a label


def shown_rects(a: Annotation, document: Document | None) -> list[QRectF]:
    """The annotation's boxes as displayed (points of the page, or photo pixels)."""
    g = a.geometry
    boxes: list[list[float]] = (list(g["rects"]) if "rects" in g else
                                [g["rect"]] if "rect" in g else [])
    if "strokes" in g:
        points = [p for stroke in g["strokes"] for p in stroke]
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes = [[min(xs), min(ys), max(xs), max(ys)]]
    if "from" in g:
        (x0, y0), (x1, y1) = g["from"], g["to"]
        boxes = [[min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]]
    if "at" in g:
        x, y = g["at"]
        boxes = [[x, y, x + LABEL_BOX, y + LABEL_BOX]]
    out = []
    for b in boxes:
        x0, y0, x1, y1 = (float(c) for c in b)
        if document is not None:
            x0, y0, x1, y1 = document.from_unrotated(a.page, (x0, y0, x1, y1))
        out.append(QRectF(x0, y0, x1 - x0, y1 - y0))
    return out


def shown_strokes(a: Annotation, document: Document | None) -> list[list[QPointF]]:
    """An ink annotation's strokes as displayed (points of the page)."""
    out = []
    for stroke in a.geometry.get("strokes", []):
        points = []
        for x, y in stroke:
            if document is not None:
                x, y, _, _ = document.from_unrotated(a.page, (x, y, x, y))
            points.append(QPointF(x, y))
        out.append(points)
    return out


def draw_annotations(marks: list[Annotation], review: list[Annotation],
                     selected: Annotation | None, document: Document | None,
                     pdf: PdfView | None, photo: PhotoView | None) -> None:
    """Draw ``marks`` over ``pdf`` (if any), else over ``photo`` (if any), replacing the
    annotation layers drawn before."""
    layers: dict[str, dict[int, list[QRectF]]] = {}
    colours: dict[str, QColor] = {}
    for a in marks:
        if a.kind in LINES:
            continue
        layer = f"annotation-{a.kind}"
        layers.setdefault(layer, {}).setdefault(a.page, []).extend(shown_rects(a, document))
        colour = QColor(a.colour)
        colour.setAlpha(ALPHA.get(a.kind, 90))
        colours.setdefault(layer, colour)
    review_ids = {a.id for a in review}
    extra = {"annotation-review": ([a for a in marks if a.id in review_ids],
                                   REVIEW_COLOUR, REDACTION_OUTLINE),
             "annotation-selected": ([selected] if selected else [],
                                     QColor(0, 0, 0, 0), SELECTED_OUTLINE)}
    if pdf is not None:
        for name in [n for n in pdf.layer_names() if n.startswith("annotation-")]:
            pdf.clear_overlay(name)
        for layer, rects in layers.items():
            redaction = layer == "annotation-redaction"
            pdf.set_overlay(layer, rects, REDACTION_FILL if redaction else colours[layer],
                            REDACTION_OUTLINE if redaction else None)
        for layer, (outlined, fill, outline) in extra.items():
            by_page: dict[int, list[QRectF]] = {}
            for a in outlined:
                by_page.setdefault(a.page, []).extend(shown_rects(a, document))
            pdf.set_overlay(layer, by_page, fill, outline)
        strokes: dict[int, list[list[QPointF]]] = {}
        for a in marks:
            if a.kind == "ink":
                strokes.setdefault(a.page, []).extend(shown_strokes(a, document))
        for colour_name in {a.colour for a in marks if a.kind == "ink"}:
            pdf.set_lines(f"annotation-ink-{colour_name}", {
                p: [s for a in marks if a.kind == "ink" and a.colour == colour_name
                    and a.page == p for s in shown_strokes(a, document)]
                for p in strokes}, QColor(colour_name))
    elif photo is not None:
        for name in [n for n in photo.layer_names() if n.startswith("annotation-")]:
            photo.clear_overlay(name)
        for layer, rects in layers.items():
            redaction = layer == "annotation-redaction"
            photo.set_overlay(layer, rects.get(0, []),
                              REDACTION_FILL if redaction else colours[layer],
                              REDACTION_OUTLINE if redaction else None,
                              ellipse=layer == "annotation-ellipse")
        for layer, (outlined, fill, outline) in extra.items():
            photo.set_overlay(layer, [r for a in outlined for r in shown_rects(a, document)],
                              fill, outline)
        for i, a in enumerate(m for m in marks if m.kind == "arrow"):
            photo.set_arrows(f"annotation-arrow-{i}", [
                (QPointF(*a.geometry["from"]), QPointF(*a.geometry["to"]))],
                QColor(a.colour))
        for i, a in enumerate(m for m in marks if m.kind == "label"):
            photo.set_labels(f"annotation-label-{i}", [(QPointF(*a.geometry["at"]), a.text)],
                             QColor(a.colour))
