"""Help > Check this installation (and the start window's button): ``evidence-vault
self-test`` on a background thread, its progress, then the result with problems first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from ui.worker import Job


class SelfTestRun(QObject):
    """One run: a progress window while it works (cancellable), then the result window.
    Nothing of an open vault is touched: the test makes and deletes a vault of its own."""

    finished = Signal(object)  # the ResultDialog shown

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        from ui.operations import ProgressDialog
        from vault.install.selftest import run_self_test

        self.parent_widget = parent
        self.job = Job(run_self_test)
        self.progress = ProgressDialog(self.tr("Checking this installation"), self.job, parent)
        self.progress.bar.setRange(0, 0)  # busy: about ten seconds, no steps to count
        self.progress.what.setText(self.tr("Trying each part on made-up files in a throwaway "
                                           "vault…"))
        self.result: Any = None
        self.job.finished.connect(self._done)
        self.job.failed.connect(lambda message, _bug: self._failed(message))
        self.progress.show()
        QThreadPool.globalInstance().start(self.job)

    def _done(self, result: Any) -> None:
        from ui.operations import ResultDialog

        self.progress.accept()
        lines = result.lines()
        self.result = ResultDialog(self.tr("Check this installation"), lines[0], lines[2:],
                                   result.ok, self.parent_widget)
        self.result.open()
        self.finished.emit(self.result)

    def _failed(self, message: str) -> None:
        from ui.operations import ResultDialog

        self.progress.accept()
        self.result = ResultDialog(self.tr("Check this installation"),
                                   self.tr("The check could not run"), [message], False,
                                   self.parent_widget)
        self.result.open()
        self.finished.emit(self.result)
