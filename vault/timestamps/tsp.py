"""RFC 3161 trusted timestamps: asking a Time-Stamping Authority (TSA) and checking its answer.

A laptop's clock proves nothing in court; a token signed by a TSA proves that a hash existed
at the TSA's time. This module is the protocol layer only: build a TimeStampReq, POST it over
HTTP(S), and check a TimeStampResp against the message and a set of trusted roots.

Checking happens in two stages, so a *tampered* token (an error) is told apart from a
*genuine token from a TSA we do not trust* (flagged, not trusted): first the CMS signature,
the message imprint, the nonce and the TSA certificate's purpose are checked against the
token's own certificates (plus any supplied); then trust is decided by building a chain from
the TSA certificate to one of the given roots, valid at the token's time.

No Qt, PyMuPDF, pyHanko or Pillow here: package verification uses this module.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms, core, pem, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from vault.errors import EnvironmentProblem, VaultError
from vault.signing.certs import cert_fingerprint

MAX_RESPONSE = 1024 * 1024
"""The largest TSA answer read (1 MiB); real ones are a few kilobytes."""
MAX_CHAIN = 8
"""The longest certificate chain followed from the TSA certificate to a root."""

_HASHES: dict[str, tuple[type[hashes.HashAlgorithm], str]] = {
    "sha256": (hashes.SHA256, "sha256"), "sha384": (hashes.SHA384, "sha384"),
    "sha512": (hashes.SHA512, "sha512"),
}


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161's TimeStampResp: asn1crypto's own makes the token mandatory, but a refusal
    carries none."""

    _fields = [  # noqa: RUF012
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


_STATUS = {name: code for code, name in tsp.PKIStatus._map.items()}


class TsaUnreachable(EnvironmentProblem):
    """The TSA could not be asked: refused, timed out, HTTP error, or not a TSA's answer."""


class BadTsaUrl(TsaUnreachable):
    """The TSA address is not an http:// or https:// URL."""


@dataclass(frozen=True)
class Query:
    der: bytes
    """The TimeStampReq as sent."""
    nonce: int
    digest: bytes
    """SHA-256 of the message (the message imprint)."""


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    trusted: bool
    gen_time: datetime | None
    tsa: str
    serial: int
    problem: str
    chain_pem: str


def make_query(message: bytes) -> Query:
    """A TimeStampReq for ``message``, built by rfc3161-client: SHA-256 imprint, a random
    nonce, certReq true."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    req = TimestampRequestBuilder(data=message, hash_algorithm=HashAlgorithm.SHA256,
                                  nonce=True, cert_req=True).build()
    nonce = req.nonce
    if nonce is None:  # the builder always sets one; a query without would be replayable
        raise VaultError("could not make a time-stamp request with a nonce")
    return Query(der=req.as_bytes(), nonce=int(nonce), digest=hashlib.sha256(message).digest())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: object, newurl: str) -> None:
        raise TsaUnreachable(f"the time-stamping server at {req.full_url} answered with a "
                             f"redirect to {newurl}; configure that address instead")


def _check_url(url: str) -> None:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as e:
        raise BadTsaUrl(f"{url!r} is not a valid web address ({e})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadTsaUrl(f"{url!r} is not a time-stamping server address: it must start with "
                        "http:// or https:// and name a host")


def send_query(url: str, query: Query, *, timeout: float = 10.0) -> bytes:
    """POST ``query`` to the TSA at ``url`` and return its TimeStampResp (DER).

    The answer is read up to :data:`MAX_RESPONSE` bytes and within ``timeout`` seconds in all;
    it must parse as a TimeStampResp (whatever its status). Raises :class:`TsaUnreachable`.
    """
    _check_url(url)
    req = urllib.request.Request(url, data=query.der, method="POST", headers={  # noqa: S310
        "Content-Type": "application/timestamp-query",
        "Accept": "application/timestamp-reply",
        "User-Agent": "evidence-vault",
    })
    opener = urllib.request.build_opener(_NoRedirect())
    deadline = time.monotonic() + timeout
    where = f"the time-stamping server at {url}"
    try:
        with opener.open(req, timeout=timeout) as resp:
            body = b""
            while len(body) <= MAX_RESPONSE:
                if time.monotonic() > deadline:
                    raise TsaUnreachable(f"{where} took longer than {timeout:g} seconds to "
                                         "answer")
                chunk = resp.read(min(65536, MAX_RESPONSE + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
    except TsaUnreachable:
        raise
    except urllib.error.HTTPError as e:
        e.close()  # it holds the connection
        raise TsaUnreachable(f"{where} refused the request: HTTP error {e.code} "
                             f"({e.reason})") from None
    except urllib.error.URLError as e:
        raise TsaUnreachable(f"{where} could not be reached: {_reason(e.reason)}") from None
    except TimeoutError:
        raise TsaUnreachable(f"{where} did not answer within {timeout:g} seconds") from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise TsaUnreachable(f"{where} could not be reached: {_reason(e)}") from None
    if len(body) > MAX_RESPONSE:
        raise TsaUnreachable(f"{where} sent more than {MAX_RESPONSE // 1024} KiB; that is not "
                             "a time-stamp answer")
    try:
        _TimeStampResp.load(body, strict=True)["status"]["status"].native  # noqa: B018
    except Exception:
        raise TsaUnreachable(f"{where} did not answer with a time-stamp response (is it a "
                             "time-stamping service?)") from None
    return body


def _reason(e: object) -> str:
    if isinstance(e, ConnectionRefusedError):
        return "the connection was refused (nothing is listening there)"
    if isinstance(e, TimeoutError):
        return "it did not answer in time"
    if isinstance(e, socket.gaierror):
        return "the host name could not be found"
    if isinstance(e, http.client.RemoteDisconnected | ConnectionResetError):
        return "it closed the connection without answering"
    if isinstance(e, http.client.HTTPException):
        return f"it did not answer in HTTP ({type(e).__name__})"
    text = str(e) or type(e).__name__
    return text


def load_certificates(pem_or_der: bytes) -> list[x509.Certificate]:
    """One or more PEM certificates, or one DER certificate."""
    try:
        if b"-----BEGIN" in pem_or_der:
            certs = x509.load_pem_x509_certificates(pem_or_der)
        else:
            certs = [x509.load_der_x509_certificate(pem_or_der)]
    except ValueError:
        raise VaultError("not a certificate file: expected one or more PEM certificates "
                         "(-----BEGIN CERTIFICATE-----) or one DER certificate") from None
    if not certs:
        raise VaultError("the certificate file holds no certificate")
    return certs


def _to_pem(certs: Sequence[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass
class _Parsed:
    status: int
    status_text: str
    signed_data: cms.SignedData | None
    tst: tsp.TSTInfo | None
    tst_der: bytes
    certs: list[x509.Certificate]


def _parse(response_der: bytes) -> _Parsed:
    """Parse fully, or raise ValueError (any parse problem)."""
    if pem.detect(response_der):
        raise ValueError("PEM, not DER")
    resp = _TimeStampResp.load(response_der, strict=True)
    status_name = resp["status"]["status"].native
    status = _STATUS.get(status_name, -1) if isinstance(status_name, str) else int(status_name)
    text_field = resp["status"]["status_string"]
    text = "; ".join(str(s) for s in text_field.native) if text_field.native else ""
    if status not in (0, 1):
        return _Parsed(status, text, None, None, b"", [])
    token = resp["time_stamp_token"]
    if isinstance(token, core.Void) or token["content_type"].native != "signed_data":
        raise ValueError("no SignedData token")
    sd = token["content"]
    eci = sd["encap_content_info"]
    if eci["content_type"].native != "tst_info":
        raise ValueError("the token does not hold a TSTInfo")
    tst_der = eci["content"].contents
    tst = tsp.TSTInfo.load(tst_der, strict=True)
    tst.native  # noqa: B018  (forces a full parse)
    certs = []
    for choice in sd["certificates"] or []:
        if choice.name == "certificate":
            certs.append(x509.load_der_x509_certificate(choice.chosen.dump()))
    return _Parsed(status, text, sd, tst, tst_der, certs)


def _gen_time(tst: tsp.TSTInfo) -> datetime:
    value = tst["gen_time"].native
    if not isinstance(value, datetime):
        raise ValueError("genTime is not a time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _find_signer(sd: cms.SignedData, pool: Sequence[x509.Certificate]) -> x509.Certificate | None:
    si = sd["signer_infos"][0]
    sid = si["sid"]
    for cert in pool:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if (_der_name(cert.issuer) == ias["issuer"].dump()
                    and cert.serial_number == ias["serial_number"].native):
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.chosen.native:
                return cert
    return None


def _der_name(name: x509.Name) -> bytes:
    return name.public_bytes()


def _verify_signature(cert: x509.Certificate, si: cms.SignerInfo, signed: bytes) -> None:
    """Raise InvalidSignature (or ValueError) unless ``si``'s signature over ``signed`` holds."""
    digest_name = si["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise ValueError(f"unsupported digest {digest_name}")
    hash_cls = _HASHES[digest_name][0]
    signature = si["signature"].native
    algo = si["signature_algorithm"]
    algo_name = algo.signature_algo
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and algo_name == "rsassa_pkcs1v15":
        key.verify(signature, signed, padding.PKCS1v15(), hash_cls())
    elif isinstance(key, rsa.RSAPublicKey) and algo_name == "rsassa_pss":
        params = algo["parameters"]
        pss_hash = params["hash_algorithm"]["algorithm"].native
        if pss_hash not in _HASHES:
            raise ValueError(f"unsupported PSS digest {pss_hash}")
        pss_cls = _HASHES[pss_hash][0]
        key.verify(signature, signed, padding.PSS(padding.MGF1(pss_cls()),
                                                  params["salt_length"].native), pss_cls())
    elif isinstance(key, ec.EllipticCurvePublicKey) and algo_name == "ecdsa":
        key.verify(signature, signed, ec.ECDSA(hash_cls()))
    elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey) and \
            algo_name in ("ed25519", "ed448"):
        key.verify(signature, signed)
    else:
        raise ValueError(f"unsupported signature algorithm {algo_name}")


def _check_ess(attrs: dict[str, core.Asn1Value], cert: x509.Certificate) -> str:
    """'' if the signed ESS signing-certificate attribute names ``cert``, else a problem."""
    der = _der(cert)
    if "signing_certificate_v2" in attrs:
        ids = attrs["signing_certificate_v2"][0]["certs"]
        first = ids[0]
        name = first["hash_algorithm"]["algorithm"].native
        if name not in _HASHES:
            return f"the token names its certificate with an unsupported hash ({name})"
        if first["cert_hash"].native != hashlib.new(_HASHES[name][1], der).digest():
            return "the token's signed certificate reference does not match its certificate"
        return ""
    if "signing_certificate" in attrs:
        first = attrs["signing_certificate"][0]["certs"][0]
        if first["cert_hash"].native != hashlib.sha1(der, usedforsecurity=False).digest():
            return "the token's signed certificate reference does not match its certificate"
        return ""
    return "the token does not name the certificate that signed it (no ESS signing-certificate)"


def _valid_at(cert: x509.Certificate, when: datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return ku.key_cert_sign


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _describe(cert: x509.Certificate) -> str:
    return f"“{cert.subject.rfc4514_string()}” (SHA-256 fingerprint {cert_fingerprint(_der(cert))})"


def _build_chain(leaf: x509.Certificate, pool: Sequence[x509.Certificate],
                 roots: Sequence[x509.Certificate], when: datetime
                 ) -> tuple[list[x509.Certificate], bool, str]:
    """(path from the leaf, trusted, problem). The path ends at a root when trusted."""
    root_ders = {_der(r) for r in roots}
    path = [leaf]
    while True:
        current = path[-1]
        if not _valid_at(current, when):
            return path, False, (f"the certificate {_describe(current)} was not valid at the "
                                 f"token's time {when.isoformat()}")
        if _der(current) in root_ders:
            return path, True, ""
        # A root given as a different encoding of the same key and name still anchors.
        for r in roots:
            if r.subject == current.subject and r.public_key() == current.public_key():
                if not _valid_at(r, when):
                    break
                return [*path[:-1], r], True, ""
        if len(path) >= MAX_CHAIN:
            break
        issuers = [c for c in (*roots, *pool) if c.subject == current.issuer
                   and _der(c) not in {_der(p) for p in path}
                   and (_der(c) in root_ders or _is_ca(c))
                   and _issued_by(current, c)]
        if not issuers:
            break
        trusted_first = sorted(issuers, key=lambda c: _der(c) not in root_ders)
        path.append(trusted_first[0])
    top = path[-1]
    if top.issuer == top.subject:
        end = "a root that is neither configured nor bundled"
    else:
        end = (f"issued by “{top.issuer.rfc4514_string()}”, which is not a configured or "
               "bundled root")
    return path, False, (f"the time-stamping authority “{leaf.subject.rfc4514_string()}” is not "
                         f"trusted: its certificate chain ends at {_describe(top)}, {end}")


def check_response(response_der: bytes, message: bytes, roots: Sequence[x509.Certificate], *,
                   nonce: int | None = None,
                   extra_certs: Sequence[x509.Certificate] = ()) -> TokenCheck:
    """Check a TimeStampResp for ``message``; never raises for bad input."""
    try:
        return _check(response_der, message, roots, nonce, extra_certs)
    except Exception as e:  # a malformed corner the parser met late
        return TokenCheck(False, False, None, "", 0,
                          f"This is not a timestamp response (it is malformed: "
                          f"{type(e).__name__}).", "")


def _check(response_der: bytes, message: bytes, roots: Sequence[x509.Certificate],
           nonce: int | None, extra_certs: Sequence[x509.Certificate]) -> TokenCheck:
    try:
        parsed = _parse(response_der)
    except Exception:
        return TokenCheck(False, False, None, "", 0,
                          "This is not a timestamp response (RFC 3161 TimeStampResp).", "")
    if parsed.signed_data is None or parsed.tst is None:
        names = {2: "rejection", 3: "waiting", 4: "revocation warning",
                 5: "revocation notification"}
        text = f": {parsed.status_text}" if parsed.status_text else ""
        return TokenCheck(False, False, None, "", 0,
                          f"The time-stamping authority did not grant a timestamp (status "
                          f"{names.get(parsed.status, parsed.status)}{text}).", "")
    sd, tst = parsed.signed_data, parsed.tst
    gen_time = _gen_time(tst)
    serial = int(tst["serial_number"].native)

    def fail(problem: str, tsa: str = "", chain: Sequence[x509.Certificate] = ()) -> TokenCheck:
        return TokenCheck(False, False, gen_time, tsa, serial, problem, _to_pem(chain))

    if len(sd["signer_infos"]) != 1:
        return fail(f"The token has {len(sd['signer_infos'])} signers; exactly one is expected.")
    pool = [*parsed.certs, *(c for c in extra_certs if c not in parsed.certs)]
    signer = _find_signer(sd, pool)
    if signer is None:
        return fail("The token does not carry the time-stamping authority's certificate and "
                    "none was supplied, so its signature cannot be checked.")
    tsa = signer.subject.rfc4514_string()
    si = sd["signer_infos"][0]
    attrs_field = si["signed_attrs"]
    if not len(attrs_field):
        return fail("The token's signature is invalid: it has no signed attributes.", tsa)
    attrs = {a["type"].native: a["values"] for a in attrs_field}
    digest_name = si["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        return fail(f"The token's signature uses an unsupported digest ({digest_name}).", tsa)
    if "content_type" not in attrs or attrs["content_type"][0].native != "tst_info":
        return fail("The token's signature is invalid: the signed content type is wrong.", tsa)
    if "message_digest" not in attrs or attrs["message_digest"][0].native != \
            hashlib.new(_HASHES[digest_name][1], parsed.tst_der).digest():
        return fail("The token's signature is invalid: its contents were changed after "
                    "signing.", tsa)
    signed = b"\x31" + attrs_field.dump()[1:]  # the SET OF, as signed (RFC 5652, 5.4)
    try:
        _verify_signature(signer, si, signed)
    except InvalidSignature:
        return fail("The token's signature is invalid: it does not verify with the "
                    "time-stamping authority's certificate.", tsa)
    except (ValueError, TypeError) as e:
        return fail(f"The token's signature cannot be checked: {e}.", tsa)
    ess = _check_ess(attrs, signer)
    if ess:
        return fail(f"The token's signature is invalid: {ess}.", tsa)

    imprint = tst["message_imprint"]
    algo = imprint["hash_algorithm"]["algorithm"].native
    if algo not in _HASHES:
        return fail(f"The token is for a hash this program does not accept ({algo}).", tsa)
    if imprint["hashed_message"].native != hashlib.new(_HASHES[algo][1], message).digest():
        return fail("The token is for another message: the hash it stamps is not this "
                    "message's hash.", tsa)
    if nonce is not None and tst["nonce"].native != nonce:
        return fail("The token has the wrong nonce: it is a replayed or mixed-up answer, not "
                    "the answer to this request.", tsa)
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        eku_ok = eku.critical and ExtendedKeyUsageOID.TIME_STAMPING in eku.value
    except x509.ExtensionNotFound:
        eku_ok = False
    if not eku_ok:
        return fail(f"The certificate “{tsa}” that signed the token is not for time-stamping "
                    "(it lacks the critical extended key usage timeStamping).", tsa)

    path, trusted, problem = _build_chain(signer, pool, roots, gen_time)
    root_ders = {_der(r) for r in roots}
    chain = [c for c in path if _der(c) not in root_ders]
    if not trusted:
        return TokenCheck(False, False, gen_time, tsa, serial, _sentence(problem),
                          _to_pem(chain))
    return TokenCheck(True, True, gen_time, tsa, serial, "", _to_pem(chain))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def token_info(response_der: bytes) -> tuple[datetime, str, int]:
    """(gen_time, TSA subject or '', serial) without any trust decision, for display."""
    try:
        parsed = _parse(response_der)
        if parsed.signed_data is None or parsed.tst is None:
            raise ValueError("not granted")
        gen_time = _gen_time(parsed.tst)
        serial = int(parsed.tst["serial_number"].native)
        signer = (_find_signer(parsed.signed_data, parsed.certs)
                  if len(parsed.signed_data["signer_infos"]) == 1 else None)
    except Exception:
        raise VaultError("the timestamp token is damaged or is not an RFC 3161 time-stamp "
                         "response") from None
    return gen_time, signer.subject.rfc4514_string() if signer else "", serial
