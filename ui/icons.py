"""The program's own icons (resources/icons/actions/*.svg, drawn for it, AGPL like the rest):
one-colour line drawings tinted with the palette's text colour, so they follow the light or
dark theme. ``Icons`` keeps what it decorated and tints it again when the palette changes."""

from __future__ import annotations

import weakref
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QWidget

APP_ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "evidence-vault.svg"
FOLDER = APP_ICON.parent / "actions"
SIZES = (16, 24, 32)
SCALES = (1.0, 2.0)  # a HiDPI screen draws the 2x pixmaps


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.svg"))


@cache
def _source(name: str) -> str:
    path = FOLDER / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon named {name!r} in {FOLDER}")
    return path.read_text(encoding="utf-8")


def _pixmap(name: str, colour: QColor, size: int, scale: float) -> QPixmap:
    svg = _source(name).replace("currentColor", colour.name())
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    side = round(size * scale)
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """The icon called ``name``, in the palette's text colour (greyed when disabled)."""
    palette = palette or QGuiApplication.palette()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    selected = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    result = QIcon()
    for size in SIZES:
        for scale in SCALES:
            drawn = _pixmap(name, normal, size, scale)
            result.addPixmap(drawn, QIcon.Mode.Normal)
            result.addPixmap(drawn, QIcon.Mode.Active)
            result.addPixmap(_pixmap(name, disabled, size, scale), QIcon.Mode.Disabled)
            result.addPixmap(_pixmap(name, selected, size, scale), QIcon.Mode.Selected)
    return result


class Icons(QObject):
    """Icons of one window's actions and buttons, tinted again when its palette changes."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self._given: list[tuple[weakref.ReferenceType[QObject], str]] = []
        self._cache: dict[str, QIcon] = {}
        owner.installEventFilter(self)

    def set(self, target: QAction | QAbstractButton, name: str) -> None:
        target.setIcon(self._icon(name))
        self._given.append((weakref.ref(target), name))

    def _icon(self, name: str) -> QIcon:
        if name not in self._cache:
            self._cache[name] = icon(name, self._owner.palette())
        return self._cache[name]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._owner and event.type() == QEvent.Type.PaletteChange:
            self.retint()
        return False

    def retint(self) -> None:
        self._cache.clear()
        alive: list[tuple[weakref.ReferenceType[QObject], str]] = []
        for ref, name in self._given:
            target = ref()
            if isinstance(target, QAction | QAbstractButton):
                try:
                    target.setIcon(self._icon(name))
                except RuntimeError:  # its C++ side is gone
                    continue
                alive.append((ref, name))
        self._given = alive


def toolbar_icon_size(widget: QWidget) -> QSize:
    """Toolbar icons scaled with the text (readable at 200% text)."""
    side = max(20, round(widget.fontMetrics().height() * 1.35))
    return QSize(side, side)
