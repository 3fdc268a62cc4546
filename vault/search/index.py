"""The full-text index (docs/vault-format.md#search): every readable thing about an item, kept
in the FTS5 table ``search_text`` inside the encrypted index, and nowhere else.

Each row's rowid is ``item_id << 24 | source << 19 | n`` (source: its position in
:data:`SOURCES`; n from 0 within the item and source), so one item's rows, or one source's, are
found by a rowid range without scanning the table, and a search filters on the source without
reading the row. :func:`index_item` rebuilds all of
an item's rows; :func:`refresh_sources` rewrites only the rows of some sources (notes,
annotations, tags) inside the caller's transaction; :func:`run_index_jobs` works through the
queued ``index`` jobs. A PDF's text layer and an office document's words are read from its
original decrypted into memory; nothing is written anywhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.evidence.outlook_msg import MAX_MSG_BYTES, OLE
from vault.parsers.pool import ParseFailed
from vault.search.fold import fold
from vault.search.office_text import MAX_OFFICE_BYTES, is_office
from vault.search.text_content import MAX_TEXT, is_text, text_of
from vault.store.vault import Vault

SOURCES = ("name", "provenance", "metadata", "pdf", "ocr", "note", "annotation", "tag", "text")
ROW_BITS = 24  # rowid = item_id << ROW_BITS | source << SOURCE_SHIFT | n
SOURCE_SHIFT = 19  # up to 524,288 rows of one source in one item (pages, notes...)
MAX_TRIES = 3  # an index job that failed this often is left for the user to see
MIN_PAGE_TEXT = 10  # non-blank characters below which a PDF page is taken as a scan (OCR)
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{40,}")
_SKIP_KEYS = {"sha256", "original_sha256", "output_sha256", "program", "tools", "settings"}


@dataclass
class IndexProgress:
    """After each job: how many are done of how many, and the item's failure if it failed."""

    done: int
    total: int
    item_id: int
    ref: str = ""
    error: str = ""
    failed: list[tuple[int, str]] = field(default_factory=list)


def row_range(item_id: int, source: str | None = None) -> tuple[int, int]:
    """The first and last rowid an item's rows (of one source, when given) may have."""
    if source is None:
        return item_id << ROW_BITS, ((item_id + 1) << ROW_BITS) - 1
    lo = item_id << ROW_BITS | SOURCES.index(source) << SOURCE_SHIFT
    return lo, lo + (1 << SOURCE_SHIFT) - 1


# ------------------------------------------------------------------------------- jobs
def queue_index(v: Vault, item_ids: Iterable[int]) -> None:
    """Queue ``index`` jobs (inside the caller's transaction is fine; a pending one stays)."""
    now = iso_utc(v.clock.now())
    with v.db_lock:
        for item_id in item_ids:
            v.con.execute(
                "INSERT INTO text_jobs (item_id, kind, queued) VALUES (?, 'index', ?) "
                "ON CONFLICT (item_id, kind) DO UPDATE SET tries=0, last_error=''",
                (int(item_id), now))


FOLD_SETTING = "search_fold_version"
FOLD_VERSION = "2"  # 2: combining marks of every script and the tatweel folded (text_fold)


def requeue_if_folding_changed(v: Vault) -> None:
    """An index made with an older folding holds words that queries no longer match (an
    Arabic word split at its vowel marks): queue every present item once to be read again."""
    with v.db_lock:
        if v.setting(FOLD_SETTING, "1") == FOLD_VERSION:
            return
        ids = [int(r[0]) for r in v.con.execute("SELECT id FROM items WHERE status='present'")]
        with v.transaction():
            queue_index(v, ids)
            v.set_setting(FOLD_SETTING, FOLD_VERSION)


def pending_counts(v: Vault) -> dict[str, int]:
    """Jobs still to do by kind (``index``, ``ocr``): those that will be tried again. A job
    that failed :data:`MAX_TRIES` times is not waiting any more: :func:`given_up` names it."""
    with v.db_lock:
        rows = v.con.execute("SELECT kind, count(*) FROM text_jobs WHERE tries < ? "
                             "GROUP BY kind", (MAX_TRIES,)).fetchall()
    counts = {"index": 0, "ocr": 0}
    counts.update({str(k): int(n) for k, n in rows})
    return counts


