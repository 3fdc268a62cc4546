"""What the main window offers the features that live in it (search, trusted timestamps, the
viewer): a small interface below them, so that they never import the main window, and the
main window imports them without a circle (tests/test_architecture.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow

from ui.detail import DetailPane
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

    def show_in_list(self, ref: str) -> None:
        """Select the item in the list, showing every item if a filter hides it."""
        raise NotImplementedError
