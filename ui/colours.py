"""The status colours (good, bad, warning, information), chosen for the palette in use: a
dark variant on a light background, a light one on a dark background, each at least WCAG AA
(4.5:1) against the window and the list backgrounds (tests/test_colours.py). Colour is never
the only carrier of meaning: words and symbols say the same."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

GOOD, BAD, WARNING, INFO = "good", "bad", "warning", "info"
_CHOICES = {  # kind: (on a light background, on a dark background)
    GOOD: ("#166c2e", "#7ee2a0"),
    BAD: ("#b3261e", "#ff9e9e"),
    WARNING: ("#8a5300", "#ffb74d"),
    INFO: ("#5a4a8a", "#b8a9ff"),
}


def dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colour(kind: str, palette: QPalette | None = None) -> QColor:
    light_variant, dark_variant = _CHOICES[kind]
    return QColor(dark_variant if dark(palette) else light_variant)


def css(kind: str) -> str:
    """``color: #...`` for a label's style sheet."""
    return f"color: {colour(kind).name()}"


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + \
        0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# A redaction mark on the original: a redaction still to be made, drawn as red hatching with a
# dashed outline (never a solid box, which would look like a finished redaction).
PENDING_REDACTION_LAYER = "annotation-redaction"
PENDING_COLOUR = QColor(200, 0, 0)
