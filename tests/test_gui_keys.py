"""Changing the passphrase in the app says what it does not do, and offers new keys when a
secret may have been seen: a new recovery key, shown and typed back, and after it the old
passphrase and recovery key open nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import IDENTITY, NEW_PASSPHRASE, PASSPHRASE, write_files
from packages import import_files
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from test_gui import WAIT

from ui.app import App
from ui.passphrase_ui import ChangePassphraseDialog
from ui.vault_dialogs import RecoveryKeyDialog
from vault.custody import log as custody
from vault.errors import WrongSecret
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault


def opened(app: App, tmp_path: Path) -> tuple[Path, str]:
    v, recovery = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    import_files(v, write_files(tmp_path / "docs", 1, prefix="letter"))
    app.opened(v)
    return v.folder, recovery


def fill(dialog: ChangePassphraseDialog, passphrase: str) -> None:
    dialog.new.setText(passphrase)
    dialog.again.setText(passphrase)


def test_a_plain_change_says_what_it_does_not_do(qtbot: QtBot, app: App,
                                                 tmp_path: Path) -> None:
    folder, recovery = opened(app, tmp_path)
    window = app.window
    assert window is not None
    dialog = window.change_passphrase()
    assert isinstance(dialog, ChangePassphraseDialog)
    assert "does not lock out" in dialog.explain.text()
    assert not dialog.reason.isVisible()
    fill(dialog, "too short")
    dialog.ok.click()
    assert dialog.isVisible() and "weak" in dialog.message.text()  # refused, said
    fill(dialog, NEW_PASSPHRASE)
    dialog.ok.click()
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)
    assert "Replace the keys" in window.dialog.text()
    window.dialog.accept()
    window.lock()
    with pytest.raises(WrongSecret):
        Vault.open(folder, passphrase=PASSPHRASE)
    with Vault.open(folder, recovery_key=recovery) as v:  # a plain change keeps this one
        assert [e for e in v.events() if custody.PASSPHRASE_CHANGED.encode() in e.body]


def test_new_keys_when_a_secret_was_seen(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    folder, old_recovery = opened(app, tmp_path)
    window = app.window
    assert window is not None
    dialog = window.change_passphrase()
    dialog.seen.setChecked(True)  # the box turns it into a replacement of the keys
    assert dialog.reason.isVisible()
    assert "open nothing" in dialog.explain.text()
    fill(dialog, NEW_PASSPHRASE)
    dialog.reason.setText("typed it on a train")
    dialog.ok.click()
    shown = window.dialog
    assert isinstance(shown, RecoveryKeyDialog)
    match = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}", shown.sheet())
    assert match is not None
    key = match.group(0)
    assert not shown.ok.isEnabled()  # not before it is typed back
    shown.typed.setText(key.lower())
    shown.ok.click()
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)
    assert "no longer open" in window.dialog.text()
    window.dialog.accept()
    window.lock()
    for old in ({"passphrase": PASSPHRASE}, {"recovery_key": old_recovery}):
        with pytest.raises(WrongSecret):
            Vault.open(folder, **old)  # type: ignore[arg-type]
    with Vault.open(folder, recovery_key=key) as v:
        done = [e for e in v.events() if custody.KEYS_REPLACED.encode() in e.body]
        assert len(done) == 1 and b"typed it on a train" in done[0].body
    with Vault.open(folder, passphrase=NEW_PASSPHRASE):
        pass


def test_cancelling_at_the_new_recovery_key_changes_nothing(qtbot: QtBot, app: App,
                                                           tmp_path: Path) -> None:
    folder, old_recovery = opened(app, tmp_path)
    window = app.window
    assert window is not None
    dialog = window.change_passphrase(seen=True)
    fill(dialog, NEW_PASSPHRASE)
    dialog.ok.click()
    shown = window.dialog
    assert isinstance(shown, RecoveryKeyDialog)
    shown.reject()  # Escape, or Cancel: allowed here, since nothing was changed yet
    assert not shown.isVisible()
    window.lock()
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        assert not [e for e in v.events() if custody.KEYS_REPLACED.encode() in e.body]
    with Vault.open(folder, recovery_key=old_recovery):
        pass
