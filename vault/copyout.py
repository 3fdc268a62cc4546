"""Writing an item's exact bytes out of the vault, to a place the user chose."""

from __future__ import annotations

import hashlib
from pathlib import Path

from vault import custody
from vault.atomic import replacing
from vault.errors import IntegrityError, VaultError
from vault.items import get_item
from vault.vault import Vault


def extract_item(v: Vault, ref: str, dest: Path) -> Path:
    """Write the item's bytes to ``dest`` (a file, or a folder to put it in under its original
    name), verifying the SHA-256 as it goes; recorded as a custody event."""
    item = get_item(v, ref)
    if item.status != "present" or item.oid is None:
        raise VaultError(f"{item.ref} was purged; its content no longer exists")
    target = dest / item.name if dest.is_dir() else dest
    if target.exists():
        raise VaultError(f"{target} already exists; choose another name")
    h = hashlib.sha256()
    with v.objects.open(item.oid, v.object_key(item.oid)) as reader, replacing(target) as out:
        for chunk in reader.iter_chunks():
            h.update(chunk)
            out.write(chunk)
        if h.hexdigest() != item.sha256:
            raise IntegrityError(f"{item.ref}: stored content does not match its SHA-256")
    with v.transaction():
        v.record(custody.EXTRACTED, item=item.ref, sha256=item.sha256,
                 details={"destination": str(target.resolve())})
    return target
