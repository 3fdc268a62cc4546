#!/usr/bin/env python3
"""Test vectors for the evidence package format, versions 1 to 5 (docs/package-format.md).

    python tests/vectors/make_package_vectors.py [--out DIR]   # (re)write tests/vectors/packages
    python tests/vectors/make_package_vectors.py --timestamps-only   # (re)write only ts-*
    python tests/vectors/make_package_vectors.py --v4-only   # (re)write only v4-*
    python tests/vectors/make_package_vectors.py --v5-only   # (re)write only v5-*
    python tests/vectors/make_package_vectors.py --v6-only   # (re)write only v6-*

Unlike ``make_vectors.py``, this script uses the product: the two valid packages are real
exports (``export_package``) from a vault made with a fixed clock (``conftest.T0``), and every
other vector is one of them with one thing changed (``tests/packages.py``). A vault's keys and a
package's id are random, so running the script again gives different bytes with the same
outcomes: the committed files were made once, and ``tests/test_package_vectors.py`` checks each
against the verifier and the command line.

Each ``NAME.zip`` has a sidecar ``NAME.expect``: the header of the other vector files (UTF-8
``name: value`` lines, see ``make_vectors.py``) with no payload. Every one has

    kind: package
    expect: VERIFIED | NOT VERIFIED | NOT A PACKAGE
    comment: what the vector shows

plus, for ``NOT VERIFIED``, ``failing-check: NAME``, the first check that fails (the start of
``Verification.reason``), and for ``VERIFIED``: ``signer`` (the certificate fingerprint to pass
as ``--signer``), ``exhibits`` (the references, space-separated) and ``events`` (the ``seq`` of
each custody event the excerpt holds, space-separated).

The ``ts-*`` vectors (version 2, RFC 3161 timestamps) come from a vault on the system clock
whose head a local TSA (``tests/tsa_server.py``, the real ``openssl ts -reply``, a fresh test
PKI) stamped; ``tsa-ca.pem`` is that TSA's root. Their ``.expect`` may also have
``tsa-ca: tsa-ca.pem`` (verify with that root: ``tsa_roots`` / ``--tsa-ca``), ``timestamps``
(each token's ``what``: ``signature`` or the ``seq`` of a custody head, space-separated; all
trusted exactly when ``tsa-ca`` is given) and ``expect-warning`` (VERIFIED with warnings, each
starting with this text; without it a VERIFIED vector has no warning).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "packages"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import IDENTITY, PASSPHRASE, T0  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from packages import (  # noqa: E402
    CASE,
    Entries,
    export,
    flip,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
    sha256,
)
from tsa_server import TsaServer, make_pki  # noqa: E402

from vault.clock import SystemClock  # noqa: E402
from vault.custody import log as custody  # noqa: E402
from vault.packages.format import (  # noqa: E402
    BAG_INFO,
    CUSTODY_LOG,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    SIGNER_CERT,
    TAGMANIFEST,
)
from vault.packages.verification import Verification  # noqa: E402
from vault.packages.verify import verify_package  # noqa: E402
from vault.signing.certs import cert_fingerprint  # noqa: E402
from vault.signing.cms import sign_detached  # noqa: E402
from vault.store.identity import Identity  # noqa: E402
from vault.store.keyslots import TEST_KDF  # noqa: E402
from vault.store.vault import Vault  # noqa: E402
from vault.timestamps.stamping import add_tsa, run_stamp  # noqa: E402

OTHER = Identity("Olly Other", "OO", "Investigator", "Another Campaign")
RECIPIENT = "Harbour Law"
NOTES = {  # fictional; MO/1, MO/3 (case NB-2026-01) and MO/4 (another case)
    "call-note-2026-05-02.txt": b"Note of a phone call, 2 May 2026, 14:05: the caller says the "
                                b"housing office was told in March and did nothing.\n",
    "letter-2026-04-28.txt": b"Letter of 28 April 2026 from the housing office: the matter is "
                             b"closed.\n",
    "unrelated-note.txt": b"A note for another case, held in the same vault.\n",
}


@dataclass(frozen=True)
class Vector:
    name: str
    expect: str
    comment: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        lines = ["kind: package", f"expect: {self.expect}"]
        lines += [f"{k}: {v}" for k, v in self.params]
        lines.append(f"comment: {self.comment}")
        return "\n".join(lines) + "\n"


def failing(name: str, check: str, comment: str) -> Vector:
    return Vector(name, "NOT VERIFIED", comment, (("failing-check", check),))


def tiny_jpeg() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (16, 12))
    img.putdata([(x * 16, y * 20, 128) for y in range(12) for x in range(16)])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60)
    return out.getvalue()


def sources(folder: Path) -> tuple[list[Path], Path]:
    """The case's three exhibits (text, photo, text) and one text for another case."""
    folder.mkdir()
    contents = [("call-note-2026-05-02.txt", NOTES["call-note-2026-05-02.txt"]),
                ("notice-board.jpg", tiny_jpeg()),
                ("letter-2026-04-28.txt", NOTES["letter-2026-04-28.txt"]),
                ("unrelated-note.txt", NOTES["unrelated-note.txt"])]
    paths = []
    when = T0.timestamp() - 86400
    for name, data in contents:
        p = folder / name
        p.write_bytes(data)
        os.utime(p, (when, when))
        paths.append(p)
    return paths[:3], paths[3]