def given_up(v: Vault, item_id: int | None = None) -> list[tuple[str, str, str]]:
    """(reference, ``index`` or ``ocr``, the last error) of each item whose text could not be
    read after :data:`MAX_TRIES` attempts: its text is not searchable, and it says why."""
    sql = ("SELECT i.ref, j.kind, j.last_error FROM text_jobs j JOIN items i ON i.id = "
           "j.item_id WHERE j.tries >= ?")
    args: tuple[Any, ...] = (MAX_TRIES,)
    if item_id is not None:
        sql += " AND j.item_id = ?"
        args = (MAX_TRIES, item_id)
    with v.db_lock:
        rows = v.con.execute(sql + " ORDER BY j.item_id, j.kind", args).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def text_problem(kind: str, error: str) -> str:
    """One plain sentence: why an item's text is not searchable."""
    what = ("its text could not be read" if kind == "index" else
            "its details (pages, dates, the camera's and GPS data) could not be read"
            if kind == "metadata" else "the text in its pictures could not be read (OCR)")
    return f"{what} after {MAX_TRIES} attempts, so it cannot be found by its words: {error}"


def run_index_jobs(v: Vault, cancel: Callable[[], bool] | None = None
                   ) -> Iterator[IndexProgress]:
    """Work through the pending ``index`` jobs, one item at a time: a PDF's text is read
    outside the database lock, the rows are written in a short transaction. An item that
    fails keeps its job with ``last_error`` (tried again up to :data:`MAX_TRIES` times) and
    the others go on. Stops between items once ``cancel()`` is true."""
    requeue_if_folding_changed(v)
    with v.db_lock:
        jobs = [int(r[0]) for r in v.con.execute(
            "SELECT item_id FROM text_jobs WHERE kind='index' AND tries < ? "
            "ORDER BY queued, item_id", (MAX_TRIES,))]
    failed: list[tuple[int, str]] = []
    for n, item_id in enumerate(jobs, 1):
        if cancel is not None and cancel():
            return
        error = ""
        try:
            index_item(v, item_id)
        except Exception as e:  # one bad item must not stop the others
            error = f"{type(e).__name__}: {e}"
            failed.append((item_id, error))
            with v.db_lock:
                v.con.execute("UPDATE text_jobs SET tries=tries+1, last_error=? "
                              "WHERE item_id=? AND kind='index'", (error[:2000], item_id))
        yield IndexProgress(done=n, total=len(jobs), item_id=item_id, ref=_ref(v, item_id),
                            error=error, failed=list(failed))


def _ref(v: Vault, item_id: int) -> str:
    with v.db_lock:
        row = v.con.execute("SELECT ref FROM items WHERE id=?", (item_id,)).fetchone()
    return "" if row is None else str(row[0])


# ------------------------------------------------------------------------------- indexing
def index_item(v: Vault, item_id: int) -> None:
    """Rebuild all of one item's rows from the vault, and queue OCR for what has no text
    (scanned PDF pages, photos) unless ``ocr_pages`` already covers it. A purged or missing
    item is left with no rows. Its pending ``index`` job is done."""
    with v.db_lock:
        row = v.con.execute("SELECT mime, status, oid FROM items WHERE id=?",
                            (item_id,)).fetchone()
        key = None
        if row is not None and row[2] is not None:
            k = v.con.execute("SELECT key FROM objects WHERE oid=?", (row[2],)).fetchone()
            key = None if k is None else bytes(k[0])
    pdf_pages: list[str] | None = None
    content: str | None = None
    if row is not None and row[1] == "present" and key:  # the slow part, outside the lock
        if row[0] == "application/pdf":
            pdf_pages = pdf_text(v, str(row[2]), key)
        elif is_text(str(row[0])):
            content = plain_text(v, str(row[2]), key, str(row[0]))
        elif is_office(str(row[0])):
            content = office_text(v, str(row[2]), key, str(row[0]))
        elif row[0] == OLE:
            content = outlook_text(v, str(row[2]), key)
    with v.transaction():
        lo, hi = row_range(item_id)
        v.con.execute("DELETE FROM search_text WHERE rowid BETWEEN ? AND ?", (lo, hi))
        v.con.execute("DELETE FROM text_jobs WHERE item_id=? AND kind='index'", (item_id,))
        if row is None or row[1] != "present":
            return
        rows = _item_rows(v, item_id, SOURCES)
        for n, page in enumerate(pdf_pages or [], 1):
            rows.append(("pdf", n, None, page))
        if content:
            rows.append(("text", None, None, content))
        _insert(v, item_id, rows)
        _queue_ocr(v, item_id, str(row[0]), pdf_pages)


