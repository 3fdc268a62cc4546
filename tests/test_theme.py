"""The light and the dark theme (ui/theme.py): readable in each (WCAG contrast of text,
placeholders, greyed text, links and the selection), following the system's colour scheme
when asked to, and remembered when chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.colours import contrast
from ui.theme import DARK, LIGHT, SETTING, SYSTEM, Theme, palette

R, G = QPalette.ColorRole, QPalette.ColorGroup


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
def test_each_theme_is_readable(scheme: str) -> None:
    p = palette(scheme)
    for text, ground, least in ((R.WindowText, R.Window, 7.0), (R.Text, R.Base, 7.0),
                                (R.ButtonText, R.Button, 7.0), (R.PlaceholderText, R.Base, 4.5),
                                (R.Link, R.Base, 4.5), (R.HighlightedText, R.Highlight, 4.5),
                                (R.ToolTipText, R.ToolTipBase, 7.0)):
        ratio = contrast(p.color(text), p.color(ground))
        assert ratio >= least, f"{scheme}: {text.name} on {ground.name} is {ratio:.1f}:1"
    for role in (R.WindowText, R.Text, R.ButtonText):  # greyed, but still there to read
        ratio = contrast(p.color(G.Disabled, role), p.color(G.Disabled, R.Window))
        assert ratio >= 3.0, f"{scheme}: disabled {role.name} is {ratio:.1f}:1"
    assert (p.color(R.Window).lightness() < 128) == (scheme == DARK)


def test_the_theme_follows_the_system_and_remembers_a_choice(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, hints = app.palette(), QGuiApplication.styleHints()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    try:
        theme = Theme(app, settings)
        assert theme.choice == SYSTEM
        # the desktop turns dark, then light (as its platform theme reports it)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert app.palette().color(R.Window).lightness() < 128
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert app.palette().color(R.Window).lightness() > 128
        theme.choose(DARK)  # View > Appearance > Dark: the system no longer decides
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert app.palette().color(R.Window).lightness() < 128
        assert settings.value(SETTING) == DARK
        assert Theme(app, settings).choice == DARK  # the next start
    finally:
        app.setPalette(before)


def test_view_appearance_in_the_main_window(qtbot: QtBot, tmp_path: Path,
                                             vault: object) -> None:
    from ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    theme = Theme(app, settings)
    window = MainWindow(vault, theme=theme)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    try:
        menu = next(a.menu() for a in window.view_menu.actions()
                    if a.text() == "&Appearance")
        choices = {a.data(): a for a in menu.actions()}
        assert set(choices) == {SYSTEM, LIGHT, DARK} and choices[SYSTEM].isChecked()
        assert all(not a.icon().isNull() for a in choices.values())
        choices[DARK].trigger()
        assert choices[DARK].isChecked() and not choices[SYSTEM].isChecked()
        assert app.palette().color(R.Window).lightness() < 128
        assert settings.value(SETTING) == DARK
    finally:
        window.lock()
        app.setPalette(before)
