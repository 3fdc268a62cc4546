"""Purge destroys content but keeps the hash and a verifiable chain; backups are consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSPHRASE, write_files
from test_import import run_import

from vault.errors import VaultError
from vault.evidence.copyout import extract_item
from vault.evidence.items import get_item, list_items
from vault.evidence.purge import purge
from vault.store.backup import backup
from vault.store.check import run_check
from vault.store.vault import Vault


def test_purge_destroys_the_object_keeps_hash_and_chain(vault: Vault, tmp_path: Path) -> None:
    [a, _] = run_import(vault, *write_files(tmp_path / "in", 2))
    oid = get_item(vault, "MO/1").oid
    assert oid is not None
    old_bytes = vault.objects.path(oid).read_bytes()
    purge(vault, "MO/1", "indecent image imported by mistake")
    item = get_item(vault, "MO/1")
    assert item.status == "purged" and item.oid is None and item.sha256 == a.sha256
    assert not vault.objects.path(oid).exists()
    assert vault.con.execute("SELECT count(*) FROM objects WHERE oid=?", (oid,)).fetchone()[0] == 0
    assert run_check(vault).ok
    [ev] = [e for e in vault.events("MO/1") if e.fields["action"] == "purged"]
    assert ev.fields["details"]["reason"] == "indecent image imported by mistake"
    assert ev.fields["sha256"] == a.sha256
    # The stored ciphertext is unreadable for good: its key is gone from the index.
    assert old_bytes
    with pytest.raises(VaultError, match="purged"):
        extract_item(vault, "MO/1", tmp_path / "out.bin")


def test_purged_content_received_again_is_not_kept(vault: Vault, tmp_path: Path) -> None:
    [src] = write_files(tmp_path / "in", 1)
    run_import(vault, src)
    purge(vault, "MO/1", "must not be held")
    [again] = run_import(vault, src)
    assert again.status == "received again"
    assert vault.objects.names() == set()
    assert get_item(vault, "MO/1").status == "purged"
    assert run_check(vault).ok


def test_purge_needs_a_reason(vault: Vault, tmp_path: Path) -> None:
    run_import(vault, *write_files(tmp_path / "in", 1))
    with pytest.raises(VaultError, match="reason"):
        purge(vault, "MO/1", "  ")


def test_extract_writes_exact_bytes_and_records_it(vault: Vault, tmp_path: Path) -> None:
    [src] = write_files(tmp_path / "in", 1, size=3_000_000)
    run_import(vault, src)
    out = extract_item(vault, "MO/1", tmp_path)
    assert out == tmp_path / src.name and out.read_bytes() == src.read_bytes()
    assert [e.fields["action"] for e in vault.events("MO/1")][-1] == "extracted"
    with pytest.raises(VaultError, match="already exists"):
        extract_item(vault, "MO/1", out)


def test_backup_is_consistent_and_opens(vault: Vault, tmp_path: Path) -> None:
    run_import(vault, *write_files(tmp_path / "in", 5))
    target = backup(vault, tmp_path / "copy")
    assert target.name == "copy.evault"
    assert not (target / "index.db-wal").exists()
    vault_items = [i.sha256 for i in list_items(vault)]
    with Vault.open(target, passphrase=PASSPHRASE) as b:
        assert not b.open_warnings
        assert run_check(b).ok
        assert [i.sha256 for i in list_items(b)] == vault_items
    assert [e.fields["action"] for e in vault.events()][-1] == "backup made"
    with pytest.raises(VaultError, match="already exists"):
        backup(vault, target)
