"""The evidence package test vectors (tests/vectors/packages) against the verifier and the CLI.

The vectors are written once by ``tests/vectors/make_package_vectors.py`` (docs/package-format.md,
"Test vectors"); each ``NAME.zip`` has a ``NAME.expect`` header saying what verifying it must
give: VERIFIED, NOT VERIFIED and the first check that fails, or NOT A PACKAGE. The version 2
vectors ``ts-*`` carry RFC 3161 tokens of the local test TSA, whose root is ``tsa-ca.pem``: a
``tsa-ca`` header says to verify with it (``tsa_roots``, ``--tsa-ca``), ``timestamps`` lists the
tokens and ``expect-warning`` starts every warning a VERIFIED vector must give.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli
from cryptography import x509

from vault.packages.format import SIGNATURE, SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS
from vault.packages.verification import (
    INTACT_UNCONFIRMED,
    VERIFIED_CONFIRMED,
    NotAPackage,
    Verification,
)
from vault.packages.verify import verify_package
from vault.timestamps.tsp import load_certificates

PACKAGES = Path(__file__).resolve().parent / "vectors" / "packages"
OUTCOMES = {"VERIFIED", "NOT VERIFIED", "NOT A PACKAGE"}
TSA_CA = "tsa-ca.pem"  # the local test TSA's root, for the ts-* vectors
# Every check a verified package must have passed (docs/package-format.md, "Verification").
ALL_CHECKS = ("archive", "layout", "bagit.txt", "signature", "signer certificate",
              "tag manifest", "signer", "manifest", "payload hashes", "Payload-Oxum",
              "custody chain", "custody key", "exhibits", "timestamps")


@dataclass(frozen=True)
class Expect:
    name: str
    expect: str
    params: dict[str, str]

    @property
    def zip(self) -> Path:
        return PACKAGES / f"{self.name}.zip"

    @property
    def tsa_ca(self) -> Path | None:
        return PACKAGES / self.params["tsa-ca"] if "tsa-ca" in self.params else None

    def roots(self) -> list[x509.Certificate]:
        return load_certificates(self.tsa_ca.read_bytes()) if self.tsa_ca else []

    def cli_args(self) -> list[str | Path]:
        return ["--tsa-ca", self.tsa_ca] if self.tsa_ca else []


def parse(path: Path) -> Expect:
    params: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, colon, value = line.partition(": ")
        assert colon and key not in params, f"{path.name}: bad header line {line!r}"
        params[key] = value
    assert params.pop("kind") == "package", path.name
    assert params.get("comment"), f"{path.name}: no comment"
    vec = Expect(path.stem, params.pop("expect"), params)
    assert vec.expect in OUTCOMES, f"{path.name}: unknown outcome {vec.expect}"
    assert ("failing-check" in params) == (vec.expect == "NOT VERIFIED"), path.name
    assert params.get("tsa-ca", TSA_CA) == TSA_CA, path.name
    if "expect-warning" in params or "timestamps" in params:
        assert vec.expect == "VERIFIED", path.name
    return vec


VECTORS = [parse(p) for p in sorted(PACKAGES.glob("*.expect"))]
TS_VECTORS = [v for v in VECTORS if v.name.startswith("ts-")]


def by_name(name: str) -> Expect:
    (vec,) = [v for v in VECTORS if v.name == name]
    return vec


def test_vectors_are_complete_and_small() -> None:
    assert sorted(p.stem for p in PACKAGES.glob("*.zip")) == sorted(v.name for v in VECTORS)
    assert sorted(p.name for p in PACKAGES.iterdir()) == sorted(
        [f"{v.name}.zip" for v in VECTORS] + [f"{v.name}.expect" for v in VECTORS] + [TSA_CA])
    outcomes = {v.expect for v in VECTORS}
    assert outcomes == OUTCOMES
    first_failures = {v.params["failing-check"] for v in VECTORS if v.expect == "NOT VERIFIED"}
    assert first_failures >= {"archive", "layout", "signature", "signer certificate",
                              "tag manifest", "signer", "manifest", "payload hashes",
                              "custody chain", "custody key", "exhibits", "timestamps",
                              "court documents"}
    assert {v.name for v in TS_VECTORS} == {
        "ts-valid", "ts-untrusted", "ts-token-byte-changed", "ts-token-swapped",
        "ts-head-record-edited"}
    assert [c.subject.rfc4514_string() for c in load_certificates(
        (PACKAGES / TSA_CA).read_bytes())] == [
        "O=Evidence Vault tests,CN=Evidence Vault Test Root CA"]
    # 3.2 MB: version 6 added three packages of ~180 KB each (court PDFs inside)
    assert sum(p.stat().st_size for p in PACKAGES.iterdir()) < 3_200_000


@pytest.mark.parametrize("vec", VECTORS, ids=[v.name for v in VECTORS])
def test_package_vector(vec: Expect) -> None:
    if vec.expect == "NOT A PACKAGE":
        with pytest.raises(NotAPackage):
            verify_package(vec.zip)
        return
    result = verify_package(vec.zip, tsa_roots=vec.roots(), signer=vec.params.get("signer"))
    if vec.expect == "NOT VERIFIED":
        check = vec.params["failing-check"]
        assert not result.verified
        first = next(c for c in result.checks if not c.ok)
        assert first.name == check, result.reason
        assert result.reason == f"{check}: {first.detail}"
        assert result.headline().startswith(f"NOT VERIFIED: {check}: ")
        return
    assert result.verified, result.reason
    assert result.outcome == VERIFIED_CONFIRMED  # the signer is the one the header names
    assert result.reason == "" and result.headline().startswith("VERIFIED: intact, and signed")
    unconfirmed = verify_package(vec.zip, tsa_roots=vec.roots())  # nobody confirmed it
    assert unconfirmed.intact and unconfirmed.outcome == INTACT_UNCONFIRMED
    assert unconfirmed.headline().startswith("INTACT, SIGNER NOT CONFIRMED")
    names = [c.name for c in result.checks]
    assert [n for n in ALL_CHECKS if n not in names] == []
    # Version 4's summary is checked from version 4, the chronology from version 5.
    version = int(result.bag_info["Evidence-Vault-Package-Version"])
    assert ("summary" in names) == (version >= 4)
    assert ("chronology" in names) == (version >= 5)
    assert result.signer_fingerprint == vec.params["signer"]
    assert [x["ref"] for x in result.exhibits] == vec.params["exhibits"].split()
    assert result.custody is not None
    assert [e["seq"] for e in result.custody.events] == \
        [int(n) for n in vec.params["events"].split()]
    check_times(vec, result)
    # The fingerprint the investigator gave, in any case and with any separators, is accepted.
    pinned = verify_package(vec.zip, signer=vec.params["signer"].lower().replace(":", " "),
                            tsa_roots=vec.roots())
    assert pinned.verified, pinned.reason
    assert ("expected signer", True) in [(c.name, c.ok) for c in pinned.checks]


def check_times(vec: Expect, result: Verification) -> None:
    """The tokens the header lists, trusted exactly when the TSA's root was given, and the
    warnings it announces (each starting with ``expect-warning``), none when it announces none."""
    listed = vec.params.get("timestamps", "").split()
    assert [(t.what, t.seq) for t in result.timestamps] == [
        ("signature", "signature") if w == "signature" else ("custody head", int(w))
        for w in listed]
    assert [t.trusted for t in result.timestamps] == [vec.tsa_ca is not None] * len(listed)
    warning = vec.params.get("expect-warning")
    if warning is None:
        assert result.warnings == []
    else:
        assert result.warnings and len(set(result.warnings)) == len(result.warnings)  # once each
        assert all(w.startswith(warning) for w in result.warnings), result.warnings
        assert all(t.warning.startswith(warning) for t in result.timestamps)  # and per token
    check = next(c for c in result.checks if c.name == "timestamps")
    assert check.detail.startswith(f"{len(listed)} timestamp" if listed else
                                   "no timestamps"), check.detail


def test_a_valid_package_from_another_signer_is_not_verified() -> None:
    vec = by_name("valid")
    result = verify_package(vec.zip, signer="00" * 32)
    assert not result.verified
    assert result.reason.startswith("expected signer: ")
    assert [c.name for c in result.checks if not c.ok] == ["expected signer"]


def test_cli_exit_codes() -> None:
    """``evidence-vault verify``: 0 verified (with a confirmed signer), 4 intact but the
    signer not confirmed, 1 not verified, 3 not a package."""
    valid = by_name("valid")
    ok = run_cli("verify", valid.zip, "--signer", valid.params["signer"], passphrase=None)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[0].startswith("VERIFIED: intact, and signed by ")
    unknown = run_cli("verify", valid.zip, passphrase=None)
    assert unknown.returncode == 4, unknown.stdout + unknown.stderr
    assert unknown.stdout.splitlines()[0].startswith("INTACT, SIGNER NOT CONFIRMED")

    tampered = by_name("exhibit-byte-changed")
    bad = run_cli("verify", tampered.zip, passphrase=None)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.splitlines()[0].startswith(
        f"NOT VERIFIED: {tampered.params['failing-check']}: ")

    pinned = run_cli("verify", by_name("valid").zip, "--signer", "00" * 32, passphrase=None)
    assert pinned.returncode == 1, pinned.stdout + pinned.stderr
    assert pinned.stdout.splitlines()[0].startswith("NOT VERIFIED: expected signer: ")

    junk = run_cli("verify", by_name("not-a-zip").zip, passphrase=None)
    assert junk.returncode == 3, junk.stdout + junk.stderr


# ------------------------------------------------------------------ version 2: timestamps
def test_timestamp_vectors_fail_for_the_reason_they_show() -> None:
    changed = verify_package(by_name("ts-token-byte-changed").zip,
                             tsa_roots=by_name("ts-token-byte-changed").roots())
    assert changed.reason == ("timestamps: the signature's timestamp: The token's signature is "
                              "invalid: its contents were changed after signing.")
    assert [c.name for c in changed.checks if not c.ok] == ["timestamps"]
    swapped = verify_package(by_name("ts-token-swapped").zip,
                             tsa_roots=by_name("ts-token-swapped").roots())
    assert swapped.reason == ("timestamps: the signature's timestamp: The token is for another "
                              "message: the hash it stamps is not this message's hash.")
    assert [c.name for c in swapped.checks if not c.ok] == ["timestamps"]
    valid = verify_package(by_name("ts-valid").zip, tsa_roots=by_name("ts-valid").roots())
    (head,) = [t.seq for t in valid.timestamps if t.what == "custody head"]
    edited = verify_package(by_name("ts-head-record-edited").zip,
                            tsa_roots=by_name("ts-head-record-edited").roots())
    assert edited.reason == ("timestamps: the timestamped custody head does not match the log: "
                             "history was rewritten after it was stamped "
                             f"(data/custody/timestamps/head-{head}.json is not the "
                             f"head record of custody event {head} of this package's custody "
                             "log, signed by its custody key)")
    assert [c.name for c in edited.checks if not c.ok] == ["timestamps"]


def test_the_tsa_root_is_what_makes_the_times_trusted() -> None:
    """ts-valid without the root: untrusted, warned; ts-untrusted with it: trusted, no warning."""
    valid = by_name("ts-valid")
    bare = verify_package(valid.zip)
    assert bare.verified, bare.reason
    assert [t.trusted for t in bare.timestamps] == [False, False]
    assert len(bare.warnings) == 1  # one TSA: said once for its two tokens
    assert all(w.startswith(by_name("ts-untrusted").params["expect-warning"])
               for w in bare.warnings)
    trusted = verify_package(by_name("ts-untrusted").zip, tsa_roots=valid.roots())
    assert trusted.verified and trusted.warnings == []
    assert [t.trusted for t in trusted.timestamps] == [True, True]


@pytest.mark.parametrize("vec", TS_VECTORS, ids=[v.name for v in TS_VECTORS])
def test_cli_timestamp_vector(vec: Expect) -> None:
    """``evidence-vault verify [--tsa-ca tsa-ca.pem]`` on each ts-* vector."""
    signer = ["--signer", vec.params["signer"]] if "signer" in vec.params else []
    r = run_cli("verify", vec.zip, *vec.cli_args(), *signer, passphrase=None)
    out = r.stdout
    assert "Traceback" not in r.stderr
    if vec.expect == "NOT VERIFIED":
        assert r.returncode == 1, out + r.stderr
        assert out.splitlines()[0].startswith(f"NOT VERIFIED: {vec.params['failing-check']}: ")
        return
    assert r.returncode == 0, out + r.stderr
    assert out.splitlines()[0].startswith("VERIFIED: intact, and signed by ")
    times = [line for line in out.splitlines() if " existed by " in line]
    assert len(times) == len(vec.params["timestamps"].split())
    assert all(line.endswith(" — UNTRUSTED") == (vec.tsa_ca is None) for line in times), times
    warning = vec.params.get("expect-warning")
    warned = [line for line in out.splitlines() if line.startswith("  WARNING: ")]
    if warning is None:
        assert warned == []
    else:
        assert warned and all(line.startswith(f"  WARNING: {warning}") for line in warned)


def openssl_ts_verify(folder: Path, data: str, token: str) -> subprocess.CompletedProcess[str]:
    """The real ``openssl ts -verify`` with the vectors' TSA root, at the time ts-valid's tokens
    were made (so the test PKI's expiry does not matter)."""
    valid = verify_package(by_name("ts-valid").zip, tsa_roots=by_name("ts-valid").roots())
    at = max(dt.datetime.fromisoformat(t.gen_time) for t in valid.timestamps)
    return subprocess.run(["openssl", "ts", "-verify", "-data", data, "-in", token,
                           "-CAfile", str(PACKAGES / TSA_CA), "-untrusted", token + ".crt",
                           "-attime", str(int(at.timestamp()) + 60)],
                          cwd=folder, capture_output=True, text=True, timeout=60)


def test_openssl_ts_verify_accepts_the_valid_vectors_tokens(tmp_path: Path) -> None:
    """On files unzipped to tmp: both of ts-valid's tokens verify with tsa-ca.pem; the swapped
    token (another signature's) and the one with a changed byte do not."""
    folders = {}
    for name in ("ts-valid", "ts-token-byte-changed", "ts-token-swapped"):
        with zipfile.ZipFile(by_name(name).zip) as zf:
            zf.extractall(tmp_path / name)
        (folders[name],) = (tmp_path / name).iterdir()
    valid = folders["ts-valid"]
    assert SIGNATURE_TOKEN_CERTS == SIGNATURE_TOKEN + ".crt"
    ok = openssl_ts_verify(valid, SIGNATURE, SIGNATURE_TOKEN)
    assert ok.returncode == 0 and "Verification: OK" in ok.stdout, ok.stdout + ok.stderr
    (head,) = (valid / "data" / "custody" / "timestamps").glob("head-*.local.tsr")
    record = head.name.split(".", 1)[0] + ".json"
    ok = openssl_ts_verify(head.parent, record, head.name)
    assert ok.returncode == 0 and "Verification: OK" in ok.stdout, ok.stdout + ok.stderr
    for name in ("ts-token-swapped", "ts-token-byte-changed"):
        bad = openssl_ts_verify(folders[name], SIGNATURE, SIGNATURE_TOKEN)
        assert bad.returncode != 0 and "Verification: OK" not in bad.stdout, name
