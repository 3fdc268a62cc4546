"""Every window can be used by keyboard alone and read by a screen reader (issue 19): each
control a person can use has an accessible name (what Qt's accessibility layer gives a screen
reader: its own name, its text, or its label's), every one is in the Tab order or, on a
toolbar, has a menu entry or a shortcut; focus is drawn; every menu and toolbar action has an
icon; VERIFIED and NOT VERIFIED differ in symbol and words, not only in colour."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import IDENTITY, PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.action_icons import (
    ICON_FOR,
    decorate,
    menu_actions,
    needs_icon,
    plain,
    window_actions,
)
from ui.icons import Icons, names
from ui.main_window import MainWindow
from vault.evidence.importer import import_paths
from vault.packages.export import export_package
from vault.packages.verify import verify_package
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"
CASE = "NB-2026-01"
WAIT = 60_000
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox,
            QTextEdit, QPlainTextEdit, QTabBar)


def _internal(w: QWidget) -> bool:
    """Parts of a compound control that Qt reaches through the control itself."""
    parent = w.parentWidget()
    return (isinstance(w, QScrollBar | QHeaderView) or w.objectName().startswith("qt_")
            or isinstance(parent, QComboBox | QAbstractSpinBox | QTabBar)
            or (isinstance(w, QToolButton) and isinstance(parent, QTabBar)))


def controls(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if isinstance(w, CONTROLS)
            and w.isVisibleTo(window) and not _internal(w)]


def spoken_name(w: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(w)
    return face.text(QAccessible.Text.Name).strip() if face is not None else ""


def tab_chain(window: QWidget) -> set[QWidget]:
    """The widgets Tab stops at, in the window's focus chain."""
    reached: set[QWidget] = set()
    w = window.nextInFocusChain()
    for _ in range(5000):
        if w is window:
            break
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(window):
            reached.add(w)
        w = w.nextInFocusChain()
    return reached


def reachable_actions(window: QWidget) -> set[QAction]:
    """Actions a keyboard reaches: in a menu of the menu bar (Alt opens it), or with a
    shortcut."""
    out: set[QAction] = set()
    if isinstance(window, QMainWindow):
        for top in window.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu):
                out |= set(menu_actions(menu))
    for a in window.findChildren(QAction):
        if not a.shortcut().isEmpty():
            out.add(a)
    return out


def _group_reached(button: QRadioButton, chain: set[QWidget]) -> bool:
    group = button.group()
    buttons = group.buttons() if group is not None else [
        b for b in button.parentWidget().findChildren(QRadioButton)] if button.parentWidget() \
        else []
    return any(b in chain for b in buttons)


def problems(name: str, window: QWidget) -> list[str]:
    """What a keyboard or screen-reader user could not do in ``window``."""
    found: list[str] = []
    if not spoken_name(window) and not window.windowTitle():
        found.append(f"{name}: the window has no name")
    chain = tab_chain(window)
    keyboard = reachable_actions(window)
    for w in controls(window):
        what = f"{name}: {type(w).__name__} {w.objectName() or ''}".rstrip()
        label = getattr(w, "text", lambda: "")() if isinstance(w, QAbstractButton) else ""
        if not spoken_name(w):
            found.append(f"{what} {label!r} has no accessible name")
        if isinstance(w, QToolButton) and isinstance(w.parentWidget(), QToolBar):
            action = w.defaultAction()
            if action is not None and action not in keyboard and w.isEnabled():
                found.append(f"{what} {action.text()!r}: on the toolbar only, no menu entry "
                             "or shortcut")
            continue
        if isinstance(w, QRadioButton) and _group_reached(w, chain):
            continue  # arrow keys move between the choices of a group Tab has reached
        if w.isEnabled() and w not in chain:
            found.append(f"{what} {spoken_name(w)!r} is not reachable with Tab")
    return found


