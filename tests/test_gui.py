"""The desktop app through its widgets (pytest-qt, offscreen): the investigator's workflow,
wrong passphrase, cancelled import, errors as messages, locking leaves nothing behind."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, write_files
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.app import App
from ui.colours import BAD, colour
from ui.main_window import MainWindow
from ui.models import ITEM_ROLE
from ui.operations import ImportDialog, ImportSummaryDialog, ResultDialog, VerifyDialog
from ui.vault_dialogs import CreateVaultDialog, RecoveryKeyDialog, UnlockDialog
from vault.store.check import run_check
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

WAIT = 120_000  # ms: the corpus import on a slow CI machine


def create_vault(qtbot: QtBot, app: App, folder: Path) -> MainWindow:
    app.start()
    app.create()
    dialog = app.screen
    assert isinstance(dialog, CreateVaultDialog)
    dialog.folder.setText(str(folder))
    dialog.vault_name.setText("Northbridge")
    dialog.name.setText("Mary Okafor")
    dialog.initials.setText("MO")
    dialog.organisation.setText("Northbridge Survivors Campaign")
    dialog.passphrase.setText("password1")
    assert not dialog.create_button.isEnabled()  # the strength meter says no
    assert dialog.meter.label.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    assert dialog.create_button.isEnabled()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(app.screen, RecoveryKeyDialog), timeout=WAIT)
    recovery = app.screen
    assert isinstance(recovery, RecoveryKeyDialog)
    assert not recovery.ok.isEnabled()
    recovery.reject()  # Escape does not close it before the key was typed back
    assert recovery.isVisible()
    recovery.typed.setText(recovery._key.lower().replace("-", " "))
    assert recovery.ok.isEnabled()
    qtbot.mouseClick(recovery.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    assert app.window is not None
    return app.window


def receive_into_case(qtbot: QtBot, window: MainWindow, case: str | None = None) -> None:
    """Answer the question every receipt asks: which case (the one suggested, or ``case``)."""
    from ui.receive_ui import ReceiveCaseDialog

    qtbot.waitUntil(lambda: isinstance(window.dialog, ReceiveCaseDialog), timeout=WAIT)
    choose = window.dialog
    assert isinstance(choose, ReceiveCaseDialog)
    if case is not None:
        choose.case.setCurrentText(case)
    qtbot.mouseClick(choose.ok, Qt.MouseButton.LeftButton)


def drop(window: MainWindow, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)  # what Qt calls when files are dropped on the window


def import_by_drop(qtbot: QtBot, window: MainWindow, paths: list[Path], case: str,
                   received_from: str) -> ImportSummaryDialog:
    drop(window, paths)
    dialog = window.dialog
    assert isinstance(dialog, ImportDialog)
    dialog.received_from.setText(received_from)
    dialog.case.setCurrentText(case)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportSummaryDialog), timeout=WAIT)
    summary = window.dialog
    assert isinstance(summary, ImportSummaryDialog)
    return summary


def texts_everywhere() -> str:
    """Every string any widget or item view shows."""
    out: list[str] = []
    for w in QApplication.allWidgets():
        if isinstance(w, QLabel | QLineEdit):
            out.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            for r in range(m.rowCount()):
                for c in range(m.columnCount()):
                    out.append(str(m.data(m.index(r, c))))
        out.append(w.windowTitle())
    return "\n".join(out)


def test_the_whole_workflow(qtbot: QtBot, app: App, tmp_path: Path, corpus: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    # Every file; then, in the background, the file embedded in with-attachment.pdf as an
    # exhibit of its own.
    files = len([p for p in corpus.rglob("*") if p.is_file()])
    summary = import_by_drop(qtbot, window, [corpus], "NB-2026-01",
                             "USB stick from J. Smith, 3 May 2026")
    assert summary.headline.text().startswith(f"{files} imported, 0 received again")
    summary.accept()
    expected = files + 1
    qtbot.waitUntil(lambda: window.items.rowCount() == expected, timeout=120_000)
    assert [window.cases.case_at(r) for r in range(window.cases.rowCount())] == \
        [None, "NB-2026-01"]

    # the details of a photo with GPS
    photo = corpus / "photos" / "DSCN0010.jpg"
    ref = next(window.items.item_at(r).ref for r in range(window.items.rowCount())
               if window.items.item_at(r).name == photo.name)
    window.select(ref)
    detail = window.detail
    # the details (camera, GPS) are read in the background after the import: the pane of the
    # item selected meanwhile shows them when they arrive
    qtbot.waitUntil(lambda: not window.search.text_jobs.running, timeout=120_000)
    assert detail.values["SHA-256"].text() == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert detail.values["From"].text() == "USB stick from J. Smith, 3 May 2026"
    assert "NIKON" in detail.values["Camera"].text().upper()
    import re

    gps = re.fullmatch(r"(\d+\.\d{6})° N, (\d+\.\d{6})° E", detail.values["GPS"].text())
    assert gps is not None, detail.values["GPS"].text()
    assert 43 < float(gps[1]) < 44 and 11 < float(gps[2]) < 12
    captured = detail.values["Captured"].text()
    assert re.match(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d", captured), captured
    assert "camera's clock" in captured
    qtbot.mouseClick(detail.copy, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == detail.values["SHA-256"].text()
    actions = [row[2] for row in detail.timeline.rows()]
    assert actions[:2] == ["imported", "metadata extracted"]

    # a note is a custody event
    detail.note.setPlainText("Shows the car park named in the 2011 minutes.")
    qtbot.mouseClick(detail.add_note, Qt.MouseButton.LeftButton)
    assert [row[2] for row in detail.timeline.rows()][-1] == "note added"
    assert detail.timeline.rows()[-1][4] == "Shows the car park named in the 2011 minutes."

    # sort and filter
    window.filter.setText("DSCN")
    assert window.filtered.rowCount() == 3
    window.filter.clear()

    # export the selection, then verify it
    window.table.selectAll()
    out = tmp_path / "out" / "NB-2026-01.zip"
    out.parent.mkdir()
    dialog = window.open_export()
    assert dialog.whole_case.isChecked()  # the case, never one row by accident
    assert "MO/1, MO/2, MO/3, MO/4, MO/5 and" in dialog.selection.text()
    dialog.selection.setChecked(True)
    dialog.next()
    dialog.recipient.setText("Smith & Co Solicitors")
    dialog.encryption.setCurrentIndex(2)  # not encrypted: a deliberate choice
    dialog.next()
    assert dialog.currentPage().problem.text().startswith("Tick the box")
    dialog.unencrypted_ok.setChecked(True)
    dialog.next()
    assert "NOT ENCRYPTED" in dialog.summary.text()
    dialog.next()
    dialog.out.setText(str(out))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    result = window.dialog
    assert isinstance(result, ResultDialog)
    fingerprint = window._open_vault().certificate_fingerprint()
    assert any(fingerprint in label.text() for label in result.lines)
    assert out.is_file()
    result.accept()
    window.verify(out)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    assert isinstance(report, VerifyDialog)
    assert report.headline.text().startswith("✔ VERIFIED: intact, and signed by Mary Okafor")
    assert all(row[0] == "ok" for row in report.checks.rows())
    report.accept()

    # lock: nothing read from the vault remains in any widget or model
    secrets = [hashlib.sha256(photo.read_bytes()).hexdigest(), "DSCN0010",
               "USB stick from J. Smith", "car park named", "NB-2026-01", "Mary Okafor"]
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    window.lock_action.trigger()  # offscreen windows are never active: shortcuts cannot fire
    qtbot.waitUntil(lambda: isinstance(app.screen, UnlockDialog), timeout=WAIT)
    assert window.vault is None and window.items.rowCount() == 0
    QApplication.processEvents()
    shown = texts_everywhere()
    for secret in secrets:
        assert secret not in shown, secret
    assert QApplication.clipboard().text() == ""  # the copied hash went with the lock

    # unlock again
    unlock = app.screen
    assert isinstance(unlock, UnlockDialog)
    unlock.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(unlock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    assert app.window is not None and app.window.items.rowCount() == expected


def test_wrong_passphrase_is_said_plainly(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, _identity(), kdf=TEST_KDF)
    path = v.folder
    v.close()
    app.start(path)
    dialog = app.screen
    assert isinstance(dialog, UnlockDialog)
    assert "case" in dialog.windowTitle()
    dialog.passphrase.setText("not the right passphrase")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.unlock_button.isEnabled(), timeout=WAIT)
    assert "wrong passphrase" in dialog.message.text().lower()
    assert app.window is None


def test_cancelled_import_keeps_what_was_acknowledged(qtbot: QtBot, app: App,
                                                      tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    files = write_files(tmp_path / "many", 400, size=20_000)
    drop(window, [tmp_path / "many"])
    dialog = window.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    progress = window.dialog
    job = next(iter(window.jobs))
    qtbot.waitUntil(lambda: progress.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportSummaryDialog), timeout=WAIT)
    summary = window.dialog
    assert isinstance(summary, ImportSummaryDialog)
    assert job.cancelled
    assert "cancelled" in summary.headline.text()
    imported = window.items.rowCount()
    assert 0 < imported < len(files)
    report = run_check(window._open_vault())
    assert report.ok, report.problems
    assert report.items_checked == imported


def test_core_errors_are_shown_as_messages(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, write_files(tmp_path / "docs", 2), "C-1", "post").accept()
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"somebody else's file")
    # (the export wizard refuses an existing file on its page; the core says so too)
    window.start_export({"out": existing, "recipient": "", "case": "C-1"})
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)
    box = window.dialog
    assert isinstance(box, QMessageBox)
    assert "already exists" in box.text() and "Traceback" not in box.text()
    assert existing.read_bytes() == b"somebody else's file"
    box.accept()
    window.verify(tmp_path / "docs" / "doc-00000.txt")  # not a package
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)
    assert "not a readable zip" in window.dialog.text()


def another_investigators_package(tmp_path: Path) -> Path:
    """A package of two letters exported from a vault of its own."""
    from packages import CASE, export, import_files

    other, _ = Vault.create(tmp_path / "other", PASSPHRASE, _identity(), kdf=TEST_KDF)
    try:
        import_files(other, write_files(tmp_path / "theirs", 2, prefix="letter"), case=CASE)
        return export(other, tmp_path / "theirs.zip", case=CASE).path
    finally:
        other.close()


def _identity() -> Any:
    from conftest import IDENTITY

    return IDENTITY


def test_every_visible_control_has_an_accessible_name(qtbot: QtBot, app: App,
                                                      tmp_path: Path) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QProgressBar,
        QScrollBar,
    )

    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, write_files(tmp_path / "docs", 2), "C-1", "post").accept()
    window.table.selectAll()
    screens: list[QWidget] = [window, window.open_export()]
    controls = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit,
                QAbstractSlider, QAbstractSpinBox, QProgressBar)
    unnamed = []
    for screen in screens:
        for w in screen.findChildren(QWidget):
            if not isinstance(w, controls) or not w.isVisible():
                continue
            if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
                continue  # the editor inside a combo box is named through it
            if isinstance(w, QHeaderView) and w.parent().accessibleName():
                continue  # a table's headers are announced as its column names
            if isinstance(w, QScrollBar):
                continue  # a view's own scroll bars: Qt names them by orientation
            if w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()):
                continue
            unnamed.append(f"{type(w).__name__} {w.objectName()!r} in {screen.windowTitle()}")
    assert unnamed == []


def test_models_pass_the_model_tester(qtbot: QtBot, request: pytest.FixtureRequest, app: App,
                                      tmp_path: Path, corpus: Path) -> None:
    from pytestqt.modeltest import ModelTester

    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, [corpus / "photos"], "C-1", "post").accept()
    window.select(window.items.item_at(0).ref)
    for model in (window.cases, window.items, window.filtered, window.detail.timeline):
        assert model.rowCount() > 0
        ModelTester(request.config).check(model, force_py=True)  # one tester per model
    window.verify(tmp_path / "missing.zip")
    qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=WAIT)


def test_idle_time_locks_the_vault(qtbot: QtBot, tmp_path: Path) -> None:
    controller = App(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     kdf=TEST_KDF, idle_ms=300)
    window = create_vault(qtbot, controller, tmp_path)
    qtbot.waitUntil(lambda: isinstance(controller.screen, UnlockDialog), timeout=10_000)
    assert window.vault is None
    controller.screen.close()


def test_a_second_lock_while_locking_or_after_does_nothing(qtbot: QtBot, app: App,
                                                          tmp_path: Path) -> None:
    """The idle timer, the session's screen lock and sleep can all ask at once (while lock()
    processes events); the window locks once, and the unlock screen is shown once."""
    window = create_vault(qtbot, app, tmp_path)
    locked: list[int] = []
    window.locked.connect(lambda: locked.append(1))
    shown: list[object] = []
    real_unlock = app.unlock
    app.unlock = lambda path: (shown.append(path), real_unlock(path))  # type: ignore[method-assign]
    window.locking.connect(window.lock)  # asked again from inside lock()
    window.locking.connect(lambda: app.session.prepare_for_sleep(True))
    window.lock()
    window.lock()  # and after: the vault is closed already
    assert window.vault is None and locked == [1] and len(shown) == 1
    assert isinstance(app.screen, UnlockDialog)


def test_recent_vaults_are_remembered_as_paths_only(qtbot: QtBot, app: App,
                                                    tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    folder = window._open_vault().folder
    window.lock()
    assert app.recent() == [str(folder)]
    settings = (tmp_path / "settings.ini").read_text()
    assert PASSPHRASE not in settings and "Mary" not in settings
    app.start()
    start = app.screen
    assert start.recent_model.stringList() == [str(folder)]  # type: ignore[union-attr]


def test_a_second_launch_brings_the_first_forward(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from conftest import ROOT

    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = subprocess.Popen([sys.executable, "-m", "ui.app"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(tmp_path.glob("evidence-vault-*")):
            time.sleep(0.05)
        assert list(tmp_path.glob("evidence-vault-*")), "the first instance never listened"
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "ui.app"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=30)
        assert second.returncode == 0, second.stdout + second.stderr
        assert time.monotonic() - started < 10
        assert first.poll() is None  # the first one is still running
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_thumbnail_grid_fills_in_the_background(qtbot: QtBot, app: App, tmp_path: Path,
                                                corpus: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, [corpus / "photos", corpus / "pdf" / "minimal-document.pdf"],
                   "C-1", "post").accept()
    refs = {window.items.item_at(r).name: window.items.item_at(r).ref
            for r in range(window.items.rowCount())}
    window.grid_action.trigger()
    assert window.views.currentWidget() is window.grid
    wanted = [refs["portrait_8.jpg"], refs["DSCN0010.jpg"], refs["minimal-document.pdf"]]
    qtbot.waitUntil(lambda: all(window.items.has_thumbnail(r) for r in wanted), timeout=WAIT)
    row = next(r for r in range(window.items.rowCount())
               if window.items.item_at(r).ref == refs["portrait_8.jpg"])
    icon = window.items.data(window.items.index(row, 0), Qt.ItemDataRole.DecorationRole)
    size = icon.availableSizes()[0]
    assert size.height() > size.width()  # orientation 8 honoured on screen
    qtbot.waitUntil(lambda: not window.jobs, timeout=WAIT)
    window.lock()
    assert not window.items.has_thumbnail(wanted[0])


def confirm_signer(qtbot: QtBot, window: MainWindow, report: VerifyDialog,
                   how: str) -> VerifyDialog:
    """Click "Confirm this signer", say how, confirm: the package is verified again."""
    from ui.signers_ui import ConfirmSignerDialog

    qtbot.mouseClick(report.confirm, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert isinstance(dialog, ConfirmSignerDialog)
    assert not dialog.ok.isEnabled()  # how it was confirmed must be said
    dialog.how.setText(how)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog)
                    and window.dialog is not report, timeout=WAIT)
    again = window.dialog
    assert isinstance(again, VerifyDialog)
    return again


def test_health_report_and_receiving_a_package(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, write_files(tmp_path / "docs", 3), "C-1", "post").accept()
    window.health_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert window.dialog.headline.text() == "✔ OK: no problems found."
    assert "3 items" in window.dialog.lines[0].text()
    window.dialog.accept()

    # a package from another investigator, dropped on the window, verified, then received
    package = another_investigators_package(tmp_path)
    drop(window, [package])
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    # a signer this computer never confirmed, under the same name as this vault's own
    # investigator: intact, named as another key, not received until confirmed
    assert report.headline.text().startswith("⚠ NOT CONFIRMED: signed with a different key")
    assert not report.receive.isEnabled() and report.confirm.isVisible()
    report = confirm_signer(qtbot, window, report, "read out on the phone")
    assert report.headline.text().startswith("✔ VERIFIED") and report.receive.isEnabled()
    qtbot.mouseClick(report.receive, Qt.MouseButton.LeftButton)
    receive_into_case(qtbot, window)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    assert window.dialog.headline.text() == "Package received."
    names = {window.items.item_at(r).name for r in range(window.items.rowCount())}
    assert {"letter-00000.txt", "letter-00001.txt"} <= names


@pytest.mark.parametrize("signal", ["screen saver", "sleep", "suspended"])
def test_session_lock_and_sleep_lock_the_vault(qtbot: QtBot, app: App, tmp_path: Path,
                                               signal: str) -> None:
    window = create_vault(qtbot, app, tmp_path)
    if signal == "screen saver":
        app.session.screen_saver(False)  # the screen saver going away changes nothing
        assert window.vault is not None
        app.session.screen_saver(True)
    elif signal == "sleep":
        app.session.prepare_for_sleep(True)
    else:
        app._state_changed(Qt.ApplicationState.ApplicationSuspended)
    assert window.vault is None
    assert isinstance(app.screen, UnlockDialog)


def test_the_desktop_screen_lock_reaches_the_app_over_dbus(tmp_path: Path) -> None:
    """A private session bus: the freedesktop ActiveChanged(true) signal asks for a lock."""
    import os
    import subprocess
    import sys
    import time

    from conftest import ROOT

    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address,
               "QT_QPA_PLATFORM": "offscreen"}
        code = ("from PySide6.QtCore import QCoreApplication, QTimer\n"
                "app = QCoreApplication([])\n"
                "from ui.session import SessionWatcher\n"
                "w = SessionWatcher()\n"
                "print('watching', w.watching, flush=True)\n"
                "w.lock_requested.connect(lambda: (print('LOCK', flush=True), app.quit()))\n"
                "QTimer.singleShot(20000, app.quit)\n"
                "app.exec()\n")
        watcher = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, text=True)
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "watching ['screen saver']"
        for active in ("false", "true"):
            subprocess.run(["dbus-send", "--session", "--type=signal",
                            "/org/freedesktop/ScreenSaver",
                            "org.freedesktop.ScreenSaver.ActiveChanged", f"boolean:{active}"],
                           env=env, check=True)
            time.sleep(0.2)
        out, _ = watcher.communicate(timeout=30)
        assert out.strip() == "LOCK"
    finally:
        daemon.terminate()
        daemon.communicate(timeout=10)


def test_an_unexpected_error_is_a_message_not_a_traceback(qtbot: QtBot,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from ui import app as app_module

    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as e:
        app_module._show_unexpected(RuntimeError, e, e.__traceback__)
    box = app_module._open_boxes[-1]
    assert isinstance(box, QMessageBox)
    assert box.text() == "Internal error (RuntimeError). This is a bug; nothing acknowledged " \
        "was lost."
    assert "Traceback" in caplog.text  # the details go to the log, not to the window
    box.accept()
    assert app_module._open_boxes == []


def test_sorting_uses_real_values_and_keeps_the_selection(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTableView

    from ui.models import ITEM_ROLE, ItemFilter, ItemModel
    from vault.evidence.items import Item

    def item(n: int, size: int, name: str) -> Item:
        return Item(f"MO/{n}", name, size, f"{n:064x}", "text/plain", "2026-05-03T09:30:00Z",
                    "post", None, "present", None, {}, [])

    model = ItemModel()
    model.set_items([item(10, 5, "b.txt"), item(2, 1_000_000, "A.txt"), item(1, 90, "c.txt")])
    proxy = ItemFilter(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)

    def refs() -> list[str]:
        return [proxy.data(proxy.index(r, 0), ITEM_ROLE) for r in range(proxy.rowCount())]

    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert refs() == ["MO/1", "MO/2", "MO/10"]  # not MO/1, MO/10, MO/2
    view.selectRow(1)
    view.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # size, as a number
    assert refs() == ["MO/2", "MO/1", "MO/10"]
    assert proxy.data(view.currentIndex(), ITEM_ROLE) == "MO/2"  # the selection followed
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # names, case-insensitively
    assert refs() == ["MO/2", "MO/10", "MO/1"]
    proxy.set_filter("C.TXT")
    assert refs() == ["MO/1"]


def test_the_idle_time_is_the_users_choice(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = create_vault(qtbot, app, tmp_path)
    assert window.idle.interval() == 5 * 60_000  # the default
    dialog = window.choose_idle_minutes()
    dialog.setIntValue(12)
    dialog.accept()
    assert window.idle.interval() == 12 * 60_000 and window.idle.isActive()
    window.lock()
    assert app.idle_time() == 12 * 60_000  # remembered (a number, nothing sensitive)


def recovery_dialog(qtbot: QtBot, app: App, path: Path, key: str, new: str) -> Any:
    """The unlock screen of ``path``, "Forgot the passphrase?", the recovery dialog filled in
    (not yet submitted)."""
    from ui.vault_dialogs import RecoverDialog

    app.start(path)
    unlock = app.screen
    assert isinstance(unlock, UnlockDialog)
    qtbot.mouseClick(unlock.forgot, Qt.MouseButton.LeftButton)
    recover = unlock.recover_dialog
    assert isinstance(recover, RecoverDialog)
    recover.key.setText(key)
    recover.new.setText(new)
    recover.confirm.setText(new)
    return recover


def test_forgotten_passphrase_with_the_recovery_key(qtbot: QtBot, app: App,
                                                   tmp_path: Path) -> None:
    from conftest import NEW_PASSPHRASE


    v, recovery_key = Vault.create(tmp_path / "case", PASSPHRASE, _identity(), kdf=TEST_KDF)
    path = v.folder
    v.close()
    recover = recovery_dialog(qtbot, app, path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
                              NEW_PASSPHRASE)
    qtbot.mouseClick(recover.reset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: recover.job is None, timeout=WAIT)
    assert "recovery key" in recover.message.text().lower(), recover.message.text()
    assert app.window is None
    recover.key.setText(recovery_key)
    qtbot.mouseClick(recover.reset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    assert app.window is not None
    app.window.lock()
    Vault.open(path, passphrase=NEW_PASSPHRASE).close()  # the new passphrase opens it


def test_recovery_in_the_app_never_copies_an_edited_cost(qtbot: QtBot, app: App,
                                                         tmp_path: Path) -> None:
    """The edited-cost attack through the app: the passphrase slot's cost is edited down to
    8 KiB and one pass, the user resets her passphrase with the recovery key in the app, and
    the new slot is written at a freshly measured cost, at least the floor."""
    import json

    from conftest import NEW_PASSPHRASE

    from vault.store.keyslots import FLOOR_M_KIB, FLOOR_T

    v, recovery_key = Vault.create(tmp_path / "case", PASSPHRASE, _identity(), kdf=TEST_KDF)
    path = v.folder
    v.close()
    header = json.loads((path / "header.json").read_text())
    for slot in header["slots"]:
        if slot["kind"] == "passphrase":
            slot["kdf"].update(m_kib=8, t=1, p=1)
    (path / "header.json").write_text(json.dumps(header))
    recover = recovery_dialog(qtbot, app, path, recovery_key, NEW_PASSPHRASE)
    qtbot.mouseClick(recover.reset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=WAIT)
    assert app.window is not None
    assert app.window.open_problems.isHidden()  # both slots were rewritten above the floor
    app.window.lock()
    slots = json.loads((path / "header.json").read_text())["slots"]
    for slot in slots:
        assert slot["kdf"]["m_kib"] >= FLOOR_M_KIB and slot["kdf"]["t"] >= FLOOR_T, slot
    Vault.open(path, passphrase=NEW_PASSPHRASE).close()


def test_a_weakened_key_slot_is_named_in_the_window(qtbot: QtBot, app: App,
                                                    tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, _identity(), kdf=TEST_KDF)
    v.close()
    v = Vault.open(v.folder, passphrase=PASSPHRASE)  # a TEST_KDF slot is below the floor
    app.opened(v)
    assert app.window is not None
    banner = app.window.open_problems
    assert not banner.isHidden()
    assert banner.textFormat() == Qt.TextFormat.PlainText
    assert "passphrase key slot in header.json is cheap to attack" in banner.text()
    app.window.lock()


def test_a_tampered_package_is_shown_not_verified_and_cannot_be_received(
        qtbot: QtBot, app: App, tmp_path: Path) -> None:
    from packages import flip, rewrite_zip

    window = create_vault(qtbot, app, tmp_path)
    package = another_investigators_package(tmp_path)
    bad = tmp_path / "tampered.zip"

    def change(entries: dict[str, bytes]) -> None:
        name = next(n for n in entries if n.startswith("data/exhibits/"))
        entries[name] = flip(entries[name])

    rewrite_zip(package, bad, change)
    window.verify(bad)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    report = window.dialog
    assert report.headline.text().startswith(
        "✖ NOT VERIFIED: payload hashes: data/exhibits/")
    assert colour(BAD).name() in report.headline.styleSheet()  # red
    assert not report.receive.isEnabled()
    assert report.checks.rows()[-4][:2] == ["FAIL", "payload hashes"] or any(
        row[:2] == ["FAIL", "payload hashes"] for row in report.checks.rows())
    assert window.items.rowCount() == 0


def test_double_click_opens_the_viewer_and_locking_closes_it(qtbot: QtBot, app: App,
                                                             tmp_path: Path,
                                                             corpus: Path) -> None:
    from ui.viewer import ViewerWindow

    window = create_vault(qtbot, app, tmp_path)
    import_by_drop(qtbot, window, [corpus / "pdf" / "minimal-document.pdf",
                                   *write_files(tmp_path / "docs", 1)], "C-1", "post").accept()
    pdf_row = next(r for r in range(window.filtered.rowCount())
                   if window.filtered.index(r, 1).data() == "minimal-document.pdf")
    index = window.filtered.index(pdf_row, 1)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    viewers = window.findChildren(ViewerWindow)
    assert len(viewers) == 1
    viewer = viewers[0]
    qtbot.waitUntil(lambda: viewer.ready, timeout=WAIT)
    text_row = 1 - pdf_row
    window.select(window.filtered.data(window.filtered.index(text_row, 0), ITEM_ROLE))
    window.view_action.trigger()  # a text file: said plainly, no viewer
    assert isinstance(window.dialog, QMessageBox)
    assert "the viewer shows PDFs and photos" in window.dialog.text()
    window.lock()
    import shiboken6

    assert not shiboken6.isValid(viewer) or not viewer.isVisible()  # closed, then deleted


def test_redact_a_name_across_a_selection_of_documents(qtbot: QtBot, app: App,
                                                       tmp_path: Path) -> None:
    import pymupdf

    from vault.documents.annotations import read_content

    window = create_vault(qtbot, app, tmp_path)
    folder = tmp_path / "letters"
    folder.mkdir()
    for n in range(3):
        doc = pymupdf.open()
        doc.new_page().insert_text((72, 72), f"Letter {n}: Zelinda Marchbanks was seen.")
        doc.save(folder / f"letter-{n}.pdf")
        doc.close()
    import_by_drop(qtbot, window, [folder], "C-1", "post").accept()
    originals = {window.items.item_at(r).ref: window.items.item_at(r).sha256
                 for r in range(window.items.rowCount())}
    window.table.selectAll()
    dialog = window.open_redact_everywhere()
    dialog.word.setText("Marchbanks")
    dialog.reason.setText("S1")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    review = window.dialog
    assert review.headline.text() == "3 occurrences of 'Marchbanks' marked in 3 documents."
    make = next(b for b in review.buttons.buttons() if b.accessibleName() ==
                "Make redacted copies")
    qtbot.mouseClick(make, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog) and
                    window.dialog.headline.text() == "3 redacted copies made.", timeout=WAIT)
    v = window._open_vault()
    copies = [window.items.item_at(r) for r in range(window.items.rowCount())
              if window.items.item_at(r).ref not in originals]
    assert len(copies) == 3
    for item in copies:
        with pymupdf.open(stream=read_content(v, item), filetype="pdf") as doc:
            text = doc[0].get_text()
        assert "Marchbanks" not in text and "Letter" in text
    assert {r: get_sha(v, r) for r in originals} == originals  # originals untouched


def get_sha(v: Vault, ref: str) -> str:
    from vault.evidence.items import get_item

    return get_item(v, ref).sha256
