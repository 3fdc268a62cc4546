"""Shared fixtures: real vaults on disk (cheap key derivation), an injected clock, the corpus."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # GUI tests need no display

from vault.clock import FixedClock
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
PASSPHRASE = "correct horse battery staple orbit"
NEW_PASSPHRASE = "quietly amber lighthouse seventeen"
IDENTITY = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
T0 = dt.datetime(2026, 5, 3, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _own_configuration(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own configuration folder (the known signers live there), also for
    the commands it runs: the user's own is never read or written."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("EVIDENCE_VAULT_KNOWN_SIGNERS", raising=False)


@pytest.fixture
def app(qtbot: object, tmp_path: Path) -> Iterator[object]:
    """The desktop app's controller, with its settings in a file of the test's own and the
    cheap key derivation; locked and closed at the end."""
    from PySide6.QtCore import QSettings

    from ui.app import App

    controller = App(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                     kdf=TEST_KDF)
    yield controller
    if controller.window is not None and controller.window.vault is not None:
        controller.window.lock()
    if controller.screen is not None:
        controller.screen.close()


@pytest.fixture
def dispose(qtbot: object) -> Iterator[Callable[[Any], Any]]:
    """``dispose(widget)``: the widget is destroyed at the end of the test, not merely
    closed, so that no text read from a vault outlives the test (the lock tests look for
    any)."""
    import shiboken6

    kept: list[Any] = []

    def keep(widget: Any) -> Any:
        kept.append(widget)
        return widget

    yield keep
    for widget in kept:
        if shiboken6.isValid(widget):
            widget.close()
            shiboken6.delete(widget)


@pytest.fixture
def corpus() -> Path:
    """``../shared/corpus``: a test that needs it fails (never skips) when it is missing."""
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    return CORPUS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def make_vault(tmp_path: Path, clock: FixedClock) -> Iterator[Callable[..., tuple[Vault, str]]]:
    opened: list[Vault] = []

    def make(name: str = "case", **kw: object) -> tuple[Vault, str]:
        v, recovery = Vault.create(tmp_path / name, PASSPHRASE, IDENTITY, clock=clock,
                                   kdf=TEST_KDF, **kw)  # type: ignore[arg-type]
        opened.append(v)
        return v, recovery

    yield make
    for v in opened:
        v.close()


@pytest.fixture
def vault(make_vault: Callable[..., tuple[Vault, str]]) -> Vault:
    return make_vault()[0]


def run_cli(*args: str | os.PathLike[str], passphrase: str | None = PASSPHRASE,
            env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``evidence-vault`` in a real subprocess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    if passphrase is not None:
        full_env["EVIDENCE_VAULT_PASSPHRASE"] = passphrase
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "vault", *map(str, args)], capture_output=True,
                          text=True, env=full_env, input=input, timeout=timeout, cwd=ROOT)


def without_slot_warnings(stderr: str) -> str:
    """Standard error without the warning every command prints about a TEST_KDF vault's key
    slots (they are below the Argon2id floor, as an edited header's would be)."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not (line.startswith("WARNING: the ") and " key slot in header.json is "
                           "cheap to attack" in line))


def write_files(folder: Path, count: int, size: int = 1000, prefix: str = "doc",
                marker: bytes = b"") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"{prefix}-{i:05d}.txt"
        body = (f"{prefix} {i} ".encode() + marker + b" ") * (size // 10 + 1)
        p.write_bytes(body[:size])
        paths.append(p)
    return paths


def import_refs(v: Vault, *paths: Path) -> dict[str, str]:
    """Import ``paths`` into ``v``; returns {file name: reference}."""
    from vault.evidence.importer import import_paths

    refs = {}
    for prog in import_paths(v, paths):
        for r in prog.acknowledged:
            assert r.ref is not None, r
            if r.parent is None:  # not what was inside a file (an attachment)
                refs[Path(r.source).name] = r.ref
    return refs


def committed_fixture(tmp_path: Path, name: str) -> tuple[Path, dict[str, str]]:
    """A copy of the committed vault ``tests/fixtures/NAME`` (never opened in place) and the
    ``key: value`` lines of its section in tests/fixtures/README.md (passphrase, vault id...)."""
    import re
    import shutil

    fixture = ROOT / "tests" / "fixtures" / name
    text = (fixture.parent / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {name}\n")[1].split("\n## ")[0]
    folder = tmp_path / name
    shutil.copytree(fixture, folder)
    return folder, dict(re.findall(r"^([a-z ]+): (.+)$", section, re.MULTILINE))
