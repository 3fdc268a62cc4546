"""Hostile files are parsed away from the keys: in worker processes that hold no key and no
secret, confined (no new privileges, a memory limit, no core), long-lived and one per core. A
worker that dies mid-file leaves the import running and the item stored, with a warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CORPUS, write_files
from packages import import_files

from vault.documents.thumbnails import thumbnail
from vault.evidence.copyout import extract_item
from vault.evidence.items import get_item
from vault.parsers.worker import ABORT_MARKER, MEMORY_LIMIT, TEST_ABORT
from vault.search.index import run_index_jobs
from vault.search.query import search
from vault.store.check import run_check
from vault.store.vault import Vault

PDF = CORPUS / "pdf" / "minimal-document.pdf"
PHOTOS = CORPUS / "photos"


def a_photo(n: int = 0) -> Path:
    return sorted(p for p in PHOTOS.iterdir() if p.suffix.lower() == ".jpg")[n]


def proc(pid: int, name: str) -> str:
    return Path(f"/proc/{pid}/{name}").read_text(errors="replace")


def test_workers_hold_no_secret_and_are_confined(vault: Vault, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_VAULT_PASSPHRASE", "correct horse battery staple orbit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not for a parser")
    results = import_files(vault, [PDF, a_photo(), a_photo(1), a_photo(2)])
    assert all(r.ref for r in results)
    photo = get_item(vault, results[1].ref or "")
    assert photo.metadata.get("width"), photo.metadata  # read, by a worker
    pids = vault.parsers.pids()
    assert pids and os.getpid() not in pids
    for pid in pids:
        env = dict(line.split("=", 1) for line in
                   Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if line)
        assert not [k for k in env if k.startswith("EVIDENCE_VAULT_") or "SECRET" in k], env
        assert set(env) <= {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TESSDATA_PREFIX", "TMPDIR",
                            "SYSTEMROOT", "HOME"}
        status = proc(pid, "status")
        assert "NoNewPrivs:\t1" in status
        limits = proc(pid, "limits")
        [space] = [line for line in limits.splitlines() if line.startswith("Max address space")]
        assert space.split()[3] == str(MEMORY_LIMIT)
        [core] = [line for line in limits.splitlines() if line.startswith("Max core file size")]
        assert core.split()[4] == "0"
        # No key in a worker's memory: it was never sent one (its open files are pipes only).
        fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        assert not [f for f in fds if "index.db" in f or vault.folder.name in f], fds
    # The same workers serve the next batch: long-lived, not one process per file.
    more = import_files(vault, [*write_files(tmp_path / "more", 1, prefix="letter"),
                                a_photo(3), a_photo(4), a_photo(5)])
    assert all(get_item(vault, r.ref or "").metadata.get("width") for r in more[1:])
    assert set(vault.parsers.pids()) == set(pids)
    vault.close()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in proc(pid, "status")


def aborting_pdf(path: Path) -> Path:
    """A valid PDF with the test marker in a trailing comment: a worker started with the test
    variable aborts (SIGABRT) on it, as one would on a memory-corruption bug."""
    path.write_bytes(PDF.read_bytes() + b"\n%" + ABORT_MARKER + b"\n")
    return path


def test_a_worker_that_dies_mid_file_leaves_the_import_running(
        vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_ABORT, "1")
    bad = aborting_pdf(tmp_path / "minutes-crash.pdf")
    letters = write_files(tmp_path / "docs", 2, prefix="letter")
    results = import_files(vault, [letters[0], bad, PDF, a_photo(), letters[1]])
    assert [r.status for r in results] == ["imported"] * 5
    refs = {Path(r.source).name: r.ref or "" for r in results}
    crashed = get_item(vault, refs["minutes-crash.pdf"])
    assert any("the reader stopped on this file" in w and "SIGABRT" in w
               for w in crashed.warnings), crashed.warnings
    assert get_item(vault, refs[PDF.name]).metadata.get("pages") == 1  # the next one is read
    assert get_item(vault, refs[a_photo().name]).metadata.get("width")
    # Stored byte for byte all the same.
    assert extract_item(vault, refs["minutes-crash.pdf"], tmp_path / "out.pdf").read_bytes() \
        == bad.read_bytes()
    # Indexing and thumbnails go on past it too.
    assert [p.error for p in run_index_jobs(vault) if p.error] == []
    assert {h.ref for h in search(vault, "Lorem")} == {refs[PDF.name]}
    assert {h.ref for h in search(vault, '"minutes-crash"')} == {refs["minutes-crash.pdf"]}
    assert thumbnail(vault, refs["minutes-crash.pdf"]) is None
    assert thumbnail(vault, refs[PDF.name]) is not None
    assert run_check(vault).ok


CONFINED = """
import socket, subprocess, sys
from vault.parsers.worker import confine
confine()
out = []
try:
    open(sys.argv[1], "w").close()
    out.append("wrote")
except PermissionError:
    out.append("no-write")
try:
    subprocess.run(["/bin/true"], check=False)
    out.append("ran")
except PermissionError:
    out.append("no-exec")
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=5).close()
    out.append("connected")
except PermissionError:
    out.append("no-connect")
with open(sys.argv[3], "rb") as f:  # reading stays allowed: the parsers' modules load lazily
    f.read(1)
out.append("read")
print(" ".join(out))
"""


def test_a_worker_can_write_run_or_connect_nothing(tmp_path: Path) -> None:
    """Landlock, where the kernel has it: no file written, created or run, no TCP, whatever
    the user's own rights (the worker runs as the user)."""
    import ctypes
    import socket
    import subprocess
    import sys

    from conftest import ROOT

    from vault.parsers.worker import landlock_abi

    abi = landlock_abi(ctypes.CDLL(None, use_errno=True))
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        port = listening.getsockname()[1]
        done = subprocess.run([sys.executable, "-c", CONFINED, str(tmp_path / "dropped"),
                               str(port), str(PDF)], capture_output=True, text=True,
                              timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    said = done.stdout.split()
    if abi >= 4:
        assert said == ["no-write", "no-exec", "no-connect", "read"]
    elif abi >= 1:
        assert said[:2] == ["no-write", "no-exec"] and said[-1] == "read"
    else:  # a kernel without Landlock: the worker still runs, confined by the rest
        assert said[-1] == "read"
    assert not (tmp_path / "dropped").exists() or abi == 0
