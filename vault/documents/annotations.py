"""Annotations: a layer of marks drawn over a PDF or a photo, never written into its content.

An annotation (highlight, note, rectangle, redaction mark...) belongs to an item and to its
content's SHA-256. It is a row of the ``annotations`` table (docs/vault-format.md, schema
version 4) and every change to it is a custody event on the item, in the same transaction as
the row: ``annotation added``, ``annotation changed`` (before and after), ``annotation
removed``. A removed annotation keeps its row, marked with the time it was removed, so the
index still holds what the log says about it; ``annotations()`` lists only the current ones.
The item's content is only read (decrypted into memory to learn its pages or its size), never
changed: annotated and redacted copies are new items (vault.documents.derive).

Coordinates (docs/derivatives.md):

* PDF: points (1/72 inch) in PyMuPDF's page space: origin at the top-left corner of the
  page's CropBox, x to the right, y downwards, on the page *as stored*, without its /Rotate
  applied (what ``page.get_text("words")`` and ``page.search_for`` return). A point (x, y)
  is PDF user space (cx0 + x, cy1 - y) for the CropBox [cx0 cy0 cx1 cy1].
* Photos: pixels of the full-size picture as a viewer shows it, turned upright by its EXIF
  orientation; origin top-left, y downwards. Photos have one page, 0.
"""

# No ``from __future__ import annotations`` here: it would bind the name of annotations().
import dataclasses
import hashlib
import io
import json
import math
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.documents.mupdf_quiet import mupdf
from vault.documents.thumbnails import (
    HEIF_TYPES,
    IMAGE_FORMATS,
    MAX_DECODE_PIXELS,
    MAX_PDF_BYTES,
    _displayable,
    _orientation,
    pdf_lock,
)
from vault.errors import IntegrityError, NotFound, VaultError
from vault.evidence import heif
from vault.evidence.items import Item, get_item
from vault.search.index import refresh_sources
from vault.store.vault import Vault

PDF_MIME = "application/pdf"
PDF_KINDS = ("highlight", "underline", "strikeout", "note", "rectangle", "ink", "redaction")
PHOTO_KINDS = ("rectangle", "ellipse", "arrow", "label", "redaction")
DEFAULT_COLOUR = "#ffd400"
MAX_TEXT = 20_000  # characters, as a note
MAX_REASON = 200
MAX_RECTS = 2_000  # rectangles of one highlight, underline or strikeout
MAX_POINTS = 100_000  # points of one ink drawing, all strokes together
EPSILON = 0.5  # points or pixels a coordinate may stray outside the page (then clamped)
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

# Which geometry each kind has.
_SHAPES = {
    (True, "highlight"): "rects", (True, "underline"): "rects", (True, "strikeout"): "rects",
    (True, "note"): "rect", (True, "rectangle"): "rect", (True, "redaction"): "rect",
    (True, "ink"): "strokes",
    (False, "rectangle"): "rect", (False, "ellipse"): "rect", (False, "redaction"): "rect",
    (False, "arrow"): "arrow", (False, "label"): "label",
}
_KEYS = {"rect": ("rect",), "rects": ("rects",), "strokes": ("strokes",),
         "arrow": ("from", "to"), "label": ("at",)}


class NotAuthor(VaultError):
    """Only the investigator who made an annotation may change or remove it."""


@dataclass
class Annotation:
    id: str
    ref: str
    sha256: str
    page: int
    kind: str
    geometry: dict[str, Any]
    colour: str
    text: str
    reason: str
    author: str
    created: str
    updated: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ------------------------------------------------------------------------------ the API
def add_annotation(v: Vault, ref: str, kind: str, page: int, geometry: dict[str, Any], *,
                   colour: str = DEFAULT_COLOUR, text: str = "", reason: str = "",
                   password: str | None = None) -> Annotation:
    """Add an annotation to a PDF or a photo; recorded as ``annotation added`` on the item.
    ``password`` opens a password-protected PDF (to learn its pages)."""
    item = _item(v, ref)
    pages = page_sizes(v, item, password=password)
    is_pdf = item.mime == PDF_MIME
    shape = _shape(is_pdf, kind, item)
    width, height = _page(pages, page, item)
    now = iso_utc(v.clock.now())
    ann = Annotation(
        id=str(uuid.uuid4()), ref=item.ref, sha256=item.sha256, page=page, kind=kind,
        geometry=_geometry(shape, kind, geometry, width, height), colour=_colour(colour),
        text=_text(text), reason=_reason(kind, reason), author=v.identity.name,
        created=now, updated=now)
    with v.transaction():
        _insert(v, ann)
        v.record(custody.ANNOTATION_ADDED, item=item.ref, sha256=item.sha256,
                 details=ann.to_dict())
        _search_rows(v, item.ref)
    return ann


