"""What a parser worker does with a file's plaintext (vault/parsers/worker.py): each job takes
the bytes and the request's header and returns a JSON-able result and a binary part. They
run only in a worker, which holds no key; the vault process calls them through
:class:`vault.parsers.pool.ParserPool`."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from vault.store.objects import MemoryReader

Job = Callable[[bytes, dict[str, Any]], tuple[Any, bytes]]


def metadata(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """The details read at import (vault/evidence/metadata.py), and its warnings."""
    from vault.evidence.metadata import extract

    found = extract(MemoryReader(part), str(header["mime"]))
    return {"metadata": found.metadata, "warnings": found.warnings}, b""


def pdf_text(part: bytes, _header: dict[str, Any]) -> tuple[Any, bytes]:
    """Each page's text layer, page 1 first; None when the PDF cannot be read (damaged,
    protected by a password)."""
    from vault.documents.mupdf_quiet import readable_pdf

    with readable_pdf(part) as doc:
        if doc is None:
            return None, b""
        pages: list[str] = []
        for i in range(doc.page_count):
            try:
                pages.append(str(doc.load_page(i).get_text("text")))
            except Exception:
                pages.append("")
        return pages, b""


def office_text(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """The words of an office document; "" when it is damaged or hostile."""
    from vault.search.office_text import document_text

    return document_text(io.BytesIO(part), str(header["mime"])), b""


def outlook_text(part: bytes, _header: dict[str, Any]) -> tuple[Any, bytes]:
    """An Outlook message's headers, body and attachment names (None for any other
    Compound File)."""
    from vault.evidence.outlook_msg import is_outlook, read_msg

    if not is_outlook(part):
        return None, b""
    found, body = read_msg(part)
    names = "\n".join(str(a.get("name", "")) for a in found.attachments)
    return "\n".join([*found.headers.values(), body, names]), b""


def thumbnail(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """A PNG thumbnail of a photo or a PDF's first page: its width and height, and the PNG;
    None when it cannot be drawn."""
    from vault.documents.thumbnails import draw

    drawn = draw(MemoryReader(part), str(header["mime"]), int(header["size"]))
    if drawn is None:
        return None, b""
    return {"width": drawn.width, "height": drawn.height}, drawn.png


def contents(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """The items inside an e-mail, a mailbox, an Outlook message or a PDF: their names and
    places, and their bytes one after the other in the binary part."""
    from vault.evidence.children import contents_of

    found = contents_of(part, str(header["mime"]))
    if found is None:
        return None, b""
    parts = [{"name": p.name, "content_type": p.content_type, "place": p.place,
              "length": len(p.data)} for p in found.parts]
    return ({"headers": found.headers, "attachments": found.attachments,
             "warnings": found.warnings, "parts": parts},
            b"".join(p.data for p in found.parts))


def ocr_pages(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """The pages of a PDF (or the photo) that need OCR (vault/search/ocr.py)."""
    from vault.search.ocr import page_job

    return page_job(part, str(header["mime"]), str(header["ref"]), None)


def ocr_draw(part: bytes, header: dict[str, Any]) -> tuple[Any, bytes]:
    """One page drawn, greyscale, for Tesseract, and where its pixels are on the page."""
    from vault.search.ocr import page_job

    return page_job(part, str(header["mime"]), str(header["ref"]), int(header["page"]))


JOBS: dict[str, Job] = {"metadata": metadata, "pdf_text": pdf_text, "office_text": office_text,
                        "outlook_text": outlook_text, "thumbnail": thumbnail,
                        "contents": contents, "ocr_pages": ocr_pages, "ocr_draw": ocr_draw}
