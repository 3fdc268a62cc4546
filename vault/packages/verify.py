"""Verify an evidence package: full validation, never a size-only check.

This path imports neither Qt nor PyMuPDF, so a solicitor can run it from a small install.
Nothing is extracted: every entry is streamed out of the (vetted) zip and hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from vault.clock import duration
from vault.custody.excerpt import VerifiedExcerpt, verify_excerpt
from vault.custody.history import (
    History,
    HistoryResult,
    compare_history,
    history_from_events,
    history_from_excerpt,
)
from vault.custody.log import (
    COPY_WITHDRAWN,
    PURGED,
    RECEIPTS,
    WORKINGS,
    event_instant,
    head_records,
    times_backwards,
)
from vault.errors import VaultError
from vault.packages.format import (
    BAG_INFO,
    BAGIT_TXT,
    COUNT_LABELS,
    CUSTODY_LOG,
    EXHIBITS,
    HEAD_TIMESTAMPS,
    MANIFEST,
    MAX_TAG_FILE,
    NOTES_LABEL,
    NOTES_VALUES,
    PROVENANCE,
    READABLE_VERSIONS,
    REQUIRED_TAGS,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    SIGNER_CERT,
    TAGMANIFEST,
    exhibit_kind,
    head_file,
    known_name,
    normalise_fingerprint,
    parse_bag_info,
    parse_manifest,
    ref_key,
    ref_slug,
    tsa_time,
)
from vault.packages.safezip import HostileArchive, NotAnArchive, SafeZip
from vault.signing.certs import cert_fingerprint
from vault.signing.cms import CmsError, verify_detached
from vault.signing.signers import KnownSigner, KnownSigners, SignerVerdict, judge
from vault.timestamps import tsp

if TYPE_CHECKING:
    from vault.store.vault import Vault


class NotAPackage(VaultError):
    exit_code = 3


# The three results of a verification (docs/package-format.md, "Who signed").
VERIFIED_CONFIRMED = "verified"  # intact, and signed by a signer confirmed on this computer
INTACT_UNCONFIRMED = "signer not confirmed"  # intact, but who signed is not known
NOT_INTACT = "not verified"  # something was changed, added or removed, or does not agree


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class TrustedTime:
    """One RFC 3161 token in a package, once it checked out (imprint and TSA signature)."""
    what: str  # "custody head" or "signature"
    seq: int | str  # the custody head's seq, or "signature"
    tsa: str  # the TSA certificate's subject
    gen_time: str  # the TSA's time, ISO 8601 UTC (…Z)
    trusted: bool  # the TSA chains to a trusted root (bundled or passed in)
    warning: str = ""  # why not trusted, or a clock warning; "" if none

    def describe(self) -> str:
        subject = (f"custody head {self.seq}" if self.what == "custody head"
                   else "the package signature")
        note = "" if self.trusted else " — UNTRUSTED"
        return f"{subject} existed by {self.gen_time} (TSA: {self.tsa}){note}"


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    package_id: str = ""
    case: str = ""
    signer_fingerprint: str = ""
    custody_fingerprint: str = ""
    bag_info: dict[str, str] = field(default_factory=dict)
    exhibits: list[dict[str, Any]] = field(default_factory=list)
    purged: list[dict[str, Any]] = field(default_factory=list)  # records of purged items
    custody: VerifiedExcerpt | None = None
    top: str = ""
    history: HistoryResult | None = None  # with ``previous``: the comparison with it
    timestamps: list[TrustedTime] = field(default_factory=list)  # every token that checked out
    warnings: list[str] = field(default_factory=list)  # non-fatal: untrusted TSA, clock skew
    signer_name: str = ""  # the signing certificate's subject: CN, O (anyone can write these)
    signer_organisation: str = ""
    signer: SignerVerdict | None = None  # who signed, as far as this computer knows
    signer_certificate: x509.Certificate | None = None
    # The package-signing certificates the custody log names, oldest first (event 1's, then
    # each `signing certificate changed`): the last must be the one that signed.
    certificate_history: list[str] = field(default_factory=list)
    revoked: str = ""  # why the signer's certificate is revoked ("" when it is not)
    # Version 4's summary: "included" or "left out" (the investigator's notes and
    # annotations), "" before version 4; the exhibits withdrawn by the sender (references).
    notes: str = ""
    withdrawn: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Every check passed: nothing added, removed or changed since it was signed, and the
        signature, custody log and timestamps agree. Says nothing of *who* signed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    # The package-level checks (receive, history) ask whether the bytes can be relied on.
    verified = intact

    @property
    def signer_confirmed(self) -> bool:
        return self.signer is not None and self.signer.confirmed

    @property
    def outcome(self) -> str:
        """One of the three results: VERIFIED_CONFIRMED, INTACT_UNCONFIRMED, NOT_INTACT."""
        if not self.intact:
            return NOT_INTACT
        return VERIFIED_CONFIRMED if self.signer_confirmed else INTACT_UNCONFIRMED

    @property
    def reason(self) -> str:
        failed = [c for c in self.checks if not c.ok]
        return f"{failed[0].name}: {failed[0].detail}" if failed else ""

    def headline(self) -> str:
        if self.outcome == NOT_INTACT:
            return f"NOT VERIFIED: {self.reason}"
        who = self.signer_name or "an unnamed signer"
        if self.outcome == VERIFIED_CONFIRMED:
            return f"VERIFIED: intact, and signed by {who}, a confirmed signer"
        if self.signer is not None and self.signer.impostor_of:
            return (f"INTACT, BUT SIGNED WITH A KEY YOU HAVE NOT CONFIRMED FOR {who.upper()}: "
                    "do not rely on it")
        return ("INTACT, SIGNER NOT CONFIRMED: nothing was changed since it was signed, but "
                "this computer has never confirmed who signed it")

    def to_json(self) -> dict[str, Any]:
        return {"result": self.outcome,
                "verified": self.outcome == VERIFIED_CONFIRMED,
                "intact": self.intact, "reason": self.reason,
                "signer": self.signer.to_json() if self.signer else None,
                "package_id": self.package_id, "case": self.case,
                "signer_fingerprint": self.signer_fingerprint,
                "custody_key_fingerprint": self.custody_fingerprint,
                "checks": [asdict(c) for c in self.checks],
                "exhibits": [{k: x.get(k) for k in ("ref", "name", "file", "size", "sha256")}
                             for x in self.exhibits],
                "purged": [{k: x.get(k) for k in ("ref", "name", "sha256", "purge_reason",
                                                  "purged_at")} for x in self.purged],
                "timestamps": [asdict(t) for t in self.timestamps],
                "warnings": list(self.warnings),
                **({"history": self.history.to_json()} if self.history else {})}


class _Stop(Exception):
    """A check failed in a way that makes the later checks meaningless."""


def verify_package(path: Path, *, signer: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   previous: Path | None = None,
                   tsa_roots: Sequence[x509.Certificate] = (),
                   known: Sequence[tuple[str, KnownSigners]] = (),
                   trust_roots: Sequence[x509.Certificate] = (),
                   crls: Sequence[x509.CertificateRevocationList] = (),
                   source: IO[bytes] | None = None) -> Verification:
    """Verify ``path``; with ``previous`` (an earlier package from the same vault), also the
    check ``history``: this package's custody log extends the earlier one's. Timestamp tokens
    are trusted when they chain to a bundled root or to one of ``tsa_roots``. An intact
    package's signer is judged against the ``known`` signers (each list with a label) and
    ``signer``, a fingerprint given for this check; or by an organisation root among
    ``trust_roots`` (and those the lists hold) that issued its certificate and did not revoke
    it in one of ``crls``. ``source``: the package's bytes already open (an encrypted
    package decrypted in memory), ``path`` then only naming it."""
    if source is None and path.suffix == ".age":
        raise NotAPackage(f"{path.name} is encrypted: give its passphrase or key to check it "
                          "(the program decrypts it in memory), or decrypt it first with "
                          "'evidence-vault decrypt' or 'age -d'")
    if source is None and not path.is_file():
        raise NotAPackage(f"{path} is not a file")
    result = Verification()
    try:
        with SafeZip(path, strict=True, source=source) as z:
            result.checks.append(Check("archive", True, f"{len(z.entries)} entries, none unsafe"))
            _Verifier(z, result, signer, progress, previous, tsa_roots).run()
    except NotAnArchive as e:
        raise NotAPackage(str(e)) from e
    except HostileArchive as e:
        result.checks.append(Check("archive", False, "unsafe zip: " + "; ".join(e.problems)))
    except _Stop:
        pass
    if result.intact:
        lists = [*known, *_root_lists(result, [*trust_roots,
                                               *(r for _l, k in known for r in k.root_certs())],
                                      crls)]
        result.signer = judge(result.signer_name, result.signer_organisation,
                              result.signer_fingerprint, result.custody_fingerprint, lists,
                              expected=signer, earlier=result.certificate_history[:-1],
                              revoked=result.revoked)
        result.warnings.extend(result.signer.problems)
    return result


def _root_lists(result: Verification, roots: Sequence[x509.Certificate],
                crls: Sequence[x509.CertificateRevocationList]
                ) -> list[tuple[str, KnownSigners]]:
    """The signer as confirmed by a trusted organisation root that issued its certificate
    (valid when the package was made, not revoked by the root's list)."""
    from vault.signing.org_ca import issued_by, revocation

    cert = result.signer_certificate
    if cert is None:
        return []
    as_of = event_instant(result.bag_info.get("Evidence-Vault-Custody-As-Of", ""))
    for root in roots:
        if not issued_by(cert, root):
            continue
        name = root.subject.rfc4514_string()
        revoked = revocation(cert, root, list(crls))
        if revoked:
            result.revoked = (f"the signer's certificate was revoked by {name} on "
                              f"{revoked[:10]}: do not rely on this package's signer")
            return []
        if as_of is not None and not (cert.not_valid_before_utc <= as_of
                                      <= cert.not_valid_after_utc):
            result.warnings.append(f"the signer's certificate, issued by {name}, was not valid "
                                   "when the package was made")
            return []
        entry = KnownSigner(result.signer_name, result.signer_organisation,
                            result.signer_fingerprint, "", "", f"issued by {name}")
        return [(f"the organisation root {name}, which you trust", KnownSigners([entry]))]
    return []


class _Verifier:
    def __init__(self, z: SafeZip, result: Verification, signer: str | None,
                 progress: Callable[[int, int], None] | None,
                 previous: Path | None = None,
                 tsa_roots: Sequence[x509.Certificate] = ()) -> None:
        self.z, self.r, self.signer, self.progress = z, result, signer, progress
        self.previous = previous
        self.tsa_roots = list(tsa_roots)
        self.top = ""
        self.excerpt: VerifiedExcerpt | None = None

    def check(self, name: str, ok: bool, detail: str, *, fatal: bool = False) -> bool:
        self.r.checks.append(Check(name, ok, detail))
        if fatal and not ok:
            raise _Stop
        return ok

    def read(self, name: str) -> bytes:
        return self.z.read_small(f"{self.top}/{name}", MAX_TAG_FILE)

    def has(self, name: str) -> bool:
        return f"{self.top}/{name}" in self.z.entries

    def run(self) -> None:
        self._layout()
        tagmanifest = self.read(TAGMANIFEST)
        self._signature(tagmanifest)
        self._tag_manifest(tagmanifest)
        self._stated_signer()
        manifest = self._payload()
        self._custody_and_exhibits(manifest)

    def _layout(self) -> None:
        tops = {n.split("/", 1)[0] for n in self.z.entries}
        loose = [n for n in self.z.entries if "/" not in n]
        self.check("layout", len(tops) == 1 and not loose,
                   "one top folder" if len(tops) == 1 and not loose else
                   f"expected one top folder, found {sorted(tops)[:5]}", fatal=True)
        self.top = self.r.top = tops.pop()
        missing = [t for t in (*REQUIRED_TAGS, TAGMANIFEST, SIGNATURE, SIGNER_CERT)
                   if not self.has(t)]
        self.check("layout", not missing, f"missing {', '.join(missing)}" if missing
                   else "all tag files present", fatal=True)
        prefix = f"{self.top}/"
        unknown = sorted(n[len(prefix):] for n in self.z.entries
                         if not known_name(n[len(prefix):]))
        self.check("layout", not unknown, f"{', '.join(unknown[:5])}: not part of the package "
                   "format (added)" if unknown else "no files outside the package format",
                   fatal=True)
        ok = self.read("bagit.txt") == BAGIT_TXT
        self.check("bagit.txt", ok, "BagIt 1.0, UTF-8" if ok else
                   "bagit.txt is not the BagIt 1.0 declaration this format requires", fatal=True)
        try:
            self.r.bag_info = parse_bag_info(self.read(BAG_INFO))
        except (ValueError, UnicodeDecodeError) as e:
            self.check("bag-info.txt", False, f"malformed: {e}", fatal=True)
        version = self.r.bag_info.get("Evidence-Vault-Package-Version", "")
        readable = version in READABLE_VERSIONS
        self.check("format version", readable, f"package format {version}"
                   if readable else f"package format {version or '(none)'}: this program "
                   f"reads formats {', '.join(READABLE_VERSIONS[:-1])} and "
                   f"{READABLE_VERSIONS[-1]}; a newer program may read it", fatal=True)
        self.r.package_id = self.r.bag_info.get("Evidence-Vault-Package-Id", "")
        self.r.case = self.r.bag_info.get("External-Identifier", "")

    def _tag_manifest(self, data: bytes) -> None:
        try:
            listed = parse_manifest(data)
        except (ValueError, UnicodeDecodeError) as e:
            self.check("tag manifest", False, f"malformed: {e}", fatal=True)
        problems = [f"{p} is not listed" for p in REQUIRED_TAGS if p not in listed]
        for p, h in sorted(listed.items()):
            if p.startswith(("data/", "signatures/")) or p == TAGMANIFEST:
                problems.append(f"{p} must not be listed")
            elif not self.has(p):
                problems.append(f"{p} is listed but missing")
            elif hashlib.sha256(self.read(p)).hexdigest() != h:
                problems.append(f"{p} was changed")
        self.check("tag manifest", not problems, "; ".join(problems) or
                   f"{len(listed)} tag files match", fatal=True)

    def _signature(self, tagmanifest: bytes) -> None:
        signature = self.read(SIGNATURE)
        if not signature.startswith(b"-----BEGIN PKCS7-----\n"):
            self.check("signature", False, f"{SIGNATURE} is not a PEM CMS signature",
                       fatal=True)
        try:
            cert = verify_detached(signature, tagmanifest)
        except CmsError as e:
            self.check("signature", False, f"{TAGMANIFEST}: {e}", fatal=True)
        self.r.signer_certificate = cert
        if cert.issuer == cert.subject:  # else issued by an organisation's root: see trust
            try:
                cert.verify_directly_issued_by(cert)
            except (ValueError, TypeError, InvalidSignature):
                self.check("signature", False, "the certificate in the signature is not a "
                           "valid self-signed certificate (damaged or forged)", fatal=True)
        fp = cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))
        self.r.signer_fingerprint = fp
        self.r.signer_name = _subject(cert, NameOID.COMMON_NAME)
        self.r.signer_organisation = _subject(cert, NameOID.ORGANIZATION_NAME)
        self.check("signature", True, f"valid CMS signature by {cert.subject.rfc4514_string()}")
        shipped = self.read(SIGNER_CERT) == cert.public_bytes(serialization.Encoding.PEM)
        self.check("signer certificate", shipped, f"{SIGNER_CERT} is the "
                   "certificate in the signature" if shipped else
                   f"{SIGNER_CERT} is not the certificate that made the signature")
        if self.signer is not None:
            same = normalise_fingerprint(self.signer) == normalise_fingerprint(fp)
            self.check("expected signer", same, "matches the fingerprint you gave" if same else
                       f"signed by {fp}, not by the fingerprint you gave")

    def _stated_signer(self) -> None:
        """bag-info.txt (now known to be as signed) names the certificate that signed."""
        fp = self.r.signer_fingerprint
        stated = self.r.bag_info.get("Evidence-Vault-Signer-Fingerprint", "")
        self.check("signer", normalise_fingerprint(stated) == normalise_fingerprint(fp),
                   f"certificate SHA-256 {fp}" if normalise_fingerprint(stated) ==
                   normalise_fingerprint(fp) else
                   f"bag-info names {stated or 'no'} signer but the signature is by {fp}")

    def _payload(self) -> dict[str, str]:
        try:
            manifest = parse_manifest(self.read(MANIFEST))
        except (ValueError, UnicodeDecodeError) as e:
            self.check("manifest", False, f"malformed: {e}", fatal=True)
        prefix = f"{self.top}/"
        present = {n[len(prefix):] for n in self.z.entries if n.startswith(prefix + "data/")}
        outside = [p for p in manifest if not p.startswith("data/")]
        missing = sorted(set(manifest) - present)
        extra = sorted(present - set(manifest))
        self.check("manifest", not (outside or missing or extra), "; ".join(
            [f"lists {p} outside data/" for p in outside] +
            [f"{p} is missing" for p in missing] + [f"{p} was added" for p in extra])
            or f"{len(manifest)} payload files, none missing or added")
        bad = self._hash_all({p: h for p, h in manifest.items() if p in present})
        self.check("payload hashes", not bad, "; ".join(f"{p} was changed" for p in bad)
                   or "every payload file matches its SHA-256")
        oxum = self.r.bag_info.get("Payload-Oxum", "")
        size = sum(self.z.entries[prefix + p].file_size for p in present)
        self.check("Payload-Oxum", oxum == f"{size}.{len(present)}",
                   f"{oxum} matches" if oxum == f"{size}.{len(present)}" else
                   f"bag-info says {oxum}, the payload is {size}.{len(present)}")
        return manifest

    def _hash_all(self, wanted: dict[str, str]) -> list[str]:
        total = sum(self.z.entries[f"{self.top}/{p}"].file_size for p in wanted)
        done = 0

        def one(p: str) -> tuple[str, bool, int]:
            h = hashlib.sha256()
            n = 0
            for chunk in self.z.iter_chunks(f"{self.top}/{p}", check_crc=False):
                h.update(chunk)
                n += len(chunk)
            return p, h.hexdigest() == wanted[p], n

        bad = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = pool.map(one, sorted(wanted))  # every file is submitted here
            if self.has(CUSTODY_LOG):  # Python work for this thread while the pool hashes
                self.excerpt = verify_excerpt(self.read(CUSTODY_LOG))
            for p, ok, n in results:
                done += n
                if self.progress:
                    self.progress(done, total)
                if not ok:
                    bad.append(p)
        return bad

    def _custody_and_exhibits(self, manifest: dict[str, str]) -> None:
        if not self.has(CUSTODY_LOG):
            self.check("custody", False, f"{CUSTODY_LOG} is missing", fatal=True)
        excerpt = self.excerpt or verify_excerpt(self.read(CUSTODY_LOG))
        self.r.custody = excerpt
        self.r.custody_fingerprint = excerpt.fingerprint
        problems = list(excerpt.problems)
        stated = self.r.bag_info.get("Evidence-Vault-Custody-Head", "")
        last = excerpt.records[-1] if excerpt.records else None
        head = f"{last['event'].get('seq')} {last['hash']}" if last else ""
        if not problems and head != stated:
            ends, says = head.split(" ")[0] or "none", stated.split(" ")[0] or "?"
            problems.append(f"the log ends at event {ends}, but bag-info.txt says it ends at "
                            f"event {says}" + (
                                " with another hash (the log comes from another package or "
                                "was rewritten)" if ends == says else
                                " (events cut from the end or added, or the log comes from "
                                "another package)"))
        self.check("custody chain", not problems, "; ".join(problems[:5]) or
                   f"{len(excerpt.events)} events: hashes, chain and signatures verify")
        self.r.warnings.extend(times_backwards(excerpt.events))
        history = certificate_history(excerpt)
        self.r.certificate_history = history
        same_cert = normalise_fingerprint(history[-1] if history else "") == \
            normalise_fingerprint(self.r.signer_fingerprint)
        stated = self.r.bag_info.get("Evidence-Vault-Custody-Key-Fingerprint", "")
        self.check("custody key", same_cert and excerpt.fingerprint == stated,
                   ("the package was signed with a certificate that the custody log does not "
                    f"name (the log names {history[-1] if history else 'none'}): the "
                    "signature and its certificate were replaced"
                    if excerpt.fingerprint == stated else
                    "the custody log belongs to another vault than the certificate that "
                    "signed the package") if not same_cert else
                   f"custody key {excerpt.fingerprint}, bound to the signing certificate"
                   if excerpt.fingerprint == stated else
                   f"bag-info.txt names custody key {stated or '(none)'}, but the log is signed "
                   f"by {excerpt.fingerprint}")
        self._exhibits(manifest, excerpt)
        self._summary(excerpt)
        self._timestamps(excerpt)
        if self.previous is not None:
            self._history(excerpt, self.previous)

    def _history(self, excerpt: VerifiedExcerpt, previous: Path) -> None:
        older, why = earlier_history(previous)
        if older is None:
            self.r.history = HistoryResult(ok=False, message=why)
        elif excerpt.problems or not excerpt.records:
            self.r.history = HistoryResult(ok=False, message="not compared with "
                                           f"{previous.name}: this package's custody log "
                                           "does not verify")
        else:
            self.r.history = compare_history(older, history_from_excerpt(
                excerpt, "this package"))
        self.check("history", self.r.history.ok, self.r.history.message)

    def _exhibits(self, manifest: dict[str, str], excerpt: VerifiedExcerpt) -> None:
        receipts: dict[str, str] = {}
        for ev in excerpt.events:
            if ev.get("action") in RECEIPTS and ev.get("item"):
                receipts.setdefault(str(ev["item"]), str(ev.get("sha256")))
        problems: list[str] = []
        described: set[str] = set()
        for p in sorted(manifest):
            if not p.startswith(PROVENANCE):
                continue
            try:
                rec = json.loads(self.read(p))
                ref, file, sha = str(rec["ref"]), str(rec["file"]), str(rec["sha256"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                problems.append(f"{p} is not a provenance record")
                continue
            if rec.get("purged") is True:
                problems.extend(self._purged(rec, ref, sha, receipts, excerpt))
                continue
            described.add(file)
            self.r.exhibits.append(rec)
            if not file.startswith(EXHIBITS):
                problems.append(f"{ref}: its record points outside {EXHIBITS}")
            elif not file.startswith(f"{EXHIBITS}{ref_slug(ref)}_"):
                problems.append(f"{ref}: its file {file} is named for another exhibit")
            elif manifest.get(file) != sha:
                problems.append(f"{ref}: {file} is not the content its record describes")
            elif receipts.get(ref) != sha:
                problems.append(f"{ref}: its SHA-256 differs from the one signed at its receipt"
                                if ref in receipts else f"{ref}: no signed receipt in the log")
        self.r.exhibits.sort(key=lambda x: ref_key(str(x["ref"])))
        for p in sorted(manifest):
            if p.startswith(EXHIBITS) and p not in described:
                problems.append(f"{p} has no provenance record")
        # The excerpt holds the events of exactly the exported items: an item with events but
        # no exhibit (and no purge) was taken out after the export.
        shown = {str(x["ref"]) for x in (*self.r.exhibits, *self.r.purged)}
        with_events = {str(ev["item"]) for ev in excerpt.events if ev.get("item")}
        for ref in sorted(with_events - shown, key=ref_key):
            problems.append(f"{ref} has custody events in this package's log but is not in "
                            "the package (removed)")
        gone = f"; {len(self.r.purged)} purged before the export" if self.r.purged else ""
        self.check("exhibits", not problems and bool(self.r.exhibits), "; ".join(problems) or
                   f"{len(self.r.exhibits)} exhibits: each matches the hash signed at receipt"
                   + gone)


    def _summary(self, excerpt: VerifiedExcerpt) -> None:
        """Version 4: the summary in bag-info.txt says what the package holds; it MUST agree
        with the provenance records and the excerpt (notes "left out": none of their events)."""
        info = self.r.bag_info
        withdrawn = {str(ev["item"]) for ev in excerpt.events
                     if ev.get("action") == COPY_WITHDRAWN and ev.get("item")}
        self.r.withdrawn = sorted(withdrawn & {str(x["ref"]) for x in self.r.exhibits},
                                  key=ref_key)
        if info.get("Evidence-Vault-Package-Version") in ("1", "2", "3"):
            return
        counts = dict.fromkeys(COUNT_LABELS, 0)
        for rec in (*self.r.exhibits, *self.r.purged):
            counts[exhibit_kind(rec)] += 1
        counts["withdrawn"] = len(self.r.withdrawn)
        problems = [f"{label} says {info.get(label, '(missing)')}, the package holds "
                    f"{counts[kind]}" for kind, label in COUNT_LABELS.items()
                    if info.get(label) != str(counts[kind])]
        notes = info.get(NOTES_LABEL, "")
        self.r.notes = notes
        workings = sum(1 for ev in excerpt.events if ev.get("action") in WORKINGS)
        if notes not in NOTES_VALUES:
            problems.append(f"{NOTES_LABEL} is {notes or '(missing)'}, not one of "
                            f"{' or '.join(NOTES_VALUES)}")
        elif notes == "left out" and workings:
            problems.append(f"{NOTES_LABEL} says left out, but the custody log holds "
                            f"{workings} note or annotation events")
        self.check("summary", not problems, "; ".join(problems) or (
            f"{counts['original']} originals, {counts['redacted copy']} redacted copies, "
            f"{counts['other copy']} other copies, {counts['purged']} purged, "
            f"{counts['withdrawn']} withdrawn; the investigator's notes {notes}"))

    def _purged(self, rec: dict[str, Any], ref: str, sha: str, receipts: dict[str, str],
                excerpt: VerifiedExcerpt) -> list[str]:
        """A record of an item purged before the export (version 3): no file, and its purge
        event in the log after a receipt of the same SHA-256."""
        self.r.purged.append(rec)
        if rec.get("file") is not None:
            return [f"{ref}: its record says it was purged but names a file"]
        if not any(ev.get("item") == ref and ev.get("action") == PURGED
                   for ev in excerpt.events):
            return [f"{ref}: recorded as purged, but the log has no purge event for it"]
        if receipts.get(ref) != sha:
            return [f"{ref}: its SHA-256 differs from the one signed at its receipt"
                    if ref in receipts else f"{ref}: no signed receipt in the log"]
        return []

    # ----------------------------------------------------------------- timestamps (version 2)
    def _timestamps(self, excerpt: VerifiedExcerpt) -> None:
        """Every RFC 3161 token in the package: granted, for exactly the bytes it names, signed
        by its TSA (a failure means the package was altered); trusted or not (a warning)."""
        from vault.timestamps.stamping import bundled_roots

        roots = [*bundled_roots(), *self.tsa_roots]
        problems: list[str] = []
        prefix = f"{self.top}/"
        heads = sorted((f, n[len(prefix):]) for n in self.z.entries if n.startswith(
            prefix + HEAD_TIMESTAMPS) and (f := head_file(n[len(prefix):])) is not None)
        version = self.r.bag_info.get("Evidence-Vault-Package-Version", "")
        if version == "1" and (heads or self.has(SIGNATURE_TOKEN)
                               or self.has(SIGNATURE_TOKEN_CERTS)):
            problems.append("a version 1 package carries no timestamps, but this one has "
                            "timestamp files (added)")
        if self.has(SIGNATURE_TOKEN_CERTS) and not self.has(SIGNATURE_TOKEN):
            problems.append(f"{SIGNATURE_TOKEN_CERTS} without {SIGNATURE_TOKEN}")
        if self.has(SIGNATURE_TOKEN):
            certs = self.read(SIGNATURE_TOKEN_CERTS) if self.has(SIGNATURE_TOKEN_CERTS) \
                else None
            self._token("signature", "signature", self.read(SIGNATURE_TOKEN),
                        self.read(SIGNATURE), certs, roots,
                        event_instant(self.r.bag_info.get("Evidence-Vault-Custody-As-Of", "")),
                        "Evidence-Vault-Custody-As-Of", problems)
        # What the excerpt confirms: seq -> (hash, recorded time or None).
        known: dict[int, tuple[str, dt.datetime | None]] = {}
        for _start, end, h in excerpt.omitted:
            known[end] = (h, None)
        for rec in excerpt.records:
            known[int(rec["event"]["seq"])] = (str(rec["hash"]), event_instant(
                str(rec["event"].get("time", ""))))
        head_seq = int(excerpt.records[-1]["event"]["seq"]) if excerpt.records else 0
        names = {(seq, kind, tsa): name for (seq, kind, tsa), name in heads}
        for (seq, kind, tsa), name in heads:
            if kind == "json" and not any(k[0] == seq and k[1] == "tsr" for k in names):
                problems.append(f"{name} has no token beside it")
            if kind == "crt" and (seq, "tsr", tsa) not in names:
                problems.append(f"{name} has no token beside it")
            if kind != "tsr":
                continue
            record_name = names.get((seq, "json", ""))
            if record_name is None:
                problems.append(f"{name}: the head record head-{seq}.json is missing")
                continue
            if seq > head_seq or seq not in known:
                problems.append(f"{name}: custody event {seq} is not confirmed by the custody "
                                "log in this package")
                continue
            record = self.read(record_name)
            if record not in head_records(excerpt.vault_id, seq, known[seq][0],
                                          excerpt.fingerprint):
                problems.append("the timestamped custody head does not match the log: history "
                                f"was rewritten after it was stamped ({record_name} is not the "
                                f"head record of custody event {seq} of this package's custody "
                                "log, signed by its custody key)")
                continue
            crt = names.get((seq, "crt", tsa))
            self._token("custody head", seq, self.read(name), record,
                        self.read(crt) if crt else None, roots, known[seq][1],
                        f"the recorded time of custody event {seq}", problems)
        n = len(self.r.timestamps)
        untrusted = sum(not t.trusted for t in self.r.timestamps)
        self.check("timestamps", not problems, "; ".join(problems[:5]) if problems else
                   "no timestamps: every time in this package is the exporting computer's "
                   "clock" if not n else
                   f"{n} timestamp{'s verify' if n != 1 else ' verifies'} "
                   "(imprint and TSA signature)"
                   + (f"; {untrusted} from a TSA that is not trusted" if untrusted else ""))

    def _token(self, what: str, seq: int | str, token: bytes, message: bytes,
               certs_pem: bytes | None, roots: list[x509.Certificate],
               recorded: dt.datetime | None, recorded_name: str, problems: list[str]) -> None:
        label = "the signature's timestamp" if what == "signature" else \
            f"the timestamp of custody head {seq}"
        extra: list[x509.Certificate] = []
        if certs_pem is not None:
            try:
                extra = x509.load_pem_x509_certificates(certs_pem)
            except ValueError:
                problems.append(f"{label}: its certificate file is not PEM certificates")
                return
        check = tsp.check_response(token, message, roots, extra_certs=extra)
        warnings: list[str] = []
        if not check.ok:
            # Genuine but from a TSA not trusted here? Check it against its own certificates.
            own = [*extra, *_embedded_certs(token)]
            alone = tsp.check_response(token, message, own, extra_certs=own)
            if not alone.ok or alone.gen_time is None:
                problems.append(f"{label}: {alone.problem or check.problem}")
                return
            check = alone
            warnings.append(f"timestamp by {check.tsa} not trusted: its root "
                       f"{_root_of(check.tsa, own)} is not among the trusted roots; pass "
                       "--tsa-ca with that TSA's root certificate to trust it")
        if certs_pem is not None:
            # The chain file is what `openssl ts -verify -untrusted` reads: it must hold only
            # certificates of the TSA's verified chain, in their exact PEM form, so that the
            # program and the by-hand check agree.
            stray = _chain_file_problem(certs_pem, extra, token, check.tsa, roots)
            if stray:
                problems.append(f"{label}: its certificate file {stray}")
                return
        trusted = not warnings
        assert check.gen_time is not None
        gen = check.gen_time
        if recorded is not None and (recorded - gen).total_seconds() > 600:
            ahead = duration((recorded - gen).total_seconds())
            warnings.append(f"the exporting laptop's clock was ahead of the TSA by {ahead}: "
                            f"{label} ({check.tsa}) is {tsa_time(gen)}, "
                            f"{recorded_name} {tsa_time(recorded)}")
        self.r.timestamps.append(TrustedTime(what, seq, check.tsa,
                                             tsa_time(gen), trusted,
                                             "; ".join(warnings)))
        self.r.warnings.extend(w for w in warnings if w not in self.r.warnings)  # said once


def _chain_file_problem(data: bytes, certs: list[x509.Certificate], token: bytes,
                        tsa: str, roots: Sequence[x509.Certificate]) -> str:
    """Why a ``.tsr.crt`` file is not the TSA's chain ("" when it is): its exact PEM form,
    the TSA's own certificate first (as the token carries it), then each certificate the
    issuer of the one before it, the last one's signature checked where its issuer is
    known (itself, a trusted root, or a certificate the token carries)."""
    pem, der = serialization.Encoding.PEM, serialization.Encoding.DER
    if not certs or b"".join(c.public_bytes(pem) for c in certs) != data:
        return "is not in the exact PEM form it was written in (changed)"
    embedded = _embedded_certs(token)
    own = [c for c in embedded if c.subject.rfc4514_string() == tsa]
    if own and certs[0].public_bytes(der) not in {c.public_bytes(der) for c in own}:
        return "does not start with the TSA certificate that the token carries (changed)"
    for cert, issuer in itertools.pairwise(certs):
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return (f"holds a certificate (“{cert.subject.rfc4514_string()}”) that the next "
                    "one did not issue (changed)")
    last = certs[-1]
    issuers = [c for c in (last, *roots, *embedded) if c.subject == last.issuer]
    if issuers and not any(_issued_by(last, i) for i in issuers):
        return (f"holds a certificate (“{last.subject.rfc4514_string()}”) whose signature "
                "does not verify (changed)")
    return ""


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def certificate_history(excerpt: VerifiedExcerpt) -> list[str]:
    """The signing certificates the excerpt names, oldest first: event 1's, then the new one
    of each ``signing certificate changed`` that follows the one before."""
    from vault.custody.log import SIGNING_CERTIFICATE_CHANGED

    history = [excerpt.certificate_fingerprint] if excerpt.certificate_fingerprint else []
    for ev in excerpt.events:
        if ev.get("action") != SIGNING_CERTIFICATE_CHANGED:
            continue
        details = ev.get("details") or {}
        if history and normalise_fingerprint(str(details.get("old_fingerprint", ""))) == \
                normalise_fingerprint(history[-1]):
            history.append(str(details.get("new_fingerprint", "")))
    return history


def _subject(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _embedded_certs(token: bytes) -> list[x509.Certificate]:
    """The certificates a TimeStampResp carries (none when it cannot be read)."""
    from asn1crypto import tsp as atsp

    try:
        sd = atsp.TimeStampResp.load(token)["time_stamp_token"]["content"]
        return [x509.load_der_x509_certificate(c.chosen.dump())
                for c in sd["certificates"] or [] if c.name == "certificate"]
    except Exception:  # a damaged token: the check says why
        return []


def _root_of(tsa: str, pool: list[x509.Certificate]) -> str:
    """The top of the TSA's chain as far as ``pool`` goes: the root if it is there."""
    current = next((c for c in pool if c.subject.rfc4514_string() == tsa), None)
    if current is None:
        return "(unknown)"
    for _ in range(8):
        up = next((c for c in pool if c.subject == current.issuer and c != current), None)
        if up is None:
            break
        current = up
    if current.issuer == current.subject:
        return (f"“{current.subject.rfc4514_string()}” (SHA-256 "
                f"{cert_fingerprint(current.public_bytes(serialization.Encoding.DER))})")
    return f"“{current.issuer.rfc4514_string()}”"


def earlier_history(previous: Path, label: str = "the earlier package"
                    ) -> tuple[History | None, str]:
    """The custody history of an earlier package, once it verifies; else why not."""
    try:
        old = verify_package(previous)
    except NotAPackage as e:
        return None, f"the earlier package {previous.name} is not a package: {e}"
    if not old.verified or old.custody is None:
        return None, (f"the earlier package {previous.name} does not verify ({old.reason}); "
                      "there is nothing trustworthy to compare with")
    return history_from_excerpt(old.custody, label), ""


def compare_vault_with_package(v: Vault, previous: Path) -> HistoryResult:
    """Does the vault's own log extend the custody excerpt of an earlier package of it?"""
    older, why = earlier_history(previous, "the package")
    if older is None:
        return HistoryResult(ok=False, message=why)
    with v.db_lock:
        newer = history_from_events(v.events(), vault_id=v.vault_id,
                                    key_fingerprint=v.fingerprint())
    return compare_history(older, newer)
