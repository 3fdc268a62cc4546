"""Evidence inside evidence: the attachments of an e-mail, the messages of a mailbox and the
files embedded in a PDF become items of their own (docs/vault-format.md, "Items inside
items"). The original stays one item, byte for byte; each part is a new item with its own
SHA-256 and a ``derived`` event naming the original, its SHA-256 and the part's place in it
(a ``derivative made`` event on the original names the new item). An attached e-mail is
read in its turn, to :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vault import PROGRAM
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.details import PARENT_MIMES
from vault.evidence.email_parts import EML, MBOX, Contents, Part, read_mbox, read_message
from vault.evidence.importer import IMPORTED, ImportResult, Stored, record_batch, store_chunks
from vault.evidence.items import Item, get_item
from vault.evidence.mime import sniff
from vault.evidence.outlook_msg import OLE, is_outlook, read_msg
from vault.store.objects import CHUNK_SIZE
from vault.store.vault import Vault

MAX_DEPTH = 5
MAX_ORIGINAL = 512 << 20
BATCH = 64
OPERATIONS = {EML: "attachment extracted", MBOX: "message extracted from a mailbox",
              "application/pdf": "embedded file extracted", OLE: "attachment extracted"}


def has_children(mime: str) -> bool:
    return mime in PARENT_MIMES


def contents(v: Vault, item: Item) -> Contents | None:
    """What is inside the item (None when nothing can be)."""
    if item.oid is None or item.size > MAX_ORIGINAL or not has_children(item.mime):
        return None
    with v.db_lock:
        key = v.object_key(item.oid)
    with v.objects.open(item.oid, key) as reader:
        data = b"".join(reader.iter_chunks())
    # Read in a parser worker (vault/parsers/pool.py), away from the keys.
    found, blob = v.parsers.run("contents", data, mime=item.mime)
    if found is None:
        return None
    out = Contents(headers=dict(found["headers"]), attachments=list(found["attachments"]),
                   warnings=list(found["warnings"]))
    at = 0
    for p in found["parts"]:
        out.parts.append(Part(blob[at:at + int(p["length"])], str(p["name"]),
                              str(p["content_type"]), dict(p["place"])))
        at += int(p["length"])
    return out


def contents_of(data: bytes, mime: str) -> Contents | None:
    """What is inside an e-mail, a mailbox, an Outlook message or a PDF (in a parser
    worker: vault/parsers/jobs.py)."""
    if mime == EML:
        return read_message(data)
    if mime == MBOX:
        return read_mbox(data)
    if mime == OLE:
        return read_msg(data)[0] if is_outlook(data) else None
    return pdf_embedded(data)


def pdf_embedded(data: bytes) -> Contents:
    """The files embedded in a PDF (attachments, a portfolio's documents)."""
    from vault.documents.mupdf_quiet import readable_pdf, take_messages
    from vault.documents.thumbnails import pdf_lock
    from vault.evidence.email_parts import MAX_PART_BYTES, MAX_PARTS

    out = Contents()
    with pdf_lock:
        with readable_pdf(data) as doc:
            if doc is None:
                return out
            for n, name in enumerate(doc.embfile_names(), 1):
                try:
                    info = doc.embfile_info(name)
                    size = int(info.get("size") or 0)
                    if size > MAX_PART_BYTES:
                        out.warnings.append(f"embedded file {name!r} is too large to extract; "
                                            "it stays inside the preserved PDF")
                        continue
                    payload = bytes(doc.embfile_get(name))
                except Exception as e:
                    out.warnings.append(f"embedded file {name!r} could not be read ({e})")
                    continue
                shown = str(info.get("filename") or info.get("ufilename") or name)
                out.attachments.append({"embedded": n, "name": shown, "size": len(payload)})
                if len(out.parts) < MAX_PARTS:
                    out.parts.append(Part(payload, shown, "", {"embedded_file": name,
                                                                "number": n}))
        take_messages()
    return out


def _stored(v: Vault, parent: Item, part: Part, operation: str, depth: int) -> Stored:
    chunks = iter([part.data[i:i + CHUNK_SIZE] for i in range(0, len(part.data), CHUNK_SIZE)]
                  or [b""])
    writer, sha, size, head = store_chunks(v, chunks)
    mime = sniff(head)
    where = ", ".join(f"{k} {val}" for k, val in part.place.items() if k != "content_type")
    details: dict[str, Any] = {
        "original_name": part.name, "original_path": f"{parent.ref} ({where})",
        "size": size, "sha256": sha, "mime": mime, "modified": None, "created": None,
        "case": parent.case, "received": iso_utc(v.clock.now()),
        "received_from": f"{operation} from {parent.ref}",
        "imported_by": v.identity.to_dict(), "machine": v.machine,
        "program": PROGRAM, "derived_from": parent.ref, "original_sha256": parent.sha256,
        "operation": operation, "settings": {**part.place, "depth": depth},
        "output_sha256": sha, "tools": {"python": sys.version.split()[0]},
    }
    return Stored(Path(f"{parent.ref} {where}"), writer, sha, size, mime, details, [],
                  action=custody.DERIVED)


def extract_children(v: Vault, refs: list[str], depth: int = 1) -> Iterator[ImportResult]:
    """Make items of what is inside each of ``refs`` (and, in turn, inside those), yielding
    each result once recorded."""
    if depth > MAX_DEPTH:
        return
    for ref in refs:
        with v.db_lock:
            parent = get_item(v, ref)
        try:
            found = contents(v, parent)
        except Exception as e:  # a hostile original must not stop the import
            found = Contents(warnings=[f"what is inside could not be read: "
                                       f"{type(e).__name__}: {e}"])
        if found is None or not found.parts:
            continue
        operation = OPERATIONS[parent.mime]
        made: list[str] = []
        for start in range(0, len(found.parts), BATCH):
            batch = [_stored(v, parent, p, operation, depth)
                     for p in found.parts[start:start + BATCH]]

            def on_parent(results: list[ImportResult], batch: list[Stored] = batch,
                          parent: Item = parent) -> None:
                for r, s in zip(results, batch, strict=True):
                    if r.ref is not None:
                        v.record(custody.DERIVATIVE_MADE, item=parent.ref, sha256=parent.sha256,
                                 details={**s.provenance, "derived_item": r.ref},
                                 links=[r.ref])

            try:
                with v.db_lock:
                    results = record_batch(v, batch, parent.case, also=on_parent)
            except BaseException:
                for s in batch:
                    s.writer.abort()
                raise
            for r in results:
                r.parent = parent.ref
                if r.status == IMPORTED and r.ref:
                    made.append(r.ref)
                yield r
        yield from extract_children(v, [r for r in made if _nested(v, r)], depth + 1)


def run_children_jobs(v: Vault, cancel: Callable[[], bool] | None = None
                      ) -> Iterator[ImportResult]:
    """Make the items inside every imported item whose ``children`` job waits (queued with
    it by the import), yielding each new item's result once recorded; the job is done when
    its item's parts are all recorded. One that fails is tried again later, up to
    MAX_TRIES times. A job cut short (a crash) is done again: the parts already made are then
    received again, none twice."""
    from vault.evidence.details import CHILDREN
    from vault.search.index import MAX_TRIES

    with v.db_lock:
        jobs = [(int(r[0]), str(r[1])) for r in v.con.execute(
            "SELECT i.id, i.ref FROM text_jobs j JOIN items i ON i.id = j.item_id WHERE "
            "j.kind=? AND j.tries < ? AND i.status='present' ORDER BY j.queued, j.item_id",
            (CHILDREN, MAX_TRIES))]
    for item_id, ref in jobs:
        if cancel is not None and cancel():
            return
        try:
            yield from extract_children(v, [ref])
        except (VaultError, OSError) as e:  # the environment: a full disk, a lock
            with v.db_lock:
                v.con.execute("UPDATE text_jobs SET tries=tries+1, last_error=? WHERE "
                              "item_id=? AND kind=?", (f"{type(e).__name__}: {e}"[:2000],
                                                      item_id, CHILDREN))
            continue
        with v.db_lock:
            v.con.execute("DELETE FROM text_jobs WHERE item_id=? AND kind=?",
                          (item_id, CHILDREN))


def _nested(v: Vault, ref: str) -> bool:
    with v.db_lock:
        return has_children(get_item(v, ref).mime)


def thread(v: Vault, ref: str) -> dict[str, list[str]]:
    """The e-mails this one answers (``in reply to``: its In-Reply-To, then its References)
    and those that answer it (``replies``), by their Message-IDs, among the vault's items."""
    with v.db_lock:
        rows = v.con.execute(
            "SELECT ref, json_extract(metadata, '$.email.message_id'), "
            "json_extract(metadata, '$.email.in_reply_to'), "
            "json_extract(metadata, '$.email.references') FROM items "
            "WHERE mime = ? AND status = 'present'", (EML,)).fetchall()
    by_id = {str(r[1]): str(r[0]) for r in rows if r[1]}
    mine = next((r for r in rows if r[0] == ref), None)
    if mine is None:
        return {"in reply to": [], "replies": []}
    answered = [by_id[i] for i in [mine[2], *str(mine[3] or "").split()]
                if i and i in by_id and by_id[i] != ref]
    replies = [str(r[0]) for r in rows if mine[1] and (r[2] == mine[1] or (
        r[3] and str(mine[1]) in str(r[3]).split())) and r[0] != ref]
    return {"in reply to": list(dict.fromkeys(answered)), "replies": replies}


def made_from(v: Vault, ref: str) -> list[tuple[str, str]]:
    """(reference, name) of the items made from what is inside ``ref``, in the order made."""
    out: list[tuple[str, str]] = []
    with v.db_lock:
        for ev in v.events(ref):
            f = ev.fields
            if f.get("item") == ref and f.get("action") == custody.DERIVATIVE_MADE and \
                    f.get("details", {}).get("operation") in OPERATIONS.values():
                details = f["details"]
                out.append((str(details.get("derived_item")),
                            str(details.get("original_name", ""))))
    return out


def read_email(v: Vault, ref: str) -> tuple[dict[str, str], str]:
    """The headers and body text of the e-mail item ``ref`` (decrypted in memory only)."""
    from vault.evidence.email_parts import message_view

    with v.db_lock:
        item = get_item(v, ref)
        if item.oid is None:
            return {}, ""
        key = v.object_key(item.oid)
    with v.objects.open(item.oid, key) as reader:
        data = b"".join(reader.iter_chunks())
    if item.mime == OLE:
        if not is_outlook(data):
            return {}, ""
        found, body = read_msg(data)
        return found.headers, body
    return message_view(data)
