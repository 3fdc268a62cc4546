"""Help > User guide: docs/user-guide.md, read in the app (offline; links to other pages of
the guide open here, nothing is fetched from the network)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QMainWindow, QTextBrowser, QWidget

from ui.screen_fit import fit_size

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "user-guide.md"


class GuideWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Evidence Vault: user guide"))
        self.setAccessibleName(self.tr("User guide"))
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(self.tr("User guide"))
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._link)
        if GUIDE.is_file():
            self.browser.setSource(QUrl.fromLocalFile(str(GUIDE)),
                                   QTextDocument.ResourceType.MarkdownResource)
        else:
            self.browser.setPlainText(self.tr(
                "The user guide is not installed with this copy of the program."))
        self.setCentralWidget(self.browser)
        fit_size(self, 900, 760)

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            # never fetched here; the user's browser opens it if they choose to
            QDesktopServices.openUrl(url)
