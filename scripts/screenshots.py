"""Screenshots of the desktop app's main screens, for the documentation.

    .venv/bin/python scripts/screenshots.py [--out DIR] [--variant light|dark|light-2x|dark-2x]
    .venv/bin/python scripts/screenshots.py --all   # every variant, into docs/screenshots/

Every screen on a 1366x768 laptop screen: the main windows fill it, each dialog takes the size
the program gives it there. Variants: the light and the dark theme, each at 1x and at 2x (a
HiDPI screen: the same layout, twice the pixels). ``--all`` runs each variant in a process of
its own (the screen's size and scale are fixed when Qt starts): light 1x into
docs/screenshots/, the others into docs/screenshots/dark/, 2x/ and dark-2x/.

Creates a throwaway vault (TEST_KDF) in a temporary folder, imports the sample evidence of
resources/samples into it, drives the real windows and dialogs, saves each one with
``QWidget.grab()`` as a PNG of a fixed size, and deletes the vault. Renders offscreen (set
QT_QPA_PLATFORM to override), with a fixed clock, so the images change only when the screens
do (the signer fingerprint in the verification report is new each run). The thumbnail grid
is skipped, with a note, when ``vault.documents.thumbnails`` does not exist.
tests/test_screenshots.py runs this script so it cannot rot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's packages
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the same pixels everywhere

from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtCore import QEventLoop, QSettings, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

from ui.app import App
from ui.check_package import PackageCheck
from ui.main_window import MainWindow
from ui.operations import (
    ExportDialog,
    ImportDialog,
    ImportSummaryDialog,
    ResultDialog,
    VerifyDialog,
)
from ui.receive_ui import ReceiveCaseDialog
from ui.screen_fit import fit_size
from ui.theme import DARK, LIGHT, palette
from ui.vault_dialogs import CreateVaultDialog, RecoveryKeyDialog, StartDialog, UnlockDialog
from vault.chronology.loading import load_chronology
from vault.clock import FixedClock
from vault.evidence.importer import import_paths
from vault.packages.export import export_package
from vault.search.index import run_index_jobs
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault
from vault.timestamps.stamping import add_tsa, preset, preset_root, set_enabled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"
DEFAULT_OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "lantern orchard copper thistle falcon"  # a sample: shown as dots anyway
IDENTITY = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
CASE = "NB-2026-01"
RECEIVED_FROM = "USB stick handed over by J. Smith, 3 May 2026"
PHOTO = "photo-bus-shelter.jpg"
T0 = dt.datetime(2026, 5, 3, 9, 30, tzinfo=dt.UTC)
# Shown instead of the temporary folder's path (which changes every run).
SHOWN_FOLDER = "/home/mary/Cases"
SAMPLE_RECOVERY_KEY = "RK1-7QF3-MZ8K-2XWD-9HTB-4PLC-6VNR-J5YE"  # made up: shown as an example
TIMEOUT = 120.0  # seconds for any one background job

SCREEN = (1366, 768)  # the laptop screen every shot is taken on (logical pixels)
FULL = SCREEN  # a main window, maximised
# name -> (width, height) in logical pixels, or None: the size the program gives it
SHOTS: dict[str, tuple[int, int] | None] = {
    "welcome": None,
    "start": None,
    "create-vault": None,
    "recovery-key": None,
    "unlock": None,
    "main-window-empty": FULL,
    "import": None,
    "import-summary": None,
    "main-window": FULL,
    "thumbnail-grid": FULL,
    "viewer-pdf": FULL,
    "viewer-photo": FULL,
    "export": None,
    "verification": None,
    "verification-details": None,
    "verification-signer-not-confirmed": None,
    "verification-not-verified": None,
    "check-package": None,
    "receive-case": None,
    "change-passphrase": None,
    "replace-keys": None,
    "health": None,
    "search": FULL,
    "chronology": FULL,
    "chronology-matrix": FULL,
    "chronology-timeline": FULL,
    "chronology-issues": FULL,
    "trusted-timestamps": None,
    "court-witness": None,
    "court-mark": None,
    "court-statement": None,
    "court-schedule": None,
}
# variant -> (theme, scale, folder below docs/screenshots)
VARIANTS: dict[str, tuple[str, int, str]] = {
    "light": ("light", 1, ""), "dark": ("dark", 1, "dark"),
    "light-2x": ("light", 2, "2x"), "dark-2x": ("dark", 2, "dark-2x"),
}
GRID = "thumbnail-grid"


def has_thumbnails() -> bool:
    return importlib.util.find_spec("vault.documents.thumbnails") is not None


def expected_shots() -> list[str]:
    """The names this run will write (the grid only when the core can draw thumbnails)."""
    return [name for name in SHOTS if name != GRID or has_thumbnails()]


def say(text: str) -> None:
    print(text, flush=True)


_qt_warnings: list[str] = []


def _qt_message(kind: QtMsgType, _context: Any, message: str) -> None:
    if kind != QtMsgType.QtDebugMsg and not message.startswith("This plugin does not support"):
        _qt_warnings.append(message)
        print(f"Qt: {message}", file=sys.stderr, flush=True)


def settle(app: QApplication, seconds: float = 0.15) -> None:
    """Let layouts, queued signals and paints happen."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def wait_until(app: QApplication, ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    settle(app)