def kept_events(v: Vault, refs: list[str], *, notes: bool = True) -> str:
    """The seq of each event an excerpt of ``refs`` holds: event 1 and those about ``refs``
    (without the investigator's notes and annotations unless ``notes``)."""
    return " ".join(str(e.seq) for e in v.events()
                    if e.seq == 1 or (e.fields.get("item") in refs
                    and (notes or e.fields.get("action") not in custody.WORKINGS)))


def pem(cert_der: bytes) -> bytes:
    return x509.load_der_x509_certificate(cert_der).public_bytes(serialization.Encoding.PEM)


def resign(entries: Entries, key_der: bytes, cert_der: bytes) -> None:
    """What a holder of a signing key does after a change: Payload-Oxum, both manifests, the
    signature and the signer's certificate all made to match again."""
    rehash(entries)  # Payload-Oxum and both manifests
    entries[SIGNATURE] = sign_detached(entries[TAGMANIFEST], key_der, cert_der)
    entries[SIGNER_CERT] = pem(cert_der)


def custody_lines(entries: Entries) -> list[bytes]:
    return entries[CUSTODY_LOG].splitlines(keepends=True)


def event_line(lines: list[bytes], item: str, action: str) -> int:
    for i, line in enumerate(lines):
        ev = json.loads(line).get("event") or {}
        if ev.get("item") == item and ev.get("action") == action:
            return i
    raise AssertionError(f"no {action} event for {item}")


def exhibit(entries: Entries, ref: str) -> str:
    (name,) = [n for n in entries if n.startswith(f"data/exhibits/{ref.replace('/', '-')}_")]
    return name


