"""The installers' parts that can be checked here: the workflow for Windows and macOS (actionlint,
GitHub's schema, signing steps that skip without their secrets), the Linux packages made
byte for byte the same twice with what they must declare, and what a frozen program does
differently (its parser worker, a Tesseract inside it). The whole build and its clean-room
test: scripts/package.sh (docs/install.md)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from ruamel.yaml import YAML

from vault.parsers import pool
from vault.search import ocr

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def test_the_workflows_pass_actionlint() -> None:
    assert WORKFLOWS
    done = subprocess.run([str(BIN / "actionlint"), "-no-color", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflows_match_githubs_schema() -> None:
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_step_that_reads_a_secret_skips_cleanly_without_it() -> None:
    """A fork or a first run has no signing keys: the build must still finish, unsigned,
    saying so. Each step given a secret checks its variable before using it."""
    workflow = YAML(typ="safe").load(
        (ROOT / ".github" / "workflows" / "installers.yml").read_text())
    checked = 0
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            secrets = [name for name, value in (step.get("env") or {}).items()
                       if "secrets." in str(value)]
            if not secrets:
                continue
            script = step["run"]
            guarded = re.search(r'if \[ -z "\$(\w+)" \]|if \(-not \$env:(\w+)\)', script)
            assert guarded, step["name"]
            name = guarded.group(1) or guarded.group(2)
            assert name in secrets or name == "IDENTITY", step["name"]
            assert "exit 0" in script, step["name"]
            assert "skipped" in step["name"], step["name"]
            checked += 1
    assert checked >= 5


def _fake_frozen(tmp_path: Path) -> Path:
    frozen = tmp_path / "frozen" / "evidence-vault"
    (frozen / "_internal" / "lib").mkdir(parents=True)
    for name in ("evidence-vault", "evidence-vault-gui"):
        (frozen / name).write_bytes(b"\x7fELF program " + name.encode())
        (frozen / name).chmod(0o755)
    (frozen / "_internal" / "lib" / "libsomething.so").write_bytes(os.urandom(2000))
    return frozen


def _make(frozen: Path, out: Path) -> tuple[Path, Path]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764806400"}
    subprocess.run([sys.executable, str(ROOT / "packaging" / "linux" / "make_packages.py"),
                    str(frozen), "--version", "0.1.0", "--out", str(out), "--deb", "ev.deb",
                    "--tarball", "ev.tar.gz"], check=True, env=env)
    return out / "ev.deb", out / "ev.tar.gz"


def test_the_linux_packages_are_the_same_twice_and_declare_what_they_need(
        tmp_path: Path) -> None:
    frozen = _fake_frozen(tmp_path)
    first = _make(frozen, tmp_path / "a")
    os.utime(frozen / "evidence-vault", (1, 1))  # times of the input do not leak
    second = _make(frozen, tmp_path / "b")
    for x, y in zip(first, second, strict=True):
        assert hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest()
    info = subprocess.run(["dpkg-deb", "--field", str(first[0]), "Depends"],
                          capture_output=True, text=True, check=True).stdout
    for needed in ("tesseract-ocr-eng", "tesseract-ocr-cym", "libxcb-cursor0", "libegl1"):
        assert needed in info
    contents = subprocess.run(["dpkg-deb", "--contents", str(first[0])], capture_output=True,
                              text=True, check=True).stdout
    assert re.search(r"^-rwxr-xr-x root/root .* \./opt/evidence-vault/evidence-vault$",
                     contents, re.M)
    assert "./usr/bin/evidence-vault-gui -> /opt/evidence-vault/evidence-vault-gui" in contents
    assert "./usr/share/applications/evidence-vault.desktop" in contents
    assert "./usr/share/icons/hicolor/scalable/apps/evidence-vault.svg" in contents
    assert "./usr/share/doc/evidence-vault/copyright" in contents
    assert "/home" not in contents  # a package never ships anything into a user's files
    listing = subprocess.run(["tar", "-tvzf", str(first[1])], capture_output=True, text=True,
                             check=True).stdout
    assert "evidence-vault-0.1.0/evidence-vault-gui" in listing
    assert "evidence-vault-0.1.0/INSTALL.txt" in listing
    assert all(" root/root " in line for line in listing.splitlines())


def test_a_frozen_program_starts_its_parser_workers_from_its_own_command_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "evidence-vault-gui"))
    assert pool.worker_command() == [str(tmp_path / "evidence-vault"), "--parser-worker"]


def test_the_command_line_entry_runs_a_parser_worker_when_asked() -> None:
    """The flag runs the worker loop before anything else: it reads requests from standard
    input and ends, status 0, when the input closes."""
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "pyinstaller" /
                                               "entry_cli.py"), "--parser-worker"],
                          input=b"", capture_output=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""


def test_a_tesseract_inside_the_program_is_used_with_its_own_language_data(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Windows and macOS builds carry Tesseract in _internal/tesseract/: it is found before
    any on the PATH, and told where its English and Welsh data are."""
    system = shutil.which("tesseract")
    assert system is not None
    inside = tmp_path / "_internal" / "tesseract"
    (inside / "tessdata").mkdir(parents=True)
    os.symlink(system, inside / "tesseract")
    data = Path("/usr/share/tesseract-ocr/5/tessdata")
    for lang in ("eng", "cym", "osd"):
        os.symlink(data / f"{lang}.traineddata", inside / "tessdata" / f"{lang}.traineddata")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert ocr.require_tesseract().startswith("tesseract ")
    assert ocr._env()["TESSDATA_PREFIX"] == str(inside / "tessdata")
