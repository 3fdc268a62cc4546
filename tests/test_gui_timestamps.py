"""Trusted time in the desktop app (pytest-qt, offscreen, a real local TSA): adding a TSA in the
"Trusted timestamps" dialog, importing while it is down (the work goes on, the status bar
counts what waits), "Stamp now" once it is up, a skewed TSA flagged, trusted times in the
verify dialog, and the history checks against an earlier package."""

# ruff: noqa: F811 - fixtures are parameters of the same name as their imports
from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import IDENTITY, PASSPHRASE, write_files
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from test_history import Made, backdated, made  # noqa: F401 - fixture
from tsa_fixtures import make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures used below
from tsa_server import TsaServer

import ui.timestamps_ui as tsui
from ui.colours import WARNING, colour
from ui.main_window import MainWindow
from ui.models import short_time
from ui.operations import ImportSummaryDialog, ResultDialog, VerifyDialog
from ui.tsa_dialog import AddTsaDialog, TimestampsDialog
from vault.clock import SystemClock
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault
from vault.timestamps import stamping as timestamps

MakeTsa = Callable[..., TsaServer]
WAIT = 60_000


@pytest.fixture
def open_window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[Callable[..., MainWindow]]:
    """Main windows on vaults with the system clock (the local TSAs tell the real time);
    background stamping starts 0.2 s after an import rather than 3 s."""
    monkeypatch.setattr(tsui, "SOON_MS", 200)
    windows: list[MainWindow] = []

    def make(name: str = "case", folder: Path | None = None) -> MainWindow:
        if folder is None:
            v = Vault.create(tmp_path / name, PASSPHRASE, IDENTITY, clock=SystemClock(),
                             kdf=TEST_KDF)[0]
        else:
            v = Vault.open(folder, passphrase=PASSPHRASE, clock=SystemClock())
        window = MainWindow(v)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        if window.vault is not None:
            window.lock()


def import_files(qtbot: QtBot, window: MainWindow, paths: list[Path]) -> None:
    window.start_import(paths, "C-1", "post")
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportSummaryDialog), timeout=WAIT)
    window.dialog.accept()


def add_through_dialog(qtbot: QtBot, window: MainWindow, name: str, url: str,
                       ca: Path) -> TimestampsDialog:
    dialog = window.timestamps.open_dialog()
    assert isinstance(dialog, TimestampsDialog)
    add = dialog.open_add()
    assert isinstance(add, AddTsaDialog)
    add.name.setText(name)
    add.url.setText(url)
    add.choose_ca(ca)
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert add.error.text() == "" and not add.isVisible()
    return dialog


def stamp_now(qtbot: QtBot, window: MainWindow, dialog: TimestampsDialog
              ) -> timestamps.StampReport:
    assert dialog.stamp_button.isEnabled()
    with qtbot.waitSignal(window.timestamps.finished, timeout=WAIT) as got:
        qtbot.mouseClick(dialog.stamp_button, Qt.MouseButton.LeftButton)
    report = got.args[0]
    assert isinstance(report, timestamps.StampReport)
    return report


