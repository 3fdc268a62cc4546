"""Receive: a verified package enters another vault and the chain of custody continues."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from packages import (
    CASE,
    SOLICITOR,
    Entries,
    export,
    flip,
    import_files,
    new_vault,
    read_zip,
    rewrite_zip,
    sample_paths,
)

from vault.custody import log as custody
from vault.custody.log import canonical
from vault.errors import VaultError
from vault.evidence.importer import IMPORTED, RECEIVED_AGAIN
from vault.evidence.items import get_item, list_items
from vault.packages.receive import confirm_in_vault, receive_package
from vault.packages.verify import verify_package
from vault.signing.signers import KnownSigner
from vault.store.check import run_check
from vault.store.vault import Vault


@pytest.fixture
def pair(tmp_path: Path, corpus: Path) -> Iterator[tuple[Vault, Vault, Path]]:
    """The investigator's vault with an exported case, and the solicitor's empty vault, in
    whose own list of known signers the investigator is confirmed."""
    investigator = new_vault(tmp_path / "investigator")
    solicitor = new_vault(tmp_path / "solicitor", SOLICITOR)
    confirm_in_vault(solicitor, KnownSigner(
        "Mary Okafor", "Northbridge Survivors Campaign", investigator.certificate_fingerprint(),
        investigator.fingerprint(), "2026-05-03T09:00:00Z", "read out on the phone"))
    import_files(investigator, sample_paths(tmp_path))
    package = export(investigator, tmp_path / "package.zip", case=CASE,
                     recipient="Harbour Law").path
    yield investigator, solicitor, package
    investigator.close()
    solicitor.close()


def objects_in(v: Vault) -> set[str]:
    return {p.name for p in (v.folder / "objects").rglob("*") if p.is_file()}


def test_round_trip(pair: tuple[Vault, Vault, Path]) -> None:
    investigator, solicitor, package = pair
    receipt = receive_package(solicitor, package, case="HL-CLAIM-7")
    assert receipt.verification.verified and not receipt.preserved_unverified
    assert [r.status for r in receipt.results] == [IMPORTED] * 6
    sent = {i.ref: i for i in list_items(investigator, CASE)}
    got = {i.ref: i for i in list_items(solicitor, "HL-CLAIM-7")}
    assert set(got) == set(sent)  # references kept
    for ref, item in got.items():
        assert item.sha256 == sent[ref].sha256 and item.size == sent[ref].size
        assert item.name == sent[ref].name
        with solicitor.objects.open(item.oid or "", solicitor.object_key(item.oid or "")) as r:
            assert b"".join(r.iter_chunks()) == b"".join(investigator.objects.open(
                sent[ref].oid or "", investigator.object_key(sent[ref].oid or "")).iter_chunks())
    report = run_check(solicitor)
    assert report.ok, report.problems
    assert report.items_checked == 6


def test_receipt_starts_the_new_custodians_chain(pair: tuple[Vault, Vault, Path]) -> None:
    investigator, solicitor, package = pair
    verification = verify_package(package)
    receive_package(solicitor, package)
    events = list(solicitor.events("MO/3"))
    receipt = events[0].fields
    assert receipt["action"] == custody.RECEIVED_FROM_PACKAGE
    assert receipt["actor"]["name"] == "Sam Solicitor"
    assert receipt["sha256"] == get_item(investigator, "MO/3").sha256
    details = receipt["details"]
    assert details["package"]["id"] == verification.package_id
    assert details["package"]["signer_fingerprint"] == investigator.certificate_fingerprint()
    assert details["package"]["verification"]["verified"] is True
    assert details["package"]["sender_custody_key_fingerprint"] == investigator.fingerprint()

    # The sender's history is kept exactly as signed: each event verifies with the sender's
    # custody key, and they are the investigator's own events for that exhibit.
    history = details["sender_history"]
    own = [e for e in investigator.events() if e.fields.get("item") == "MO/3"]
    assert [h["hash"] for h in history] == [e.hash for e in own]
    sender_key = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(next(investigator.events()).fields["details"]["custody_public_key"]))
    for h in history:
        body = canonical(h["event"])
        sender_key.verify(base64.b64decode(h["sig"]), body)
    assert history[0]["event"]["action"] == custody.IMPORTED


def test_the_solicitor_can_export_again(pair: tuple[Vault, Vault, Path], tmp_path: Path) -> None:
    _, solicitor, package = pair
    receive_package(solicitor, package, case="HL-CLAIM-7")
    onward = export(solicitor, tmp_path / "onward.zip", case="HL-CLAIM-7", recipient="Counsel")
    verification = verify_package(onward.path, signer=solicitor.certificate_fingerprint())
    assert verification.verified, verification.checks
    _, entries = read_zip(onward.path)
    log = entries["data/custody/custody-log.jsonl"].decode()
    assert custody.RECEIVED_FROM_PACKAGE in log and "sender_history" in log


def test_receiving_twice_is_received_again(pair: tuple[Vault, Vault, Path]) -> None:
    _, solicitor, package = pair
    receive_package(solicitor, package)
    before = objects_in(solicitor)
    again = receive_package(solicitor, package)
    assert [r.status for r in again.results] == [RECEIVED_AGAIN] * 6
    assert len(list_items(solicitor, None)) == 6
    assert objects_in(solicitor) == before
    assert run_check(solicitor).ok


def test_taken_reference_gets_a_new_one(tmp_path: Path, pair: tuple[Vault, Vault, Path]) -> None:
    investigator, _, package = pair
    other = new_vault(tmp_path / "other-mo")  # same initials: MO/1 is taken
    try:
        (own,) = import_files(other, [tmp_path / "generated" / "doc-00000.txt"])
        own_ref = own.ref
        (tmp_path / "fresh.txt").write_text("a note of our own, not in the package")
        (mine,) = import_files(other, [tmp_path / "fresh.txt"])
        receipt = receive_package(other, package, signer=investigator.certificate_fingerprint())
        by_sha = {r.sha256: r for r in receipt.results}
        assert by_sha[own.sha256].status == RECEIVED_AGAIN and by_sha[own.sha256].ref == own_ref
        new = [r for r in receipt.results if r.status == IMPORTED]
        assert len(new) == 5 and mine.ref not in {r.ref for r in new}
        assert get_item(other, mine.ref).name == "fresh.txt"
        for r in new:
            item = get_item(other, r.ref or "")
            assert item.sha256 == r.sha256
            assert next(other.events(item.ref)).fields["details"]["original_ref"] in \
                {i.ref for i in list_items(investigator, CASE)}
        assert run_check(other).ok
    finally:
        other.close()


def tamper(package: Path, tmp_path: Path) -> Path:
    out = tmp_path / "tampered.zip"

    def change(e: Entries) -> None:
        name = next(n for n in e if n.startswith("data/exhibits/"))
        e[name] = flip(e[name])

    rewrite_zip(package, out, change)
    return out


def test_a_tampered_package_is_refused(pair: tuple[Vault, Vault, Path], tmp_path: Path) -> None:
    _, solicitor, package = pair
    bad = tamper(package, tmp_path)
    events = len(list(solicitor.events()))
    objects = objects_in(solicitor)
    with pytest.raises(VaultError, match=r"NOT VERIFIED \(payload hashes: .* was changed\); "
                                         r"nothing was received"):
        receive_package(solicitor, bad)
    assert list_items(solicitor, None) == []
    assert len(list(solicitor.events())) == events
    assert objects_in(solicitor) == objects
    assert run_check(solicitor).ok


def test_unverified_package_preserved_on_request(pair: tuple[Vault, Vault, Path],
                                                 tmp_path: Path) -> None:
    _, solicitor, package = pair
    bad = tamper(package, tmp_path)
    receipt = receive_package(solicitor, bad, keep_unverified=True)
    assert receipt.preserved_unverified
    (result,) = receipt.results
    item = get_item(solicitor, result.ref or "")
    assert item.sha256 == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert any(w.startswith("NOT VERIFIED: payload hashes") for w in result.warnings)
    actions = [e.fields["action"] for e in solicitor.events(item.ref)]
    assert actions[0] == custody.IMPORTED and custody.UNVERIFIED_PRESERVED in actions
    failure = next(e for e in solicitor.events(item.ref)
                   if e.fields["action"] == custody.UNVERIFIED_PRESERVED)
    assert failure.fields["details"]["reason"].startswith("payload hashes: ")
    assert run_check(solicitor).ok


def test_cli_receive(pair: tuple[Vault, Vault, Path], tmp_path: Path) -> None:
    _, solicitor, package = pair
    folder = solicitor.folder
    solicitor.close()
    bad = tamper(package, tmp_path)
    r = run_cli("receive", folder, bad)
    assert r.returncode == 1 and "nothing was received" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("receive", folder, bad, "--keep-unverified")
    assert r.returncode == 1 and "NOT VERIFIED" in r.stderr
    r = run_cli("receive", folder, package, "--case", "HL-CLAIM-7")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1].startswith("VERIFIED: intact, and signed by Mary Okafor")
    assert len(r.stdout.splitlines()) == 6
    assert all(line.split("\t")[1] == IMPORTED for line in r.stdout.splitlines())
    r = run_cli("show", folder, "MO/1")
    assert r.returncode == 0 and "Mary Okafor" in r.stdout, r.stdout
    r = run_cli("check", folder)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_same_bytes_from_another_signer_are_never_merged_silently(
        pair: tuple[Vault, Vault, Path], tmp_path: Path) -> None:
    from vault.packages.receive import OtherSigner

    _investigator, solicitor, package = pair
    receive_package(solicitor, package, case="HL-CLAIM-7")
    stranger = new_vault(tmp_path / "stranger")  # another key, the same files
    try:
        import_files(stranger, sample_paths(tmp_path))
        theirs = export(stranger, tmp_path / "theirs.zip", case=CASE).path
        sfp = stranger.certificate_fingerprint()
    finally:
        stranger.close()
    before = len(list(solicitor.events()))
    with pytest.raises(OtherSigner) as e:
        receive_package(solicitor, theirs, signer=sfp)
    assert sfp in str(e.value) and "MO/1" in str(e.value)
    assert len(list(solicitor.events())) == before  # nothing received
    receipt = receive_package(solicitor, theirs, signer=sfp, merge_other_signers=True)
    assert {r.status for r in receipt.results} == {RECEIVED_AGAIN}


def test_the_senders_chain_is_shown_in_the_details(dispose: Any,
                                                   pair: tuple[Vault, Vault, Path]) -> None:
    from ui.detail import DetailPane

    _investigator, solicitor, package = pair
    receive_package(solicitor, package, case="HL-CLAIM-7")
    pane = DetailPane()
    dispose(pane)
    item = get_item(solicitor, "MO/1")
    pane.show_item(item, [e.fields for e in solicitor.events("MO/1")])
    rows = pane.timeline.rows()
    assert rows[0][0].startswith("sent ") and rows[0][2] == "imported"
    assert "(in the package, signed by the sender)" in rows[0][3]
    receipt_row = next(i for i, r in enumerate(rows) if r[2] == "received from package")
    assert all(r[0].startswith("sent ") for r in rows[:receipt_row])
    assert "(the original source" in pane.values["From"].text()
    assert "first received" in pane.values["Received"].text()