def build(out: Path, work: Path) -> list[Vector]:
    case_paths, other_path = sources(work / "received")
    v = new_vault(work / "investigator")
    other = new_vault(work / "other", OTHER)
    try:
        import_files(v, case_paths)  # MO/1 text, MO/2 photo, MO/3 text
        (mo4,) = import_files(v, [other_path], case="NB-2026-02")
        assert mo4.ref == "MO/4", mo4
        key, cert = v.signing_material()
        other_key, other_cert = other.signing_material()
        fingerprint = v.certificate_fingerprint()
        every = ["MO/1", "MO/2", "MO/3"]
        events_all, events_subset = kept_events(v, every), kept_events(v, ["MO/1", "MO/3"])
        valid = export(v, work / f"{CASE}.zip", case=CASE, recipient=RECIPIENT).path
        subset = export(v, work / f"{CASE}-selection.zip", refs=["MO/3", "MO/1"],
                        recipient=RECIPIENT).path
        _, plain = read_zip(valid)
        mo4_bytes = other_path.read_bytes()
    finally:
        v.close()
        other.close()

    vectors: list[Vector] = []

    def copy(name: str, src: Path, vector: Vector) -> None:
        shutil.copyfile(src, out / f"{name}.zip")
        vectors.append(vector)

    def derive(vector: Vector, mutate: Callable[[Entries], None]) -> None:
        rewrite_zip(valid, out / f"{vector.name}.zip", mutate)
        vectors.append(vector)

    copy("valid", valid, Vector(
        "valid", "VERIFIED", f"the case {CASE} exported whole: two texts and a photo",
        (("signer", fingerprint), ("exhibits", " ".join(every)), ("events", events_all))))
    copy("valid-subset", subset, Vector(
        "valid-subset", "VERIFIED", "MO/1 and MO/3 only: the case's creation (event 2) and "
        "MO/2's import (event 4) are omitted lines with their hashes; MO/2's metadata event "
        "after the last kept one (and MO/4's events) are left out with no line",
        (("signer", fingerprint), ("exhibits", "MO/1 MO/3"), ("events", events_subset))))

    mo1, mo3 = exhibit(plain, "MO/1"), exhibit(plain, "MO/3")

    def byte_changed(e: Entries) -> None:
        e[mo1] = flip(e[mo1])

    derive(failing("exhibit-byte-changed", "payload hashes",
                   "one byte of MO/1 changed (the zip rewritten, so its CRC matches)"),
           byte_changed)

    def removed(e: Entries) -> None:
        del e[mo3]

    derive(failing("exhibit-removed", "manifest", "MO/3's exhibit file removed"), removed)

    def added(e: Entries) -> None:
        e["data/exhibits/MO-9_extra.txt"] = b"An exhibit slipped in afterwards.\n"

    derive(failing("file-added", "manifest", "a file added under data/exhibits/"), added)

    def added_top(e: Entries) -> None:
        e["README.txt"] = b"Not part of the package format.\n"

    derive(failing("file-added-top-level", "layout",
                   "a file added next to the tag files, outside data/"), added_top)

    def renamed(e: Entries) -> None:
        e["data/exhibits/MO-1_renamed.txt"] = e.pop(mo1)

    derive(failing("exhibit-renamed", "manifest", "MO/1's exhibit file renamed"), renamed)

    def bag_info_edited(e: Entries) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(f"Recipient: {RECIPIENT}".encode(),
                                          b"Recipient: Someone Else")

    derive(failing("bag-info-edited", "tag manifest",
                   "the recipient in bag-info.txt changed, nothing else"), bag_info_edited)

    def tag_manifest_edited(e: Entries) -> None:
        line = f"{sha256(e[BAG_INFO])}  {BAG_INFO}".encode()
        assert line in e[TAGMANIFEST]
        digit = b"1" if line[:1] == b"0" else b"0"
        e[TAGMANIFEST] = e[TAGMANIFEST].replace(line, digit + line[1:])

    derive(failing("tag-manifest-edited", "signature", "one digit of bag-info.txt's hash changed "
                   "in the tag manifest: the signature is checked before the tag files, so it "
                   "is the first to fail"), tag_manifest_edited)

    def other_signature(e: Entries) -> None:
        e[SIGNATURE] = sign_detached(e[TAGMANIFEST], other_key, other_cert)
        e[SIGNER_CERT] = pem(other_cert)

    derive(failing("signature-other-key", "signer", "the tag manifest signed by another vault's "
                   "key, its certificate shipped; bag-info.txt still names the investigator"),
           other_signature)

    def cert_replaced(e: Entries) -> None:
        e[SIGNER_CERT] = pem(other_cert)

    derive(failing("signer-certificate-replaced", "signer certificate",
                   "signatures/signer-certificate.pem replaced by another vault's certificate"),
           cert_replaced)

    def resigned(e: Entries) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(fingerprint.encode(),
                                          cert_fingerprint(other_cert).encode())
        resign(e, other_key, other_cert)

    derive(failing("resigned-by-other-vault", "custody key", "bag-info.txt made to name another "
                   "vault's certificate and everything re-signed with it: only the custody log's "
                   "binding to the signing certificate shows it"), resigned)

    def line_removed(e: Entries) -> None:
        lines = custody_lines(e)
        last = event_line(lines, "MO/2", custody.METADATA_EXTRACTED)
        assert last == len(lines) - 1, "MO/2's metadata event is expected to be the last"
        del lines[last]
        e[CUSTODY_LOG] = b"".join(lines)
        resign(e, key, cert)

    derive(failing("custody-line-removed", "custody chain", "the excerpt's last event (MO/2's "
                   "'metadata extracted') removed, manifests redone and re-signed with the "
                   "vault's own key: the chain still links, only Evidence-Vault-Custody-Head "
                   "shows the loss"), line_removed)

    def lines_reordered(e: Entries) -> None:
        lines = custody_lines(e)
        i, j = (event_line(lines, "MO/1", custody.IMPORTED),
                event_line(lines, "MO/2", custody.IMPORTED))
        lines[i], lines[j] = lines[j], lines[i]
        e[CUSTODY_LOG] = b"".join(lines)
        resign(e, key, cert)

    derive(failing("custody-lines-reordered", "custody chain", "the 'imported' events of MO/1 "
                   "and MO/2 swapped; manifests redone and re-signed with the vault's own key"),
           lines_reordered)

    def swapped(e: Entries) -> None:
        e[mo1] = mo4_bytes
        record_name = "data/custody/provenance/MO-1.json"
        record = json.loads(e[record_name])
        record.update(sha256=sha256(mo4_bytes), size=len(mo4_bytes))
        e[record_name] = custody.canonical(record)
        resign(e, key, cert)

    derive(failing("exhibit-swapped", "exhibits", "MO/1's content replaced by MO/4's (an exhibit "
                   "of the same vault), its provenance record, manifests and signature redone "
                   "with the vault's own key: only the hash signed at receipt shows it"), swapped)

    with zipfile.ZipFile(out / "unsafe-name.zip", "x", zipfile.ZIP_STORED) as zf:
        info = zipfile.ZipInfo(f"{CASE}/../evil.txt", date_time=(2026, 5, 3, 9, 30, 0))
        zf.writestr(info, b"written outside the folder by a careless unzip\n")
    vectors.append(failing("unsafe-name", "archive", "a zip whose entry name has a '..' "
                           "component"))

    (out / "not-a-zip.zip").write_bytes(b"This is not a zip file.\n")
    vectors.append(Vector("not-a-zip", "NOT A PACKAGE", "a text file named .zip"))

    for vec in vectors:
        (out / f"{vec.name}.expect").write_bytes(vec.text().encode("utf-8"))
    return vectors


TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
STUB = b"#!/bin/sh\necho 'this file is also a shell script'\nexit 0\n" + b"#" * 4000 + b"\n"


def build_zip_layout(out: Path) -> list[Vector]:
    """The container vectors ``zip-*`` (format version 3's strict layout): ``valid.zip`` with
    bytes added where an unzip tool other than the verifier would find them, each still
    readable by Python's zipfile. Derived from the committed valid.zip, so rerunning this
    leaves the other vectors' bytes as they are."""
    from zip_surgery import (
        entry_span,
        insert,
        local_entry,
        set_local_method,
        with_comment,
        with_directory_entry,
    )

    valid = (out / "valid.zip").read_bytes()
    top, plain = read_zip(out / "valid.zip")
    mo1 = f"{top}/{exhibit(plain, 'MO/1')}"
    mo2 = f"{top}/{exhibit(plain, 'MO/2')}"
    doctored = plain[exhibit(plain, "MO/1")].replace(b"housing office", b"HOUSING OFFICE")
    assert doctored != plain[exhibit(plain, "MO/1")]
    made = {
        "zip-hidden-entry-first": (
            insert(valid, 0, local_entry(mo1, doctored)),
            "a local entry that the directory does not list, holding a doctored MO/1, placed "
            "before the first entry (offsets moved on): a streaming unzip extracts it"),
        "zip-hidden-entry-after-exhibit": (
            insert(valid, entry_span(valid, mo1)[1], local_entry(mo1, doctored)),
            "the same hidden entry placed right after MO/1's data"),
        "zip-local-method-differs": (
            set_local_method(valid, mo2, 8),
            "MO/2's local header says deflate where the directory says stored: unzip "
            "extracts an empty or broken file"),
        "zip-prepended-stub": (
            STUB + valid, "a 4 KB shell script put before the zip, offsets not moved (zip "
            "readers find the entries by the shift)"),
        "zip-prepended-pdf": (
            insert(valid, 0, TINY_PDF), "a PDF put before the zip with every offset moved on: "
            "the file opens as a PDF and as a package"),
        "zip-appended-bytes": (
            valid + b"appended after the end record\n", "bytes after the zip's end record"),
        "zip-gap-between-entries": (
            insert(valid, entry_span(valid, mo1)[1], b"\0" * 64),
            "64 bytes in a gap after MO/1's data that belong to no entry"),
        "zip-directory-entry": (
            with_directory_entry(valid, f"{top}/bagit.txt/"),
            "a directory entry TOP/bagit.txt/ beside the file TOP/bagit.txt (bsdtar makes the "
            "tag file a folder)"),
        "zip-comment": (with_comment(valid, b"a zip comment"), "a non-empty zip comment"),
    }
    vectors = []
    for name, (data, comment) in made.items():
        (out / f"{name}.zip").write_bytes(data)
        vec = failing(name, "archive", comment)
        (out / f"{name}.expect").write_bytes(vec.text().encode("utf-8"))
        vectors.append(vec)
    return vectors


TSA_CA = "tsa-ca.pem"
TS_NOTES = ("call-note-2026-05-02.txt", "letter-2026-04-28.txt")


def outcome(path: Path, vec: Vector, roots: list[x509.Certificate]) -> Verification:
    """Verify a ``ts-*`` vector as the tests will, and insist on what its header says."""
    params = dict(vec.params)
    r = verify_package(path, tsa_roots=roots if "tsa-ca" in params else [])
    if vec.expect == "NOT VERIFIED":
        first = next(c for c in r.checks if not c.ok)
        assert first.name == params["failing-check"], (vec.name, r.reason)
        return r
    assert r.verified, (vec.name, r.reason)
    assert r.signer_fingerprint == params["signer"], vec.name
    assert " ".join(x["ref"] for x in r.exhibits) == params["exhibits"], vec.name
    assert r.custody is not None
    assert " ".join(str(e["seq"]) for e in r.custody.events) == params["events"], vec.name
    tokens = [t.what if t.what == "signature" else str(t.seq) for t in r.timestamps]
    assert " ".join(tokens) == params["timestamps"], (vec.name, tokens)
    assert all(t.trusted == ("tsa-ca" in params) for t in r.timestamps), vec.name
    warning = params.get("expect-warning")
    assert bool(r.warnings) == bool(warning), (vec.name, r.warnings)
    assert all(w.startswith(warning or "") for w in r.warnings), (vec.name, r.warnings)
    return r


