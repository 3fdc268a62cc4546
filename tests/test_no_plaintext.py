"""No plaintext at rest: evidence content never reaches the disk outside its encryption.

Files carrying a marker unique to this run (a text file, its UTF-16 twin, a PDF whose text and
title carry it, a file over 1 MiB with it at several offsets, one across a chunk boundary) are
imported with the CLI, and read back with ``list``, ``show``, ``check`` and ``log``, each under
``strace``. Then the marker (UTF-8 and UTF-16-LE) is searched for in every file of the vault
(the index's -wal and -shm included, scanned while a vault is open), in every file of the temp
folders modified during the test, and in every file strace saw those processes open for
writing, create or rename. A control proves the scanner finds a plaintext copy.
"""

from __future__ import annotations

import ast
import os
import random
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pymupdf
import pytest
from conftest import PASSPHRASE, ROOT

from vault.evidence.importer import IMPORTED, import_paths
from vault.store.objects import CHUNK_SIZE
from vault.store.vault import Vault

SEED = 1729
TRACED = "openat,open,creat,rename,renameat,renameat2"
CALL = re.compile(r"^\d+\s+(open|openat|creat|rename|renameat|renameat2)\((.*)$")
PATH_ARG = re.compile(r'(?:(?:AT_FDCWD|\d+)<(?P<dir>[^>]*)>,\s*)?"(?P<path>(?:[^"\\]|\\.)*)"')
WRITE_FLAG = re.compile(r"\bO_(?:WRONLY|RDWR|CREAT|TRUNC|APPEND)\b")
NOT_FILES = (Path("/proc"), Path("/sys"), Path("/dev"))
SCAN_BLOCK = 1 << 20
MTIME_SLACK = 2.0  # file times are coarser than time.time()

Patterns = tuple[bytes, ...]


def strace_or_fail() -> str:
    """The test fails (it never skips) where strace is missing."""
    found = shutil.which("strace")
    if found is None:
        pytest.fail("strace is not installed: this test needs it (apt-get install strace)")
    return found


@pytest.fixture
def marker() -> str:
    return f"MARKER-{secrets.token_hex(16)}"


def patterns(marker: str) -> Patterns:
    return marker.encode(), marker.encode("utf-16-le")


# ------------------------------------------------------------------------- inputs
def write_pdf(path: Path, marker: str) -> None:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), f"Witness statement {marker}")
        doc.set_metadata({"title": f"Statement {marker}"})  # stored literally: scannable
        doc.save(path)
    with pymupdf.open(path) as doc:
        assert marker in doc[0].get_text()
    assert marker.encode() in path.read_bytes()


