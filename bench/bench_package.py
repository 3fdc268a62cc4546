"""Package benchmarks: export and verify against bagit-python, measured in the same run.

    .venv/bin/python bench/bench_package.py [--quick] [--workdir DIR] [--keep] [--profile]

Generates the seeded corpus of bench/bench_import.py (documents, photos, videos) outside the
repository, then times, on the same bytes: ``bagit.make_bag`` (processes=2) on a copy,
bagit-python's full validation of that bag (``Bag.validate(processes=2)``, every hash), the
vault's ``export_package`` of the whole imported case, and ``verify_package`` of the result.
Prints MB/s, the two ratios with their targets and a PASS/FAIL table. See bench/README.md.
Exits 0 whatever the figures; only a crash exits non-zero.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import logging
import os
import platform
import pstats
import shutil
import statistics
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import bagit
from bench_import import (
    FULL,
    IDENTITY,
    MB,
    PASSPHRASE,
    QUICK,
    CorpusMaker,
    Figure,
    consume,
    finish_workdir,
    make_corpus,
    make_workdir,
    say,
    summarise,
    warm,
    work_options,
)

from vault.evidence import importer
from vault.memory import keep_freed_memory
from vault.packages.export import ExportResult, export_package
from vault.packages.verify import verify_package
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

CASE = "BENCH-1"
TARGET_VERIFY = 1.2  # verify MB/s over bagit validate MB/s (issue 16)
TARGET_EXPORT = 0.8  # export MB/s over the plain stored zip's MB/s (issue 16)
T = TypeVar("T")


def timed(label: str, fn: Callable[[], T], profile: Path | None) -> tuple[float, T]:
    """Run ``fn`` once and time it; with ``profile``, under cProfile, top 15 printed."""
    prof = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if prof:
        prof.enable()
    value = fn()
    if prof:
        prof.disable()
    seconds = time.perf_counter() - start
    if prof and profile:
        out = profile / f"{label}.prof"
        prof.dump_stats(out)
        say(f"    profile of {label} (by own time; {out}):")
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    return seconds, value


def bench_bagit(corpus: Path, work: Path, profile: Path | None) -> tuple[float, Path]:
    """make_bag on a warm copy; the bag is kept for the validations timed later, in turn
    with the vault's verify."""
    bag_dir = work / "bag"
    shutil.copytree(corpus, bag_dir)
    warm(bag_dir)
    made, _ = timed("make_bag", lambda: bagit.make_bag(str(bag_dir), checksums=["sha256"],
                                                        processes=2), profile)
    return made, bag_dir


def time_validate(bag_dir: Path, profile: Path | None) -> float:
    """bagit-python's full validation of the bag (every hash), warm."""
    warm(bag_dir)
    bag = bagit.Bag(str(bag_dir))
    validated, _ = timed("bagit_validate", lambda: bag.validate(processes=2), profile)
    return validated


def time_plain_zip(corpus: Path, work: Path) -> float:
    """The floor of any export: a stored zip of the same files, written and fsynced (no
    decryption, no hashing, no report, no signature)."""
    out = work / "plain.zip"
    warm(corpus)
    os.sync()
    start = time.perf_counter()
    with open(out, "wb") as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
                zf.write(path, path.relative_to(corpus).as_posix())
        f.flush()
        os.fsync(f.fileno())
    seconds = time.perf_counter() - start
    out.unlink()
    return seconds


