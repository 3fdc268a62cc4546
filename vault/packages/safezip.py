"""Reading zip files from unknown senders without trusting them.

Every entry is vetted before anything is read: names (UTF-8, relative, no ``..``, no drive
letters or backslashes, no clashes after Unicode normalisation or case folding), no symlinks,
no entries overlapping each other, and limits on count, sizes and compression ratio. Nothing
is ever extracted to disk: callers stream entries straight out of the archive.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MAX_ENTRIES = 200_000
MAX_TOTAL = 1 << 40  # 1 TiB uncompressed
MAX_RATIO = 200  # for compressed entries
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
# What zipfile raises on a damaged or crafted archive (bad CRC, a local header that disagrees
# with the directory, a truncated deflate stream, an unsupported version or feature).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError,
               struct.error)


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class HostileArchive(Exception):
    """The archive is unsafe to read; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotAnArchive(Exception):
    pass


def _name_problem(name: str) -> str | None:
    if not name or "\0" in name:
        return "an empty name or a NUL character"
    if "\\" in name:
        return "a backslash (Windows path separator)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path or a drive letter"
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "a '..', '.' or empty path component"
    if _CONTROLS.search(name):
        return "a control or bidirectional-override character"
    return None


@dataclass
class SafeZip:
    """``source``, when given, is an open seekable file read instead of ``path`` (which then
    only names it in messages): e.g. an original decrypted on the fly, never written out.
    ``strict``: every byte of the file must belong to an entry or to the directory, as
    :func:`layout_problems` says (evidence packages)."""

    path: Path
    max_total: int = MAX_TOTAL
    entries: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    source: IO[bytes] | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        try:
            self._zf = zipfile.ZipFile(self.path if self.source is None else self.source)
        except (OSError, *_ZIP_ERRORS) as e:
            raise NotAnArchive(f"{self.path.name} is not a readable zip file: {e}") from e
        try:
            self._vet()
        except BaseException:
            self._zf.close()
            raise

    def _vet(self) -> None:
        infos = self._zf.infolist()
        problems: list[str] = []
        if len(infos) > MAX_ENTRIES:
            raise HostileArchive([f"{len(infos)} entries (more than {MAX_ENTRIES})"])
        folded: dict[str, str] = {}
        total = 0
        for info in infos:
            raw = info.orig_filename
            if not info.flag_bits & 0x800 and not raw.isascii():
                problems.append(f"entry {raw!r}: its name is not marked as UTF-8")
                continue
            bad = _name_problem(raw)
            if bad:
                problems.append(f"entry {raw!r}: {bad}")
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                problems.append(f"entry {raw!r}: a symbolic link")
                continue
            if info.flag_bits & 0x1:
                problems.append(f"entry {raw!r}: encrypted")
                continue
            if info.is_dir():
                if self.strict:
                    problems.append(f"entry {raw!r}: a directory entry (a package has none)")
                continue
            key = unicodedata.normalize("NFC", raw).casefold()
            if key in folded:
                problems.append(f"entry {raw!r}: clashes with {folded[key]!r} (duplicate, or the "
                                "same name after Unicode normalisation or case folding)")
                continue
            folded[key] = raw
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                problems.append(f"entry {raw!r}: unsupported compression")
                continue
            if info.compress_type == zipfile.ZIP_DEFLATED and \
                    info.file_size > MAX_RATIO * max(info.compress_size, 1):
                problems.append(f"entry {raw!r}: compression ratio over {MAX_RATIO} (zip bomb)")
                continue
            total += info.file_size
            self.entries[raw] = info
        if total > self.max_total:
            problems.append(f"{total} bytes uncompressed, more than the limit of {self.max_total}")
        problems.extend(self._overlaps())
        if self.strict and not problems:
            with (open(self.path, "rb") if self.source is None
                  else contextlib.nullcontext(self.source)) as f:
                problems.extend(layout_problems(f, infos))
        if problems:
            raise HostileArchive(problems)

    def _overlaps(self) -> list[str]:
        """Entries whose data overlap another's (the 'overlapping zip bomb' and smuggling)."""
        spans = []
        with (open(self.path, "rb") if self.source is None
              else contextlib.nullcontext(self.source)) as f:
            size = f.seek(0, 2)
            for info in self._zf.infolist():
                if not 0 <= info.header_offset < size:
                    return [f"entry {info.orig_filename!r}: no local header where the directory "
                            "says"]
                f.seek(info.header_offset)
                header = f.read(_LOCAL_HEADER.size)
                if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                    return [f"entry {info.orig_filename!r}: no local header where the directory "
                            "says"]
                fields = _LOCAL_HEADER.unpack(header)
                start = info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
                end = start + info.compress_size
                if end > size:
                    return [f"entry {info.orig_filename!r}: runs past the end of the file"]
                spans.append((info.header_offset, end, info.orig_filename))
        spans.sort()
        for (_, end, name), (start, _, other) in itertools.pairwise(spans):
            if start < end:
                return [f"entries {name!r} and {other!r} overlap"]
        return []

    def names(self) -> list[str]:
        return sorted(self.entries)

    def open(self, name: str) -> IO[bytes]:
        return self._zf.open(self.entries[name])

    @staticmethod
    @contextlib.contextmanager
    def _damaged(name: str) -> Iterator[None]:
        """Errors reading an entry's data mean the archive is damaged or crafted."""
        try:
            yield
        except _ZIP_ERRORS as e:
            raise HostileArchive([f"entry {name!r}: damaged ({e})"]) from e

    def read_small(self, name: str, limit: int) -> bytes:
        info = self.entries[name]
        if info.file_size > limit:
            raise HostileArchive([f"{name} is {info.file_size} bytes, over the limit of {limit}"])
        with self._damaged(name), self.open(name) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise HostileArchive([f"{name} is larger than it claims"])
        return data

    def iter_chunks(self, name: str, size: int = 1 << 20, *,
                    check_crc: bool = True) -> Iterator[bytes]:
        """The entry's bytes. ``check_crc=False`` is for callers that check a SHA-256 of
        every byte anyway: it saves a third of the time of reading a stored entry."""
        info = self.entries[name]
        with self._damaged(name):
            # pread(2) does not exist on Windows: there zipfile reads it (one entry at a time)
            if info.compress_type == zipfile.ZIP_STORED and self.source is None and \
                    hasattr(os, "pread"):
                yield from self._stored_chunks(info, size, check_crc)
                return
            with self.open(name) as f:
                while chunk := f.read(size):
                    yield chunk

    def _stored_chunks(self, info: zipfile.ZipInfo, size: int,
                       check_crc: bool) -> Iterator[bytes]:
        """A stored entry read with pread(2): no lock shared between threads, no seeking, so
        several entries hash in parallel. The same checks as zipfile: the local header's
        name, the length and the CRC-32."""
        fd = self._zf.fp.fileno()  # type: ignore[union-attr]
        at = info.header_offset
        fields = _LOCAL_HEADER.unpack(os.pread(fd, _LOCAL_HEADER.size, at))  # vetted
        raw = os.pread(fd, fields[9], at + _LOCAL_HEADER.size)
        local = raw.decode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
        if local != info.orig_filename:
            raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and "
                                     f"header {raw!r} differ.")
        if info.compress_size != info.file_size:
            raise zipfile.BadZipFile(f"stored entry {info.orig_filename!r} has two sizes")
        pos = at + _LOCAL_HEADER.size + fields[9] + fields[10]
        left, crc = info.file_size, 0
        while left:
            chunk = os.pread(fd, min(size, left), pos)
            if not chunk:
                raise EOFError(f"{info.orig_filename!r} ends early")
            if check_crc:
                crc = zlib.crc32(chunk, crc)
            pos += len(chunk)
            left -= len(chunk)
            yield chunk
        if check_crc and crc != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.orig_filename!r}")

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------ strict layout (packages)
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_DESCRIPTOR_SIG = b"PK\x07\x08"


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    """A local header's sizes, from its zip64 extra field where they are 0xFFFFFFFF."""
    i = 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack_from("<2H", extra, i)
        if tag == 1:
            body, j = extra[i + 4:i + 4 + n], 0
            if usize == 0xFFFFFFFF and j + 8 <= len(body):
                usize = struct.unpack_from("<Q", body, j)[0]
                j += 8
            if csize == 0xFFFFFFFF and j + 8 <= len(body):
                csize = struct.unpack_from("<Q", body, j)[0]
            break
        i += 4 + n
    return usize, csize


