"""Writing an item's exact bytes out of the vault, to a place the user chose."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from vault.custody import log as custody
from vault.errors import IntegrityError, VaultError
from vault.evidence.items import get_item
from vault.store.atomic import replacing
from vault.store.vault import Vault

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069<>:\"|?*]")


def local_name(name: str, ref: str) -> str:
    """A file name for ``name`` inside the folder the user chose: its last component only
    (a name from an e-mail, a zip or a package may hold ``../`` or a drive), no control or
    bidirectional characters, none that Windows refuses; the reference when nothing is left."""
    last = re.split(r"[/\\]", name)[-1]
    last = _UNSAFE.sub("_", last).strip(" .")
    return last[:200] or ref.replace("/", "-")


def extract_item(v: Vault, ref: str, dest: Path) -> Path:
    """Write the item's bytes to ``dest`` (a file, or a folder to put it in under its original
    name), verifying the SHA-256 as it goes; recorded as a custody event."""
    item = get_item(v, ref)
    if item.status != "present" or item.oid is None:
        raise VaultError(f"{item.ref} was purged; its content no longer exists")
    target = dest / local_name(item.name, item.ref) if dest.is_dir() else dest
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
