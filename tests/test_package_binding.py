"""Custody and history checks that bind (the trust issue, section 5): what a signing-key
holder or a package editor can do and must not get a VERIFIED for."""

# ruff: noqa: F811 - fixtures are parameters of the same name
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from packages import (
    CASE,
    Entries,
    export,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
    sample_paths,
)
from tsa_fixtures import live, make_pki, make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures
from tsa_server import TsaServer

from vault import custody
from vault.cms import sign_detached
from vault.custody import Event, key_fingerprint, make_event
from vault.custody_excerpt import make_excerpt
from vault.package_format import (
    BAG_INFO,
    CUSTODY_LOG,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    TAGMANIFEST,
)
from vault.package_verify import verify_package
from vault.purge import purge
from vault.timestamps import add_tsa, run_stamp
from vault.vault import Vault


def resign(e: Entries, v: Vault) -> None:
    """What the holder of the vault's signing key does after a change."""
    rehash(e)
    key, cert = v.signing_material()
    e[SIGNATURE] = sign_detached(e[TAGMANIFEST], key, cert)


def rechained(v: Vault) -> tuple[list[Event], Ed25519PrivateKey]:
    """The vault's whole log, every event signed again under a new custody key (event 1 says
    the new key), with the same times, actions and details."""
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    out: list[Event] = []
    prev = custody.GENESIS
    for ev in v.events():
        f = dict(ev.fields)
        details = dict(f["details"])
        if ev.seq == 1:
            details["custody_public_key"] = base64.b64encode(raw).decode()
            details["custody_key_fingerprint"] = key_fingerprint(key.public_key())
        new = make_event(key, vault_id=f["vault"], seq=ev.seq, prev=prev, time=f["time"],
                         actor=f["actor"], action=f["action"], item=f["item"],
                         sha256=f["sha256"], details=details)
        out.append(new)
        prev = new.hash
    return out, key


