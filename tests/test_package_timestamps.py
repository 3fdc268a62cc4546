"""Trusted timestamps inside evidence packages (package format version 2): export stamps the
signature and carries the custody-head tokens, `verify` checks them, `openssl ts -verify`
accepts them, `stamp --attach` adds a token received after an offline export. All against
the real local TSA (tests/tsa_server.py) on 127.0.0.1."""

# ruff: noqa: F811 - fixtures are parameters of the same name
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli
from packages import Entries, export, import_files, read_zip, rewrite_zip, sample_paths
from tsa_fixtures import live, make_pki, make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures used below
from tsa_server import TsaServer

from vault.custody import log as custody
from vault.errors import NotFound
from vault.packages.format import SIGNATURE, SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS
from vault.packages.stamp import AttachRefused, attach_signature_token
from vault.packages.verification import Verification
from vault.packages.verify import verify_package
from vault.store.vault import Vault
from vault.timestamps.stamping import SIGNATURE_KIND, add_tsa, pending, run_stamp, tokens_for

MakeTsa = Callable[..., TsaServer]
TSA_SUBJECT = "O=Evidence Vault tests,CN=Evidence Vault Test TSA"


def stamped_vault(live: Callable[[str], Vault], server: TsaServer, tmp_path: Path) -> Vault:
    """A vault with exhibits whose custody head (after the import) a TSA has stamped."""
    v = live("vault")
    add_tsa(v, "local", server.url, server.ca_pem)
    import_files(v, sample_paths(tmp_path))
    report = run_stamp(v, timeout=10)
    assert report.stamped and not report.waiting, report
    return v


def times(r: Verification) -> list[tuple[str, int | str, bool]]:
    return [(t.what, t.seq, t.trusted) for t in r.timestamps]


def openssl_ts_verify(folder: Path, data: str, token: str,
                      ca: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "ts", "-verify", "-data", data, "-in", token,
                           "-CAfile", str(ca), "-untrusted", token + ".crt"],
                          cwd=folder, capture_output=True, text=True, timeout=60)


