"""Receive: take a verified package into this vault, continuing each exhibit's custody.

Exhibits keep their SHA-256 and, where free in this vault, their reference. The sender's
signed history of each exhibit travels inside the receipt event (with the sender's custody
key), so it stays verifiable; the receipt itself (package id, signer fingerprint, the
verification result) starts this custodian's part of the chain.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from vault import PROGRAM
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.importer import ImportResult, Stored, import_paths, record_batch, store_chunks
from vault.evidence.mime import sniff
from vault.evidence.private_details import seal
from vault.packages.format import COURT
from vault.packages.safezip import HostileArchive, NotAnArchive, SafeZip
from vault.packages.verification import Verification
from vault.packages.verify import verify_package
from vault.signing.signers import KnownSigner, KnownSigners, dump, parse
from vault.store.atomic import sha256_file
from vault.store.objects import CHUNK_SIZE
from vault.store.vault import Vault


@dataclass
class Receipt:
    verification: Verification
    results: list[ImportResult] = field(default_factory=list)
    preserved_unverified: bool = False


VAULT_SIGNERS_SETTING = "known_signers"


def vault_signers(v: Vault) -> KnownSigners:
    """The signers this vault itself has confirmed (kept in its encrypted settings)."""
    text = v.setting(VAULT_SIGNERS_SETTING, "")
    return KnownSigners(parse(text.encode("utf-8"), "this vault's list") if text else [])


def confirm_in_vault(v: Vault, signer: KnownSigner) -> None:
    """Add ``signer`` to this vault's own list (a custody event records it)."""
    known = vault_signers(v)
    known.add(signer)
    with v.transaction():
        v.set_setting(VAULT_SIGNERS_SETTING, dump(known.signers).decode("utf-8"))
        v.record(custody.SIGNER_CONFIRMED, details=signer.to_dict())


def receive_package(v: Vault, path: Path, *, case: str | None = None,
                    keep_unverified: bool = False, signer: str | None = None,
                    known: Sequence[tuple[str, KnownSigners]] = (),
                    allow_unconfirmed: bool = False, trust_roots: Sequence[Any] = (),
                    crls: Sequence[Any] = (), source: IO[bytes] | None = None,
                    merge_other_signers: bool = False) -> Receipt:
    """Receive ``path``. Its signer must be confirmed (by ``signer``, a fingerprint given for
    this package, by one of the ``known`` lists, or by this vault's own list) unless
    ``allow_unconfirmed``: an intact package from an unknown signer is refused. ``source``:
    the package's bytes already open (an encrypted package decrypted in memory)."""
    verification = verify_package(path, signer=signer,
                                  known=[*known, ("this vault's list", vault_signers(v))],
                                  trust_roots=trust_roots, crls=crls, source=source)
    receipt = Receipt(verification)
    if verification.intact and not verification.signer_confirmed and not allow_unconfirmed:
        assert verification.signer is not None
        raise VaultError("the package is intact, but its signer is not confirmed; nothing was "
                         f"received. {verification.signer.sentence()} Confirm the signer, or "
                         "receive it with the unconfirmed signer allowed.")
    if not verification.verified:
        if not keep_unverified:
            raise VaultError(f"the package is NOT VERIFIED ({verification.reason}); nothing was "
                             "received. To keep it as evidence anyway, receive it as an "
                             "unverified item.")
        receipt.results = _preserve_unverified(v, path, case, verification)
        receipt.preserved_unverified = True
        return receipt
    if not merge_other_signers:
        conflicts = other_signers(v, verification)
        if conflicts:
            raise OtherSigner(conflicts, verification.signer_fingerprint)
    package_sha = sha256_file(path) if source is None else _sha256_of(source)
    excerpt = verification.custody
    assert excerpt is not None and excerpt.public_key is not None
    sender_lines = _sender_history(verification)
    batch: list[Stored] = []
    try:
        with SafeZip(path, strict=True, source=source) as z:
            for rec in verification.exhibits:
                name = f"{verification.top}/{rec['file']}"
                chunks = z.iter_chunks(name, CHUNK_SIZE, check_crc=False)  # SHA-256 below
                writer, sha, size, head = store_chunks(v, chunks)
                if sha != rec["sha256"]:
                    writer.abort()
                    raise VaultError(f"{rec['ref']} changed while being received; nothing was "
                                     "received")
                prov = _provenance(v, rec, verification, package_sha, path, case,
                                   sender_lines.get(str(rec["ref"]), []))
                prov["mime"] = sniff(head)
                private = {"original_path": f"{path.resolve()}!{rec['file']}",
                           "machine": socket.gethostname()}
                sealed, salt = seal(private)
                prov["private_sha256"] = sealed
                batch.append(Stored(path, writer, sha, size, prov["mime"], prov,
                                    list(rec.get("warnings") or []), ref=str(rec["ref"]),
                                    action=custody.RECEIVED_FROM_PACKAGE,
                                    private=(sealed, salt, private)))
            for name, want in {**verification.chronology_files,
                               **verification.court_files}.items():
                batch.append(_chronology_file(v, z, name, want, verification, package_sha,
                                              path, case))
        receipt.results = record_batch(v, batch, case)
        batch = []
        from vault.timestamps.stamping import (
            queue_head_safely,  # trusted time: queue only, no network
        )
        queue_head_safely(v)
    except (HostileArchive, NotAnArchive) as e:
        raise VaultError(f"the package changed after it was verified ({e}); nothing was "
                         "received") from e
    finally:
        for s in batch:
            s.writer.abort()
    return receipt


