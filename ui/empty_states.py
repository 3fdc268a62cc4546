"""What an empty view says: what goes there and how to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.icons import Icons, icon

if TYPE_CHECKING:  # a view for mypy; a mixin of plain Python at run time (a second Qt base
    _ViewBase = QAbstractItemView  # in the class would crash PySide)
else:
    _ViewBase = object


class EmptyList(QWidget):
    """In place of the evidence list while a vault or a case holds nothing: drop files here,
    or import them."""

    import_files = Signal()
    import_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("No evidence yet"))
        self.setObjectName("drop-zone")  # a dashed frame: things can be dropped here
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#drop-zone { border: 2px dashed palette(mid); border-radius: 10px; "
                           "margin: 12px; }")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(self.tr("Drop files here"))
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # a case's name
        self.text = QLabel(self.tr(
            "Drop files or folders here to import them, or choose Import. Each file is kept "
            "exactly as it is, with its fingerprint and the time it was received; the "
            "original on your disk is not changed."))
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.files_button = QPushButton(self.tr("Import &files…"))
        self.files_button.setAccessibleName(self.tr("Import files"))
        self.folder_button = QPushButton(self.tr("Import a fol&der…"))
        self.folder_button.setAccessibleName(self.tr("Import a folder"))
        self.icons = Icons(self)
        self.icons.set(self.files_button, "import")
        self.icons.set(self.folder_button, "import-folder")
        self.files_button.setDefault(True)
        self.files_button.clicked.connect(self.import_files)
        self.folder_button.clicked.connect(self.import_folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.files_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.picture)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addSpacing(8)
        column.addLayout(buttons)
        column.addStretch(2)
        column.setContentsMargins(40, 20, 40, 20)
        self.set_case(None)

    def set_case(self, case: str | None) -> None:
        side = self.fontMetrics().height() * 4
        self.picture.setPixmap(icon("import", self.palette()).pixmap(QSize(side, side)))
        self.title.setText(self.tr("This vault has no evidence yet.") if case is None else
                           self.tr("The case {case} has no evidence yet.").format(case=case))


class _Hinted(_ViewBase):
    """A view that, while it is empty, says what would be in it and how to add something
    (in the placeholder colour, wrapped to its width; a screen reader gets it as the view's
    description)."""

    hint = ""

    def set_hint(self, text: str) -> None:
        self.hint = text
        self.update_hint()

    def _empty(self) -> bool:
        return self.model() is None or self.model().rowCount() == 0

    def update_hint(self) -> None:
        """Call when the model's rows change."""
        self.setAccessibleDescription(self.hint if self._empty() else "")
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.hint or not self._empty():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        margin = self.fontMetrics().height() // 2
        painter.drawText(self.viewport().rect().adjusted(margin, margin, -margin, -margin),
                         int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft |
                             Qt.TextFlag.TextWordWrap), self.hint)
        painter.end()


class HintedList(_Hinted, QListView):
    """A list with a hint while it is empty (:class:`_Hinted`)."""


class HintedTable(_Hinted, QTableView):
    """A table with a hint while it is empty (:class:`_Hinted`)."""
