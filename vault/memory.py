"""Keeping freed memory for reuse (glibc's allocator): set once at the start of each of the
program's processes (:func:`keep_freed_memory`).

Storing, exporting and verifying handle contents in 1 MiB pieces: each is a new ``bytes``
(a chunk read, decrypted, encrypted), freed a moment later. With glibc's defaults a freed
piece at the top of the heap is soon given back to the system, and the next one is handed
out afresh, a page fault for every 4 KiB of it: measured here, reading and decrypting 1.7 GB
of objects took 0.75 s, of which 0.45 s were those faults (0.30 s once the memory is kept;
bench/README.md). So the program keeps up to :data:`TRIM_THRESHOLD` of freed memory at the
top of each heap, and takes from the heap anything under :data:`MMAP_THRESHOLD` (glibc's own
default moves between 128 KiB and 32 MiB as it goes). Other systems' allocators are left as
they are.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 32 << 20
MMAP_THRESHOLD = 8 << 20


def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep freed memory for reuse; False where there is no glibc
    (macOS, Windows, musl) or it refused."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
