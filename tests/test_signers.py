"""Who signed: known signers, the three results, and a stranger's package in the
investigator's name (the forgery of the trust issue)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import IDENTITY, run_cli, without_slot_warnings
from packages import CASE, SOLICITOR, export, import_files, new_vault, sample_paths

from vault.custody import log as custody
from vault.errors import VaultError
from vault.packages.receive import confirm_in_vault, receive_package, vault_signers
from vault.packages.verification import INTACT_UNCONFIRMED, NOT_INTACT, VERIFIED_CONFIRMED
from vault.packages.verify import verify_package
from vault.signing.signers import KnownSigner, KnownSigners, user_file
from vault.store.vault import Vault


@pytest.fixture
def packages(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Mary's genuine vault and two packages of hers, and a stranger's vault made with her
    name and organisation (the same certificate subject) and a package from it."""
    mary = new_vault(tmp_path / "mary")
    stranger = new_vault(tmp_path / "stranger", IDENTITY)
    import_files(mary, sample_paths(tmp_path)[:2])
    import_files(stranger, sample_paths(tmp_path)[:2])
    first = export(mary, tmp_path / "first.zip", case=CASE).path
    second = export(mary, tmp_path / "second.zip", case=CASE).path
    forged = export(stranger, tmp_path / "forged.zip", case=CASE).path
    yield {"mary": mary, "stranger": stranger, "first": first, "second": second,
           "forged": forged}
    mary.close()
    stranger.close()


def test_an_unconfirmed_signer_is_never_a_plain_verified(packages: dict[str, object]) -> None:
    first = packages["first"]
    assert isinstance(first, Path)
    result = verify_package(first)
    assert result.intact
    assert result.outcome == INTACT_UNCONFIRMED
    assert not result.headline().startswith("VERIFIED")
    assert result.to_json()["verified"] is False and result.to_json()["intact"] is True
    assert result.signer is not None and "never confirmed" in result.signer.sentence()
    r = run_cli("verify", first, passphrase=None)
    assert r.returncode == 4, r.stdout + r.stderr
    assert r.stdout.startswith("INTACT, SIGNER NOT CONFIRMED")
    assert "signers confirm" in r.stdout
    js = run_cli("verify", first, "--json", passphrase=None)
    assert js.returncode == 4
    doc = json.loads(js.stdout)
    assert doc["result"] == INTACT_UNCONFIRMED and doc["signer"]["status"] == "unconfirmed"


def test_confirm_once_then_every_package_of_that_signer_verifies(
        packages: dict[str, object]) -> None:
    first, second, mary = packages["first"], packages["second"], packages["mary"]
    assert isinstance(first, Path) and isinstance(second, Path) and isinstance(mary, Vault)
    r = run_cli("signers", "confirm", first, "--how", "read out on the phone, 12 May",
                passphrase=None)
    assert r.returncode == 0, r.stderr
    known = KnownSigners.load(user_file())
    assert [s.certificate_fingerprint for s in known.signers] == [
        mary.certificate_fingerprint()]
    assert known.signers[0].custody_key_fingerprint == mary.fingerprint()
    assert known.signers[0].how == "read out on the phone, 12 May"
    assert stat.S_IMODE(os.stat(user_file()).st_mode) == 0o600
    for package in (first, second):
        r = run_cli("verify", package, passphrase=None)
        assert r.returncode == 0, r.stdout
        assert r.stdout.startswith("VERIFIED: intact, and signed by Mary Okafor")
        assert "read out on the phone, 12 May" in r.stdout


def test_a_stranger_in_the_investigators_name_is_named_as_such(
        packages: dict[str, object]) -> None:
    first, forged = packages["first"], packages["forged"]
    mary, stranger = packages["mary"], packages["stranger"]
    assert isinstance(first, Path) and isinstance(forged, Path)
    assert isinstance(mary, Vault) and isinstance(stranger, Vault)
    assert run_cli("signers", "confirm", first, "--how", "in person",
                   passphrase=None).returncode == 0
    result = verify_package(forged, known=[("mine", KnownSigners.user())])
    assert result.intact and result.outcome == INTACT_UNCONFIRMED
    assert result.signer is not None and result.signer.impostor_of
    r = run_cli("verify", forged, passphrase=None)
    assert r.returncode == 4
    assert r.stdout.startswith("INTACT, BUT SIGNED WITH A KEY YOU HAVE NOT CONFIRMED FOR "
                               "MARY OKAFOR")
    # Both fingerprints are named.
    assert mary.certificate_fingerprint() in r.stdout
    assert stranger.certificate_fingerprint() in r.stdout


