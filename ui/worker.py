"""The one worker mechanism: run a core generator or function on the QThreadPool.

Core operations are plain generators that yield progress and accept a ``cancel`` callable
(napari style). :class:`Job` runs one on a pool thread and delivers what it yields as
``progress``, its last value or return value as ``finished``, and any exception as
``failed`` with a message fit for the user. Signals cross to the GUI thread queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ui.messages import user_message


class _Signals(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str, bool)  # message, is_bug


class Job(QRunnable):
    """``work(cancel)`` returns a value, or an iterator (a core generator) of progress values
    whose last one is the result. Keep a reference to the Job until ``finished`` or
    ``failed`` arrives."""

    def __init__(self, work: Callable[[Callable[[], bool]], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._work = work
        self._cancelled = threading.Event()
        self.signals = _Signals()
        self.progress, self.finished, self.failed = (self.signals.progress,
                                                     self.signals.finished, self.signals.failed)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def run(self) -> None:
        try:
            value = self._work(self._cancelled.is_set)
            if isinstance(value, Iterator):  # a core generator: progress, then the result
                last = None
                for last in value:
                    self.signals.progress.emit(last)
                value = last
        except BaseException as e:  # every failure reaches the window as a message
            text, is_bug = user_message(e)
            self.signals.failed.emit(text, is_bug)
            return
        self.signals.finished.emit(value)


def start(job: Job, pool: QThreadPool | None = None) -> Job:
    (pool or QThreadPool.globalInstance()).start(job)
    return job
