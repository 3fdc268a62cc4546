"""Status colours meet WCAG AA (4.5:1) against the window and list backgrounds, in a light
and a dark palette (the dark verification screen once had NOT VERIFIED at 2.4:1)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from ui.colours import BAD, GOOD, INFO, WARNING, colour, contrast


def palette(window: str, base: str, text: str) -> QPalette:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, QColor(window))
    p.setColor(QPalette.ColorRole.Base, QColor(base))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(base))
    p.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return p


LIGHT = {"Fusion light": ("#efefef", "#ffffff", "#000000"),
         "white": ("#ffffff", "#ffffff", "#000000")}
DARK = {"Fusion dark": ("#353535", "#2a2a2a", "#ffffff"),
        "near black": ("#1e1e1e", "#121212", "#ffffff")}


@pytest.mark.parametrize("name", [*LIGHT, *DARK])
@pytest.mark.parametrize("kind", [GOOD, BAD, WARNING, INFO])
def test_status_colours_are_readable(qapp: object, name: str, kind: str) -> None:
    window, base, _text = {**LIGHT, **DARK}[name]
    p = palette(window, base, _text)
    c = colour(kind, p)
    for background in (window, base):
        assert contrast(c, QColor(background)) >= 4.5, (kind, name, c.name(), background)


def test_the_contrast_formula() -> None:
    assert round(contrast(QColor("#000000"), QColor("#ffffff")), 1) == 21.0
    assert round(contrast(QColor("#777777"), QColor("#ffffff")), 2) == 4.48
