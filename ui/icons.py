"""The program's own icons (resources/icons/actions/*.svg, drawn for it, AGPL like the rest):
one-colour line drawings tinted with the palette's text colour, so they follow the light or
dark theme. ``Icons`` keeps what it decorated and tints it again when the palette changes."""

from __future__ import annotations

import weakref
from functools import cache, lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
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


def _pixmaps(name: str, colour: str) -> list[QPixmap]:
    """The icon drawn in ``colour`` at every size and scale (one SVG parse)."""
    renderer = QSvgRenderer(QByteArray(_source(name).replace("currentColor", colour).encode()))
    out: list[QPixmap] = []
    for size in SIZES:
        for scale in SCALES:
            side = round(size * scale)
            image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, side, side))
            painter.end()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(scale)
            out.append(pixmap)
    return out


@lru_cache(maxsize=512)
def _drawn(name: str, normal: str, disabled: str, selected: str) -> QIcon:
    """Drawn once per name and colours: every window showing it shares the pixmaps."""
    result = QIcon()
    for colour, modes in ((normal, (QIcon.Mode.Normal, QIcon.Mode.Active)),
                          (disabled, (QIcon.Mode.Disabled,)),
                          (selected, (QIcon.Mode.Selected,))):
        for pixmap in _pixmaps(name, colour):
            for mode in modes:
                result.addPixmap(pixmap, mode)
    return result


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """The icon called ``name``, in the palette's text colour (greyed when disabled)."""
    palette = palette or QGuiApplication.palette()
    return _drawn(
        name,
        palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText).name(),
        palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name(),
        palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText).name())


class Icons(QObject):
    """Icons of one window's actions and buttons, tinted again when its palette changes."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self._given: list[tuple[weakref.ReferenceType[QObject], str]] = []
        owner.installEventFilter(self)

    def set(self, target: QAction | QAbstractButton, name: str) -> None:
        target.setIcon(icon(name, self._owner.palette()))
        self._given.append((weakref.ref(target), name))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._owner and event.type() == QEvent.Type.PaletteChange:
            self.retint()
        return False

    def retint(self) -> None:
        alive: list[tuple[weakref.ReferenceType[QObject], str]] = []
        for ref, name in self._given:
            target = ref()
            if isinstance(target, QAction | QAbstractButton):
                try:
                    target.setIcon(icon(name, self._owner.palette()))
                except RuntimeError:  # its C++ side is gone
                    continue
                alive.append((ref, name))
        self._given = alive


def toolbar_icon_size(widget: QWidget) -> QSize:
    """Toolbar icons scaled with the text (readable at 200% text)."""
    side = max(20, round(widget.fontMetrics().height() * 1.35))
    return QSize(side, side)
