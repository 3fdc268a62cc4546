"""Import: every file is hashed and stored in one pass, then recorded, then read.

``import_paths`` is a generator (as napari runs long jobs): it yields :class:`Progress` and
accepts a ``cancel`` callable, so the CLI and the GUI drive it the same way. A file's result is
yielded as *acknowledged* only after the transaction that records it has committed; nothing
yielded as acknowledged is ever lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import mmap
import os
import socket
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault import PROGRAM
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import EnvironmentProblem
from vault.evidence.details import (
    CHILDREN,
    PARENT_MIMES,
    has_details,
    queue_details,
    read_details,
    record_details,
)
from vault.evidence.items import case_id, next_reference
from vault.evidence.metadata import Extracted
from vault.evidence.mime import sniff
from vault.evidence.private_details import keep, seal
from vault.search.index import queue_index
from vault.store.objects import CHUNK_SIZE, ObjectWriter
from vault.store.vault import Vault
from vault.timestamps.stamping import queue_head_safely

SNIFF_BYTES = 8192
IMPORTED, RECEIVED_AGAIN, FAILED = "imported", "received again", "failed"


@dataclass
class ImportResult:
    source: str
    status: str
    ref: str | None = None
    sha256: str | None = None
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    parent: str | None = None  # the item it was inside (an attachment's e-mail), if any


@dataclass
class Progress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    current: str = ""
    acknowledged: list[ImportResult] = field(default_factory=list)


@dataclass
class Stored:
    source: Path
    writer: ObjectWriter
    sha256: str
    size: int
    mime: str
    provenance: dict[str, Any]
    warnings: list[str]
    ref: str | None = None  # keep this reference if it is free (a received exhibit)
    action: str = custody.IMPORTED
    # (commitment, salt, record): what the vault keeps to itself (vault.evidence.private_details)
    private: tuple[str, bytes, dict[str, Any]] | None = None
    # the object's fsync and rename, already under way on another thread (an import): waited
    # for, as any commit, before the batch is recorded
    committing: Future[None] | None = None


def readable(s: str | os.PathLike[str]) -> str:
    """A name or path as text a person can read: its bytes as UTF-8 where they are, and any
    byte that is not (a Latin-1 name from an old Windows machine, a FAT stick, an old zip) as
    the Windows-1252 character it most likely was."""
    raw = os.fsencode(s)
    text = raw.decode("utf-8", "surrogateescape")
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        return text
    return "".join(bytes([ord(c) - 0xDC00]).decode("cp1252", "replace").replace(
        "\ufffd", bytes([ord(c) - 0xDC00]).decode("latin-1")) if 0xDC80 <= ord(c) <= 0xDCFF
        else c for c in text)


def exact_bytes(s: str | os.PathLike[str]) -> str | None:
    """The hex of a name's bytes as the system gave them, when they are not UTF-8 (None when
    they are: the text is then exact)."""
    raw = os.fsencode(s)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.hex()
    return None


def collect(paths: Iterable[str | os.PathLike[str]]
            ) -> tuple[list[tuple[Path, Path]], list[ImportResult]]:
    """Expand folders recursively, sorted. Links are followed, to files and to folders alike
    (the provenance records the link and its target); a folder reached twice (a link back to
    a folder already being imported) is named and not walked again. Nothing is skipped
    without a result that names it. Each file comes with what the user named that it was
    found under: a link is what lies between the two (links above it are the system's)."""
    files: list[tuple[Path, Path]] = []
    problems: list[ImportResult] = []
    seen: set[tuple[int, int]] = set()
    for p in map(Path, paths):
        if p.is_dir():
            def unreadable(e: OSError, top: Path = p) -> None:
                problems.append(ImportResult(readable(e.filename or top), FAILED,
                                             error=f"cannot read the folder: "
                                                   f"{e.strerror or e}"))

            for root, dirs, names in os.walk(p, followlinks=True, onerror=unreadable):
                try:
                    st = os.stat(root)
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) in seen:
                    problems.append(ImportResult(
                        readable(root), FAILED, error="a link to a folder already imported (a "
                        "loop, or the same folder twice): its files are imported once"))
                    dirs[:] = []
                    continue
                seen.add((st.st_dev, st.st_ino))
                dirs.sort()
                files.extend((Path(root) / n, p) for n in sorted(names))
        elif p.exists():
            files.append((p, p.parent))
        elif p.is_symlink():
            problems.append(ImportResult(readable(p), FAILED,
                                         error="a link whose target does not exist"))
        else:
            problems.append(ImportResult(readable(p), FAILED, error="no such file or folder"))
    kept = []
    for f, given in files:
        try:
            mode = f.stat().st_mode
        except OSError as e:
            why = "a link whose target does not exist" if f.is_symlink() else \
                (e.strerror or str(e))
            problems.append(ImportResult(readable(f), FAILED, error=why))
            continue
        if stat.S_ISREG(mode):
            kept.append((f, given))
        else:
            problems.append(ImportResult(readable(f), FAILED,
                                         error="not a regular file (a device, a pipe or a "
                                               "socket); not imported"))
    return kept, problems


