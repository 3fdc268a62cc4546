"""The vault's package-signing certificate over time: renewing it, asking an organisation's
root for one, and installing what the root issued. The key never changes (it is the vault's);
each new certificate is a ``signing certificate changed`` custody event, which every package
excerpt carries, so a verifier follows the certificates from the one event 1 names to the
one that signed (docs/package-format.md, "Who signed")."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vault.custody import log as custody
from vault.errors import VaultError
from vault.signing.certs import VALID_YEARS, cert_fingerprint, self_signed, subject_of
from vault.signing.org_ca import issued_by
from vault.store.vault import Vault


def _key(v: Vault) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(v.signing_material()[0], None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def current(v: Vault) -> x509.Certificate:
    return x509.load_der_x509_certificate(v.signing_material()[1])


def request(v: Vault) -> bytes:
    """A certificate request (PEM) for the vault's signing key, in the investigator's name."""
    key = _key(v)
    csr = (x509.CertificateSigningRequestBuilder().subject_name(subject_of(v.identity))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def _replace(v: Vault, new_der: bytes, reason: str, issuer: x509.Certificate | None) -> str:
    old_fp = v.certificate_fingerprint()
    new_fp = cert_fingerprint(new_der)
    cert = x509.load_der_x509_certificate(new_der)
    details = {"old_fingerprint": old_fp, "new_fingerprint": new_fp, "reason": reason,
               "subject": cert.subject.rfc4514_string(),
               "issuer": cert.issuer.rfc4514_string(),
               "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if issuer is not None:
        details["issuer_fingerprint"] = cert_fingerprint(
            issuer.public_bytes(serialization.Encoding.DER))
    with v.transaction():
        v.con.execute("UPDATE keys SET cert=? WHERE name='signing'", (new_der,))
        v.record(custody.SIGNING_CERTIFICATE_CHANGED, details=details)
    return new_fp


def renew(v: Vault, years: int = VALID_YEARS) -> str:
    """A new self-signed certificate for the same key; returns its fingerprint."""
    return _replace(v, self_signed(_key(v), v.identity, v.clock.now(), years), "renewed", None)


def install(v: Vault, cert_pem: bytes, root_pem: bytes) -> str:
    """Install a certificate an organisation's root issued for this vault's key."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        root = x509.load_pem_x509_certificate(root_pem)
    except ValueError as e:
        raise VaultError("the certificate or the root is not a PEM certificate") from e
    mine = _key(v).public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = cert.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise VaultError("that certificate is not for this vault's signing key")
    if not issued_by(cert, root):
        raise VaultError("that certificate was not issued by the root given")
    now = v.clock.now()
    if not cert.not_valid_before_utc <= now.astimezone(dt.UTC) <= cert.not_valid_after_utc:
        raise VaultError("that certificate is not valid now")
    return _replace(v, cert.public_bytes(serialization.Encoding.DER),
                    f"issued by {root.subject.rfc4514_string()}", root)