def shoot(app: QApplication, widget: QWidget, name: str, out: Path) -> Path:
    """Show ``widget`` at its size (a main window: the whole screen), let it paint, and save
    it as NAME.png, in the screen's pixels (twice the size on a 2x screen)."""
    wanted = SHOTS[name]
    if wanted is not None:
        widget.resize(*wanted)
    widget.show()
    settle(app)
    width, height = widget.width(), widget.height()
    if wanted is not None and (width, height) != wanted:
        raise RuntimeError(f"{name}: the window cannot be {wanted[0]}x{wanted[1]} (it is "
                           f"{width}x{height}); change SHOTS")
    if width > SCREEN[0] or height > SCREEN[1]:
        raise RuntimeError(f"{name} is {width}x{height}: larger than a {SCREEN[0]}x"
                           f"{SCREEN[1]} screen")
    image = widget.grab().toImage()
    path = out / f"{name}.png"
    if not image.save(str(path)):  # PNG, from the suffix
        raise RuntimeError(f"could not write {path}")
    say(f"  {path.name:<38} {image.width()}x{image.height()}")
    return path


def demo_vault(folder: Path) -> Vault:
    """A vault with the sample evidence, times from a fixed clock."""
    v, _recovery = Vault.create(folder / "Northbridge", PASSPHRASE, IDENTITY,
                                clock=FixedClock(T0), kdf=TEST_KDF)
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg"))
    refs: dict[str, str] = {}
    for progress in import_paths(v, samples, case=CASE, received_from=RECEIVED_FROM):
        for r in progress.acknowledged:
            if r.error:
                raise RuntimeError(f"{r.source}: {r.error}")
            if r.ref:
                refs[Path(r.source).name] = r.ref
    for _done in run_index_jobs(v):  # searchable (the samples have text layers: no OCR)
        pass
    doc = json.loads((SAMPLES / "chronology.json").read_text(encoding="utf-8"))
    load_chronology(v, CASE, doc, refs)  # the sample case's chronology
    # A preset TSA with a bundled root, turned off so that nothing is ever sent from here.
    digicert = preset("digicert")
    assert digicert is not None
    root = preset_root(digicert)
    assert root is not None
    add_tsa(v, digicert.name, digicert.url, root.public_bytes(Encoding.PEM))
    set_enabled(v, digicert.name, False)
    # TEST_KDF slots are below the Argon2id floor, which a real vault never is: the window's
    # warning about them would show in every screenshot.
    v.kdf_warnings = []
    return v


def strangers_package(work: Path) -> Path:
    """A package of one sample document from another investigator's throwaway vault."""
    other, _recovery = Vault.create(work / "Eastfield", PASSPHRASE, Identity(
        "Priya Shah", "PS", "Researcher", "Eastfield FOI Group"), clock=FixedClock(T0),
        kdf=TEST_KDF)
    try:
        sample = sorted(p for p in SAMPLES.iterdir() if p.suffix == ".pdf")[0]
        for _progress in import_paths(other, [sample], case="EF-2026-04",
                                      received_from="e-mail from a council officer"):
            pass
        path = work / "EF-2026-04.zip"
        for _step in export_package(other, path, case="EF-2026-04", recipient="Smith & Co"):
            pass
        return path
    finally:
        other.close()


