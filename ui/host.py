"""What the main window offers the features that live in it (search, trusted timestamps, the
viewer): a small interface below them, so that they never import the main window, and the
main window imports them without a circle (tests/test_architecture.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from ui.detail import DetailPane
from ui.screen_fit import dock_on_screen
from ui.worker import Job
from vault.store.vault import Vault


class WindowHost(QMainWindow):
    """The main window as its features see it; :class:`ui.main_window.MainWindow` is the one
    implementation."""

    locking = Signal()  # about to lock: viewers close now, while the vault is still open
    vault: Vault | None  # None while locked
    jobs: set[Job]  # running jobs (kept alive until they report)
    dialog: Any  # the last dialog opened (tests look at it)
    detail: DetailPane

    def run(self, title: str, job: Job, done: Any) -> Any:
        """Start ``job`` with a progress dialog; ``done(result)`` runs on success."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def open_viewer(self, ref: str) -> Any:
        raise NotImplementedError

    def add_to_chronology(self, ref: str, page: int, quote: str,
                          region: list[float] | None = None) -> Any:
        """A fact citing ``quote`` on ``page`` (from 1) of ``ref`` (the viewer's selection),
        or the area ``region`` (a box drawn, no words)."""
        raise NotImplementedError

    def show_in_list(self, ref: str) -> None:
        """Select the item in the list, showing every item if a filter hides it."""
        raise NotImplementedError


def feature_dock(window: QMainWindow, title: str, name: str, widget: QWidget,
                 area: Qt.DockWidgetArea, action_text: str,
                 shortcuts: list[QKeySequence]) -> tuple[QDockWidget, QAction]:
    """A feature's dock (hidden until asked for) and the action that shows it, on the
    window and in its View menu; connect the action to the feature's own ``show``."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setAccessibleName(title)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    dock.hide()  # until asked for: the list keeps the room
    action = QAction(action_text, window)
    action.setShortcuts(shortcuts)
    window.addAction(action)
    view = next((a.menu() for a in window.menuBar().actions()
                 if a.text() == window.tr("&View")), None)
    if isinstance(view, QMenu):
        view.addAction(action)
    return dock, action


def show_dock(window: QMainWindow, dock: QDockWidget) -> None:
    """A feature's dock shown and raised, where the window still fits its screen."""
    dock.show()
    dock.raise_()
    dock_on_screen(window, dock)