def _fill(f: Any, buf: mmap.mmap) -> int:
    view = memoryview(buf)
    n = 0
    while n < len(buf):
        got = f.readinto(view[n:])
        if not got:
            break
        n += got
    view.release()
    return n


class _Cancelled(Exception):
    pass


def _iso_stat(ts: float) -> str:
    return iso_utc(dt.datetime.fromtimestamp(ts, dt.UTC))


class _Streamer:
    """Reads a source once into page-aligned buffers, hashing and encrypting each chunk."""

    def __init__(self) -> None:
        self._a = mmap.mmap(-1, CHUNK_SIZE)
        self._b = mmap.mmap(-1, CHUNK_SIZE)
        # SHA-256 lets go of the GIL: each chunk is hashed on another core while this thread
        # encrypts and writes it
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-hash")

    def close(self) -> None:
        self._hasher.shutdown(wait=True)

    def store(self, source: Path, writer: ObjectWriter, cancel: Callable[[], bool],
              on_bytes: Callable[[int], None]) -> tuple[str, int, bytes]:
        h = hashlib.sha256()
        total = 0
        # O_BINARY: on Windows a descriptor from os.open is in text mode unless told, and
        # reading it would turn CR LF into LF and stop at the first Ctrl-Z byte
        exact = os.O_RDONLY | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(source, exact | getattr(os, "O_NOATIME", 0))
        except PermissionError:  # O_NOATIME needs ownership of the file
            fd = os.open(source, exact)
        with open(fd, "rb", buffering=0) as f:
            cur, nxt = self._a, self._b
            n = _fill(f, cur)
            head = bytes(cur[: min(n, SNIFF_BYTES)])
            while True:
                if cancel():
                    raise _Cancelled
                m = _fill(f, nxt) if n == CHUNK_SIZE else 0
                view = memoryview(cur)[:n]
                hashed = self._hasher.submit(h.update, view)
                try:
                    writer.write_chunk(view, final=m == 0)
                finally:
                    hashed.result()  # before the buffer is read into again
                view.release()
                total += n
                on_bytes(n)
                if m == 0:
                    break
                cur, nxt, n = nxt, cur, m
        return h.hexdigest(), total, head


