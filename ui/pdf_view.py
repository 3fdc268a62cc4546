"""The PDF pages of the viewer: a renderer drawing pages and thumbnails in the background, and
a continuous, zoomable view of the pages with text selection and overlay rectangles.

:class:`Renderer` runs one page (or thumbnail) at a time as a :class:`ui.worker.Job` on the
viewer's own thread pool, the pages wanted most first (those on screen, then those just
around them), and keeps a bounded number of rendered pages in memory only. :class:`PdfView`
shows every page one under the other.

Coordinates given to or by the view are PDF points in the page as displayed (see
:mod:`vault.documents.document`): rectangles drawn over the pages (:meth:`PdfView.set_overlay`: find
hits now, annotations later), and the rectangle dragged in ``"rect"`` mode
(:attr:`PdfView.rect_dragged`: annotations and redactions later).
"""

from __future__ import annotations

import bisect
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ui.clipboard import copy_evidence_text
from ui.colours import PENDING_COLOUR, PENDING_REDACTION_LAYER
from ui.worker import Job, start
from vault.documents.document import Document, Word

MARGIN = 16  # pixels around and between the pages
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
ZOOM_STEP = 1.25
THUMB_SIZE = 128  # a thumbnail's longest side, in pixels
PAGE_CACHE_PAGES = 12  # rendered pages kept beyond those wanted on screen
PAGE_CACHE_BYTES = 192 << 20
THUMB_CACHE_COUNT = 400
THUMB_CACHE_BYTES = 48 << 20
FIND_COLOUR = QColor(255, 200, 0, 110)
CURRENT_COLOUR = QColor(255, 110, 0, 150)
SELECTION_COLOUR = QColor(0, 110, 230, 90)

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Least recently used first out, bounded in entries and bytes; entries named in
    ``pinned`` (those on screen) are never pushed out. Plain memory, nothing on disk."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._size = size
        self._items: OrderedDict[int, V] = OrderedDict()
        self.nbytes = 0

    def get(self, key: int) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def peek(self, key: int) -> V | None:
        return self._items.get(key)

    def put(self, key: int, value: V, pinned: Iterable[int] = ()) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.nbytes -= self._size(old)
        self._items[key] = value
        self.nbytes += self._size(value)
        keep = set(pinned) | {key}
        for k in list(self._items):
            if len(self._items) <= len(keep) + self.max_entries and self.nbytes <= self.max_bytes:
                break
            if k not in keep:
                self.nbytes -= self._size(self._items.pop(k))

    def keys(self) -> list[int]:
        return list(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: int) -> bool:
        return key in self._items


