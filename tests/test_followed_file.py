"""FollowedFile: the SHA-256 of a file taken while it is written (from memory and by reading
back), the same as hashing the finished file, whatever the writer's seeks and pieces."""

from __future__ import annotations

import hashlib
import os
import random
import zipfile
from pathlib import Path

import pytest
from packages import CASE, export, import_files, new_vault

from vault.packages.verify import verify_package
from vault.store.atomic import FollowedFile, replacing


@pytest.mark.parametrize("keep", [0, 100_000, 32 << 20])
def test_the_hash_is_the_finished_files_whatever_is_held(tmp_path: Path, keep: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Headers rewritten behind the data (as zipfile does), pieces held or not (``keep``)."""
    monkeypatch.setattr(FollowedFile, "KEEP", keep)
    monkeypatch.setattr(FollowedFile, "CHUNK", 4096)
    monkeypatch.setattr(FollowedFile, "SYNC_EVERY", 50_000)
    rnd = random.Random(keep)
    out = tmp_path / "f.bin"
    with replacing(out) as f:
        follow = FollowedFile(f)
        for _ in range(40):
            start = f.tell()
            f.write(b"H" * 30)  # a header, rewritten below
            for _ in range(rnd.randrange(0, 6)):
                piece = os.urandom(rnd.randrange(1, 70_000))
                follow.writing(piece)
                f.write(piece)
            end = f.tell()
            f.seek(start)
            f.write(rnd.randbytes(30))
            f.seek(end)
            follow.advance()
        f.write(b"the end")
        digest = follow.finish()
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()


def test_an_abandoned_file_stops_its_threads(tmp_path: Path) -> None:
    with open(tmp_path / "f.bin", "wb") as f:
        follow = FollowedFile(f)
        f.write(os.urandom(10_000))
        follow.advance()
        follow.abandon()
    assert all(not t.is_alive() for t in follow._threads)


def test_an_export_of_large_exhibits_records_the_packages_own_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exhibits of many chunks, with little held in memory: the package's SHA-256 in the
    result and the custody event is the file's, and the package verifies."""
    monkeypatch.setattr(FollowedFile, "KEEP", 600_000)
    v = new_vault(tmp_path / "v")
    files = []
    for n, size in enumerate((3 * (1 << 20) + 17, 1 << 20, 5, 2_500_000)):
        p = tmp_path / f"big{n}.bin"
        p.write_bytes(random.Random(n).randbytes(size))
        files.append(p)
    import_files(v, files)
    result = export(v, tmp_path / "p.zip", case=CASE)
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert list(v.events())[-1].fields["details"]["package_sha256"] == result.sha256
    with zipfile.ZipFile(result.path) as zf:
        assert zf.testzip() is None
    assert verify_package(result.path).intact
    v.close()