def edit_annotation(v: Vault, annotation_id: str, *, geometry: dict[str, Any] | None = None,
                    colour: str | None = None, text: str | None = None,
                    reason: str | None = None, password: str | None = None) -> Annotation:
    """Change an annotation's geometry, colour, text or reason (its kind and page stay);
    recorded as ``annotation changed`` with the annotation before and after. Nothing is
    recorded when nothing changes."""
    before = get_annotation(v, annotation_id)
    _author(v, before)
    item = _item(v, before.ref)
    after = dataclasses.replace(before)
    if geometry is not None:
        is_pdf = item.mime == PDF_MIME
        width, height = _page(page_sizes(v, item, password=password), before.page, item)
        after.geometry = _geometry(_shape(is_pdf, before.kind, item), before.kind, geometry,
                                   width, height)
    if colour is not None:
        after.colour = _colour(colour)
    if text is not None:
        after.text = _text(text)
    if reason is not None:
        after.reason = _reason(before.kind, reason)
    if after == before:
        return before
    after.updated = iso_utc(v.clock.now())
    with v.transaction():
        _current_row(v, annotation_id)  # not removed meanwhile by another thread
        v.con.execute("UPDATE annotations SET geometry=?, colour=?, text=?, reason=?, updated=? "
                      "WHERE id=?", (json.dumps(after.geometry), after.colour, after.text,
                                     after.reason, after.updated, annotation_id))
        v.record(custody.ANNOTATION_CHANGED, item=before.ref, sha256=before.sha256,
                 details={"id": annotation_id, "before": before.to_dict(),
                          "after": after.to_dict()})
        _search_rows(v, before.ref)
    return after


def delete_annotation(v: Vault, annotation_id: str) -> None:
    """Remove an annotation; recorded as ``annotation removed`` (with what it was). Its row
    stays, marked removed."""
    ann = get_annotation(v, annotation_id)
    _author(v, ann)
    with v.transaction():
        _current_row(v, annotation_id)
        v.con.execute("UPDATE annotations SET removed=? WHERE id=?",
                      (iso_utc(v.clock.now()), annotation_id))
        v.record(custody.ANNOTATION_REMOVED, item=ann.ref, sha256=ann.sha256,
                 details=ann.to_dict())
        _search_rows(v, ann.ref)


def annotations(v: Vault, ref: str, *, kinds: Iterable[str] | None = None) -> list[Annotation]:
    """The item's current annotations (not removed), oldest first; only those of ``kinds``
    when given."""
    wanted = None if kinds is None else set(kinds)
    with v.db_lock:
        item = get_item(v, ref)
        rows = v.con.execute(_SELECT + " WHERE a.item_id = (SELECT id FROM items WHERE ref=?) "
                             "AND a.sha256=? AND a.removed IS NULL ORDER BY a.n",
                             (item.ref, item.sha256)).fetchall()
    found = [_annotation(r) for r in rows]
    return found if wanted is None else [a for a in found if a.kind in wanted]


def get_annotation(v: Vault, annotation_id: str) -> Annotation:
    """A current annotation by its id; NotFound if there is none, or it was removed."""
    with v.db_lock:
        return _annotation(_current_row(v, annotation_id))


def kinds_for(mime: str) -> tuple[str, ...]:
    """The kinds of annotation an item of this type takes (none for other types)."""
    if mime == PDF_MIME:
        return PDF_KINDS
    if mime.startswith("image/"):
        return PHOTO_KINDS
    return ()


# ------------------------------------------------------------------------------ rows
_SELECT = ("SELECT a.id, i.ref, a.sha256, a.page, a.kind, a.geometry, a.colour, a.text, "
           "a.reason, a.author, a.created, a.updated FROM annotations a "
           "JOIN items i ON i.id = a.item_id")


def _annotation(row: Sequence[Any]) -> Annotation:
    return Annotation(id=str(row[0]), ref=str(row[1]), sha256=str(row[2]), page=int(row[3]),
                      kind=str(row[4]), geometry=json.loads(row[5]), colour=str(row[6]),
                      text=str(row[7]), reason=str(row[8]), author=str(row[9]),
                      created=str(row[10]), updated=str(row[11]))


