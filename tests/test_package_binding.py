"""Custody and history checks that bind (the trust issue, section 5): what a signing-key
holder or a package editor can do and must not get a VERIFIED for."""

# ruff: noqa: F811 - fixtures are parameters of the same name
from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

from vault.custody import log as custody
from vault.custody.excerpt import make_excerpt
from vault.custody.log import Event, key_fingerprint, make_event
from vault.evidence.purge import purge
from vault.packages.format import (
    BAG_INFO,
    CUSTODY_LOG,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    TAGMANIFEST,
)
from vault.packages.verify import verify_package
from vault.signing.cms import sign_detached
from vault.store.vault import Vault
from vault.timestamps.stamping import add_tsa, run_stamp


def resign(e: Entries, v: Vault) -> None:
    """What the holder of the vault's signing key does after a change."""
    rehash(e)
    key, cert = v.signing_material()
    e[SIGNATURE] = sign_detached(e[TAGMANIFEST], key, cert)


def replace_log(e: Entries, v: Vault, log: bytes,
                key: Ed25519PrivateKey | None = None) -> None:
    """The custody log replaced by ``log`` and bag-info made to agree with it (its end, and
    its custody key when ``key`` signs it), the signature's timestamp dropped, re-signed."""
    e[CUSTODY_LOG] = log
    last = json.loads(log.splitlines()[-1])
    info = e[BAG_INFO].decode()
    if key is not None:
        info = info.replace(v.fingerprint(), key_fingerprint(key.public_key()))
    info = re.sub(r"Evidence-Vault-Custody-Head: [^\n]*",
                  f"Evidence-Vault-Custody-Head: {last['event']['seq']} {last['hash']}", info)
    e[BAG_INFO] = info.encode()
    e.pop(SIGNATURE_TOKEN, None)
    e.pop(SIGNATURE_TOKEN_CERTS, None)
    resign(e, v)


def new_key_event_1(key: Ed25519PrivateKey) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An edit that makes event 1 name ``key`` as the custody key."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)

    def edit(f: dict[str, Any]) -> dict[str, Any]:
        if f["seq"] == 1:
            f["details"] = {**f["details"], "custody_public_key": base64.b64encode(raw).decode(),
                            "custody_key_fingerprint": key_fingerprint(key.public_key())}
        return f
    return edit


def signed_again(events: list[Event], key: Ed25519PrivateKey,
                 edit: Callable[[dict[str, Any]], dict[str, Any]] = lambda f: f) -> list[Event]:
    """``events`` (without the exports, which no excerpt holds), each edited by ``edit`` and
    signed again under ``key``, chained anew."""
    out: list[Event] = []
    prev = custody.GENESIS
    for ev in events:
        if ev.fields["action"] == custody.EXPORTED:
            continue
        f = edit(json.loads(ev.body))
        new = make_event(key, vault_id=f["vault"], seq=ev.seq, prev=prev, time=f["time"],
                         actor=f["actor"], action=f["action"], item=f["item"],
                         sha256=f["sha256"], details=f["details"])
        out.append(new)
        prev = new.hash
    return out


def own_custody_key(v: Vault) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(v.con.execute(
        "SELECT private FROM keys WHERE name='custody'").fetchone()[0]))


