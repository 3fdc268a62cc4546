"""A structural check of JPEG files: damage that decoders silently paper over.

libjpeg (and so Pillow) fills damaged image data with grey and carries on; an investigator
must be told. This walks the marker segments and the entropy-coded data and reports the first
place where the file cannot be what it claims.
"""

from __future__ import annotations

import re
import struct

# Markers that may legitimately follow entropy-coded data.
_AFTER_SCAN = {0xD9, 0xC4, 0xDA, 0xDB, 0xDD, 0xDC, 0xFE, *range(0xE0, 0xF0)}
# 0xFF followed by anything but a stuffing zero or fill: a marker (or damage).
_MARKER = re.compile(rb"\xff[^\x00\xff]")


def _scan_end(d: bytes, i: int) -> tuple[int, str | None]:
    """Skip entropy-coded data from ``i``; return the offset of the next marker, or a problem."""
    n = len(d)
    expect_rst = 0
    while i < n - 1:
        m = _MARKER.search(d, i)
        if m is None:
            return n, None
        i = m.start()
        nb = d[i + 1]
        if 0xD0 <= nb <= 0xD7:
            if nb - 0xD0 != expect_rst:
                return i, f"restart markers out of order at byte {i}: the image data is damaged"
            expect_rst = (expect_rst + 1) % 8
            i += 2
        elif nb not in _AFTER_SCAN:
            return i, (f"the image data is damaged at byte {i} (marker 0x{nb:02X} inside it); "
                       "viewers will show part of the picture grey or garbled")
        else:
            return i, None
    return n, None


def jpeg_problems(d: bytes) -> list[str]:
    if d[:2] != b"\xff\xd8":
        return ["does not start like a JPEG file"]
    i, n = 2, len(d)
    while i < n:
        if d[i] != 0xFF:
            return [f"unexpected data at byte {i} between JPEG segments"]
        while i < n and d[i] == 0xFF:
            i += 1
        if i >= n:
            break
        marker = d[i]
        i += 1
        if marker == 0xD9:
            return []
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            break
        length = struct.unpack(">H", d[i:i + 2])[0]
        if length < 2 or i + length > n:
            return [f"the segment at byte {i - 2} runs past the end of the file (truncated)"]
        i += length
        if marker == 0xDA:
            i, problem = _scan_end(d, i)
            if problem:
                return [problem]
    return ["no end-of-image marker: the file is truncated"]