def _current_row(v: Vault, annotation_id: str) -> Any:
    if not isinstance(annotation_id, str):
        raise NotFound(f"no annotation {annotation_id!r}")
    row = v.con.execute(_SELECT + " WHERE a.id=? AND a.removed IS NULL",
                        (annotation_id,)).fetchone()
    if row is None:
        raise NotFound(f"no annotation {annotation_id} (it does not exist or was removed)")
    return row


def _insert(v: Vault, ann: Annotation) -> None:
    """Inside a transaction; the item must still be present (not purged meanwhile)."""
    row = v.con.execute("SELECT id, status, sha256 FROM items WHERE ref=?",
                        (ann.ref,)).fetchone()
    if row is None or row[1] != "present" or row[2] != ann.sha256:
        raise VaultError(f"{ann.ref} was purged: it can no longer be annotated")
    v.con.execute(
        "INSERT INTO annotations (id, item_id, sha256, page, kind, geometry, colour, text, "
        "reason, author, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (ann.id, row[0], ann.sha256, ann.page, ann.kind, json.dumps(ann.geometry), ann.colour,
         ann.text, ann.reason, ann.author, ann.created, ann.updated))


def _search_rows(v: Vault, ref: str) -> None:
    """Inside a transaction: the item's annotation texts in the search index, at once."""
    row = v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()
    if row is not None:
        refresh_sources(v, int(row[0]), ("annotation",))


def _author(v: Vault, ann: Annotation) -> None:
    if ann.author != v.identity.name:
        raise NotAuthor(f"this annotation is {ann.author}'s: only its author can change or "
                        "remove it")


# ------------------------------------------------------------------------------ validation
def _item(v: Vault, ref: str) -> Item:
    return present_pdf_or_photo(v, ref, "annotate",
                                "only PDFs and photos take annotations")


def present_pdf_or_photo(v: Vault, ref: str, purpose: str, refusal: str) -> Item:
    """The item ``ref``, which must still hold its content and be a PDF or a photo;
    ``purpose`` and ``refusal`` word the errors for the caller."""
    with v.db_lock:
        item = get_item(v, ref)
    if item.status != "present" or item.oid is None:
        raise VaultError(f"{item.ref} was purged: its content no longer exists to {purpose}")
    if not kinds_for(item.mime):
        raise VaultError(f"{item.ref} is {item.mime}: {refusal}")
    return item


def _shape(is_pdf: bool, kind: str, item: Item) -> str:
    shape = _SHAPES.get((is_pdf, kind)) if isinstance(kind, str) else None
    if shape is None:
        what = "a PDF" if is_pdf else "a photo"
        raise VaultError(f"{kind!r} is not an annotation for {what} ({item.ref}); choose one "
                         f"of {', '.join(kinds_for(item.mime))}")
    return shape


def _page(pages: list[tuple[float, float]], page: int, item: Item) -> tuple[float, float]:
    if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page < len(pages):
        if len(pages) == 1:
            raise VaultError(f"{item.ref} has one page: page must be 0, not {page!r}")
        raise VaultError(f"{item.ref} has {len(pages)} pages: page must be from 0 to "
                         f"{len(pages) - 1}, not {page!r}")
    return pages[page]


def _colour(colour: str) -> str:
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
        raise VaultError(f"a colour is written #rrggbb, not {colour!r}")
    return colour.lower()


def _text(text: str) -> str:
    if not isinstance(text, str):
        raise VaultError("an annotation's text must be a string")
    if len(text) > MAX_TEXT:
        raise VaultError(f"an annotation's text is at most {MAX_TEXT:,} characters")
    return text


def _reason(kind: str, reason: str) -> str:
    if not isinstance(reason, str):
        raise VaultError("a redaction reason must be a string")
    reason = reason.strip()
    if reason and kind != "redaction":
        raise VaultError("only a redaction has a reason")
    if len(reason) > MAX_REASON or "\n" in reason or "\r" in reason:
        raise VaultError(f"a redaction reason is one line of at most {MAX_REASON} characters")
    return reason


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value):
        raise VaultError(f"{what}: {value!r} is not a number")
    return float(value)


def _tidy(x: float) -> int | float:
    """Rounded to a thousandth; whole numbers as integers (one JSON form for each value)."""
    x = round(x, 3) + 0.0  # no -0.0
    return int(x) if x.is_integer() else x


