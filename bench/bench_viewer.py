"""Viewer and redaction benchmark: a generated 500-page text PDF.

    .venv/bin/python bench/bench_viewer.py [--workdir DIR] [--keep] [--seed N]

Times, in one process, on the core functions the viewer and the redaction tools call:
opening the PDF item to its first page rendered at 150 dpi and turned into a QImage (what the
viewer paints), page-to-page rendering at 150 dpi, and "redact every occurrence" of a word
that appears 50 times across the 500 pages, end to end (marking every occurrence, then the
redacted copy stored as a new item). Prints the figures and a PASS/FAIL table; exits 0
whatever the figures. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from pathlib import Path

from bench_import import (
    IDENTITY,
    PASSPHRASE,
    Figure,
    finish_workdir,
    make_workdir,
    say,
    summarise,
    work_options,
)

from vault.evidence import importer
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

PAGES = 500
OCCURRENCES = 50
WORD = "Quillfeather"
DPI = 150
PAGE_RUNS = 60


def make_pdf(path: Path, seed: int) -> None:
    """500 pages of minutes-like text; WORD on 50 pages chosen by the seed."""
    import pymupdf

    rng = random.Random(seed)
    words = ("council", "meeting", "officer", "report", "referral", "concern", "police",
             "minutes", "agreed", "action", "social", "services", "review", "strategy")
    marked = set(rng.sample(range(PAGES), OCCURRENCES))
    doc = pymupdf.open()
    for n in range(PAGES):
        page = doc.new_page()
        lines = [f"Minutes, page {n + 1}"]
        for _ in range(40):
            lines.append(" ".join(rng.choice(words) for _ in range(12)))
        if n in marked:
            lines[rng.randrange(1, len(lines))] += f" {WORD} attended."
        page.insert_text((50, 60), "\n".join(lines), fontsize=9)
    doc.save(path, garbage=3, deflate=True)
    doc.close()


def run(args: argparse.Namespace) -> list[Figure]:
    from PySide6.QtGui import QImage

    from vault.documents.derive import mark_every_occurrence, redacted_copy
    from vault.documents.document import open_document

    work = make_workdir(args.workdir)
    say(f"Evidence Vault viewer benchmark on {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; workdir {work}")
    try:
        pdf = work / "minutes-500.pdf"
        make_pdf(pdf, args.seed)
        v = Vault.create(work / "vault", PASSPHRASE, IDENTITY, kdf=TEST_KDF)[0]
        try:
            results = [r for p in importer.import_paths(v, [pdf]) for r in p.acknowledged]
            ref = results[0].ref or ""
            say(f"A {PAGES}-page PDF ({pdf.stat().st_size / 1e6:.1f} MB) imported as {ref}")
            zoom = DPI / 72

            def first_page() -> float:
                start = time.perf_counter()
                doc = open_document(v, ref)
                w, h, stride, data = doc.render(0, zoom)
                QImage(data, w, h, stride, QImage.Format.Format_RGB888).copy()
                seconds = time.perf_counter() - start
                doc.close()
                return seconds

            first_page()  # imports PyMuPDF once: not a per-document cost
            firsts = [first_page() for _ in range(5)]
            first = statistics.median(firsts)
            say(f"\n[1] open to first page (150 dpi, as a QImage): median of 5 "
                f"{first * 1000:.0f} ms (runs: {', '.join(f'{x * 1000:.0f}' for x in firsts)})")

            doc = open_document(v, ref)
            rng = random.Random(args.seed)
            times = []
            for n in rng.sample(range(PAGES), PAGE_RUNS):
                start = time.perf_counter()
                w, h, stride, data = doc.render(n, zoom)
                QImage(data, w, h, stride, QImage.Format.Format_RGB888).copy()
                times.append(time.perf_counter() - start)
            doc.close()
            change, worst = statistics.median(times), max(times)
            say(f"[2] page to page at 150 dpi ({PAGE_RUNS} random pages): median "
                f"{change * 1000:.1f} ms, worst {worst * 1000:.1f} ms")

            start = time.perf_counter()
            marks = mark_every_occurrence(v, [ref], WORD, reason="S1")
            marked = time.perf_counter() - start
            copy = redacted_copy(v, ref)
            redaction = time.perf_counter() - start
            say(f"[3] redact every occurrence of {WORD!r}: {len(marks)} marks in "
                f"{marked:.2f} s; redacted copy {copy.ref} stored; {redaction:.2f} s in all")
        finally:
            v.close()
    finally:
        finish_workdir(work, args.keep)
    return [
        Figure("open to first page shown", first * 1000, "ms", "< 150", first < 0.150),
        Figure("page to page at 150 dpi, median", change * 1000, "ms", "< 50", change < 0.050),
        Figure("page to page at 150 dpi, worst", worst * 1000, "ms"),
        Figure("redact every occurrence (50), end to end", redaction, "s", "< 5",
               redaction < 5),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    work_options(p)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
