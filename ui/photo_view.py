"""The photo of the viewer: shown upright (its EXIF orientation applied to the pixels decoded in
memory), zoomed with the wheel or Ctrl+= / Ctrl+-, panned by dragging, fitted to the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
ZOOM_STEP = 1.25


class PhotoView(QGraphicsView):
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item: QGraphicsPixmapItem | None = None
        self._fit = True
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
        """Drop the photo's pixels."""
        self.scene().clear()
        self._item = None

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps and self._item is not None:
            self.set_zoom(self.zoom * ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()
