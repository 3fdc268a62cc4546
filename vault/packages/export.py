"""Export: one signed evidence package (a zipped BagIt bag) for a selection of exhibits.

Layout and rules: docs/package-format.md. The same selection exported twice from an
unchanged vault gives identical payload files, so identical manifests: the exhibits' bytes,
the custody excerpt, the provenance records and the (deterministically signed) report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import threading
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vault import PROGRAM, __version__
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.custody.excerpt import keeps, make_excerpt
from vault.errors import IntegrityError, NotFound, VaultError
from vault.evidence.items import Item, get_item, list_items, provenance
from vault.packages.format import (
    BAG_INFO,
    BAGIT_TXT,
    CHRONOLOGY_LABEL,
    COUNT_LABELS,
    COURT_LABEL,
    CUSTODY_LOG,
    HOWTO,
    MANIFEST,
    NOTES_LABEL,
    PACKAGE_VERSION,
    PROVENANCE,
    REPORT,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    SIGNER_CERT,
    TAGMANIFEST,
    exhibit_kind,
    exhibit_path,
    format_bag_info,
    format_manifest,
    head_file,
    head_record_path,
    head_token_path,
    ref_key,
    ref_slug,
    safe_name,
    tsa_time,
)
from vault.packages.howto import how_to_verify
from vault.signing.cms import sign_detached
from vault.store.atomic import FollowedFile, replacing, sha256_file
from vault.store.objects import WRITE_PIECE
from vault.store.vault import Vault

if TYPE_CHECKING:
    from vault.chronology.shared import SharedChronology
    from vault.court.shared import SharedCourt


@dataclass
class ExportProgress:
    done_bytes: int
    total_bytes: int
    current: str


@dataclass
class ExportResult:
    path: Path
    package_id: str
    sha256: str
    certificate_fingerprint: str
    custody_fingerprint: str
    exhibits: list[str] = field(default_factory=list)
    encrypted: bool = False
    signature_timestamp: str | None = None  # the TSA's time on the signature, if stamped
    signature_tsa: str = ""  # which TSA (its certificate's subject)
    timestamp_waiting: bool = False  # no TSA answered: queued, attach it later (--attach)
    head_timestamps: int = 0  # custody-head tokens carried in the package


STAMP_TIMEOUT = 5.0
"""Seconds to wait for each TSA while exporting; past that the request is queued instead."""


@dataclass
class _SignatureToken:
    tsa: str  # the configured name
    url: str
    query: bytes
    response: bytes
    chain_pem: str
    gen_time: dt.datetime
    subject: str  # the TSA certificate's subject


def select(v: Vault, refs: list[str] | None, case: str | None, *,
           include_withdrawn: bool = False, include_sensitive: bool = False) -> list[Item]:
    """The items to export: the references named (withdrawn copies too: they were asked
    for), or the case's, without its withdrawn copies unless ``include_withdrawn``. Material
    on a sensitive schedule of unused material (docs/court-bundle.md) never goes with a
    case; named, it is refused unless ``include_sensitive``."""
    if bool(refs) == bool(case):
        raise VaultError("choose either exhibit references or a case to export")
    from vault.court.disclosure import sensitive_refs

    sensitive = sensitive_refs(v)
    items = [get_item(v, r) for r in refs] if refs else \
        [i for i in list_items(v, case) if (include_withdrawn or i.withdrawn is None)
         and i.ref not in sensitive]
    named = [f"{i.ref} ({sensitive[i.ref]})" for i in items if i.ref in sensitive]
    if named and not include_sensitive:
        raise VaultError(f"{', '.join(named)}: on the sensitive schedule of unused material, "
                         "which never goes into a package unless you choose to include it "
                         "(--include-sensitive)")
    if not items:
        raise NotFound(f"case {case!r} has no exhibits")
    if all(i.status != "present" for i in items):
        raise VaultError(f"{', '.join(i.ref for i in items)}: purged, their content no longer "
                         "exists to export")
    # A purged item goes as a record of its purge (no content), with its events.
    return sorted({i.ref: i for i in items}.values(), key=lambda i: ref_key(i.ref))


@dataclass
class ExportPreview:
    """What a package of a selection will let its recipient read (before it is made)."""

    originals: list[str] = field(default_factory=list)
    redacted: list[str] = field(default_factory=list)  # redacted copies
    other_copies: list[str] = field(default_factory=list)  # annotated copies, attachments
    redacted_with_original: list[tuple[str, str]] = field(default_factory=list)  # (copy, orig)
    notes: int = 0  # the investigator's notes and annotations on these exhibits
    purged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # withdrawn copies that go (asked for)
    withdrawn_left_out: list[str] = field(default_factory=list)  # the case's, left out
    sensitive_left_out: list[str] = field(default_factory=list)  # on a sensitive schedule
    court_exhibits: int = 0  # the case's standing exhibit marks (court documents can go)
    chronology_facts: int = 0  # the facts of the case's chronology (that can go with it)


def preview(v: Vault, *, refs: list[str] | None = None, case: str | None = None,
            include_withdrawn: bool = False, include_sensitive: bool = False) -> ExportPreview:
    """What exporting ``refs`` or ``case`` would include, for the summary shown before."""
    with v.db_lock:
        items = select(v, refs, case, include_withdrawn=include_withdrawn,
                       include_sensitive=include_sensitive)
        chosen = {i.ref for i in items}
        out = ExportPreview()
        if case and not refs:
            out.withdrawn_left_out = [i.ref for i in list_items(v, case)
                                      if i.withdrawn is not None and i.ref not in chosen]
            from vault.court.disclosure import sensitive_refs

            out.sensitive_left_out = sorted(set(sensitive_refs(v)) & {
                i.ref for i in list_items(v, case)}, key=ref_key)
            from vault.court.store import exhibits

            out.court_exhibits = len(exhibits(v, case))
            out.chronology_facts = int(v.con.execute(
                "SELECT count(*) FROM chron_facts f JOIN cases c ON c.id = f.case_id WHERE "
                "c.name=? AND f.removed=0", (case,)).fetchone()[0])
        for item in items:
            if item.withdrawn is not None:
                out.withdrawn.append(item.ref)
            receipts = provenance(v, item.ref)
            kind = exhibit_kind({"purged": item.status != "present", "receipts": receipts})
            if kind == "purged":
                out.purged.append(item.ref)
            elif kind == "original":
                out.originals.append(item.ref)
            elif kind == "redacted copy":
                out.redacted.append(item.ref)
                source = str(receipts[0]["derived_from"])
                if source in chosen:
                    out.redacted_with_original.append((item.ref, source))
            else:
                out.other_copies.append(item.ref)
            out.notes += sum(1 for e in v.events(item.ref)
                             if e.fields.get("action") in custody.WORKINGS
                             and e.fields.get("item") == item.ref)
    return out


def _zip_time(t: dt.datetime) -> tuple[int, int, int, int, int, int]:
    t = max(t, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


class _Bag:
    """Writes entries into the zip, under one top folder, remembering payload hashes."""

    LAG = 16  # chunks (of 1 MiB) the hashing may fall behind the writing

    def __init__(self, zf: zipfile.ZipFile, top: str, when: tuple[int, ...],
                 hasher: ThreadPoolExecutor | None = None,
                 follow: FollowedFile | None = None) -> None:
        self.zf, self.top, self.when = zf, top, when
        self.follow = follow  # the package's own SHA-256, taken behind the writing
        self.payload: dict[str, str] = {}
        self.tags: dict[str, bytes] = {}
        self.hasher = hasher  # hashes each chunk while this thread writes it (two cores)
        self._behind: deque[Future[None]] = deque()  # chunks given to the hasher, not done
        self._digests: dict[str, str | Future[str]] = {}

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.top}/{name}", date_time=self.when)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        info.flag_bits |= 0x800  # names are UTF-8
        return info

    def add(self, name: str, data: bytes) -> None:
        self.zf.writestr(self._info(name), data)
        if self.follow:
            self.follow.advance()
        if name.startswith("data/"):
            self.payload[name] = hashlib.sha256(data).hexdigest()
        else:
            self.tags[name] = data

    def add_stream(self, name: str, chunks: Iterator[bytes],
                   size: int) -> Generator[int, None, None]:
        """Write ``chunks`` as ``name``, yielding each chunk's length. Its SHA-256 may still
        be in the making when this returns: :meth:`settle` waits for every one."""
        h = hashlib.sha256()
        info = self._info(name)
        info.file_size = size
        self.payload[name] = ""  # its place in the manifest, filled by settle()
        with self.zf.open(info, "w", force_zip64=size >= 1 << 31) as out:
            for chunk in chunks:
                # SHA-256 and the write (with zipfile's CRC-32) both let go of the GIL: the
                # chunk is hashed on the other core while it is written, up to LAG behind
                if self.hasher is None:
                    h.update(chunk)
                else:
                    self._behind.append(self.hasher.submit(h.update, chunk))
                    while len(self._behind) > self.LAG:
                        self._behind.popleft().result()
                view = memoryview(chunk)
                for at in range(0, len(view), WRITE_PIECE):
                    piece = view[at:at + WRITE_PIECE]
                    if self.follow:
                        self.follow.writing(piece)
                    out.write(piece)
                yield len(chunk)
        if self.follow:  # the entry is closed: its header rewritten, all before it final
            self.follow.advance()
        self._digests[name] = self.hasher.submit(h.hexdigest) if self.hasher else h.hexdigest()

    def settle(self) -> dict[str, str]:
        """Wait for the streamed entries' SHA-256s; returns them by name (and puts them in
        the manifest)."""
        done = {n: d if isinstance(d, str) else d.result() for n, d in self._digests.items()}
        self.payload.update(done)
        self._behind.clear()
        self._digests.clear()
        return done


def export_package(v: Vault, out: Path, *, refs: list[str] | None = None,
                   case: str | None = None, recipient: str = "",
                   encrypt_to: str | None = None, passphrase: str | None = None,
                   cancel: Callable[[], bool] | None = None, stamp: bool = True,
                   stamp_timeout: float = STAMP_TIMEOUT, notes: bool = False,
                   include_withdrawn: bool = False, chronology: Sequence[str] = (),
                   include_sensitive: bool = False, court: Sequence[str] = (),
                   ) -> Iterator[ExportProgress | ExportResult]:
    """Write the package to ``out`` (``out.age`` when encrypted to an age public key or to a
    passphrase); yields progress, then the :class:`ExportResult`. Nothing appears under the
    final name until the package is whole; cancelling or failing leaves nothing.

    With ``stamp`` and a TSA turned on, the signature is sent once to each enabled TSA in
    turn (``stamp_timeout`` seconds each) until one answers with a good token, which goes
    into the package; when none does, the request is queued and the package is written
    without it (``evidence-vault stamp VAULT --attach PACKAGE`` adds it later).

    The investigator's notes and annotations go only with ``notes`` (they may be privileged:
    their events are left out of the excerpt, which still verifies). A case's withdrawn copies
    go only with ``include_withdrawn``. Material on a sensitive schedule never goes with a
    case, and a named one only with ``include_sensitive``.

    ``chronology``: tables of the case's chronology to include (docs/package-format.md,
    version 5), with every exhibit they cite; refused when one is not in the selection, or
    when a table would name someone behind a pseudonym."""
    cancel = cancel or (lambda: False)
    items = select(v, refs, case, include_withdrawn=include_withdrawn,
                   include_sensitive=include_sensitive)
    shared = _shared_chronology(v, case, list(chronology), items) if chronology else None
    court_files = _shared_court(v, case, list(court), items) if court else None
    if encrypt_to is not None and passphrase is not None:
        raise VaultError("encrypt to an age public key or to a passphrase, not both")
    encrypt = _encryption(encrypt_to, passphrase)
    if passphrase is not None and v.is_passphrase(passphrase):
        raise VaultError("the package passphrase is this vault's own passphrase: whoever gets "
                         "the package could then open the vault. Choose another one, and "
                         "send it by another route than the package")
    target = out.with_name(out.name + ".age") if encrypt and out.suffix != ".age" else out
    if target.exists():
        raise VaultError(f"{target} already exists; choose another name")
    if not target.parent.is_dir():
        raise VaultError(f"the folder {target.parent} does not exist")
    from vault.timestamps.stamping import (
        queue_head_safely,  # trusted time: the head before the export
    )
    queue_head_safely(v)  # queued only, no network (docs/timestamps.md)
    package_id = str(uuid.uuid4())
    top = safe_name(target.name.removesuffix(".age").removesuffix(".zip"))
    writer = _Writer(v, items, top, package_id, recipient, case, cancel, notes=notes,
                     chronology=shared, court=court_files)
    if stamp:
        from vault.timestamps.stamping import list_tsas
        writer.tsas = [t for t in list_tsas(v) if t.enabled]
        writer.stamp_timeout = stamp_timeout
    with replacing(target) as f:
        if encrypt:
            yield from _encrypting(writer, f, encrypt)
            digest = ""
        else:
            follow = FollowedFile(f)
            try:
                yield from writer.write(f, follow)
            except BaseException:
                follow.abandon()
                raise
            digest = follow.finish()
    digest = digest or sha256_file(target)
    encrypted_to = encrypt_to.strip() if encrypt_to else "passphrase" if passphrase else None
    with v.transaction():
        v.record(custody.EXPORTED, links=[i.ref for i in items], details={
            "package_id": package_id, "package_sha256": digest, "file": target.name,
            "recipient": recipient, "items": [i.ref for i in items], "case": case,
            "encrypted_to": encrypted_to, "notes": "included" if notes else "left out",
            **({"chronology": shared.tables} if shared else {}),
            **({"court": court_files.documents} if court_files else {})})
    token = writer.token
    if writer.signature is not None and writer.tsas:
        _keep_signature_token(v, package_id, writer.signature, token)
    yield ExportResult(target, package_id, digest, v.certificate_fingerprint(), v.fingerprint(),
                       [i.ref for i in items], encrypt is not None,
                       signature_timestamp=tsa_time(token.gen_time) if token else None,
                       signature_tsa=token.subject if token else "",
                       timestamp_waiting=bool(writer.tsas) and token is None,
                       head_timestamps=writer.head_token_count)


def _keep_signature_token(v: Vault, package_id: str, signature: bytes,
                          token: _SignatureToken | None) -> None:
    """Queue the signature for stamping, with the token got during the export if any (so
    ``stamp`` does not ask that TSA again, and ``--attach`` finds it)."""
    from vault.timestamps.stamping import SIGNATURE_KIND, queue

    rid = queue(v, SIGNATURE_KIND, package_id, signature)
    if token is None:
        return
    local = v.clock.now()
    with v.transaction():
        v.con.execute(
            "INSERT INTO stamp_tokens (request_id, tsa, url, query, response, chain_pem, "
            "gen_time, local_time, skew_seconds) VALUES (?,?,?,?,?,?,?,?,?)",
            (rid, token.tsa, token.url, token.query, token.response, token.chain_pem,
             iso_utc(token.gen_time), iso_utc(local),
             (local - token.gen_time).total_seconds()))
        v.con.execute("UPDATE stamp_requests SET last_try=?, last_error='' WHERE id=?",
                      (iso_utc(local), rid))


def _stamp_signature(tsas: list[Any], signature: bytes,
                     timeout: float) -> _SignatureToken | None:
    """One try per enabled TSA, in order; the first good token wins. Never raises for a TSA."""
    from vault.timestamps import tsp

    for t in tsas:
        query = tsp.make_query(signature)
        try:
            answer = tsp.send_query(t.url, query, timeout=timeout)
        except VaultError:
            continue
        roots = x509.load_pem_x509_certificates(t.ca_pem.encode("ascii"))
        check = tsp.check_response(answer, signature, roots, nonce=query.nonce)
        if check.ok and check.trusted and check.gen_time is not None:
            return _SignatureToken(t.name, t.url, query.der, answer, check.chain_pem,
                                   check.gen_time, check.tsa)
    return None


Encrypt = Callable[[IO[bytes], IO[bytes]], None]


def _encryption(encrypt_to: str | None, passphrase: str | None) -> Encrypt | None:
    """How to encrypt the zip stream, checked before anything is written."""
    if passphrase is not None:
        from vault.packages.age_passphrase import encrypt_stream
        from vault.store.passphrase import require_strong

        require_strong(passphrase)
        return lambda src, dst: encrypt_stream(src, dst, passphrase)
    if encrypt_to is None:
        return None
    import pyrage

    try:
        recipients = [pyrage.x25519.Recipient.from_str(encrypt_to.strip())]
    except Exception:
        raise VaultError("that is not an age public key (age1...)") from None
    return lambda src, dst: pyrage.encrypt_io(src, dst, recipients)


def _encrypting(writer: _Writer, f: IO[bytes], encrypt: Encrypt) -> Iterator[ExportProgress]:
    """Stream the zip through age: the plaintext package never touches the disk. The zip is
    written in one thread, encrypted in another; progress is passed on as it comes."""
    r, w = os.pipe()
    errors: list[BaseException] = []
    steps: queue.SimpleQueue[ExportProgress | None] = queue.SimpleQueue()

    def produce() -> None:
        try:
            with open(w, "wb") as pipe:
                for step in writer.write(pipe):
                    steps.put(step)
        except BaseException as e:  # handed to the caller below
            errors.append(e)
        finally:
            steps.put(None)

    def consume() -> None:
        try:
            with open(r, "rb") as pipe:  # closing it stops a writer whose reader failed
                encrypt(pipe, f)
        except BaseException as e:
            errors.append(e)

    abandoned = threading.Event()  # the caller closed this generator: stop the writer
    cancel = writer.cancel
    writer.cancel = lambda: abandoned.is_set() or cancel()
    threads = [threading.Thread(target=produce, name="package-writer"),
               threading.Thread(target=consume, name="package-encrypter")]
    for t in threads:
        t.start()
    try:
        while (step := steps.get()) is not None:
            yield step
    finally:
        abandoned.set()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def _shared_chronology(v: Vault, case: str | None, tables: list[str], items: list[Item]
                       ) -> SharedChronology:
    """The chronology's files for the package, made as of its last change (so the same
    chronology exported again gives the same bytes); every exhibit it cites must go too."""
    from vault.chronology.shared import last_change, shared_chronology

    if not case:
        raise VaultError("a chronology belongs to a case: export the case to include it")
    made = last_change(v, case) or v.clock.now()
    shared = shared_chronology(v, case, tables, made)
    held = {i.ref for i in items if i.status == "present"}
    missing = [r for r in shared.cited if r not in held]
    if missing:
        raise VaultError(f"the chronology cites {', '.join(missing)}, which "
                         f"{'is' if len(missing) == 1 else 'are'} not in this package (left "
                         "out, withdrawn or purged): include "
                         f"{'it' if len(missing) == 1 else 'them'}, or leave the chronology "
                         "out")
    return shared


def _shared_court(v: Vault, case: str | None, documents: list[str], items: list[Item]
                  ) -> SharedCourt:
    """The court documents for the package (version 6); every exhibit they name must go."""
    from vault.court.shared import shared_court

    if not case:
        raise VaultError("court documents belong to a case: export the case to include them")
    return shared_court(v, case, documents, {i.ref for i in items if i.status == "present"})


class _Writer:
    def __init__(self, v: Vault, items: list[Item], top: str, package_id: str, recipient: str,
                 case: str | None, cancel: Callable[[], bool], *, notes: bool,
                 chronology: SharedChronology | None = None,
                 court: SharedCourt | None = None) -> None:
        self.chronology = chronology
        self.court = court
        self.v, self.items, self.top, self.package_id = v, items, top, package_id
        self.recipient, self.case, self.cancel, self.notes = recipient, case, cancel, notes
        refs = [i.ref for i in items]
        self.events = list(v.events())
        self.excerpt = make_excerpt(self.events, refs, notes=notes)
        wanted = set(refs)
        kept = [e for e in self.events if keeps(e, wanted, notes=notes)]
        self.timelines: dict[str, list[dict[str, Any]]] = {}
        for e in kept:
            if e.fields.get("item"):
                self.timelines.setdefault(e.fields["item"], []).append(e.fields)
        self.as_of = dt.datetime.fromisoformat(kept[-1].fields["time"].replace("Z", "+00:00"))
        self.head = f"{kept[-1].seq} {kept[-1].hash}"  # pins the excerpt's end (no truncation)
        self.head_files = self._head_timestamps(kept)
        self.head_token_count = sum(n.endswith(".tsr") for n in self.head_files)
        self.tsas: list[Any] = []  # the enabled TSAs to stamp the signature (none: no stamp)
        self.stamp_timeout = STAMP_TIMEOUT
        self.signature: bytes | None = None
        self.token: _SignatureToken | None = None
        self.signer = v.identity.to_dict()
        self.certificate_fingerprint = v.certificate_fingerprint()
        self.custody_fingerprint = v.fingerprint()

    def _head_timestamps(self, kept: list[custody.Event]) -> dict[str, bytes]:
        """The stored custody-head tokens the excerpt can confirm (their event is in it, or
        ends one of its omitted ranges, with the same hash, at or before its head), as
        package files: the head record, then each TSA's token and chain."""
        from vault.timestamps.stamping import head_tokens

        hashes = {e.seq: e.hash for e in self.events}
        seqs = {e.seq for e in kept}
        seqs |= {e.seq - 1 for e in kept[1:] if e.seq - 1 not in seqs}
        files: dict[str, bytes] = {}
        for t in head_tokens(self.v):
            try:
                seq_s, h = t.subject.split(" ")
                seq = int(seq_s)
            except ValueError:
                continue
            record = t.message
            if seq not in seqs or hashes.get(seq) != h or record not in custody.head_records(
                    self.v.vault_id, seq, h, self.v.fingerprint()):
                continue
            files[head_record_path(seq)] = record
            files[head_token_path(seq, t.tsa)] = t.response
            files[head_token_path(seq, t.tsa) + ".crt"] = t.chain_pem.encode("ascii")
        return dict(sorted(files.items(), key=lambda kv: _head_order(kv[0])))

    def write(self, f: IO[bytes],
              follow: FollowedFile | None = None) -> Iterator[ExportProgress]:
        """Write the zip to ``f``, yielding progress after every chunk of every exhibit
        (``follow``: told as each entry is final)."""
        v = self.v
        present = [i for i in self.items if i.status == "present"]
        total, done = sum(i.size for i in present), 0
        key_der, cert_der = v.signing_material()
        records = {i.ref: self._record(i) for i in present}
        keys = v.object_keys([i.oid for i in present if i.oid is not None])
        # The signed exhibit list is made from the records on a thread of its own while the
        # exhibits are written (it uses the SHA-256s recorded at import: each exhibit is
        # checked against its own below, and any difference stops the export).
        reporter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-report")
        report = reporter.submit(self._report, [
            {**records[i.ref], "timeline": self.timelines.get(i.ref, [])} for i in present],
            key_der, cert_der)
        reporter.shutdown(wait=False)  # a failed or cancelled export does not wait for it
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-hash") as hasher:
            bag = _Bag(zf, self.top, _zip_time(self.as_of), hasher, follow)
            expected: dict[str, Item] = {}  # each exhibit's file: the item it must match
            for item in self.items:
                if item.status != "present":
                    bag.add(f"{PROVENANCE}{ref_slug(item.ref)}.json",
                            custody.canonical(self._purged_record(item)))
                    continue
                name = records[item.ref]["file"]
                assert item.oid is not None
                with v.objects.open(item.oid, keys[item.oid]) as reader:
                    stream = bag.add_stream(name, reader.iter_chunks(), item.size)
                    try:
                        for n in stream:
                            if self.cancel():
                                raise VaultError("export cancelled; nothing was written")
                            done += n
                            yield ExportProgress(done, total, name)
                    finally:
                        stream.close()  # its zip entry, before the zip closes
                expected[name] = item
                bag.add(f"{PROVENANCE}{ref_slug(item.ref)}.json",
                        custody.canonical(records[item.ref]))
            for name, digest in bag.settle().items():
                if digest != expected[name].sha256:
                    raise IntegrityError(f"{expected[name].ref}: stored content does not match "
                                         "its SHA-256; run check. Nothing was exported.")
            for name, data in (self.chronology.files.items() if self.chronology else ()):
                bag.add(name, data)
            for name, data in (self.court.files.items() if self.court else ()):
                bag.add(name, data)
            bag.add(CUSTODY_LOG, self.excerpt)
            for name, data in self.head_files.items():
                bag.add(name, data)
            bag.add(REPORT, report.result())
            self._tag_files(bag, key_der, cert_der)

    def _record(self, item: Item) -> dict[str, Any]:
        """An exhibit's provenance record (docs/package-format.md)."""
        return {"ref": item.ref, "name": item.name, "file": exhibit_path(item.ref, item.name),
                "size": item.size, "sha256": item.sha256, "mime": item.mime, "case": item.case,
                "receipts": provenance(self.v, item.ref), "metadata": item.metadata,
                "warnings": item.warnings}

    def _purged_record(self, item: Item) -> dict[str, Any]:
        """The record of an item purged before the export: what it was, and its purge."""
        purge: dict[str, Any] = next((e for e in reversed(self.timelines.get(item.ref, []))
                                      if e.get("action") == custody.PURGED), {})
        return {"ref": item.ref, "name": item.name, "file": None, "size": item.size,
                "sha256": item.sha256, "mime": item.mime, "case": item.case,
                "receipts": provenance(self.v, item.ref), "purged": True,
                "purge_reason": (purge.get("details") or {}).get("reason", ""),
                "purged_at": purge.get("time", ""), "purge_event": purge.get("seq")}

    def _report(self, exhibits: list[dict[str, Any]], key_der: bytes, cert_der: bytes) -> bytes:
        """The signed exhibit list (on the report thread: it reads nothing from the vault)."""
        from vault.packages.report import ReportData, build_report, sign_report

        data = ReportData(case=self.case or "", signer=self.signer,
                          certificate_fingerprint=self.certificate_fingerprint,
                          custody_fingerprint=self.custody_fingerprint, as_of=self.as_of,
                          exhibits=exhibits)
        return sign_report(build_report(data), key_der, cert_der, self.as_of)

    def _summary(self) -> list[tuple[str, str]]:
        """The summary (version 4): the exhibits by kind, and whether notes go; the
        chronology's tables (version 5)."""
        counts = dict.fromkeys(COUNT_LABELS, 0)
        for item in self.items:
            counts[exhibit_kind({"purged": item.status != "present",
                                 "receipts": provenance(self.v, item.ref)})] += 1
            if item.status == "present" and any(
                    e.get("action") == custody.COPY_WITHDRAWN
                    for e in self.timelines.get(item.ref, [])):
                counts["withdrawn"] += 1
        return [(NOTES_LABEL, "included" if self.notes else "left out"),
                *((label, str(counts[kind])) for kind, label in COUNT_LABELS.items()),
                (CHRONOLOGY_LABEL, ", ".join(self.chronology.tables) if self.chronology
                 else "none"),
                (COURT_LABEL, ", ".join(self.court.documents) if self.court else "none")]

    def _tag_files(self, bag: _Bag, key_der: bytes, cert_der: bytes) -> None:
        ident = self.v.identity
        infos = {i.filename: i.file_size for i in bag.zf.infolist()}
        payload_bytes = sum(infos[f"{self.top}/{p}"] for p in bag.payload)
        fingerprint = self.v.certificate_fingerprint()
        bag.add("bagit.txt", BAGIT_TXT)
        bag.add(BAG_INFO, format_bag_info([
            ("Source-Organization", ident.organisation),
            ("Contact-Name", ident.name),
            ("Contact-Email", ident.email),
            ("External-Identifier", self.case or ""),
            ("Bagging-Date", self.v.clock.now().strftime("%Y-%m-%d")),
            ("Payload-Oxum", f"{payload_bytes}.{len(bag.payload)}"),
            ("Bag-Software-Agent", PROGRAM),
            ("Evidence-Vault-Package-Version", PACKAGE_VERSION),
            ("Evidence-Vault-Program-Version", __version__),
            ("Evidence-Vault-Package-Id", self.package_id),
            ("Evidence-Vault-Signer-Fingerprint", fingerprint),
            ("Evidence-Vault-Custody-Key-Fingerprint", self.v.fingerprint()),
            ("Evidence-Vault-Recipient", self.recipient),
            ("Evidence-Vault-Custody-As-Of", iso_utc(self.as_of)),
            ("Evidence-Vault-Custody-Head", self.head),
            *self._summary(),
        ]))
        bag.add(MANIFEST, format_manifest(bag.payload))
        tokens = [p for p in bag.payload if (f := head_file(p)) is not None and f[1] == "tsr"]
        bag.add(HOWTO, how_to_verify(self.top, fingerprint, tokens).encode("utf-8"))
        tagmanifest = format_manifest({n: hashlib.sha256(d).hexdigest()
                                       for n, d in bag.tags.items()})
        bag.add(TAGMANIFEST, tagmanifest)
        self.signature = sign_detached(tagmanifest, key_der, cert_der)
        bag.add(SIGNATURE, self.signature)
        cert = x509.load_der_x509_certificate(cert_der)
        bag.add(SIGNER_CERT, cert.public_bytes(serialization.Encoding.PEM))
        if self.tsas:  # outside the tag manifest, like the signature it stamps
            self.token = _stamp_signature(self.tsas, self.signature, self.stamp_timeout)
            if self.token is not None:
                bag.add(SIGNATURE_TOKEN, self.token.response)
                bag.add(SIGNATURE_TOKEN_CERTS, self.token.chain_pem.encode("ascii"))


def _head_order(name: str) -> tuple[int, str]:
    parsed = head_file(name)
    return (parsed[0] if parsed else 0, name)