def refresh_sources(v: Vault, item_id: int, sources: Iterable[str]) -> None:
    """Rewrite only the rows of ``sources`` (not ``pdf`` or ``text``) of one item, inside the
    caller's transaction: what a new note, annotation or tag needs to be found at once."""
    wanted = tuple(s for s in sources if s in SOURCES and s not in ("pdf", "text"))
    if not wanted:
        return
    for source in wanted:
        v.con.execute("DELETE FROM search_text WHERE rowid BETWEEN ? AND ?",
                      row_range(item_id, source))
    status = v.con.execute("SELECT status FROM items WHERE id=?", (item_id,)).fetchone()
    if status is None or status[0] != "present":
        return
    _insert(v, item_id, _item_rows(v, item_id, wanted))


def forget_item(v: Vault, item_id: int) -> None:
    """Remove everything derived from an item's content (index rows, OCR text, its jobs):
    for a purge, inside the caller's transaction."""
    lo, hi = row_range(item_id)
    v.con.execute("DELETE FROM search_text WHERE rowid BETWEEN ? AND ?", (lo, hi))
    v.con.execute("DELETE FROM ocr_pages WHERE item_id=?", (item_id,))
    v.con.execute("DELETE FROM text_jobs WHERE item_id=?", (item_id,))


def insert_rows(v: Vault, item_id: int, rows: list[tuple[str, int | None, str | None, str]]
                ) -> None:
    """Replace an item's rows with ``rows`` (source, page, key, text), inside the caller's
    transaction: for tools that make their own text (the benchmark)."""
    v.con.execute("DELETE FROM search_text WHERE rowid BETWEEN ? AND ?", row_range(item_id))
    _insert(v, item_id, rows)


def _insert(v: Vault, item_id: int, rows: list[tuple[str, int | None, str | None, str]]
            ) -> None:
    """Insert rows (source, page, key, text); the item's rows of those sources are gone."""
    numbered = []
    used: dict[str, int] = {}
    for source, page, key, text in rows:
        if not text.strip():
            continue
        n = used.get(source, 0)
        used[source] = n + 1
        numbered.append((row_range(item_id, source)[0] + n, fold(text),
                         item_id, source, page, key))
    v.con.executemany("INSERT INTO search_text (rowid, text, item_id, source, page, key) "
                      "VALUES (?,?,?,?,?,?)", numbered)


def _item_rows(v: Vault, item_id: int, sources: Iterable[str]
               ) -> list[tuple[str, int | None, str | None, str]]:
    """(source, page, key, text) rows read from the index (all but ``pdf`` and ``text``)."""
    con = v.con
    ref, name, metadata = con.execute("SELECT ref, name, metadata FROM items WHERE id=?",
                                      (item_id,)).fetchone()
    rows: list[tuple[str, int | None, str | None, str]] = []
    want = set(sources)
    if "name" in want:
        rows.append(("name", None, None, str(name)))
    if "provenance" in want:
        for seq, record in con.execute("SELECT seq, record FROM provenance WHERE item_id=? "
                                       "ORDER BY seq", (item_id,)):
            rows.append(("provenance", None, str(seq), "\n".join(_strings(json.loads(record)))))
    if "metadata" in want:
        rows.append(("metadata", None, None, "\n".join(_strings(json.loads(metadata)))))
    if "ocr" in want:
        for page, text in con.execute("SELECT page, text FROM ocr_pages WHERE item_id=? "
                                      "ORDER BY page", (item_id,)):
            rows.append(("ocr", int(page), None, str(text)))
    if "note" in want:
        for e in v.events(str(ref)):
            f = e.fields
            if f["action"] == custody.NOTE_ADDED and f.get("item") == ref:
                rows.append(("note", None, str(e.seq), str(f["details"].get("text", ""))))
    if "annotation" in want:
        for aid, page, text, reason in con.execute(
                "SELECT id, page, text, reason FROM annotations WHERE item_id=? AND removed IS "
                "NULL ORDER BY n", (item_id,)):
            rows.append(("annotation", int(page) + 1, str(aid),
                         "\n".join(s for s in (str(text), str(reason)) if s)))
    if "tag" in want:
        for (tag,) in con.execute("SELECT t.name FROM item_tags it JOIN tags t ON t.id = "
                                  "it.tag_id WHERE it.item_id=? ORDER BY t.name", (item_id,)):
            rows.append(("tag", None, str(tag), str(tag)))
    return rows


