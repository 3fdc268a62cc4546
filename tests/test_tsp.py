# ruff: noqa: F811 - the TSA fixtures are imported by name (as test_viewer's are elsewhere)
"""RFC 3161 protocol layer (vault/timestamps/tsp.py) against a real local TSA (tests/tsa_server.py).

Good tokens are cross-checked with ``openssl ts -verify`` and with rfc3161-client's verifier,
so our checker is never the only judge of what "good" means.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rfc3161_client
from asn1crypto import tsp as atsp
from conftest import ROOT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from tsa_fixtures import MakeTsa, make_pki, make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures
from tsa_server import Pki, TsaServer

from vault.errors import EnvironmentProblem, VaultError
from vault.timestamps.tsp import (
    BadTsaUrl,
    Query,
    TokenCheck,
    TsaUnreachable,
    check_response,
    load_certificates,
    make_query,
    send_query,
    token_info,
)

MESSAGE = b"sha256 of exhibit MO/2 and its custody head, as the queue would stamp it"
YEAR = dt.timedelta(days=365)


def stamp(server: TsaServer, message: bytes = MESSAGE) -> tuple[Query, bytes]:
    query = make_query(message)
    return query, send_query(server.url, query, timeout=20)


def openssl_verify(tmp: Path, response: bytes, message: bytes, ca_pem: bytes,
                   chain_pem: str) -> subprocess.CompletedProcess[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "msg").write_bytes(message)
    (tmp / "resp.tsr").write_bytes(response)
    (tmp / "ca.pem").write_bytes(ca_pem)
    args = ["openssl", "ts", "-verify", "-data", str(tmp / "msg"), "-in", str(tmp / "resp.tsr"),
            "-CAfile", str(tmp / "ca.pem")]
    if chain_pem:
        (tmp / "chain.pem").write_text(chain_pem)
        args += ["-untrusted", str(tmp / "chain.pem")]
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


def fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def near(a: dt.datetime | None, b: dt.datetime, slack: dt.timedelta = dt.timedelta(minutes=5)
         ) -> bool:
    return a is not None and abs(a - b) < slack


# -- good tokens --------------------------------------------------------------------------------

GOOD = {
    "openssl": {"backend": "openssl"},
    "python": {"backend": "python"},
    "python-ess-v1": {"backend": "python", "ess": "v1"},
}


@pytest.mark.parametrize("knobs", GOOD.values(), ids=GOOD.keys())
def test_a_good_token_passes_here_in_openssl_and_in_rfc3161_client(
        make_tsa: MakeTsa, tsa_pki: Pki, tmp_path: Path, knobs: dict[str, str]) -> None:
    server = make_tsa(**knobs)
    before = dt.datetime.now(dt.UTC)
    query, response = stamp(server)
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert check == TokenCheck(True, True, check.gen_time,
                               tsa_pki.tsa_cert.subject.rfc4514_string(), check.serial, "",
                               check.chain_pem)
    assert check.tsa == "O=Evidence Vault tests,CN=Evidence Vault Test TSA"
    assert near(check.gen_time, before) and check.gen_time is not None
    assert check.gen_time.tzinfo is not None and check.gen_time.utcoffset() == dt.timedelta(0)
    assert check.serial > 0
    chain = x509.load_pem_x509_certificates(check.chain_pem.encode())
    assert chain == [tsa_pki.tsa_cert]  # the leaf, not the root we trust anyway
    assert token_info(response) == (check.gen_time, check.tsa, check.serial)

    r = openssl_verify(tmp_path / "v", response, MESSAGE, tsa_pki.ca_pem, check.chain_pem)
    assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stdout + r.stderr
    verifier = rfc3161_client.VerifierBuilder(roots=[tsa_pki.ca_cert], nonce=query.nonce).build()
    assert verifier.verify_message(rfc3161_client.decode_timestamp_response(response), MESSAGE)
    # Without a nonce (a stored token checked later), it still passes.
    assert check_response(response, MESSAGE, [tsa_pki.ca_cert]).ok


@pytest.mark.parametrize("backend", ["openssl", "python"])
def test_a_chain_through_an_intermediate_is_followed(make_tsa: MakeTsa, tmp_path: Path,
                                                    backend: str) -> None:
    pki = make_pki(tmp_path / "pki-i", intermediate=True)
    query, response = stamp(make_tsa(backend=backend, pki=pki))
    check = check_response(response, MESSAGE, [pki.ca_cert], nonce=query.nonce)
    assert check.ok and check.trusted, check.problem
    assert x509.load_pem_x509_certificates(check.chain_pem.encode()) == [pki.tsa_cert,
                                                                          pki.intermediate]
    r = openssl_verify(tmp_path / "v", response, MESSAGE, pki.ca_pem, check.chain_pem)
    assert r.returncode == 0, r.stdout + r.stderr
    # Trusting only the intermediate's issuer is required: the leaf alone is not a root here.
    assert not check_response(response, MESSAGE, [make_pki(tmp_path / "x").ca_cert]).trusted


def test_a_token_without_certificates_needs_the_tsa_certificate_supplied(
        make_tsa: MakeTsa, tsa_pki: Pki, tmp_path: Path) -> None:
    query, response = stamp(make_tsa(backend="python", embed_certs=False))
    bare = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not bare.ok and "does not carry" in bare.problem
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce,
                           extra_certs=[tsa_pki.tsa_cert])
    assert check.ok and check.trusted, check.problem
    assert x509.load_pem_x509_certificates(check.chain_pem.encode()) == [tsa_pki.tsa_cert]
    r = openssl_verify(tmp_path / "v", response, MESSAGE, tsa_pki.ca_pem, check.chain_pem)
    assert r.returncode == 0, r.stdout + r.stderr


# -- bad tokens ---------------------------------------------------------------------------------

def test_a_token_for_another_hash_is_for_another_message(make_tsa: MakeTsa, tsa_pki: Pki,
                                                         tmp_path: Path) -> None:
    query, response = stamp(make_tsa(backend="python", wrong_imprint=True))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and "another message" in check.problem
    assert check.gen_time is not None and check.tsa  # still shown, for the record
    r = openssl_verify(tmp_path / "v", response, MESSAGE, tsa_pki.ca_pem, check.chain_pem)
    assert r.returncode != 0


def test_a_good_token_checked_against_other_bytes_is_for_another_message(
        tsa: TsaServer, tsa_pki: Pki) -> None:
    query, response = stamp(tsa)
    check = check_response(response, MESSAGE + b" ", [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and not check.trusted
    assert check.problem == ("The token is for another message: the hash it stamps is not this "
                             "message's hash.")


@pytest.mark.parametrize("backend", ["openssl", "python"])
def test_a_tsa_under_another_ca_is_flagged_not_trusted_and_named(
        make_tsa: MakeTsa, tsa_pki: Pki, tmp_path: Path, backend: str) -> None:
    rogue = make_pki(tmp_path / "rogue", ca_name="Rogue Root CA", tsa_name="Rogue TSA")
    query, response = stamp(make_tsa(backend=backend, pki=rogue))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and not check.trusted
    assert check.tsa == "O=Evidence Vault tests,CN=Rogue TSA"
    top = x509.load_pem_x509_certificates(check.chain_pem.encode())[-1]
    assert top == rogue.tsa_cert  # the token carries no root
    assert check.problem == (
        "The time-stamping authority “O=Evidence Vault tests,CN=Rogue TSA” is not trusted: its "
        "certificate chain ends at “O=Evidence Vault tests,CN=Rogue TSA” (SHA-256 fingerprint "
        f"{fingerprint(top)}), issued by “O=Evidence Vault tests,CN=Rogue Root CA”, which is "
        "not a configured or bundled root.")
    assert "signature" not in check.problem  # genuine, only untrusted
    # The very same bytes pass once that CA is trusted: it was a trust decision only.
    assert check_response(response, MESSAGE, [rogue.ca_cert], nonce=query.nonce).ok
    r = openssl_verify(tmp_path / "v", response, MESSAGE, tsa_pki.ca_pem, check.chain_pem)
    assert r.returncode != 0


def test_an_embedded_self_signed_root_is_not_trusted_by_itself(make_tsa: MakeTsa,
                                                                 tmp_path: Path,
                                                                 tsa_pki: Pki) -> None:
    rogue = make_pki(tmp_path / "rogue", ca_name="Rogue Root CA")
    query, response = stamp(make_tsa(backend="python", pki=rogue))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce,
                           extra_certs=[rogue.ca_cert])
    assert not check.trusted and not check.ok
    assert check.problem.endswith(
        f"ends at “O=Evidence Vault tests,CN=Rogue Root CA” (SHA-256 fingerprint "
        f"{fingerprint(rogue.ca_cert)}), a root that is neither configured nor bundled.")
    assert x509.load_pem_x509_certificates(check.chain_pem.encode()) == [rogue.tsa_cert,
                                                                          rogue.ca_cert]
    assert check_response(response, MESSAGE, [], nonce=query.nonce).trusted is False


@pytest.mark.parametrize("how", ["server sends a wrong nonce", "an earlier answer replayed"])
def test_a_wrong_nonce_is_rejected(make_tsa: MakeTsa, tsa_pki: Pki, how: str) -> None:
    if how == "server sends a wrong nonce":
        query, response = stamp(make_tsa(backend="python", wrong_nonce=True))
    else:
        server = make_tsa()
        _, response = stamp(server)
        query = make_query(MESSAGE)  # a second request for the same message gets the old answer
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and "wrong nonce" in check.problem and "replayed" in check.problem


@pytest.mark.parametrize("offset", [2 * YEAR, -2 * YEAR], ids=["two years fast", "two years slow"])
def test_a_tsa_clock_far_off_still_gives_a_valid_token_showing_its_time(
        make_tsa: MakeTsa, tsa_pki: Pki, offset: dt.timedelta) -> None:
    query, response = stamp(make_tsa(backend="python", time_offset=offset))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert check.ok and check.trusted, check.problem
    assert near(check.gen_time, dt.datetime.now(dt.UTC) + offset)
    assert token_info(response)[0] == check.gen_time


def test_a_tsa_certificate_expired_at_the_token_time_is_not_trusted(
        make_tsa: MakeTsa, tsa_pki: Pki) -> None:
    query, response = stamp(make_tsa(backend="python", time_offset=10 * YEAR))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and not check.trusted and "was not valid at the token's time" in \
        check.problem


@pytest.mark.parametrize("eku", ["noncritical", "other", "none"])
def test_a_certificate_not_for_time_stamping_is_refused(make_tsa: MakeTsa, tmp_path: Path,
                                                        eku: str) -> None:
    pki = make_pki(tmp_path / "pki", eku=eku)
    query, response = stamp(make_tsa(backend="python", pki=pki))
    check = check_response(response, MESSAGE, [pki.ca_cert], nonce=query.nonce)
    assert not check.ok and "not for time-stamping" in check.problem


def test_a_refusal_is_not_granted_and_says_why(make_tsa: MakeTsa, tsa_pki: Pki) -> None:
    server = make_tsa(backend="python", status="rejection", status_text="unsupported policy")
    query, response = stamp(server)  # a refusal is still a TSA's answer: no TsaUnreachable
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and check.gen_time is None
    assert check.problem == ("The time-stamping authority did not grant a timestamp (status "
                             "rejection: unsupported policy).")
    with pytest.raises(VaultError):
        token_info(response)


def test_a_token_without_the_signing_certificate_reference_is_refused(
        make_tsa: MakeTsa, tsa_pki: Pki) -> None:
    query, response = stamp(make_tsa(backend="python", ess="none"))
    check = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and "does not name the certificate" in check.problem


def tst_info(response: bytes) -> bytes:
    sd = atsp.TimeStampResp.load(response)["time_stamp_token"]["content"]
    return bytes(sd["encap_content_info"]["content"].contents)


def _spans(response: bytes) -> dict[str, tuple[int, int]]:
    """Byte ranges (start, end) of parts of a response, to flip a byte in."""
    resp = atsp.TimeStampResp.load(response)
    sd = resp["time_stamp_token"]["content"]
    tst_der = sd["encap_content_info"]["content"].contents
    tst = atsp.TSTInfo.load(tst_der)
    signature = sd["signer_infos"][0]["signature"].contents
    out = {}
    base = response.index(tst_der)
    # messageImprint, serialNumber and genTime follow each other in the TSTInfo.
    pos = tst_der.index(tst["message_imprint"].dump())
    for name, field in (("tstinfo imprint", tst["message_imprint"]),
                        ("tstinfo serial", tst["serial_number"]),
                        ("tstinfo gen_time", tst["gen_time"])):
        encoded = field.dump()
        assert tst_der[pos:pos + len(encoded)] == encoded
        out[name] = (base + pos + len(encoded) - len(field.contents), base + pos + len(encoded))
        pos += len(encoded)
    start = response.index(signature)
    out["signature"] = (start, start + len(signature))
    return out


@pytest.mark.parametrize("where", ["signature", "tstinfo gen_time", "tstinfo imprint",
                                   "tstinfo serial"])
@pytest.mark.parametrize("backend", ["openssl", "python"])
def test_a_flipped_byte_makes_the_signature_invalid(make_tsa: MakeTsa, tsa_pki: Pki,
                                                     tmp_path: Path, backend: str,
                                                     where: str) -> None:
    query, response = stamp(make_tsa(backend=backend))
    start, end = _spans(response)[where]
    i = start if where == "tstinfo gen_time" else (start + end) // 2
    # A year digit 2 -> 3 keeps the time well formed; elsewhere any flip does.
    flip = 0x01 if where == "tstinfo gen_time" else 0x5A
    bad = response[:i] + bytes([response[i] ^ flip]) + response[i + 1:]
    check = check_response(bad, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    assert not check.ok and not check.trusted
    assert check.problem.startswith("The token's signature is invalid"), check.problem
    assert check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce).ok
    good = check_response(response, MESSAGE, [tsa_pki.ca_cert])
    r = openssl_verify(tmp_path / "v", bad, MESSAGE, tsa_pki.ca_pem, good.chain_pem)
    assert r.returncode != 0  # openssl agrees


NOT_A_RESPONSE = {
    "empty": b"",
    "text": b"<html>Service unavailable</html>",
    "a query, not a response": make_query(b"x").der,
    "truncated DER": bytes.fromhex("3082ffff0201"),
    "a certificate": b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
}


@pytest.mark.parametrize("data", NOT_A_RESPONSE.values(), ids=NOT_A_RESPONSE.keys())
def test_garbage_is_not_a_timestamp_response(data: bytes, tsa_pki: Pki) -> None:
    check = check_response(data, MESSAGE, [tsa_pki.ca_cert])
    assert check == TokenCheck(False, False, None, "", 0,
                               "This is not a timestamp response (RFC 3161 TimeStampResp).", "")
    with pytest.raises(VaultError, match="not an RFC 3161 time-stamp response"):
        token_info(data)


def test_check_response_never_raises_on_mangled_tokens(tsa: TsaServer, tsa_pki: Pki) -> None:
    query, response = stamp(tsa)
    good = check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
    rng = random.Random(3161)
    for _ in range(300):
        data = bytearray(response)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        check = check_response(bytes(data), MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce)
        assert isinstance(check, TokenCheck)
        assert check.ok == (check.problem == "")
        if check.ok:
            # Only unsigned bytes may have changed (granted -> granted with mods, the SignedData
            # version or digest list): what the token says is what the TSA signed.
            assert tst_info(bytes(data)) == tst_info(response)
            assert (check.gen_time, check.serial) == (good.gen_time, good.serial)


# -- the query and the transport ----------------------------------------------------------------

def test_make_query_is_a_sha256_request_with_a_fresh_nonce() -> None:
    a, b = make_query(MESSAGE), make_query(MESSAGE)
    req = atsp.TimeStampReq.load(a.der, strict=True)
    assert req["version"].native == "v1"
    assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert req["message_imprint"]["hashed_message"].native == a.digest
    assert a.digest == hashlib.sha256(MESSAGE).digest()
    assert req["nonce"].native == a.nonce and 0 < a.nonce < 2 ** 64  # random, up to 64 bits
    assert req["cert_req"].native is True
    assert a.nonce != b.nonce and a.der != b.der
    # rfc3161-client reads it the same way.
    assert a.nonce == rfc3161_client._rust.parse_timestamp_request(a.der).nonce


DOWN = {
    "stopped": ({"down": "refuse"}, "connection was refused"),
    "http 500": ({"down": "http500"}, "HTTP error 500"),
    "hangs up": ({"down": "close"}, "closed the connection without answering"),
    "not a TSA": ({"down": "garbage"}, "did not answer with a time-stamp response"),
}


@pytest.mark.parametrize(("knobs", "says"), DOWN.values(), ids=DOWN.keys())
def test_an_unusable_tsa_is_unreachable_quickly(make_tsa: MakeTsa, knobs: dict[str, str],
                                                says: str) -> None:
    server = make_tsa(backend="python", **knobs)
    started = time.monotonic()
    with pytest.raises(TsaUnreachable) as err:
        send_query(server.url, make_query(MESSAGE), timeout=5)
    assert time.monotonic() - started < 3
    assert server.url in str(err.value) and says in str(err.value), str(err.value)
    assert isinstance(err.value, EnvironmentProblem) and err.value.exit_code == 5


def test_a_tsa_that_was_stopped_refuses_and_answers_again_when_restarted(tsa: TsaServer,
                                                                           tsa_pki: Pki) -> None:
    stamp(tsa)
    tsa.stop()
    with pytest.raises(TsaUnreachable, match="refused"):
        send_query(tsa.url, make_query(MESSAGE), timeout=5)
    tsa.start()
    query, response = stamp(tsa)
    assert check_response(response, MESSAGE, [tsa_pki.ca_cert], nonce=query.nonce).ok


def test_a_slow_tsa_times_out_within_the_bound(make_tsa: MakeTsa) -> None:
    server = make_tsa(backend="python", down="slow", slow_seconds=5)
    started = time.monotonic()
    with pytest.raises(TsaUnreachable, match=r"did not answer|in time|longer than"):
        send_query(server.url, make_query(MESSAGE), timeout=0.5)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/tsa", "127.0.0.1:8080",
                                 "", "http://", "javascript:alert(1)", "http://[::1"])
def test_a_non_http_url_is_refused_without_any_connection(make_tsa: MakeTsa, url: str) -> None:
    server = make_tsa(backend="python")
    with pytest.raises(BadTsaUrl, match=r"http:// or https://|not a valid web address"):
        send_query(url, make_query(MESSAGE))
    assert server.requests == 0


# -- certificates -------------------------------------------------------------------------------

def test_load_certificates_reads_pem_bundles_and_der(tmp_path: Path) -> None:
    a, b = make_pki(tmp_path / "a"), make_pki(tmp_path / "b")
    bundle = a.ca_pem + b"\n" + b.ca_pem
    assert load_certificates(bundle) == [a.ca_cert, b.ca_cert]
    der = a.tsa_cert.public_bytes(serialization.Encoding.DER)
    assert load_certificates(der) == [a.tsa_cert]
    for bad in (b"", b"hello", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                der[:-10]):
        with pytest.raises(VaultError, match="certificate"):
            load_certificates(bad)


def test_the_protocol_layer_loads_nothing_heavy() -> None:
    code = ("import sys, vault.timestamps.tsp\n"
            "heavy = ('PySide6', 'pymupdf', 'fitz', 'pyhanko', 'PIL')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
