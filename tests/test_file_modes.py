"""A vault is its user's alone: every folder 0700 and every file 0600, however the umask
is set (here the common 022), in the vault and in its backups; an older vault's folder is
tightened when opened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from conftest import PASSPHRASE, write_files
from packages import import_files, new_vault

from vault.store.backup import backup
from vault.store.vault import Vault


def loose(folder: Path) -> list[str]:
    found = []
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(folder.parent)} {mode:o}")
    return found


def test_vault_files_and_folders_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        v = new_vault(tmp_path / "mary")
        try:
            import_files(v, write_files(tmp_path / "docs", 2))
            copy = backup(v, tmp_path / "copy")
            assert loose(v.folder) == []  # while open: index.db-wal and -shm too
        finally:
            v.close()
        assert loose(v.folder) == []
        assert loose(copy) == []
        # a vault made by an earlier version, left 0755: tightened on open
        os.chmod(v.folder, 0o755)
        Vault.open(v.folder, passphrase=PASSPHRASE).close()
        assert stat.S_IMODE(v.folder.stat().st_mode) == 0o700
    finally:
        os.umask(old)
