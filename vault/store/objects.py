"""Encrypted object files: one per stored content, AES-256-GCM in fixed-size chunks.

Layout (docs/vault-format.md, section "Objects"): a 16-byte header (``EVOBJv1\\n``, chunk size
as uint32 big-endian, 4 zero bytes), then the chunks. Chunk ``i`` is the AES-256-GCM
encryption of up to ``chunk_size`` plaintext bytes under the object's own random key, with the
96-bit big-endian counter ``i`` as nonce and ``header || object id || final flag`` as associated
data. Every chunk but the last holds exactly ``chunk_size`` bytes; the last has the final flag
set (an empty content is one empty final chunk). So a flipped byte, a reordered, swapped or
dropped chunk, a truncated file and an object put in place of another all fail to decrypt.
"""

from __future__ import annotations

import contextlib
import errno
import io
import mmap
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.errors import EnvironmentProblem, IntegrityError
from vault.store.atomic import PRIVATE_DIR, fsync_dir, private_opener

MAGIC = b"EVOBJv1\n"
HEADER_LEN = 16
TAG_LEN = 16
CHUNK_SIZE = 1 << 20
TMP_PREFIX = ".tmp-"
ORPHANED = "orphaned"  # objects/orphaned/: files the index does not name, kept (see sweep)


def header_bytes(chunk_size: int) -> bytes:
    return MAGIC + struct.pack(">I", chunk_size) + b"\0" * 4


def _nonce(i: int) -> bytes:
    return i.to_bytes(12, "big")


def _aad(header: bytes, oid: str, final: bool) -> bytes:
    return header + bytes.fromhex(oid) + (b"\x01" if final else b"\x00")


def new_object_id() -> str:
    """A random 128-bit id: object names say nothing about their contents."""
    return secrets.token_hex(16)


WRITE_PIECE = 1 << 18
"""Bytes per write(2). Measured on the project's test machine: 1 MiB writes copy into the
page cache several times slower than 256 KiB ones (bench/README.md)."""


def write_all(f: io.RawIOBase | BinaryIO, data: bytes | memoryview) -> None:
    """Write every byte of ``data`` to an unbuffered file, in :data:`WRITE_PIECE` pieces.
    A raw write may take fewer bytes than offered (the disk filling up): the rest is offered
    again, so the next write raises instead of the object being silently short."""
    view = memoryview(data)
    while view:
        n = f.write(view[:WRITE_PIECE])
        if not n:
            raise OSError(errno.ENOSPC, "the disk took no more bytes")
        view = view[n:]


class ObjectWriter:
    """Writes one object under a temporary name; :meth:`commit` makes it durable and visible."""

    def __init__(self, root: Path, chunk_size: int = CHUNK_SIZE) -> None:
        self.oid = new_object_id()
        self.key = AESGCM.generate_key(bit_length=256)
        self.chunk_size = chunk_size
        self._aead = AESGCM(self.key)
        self._header = header_bytes(chunk_size)
        self._root = root
        self._tmp = root / f"{TMP_PREFIX}{self.oid}"
        self._index = 0
        self._done = False
        try:
            self._f = open(self._tmp, "xb", buffering=0,  # noqa: SIM115 - closed in commit/abort
                           opener=private_opener)
            self._f.write(self._header)
        except OSError as e:
            raise EnvironmentProblem(f"cannot write to the vault: {e.strerror or e}") from e

    @property
    def path(self) -> Path:
        return self._root / self.oid

    def write_chunk(self, data: bytes | memoryview, final: bool) -> None:
        if self._done:
            raise RuntimeError("object already finished")
        if not final and len(data) != self.chunk_size:
            raise ValueError("only the final chunk may be short")
        ct = self._aead.encrypt(_nonce(self._index), data, _aad(self._header, self.oid, final))
        try:
            write_all(self._f, ct)
        except OSError as e:
            self.abort()
            raise EnvironmentProblem(f"cannot write to the vault: {e.strerror or e}") from e
        self._index += 1
        self._done = final

    def commit(self) -> None:
        """fsync and rename to the final name. The caller fsyncs the folder before the database
        row naming the object commits (:meth:`ObjectStore.sync`)."""
        if not self._done:
            raise RuntimeError("object has no final chunk")
        try:
            os.fsync(self._f.fileno())
            self._f.close()
            os.replace(self._tmp, self.path)
        except OSError as e:
            self.abort()
            raise EnvironmentProblem(f"cannot write to the vault: {e.strerror or e}") from e

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._f.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink()
        with contextlib.suppress(OSError):
            self.path.unlink()


