"""Reading details, indexing and OCR in the background: after an import (and at unlock, when
work is left) one :class:`ui.worker.Job` runs the core's ``run_detail_jobs`` (what an import
left: a photo's EXIF, a PDF's pages), ``run_index_jobs`` then ``run_ocr_jobs``, with its
progress in the status bar ("Reading scans: 3 of 12 pages") and a Cancel button; never a
dialog. Locking cancels it (the window cancels its jobs); what was read is kept and the rest
is resumed at the next unlock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.worker import Job, start
from vault.evidence.children import run_children_jobs
from vault.evidence.details import CHILDREN, DetailProgress, run_detail_jobs
from vault.evidence.details import KIND as DETAILS
from vault.evidence.importer import ImportResult
from vault.search.index import IndexProgress, pending_counts, run_index_jobs
from vault.search.ocr import OcrProgress, run_ocr_jobs, tesseract_available
from vault.store.vault import Vault


def text_work(v: Vault) -> Callable[[Callable[[], bool]], Iterator[Any]]:
    """The job: index progress, then OCR progress (none when Tesseract is missing), then
    ``"done"``."""
    def work(cancel: Callable[[], bool]) -> Iterator[Any]:
        yield from run_children_jobs(v, cancel)  # attachments, a mailbox's messages...
        yield from run_detail_jobs(v, cancel)
        yield from run_index_jobs(v, cancel)
        if not cancel() and pending_counts(v)["ocr"] and tesseract_available():
            yield from run_ocr_jobs(v, cancel=cancel)
        yield "done"
    return work


class TextJobs(QObject):
    """Owns the background job and its status-bar widget. ``jobs`` is the window's set of
    running jobs (cancelled and waited for at lock)."""

    changed = Signal(str)  # an item's searchable text changed (ref): refresh what is shown
    details_read = Signal(str)  # an item's details were read (ref): its row and pane too
    items_added = Signal()  # items found inside others were made: the list shows them
    finished = Signal()

    def __init__(self, vault: Callable[[], Vault | None], jobs: set[Job],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._jobs = jobs
        self.job: Job | None = None
        self._again = False
        self.made = 0  # items made from inside others by the running job, not yet listed
        self.widget = QWidget()
        self.widget.setAccessibleName(self.tr("Background reading"))
        self.label = QLabel()
        self.label.setAccessibleName(self.tr("Background reading progress"))
        self.cancel_button = QPushButton(self.tr("Stop"))
        self.cancel_button.setAccessibleName(self.tr("Stop reading scans"))
        self.cancel_button.setFlat(True)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel_button)
        self.widget.hide()

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self) -> bool:
        """Start the job if there is work queued (again after the running one, if any)."""
        v = self._vault()
        if v is None:
            return False
        if self.job is not None:
            self._again = True
            return True
        counts = pending_counts(v)
        if not counts["index"] and not counts.get(DETAILS) and not counts.get(CHILDREN) and \
                not (counts["ocr"] and tesseract_available()):
            return False
        job = Job(text_work(v))
        self.job = job
        self._jobs.add(job)
        job.progress.connect(lambda p: self._progress(job, p))
        job.finished.connect(lambda _r: self._ended(job, ""))
        job.failed.connect(lambda message, _bug: self._ended(job, message))
        self.label.setText(self.tr("Reading the new evidence…"))
        self.cancel_button.setEnabled(True)
        self.widget.show()
        start(job)
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._again = False
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Stopping… (what was read is kept)"))

    def _progress(self, job: Job, p: Any) -> None:
        if job is not self.job or job.cancelled:
            return
        if isinstance(p, ImportResult):
            self.made += 1
            self.label.setText(self.tr("Opening attachments and mailboxes: {n} items "
                                       "made").format(n=self.made))
        elif isinstance(p, DetailProgress):
            if self.made:  # the items made first: in the list before their details arrive
                self.made = 0
                self.items_added.emit()
            self.label.setText(self.tr("Reading details: {done} of {total} items").format(
                done=p.done, total=p.total))
            self.details_read.emit(p.ref)
        elif isinstance(p, IndexProgress):
            self.label.setText(self.tr("Indexing: {done} of {total} items").format(
                done=p.done, total=p.total))
            if p.ref:
                self.changed.emit(p.ref)
        elif isinstance(p, OcrProgress):
            self.label.setText(self.tr("Reading scans: {done} of {total} pages").format(
                done=p.pages_done, total=p.pages_total))
            if p.finished:
                self.changed.emit(p.ref)

    def _ended(self, job: Job, message: str) -> None:
        self._jobs.discard(job)
        if job is not self.job:
            return
        self.job = None
        if self.made:
            self.made = 0
            self.items_added.emit()
        cancelled = job.cancelled
        if message and not cancelled:
            self.label.setText(self.tr("Scans could not be read: {message}").format(
                message=message))
            self.cancel_button.setEnabled(False)
        else:
            self.widget.hide()
            self.label.clear()
        self.finished.emit()
        if self._again and not cancelled:
            self._again = False
            self.start()

    def stop(self) -> None:
        """At lock: forget the job (the window has cancelled and waited for it)."""
        if self.job is not None:
            self.job.cancel()
        self.job = None
        self._again = False
        self.label.clear()
        self.widget.hide()
