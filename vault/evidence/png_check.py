"""A PNG checked for damage without decoding its pixels.

A photo is decoded at import to find damage (a truncated or corrupt file shows when its pixels
are read). A very large PNG would need its whole pixel buffer in memory for that (a
169-megapixel one took 722 MB), so it is walked instead: every chunk's CRC, and the image data
inflated in a stream whose output is counted and thrown away, which must come to exactly the
size the header announces. Memory stays constant whatever the picture's size."""

from __future__ import annotations

import struct
import zlib
from typing import IO

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel
_STEP = 1 << 20  # bytes inflated at a time


def _filtered_size(width: int, height: int, depth: int, colour: int, interlaced: bool) -> int:
    """Bytes of filtered scanlines the image data must inflate to."""
    bits = depth * _CHANNELS[colour]

    def rows(w: int, h: int) -> int:
        return 0 if w == 0 or h == 0 else h * (1 + (w * bits + 7) // 8)

    if not interlaced:
        return rows(width, height)
    # Adam7: seven passes, each a smaller image of its own.
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2))
    return sum(rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy)
               for x0, y0, dx, dy in passes)


MAX_EXIF = 1 << 20


def png_problems(source: IO[bytes]) -> list[str]:
    """What is wrong with the PNG read from ``source`` (its start), or [] when its structure,
    checksums and image data are whole."""
    return walk_png(source)[0]


def walk_png(source: IO[bytes]) -> tuple[list[str], bytes | None]:
    """:func:`png_problems`, and the picture's EXIF (its ``eXIf`` chunk, which may follow the
    image data: Pillow decodes the whole picture to reach it)."""
    if source.read(8) != SIGNATURE:
        return ["not a PNG"], None
    inflate = zlib.decompressobj()
    expected = produced = 0
    seen_header = seen_end = False
    exif: bytes | None = None
    while not seen_end:
        head = source.read(8)
        if len(head) < 8:
            return ["the file ends before the image does (truncated)"], exif
        length, kind = struct.unpack(">I4s", head)
        if length > 0x7FFFFFFF:
            return [f"a chunk claims {length:,} bytes"], exif
        crc = zlib.crc32(kind)
        remaining = length
        data = b""
        while remaining:
            part = source.read(min(remaining, _STEP))
            if not part:
                return ["the file ends before the image does (truncated)"], exif
            remaining -= len(part)
            crc = zlib.crc32(part, crc)
            if kind in (b"IHDR", b"eXIf") and length <= MAX_EXIF:
                data += part
            elif kind == b"IDAT":
                if not seen_header:
                    return ["image data before the header"], exif
                try:
                    produced += _inflate(inflate, part, expected - produced)
                except zlib.error as e:
                    return [f"the image data is damaged: {e}"], exif
                if produced > expected:
                    return ["the image data is larger than its header says"], exif
        stored = source.read(4)
        if len(stored) < 4:
            return ["the file ends before the image does (truncated)"], exif
        if struct.unpack(">I", stored)[0] != crc:
            return [f"the {kind.decode('latin-1')} chunk's checksum is wrong (damaged)"], exif
        if kind == b"IHDR":
            if len(data) != 13:
                return ["the header is malformed"], exif
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", data)
            if colour not in _CHANNELS:
                return [f"unknown colour type {colour}"], exif
            expected = _filtered_size(width, height, depth, colour, interlace == 1)
            seen_header = True
        elif kind == b"eXIf" and data:
            exif = data
        elif kind == b"IEND":
            seen_end = True
    if not inflate.eof or produced != expected:
        return [f"the image data ends early ({produced:,} of {expected:,} bytes): the picture "
                "is cut short"], exif
    return [], exif


def _inflate(inflate: zlib._Decompress, part: bytes, room: int) -> int:
    """Inflate ``part``, counting what comes out without keeping it (stops one step past
    ``room``, which the caller reports as too much)."""
    produced = 0
    data = part
    while data and produced <= room:
        out = inflate.decompress(data, _STEP)
        produced += len(out)
        data = inflate.unconsumed_tail
    return produced
