"""Desktop app benchmarks: start-up, unlock to a 10,000-item list, memory, grid scrolling.

    .venv/bin/python bench/bench_gui.py [--workdir DIR] [--cache DIR] [--rebuild] [--keep]

Every measurement runs in a fresh interpreter (bench/gui_driver.py) on the offscreen Qt
platform, against a vault of 10,000 items (a few hundred real photos and PDFs copied from
../shared/corpus with unique bytes appended, the rest small generated files), created once
with TEST_KDF and cached outside the repository. Prints each figure, then a PASS/FAIL table.
See bench/README.md. Exits 0 whatever the figures; only a crash exits non-zero.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_import import (
    IDENTITY,
    MB,
    PASSPHRASE,
    REPO,
    Figure,
    Keystream,
    consume,
    finish_workdir,
    make_workdir,
    say,
    summarise,
    text_pool,
    work_options,
)

from vault.evidence import importer
from vault.evidence.items import list_items
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

DRIVER = Path(__file__).resolve().parent / "gui_driver.py"
CORPUS = REPO.parent / "shared" / "corpus"
CASE = "BENCH-GUI"
TARGET_START_S = 0.5  # issue 16
TARGET_LIST_S = 1.5
TARGET_STALL_MS = 50.0
START_RUNS, LIST_RUNS = 5, 3


# ============================================================================ the vault


def corpus_media() -> list[Path]:
    """The real photos and PDFs of the shared corpus (not its deliberately broken files)."""
    if not CORPUS.is_dir():
        raise SystemExit(f"the shared corpus is missing: {CORPUS}")
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and "bad" not in p.parts
                  and p.suffix.lower() in (".jpg", ".jpeg", ".heic", ".pdf"))


def unique_copy(data: bytes, suffix: str, n: int) -> bytes:
    """The same file, made distinct in a way its readers ignore."""
    tag = f"evidence-vault bench copy {n}".encode()
    if suffix == ".pdf":
        return data + b"\n%" + tag + b"\n"  # a comment after %%EOF
    if suffix == ".heic":
        return data + struct.pack(">I", 8 + len(tag)) + b"free" + tag  # an ISOBMFF free box
    return data + tag  # JPEG: bytes after the end-of-image marker


def write_source(root: Path, items: int, media: int, seed: int) -> tuple[int, int]:
    """``items`` files in folders of 100, named in import order; every (items // media)-th
    one a copy of a corpus photo or PDF, so thumbnails are spread through the grid."""
    originals = [(p.suffix.lower(), p.read_bytes()) for p in corpus_media()]
    rng = random.Random(seed)
    ks = Keystream(seed, "gui")
    pool = text_pool(random.Random(seed + 1), 1 << 20)
    every = max(1, items // media) if media else 0
    total = made = 0
    for i in range(items):
        folder = root / f"box-{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if every and i % every == 0 and made < media:
            suffix, data = originals[made % len(originals)]
            name, body = f"item-{i:05d}{suffix}", unique_copy(data, suffix, made)
            made += 1
        else:
            size = rng.randint(1000, 8000)
            if rng.random() < 0.6:
                start = rng.randrange(len(pool) - size)
                name, body = f"item-{i:05d}.txt", f"Note {i}\n".encode() + pool[start:start + size]
            else:
                name, body = f"item-{i:05d}.bin", ks.take(size)
        (folder / name).write_bytes(body)
        total += len(body)
    return made, total


def cached_vault(cache: Path, items: int, media: int, seed: int, rebuild: bool
                 ) -> tuple[Path, int]:
    """The benchmark vault, made once (a minute or two) and reused while its marker exists,
    and how many items it lists: the files written, plus what was inside them (the corpus's
    PDF with an attachment: its first copy's attachment is an item, the others received
    again)."""
    name = f"gui-{items}-{media}-{seed}"
    folder, marker, source = cache / f"{name}.evault", cache / f"{name}.complete", cache / "source"
    if folder.is_dir() and marker.is_file() and not rebuild:
        say(f"Reusing the vault {folder} ({marker.read_text().strip()})")
        return folder, int(marker.read_text().split()[0])
    for stale in (folder, source):
        shutil.rmtree(stale, ignore_errors=True)
    marker.unlink(missing_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    made, size = write_source(source, items, media, seed)
    say(f"Generated {items:,} files ({made} photos/PDFs from {CORPUS}) / {size / MB:,.1f} MB "
        f"in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    v = Vault.create(folder, PASSPHRASE, IDENTITY, kdf=TEST_KDF)[0]
    try:
        statuses, failures = consume(importer.import_paths(
            v, [source], case=CASE, received_from="bench_gui.py: generated files"))
        listed = len(list_items(v))
    finally:
        v.close()
    for f in failures[:5]:
        say(f"  FAILED {f}")
    say(f"Imported them into {folder} in {time.perf_counter() - start:.1f} s: {dict(statuses)}")
    shutil.rmtree(source)
    if statuses.get(importer.IMPORTED, 0) < items or failures:
        raise SystemExit(f"expected {items} items imported, got {dict(statuses)}")
    marker.write_text(f"{listed} items listed ({items} files), {made} photos/PDFs, seed "
                      f"{seed}, TEST_KDF\n")
    return folder, listed


# ============================================================================ children


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "EVIDENCE_VAULT_PASSPHRASE": PASSPHRASE,
                "BENCH_GUI_WORK": str(work), "XDG_CONFIG_HOME": str(work / "config")})
    return env


def run_driver(work: Path, *args: str, timeout: float = 900) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(DRIVER), *args], cwd=REPO, env=child_env(work),
                          capture_output=True, text=True, timeout=timeout)
    noise = [line for line in done.stderr.splitlines()
             if line.strip() and not line.startswith("This plugin does not support")]
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"gui_driver.py {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")
    for line in noise[:5]:
        say(f"    (child stderr) {line}")
    doc: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return doc


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_start(work: Path, vault: Path) -> list[Figure]:
    def python_pass() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        return time.perf_counter() - start

    bare = median([python_pass() for _ in range(START_RUNS)])
    run_driver(work, "start", str(vault), str(time.time()))  # warm-up: disk cache, .pyc
    runs = []
    for _ in range(START_RUNS):
        doc = run_driver(work, "start", str(vault), str(time.time()))
        if "painted" not in doc or doc.get("screen") != "UnlockDialog":
            raise SystemExit(f"the unlock dialog was not shown and painted: {doc}")
        runs.append(doc)
    whole = median([d["painted"] - d["spawned"] for d in runs])
    interp = median([d["entered"] - d["spawned"] for d in runs])
    imports = median([d["imported"] - d["entered"] for d in runs])
    to_show = median([d["shown"] - d["imported"] for d in runs])
    to_paint = median([d["painted"] - d["shown"] for d in runs])
    each = ", ".join(f"{d['painted'] - d['spawned']:.3f}" for d in runs)
    say(f"  spawn to the unlock dialog's first paint: median of {START_RUNS} {whole:.3f} s "
        f"(runs: {each})")
    say(f"    interpreter start-up {interp:.3f} s (`python -c pass` alone: {bare:.3f} s); "
        f"importing ui.app and PySide6 {imports:.3f} s; QApplication, single-instance check, "
        f"App, UnlockDialog shown {to_show:.3f} s; first paint {to_paint:.3f} s "
        f"(painted: {runs[0].get('painted_widget')})")
    return [Figure("start: spawn to unlock dialog painted", whole, "s", f"< {TARGET_START_S}",
                   whole < TARGET_START_S)]


def bench_list(work: Path, vault: Path, items: int) -> list[Figure]:
    runs = [run_driver(work, "list", str(vault)) for _ in range(LIST_RUNS)]
    for d in runs:
        if not d["shown"] or d["rows"] != items:
            raise SystemExit(f"the list was not shown with {items} rows: {d}")
    total = median([d["total"] for d in runs])
    each = ", ".join(f"{d['total']:.3f}" for d in runs)
    say(f"  Vault.open + App.opened (MainWindow, {items:,} rows) + table painted: median of "
        f"{LIST_RUNS} {total:.3f} s (runs: {each})")
    say(f"    Vault.open (TEST_KDF: no Argon2id cost) {median([d['open'] for d in runs]):.3f} s;"
        f" App.opened {median([d['opened'] for d in runs]):.3f} s; until the table's first "
        f"paint {median([d['painted'] for d in runs]):.3f} s")
    say(f"    measured again afterwards: list_items {median([d['list_items'] for d in runs]):.3f}"
        f" s; ItemModel.set_items (model reset, sort, views) "
        f"{median([d['set_items'] for d in runs]):.3f} s")
    say(f"    MainWindow.refresh(), worst of 5 in each process, median of {LIST_RUNS}: the call "
        f"{1000 * median([d['refresh_call'] for d in runs]):.1f} ms, the new list shown after "
        f"{1000 * median([d['refresh_done'] for d in runs]):.1f} ms, the longest stall of the "
        f"GUI thread meanwhile {1000 * median([d['refresh_stall'] for d in runs]):.1f} ms")
    rss = median([d["rss_kib"] * 1024 / MB for d in runs])
    hwm = median([d["hwm_kib"] * 1024 / MB for d in runs])
    before = median([d["rss_before_kib"] * 1024 / MB for d in runs])
    say(f"  memory with the list shown: VmRSS {rss:,.1f} MB, VmHWM {hwm:,.1f} MB (before "
        f"unlocking, Qt and the app imported: VmRSS {before:,.1f} MB)")
    refresh = 1000 * median([d["refresh_stall"] for d in runs])
    typed = 1000 * median([d["filter_key"] for d in runs])
    say(f"    a key typed in the filter (\"photo\" typed and taken away again): the longest "
        f"{typed:.1f} ms, median of {LIST_RUNS}")
    return [
        Figure(f"list: unlock to {items:,} items shown", total, "s", f"< {TARGET_LIST_S}",
               total < TARGET_LIST_S),
        Figure(f"list: refresh with {items:,} items, longest GUI-thread stall", refresh, "ms",
               f"< {TARGET_STALL_MS:.0f}", refresh < TARGET_STALL_MS),
        Figure(f"list: a key typed in the filter, {items:,} items", typed, "ms",
               f"< {TARGET_STALL_MS:.0f}", typed < TARGET_STALL_MS),
        Figure("memory: VmRSS, list shown", rss, "MB"),
        Figure("memory: VmHWM, list shown", hwm, "MB"),
    ]


def bench_scroll(work: Path, vault: Path, seconds: float, runs: int) -> list[Figure]:
    if importlib.util.find_spec("vault.documents.thumbnails") is None:
        say("  skipped: vault.documents.thumbnails does not exist (the grid has nothing to load)")
        return [Figure("grid: longest stall scrolling (not run)", float("nan"), "ms",
                       f"< {TARGET_STALL_MS:.0f}", False)]
    figures = []
    for cold in (True, False):
        name = "cold" if cold else "warm"
        say(f"  {name}: " + ("the stored thumbnails forgotten first: drawn from the originals "
                             "while scrolling" if cold else
                             "the thumbnails stored by the cold runs read back from the vault"))
        docs = []
        for n in range(runs):
            d = run_driver(work, "scroll", str(vault), str(seconds), name)
            docs.append(d)
            say(f"    run {n + 1}: 5 ms ticks while scrolling: median gap "
                f"{d['median_gap_ms']:.1f} ms, p99 {d['p99_gap_ms']:.1f} ms, max "
                f"{d['max_gap_ms']:.1f} ms ({d['gaps_over_50']} of {d['ticks']} over 50 ms); "
                f"{d['steps']} steps of {d['step_px']} px in {d['scroll_s']:.1f} s, grid painted "
                f"{d['frames']} times")
            say(f"           switching to the grid: {d['toggle_ms']:.1f} ms in the slot, "
                f"longest gap around it {d['toggle_gap_ms']:.1f} ms; thumbnails: "
                f"{d['thumbs_at_end']} shown when the scrolling stopped, all {d['thumbs']} "
                f"{d['thumbs_s']:.1f} s after the switch (finished: {d['thumbs_finished']}); "
                f"VmRSS then {d['rss_kib'] * 1024 / MB:,.0f} MB, VmHWM "
                f"{d['hwm_kib'] * 1024 / MB:,.0f} MB")
        stall = median([d["max_gap_ms"] for d in docs])
        worst = max(d["max_gap_ms"] for d in docs)
        say(f"    longest stall: median of {runs} runs {stall:.1f} ms, worst {worst:.1f} ms")
        figures += [
            Figure(f"grid ({name}): longest stall scrolling, median", stall, "ms",
                   f"< {TARGET_STALL_MS:.0f}", stall < TARGET_STALL_MS),
            Figure(f"grid ({name}): longest stall scrolling, worst run", worst, "ms"),
            Figure(f"grid ({name}): longest stall switching to the grid",
                   median([d["toggle_gap_ms"] for d in docs]), "ms"),
        ]
        if cold:
            figures.append(Figure("memory: VmHWM, grid after the cold run",
                                  median([d["hwm_kib"] * 1024 / MB for d in docs]), "MB"))
    return figures


# ============================================================================ driver


def run(args: argparse.Namespace) -> list[Figure]:
    work = make_workdir(args.workdir)
    cache = (args.cache or work.parent / "evidence-vault-bench-gui-cache").resolve()
    if cache == REPO or REPO in cache.parents:
        raise SystemExit(f"--cache must be outside the repository ({REPO})")
    say(f"Evidence Vault GUI benchmark on {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, offscreen Qt; workdir {work}, cache {cache}")
    try:
        vault, listed = cached_vault(cache, args.items, args.media, args.seed, args.rebuild)
        say(f"\n[1] Start-up: `ui.app.main(VAULT)` in a fresh interpreter until the unlock "
            f"dialog first paints (1 warm-up run, then {START_RUNS})")
        figures = bench_start(work, vault)
        say(f"\n[2] Unlock to the list, and memory ({LIST_RUNS} fresh processes)")
        figures += bench_list(work, vault, listed)
        say(f"\n[3] Thumbnail grid: scrolled for {args.scroll_seconds:g} s while a 5 ms timer "
            f"ticks ({args.scroll_runs} fresh processes each, cold then warm)")
        figures += bench_scroll(work, vault, args.scroll_seconds, args.scroll_runs)
    finally:
        finish_workdir(work, args.keep)
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    work_options(p)
    p.add_argument("--cache", type=Path, help="where the benchmark vault is kept between runs "
                   "(default WORKDIR-PARENT/evidence-vault-bench-gui-cache)")
    p.add_argument("--rebuild", action="store_true", help="make the cached vault again")
    p.add_argument("--items", type=int, default=10_000, help="items in the vault")
    p.add_argument("--media", type=int, default=300,
                   help="of which copies of the corpus photos and PDFs")
    p.add_argument("--scroll-seconds", type=float, default=10.0)
    p.add_argument("--scroll-runs", type=int, default=3, help="runs of each grid measurement")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
