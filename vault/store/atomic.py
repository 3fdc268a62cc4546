"""Durable, atomic file replacement: write a temporary sibling, fsync, rename, fsync the
folder."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from vault.errors import EnvironmentProblem


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# A vault is this user's alone: its folders 0700 and its files 0600 (less the umask), so
# another account on the same computer cannot even list what it holds.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a new file created 0600."""
    return os.open(path, flags, PRIVATE_FILE)


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and its missing parents) 0700; tighten it if it exists already."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_DIR)


@contextlib.contextmanager
def replacing(target: Path, mode: int = 0o666) -> Iterator[BinaryIO]:
    """Write ``target`` through a hidden temporary sibling, made durable and renamed into place
    only if the block completes; on any failure the temporary file is removed, so nothing ever
    appears under the final name half written. ``mode`` (less the umask) from the start: a
    secret is never readable by others, not even half written."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        with open(tmp, "xb", opener=lambda p, flags: os.open(p, flags, mode)) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise EnvironmentProblem(f"cannot write {target}: {e.strerror or e}") from e
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(path: Path, data: bytes, *, expect: bytes | None = None,
                 mode: int = 0o666) -> None:
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
    with replacing(path, mode) as f:
        f.write(data)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
