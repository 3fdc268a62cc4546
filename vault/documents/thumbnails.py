"""Thumbnails of photos and PDFs, kept only inside the vault, encrypted.

The first request for an item's thumbnail at a size decrypts the original into memory, draws
a PNG whose longest side is at most that size (photos turned upright by their EXIF
orientation; a PDF's first page), and stores it as an object of the vault: an encrypted file
in ``objects/`` whose key is in the ``objects`` table, named by a row of ``thumbnails``
(docs/vault-format.md, schema version 3). Later requests read it back from there. Nothing is
written in clear: no cache file, no temporary file, no decoded original.

Making a thumbnail is not a custody event: the original is only read, never changed, and a
thumbnail is a display copy, not evidence. Content that cannot be drawn (other types, damaged
files, password-protected PDFs, images too large to decode safely) gives ``None``, never an
error. Safe to call from a worker thread while another thread uses the vault: every database
access holds :attr:`Vault.db_lock`; decoding and drawing run outside it.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from vault.documents.mupdf_quiet import mupdf
from vault.errors import EnvironmentProblem, IntegrityError, NotFound, VaultError, VaultUnusable
from vault.evidence import heif
from vault.store.objects import Content
from vault.store.vault import Vault

DEFAULT_SIZE = 256
MIN_SIZE, MAX_SIZE = 16, 1024
MIME = "image/png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixels actually decoded (after a JPEG's reduced-size decoding): beyond this an image gets no
# thumbnail. 64 MP is a 48 MP phone photo with room to spare, about 256 MB at 4 bytes a pixel.
# Pillow's own limit (MAX_IMAGE_PIXELS, left as it is) refuses larger claims when opening.
MAX_DECODE_PIXELS = 64_000_000
MAX_PDF_BYTES = 512 << 20
# Only decoders that work in memory: never Pillow's EPS (it runs Ghostscript on a temporary
# file) or the other exotic plugins.
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "HEIF", "AVIF")
HEIF_TYPES = ("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence")

_pdf_lock = threading.Lock()  # PyMuPDF must not be used from two threads at once
pdf_lock = _pdf_lock  # the same lock, for the other modules using PyMuPDF (documents.document)


@dataclass(frozen=True)
class _Item:
    id: int
    ref: str
    status: str
    oid: str | None
    mime: str


@dataclass(frozen=True)
class _Drawn:
    png: bytes
    width: int
    height: int


def thumbnail(v: Vault, ref: str, size: int = DEFAULT_SIZE) -> bytes | None:
    """PNG bytes of the item's thumbnail, its longest side at most ``size`` pixels, or None when
    the item has none (purged, not a photo or PDF, or unreadable). Made and stored in the vault
    on the first call, read back from it after. Raises :class:`NotFound` for an unknown ref."""
    _check_size(size)
    with v.db_lock:
        item = _item(v, ref)
        row = _open(v).execute("SELECT oid FROM thumbnails WHERE item_id=? AND size=?",
                               (item.id, size)).fetchone()
        stored = None if row is None else str(row[0])
        stored_key = None if stored is None else _key(v, stored)
        original = _key(v, item.oid) if item.status == "present" and item.oid else None
    if item.oid is None or original is None:
        return None
    if stored is not None:
        try:
            if stored_key is None:
                raise IntegrityError(f"object {stored} has no key in the index")
            return read_thumbnail_object(v, stored, stored_key)
        except VaultError:
            # Altered or lost: `check` reports it. Draw it afresh for the screen, and leave the
            # stored one as it is until forget_thumbnails() removes it.
            drawn = _draw_original(v, item, original, size)
            return None if drawn is None else drawn.png
    drawn = _draw_original(v, item, original, size)
    if drawn is None:
        return None
    return drawn.png if _store(v, item, size, drawn) else None


def thumbnails_for(v: Vault, refs: Iterable[str], size: int = DEFAULT_SIZE,
                   cancel: Callable[[], bool] | None = None
                   ) -> Iterator[tuple[str, bytes | None]]:
    """``(ref, PNG bytes or None)`` for each ref in turn, for a worker filling a grid; stops
    before the next ref once ``cancel()`` is true."""
    _check_size(size)
    for ref in refs:
        if cancel is not None and cancel():
            return
        yield ref, thumbnail(v, ref, size)


def forget_thumbnails(v: Vault, ref: str | None = None) -> int:
    """Remove the stored thumbnails of one item (or of every item): they are made again when
    next asked for. Returns how many were removed. Not a custody event."""
    with v.db_lock:
        item_id = None if ref is None else _item(v, ref).id
        _open(v)
        with v.transaction():
            oids = delete_thumbnail_rows(v, item_id)
    _remove_files(v, oids)
    return len(oids)


def delete_thumbnail_rows(v: Vault, item_id: int | None) -> list[str]:
    """Inside a transaction: delete the thumbnails of the item ``item_id`` (None: of every
    item) and their objects' rows and keys. The caller removes the files after the commit."""
    where, args = ("", ()) if item_id is None else (" WHERE item_id=?", (item_id,))
    oids = [str(r[0]) for r in v.con.execute("SELECT oid FROM thumbnails" + where, args)]
    v.con.execute("DELETE FROM thumbnails" + where, args)
    for oid in oids:
        v.con.execute("DELETE FROM objects WHERE oid=?", (oid,))
    return oids


