"""Page-stamped copies of PDF exhibits (docs/court-bundle.md): every page stamped at its
foot, right, ``MO/3-1``, ``MO/3-2``, ..., stored as a derived item; the original is only
read (decrypted into memory, never to a file)."""

from __future__ import annotations

from vault.court.model import Exhibit
from vault.court.store import CourtRefused, exhibit
from vault.documents.annotations import PDF_MIME, open_pdf, read_content
from vault.documents.derive import store_derived
from vault.documents.mupdf_quiet import mupdf
from vault.documents.thumbnails import pdf_lock
from vault.evidence.importer import ImportResult
from vault.evidence.items import Item, get_item
from vault.store.vault import Vault

STAMPED = "page-stamped copy"
FONT_SIZE = 10


def stamp_pages(data: bytes, mark: str, item: Item) -> tuple[bytes, int]:
    """(the stamped PDF, its number of pages)."""
    pymupdf = mupdf()
    with pdf_lock, open_pdf(data, item, None) as doc:
        for n, page in enumerate(doc, 1):
            text = f"{mark}-{n}"
            r = page.rect
            width = pymupdf.get_text_length(text, fontname="helv", fontsize=FONT_SIZE) + 8
            box = pymupdf.Rect(r.x1 - width - 18, r.y1 - 26, r.x1 - 18, r.y1 - 10)
            page.draw_rect(box, color=(0, 0, 0), fill=(1, 1, 1), width=0.6, overlay=True)
            page.insert_text((box.x0 + 4, box.y1 - 4.5), text, fontsize=FONT_SIZE,
                             fontname="helv", color=(0, 0, 0), overlay=True)
        pages = doc.page_count
        return bytes(doc.tobytes(garbage=1, deflate=True)), pages


def stamped_copy(v: Vault, case: str, mark: str) -> tuple[Exhibit, ImportResult]:
    """A page-stamped copy of the PDF exhibit ``mark``, stored as a new item."""
    e = exhibit(v, case, mark)
    if e.removed:
        raise CourtRefused(f"{e.mark} was withdrawn")
    item = get_item(v, e.item)
    if item.mime != PDF_MIME or item.status != "present":
        raise CourtRefused(f"{e.mark} is not a PDF: only PDFs are page-stamped (a photo's mark "
                           "goes on its label)")
    data, pages = stamp_pages(read_content(v, item), e.mark, item)
    result = store_derived(v, item, data, f"{e.file_safe} stamped", ".pdf", STAMPED,
                           {"mark": e.mark, "pages": pages, "position": "foot right"})
    return e, result
