"""Detached CMS (PKCS #7) signatures, as ``openssl cms -sign -binary`` makes and checks them.

Signing uses ``cryptography``; checking uses ``asn1crypto`` to read the structure and
``cryptography`` for the arithmetic, so the verify path needs neither OpenSSL's command line
nor anything heavy.
"""

from __future__ import annotations

import hashlib

from asn1crypto import cms, pem
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

_HASHES = {"sha256": (hashes.SHA256, hashlib.sha256), "sha384": (hashes.SHA384, hashlib.sha384),
           "sha512": (hashes.SHA512, hashlib.sha512)}


class CmsError(Exception):
    """The signature is malformed or does not verify; ``str()`` says why."""


def sign_detached(data: bytes, key_der: bytes, cert_der: bytes) -> bytes:
    """A PEM CMS SignedData over ``data`` (detached, binary), carrying the certificate."""
    key = serialization.load_der_private_key(key_der, None)
    cert = x509.load_der_x509_certificate(cert_der)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("the signing key must be ECDSA")
    return (pkcs7.PKCS7SignatureBuilder().set_data(data)
            .add_signer(cert, key, hashes.SHA256())
            .sign(serialization.Encoding.PEM,
                  [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))


def verify_detached(signature: bytes, data: bytes) -> x509.Certificate:
    """Check a detached CMS signature over ``data``; return the signer's certificate."""
    try:
        der = pem.unarmor(signature)[2] if pem.detect(signature) else signature
        if der is not signature and pem.armor("PKCS7", der) != signature:
            raise CmsError("the signature file is not in the exact PEM form it was written in "
                           "(changed)")
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise CmsError("not a CMS SignedData structure")
        sd = info["content"]
        if sd["encap_content_info"]["content"].native is not None:
            raise CmsError("the signature is not detached")
        signers = list(sd["signer_infos"])
        if len(signers) != 1:
            raise CmsError(f"{len(signers)} signers; exactly one expected")
        si = signers[0]
        certs = [c.chosen for c in sd["certificates"] if c.name == "certificate"]
        sid = si["sid"].chosen
        match = [c for c in certs if isinstance(sid, cms.IssuerAndSerialNumber)
                 and c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native]
        if len(match) != 1:
            raise CmsError("the signer's certificate is not in the signature")
        digest_name = si["digest_algorithm"]["algorithm"].native
        if digest_name not in _HASHES:
            raise CmsError(f"unsupported digest {digest_name}")
        hash_cls, hashlib_fn = _HASHES[digest_name]
        attrs = si["signed_attrs"]
        if not len(attrs):
            raise CmsError("the signature has no signed attributes")
        values = {a["type"].native: a["values"][0].native for a in attrs}
        if values.get("content_type") != "data":
            raise CmsError("the signed content type is not 'data'")
        if values.get("message_digest") != hashlib_fn(data).digest():
            raise CmsError("the signed file's hash does not match the signature (file changed)")
        signed = attrs.dump()
        signed = b"\x31" + signed[1:]  # DER of the SET OF, as signed (RFC 5652, 5.4)
        cert = x509.load_der_x509_certificate(match[0].dump())
        public = cert.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise CmsError("the signer's key is not ECDSA")
        public.verify(si["signature"].native, signed, ec.ECDSA(hash_cls()))
        return cert
    except InvalidSignature:
        raise CmsError("the signature does not verify with the certificate it carries") from None
    except CmsError:
        raise
    except Exception as e:
        raise CmsError(f"the signature is malformed ({type(e).__name__})") from e