def shown(qtbot: QtBot, w: QWidget) -> QWidget:
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def sample_vault(tmp_path: Path) -> Iterator[tuple[Vault, str, Path]]:
    v, key = Vault.create(tmp_path / "Northbridge", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg"))
    list(import_paths(v, files, case=CASE, received_from="USB stick from J. Smith"))
    package = list(export_package(v, tmp_path / "p.zip", case=CASE))[-1].path
    yield v, key, package
    v.close()


def test_every_window_is_usable_by_keyboard_and_screen_reader(
        qtbot: QtBot, tmp_path: Path, sample_vault: tuple[Vault, str, Path]) -> None:
    from ui.chronology_dialogs import (
        FactDialog,
        GapDialog,
        IssueDialog,
        KnowledgeDialog,
        PersonDialog,
        PostDialog,
    )
    from ui.court_ui import (
        InStatementDialog,
        MarkDialog,
        ScheduleDialog,
        StatementDialog,
        WitnessDialog,
    )
    from ui.guide import GuideWindow
    from ui.operations import (
        ExportDialog,
        ImportDialog,
        ImportSummary,
        ImportSummaryDialog,
        RedactDialog,
        ResultDialog,
        VerifyDialog,
    )
    from ui.passphrase_ui import ChangePassphraseDialog
    from ui.receive_ui import ReceiveCaseDialog
    from ui.signers_ui import ConfirmSignerDialog, FingerprintCardDialog
    from ui.tsa_dialog import AddTsaDialog
    from ui.vault_dialogs import (
        CreateVaultDialog,
        RecoverDialog,
        RecoveryKeyDialog,
        StartDialog,
        UnlockDialog,
    )
    from ui.withdraw_ui import WithdrawDialog

    v, key, package = sample_vault
    files = sorted(SAMPLES.glob("*.pdf"))
    summary = ImportSummary(results=list(import_paths(v, files[:1], received_from="again"))[-1]
                            .acknowledged)
    windows: dict[str, QWidget] = {
        "welcome": StartDialog([]),
        "start": StartDialog([str(v.folder)]),
        "create a vault": CreateVaultDialog(TEST_KDF),
        "recovery key": RecoveryKeyDialog(key, v.folder),
        "unlock": UnlockDialog(v.folder),
        "import": ImportDialog(files, [CASE], CASE),
        "import summary": ImportSummaryDialog(summary),
        "export": ExportDialog([CASE], CASE, ["MO/1"]),
        "verify": VerifyDialog(package, verify_package(package)),
        "result": ResultDialog("Vault health", "OK: no problems found.", ["6 items"], True),
        "receive": ReceiveCaseDialog("p.zip", [CASE], CASE),
        "change passphrase": ChangePassphraseDialog([]),
        "witness": WitnessDialog(CASE),
        "statement": StatementDialog(CASE, []),
        "schedule": ScheduleDialog("MO/1"),
        "mark": MarkDialog(CASE, "MO/1", "minutes.pdf", [], []),
        "in a statement": InStatementDialog("MO/1", []),
        "person": PersonDialog(),
        "fact": FactDialog({}, ["MO/1"]),
        "issue": IssueDialog([]),
        "gap": GapDialog(),
        "knowledge": KnowledgeDialog({}, [], [], ["MO/1"]),
        "post": PostDialog({}),
        "redact every occurrence": RedactDialog(3),
        "forgot passphrase": RecoverDialog(v.folder),
        "withdraw": WithdrawDialog("MO/7", "minutes-redacted.pdf", "MO/1", []),
        "add a TSA": AddTsaDialog(v),
        "fingerprint card": FingerprintCardDialog("Mary Okafor", "Northbridge", "AB" * 32,
                                                  "CD" * 32),
        "confirm a signer": ConfirmSignerDialog(verify_package(package).signer),
        "user guide": GuideWindow(),
    }
    found: list[str] = []
    for name, w in windows.items():
        found += problems(name, shown(qtbot, w))
        if isinstance(w, ExportDialog):  # every page of the wizard
            for page in w.pageIds()[1:]:
                w.setStartId(page)
                w.restart()
                assert w.currentId() == page
                found += problems(f"export page {page}", w)
    window = MainWindow(v)
    shown(qtbot, window)
    window.table.selectRow(0)
    found += problems("main window", window)
    for feature in (window.search, window.chronology):  # the docked panels
        feature.show()
        found += problems(f"main window with {type(feature).__name__}", window)
        feature.dock.hide()
    stamps = window.timestamps.open_dialog()
    assert stamps is not None
    found += problems("trusted timestamps", stamps)
    stamps.reject()
    for ref in ("MO/1", "MO/3"):  # a PDF, a photo
        viewer = window.open_viewer(ref)
        qtbot.waitUntil(lambda viewer=viewer: viewer.ready, timeout=WAIT)
        found += problems(f"viewer of {ref}", viewer)
        viewer.close()
    window.lock()
    assert found == [], "\n".join(found)


def test_a_new_vaults_window_says_how_to_start(qtbot: QtBot, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    v, _key = Vault.create(tmp_path / "First", PASSPHRASE, IDENTITY, kdf=TEST_KDF)
    window = MainWindow(v)
    shown(qtbot, window)
    assert window.views.currentWidget() is window.empty_page
    assert "no evidence yet" in window.empty_page.title.text()
    assert problems("empty main window", window) == []
    # the details pane says what goes there, and no empty field labels
    assert window.detail.empty.isVisible() and not window.detail.shown.isVisible()
    asked: list[str] = []  # the file chooser itself is Qt's (not opened here: it is modal)
    monkeypatch.setattr(window, "_choose_import", lambda: asked.append("files"))
    monkeypatch.setattr(window, "_choose_import_folder", lambda: asked.append("folder"))
    window.empty_page.files_button.click()
    window.empty_page.folder_button.click()
    assert asked == ["files", "folder"]
    window.lock()


def test_focus_is_drawn(qtbot: QtBot) -> None:
    """Moving to a button or a field with Tab changes how it looks (a visible focus)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QVBoxLayout

    box = QDialog()
    start, button, field = QPushButton("Start"), QPushButton("Button"), QLineEdit()
    layout = QVBoxLayout(box)
    for w in (start, button, field):
        layout.addWidget(w)
    shown(qtbot, box)
    box.activateWindow()
    start.setFocus()
    qtbot.waitUntil(start.hasFocus, timeout=2000)
    for w in (button, field):
        before = w.grab().toImage()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.waitUntil(w.hasFocus, timeout=2000)
        assert w.grab().toImage() != before, f"{type(w).__name__} shows no focus"


def test_every_action_has_an_icon(qtbot: QtBot, sample_vault: tuple[Vault, str, Path]) -> None:
    v, _key, _package = sample_vault
    window = MainWindow(v)
    shown(qtbot, window)
    viewers = [window.open_viewer(ref) for ref in ("MO/1", "MO/3")]
    for host in (window, *viewers):
        assert host is not None
        missing = [a.text() for a in window_actions(host) if a.icon().isNull()
                   and needs_icon(a)]
        assert missing == [], f"{host.windowTitle()}: no icon for {missing}"
        assert decorate(host, Icons(host)) == []
    assert set(ICON_FOR.values()) <= set(names())  # every icon named exists
    for viewer in viewers:
        assert viewer is not None
        viewer.close()
    window.lock()


def test_icons_follow_the_theme(qtbot: QtBot, sample_vault: tuple[Vault, str, Path]) -> None:
    from ui.theme import DARK, LIGHT, palette

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    v, _key, _package = sample_vault
    window = MainWindow(v)
    shown(qtbot, window)
    try:
        app.setPalette(palette(LIGHT))
        light = window.import_action.icon().pixmap(24).toImage()
        app.setPalette(palette(DARK))
        QApplication.processEvents()
        dark = window.import_action.icon().pixmap(24).toImage()
        assert light != dark
        # drawn in the text colour: dark strokes on light, light strokes on dark
        def darkest(image: object) -> int:
            return min(image.pixelColor(x, y).lightness()  # type: ignore[attr-defined]
                       for x in range(24) for y in range(24)
                       if image.pixelColor(x, y).alpha() > 200)  # type: ignore[attr-defined]
        assert darkest(light) < 80 and darkest(dark) > 150
    finally:
        app.setPalette(before)
        window.lock()


def test_results_differ_in_words_and_symbol_not_only_colour(
        tmp_path: Path, sample_vault: tuple[Vault, str, Path], qtbot: QtBot) -> None:
    import zipfile

    from ui.operations import VerifyDialog

    _v, _key, package = sample_vault
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "x") as dst:
        changed = False
        for info in src.infolist():
            data = src.read(info)
            if not changed and "/data/exhibits/" in info.filename:
                data, changed = bytes([data[0] ^ 1]) + data[1:], True
            dst.writestr(info, data)
    good = VerifyDialog(package, verify_package(package))
    bad = VerifyDialog(tampered, verify_package(tampered))
    for d in (good, bad):
        shown(qtbot, d)
    g, b = good.headline.text(), bad.headline.text()
    assert g[0] != b[0] and g.split(":")[0] != b.split(":")[0]  # symbol and words
    # results first: the failure named above the fold, the table of checks behind a click
    assert "failed" in bad.summary.text() and "payload hashes" in bad.summary.text()
    assert bad.summary.isVisible() and not bad.details.body.isVisible()
    assert good.summary.text().startswith("All ")
    bad.details.toggle.click()
    assert bad.details.body.isVisible()


def test_the_glossarys_plain_words_are_what_the_list_says(
        qtbot: QtBot, sample_vault: tuple[Vault, str, Path]) -> None:
    """The list and the details say "fingerprint" (docs/user-guide.md#glossary); SHA-256
    stays in the tooltip and the details."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "user-guide.md").read_text()
    glossary = guide.split("## Glossary", 1)[1].split("\n## ", 1)[0]
    for word in ("Fingerprint", "Vault", "Custody log", "Package", "Recovery key",
                 "Exhibit", "Trusted timestamp", "Signer"):
        assert f"**{word}**" in glossary, word
    v, _key, _package = sample_vault
    window = MainWindow(v)
    shown(qtbot, window)
    headers = [window.filtered.headerData(c, Qt.Orientation.Horizontal)
               for c in range(window.filtered.columnCount())]
    assert "Fingerprint" in headers and "SHA-256" not in headers
    assert not any("/" in str(window.filtered.index(r, 2).data())
                   for r in range(window.filtered.rowCount()))  # "PDF document", not a MIME
    window.table.selectRow(0)
    form = window.detail.form
    labels = [form.itemAt(r, form.ItemRole.LabelRole).widget().text()
              for r in range(form.rowCount()) if form.itemAt(r, form.ItemRole.LabelRole)]
    assert "Fingerprint:" in labels and "SHA-256:" not in labels
    # only fields with a value are shown
    for name, value in window.detail.values.items():
        row = window.detail.FIELDS.index(name)
        assert form.isRowVisible(row) == bool(value.text()), name
    window.lock()


def test_every_icon_file_is_one_colour_and_drawable(qtbot: QtBot) -> None:
    from ui.icons import FOLDER, icon

    for name in names():
        text = (FOLDER / f"{name}.svg").read_text()
        assert "currentColor" in text and "#" not in text, name  # tinted by the palette
        assert not icon(name).isNull(), name
    assert plain("&Import…") == "Import"


def test_the_list_sorts_from_the_keyboard(qtbot: QtBot,
                                          sample_vault: tuple[Vault, str, Path]) -> None:
    """View > Sort the list by (a header takes no focus): a column, and again to reverse."""
    v, _key, _package = sample_vault
    window = MainWindow(v)
    shown(qtbot, window)
    header = window.table.horizontalHeader()
    assert window.sort_actions[0].isChecked() and header.sortIndicatorSection() == 0
    by_size = window.sort_actions[3]
    assert by_size.text() == "Size"
    by_size.trigger()
    sizes = [window.items.item_at(r).size for r in range(window.items.rowCount())]
    assert sizes == sorted(sizes) and by_size.isChecked()
    by_size.trigger()  # again: largest first
    sizes = [window.items.item_at(r).size for r in range(window.items.rowCount())]
    assert sizes == sorted(sizes, reverse=True)
    header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)  # a click on a header
    assert window.sort_actions[1].isChecked()
    window.lock()
