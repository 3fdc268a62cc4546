"""A vault restored, whole or in part, from an older copy never loses the newer evidence it
still holds: opening never deletes an encrypted file the index does not name (it is moved to
objects/orphaned/ and reported), and a rollback of the whole folder on the same computer is
reported on open (the anchor kept outside the folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import PASSPHRASE, run_cli, write_files
from packages import import_files, new_vault

from vault.custody import log as custody
from vault.evidence.copyout import extract_item
from vault.evidence.items import get_item
from vault.store.anchors import anchor_file
from vault.store.check import run_check
from vault.store.orphans import discard_orphans
from vault.store.vault import Vault

INDEX = ("index.db", "index.db-wal", "index.db-shm", "head.json")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in INDEX if (folder / n).exists()}


def put_back(folder: Path, files: dict[str, bytes]) -> None:
    for n in INDEX:
        (folder / n).unlink(missing_ok=True)
    for n, data in files.items():
        (folder / n).write_bytes(data)


def two_imports(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes], str]:
    """A vault with MO/1, the index as it was then, the index after MO/2 came, MO/2's oid."""
    docs = write_files(tmp_path / "docs", 2, prefix="letter")
    v = new_vault(tmp_path / "mary")
    folder = v.folder
    import_files(v, docs[:1])
    v.close()
    older = snapshot(folder)
    v = Vault.open(folder, passphrase=PASSPHRASE)
    import_files(v, docs[1:])
    oid = get_item(v, "MO/2").oid
    assert oid is not None
    v.close()
    return folder, older, snapshot(folder), oid


def test_an_index_rolled_back_deletes_nothing_and_is_reported(tmp_path: Path) -> None:
    folder, older, newer, oid = two_imports(tmp_path)
    put_back(folder, older)  # a sync tool reverted index.db and head.json
    # On this computer, the anchor names the rollback; nothing is swept.
    v = Vault.open(folder, passphrase=PASSPHRASE)
    assert any("restored from an older copy" in w for w in v.open_warnings), v.open_warnings
    assert (folder / "objects" / oid).is_file()
    v.close()
    # On another computer (no anchor), the open moves MO/2's content aside: never deletes it.
    anchor_file().unlink()
    v = Vault.open(folder, passphrase=PASSPHRASE)
    assert v.open_warnings == []
    assert not (folder / "objects" / oid).exists()
    assert (folder / "objects" / "orphaned" / oid).is_file()
    assert v.notices and "1 encrypted file(s) in objects/orphaned/" in v.notices[0]
    report = run_check(v)
    assert report.ok and any("objects/orphaned/" in w for w in report.warnings)
    v.close()
    listed = run_cli("list", folder)
    assert "WARNING: 1 encrypted file(s) in objects/orphaned/" in listed.stderr
    assert run_cli("orphans", folder).stdout.startswith(oid)
    # The newer index found and put back: MO/2 returns, readable.
    put_back(folder, newer)
    v = Vault.open(folder, passphrase=PASSPHRASE)
    assert v.notices == [] and (folder / "objects" / oid).is_file()
    out = extract_item(v, "MO/2", tmp_path / "out")
    assert out.read_bytes() == (tmp_path / "docs" / "letter-00001.txt").read_bytes()
    v.close()


def test_the_whole_folder_rolled_back_is_reported_on_open(tmp_path: Path) -> None:
    docs = write_files(tmp_path / "docs", 2, prefix="letter")
    v = new_vault(tmp_path / "mary")
    folder = v.folder
    import_files(v, docs[:1])
    v.close()
    shutil.copytree(folder, tmp_path / "backup")
    v = Vault.open(folder, passphrase=PASSPHRASE)
    import_files(v, docs[1:])
    v.close()
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "backup", folder)  # restored from last week's backup
    done = run_cli("list", folder)
    assert "WARNING: this computer last saw this vault at custody event" in done.stderr
    assert "restored from an older copy" in done.stderr
    # going on with it knowingly: recorded, and the warning stops
    done = run_cli("accept-restore", folder, "--reason", "the laptop was restored from the "
                   "backup; the newer copy is lost")
    assert done.returncode == 0, done.stderr
    done = run_cli("list", folder)
    assert "older copy" not in done.stderr and "last saw" not in done.stderr, done.stderr
    v = Vault.open(folder, passphrase=PASSPHRASE)
    try:
        assert v.open_warnings == []
        actions = [e.fields["action"] for e in v.events()]
        assert custody.RESTORE_ACCEPTED in actions
    finally:
        v.close()


def test_orphans_are_discarded_only_by_a_recorded_choice(tmp_path: Path) -> None:
    folder, older, _newer, oid = two_imports(tmp_path)
    put_back(folder, older)
    anchor_file().unlink()
    v = Vault.open(folder, passphrase=PASSPHRASE)
    try:
        assert v.objects.orphaned() == [oid]
        assert discard_orphans(v, "the newer index is lost for good") == 1
        assert v.objects.orphaned() == []
        last = list(v.events())[-1].fields
        assert last["action"] == custody.ORPHANS_DISCARDED and last["details"]["files"] == [oid]
    finally:
        v.close()
