"""A local RFC 3161 Time-Stamping Authority for the tests, on 127.0.0.1 in a thread.

Two backends answer ``POST application/timestamp-query``:

* ``"openssl"`` (the default) runs the real ``openssl ts -reply``;
* ``"python"`` builds the TimeStampResp itself (asn1crypto + cryptography), with knobs to
  misbehave: a skewed clock, a wrong nonce, another message's hash, a refusal status, no
  embedded certificates, a certificate without the time-stamping purpose.

``down`` makes the server fail at the HTTP level whatever the backend: ``"refuse"`` (nothing
listens), ``"close"`` (hangs up), ``"http500"``, ``"garbage"`` (200 with non-TSA bytes) or
``"slow"`` (answers after ``slow_seconds``). Each PKI (a root CA, optionally an intermediate,
and the TSA's leaf certificate) is made with ``cryptography`` under the test's tmp dir; the
query and response files there hold only digests, never evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.2.3.4.1"
DOWN_MODES = (None, "refuse", "close", "http500", "garbage", "slow")


@dataclass
class Pki:
    """A test CA and a TSA certificate issued by it (through ``intermediate`` if any)."""

    folder: Path
    ca_cert: x509.Certificate
    ca_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate | None
    tsa_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey

    @property
    def ca_pem(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def tsa_file(self) -> Path:
        return self.folder / "tsa.crt"

    @property
    def key_file(self) -> Path:
        return self.folder / "tsa.key"

    @property
    def chain_file(self) -> Path | None:
        """The certificates between the TSA's and the root (for ``-chain``), if any."""
        return self.folder / "chain.pem" if self.intermediate else None


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evidence Vault tests")])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(subject: str, key: rsa.RSAPrivateKey, issuer: x509.Name, issuer_key: rsa.RSAPrivateKey,
        start: dt.datetime, years: int) -> x509.Certificate:
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(issuer_key, hashes.SHA256()))


