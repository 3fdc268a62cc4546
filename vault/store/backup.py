"""Backups: a consistent, still-encrypted copy of a vault.

Never a plain copy of a live ``index.db``, which can miss committed data still in the WAL:
the index is copied with ``VACUUM INTO`` (SQLCipher keeps the copy encrypted under the same
key), the immutable object files are copied as they are, and the copy is built under a
temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

from vault.custody import log as custody
from vault.errors import EnvironmentProblem, VaultError
from vault.store.atomic import PRIVATE_FILE, fsync_dir, make_private_dir, private_opener
from vault.store.db import DB_NAME, connect
from vault.store.header import HEADER
from vault.store.secret_memory import wipe
from vault.store.vault import HEAD, Vault, vault_path


def _copy(src: Path, dst: Path) -> None:
    with open(src, "rb") as fi, open(dst, "xb", opener=private_opener) as fo:
        shutil.copyfileobj(fi, fo, 1 << 20)
        fo.flush()
        os.fsync(fo.fileno())


def backup(v: Vault, dest: str | os.PathLike[str]) -> Path:
    target = vault_path(dest)
    if target.exists():
        raise VaultError(f"{target} already exists; a backup never overwrites anything")
    if target.resolve().is_relative_to(v.folder.resolve()):
        raise VaultError("a backup cannot be written inside the vault it copies")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        make_private_dir(tmp)
        make_private_dir(tmp / "objects")
        os.close(os.open(tmp / DB_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        v.con.execute("VACUUM INTO ?", (str(tmp / DB_NAME),))
        # What the copied index refers to: the objects named in it.
        master = v._master_key()
        try:
            check = connect(tmp / DB_NAME, master)
        finally:
            wipe(master)
        try:
            oids = [str(r[0]) for r in check.execute("SELECT oid FROM objects")]
        finally:
            check.close()
        for oid in oids:
            _copy(v.objects.path(oid), tmp / "objects" / oid)
        for name in (HEADER, HEAD):
            if (v.folder / name).exists():
                _copy(v.folder / name, tmp / name)
        with open(tmp / DB_NAME, "rb") as f:
            os.fsync(f.fileno())
        fsync_dir(tmp / "objects")
        fsync_dir(tmp)
        os.rename(tmp, target)
        fsync_dir(target.parent)
    except OSError as e:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise EnvironmentProblem(f"backup failed, nothing was left at {target}: "
                                 f"{e.strerror or e}") from e
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise
    with v.transaction():
        v.record(custody.BACKUP_MADE, details={"destination": str(target.resolve()),
                                               "objects": len(oids)})
    return target