def time_hash_floor(corpus: Path) -> float:
    """The floor of any full verify: SHA-256 of every file of the corpus, on two threads
    (both cores), read from the warm page cache; nothing else."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    warm(corpus)

    def one(path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb", buffering=0) as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def import_case(corpus: Path, work: Path) -> Vault:
    v = Vault.create(work / "vault", PASSPHRASE, IDENTITY, kdf=TEST_KDF)[0]
    warm(corpus)
    start = time.perf_counter()
    statuses, failures = consume(importer.import_paths(v, [corpus], case=CASE))
    say(f"    imported {dict(statuses)} in {time.perf_counter() - start:.1f} s (not a figure)")
    for f in failures[:5]:
        say(f"    FAILED {f}")
    return v


def export_all(v: Vault, out: Path) -> ExportResult:
    result = None
    for step in export_package(v, out, case=CASE, recipient="bench"):
        if isinstance(step, ExportResult):
            result = step
    assert result is not None
    return result


def run(args: argparse.Namespace) -> list[Figure]:
    scale = QUICK if args.quick else FULL
    work = make_workdir(args.workdir)
    profile = work / "profiles" if args.profile else None
    if profile:
        profile.mkdir()
    say(f"Evidence Vault package benchmark ({'quick' if args.quick else 'full'}, seed "
        f"{args.seed}) on {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"workdir {work}")
    say("Every timed run starts after os.sync() and one full read of its input (warm cache).")
    try:
        start = time.perf_counter()
        files, size = make_corpus(work / "corpus", scale, CorpusMaker(args.seed, False))
        say(f"Generated {files:,} files / {size / MB:,.1f} MB in "
            f"{time.perf_counter() - start:.1f} s")
        say("\n[1] bagit: make_bag (processes=2) on a copy, then full Bag.validate(processes=2)")
        made, bag_dir = bench_bagit(work / "corpus", work, profile)
        say(f"    make_bag {made:.2f} s: {size / MB / made:,.1f} MB/s (the bag is validated "
            "below, in turn with the vault's verify)")
        say("\n[2] Evidence Vault: import (untimed); then, in turn, a plain zip and the export of "
            "the case (each round); verify the last package")
        v = import_case(work / "corpus", work)
        out = work / "package.zip"
        plains, exports = [], []
        try:
            for round_ in range(args.repeat):
                # in turn, minutes apart at most, so both meet the same page cache and disk
                if round_:
                    out.unlink()
                plains.append(time_plain_zip(work / "corpus", work))
                os.sync()
                seconds, result = timed("export", lambda: export_all(v, out), profile)
                exports.append(seconds)
                say(f"    round {round_ + 1}: plain stored zip + fsync (the I/O floor of an "
                    f"export) {plains[-1]:.2f} s: {size / MB / plains[-1]:,.1f} MB/s; export "
                    f"{seconds:.2f} s: {size / MB / seconds:,.1f} MB/s")
        finally:
            v.close()
        plain, exported = statistics.median(plains), statistics.median(exports)
        package = out.stat().st_size
        say(f"    export {exported:.2f} s: {size / MB / exported:,.1f} MB/s of exhibits "
            f"({len(result.exhibits):,} exhibits, package {package / MB:,.1f} MB)")
        say("\n[3] In turn, each round: bagit's full validate of the bag, SHA-256 of every file "
            "on two threads (the floor of any full verify), the vault's verify of the package")
        validations, floors, verifies = [], [], []
        for round_ in range(args.repeat):
            validations.append(time_validate(bag_dir, profile))
            floors.append(time_hash_floor(work / "corpus"))
            warm(out)
            seconds, verification = timed("verify", lambda: verify_package(out), profile)
            verifies.append(seconds)
            if not verification.verified:
                raise SystemExit(f"the exported package did not verify: {verification.reason}")
            say(f"    round {round_ + 1}: bagit validate {validations[-1]:.2f} s: "
                f"{size / MB / validations[-1]:,.1f} MB/s; SHA-256 floor {floors[-1]:.2f} s: "
                f"{size / MB / floors[-1]:,.1f} MB/s; verify {seconds:.2f} s: "
                f"{size / MB / seconds:,.1f} MB/s -> {verification.headline()}")
        validated, floor, verified = (statistics.median(validations), statistics.median(floors),
                                      statistics.median(verifies))
    finally:
        finish_workdir(work, args.keep)
    verify_ratio, export_ratio = validated / verified, plain / exported
    return [
        Figure("bagit make_bag, processes=2", size / MB / made, "MB/s"),
        Figure("bagit validate (full), processes=2", size / MB / validated, "MB/s"),
        Figure("plain stored zip + fsync (export floor)", size / MB / plain, "MB/s"),
        Figure("vault export_package (case)", size / MB / exported, "MB/s"),
        Figure("export / bagit make_bag (context)", made / exported, "x"),
        Figure("export / plain zip", export_ratio, "x", f">= {TARGET_EXPORT}",
               export_ratio >= TARGET_EXPORT),
        Figure("vault verify_package", size / MB / verified, "MB/s"),
        Figure("verify / bagit validate", verify_ratio, "x", f">= {TARGET_VERIFY}",
               verify_ratio >= TARGET_VERIFY),
        Figure("SHA-256 on both cores (verify floor)", size / MB / floor, "MB/s"),
        Figure("bagit validate / SHA-256 floor (context)", floor / validated, "x"),
        Figure("verify / SHA-256 floor", floor / verified, "x"),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="about 10%% of the corpus: a smoke run")
    work_options(p)
    p.add_argument("--repeat", type=int, default=3, metavar="N",
                   help="rounds of plain zip and export, in turn (medians reported; 3)")
    p.add_argument("--profile", action="store_true",
                   help="run each timed step under cProfile and print where the time goes "
                        "(slows the Python-heavy steps; figures are then not comparable)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    keep_freed_memory()  # as the program's own processes do at their start
    logging.getLogger("bagit").setLevel(logging.WARNING)
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
