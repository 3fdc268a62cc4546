"""Passphrase, recovery key, passphrase change, weak passphrases, KDF calibration."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import IDENTITY, NEW_PASSPHRASE, PASSPHRASE

from vault.errors import WeakPassphrase, WrongSecret
from vault.store.keyslots import (
    FLOOR_M_KIB,
    FLOOR_T,
    TEST_KDF,
    KdfParams,
    WeakKdf,
    calibrate,
    make_slot,
    new_recovery_key,
    parse_recovery_key,
)
from vault.store.passphrase import strength
from vault.store.vault import Vault


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


# --------------------------------------------------------------- the Argon2id floor


def _weaken_passphrase_slot(folder: Path) -> None:
    """What an attacker with the folder does: the passphrase slot's cost set to 8 KiB, 1 pass."""
    header = json.loads((folder / "header.json").read_text())
    for slot in header["slots"]:
        if slot["kind"] == "passphrase":
            slot["kdf"].update(m_kib=8, t=1, p=1)
    (folder / "header.json").write_text(json.dumps(header))


def _slot_cost(folder: Path, kind: str) -> tuple[int, int]:
    header = json.loads((folder / "header.json").read_text())
    slot = next(s for s in header["slots"] if s["kind"] == kind)
    return slot["kdf"]["m_kib"], slot["kdf"]["t"]


def test_recover_never_copies_an_edited_cost(
        make_vault: Callable[..., tuple[Vault, str]]) -> None:
    """The edited-cost attack through the command line: the passphrase slot's cost is edited
    down, the passphrase then fails, the user resets it with the recovery key; her new slot
    is written at a cost measured here and at least the floor, and the recovery slot (a cheap
    TEST_KDF slot, like an edited one) is rewritten at that cost too."""
    from conftest import run_cli

    v, recovery = make_vault()
    folder = v.folder
    v.close()
    _weaken_passphrase_slot(folder)
    with pytest.raises(WrongSecret, match="wrong passphrase"):
        Vault.open(folder, passphrase=PASSPHRASE)
    r = run_cli("recover", folder, passphrase=None,
                env={"EVIDENCE_VAULT_RECOVERY_KEY": recovery,
                     "EVIDENCE_VAULT_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert "passphrase key slot in header.json is cheap to attack (8 KiB, 1 pass," in r.stderr
    m_kib, t = _slot_cost(folder, "passphrase")
    assert m_kib >= FLOOR_M_KIB and t >= FLOOR_T
    m_kib, t = _slot_cost(folder, "recovery")
    assert m_kib >= FLOOR_M_KIB and t >= FLOOR_T
    with Vault.open(folder, passphrase=NEW_PASSPHRASE) as v2:
        assert v2.kdf_warnings == []
    Vault.open(folder, recovery_key=recovery).close()


def test_passwd_measures_the_cost_afresh(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    v.change_passphrase(NEW_PASSPHRASE)
    assert _slot_cost(v.folder, "passphrase") >= (FLOOR_M_KIB, FLOOR_T)
    assert [w for w in v.kdf_warnings if "passphrase key slot" in w] == []
    v.close()


def test_no_slot_is_written_below_the_floor(tmp_path: Path,
                                            make_vault: Callable[..., tuple[Vault, str]]) -> None:
    weak = KdfParams(m_kib=8, t=1, p=1)  # as a header would give it: not the test marker
    with pytest.raises(WeakKdf, match="below the floor"):
        make_slot(1, "passphrase", b"x", b"\0" * 32, "id", weak)
    with pytest.raises(WeakKdf):
        Vault.create(tmp_path / "weak", PASSPHRASE, IDENTITY, kdf=weak)
    v, _ = make_vault()
    with pytest.raises(WeakKdf):
        v.change_passphrase(NEW_PASSPHRASE, kdf=KdfParams(m_kib=FLOOR_M_KIB, t=1, p=2))
    v.close()
    Vault.open(v.folder, passphrase=PASSPHRASE).close()  # nothing was written


def test_opening_a_weakened_slot_warns(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, recovery = make_vault()
    folder = v.folder
    v.close()
    _weaken_passphrase_slot(folder)
    with Vault.open(folder, recovery_key=recovery) as v2:
        assert any("passphrase key slot" in w and "may have been edited" in w
                   for w in v2.kdf_warnings)


def test_calibration_never_goes_below_the_floor() -> None:
    params = calibrate(0.01)  # a target so short that one pass would do
    assert params.m_kib >= FLOOR_M_KIB and params.t >= FLOOR_T
    assert not params.below_floor()