def build_timestamps(out: Path, work: Path) -> list[Vector]:
    """The version 2 vectors: a vault whose custody head the local TSA stamped, two packages
    of one case (each with its signature token), and tampered copies of the first."""
    for name in ("no_proxy", "NO_PROXY"):  # the TSA is on 127.0.0.1: never through a proxy
        os.environ[name] = "127.0.0.1,localhost"
    folder = work / "ts-received"
    folder.mkdir()
    paths = []
    for name in TS_NOTES:
        (folder / name).write_bytes(NOTES[name])
        paths.append(folder / name)
    pki = make_pki(work / "tsa-pki")
    (out / TSA_CA).write_bytes(pki.ca_pem)
    roots = [pki.ca_cert]
    # The system clock, so the TSA's times and the events' times agree (no clock warning).
    v = Vault.create(work / "ts-investigator", PASSPHRASE, IDENTITY, clock=SystemClock(),
                     kdf=TEST_KDF)[0]
    try:
        with TsaServer(work / "tsa", pki=pki) as server:
            add_tsa(v, "local", server.url, server.ca_pem)
            refs = [r.ref for r in import_files(v, paths) if r.ref is not None]
            assert refs == ["MO/1", "MO/2"], refs
            report = run_stamp(v, timeout=10)
            assert report.stamped and not report.waiting, report
            head = v.last_event()[0]
            a = export(v, work / "a" / f"{CASE}.zip", case=CASE, recipient=RECIPIENT)
            b = export(v, work / "b" / f"{CASE}.zip", case=CASE, recipient=RECIPIENT)
        for result in (a, b):
            assert result.signature_timestamp is not None and result.head_timestamps == 1, result
        key, cert = v.signing_material()
        fingerprint = v.certificate_fingerprint()
        events = kept_events(v, refs)
    finally:
        v.close()
    _, plain = read_zip(a.path)
    _, other = read_zip(b.path)
    record = f"data/custody/timestamps/head-{head}.json"
    assert record in plain and record in other, sorted(plain)
    tsa_ca = ("tsa-ca", TSA_CA)
    verified = (("signer", fingerprint), ("exhibits", " ".join(refs)), ("events", events),
                ("timestamps", f"signature {head}"))

    vectors: list[Vector] = []

    def add(vector: Vector, src: Path, mutate: Callable[[Entries], None] | None = None) -> None:
        dst = out / f"{vector.name}.zip"
        if mutate is None:
            shutil.copyfile(src, dst)
        else:
            rewrite_zip(src, dst, mutate)
        outcome(dst, vector, roots)
        vectors.append(vector)

    add(Vector("ts-valid", "VERIFIED", f"version 2: the case {CASE} (two texts) with a token "
               f"of the signature and one of custody head {head}, from the local test TSA; "
               "trusted with tsa-ca.pem", (*verified, tsa_ca)), a.path)
    add(Vector("ts-untrusted", "VERIFIED", "another export of the same case, verified without "
               "the TSA's root: both tokens are genuine, so VERIFIED, each time shown untrusted "
               "with a warning", (*verified, ("expect-warning", "timestamp by O=Evidence Vault "
                                              "tests,CN=Evidence Vault Test TSA not trusted: "
                                              "its root"))), b.path)

    def token_byte_changed(e: Entries) -> None:
        # The last digit of the year in the TSA's time (genTime, a GeneralizedTime in the signed
        # TSTInfo), not a byte of the unsigned certificates the token also carries.
        tsr = e[SIGNATURE_TOKEN]
        assert tsr.count(b"\x18\x0f20") == 1
        e[SIGNATURE_TOKEN] = flip(tsr, tsr.index(b"\x18\x0f20") + 5)

    add(Vector("ts-token-byte-changed", "NOT VERIFIED", "one byte of the signature's timestamp "
               "token (signatures/tagmanifest-sha256.txt.p7s.tsr) changed: the last digit of "
               "the year of the TSA's time", (("failing-check", "timestamps"), tsa_ca)),
        a.path, token_byte_changed)

    def token_swapped(e: Entries) -> None:
        assert e[SIGNATURE_TOKEN] != other[SIGNATURE_TOKEN]
        e[SIGNATURE_TOKEN] = other[SIGNATURE_TOKEN]
        e[SIGNATURE_TOKEN_CERTS] = other[SIGNATURE_TOKEN_CERTS]

    add(Vector("ts-token-swapped", "NOT VERIFIED", "the signature's token (and its .crt) "
               "replaced by those of ts-untrusted, another package of the same vault: a genuine "
               "token for another signature", (("failing-check", "timestamps"), tsa_ca)),
        a.path, token_swapped)

    def head_record_edited(e: Entries) -> None:
        doc = json.loads(e[record])
        doc["hash"] = ("1" if doc["hash"][0] == "0" else "0") + doc["hash"][1:]
        e[record] = custody.canonical(doc)
        # Re-signing makes a new .p7s, which the signature's token does not stamp: one who can
        # re-sign cannot get a token of the old time for it, so drops it.
        del e[SIGNATURE_TOKEN], e[SIGNATURE_TOKEN_CERTS]
        resign(e, key, cert)

    add(Vector("ts-head-record-edited", "NOT VERIFIED", f"the hash in head-{head}.json (the "
               "record the head token stamps) changed, manifests redone and re-signed with the "
               "vault's own key, the signature's token dropped: only the custody log shows the "
               "record is not its head", (("failing-check", "timestamps"), tsa_ca)),
        a.path, head_record_edited)

    for vec in vectors:
        (out / f"{vec.name}.expect").write_bytes(vec.text().encode("utf-8"))
    return vectors


