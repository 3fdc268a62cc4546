"""Windows sized for the screen they open on: a laptop's 1366x768, or a large screen with
large text, never a frame or a button off the edge (tests/test_screen_fit.py checks them)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME_ALLOWANCE = 40  # the title bar and borders the window system adds around the window


def fit_size(widget: QWidget, width: int, height: int) -> None:
    """``widget`` resized to ``width`` x ``height``, or to the screen's available area (less its
    frame) when that is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    area = screen.availableGeometry()
    widget.resize(min(width, area.width() - FRAME_ALLOWANCE // 4),
                  min(height, area.height() - FRAME_ALLOWANCE))