def import_paths(v: Vault, paths: Iterable[str | os.PathLike[str]], *, case: str | None = None,
                 received_from: str = "", cancel: Callable[[], bool] | None = None,
                 batch_files: int = 64, batch_seconds: float = 0.5, details: str = "wait",
                 ) -> Iterator[Progress]:
    """Import files and folders; yields progress, and each batch's results once committed.

    Each new item's details (PDF pages, EXIF: vault/evidence/details.py) are queued with the
    item itself, so their reading is never lost. With ``details="wait"`` they are read in the
    parser workers while the next batch is stored, and all of them before the generator ends;
    with ``"queue"`` nothing else competes with storing for the cores, and the reading is left
    to :func:`vault.evidence.details.run_detail_jobs` (the app and the command line run it
    after the import is acknowledged).
    """
    if details not in ("wait", "queue"):
        raise ValueError(details)
    cancel = cancel or (lambda: False)
    files, problems = collect(paths)
    sizes = []
    for f, _given in files:
        try:
            sizes.append(f.stat().st_size)
        except OSError:
            sizes.append(0)
    prog = Progress(0, len(files), 0, sum(sizes))
    if problems:
        prog.acknowledged = problems
        yield prog
    streamer = _Streamer()
    batch: list[Stored] = []
    started = time.monotonic()
    pending_bytes = 0
    # "queue": nothing competes with storing for the two cores; the details wait, queued
    reader = _MetadataReader(v, read=details == "wait")
    # Each stored object's fsync starts at once, on another thread, while the next file is
    # read, hashed and encrypted; the batch's record waits for them all (nothing is
    # acknowledged before its object is durable).
    durability = ThreadPoolExecutor(max_workers=1, thread_name_prefix="object-fsync")
    # and the next file's object is made on a thread of its own (never behind the fsyncs)
    creator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="object-create")

    def bytes_read(n: int) -> None:
        nonlocal pending_bytes
        pending_bytes += n

    def commit() -> None:
        nonlocal batch, started
        reader.record(wait=False)
        prog.acknowledged = record_batch(v, batch, case)
        queue_head_safely(v)  # trusted time after each batch: queued only, no network
        batch = []
        started = time.monotonic()
        reader.submit(prog.acknowledged)

    # the next file's object (a new key, its file opened) made on the other thread meanwhile
    ahead: Future[ObjectWriter] | None = None
    try:
        for source, given in files:
            prog.current = readable(source)
            writer = ahead.result() if ahead is not None else v.objects.writer()
            ahead = creator.submit(v.objects.writer)
            try:
                stored = _store_one(v, streamer, source, case, received_from, cancel, bytes_read,
                                    given, writer)
            except _Cancelled:
                break
            except (OSError, ValueError, UnicodeError) as e:
                # One file's problem never takes the batch down: it is named, the rest go on.
                why = f"cannot read: {e.strerror or e}" if isinstance(e, OSError) else \
                    f"could not be stored ({type(e).__name__}: {e})"
                prog.acknowledged = [ImportResult(readable(source), FAILED, error=why)]
                prog.files_done += 1
                yield prog
                continue
            stored.committing = durability.submit(stored.writer.commit)
            batch.append(stored)
            prog.files_done += 1
            prog.bytes_done += pending_bytes
            pending_bytes = 0
            if len(batch) >= batch_files or time.monotonic() - started >= batch_seconds:
                commit()
                yield prog
            elif prog.files_done % 16 == 0:
                prog.acknowledged = []
                yield prog
        if batch:
            commit()
            yield prog
        reader.record(wait=True)
        # Evidence inside evidence: attachments, a mailbox's messages, embedded files. Queued
        # with each parent ("children" jobs); "queue" leaves them to run_children_jobs.
        if reader.parents and details == "wait":
            from vault.evidence.children import run_children_jobs

            children: list[ImportResult] = []
            for child in run_children_jobs(v):
                children.append(child)
                if len(children) >= batch_files:
                    reader.submit(children, parents=False)
                    prog.acknowledged, children = children, []
                    yield prog
            if children:
                reader.submit(children, parents=False)
                prog.acknowledged = children
                yield prog
        if details == "wait":
            reader.record(wait=True)
        else:
            reader.finish()
        queue_head_safely(v)  # the metadata events too
    finally:
        reader.close()
        if ahead is not None:  # made for a file that never came
            with contextlib.suppress(Exception):
                ahead.result().abort()
        for s in batch:  # stored but never recorded (an error or the caller stopped): discard
            if s.committing is not None:
                with contextlib.suppress(Exception):
                    s.committing.result()
            s.writer.abort()
        durability.shutdown(wait=True)
        creator.shutdown(wait=True)
        streamer.close()