def _chronology_file(v: Vault, z: SafeZip, name: str, want: str, verification: Verification,
                     package_sha: str, path: Path, case: str | None) -> Stored:
    """One of the chronology's files (version 5) or court documents (version 6), kept as an
    item of its own: its bytes as signed, received from the package like the exhibits (it has
    no history of its own)."""
    chunks = z.iter_chunks(f"{verification.top}/{name}", CHUNK_SIZE, check_crc=False)
    writer, sha, size, head = store_chunks(v, chunks)
    if sha != want:
        writer.abort()
        raise VaultError(f"{name} changed while being received; nothing was received")
    kind = "court-" if name.startswith(COURT) else "chronology-"
    rec = {"ref": "", "name": kind + name.rsplit("/", 1)[-1], "file": name,
           "size": size, "sha256": sha}
    prov = _provenance(v, rec, verification, package_sha, path, case, [])
    prov["mime"] = sniff(head)
    private = {"original_path": f"{path.resolve()}!{name}", "machine": socket.gethostname()}
    sealed, salt = seal(private)
    prov["private_sha256"] = sealed
    return Stored(path, writer, sha, size, prov["mime"], prov, [],
                  action=custody.RECEIVED_FROM_PACKAGE, private=(sealed, salt, private))


class OtherSigner(VaultError):
    """Exhibits of this package are held already, received from a package that another key
    signed: never merged into their history without the user's say."""

    def __init__(self, conflicts: list[tuple[str, str, str]], signer: str) -> None:
        shown = "; ".join(f"{ref} (the package's {theirs}), received before from a package "
                          f"signed by {earlier}" for ref, theirs, earlier in conflicts[:5])
        super().__init__(f"this package is signed by {signer}, but the vault already holds "
                         f"some of its exhibits from a package signed by another key: {shown}. "
                         "Nothing was received; receive it anyway only if you know why the "
                         "signer differs")
        self.conflicts = conflicts


def other_signers(v: Vault, verification: Verification) -> list[tuple[str, str, str]]:
    """(this vault's reference, the exhibit's reference in the package, the earlier signer)
    for each exhibit held already from a package signed by another certificate."""
    from vault.packages.format import normalise_fingerprint

    mine = normalise_fingerprint(verification.signer_fingerprint)
    out: list[tuple[str, str, str]] = []
    with v.db_lock:
        for rec in verification.exhibits:
            row = v.con.execute("SELECT ref FROM items WHERE sha256=? ORDER BY id LIMIT 1",
                                (str(rec["sha256"]),)).fetchone()
            if row is None:
                continue
            for ev in v.events(str(row[0])):
                f = ev.fields
                if f.get("action") != custody.RECEIVED_FROM_PACKAGE or f.get("item") != row[0]:
                    continue
                earlier = str((f.get("details", {}).get("package") or {}).get(
                    "signer_fingerprint", ""))
                if earlier and normalise_fingerprint(earlier) != mine:
                    out.append((str(row[0]), str(rec["ref"]), earlier))
                    break
    return out


def _sender_history(verification: Verification) -> dict[str, list[dict[str, Any]]]:
    """Each exhibit's events exactly as the sender signed them (event, hash, signature)."""
    excerpt = verification.custody
    assert excerpt is not None
    out: dict[str, list[dict[str, Any]]] = {}
    for record in excerpt.records:
        item = record["event"].get("item")
        if item:
            out.setdefault(str(item), []).append(record)
    return out


def _provenance(v: Vault, rec: dict[str, Any], verification: Verification, package_sha: str,
                path: Path, case: str | None, history: list[dict[str, Any]]) -> dict[str, Any]:
    excerpt = verification.custody
    assert excerpt is not None
    return {
        "original_name": str(rec["name"]),
        "original_ref": str(rec["ref"]),
        "original_path": f"{path.name}!{rec['file']}",  # where on disk: kept private
        "size": int(rec["size"]),
        "sha256": str(rec["sha256"]),
        "case": case,
        "received": iso_utc(v.clock.now()),
        "received_from": f"evidence package {verification.package_id} signed by "
                         f"{verification.signer_fingerprint}",
        "imported_by": v.identity.to_dict(),
        "machine": v.machine,
        "program": PROGRAM,
        "modified": None,
        "created": None,
        "package": {"id": verification.package_id, "file": path.name, "sha256": package_sha,
                    "signer_fingerprint": verification.signer_fingerprint,
                    "sender_vault": excerpt.vault_id,
                    "sender_custody_key_fingerprint": excerpt.fingerprint,
                    "verification": {"verified": True, "checks": len(verification.checks),
                                     **_signer_record(verification)}},
        "sender_provenance": rec,
        "sender_history": history,
    }


def _preserve_unverified(v: Vault, path: Path, case: str | None,
                         verification: Verification) -> list[ImportResult]:
    results: list[ImportResult] = []
    for prog in import_paths(v, [path], case=case,
                             received_from=f"package that did NOT verify: {verification.reason}"):
        results.extend(prog.acknowledged)
    with v.transaction():
        for r in results:
            if r.ref:
                v.record(custody.UNVERIFIED_PRESERVED, item=r.ref, sha256=r.sha256, details={
                    "reason": verification.reason,
                    "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail}
                               for c in verification.checks]})
                r.warnings.append(f"NOT VERIFIED: {verification.reason}")
    return results


def _signer_record(verification: Verification) -> dict[str, Any]:
    """How the signer was confirmed when this package was received (or that it was not)."""
    verdict = verification.signer
    if verdict is None:
        return {}
    entry = verdict.confirmed_as
    return {"signer": {"status": verdict.status, "confirmed_by": verdict.confirmed_by,
                       **({"confirmed": entry.confirmed, "how": entry.how} if entry else {})}}


def _sha256_of(source: IO[bytes]) -> str:
    import hashlib

    h = hashlib.sha256()
    source.seek(0)
    while chunk := source.read(1 << 20):
        h.update(chunk)
    source.seek(0)
    return h.hexdigest()
