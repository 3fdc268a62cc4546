"""Durable, atomic file replacement: write a temporary sibling, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from vault.errors import EnvironmentProblem


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, expect: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    With ``expect``, refuse (as KeePassXC does) when the file on disk is no longer what the
    caller read, so a change made behind our back is never silently overwritten.
    """
    if expect is not None:
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current != expect:
            raise EnvironmentProblem(f"{path.name} was changed by another program; not overwritten")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise EnvironmentProblem(f"could not write {path}: {e.strerror or e}") from e
