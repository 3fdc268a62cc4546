"""Tampered packages: every change is detected, with a reason that names what changed.

One package is exported per module; each test rewrites a copy of it. Where a test must get
past the outer layers to reach an inner check (custody chain, exhibits), it recomputes the
manifests and re-signs with the investigator's own key: the strongest attacker short of
forging Ed25519 custody signatures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from packages import (
    CASE,
    Entries,
    export,
    failed,
    flip,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
    sample_paths,
    sha256,
    write_zip,
)

from vault.packages.format import SIGNATURE, SIGNER_CERT, TAGMANIFEST
from vault.packages.verification import Verification
from vault.packages.verify import verify_package
from vault.signing.cms import sign_detached
from vault.store.identity import Identity
from vault.store.vault import Vault


class Keys:
    """Signing material of the investigator's vault and of an unrelated one."""

    def __init__(self, own: Vault, other: Vault) -> None:
        self.own_key, self.own_cert = own.signing_material()
        self.other_key, self.other_cert = other.signing_material()
        self.own_fp = own.certificate_fingerprint()
        self.other_fp = other.certificate_fingerprint()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Keys]]:
    work = tmp_path_factory.mktemp("tamper")
    v = new_vault(work / "investigator")
    other = new_vault(work / "stranger", Identity("Eve Mallory", "EM", "Investigator", "Other"))
    try:
        import_files(v, sample_paths(work))
        package = export(v, work / "package.zip", case=CASE).path
        yield package, Keys(v, other)
    finally:
        v.close()
        other.close()


@pytest.fixture
def package(made: tuple[Path, Keys]) -> Path:
    return made[0]


@pytest.fixture
def keys(made: tuple[Path, Keys]) -> Keys:
    return made[1]


def tampered(package: Path, tmp_path: Path, mutate: Callable[[Entries], None]) -> Verification:
    out = tmp_path / f"tampered-{len(list(tmp_path.iterdir()))}.zip"
    rewrite_zip(package, out, mutate)
    result = verify_package(out)
    assert not result.verified
    return result


def resign(entries: Entries, key: bytes, cert: bytes) -> None:
    entries[SIGNATURE] = sign_detached(entries[TAGMANIFEST], key, cert)


def names(package: Path) -> list[str]:
    return list(read_zip(package)[1])


def expected_check(name: str) -> tuple[str, ...]:
    """The first check that must fail when one byte of ``name`` changes."""
    if name.startswith("data/"):
        return ("payload hashes",)
    if name == TAGMANIFEST:
        return ("signature",)
    if name == SIGNATURE:  # a byte of the signature, or of the certificate it carries
        return ("signature", "signer certificate")
    if name == SIGNER_CERT:
        return ("signer certificate",)
    if name == "bagit.txt":
        return ("bagit.txt",)
    if name == "bag-info.txt":  # either unparseable now, or parseable but not as signed
        return ("bag-info.txt", "tag manifest")
    return ("tag manifest",)  # manifest-sha256.txt, HOW-TO-VERIFY.txt