def _coordinate(value: Any, limit: float, what: str) -> int | float:
    x = _number(value, what)
    if not -EPSILON <= x <= limit + EPSILON:
        raise VaultError(f"{what}: {x:g} is outside the page (0 to {limit:g})")
    return _tidy(min(max(x, 0.0), limit))


def _point(p: Any, width: float, height: float, what: str) -> list[int | float]:
    if not isinstance(p, list | tuple) or len(p) != 2:
        raise VaultError(f"{what} must be a point [x, y]")
    return [_coordinate(p[0], width, f"{what} x"), _coordinate(p[1], height, f"{what} y")]


def _rect(r: Any, width: float, height: float, what: str) -> list[int | float]:
    if not isinstance(r, list | tuple) or len(r) != 4:
        raise VaultError(f"{what} must be a rectangle [x0, y0, x1, y1]")
    x0, x1 = sorted((_coordinate(r[0], width, f"{what} x0"),
                     _coordinate(r[2], width, f"{what} x1")))
    y0, y1 = sorted((_coordinate(r[1], height, f"{what} y0"),
                     _coordinate(r[3], height, f"{what} y1")))
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        raise VaultError(f"{what} has no area")
    return [x0, y0, x1, y1]


def _geometry(shape: str, kind: str, geometry: Any, width: float,
              height: float) -> dict[str, Any]:
    """The geometry checked against its kind and the page, normalised (rectangles as
    x0 < x1, y0 < y1; numbers rounded to a thousandth)."""
    keys = _KEYS[shape]
    if not isinstance(geometry, dict) or set(geometry) != set(keys):
        raise VaultError(f"a {kind} annotation's geometry is {{{', '.join(map(repr, keys))}}}")
    if shape == "rect":
        return {"rect": _rect(geometry["rect"], width, height, "rect")}
    if shape == "rects":
        rects = geometry["rects"]
        if not isinstance(rects, list | tuple) or not 1 <= len(rects) <= MAX_RECTS:
            raise VaultError(f"rects must be a list of 1 to {MAX_RECTS} rectangles")
        return {"rects": [_rect(r, width, height, f"rects[{i}]") for i, r in enumerate(rects)]}
    if shape == "strokes":
        strokes = geometry["strokes"]
        if not isinstance(strokes, list | tuple) or not strokes or \
                any(not isinstance(s, list | tuple) or not s for s in strokes):
            raise VaultError("strokes must be a list of strokes, each a list of points [x, y]")
        if sum(len(s) for s in strokes) > MAX_POINTS:
            raise VaultError(f"an ink drawing has at most {MAX_POINTS:,} points")
        return {"strokes": [[_point(p, width, height, f"strokes[{i}][{j}]")
                             for j, p in enumerate(s)] for i, s in enumerate(strokes)]}
    if shape == "arrow":
        start = _point(geometry["from"], width, height, "from")
        end = _point(geometry["to"], width, height, "to")
        if start == end:
            raise VaultError("an arrow's ends must differ")
        return {"from": start, "to": end}
    return {"at": _point(geometry["at"], width, height, "at")}


# ------------------------------------------------------------------------------ the content
_LAYOUTS: OrderedDict[str, list[tuple[float, float]]] = OrderedDict()
_LAYOUTS_LOCK = threading.Lock()


def page_sizes(v: Vault, item: Item, *, password: str | None = None
               ) -> list[tuple[float, float]]:
    """(width, height) of each page in annotation coordinates: a PDF's pages in points (the
    CropBox, /Rotate not applied), or a photo's one page in pixels (upright). Remembered for
    the content's SHA-256 for as long as the program runs."""
    with _LAYOUTS_LOCK:
        known = _LAYOUTS.get(item.sha256)
        if known is not None:
            _LAYOUTS.move_to_end(item.sha256)
            return known
    if item.mime == PDF_MIME:
        data = read_content(v, item)
        with pdf_lock, open_pdf(data, item, password) as doc:
            sizes = [(float(p.cropbox.width), float(p.cropbox.height)) for p in doc]
    else:
        sizes = [photo_size(read_content(v, item), item)]
    if not sizes:
        raise VaultError(f"{item.ref} has no pages")
    with _LAYOUTS_LOCK:
        _LAYOUTS[item.sha256] = sizes
        while len(_LAYOUTS) > 256:
            _LAYOUTS.popitem(last=False)
    return sizes