def build_v4(out: Path, work: Path) -> list[Vector]:
    """Version 4 (the summary): a letter (MO/1) with a note and an annotation, a redacted copy
    that leaked (MO/2, withdrawn) and the better one (MO/3)."""
    import pymupdf

    from vault.documents.annotations import add_annotation
    from vault.documents.derive import redacted_copy
    from vault.evidence.notes import add_note
    from vault.evidence.withdraw import withdraw_copy

    work.mkdir(parents=True, exist_ok=True)
    pdf = work / "housing-letter-2026-04-28.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Letter of 28 April 2026 about Child A.", fontsize=12)
    page.insert_text((72, 120), "Signed: J. Smith, housing office.", fontsize=12)
    doc.save(pdf)
    v = new_vault(work / "investigator")
    try:
        import_files(v, [pdf])
        add_note(v, "MO/1", "Privileged: ask counsel whether J. Smith knew in March.")
        add_annotation(v, "MO/1", "note", 0, {"rect": [400, 50, 420, 70]},
                       text="check the date against the minutes")
        redacted_copy(v, "MO/1", texts=["Child A"])
        redacted_copy(v, "MO/1", texts=["Child A", "Smith"])
        withdraw_copy(v, "MO/2", "the surname on the last line was left visible",
                      superseded_by="MO/3")
        key, cert = v.signing_material()
        fingerprint = v.certificate_fingerprint()
        kept = ["MO/1", "MO/3"]
        left_out = export(v, work / "left-out.zip", case=CASE, recipient=RECIPIENT).path
        included = export(v, work / "included.zip", case=CASE, recipient=RECIPIENT,
                          notes=True).path
        withdrawn = export(v, work / "withdrawn.zip", case=CASE, recipient=RECIPIENT,
                           include_withdrawn=True).path
        events = {"left": kept_events(v, kept, notes=False), "notes": kept_events(v, kept),
                  "withdrawn": kept_events(v, ["MO/1", "MO/2", "MO/3"], notes=False)}
    finally:
        v.close()
    vectors: list[Vector] = []

    def verified(name: str, src: Path, refs: str, seqs: str, comment: str) -> None:
        shutil.copyfile(src, out / f"{name}.zip")
        vectors.append(Vector(name, "VERIFIED", comment, (
            ("signer", fingerprint), ("exhibits", refs), ("events", seqs))))

    verified("v4-notes-left-out", left_out, "MO/1 MO/3", events["left"],
             "version 4, the default: the note and the annotation on MO/1 left out (their "
             "events are in omitted runs), the withdrawn copy MO/2 left out of the case; "
             "Evidence-Vault-Notes: left out, 1 original, 1 redacted copy")
    verified("v4-notes-included", included, "MO/1 MO/3", events["notes"],
             "version 4: the investigator chose to send her notes: 'note added' and "
             "'annotation added' are in the excerpt; Evidence-Vault-Notes: included")
    verified("v4-withdrawn-included", withdrawn, "MO/1 MO/2 MO/3", events["withdrawn"],
             "version 4: the case's withdrawn copy asked for: MO/2 goes with its 'copy "
             "withdrawn' event; Evidence-Vault-Withdrawn-Copies: 1")

    def hides_copies(e: Entries) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(b"Evidence-Vault-Redacted-Copies: 1",
                                          b"Evidence-Vault-Redacted-Copies: 0")
        resign(e, key, cert)

    def claims_left_out(e: Entries) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(b"Evidence-Vault-Notes: included",
                                          b"Evidence-Vault-Notes: left out")
        resign(e, key, cert)

    for vector, src, mutate in (
            (failing("v4-summary-hides-copies", "summary", "v4-notes-left-out with its "
                     "redacted-copies count set to 0, re-signed with the vault's own key"),
             left_out, hides_copies),
            (failing("v4-notes-claimed-left-out", "summary", "v4-notes-included saying its "
                     "notes are left out, re-signed with the vault's own key: the excerpt "
                     "still holds them"), included, claims_left_out)):
        rewrite_zip(src, out / f"{vector.name}.zip", mutate)
        vectors.append(vector)
    for vec in vectors:
        (out / f"{vec.name}.expect").write_bytes(vec.text().encode("utf-8"))
    return vectors


