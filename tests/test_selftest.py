"""``evidence-vault self-test`` and Help > Check this installation: every part used for real
in a throwaway vault; a missing part is named first, with the exit code; nothing is left."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import IDENTITY, PASSPHRASE, run_cli
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.app import App
from ui.operations import ResultDialog
from ui.vault_dialogs import StartDialog
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

CHECKS = ["Making test files", "Encrypted storage", "Import", "Photo details", "Viewer",
          "Reading scans (OCR)", "Evidence package", "Vault check"]


def test_self_test_passes_here_and_leaves_nothing(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = run_cli("self-test", passphrase=None, env={"TMPDIR": str(tmp)})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Everything works: {len(CHECKS)} checks passed."
    for name in CHECKS:
        assert any(line.startswith(f"PASS  {name}: ") for line in lines), name
    assert "SQLCipher 4." in done.stdout
    assert "tesseract" in done.stdout and "libheif" in done.stdout
    assert list(tmp.iterdir()) == []  # the throwaway vault and the made-up files are gone


def test_a_missing_part_is_named_first_with_exit_code_1(tmp_path: Path) -> None:
    """Tesseract not on the PATH (a package that forgot to declare it): OCR fails, said first
    with what to install; the rest still runs."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("openssl",):  # anything but tesseract
        found = shutil.which(tool)
        if found:
            os.symlink(found, bare / tool)
    done = run_cli("self-test", passphrase=None, env={"PATH": str(bare)})
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("1 of 8 checks failed: Reading scans (OCR).")
    assert lines[2].startswith("FAIL  Reading scans (OCR): Tesseract is not installed: "
                               "install tesseract-ocr")
    assert sum(line.startswith("PASS  ") for line in lines) == 7
    assert "Traceback" not in done.stdout + done.stderr


def test_the_help_menu_runs_it(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "mine", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    app.opened(v)
    window = app.window
    assert window is not None
    before = list(v.events())
    assert window.self_test_action.text().replace("&", "") == "Check this installation…"
    window.self_test_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=60_000)
    dialog = window.dialog
    assert isinstance(dialog, ResultDialog)
    assert dialog.headline.text() == f"Everything works: {len(CHECKS)} checks passed."
    assert any(label.text().startswith("PASS  Evidence package") for label in dialog.lines)
    assert list(v.events()) == before  # the investigator's vault is not touched
    dialog.accept()



def test_the_start_window_runs_it_without_a_vault(qtbot: QtBot, app: App) -> None:
    """A new user checks the program before making a vault: the start window's button."""
    app.start()
    start = app.screen
    assert isinstance(start, StartDialog)
    assert start.self_test_button.accessibleName() == "Check this installation"
    qtbot.mouseClick(start.self_test_button, Qt.MouseButton.LeftButton)
    run = app.self_test_run
    assert run.progress.isVisible()
    qtbot.waitUntil(lambda: run.result is not None, timeout=60_000)
    assert isinstance(run.result, ResultDialog)
    assert run.result.headline.text() == f"Everything works: {len(CHECKS)} checks passed."
    run.result.accept()
