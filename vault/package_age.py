"""Opening age-encrypted packages (``age -d`` does the same)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from vault.errors import VaultError


def decrypt_package(package: Path, identity_file: Path, out: Path) -> None:
    import pyrage

    if out.exists():
        raise VaultError(f"{out} already exists; choose another name")
    keys = [line.strip() for line in identity_file.read_text().splitlines()
            if line.strip().startswith("AGE-SECRET-KEY-")]
    try:
        identities = [pyrage.x25519.Identity.from_str(k) for k in keys]
    except Exception:
        identities = []
    if not identities:
        raise VaultError(f"{identity_file} holds no age identity (AGE-SECRET-KEY-...)")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with open(package, "rb") as src, open(tmp, "xb") as dst:
            pyrage.decrypt_io(src, dst, identities)
        os.replace(tmp, out)
    except Exception as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise VaultError(f"cannot decrypt {package.name}: {e}") from e