def build_v5(out: Path, work: Path) -> list[Vector]:
    """Version 5 (the chronology): a letter (MO/1) and a reply (MO/2), a chronology of two
    facts and a knowledge event citing them, the survivor behind a pseudonym; the neutral
    chronology in the package."""
    import pymupdf

    from vault.chronology.dates import parse_date
    from vault.chronology.store import add_entity, add_fact, add_knowledge, cite

    work.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in (("referral-2009-03-03.pdf", "The referral about Jane Doe was made on "
                        "3 March 2009 to the police."),
                       ("reply-2009-06-01.pdf", "No further action will be taken.")):
        doc = pymupdf.open()
        doc.new_page(width=595, height=842).insert_text((72, 100), text, fontsize=11)
        doc.save(work / name)
        paths.append(work / name)
    v = new_vault(work / "investigator")
    try:
        import_files(v, paths)
        add_entity(v, CASE, "ca", "Jane Doe", role="survivor")
        add_entity(v, CASE, "police", "Northshire Police", kind="organisation", role="agency")
        add_fact(v, CASE, "A referral about @ca was made to @police", parse_date("03/03/2009"))
        add_fact(v, CASE, "@police wrote that no further action would be taken",
                 parse_date("01/06/2009"))
        cite(v, CASE, "fact", 1, "MO/1", 1, "referral about Jane Doe was made")
        cite(v, CASE, "fact", 2, "MO/2", 1, "No further action will be taken")
        k = add_knowledge(v, CASE, "police", "the referral about @ca",
                          parse_date("03/03/2009"), how="referral", awareness="received",
                          response=2)
        cite(v, CASE, "knowledge", k.id, "MO/1", 1, "to the police")
        key, cert = v.signing_material()
        fingerprint = v.certificate_fingerprint()
        package = export(v, work / "chronology.zip", case=CASE, recipient=RECIPIENT,
                         chronology=["neutral"]).path
        events = kept_events(v, ["MO/1", "MO/2"], notes=False)
    finally:
        v.close()
    shutil.copyfile(package, out / "v5-chronology.zip")
    vectors = [Vector("v5-chronology", "VERIFIED", "version 5: the neutral chronology (PDF, "
                      "DOCX, CSV) and chronology.json, whose 3 sources cite MO/1 and MO/2 by "
                      "reference and SHA-256; Evidence-Vault-Chronology: neutral", (
                          ("signer", fingerprint), ("exhibits", "MO/1 MO/2"),
                          ("events", events)))]

    def source_changed(e: Entries) -> None:
        doc = json.loads(e["data/chronology/chronology.json"])
        doc["facts"][1]["sources"][0]["sha256"] = "0" * 64
        e["data/chronology/chronology.json"] = json.dumps(doc).encode("utf-8")
        resign(e, key, cert)

    def table_removed(e: Entries) -> None:
        del e["data/chronology/neutral.docx"]
        resign(e, key, cert)

    for vector, mutate in (
            (failing("v5-chronology-source-changed", "chronology", "v5-chronology with fact "
                     "2's source given another SHA-256 than MO/2's, re-signed with the vault's "
                     "own key"), source_changed),
            (failing("v5-chronology-table-removed", "chronology", "v5-chronology without "
                     "neutral.docx, manifests and signature made to match with the vault's own "
                     "key: the label still names the table"), table_removed)):
        rewrite_zip(package, out / f"{vector.name}.zip", mutate)
        vectors.append(vector)
    for vec in vectors:
        (out / f"{vec.name}.expect").write_bytes(vec.text().encode("utf-8"))
    return vectors