def test_a_rechained_log_with_the_genuine_head_token_fails(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = live("vault")
    add_tsa(v, "local", tsa.url, tsa.ca_pem)
    refs = [r.ref for r in import_files(v, sample_paths(tmp_path))]
    assert run_stamp(v, timeout=10).stamped
    package = export(v, tmp_path / "p.zip", case=CASE).path
    assert verify_package(package, tsa_roots=[tsa.ca_cert]).intact
    key = Ed25519PrivateKey.generate()
    events = signed_again(list(v.events()), key, new_key_event_1(key))

    def forge(e: Entries) -> None:
        replace_log(e, v, make_excerpt(events, {r for r in refs if r}), key)

    forged = tmp_path / "forged.zip"
    rewrite_zip(package, forged, forge)
    result = verify_package(forged, tsa_roots=[tsa.ca_cert], signer=v.certificate_fingerprint())
    assert not result.intact
    assert "the timestamped custody head does not match the log: history was rewritten after " \
           "it was stamped" in result.reason, result.reason


def resigned_excerpt(genuine: list[Event], keep: set[str],
                     key: Ed25519PrivateKey) -> bytes:
    """What a holder of the vault can make: the excerpt of ``keep`` with every kept event
    signed again under ``key`` (event 1 naming it), while each omitted range keeps the
    genuine hash of its last event, which the next kept event is made to follow."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    lines: list[bytes] = []
    prev = custody.GENESIS
    gap: tuple[int, int, str] | None = None
    for ev in genuine:
        f = ev.fields
        if ev.seq != 1 and f.get("item") not in keep:
            gap = (gap[0] if gap else ev.seq, ev.seq, ev.hash)
            continue
        if gap:
            lines.append(custody.canonical({"omitted": {"from": gap[0], "to": gap[1]},
                                            "hash": gap[2]}))
            prev, gap = gap[2], None
        details = dict(f["details"])
        if ev.seq == 1:
            details["custody_public_key"] = base64.b64encode(raw).decode()
            details["custody_key_fingerprint"] = key_fingerprint(key.public_key())
        new = make_event(key, vault_id=f["vault"], seq=ev.seq, prev=prev, time=f["time"],
                         actor=f["actor"], action=f["action"], item=f["item"],
                         sha256=f["sha256"], details=details)
        lines.append(new.to_line())
        prev = new.hash
    return b"".join(line + b"\n" for line in lines)


def test_a_resigned_log_around_a_stamped_head_in_an_omitted_range_fails(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    """The stamped head is the last event of an omitted range, whose genuine hash the forged
    excerpt keeps: only the custody key named in the stamped head record shows the rewrite."""
    from vault.evidence.notes import add_note

    v = live("vault")
    add_tsa(v, "local", tsa.url, tsa.ca_pem)
    import_files(v, sample_paths(tmp_path))
    assert run_stamp(v, timeout=10).stamped
    stamped_seq, _ = v.last_event()
    add_note(v, "MO/1", "a note after the stamp")  # a kept event after the omitted range
    package = export(v, tmp_path / "p.zip", refs=["MO/1"], notes=True).path
    genuine = verify_package(package, tsa_roots=[tsa.ca_cert])
    assert genuine.intact, genuine.reason
    assert [t.seq for t in genuine.timestamps if t.what == "custody head"] == [stamped_seq]
    assert any(stamped_seq == end for _s, end, _h in (genuine.custody.omitted
                                                      if genuine.custody else []))
    key = Ed25519PrivateKey.generate()
    events = [e for e in v.events() if e.fields["action"] != custody.EXPORTED]

    def forge(e: Entries) -> None:
        replace_log(e, v, resigned_excerpt(events, {"MO/1"}, key), key)

    forged = tmp_path / "forged.zip"
    rewrite_zip(package, forged, forge)
    result = verify_package(forged, tsa_roots=[tsa.ca_cert], signer=v.certificate_fingerprint())
    assert not result.intact
    assert "the timestamped custody head does not match the log" in result.reason, \
        result.reason


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
            for ref, _name, other in (("MO-1", mo1, mo2), ("MO-2", mo2, mo1)):
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
    from vault.store.check import run_check

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
        refs = {r.ref for r in import_files(v, sample_paths(tmp_path)[:2]) if r.ref}
        package = export(v, tmp_path / "p.zip", case=CASE).path

        def earlier(f: dict[str, Any]) -> dict[str, Any]:
            if f["seq"] == 3:
                f["time"] = "2020-01-01T00:00:00.000000Z"
            return f

        out = signed_again(list(v.events()), own_custody_key(v), earlier)
        forged = tmp_path / "backwards.zip"
        rewrite_zip(package, forged, lambda e: replace_log(e, v, make_excerpt(out, refs)))
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


def test_history_says_what_it_could_not_compare(tmp_path: Path) -> None:
    """The vault restored from a copy taken before MO/4 was imported, then seven events of
    another case and a new item: the later package cannot show MO/4's events, and the
    comparison says so rather than claim them (check VAULT --previous finds the rollback)."""
    import shutil

    from conftest import PASSPHRASE, T0, write_files

    from vault.clock import FixedClock
    from vault.packages.verify import compare_vault_with_package

    folder = tmp_path / "v.evault"
    v = new_vault(tmp_path / "v")
    import_files(v, write_files(tmp_path / "a", 3, prefix="a"))
    v.close()
    shutil.copytree(folder, tmp_path / "copy.evault")
    v = Vault.open(folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    import_files(v, write_files(tmp_path / "late", 1, prefix="late"))  # MO/4
    v1 = export(v, tmp_path / "v1.zip", case=CASE).path
    v.close()
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "copy.evault", folder)
    v = Vault.open(folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    try:
        import_files(v, write_files(tmp_path / "b", 3, prefix="b"), case="OTHER")
        import_files(v, write_files(tmp_path / "new", 1, prefix="new"))
        v2 = export(v, tmp_path / "v2.zip", case=CASE).path
        result = verify_package(v2, previous=v1)
        assert result.history is not None
        assert result.history.events_uncompared, result.history.message
        assert "could not be compared" in result.history.message
        assert "nothing is claimed about them" in result.history.message
        assert not compare_vault_with_package(v, v1).ok  # the vault's full log shows it
    finally:
        v.close()


def test_a_changed_event_says_what_differs(tmp_path: Path) -> None:
    """Two packages of one vault whose event differs only in its details: the message names
    the member that changed, not two identical summaries."""
    from vault.custody.excerpt import verify_excerpt
    from vault.custody.history import EDITED, compare_history, history_from_excerpt

    v = new_vault(tmp_path / "v")
    try:
        refs = {r.ref for r in import_files(v, sample_paths(tmp_path)[:2]) if r.ref}
        events = [e for e in v.events() if e.fields["action"] != custody.EXPORTED]

        def other_source(f: dict[str, Any]) -> dict[str, Any]:
            if f["action"] == custody.IMPORTED and f["item"] == "MO/1":
                f["details"] = {**f["details"], "received_from": "someone else entirely"}
            return f

        changed = signed_again(events, own_custody_key(v), other_source)
        older = history_from_excerpt(verify_excerpt(make_excerpt(events, refs)), "the older")
        newer = history_from_excerpt(verify_excerpt(make_excerpt(changed, refs)), "the newer")
        result = compare_history(older, newer)
        assert not result.ok and result.divergence is not None
        assert result.divergence.what == EDITED
        assert "details.received_from" in result.message and "someone else entirely" in \
            result.message, result.message
    finally:
        v.close()
