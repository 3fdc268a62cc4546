"""The user guide's first section, done as a new user would and with the keyboard alone:
the first window, a vault created, the recovery key typed back, evidence imported, a package
exported and checked. Each step uses only what the screen offers: the focused control, Tab,
Enter and the shortcuts the menus show."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.app import App
from ui.operations import (
    ExportDialog,
    ImportDialog,
    ImportSummaryDialog,
    ResultDialog,
    VerifyDialog,
)
from ui.vault_dialogs import CreateVaultDialog, RecoveryKeyDialog, StartDialog

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"
WAIT = 60_000


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None, "nothing has the keyboard focus"
    return w


def type_in(qtbot: QtBot, text: str, then_tab: bool = True) -> None:
    QTest.keyClicks(focused(), text)
    if then_tab:
        QTest.keyClick(focused(), Qt.Key.Key_Tab)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
          ) -> None:
    QTest.keyClick(focused(), key, modifier)


def active(qtbot: QtBot, w: QWidget) -> None:
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is w, timeout=5000)


def test_first_start_to_a_checked_package_by_keyboard(qtbot: QtBot, app: App, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))

    # 1. the first window: Enter creates a vault
    app.start()
    welcome = app.screen
    assert isinstance(welcome, StartDialog)
    active(qtbot, welcome)
    assert focused() is welcome.create_button
    press(Qt.Key.Key_Return)
    create = app.screen
    assert isinstance(create, CreateVaultDialog)

    # 2. saved in Documents unless chosen otherwise; the name first, then each field by Tab
    active(qtbot, create)
    assert create.folder.text() == str(home / "Documents")
    assert focused() is create.vault_name
    for text in ("Northbridge", "Mary Okafor", "MO", "Investigator",
                 "Northbridge Survivors Campaign", PASSPHRASE):
        type_in(qtbot, text)
    type_in(qtbot, PASSPHRASE, then_tab=False)
    assert "Northbridge.evault" in create.where.text()
    press(Qt.Key.Key_Return)  # Create is the default button
    qtbot.waitUntil(lambda: isinstance(app.screen, RecoveryKeyDialog), timeout=WAIT)

    # 3. the recovery key, typed back
    recovery = app.screen
    assert isinstance(recovery, RecoveryKeyDialog)
    active(qtbot, recovery)
    assert focused() is recovery.typed
    type_in(qtbot, recovery._key, then_tab=False)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    window = app.window
    assert window is not None
    assert (home / "Documents" / "Northbridge.evault").is_dir()

    # 4. the empty vault says how to start; the files arrive (dropped, or from File > Import,
    # whose file chooser is Qt's own); the import window asks how they were received
    active(qtbot, window)
    assert window.views.currentWidget() is window.empty_page
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg"))
    asking = window.open_import(files)
    assert isinstance(asking, ImportDialog)
    active(qtbot, asking)
    assert focused() is asking.received_from
    type_in(qtbot, "USB stick handed over by J. Smith, 3 May 2026")
    type_in(qtbot, "NB-2026-01", then_tab=False)
    press(Qt.Key.Key_Return)  # Import is the default button
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportSummaryDialog), timeout=WAIT)
    summary = window.dialog
    assert summary.headline.text().startswith(f"{len(files)} imported")
    active(qtbot, summary)
    press(Qt.Key.Key_Escape)
    assert window.items.rowCount() == len(files)

    # 5. Ctrl+E: the export window, Next with Enter on each page
    active(qtbot, window)
    press(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wizard = window.dialog
    assert isinstance(wizard, ExportDialog)
    active(qtbot, wizard)
    assert wizard.whole_case.isChecked() and wizard.case.currentText() == "NB-2026-01"
    press(Qt.Key.Key_Return)  # Next
    qtbot.waitUntil(lambda: wizard.recipient.isVisible(), timeout=5000)
    wizard.recipient.setFocus()
    type_in(qtbot, "Smith & Co Solicitors")
    secret = "copper lantern orchard thistle falcon"
    wizard.secret.setFocus()
    type_in(qtbot, secret)
    wizard.again.setFocus()
    type_in(qtbot, secret, then_tab=False)
    press(Qt.Key.Key_Return)  # Next: what the solicitor will be able to read
    qtbot.waitUntil(lambda: wizard.summary.isVisible(), timeout=5000)
    press(Qt.Key.Key_Return)  # Next: where to save
    qtbot.waitUntil(lambda: wizard.out.isVisible(), timeout=5000)
    out = tmp_path / "NB-2026-01.zip"
    wizard.out.selectAll()
    type_in(qtbot, str(out), then_tab=False)
    press(Qt.Key.Key_Return)  # Export
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    exported = sorted(tmp_path.glob("NB-2026-01.zip*"))
    assert exported, "no package was written"
    result = window.dialog
    assert any("fingerprint" in line.text().casefold() for line in result.lines)
    result.accept()

    # 6. the package checked as the solicitor will (its passphrase, asked for by a window of
    # its own, given here)
    window.verify(exported[0], passphrase=secret)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    assert isinstance(report, VerifyDialog)
    assert report.headline.text().startswith("✔ VERIFIED"), report.headline.text()
    report.accept()