class Renderer(QObject):
    """Draws a document's pages and thumbnails in the background, one at a time, the wanted
    ones first; holds what it drew in memory only, until :meth:`close`."""

    page_ready = Signal(int)
    thumbnail_ready = Signal(int)
    search_done = Signal(str, object)  # text, [(page, [(x0, y0, x1, y1) in points])]
    page_failed = Signal(int, str)

    def __init__(self, doc: Document, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc: Document | None = doc
        self.page_count = doc.page_count
        self.sizes = doc.page_sizes
        self._pool = pool
        self.pages: BoundedCache[tuple[QImage, float]] = BoundedCache(
            PAGE_CACHE_PAGES, PAGE_CACHE_BYTES, lambda e: int(e[0].sizeInBytes()))
        self.thumbs: BoundedCache[QPixmap] = BoundedCache(
            THUMB_CACHE_COUNT, THUMB_CACHE_BYTES, lambda p: p.width() * p.height() * 4)
        self.words: dict[int, list[Word]] = {}
        self.failed: dict[int, str] = {}
        self.scale = 1.0
        self._wanted: list[int] = []
        self._thumbs_wanted: list[int] = []
        self._job: Job | None = None  # the page or thumbnail being drawn
        self._search: Job | None = None  # the latest search
        self._running: set[Job] = set()  # every job started, until it reports
        self.render_times: list[float] = []  # seconds a page took, for the curious

    # ------------------------------------------------------------------ wishes
    def want_pages(self, pages: Sequence[int], scale: float) -> None:
        """The pages to have drawn at ``scale`` pixels a point, most wanted first."""
        self._wanted, self.scale = list(pages), scale
        self._next()

    def want_thumbnails(self, pages: Sequence[int]) -> None:
        self._thumbs_wanted = list(pages)
        self._next()

    def page_image(self, page: int) -> tuple[QImage, float] | None:
        """The page as last drawn, and the scale it was drawn at."""
        return self.pages.get(page)

    def thumbnail(self, page: int) -> QPixmap | None:
        return self.thumbs.get(page)

    def search(self, text: str) -> None:
        """Search in the background; :attr:`search_done` reports it (a newer search
        replaces an older one)."""
        if self._search is not None:
            self._search.cancel()
        doc = self.doc
        if doc is None:
            return

        def work(cancel: Callable[[], bool]) -> Any:
            found = doc.search(text, cancel)
            return None if cancel() else (text, found)

        job = Job(work)
        self._search = job

        def done(result: Any) -> None:
            self._running.discard(job)
            if self._search is not job:
                return  # replaced by a newer search
            self._search = None
            if result is not None and self.doc is not None:
                self.search_done.emit(*result)

        job.finished.connect(done)
        job.failed.connect(lambda _m, _b: done(None))
        self._running.add(job)
        start(job, self._pool)

    # ------------------------------------------------------------------ work
    def _next(self) -> None:
        doc = self.doc
        if doc is None or self._job is not None:
            return
        for page in self._wanted:
            entry = self.pages.peek(page)
            if page not in self.failed and (entry is None or
                                            not math.isclose(entry[1], self.scale)):
                self._run(page, self._page_work(doc, page, self.scale, page not in self.words))
                return
        for page in self._thumbs_wanted:
            if page not in self.thumbs and page not in self.failed:
                self._run(page, self._thumb_work(doc, page))
                return

    def _page_work(self, doc: Document, page: int, scale: float, words: bool
                   ) -> Callable[[Callable[[], bool]], Any]:
        def work(cancel: Callable[[], bool]) -> Any:
            if cancel():
                return None
            t0 = time.perf_counter()
            image = _image(*doc.render(page, scale))
            took = time.perf_counter() - t0
            return "page", page, scale, image, doc.words(page) if words else None, took
        return work

    def _thumb_work(self, doc: Document, page: int) -> Callable[[Callable[[], bool]], Any]:
        w, h = self.sizes[page]
        scale = THUMB_SIZE / max(w, h)

        def work(cancel: Callable[[], bool]) -> Any:
            if cancel():
                return None
            return "thumb", page, scale, _image(*doc.render(page, scale)), None, 0.0
        return work

    def _run(self, page: int, work: Callable[[Callable[[], bool]], Any]) -> None:
        job = Job(work)
        self._job = job
        job.finished.connect(lambda result: self._finished(job, result))
        job.failed.connect(lambda message, _bug: self._failed(job, page, message))
        self._running.add(job)
        start(job, self._pool)

    def _finished(self, job: Job, result: Any) -> None:
        self._running.discard(job)
        if self._job is job:
            self._job = None
        if self.doc is None or result is None:
            return
        kind, page, scale, image, words, took = result
        if kind == "page":
            self.render_times.append(took)
            if words is not None:
                self.words[page] = words
            self.pages.put(page, (image, scale), self._wanted)
            self.page_ready.emit(page)
        else:
            self.thumbs.put(page, QPixmap.fromImage(image), self._thumbs_wanted)
            self.thumbnail_ready.emit(page)
        self._next()

    def _failed(self, job: Job, page: int, message: str) -> None:
        self._running.discard(job)
        if self._job is job:
            self._job = None
        if self.doc is None:
            return
        self.failed[page] = message  # not tried again: the page shows that it failed
        self.page_failed.emit(page, message)
        self._next()

    def close(self) -> None:
        """Stop, wait for the page being drawn, drop everything drawn and close the
        document (its bytes go with it)."""
        for job in self._running:
            job.cancel()
        self._pool.clear()
        self._pool.waitForDone()
        self._job = self._search = None
        self._running.clear()
        self.pages.clear()
        self.thumbs.clear()
        self.words.clear()
        self.failed.clear()
        self._wanted, self._thumbs_wanted = [], []
        if self.doc is not None:
            self.doc.close()
            self.doc = None


def _image(width: int, height: int, stride: int, rgb: bytes) -> QImage:
    """A page's RGB pixels as an image that owns them, in the format painted fastest."""
    return QImage(rgb, width, height, stride, QImage.Format.Format_RGB888).convertToFormat(
        QImage.Format.Format_RGB32)


class PdfView(QAbstractScrollArea):
    """Every page one under the other, zoomable; drag over words to select them, Ctrl+C to
    copy them; rectangles in points drawn over the pages in named layers."""

    current_page_changed = Signal(int)
    zoom_changed = Signal(float)
    selection_changed = Signal()
    rect_dragged = Signal(int, QRectF)  # page, rectangle in points ("rect" drag mode)
    page_clicked = Signal(int, QPointF)  # page, point in points: pressed and released there
    ink_drawn = Signal(int, list)  # page, [QPointF] in points ("ink" drag mode)
    double_clicked = Signal(int, QPointF)  # page, point in points

    def __init__(self, renderer: Renderer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = renderer
        self._sizes = renderer.sizes
        self._zoom = 1.0
        self._fit = True
        self._tops: list[int] = []
        self._heights: list[int] = []
        self._widths: list[int] = []
        self._content = (0, 0)
        self._layers: dict[str, tuple[QColor, dict[int, list[QRectF]], QColor | None]] = {}
        self._press: QPointF | None = None  # where the left button went down
        self._selection: tuple[int, int, int] | None = None  # page, first word, last word
        self._anchor: tuple[int, QPointF] | None = None
        self._band: tuple[int, QPointF, QPointF] | None = None
        self._drag_mode = "select"
        self._stroke: tuple[int, list[QPointF]] | None = None  # being drawn ("ink" mode)
        self._lines: dict[str, tuple[QColor, dict[int, list[list[QPointF]]]]] = {}
        self._current = -1
        self.copied = ""  # what Ctrl+C last put on the clipboard
        self.setAccessibleName(self.tr("Pages"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # fit is stable
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setSingleStep(40)
        renderer.page_ready.connect(self._page_ready)
        renderer.page_failed.connect(lambda _p, _m: self.viewport().update())
        self._layout()

    # ------------------------------------------------------------------ public
    @property
    def zoom(self) -> float:
        """Logical pixels a point."""
        return self._zoom

    @property
    def fitting(self) -> bool:
        return self._fit

    def set_zoom(self, zoom: float, *, fit: bool = False) -> None:
        """Zoom, keeping the point at the middle of the view where it is."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        middle = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        anchor = self.map_to_page(middle, clamp=True)
        changed = not math.isclose(zoom, self._zoom)
        self._zoom, self._fit = zoom, fit
        self._layout()
        if anchor is not None:
            where = self.map_from_page(*anchor)
            self.horizontalScrollBar().setValue(
                self.horizontalScrollBar().value() + round(where.x() - middle.x()))
            self.verticalScrollBar().setValue(
                self.verticalScrollBar().value() + round(where.y() - middle.y()))
        self._changed()
        if changed:
            self.zoom_changed.emit(self._zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    def fit_width(self) -> None:
        widest = max(w for w, _h in self._sizes)
        self.set_zoom(max(1, self.viewport().width() - 2 * MARGIN) / widest, fit=True)

    def current_page(self) -> int:
        """The page taking up most of the view."""
        top, height = self.verticalScrollBar().value(), self.viewport().height()
        best, shown = 0, -1
        for page in self._pages_between(top, top + height):
            seen = (min(top + height, self._tops[page] + self._heights[page]) -
                    max(top, self._tops[page]))
            if seen > shown:
                best, shown = page, seen
        return best

    def go_to_page(self, page: int, y: float = 0.0) -> None:
        """Scroll so that the page (at ``y`` points from its top) is at the top of the view."""
        page = min(max(page, 0), len(self._sizes) - 1)
        self.verticalScrollBar().setValue(self._tops[page] - MARGIN // 2 + round(y * self._zoom))

    def ensure_visible(self, page: int, rect: QRectF) -> None:
        """Scroll, if needed, so that ``rect`` (points) on ``page`` is in view."""
        r = self.page_to_view(page, rect)
        area = QRectF(self.viewport().rect())
        bars = ((self.verticalScrollBar(), r.center().y(), area.height(), r.top(), r.bottom(),
                 area.top(), area.bottom()),
                (self.horizontalScrollBar(), r.center().x(), area.width(), r.left(), r.right(),
                 area.left(), area.right()))
        for bar, middle, size, lo, hi, a_lo, a_hi in bars:
            if lo < a_lo or hi > a_hi:
                bar.setValue(bar.value() + round(middle - size / 2))

    def visible_pages(self) -> list[int]:
        top = self.verticalScrollBar().value()
        return self._pages_between(top, top + self.viewport().height())

    def page_rect(self, page: int) -> QRect:
        """Where the page is in the viewport, in pixels."""
        width = max(self._content[0], self.viewport().width())
        x = (width - self._widths[page]) // 2 - self.horizontalScrollBar().value()
        y = self._tops[page] - self.verticalScrollBar().value()
        return QRect(x, y, self._widths[page], self._heights[page])

    def map_to_page(self, pos: QPointF, *, clamp: bool = False) -> tuple[int, QPointF] | None:
        """The page and point (points) under ``pos`` (viewport pixels); with ``clamp`` the
        nearest page's nearest point when ``pos`` is between or beside pages."""
        if not self._tops:
            return None
        y = pos.y() + self.verticalScrollBar().value()
        page = max(0, bisect.bisect_right(self._tops, y) - 1)
        if page + 1 < len(self._tops) and y - (self._tops[page] + self._heights[page]) > \
                self._tops[page + 1] - y:
            page += 1
        r = self.page_rect(page)
        if not clamp and not QRectF(r).contains(pos):
            return None
        return page, self._clamped(page, pos)

    def map_from_page(self, page: int, point: QPointF) -> QPointF:
        r = self.page_rect(page)
        return QPointF(r.x() + point.x() * self._zoom, r.y() + point.y() * self._zoom)

    def page_to_view(self, page: int, rect: QRectF) -> QRectF:
        return QRectF(self.map_from_page(page, rect.topLeft()),
                      self.map_from_page(page, rect.bottomRight()))

    # overlays: the API for find hits now and annotations later
    def set_overlay(self, layer: str, rects: Mapping[int, Sequence[QRectF]],
                    colour: QColor, outline: QColor | None = None) -> None:
        """Fill these rectangles (points, per page) in ``colour`` over the pages, outlined in
        ``outline`` when given; a layer replaces the one of the same name."""
        self._layers[layer] = (QColor(colour), {p: list(r) for p, r in rects.items() if r},
                               None if outline is None else QColor(outline))
        self.viewport().update()

    def clear_overlay(self, layer: str) -> None:
        found = self._layers.pop(layer, None) is not None
        if self._lines.pop(layer, None) is not None or found:
            self.viewport().update()

    def overlay(self, layer: str) -> dict[int, list[QRectF]]:
        found = self._layers.get(layer)
        return {} if found is None else {p: list(r) for p, r in found[1].items()}

    def layer_names(self) -> list[str]:
        return list(self._layers) + [n for n in self._lines if n not in self._layers]

    def set_lines(self, layer: str, lines: Mapping[int, Sequence[Sequence[QPointF]]],
                  colour: QColor) -> None:
        """Draw these polylines (points, per page) in ``colour``; a layer replaces the one of
        the same name (and any rectangles of that name)."""
        self._layers.pop(layer, None)
        self._lines[layer] = (QColor(colour), {p: [list(line) for line in ls]
                                               for p, ls in lines.items() if ls})
        self.viewport().update()

    def lines(self, layer: str) -> dict[int, list[list[QPointF]]]:
        found = self._lines.get(layer)
        return {} if found is None else {p: [list(x) for x in ls] for p, ls in found[1].items()}

    def set_drag_mode(self, mode: str) -> None:
        """``"select"``: dragging selects words; ``"rect"``: dragging draws a rectangle,
        reported by :attr:`rect_dragged` in points; ``"ink"``: dragging draws a stroke,
        reported by :attr:`ink_drawn`."""
        if mode not in ("select", "rect", "ink"):
            raise ValueError(mode)
        self._drag_mode = mode
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor if mode == "select" else
                                  Qt.CursorShape.CrossCursor)

    # selection
    def selected_text(self) -> str:
        if self._selection is None:
            return ""
        page, first, last = self._selection
        words = self.renderer.words.get(page, [])[first:last + 1]
        out: list[str] = []
        for i, word in enumerate(words):
            if i:
                same = (word.block, word.line) == (words[i - 1].block, words[i - 1].line)
                out.append(" " if same else "\n")
            out.append(word.text)
        return "".join(out)

    def selected_rects(self) -> tuple[int, list[QRectF]] | None:
        if self._selection is None:
            return None
        page, first, last = self._selection
        words = self.renderer.words.get(page, [])[first:last + 1]
        return page, [QRectF(QPointF(w.rect[0], w.rect[1]), QPointF(w.rect[2], w.rect[3]))
                      for w in words]

    def select_page(self, page: int) -> None:
        """Select every word of the page (Ctrl+A selects the current page's)."""
        words = self.renderer.words.get(page)
        self._selection = (page, 0, len(words) - 1) if words else None
        self.selection_changed.emit()
        self.viewport().update()

    def copy_selection(self) -> str:
        text = self.selected_text()
        if text:
            copy_evidence_text(text)
            self.copied = text
        return text

    def clear(self) -> None:
        """Forget every overlay and the selection (locking, closing)."""
        self._layers.clear()
        self._lines.clear()
        self._stroke = None
        self._selection = self._anchor = self._band = self._press = None
        self.copied = ""
        self.viewport().update()

    # ------------------------------------------------------------------ layout
    def _layout(self) -> None:
        z = self._zoom
        self._widths = [max(1, round(w * z)) for w, _h in self._sizes]
        self._heights = [max(1, round(h * z)) for _w, h in self._sizes]
        self._tops, y = [], MARGIN
        for h in self._heights:
            self._tops.append(y)
            y += h + MARGIN
        self._content = (max(self._widths, default=0) + 2 * MARGIN, y)
        self._update_bars()

    def _update_bars(self) -> None:
        vw, vh = self.viewport().width(), self.viewport().height()
        v, h = self.verticalScrollBar(), self.horizontalScrollBar()
        v.setRange(0, max(0, self._content[1] - vh))
        v.setPageStep(max(1, vh))
        h.setRange(0, max(0, self._content[0] - vw))
        h.setPageStep(max(1, vw))

    def _pages_between(self, top: int, bottom: int) -> list[int]:
        if not self._tops:
            return []
        first = max(0, bisect.bisect_right(self._tops, top) - 1)
        pages = []
        for page in range(first, len(self._tops)):
            if self._tops[page] > bottom:
                break
            if self._tops[page] + self._heights[page] >= top:
                pages.append(page)
        return pages

    def _clamped(self, page: int, pos: QPointF) -> QPointF:
        r = self.page_rect(page)
        w, h = self._sizes[page]
        return QPointF(min(max((pos.x() - r.x()) / self._zoom, 0.0), w),
                       min(max((pos.y() - r.y()) / self._zoom, 0.0), h))

    def _changed(self) -> None:
        """After a scroll, zoom or resize: repaint, ask for the pages now wanted, follow the
        current page."""
        self.viewport().update()
        top, height = self.verticalScrollBar().value(), self.viewport().height()
        shown = self._pages_between(top, top + height)
        middle = top + height / 2
        shown.sort(key=lambda p: abs(self._tops[p] + self._heights[p] / 2 - middle))
        around = [p for p in self._pages_between(top - height, top + 2 * height)
                  if p not in shown]
        around.sort(key=lambda p: abs(self._tops[p] + self._heights[p] / 2 - middle))
        self.renderer.want_pages(shown + around, self._zoom * self.devicePixelRatioF())
        current = self.current_page()
        if current != self._current:
            self._current = current
            self.current_page_changed.emit(current)

    def _page_ready(self, page: int) -> None:
        if self.page_rect(page).intersects(self.viewport().rect()):
            self.viewport().update()

    # ------------------------------------------------------------------ events
    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self._changed()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit_width()
        else:
            self._update_bars()
            self._changed()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._changed()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self.palette().dark())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        selected = self.selected_rects()
        for page in self.visible_pages():
            r = self.page_rect(page)
            entry = self.renderer.page_image(page)
            if entry is not None:
                painter.drawImage(QRectF(r), entry[0])
            else:
                painter.fillRect(r, Qt.GlobalColor.white)
                painter.setPen(Qt.GlobalColor.gray)
                text = (self.tr("This page could not be drawn.") if page in self.renderer.failed
                        else self.tr("Page {n}").format(n=page + 1))
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
            for layer, (colour, rects, outline) in self._layers.items():
                for rect in rects.get(page, ()):
                    shown = self.page_to_view(page, rect)
                    if layer == PENDING_REDACTION_LAYER:
                        paint_pending_redaction(painter, shown, self.tr(
                            "will be removed in the copy"))
                        continue
                    painter.fillRect(shown, colour)
                    if outline is not None:
                        painter.setPen(QPen(outline, 2))
                        painter.setBrush(Qt.BrushStyle.NoBrush)
                        painter.drawRect(shown)
            for colour, by_page in self._lines.values():
                pen = QPen(colour, max(1.0, 2 * self._zoom))
                painter.setPen(pen)
                for line in by_page.get(page, ()):
                    painter.drawPolyline([self.map_from_page(page, p) for p in line])
            if self._stroke is not None and self._stroke[0] == page:
                painter.setPen(QPen(SELECTION_COLOUR.darker(), 2))
                painter.drawPolyline([self.map_from_page(page, p) for p in self._stroke[1]])
            if selected is not None and selected[0] == page:
                for rect in selected[1]:
                    painter.fillRect(self.page_to_view(page, rect), SELECTION_COLOUR)
            if self._band is not None and self._band[0] == page:
                painter.setPen(QPen(SELECTION_COLOUR.darker(), 1, Qt.PenStyle.DashLine))
                painter.drawRect(self.page_to_view(page, QRectF(self._band[1],
                                                                self._band[2]).normalized()))
        painter.end()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self._zoom * ZOOM_STEP ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_page(self.current_page())
            event.accept()
        elif event.key() == Qt.Key.Key_Home:
            self.go_to_page(0)
        elif event.key() == Qt.Key.Key_End:
            self.go_to_page(len(self._sizes) - 1)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._press = event.position()
        hit = self.map_to_page(event.position())
        had = self._selection is not None
        self._selection = self._anchor = self._band = self._stroke = None
        if hit is not None:
            page, point = hit
            if self._drag_mode == "ink":
                self._stroke = (page, [point])
            elif self._drag_mode == "rect":
                self._band = (page, point, point)
            else:
                self._anchor = (page, point)
        if had:
            self.selection_changed.emit()
        self.viewport().update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            return
        if self._stroke is not None:
            page, points = self._stroke
            point = self._clamped(page, event.position())
            if point != points[-1]:
                points.append(point)
            self.viewport().update()
        elif self._band is not None:
            page, start_, _ = self._band
            self._band = (page, start_, self._clamped(page, event.position()))
            self.viewport().update()
        elif self._anchor is not None:
            page, start_ = self._anchor
            self._select(page, start_, self._clamped(page, event.position()))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if self._stroke is not None:
            page, points = self._stroke
            self._stroke = None
            point = self._clamped(page, event.position())
            if point != points[-1]:
                points.append(point)
            if len(points) > 1:
                self.ink_drawn.emit(page, points)
            self.viewport().update()
        if self._band is not None:
            page, a, b = self._band
            self._band = None
            rect = QRectF(a, b).normalized()
            if rect.width() > 1 and rect.height() > 1:
                self.rect_dragged.emit(page, rect)
            self.viewport().update()
        self._anchor = None
        press, self._press = self._press, None
        if press is not None and (event.position() - press).manhattanLength() < 4:
            hit = self.map_to_page(event.position())
            if hit is not None:
                self.page_clicked.emit(*hit)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self.map_to_page(event.position())
        if event.button() == Qt.MouseButton.LeftButton and hit is not None:
            self.double_clicked.emit(*hit)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _select(self, page: int, a: QPointF, b: QPointF) -> None:
        words = self.renderer.words.get(page)
        if not words:
            return
        first, last = sorted((_nearest(words, a), _nearest(words, b)))
        if self._selection != (page, first, last):
            self._selection = (page, first, last)
            self.selection_changed.emit()
            self.viewport().update()


def _nearest(words: Sequence[Word], p: QPointF) -> int:
    """The word under the point, else the nearest one."""
    def distance(i: int) -> float:
        x0, y0, x1, y1 = words[i].rect
        dx = max(x0 - p.x(), 0.0, p.x() - x1)
        dy = max(y0 - p.y(), 0.0, p.y() - y1)
        return dx * dx + 4 * dy * dy  # a line above or below is farther than a word beside
    return min(range(len(words)), key=distance)


def paint_pending_redaction(painter: QPainter, shown: QRectF, words: str) -> None:
    """A redaction mark as what it is, a redaction still to be made: red hatching over the
    words (which stay readable), a dashed red outline and, where it fits, "will be removed in
    the copy". A solid box would look like a finished redaction on the original."""
    painter.save()
    painter.fillRect(shown, QBrush(PENDING_COLOUR, Qt.BrushStyle.BDiagPattern))
    painter.setPen(QPen(PENDING_COLOUR, 2, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(shown)
    font = painter.font()
    font.setPointSizeF(8)
    painter.setFont(font)
    if painter.fontMetrics().horizontalAdvance(words) + 6 < shown.width() and \
            painter.fontMetrics().height() + 4 < shown.height():
        box = painter.fontMetrics().boundingRect(words).adjusted(-2, -1, 2, 1)
        box.moveTopLeft(shown.topLeft().toPoint() + QPoint(3, 3))
        painter.fillRect(box, QColor(255, 255, 255, 220))
        painter.setPen(PENDING_COLOUR.darker(130))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)
    painter.restore()