def build_v6(out: Path, work: Path) -> list[Vector]:
    """Version 6 (court documents): a letter (MO/1) and a photograph (MO/2) marked as the
    exhibits MO/1 and MO/2 of Mary Okafor, produced in her statement MO:1; the labels and the
    continuity records in the package."""
    import pymupdf

    from vault.court import store

    work.mkdir(parents=True, exist_ok=True)
    letter = work / "letter-2009-03-03.pdf"
    doc = pymupdf.open()
    doc.new_page(width=595, height=842).insert_text((72, 100), "The referral was made on 3 "
                                                    "March 2009.", fontsize=11)
    doc.save(letter)
    photo = work / "photo.jpg"
    photo.write_bytes(tiny_jpeg())
    v = new_vault(work / "investigator")
    try:
        import_files(v, [letter, photo])
        store.add_witness(v, CASE, "Mary Okafor", "MO", "investigator")
        store.mark_exhibit(v, CASE, "MO/1", by="MO", description="Referral letter of 3 March "
                           "2009, 1 page")
        store.mark_exhibit(v, CASE, "MO/2", by="MO", description="Photograph of the house")
        store.add_statement(v, CASE, "MO", "12/05/2026", "First statement")
        store.add_statement_document(v, CASE, "MO:1", "MO/1", "produced")
        store.add_statement_document(v, CASE, "MO:1", "MO/2", "produced")
        key, cert = v.signing_material()
        fingerprint = v.certificate_fingerprint()
        package = export(v, work / "court.zip", case=CASE, recipient=RECIPIENT,
                         court=["exhibit labels", "continuity records"]).path
        events = kept_events(v, ["MO/1", "MO/2"], notes=False)
    finally:
        v.close()
    shutil.copyfile(package, out / "v6-court.zip")
    vectors = [Vector("v6-court", "VERIFIED", "version 6: exhibit labels and the continuity "
                      "records of MO/1 and MO/2 (PDF) under data/court/, and court.json naming "
                      "both exhibits by mark, reference and SHA-256; Evidence-Vault-Court: "
                      "exhibit labels, continuity records", (
                          ("signer", fingerprint), ("exhibits", "MO/1 MO/2"),
                          ("events", events)))]

    def exhibit_changed(e: Entries) -> None:
        doc = json.loads(e["data/court/court.json"])
        doc["exhibits"][1]["sha256"] = "0" * 64
        e["data/court/court.json"] = json.dumps(doc).encode("utf-8")
        resign(e, key, cert)

    def document_removed(e: Entries) -> None:
        del e["data/court/continuity-MO_2.pdf"]
        resign(e, key, cert)

    for vector, mutate in (
            (failing("v6-court-exhibit-changed", "court documents", "v6-court with MO/2 given "
                     "another SHA-256 in court.json, re-signed with the vault's own key"),
             exhibit_changed),
            (failing("v6-court-document-removed", "court documents", "v6-court without "
                     "continuity-MO_2.pdf, manifests and signature made to match with the "
                     "vault's own key: court.json still lists it"), document_removed)):
        rewrite_zip(package, out / f"{vector.name}.zip", mutate)
        vectors.append(vector)
    for vec in vectors:
        (out / f"{vec.name}.expect").write_bytes(vec.text().encode("utf-8"))
    return vectors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the vectors")
    parser.add_argument("--timestamps-only", action="store_true",
                        help="(re)write only the version 2 vectors ts-* and tsa-ca.pem, "
                             "leaving the others' bytes as they are")
    parser.add_argument("--zip-layout-only", action="store_true",
                        help="(re)write only the container vectors zip-* from valid.zip")
    parser.add_argument("--v4-only", action="store_true",
                        help="(re)write only the version 4 vectors v4-*")
    parser.add_argument("--v5-only", action="store_true",
                        help="(re)write only the version 5 vectors v5-*")
    parser.add_argument("--v6-only", action="store_true",
                        help="(re)write only the version 6 vectors v6-*")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.v6_only:
        for old in [*args.out.glob("v6-*.zip"), *args.out.glob("v6-*.expect")]:
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{len(build_v6(args.out, Path(tmp)))} version 6 vectors written")
        return
    if args.v5_only:
        for old in [*args.out.glob("v5-*.zip"), *args.out.glob("v5-*.expect")]:
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{len(build_v5(args.out, Path(tmp)))} version 5 vectors written")
        return
    if args.v4_only:
        for old in [*args.out.glob("v4-*.zip"), *args.out.glob("v4-*.expect")]:
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{len(build_v4(args.out, Path(tmp)))} version 4 vectors written")
        return
    if args.zip_layout_only:
        for old in [*args.out.glob("zip-*.zip"), *args.out.glob("zip-*.expect")]:
            old.unlink()
        print(f"{len(build_zip_layout(args.out))} container vectors written to {args.out}")
        return
    pattern = "ts-*" if args.timestamps_only else "*"
    for old in [*args.out.glob(f"{pattern}.zip"), *args.out.glob(f"{pattern}.expect"),
                *args.out.glob(TSA_CA)]:
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for work in ("v1", "v2", "v2/a", "v2/b"):
            (Path(tmp) / work).mkdir()
        vectors = [] if args.timestamps_only else build(args.out, Path(tmp) / "v1")
        vectors += build_timestamps(args.out, Path(tmp) / "v2")
        if not args.timestamps_only:
            vectors += build_zip_layout(args.out)
            vectors += build_v4(args.out, Path(tmp) / "v4")
            vectors += build_v5(args.out, Path(tmp) / "v5")
            vectors += build_v6(args.out, Path(tmp) / "v6")
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{len(vectors)} package vectors written to {args.out} ({size} bytes)")


if __name__ == "__main__":
    main()