class _MetadataReader:
    """Has new items' details read by the parser workers (vault/parsers/pool.py: processes
    that hold no key), one thread per worker decrypting and waiting for them, and records
    what they found from the importing thread, which owns the database. Every item's job is
    in ``text_jobs`` from the moment it is recorded: what this reader does not finish waits
    there (vault/evidence/details.py)."""

    def __init__(self, v: Vault, *, read: bool = True) -> None:
        self._v = v
        self._read = read  # False: only note the items with items inside them
        self._parsers = v.parsers
        self._pool = ThreadPoolExecutor(max_workers=self._parsers.size,
                                        thread_name_prefix="metadata")
        self._pending: list[tuple[ImportResult, Future[Extracted]]] = []
        self.parents: list[str] = []  # imported items that may hold items of their own

    def submit(self, results: list[ImportResult], *, parents: bool = True) -> None:
        """Read these new items' details in the worker; note those with items inside them
        (their parts are made items at the end of the import; ``parents=False`` for items
        that were themselves made that way, which :mod:`vault.evidence.children` reads in turn)."""
        for r in results:
            if r.status != IMPORTED or r.ref is None:
                continue
            oid, mime = self._v.con.execute("SELECT oid, mime FROM items WHERE ref=?",
                                            (r.ref,)).fetchone()
            if parents and mime in PARENT_MIMES:
                self.parents.append(r.ref)
            if self._read and has_details(mime):
                path, key = self._v.objects.path(oid), self._v.object_key(oid)
                self._pending.append((r, self._pool.submit(read_details, self._parsers, path,
                                                           oid, key, mime)))

    def record(self, *, wait: bool) -> None:
        done = [(r, f) for r, f in self._pending
                if (wait or f.done()) and not f.cancelled()]
        if not done:
            return
        self._pending = [p for p in self._pending if p not in done]
        found = [(r, f.result()) for r, f in done]
        try:
            with self._v.transaction():
                for r, x in found:
                    r.warnings.extend(x.warnings)
                    record_details(self._v, str(r.ref), str(r.sha256), x, r.warnings)
        except EnvironmentProblem:
            pass  # the evidence is safe, its job still queued: its details are read later

    def finish(self) -> None:
        """Stop: what has not started stays queued for later; what is being read is waited
        for (at most one item per worker) and recorded."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.record(wait=False)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _store_one(v: Vault, streamer: _Streamer, source: Path, case: str | None,
               received_from: str, cancel: Callable[[], bool],
               on_bytes: Callable[[int], None], given: Path | None = None,
               writer: ObjectWriter | None = None) -> Stored:
    """Store one file; ``writer``: its object, already created (an import creates the next
    one on another thread while this one is stored)."""
    try:
        before = source.stat()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    writer = writer or v.objects.writer()
    try:
        sha, size, head = streamer.store(source, writer, cancel, on_bytes)
    except BaseException:
        writer.abort()
        raise
    received = iso_utc(v.clock.now())
    warnings: list[str] = []
    with contextlib.suppress(OSError):
        after = source.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) \
                or after.st_size != size:
            warnings.append("the file changed while it was being read; the bytes preserved "
                            "are exactly those read")
    mime = sniff(head)
    warnings.extend(content_warnings(source.name, mime, size))
    created = getattr(before, "st_birthtime", None)
    as_found = Path(os.path.abspath(source))
    target = source.resolve()
    # Reached through a link when the real path differs from the real path of what the user
    # named followed by the rest of the way (links above what was named are the system's).
    expected = Path(os.path.realpath(given)) / as_found.relative_to(os.path.abspath(given)) \
        if given is not None else target
    # Where it came from, as far as the other side needs it: below the folder that was
    # imported (the file's name, for a file). The absolute path and this computer's name stay
    # in the vault, sealed by a commitment in the signed record (vault.evidence.private_details).
    base = Path(os.path.abspath(given)) if given is not None else as_found.parent
    relative = as_found.relative_to(base) if as_found.is_relative_to(base) else \
        Path(as_found.name)
    private: dict[str, Any] = {"original_path": readable(as_found),
                               "machine": socket.gethostname()}
    provenance: dict[str, Any] = {
        "original_name": readable(source.name),
        "original_path": readable(relative.as_posix()),
        "size": size,
        "sha256": sha,
        "mime": mime,
        "modified": _iso_stat(before.st_mtime),
        "created": _iso_stat(created) if created else None,
        "case": case,
        "received": received,
        "received_from": received_from,
        "imported_by": v.identity.to_dict(),
        "machine": v.machine,
        "program": PROGRAM,
    }
    # Exact bytes where a name is not UTF-8; the link's target where one was followed.
    for key, value, into in (("original_name_bytes", exact_bytes(source.name), provenance),
                             ("original_path_bytes", exact_bytes(relative.as_posix()),
                              provenance),
                             ("original_path_bytes", exact_bytes(as_found), private)):
        if value is not None:
            into[key] = value
    if target != expected:
        provenance["reached_through_link"] = True
        private["link_target"] = readable(target)
        if exact_bytes(target) is not None:
            private["link_target_bytes"] = exact_bytes(target)
        warnings.append(f"reached through a link: the file is {readable(target)}")
    sealed, salt = seal(private)
    provenance["private_sha256"] = sealed
    return Stored(source, writer, sha, size, mime, provenance, warnings,
                  private=(sealed, salt, private))


# What a name's extension says the content is, for the commonest kinds of evidence.
_EXTENSIONS = {
    "pdf": ("application/pdf",), "jpg": ("image/jpeg",), "jpeg": ("image/jpeg",),
    "png": ("image/png",), "gif": ("image/gif",), "tif": ("image/tiff",),
    "tiff": ("image/tiff",), "heic": ("image/heic", "image/heif"), "webp": ("image/webp",),
    "txt": ("text/plain",), "eml": ("message/rfc822", "text/plain"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "application/zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "application/zip"),
    "zip": ("application/zip",),
}
_KINDS = {"application/pdf": "a PDF", "image/jpeg": "a JPEG picture", "image/png": "a PNG "
          "picture", "text/plain": "text", "application/zip": "a zip archive",
          "text/html": "an HTML page", "message/rfc822": "an e-mail"}


def content_warnings(name: str, mime: str, size: int) -> list[str]:
    """An empty file, and a name whose extension contradicts the content."""
    if size == 0:
        return ["the file is empty (0 bytes): preserved as received"]
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    expected = _EXTENSIONS.get(ext)
    if expected is None or mime in expected or mime == "application/octet-stream":
        return []
    return [f"its name ends in .{ext}, but its content is {_KINDS.get(mime, mime)}: the name "
            "may be wrong, or the file disguised"]


def _ref_taken(v: Vault, ref: str) -> bool:
    return v.con.execute("SELECT 1 FROM items WHERE ref=?", (ref,)).fetchone() is not None


def store_chunks(v: Vault, chunks: Iterator[bytes]) -> tuple[ObjectWriter, str, int, bytes]:
    """Store content arriving as ``CHUNK_SIZE`` pieces (the last may be short), hashing it in
    the same pass: (writer, sha256, size, first bytes). The caller records it."""
    writer = v.objects.writer()
    h = hashlib.sha256()
    size = 0
    head = b""
    try:
        cur = next(chunks, b"")
        head = cur[:SNIFF_BYTES]
        while True:
            nxt = next(chunks, None)
            h.update(cur)
            writer.write_chunk(cur, final=nxt is None)
            size += len(cur)
            if nxt is None:
                return writer, h.hexdigest(), size, head
            cur = nxt
    except BaseException:
        writer.abort()
        raise


def record_batch(v: Vault, batch: list[Stored], case: str | None, *,
                 also: Callable[[list[ImportResult]], None] | None = None
                 ) -> list[ImportResult]:
    """Make a batch of stored objects durable, then record them in one transaction;
    duplicates become 'received again'. ``also`` is called with the results inside that
    transaction, to record more events with them (a derivative's event on its original)."""
    for s in batch:  # fsyncs back to back let the file system group its journal commits
        if s.committing is not None:
            s.committing.result()  # started as the file was stored (an import)
        else:
            s.writer.commit()
    v.objects.sync()
    results: list[ImportResult] = []
    duplicates: list[ObjectWriter] = []
    with v.transaction():
        cid = case_id(v, case) if case else None
        for s in batch:
            # One item that cannot be recorded never takes the batch down: its own savepoint
            # is rolled back, it is named as failed, and its stored object is discarded.
            v.con.execute("SAVEPOINT one_item")
            try:
                _record_one(v, s, cid, results, duplicates)
            except (ValueError, TypeError) as e:  # a name or detail that cannot be recorded
                v.con.execute("ROLLBACK TO one_item")
                results.append(ImportResult(readable(s.source), FAILED, sha256=s.sha256,
                                            size=s.size, error="could not be recorded "
                                            f"({type(e).__name__}: {e}); nothing else was "
                                            "affected"))
                duplicates.append(s.writer)
            v.con.execute("RELEASE one_item")
        if also is not None:
            also(results)
    for w in duplicates:  # only after the commit: until then a crash must find them unreferenced
        w.abort()
    return results

def _record_one(v: Vault, s: Stored, cid: int | None, results: list[ImportResult],
                duplicates: list[ObjectWriter]) -> None:
    """Record one stored file (inside the batch's transaction)."""
    if s.private is not None:
        keep(v.con, *s.private)
    prov = json.dumps(s.provenance, sort_keys=True)
    row = v.con.execute("SELECT id, ref, status FROM items WHERE sha256=? ORDER BY id "
                        "LIMIT 1", (s.sha256,)).fetchone()
    if row is not None:
        item_id, ref, status = row
        kept = status == "present"
        details = dict(s.provenance)
        if not kept:
            details["stored"] = False
            details["note"] = "the item was purged; the new copy was not kept"
        ev = v.record(custody.RECEIVED_AGAIN, item=ref, sha256=s.sha256,
                      details=details, time=s.provenance["received"])
        v.con.execute("INSERT INTO provenance (item_id, seq, record) VALUES (?,?,?)",
                      (item_id, ev.seq, prov))
        if kept:  # a new provenance record to search
            queue_index(v, [int(item_id)])
        duplicates.append(s.writer)
        results.append(ImportResult(readable(s.source), RECEIVED_AGAIN, ref, s.sha256, s.size,
                                    list(s.warnings)))
        return
    ref = s.ref if s.ref and not _ref_taken(v, s.ref) else next_reference(v)
    v.con.execute("INSERT INTO objects (oid, key, chunk_size, size) VALUES (?,?,?,?)",
                  (s.writer.oid, s.writer.key, s.writer.chunk_size, s.size))
    cur = v.con.execute(
        "INSERT INTO items (ref, case_id, oid, sha256, size, name, mime, received, "
        "received_from, warnings) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (ref, cid, s.writer.oid, s.sha256, s.size, s.provenance["original_name"], s.mime,
         s.provenance["received"], s.provenance["received_from"],
         json.dumps(s.warnings)))
    ev = v.record(s.action, item=ref, sha256=s.sha256, details=s.provenance,
                  time=s.provenance["received"])
    v.con.execute("INSERT INTO provenance (item_id, seq, record) VALUES (?,?,?)",
                  (cur.lastrowid, ev.seq, prov))
    queue_index(v, [int(cur.lastrowid)])  # searchable once the index jobs run
    if has_details(s.mime):  # read by the parser workers, now or later: never lost
        queue_details(v, [int(cur.lastrowid)])
    if s.action == custody.IMPORTED and s.mime in PARENT_MIMES:  # what is inside it, too
        queue_details(v, [int(cur.lastrowid)], CHILDREN)
    results.append(ImportResult(readable(s.source), IMPORTED, ref, s.sha256, s.size,
                                list(s.warnings)))