def read_thumbnail_object(v: Vault, oid: str, key: bytes) -> bytes:
    """A stored thumbnail's bytes, every chunk authenticated; IntegrityError if it is not a
    PNG or fails to decrypt."""
    with v.objects.open(oid, key) as reader:
        data = b"".join(reader.iter_chunks())
    if not data.startswith(PNG_SIGNATURE):
        raise IntegrityError(f"object {oid} is not a PNG thumbnail")
    return data


# ------------------------------------------------------------------------------ the index
def _check_size(size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"a thumbnail size is a whole number of pixels from {MIN_SIZE} to "
                         f"{MAX_SIZE}, not {size!r}")


def _open(v: Vault) -> Any:
    if v.con is None:
        raise VaultUnusable("the vault was closed")
    return v.con


def _key(v: Vault, oid: str) -> bytes | None:
    try:
        return v.object_key(oid)
    except IntegrityError:  # a damaged index: `check` says so
        return None


def original_item(v: Vault, ref: str) -> tuple[_Item, bytes | None]:
    """The item and its original's key (None when purged or its key is unreadable), read
    under :attr:`Vault.db_lock`. Raises :class:`NotFound` for an unknown ref."""
    with v.db_lock:
        item = _item(v, ref)
        key = _key(v, item.oid) if item.status == "present" and item.oid else None
    return item, key


def _item(v: Vault, ref: str) -> _Item:
    row = _open(v).execute("SELECT id, ref, status, oid, mime FROM items WHERE ref=?",
                           (ref.strip().upper(),)).fetchone()
    if row is None:
        raise NotFound(f"no item {ref} in this vault")
    return _Item(int(row[0]), str(row[1]), str(row[2]), row[3], str(row[4]))


