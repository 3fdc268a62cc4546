"""Disk full in the middle of an import: a clear error, a consistent vault, nothing
acknowledged lost. Runs on a real, small tmpfs in a private mount namespace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_disk_full_mid_import(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    assert unshare, "util-linux's unshare is required (installed by scripts/setup.sh)"
    sources = tmp_path / "sources"
    sources.mkdir()
    for i in range(30):
        (sources / f"doc-{i:02d}.bin").write_bytes(os.urandom(300_000))
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    script = (
        f"mount -t tmpfs -o size=6m tmpfs {tiny} && "
        # ballast: room the user frees after the failure
        f"head -c 1500000 /dev/zero > {tiny}/ballast && "
        f"PYTHONPATH={ROOT}:{ROOT / 'tests'} {sys.executable} "
        f"{ROOT / 'tests' / 'diskfull_worker.py'} {tiny} {sources}")
    flags = ["--mount"] if os.geteuid() == 0 else ["--mount", "--map-root-user"]
    r = subprocess.run([unshare, *flags, "sh", "-c", script], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["error"] and "No space left on device" in out["error"], out["error"]
    assert out["acknowledged"], "some files fit before the disk filled"
    assert len(out["acknowledged"]) < 30
    for ref, sha in out["acknowledged"].items():
        assert out["present"][ref] == sha
    assert out["problems"] == []
    assert out["leftovers"] == []
    assert out["warnings"] == []