def read_content(v: Vault, item: Item) -> bytes:
    """The item's content decrypted into memory (never a file), its SHA-256 verified."""
    if item.status != "present" or item.oid is None:
        raise VaultError(f"{item.ref} was purged: its content no longer exists")
    if item.mime == PDF_MIME and item.size > MAX_PDF_BYTES:
        raise VaultError(f"{item.ref} is larger than {MAX_PDF_BYTES >> 20} MiB: too large to "
                         "open in memory")
    with v.db_lock:
        key = v.object_key(item.oid)
    h = hashlib.sha256()
    parts = []
    with v.objects.open(item.oid, key) as reader:
        for chunk in reader.iter_chunks():
            h.update(chunk)
            parts.append(chunk)
    if h.hexdigest() != item.sha256:
        raise IntegrityError(f"{item.ref}: stored content does not match its SHA-256; run "
                             "check")
    return b"".join(parts)


def open_pdf(data: bytes, item: Item, password: str | None) -> Any:
    """A PyMuPDF document of ``data``, unlocked with ``password`` when it needs one. The
    caller holds the PyMuPDF lock and closes it."""
    pymupdf = mupdf()  # imported lazily: it costs ~0.2 s

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:
        raise VaultError(f"{item.ref} is not a readable PDF ({e})") from e
    if doc.needs_pass:
        if password is None:
            doc.close()
            raise VaultError(f"{item.ref} is a password-protected PDF: give its password")
        if not doc.authenticate(password):
            doc.close()
            raise VaultError(f"the password does not open {item.ref}")
    if doc.page_count < 1:
        doc.close()
        raise VaultError(f"{item.ref} has no pages")
    return doc


def _image_formats() -> list[str]:
    from PIL import Image

    Image.init()
    return [f for f in IMAGE_FORMATS if f in Image.OPEN]


def photo_size(data: bytes, item: Item) -> tuple[float, float]:
    """The photo's (width, height) in pixels as a viewer shows it (EXIF orientation
    applied), checked to be small enough to decode."""
    from PIL import Image

    if item.mime in HEIF_TYPES:
        heif.register()
    try:
        with Image.open(io.BytesIO(data), formats=_image_formats()) as im:
            _check_pixels(im, item)
            width, height = im.size
            im.draft(None, (1, 1))  # a JPEG decodes at 1/8 scale: only its EXIF is wanted
            im.load()
            turned = _orientation(im) in (5, 6, 7, 8)
    except VaultError:
        raise
    except Exception as e:
        raise VaultError(f"{item.ref} is not a picture that can be read ({e})") from e
    return (float(height), float(width)) if turned else (float(width), float(height))


def _check_pixels(im: Any, item: Item) -> None:
    if min(im.size) < 1 or im.width * im.height > MAX_DECODE_PIXELS:
        raise VaultError(f"{item.ref} is {im.width}x{im.height} pixels: too large to open "
                         f"safely (at most {MAX_DECODE_PIXELS // 1_000_000} million)")


def decode_upright(data: bytes, item: Item) -> Any:
    """The photo decoded in memory, turned upright (its orientation applied to the pixels),
    as RGB, RGBA, L or LA, with no metadata attached."""
    from PIL import Image

    if item.mime in HEIF_TYPES:
        heif.register()
    try:
        with Image.open(io.BytesIO(data), formats=_image_formats()) as im:
            _check_pixels(im, item)
            im.load()
            orientation = _orientation(im)
            out = _displayable(im)
            if out is im:
                out = im.copy()
    except VaultError:
        raise
    except Exception as e:
        raise VaultError(f"{item.ref} is not a picture that can be read ({e})") from e
    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation)
    if method is not None:
        out = out.transpose(method)
    out.info = {}
    return out


# ------------------------------------------------------------------------------ finding text
def fold(text: str) -> str:
    """Text as searched: case folded (Unicode), whitespace runs as one space."""
    return " ".join(text.casefold().split())


def _flags() -> int:
    pymupdf = mupdf()

    return int(pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_ACCURATE_BBOXES)


def searchable(page: Any) -> str:
    """A PDF page's text as searched (:func:`fold`): the same text as :func:`page_text`'s,
    made faster, to skip pages that do not hold a text at all."""
    return fold(page.get_text("text", flags=_flags()))


