"""Everyday things a new user hit: a new case from the menu, Enter opens an exhibit, dates a
person can read (UTC in the tooltip), File > Quit locks and then quits, and closing the
window does the same."""

from __future__ import annotations

from pathlib import Path

from conftest import IDENTITY, PASSPHRASE, write_files
from packages import import_files
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.app import App
from ui.models import short_time
from vault.items import list_cases
from vault.keyslots import TEST_KDF
from vault.vault import Vault


def window_with(app: App, tmp_path: Path, files: int = 1) -> object:
    v, _ = Vault.create(tmp_path / "case", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    import_files(v, write_files(tmp_path / "docs", files), case="NB-1")
    app.opened(v)
    assert app.window is not None
    return app.window


def test_a_new_case_from_the_menu(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.new_case("  Eastfield   FOI  ")  # type: ignore[attr-defined]
    assert "Eastfield FOI" in list_cases(window.vault)  # type: ignore[attr-defined]
    cases = [window.cases.case_at(r)  # type: ignore[attr-defined]
             for r in range(window.cases.rowCount())]  # type: ignore[attr-defined]
    assert "Eastfield FOI" in cases
    actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()]  # type: ignore
    assert {"Import a &folder…", "&New case…", "&Quit"} <= set(actions)


def test_enter_opens_the_exhibit(qtbot: QtBot, app: App, tmp_path: Path,
                                 corpus: Path) -> None:
    from ui.viewer import ViewerWindow

    window = window_with(app, tmp_path, 0)
    import_files(window.vault, [corpus / "pdf" / "minimal-document.pdf"])  # type: ignore
    window.refresh()  # type: ignore[attr-defined]
    table = window.table  # type: ignore[attr-defined]
    table.setFocus()
    table.setCurrentIndex(window.filtered.index(0, 0))  # type: ignore[attr-defined]
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.findChildren(ViewerWindow)),  # type: ignore
                    timeout=10_000)


def test_dates_a_person_can_read(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    import re

    # "3 Dec 2026, 06:08" in this computer's time zone
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}",
                        short_time("2026-12-03T06:08:00.000000Z"))
    window = window_with(app, tmp_path)
    model = window.items  # type: ignore[attr-defined]
    shown = model.data(model.index(0, 4), Qt.ItemDataRole.DisplayRole)
    assert "T" not in shown and "2026" in shown and "," in shown
    tip = model.data(model.index(0, 4), Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("Z (UTC)")


def test_quit_locks_then_quits_without_the_unlock_screen(qtbot: QtBot, app: App,
                                                         tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.quit_action.trigger()  # type: ignore[attr-defined]
    assert window.vault is None  # type: ignore[attr-defined]  # locked first
    assert app.window is None and app.screen is None  # no unlock screen: it quits


def test_closing_the_window_locks_and_quits(qtbot: QtBot, app: App, tmp_path: Path) -> None:
    window = window_with(app, tmp_path)
    window.close()  # type: ignore[attr-defined]
    assert window.vault is None  # type: ignore[attr-defined]
    assert app.screen is None
