"""Import benchmarks: Evidence Vault against bagit-python, measured in the same run.

    .venv/bin/python bench/bench_import.py [--quick] [--workdir DIR] [--keep]

Generates a seeded corpus outside the repository, times ``bagit.make_bag`` and the vault's
import on it, small-file import rate, peak memory importing one huge file, and unlock time,
then prints a summary table with targets. See bench/README.md. Exits 0 whatever the figures
(benchmarks report, they do not gate); only a crash exits non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib
import inspect
import io
import json
import logging
import mmap
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import bagit
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image, ImageChops

from vault.evidence import importer
from vault.memory import keep_freed_memory
from vault.store.header import read_header
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF, KdfParams, derive
from vault.store.objects import WRITE_PIECE
from vault.store.vault import Vault

REPO = Path(__file__).resolve().parent.parent
KB, MB = 1000, 1000 * 1000  # sizes and rates are decimal: MB = 10^6 bytes
MIB = 1 << 20
PASSPHRASE = "correct horse battery staple orbit"  # the same as tests/conftest.py
IDENTITY = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
PASS_ENV = "EVIDENCE_VAULT_PASSPHRASE"

TARGET_RATIO = 0.8  # import MB/s over the durable copy's MB/s, measured in the same run
# (issue 16; bagit's make_bag, which writes nothing, is reported as context)
TARGET_FILES_PER_S = 300.0
TARGET_PEAK_RSS_MB = 200.0
TARGET_UNLOCK_S = 1.5

T = TypeVar("T")


def say(text: str = "") -> None:
    print(text, flush=True)


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ============================================================================ corpus


@dataclass(frozen=True)
class Scale:
    docs: int  # 1-200 KB: text, binary and a few PDFs
    photos: int  # 1-5 MB JPEGs
    large: int  # 10-20 MB videos
    small: int  # 2-50 KB, the files-per-second corpus
    big_bytes: int  # the one huge file of the memory benchmark


FULL = Scale(docs=1450, photos=540, large=10, small=2000, big_bytes=4 << 30)
QUICK = Scale(docs=145, photos=54, large=1, small=200, big_bytes=512 * MIB)

JFIF = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


class Keystream:
    """Deterministic incompressible bytes: AES-256-CTR under a key derived from the seed."""

    def __init__(self, seed: int, label: str) -> None:
        key = hashlib.sha256(f"evidence-vault bench|{seed}|{label}".encode()).digest()
        self._enc = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()

    def take(self, n: int) -> bytes:
        return self._enc.update(bytes(n))


def text_pool(rng: random.Random, size: int) -> bytes:
    """Lines of pseudo-words: the text documents are slices of this."""
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(800)]
    words = rng.choices(vocab, k=size // 6)
    lines = (" ".join(words[i:i + 12]) for i in range(0, len(words), 12))
    return "\n".join(lines).encode("ascii")[:size]


def minimal_pdf(title: str, text: bytes) -> bytes:
    """A valid one-page PDF showing ``text`` (lowercase words only: no escaping needed)."""
    lines = b"".join(b"(" + line + b") '\n" for line in text.split(b"\n"))
    content = b"BT /F1 9 Tf 40 800 Td 11 TL\n" + lines + b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + title.encode("ascii") + b") /Producer (evidence-vault bench) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def base_photos(ks: Keystream) -> list[bytes]:
    """Six real JPEGs (2.5 to 12 megapixels, 0.9 to 4.3 MB) with EXIF: decoding them costs
    what decoding camera photos costs, unlike random bytes."""
    bases = []
    for k, (w, h) in enumerate([(1800, 1350), (2400, 1800), (2800, 2100), (3200, 2400),
                                (3600, 2700), (4000, 3000)]):
        coarse = Image.frombytes("RGB", (w // 16, h // 16), ks.take((w // 16) * (h // 16) * 3))
        grain = Image.frombytes("L", (w, h), ks.take(w * h)).point(lambda v: v // 8)
        im = ImageChops.add(coarse.resize((w, h), Image.Resampling.BICUBIC),
                            Image.merge("RGB", (grain, grain, grain)))
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "BenchCam", f"Model {k}"
        exif[0x0132] = "2026:05:03 09:30:00"
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85, exif=exif)
        bases.append(buf.getvalue())
    return sorted(bases, key=len)


class CorpusMaker:
    """Writes the seeded corpus; the same seed and options give the same bytes."""

    def __init__(self, seed: int, random_photos: bool) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.ks = Keystream(seed, "corpus")
        self.pool = text_pool(random.Random(seed + 1), 4 * MIB)
        self.bases = [] if random_photos else base_photos(Keystream(seed, "photos"))

    def text(self, i: int, size: int) -> bytes:
        head = f"Statement {i}\nReceived from witness {self.rng.randint(1, 999)}\n\n".encode()
        start = self.rng.randrange(len(self.pool) - size)
        return head + self.pool[start:start + size - len(head)]

    def document(self, i: int) -> tuple[str, bytes]:
        size, kind = self.rng.randint(1 * KB, 200 * KB), self.rng.random()
        if kind < 0.05:
            return f"report-{i:05d}.pdf", minimal_pdf(f"Report {i}", self.text(i, size))
        if kind < 0.55:
            return f"statement-{i:05d}.txt", self.text(i, size)
        return f"attachment-{i:05d}.bin", self.ks.take(size)

    def photo(self, i: int) -> tuple[str, bytes]:
        size = self.rng.randint(1 * MB, 5 * MB)
        if not self.bases:
            return f"IMG_{i:05d}.jpg", JFIF + self.ks.take(size - len(JFIF))
        base = max((b for b in self.bases if len(b) <= size), key=len, default=self.bases[0])
        note = f"bench photo {i} ".encode() + self.ks.take(16).hex().encode()
        comment = b"\xff\xfe" + struct.pack(">H", len(note) + 2) + note  # makes it unique
        body = base[:2] + comment + base[2:]
        return f"IMG_{i:05d}.jpg", body + self.ks.take(max(0, size - len(body)))  # trailer

    def video(self, i: int) -> tuple[str, bytes]:
        size = self.rng.randint(10 * MB, 20 * MB)
        return f"VID_{i:03d}.mp4", MP4 + self.ks.take(size - len(MP4))

    def small(self, i: int) -> tuple[str, bytes]:
        size = self.rng.randint(2 * KB, 50 * KB)
        if self.rng.random() < 0.5:
            return f"note-{i:05d}.txt", self.text(i, size)
        return f"blob-{i:05d}.bin", self.ks.take(size)


def write_files(root: Path, items: Iterable[tuple[str, str, bytes]]) -> tuple[int, int]:
    count = total = 0
    for folder, name, data in items:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_bytes(data)
        count, total = count + 1, total + len(data)
    return count, total


def make_corpus(root: Path, scale: Scale, maker: CorpusMaker) -> tuple[int, int]:
    """Documents in 20 boxes, photos from 8 cameras, a few videos."""
    def items() -> Iterator[tuple[str, str, bytes]]:
        for i in range(scale.docs):
            yield (f"documents/box-{i % 20:02d}", *maker.document(i))
        for i in range(scale.photos):
            yield (f"photos/camera-{i % 8}", *maker.photo(i))
        for i in range(scale.large):
            yield ("videos", *maker.video(i))
    return write_files(root, items())


def make_small_corpus(root: Path, scale: Scale, maker: CorpusMaker) -> tuple[int, int]:
    return write_files(root, ((f"batch-{i % 10}", *maker.small(i)) for i in range(scale.small)))


def make_big_file(path: Path, size: int, seed: int) -> None:
    """One 64 MiB random block written again and again, with a block counter stamped into
    every 4 KiB page, so no page or chunk of the file repeats."""
    block = bytearray(Keystream(seed, "big").take(64 * MIB))
    with open(path, "wb") as f:
        for n in range(-(-size // len(block))):
            for off in range(0, len(block), 4096):
                struct.pack_into(">Q", block, off, n)
            f.write(memoryview(block)[: min(len(block), size - n * len(block))])
        f.flush()
        os.fsync(f.fileno())


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def warm(root: Path) -> int:
    """Read every file once (into an aligned buffer) so timed runs start page-cache warm;
    written-back first so no writeback of earlier work competes with the timed run."""
    os.sync()
    buf = mmap.mmap(-1, MIB)
    total = 0
    for p in [root] if root.is_file() else files_under(root):
        with open(p, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                total += n
    buf.close()
    return total


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in files_under(root))


# ============================================================================ where time goes


class Breakdown:
    """Exclusive wall time per labelled function: a nested call's time is not counted again in
    its caller. Installed by patching the vault's own functions for one run (no product change;
    a few microseconds per call).

    Each thread keeps its own stack of open spans. Time spent in the thread that installed the
    wrappers (the one driving the import) adds up to the import's wall time; time spent in any
    other thread (the metadata worker) overlaps it and is kept apart."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)  # the importing thread
        self.calls: Counter[str] = Counter()
        self.worker_seconds: defaultdict[str, float] = defaultdict(float)  # any other thread
        self.worker_calls: Counter[str] = Counter()
        self.worker_threads: set[str] = set()
        self.missing: list[tuple[str, str]] = []  # (label, why): stages not instrumented
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def span(self, label: str) -> Iterator[None]:
        stack: list[float] = self._local.__dict__.setdefault("stack", [])
        stack.append(0.0)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            inner = stack.pop()
            if stack:
                stack[-1] += elapsed
            with self._lock:
                if threading.get_ident() == self._owner:
                    self.seconds[label] += elapsed - inner
                    self.calls[label] += 1
                else:
                    self.worker_seconds[label] += elapsed - inner
                    self.worker_calls[label] += 1
                    self.worker_threads.add(threading.current_thread().name)

    def wrap(self, label: str, fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> T:
            with self.span(label):
                return fn(*args, **kwargs)
        return timed

    def wrap_transaction(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Time the end of ``Vault.transaction`` (the SQLCipher COMMIT), not its body."""
        @contextlib.contextmanager
        def transaction(v: Vault) -> Iterator[None]:
            cm = fn(v)
            cm.__enter__()
            try:
                yield
            except BaseException:
                if not cm.__exit__(*sys.exc_info()):
                    raise
            else:
                with self.span(COMMIT_LABEL):
                    cm.__exit__(None, None, None)
        return transaction


COMMIT_LABEL = "SQLCipher COMMIT (WAL, synchronous=FULL)"

# (module, attribute path inside it, label). Looked up when a run starts: whatever no longer
# exists (renamed, moved, removed) is reported as not instrumented instead of failing the run.
# "a|b" lists known names of the same stage, the first found is used.
MAIN_THREAD_STAGES: list[tuple[str, str, str]] = [
    ("vault.evidence.importer", "collect", "walk folders + stat"),
    ("vault.evidence.importer", "_store_one", "hash (SHA-256), sniff, stat, provenance"),
    ("vault.evidence.importer", "_fill", "read source (readinto)"),
    ("vault.store.objects", "ObjectStore.writer", "object create (open, new key)"),
    ("vault.store.objects", "ObjectWriter.write_chunk", "encrypt (AES-256-GCM) + write"),
    ("vault.store.objects", "ObjectWriter.commit", "object fsync + close + rename (per batch)"),
    ("vault.store.objects", "ObjectStore.sync", "objects folder fsync"),
    ("vault.evidence.importer", "record_batch|_commit", "batch SQL inserts, JSON"),
    ("vault.store.vault", "Vault.record", "custody events (RFC 8785, Ed25519, insert)"),
    ("vault.store.vault", "Vault.advance_head", "head.json (sign, atomic write, 2 fsyncs)"),
    ("vault.evidence.importer", "_MetadataReader.submit",
     "metadata: queue items (SELECT, object key)"),
    ("vault.evidence.importer", "_MetadataReader.record",
     "metadata: wait for the worker, UPDATE items"),
    ("vault.evidence.importer", "_MetadataReader.finish",
     "metadata: wait for the readings under way"),
    ("vault.evidence.children", "extract_children",
     "items inside items (PDF attachments, e-mails)"),
]
WORKER_STAGES: list[tuple[str, str, str]] = [
    ("vault.evidence.details", "read_details",
     "metadata: decrypt, then a parser worker process"),
    ("vault.store.objects", "ObjectReader.chunk", "read back + decrypt (AES-256-GCM)"),
]
TRANSACTION = ("vault.store.vault", "Vault.transaction", COMMIT_LABEL)


def resolve(module: str, attr_paths: str) -> tuple[Any, str, Any] | str:
    """(owner, name, raw attribute) for the first of ``attr_paths`` ("a|b") found in
    ``module``, or why none can be patched."""
    why = []
    for attr_path in attr_paths.split("|"):
        found = resolve_one(module, attr_path)
        if not isinstance(found, str):
            return found
        why.append(found)
    return "; ".join(why)


def resolve_one(module: str, attr_path: str) -> tuple[Any, str, Any] | str:
    try:
        owner: Any = importlib.import_module(module)
    except ImportError:
        return f"no module {module}"
    *parents, name = attr_path.split(".")
    for part in parents:
        owner = getattr(owner, part, None)
        if owner is None:
            return f"{module}.{attr_path} not found"
    raw = inspect.getattr_static(owner, name, None) if inspect.isclass(owner) else \
        getattr(owner, name, None)
    if raw is None:
        return f"{module}.{attr_path} not found"
    if isinstance(raw, (classmethod, property)) or not callable(getattr(owner, name)):
        return f"{module}.{attr_path} is not a plain function"
    return owner, name, raw


@contextlib.contextmanager
def instrumented(bd: Breakdown) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for module, attr_path, label in MAIN_THREAD_STAGES + WORKER_STAGES + [TRANSACTION]:
            found = resolve(module, attr_path)
            if isinstance(found, str):
                bd.missing.append((label, found))
                continue
            owner, name, raw = found
            if (module, attr_path) == TRANSACTION[:2]:
                new: Any = bd.wrap_transaction(raw)
            elif isinstance(raw, staticmethod):
                new = staticmethod(bd.wrap(label, raw.__func__))
            else:
                new = bd.wrap(label, raw)
            stack.enter_context(mock.patch.object(owner, name, new))
        yield


def show_breakdown(bd: Breakdown, total: float) -> None:
    def row(secs: float, label: str, calls: int | None) -> None:
        count = f"{calls:>7,} calls" if calls is not None else ""
        say(f"      {secs:7.2f} s {100 * secs / total:5.1f}%  {label:<50} {count}")

    say(f"    where the time goes (importing thread, exclusive wall time, of {total:.2f} s):")
    for label, secs in sorted(bd.seconds.items(), key=lambda kv: -kv[1]):
        row(secs, label, bd.calls[label])
    row(total - sum(bd.seconds.values()), "other (generator loop)", None)
    busy = sum(bd.worker_seconds.values())
    threads = ", ".join(sorted(bd.worker_threads)) or "none ran"
    say(f"    in the worker thread (overlapping: not part of the sum above; % of the same "
        f"{total:.2f} s; busy {busy:.2f} s; threads: {threads}):")
    for label, secs in sorted(bd.worker_seconds.items(), key=lambda kv: -kv[1]):
        row(secs, label, bd.worker_calls[label])
    if not bd.worker_seconds:
        say("      (nothing timed)")
    if bd.missing:
        say("    not instrumented (the vault's code changed; that time is counted in the caller "
            "or in 'other'):")
    for label, why in bd.missing:
        say(f"      {label}: {why}")


# ============================================================================ measurements


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: reported, no target

    def cells(self) -> tuple[str, str, str, str]:
        value = f"{self.value:,.2f} {self.unit}" if self.value < 100 else \
            f"{self.value:,.0f} {self.unit}"
        verdict = "-" if self.ok is None else "PASS" if self.ok else "FAIL"
        return self.name, value, self.target or "-", verdict


@dataclass
class ImportRun:
    seconds: float
    files: int
    size: int
    statuses: Counter[str]
    breakdown: Breakdown
    close_seconds: float
    vault_bytes: int
    failures: list[str] = field(default_factory=list)
    details_seconds: float = 0.0  # the details left queued, read after the acknowledgement

    @property
    def mb_per_s(self) -> float:
        return self.size / MB / self.seconds


def new_vault(path: Path, kdf: KdfParams | None) -> Vault:
    return Vault.create(path, PASSPHRASE, IDENTITY, kdf=kdf)[0]


def consume(progress: Iterable[importer.Progress]) -> tuple[Counter[str], list[str]]:
    statuses: Counter[str] = Counter()
    failures = []
    for prog in progress:
        for r in prog.acknowledged:
            statuses[r.status] += 1
            if r.error:
                failures.append(f"{r.source}: {r.error}")
    return statuses, failures


def timed_import(v: Vault, source: Path) -> ImportRun:
    """Import ``source`` (page-cache warm) into the open vault ``v`` as the app does (every
    file acknowledged once stored, hashed and recorded; the details not read by then left
    queued), then read those queued details as the app's background job does, then close."""
    from vault.evidence.details import run_detail_jobs

    warm(source)
    bd = Breakdown()
    with instrumented(bd):
        start = time.perf_counter()
        statuses, failures = consume(importer.import_paths(v, [source], details="queue"))
        seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _d in run_detail_jobs(v):
        pass
    details = time.perf_counter() - start
    start = time.perf_counter()
    v.close()
    close = time.perf_counter() - start
    files = files_under(source)
    return ImportRun(seconds, len(files), sum(p.stat().st_size for p in files), statuses, bd,
                     close, tree_bytes(v.folder), failures, details)


def report_import(run: ImportRun) -> None:
    say(f"    {run.files:,} files, {run.size / MB:,.1f} MB in {run.seconds:.2f} s: "
        f"{run.mb_per_s:,.1f} MB/s, {run.files / run.seconds:,.0f} files/s "
        f"(close + WAL checkpoint {run.close_seconds:.2f} s, not included; the details left "
        f"queued then read in {run.details_seconds:.2f} s, in the background)")
    say(f"    results: {dict(run.statuses)}; vault on disk {run.vault_bytes / MB:,.1f} MB "
        f"({run.vault_bytes / run.size:.3f}x the sources)")
    for failure in run.failures[:5]:
        say(f"    FAILED {failure}")
    show_breakdown(run.breakdown, run.seconds)


def time_bagit(corpus: Path, work: Path, processes: int) -> float:
    """Copy the corpus (untimed), warm the copy, then time make_bag on it."""
    bag = work / f"bag-p{processes}"
    shutil.copytree(corpus, bag)
    warm(bag)
    start = time.perf_counter()
    bagit.make_bag(str(bag), checksums=["sha256"], processes=processes)
    seconds = time.perf_counter() - start
    shutil.rmtree(bag)
    return seconds


def time_durable_copy(corpus: Path, work: Path) -> float:
    """The I/O floor of any durable import: copy every file (256 KiB reads and writes, the
    fastest size measured on this machine: 1 MiB writes were several times slower to copy
    into the page cache), fsync each copy. No hashing, no encryption, no database."""
    sources = files_under(corpus)
    dest = work / "durable-copy"
    warm(corpus)
    buf = mmap.mmap(-1, WRITE_PIECE)
    start = time.perf_counter()
    for src in sources:
        out = dest / src.relative_to(corpus)
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(src, "rb", buffering=0) as f, open(out, "xb", buffering=0) as g:
            while n := f.readinto(buf):
                g.write(memoryview(buf)[:n])
            os.fsync(g.fileno())
    seconds = time.perf_counter() - start
    buf.close()
    shutil.rmtree(dest)
    return seconds


def time_age(corpus: Path, work: Path) -> float | None:
    """A peer for "encrypted at rest": the age command line encrypting each file of the
    corpus to a fresh X25519 recipient, one process per file (as a script would); it does
    not fsync. None when age is not installed (the setup installs it)."""
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        return None
    key = work / "age-key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = next(line.split(": ", 1)[1] for line in key.read_text().splitlines()
                     if line.startswith("# public key: "))
    dest = work / "age-copy"
    warm(corpus)
    sources = files_under(corpus)
    start = time.perf_counter()
    for src in sources:
        out = dest / (str(src.relative_to(corpus)) + ".age")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["age", "-r", recipient, "-o", str(out), str(src)], check=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(dest)
    key.unlink()
    return seconds


def bench_bulk(corpus: Path, work: Path, repeat: int) -> list[Figure]:
    size = tree_bytes(corpus)
    secs: dict[str, list[float]] = defaultdict(list)
    runs: list[ImportRun] = []
    for round_no in range(1, repeat + 1):
        say(f"  round {round_no}/{repeat}")
        for processes in (2, 1):
            secs[f"bagit-p{processes}"].append(time_bagit(corpus, work, processes))
            say(f"    bagit make_bag sha256 processes={processes}: "
                f"{secs[f'bagit-p{processes}'][-1]:.2f} s, "
                f"{size / MB / secs[f'bagit-p{processes}'][-1]:,.1f} MB/s")
        secs["copy"].append(time_durable_copy(corpus, work))
        say(f"    durable copy (write + fsync per file): {secs['copy'][-1]:.2f} s, "
            f"{size / MB / secs['copy'][-1]:,.1f} MB/s")
        aged = time_age(corpus, work)
        if aged is not None:
            secs["age"].append(aged)
            say(f"    age, file by file (encrypted at rest, no fsync): {aged:.2f} s, "
                f"{size / MB / aged:,.1f} MB/s")
        path = work / "vault-bulk.evault"
        runs.append(timed_import(new_vault(path, TEST_KDF), corpus))
        report_import(runs[-1])
        shutil.rmtree(path)
    rate = {k: size / MB / statistics.median(v) for k, v in secs.items()}
    imp = statistics.median(r.mb_per_s for r in runs)
    best = max(rate["bagit-p1"], rate["bagit-p2"])
    details = statistics.median(r.details_seconds for r in runs)
    figures = [
        Figure("bulk: durable copy (write + fsync per file)", rate["copy"], "MB/s"),
        Figure("bulk: vault import (to the last acknowledgement)", imp, "MB/s"),
        Figure("bulk: import / durable copy", imp / rate["copy"], "x",
               f">= {TARGET_RATIO}", imp / rate["copy"] >= TARGET_RATIO),
        Figure("bulk: then the details left queued, read", details, "s"),
        Figure("bulk: bagit make_bag, processes=2 (context)", rate["bagit-p2"], "MB/s"),
        Figure("bulk: bagit make_bag, processes=1 (context)", rate["bagit-p1"], "MB/s"),
        Figure("bulk: import / bagit (faster of the two; context)", imp / best, "x"),
    ]
    if "age" in rate:
        figures += [Figure("bulk: age, file by file (context)", rate["age"], "MB/s"),
                    Figure("bulk: import / age", imp / rate["age"], "x")]
    return figures


def bench_small(small: Path, vault_path: Path) -> list[Figure]:
    """Small files into a vault created with the real KDF (kept for the unlock benchmark)."""
    run = timed_import(new_vault(vault_path, None), small)
    report_import(run)
    rate = run.files / run.seconds
    return [Figure("small files (2-50 KB): import rate", rate, "files/s",
                   f">= {TARGET_FILES_PER_S:.0f}", rate >= TARGET_FILES_PER_S)]


def kdf_seconds(folder: Path) -> tuple[float, KdfParams]:
    kdf = read_header(folder).slot("passphrase")["kdf"]
    params = KdfParams(m_kib=int(kdf["m_kib"]), t=int(kdf["t"]), p=int(kdf["p"]))
    return median_time(lambda: derive(b"bench", bytes(16), params), 3), params


def time_open(folder: Path, runs: int = 5) -> float:
    """Median of ``runs`` Vault.open calls (the close after each is not timed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        v = Vault.open(folder, passphrase=PASSPHRASE)
        times.append(time.perf_counter() - start)
        v.close()
    return statistics.median(times)


def cli_seconds(*args: str, runs: int = 5) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env[PASS_ENV] = PASSPHRASE

    def run() -> None:
        subprocess.run([sys.executable, "-m", "vault", *args], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return median_time(run, runs)


def bench_unlock(work: Path, full: Path) -> list[Figure]:
    empty = work / "vault-empty.evault"
    start = time.perf_counter()
    new_vault(empty, None).close()
    say(f"  created an empty vault with the calibrated KDF in {time.perf_counter() - start:.2f} s "
        "(calibration + 2 key slots; not a target)")
    figures = []
    for label, folder in (("empty vault", empty), ("vault of the small files", full)):
        derive_s, params = kdf_seconds(folder)
        secs = time_open(folder)
        say(f"  Vault.open, {label}: median of 5 {secs:.3f} s; Argon2id alone "
            f"(m={params.m_kib // 1024} MiB, t={params.t}, p={params.p}) {derive_s:.3f} s")
        figures.append(Figure(f"unlock: Vault.open, {label}", secs, "s",
                              f"< {TARGET_UNLOCK_S}", secs < TARGET_UNLOCK_S))
    startup = cli_seconds("--version")
    listing = cli_seconds("list", str(full))
    say(f"  python -m vault --version (start-up, no unlock): median of 5 {startup:.3f} s")
    say(f"  python -m vault list (vault of the small files): median of 5 {listing:.3f} s")
    shutil.rmtree(empty)
    return [*figures, Figure("unlock: whole process `python -m vault list`", listing, "s")]


# ------------------------------------------------------------------- huge file, in a child


def proc_status_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def child_import(vault_path: Path, source: Path) -> None:
    """Runs in the measured subprocess: import one file, print figures as JSON."""
    v = new_vault(vault_path, TEST_KDF)
    rss_before = proc_status_kib("VmRSS")
    start = time.perf_counter()
    statuses, failures = consume(importer.import_paths(v, [source]))
    seconds = time.perf_counter() - start
    v.close()
    print(json.dumps({"seconds": seconds, "rss_before_kib": rss_before,
                      "hwm_kib": proc_status_kib("VmHWM"), "statuses": statuses,
                      "failures": failures}))


def run_child(vault_path: Path, source: Path) -> dict[str, Any]:
    """Import in a fresh interpreter; its peak RSS is its own VmHWM. (``ru_maxrss`` of a child
    is useless here: Linux carries the parent's high-water mark across fork and exec, so it
    reported the benchmark's own ~400 MB instead of the child's ~70 MB.)"""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-import", str(source),
           "--child-vault", str(vault_path)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    doc: dict[str, Any] = json.loads(out.splitlines()[-1])
    return doc


def bench_big(work: Path, size: int, seed: int) -> list[Figure]:
    source = work / "big" / "disk-image.bin"
    source.parent.mkdir()
    start = time.perf_counter()
    make_big_file(source, size, seed)
    say(f"  wrote {size / MB:,.0f} MB in {time.perf_counter() - start:.1f} s; reading it "
        "once so the import starts page-cache warm")
    warm(source)
    vault_path = work / "vault-big.evault"
    doc = run_child(vault_path, source)
    peak = doc["hwm_kib"] * 1024 / MB
    rate = size / MB / doc["seconds"]
    say(f"  import in a subprocess: {doc['seconds']:.2f} s, {rate:,.1f} MB/s, "
        f"results {doc['statuses']}")
    say(f"  peak RSS (VmHWM) {peak:,.1f} MB; RSS after creating the vault, before the import "
        f"{doc['rss_before_kib'] * 1024 / MB:,.1f} MB")
    shutil.rmtree(source.parent)
    shutil.rmtree(vault_path)
    label = f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size // MIB} MiB"
    return [
        Figure(f"one {label} file: peak RSS of the importing process", peak, "MB",
               f"< {TARGET_PEAK_RSS_MB:.0f}", peak < TARGET_PEAK_RSS_MB),
        Figure(f"one {label} file: import", rate, "MB/s"),
    ]


# ============================================================================ driver


def summarise(run: Callable[[], list[Figure]]) -> None:
    """Run a benchmark, then print how long it all took and the table of its figures."""
    total = time.perf_counter()
    figures = run()
    say(f"\nSummary ({time.perf_counter() - total:.0f} s in all; MB = 10^6 bytes)")
    print_table(figures)


def print_table(figures: list[Figure]) -> None:
    rows = [("figure", "value", "target", "result"), *(f.cells() for f in figures)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    rule = "  ".join("-" * w for w in widths)
    say(rule)
    for n, row in enumerate(rows):
        say("  ".join(cell.ljust(w) if i != 1 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            say(rule)
    say(rule)


def work_options(p: argparse.ArgumentParser) -> None:
    """--workdir, --keep and --seed: the options every benchmark has."""
    p.add_argument("--workdir", type=Path, help="parent folder for the work files "
                   "(default /var/tmp; must be outside the repository)")
    p.add_argument("--keep", action="store_true", help="keep the work files at the end")
    p.add_argument("--seed", type=int, default=20261123, help="corpus seed")


def finish_workdir(work: Path, keep: bool) -> None:
    if keep:
        say(f"\nKept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def make_workdir(requested: Path | None) -> Path:
    parent = (requested or Path("/var/tmp")).resolve()
    if parent == REPO or REPO in parent.parents:
        raise SystemExit(f"--workdir must be outside the repository ({REPO})")
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="evidence-vault-bench-", dir=parent))


def run(args: argparse.Namespace) -> list[Figure]:
    scale = QUICK if args.quick else FULL
    work = make_workdir(args.workdir)
    say(f"Evidence Vault import benchmark ({'quick' if args.quick else 'full'}, seed {args.seed})"
        f" on {os.cpu_count()} CPUs, Python {platform.python_version()}, workdir {work}")
    say("Caches cannot be dropped here: every timed run starts after os.sync() and one full "
        "read of its input, so bagit and the vault both read from a warm page cache.")
    try:
        start = time.perf_counter()
        maker = CorpusMaker(args.seed, args.random_photos)
        files, size = make_corpus(work / "corpus", scale, maker)
        small_files, small_size = make_small_corpus(work / "small", scale, maker)
        photos = "random bytes after a JPEG header" if args.random_photos else "real JPEGs"
        say(f"Generated {files:,} files / {size / MB:,.1f} MB and {small_files:,} small files / "
            f"{small_size / MB:,.1f} MB in {time.perf_counter() - start:.1f} s (photos: {photos})")
        say("\n[1] Bulk: bagit make_bag (sha256) on a copy, a durable copy, an import into a "
            "fresh vault")
        figures = bench_bulk(work / "corpus", work, args.repeat)
        say("\n[2] Small files: import into a fresh vault")
        small_vault = work / "vault-small.evault"
        figures += bench_small(work / "small", small_vault)
        say("\n[3] Unlock: calibrated KDF")
        figures += bench_unlock(work, small_vault)
        say("\n[4] One huge file: peak memory of the importing process")
        figures += bench_big(work, scale.big_bytes, args.seed)
    finally:
        finish_workdir(work, args.keep)
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="about 10%% of the corpus: a smoke run")
    work_options(p)
    p.add_argument("--repeat", type=int, default=1,
                   help="bulk rounds (bagit and import in alternation); medians are reported")
    p.add_argument("--random-photos", action="store_true",
                   help="photos are random bytes after a JPEG header (metadata extraction "
                        "then fails fast) instead of real JPEGs")
    p.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--child-vault", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    keep_freed_memory()  # as the program's own processes do at their start
    if args.child_import:
        child_import(args.child_vault, args.child_import)
        return
    logging.getLogger("bagit").setLevel(logging.WARNING)
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
