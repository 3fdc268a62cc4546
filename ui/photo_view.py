"""The photo of the viewer: shown upright (its EXIF orientation applied to the pixels decoded in
memory), zoomed with the wheel or Ctrl+= / Ctrl+-, panned by dragging, fitted to the window."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from ui.colours import PENDING_COLOUR, PENDING_REDACTION_LAYER

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
ZOOM_STEP = 1.25


class PhotoView(QGraphicsView):
    """The photo; in "rect" drag mode dragging draws a rectangle (reported by
    :attr:`rect_dragged` in the photo's pixels as shown), and overlays in named layers."""

    zoom_changed = Signal(float)
    rect_dragged = Signal(QRectF)  # pixels of the upright photo
    clicked = Signal(QPointF)  # pressed and released there (pixels of the upright photo)
    line_dragged = Signal(QPointF, QPointF)  # from, to ("line" drag mode)
    double_clicked = Signal(QPointF)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item: QGraphicsPixmapItem | None = None
        self._fit = True
        self._drag_mode = "select"
        self._band: tuple[QPointF, QGraphicsRectItem] | None = None
        self._line: tuple[QPointF, QGraphicsLineItem] | None = None
        self._press: QPointF | None = None
        self._layers: dict[str, list[QGraphicsItem]] = {}
        self.setAccessibleName(self.tr("Photo"))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(self.palette().dark())

    def set_image(self, image: QImage) -> None:
        self.clear()
        self._item = self.scene().addPixmap(QPixmap.fromImage(image))
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().setSceneRect(self._item.boundingRect())
        self.fit()

    def image_size(self) -> QSize:
        """The photo's size as shown (upright), in pixels; empty when there is none."""
        return QSize() if self._item is None else self._item.pixmap().size()

    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    @property
    def fitting(self) -> bool:
        return self._fit

    def set_zoom(self, zoom: float) -> None:
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        self._fit = False
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.zoom_changed.emit(zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def fit(self) -> None:
        """The whole photo in the window (never enlarged beyond its pixels)."""
        self._fit = True
        if self._item is None:
            return
        size, area = self._item.pixmap().size(), self.viewport().size()
        if size.isEmpty() or area.isEmpty():
            return
        zoom = min(area.width() / size.width(), area.height() / size.height(), 1.0)
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(self._item)
        self.zoom_changed.emit(zoom)

    def clear(self) -> None:
        """Drop the photo's pixels and the overlays."""
        self._layers.clear()
        self._band = self._line = None
        self.scene().clear()
        self._item = None

    # overlays and drawing
    def set_drag_mode(self, mode: str) -> None:
        """``"select"``: dragging pans; ``"rect"``: dragging draws a rectangle; ``"line"``:
        dragging draws a line (an arrow)."""
        if mode not in ("select", "rect", "line"):
            raise ValueError(mode)
        self._drag_mode = mode
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag if mode == "select" else
                         QGraphicsView.DragMode.NoDrag)
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if mode == "select" else
                                  Qt.CursorShape.CrossCursor)

    def set_overlay(self, layer: str, rects: Sequence[QRectF], colour: QColor,
                    outline: QColor | None = None, *, ellipse: bool = False) -> None:
        """Draw these rectangles (or ellipses) in pixels of the photo; a layer replaces the
        one of the same name."""
        self.clear_overlay(layer)
        items: list[QGraphicsItem] = []
        for r in rects:
            item = (self.scene().addEllipse(r) if ellipse else self.scene().addRect(r))
            pending = layer == PENDING_REDACTION_LAYER  # a redaction still to be made
            item.setBrush(QBrush(PENDING_COLOUR, Qt.BrushStyle.BDiagPattern) if pending
                          else QBrush(colour))
            pen = QPen(PENDING_COLOUR if pending else outline if outline is not None else colour,
                       2, Qt.PenStyle.DashLine if pending else Qt.PenStyle.SolidLine)
            pen.setCosmetic(True)
            item.setPen(pen)
            if pending:
                item.setToolTip(self.tr("Redaction mark: will be removed in the copy"))
            item.setZValue(1)
            items.append(item)
        self._layers[layer] = items

    def set_arrows(self, layer: str, arrows: Sequence[tuple[QPointF, QPointF]],
                   colour: QColor) -> None:
        """Draw these arrows (from, to: pixels of the photo), a line and a head."""
        self.clear_overlay(layer)
        items: list[QGraphicsItem] = []
        pen = QPen(colour, 3)
        pen.setCosmetic(True)
        for a, b in arrows:
            line = QLineF(a, b)
            head = max(6.0, min(40.0, line.length() / 5))
            group = [self.scene().addLine(line, pen)]
            for turn in (150.0, -150.0):
                side = QLineF(b, QPointF(b.x() + 1, b.y()))
                side.setAngle(line.angle() + turn)
                side.setLength(head)
                group.append(self.scene().addLine(side, pen))
            for item in group:
                item.setZValue(1)
            items.extend(group)
        self._layers[layer] = items

    def set_labels(self, layer: str, labels: Sequence[tuple[QPointF, str]],
                   colour: QColor) -> None:
        """Draw these texts at their points (pixels of the photo), on a pale box."""
        self.clear_overlay(layer)
        items: list[QGraphicsItem] = []
        size = self.image_size()
        font = QFont()
        font.setPixelSize(max(12, round(min(size.width(), size.height()) / 30)))
        for at, text in labels:
            item = self.scene().addSimpleText(text or "…", font)
            item.setBrush(QBrush(colour))
            item.setPos(at)
            item.setZValue(2)
            back = self.scene().addRect(item.sceneBoundingRect().adjusted(-2, -2, 2, 2),
                                        QPen(Qt.PenStyle.NoPen),
                                        QBrush(QColor(255, 255, 255, 180)))
            back.setZValue(1)
            items.extend((back, item))
        self._layers[layer] = items

    def clear_overlay(self, layer: str) -> None:
        for item in self._layers.pop(layer, []):
            self.scene().removeItem(item)

    def overlay(self, layer: str) -> list[QRectF]:
        return [item.boundingRect() for item in self._layers.get(layer, [])]

    def layer_names(self) -> list[str]:
        return list(self._layers)

    def _photo_point(self, event: QMouseEvent) -> QPointF:
        p = self.mapToScene(event.position().toPoint())
        size = self.image_size()
        return QPointF(min(max(p.x(), 0.0), float(size.width())),
                       min(max(p.y(), 0.0), float(size.height())))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._item is not None:
            self._press = event.position()
            if self._drag_mode == "rect":
                start = self._photo_point(event)
                band = self.scene().addRect(QRectF(start, start))
                pen = QPen(Qt.GlobalColor.blue, 1, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                band.setPen(pen)
                band.setZValue(2)
                self._band = (start, band)
                event.accept()
                return
            if self._drag_mode == "line":
                start = self._photo_point(event)
                pen = QPen(Qt.GlobalColor.blue, 2, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                line = self.scene().addLine(QLineF(start, start), pen)
                line.setZValue(2)
                self._line = (start, line)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._band is not None:
            start, band = self._band
            band.setRect(QRectF(start, self._photo_point(event)).normalized())
            event.accept()
            return
        if self._line is not None:
            start, line = self._line
            line.setLine(QLineF(start, self._photo_point(event)))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        press, self._press = self._press, None
        clicked = press is not None and (event.position() - press).manhattanLength() < 4
        if self._band is not None:
            start, band = self._band
            self._band = None
            self.scene().removeItem(band)
            rect = QRectF(start, self._photo_point(event)).normalized()
            if rect.width() > 1 and rect.height() > 1:
                self.rect_dragged.emit(rect)
            event.accept()
        elif self._line is not None:
            start, line = self._line
            self._line = None
            self.scene().removeItem(line)
            end = self._photo_point(event)
            if not clicked and QLineF(start, end).length() > 1:
                self.line_dragged.emit(start, end)
            event.accept()
        else:
            super().mouseReleaseEvent(event)
        if clicked and self._item is not None:
            self.clicked.emit(self._photo_point(event))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._item is not None:
            self.double_clicked.emit(self._photo_point(event))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps and self._item is not None:
            self.set_zoom(self.zoom * ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()
