"""OCR benchmark: pages read per second by the vault's OCR against Tesseract run directly.

    .venv/bin/python bench/bench_ocr.py [--quick] [--workdir DIR] [--keep] [--seed N]

Generates a scanned PDF (each page only a 300 dpi picture of minutes-like text; full: 30
pages, --quick: 5), imports it, and times ``run_ocr_jobs`` to the end in a worker thread while
the main thread ticks every 10 ms (the longest tick shows whether OCR starves the thread the
GUI would run on). The baseline, in the same run: the same pages drawn the same way, piped to
``tesseract stdin stdout`` with the same options, one after the other. Prints the figures and
a PASS/FAIL table; exits 0 whatever the figures. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import threading
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
from vault.search import ocr
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

WORDS = ("council", "meeting", "officer", "report", "referral", "concern", "police", "minutes",
         "agreed", "action", "social", "services", "review", "strategy", "Rotherham", "Pendleton")
TICK = 0.010
TARGET_RATIO = 0.8  # vault pages/s over Tesseract's own
TARGET_TICK_MS = 100.0


def make_scan(path: Path, pages: int, seed: int) -> None:
    import pymupdf

    rng = random.Random(seed)
    out = pymupdf.open()
    for n in range(pages):
        with pymupdf.open() as src:
            page = src.new_page(width=595, height=842)
            lines = [f"Minutes, page {n + 1}"] + [
                " ".join(rng.choice(WORDS) for _ in range(9)) for _ in range(30)]
            page.insert_text((50, 60), "\n".join(lines), fontsize=11)
            png = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY).tobytes("png")
        scan = out.new_page(width=595, height=842)
        scan.insert_image(scan.rect, stream=png)
    out.save(path, deflate=True)
    out.close()


def drawn_pages(path: Path) -> list[bytes]:
    """The pages drawn as the vault draws them for Tesseract (300 dpi, greyscale PNM)."""
    import pymupdf

    with pymupdf.open(path) as doc:
        zoom = ocr.DPI / 72
        return [bytes(p.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                                   colorspace=pymupdf.csGRAY).tobytes("pnm")) for p in doc]


def run(args: argparse.Namespace) -> list[Figure]:
    pages = 5 if args.quick else 30
    engine = ocr.require_tesseract()
    work = make_workdir(args.workdir)
    say(f"Evidence Vault OCR benchmark ({'quick' if args.quick else 'full'}, {pages} pages) on "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {engine}; workdir {work}")
    try:
        pdf = work / "scan.pdf"
        make_scan(pdf, pages, args.seed)
        say(f"A {pages}-page scanned PDF ({pdf.stat().st_size / 1e6:.1f} MB)")

        images = drawn_pages(pdf)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        start = time.perf_counter()
        for image in images:
            subprocess.run(["tesseract", "stdin", "stdout", "-l", ocr.DEFAULT_LANGUAGES,
                            "--psm", "3", "--dpi", str(ocr.DPI)], input=image,
                           capture_output=True, check=True, env=env, timeout=600)
        direct = pages / (time.perf_counter() - start)
        say(f"[1] tesseract directly, the same pages piped in: {direct:.2f} pages/s")

        v = Vault.create(work / "vault", PASSPHRASE, IDENTITY, kdf=TEST_KDF)[0]
        try:
            results = [r for p in importer.import_paths(v, [pdf]) for r in p.acknowledged]
            item = int(v.con.execute("SELECT id FROM items WHERE ref=?",
                                     (results[0].ref,)).fetchone()[0])
            ocr.queue_ocr(v, [item])
            done: list[float] = []

            def work_through() -> None:
                t = time.perf_counter()
                for _ in ocr.run_ocr_jobs(v):
                    pass
                done.append(time.perf_counter() - t)

            worker = threading.Thread(target=work_through)
            worst = 0.0
            worker.start()
            while worker.is_alive():
                t = time.perf_counter()
                time.sleep(TICK)
                worst = max(worst, time.perf_counter() - t - TICK)
            worker.join()
            read = len(ocr.ocr_text(v, str(results[0].ref)))
            rate = read / done[0]
        finally:
            v.close()
        say(f"[2] vault OCR (decrypt, draw, pipe, store, index, custody event): {rate:.2f} "
            f"pages/s over {read} pages; longest main-thread tick delay {worst * 1000:.1f} ms")
    finally:
        finish_workdir(work, args.keep)
    return [
        Figure("tesseract directly", direct, "pages/s"),
        Figure("vault OCR", rate, "pages/s"),
        Figure("vault OCR / tesseract directly", rate / direct, "", f">= {TARGET_RATIO}",
               rate / direct >= TARGET_RATIO),
        Figure("main thread: longest extra delay of a 10 ms tick", worst * 1000, "ms",
               f"< {TARGET_TICK_MS:.0f}", worst * 1000 < TARGET_TICK_MS),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="5 pages instead of 30")
    work_options(p)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    summarise(lambda: run(parse_args(argv)))


if __name__ == "__main__":
    main()