def _store(v: Vault, item: _Item, size: int, drawn: _Drawn) -> bool:
    """Write the thumbnail as an object, then record it (write ordering as for contents: the
    file is durable before the row naming it commits). A disk that refuses leaves nothing
    and the thumbnail is simply not kept. False if the item was purged meanwhile."""
    try:
        writer = v.objects.writer()
    except EnvironmentProblem:
        return True
    kept, present = False, True
    try:
        view, step = memoryview(drawn.png), writer.chunk_size
        count = max(1, -(-len(view) // step))
        for i in range(count):
            writer.write_chunk(view[i * step:(i + 1) * step], final=i == count - 1)
        writer.commit()
        v.objects.sync()
        with v.db_lock:
            _open(v)
            with v.transaction():
                # The item may have been purged, or the same thumbnail stored by another
                # thread, while this one was drawing.
                now = v.con.execute("SELECT status, oid FROM items WHERE id=?",
                                    (item.id,)).fetchone()
                taken = v.con.execute("SELECT 1 FROM thumbnails WHERE item_id=? AND size=?",
                                      (item.id, size)).fetchone()
                present = now is not None and (now[0], now[1]) == ("present", item.oid)
                if present and not taken:
                    v.con.execute("INSERT INTO objects (oid, key, chunk_size, size) "
                                  "VALUES (?,?,?,?)",
                                  (writer.oid, writer.key, writer.chunk_size, len(drawn.png)))
                    v.con.execute("INSERT INTO thumbnails (item_id, size, oid, mime, width, "
                                  "height) VALUES (?,?,?,?,?,?)",
                                  (item.id, size, writer.oid, MIME, drawn.width, drawn.height))
                    kept = True
    except EnvironmentProblem:
        pass
    finally:
        if not kept:
            writer.abort()
    return present


def _remove_files(v: Vault, oids: list[str]) -> None:
    for oid in oids:
        v.objects.remove(oid)
    if oids:
        v.objects.sync()


# ------------------------------------------------------------------------------ drawing
def drawable(mime: str) -> bool:
    """Whether items of this type get a thumbnail (photos, and PDFs' first pages)."""
    return mime == "application/pdf" or mime.startswith("image/")


def _draw_original(v: Vault, item: _Item, key: bytes, size: int) -> _Drawn | None:
    """Decrypt the original into memory and have a parser worker draw it (vault/
    parser_pool.py: the decoders never run beside the keys); None whatever goes wrong."""
    from vault.parsers.pool import ParseFailed

    assert item.oid is not None
    if not drawable(item.mime):
        return None  # nothing to draw: do not even decrypt it
    try:
        with v.objects.open(item.oid, key) as reader:
            if reader.size > MAX_PDF_BYTES:
                return None
            data = b"".join(reader.iter_chunks())
        found, png = v.parsers.run("thumbnail", data, mime=item.mime, size=size)
    except (ParseFailed, VaultError, OSError):
        return None
    if not isinstance(found, dict) or not png.startswith(PNG_SIGNATURE):
        return None
    return _Drawn(png, int(found["width"]), int(found["height"]))


def draw(reader: Content, mime: str, size: int) -> _Drawn | None:
    """A thumbnail of a PDF's first page or of a photo, read from ``reader`` (in a parser
    worker: vault/parsers/jobs.py); None whatever goes wrong with it."""
    try:
        if mime == "application/pdf":
            return _draw_pdf(reader, size)
        if mime.startswith("image/"):
            return _draw_image(reader, mime, size)
    except Exception:  # hostile or damaged content
        return None
    return None


def decode_image(reader: Content, mime: str, size: int | None = None
                 ) -> tuple[Any, int] | None:
    """Decode a photo in memory only, with decoders that work in memory, refusing what is too
    large to decode safely (None). ``size``: a JPEG may be decoded at a reduced scale still at
    least that large. Returns the image in a mode PNG can hold, and its EXIF orientation."""
    from PIL import Image

    if mime in HEIF_TYPES:
        heif.register()
    Image.init()
    formats = [f for f in IMAGE_FORMATS if f in Image.OPEN]
    # Opening reads the header only; Pillow refuses absurd dimensions here
    # (DecompressionBombError), before anything is decoded.
    with Image.open(io.BufferedReader(reader, 1 << 20), formats=formats) as im:
        if size is not None:
            im.draft(None, (size, size))  # JPEG: decode at 1/2, 1/4 or 1/8 scale, >= size
        if im.width * im.height > MAX_DECODE_PIXELS or min(im.size) < 1:
            return None
        im.load()
        orientation = _orientation(im)  # after load: a PNG's EXIF may follow its pixels
        return _displayable(im), orientation


def header_dimensions(head: bytes) -> tuple[int, int] | None:
    """A picture's width and height read from its header alone (PNG, GIF, BMP, JPEG), so a
    picture too large to decode can still be described; None when they cannot be read."""
    import struct

    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        w, h = struct.unpack(">II", head[16:24])
        return int(w), int(h)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        w, h = struct.unpack("<HH", head[6:10])
        return int(w), int(h)
    if head.startswith(b"BM") and len(head) >= 26:
        w, h = struct.unpack("<ii", head[18:26])
        return abs(int(w)), abs(int(h))
    if head.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                return None
            marker = head[i + 1]
            length = struct.unpack(">H", head[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", head[i + 5:i + 9])
                return int(w), int(h)
            i += 2 + length
    return None


def upright(im: Any, orientation: int) -> Any:
    """The image as a viewer shows it: turned by its EXIF orientation (the table of
    ImageOps.exif_transpose). A new image unless the orientation is 1."""
    from PIL import Image

    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation)
    return im if method is None else im.transpose(method)


def _draw_image(reader: Content, mime: str, size: int) -> _Drawn | None:
    from PIL import Image

    decoded = decode_image(reader, mime, size)
    if decoded is None:
        return None
    small, orientation = decoded
    small.thumbnail((size, size), Image.Resampling.LANCZOS)
    # Upright on the small image: cheaper, and the same result since the bound is square.
    small = upright(small, orientation)
    small.info = {}  # no EXIF, ICC profile or text carried into the thumbnail
    out = io.BytesIO()
    small.save(out, "PNG", compress_level=6)
    return _Drawn(out.getvalue(), small.width, small.height)


def _orientation(im: Any) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))  # Pillow also reads tiff:Orientation in XMP
    except Exception:
        return 1


def _displayable(im: Any) -> Any:
    """An image PNG can hold as shown: RGB(A) or greyscale(+alpha), 8 bits."""
    if "transparency" in im.info and im.mode in ("P", "L", "RGB"):
        return im.convert("RGBA")
    if im.mode in ("RGB", "RGBA", "L", "LA"):
        return im
    if im.mode in ("1", "P"):
        return im.convert("RGB" if im.mode == "P" else "L")
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        return im.convert("I").point(lambda p: p * (1 / 256)).convert("L")
    if im.mode in ("PA", "La", "RGBa"):
        return im.convert("RGBA")
    return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV...


def pdf_bytes(reader: Content) -> bytes | None:
    """A PDF original's bytes, in memory; None when it is larger than PyMuPDF is given."""
    if reader.size > MAX_PDF_BYTES:
        return None
    return b"".join(reader.iter_chunks())


def _draw_pdf(reader: Content, size: int) -> _Drawn | None:
    data = pdf_bytes(reader)
    if data is None:
        return None
    pymupdf = mupdf()  # imported lazily: it costs ~0.2 s

    with _pdf_lock, pymupdf.open(stream=data, filetype="pdf") as doc:
        if doc.needs_pass and not doc.authenticate(""):
            return None
        if doc.page_count < 1:
            return None
        page = doc.load_page(0)
        longest = max(page.rect.width, page.rect.height)  # as displayed: /Rotate applied
        if not (math.isfinite(longest) and longest > 0):
            return None
        # Drawn at the scale that makes the page fit: never larger than the thumbnail.
        zoom = size / longest
        for _ in range(3):  # rounding to whole pixels can add one
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            if pix.width <= size and pix.height <= size:
                if min(pix.width, pix.height) < 1:
                    return None
                return _Drawn(pix.tobytes("png"), pix.width, pix.height)
            zoom *= (size - 0.5) / max(pix.width, pix.height)
    return None
