"""Evidence text on the clipboard: marked as a secret for the clipboard managers that honour
such hints (KDE's Klipper, Windows' clipboard history and cloud clipboard), and cleared after
a minute if it is still there. (Locking takes it back at once: see the windows' lock.)"""

from __future__ import annotations

import atexit
from functools import cache

from PySide6.QtCore import QByteArray, QMimeData, QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 60_000
# Hints clipboard managers read: do not keep, do not show, do not sync.
SECRET_HINTS = {
    "x-kde-passwordManagerHint": b"secret",
    "application/x-nspasteboard-concealed-type": b"secret",  # macOS managers
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"':
        b"\x00\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\x00\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\x00\x00\x00\x00",
}


def copy_evidence_text(text: str, clear_after_ms: int = CLEAR_AFTER_MS) -> None:
    """Put ``text`` on the clipboard with the secret hints; clear it after a minute unless
    something else was copied meanwhile."""
    data = QMimeData()
    data.setText(text)
    for kind, value in SECRET_HINTS.items():
        data.setData(kind, QByteArray(value))
    clipboard = QGuiApplication.clipboard()
    clipboard.setMimeData(data)
    _clear_at_exit()

    def clear() -> None:
        if clipboard.text() == text:
            clipboard.clear()

    QTimer.singleShot(clear_after_ms, clipboard, clear)


def clear_ours() -> None:
    """Take our evidence text off the clipboard if it is still there."""
    if QGuiApplication.instance() is None:
        return
    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    if data is not None and data.hasFormat("x-kde-passwordManagerHint"):
        clipboard.clear()


@cache
def _clear_at_exit() -> None:
    """Evidence leaves the clipboard when the program ends. (This also keeps PySide from
    crashing at exit: the clipboard would otherwise free the QMimeData made here after Python
    has gone.)"""
    atexit.register(clear_ours)