def tampered_copy(package: Path, out: Path) -> Path:
    """The package with one byte of its first exhibit changed (the zip itself well formed)."""
    import zipfile

    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "x", zipfile.ZIP_STORED) as dst:
        changed = False
        for info in src.infolist():
            data = src.read(info)
            if not changed and "/data/exhibits/" in info.filename:
                data = bytes([data[0] ^ 1]) + data[1:]
                changed = True
            dst.writestr(info, data)
    return out


def render(out: Path, scheme: str = LIGHT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setPalette(palette(scheme))
    previous = qInstallMessageHandler(_qt_message)
    work = Path(tempfile.mkdtemp(prefix="evidence-vault-screenshots-"))
    written: list[Path] = []
    controller: App | None = None
    try:
        v = demo_vault(work)
        folder = v.folder
        controller = App(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat),
                         kdf=TEST_KDF)
        controller.remember(folder)

        # the very first start: no vault yet
        welcome = StartDialog([])
        written.append(shoot(app, welcome, "welcome", out))
        welcome.close()

        # the start screen, with recent vaults (their paths made presentable)
        controller.start()
        start = controller.screen
        assert isinstance(start, StartDialog)
        start.recent_model.setStringList([f"{SHOWN_FOLDER}/Northbridge.evault",
                                          f"{SHOWN_FOLDER}/Eastfield-FOI.evault"])
        written.append(shoot(app, start, "start", out))

        # creating a vault: every field filled, the strength meter showing its verdict
        controller.create()
        create = controller.screen
        assert isinstance(create, CreateVaultDialog)
        create.folder.setText(SHOWN_FOLDER)
        create.vault_name.setText("Northbridge")
        create.name.setText(IDENTITY.name)
        create.initials.setText(IDENTITY.initials)
        create.role.setText(IDENTITY.role)
        create.organisation.setText(IDENTITY.organisation)
        create.passphrase.setText(PASSPHRASE)
        create.confirm.setText(PASSPHRASE)
        written.append(shoot(app, create, "create-vault", out))
        recovery = RecoveryKeyDialog(SAMPLE_RECOVERY_KEY, Path(SHOWN_FOLDER) /
                                     "Northbridge.evault")
        written.append(shoot(app, recovery, "recovery-key", out))
        recovery.close()

        controller.unlock(folder)
        unlock = controller.screen
        assert isinstance(unlock, UnlockDialog)
        unlock.where.setText(f"{SHOWN_FOLDER}/Northbridge.evault")
        written.append(shoot(app, unlock, "unlock", out))

        # a new vault's window: nothing imported yet, what to do first
        empty, _key = Vault.create(work / "First", PASSPHRASE, IDENTITY, clock=FixedClock(T0),
                                   kdf=TEST_KDF)
        empty.kdf_warnings = []
        first = MainWindow(empty)
        first.setWindowTitle("Evidence Vault: First")
        written.append(shoot(app, first, "main-window-empty", out))
        dropped = [SAMPLES / n for n in sorted(os.listdir(SAMPLES)) if n.endswith((".pdf", ".jpg"))]
        asking = first.open_import(dropped)
        assert isinstance(asking, ImportDialog)
        written.append(shoot(app, asking, "import", out))
        asking.received_from.setText(RECEIVED_FROM)
        asking.case.setCurrentText(CASE)
        asking.accept()
        wait_until(app, lambda: isinstance(first.dialog, ImportSummaryDialog),
                   "the import summary")
        written.append(shoot(app, first.dialog, "import-summary", out))
        first.dialog.accept()
        first.lock()
        first.close()

        # the main window: the evidence list, a photo selected (details and timeline)
        controller.opened(v)
        window = controller.window
        assert isinstance(window, MainWindow)
        window.resize(*SHOTS["main-window"])
        window.show()
        settle(app)
        split = window.centralWidget()
        assert isinstance(split, QSplitter)
        em = window.fontMetrics().averageCharWidth()
        split.setSizes([17 * em, 98 * em, 80 * em])  # as a user would drag them
        photo = next(window.items.item_at(r).ref for r in range(window.items.rowCount())
                     if window.items.item_at(r).name == PHOTO)
        window.select(photo)
        written.append(shoot(app, window, "main-window", out))

        # the viewer: a document, then a photo
        for kind, ref in (("pdf", window.items.item_at(0).ref), ("photo", photo)):
            viewer = window.open_viewer(ref)
            wait_until(app, lambda viewer=viewer: viewer.ready, f"the {kind} viewer")
            written.append(shoot(app, viewer, f"viewer-{kind}", out))
            viewer.close()
            settle(app)

        # the search panel: a word typed, its hits with their snippets
        window.search.show()
        panel = window.search.panel
        panel.query.setText("police")
        panel.run_query()
        wait_until(app, lambda: panel.model.rowCount() > 0, "the search results")
        written.append(shoot(app, window, "search", out))
        window.search.dock.hide()
        settle(app)

        # the chronology beside the list: the facts in date order, then who knew what
        window.chronology.show()
        chron = window.chronology.panel
        window.resizeDocks([window.chronology.dock], [760], Qt.Orientation.Horizontal)
        wait_until(app, lambda: chron.facts.rowCount() > 0, "the chronology")
        written.append(shoot(app, window, "chronology", out))
        chron.tabs.setCurrentWidget(chron.matrix_view.parentWidget())
        settle(app)
        written.append(shoot(app, window, "chronology-matrix", out))
        chron.tabs.setCurrentWidget(chron.timeline_area)
        settle(app)
        written.append(shoot(app, window, "chronology-timeline", out))
        chron.tabs.setCurrentIndex(chron.tabs.indexOf(chron.elements_view.parentWidget()))
        settle(app)
        written.append(shoot(app, window, "chronology-issues", out))
        chron.tabs.setCurrentIndex(0)
        window.chronology.dock.hide()
        settle(app)

        stamps = window.timestamps.open_dialog()
        assert stamps is not None
        written.append(shoot(app, stamps, "trusted-timestamps", out))
        stamps.reject()

        if has_thumbnails():
            window.grid_action.trigger()
            wait_until(app, lambda: not window.jobs, "the thumbnails")
            written.append(shoot(app, window, GRID, out))
            window.grid_action.trigger()
            settle(app)
        else:
            say(f"  {GRID + '.png':<20} skipped: vault.documents.thumbnails does not exist yet")

        export = window.open_export()
        assert isinstance(export, ExportDialog)
        export.whole_case.setChecked(True)
        export.case.setCurrentText(CASE)
        export.recipient.setText("Smith & Co Solicitors")
        export.out.setText(f"/home/mary/Packages/{CASE}.zip")
        written.append(shoot(app, export, "export", out))
        export.reject()

        package = work / f"{CASE}.zip"
        for _step in export_package(v, package, case=CASE, recipient="Smith & Co Solicitors"):
            pass
        def verification(package: Path, name: str) -> VerifyDialog:
            window.verify(package)
            wait_until(app, lambda: isinstance(window.dialog, VerifyDialog)
                       and window.dialog.package == package, f"the verification of {name}")
            report = window.dialog
            assert isinstance(report, VerifyDialog)
            written.append(shoot(app, report, name, out))
            report.accept()
            return report

        report = verification(package, "verification")
        if not report.verification.verified:
            raise RuntimeError(f"the sample package did not verify: "
                               f"{report.verification.reason}")
        window.verify(package)
        wait_until(app, lambda: isinstance(window.dialog, VerifyDialog) and
                   window.dialog is not report, "the verification (details)")
        detailed = window.dialog
        assert isinstance(detailed, VerifyDialog)
        detailed.details.toggle.setChecked(True)
        fit_size(detailed, 900, 700)
        written.append(shoot(app, detailed, "verification-details", out))
        detailed.accept()
        # A package from someone this computer never confirmed, then a tampered one.
        verification(strangers_package(work), "verification-signer-not-confirmed")
        tampered = tampered_copy(package, work / "tampered.zip")
        verification(tampered, "verification-not-verified")

        # changing the passphrase says what it does not do; the box turns it into new keys
        change = window.change_passphrase()
        change.new.setText(PASSPHRASE)
        change.again.setText(PASSPHRASE)
        change.meter.update_for(PASSPHRASE, [])
        written.append(shoot(app, change, "change-passphrase", out))
        change.seen.setChecked(True)
        change.reason.setText("I typed it while someone was watching, on a train")
        written.append(shoot(app, change, "replace-keys", out))
        change.reject()

        # receiving asks which case (a new one typed here is created)
        window.receive(package)
        choose = window.dialog
        assert isinstance(choose, ReceiveCaseDialog)
        choose.case.setCurrentText("Okafor v Northbridge Council")
        written.append(shoot(app, choose, "receive-case", out))
        choose.reject()

        # a solicitor with no vault: a package checked from the first window
        check = PackageCheck(None)
        (work / "second").mkdir()
        check.check(strangers_package(work / "second"))
        wait_until(app, lambda: isinstance(check.dialog, VerifyDialog), "the check")
        written.append(shoot(app, check.dialog, "check-package", out))
        check.dialog.close()

        window.run_health()
        wait_until(app, lambda: isinstance(window.dialog, ResultDialog), "the health check")
        health = window.dialog
        assert isinstance(health, ResultDialog)
        written.append(shoot(app, health, "health", out))
        health.accept()

        # court: a producing witness, an exhibit mark, a statement, a schedule entry
        from vault.court import store as court_store

        witness_dialog = window.court.add_witness()
        assert witness_dialog is not None
        witness_dialog.name.setText(IDENTITY.name)
        witness_dialog.initials.setText(IDENTITY.initials)
        written.append(shoot(app, witness_dialog, "court-witness", out))
        witness_dialog.reject()
        court_store.add_witness(v, CASE, IDENTITY.name, IDENTITY.initials, "investigator")
        window.select(photo)
        settle(app)
        mark = window.court.mark()
        assert mark is not None, "the Mark dialog did not open"
        mark.description.setPlainText("Photograph of the bus shelter on Wharf Road, taken "
                                      "8 February 2014")
        written.append(shoot(app, mark, "court-mark", out))
        mark.reject()
        statement = window.court.add_statement()
        assert statement is not None
        written.append(shoot(app, statement, "court-statement", out))
        statement.reject()
        schedule = window.court.schedule()
        assert schedule is not None
        written.append(shoot(app, schedule, "court-schedule", out))
        schedule.reject()
    finally:
        if controller is not None:
            if controller.window is not None and controller.window.vault is not None:
                controller.window.lock()  # closes the vault, then shows the unlock screen
            if controller.screen is not None:
                controller.screen.close()
        settle(app, 0.05)
        qInstallMessageHandler(previous)
        shutil.rmtree(work, ignore_errors=True)
    return written


