"""An organisation's root: a small certificate authority that a campaign or chambers keeps
offline and that issues its investigators' package-signing certificates.

A recipient who trusts the root (``verify --trust-root ROOT.pem``, or ``signers trust-root``)
recognises every investigator it issued a certificate to, without confirming each one; a
certificate the root revoked (its signed list, ``revoked.crl``) is not recognised. The
folder holds ``root-key.pem`` (the root's private key, encrypted under a passphrase, mode
0600), ``root.pem`` (its certificate, to hand to recipients), ``issued.json`` (what it issued)
and ``revoked.crl`` (an X.509 CRL signed by the root, to hand to recipients with every
update). By hand: ``openssl cms -verify ... -CAfile root.pem`` and ``openssl crl -in
revoked.crl -CAfile root.pem -noout``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from vault.errors import VaultError, WrongSecret
from vault.signing.certs import VALID_YEARS, cert_fingerprint, leaf_builder
from vault.store.atomic import atomic_write

ROOT_KEY = "root-key.pem"
ROOT_CERT = "root.pem"
ISSUED = "issued.json"
REVOKED = "revoked.crl"
ROOT_YEARS = 10
CRL_DAYS = 365


@dataclass
class Root:
    folder: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return cert_fingerprint(self.cert.public_bytes(serialization.Encoding.DER))


def init_root(folder: Path, name: str, passphrase: str, now: dt.datetime,
              years: int = ROOT_YEARS) -> Root:
    """A new root in ``folder`` (which must not hold one)."""
    if (folder / ROOT_KEY).exists() or (folder / ROOT_CERT).exists():
        raise VaultError(f"{folder} already holds a root")
    if len(passphrase) < 12:
        raise VaultError("the root's passphrase must have at least 12 characters")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name} root")])
    start = now.replace(microsecond=0) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 * years + 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")))
    atomic_write(folder / ROOT_KEY, encrypted)
    os.chmod(folder / ROOT_KEY, 0o600)
    atomic_write(folder / ROOT_CERT, cert.public_bytes(serialization.Encoding.PEM))
    atomic_write(folder / ISSUED, b"[]\n")
    root = Root(folder, key, cert)
    _write_crl(root, [], now)
    return root


def open_root(folder: Path, passphrase: str) -> Root:
    try:
        cert = x509.load_pem_x509_certificate((folder / ROOT_CERT).read_bytes())
        data = (folder / ROOT_KEY).read_bytes()
    except FileNotFoundError as e:
        raise VaultError(f"{folder} holds no root (made with 'evidence-vault org init')") from e
    except ValueError as e:
        raise VaultError(f"{folder / ROOT_CERT} is not a certificate") from e
    try:
        key = serialization.load_pem_private_key(data, passphrase.encode("utf-8"))
    except (ValueError, TypeError) as e:
        raise WrongSecret("wrong passphrase for the organisation's root") from e
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise VaultError("the root's key is not an ECDSA key")
    return Root(folder, key, cert)


def issue(root: Root, request_pem: bytes, now: dt.datetime,
          years: int = VALID_YEARS) -> bytes:
    """A certificate for the key and name of a certificate request (PEM), as PEM."""
    try:
        csr = x509.load_pem_x509_csr(request_pem)
    except ValueError as e:
        raise VaultError("that is not a certificate request (made with 'evidence-vault "
                         "certificate request')") from e
    if not csr.is_signature_valid:
        raise VaultError("the certificate request's signature does not verify (changed)")
    public = csr.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise VaultError("the certificate request is not for an ECDSA key")
    cert = (leaf_builder(csr.subject, public, now, years).issuer_name(root.cert.subject)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root.key.public_key()), critical=False)
            .sign(root.key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    issued = json.loads((root.folder / ISSUED).read_text(encoding="utf-8"))
    issued.append({"fingerprint": cert_fingerprint(der), "serial": str(cert.serial_number),
                   "subject": cert.subject.rfc4514_string(),
                   "issued": now.isoformat(), "not_after": cert.not_valid_after_utc.isoformat()})
    atomic_write(root.folder / ISSUED, (json.dumps(issued, indent=2) + "\n").encode("utf-8"))
    return cert.public_bytes(serialization.Encoding.PEM)


def revoke(root: Root, fingerprint: str, now: dt.datetime) -> Path:
    """Add a certificate the root issued to its signed revocation list; returns the list."""
    want = "".join(c for c in fingerprint.upper() if c in "0123456789ABCDEF")
    issued = json.loads((root.folder / ISSUED).read_text(encoding="utf-8"))
    entry = next((e for e in issued if e["fingerprint"].replace(":", "") == want), None)
    if entry is None:
        raise VaultError(f"this root issued no certificate with the fingerprint {fingerprint}")
    entry["revoked"] = now.isoformat()
    atomic_write(root.folder / ISSUED, (json.dumps(issued, indent=2) + "\n").encode("utf-8"))
    _write_crl(root, [e for e in issued if e.get("revoked")], now)
    return root.folder / REVOKED


def _write_crl(root: Root, revoked: list[dict[str, str]], now: dt.datetime) -> None:
    builder = (x509.CertificateRevocationListBuilder().issuer_name(root.cert.subject)
               .last_update(now).next_update(now + dt.timedelta(days=CRL_DAYS)))
    for e in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(int(e["serial"]))
            .revocation_date(dt.datetime.fromisoformat(e["revoked"])).build())
    crl = builder.sign(root.key, hashes.SHA256())
    atomic_write(root.folder / REVOKED, crl.public_bytes(serialization.Encoding.PEM))


# ------------------------------------------------------------------- the recipient's side
def issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    """``cert`` was issued by ``root`` (its signature verifies with the root's key)."""
    if cert.issuer != root.subject:
        return False
    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def revocation(cert: x509.Certificate, root: x509.Certificate,
               crls: list[x509.CertificateRevocationList]) -> str:
    """When ``root`` revoked ``cert`` according to one of ``crls`` (signed by the root), or
    ""; a list not signed by the root is ignored."""
    for crl in crls:
        if crl.issuer != root.subject or not crl.is_signature_valid(
                root.public_key()):  # type: ignore[arg-type]
            continue
        found = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if found is not None:
            return found.revocation_date_utc.isoformat()
    return ""


def load_crls(data: bytes) -> list[x509.CertificateRevocationList]:
    try:
        if b"-----BEGIN" in data:
            return [x509.load_pem_x509_crl(data)]
        return [x509.load_der_x509_crl(data)]
    except ValueError as e:
        raise VaultError("that is not a certificate revocation list (revoked.crl)") from e
