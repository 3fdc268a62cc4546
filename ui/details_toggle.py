"""A "Show the details" control: the technical part of a result (every check, every file)
kept behind one click, so the plain sentence and the problems come first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ui.screen_fit import fit_size, fit_to_content


class Details(QWidget):
    """A toggle button and, under it, the widgets it shows and hides (hidden at first,
    unless ``shown``)."""

    def __init__(self, label: str, widgets: list[QWidget], parent: QWidget | None = None,
                 *, shown: bool = False, room: tuple[int, int] = (760, 560)) -> None:
        """``room``: the window's size while the details show (its own size otherwise)."""
        super().__init__(parent)
        self._label = label
        self._room = room
        self._fitted = False
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab
        self.toggle.setAccessibleName(label)
        self.body = QWidget()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            inner.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body, 1)
        self.toggle.toggled.connect(self._toggled)
        self.toggle.toggled.connect(self._resize_window)
        self.toggle.setChecked(shown)
        self._toggled(shown)

    def _toggled(self, on: bool) -> None:
        self.body.setVisible(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.toggle.setText(self.tr("Hide the details") if on else self._label)
        self.setSizePolicy(QSizePolicy.Policy.Preferred,
                           QSizePolicy.Policy.Expanding if on else QSizePolicy.Policy.Fixed)

    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the window as tall as its words while the details are hidden
            self._fitted = True
            if not self.expanded():
                self._fit_height()

    def _resize_window(self, on: bool) -> None:
        window = self.window()
        if window is self:
            return
        if on:
            fit_size(window, max(window.width(), self._room[0]),
                     max(window.height(), self._room[1]))
        else:
            self._fit_height()

    def _fit_height(self) -> None:
        window = self.window()
        if window is not self:
            fit_to_content(window, window.width())
