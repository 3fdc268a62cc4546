"""Windows sized for the screen they open on: a laptop's 1366x768, or a large screen with
large text, never a frame or a button off the edge (tests/test_screen_fit.py checks them)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

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


def text_width(widget: QWidget, characters: int, least: int = 0) -> int:
    """The width of ``characters`` average characters in the widget's font (a window as wide
    as its text needs, at any text size), and at least ``least`` pixels."""
    return max(least, widget.fontMetrics().averageCharWidth() * characters)


def fit_to_content(widget: QWidget, width: int, least_height: int = 0) -> None:
    """``widget`` ``width`` wide (or the screen's width) and as tall as its layout needs at
    that width: wrapped words are never squeezed into too few lines."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        width = min(width, screen.availableGeometry().width() - FRAME_ALLOWANCE // 4)
    layout = widget.layout()
    if layout is None:
        fit_size(widget, width, max(least_height, widget.sizeHint().height()))
        return
    layout.activate()
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else \
        layout.totalSizeHint().height()
    fit_size(widget, width, max(least_height, height, layout.totalMinimumSize().height()))


def _settle(window: QWidget) -> None:
    """The window's layout brought up to date (a dock added, moved or floated)."""
    layout = window.layout()
    if layout is not None:
        layout.activate()


def _fits(window: QWidget, area: QRect) -> bool:
    """Whether the window's least size, its layout brought up to date, fits ``area``."""
    _settle(window)
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    return least.width() <= area.width() - FRAME_ALLOWANCE // 4 \
        and least.height() <= area.height() - FRAME_ALLOWANCE


def dock_on_screen(window: QMainWindow, dock: QDockWidget) -> None:
    """Once ``dock`` is shown: if the window no longer fits its screen (large text on a small
    screen), the dock goes below the list, where it needs no width of its own; if the window
    still does not fit, the dock becomes a window of its own the size of the screen. The main
    window is then brought back within the screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    if not dock.isFloating() and not _fits(window, area):
        if window.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.show()
        if not _fits(window, area):
            dock.setFloating(True)
            fit_size(dock, area.width(), area.height())
            dock.move(area.topLeft())
            _settle(window)  # the room the dock took is given back
    if window.isMaximized() or window.isFullScreen() or area.contains(window.frameGeometry()):
        return
    fit_size(window, window.width(), window.height())
    if not area.contains(window.frameGeometry()):
        window.move(area.topLeft())
