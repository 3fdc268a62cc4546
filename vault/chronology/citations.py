"""Checking a citation's words against the page they are said to be on (docs/chronology.md,
"Citations"): the page's text layer first, then the text OCR read from it; plain text and
office documents have one "page". The comparison ignores case, accents where the search
index folds them, line breaks and runs of spaces, and words broken by a hyphen at a line's
end; nothing else."""

from __future__ import annotations

import re

from vault.errors import VaultError
from vault.search.fold import fold
from vault.search.index import index_item, row_range
from vault.store.vault import Vault

SOURCES = (("pdf", "text layer"), ("ocr", "OCR text"), ("text", "text"))


class QuoteNotFound(VaultError):
    """The cited words are not on that page."""


def normal(text: str) -> str:
    """``text`` as citations are compared: folded as the index folds it, lower case, a word
    broken over a line joined, every run of white space one space."""
    text = re.sub(r"(\w)[-\u00ad]\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(fold(text).casefold().split())


def _rows(v: Vault, item_id: int) -> list[tuple[str, int | None, str]]:
    with v.db_lock:
        return [(str(s), None if p is None else int(p), str(t)) for s, p, t in v.con.execute(
            "SELECT source, page, text FROM search_text WHERE rowid BETWEEN ? AND ? AND "
            "source IN ('pdf', 'ocr', 'text')", row_range(item_id))]


def check_quote(v: Vault, item_id: int, page: int | None, quote: str) -> str:
    """Where ``quote`` was found on ``page`` of the item: "text layer", "OCR text" or "text";
    :class:`QuoteNotFound` when it is on none of them."""
    rows = _rows(v, item_id)
    if not rows:
        with v.db_lock:
            pending = v.con.execute("SELECT 1 FROM text_jobs WHERE item_id=? AND kind='index'",
                                    (item_id,)).fetchone()
        if pending:  # not read yet: read it now, as search would
            index_item(v, item_id)
            rows = _rows(v, item_id)
    wanted = normal(quote)
    pages = {p for _s, p, _t in rows if p is not None}
    for source, label in SOURCES:
        for s, p, text in rows:
            if s == source and (p == page or (p is None and page in (None, 1))) \
                    and wanted in normal(text):
                return label
    with v.db_lock:
        ref = str(v.con.execute("SELECT ref FROM items WHERE id=?", (item_id,)).fetchone()[0])
    if not rows:
        raise QuoteNotFound(f"{ref} has no text to check the words against (no text layer "
                            "and no OCR yet): run OCR on it, or mark the area instead")
    where = f"page {page} of {ref}" if page else ref
    also = ""
    if page is not None:
        others = sorted({p for s, p, t in rows if p is not None and wanted in normal(t)})
        if others:
            also = f"; they are on page {', '.join(map(str, others))}"
        elif page not in pages and pages:
            also = f"; {ref} has pages 1 to {max(pages)}"
    raise QuoteNotFound(f"the words cited are not on {where} (its text layer and OCR text "
                        f"were searched){also}")