def layout_problems(f: IO[bytes], infos: list[zipfile.ZipInfo]) -> list[str]:
    """Every byte accounted for (docs/package-format.md, "Container"): from offset 0, in
    central-directory order, each entry's local header, data and data descriptor back to back;
    then the central directory, the zip64 end records if any, and the end record with an
    empty comment; nothing before, between or after. Each local header agrees with the
    directory on name, flags, method, CRC and sizes."""
    size = f.seek(0, 2)
    if size < _EOCD.size:
        return ["the file is too short to be a zip"]
    f.seek(size - _EOCD.size)
    eocd = _EOCD.unpack(f.read(_EOCD.size))
    if eocd[0] != b"PK\x05\x06":
        return ["bytes after the end of the zip, or a zip comment (a package has neither)"]
    _sig, _disk, _cd_disk, _n_here, n_total, cd_size, cd_offset, _comment = eocd
    directory_end = size - _EOCD.size
    if size >= _EOCD.size + _ZIP64_LOCATOR.size:
        f.seek(size - _EOCD.size - _ZIP64_LOCATOR.size)
        locator = _ZIP64_LOCATOR.unpack(f.read(_ZIP64_LOCATOR.size))
        if locator[0] == b"PK\x06\x07":
            record_at = locator[2]
            f.seek(record_at)
            raw = f.read(_ZIP64_EOCD.size)
            if len(raw) < _ZIP64_EOCD.size or raw[:4] != b"PK\x06\x06":
                return ["the zip64 end record is not where its locator says"]
            record = _ZIP64_EOCD.unpack(raw)
            if record_at + 12 + record[1] != size - _EOCD.size - _ZIP64_LOCATOR.size:
                return ["bytes between the zip64 end record and its locator"]
            n_total, cd_size, cd_offset = record[7], record[8], record[9]
            directory_end = record_at
    if n_total != len(infos):
        return [f"the end record counts {n_total} entries, the directory holds {len(infos)}"]
    if cd_offset + cd_size != directory_end:
        return ["bytes before the zip's first entry, or between its directory and its end "
                "record (a file prepended to the package, or offsets shifted)"]
    at = 0
    for info in infos:
        name = info.orig_filename
        if info.header_offset != at:
            where = "before the first entry" if at == 0 else "between entries"
            return [f"entry {name!r}: {info.header_offset - at} bytes {where} that belong to no "
                    "entry of the directory (a hidden entry, or a prepended file)"
                    if info.header_offset > at else f"entry {name!r}: overlaps the one before"]
        f.seek(at)
        fields = _LOCAL_HEADER.unpack(f.read(_LOCAL_HEADER.size))
        raw_name = f.read(fields[9])
        extra = f.read(fields[10])
        want_name = name.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        problems = []
        if raw_name != want_name:
            problems.append("the name")
        if fields[2] != info.flag_bits:
            problems.append("the flags")
        if fields[3] != info.compress_type:
            problems.append("the compression method")
        descriptor = bool(info.flag_bits & 0x8)
        usize, csize = _zip64_sizes(extra, fields[8], fields[7])
        if not descriptor and (fields[6] != info.CRC or usize != info.file_size
                               or csize != info.compress_size):
            problems.append("the CRC or the sizes")
        if problems:
            return [f"entry {name!r}: its local header and the directory disagree on "
                    f"{' and '.join(problems)}"]
        at += _LOCAL_HEADER.size + fields[9] + fields[10] + info.compress_size
        if descriptor:
            f.seek(at)
            wide = fields[7] == 0xFFFFFFFF or fields[8] == 0xFFFFFFFF or \
                info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF
            body = struct.Struct("<L2Q" if wide else "<3L")
            head = f.read(4)
            if head == _DESCRIPTOR_SIG:
                at += 4
            else:
                f.seek(at)
            values = body.unpack(f.read(body.size))
            if values != (info.CRC, info.compress_size, info.file_size):
                return [f"entry {name!r}: its data descriptor and the directory disagree"]
            at += body.size
    if at != cd_offset:
        return [f"{cd_offset - at} bytes between the last entry and the directory that belong "
                "to no entry" if cd_offset > at else "the last entry overlaps the directory"]
    return []
