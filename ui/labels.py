"""Text from the evidence, a package or the network is shown as text, never as markup: a file
named ``<b style="color:green">VERIFIED</b>.pdf`` must not put a green VERIFIED on a screen.

Every label is plain text unless it says otherwise: :class:`PlainTextLabels`, installed on the
application by the app's controller, turns a QLabel (a message box's too) left in Qt's
automatic format into plain text when it is first polished. A label meant to show markup sets
``Qt.TextFormat.RichText`` itself, with its dynamic parts escaped (:func:`html.escape`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel


class PlainTextLabels(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, QLabel) \
                and watched.textFormat() == Qt.TextFormat.AutoText:
            watched.setTextFormat(Qt.TextFormat.PlainText)
        return False


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