def test_export_with_a_tsa_carries_tokens_that_verify(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = stamped_vault(live, tsa, tmp_path)
    head_seq, head_hash = v.last_event()
    result = export(v, tmp_path / "p.zip", case="NB-2026-01")
    assert result.signature_timestamp is not None and not result.timestamp_waiting
    assert result.signature_tsa == TSA_SUBJECT and result.head_timestamps == 1
    _, entries = read_zip(result.path)
    head = f"data/custody/timestamps/head-{head_seq}"
    assert {SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS, f"{head}.json", f"{head}.local.tsr",
            f"{head}.local.tsr.crt"} <= set(entries)
    assert entries[f"{head}.json"] == custody.head_record(v.vault_id, head_seq, head_hash,
                                                          v.fingerprint())
    assert b"Evidence-Vault-Package-Version: 6\n" in entries["bag-info.txt"]
    assert list(entries)[-2:] == [SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS]
    # The signature token was also kept in the vault, so nothing waits for it.
    assert [t.subject for t in tokens_for(v, SIGNATURE_KIND)] == [result.package_id]
    assert [p for p in pending(v) if p.kind == SIGNATURE_KIND] == []

    r = verify_package(result.path, tsa_roots=[tsa.ca_cert])
    assert r.verified, r.reason
    assert times(r) == [("signature", "signature", True), ("custody head", head_seq, True)]
    assert r.warnings == []
    assert r.timestamps[0].gen_time == result.signature_timestamp
    check = next(c for c in r.checks if c.name == "timestamps")
    assert check.ok and check.detail.startswith("2 timestamps verify")
    assert [c.name for c in r.checks][-1] == "timestamps"

    signer = ["--signer", v.certificate_fingerprint()]
    text = run_cli("verify", result.path, "--tsa-ca", tsa.pki.ca_file, *signer, passphrase=None)
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("VERIFIED: intact, and signed by Mary Okafor")
    assert f"  custody head {head_seq} existed by {r.timestamps[1].gen_time} " \
           f"(TSA: {TSA_SUBJECT})" in lines
    assert f"  the package signature existed by {result.signature_timestamp} " \
           f"(TSA: {TSA_SUBJECT})" in lines
    assert "WARNING" not in text.stdout
    as_json = run_cli("verify", result.path, "--json", "--tsa-ca", tsa.pki.ca_file, *signer,
                      "--report", tmp_path / "r.html", passphrase=None)
    doc = json.loads(as_json.stdout)
    assert doc["verified"] and doc["warnings"] == []
    assert [(t["what"], t["seq"], t["trusted"], t["tsa"]) for t in doc["timestamps"]] == [
        ("signature", "signature", True, TSA_SUBJECT),
        ("custody head", head_seq, True, TSA_SUBJECT)]
    assert f"custody head {head_seq} existed by" in (tmp_path / "r.html").read_text()

    # Standard tools: openssl ts -verify accepts both tokens, on files unzipped to tmp.
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(result.path) as zf:
        zf.extractall(out)
    folder = out / "p"
    ok = openssl_ts_verify(folder, SIGNATURE, SIGNATURE_TOKEN, tsa.pki.ca_file)
    assert ok.returncode == 0 and "Verification: OK" in ok.stdout, ok.stdout + ok.stderr
    ok = openssl_ts_verify(folder, f"{head}.json", f"{head}.local.tsr", tsa.pki.ca_file)
    assert ok.returncode == 0 and "Verification: OK" in ok.stdout, ok.stdout + ok.stderr
    # ... and refuses a token for other bytes.
    bad = openssl_ts_verify(folder, "bagit.txt", SIGNATURE_TOKEN, tsa.pki.ca_file)
    assert bad.returncode != 0
    howto = entries["HOW-TO-VERIFY.txt"].decode()
    assert "openssl ts -verify -data signatures/tagmanifest-sha256.txt.p7s" in howto


def test_without_the_tsa_root_the_times_are_shown_untrusted(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = stamped_vault(live, tsa, tmp_path)
    result = export(v, tmp_path / "p.zip", case="NB-2026-01")
    r = verify_package(result.path)  # the test root is not bundled
    assert r.verified, r.reason
    assert [t.trusted for t in r.timestamps] == [False, False]
    assert len(r.warnings) == 1  # the same TSA for both tokens: said once
    assert r.warnings[0].startswith(f"timestamp by {TSA_SUBJECT} not trusted: its root "
                                    "“O=Evidence Vault tests,CN=Evidence Vault Test Root CA”")
    assert "--tsa-ca" in r.warnings[0]
    text = run_cli("verify", result.path, "--signer", v.certificate_fingerprint(),
                   passphrase=None)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "— UNTRUSTED" in text.stdout and "  WARNING: timestamp by " in text.stdout


def test_offline_export_queues_then_attach_adds_the_token(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = stamped_vault(live, tsa, tmp_path)
    tsa.stop()  # the TSA goes down: nothing listens on its port
    started = time.monotonic()
    result = export(v, tmp_path / "p.zip", case="NB-2026-01")
    assert time.monotonic() - started < 15
    assert result.timestamp_waiting and result.signature_timestamp is None
    _, entries = read_zip(result.path)
    assert SIGNATURE_TOKEN not in entries and SIGNATURE_TOKEN_CERTS not in entries
    waiting = [p for p in pending(v) if p.kind == SIGNATURE_KIND]
    assert [p.subject for p in waiting] == [result.package_id]
    r = verify_package(result.path, tsa_roots=[tsa.ca_cert])
    assert r.verified and times(r) == [("custody head", r.timestamps[0].seq, True)]
    with pytest.raises(NotFound, match="no timestamp for the signature"):
        attach_signature_token(v, result.path)

    tsa.start()
    assert run_stamp(v, timeout=10).waiting == []
    folder = v.folder
    v.close()
    old = result.path.read_bytes()
    r = run_cli("stamp", folder, "--attach", result.path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("attached the signature timestamp of local (")
    _, after = read_zip(result.path)
    assert list(after)[:-2] == list(entries) and list(after)[-2:] == [SIGNATURE_TOKEN,
                                                                      SIGNATURE_TOKEN_CERTS]
    assert all(after[n] == entries[n] for n in entries)
    checked = verify_package(result.path, tsa_roots=[tsa.ca_cert])
    assert checked.verified, checked.reason
    assert [t.what for t in checked.timestamps] == ["signature", "custody head"]
    assert all(t.trusted for t in checked.timestamps)
    again = run_cli("stamp", folder, "--attach", result.path)
    assert again.returncode == 2 and "already has a signature timestamp" in again.stderr
    assert "Traceback" not in again.stderr
    v2 = Vault.open(folder, passphrase=PASSPHRASE)
    try:
        ev = [e for e in v2.events() if e.fields["action"] == custody.PACKAGE_TIMESTAMP_ATTACHED]
        assert len(ev) == 1
        d = ev[0].fields["details"]
        assert d == {"package_id": result.package_id, "file": "p.zip",
                     "old_sha256": hashlib.sha256(old).hexdigest(),
                     "new_sha256": hashlib.sha256(result.path.read_bytes()).hexdigest()}
        enc = tmp_path / "p.zip.age"
        enc.write_bytes(b"age")
        with pytest.raises(AttachRefused, match="encrypted"):
            attach_signature_token(v2, enc)
    finally:
        v2.close()


def test_a_slow_tsa_does_not_hold_up_the_export(
        live: Callable[[str], Vault], make_tsa: MakeTsa, tmp_path: Path) -> None:
    server = make_tsa(down="slow", slow_seconds=30)
    v = live("vault")
    add_tsa(v, "local", server.url, server.ca_pem)
    import_files(v, sample_paths(tmp_path))
    started = time.monotonic()
    result = export(v, tmp_path / "p.zip", case="NB-2026-01", stamp_timeout=2)
    took = time.monotonic() - started
    assert took < 15, took
    assert result.timestamp_waiting and result.head_timestamps == 0
    r = verify_package(result.path)
    assert r.verified, r.reason
    check = next(c for c in r.checks if c.name == "timestamps")
    assert check.ok and check.detail.startswith("no timestamps")
    # stamp=False: no TSA is asked and nothing about the signature is queued.
    before = server.requests
    off = export(v, tmp_path / "q.zip", case="NB-2026-01", stamp=False)
    assert server.requests == before and not off.timestamp_waiting
    assert [p.subject for p in pending(v) if p.kind == SIGNATURE_KIND] == [result.package_id]


# ------------------------------------------------------------------------------ tampering
@pytest.fixture
def stamped_package(live: Callable[[str], Vault], tsa: TsaServer,
                    tmp_path: Path) -> tuple[Path, Path, int]:
    """(package, another package of the same vault, head seq) both with tokens."""
    v = stamped_vault(live, tsa, tmp_path)
    a = export(v, tmp_path / "a.zip", case="NB-2026-01")
    b = export(v, tmp_path / "b.zip", case="NB-2026-01")
    return a.path, b.path, v.last_event()[0] - 1


def tampered(src: Path, tmp_path: Path, mutate: Callable[[Entries], None],
             roots: list[object]) -> Verification:
    dst = tmp_path / f"t-{len(list(tmp_path.glob('t-*.zip')))}.zip"
    rewrite_zip(src, dst, mutate)
    return verify_package(dst, tsa_roots=roots)  # type: ignore[arg-type]


def test_a_changed_token_byte_is_not_verified(stamped_package: tuple[Path, Path, int],
                                              tsa: TsaServer, tmp_path: Path) -> None:
    a, _, _ = stamped_package

    def flip(e: Entries) -> None:
        tsr = bytearray(e[SIGNATURE_TOKEN])
        tsr[len(tsr) // 2] ^= 0x01
        e[SIGNATURE_TOKEN] = bytes(tsr)

    r = tampered(a, tmp_path, flip, [tsa.ca_cert])
    assert not r.verified
    assert r.reason.startswith("timestamps: the signature's timestamp: ")
    assert [c.name for c in r.checks if not c.ok] == ["timestamps"]


def test_a_token_of_another_package_is_an_imprint_mismatch(
        stamped_package: tuple[Path, Path, int], tsa: TsaServer, tmp_path: Path) -> None:
    a, b, _ = stamped_package
    _, other = read_zip(b)

    def swap(e: Entries) -> None:
        e[SIGNATURE_TOKEN] = other[SIGNATURE_TOKEN]

    r = tampered(a, tmp_path, swap, [tsa.ca_cert])
    assert r.reason == ("timestamps: the signature's timestamp: The token is for another "
                        "message: the hash it stamps is not this message's hash.")


def test_an_edited_head_record_is_caught_by_the_manifest(
        stamped_package: tuple[Path, Path, int], tsa: TsaServer, tmp_path: Path) -> None:
    a, _, _ = stamped_package

    def edit(e: Entries) -> None:
        name = next(n for n in e if n.endswith(".json") and "/timestamps/" in n)
        e[name] = e[name].replace(b'"seq":', b'"seq": ')

    r = tampered(a, tmp_path, edit, [tsa.ca_cert])
    assert r.reason.startswith("payload hashes: data/custody/timestamps/head-")
    assert "timestamps" in [c.name for c in r.checks if not c.ok]


def test_untrusted_and_skewed_tsas_warn(live: Callable[[str], Vault], make_tsa: MakeTsa,
                                        tmp_path: Path) -> None:
    """A genuine token from a TSA not trusted: VERIFIED with a warning, shown untrusted. A
    TSA two years behind the laptop: the laptop's clock was ahead."""
    other = make_pki(tmp_path / "other-pki", ca_name="Some Other Root")
    skewed = make_tsa(backend="python", pki=other,
                      time_offset=-dt.timedelta(days=730))
    v = live("vault")
    add_tsa(v, "skewed", skewed.url, skewed.ca_pem)
    import_files(v, sample_paths(tmp_path))
    assert run_stamp(v, timeout=10).stamped
    result = export(v, tmp_path / "p.zip", case="NB-2026-01")
    assert result.signature_timestamp is not None
    r = verify_package(result.path)
    assert r.verified, r.reason
    assert [t.trusted for t in r.timestamps] == [False, False]
    assert any(w.startswith("timestamp by O=Evidence Vault tests,CN=Evidence Vault Test TSA "
                            "not trusted: its root “O=Evidence Vault tests,CN=Some Other Root”")
               for w in r.warnings)
    clock = [w for w in r.warnings if w.startswith("the exporting laptop's clock was ahead of "
                                                   "the TSA by 730 days")]
    assert len(clock) == 2, r.warnings
    trusted = verify_package(result.path, tsa_roots=[other.ca_cert])
    assert trusted.verified and [t.trusted for t in trusted.timestamps] == [True, True]
    assert len(trusted.warnings) == 2 and all("clock was ahead" in w for w in trusted.warnings)
