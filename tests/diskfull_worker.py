"""Run inside a private mount namespace on a tiny tmpfs by test_disk_full.py.

Creates a vault on the full-to-be filesystem, imports until the disk is full, and prints one
JSON document: what was acknowledged, the error shown, and what a fresh open then finds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from conftest import IDENTITY, PASSPHRASE

from vault.errors import VaultError
from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.store.check import run_check
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault


def main(tiny: Path, sources: Path) -> None:
    v, _ = Vault.create(tiny / "full", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    acknowledged: dict[str, str] = {}
    error = None
    try:
        for prog in import_paths(v, sorted(sources.iterdir()), batch_files=2):
            for r in prog.acknowledged:
                if r.ref:
                    acknowledged[r.ref] = r.sha256 or ""
    except VaultError as e:
        error = str(e)
    finally:
        v.close()
    # Make room as the user would, then open again.
    (tiny / "ballast").unlink()
    with Vault.open(tiny / "full.evault", passphrase=PASSPHRASE) as v2:
        report = run_check(v2)
        present = {}
        for item in list_items(v2):
            assert item.oid is not None
            with v2.objects.open(item.oid, v2.object_key(item.oid)) as r:
                h = hashlib.sha256(b"".join(r.iter_chunks())).hexdigest()
            present[item.ref] = h
        leftovers = sorted(v2.objects.names() - v2.referenced_objects())
        warnings = v2.open_warnings
    print(json.dumps({"acknowledged": acknowledged, "error": error, "problems": report.problems,
                      "present": present, "leftovers": leftovers, "warnings": warnings,
                      "free": os.statvfs(tiny).f_bavail}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
