"""The by-hand route: every command of a generated HOW-TO-VERIFY.txt, run with the real
``openssl`` and ``sha256sum``, passes on a genuine package and fails on a forgery that
shows the genuine fingerprint in the first certificate of the file."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from packages import (
    CASE,
    Entries,
    export,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
    sample_paths,
)

from vault.evidence.notes import add_note
from vault.packages.format import HOWTO, SIGNATURE, SIGNATURE_TOKEN, SIGNER_CERT, TAGMANIFEST
from vault.packages.verify import verify_package
from vault.signing.cms import sign_detached


def steps(howto: str) -> dict[str, list[str]]:
    """The commands of section 2, by step letter (a to e), continuation lines joined."""
    part = howto.split("2. With standard tools only", 1)[1].split("\nf) ", 1)[0]
    found: dict[str, list[str]] = {}
    letter = ""
    pending = ""
    for line in part.splitlines():
        m = re.match(r"([a-e])\) ", line)
        if m:
            letter = m[1]
            found[letter] = []
            continue
        if not letter or not line.startswith("     ") or line.startswith("      "):
            if pending and line.startswith("       "):
                pending += " " + line.strip()
                if not pending.endswith("\\"):
                    found[letter].append(pending)
                    pending = ""
                else:
                    pending = pending[:-1].rstrip()
            continue
        text = line.strip()
        if text.startswith(("On macOS", "(")):
            continue
        if text.endswith("\\"):
            pending = text[:-1].rstrip()
        else:
            found[letter].append(text)
    return found


def run(folder: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def unzip(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as z:
        top = z.namelist()[0].split("/", 1)[0]
    subprocess.run(["unzip", "-q", str(package), "-d", str(into)], check=True)
    return into / top


def by_hand(package: Path, into: Path, fingerprint: str) -> dict[str, bool]:
    """Run every step; True where it printed what HOW-TO-VERIFY.txt says it must."""
    folder = unzip(package, into)
    found = steps((folder / HOWTO).read_text(encoding="utf-8"))
    assert set(found) == set("abcde"), found
    assert all(found[k] for k in found), found
    out: dict[str, bool] = {}
    a = [run(folder, c) for c in found["a"]]
    out["a"] = all(r.returncode == 0 and r.stdout.strip() == "1" for r in a)
    b = [run(folder, c) for c in found["b"]]
    out["b"] = all(r.returncode == 0 and "CMS Verification successful" in r.stderr for r in b)
    c = [run(folder, c) for c in found["c"]]
    out["c"] = len(c) == 2 and all(r.returncode == 0 and r.stdout.strip() ==
                                   f"sha256 Fingerprint={fingerprint}" for r in c)
    d = [run(folder, c) for c in found["d"]]
    out["d"] = all(r.returncode == 0 and all(line.endswith(": OK") for line in
                                             r.stdout.splitlines()) for r in d)
    e = [run(folder, c) for c in found["e"]]
    oxum = re.search(r"Payload-Oxum: \d+\.(\d+)", (folder / "bag-info.txt").read_text())
    assert oxum is not None
    count = e[1].stdout.split()[0] if len(e) > 1 and e[1].stdout.split() else ""
    out["e"] = e[0].returncode == 0 and e[0].stdout == "" and count == oxum[1]
    return out


@pytest.fixture
def genuine(tmp_path: Path) -> tuple[Path, str]:
    v = new_vault(tmp_path / "mary")
    try:
        import_files(v, sample_paths(tmp_path))
        # A privileged note: left out of the package (the default), which still checks by hand.
        add_note(v, "MO/1", "privileged: the caller may not be reliable")
        package = export(v, tmp_path / "genuine.zip", case=CASE).path
        assert b"privileged" not in package.read_bytes()
        return package, v.certificate_fingerprint()
    finally:
        v.close()


def test_every_step_passes_on_a_genuine_package(genuine: tuple[Path, str],
                                                tmp_path: Path) -> None:
    package, fingerprint = genuine
    howto = read_zip(package)[1][HOWTO].decode()
    assert "\\\n" in howto  # commands continue on the next line, ready to paste
    assert " N " not in howto and "head-N" not in howto
    assert by_hand(package, tmp_path / "out", fingerprint) == dict.fromkeys("abcde", True)


def _lookalike(cert_pem: bytes) -> tuple[bytes, bytes]:
    """A self-signed certificate whose subject differs from the genuine one by one byte."""
    genuine = x509.load_pem_x509_certificate(cert_pem)
    org = genuine.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    cn = genuine.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(cn)),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{org}.")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.DER))


def test_the_lookalike_forgery_fails_by_hand_and_in_the_program(
        genuine: tuple[Path, str], tmp_path: Path) -> None:
    package, fingerprint = genuine

    def forge(e: Entries) -> None:
        exhibit = next(n for n in e if n.startswith("data/exhibits/MO-1_"))
        e[exhibit] = e[exhibit].replace(b"be noted", b"be ACTED ON") + b"%doctored"
        rehash(e)
        key, cert = _lookalike(e[SIGNER_CERT])
        e[SIGNATURE] = sign_detached(e[TAGMANIFEST], key, cert)
        e[SIGNER_CERT] = e[SIGNER_CERT] + x509.load_der_x509_certificate(cert).public_bytes(
            serialization.Encoding.PEM)
        e.pop(SIGNATURE_TOKEN, None)

    forged = tmp_path / "forged.zip"
    rewrite_zip(package, forged, forge)
    result = verify_package(forged)
    assert not result.intact
    hand = by_hand(forged, tmp_path / "out", fingerprint)
    assert hand["a"] is False  # two certificates in the file
    assert hand["c"] is False  # the certificate that signed is not the one confirmed
    assert hand["d"] is True  # the manifests were redone: only the signer gives it away