def test_a_rechained_log_with_the_genuine_head_token_fails(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = live("vault")
    add_tsa(v, "local", tsa.url, tsa.ca_pem)
    refs = [r.ref for r in import_files(v, sample_paths(tmp_path))]
    assert run_stamp(v, timeout=10).stamped
    package = export(v, tmp_path / "p.zip", case=CASE).path
    assert verify_package(package, tsa_roots=[tsa.ca_cert]).intact
    events, key = rechained(v)

    def forge(e: Entries) -> None:
        e[CUSTODY_LOG] = make_excerpt(events[:-1] if events[-1].fields["action"] ==
                                      custody.EXPORTED else events, [r for r in refs if r])
        last = json.loads(e[CUSTODY_LOG].splitlines()[-1])
        e[BAG_INFO] = e[BAG_INFO].replace(
            v.fingerprint().encode(), key_fingerprint(key.public_key()).encode())
        head = [ln for ln in e[BAG_INFO].decode().splitlines()
                if ln.startswith("Evidence-Vault-Custody-Head: ")][0]
        e[BAG_INFO] = e[BAG_INFO].replace(
            head.encode(), f"Evidence-Vault-Custody-Head: {last['event']['seq']} "
                           f"{last['hash']}".encode())
        e.pop(SIGNATURE_TOKEN, None)
        e.pop(SIGNATURE_TOKEN_CERTS, None)
        resign(e, v)

    forged = tmp_path / "forged.zip"
    rewrite_zip(package, forged, forge)
    result = verify_package(forged, tsa_roots=[tsa.ca_cert], signer=v.certificate_fingerprint())
    assert not result.intact
    assert "the timestamped custody head does not match the log: history was rewritten after " \
           "it was stamped" in result.reason, result.reason


def test_a_byte_changed_in_the_tsa_chain_file_fails(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = live("vault")
    add_tsa(v, "local", tsa.url, tsa.ca_pem)
    import_files(v, sample_paths(tmp_path)[:2])
    package = export(v, tmp_path / "p.zip", case=CASE).path
    _top, entries = read_zip(package)
    assert SIGNATURE_TOKEN_CERTS in entries

    def flip_in_base64(e: Entries) -> None:
        pem = bytearray(e[SIGNATURE_TOKEN_CERTS])
        at = pem.index(b"\n", 40) + 30  # inside the first certificate's base64
        pem[at] = ord("A") if pem[at] != ord("A") else ord("B")
        e[SIGNATURE_TOKEN_CERTS] = bytes(pem)

    changed = tmp_path / "changed.zip"
    rewrite_zip(package, changed, flip_in_base64)
    result = verify_package(changed, tsa_roots=[tsa.ca_cert])
    assert not result.intact
    assert result.reason.startswith("timestamps: the signature's timestamp: its certificate "
                                    "file"), result.reason


def test_every_exhibit_with_events_is_in_the_package(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        import_files(v, sample_paths(tmp_path))
        package = export(v, tmp_path / "p.zip", case=CASE).path

        def drop_mo2(e: Entries) -> None:
            for name in [n for n in e if n.startswith(("data/exhibits/MO-2_",
                                                       "data/custody/provenance/MO-2."))]:
                del e[name]
            resign(e, v)

        out = tmp_path / "dropped.zip"
        rewrite_zip(package, out, drop_mo2)
        result = verify_package(out)
        assert not result.intact
        assert result.reason == ("exhibits: MO/2 has custody events in this package's log but "
                                 "is not in the package (removed)"), result.reason
    finally:
        v.close()


def test_a_file_name_must_match_its_exhibit_reference(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        import_files(v, sample_paths(tmp_path))
        package = export(v, tmp_path / "p.zip", case=CASE).path

        def swap(e: Entries) -> None:
            mo1 = next(n for n in e if n.startswith("data/exhibits/MO-1_"))
            mo2 = next(n for n in e if n.startswith("data/exhibits/MO-2_"))
            e[mo1], e[mo2] = e[mo2], e[mo1]
            for ref, name, other in (("MO-1", mo1, mo2), ("MO-2", mo2, mo1)):
                record = json.loads(e[f"data/custody/provenance/{ref}.json"])
                record["file"] = other
                e[f"data/custody/provenance/{ref}.json"] = custody.canonical(record)
            resign(e, v)

        out = tmp_path / "swapped.zip"
        rewrite_zip(package, out, swap)
        result = verify_package(out)
        assert not result.intact
        assert "MO/1: its file data/exhibits/MO-2_" in result.reason, result.reason
        assert "is named for another exhibit" in result.reason
    finally:
        v.close()


def test_custody_times_never_go_backwards(tmp_path: Path) -> None:
    """The case is created before the first import of the batch that names it."""
    from vault.check import run_check

    v = new_vault(tmp_path / "v")
    try:
        from vault.clock import SystemClock

        v.clock = SystemClock()
        import_files(v, sample_paths(tmp_path), case="NEW-CASE")
        times = [e.fields["time"] for e in v.events()]
        assert times == sorted(times), times
        assert run_check(v).ok
    finally:
        v.close()


def test_a_log_whose_times_go_backwards_is_flagged(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        refs = [r.ref for r in import_files(v, sample_paths(tmp_path)[:2])]
        package = export(v, tmp_path / "p.zip", case=CASE).path
        events = list(v.events())
        key = Ed25519PrivateKey.from_private_bytes(bytes(v.con.execute(
            "SELECT private FROM keys WHERE name='custody'").fetchone()[0]))
        out: list[Event] = []
        prev = custody.GENESIS
        for ev in events:
            f = ev.fields
            when = "2020-01-01T00:00:00.000000Z" if ev.seq == 3 else f["time"]
            new = make_event(key, vault_id=f["vault"], seq=ev.seq, prev=prev, time=when,
                             actor=f["actor"], action=f["action"], item=f["item"],
                             sha256=f["sha256"], details=f["details"])
            out.append(new)
            prev = new.hash

        def backwards(e: Entries) -> None:
            e[CUSTODY_LOG] = make_excerpt([x for x in out if x.fields["action"] !=
                                           custody.EXPORTED], [r for r in refs if r])
            last = json.loads(e[CUSTODY_LOG].splitlines()[-1])
            head = [ln for ln in e[BAG_INFO].decode().splitlines()
                    if ln.startswith("Evidence-Vault-Custody-Head: ")][0]
            e[BAG_INFO] = e[BAG_INFO].replace(head.encode(), (
                f"Evidence-Vault-Custody-Head: {last['event']['seq']} {last['hash']}").encode())
            resign(e, v)

        forged = tmp_path / "backwards.zip"
        rewrite_zip(package, forged, backwards)
        result = verify_package(forged)
        assert any("custody times go backwards at event 3" in w for w in result.warnings), \
            result.warnings
    finally:
        v.close()


def test_a_case_with_a_purged_item_still_exports(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    try:
        import_files(v, sample_paths(tmp_path))
        purge(v, "MO/2", "indecent image; must not be held")
        package = export(v, tmp_path / "p.zip", case=CASE).path
        result = verify_package(package)
        assert result.intact, result.reason
        assert "MO/2" not in [x["ref"] for x in result.exhibits]
        assert [x["ref"] for x in result.purged] == ["MO/2"]
        assert result.purged[0]["purge_reason"] == "indecent image; must not be held"
        _top, entries = read_zip(package)
        assert not any(n.startswith("data/exhibits/MO-2_") for n in entries)
    finally:
        v.close()


def test_a_swapped_certificate_is_blamed_not_the_log(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    other = new_vault(tmp_path / "other")
    try:
        import_files(v, sample_paths(tmp_path)[:2])
        package = export(v, tmp_path / "p.zip", case=CASE).path
        key, cert = other.signing_material()

        def swap_cert(e: Entries) -> None:
            e[BAG_INFO] = e[BAG_INFO].replace(v.certificate_fingerprint().encode(),
                                              other.certificate_fingerprint().encode())
            rehash(e)
            e[SIGNATURE] = sign_detached(e[TAGMANIFEST], key, cert)
            e["signatures/signer-certificate.pem"] = x509.load_der_x509_certificate(
                cert).public_bytes(serialization.Encoding.PEM)

        out = tmp_path / "swapped-cert.zip"
        rewrite_zip(package, out, swap_cert)
        result = verify_package(out)
        assert result.reason.startswith(
            "custody key: the package was signed with a certificate that the custody log does "
            "not name"), result.reason
    finally:
        v.close()
        other.close()
