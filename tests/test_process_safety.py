"""Secrets stay out of crash dumps and child processes: a forced crash leaves no core, the
process cannot be attached to, secret variables leave the environment once read, and
Tesseract runs with a minimal environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

CRASH = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
if sys.argv[1] == "hardened":
    from vault.process_safety import harden, dumpable
    harden()
    assert dumpable() is False
    assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
secret = "correct horse battery staple " * 100  # what a dump would show
os.abort()
"""


def crash(tmp_path: Path, how: str) -> list[str]:
    folder = tmp_path / how
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", CRASH, how], cwd=folder, capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode != 0, done.stderr  # it did crash
    assert b"AssertionError" not in done.stderr, done.stderr
    return sorted(p.name for p in folder.iterdir())


def test_a_forced_crash_leaves_no_core(tmp_path: Path) -> None:
    """The hardened program checks that its core limit is zero and that it is not dumpable
    before it crashes (the crash script asserts both: an AssertionError fails this test), and
    leaves no core where this machine writes cores into the crashing program's folder (the
    control shows whether it does: CI's containers do not)."""
    control = crash(tmp_path, "control")
    assert crash(tmp_path, "hardened") == [], f"the control left {control}"


def test_secret_variables_leave_the_environment_and_children_get_none(tmp_path: Path) -> None:
    code = """
import os
from vault.process_safety import harden, secret
from vault.search.ocr import _env
harden()
assert "EVIDENCE_VAULT_PASSPHRASE" not in os.environ, "still in the environment"
assert secret("EVIDENCE_VAULT_PASSPHRASE") == "quartz meadow lantern ninety fog"
child = _env()
assert not [k for k in child if "EVIDENCE_VAULT" in k or "PASSPHRASE" in k], child
assert "quartz" not in repr(child)
assert child["OMP_THREAD_LIMIT"] == "1" and "PATH" in child
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "EVIDENCE_VAULT_PASSPHRASE": "quartz meadow lantern ninety fog",
           "EVIDENCE_VAULT_PACKAGE_PASSPHRASE": "another secret"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_command_line_is_hardened(tmp_path: Path) -> None:
    """The CLI's own start hardens the process (read from /proc while it waits)."""
    code = """
import sys
from vault.cli import main as cli
from vault.process_safety import dumpable
sys.argv = ["evidence-vault", "--version"]
try:
    cli.main(["--version"])
except SystemExit:
    pass
print(dumpable())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr


def test_evidence_text_on_the_clipboard_is_marked_secret_and_cleared(qtbot: object) -> None:
    from PySide6.QtGui import QGuiApplication

    from ui.clipboard import copy_evidence_text

    copy_evidence_text("Statement of Zoë Marchbanks", clear_after_ms=50)
    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    assert data is not None and bytes(data.data("x-kde-passwordManagerHint")) == b"secret"
    assert clipboard.text() == "Statement of Zoë Marchbanks"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=5000)  # type: ignore[attr-defined]


EXIT_AFTER_COPY = """
import atexit
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.clipboard import copy_evidence_text
atexit.register(lambda: print("left:", repr(QGuiApplication.clipboard().text())))  # runs last
copy_evidence_text("Statement of Zoë Marchbanks")
"""


def test_evidence_leaves_the_clipboard_when_the_program_ends() -> None:
    """And the program ends cleanly: PySide crashed at exit when the clipboard still held a
    QMimeData made in Python."""
    done = subprocess.run([sys.executable, "-c", EXIT_AFTER_COPY], capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "left: ''"


def test_file_dialogs_are_qt_s_own(qapp: object) -> None:
    """Native (GTK) dialogs add every file chosen to the desktop's recent files."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from ui.app import configure

    configure(QApplication)
    assert QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)


MEMORY = """
import binascii, sys
from vault.store.vault import Vault

def count(needles):
    found = [0] * len(needles)
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            if "r" not in parts[1] or (len(parts) > 5 and parts[5].startswith("[v")):
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            for i, n in enumerate(needles):
                found[i] += data.count(n)
    return found

v = Vault.open(sys.argv[1], passphrase=sys.argv[2])
raw = bytearray(v._master)  # each needle is itself one occurrence
hexed = bytearray(binascii.hexlify(raw))
print(*count([bytes(raw), bytes(hexed)]))
"""


def test_the_master_key_is_not_left_behind_in_memory(tmp_path: Path) -> None:
    """Once a vault is open, its master key is in memory once (the vault's own wipeable
    copy), and its hex text (the PRAGMA key statement) nowhere: the unwrapped bytes and the
    statement are wiped, and the statement never enters the connection's cache."""
    from conftest import IDENTITY, PASSPHRASE

    from vault.store.keyslots import TEST_KDF
    from vault.store.vault import Vault

    v, _ = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    folder = v.folder
    v.close()
    done = subprocess.run([sys.executable, "-c", MEMORY, str(folder), PASSPHRASE],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    raw, hexed = map(int, done.stdout.split())
    # raw: the needle, its bytes() copy and the vault's copy; hexed: the needle's two copies.
    assert (raw, hexed) == (3, 2), (raw, hexed)


def test_wipe_overwrites_in_place() -> None:
    from vault.store.secret_memory import key_statement, wipe

    data = bytes.fromhex("00ff") + b"secret key bytes"
    text = "".join(["x'", "ab" * 16, "'"])  # made here, not interned
    buf = bytearray(b"passphrase")
    for thing in (data, text, buf):
        wipe(thing)
    assert data == bytes(len(data)) and text == "\0" * len(text) and buf == bytes(len(buf))
    statement = key_statement("key", bytes(range(32)))
    assert statement == "PRAGMA key = \"x'" + bytes(range(32)).hex() + "'\";"
