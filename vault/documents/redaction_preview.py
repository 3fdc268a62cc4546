"""What a redacted copy will remove, said before it is made: how many marked areas on which
pages, the words under them, and where else the same words occur, unmarked, in this document
and in the case's other exhibits (a surname marked in the address block and left in the
signature two lines below is the common leak)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vault.documents.annotations import PDF_MIME, open_pdf, read_content
from vault.documents.annotations import annotations as annotations_of
from vault.documents.thumbnails import pdf_lock
from vault.evidence.items import get_item
from vault.store.vault import Vault

# Words too common to be worth following (a redaction is of names, places, numbers).
COMMON = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "dear",
    "for", "from", "had", "has", "have", "he", "her", "hers", "him", "his", "i", "in", "into",
    "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "ours", "she", "so",
    "than", "that", "the", "their", "them", "then", "there", "they", "this", "to", "us", "was",
    "we", "were", "what", "when", "where", "which", "who", "whom", "will", "with", "would",
    "you", "your", "yours", "sincerely", "faithfully", "regards",
})
MAX_WORDS_FOLLOWED = 12
CONTENT_SOURCES = ("pdf", "ocr", "text")  # what an exhibit shows (not its notes or tags)
MAX_OTHER_EXHIBITS = 50


@dataclass
class Elsewhere:
    """A word under a mark that also stands unmarked: in this document (pages from 1) and in
    other exhibits of the case (their references)."""

    word: str
    pages: list[int] = field(default_factory=list)  # one entry per unmarked occurrence
    exhibits: list[str] = field(default_factory=list)  # with no redaction marks yet
    marked_exhibits: list[str] = field(default_factory=list)  # marked: to review there


@dataclass
class RedactionPreview:
    ref: str
    areas: int = 0
    pages: list[int] = field(default_factory=list)  # pages with marks, from 1
    words: list[str] = field(default_factory=list)  # under the marks, in reading order
    elsewhere: list[Elsewhere] = field(default_factory=list)

    def unmarked_here(self) -> list[str]:
        return [e.word for e in self.elsewhere if e.pages]

    def unmarked_in_others(self) -> dict[str, list[str]]:
        return {e.word: e.exhibits for e in self.elsewhere if e.exhibits}


def _key(word: str) -> str:
    """A word as compared: case folded, without the punctuation around it."""
    return re.sub(r"^\W+|\W+$", "", word.casefold())


def _inside(box: tuple[float, float, float, float], rects: list[list[float]]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in rects)


def preview_redaction(v: Vault, ref: str, *, password: str | None = None) -> RedactionPreview:
    """What the redacted copy of ``ref`` would remove under its redaction marks, and where
    the words under them occur unmarked (this document, then the case's other exhibits)."""
    with v.db_lock:
        item = get_item(v, ref)
    marks = annotations_of(v, item.ref, kinds=["redaction"])
    out = RedactionPreview(item.ref, areas=len(marks),
                           pages=sorted({a.page + 1 for a in marks}))
    if item.mime != PDF_MIME or not marks:
        return out  # a photo's marks cover pixels: no words to follow
    by_page: dict[int, list[list[float]]] = {}
    for a in marks:
        by_page.setdefault(a.page, []).append([float(x) for x in a.geometry["rect"]])
    data = read_content(v, item)
    under: list[str] = []
    pages_words: list[tuple[int, list[tuple[tuple[float, float, float, float], str]]]] = []
    with pdf_lock, open_pdf(data, item, password) as doc:
        for page in doc:
            words = [((w[0], w[1], w[2], w[3]), str(w[4])) for w in page.get_text("words")]
            pages_words.append((page.number, words))
            rects = by_page.get(page.number, [])
            under.extend(text for box, text in words if rects and _inside(box, rects))
    out.words = under
    followed: dict[str, str] = {}
    for text in under:
        key = _key(text)
        if len(key) >= 3 and key not in COMMON and not key.isdigit() and key not in followed:
            followed[key] = re.sub(r"^\W+|\W+$", "", text)
    for key, shown in list(followed.items())[:MAX_WORDS_FOLLOWED]:
        found = Elsewhere(shown)
        for number, words in pages_words:
            rects = by_page.get(number, [])
            found.pages += [number + 1 for box, text in words
                            if _key(text) == key and not _inside(box, rects)]
        for other in _other_exhibits(v, shown, item.ref, item.case):
            marked = annotations_of(v, other, kinds=["redaction"])
            (found.marked_exhibits if marked else found.exhibits).append(other)
        if found.pages or found.exhibits or found.marked_exhibits:
            out.elsewhere.append(found)
    return out


def _other_exhibits(v: Vault, word: str, ref: str, case: str | None) -> list[str]:
    """The case's other exhibits whose text holds ``word`` (the search index)."""
    from vault.search.query import search

    hits = search(v, f'"{word}"', case=case, limit=500)
    refs: list[str] = []
    for hit in hits:
        if hit.ref != ref and hit.ref not in refs and hit.source in CONTENT_SOURCES:
            refs.append(hit.ref)
    return refs[:MAX_OTHER_EXHIBITS]