def make_pki(folder: Path, *, ca_name: str = "Evidence Vault Test Root CA",
             tsa_name: str = "Evidence Vault Test TSA", intermediate: bool = False,
             eku: str = "critical") -> Pki:
    """Make and write a PKI: ``eku`` is "critical" (RFC 3161), "noncritical", "other"
    (codeSigning instead of timeStamping) or "none"."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = _key()
    ca_cert = _ca(ca_name, ca_key, _name(ca_name), ca_key, now - dt.timedelta(days=365 * 5), 15)
    issuer_cert, issuer_key = ca_cert, ca_key
    inter = None
    if intermediate:
        inter_key = _key()
        inter = _ca(f"{ca_name} Intermediate", inter_key, ca_cert.subject, ca_key,
                    now - dt.timedelta(days=365 * 5), 14)
        issuer_cert, issuer_key = inter, inter_key
    tsa_key = _key()
    builder = (x509.CertificateBuilder().subject_name(_name(tsa_name))
               .issuer_name(issuer_cert.subject).public_key(tsa_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=365 * 4))
               .not_valid_after(now + dt.timedelta(days=365 * 8))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, content_commitment=True, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=False,
                   crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()),
                              critical=False))
    if eku != "none":
        purpose = (ExtendedKeyUsageOID.CODE_SIGNING if eku == "other"
                   else ExtendedKeyUsageOID.TIME_STAMPING)
        builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]),
                                        critical=eku != "noncritical")
    tsa_cert = builder.sign(issuer_key, hashes.SHA256())
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "tsa.crt").write_bytes(tsa_cert.public_bytes(pem))
    (folder / "tsa.key").write_bytes(tsa_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    if inter is not None:
        (folder / "chain.pem").write_bytes(inter.public_bytes(pem))
    return Pki(folder, ca_cert, ca_key, inter, tsa_cert, tsa_key)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


TS_CNF = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = {policy}
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class TsaServer:
    """The local TSA; a context manager. ``url`` is valid once started."""

    def __init__(self, folder: Path, *, backend: str = "openssl", pki: Pki | None = None,
                 time_offset: dt.timedelta = dt.timedelta(0), wrong_nonce: bool = False,
                 wrong_imprint: bool = False, status: str = "granted",
                 status_text: str = "", embed_certs: bool = True, ess: str = "v2",
                 down: str | None = None, slow_seconds: float = 3.0) -> None:
        if backend not in ("openssl", "python"):
            raise ValueError(f"unknown backend {backend!r}")
        if down not in DOWN_MODES:
            raise ValueError(f"unknown down mode {down!r}")
        misbehaving = (time_offset, wrong_nonce, wrong_imprint, status, embed_certs, ess) != (
            dt.timedelta(0), False, False, "granted", True, "v2")
        if backend == "openssl" and misbehaving:
            raise ValueError("the openssl backend only answers correctly; use backend='python'")
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.backend = backend
        self.pki = pki or make_pki(folder / "pki")
        self.time_offset = time_offset
        self.wrong_nonce = wrong_nonce
        self.wrong_imprint = wrong_imprint
        self.status = status
        self.status_text = status_text
        self.embed_certs = embed_certs
        self.ess = ess
        self.down = down
        self.slow_seconds = slow_seconds
        self.requests = 0
        self.responses: list[bytes] = []
        self._serial = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: http.server.HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        if backend == "openssl":
            (folder / "tsaserial").write_text("01\n")
            (folder / "ts.cnf").write_text(TS_CNF.format(dir=folder, policy=POLICY))

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/tsa"

    @property
    def ca_pem(self) -> bytes:
        return self.pki.ca_pem

    @property
    def ca_cert(self) -> x509.Certificate:
        return self.pki.ca_cert

    def start(self) -> TsaServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        if self.down == "refuse":
            if not self._port:  # a port nothing listens on: bind, note it, release it
                probe = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
                self._port = probe.server_address[1]
                probe.server_close()
            return self
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5

            def do_POST(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        httpd.daemon_threads = True
        self._port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="test-tsa", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (the port then refuses connections); ``start()`` resumes on it."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "the test TSA did not stop"
            self._thread = None

    def __enter__(self) -> TsaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP -------------------------------------------------------------------------------

    def _handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(min(length, 65536))
        if self.down == "close":
            h.close_connection = True
            return
        if self.down == "http500":
            h.send_error(500, "TSA broken for the test")
            return
        if self.down == "slow":
            self._stopping.wait(self.slow_seconds)
        if self.down == "garbage":
            answer, ctype = b"<html>this is not a time-stamping service</html>", "text/html"
        elif h.headers.get("Content-Type") != "application/timestamp-query":
            h.send_error(415, "expected application/timestamp-query")
            return
        else:
            try:
                answer = self.reply(body)
            except Exception as e:
                h.send_error(500, f"the test TSA failed: {type(e).__name__}")
                return
            ctype = "application/timestamp-reply"
            with self._lock:
                self.responses.append(answer)
        try:
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(answer)))
            h.end_headers()
            h.wfile.write(answer)
        except OSError:
            pass  # the client gave up (a timeout test)

    # -- answers ----------------------------------------------------------------------------

    def reply(self, query_der: bytes) -> bytes:
        """The TimeStampResp DER for a TimeStampReq."""
        return (self._openssl_reply(query_der) if self.backend == "openssl"
                else self._python_reply(query_der))

    def _openssl_reply(self, query_der: bytes) -> bytes:
        with self._lock:
            self._serial += 1
            n = self._serial
        q = self.folder / f"query-{n}.tsq"
        r = self.folder / f"reply-{n}.tsr"
        q.write_bytes(query_der)
        cmd = ["openssl", "ts", "-reply", "-config", str(self.folder / "ts.cnf"),
               "-queryfile", str(q), "-signer", str(self.pki.tsa_file),
               "-inkey", str(self.pki.key_file), "-out", str(r)]
        if self.pki.chain_file is not None:
            cmd += ["-chain", str(self.pki.chain_file)]
        with self._lock:  # openssl updates the serial file
            subprocess.run(cmd, check=True, capture_output=True, timeout=30)
        return r.read_bytes()

    def _python_reply(self, query_der: bytes) -> bytes:
        req = tsp.TimeStampReq.load(query_der)
        if self.status != "granted":
            info: dict[str, Any] = {"status": self.status}
            if self.status_text:
                info["status_string"] = [self.status_text]
            # asn1crypto insists on a token, which a refusal has none of: SEQUENCE { status }
            status_der = tsp.PKIStatusInfo(info).dump()
            return core.Sequence.load(b"\x30" + _der_length(len(status_der)) + status_der).dump()
        with self._lock:
            self._serial += 1
            serial = self._serial
        imprint = req["message_imprint"]
        hashed = imprint["hashed_message"].native
        algo = imprint["hash_algorithm"]["algorithm"].native
        if self.wrong_imprint:
            hashed = hashlib.new(algo, b"another message entirely").digest()
        now = dt.datetime.now(dt.UTC).replace(microsecond=0) + self.time_offset
        tst: dict[str, Any] = {
            "version": "v1", "policy": POLICY,
            "message_imprint": {"hash_algorithm": {"algorithm": algo}, "hashed_message": hashed},
            "serial_number": serial, "gen_time": now, "accuracy": {"seconds": 1},
        }
        nonce = req["nonce"].native
        if nonce is not None:
            tst["nonce"] = nonce + 1 if self.wrong_nonce else nonce
        tst_info = tsp.TSTInfo(tst)
        tst_der = tst_info.dump()
        leaf = ax509.Certificate.load(self.pki.tsa_cert.public_bytes(serialization.Encoding.DER))
        leaf_der = leaf.dump()
        attrs: list[dict[str, Any]] = [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
        ]
        if self.ess == "v2":
            attrs.append({"type": "signing_certificate_v2", "values": [
                {"certs": [{"hash_algorithm": {"algorithm": "sha256"},
                            "cert_hash": hashlib.sha256(leaf_der).digest()}]}]})
        elif self.ess == "v1":
            attrs.append({"type": "signing_certificate", "values": [
                {"certs": [{"cert_hash": hashlib.sha1(leaf_der).digest()}]}]})
        signed_attrs = cms.CMSAttributes(attrs)
        signature = self.pki.tsa_key.sign(signed_attrs.dump(), padding.PKCS1v15(),
                                          hashes.SHA256())
        certs = []
        if self.embed_certs and req["cert_req"].native:
            certs.append(leaf)
            if self.pki.intermediate is not None:
                certs.append(ax509.Certificate.load(
                    self.pki.intermediate.public_bytes(serialization.Encoding.DER)))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": leaf.issuer, "serial_number": leaf.serial_number}}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": signature,
        })
        fields: dict[str, Any] = {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": tst_info},
            "signer_infos": [signer],
        }
        if certs:
            fields["certificates"] = certs
        sd = cms.SignedData(fields)
        token = cms.ContentInfo({"content_type": "signed_data", "content": sd})
        return tsp.TimeStampResp({"status": {"status": "granted"},
                                  "time_stamp_token": token}).dump()