def large_with_marker(marker: str) -> bytes:
    """Over 3 MiB of noise with the marker at the start, across the first chunk boundary, in
    the third chunk and at the very end."""
    m = marker.encode()
    data = bytearray(random.Random(SEED).randbytes(3 * CHUNK_SIZE + 4321))
    for offset in (0, CHUNK_SIZE - len(m) // 2, 2 * CHUNK_SIZE + 777, len(data) - len(m)):
        data[offset:offset + len(m)] = m
    assert data.count(m) == 4
    return bytes(data)


def write_inputs(folder: Path, marker: str) -> list[Path]:
    folder.mkdir()
    text = f"Notes of the meeting.\nThe code word is {marker}.\n"
    (folder / "notes.txt").write_text(text, encoding="utf-8")
    (folder / "notes-utf16.txt").write_bytes(text.encode("utf-16-le"))
    write_pdf(folder / "statement.pdf", marker)
    (folder / "large.bin").write_bytes(large_with_marker(marker))
    return sorted(folder.iterdir())


# ------------------------------------------------------------------------- traced CLI
def run_traced(strace: str, log: Path, *args: str | os.PathLike[str]) -> str:
    """Run ``evidence-vault ARGS`` under strace; returns its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env["EVIDENCE_VAULT_PASSPHRASE"] = PASSPHRASE
    argv = [strace, "-f", "-y", "--seccomp-bpf", "-e", f"trace={TRACED}", "-o", str(log),
            sys.executable, "-m", "vault", *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, f"{args[0]} failed ({done.returncode}): {done.stderr}"
    assert log.stat().st_size > 0, "strace wrote no trace"
    return done.stdout


def unquote(s: str) -> str:
    """A C string as strace prints it (octal/hex escapes) to a file name."""
    return os.fsdecode(ast.literal_eval(f'b"{s}"'))


def written_paths(log: Path, cwd: Path) -> set[Path]:
    """Files the traced processes opened for writing, created, or renamed from or to.

    ``-y`` makes strace print each directory fd's path, so relative names resolve; an
    ``<unfinished ...>`` line already holds the arguments, so ``resumed`` lines are skipped."""
    found = set()
    for line in log.read_text(errors="replace").splitlines():
        call = CALL.match(line)
        if call is None:
            continue
        name, args = call.groups()
        paths = list(PATH_ARG.finditer(args))
        if name.startswith("open") and not (paths and WRITE_FLAG.search(args, paths[0].end())):
            continue
        for p in paths if name.startswith("rename") else paths[:1]:
            found.add((Path(p["dir"] or cwd) / unquote(p["path"])).resolve())
    return found


# ------------------------------------------------------------------------- scanning
def temp_roots() -> set[Path]:
    roots = [tempfile.gettempdir(), "/var/tmp", *filter(None, [os.environ.get("TMPDIR")])]
    return {Path(r).resolve() for r in roots if Path(r).is_dir()}


def regular_files_under(root: Path, since: float | None = None) -> Iterator[Path]:
    """Regular files (symlinks not followed), optionally only those modified since ``since``."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            try:
                st = path.lstat()
            except FileNotFoundError:  # another program's temporary file, gone already
                continue
            if stat.S_ISREG(st.st_mode) and (since is None or st.st_mtime >= since):
                yield path


def contains(path: Path, pats: Patterns) -> bool:
    """Search block by block, keeping an overlap so a pattern across two blocks is seen."""
    keep = max(map(len, pats)) - 1
    tail = b""
    with path.open("rb") as f:
        while block := f.read(SCAN_BLOCK):
            window = tail + block
            if any(p in window for p in pats):
                return True
            tail = window[-keep:]
    return False


def existing_written(log: Path) -> set[Path]:
    """The regular files, still there, that a traced run wrote (devices and the like aside)."""
    return {p for p in written_paths(log, ROOT)
            if not any(p.is_relative_to(r) for r in NOT_FILES)
            and p.is_file() and not p.is_symlink()}


def places_to_scan(vault_dir: Path, logs: Iterable[Path], since: float) -> set[Path]:
    found = set(regular_files_under(vault_dir))
    for root in temp_roots():
        found.update(regular_files_under(root, since - MTIME_SLACK))
    for log in logs:
        found.update(existing_written(log))
    return {p.resolve() for p in found}


def scan(files: Iterable[Path], pats: Patterns) -> tuple[set[Path], set[Path]]:
    """Returns (files scanned, files holding a pattern)."""
    scanned, hits = set(), set()
    for path in files:
        try:
            if contains(path, pats):
                hits.add(path)
        except (FileNotFoundError, PermissionError):  # gone, or another user's: not ours
            continue
        scanned.add(path)
    return scanned, hits


# ------------------------------------------------------------------------- the test
def test_no_plaintext_reaches_the_disk(make_vault: Callable[..., tuple[Vault, str]],
                                       tmp_path: Path, marker: str) -> None:
    strace = strace_or_fail()
    since = time.time()
    v, _ = make_vault()
    vault_dir = v.folder.resolve()
    v.close()  # the CLI needs the vault's lock
    inputs = write_inputs(tmp_path / "inputs", marker)
    later_pdf = tmp_path / "later" / "appendix.pdf"
    later_pdf.parent.mkdir()
    write_pdf(later_pdf, marker + " appendix")
    sources = {p.resolve() for p in [*inputs, later_pdf]}

    logs = tmp_path / "strace"
    logs.mkdir()
    out = run_traced(strace, logs / "import.log", "import", vault_dir, tmp_path / "inputs",
                     "--received-from", "no-plaintext test")
    acks = [line.split("\t") for line in out.splitlines()]
    assert sorted(Path(source) for _, _, _, source in acks) == inputs
    assert all(status == IMPORTED for _, status, _, _ in acks)
    refs = {Path(source).name: ref for ref, _, _, source in acks}
    objects_from_cli = set((vault_dir / "objects").iterdir())
    run_traced(strace, logs / "list.log", "list", vault_dir)
    for n, ref in enumerate(refs.values()):
        run_traced(strace, logs / f"show-{n}.log", "show", vault_dir, ref)
    assert "OK:" in run_traced(strace, logs / "check.log", "check", vault_dir)
    run_traced(strace, logs / "log.log", "log", vault_dir)
    traced = sorted(logs.iterdir())

    written = set().union(*(written_paths(log, ROOT) for log in traced))
    assert {vault_dir / "index.db", vault_dir / "head.json", *objects_from_cli} <= written, \
        "the strace parser missed files the CLI certainly wrote"

    # Scan while a vault is open after a change, so the index's -wal and -shm exist.
    pats = patterns(marker)
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as v:
        list(import_paths(v, [later_pdf]))
        assert (vault_dir / "index.db-wal").stat().st_size > 0
        scanned, hits = scan(places_to_scan(vault_dir, traced, since) - sources, pats)
    assert hits == set(), f"the marker is in clear in: {sorted(map(str, hits))}"
    vault_files = {vault_dir / n for n in ("index.db", "index.db-wal", "index.db-shm")}
    assert vault_files | set((vault_dir / "objects").iterdir()) <= scanned
    assert len(scanned) > len(inputs) + len(vault_files)

    # Controls: plaintext written by a traced CLI run (``extract``, whose job it is), copied
    # into the vault folder, or left in a temp folder is found, across read blocks too.
    extracted = tmp_path / "extracted"
    extracted.mkdir()
    extract_log = logs / "extract.log"
    run_traced(strace, extract_log, "extract", vault_dir, refs["notes.txt"], extracted)
    assert scan(existing_written(extract_log), pats)[1] == {extracted / "notes.txt"}
    with tempfile.TemporaryDirectory(prefix="ev-leak-control-") as leak:
        temp_leaks = {Path(leak).resolve() / "leaked-utf16.txt",
                      Path(leak).resolve() / "across-blocks.bin"}
        shutil.copyfile(tmp_path / "inputs" / "statement.pdf", vault_dir / "leaked.pdf")
        shutil.copyfile(tmp_path / "inputs" / "notes-utf16.txt", Path(leak, "leaked-utf16.txt"))
        Path(leak, "across-blocks.bin").write_bytes(
            bytes(SCAN_BLOCK - 5) + marker.encode() + bytes(5))
        found = places_to_scan(vault_dir, [*traced, extract_log], since) - sources
        control_hits = scan(found, pats)[1]
    assert control_hits == {extracted / "notes.txt", vault_dir / "leaked.pdf", *temp_leaks}