class ObjectReader(io.RawIOBase):
    """A seekable, read-only view of an object's plaintext; every chunk is authenticated."""

    def __init__(self, path: Path, oid: str, key: bytes) -> None:
        super().__init__()
        self.oid = oid
        if len(key) != 32:
            raise IntegrityError(f"object {oid} has a damaged key in the index")
        try:
            self._f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise IntegrityError(f"object {oid} is missing") from None
        except OSError as e:
            raise EnvironmentProblem(f"cannot read object {oid}: {e.strerror or e}") from e
        header = self._f.read(HEADER_LEN)
        if len(header) != HEADER_LEN or header[:8] != MAGIC:
            self._f.close()
            raise IntegrityError(f"object {oid} has a damaged header")
        self._header = header
        self.chunk_size = struct.unpack(">I", header[8:12])[0]
        if not 0 < self.chunk_size <= 1 << 26:
            self._f.close()
            raise IntegrityError(f"object {oid} has a damaged header")
        self._aead = AESGCM(key)
        body = os.fstat(self._f.fileno()).st_size - HEADER_LEN
        stride = self.chunk_size + TAG_LEN
        self._chunks = max(1, -(-body // stride))
        last_ct = body - (self._chunks - 1) * stride
        if last_ct < TAG_LEN:
            self._f.close()
            raise IntegrityError(f"object {oid} is truncated")
        self.size = (self._chunks - 1) * self.chunk_size + last_ct - TAG_LEN
        self._pos = 0
        self._cache: tuple[int, bytes] | None = None

    def chunk(self, i: int) -> bytes:
        if self._cache is not None and self._cache[0] == i:
            return self._cache[1]
        stride = self.chunk_size + TAG_LEN
        self._f.seek(HEADER_LEN + i * stride)
        ct = self._f.read(stride)
        final = i == self._chunks - 1
        try:
            pt = self._aead.decrypt(_nonce(i), ct, _aad(self._header, self.oid, final))
        except InvalidTag:
            where = "its last chunk (truncated, or altered)" if final else f"chunk {i}"
            raise IntegrityError(
                f"object {self.oid} failed authentication at {where}: altered, reordered, "
                "swapped or truncated") from None
        self._cache = (i, pt)
        return pt

    def iter_chunks(self) -> Iterator[bytes]:
        for i in range(self._chunks):
            yield self.chunk(i)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview | mmap.mmap) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            return 0
        i, off = divmod(self._pos, self.chunk_size)
        data = self.chunk(i)[off:off + len(buffer)]
        n = len(data)
        memoryview(buffer)[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        if not self.closed:
            self._f.close()
            self._cache = None
        super().close()


class MemoryReader(io.BytesIO):
    """A content already in memory, read like an :class:`ObjectReader` (in a parser worker,
    which is given plaintext and holds no key)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.size = len(data)

    def iter_chunks(self) -> Iterator[bytes]:
        yield self.getvalue()


Content = ObjectReader | MemoryReader  # what the parsers read


class ObjectStore:
    """The ``objects/`` folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, oid: str) -> Path:
        return self.root / oid

    def writer(self) -> ObjectWriter:
        return ObjectWriter(self.root)

    def open(self, oid: str, key: bytes) -> ObjectReader:
        return ObjectReader(self.path(oid), oid, key)

    def sync(self) -> None:
        """Make the renames of committed objects durable."""
        fsync_dir(self.root)

    def remove(self, oid: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(oid).unlink()

    def names(self) -> set[str]:
        """The regular files in ``objects/`` (anything else is left alone)."""
        return {p.name for p in self.root.iterdir() if p.is_file() and not p.is_symlink()}

    def sweep(self, referenced: set[str]) -> list[str]:
        """Remove the temporary files of writes a crash cut short, and move every other file
        the index does not name into ``orphaned/`` (never deleted: after a rollback of the
        index they are the only copy of newer items); put back those it names again (the
        newer index restored). Returns the names moved aside."""
        moved = []
        orphans = self.root / ORPHANED
        for name in sorted(self.names()):
            if name.startswith(TMP_PREFIX):
                self.remove(name)
            elif name not in referenced:
                orphans.mkdir(exist_ok=True, mode=PRIVATE_DIR)
                os.replace(self.root / name, orphans / name)
                moved.append(name)
        back = [n for n in self.orphaned() if n in referenced]
        for name in back:
            os.replace(orphans / name, self.root / name)
        if moved or back:
            if moved:
                fsync_dir(orphans)
            self.sync()
        return moved

    def orphaned(self) -> list[str]:
        """The files in ``orphaned/``: encrypted contents the index does not name."""
        folder = self.root / ORPHANED
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink())

    def discard_orphaned(self, names: list[str]) -> None:
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                (self.root / ORPHANED / name).unlink()
        if names:
            fsync_dir(self.root / ORPHANED)
