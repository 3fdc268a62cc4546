"""An item's details (a PDF's pages and dates, a photo's EXIF and GPS, an e-mail's headers),
read by the parser workers (vault/parsers/: processes that hold no key) after the item is
safe: stored, hashed and recorded. Reading them never holds up the import's acknowledgement.

Each new item that has details to read gets a ``metadata`` job in ``text_jobs``, in the same
transaction that records the item, so the work survives a crash or the program closing and
is resumed later, like indexing and OCR. An import reads details while it stores the next
files and records what is ready; what is not is left queued for :func:`run_detail_jobs`
(the desktop app's background jobs, or the command line after an import). Recording an
item's details is a ``metadata extracted`` custody event, and removes its job."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.email_parts import EML, MBOX
from vault.evidence.metadata import Extracted
from vault.evidence.outlook_msg import OLE
from vault.parsers.pool import ParseFailed, ParserPool
from vault.search.index import MAX_TRIES, queue_index
from vault.search.office_text import OFFICE_MIMES
from vault.store.objects import ObjectReader
from vault.store.vault import Vault

KIND = "metadata"
CHILDREN = "children"  # the items inside an imported item, made later (vault/evidence/children.py)
PARENT_MIMES = ("application/pdf", EML, MBOX, OLE)  # what may hold items of its own
MAX_PARSE_BYTES = 512 << 20  # a file's plaintext handed to a parser worker, in memory


def has_details(mime: str) -> bool:
    """Whether items of this type have details for the parser workers to read."""
    return mime in ("application/pdf", EML, MBOX, OLE, *OFFICE_MIMES) or \
        mime.startswith("image/")


def queue_details(v: Vault, item_ids: Iterable[int], kind: str = KIND) -> None:
    """Queue the reading of these items' details, or (``kind`` CHILDREN) the making of the
    items inside them (inside the caller's transaction)."""
    now = iso_utc(v.clock.now())
    for item_id in item_ids:
        v.con.execute("INSERT INTO text_jobs (item_id, kind, queued) VALUES (?, ?, ?) "
                      "ON CONFLICT (item_id, kind) DO UPDATE SET tries=0, last_error=''",
                      (item_id, kind, now))


def read_details(parsers: ParserPool, path: Path, oid: str, key: bytes,
                 mime: str) -> Extracted:
    """Decrypt the item in memory and have a parser worker read its details. Never raises
    for the item's own faults: they come back as warnings."""
    if mime in ("image/heic", "image/heif", "image/avif"):
        from vault.evidence import heif

        refused = heif.refusal()  # a decoder with known holes is never handed the file
        if refused:
            return Extracted(warnings=[f"photo not decoded: {refused}; preserved as received"])
    try:
        with ObjectReader(path, oid, key) as reader:
            if reader.size > MAX_PARSE_BYTES:
                return Extracted(warnings=["too large to read its details during import; "
                                           "preserved as received"])
            data = b"".join(reader.iter_chunks())
    except VaultError as e:  # the object itself failed: check will say so; the import goes on
        return Extracted(warnings=[f"could not read the stored content back: {e}"])
    try:
        found, _ = parsers.run("metadata", data, mime=mime)
    except ParseFailed as e:  # a crash or a limit in the worker: the evidence is stored
        return Extracted(warnings=[f"its details could not be read: {e}; preserved as "
                                   "received"])
    return Extracted(metadata=dict(found["metadata"]), warnings=list(found["warnings"]))


def record_details(v: Vault, ref: str, sha256: str, found: Extracted,
                   warnings: list[str]) -> None:
    """Keep what was read (inside the caller's transaction): the item's details and its
    warnings (``warnings``: all of them, the import's and these), a custody event, the item
    queued for indexing, its job done."""
    item_id = int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])
    v.con.execute("UPDATE items SET metadata=?, warnings=? WHERE id=?",
                  (json.dumps(found.metadata), json.dumps(warnings), item_id))
    v.record(custody.METADATA_EXTRACTED, item=ref, sha256=sha256,
             details={"metadata": found.metadata, "warnings": found.warnings})
    queue_index(v, [item_id])
    v.con.execute("DELETE FROM text_jobs WHERE item_id=? AND kind=?", (item_id, KIND))


@dataclass
class DetailProgress:
    done: int
    total: int
    ref: str
    warnings: list[str] = field(default_factory=list)  # what reading this item found
    error: str = ""


def run_detail_jobs(v: Vault, cancel: Callable[[], bool] | None = None
                    ) -> Iterator[DetailProgress]:
    """Read the details of every item whose job waits, one at a time (the content decrypted
    and parsed outside the database lock, the result recorded in a short transaction). A job
    that fails is tried again later, up to :data:`MAX_TRIES` times; the others go on."""
    with v.db_lock:
        jobs = [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
                for r in v.con.execute(
                    "SELECT i.id, i.ref, i.oid, i.mime, i.sha256, i.warnings FROM text_jobs j "
                    "JOIN items i ON i.id = j.item_id WHERE j.kind=? AND j.tries < ? AND "
                    "i.status='present' ORDER BY j.queued, j.item_id", (KIND, MAX_TRIES))]
    for n, (item_id, ref, oid, mime, sha, stored) in enumerate(jobs, 1):
        if cancel is not None and cancel():
            return
        error = ""
        try:
            with v.db_lock:
                path, key = v.objects.path(oid), v.object_key(oid)
            found = read_details(v.parsers, path, oid, key, mime)
            with v.transaction():
                record_details(v, ref, sha, found, [*json.loads(stored), *found.warnings])
        except Exception as e:  # the environment (a full disk, a locked vault): again later
            error = f"{type(e).__name__}: {e}"
            with v.db_lock:
                v.con.execute("UPDATE text_jobs SET tries=tries+1, last_error=? WHERE "
                              "item_id=? AND kind=?", (error[:2000], item_id, KIND))
            found = Extracted()
        yield DetailProgress(n, len(jobs), ref, list(found.warnings), error)
