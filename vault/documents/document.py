"""Reading an item for the viewer: a PDF opened with PyMuPDF from memory, or a photo decoded
upright, both from the original decrypted into memory only.

Nothing is written anywhere: no temporary file, no cache on disk. The stored bytes are only
read, never changed (EXIF orientation is applied to the decoded pixels, not to the original).
Viewing is not a custody event. Every use of PyMuPDF holds
:data:`vault.documents.thumbnails.pdf_lock` (PyMuPDF must not be used from two threads at
once), so a :class:`Document` can be used from any thread, one call at a time per thread.

Coordinates are PDF points in the page *as displayed*: its /Rotate applied, the origin at the
top-left corner of the shown (crop) box, y downwards; the page's size in that space is
:meth:`Document.page_size`. A pixel of a page rendered at ``zoom`` is ``zoom`` points wide.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vault.documents.mupdf_quiet import mupdf
from vault.documents.thumbnails import (
    MAX_DECODE_PIXELS,
    decode_image,
    header_dimensions,
    original_item,
    pdf_bytes,
    pdf_lock,
    upright,
)
from vault.errors import VaultError
from vault.store.vault import Vault

PDF = "application/pdf"
MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
MAX_RENDER_PIXELS = 40_000_000  # one rendered page: 120 MB at 3 bytes a pixel
MAX_SEARCH = 200  # hits kept on one page

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, as displayed


class PasswordRequired(VaultError):
    """The PDF is protected by a password: open it again with one."""


class WrongPassword(PasswordRequired):
    """The password given does not open the PDF."""


@dataclass(frozen=True)
class Word:
    """One word of a page's text, in reading order: its box and where it sits."""

    rect: Rect
    text: str
    block: int
    line: int


class Document:
    """An opened PDF, read-only, held in memory until :meth:`close`."""

    def __init__(self, doc: Any, data: bytes, protected: bool) -> None:
        self._doc: Any = doc
        self._data: bytes | None = data  # PyMuPDF reads from it while the document is open
        self.protected = protected  # opened with a password
        self.page_count = int(doc.page_count)
        self._sizes: list[tuple[float, float]] = []
        for i in range(self.page_count):
            r = doc.load_page(i).rect
            w, h = float(r.width), float(r.height)
            ok = math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0
            self._sizes.append((w, h) if ok else (612.0, 792.0))
        self._closed = threading.Event()

    # -------------------------------------------------------------------- pages
    def page_size(self, page: int) -> tuple[float, float]:
        """(width, height) in points, as displayed."""
        return self._sizes[page]

    @property
    def page_sizes(self) -> list[tuple[float, float]]:
        return list(self._sizes)

    def render(self, page: int, zoom: float) -> tuple[int, int, int, bytes]:
        """The page drawn at ``zoom`` pixels a point: (width, height, stride, RGB bytes)."""
        w, h = self._sizes[page]
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        if w * h * zoom * zoom > MAX_RENDER_PIXELS:
            zoom = math.sqrt(MAX_RENDER_PIXELS / (w * h))
        pymupdf = mupdf()

        with pdf_lock:
            p = self._page(page)
            pix = p.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                               colorspace=pymupdf.csRGB, annots=True)
            return int(pix.width), int(pix.height), int(pix.stride), bytes(pix.samples)

    def words(self, page: int) -> list[Word]:
        """The page's words in reading order, their boxes as displayed."""
        with pdf_lock:
            p = self._page(page)
            m = p.rotation_matrix
            raw = p.get_text("words", sort=False)
            return [Word(_shown(x0, y0, x1, y1, m), str(text), int(block), int(line))
                    for x0, y0, x1, y1, text, block, line, _n in raw]

    def search(self, text: str, cancel: Callable[[], bool] | None = None
               ) -> list[tuple[int, list[Rect]]]:
        """Where ``text`` occurs, case-insensitively: (page, boxes) for each page with a hit,
        in page order. Stops early (returning what it found) once ``cancel()`` is true."""
        needle = " ".join(text.split())
        if not needle:
            return []
        found: list[tuple[int, list[Rect]]] = []
        for i in range(self.page_count):
            if cancel is not None and cancel():
                break
            with pdf_lock:
                p = self._page(i)
                m = p.rotation_matrix
                rects = p.search_for(needle)[:MAX_SEARCH]  # ignores case
                boxes = [_shown(r.x0, r.y0, r.x1, r.y1, m) for r in rects]
            if boxes:
                found.append((i, boxes))
        return found

    def to_unrotated(self, page: int, rect: Rect) -> Rect:
        """A box as displayed, in PyMuPDF's unrotated page space (where annotations are
        stored)."""
        with pdf_lock:
            m = self._page(page).derotation_matrix
            return _shown(*rect, m)

    def from_unrotated(self, page: int, rect: Rect) -> Rect:
        """A box in PyMuPDF's unrotated page space, as displayed."""
        with pdf_lock:
            m = self._page(page).rotation_matrix
            return _shown(*rect, m)

    def outline(self) -> list[tuple[int, str, int | None]]:
        """The document's outline: (level from 1, title, page or None when it points
        nowhere in this document)."""
        with pdf_lock:
            self._check()
            toc = self._doc.get_toc(simple=True)
        out: list[tuple[int, str, int | None]] = []
        for level, title, number, *_ in toc:
            page = int(number) - 1
            out.append((int(level), str(title),
                        page if 0 <= page < self.page_count else None))
        return out

    def close(self) -> None:
        """Close the document and drop its bytes (waits for a render in progress)."""
        with pdf_lock:
            self._closed.set()
            if self._doc is not None:
                self._doc.close()
                self._doc = None
            self._data = None

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def _check(self) -> None:
        if self._doc is None:
            raise VaultError("the document was closed")

    def _page(self, page: int) -> Any:
        self._check()
        if not 0 <= page < self.page_count:
            raise IndexError(page)
        return self._doc.load_page(page)


