"""Derivatives: annotated and redacted copies, stored as new items; the original is only read.

``annotated_copy`` writes an item's annotations into a copy (standard PDF annotations, or
shapes drawn on a photo). ``redacted_copy`` removes what its redaction marks cover (and every
occurrence of given words) and strips everything a reader cannot see. Both decrypt the
original into memory only (never a temporary file), store the result as a new object like an
import, and record ``derived`` on the new item (which fixes its SHA-256, as ``imported`` does)
and ``derivative made`` on the original, in one transaction. What each copy holds and strips:
docs/derivatives.md.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault import PROGRAM
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.documents.annotations import (
    PDF_MIME,
    Annotation,
    add_found,
    chars_under,
    check_reason,
    clamp_rect,
    decode_upright,
    find_text,
    fold,
    open_pdf,
    page_text,
    present_pdf_or_photo,
    read_content,
    searchable,
)
from vault.documents.annotations import annotations as annotations_of
from vault.documents.mupdf_quiet import mupdf
from vault.documents.thumbnails import pdf_lock
from vault.errors import VaultError
from vault.evidence.importer import (
    IMPORTED,
    ImportResult,
    Stored,
    _MetadataReader,
    record_batch,
    store_chunks,
)
from vault.evidence.items import Item, get_item
from vault.evidence.mime import sniff
from vault.store.objects import CHUNK_SIZE
from vault.store.vault import Vault

ANNOTATED = "annotated copy"
REDACTED = "redacted copy"
LOSSY = ("image/jpeg", "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence",
         "image/avif")
PICTURE_DPI = 200  # pages of a PDF with layers become pictures at this resolution
MAX_WORDS = 1_000  # characters of one text to find
RAW_SCAN_MIN = 4  # searched words this long are also looked for in every object and stream
# What is kept of the catalog, the page tree's nodes and the pages of a redacted PDF.
CATALOG_KEEP = {"Type", "Pages", "Version", "Lang", "PageLayout"}
NODE_KEEP = {"Type", "Kids", "Count", "Parent", "Resources", "MediaBox", "CropBox", "Rotate"}
PAGE_KEEP = {"Type", "Parent", "Resources", "Contents", "MediaBox", "CropBox", "BleedBox",
             "TrimBox", "ArtBox", "Rotate", "UserUnit", "Group"}
# PyMuPDF's constants, by value (they are not visible to type checkers).
ENCRYPT_NONE = 1  # PDF_ENCRYPT_NONE: the copy is written without encryption
REDACT_IMAGE_PIXELS = 2  # PDF_REDACT_IMAGE_PIXELS: blank the image pixels under a mark
REDACT_LINE_ART_IF_TOUCHED = 2  # PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED: vector paths touching
REDACT_TEXT_REMOVE = 0  # PDF_REDACT_TEXT_REMOVE
TRAILER_KEEP = {"Root", "Size", "ID"}
INFO_KEYS = ("title", "author", "subject", "keywords", "creator", "producer", "creationDate",
             "modDate", "trapped")


# ------------------------------------------------------------------------------ annotated
def annotated_copy(v: Vault, ref: str, *, password: str | None = None) -> ImportResult:
    """A new item: the PDF with the item's annotations (not its redaction marks) as standard
    PDF annotations, or the photo with them drawn on it. ``password`` opens a
    password-protected PDF (the copy has none)."""
    item = _source(v, ref)
    used = [a for a in annotations_of(v, item.ref) if a.kind != "redaction"]
    if not used:
        raise VaultError(f"{item.ref} has no annotations to put in a copy (redaction marks go "
                         "into a redacted copy)")
    data = read_content(v, item)
    if item.mime == PDF_MIME:
        with pdf_lock, open_pdf(data, item, password) as doc:
            for a in used:
                _pdf_annotation(doc, a)
            out = doc.tobytes(garbage=1, deflate=True, encryption=ENCRYPT_NONE)
        name, tools = _name(item.name, "annotated", ".pdf"), _tools(pdf=True)
    else:
        picture = decode_upright(data, item)
        picture = _draw(picture, used)
        jpeg = item.mime in LOSSY
        out = _encode(picture, jpeg=jpeg)
        name, tools = _name(item.name, "annotated", ".jpg" if jpeg else ".png"), _tools()
    settings = {"annotations": [a.to_dict() for a in used]}
    return _store(v, item, out, name, ANNOTATED, settings, tools, {})


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def _pdf_date(t: str) -> str:
    """An RFC 3339 UTC time as a PDF date (D:YYYYMMDDHHmmSSZ)."""
    return "D:" + t[0:4] + t[5:7] + t[8:10] + t[11:13] + t[14:16] + t[17:19] + "Z"


def _pdf_annotation(doc: Any, a: Annotation) -> None:
    pymupdf = mupdf()

    page = doc[a.page]
    g = a.geometry
    if a.kind in ("highlight", "underline", "strikeout"):
        add = {"highlight": page.add_highlight_annot, "underline": page.add_underline_annot,
               "strikeout": page.add_strikeout_annot}[a.kind]
        annot = add([pymupdf.Rect(r).quad for r in g["rects"]])
    elif a.kind == "note":
        annot = page.add_text_annot(pymupdf.Point(g["rect"][0], g["rect"][1]), a.text,
                                    icon="Note")
    elif a.kind == "rectangle":
        annot = page.add_rect_annot(pymupdf.Rect(g["rect"]))
        annot.set_border(width=1.5)
    elif a.kind == "ink":
        annot = page.add_ink_annot([[tuple(p) for p in s] for s in g["strokes"]])
        annot.set_border(width=1.5)
    else:  # pragma: no cover - kinds are checked when annotations are made
        raise VaultError(f"{a.kind} cannot be written into a PDF")
    annot.set_colors(stroke=_rgb(a.colour))
    annot.set_info(content=a.text, title=a.author, subject=a.kind,
                   creationDate=_pdf_date(a.created), modDate=_pdf_date(a.updated))
    annot.update()
    doc.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(a.id))  # the annotation's id


def _draw(picture: Any, used: list[Annotation]) -> Any:
    from PIL import ImageDraw, ImageFont

    if picture.mode in ("L", "LA"):
        picture = picture.convert("RGBA" if picture.mode == "LA" else "RGB")
    draw = ImageDraw.Draw(picture)
    line = max(2, round(max(picture.size) / 300))
    for a in used:
        g, colour = a.geometry, a.colour
        if a.kind == "rectangle":
            draw.rectangle(g["rect"], outline=colour, width=line)
        elif a.kind == "ellipse":
            draw.ellipse(g["rect"], outline=colour, width=line)
        elif a.kind == "arrow":
            (x0, y0), (x1, y1) = g["from"], g["to"]
            draw.line([(x0, y0), (x1, y1)], fill=colour, width=line)
            angle, size = math.atan2(y1 - y0, x1 - x0), max(4 * line, 12)
            head = [(x1, y1)] + [(x1 - size * math.cos(angle + s), y1 - size * math.sin(angle + s))
                                 for s in (0.45, -0.45)]
            draw.polygon(head, fill=colour)
        elif a.kind == "label" and a.text:
            size = max(12, round(max(picture.size) / 40))
            font = ImageFont.load_default(size=size)
            r, gr, b = _rgb(colour)
            halo = "#000000" if 0.299 * r + 0.587 * gr + 0.114 * b > 0.5 else "#ffffff"
            draw.text(tuple(g["at"]), a.text, fill=colour, font=font,
                      stroke_width=max(1, size // 12), stroke_fill=halo)
    return picture


def _encode(picture: Any, *, jpeg: bool) -> bytes:
    """The picture as a JPEG (quality 95) or a PNG, with no metadata at all."""
    picture.info = {}
    out = io.BytesIO()
    if jpeg:
        picture.convert("RGB").save(out, "JPEG", quality=95, optimize=True)
    else:
        picture.save(out, "PNG", compress_level=6)
    return out.getvalue()


# ------------------------------------------------------------------------------ marking words
def mark_every_occurrence(v: Vault, refs: Iterable[str], word: str, *, reason: str = "",
                          password: str | None = None) -> list[Annotation]:
    """Add a redaction annotation over every occurrence of ``word`` (case-insensitive) in the
    text of each PDF of ``refs`` (other items are skipped), for review before a redacted copy
    is made. Areas already marked are not marked twice. All in one transaction."""
    if not isinstance(word, str) or not fold(word):
        raise VaultError("give a word or words to find")
    if len(word) > MAX_WORDS:
        raise VaultError(f"the text to find is at most {MAX_WORDS} characters")
    reason = check_reason(reason)
    found: list[tuple[Item, list[tuple[int, list[int | float]]]]] = []
    for ref in [refs] if isinstance(refs, str) else refs:
        with v.db_lock:
            item = get_item(v, ref)
        if item.status != "present" or item.mime != PDF_MIME:
            continue
        data = read_content(v, item)
        marks = []
        scanned = _ocr_boxes(v, item)  # pages read by OCR: the word where OCR read it
        from vault.search.ocr import ocr_matches

        with pdf_lock, open_pdf(data, item, password) as doc:
            _strip_pages(doc)  # in memory only: text shown by form fields is not the page's
            for page in doc:
                width, height = page.cropbox.width, page.cropbox.height
                if fold(word) in searchable(page):
                    found_here = find_text(page, word)
                else:
                    found_here = [(r[0] - OCR_MARGIN, r[1] - OCR_MARGIN, r[2] + OCR_MARGIN,
                                   r[3] + OCR_MARGIN)
                                  for r in ocr_matches(scanned.get(page.number, []), [word])]
                for r in found_here:
                    rect = clamp_rect(r, width, height)
                    if rect is not None:
                        marks.append((page.number, rect))
        found.append((item, marks))
    added: list[Annotation] = []
    with v.transaction():
        for item, marks in found:
            added.extend(add_found(v, item, marks, reason))
    return added


# ------------------------------------------------------------------------------ redacted
OCR_MARGIN = 2.0  # points around a word OCR read: its box is tight, the ink may not be


@dataclass
class _Redacted:
    data: bytes
    marks: list[dict[str, Any]]
    checks: list[str]
    removed: list[str] = field(default_factory=list)
    pictures: list[int] = field(default_factory=list)
    found: set[int] = field(default_factory=set)
    unread: list[int] = field(default_factory=list)  # pages with no text layer and no OCR


def redacted_copy(v: Vault, ref: str, *, texts: Sequence[str] = (), blur: bool = False,
                  password: str | None = None, reason: str = "") -> ImportResult:
    """A new item with what the item's redaction marks cover, and every occurrence of each of
    ``texts`` in a PDF, removed and covered in black (the mark's reason printed in its box),
    and everything a reader cannot see stripped (docs/derivatives.md). ``reason`` is printed
    in the boxes found from ``texts``. For a photo the areas are blacked out (blurred with
    ``blur``) in a PNG with no metadata. The copy is checked before it is stored: nothing is
    stored if any redacted text can still be extracted. The words searched for are recorded
    only in the original's ``derivative made`` event, never in the copy's own record."""
    item = _source(v, ref)
    words = _words(texts)
    reason = check_reason(reason)
    marks = annotations_of(v, item.ref, kinds=["redaction"])
    data = read_content(v, item)
    if item.mime == PDF_MIME:
        if blur:
            raise VaultError("blurring is for photos: areas of a PDF are always removed and "
                             "blacked out")
        scanned = _ocr_boxes(v, item) if words else {}
        done = _redact_pdf(data, item, marks, words, reason, password, scanned)
        name, tools = _name(item.name, "redacted", ".pdf"), _tools(pdf=True)
    else:
        if words:
            raise VaultError("finding words works in PDFs only: mark the areas to hide on the "
                             "photo")
        done = _redact_photo(data, item, marks, blur)
        name, tools = _name(item.name, "redacted", ".png"), _tools()
    missing = [w for i, w in enumerate(words) if i not in done.found]
    if missing:  # a copy that says "redacted" while the word is still there is a trap
        unread = (f" Pages {', '.join(str(p + 1) for p in done.unread)} have no text and were "
                  f"not read by OCR: run 'evidence-vault ocr' on {item.ref} (or Recognise "
                  "text in the app) first." if done.unread else "")
        raise VaultError(f"{item.ref}: not found, so it could not be blacked out: "
                         f"{', '.join(repr(w) for w in missing)}. Nothing was stored.{unread}")
    if not done.marks:
        name = _name(item.name, "hidden data removed", Path(name).suffix)
    settings: dict[str, Any] = {"marks": done.marks, "texts": len(words), "blur": blur,
                                "reason": reason, "removed": done.removed,
                                "pages_as_pictures": [p for p in done.pictures],
                                "verified": done.checks}
    result = _store(v, item, done.data, name, REDACTED, settings, tools, {"texts": words})
    if not done.marks:
        result.warnings.append("nothing was marked or found: the copy only lacks the "
                               "original's hidden data, and is not named as redacted")
    return result


def _ocr_boxes(v: Vault, item: Item) -> dict[int, list[tuple[float, float, float, float, str]]]:
    """The words OCR read on each page of a PDF (pages from 0), in annotation space."""
    from vault.search.ocr import ocr_text, ocr_words

    return {page - 1: ocr_words(v, item.ref, page) for page, _text in ocr_text(v, item.ref)}


def _words(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        texts = [texts]
    words: list[str] = []
    for t in texts:
        if not isinstance(t, str) or not fold(t):
            raise VaultError("each text to redact must have some letters")
        if len(t) > MAX_WORDS:
            raise VaultError(f"a text to redact is at most {MAX_WORDS} characters")
        if fold(t) not in {fold(w) for w in words}:
            words.append(" ".join(t.split()))
    return words


def _redact_pdf(data: bytes, item: Item, marks: list[Annotation], words: list[str],
                reason: str, password: str | None,
                scanned: dict[int, list[tuple[float, float, float, float, str]]] | None = None
                ) -> _Redacted:
    """``scanned``: the OCR words of pages (from 0): a word not in a page's text layer is
    looked for among them, and blacked out where OCR read it (the pixels removed)."""
    pymupdf = mupdf()

    with pdf_lock, open_pdf(data, item, password) as doc:
        pages = doc.page_count
        layered = bool(doc.get_ocgs()) or \
            doc.xref_get_key(doc.pdf_catalog(), "OCProperties")[0] != "null"
        log: list[dict[str, Any]] = []
        for a in marks:
            if a.page >= pages:
                raise VaultError(f"{item.ref}: a redaction mark is on page {a.page + 1}, past "
                                 "its last page")
            log.append({"page": a.page, "rect": a.geometry["rect"], "reason": a.reason,
                        "found": "mark", "annotation": a.id})
        # The original's own annotations, form fields and links go first (with their
        # contents, appearances and actions): the words are then searched in the pages alone.
        removed = _strip_pages(doc)
        found: set[int] = set()
        unread: list[int] = []
        from vault.search.ocr import ocr_matches

        for page in doc:
            text = searchable(page) if words else ""
            here = [(i, w) for i, w in enumerate(words) if fold(w) in text]
            extracted = page_text(page) if here else None
            for i, w in here:
                for r in find_text(page, w, extracted=extracted):
                    found.add(i)
                    log.append({"page": page.number, "rect": [round(x, 3) for x in r],
                                "reason": reason, "found": "text", "term": i})
            boxes = (scanned or {}).get(page.number, [])
            if words and not text.strip() and not boxes:
                unread.append(page.number)
            for i, w in enumerate(words):
                if (i, w) in here or not boxes:
                    continue
                for r in ocr_matches(boxes, [w]):  # a scan: where OCR read the word
                    found.add(i)
                    box = page.rect & pymupdf.Rect(r[0] - OCR_MARGIN, r[1] - OCR_MARGIN,
                                                   r[2] + OCR_MARGIN, r[3] + OCR_MARGIN)
                    log.append({"page": page.number, "rect": [round(x, 3) for x in box],
                                "reason": reason, "found": "ocr", "term": i})
        for page in doc:
            mine = [m for m in log if m["page"] == page.number]
            for m in mine:
                page.add_redact_annot(pymupdf.Rect(m["rect"]), fill=(0, 0, 0), cross_out=False)
            if mine:
                page.apply_redactions(images=REDACT_IMAGE_PIXELS,
                                      graphics=REDACT_LINE_ART_IF_TOUCHED,
                                      text=REDACT_TEXT_REMOVE)
                left = _left_under(page, [m["rect"] for m in mine], [])
                if left:
                    raise VaultError(f"{item.ref}: text under a redaction mark on page "
                                     f"{page.number + 1} could not be removed; nothing was "
                                     "stored")
                _print_reasons(page, mine)
        pictures = []
        if layered:  # hidden layers cannot be reviewed: keep only what the pages show
            for page in doc:
                _as_picture(doc, page)
                pictures.append(page.number)
            removed.append("layers (optional content): every page made a picture of what it "
                           "shows")
        removed.extend(_strip_document(doc))
        for page in doc:
            page.clean_contents()
        with contextlib.suppress(Exception):  # a nicety: the text itself is already gone
            doc.subset_fonts()  # glyphs that only the removed text used go too
        out = doc.tobytes(garbage=4, clean=True, deflate=True, deflate_images=True,
                          deflate_fonts=True, encryption=ENCRYPT_NONE)
        checks = _verify_pdf(out, item, pages, log, words)
    return _Redacted(out, log, checks, removed, pictures, found, unread)


def _strip_pages(doc: Any) -> list[str]:
    """Remove every annotation, form field and link of the document (with their contents,
    appearances and actions): a redacted copy keeps none, and words are searched for in the
    pages alone."""
    counts = {"annotations": 0, "form fields": 0, "links": 0}
    for page in doc:
        for x in [w.xref for w in page.widgets()]:
            page.delete_widget(page.load_widget(x))
            counts["form fields"] += 1
        for link in page.get_links():
            page.delete_link(link)
            counts["links"] += 1
        for x in [a.xref for a in page.annots()]:
            page.delete_annot(page.load_annot(x))
            counts["annotations"] += 1
    return [f"{n} {what}" for what, n in counts.items() if n]


def _print_reasons(page: Any, mine: list[dict[str, Any]]) -> None:
    """Each mark's reason code, in white in its black box, as large as fits (or not at all)."""
    shape = None
    for m in mine:
        if not m["reason"]:
            continue
        pymupdf = mupdf()

        shape = shape or page.new_shape()
        rect = pymupdf.Rect(m["rect"])
        size = min(10.0, rect.height * 0.8)
        while size >= 3:
            middle = (rect.y0 + rect.y1) / 2  # one line, centred when it fits on one
            box = pymupdf.Rect(rect.x0, max(rect.y0, middle - size * 0.65), rect.x1, rect.y1)
            if shape.insert_textbox(box, m["reason"], fontname="helv", fontsize=size,
                                    color=(1, 1, 1), align=pymupdf.TEXT_ALIGN_CENTER) >= 0:
                break
            size -= 0.5
    if shape is not None:
        shape.commit()


def _left_under(page: Any, rects: list[Sequence[float]], reasons: list[str]) -> str:
    """The text still extractable under the rectangles (the characters whose centre is inside
    one), less the characters of the reason codes printed in them."""
    left = Counter("".join(fold(c) for c in chars_under(page, rects)).replace(" ", ""))
    left -= Counter("".join("".join(fold(r).split()) for r in reasons if r))
    return "".join(sorted(left.elements()))


def _as_picture(doc: Any, page: Any) -> None:
    """Replace the page's content by a picture of it as displayed (hidden layers left out)."""
    rotation = page.rotation
    if rotation:
        page.set_rotation(0)
    pix = page.get_pixmap(dpi=PICTURE_DPI, annots=False)
    page.clean_contents()
    for x in page.get_contents():
        doc.update_stream(x, b" ")
    doc.xref_set_key(page.xref, "Resources", "<<>>")
    page.insert_image(page.rect, pixmap=pix)
    if rotation:
        page.set_rotation(rotation)


def _strip_document(doc: Any) -> list[str]:
    """Remove metadata, XMP, attachments, outlines, page labels, scripts, layers, structure
    and every key of the catalog, page tree and pages a plain page does not need."""
    removed = []
    if any((doc.metadata or {}).get(k) for k in INFO_KEYS):
        removed.append("document information (title, author...)")
    doc.set_metadata({})
    if doc.get_xml_metadata():
        removed.append("XMP metadata")
    doc.del_xml_metadata()
    names = doc.embfile_names()
    for name in names:
        doc.embfile_del(name)
    if names:
        removed.append(f"{len(names)} attached files")
    if doc.get_toc():
        removed.append("bookmarks")
        doc.set_toc([])
    catalog = doc.pdf_catalog()
    dropped = sorted(k for k in doc.xref_get_keys(catalog)
                     if k not in CATALOG_KEEP and doc.xref_get_key(catalog, k)[0] != "null")
    for key in dropped:
        doc.xref_set_key(catalog, key, "null")
    if dropped:
        removed.append("from the catalog: " + ", ".join(dropped))
    for key in doc.xref_get_keys(-1):
        if key not in TRAILER_KEEP:
            doc.xref_set_key(-1, key, "null")
    page_keys: set[str] = set()
    for page in doc:
        for key in doc.xref_get_keys(page.xref):
            if key not in PAGE_KEEP and doc.xref_get_key(page.xref, key)[0] != "null":
                page_keys.add(key)
                doc.xref_set_key(page.xref, key, "null")
    if page_keys:
        removed.append("from the pages: " + ", ".join(sorted(page_keys)))
    nodes = [doc.xref_get_key(catalog, "Pages")]
    seen = set()
    while nodes:
        kind, value = nodes.pop()
        if kind != "xref":
            continue
        x = int(value.split()[0])
        if x in seen or doc.xref_get_key(x, "Type")[1] != "/Pages":
            continue
        seen.add(x)
        for key in doc.xref_get_keys(x):
            if key not in NODE_KEEP:
                doc.xref_set_key(x, key, "null")
        kids = doc.xref_get_key(x, "Kids")
        if kids[0] == "array":
            nodes.extend(("xref", k) for k in _references(kids[1]))
    for x in range(1, doc.xref_length()):  # metadata and private data of any other object
        try:
            if doc.xref_get_key(x, "Type")[1] == "/Metadata":
                doc.update_object(x, "<<>>")
                if doc.xref_is_stream(x):
                    doc.update_stream(x, b" ")
                continue
            for key in ("Metadata", "PieceInfo"):
                if doc.xref_get_key(x, key)[0] != "null":
                    doc.xref_set_key(x, key, "null")
        except Exception:  # noqa: S112 - a free or broken object: garbage collection drops it
            continue
    return removed


def _references(array: str) -> Iterator[str]:
    parts = array.strip("[] ").split()
    for i in range(0, len(parts) - 2, 3):
        if parts[i + 2] == "R":
            yield f"{parts[i]} {parts[i + 1]} R"


def _variants(word: str) -> list[bytes]:
    """The forms a word can take in a PDF's objects and uncompressed streams, lower-cased:
    PDFDocEncoding (Latin-1) and UTF-16BE, as written and in hexadecimal."""
    out: list[bytes] = []
    for w in {word, word.lower(), word.upper(), word.title()}:
        for enc in ("latin-1", "utf-16-be"):
            try:
                raw = w.encode(enc)
            except UnicodeEncodeError:
                continue
            out += [raw.lower(), raw.hex().encode()]
        out.append(w.encode("utf-8").lower())
    return list(dict.fromkeys(out))


def _verify_pdf(out: bytes, item: Item, pages: int, log: list[dict[str, Any]],
                words: list[str]) -> list[str]:
    """Open the finished copy afresh and check that nothing redacted is left in it; raises
    (nothing is stored) when anything is."""
    pymupdf = mupdf()

    problems: list[str] = []
    needles = [(i, _variants(w)) for i, w in enumerate(words) if len(fold(w)) >= RAW_SCAN_MIN]
    with pymupdf.open(stream=out, filetype="pdf") as doc:
        if doc.needs_pass or doc.is_encrypted or doc.page_count != pages:
            problems.append("the copy does not open as a plain PDF of the same pages")
        for page in doc:
            mine = [m for m in log if m["page"] == page.number]
            text = searchable(page) if words else ""
            for i, w in enumerate(words):
                if fold(w) in text:
                    problems.append(f"text searched for (number {i + 1}) is still on page "
                                    f"{page.number + 1}")
            if _left_under(page, [m["rect"] for m in mine], [m["reason"] for m in mine]):
                problems.append(f"text is still under a mark on page {page.number + 1}")
            if list(page.annots()) or page.first_widget or page.get_links():
                problems.append(f"page {page.number + 1} still has annotations or links")
        if any((doc.metadata or {}).get(k) for k in INFO_KEYS) or doc.get_xml_metadata() or \
                doc.embfile_count() or doc.get_ocgs():
            problems.append("metadata, attachments or layers are left")
        catalog = doc.pdf_catalog()
        extra = {k for k in doc.xref_get_keys(catalog)
                 if k not in CATALOG_KEEP and doc.xref_get_key(catalog, k)[0] != "null"}
        if extra:
            problems.append(f"the catalog still has {', '.join(sorted(extra))}")
        if needles:
            for x in range(1, doc.xref_length()):
                blobs = [doc.xref_object(x, compressed=True).encode("latin-1", "replace")]
                if doc.xref_is_stream(x) and doc.xref_get_key(x, "Subtype")[1] != "/Image":
                    blobs.append(doc.xref_stream(x) or b"")
                for blob in blobs:
                    low = blob.lower()
                    for i, forms in needles:
                        if any(f in low for f in forms):
                            problems.append(f"text searched for (number {i + 1}) is still in "
                                            f"object {x}")
        low = out.lower()
        for i, forms in needles:
            if any(f in low for f in forms):
                problems.append(f"text searched for (number {i + 1}) is still in the file")
    if problems:
        raise VaultError(f"the redacted copy of {item.ref} failed its own check, so nothing "
                         f"was stored: {'; '.join(dict.fromkeys(problems))}")
    checks = ["no text left under any mark", "no annotations, form fields or links",
              "no document information, XMP, attachments or layers"]
    if words:
        checks.insert(1, "none of the texts searched for left in any page's text")
        if needles:
            checks.insert(2, "none of the texts searched for in any object or stream")
    return checks


def _redact_photo(data: bytes, item: Item, marks: list[Annotation], blur: bool) -> _Redacted:
    from PIL import Image, ImageFilter

    picture = decode_upright(data, item)
    black = {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "L": 0, "LA": (0, 255)}[picture.mode]
    log = []
    boxes = []
    for a in marks:
        x0, y0, x1, y1 = a.geometry["rect"]
        box = (max(0, math.floor(x0)), max(0, math.floor(y0)),
               min(picture.width, math.ceil(x1)), min(picture.height, math.ceil(y1)))
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        boxes.append(box)
        if blur:
            region = picture.crop(box)
            w, h = region.size
            step = max(1, max(w, h) // 8)
            region = region.resize((max(1, w // step), max(1, h // step)),
                                   Image.Resampling.BOX).resize((w, h), Image.Resampling.BILINEAR)
            picture.paste(region.filter(ImageFilter.GaussianBlur(step)), box)
        else:
            picture.paste(black, box)
        log.append({"page": 0, "rect": a.geometry["rect"], "reason": a.reason, "found": "mark",
                    "annotation": a.id, "pixels": list(box)})
    out = _encode(picture, jpeg=False)
    checks = _verify_photo(out, item, boxes, black, blur)
    return _Redacted(out, log, checks, ["EXIF, GPS, XMP, ICC profile, comments and any other "
                                        "metadata"])


def _verify_photo(out: bytes, item: Item, boxes: list[tuple[int, int, int, int]], black: Any,
                  blur: bool) -> list[str]:
    from PIL import Image

    with Image.open(io.BytesIO(out)) as im:
        im.load()
        problems = []
        if set(im.info) - {"dpi"} or len(im.getexif()):
            problems.append("metadata is left")
        if not blur:
            for box in boxes:
                colours = im.crop(box).getcolors(1)
                if colours is None or colours[0][1] != black:
                    problems.append("a marked area is not entirely black")
    if problems:
        raise VaultError(f"the redacted copy of {item.ref} failed its own check, so nothing "
                         f"was stored: {'; '.join(problems)}")
    return ["no metadata"] + ([] if blur else ["every marked area entirely black"])


# ------------------------------------------------------------------------------ storing
def store_derived(v: Vault, item: Item, data: bytes, label: str, suffix: str,
                  operation: str, settings: dict[str, Any]) -> ImportResult:
    """Store ``data``, made from the PDF ``item`` by another part of the program (a
    page-stamped copy, say), as a derivative like the two above: named ``NAME (label)suffix``,
    ``derived`` on it and ``derivative made`` on the original, in one transaction."""
    return _store(v, item, data, _name(item.name, label, suffix), operation, settings,
                  _tools(pdf=True), {})


def _source(v: Vault, ref: str) -> Item:
    return present_pdf_or_photo(v, ref, "copy", "copies are made of PDFs and photos only")


def _name(name: str, label: str, suffix: str) -> str:
    return f"{Path(name).stem or 'item'} ({label}){suffix}"


def _tools(*, pdf: bool = False) -> dict[str, str]:
    if pdf:
        pymupdf = mupdf()

        return {"pymupdf": str(pymupdf.VersionBind)}
    import PIL

    return {"pillow": str(PIL.__version__)}


def _store(v: Vault, item: Item, data: bytes, name: str, operation: str,
           settings: dict[str, Any], tools: dict[str, str],
           private: dict[str, Any]) -> ImportResult:
    """Store ``data`` as a new item of the original's case: ``derived`` on it, ``derivative
    made`` (the same details, plus ``private`` and the new reference) on the original."""
    chunks = iter([data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)] or [b""])
    writer, sha, size, head = store_chunks(v, chunks)
    mime = sniff(head)
    details = {
        "original_name": name, "original_path": f"{item.ref} ({operation})", "size": size,
        "sha256": sha, "mime": mime, "modified": None, "created": None, "case": item.case,
        "received": iso_utc(v.clock.now()),
        "received_from": f"{operation} of {item.ref}, made in this vault",
        "imported_by": v.identity.to_dict(), "machine": v.machine,
        "program": PROGRAM, "derived_from": item.ref, "original_sha256": item.sha256,
        "operation": operation, "settings": settings, "output_sha256": sha, "tools": tools,
    }
    stored = Stored(Path(f"{item.ref} ({operation})"), writer, sha, size, mime, details, [],
                    action=custody.DERIVED)

    def on_original(results: list[ImportResult]) -> None:
        new = results[0].ref
        v.record(custody.DERIVATIVE_MADE, item=item.ref, sha256=item.sha256,
                 details={**details, **private, "derived_item": new},
                 links=[new] if new else None)

    try:
        with v.db_lock:
            [result] = record_batch(v, [stored], item.case, also=on_original)
    except BaseException:
        writer.abort()
        raise
    if result.status == IMPORTED:  # what is inside it, as for an import (page count...)
        reader = _MetadataReader(v)
        try:
            reader.submit([result])
            reader.record(wait=True)
        finally:
            reader.close()
    return result