def test_signer_given_for_one_check(packages: dict[str, object]) -> None:
    first, mary, stranger = packages["first"], packages["mary"], packages["stranger"]
    assert isinstance(first, Path) and isinstance(mary, Vault) and isinstance(stranger, Vault)
    ok = verify_package(first, signer=mary.certificate_fingerprint().replace(":", " "))
    assert ok.outcome == VERIFIED_CONFIRMED
    wrong = verify_package(first, signer=stranger.certificate_fingerprint())
    assert wrong.outcome == NOT_INTACT and "expected signer" in wrong.reason
    assert run_cli("verify", first, "--signer", stranger.certificate_fingerprint(),
                   passphrase=None).returncode == 1


def test_a_confirmed_certificate_with_another_custody_key_is_not_confirmed(
        packages: dict[str, object]) -> None:
    first, mary = packages["first"], packages["mary"]
    assert isinstance(first, Path) and isinstance(mary, Vault)
    known = KnownSigners([KnownSigner("Mary Okafor", "Northbridge Survivors Campaign",
                                      mary.certificate_fingerprint(), "SHA256:somethingelse",
                                      "2026-05-12T10:00:00Z", "phone")])
    result = verify_package(first, known=[("mine", known)])
    assert result.outcome == INTACT_UNCONFIRMED
    assert any("custody log is signed with another key" in w for w in result.warnings)


def test_receive_requires_a_confirmed_signer(packages: dict[str, object],
                                            tmp_path: Path) -> None:
    first, mary = packages["first"], packages["mary"]
    assert isinstance(first, Path) and isinstance(mary, Vault)
    solicitor = new_vault(tmp_path / "solicitor", SOLICITOR)
    try:
        with pytest.raises(VaultError, match="signer is not confirmed; nothing was received"):
            receive_package(solicitor, first)
        receipt = receive_package(solicitor, first, signer=mary.certificate_fingerprint())
        assert receipt.results
        events = [e.fields for e in solicitor.events()
                  if e.fields["action"] == custody.RECEIVED_FROM_PACKAGE]
        signer = events[0]["details"]["package"]["verification"]["signer"]
        assert signer == {"status": "confirmed", "confirmed_by": "the fingerprint given"}
        # The vault's own list: confirmed once, recorded in its custody log.
        confirm_in_vault(solicitor, KnownSigner(
            "Mary Okafor", "", mary.certificate_fingerprint(), "", "2026-05-12T10:00:00Z",
            "letter of 12 May"))
        assert [s.how for s in vault_signers(solicitor).signers] == ["letter of 12 May"]
        assert any(e.fields["action"] == custody.SIGNER_CONFIRMED for e in solicitor.events())
        again = receive_package(solicitor, first)
        assert again.verification.signer is not None
        assert again.verification.signer.confirmed_by == "this vault's list"
    finally:
        solicitor.close()


def test_cli_receive_refuses_an_unconfirmed_signer_unless_allowed(
        packages: dict[str, object], tmp_path: Path) -> None:
    first = packages["first"]
    assert isinstance(first, Path)
    solicitor = new_vault(tmp_path / "solicitor", SOLICITOR)
    folder = solicitor.folder
    solicitor.close()
    r = run_cli("receive", folder, first)
    assert r.returncode != 0 and r.stdout == ""
    assert without_slot_warnings(r.stderr).startswith(
        "evidence-vault: the package is intact, but its signer is not confirmed")
    r = run_cli("receive", folder, first, "--allow-unconfirmed-signer")
    assert r.returncode == 0, r.stderr


def test_a_damaged_list_of_known_signers_is_named(tmp_path: Path,
                                                  packages: dict[str, object]) -> None:
    first = packages["first"]
    assert isinstance(first, Path)
    user_file().parent.mkdir(parents=True, exist_ok=True)
    user_file().write_text("{not json")
    r = run_cli("verify", first, passphrase=None)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "is not a readable list of known signers" in r.stderr
