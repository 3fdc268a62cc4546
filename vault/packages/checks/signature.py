"""Who signed: the CMS signature over the tag manifest, the certificate in it and the one
shipped beside it, the signer bag-info.txt names, and the organisation roots that vouch for
it."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from vault.custody.log import event_instant
from vault.packages.checks.reader import PackageReader
from vault.packages.format import SIGNATURE, SIGNER_CERT, TAGMANIFEST, normalise_fingerprint
from vault.packages.verification import Verification
from vault.signing.certs import cert_fingerprint
from vault.signing.cms import CmsError, verify_detached
from vault.signing.signers import KnownSigner, KnownSigners


def signature(pkg: PackageReader, tagmanifest: bytes, expected: str | None) -> None:
    """The CMS signature over the tag manifest, its certificate, and the fingerprint the
    user expected (``expected``), if any."""
    signature = pkg.read(SIGNATURE)
    if not signature.startswith(b"-----BEGIN PKCS7-----\n"):
        pkg.check("signature", False, f"{SIGNATURE} is not a PEM CMS signature",
                  fatal=True)
    try:
        cert = verify_detached(signature, tagmanifest)
    except CmsError as e:
        pkg.check("signature", False, f"{TAGMANIFEST}: {e}", fatal=True)
    pkg.r.signer_certificate = cert
    if cert.issuer == cert.subject:  # else issued by an organisation's root: see trust
        try:
            cert.verify_directly_issued_by(cert)
        except (ValueError, TypeError, InvalidSignature):
            pkg.check("signature", False, "the certificate in the signature is not a "
                      "valid self-signed certificate (damaged or forged)", fatal=True)
    fp = cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))
    pkg.r.signer_fingerprint = fp
    pkg.r.signer_name = _subject(cert, NameOID.COMMON_NAME)
    pkg.r.signer_organisation = _subject(cert, NameOID.ORGANIZATION_NAME)
    pkg.check("signature", True, f"valid CMS signature by {cert.subject.rfc4514_string()}")
    shipped = pkg.read(SIGNER_CERT) == cert.public_bytes(serialization.Encoding.PEM)
    pkg.check("signer certificate", shipped, f"{SIGNER_CERT} is the "
              "certificate in the signature" if shipped else
              f"{SIGNER_CERT} is not the certificate that made the signature")
    if expected is not None:
        same = normalise_fingerprint(expected) == normalise_fingerprint(fp)
        pkg.check("expected signer", same, "matches the fingerprint you gave" if same else
                  f"signed by {fp}, not by the fingerprint you gave")


def stated_signer(pkg: PackageReader) -> None:
    """bag-info.txt (now known to be as signed) names the certificate that signed."""
    fp = pkg.r.signer_fingerprint
    stated = pkg.r.bag_info.get("Evidence-Vault-Signer-Fingerprint", "")
    pkg.check("signer", normalise_fingerprint(stated) == normalise_fingerprint(fp),
              f"certificate SHA-256 {fp}" if normalise_fingerprint(stated) ==
              normalise_fingerprint(fp) else
              f"bag-info names {stated or 'no'} signer but the signature is by {fp}")


def root_lists(result: Verification, roots: Sequence[x509.Certificate],
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


def _subject(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""