def _shown(x0: float, y0: float, x1: float, y1: float, m: Any) -> Rect:
    """A box transformed by ``m`` (the rotation matrix: from unrotated page space, text
    extraction's, to as displayed; the derotation matrix: back), normalised."""
    pymupdf = mupdf()

    r = pymupdf.Rect(x0, y0, x1, y1) * m
    r.normalize()
    return (float(r.x0), float(r.y0), float(r.x1), float(r.y1))


def _original(v: Vault, ref: str, kind: str) -> tuple[str, str, Any]:
    """(the item's ref, its type, a reader of its original, decrypted as it is read); a
    VaultError unless the item is present and its type starts with ``kind``."""
    item, key = original_item(v, ref)
    if item.status != "present" or item.oid is None:
        raise VaultError(f"{item.ref} was purged: there is nothing to show")
    if not item.mime.startswith(kind):
        raise VaultError(f"{item.ref} is not a {'PDF' if kind == PDF else 'photo'}")
    if key is None:
        raise VaultError(f"{item.ref} cannot be read: the vault's index is damaged "
                         "(run a health check)")
    return item.ref, item.mime, v.objects.open(item.oid, key)


def open_document(v: Vault, ref: str, password: str | None = None) -> Document:
    """Open the PDF item ``ref`` from its original decrypted into memory. Raises
    :class:`PasswordRequired` when it needs a password (:class:`WrongPassword` for a wrong
    one) and :class:`VaultError` when it is not a PDF, was purged or cannot be read."""
    shown, _mime, reader = _original(v, ref, PDF)
    with reader:
        data = pdf_bytes(reader)
    if data is None:
        raise VaultError(f"{shown} is too large to show")
    pymupdf = mupdf()  # imported lazily: it costs ~0.2 s

    with pdf_lock:
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception:
            raise VaultError(f"{shown} is damaged: it cannot be read as a PDF") from None
        try:
            protected = bool(doc.needs_pass)
            if protected:
                if password is None:
                    raise PasswordRequired(f"{shown} is protected by a password")
                if not doc.authenticate(password):
                    raise WrongPassword(f"wrong password for {shown}")
            if doc.page_count < 1:
                raise VaultError(f"{shown} has no pages: it is damaged or empty")
            return Document(doc, data, protected)
        except BaseException:
            doc.close()
            raise


def open_photo(v: Vault, ref: str) -> tuple[int, int, bytes]:
    """The photo item ``ref`` decoded upright (its EXIF orientation applied to the pixels
    shown; the stored bytes are never changed): (width, height, RGB bytes, 3 a pixel, rows
    unpadded). Raises :class:`VaultError` when it is not a photo, was purged, or cannot be
    decoded safely."""
    from PIL import Image

    shown, mime, reader = _original(v, ref, "image/")
    with reader:
        try:
            decoded = decode_image(reader, mime)
        except VaultError:
            raise
        except Image.DecompressionBombError:
            decoded = None
        except Exception:
            raise VaultError(f"{shown} is damaged: it cannot be shown as a photo") from None
    if decoded is None:  # intact, but too large: never call it damaged
        _shown, _mime, again = _original(v, ref, "image/")  # decoding closed the first one
        with again:
            size = header_dimensions(again.read(1 << 18))
            what = f"{size[0]:,} x {size[1]:,} pixels" if size else "too many pixels"
        raise VaultError(
            f"{shown} is {what}: too large to show safely here (at most "
            f"{MAX_DECODE_PIXELS // 1_000_000} million pixels). The file is intact and "
            "preserved; extract it to look at it with another program")
    im, orientation = decoded
    im = upright(im, orientation)
    if im.mode in ("RGBA", "LA"):  # transparency shown over white
        from PIL import Image

        base = Image.new("RGB", im.size, (255, 255, 255))
        base.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        im = base
    elif im.mode != "RGB":
        im = im.convert("RGB")
    return im.width, im.height, im.tobytes()
