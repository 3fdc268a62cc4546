"""Byte-level changes to a (small, non-zip64) zip file that keep it readable by zipfile:
what a forger does to hide content from one unzip tool and show it to another."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO

_CD = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header, 46 bytes
_EOCD = struct.Struct("<4s4H2LH")
_LOCAL = struct.Struct("<4s5H3L2H")


def _directory(data: bytes) -> tuple[int, int, int]:
    """(offset of the central directory, its size, offset of the end record)."""
    at = data.rindex(b"PK\x05\x06")
    fields = _EOCD.unpack_from(data, at)
    return fields[6], fields[5], at


def insert(data: bytes, at: int, extra: bytes) -> bytes:
    """``extra`` inserted at offset ``at`` (not inside the central directory), with every
    offset after it moved on so that the directory still finds every entry."""
    cd, cd_size, end = _directory(data)
    assert at <= cd
    out = bytearray(data[:at] + extra + data[at:])
    shift = len(extra)
    pos = cd + shift
    while pos < cd + shift + cd_size:
        fields = list(_CD.unpack_from(out, pos))
        if fields[-1] >= at:
            fields[-1] += shift
        _CD.pack_into(out, pos, *fields)
        pos += _CD.size + fields[12] + fields[13] + fields[14]
    eocd = list(_EOCD.unpack_from(out, end + shift))
    eocd[6] += shift
    _EOCD.pack_into(out, end + shift, *eocd)
    return bytes(out)


def local_entry(name: str, content: bytes) -> bytes:
    """A stored local file header and its data, as a hidden entry."""
    raw = name.encode("utf-8")
    header = _LOCAL.pack(b"PK\x03\x04", 20, 0x800, 0, 0, 0, zlib.crc32(content),
                         len(content), len(content), len(raw), 0)
    return header + raw + content


def entry_span(data: bytes, name: str) -> tuple[int, int]:
    """(offset of the entry's local header, offset just after its data)."""
    with zipfile.ZipFile(BytesIO(data)) as z:
        info = z.getinfo(name)
    fields = _LOCAL.unpack_from(data, info.header_offset)
    start = info.header_offset + _LOCAL.size + fields[9] + fields[10]
    return info.header_offset, start + info.compress_size


def set_local_method(data: bytes, name: str, method: int) -> bytes:
    start, _ = entry_span(data, name)
    out = bytearray(data)
    struct.pack_into("<H", out, start + 8, method)
    return bytes(out)


def with_comment(data: bytes, comment: bytes) -> bytes:
    _cd, _size, end = _directory(data)
    out = bytearray(data)
    struct.pack_into("<H", out, end + 20, len(comment))
    return bytes(out) + comment


def with_directory_entry(data: bytes, name: str) -> bytes:
    """A directory entry added at the end (zipfile's append mode)."""
    buf = BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        info = zipfile.ZipInfo(name, date_time=(2026, 5, 3, 9, 30, 0))
        info.external_attr = 0o40755 << 16 | 0x10
        info.flag_bits |= 0x800
        z.writestr(info, b"")
    return buf.getvalue()
