"""Lock when the desktop session locks or the machine is about to sleep, where the system
says so: the freedesktop screen saver (session bus) and logind (system bus) on Linux, and
Qt's own application state elsewhere. Without a bus nothing is watched, silently."""

from __future__ import annotations

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

IDLE_LOCK_MS = 5 * 60 * 1000  # no input for this long: the vault locks


class SessionWatcher(QObject):
    lock_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watching: list[str] = []
        session, system = QDBusConnection.sessionBus(), QDBusConnection.systemBus()
        if session.isConnected() and session.connect(
                "", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver",
                "ActiveChanged", self, SLOT("screen_saver(bool)")):  # type: ignore[call-overload]
            self.watching.append("screen saver")
        if system.isConnected() and system.connect(
                "org.freedesktop.login1", "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager", "PrepareForSleep", self,
                SLOT("prepare_for_sleep(bool)")):  # type: ignore[call-overload]
            self.watching.append("sleep")

    @Slot(bool)
    def screen_saver(self, active: bool) -> None:
        if active:
            self.lock_requested.emit()

    @Slot(bool)
    def prepare_for_sleep(self, going: bool) -> None:
        if going:
            self.lock_requested.emit()
