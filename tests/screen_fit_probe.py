"""Run as a program (``python tests/screen_fit_probe.py WORKDIR``) on an offscreen screen the
caller configures (``QT_QPA_PLATFORM=offscreen:configfile=...``, ``QT_FONT_DPI``): opens each
window and dialog the investigator and the solicitor meet, and prints, one per line, every
window whose frame leaves the screen's available area and every button that cannot be seen
whole. Nothing printed: everything fits. Used by tests/test_screen_fit.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import IDENTITY, PASSPHRASE, write_files
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QToolBar,
    QWidget,
)

from vault.evidence.importer import import_paths
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault


def in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(name: str, w: QWidget, close: bool = True) -> list[str]:
    w.show()
    for _ in range(3):
        QApplication.processEvents()
    screen = w.screen().availableGeometry()
    out: list[str] = []
    frame = w.frameGeometry()
    if not screen.contains(frame):
        out.append(f"{name}: window {frame.width()}x{frame.height()} at "
                   f"({frame.x()},{frame.y()}) leaves the screen {screen.width()}x"
                   f"{screen.height()}")
    for b in w.findChildren(QAbstractButton):
        if not b.isVisibleTo(w) or b.width() == 0:
            continue
        if in_scroll_area(b, w):
            continue  # reachable by scrolling (the details pane, a long list)
        where = QRect(b.mapTo(w, QPoint(0, 0)), b.size())
        seen = b.visibleRegion().boundingRect()
        if not w.rect().contains(where) or seen.size() != b.size():
            out.append(f"{name}: button {b.text()!r} is cut ({seen.width()}x{seen.height()} "
                       f"of {b.width()}x{b.height()} seen)")
    for bar in w.findChildren(QToolBar):
        if not bar.isVisibleTo(w):
            continue
        for action in bar.actions():
            shown = bar.widgetForAction(action)
            if action.isVisible() and not action.isSeparator() and shown is not None \
                    and not shown.isVisible():
                out.append(f"{name}: {action.text()!r} is hidden in the toolbar's overflow")
    if close:
        w.close()
    return out


def main(work: Path, text_scale: float = 1) -> int:
    from ui.main_window import MainWindow
    from ui.operations import ExportDialog, ImportDialog, ResultDialog, VerifyDialog
    from ui.vault_dialogs import (
        CreateVaultDialog,
        RecoveryKeyDialog,
        StartDialog,
        UnlockDialog,
    )
    from vault.packages.export import export_package
    from vault.packages.verify import verify_package

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if text_scale != 1:  # larger text on an unscaled screen (the desktop's text size setting)
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * text_scale)
        app.setFont(font)
    v, key = Vault.create(work / "Northbridge", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    samples = Path(__file__).resolve().parents[1] / "resources" / "samples"
    files = [samples / "police-letter-2015-06-01.pdf", *write_files(work / "docs", 2)]
    list(import_paths(v, files, case="NB-2026-01", received_from="USB stick from J. Smith"))
    package = list(export_package(v, work / "p.zip", case="NB-2026-01"))[-1].path
    found: list[str] = []
    window = MainWindow(v)
    viewer = window.open_viewer("MO/1")
    if viewer is None:
        found.append("viewer: did not open")
    else:
        import time

        deadline = time.monotonic() + 30
        while not viewer.ready and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        viewer.open_find()  # the find bar's buttons too (highlight, mark for redaction)
        if not viewer.find_bar.isVisible():
            found.append("viewer: the find bar did not open")
        found += problems("viewer", viewer)
    window.show()
    window.table.selectRow(0)
    for feature in (window.chronology, window.search):
        feature.show()
        found += problems(f"main window with the {feature.dock.windowTitle()} panel", window,
                          close=False)
        if feature.dock.isFloating():
            found += problems(f"the {feature.dock.windowTitle()} panel in a window of its own",
                              feature.dock, close=False)
        feature.dock.hide()
    found += problems("main window, an exhibit selected", window)  # closing it locks
    windows = {
        "start": StartDialog([str(v.folder)]),
        "create a vault": CreateVaultDialog(TEST_KDF),
        "unlock": UnlockDialog(v.folder),
        "recovery key": RecoveryKeyDialog(key, v.folder),
        "import": ImportDialog(files, ["NB-2026-01"], "NB-2026-01"),
        "export": ExportDialog(["NB-2026-01"], "NB-2026-01", ["MO/1"]),
        "verify": VerifyDialog(package, verify_package(package)),
        "export result": ResultDialog("Package exported", "Package exported.",
                                      ["Saved as: " + str(package)] * 4, None),
    }
    for name, w in windows.items():
        found += problems(name, w)
    print("\n".join(found))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1))
