"""Freed memory kept for reuse (vault/memory.py): 1 MiB pieces made and freed one after
another are taken from the heap again, not faulted in afresh page by page, once the
program's processes have called ``keep_freed_memory`` at their start. Measured in a fresh
interpreter by its minor page faults (the setting is for the whole process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import resource, sys
sys.path.insert(0, {root!r})
from vault.memory import keep_freed_memory

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):  # a chunk read, then its plaintext, freed: as an export does
        a = b"c" * ((1 << 20) + 16)
        b = b"p" * (1 << 20)
        del a, b
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

first = faults()
kept = keep_freed_memory()
print(first, kept, faults())
"""


def test_pieces_freed_and_made_again_cause_no_page_faults() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT))],
                         capture_output=True, text=True, check=True).stdout.split()
    before, kept, after = int(out[0]), out[1], int(out[2])
    assert kept == "True"  # this is glibc
    assert before > 200 * 256  # the default: each piece faulted in again (4 KiB pages)
    assert after < before // 20, (before, after)
