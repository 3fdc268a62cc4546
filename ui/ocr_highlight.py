"""Highlighting a search hit found in text read by OCR (a scanned PDF page, a photo of a
document): the boxes Tesseract gave the query's words (``ocr_pages.words``, see
:func:`vault.search.ocr.ocr_words`) drawn over the page or photo like the viewer's find hits, the
first one scrolled into view.

The words are read on the viewer's own pool and kept only as the rectangles shown; nothing is
written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QRectF

from ui.pdf_view import CURRENT_COLOUR, FIND_COLOUR
from ui.worker import Job, start
from vault.search.ocr import Rect, ocr_matches, ocr_words

if TYPE_CHECKING:
    from ui.viewer import ViewerWindow


def ocr_boxes(words: Sequence[tuple[float, float, float, float, str]],
              terms: Sequence[str]) -> list[Rect]:
    """The boxes of ``terms`` among ``words``; when no whole word matches, the words
    beginning with a term (the query may have been a prefix such as ``polic*``)."""
    return ocr_matches(words, terms) or ocr_matches(
        words, [t if t.endswith("*") else t + "*" for t in terms])


def show_ocr_hit(viewer: ViewerWindow, page: int, terms: Sequence[str], text: str = ""
                 ) -> Job | None:
    """Highlight ``terms`` in the OCR text of ``page`` (from 0) of the viewer's item, once the
    item is on screen; ``text`` is put in the find bar (a PDF). Returns the job reading the
    words (None when the viewer has no vault any more)."""
    v = viewer.vault
    if v is None:
        return None
    ref, doc = viewer.ref, viewer.document
    if viewer.pdf is not None:
        viewer.go_to_page(page)

    def work(cancel: Callable[[], bool]) -> Any:
        if cancel():
            return None
        rects = ocr_boxes(ocr_words(v, ref, page + 1), terms)
        if doc is not None:  # stored in the unrotated page: shown as displayed
            rects = [doc.from_unrotated(page, r) for r in rects]
        return rects

    job = Job(work)
    viewer.jobs.add(job)

    def done(rects: Any) -> None:
        viewer.jobs.discard(job)
        if rects is None or not shiboken6.isValid(viewer) or viewer.vault is None:
            return
        shown = [QRectF(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in rects]
        if viewer.pdf is not None:
            viewer.show_hits([(page, r) for r in shown], text)
        elif shown:
            viewer.photo.set_overlay("find", shown, FIND_COLOUR)
            viewer.photo.set_overlay("find-current", shown[:1], CURRENT_COLOUR)
            viewer.photo.ensureVisible(shown[0])

    def failed(_message: str, _bug: bool) -> None:  # no words to show: the page stays shown
        if shiboken6.isValid(viewer):
            viewer.jobs.discard(job)

    job.finished.connect(done)
    job.failed.connect(failed)
    start(job, viewer.pool)
    return job