def test_add_a_tsa_import_offline_then_stamp_now(qtbot: QtBot,
                                                  open_window: Callable[..., MainWindow],
                                                  tsa: TsaServer, tmp_path: Path) -> None:
    window = open_window()
    feature = window.timestamps
    assert not feature.status.isVisible()  # no TSA: no count in the status bar
    dialog = feature.open_dialog()
    assert isinstance(dialog, TimestampsDialog)
    assert "No Time-Stamp Authority is configured" in dialog.hint.text()
    assert not dialog.stamp_button.isEnabled()
    # empty tables say so (drawn in the view; a screen reader gets it as the description)
    assert dialog.token_view.accessibleDescription().startswith("None yet. Each trusted")
    assert dialog.queue_view.accessibleDescription() == "Nothing waits."

    # a preset fills its address, then asks for its CA file (none ships with the program)
    add = dialog.open_add()
    assert isinstance(add, AddTsaDialog)
    add.choose_preset("freetsa")
    assert (add.name.text(), add.url.text()) == ("freetsa", "https://freetsa.org/tsr")
    assert "cacert.pem" in add.note.text()
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert "CA certificate file" in add.error.text() and add.isVisible()
    # a custom one: a bad address and a file that is not a certificate are refused plainly
    add.choose_preset("")
    not_a_cert = tmp_path / "notes.txt"
    not_a_cert.write_text("hello")
    add.name.setText("local")
    add.url.setText("ftp://127.0.0.1/tsa")
    add.choose_ca(not_a_cert)
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert "not an http:// or https:// address" in add.error.text() and add.isVisible()
    add.url.setText(tsa.url)
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert "not a PEM or DER certificate" in add.error.text() and add.isVisible()
    ca = tmp_path / "tsa-ca.pem"
    ca.write_bytes(tsa.ca_pem)
    add.choose_ca(ca)
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert add.error.text() == "" and not add.isVisible()
    assert dialog.tsa_model.rows() == [["local", tsa.url, "yes", "not asked yet"]]
    assert [t.name for t in timestamps.list_tsas(window.vault)] == ["local"]

    # the TSA is down: the import goes on, the head waits, the background try fails quietly
    tsa.stop()
    with qtbot.waitSignal(feature.finished, timeout=WAIT) as background:
        import_files(qtbot, window, write_files(tmp_path / "docs", 2))
    report = background.args[0]
    assert isinstance(report, timestamps.StampReport) and len(report.waiting) == 1
    assert feature.status.isVisible()
    assert feature.status.text() == "1 waiting for a trusted timestamp"
    assert not any(isinstance(w, QMessageBox) for w in window.findChildren(QMessageBox))
    queue = dialog.queue_model.rows()  # in words; the technical details in the tooltip
    assert len(queue) == 1 and queue[0][0].startswith("The custody log, events 1 to ")
    (waiting,) = timestamps.pending(window.vault)
    assert queue[0][0] == f"The custody log, events 1 to {waiting.subject.split()[0]}"
    assert queue[0][1] == short_time(waiting.queued)
    assert queue[0][2].startswith("local: not reachable")
    tip = dialog.queue_model.data(dialog.queue_model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert f"custody head {waiting.subject}" in tip and waiting.sha256 in tip
    assert "Every Time-Stamp Authority" not in dialog.hint.text()
    assert dialog.hint.text().startswith("1 thing waits for a trusted timestamp.")
    assert dialog.tsa_model.rows()[0][3].startswith("no answer, ")
    assert dialog.token_model.rows() == []

    # the TSA is back: Stamp now fetches the token, nothing waits
    tsa.start()
    before = dt.datetime.now(dt.UTC)
    report = stamp_now(qtbot, window, dialog)
    assert [s.tsa for s in report.stamped] == ["local"] and report.ok
    assert not feature.status.isVisible() and feature.update_status() == 0
    assert dialog.queue_model.rows() == []
    (row,) = dialog.token_model.rows()
    assert row[:2] == [queue[0][0], "local"]
    (token,) = dialog.token_model.tokens
    gen = dt.datetime.fromisoformat(token.gen_time.replace("Z", "+00:00"))
    assert abs((gen - before).total_seconds()) < 120
    assert row[2] == short_time(token.gen_time)  # the TSA's time, shown as times are
    assert row[3] == "right" and dialog.token_model.colour(0) is None
    assert dialog.token_view.accessibleDescription() == ""  # a row: no "None yet"
    assert dialog.report.text().startswith("1 stamped, 0 still waiting.\n"
                                           "The custody log, events 1 to ")
    assert dialog.hint.text() == "Nothing waits for a trusted timestamp."
    assert dialog.tsa_model.rows()[0][3].startswith("a timestamp, ")

    # disable, enable, remove (confirmed): the token is kept
    dialog.tsa_view.selectRow(0)
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert dialog.tsa_model.rows()[0][2] == "no" and not dialog.stamp_button.isEnabled()
    assert dialog.toggle_button.text() == "Turn &on"
    assert dialog.hint.text().startswith("Every Time-Stamp Authority is turned off")
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert dialog.tsa_model.rows()[0][2] == "yes"
    box = dialog.remove_selected()
    assert box is not None and "are kept" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert dialog.tsa_model.rows() == [] and len(dialog.token_model.rows()) == 1
    assert "No Time-Stamp Authority is configured" in dialog.hint.text()


def test_stamping_never_blocks_the_window(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                          make_tsa: MakeTsa, tmp_path: Path) -> None:
    """A TSA that takes 12 s to answer: the background job waits for it (up to its 5 s
    timeout), while the window keeps painting and another import finishes meanwhile."""
    slow = make_tsa(down="slow", slow_seconds=12)
    window = open_window()
    timestamps.add_tsa(window.vault, "slow", slow.url, slow.ca_pem)
    feature = window.timestamps
    import_files(qtbot, window, write_files(tmp_path / "first", 1))
    qtbot.waitUntil(lambda: feature.running, timeout=WAIT)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    started = time.monotonic()
    import_files(qtbot, window, write_files(tmp_path / "second", 1, prefix="later"))
    assert feature.running, "the import waited for the TSA"
    assert window.items.rowCount() == 2
    with qtbot.waitSignal(feature.finished, timeout=WAIT) as got:
        pass
    timer.stop()
    assert len(ticks) > 10 and max(b - a for a, b in itertools.pairwise(ticks)) < 1.0
    assert time.monotonic() - started < 11  # the background timeout, not the TSA's 12 s
    report = got.args[0]
    assert report is not None and not report.stamped
    assert feature.status.text() == "1 waiting for a trusted timestamp"


def test_a_tsa_two_years_off_is_flagged(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                        make_tsa: MakeTsa, tmp_path: Path) -> None:
    skewed = make_tsa(backend="python", time_offset=dt.timedelta(days=730))
    window = open_window()
    ca = tmp_path / "ca.pem"
    ca.write_bytes(skewed.ca_pem)
    dialog = add_through_dialog(qtbot, window, "skewed", skewed.url, ca)
    window.timestamps.soon.stop()  # this test stamps by hand
    import_files(qtbot, window, write_files(tmp_path / "docs", 1))
    window.timestamps.soon.stop()
    report = stamp_now(qtbot, window, dialog)
    assert len(report.stamped) == 1 and len(report.warnings) == 1
    (row,) = dialog.token_model.rows()
    assert row[3] == "730 days behind (WARNING)"  # this computer's clock, against the TSA's
    assert dialog.token_model.colour(0) == colour(WARNING)
    tip = dialog.token_model.data(dialog.token_model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert "skewed's time is 730 days ahead of this computer's clock" in tip
    assert "Check the computer's date and time" in tip
    assert "WARNING" in dialog.report.text()
    message = window.statusBar().currentMessage()
    assert message.startswith("WARNING: skewed's time is 730 days ahead of this computer's")
    window.statusBar().clearMessage()
    window.timestamps.stamp(manual=True)  # nothing new: the warning is not shown again
    qtbot.waitUntil(lambda: not window.timestamps.running, timeout=WAIT)
    assert window.statusBar().currentMessage() == ""


def test_locking_stops_background_stamping(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                           make_tsa: MakeTsa, tmp_path: Path) -> None:
    slow = make_tsa(down="slow", slow_seconds=30)
    window = open_window()
    timestamps.add_tsa(window.vault, "slow", slow.url, slow.ca_pem)
    import_files(qtbot, window, write_files(tmp_path / "docs", 1))
    qtbot.waitUntil(lambda: window.timestamps.running, timeout=WAIT)
    started = time.monotonic()
    window.lock()
    assert time.monotonic() - started < 1.5  # the request is left behind, not waited for
    assert window.vault is None and not window.timestamps.running
    assert not window.timestamps.timer.isActive() and not window.timestamps.soon.isActive()
    assert not window.timestamps.status.isVisible()


# ------------------------------------------------------------------- history checks
def history_dialog(qtbot: QtBot, window: MainWindow) -> ResultDialog:
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    dialog = window.dialog
    assert isinstance(dialog, ResultDialog) and dialog.windowTitle() == "History check"
    return dialog


def test_compare_with_an_earlier_package(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                         made: Made, tmp_path: Path) -> None:
    window = open_window()
    window.verify(made.new)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    assert window.dialog.compare.isEnabled()  # from the verify result, with a file chooser
    window.dialog.accept()

    window.timestamps.compare_packages(made.new, made.old)
    result = history_dialog(qtbot, window)
    assert result.headline.text() == "HISTORY EXTENDS THE EARLIER RECORD"
    assert any(line.text().startswith("this package extends the earlier package: ")
               for line in result.lines), [line.text() for line in result.lines]
    result.accept()

    bad, seq = backdated(made, tmp_path)
    window.timestamps.compare_packages(bad, made.old)
    result = history_dialog(qtbot, window)
    assert result.headline.text() == f"HISTORY DIVERGES AT EVENT {seq}: edited"
    assert any(line.text().startswith(f"event {seq} (") and "was changed" in line.text()
               for line in result.lines), [line.text() for line in result.lines]


def test_check_this_vault_against_a_package(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                            made: Made) -> None:
    window = open_window(folder=made.vault)
    window.timestamps.check_vault_against(made.old)
    result = history_dialog(qtbot, window)
    assert result.headline.text() == "HISTORY EXTENDS THE EARLIER RECORD"
    assert any(line.text().startswith("the vault extends the package: ")
               for line in result.lines)
    result.accept()
    window.timestamps.check_vault_against(made.stranger)
    result = history_dialog(qtbot, window)
    assert result.headline.text() == "HISTORY NOT CONFIRMED"
    assert any("come from different vaults" in line.text() for line in result.lines)


def test_menu_entries(open_window: Callable[..., MainWindow]) -> None:
    window = open_window()
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    texts = [a.text() for a in menus["&Vault"].actions()]
    assert texts[:5] == ["My signing &fingerprint card…", "Trust an organisation's &root…",
                         "&Trusted timestamps…",
                         "Check &history against an earlier package…",
                         "Check this &vault against a package…"]
    window.timestamps.dialog_action.trigger()
    assert isinstance(window.dialog, TimestampsDialog) and window.dialog.isVisible()


# ------------------------------------------------------------------- verify in the app
def export_in(qtbot: QtBot, window: MainWindow, out: Path, lines: list[str]) -> Path:
    window.start_export({"out": out, "recipient": "Smith & Co", "case": "C-1"})
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=WAIT)
    lines.extend(line.text() for line in window.dialog.lines)
    window.dialog.accept()
    assert out.is_file()
    return out


def verify_in(qtbot: QtBot, window: MainWindow, package: Path) -> VerifyDialog:
    window.verify(package)
    qtbot.waitUntil(lambda: isinstance(window.dialog, VerifyDialog), timeout=WAIT)
    dialog = window.dialog
    assert isinstance(dialog, VerifyDialog)
    return dialog


def test_verify_shows_the_trusted_time(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                       tsa: TsaServer, tmp_path: Path) -> None:
    """A package whose signature was stamped: the app trusts the TSAs the vault has
    configured, so the time shows as trusted; a vault without that TSA shows it untrusted,
    with the warning, and the package still verifies."""
    window = open_window()
    timestamps.add_tsa(window.vault, "local", tsa.url, tsa.ca_pem)
    import_files(qtbot, window, write_files(tmp_path / "docs", 2))
    before = dt.datetime.now(dt.UTC)
    said: list[str] = []
    package = export_in(qtbot, window, tmp_path / "out.zip", said)
    assert any(x.startswith("Trusted time on the signature: ") and "Test TSA" in x
               for x in said), said
    report = verify_in(qtbot, window, package)
    assert report.headline.text().startswith("✔ VERIFIED")
    rows = report.times.rows()
    signature = [r for r in rows if r[0] == "package signature"]
    assert len(signature) == 1, rows
    _what, who, when, trusted = signature[0]
    assert "Test TSA" in who, who
    gen = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    assert abs((gen - before).total_seconds()) < 120
    assert trusted == "yes"
    report.accept()

    # the TSA is down: the export still finishes, its signature's stamp waits
    tsa.stop()
    said.clear()
    started = time.monotonic()
    export_in(qtbot, window, tmp_path / "offline.zip", said)
    assert time.monotonic() - started < 15
    assert any(x.startswith("Trusted time: no Time-Stamp Authority answered") for x in said), \
        said
    assert window.timestamps.update_status() >= 1 and window.timestamps.status.isVisible()

    other = open_window("other")  # another vault, in the same investigator's name
    report = verify_in(qtbot, other, package)
    assert report.verification.intact
    assert report.headline.text().startswith("⚠ NOT CONFIRMED: signed with a different key")
    assert all(r[3].startswith("NOT TRUSTED") for r in report.times.rows())
    assert "not trusted" in report.warnings.text() and report.warnings.isVisible()


def test_a_preset_with_a_bundled_root_needs_no_ca_file(
        qtbot: QtBot, open_window: Callable[..., MainWindow]) -> None:
    """Adding contacts nobody; a fresh vault has nothing queued, so nothing is sent."""
    window = open_window()
    dialog = window.timestamps.open_dialog()
    assert isinstance(dialog, TimestampsDialog)
    add = dialog.open_add()
    assert isinstance(add, AddTsaDialog)
    add.choose_preset("digicert")
    assert add.url.text() == "http://timestamp.digicert.com" and "--ca" not in add.note.text()
    assert "bundled root 'DigiCert Trusted Root G4'" in add.ca_file.placeholderText()
    qtbot.mouseClick(add.ok, Qt.MouseButton.LeftButton)
    assert add.error.text() == "" and not add.isVisible()
    (tsa,) = timestamps.list_tsas(window.vault)
    assert tsa.ca_subjects() == [
        "CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US"]
    assert not window.timestamps.running  # nothing queued: nothing sent
    dialog.tsa_view.selectRow(0)
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert not timestamps.list_tsas(window.vault)[0].enabled


def test_after_an_offline_export_the_trusted_time_is_added_with_one_button(
        qtbot: QtBot, open_window: Callable[..., MainWindow], tsa: TsaServer,
        tmp_path: Path) -> None:
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    from vault.evidence.importer import import_paths
    from vault.packages.format import SIGNATURE_TOKEN
    from vault.packages.verify import verify_package

    class Opened(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url)

    window = open_window()
    v = window.vault
    assert v is not None
    timestamps.add_tsa(v, "local", tsa.url, tsa.ca_pem)
    list(import_paths(v, write_files(tmp_path / "docs", 2), case="NB"))
    tsa.stop()  # offline: the signature's trusted time waits
    out = tmp_path / "out" / "p.zip"
    out.parent.mkdir()
    window.start_export({"out": out, "case": "NB"})
    qtbot.waitUntil(lambda: isinstance(window.dialog, ResultDialog), timeout=60_000)
    result = window.dialog
    assert isinstance(result, ResultDialog)

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        qtbot.mouseClick(result.show_folder, Qt.MouseButton.LeftButton)  # type: ignore
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in opened.urls] == [str(out.parent)]
    qtbot.mouseClick(result.copy_fingerprint, Qt.MouseButton.LeftButton)  # type: ignore
    assert QGuiApplication.clipboard().text() == v.certificate_fingerprint()
    QGuiApplication.clipboard().clear()

    # the signature waiting for its trusted time is named by the package's file
    dialog = window.timestamps.open_dialog()
    assert isinstance(dialog, TimestampsDialog)
    (signature,) = [r for r in dialog.queue_model.rows() if "package" in r[0]]
    assert signature[0] == "The signature of the package p.zip"
    dialog.accept()

    tsa.start()
    qtbot.mouseClick(result.add_time, Qt.MouseButton.LeftButton)  # type: ignore
    qtbot.waitUntil(lambda: window.dialog is not result and
                    isinstance(window.dialog, ResultDialog), timeout=60_000)
    assert window.dialog.headline.text() == "Trusted time added to the package."
    checked = verify_package(out, tsa_roots=[tsa.ca_cert])
    assert checked.verified
    assert any(t.what == "signature" and t.trusted for t in checked.timestamps), \
        checked.timestamps
    import zipfile
    assert any(n.endswith(SIGNATURE_TOKEN) for n in zipfile.ZipFile(out).namelist())
    window.dialog.accept()
    result.accept()
