"""Trusted time in the desktop app (docs/timestamps.md): the menu actions opening the
"Trusted timestamps" dialog (ui/tsa_dialog.py, its tables in ui/tsa_models.py), stamping in
the background whenever a TSA is turned on, the status-bar count of what is still waiting,
and the history checks against an earlier package.

Every network exchange runs in a :class:`ui.worker.Job` (the core's ``stamp_pending``), one
at a time; an unreachable TSA is normal (offline first) and only shows in the queue and the
status bar. Locking stops the timers and cancels the job with the window's other jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu

from ui.operations import ResultDialog
from ui.tsa_dialog import TimestampsDialog
from ui.worker import Job, start
from vault.store.vault import Vault
from vault.timestamps import stamping as ts

if TYPE_CHECKING:
    from ui.host import WindowHost

EVERY_MS = 5 * 60 * 1000  # background stamping while a TSA is turned on
SOON_MS = 3000  # after an import, a receipt or an export
BACKGROUND_TIMEOUT = 5.0  # seconds per TSA answer in the background (lock waits for it)


class TimestampsFeature(QObject):
    """Trusted time in the main window (``window.timestamps``)."""

    finished = Signal(object)  # a stamping job ended: its StampReport, or None if it failed

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.job: Job | None = None
        self.manual = False  # the running (or next) job was asked for by "Stamp now"
        self.manual_waiting = False  # "Stamp now" asked while another job ran
        self.dialog: TimestampsDialog | None = None
        self.shown_warnings: set[str] = set()
        self.last_report: ts.StampReport | None = None
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Waiting for a trusted timestamp"))
        self.status.hide()
        window.statusBar().addPermanentWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.stamp)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(SOON_MS)
        self.soon.timeout.connect(self.stamp)
        menu = self._vault_menu()
        self.dialog_action = self._action(menu, self.tr("&Trusted timestamps…"),
                                          self.open_dialog)
        self.history_action = self._action(
            menu, self.tr("Check &history against an earlier package…"),
            self.choose_packages_to_compare)
        self.vault_history_action = self._action(
            menu, self.tr("Check this &vault against a package…"), self.choose_vault_package)
        window.locking.connect(self._locking)

    def _vault_menu(self) -> QMenu:
        bar = self.window.menuBar()
        menu = next((a.menu() for a in bar.actions() if a.text() == self.tr("&Vault")), None)
        if isinstance(menu, QMenu):
            return menu
        return bar.addMenu(self.tr("&Vault"))

    def _action(self, menu: QMenu, text: str, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def vault(self) -> Vault | None:
        return self.window.vault

    def roots(self) -> list[x509.Certificate]:
        """The configured TSAs' CA certificates: the trusted roots for verifying packages."""
        v = self.vault()
        return ts.tsa_roots(v) if v is not None else []

    # ------------------------------------------------------------ status and scheduling
    def refreshed(self) -> None:
        """After the window read the vault (unlock, import, receive): count, then stamp soon."""
        self.update_status()
        self.work_done()

    def work_done(self) -> None:
        """After an import, receipt or export: stamp shortly, if a TSA is turned on."""
        v = self.vault()
        if v is None:
            return
        if any(t.enabled for t in ts.list_tsas(v)):
            if not self.timer.isActive():
                self.timer.start()
            self.soon.start()
        else:
            self.timer.stop()

    def changed(self) -> None:
        """The TSA configuration changed."""
        self.update_status()
        self.work_done()

    def update_status(self) -> int:
        v = self.vault()
        if v is None:
            return 0
        n = ts.unstamped_count(v) if ts.list_tsas(v) else 0
        self.status.setText(self.tr("{n} waiting for a trusted timestamp").format(n=n))
        self.status.setVisible(n > 0)
        return n

    # ------------------------------------------------------------ stamping
    @property
    def running(self) -> bool:
        return self.job is not None

    def stamp(self, manual: bool = False) -> bool:
        """Start a stamping job (at most one at a time); ``manual`` for "Stamp now" (a longer
        timeout; its report goes to the dialog). False when nothing was started."""
        v = self.vault()
        if v is None:
            return False
        if self.job is not None:
            self.manual_waiting = self.manual_waiting or manual
            return True
        if not manual and (not any(t.enabled for t in ts.list_tsas(v))
                           or not ts.unstamped_count(v)):
            return False
        timeout = ts.DEFAULT_TIMEOUT if manual else BACKGROUND_TIMEOUT

        def work(cancel: Callable[[], bool]) -> Any:
            return ts.stamp_pending(v, timeout=timeout, cancel=cancel)

        job = Job(work)
        self.job, self.manual = job, manual
        self.window.jobs.add(job)
        job.finished.connect(lambda result: self._ended(job, result, ""))
        job.failed.connect(lambda message, _bug: self._ended(job, None, message))
        start(job)
        return True

    def _ended(self, job: Job, result: Any, failure: str) -> None:
        self.window.jobs.discard(job)
        if job is not self.job:
            return
        manual, self.job, self.manual = self.manual, None, False
        if self.vault() is None:  # locked meanwhile: show nothing
            return
        report = result if isinstance(result, ts.StampReport) else None
        self.last_report = report
        self.update_status()
        for stamped in report.stamped if report else []:
            key = f"{stamped.kind} {stamped.subject} {stamped.tsa}"
            if stamped.warning and key not in self.shown_warnings:  # once
                self.shown_warnings.add(key)
                self.window.statusBar().showMessage(stamped.warning, 60_000)
        if self.dialog is not None:
            if manual:
                self.dialog.show_report(report, failure or self.tr("cancelled"))
            else:
                self.dialog.reload()
        self.finished.emit(report)
        if self.manual_waiting:
            self.manual_waiting = False
            self.stamp(manual=True)

    def _locking(self) -> None:
        self.timer.stop()
        self.soon.stop()
        self.manual_waiting = False
        if self.job is not None:
            self.job.cancel()  # the window waits for it with its other jobs
        self.dialog = None
        self.status.hide()
        self.status.clear()

    def export_lines(self, result: Any) -> list[str]:
        """What the export result says about the signature's trusted time."""
        if result.signature_timestamp:
            return [self.tr("Trusted time on the signature: {time} (TSA: {tsa})").format(
                time=result.signature_timestamp, tsa=result.signature_tsa)]
        if result.timestamp_waiting and str(result.path).endswith(".age"):
            return [self.tr("Trusted time: no Time-Stamp Authority answered. An encrypted "
                            "package cannot take the timestamp later: export it again when "
                            "this computer is online if it needs one.")]
        if result.timestamp_waiting:
            return [self.tr("Trusted time: no Time-Stamp Authority answered. The request "
                            "waits in the vault: when this computer is online, Add the trusted "
                            "time puts it into the package.")]
        return []

    # ------------------------------------------------------------ the dialog
    def open_dialog(self) -> TimestampsDialog | None:
        if self.vault() is None:
            return None
        dialog = TimestampsDialog(self, self.window)
        self.dialog = dialog
        self.window.dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: TimestampsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # ------------------------------------------------------------ history
    def choose_packages_to_compare(self) -> None:
        newer, _ = QFileDialog.getOpenFileName(self.window, self.tr("The newer package"), "",
                                               self.tr("Packages (*.zip)"))
        if newer:
            self.choose_earlier(Path(newer))

    def choose_earlier(self, newer: Path) -> None:
        older, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("An earlier package of the same vault (before {name})").format(
                name=newer.name), str(newer.parent), self.tr("Packages (*.zip)"))
        if older:
            self.compare_packages(newer, Path(older))

    def compare_packages(self, newer: Path, older: Path) -> None:
        """Verify ``newer`` with ``older`` as its earlier package: does its custody log
        extend the earlier one's? Run in a job; the answer in a result dialog."""
        from vault.packages.verify import verify_package

        roots = self.roots()

        def work(cancel: Callable[[], bool]) -> Any:
            return verify_package(newer, previous=older, tsa_roots=roots)

        def done(result: Any) -> None:
            lines = [self.tr("Newer package: {path}").format(path=newer),
                     self.tr("Earlier package: {path}").format(path=older)]
            if not result.verified and (result.history is None or result.history.ok):
                lines.append(self.tr("The newer package itself: NOT VERIFIED: {reason}").format(
                    reason=result.reason))
            self._show_history(result.history, lines, newer.name)

        self.window.run(self.tr("Comparing with an earlier package"), Job(work), done)

    def choose_vault_package(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("A package exported from this vault"), "",
            self.tr("Packages (*.zip)"))
        if path:
            self.check_vault_against(Path(path))

    def check_vault_against(self, package: Path) -> None:
        """Does this vault's custody log extend the log in ``package``?"""
        from vault.packages.verify import compare_vault_with_package

        v = self.vault()
        if v is None:
            return

        def work(cancel: Callable[[], bool]) -> Any:
            return compare_vault_with_package(v, package)

        def done(result: Any) -> None:
            self._show_history(result, [self.tr("Package: {path}").format(path=package)],
                               self.tr("this vault"))

        self.window.run(self.tr("Checking this vault against a package"), Job(work), done)

    def _show_history(self, history: Any, lines: list[str], what: str) -> None:
        if history is None:
            headline, ok = self.tr("NOT COMPARED"), False
            lines.append(self.tr("The packages could not be compared."))
        elif history.ok:
            headline, ok = self.tr("HISTORY EXTENDS THE EARLIER RECORD"), True
            lines.append(history.message)
        else:
            div = history.divergence
            ok = False
            if div is not None and div.seq is not None:
                headline = self.tr("HISTORY DIVERGES AT EVENT {seq}: {what}").format(
                    seq=div.seq, what=div.what)
            else:
                headline = self.tr("HISTORY NOT CONFIRMED")
            lines.append(history.message)
        if history is not None and history.events_compared:
            lines.append(self.tr("{n} events compared; {shared} shared exhibits; earlier "
                                 "record ends at event {old}, {what} at event {new}.").format(
                n=history.events_compared, shared=history.shared_exhibits,
                old=history.older_head, what=what, new=history.newer_head))
        dialog = ResultDialog(self.tr("History check"), headline, lines, ok, self.window)
        self.window.dialog = dialog
        dialog.open()