def test_the_untouched_package_verifies(package: Path, keys: Keys) -> None:
    result = verify_package(package, signer=keys.own_fp)
    assert result.verified, failed(result)
    assert len(names(package)) == 21


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_one_byte_changed_in_every_file(package: Path, tmp_path: Path, where: str) -> None:
    for name in names(package):
        def change(e: Entries, name: str = name) -> None:
            data = e[name]
            at = {"start": 0, "middle": len(data) // 2, "end": len(data) - 2}[where]
            e[name] = flip(data, at)

        result = tampered(package, tmp_path, change)
        first = failed(result)[0]
        assert first.name in expected_check(name), (name, result.checks)
        if first.name in ("payload hashes", "tag manifest", "signature"):
            assert name in first.detail or first.name == "signature", (name, first)
        if name.startswith("data/"):
            assert first.detail == f"{name} was changed"


def test_exhibit_removed(package: Path, tmp_path: Path) -> None:
    exhibit = next(n for n in names(package) if n.startswith("data/exhibits/"))
    result = tampered(package, tmp_path, lambda e: e.pop(exhibit))
    assert result.reason == f"manifest: {exhibit} is missing"


@pytest.mark.parametrize("name", ["HOW-TO-VERIFY.txt", "manifest-sha256.txt", SIGNATURE,
                                  SIGNER_CERT, "bag-info.txt"])
def test_tag_file_removed(package: Path, tmp_path: Path, name: str) -> None:
    result = tampered(package, tmp_path, lambda e: e.pop(name))
    if name == "HOW-TO-VERIFY.txt":
        assert result.reason == f"tag manifest: {name} is listed but missing"
    else:
        assert result.reason == f"layout: missing {name}"


def test_file_added_to_payload(package: Path, tmp_path: Path) -> None:
    def add(e: Entries) -> None:
        e["data/exhibits/MO-7_planted.pdf"] = b"%PDF-1.4 planted later"

    result = tampered(package, tmp_path, add)
    assert result.reason == "manifest: data/exhibits/MO-7_planted.pdf was added"


def test_file_added_outside_payload(package: Path, tmp_path: Path) -> None:
    result = tampered(package, tmp_path, lambda e: e.update({"signatures/extra.p7s": b"x"}))
    assert result.reason.startswith("layout: signatures/extra.p7s: not part of the package")


def test_file_added_and_listed_breaks_the_signature(package: Path, tmp_path: Path) -> None:
    def add(e: Entries) -> None:
        e["data/exhibits/MO-7_planted.pdf"] = b"%PDF-1.4 planted later"
        rehash(e)

    result = tampered(package, tmp_path, add)
    assert result.reason.startswith(f"signature: {TAGMANIFEST}: the signed file's hash")


def test_file_renamed(package: Path, tmp_path: Path) -> None:
    exhibit = next(n for n in names(package) if n.startswith("data/exhibits/"))

    def rename(e: Entries) -> None:
        e["data/exhibits/MO-1_renamed.pdf"] = e.pop(exhibit)

    result = tampered(package, tmp_path, rename)
    assert result.reason == (f"manifest: {exhibit} is missing; "
                             "data/exhibits/MO-1_renamed.pdf was added")


def test_same_size_modification(package: Path, tmp_path: Path) -> None:
    exhibit = next(n for n in names(package) if n.endswith(".txt") and "exhibits" in n)

    def edit(e: Entries) -> None:
        data = e[exhibit]
        e[exhibit] = data.replace(b"doc", b"DOC", 1)
        assert len(e[exhibit]) == len(data) and e[exhibit] != data

    result = tampered(package, tmp_path, edit)
    assert result.reason == f"payload hashes: {exhibit} was changed"
    assert [c.name for c in failed(result)] == ["payload hashes"]


def test_signature_by_another_key(package: Path, tmp_path: Path, keys: Keys) -> None:
    result = tampered(package, tmp_path,
                      lambda e: resign(e, keys.other_key, keys.other_cert))
    assert result.reason == f"signer certificate: {SIGNER_CERT} is not the certificate that " \
        "made the signature"
    assert result.signer_fingerprint == keys.other_fp
    assert any(c.name == "signer" and not c.ok and keys.other_fp in c.detail
               for c in result.checks)


def test_certificate_replaced(package: Path, tmp_path: Path, keys: Keys) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = x509.load_der_x509_certificate(keys.other_cert).public_bytes(Encoding.PEM)
    result = tampered(package, tmp_path, lambda e: e.update({SIGNER_CERT: pem}))
    assert result.reason == f"signer certificate: {SIGNER_CERT} is not the certificate that " \
        "made the signature"


def test_complete_resigning_by_another_key(package: Path, tmp_path: Path, keys: Keys) -> None:
    """Signature, certificate and bag-info all replaced consistently: the custody log still
    names the investigator's certificate, and the fingerprint given by phone differs."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    def forge(e: Entries) -> None:
        e["bag-info.txt"] = e["bag-info.txt"].replace(keys.own_fp.encode(),
                                                      keys.other_fp.encode())
        e[SIGNER_CERT] = x509.load_der_x509_certificate(keys.other_cert).public_bytes(
            Encoding.PEM)
        rehash(e)
        resign(e, keys.other_key, keys.other_cert)

    result = tampered(package, tmp_path, forge)
    # The log is genuine: the certificate that signed is what was replaced.
    assert result.reason.startswith("custody key: the package was signed with a certificate "
                                    "that the custody log does not name (the log names "
                                    f"{keys.own_fp}): the signature and its certificate were "
                                    "replaced"), result.reason
    out = tmp_path / "forged.zip"
    rewrite_zip(package, out, forge)
    with_signer = verify_package(out, signer=keys.own_fp)
    assert with_signer.reason.startswith("expected signer: signed by " + keys.other_fp)


def custody_attack(package: Path, tmp_path: Path, keys: Keys,
                   edit: Callable[[list[bytes]], list[bytes]]) -> Verification:
    """Edit the custody log's lines, then repair manifests and signature with the
    investigator's own key, so only the custody checks stand in the way."""
    log = "data/custody/custody-log.jsonl"

    def mutate(e: Entries) -> None:
        e[log] = b"".join(line + b"\n" for line in edit(e[log].splitlines()))
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    return tampered(package, tmp_path, mutate)


def test_custody_lines_reordered(package: Path, tmp_path: Path, keys: Keys) -> None:
    result = custody_attack(package, tmp_path, keys,
                            lambda lines: [lines[0], lines[2], lines[1], *lines[3:]])
    assert result.reason.startswith("custody chain: ")
    assert re.search(r"event \d+", result.reason), result.reason


def test_custody_line_removed(package: Path, tmp_path: Path, keys: Keys) -> None:
    result = custody_attack(package, tmp_path, keys, lambda lines: lines[:3] + lines[4:])
    assert result.reason.startswith("custody chain: ")


def test_custody_tail_removed(package: Path, tmp_path: Path, keys: Keys) -> None:
    """Dropping the last events leaves a valid chain prefix; bag-info pins the end."""
    result = custody_attack(package, tmp_path, keys, lambda lines: lines[:-1])
    assert result.reason.startswith("custody chain: the log ends at event "), result.reason
    assert "events cut from the end or added" in result.reason


def test_custody_line_edited(package: Path, tmp_path: Path, keys: Keys) -> None:
    def edit(lines: list[bytes]) -> list[bytes]:
        record = json.loads(lines[2])
        event = record["event"]
        event["time"] = "2026-01-01T00:00:00.000000Z"  # backdated receipt
        return [*lines[:2], json.dumps(record).encode(), *lines[3:]]

    result = custody_attack(package, tmp_path, keys, edit)
    assert result.reason.startswith("custody chain: ")
    assert "hash" in result.reason or "signature" in result.reason


def test_custody_edit_is_also_caught_without_resigning(package: Path, tmp_path: Path) -> None:
    log = "data/custody/custody-log.jsonl"

    def edit(e: Entries) -> None:
        e[log] = e[log].replace(b"Mary Okafor", b"Mary Okafox", 1)

    result = tampered(package, tmp_path, edit)
    assert result.reason == f"payload hashes: {log} was changed"
    assert any(c.name == "custody chain" and not c.ok for c in result.checks)


def test_exhibit_swapped_for_another_exhibit(package: Path, tmp_path: Path,
                                             keys: Keys) -> None:
    _, entries = read_zip(package)
    pdfs = sorted(n for n in entries if n.startswith("data/exhibits/") and n.endswith(".pdf"))
    first, second = pdfs[:2]

    def swap(e: Entries) -> None:
        e[first] = e[second]
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    result = tampered(package, tmp_path, swap)
    ref = first.split("/")[-1].split("_")[0].replace("-", "/")
    assert result.reason == f"exhibits: {ref}: {first} is not the content its record describes"


def test_exhibit_and_its_record_swapped(package: Path, tmp_path: Path, keys: Keys) -> None:
    """The record is made to agree with the swapped content: the signed receipt disagrees."""
    _, entries = read_zip(package)
    pdfs = sorted(n for n in entries if n.startswith("data/exhibits/") and n.endswith(".pdf"))
    first, second = pdfs[:2]
    ref = first.split("/")[-1].split("_")[0]
    record_name = f"data/custody/provenance/{ref}.json"

    def swap(e: Entries) -> None:
        e[first] = e[second]
        record = json.loads(e[record_name])
        other = json.loads(e[record_name.replace(ref, second.split("/")[-1].split("_")[0])])
        record["sha256"], record["size"] = other["sha256"], other["size"]
        e[record_name] = json.dumps(record).encode()
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    result = tampered(package, tmp_path, swap)
    assert result.reason == (f"exhibits: {ref.replace('-', '/')}: its SHA-256 differs from the "
                             "one signed at its receipt")


def test_tampered_package_exit_code_and_output(package: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad.zip"
    top, entries = read_zip(package)
    exhibit = next(n for n in entries if n.startswith("data/exhibits/"))
    entries[exhibit] = flip(entries[exhibit])
    write_zip(out, top, entries)
    r = run_cli("verify", out, passphrase=None)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"NOT VERIFIED: payload hashes: {exhibit} was changed"
    assert f"  [FAIL] payload hashes: {exhibit} was changed" in lines
    assert "  [ok] signature: valid CMS signature by O=Northbridge Survivors Campaign," \
        "CN=Mary Okafor" in lines
    assert "Traceback" not in r.stdout + r.stderr
    r = run_cli("verify", out, "--json", passphrase=None)
    assert r.returncode == 1
    assert json.loads(r.stdout)["reason"] == f"payload hashes: {exhibit} was changed"


def test_newer_format_version_is_refused(package: Path, tmp_path: Path, keys: Keys) -> None:
    def bump(e: Entries) -> None:
        e["bag-info.txt"] = e["bag-info.txt"].replace(b"Evidence-Vault-Package-Version: 6",
                                                      b"Evidence-Vault-Package-Version: 7")
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    result = tampered(package, tmp_path, bump)
    assert result.reason == ("format version: package format 7: this program reads formats 1, "
                             "2, 3, 4, 5 and 6; a newer program may read it")


def test_custody_log_ending_in_a_gap_is_refused(package: Path, tmp_path: Path,
                                                keys: Keys) -> None:
    def gap(lines: list[bytes]) -> list[bytes]:
        last = json.loads(lines[-1])
        seq = last["event"]["seq"]
        return [*lines[:-1], json.dumps({"omitted": {"from": seq, "to": seq},
                                         "hash": last["hash"]}).encode()]

    result = custody_attack(package, tmp_path, keys, gap)
    assert result.reason.startswith("custody chain: custody log line ")
    assert "an omitted range at the end" in result.reason


def test_stated_custody_key_must_be_the_logs(package: Path, tmp_path: Path, keys: Keys) -> None:
    def restate(e: Entries) -> None:
        e["bag-info.txt"] = re.sub(rb"Evidence-Vault-Custody-Key-Fingerprint: [0-9A-F ]+",
                                   b"Evidence-Vault-Custody-Key-Fingerprint: 0000",
                                   e["bag-info.txt"])
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    result = tampered(package, tmp_path, restate)
    assert result.reason.startswith("custody key: bag-info.txt names custody key 0000, but the "
                                    "log is signed by ")


def test_signature_must_be_pem(package: Path, tmp_path: Path) -> None:
    from asn1crypto import pem

    result = tampered(package, tmp_path,
                      lambda e: e.update({SIGNATURE: pem.unarmor(e[SIGNATURE])[2]}))
    assert result.reason == f"signature: {SIGNATURE} is not a PEM CMS signature"


def test_record_pointing_outside_the_exhibits(package: Path, tmp_path: Path,
                                              keys: Keys) -> None:
    def point(e: Entries) -> None:
        record = json.loads(e["data/custody/provenance/MO-1.json"])
        record["file"] = "data/report/exhibit-list.pdf"
        record["sha256"] = sha256(e["data/report/exhibit-list.pdf"])
        e["data/custody/provenance/MO-1.json"] = json.dumps(record).encode()
        rehash(e)
        resign(e, keys.own_key, keys.own_cert)

    result = tampered(package, tmp_path, point)
    assert result.reason.startswith("exhibits: MO/1: its record points outside data/exhibits/")
