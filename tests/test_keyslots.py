"""Passphrase, recovery key, passphrase change, weak passphrases, KDF calibration."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import IDENTITY, NEW_PASSPHRASE, PASSPHRASE

from vault.errors import WeakPassphrase, WrongSecret
from vault.keyslots import TEST_KDF, calibrate, new_recovery_key, parse_recovery_key
from vault.passphrase import strength
from vault.vault import Vault


def test_wrong_passphrase_is_refused_and_nothing_changes(
        make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    folder = v.folder
    v.close()
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(WrongSecret, match="wrong passphrase"):
        Vault.open(folder, passphrase="not the passphrase at all")
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after


def test_recovery_key_opens_the_vault_and_resets_the_passphrase(
        make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, recovery = make_vault()
    folder = v.folder
    v.close()
    with Vault.open(folder, recovery_key=recovery.lower().replace("-", " ")) as v2:
        v2.change_passphrase(NEW_PASSPHRASE, kdf=TEST_KDF,
                             action="passphrase reset with recovery key")
    with pytest.raises(WrongSecret):
        Vault.open(folder, passphrase=PASSPHRASE)
    with Vault.open(folder, passphrase=NEW_PASSPHRASE) as v3:
        actions = [e.fields["action"] for e in v3.events()]
    assert actions[-1] == "passphrase reset with recovery key"
    # The recovery key keeps working after the passphrase changed.
    Vault.open(folder, recovery_key=recovery).close()


def test_wrong_and_mistyped_recovery_keys(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, recovery = make_vault()
    folder = v.folder
    v.close()
    other = new_recovery_key()
    with pytest.raises(WrongSecret, match="wrong recovery key"):
        Vault.open(folder, recovery_key=other)
    typo = ("1" if recovery[0] != "1" else "2") + recovery[1:]
    with pytest.raises(WrongSecret, match="mistyped"):
        Vault.open(folder, recovery_key=typo)
    with pytest.raises(WrongSecret, match="not a recovery key"):
        parse_recovery_key("ABCD-EFGH")


def test_passphrase_change_is_instant_and_only_rewraps(
        make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    folder = v.folder
    db_before = (folder / "index.db").stat().st_size
    header_before = json.loads((folder / "header.json").read_text())
    start = time.perf_counter()
    v.change_passphrase(NEW_PASSPHRASE, kdf=TEST_KDF)
    assert time.perf_counter() - start < 1.0
    v.close()
    header_after = json.loads((folder / "header.json").read_text())
    before, after = header_before["slots"], header_after["slots"]
    assert before[0]["wrap"] != after[0]["wrap"]  # passphrase slot rewrapped
    assert before[1] == after[1]  # recovery slot untouched
    assert (folder / "index.db").stat().st_size >= db_before
    with pytest.raises(WrongSecret):
        Vault.open(folder, passphrase=PASSPHRASE)
    with Vault.open(folder, passphrase=NEW_PASSPHRASE) as v2:
        assert [e.fields["action"] for e in v2.events()][-1] == "passphrase changed"


def test_header_changed_behind_our_back_is_not_overwritten(
        make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    header = v.folder / "header.json"
    header.write_text(header.read_text() + " ")
    with pytest.raises(Exception, match="changed by another program"):
        v.change_passphrase(NEW_PASSPHRASE, kdf=TEST_KDF)


@pytest.mark.parametrize("weak", ["password", "12345678901", "northbridge1", "mary okafor 1"])
def test_weak_passphrase_refused_with_a_reason(tmp_path: Path, weak: str) -> None:
    with pytest.raises(WeakPassphrase, match="too weak") as e:
        Vault.create(tmp_path / "v", weak, IDENTITY, kdf=TEST_KDF)
    assert len(str(e.value)) > len("passphrase refused as too weak: ")
    assert not (tmp_path / "v.evault" / "header.json").exists()


def test_strength_scale() -> None:
    assert not strength("short").acceptable
    assert strength(PASSPHRASE).acceptable
    assert strength(PASSPHRASE).score >= 3


def test_passphrase_is_unicode_normalised(tmp_path: Path) -> None:
    composed = "caf\u00e9 lanterne orchard tempest"
    decomposed = "cafe\u0301 lanterne orchard tempest"
    v, _ = Vault.create(tmp_path / "v", composed, IDENTITY, kdf=TEST_KDF)
    v.close()
    Vault.open(tmp_path / "v.evault", passphrase=decomposed).close()


def test_calibration_targets_half_a_second() -> None:
    params = calibrate(0.5)
    assert params.m_kib >= 65536
    assert 1 <= params.t <= 10