def _strings(value: Any, key: str = "") -> Iterator[str]:
    """The readable leaves of a record: ``key: value`` lines, digests left out."""
    if isinstance(value, dict):
        for k, x in value.items():
            if k not in _SKIP_KEYS:
                yield from _strings(x, str(k))
    elif isinstance(value, list):
        for x in value:
            yield from _strings(x, key)
    elif isinstance(value, str):
        if value.strip() and not _HEX_DIGEST.fullmatch(value):
            yield f"{key}: {value}" if key else value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield f"{key}: {value}" if key else str(value)


def _queue_ocr(v: Vault, item_id: int, mime: str, pdf_pages: list[str] | None) -> None:
    covered = {int(r[0]) for r in v.con.execute("SELECT page FROM ocr_pages WHERE item_id=?",
                                                (item_id,))}
    if mime.startswith("image/"):
        needed = not covered
    elif pdf_pages is not None:
        needed = any(len("".join(t.split())) < MIN_PAGE_TEXT and n not in covered
                     for n, t in enumerate(pdf_pages, 1))
    else:
        needed = False
    if needed:
        v.con.execute("INSERT OR IGNORE INTO text_jobs (item_id, kind, queued) "
                      "VALUES (?, 'ocr', ?)", (item_id, iso_utc(v.clock.now())))


def outlook_text(v: Vault, oid: str, key: bytes) -> str | None:
    """An Outlook message's headers and body (None for any other Compound File), read by a
    parser worker."""
    with v.objects.open(oid, key) as reader:
        if reader.size > MAX_MSG_BYTES:
            return None
        data = b"".join(reader.iter_chunks())
    found = _parsed(v, "outlook_text", data)
    return found if isinstance(found, str) else None


def _parsed(v: Vault, job: str, data: bytes, **args: Any) -> Any:
    """A parser worker's result (vault/parsers/pool.py); None when it failed on the file (a
    crash, a limit): the item stays found by its name and its other text."""
    try:
        return v.parsers.run(job, data, **args)[0]
    except ParseFailed:
        return None


def plain_text(v: Vault, oid: str, key: bytes, mime: str) -> str:
    """The searchable text of a text-like item (vault/search/text_content.py), from its first
    :data:`~vault.search.text_content.MAX_TEXT` bytes decrypted into memory."""
    parts: list[bytes] = []
    size = 0
    with v.objects.open(oid, key) as reader:
        while size < MAX_TEXT:
            chunk = reader.read(min(1 << 20, MAX_TEXT - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
    return text_of(mime, b"".join(parts))


def office_text(v: Vault, oid: str, key: bytes, mime: str) -> str:
    """The words of an office document (vault/search/office_text.py, in a parser worker), from its
    original decrypted into memory; "" when it is damaged, hostile or too large."""
    with v.objects.open(oid, key) as reader:
        if reader.size > MAX_OFFICE_BYTES:
            return ""
        data = b"".join(reader.iter_chunks())
    found = _parsed(v, "office_text", data, mime=mime)
    return found if isinstance(found, str) else ""


def pdf_text(v: Vault, oid: str, key: bytes) -> list[str] | None:
    """Each page's text layer (page 1 first), read by a parser worker from the original
    decrypted into memory; None when the PDF cannot be read (damaged, protected by a
    password, too large)."""
    from vault.documents.thumbnails import pdf_bytes

    with v.objects.open(oid, key) as reader:
        data = pdf_bytes(reader)
    if data is None:
        return None
    found = _parsed(v, "pdf_text", data)
    return [str(p) for p in found] if isinstance(found, list) else None