def page_text(page: Any) -> "PageText":
    """A PDF page's text as searched, with, for each character of it, the index of the page
    character it comes from (-1 for a space put between words or lines), and the page
    characters' (bbox, line number). Everything MuPDF extracts counts, invisible text too."""
    folded: list[str] = []
    owner: list[int] = []
    chars: list[tuple[tuple[float, ...], int]] = []
    line_no = 0
    last_space = True
    for block in page.get_text("rawdict", flags=_flags())["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            line_no += 1
            for span in line["spans"]:
                for ch in span["chars"]:
                    c = ch["c"]
                    if not c or c.isspace():
                        if not last_space:
                            folded.append(" ")
                            owner.append(-1)
                            last_space = True
                        continue
                    chars.append((ch["bbox"], line_no))
                    index = len(chars) - 1
                    for f in c.casefold():
                        folded.append(" " if f.isspace() else f)
                        owner.append(index)
                    last_space = False
            if not last_space:
                folded.append(" ")
                owner.append(-1)
                last_space = True
    return "".join(folded), owner, chars


def chars_under(page: Any, rects: Sequence[Sequence[float]]) -> list[str]:
    """The characters of a PDF page whose box's centre lies in one of the rectangles."""
    if not rects:
        return []
    clip = (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects),
            max(r[3] for r in rects))
    found = []
    for block in page.get_text("rawdict", flags=_flags(), clip=clip)["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            for span in line["spans"]:
                for ch in span["chars"]:
                    c = ch["c"]
                    if not c or c.isspace():
                        continue
                    a, b, cc, d = ch["bbox"]
                    x, y = (a + cc) / 2, (b + d) / 2
                    if any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in rects):
                        found.append(c)
    return found


PageText = tuple[str, list[int], list[tuple[tuple[float, ...], int]]]


def find_text(page: Any, needle: str, *, extracted: PageText | None = None
              ) -> list[tuple[float, float, float, float]]:
    """Every occurrence of ``needle`` on a PDF page, case-insensitive (Unicode case folding,
    any whitespace matching any whitespace): one rectangle per line an occurrence covers, in
    annotation coordinates. ``extracted``: the page's :func:`page_text`, when already made."""
    target = fold(needle)
    if not target:
        return []
    text, owner, chars = extracted or page_text(page)
    found: list[tuple[float, float, float, float]] = []
    start = text.find(target)
    while start >= 0:
        lines: dict[int, list[float]] = {}
        for k in range(start, start + len(target)):
            i = owner[k]
            if i < 0:
                continue
            (x0, y0, x1, y1), line = chars[i]
            box = lines.setdefault(line, [x0, y0, x1, y1])
            box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        for box in lines.values():
            rect = (box[0], box[1], box[2], box[3])
            if rect not in found and rect[2] > rect[0] and rect[3] > rect[1]:
                found.append(rect)
        start = text.find(target, start + 1)
    return found


def clamp_rect(rect: Sequence[float], width: float, height: float) -> list[int | float] | None:
    """A rectangle cut to the page, in annotation form; None when nothing of it is on it."""
    x0, y0 = max(0.0, min(rect[0], rect[2])), max(0.0, min(rect[1], rect[3]))
    x1, y1 = min(width, max(rect[0], rect[2])), min(height, max(rect[1], rect[3]))
    box = [_tidy(x0), _tidy(y0), _tidy(x1), _tidy(y1)]
    return box if box[2] > box[0] and box[3] > box[1] else None


def add_found(v: Vault, item: Item, marks: list[tuple[int, list[int | float]]],
              reason: str) -> list[Annotation]:
    """Inside a transaction: record redaction annotations for ``(page, rect)`` marks already
    checked against the page, skipping those the item already has."""
    have = {(a.page, tuple(a.geometry["rect"])) for a in
            [_annotation(r) for r in v.con.execute(
                _SELECT + " WHERE i.ref=? AND a.kind='redaction' AND a.removed IS NULL",
                (item.ref,))]}
    now = iso_utc(v.clock.now())
    added = []
    for page, rect in marks:
        if (page, tuple(rect)) in have:
            continue
        have.add((page, tuple(rect)))
        ann = Annotation(id=str(uuid.uuid4()), ref=item.ref, sha256=item.sha256, page=page,
                         kind="redaction", geometry={"rect": rect}, colour="#000000", text="",
                         reason=reason, author=v.identity.name, created=now, updated=now)
        _insert(v, ann)
        v.record(custody.ANNOTATION_ADDED, item=item.ref, sha256=item.sha256,
                 details=ann.to_dict())
        added.append(ann)
    if added:
        _search_rows(v, item.ref)
    return added


def check_reason(reason: str) -> str:
    return _reason("redaction", reason)
