"""Durable, atomic file replacement: write a temporary sibling, fsync, rename, fsync the
folder."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from vault.errors import EnvironmentProblem


def fsync_dir(path: Path) -> None:
    """Make the names in a folder (files created, renamed, removed) durable. Windows opens no
    folder as a file: there NTFS's own journal keeps a rename whole, as SQLite relies on."""
    if not hasattr(os, "O_DIRECTORY"):
        return
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


class FollowedFile:
    """Follows a file while it is being written, on two threads of its own: takes its SHA-256
    from the bytes already final, so the finished file need not be read again; and has those
    bytes written to disk as it goes (``fdatasync`` every :attr:`SYNC_EVERY` bytes), so the
    final ``fsync`` waits only for the tail instead of the whole file.

    The writer calls :meth:`writing` with bulk data just before writing it (hashed from
    memory then, up to :attr:`KEEP` bytes held; anything else is read back from the page
    cache through a handle of this object's own), :meth:`advance` whenever everything before
    its current position is final (a zip writer seeks back only into the entry it is
    writing), then :meth:`finish` when the file is whole, or :meth:`abandon`."""

    CHUNK = 1 << 20
    SYNC_EVERY = 64 << 20
    KEEP = 32 << 20

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self._reader = open(f.name, "rb", buffering=0)  # noqa: SIM115 (closed by its thread)
        self._h = hashlib.sha256()
        self._done = self._final = self._synced = self._held = 0
        self._pieces: deque[tuple[int, memoryview]] = deque()  # (offset, bytes), in order
        self._closing = False
        self._error: OSError | None = None
        self._ready = threading.Condition()
        self._threads = [threading.Thread(target=self._hash, name="followed-sha256",
                                          daemon=True),
                         threading.Thread(target=self._sync, name="followed-sync",
                                          daemon=True)]
        for t in self._threads:
            t.start()

    def writing(self, data: bytes | memoryview) -> None:
        """``data`` is about to be written at the file's current position."""
        with self._ready:
            if self._held + len(data) <= self.KEEP:
                self._pieces.append((self._f.tell(), memoryview(data)))
                self._held += len(data)

    def advance(self) -> None:
        """Everything before the file's current position is final."""
        self._f.flush()
        with self._ready:
            self._final = self._f.tell()
            self._ready.notify_all()

    def finish(self) -> str:
        """The SHA-256 of the whole file, which must be complete now."""
        self._f.flush()
        self._stop(os.fstat(self._f.fileno()).st_size)
        if self._error is not None:
            raise self._error
        return self._h.hexdigest()

    def abandon(self) -> None:
        """Stop without a result (the file failed or was cancelled)."""
        self._stop(None)

    def _stop(self, final: int | None) -> None:
        with self._ready:
            self._closing = True
            self._final = self._done if final is None else final
            self._ready.notify_all()
        for t in self._threads:
            t.join()

    def _next(self) -> tuple[memoryview | None, int] | None:
        """What to hash next (holding the lock): a piece held in memory, or how many bytes
        to read back; None when finished."""
        while self._done >= self._final and not self._closing:
            self._ready.wait()
        if self._done >= self._final:
            return None
        pieces = self._pieces
        while pieces and pieces[0][0] < self._done:  # passed over: read back instead
            self._held -= len(pieces.popleft()[1])
        if pieces and pieces[0][0] == self._done and \
                self._done + len(pieces[0][1]) <= self._final:
            piece = pieces.popleft()[1]
            self._held -= len(piece)
            return piece, len(piece)
        end = min(self._final, self._done + self.CHUNK)
        if pieces and pieces[0][0] < end:
            end = pieces[0][0]
        return None, end - self._done

    def _hash(self) -> None:
        with self._reader:
            while True:
                with self._ready:
                    step = self._next()
                if step is None:
                    return
                piece, n = step
                try:
                    if piece is None:
                        if self._reader.tell() != self._done:
                            self._reader.seek(self._done)
                        piece = memoryview(self._reader.read(n))
                        if len(piece) != n:
                            raise OSError(f"the file ended at {self._done + len(piece)} "
                                          "bytes while hashing")
                except OSError as e:
                    self._error = e
                    return
                self._h.update(piece)
                self._done += n

    def _sync(self) -> None:
        while True:
            with self._ready:
                while self._final - self._synced < self.SYNC_EVERY and not self._closing:
                    self._ready.wait()
                if self._closing:
                    return  # the caller's own fsync does the rest
                upto = self._final
            with contextlib.suppress(OSError):  # only a head start: the final fsync decides
                os.fdatasync(self._f.fileno()) if hasattr(os, "fdatasync") \
                    else os.fsync(self._f.fileno())
            self._synced = upto


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