def screen_environment(scale: int, folder: Path) -> dict[str, str]:
    """The environment of a process whose only screen is a 1366x768 laptop's, at ``scale``."""
    config = folder / f"screen-{scale}x.json"
    config.write_text(json.dumps({"screens": [{
        "name": "laptop", "x": 0, "y": 0, "width": SCREEN[0] * scale,
        "height": SCREEN[1] * scale, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_SCALE")}
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env["QT_SCALE_FACTOR"] = str(scale)
    return env


def render_all(out: Path) -> int:
    import subprocess

    work = Path(tempfile.mkdtemp(prefix="evidence-vault-screens-"))
    try:
        for name, (_scheme, scale, folder) in VARIANTS.items():
            target = out / folder if folder else out
            for old in target.glob("*.png"):  # a screen that is gone leaves no picture
                old.unlink()
            done = subprocess.run([sys.executable, __file__, "--variant", name, "--out",
                                   str(target)], env=screen_environment(scale, work))
            if done.returncode:
                return done.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--out", type=Path, default=None,
                   help=f"folder for the PNGs (default {DEFAULT_OUT.relative_to(ROOT)}, or its "
                        "variant's folder below it)")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="light",
                   help="theme and scale (the scale must match the screen Qt started with: "
                        "--all sets it)")
    p.add_argument("--all", action="store_true", help="every variant, each in its own process")
    args = p.parse_args(argv)
    if args.all:
        return render_all(args.out or DEFAULT_OUT)
    scheme, _scale, folder = VARIANTS[args.variant]
    out = args.out or DEFAULT_OUT / folder
    say(f"Screenshots ({args.variant}) into {out}:")
    written = render(out, DARK if scheme == "dark" else LIGHT)
    say(f"{len(written)} screenshots written"
        + (f"; {len(_qt_warnings)} Qt warnings (above)" if _qt_warnings else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
