"""The investigator's package-signing certificate: made at vault creation, kept inside the
index, renewed or replaced by one an organisation's root issued (docs/package-format.md,
"Who signed").

The certificate is an end-entity certificate (CA:FALSE, digital signature and
non-repudiation, extended key usage document signing), valid for a few years: a recipient who
trusts it trusts it for what it signs, never for other certificates. A campaign or chambers
may run a small root of its own (:mod:`vault.signing.org_ca`) that issues its investigators'
certificates; the key stays the vault's.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from vault.store.identity import Identity

VALID_YEARS = 3  # a new or renewed certificate; renew before it ends (`certificate renew`)
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning, RFC 9336


def subject_of(identity: Identity) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, identity.name)]
    if identity.organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, identity.organisation))
    return x509.Name(attrs)


def leaf_builder(subject: x509.Name, public_key: ec.EllipticCurvePublicKey,
                 now: dt.datetime, years: int = VALID_YEARS) -> x509.CertificateBuilder:
    """An end-entity certificate for signing packages and PDFs, not yet signed."""
    start = now.replace(microsecond=0) - dt.timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years + 1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def self_signed(key: ec.EllipticCurvePrivateKey, identity: Identity, now: dt.datetime,
                years: int = VALID_YEARS) -> bytes:
    """A self-signed end-entity certificate of ``key`` (DER)."""
    name = subject_of(identity)
    cert = leaf_builder(name, key.public_key(), now, years).issuer_name(name).sign(
        key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.DER)


def make_signing_certificate(identity: Identity, now: dt.datetime) -> tuple[bytes, bytes]:
    """A new ECDSA P-256 key and its self-signed certificate for CMS and PDF signatures:
    (private key DER, certificate DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, self_signed(key, identity, now)


def cert_fingerprint(cert_der: bytes) -> str:
    """SHA-256 of the DER certificate, as ``openssl x509 -fingerprint -sha256`` prints it."""
    h = hashlib.sha256(cert_der).hexdigest().upper()
    return ":".join(h[i:i + 2] for i in range(0, 64, 2))
