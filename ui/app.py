"""The desktop app: entry point and the controller that moves between the start screen,
creating or unlocking a vault, and the main window. It owns everything; nothing global."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from ui.icons import APP_ICON as ICON
from ui.labels import PlainTextLabels
from ui.session import IDLE_LOCK_MS, SessionWatcher
from ui.theme import Theme
from ui.vault_dialogs import CreateVaultDialog, RecoveryKeyDialog, StartDialog, UnlockDialog

if TYPE_CHECKING:  # the main window and the package check are imported when first needed,
    # after the first window is on screen (start-up, issue 16)
    from ui.check_package import PackageCheck
    from ui.main_window import MainWindow
    from ui.self_test_ui import SelfTestRun
    from vault.store.keyslots import KdfParams
    from vault.store.vault import Vault

RECENT = "recent-vaults"  # paths only: nothing sensitive is kept in clear settings
IDLE_MINUTES = "lock-after-idle-minutes"
MAX_RECENT = 8


class App(QObject):
    def __init__(self, settings: QSettings, *, kdf: KdfParams | None = None,
                 idle_ms: int = IDLE_LOCK_MS, theme: Theme | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.theme = theme  # light, dark or the system's (View > Appearance)
        self.kdf = kdf
        self.idle_ms = idle_ms
        self.window: MainWindow | None = None
        self.screen: QWidget | None = None  # the dialog on screen before a vault is open
        self.path: Path | None = None
        self.package_check: PackageCheck | None = None
        # A checked package to receive once a vault is open: (path, decrypted bytes or
        # None, the package's case).
        self.keeping: tuple[Path, Any, str | None] | None = None
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.applicationStateChanged.connect(self._state_changed)
        self.session = SessionWatcher(self)
        self.plain_labels = PlainTextLabels(self)  # text from evidence never as markup
        app.installEventFilter(self.plain_labels)
        self.session.lock_requested.connect(self.lock)

    # -------------------------------------------------------------- screens
    def start(self, path: Path | None = None) -> None:
        if path is not None:
            self.unlock(path)
            return
        dialog = StartDialog(self.recent(),
                             keeping=self.keeping[0].name if self.keeping else None)
        dialog.create_requested.connect(self.create)
        dialog.open_requested.connect(lambda p: self.unlock(Path(p)))
        dialog.check_requested.connect(lambda p: self.check_package(Path(p) if p else None))
        dialog.self_test_requested.connect(self.self_test)
        self._show(dialog)

    def self_test(self) -> SelfTestRun:
        """Check this installation, from the start window (no vault needed)."""
        from ui.self_test_ui import SelfTestRun

        self.self_test_run = SelfTestRun(self.screen)
        return self.self_test_run

    def check_package(self, path: Path | None = None) -> PackageCheck:
        """Check a package received, with no vault (an encrypted one decrypted in memory)."""
        from ui.check_package import PackageCheck

        self.package_check = PackageCheck(self.screen)
        self.package_check.keep_requested.connect(self.keep)
        if path is None:
            self.package_check.choose()
        else:
            self.package_check.check(path)
        return self.package_check

    def keep(self, what: tuple[Path, Any, str | None]) -> None:
        """Keep a checked package: choose or create the vault that receives it."""
        self._drop_kept()
        self.keeping = what
        self.start()

    def _drop_kept(self) -> None:
        if self.keeping is not None and self.keeping[1] is not None:
            self.keeping[1].close()
        self.keeping = None

    def create(self) -> None:
        dialog = CreateVaultDialog(self.kdf)
        dialog.created.connect(self._created)
        self._show(dialog)

    def _created(self, v: Vault, recovery_key: str) -> None:
        dialog = RecoveryKeyDialog(recovery_key, v.folder)
        dialog.accepted.connect(lambda: self.opened(v))
        self._show(dialog)

    def unlock(self, path: Path) -> None:
        dialog = UnlockDialog(path)
        dialog.unlocked.connect(self.opened)
        self._show(dialog)

    def opened(self, v: Vault) -> None:
        self.path = v.folder
        self.remember(v.folder)
        if self.screen is not None:
            self.screen.close()
            self.screen = None
        from ui.main_window import MainWindow

        self.window = MainWindow(v, idle_ms=self.idle_time(), kdf=self.kdf, theme=self.theme)
        self.window.idle_minutes_changed.connect(self.set_idle_minutes)
        self.window.setWindowIcon(QIcon(str(ICON)))
        self.window.locked.connect(self._locked)
        _application().installEventFilter(self.window)
        self.window.show()
        if self.keeping is not None:
            package, source, case = self.keeping
            self.keeping = None
            self.window.receive(package, source, suggested=case,
                                after=source.close if source is not None else None)

    def _locked(self) -> None:
        quitting = self.window is not None and self.window.quitting
        if self.window is not None:
            _application().removeEventFilter(self.window)
            self.window.deleteLater()
            self.window = None
        if self.path is not None and not quitting:
            self.unlock(self.path)

    def _show(self, dialog: QWidget) -> None:
        if self.screen is not None and self.screen is not dialog:
            self.screen.close()
        self.screen = dialog
        dialog.setWindowIcon(QIcon(str(ICON)))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def bring_forward(self) -> None:
        """A second launch: show the running window instead."""
        target = self.window or self.screen
        if target is not None:
            target.show()
            target.setWindowState(target.windowState() & ~Qt.WindowState.WindowMinimized)
            target.raise_()
            target.activateWindow()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        """Lock when the platform says the app or session is suspended."""
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock()

    def lock(self) -> None:
        if self.window is not None and self.window.vault is not None:
            self.window.lock()

    # -------------------------------------------------------------- settings
    def idle_time(self) -> int:
        """Milliseconds without input before the vault locks: the user's choice, else the
        default this App was made with."""
        try:
            minutes = int(self.settings.value(IDLE_MINUTES, 0) or 0)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            minutes = 0
        return minutes * 60_000 if minutes > 0 else self.idle_ms

    def set_idle_minutes(self, minutes: int) -> None:
        self.settings.setValue(IDLE_MINUTES, minutes)
        if self.window is not None:
            self.window.idle.setInterval(minutes * 60_000)
            self.window.idle.start()

    # -------------------------------------------------------------- recent vaults
    def recent(self) -> list[str]:
        value = self.settings.value(RECENT, [])
        return [str(p) for p in (value if isinstance(value, list) else [value]) if p]

    def remember(self, folder: Path) -> None:
        paths = [str(folder), *[p for p in self.recent() if p != str(folder)]][:MAX_RECENT]
        self.settings.setValue(RECENT, paths)


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def _show_unexpected(kind: type[BaseException], error: BaseException, tb: object) -> None:
    """An exception that escaped a slot on the GUI thread: a message, never a traceback
    (which goes to the log on stderr only)."""
    from PySide6.QtWidgets import QMessageBox

    from ui.messages import user_message

    text, _bug = user_message(error)
    box = QMessageBox(QMessageBox.Icon.Warning,
                      QCoreApplication.translate("app", "Evidence Vault"), text)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAccessibleName(QCoreApplication.translate("app", "Problem"))
    box.open()
    _open_boxes.append(box)
    box.finished.connect(lambda _r: _open_boxes.remove(box))


_open_boxes: list[QWidget] = []  # keeps the message boxes above alive while shown


def configure(application: type[QApplication]) -> None:
    """Before the application exists: Qt's own file dialogs, which add nothing to the
    desktop's list of recent files (GTK's recently-used.xbel would name evidence files)."""
    application.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)


def _no_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or
                                                     os.environ.get("WAYLAND_DISPLAY"))


def _server_name() -> str:
    return f"evidence-vault-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def main(argv: list[str] | None = None) -> int:
    from vault.memory import keep_freed_memory
    from vault.process_safety import harden

    harden()  # no core dump, not attachable; secret variables out of the environment
    keep_freed_memory()  # 1 MiB pieces freed and made again, without page faults
    argv = list(sys.argv if argv is None else argv)
    if _no_display():
        print("evidence-vault-gui: no display here; try 'evidence-vault demo' for the "
              "command-line demonstration.", file=sys.stderr)
        return 2
    configure(QApplication)
    app = QApplication(argv)
    sys.excepthook = _show_unexpected
    app.setApplicationName("Evidence Vault")
    app.setOrganizationName("Evidence Vault")
    app.setDesktopFileName("evidence-vault")
    app.setWindowIcon(QIcon(str(ICON)))
    name = _server_name()
    probe = QLocalSocket()
    probe.connectToServer(name)
    if probe.waitForConnected(300):  # already running: bring it forward and leave
        probe.write(b"raise\n")
        probe.waitForBytesWritten(300)
        probe.disconnectFromServer()
        return 0
    QLocalServer.removeServer(name)
    server = QLocalServer()
    server.listen(name)
    settings = QSettings()
    controller = App(settings, theme=Theme(app, settings))

    def another_launch() -> None:
        server.nextPendingConnection()
        controller.bring_forward()

    server.newConnection.connect(another_launch)
    target = Path(argv[1]) if len(argv) > 1 else None
    controller.start(target)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
