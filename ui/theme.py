"""The light and the dark theme. By default the app follows the system's colour scheme (and
changes with it); View > Appearance can fix one. Both use Qt's Fusion style with palettes of
our own, so that text, placeholders, links and the focus ring are readable in each (contrast
checked in tests/test_theme.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu

SYSTEM, LIGHT, DARK = "system", "light", "dark"
CHOICES = (SYSTEM, LIGHT, DARK)
SETTING = "appearance"

R = QPalette.ColorRole
G = QPalette.ColorGroup

_LIGHT = {
    R.Window: "#efefef", R.WindowText: "#1b1b1b", R.Base: "#ffffff", R.AlternateBase: "#f5f5f5",
    R.Text: "#1b1b1b", R.Button: "#e8e8e8", R.ButtonText: "#1b1b1b", R.BrightText: "#ffffff",
    R.Highlight: "#2f74c0", R.HighlightedText: "#ffffff", R.ToolTipBase: "#ffffdc",
    R.ToolTipText: "#1b1b1b", R.Link: "#1a5aa6", R.LinkVisited: "#6b3fa0",
    R.PlaceholderText: "#6b6b6b", R.Light: "#ffffff", R.Midlight: "#e3e3e3", R.Mid: "#b8b8b8",
    R.Dark: "#9f9f9f", R.Shadow: "#767676", R.Accent: "#2f74c0",
}
_DARK = {
    R.Window: "#2b2b2b", R.WindowText: "#f0f0f0", R.Base: "#1e1e1e", R.AlternateBase: "#262626",
    R.Text: "#f0f0f0", R.Button: "#383838", R.ButtonText: "#f0f0f0", R.BrightText: "#ffffff",
    R.Highlight: "#2f6db5", R.HighlightedText: "#ffffff", R.ToolTipBase: "#3a3a3a",
    R.ToolTipText: "#f0f0f0", R.Link: "#8cc0ff", R.LinkVisited: "#c7a6ff",
    R.PlaceholderText: "#a8a8a8", R.Light: "#4a4a4a", R.Midlight: "#404040", R.Mid: "#5a5a5a",
    R.Dark: "#1a1a1a", R.Shadow: "#0d0d0d", R.Accent: "#2f6db5",
}
# Greyed text: still readable (WCAG 3:1 against its background), never invisible.
_DISABLED = {LIGHT: "#7a7a7a", DARK: "#8e8e8e"}


def palette(scheme: str) -> QPalette:
    """The palette of ``scheme`` (LIGHT or DARK)."""
    roles = _DARK if scheme == DARK else _LIGHT
    p = QPalette()
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    grey = QColor(_DISABLED[DARK if scheme == DARK else LIGHT])
    for role in (R.WindowText, R.Text, R.ButtonText, R.PlaceholderText):
        p.setColor(G.Disabled, role, grey)
    return p


def system_scheme(reported: Qt.ColorScheme | None = None) -> str:
    """The desktop's scheme: as it last reported it, else as the style hints say now."""
    scheme = reported if reported is not None else QGuiApplication.styleHints().colorScheme()
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


class Theme(QObject):
    """Applies the chosen appearance to the application and follows the system's scheme
    when the choice is SYSTEM. Owned by the app's controller; nothing global."""

    def __init__(self, app: QApplication, settings: QSettings | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.settings = settings
        self.choice = self._stored()
        self._reported: Qt.ColorScheme | None = None  # by the desktop, when it changes
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def _stored(self) -> str:
        value = str(self.settings.value(SETTING, SYSTEM)) if self.settings is not None \
            else SYSTEM
        return value if value in CHOICES else SYSTEM

    def scheme(self) -> str:
        return system_scheme(self._reported) if self.choice == SYSTEM else self.choice

    def choose(self, choice: str) -> None:
        if choice not in CHOICES:
            raise ValueError(choice)
        self.choice = choice
        if self.settings is not None:
            self.settings.setValue(SETTING, choice)
        self.apply()

    def apply(self) -> None:
        self.app.setPalette(palette(self.scheme()))

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        self._reported = scheme
        if self.choice == SYSTEM:
            self.apply()


def appearance_menu(menu: QMenu, theme: Theme) -> QMenu:
    """View > Appearance: follow the system, light or dark (one checked)."""
    sub = menu.addMenu(menu.tr("&Appearance"))
    group = QActionGroup(sub)
    group.setExclusive(True)
    for choice, text in ((SYSTEM, menu.tr("Follow the &system")), (LIGHT, menu.tr("&Light")),
                         (DARK, menu.tr("&Dark"))):
        action = sub.addAction(text)
        action.setCheckable(True)
        action.setChecked(theme.choice == choice)
        action.setData(choice)
        group.addAction(action)
        action.triggered.connect(lambda _checked=False, c=choice: theme.choose(c))
    return sub
