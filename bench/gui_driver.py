"""The measured child processes of bench/bench_gui.py. Each mode runs the app's own code in a
fresh interpreter and prints one line of JSON.

    gui_driver.py start VAULT SPAWNED     # ui.app.main(VAULT) until the unlock dialog paints
    gui_driver.py list VAULT              # Vault.open, App.opened, the evidence list painted
    gui_driver.py scroll VAULT SECONDS cold|warm   # the thumbnail grid scrolled, stalls timed

Only the standard library is imported at the top, so that ``start`` counts every import the
app makes. Run with QT_QPA_PLATFORM=offscreen and EVIDENCE_VAULT_PASSPHRASE set.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ENTERED = time.time()  # wall clock, compared with the parent's time at spawn
ENTERED_PERF = time.perf_counter()
WINDOW_SIZE = (1280, 800)  # MainWindow's own default size


def proc_status_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def emit(doc: dict[str, Any]) -> None:
    print(json.dumps(doc), flush=True)


# ------------------------------------------------------------------------ start-up


def mode_start(vault: Path, spawned: float) -> None:
    """ui.app.main itself, with two changes: a private single-instance server name (so a
    running copy of the app is neither disturbed nor asked to come forward), and App.start
    wrapped to note when the unlock dialog is shown and first painted, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import ui.app as app_module

    imported = time.time()
    marks: dict[str, Any] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "painted" not in marks:
                marks["painted"] = time.time()
                marks["painted_widget"] = type(watched).__name__
                QTimer.singleShot(0, QApplication.quit)
            return False

    original = app_module.App.start
    keep: list[QObject] = []

    def start(self: Any, path: Path | None = None) -> None:
        marks["start_called"] = time.time()
        watcher = FirstPaint()  # on the application: sees the very first paint, wherever
        keep.append(watcher)
        QApplication.instance().installEventFilter(watcher)  # type: ignore[union-attr]
        original(self, path)
        marks["shown"] = time.time()
        marks["screen"] = type(self.screen).__name__
        QTimer.singleShot(0, lambda: marks.setdefault("loop", time.time()))
        QTimer.singleShot(20_000, QApplication.quit)  # never hang the benchmark

    app_module.App.start = start  # type: ignore[method-assign]
    app_module._server_name = lambda: f"evidence-vault-bench-{os.getpid()}"
    code = app_module.main(["evidence-vault-gui", str(vault)])
    emit({"spawned": spawned, "entered": ENTERED, "imported": imported, "exit": code,
          **marks})


# ------------------------------------------------------------------------ helpers


def make_app() -> Any:
    from PySide6.QtWidgets import QApplication

    from vault.memory import keep_freed_memory

    keep_freed_memory()  # as the app does at its start
    app = QApplication(["evidence-vault-gui"])
    app.setApplicationName("Evidence Vault")
    app.setOrganizationName("Evidence Vault")
    return app


def controller(settings_dir: Path) -> Any:
    from PySide6.QtCore import QSettings

    from ui.app import App

    settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    # A long stage (10,000 thumbnails made cold) runs for more than the five minutes after
    # which the app, seeing no input, locks itself and deletes its window, as it should; the
    # benchmark feeds it no input, so it keeps the vault open for a day instead.
    return App(settings, idle_ms=24 * 3600 * 1000)


def wait(app: Any, ready: Any, timeout: float = 60.0) -> bool:
    """Run the event loop until ``ready()`` (looked at every 5 ms) or ``timeout`` seconds.
    The loop waits in Qt between looks, as the app's own does, so the GUI thread does not
    hold Python's lock meanwhile (a loop calling processEvents without pause slowed the
    list's reading on the other thread five-fold)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + timeout
    if ready():
        return True
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(
        lambda: loop.quit() if ready() or time.perf_counter() > deadline else None)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(ready())


def paint_watcher(widget: Any, when: Any = lambda: True) -> Any:
    """An event filter on ``widget`` that notes the perf_counter of its first paint (once
    ``when()`` holds)."""
    from PySide6.QtCore import QEvent, QObject

    class Watcher(QObject):
        painted: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.painted is None and when():
                self.painted = time.perf_counter()
            return False

    watcher = Watcher(widget)
    widget.installEventFilter(watcher)
    return watcher


def paint_counter(widget: Any) -> Any:
    """An event filter on ``widget`` counting its paint events."""
    from PySide6.QtCore import QEvent, QObject

    class Counter(QObject):
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    counter = Counter(widget)
    widget.installEventFilter(counter)
    return counter


# ------------------------------------------------------------------------ unlock to list


def mode_list(vault: Path) -> None:
    """What happens after the passphrase is accepted: Vault.open (the unlock dialog's job),
    then App.opened (MainWindow built, every item listed, shown), until the table's viewport
    has painted. Imports are done before timing: the start-up figure has them."""
    from PySide6.QtWidgets import QApplication

    import ui.app  # noqa: F401 - every module the app imports, before timing
    from vault.evidence.items import list_items
    from vault.store.vault import Vault

    app = make_app()
    app.processEvents()
    app_controller = controller(Path(os.environ["BENCH_GUI_WORK"]))
    passphrase = os.environ["EVIDENCE_VAULT_PASSPHRASE"]
    rss_before = proc_status_kib("VmRSS")

    t0 = time.perf_counter()
    v = Vault.open(vault, passphrase=passphrase)
    t1 = time.perf_counter()
    app_controller.opened(v)  # what UnlockDialog.unlocked is connected to
    t2 = time.perf_counter()
    window = app_controller.window
    # the first paint of the table with the list in it (a long list is read in the background)
    watcher = paint_watcher(window.table.viewport(), when=lambda: window.items.rowCount() > 0)
    shown = wait(app, lambda: watcher.painted is not None)
    t3 = watcher.painted if watcher.painted is not None else time.perf_counter()
    rows = window.items.rowCount()
    visible = window.filtered.rowCount()
    rss, hwm = proc_status_kib("VmRSS"), proc_status_kib("VmHWM")

    # Where the time goes (measured again after the figure, on the open vault).
    s = time.perf_counter()
    items = list_items(v)
    list_s = time.perf_counter() - s
    s = time.perf_counter()
    window.items.set_items(items)  # model reset: the proxy re-sorts, the views re-layout
    reset_s = time.perf_counter() - s
    refresh = [time_refresh(app, window) for _ in range(REFRESHES)]
    typed = []  # a word typed into the filter, key by key, then taken away
    for text in ("p", "ph", "pho", "phot", "photo", "phot", "pho", "ph", "p", ""):
        s = time.perf_counter()
        window.filter.setText(text)
        QApplication.processEvents()  # the list redrawn
        typed.append(time.perf_counter() - s)
    window.lock()
    QApplication.processEvents()
    emit({"open": t1 - t0, "opened": t2 - t1, "painted": t3 - t2, "total": t3 - t0,
          "shown": shown, "rows": rows, "visible_rows": visible,
          "rss_before_kib": rss_before, "rss_kib": rss, "hwm_kib": hwm,
          "list_items": list_s, "set_items": reset_s,
          "refresh_call": max(r[0] for r in refresh), "refresh_done": max(r[1] for r in refresh),
          "refresh_stall": max(r[2] for r in refresh), "filter_key": max(typed)})


REFRESHES = 5


def time_refresh(app: Any, window: Any) -> tuple[float, float, float]:
    """What an import or receive does afterwards: ``MainWindow.refresh()``, with a 5 ms
    precise timer ticking. Returns the time in the call itself, the time until the new list
    is shown, and the longest gap between two ticks from the call until the list is shown
    (the longest the GUI thread was kept from its events)."""
    from PySide6.QtCore import Qt, QTimer

    ticks: list[float] = []
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    wait(app, lambda: len(ticks) >= 4)  # ticking steadily first
    start = time.perf_counter()
    window.refresh()
    called = time.perf_counter()
    wait(app, lambda: not window.listing)
    done = time.perf_counter()
    wait(app, lambda: ticks[-1] > done)  # the tick after it
    ticker.stop()
    edges = [t for t in ticks if t < start][-1:] + [t for t in ticks if t >= start]
    stall = max((b - a for a, b in itertools.pairwise(edges)), default=0.0)
    return called - start, done - start, stall


# ------------------------------------------------------------------------ grid scrolling


def mode_scroll(vault: Path, seconds: float, cold: bool) -> None:
    """The list shown, then the grid switched on and scrolled (a QTimer every 16 ms moves the
    scroll bar by STEP pixels, back and forth) while a 5 ms precise timer notes each of its
    ticks: a gap between two ticks is a stall of the event loop. ``cold``: the vault's stored
    thumbnails are forgotten first, so they are drawn from the originals while scrolling."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    import ui.app  # noqa: F401
    from vault.store.vault import Vault

    app = make_app()
    app_controller = controller(Path(os.environ["BENCH_GUI_WORK"]))
    v = Vault.open(vault, passphrase=os.environ["EVIDENCE_VAULT_PASSPHRASE"])
    forgotten = 0
    if cold:
        from vault.documents.thumbnails import forget_thumbnails

        forgotten = forget_thumbnails(v)
    app_controller.opened(v)
    window = app_controller.window
    watcher = paint_watcher(window.table.viewport(), when=lambda: window.items.rowCount() > 0)
    wait(app, lambda: watcher.painted is not None)
    refs = window.items.refs()
    grid = window.grid
    bar = grid.verticalScrollBar()
    step = int(os.environ.get("BENCH_GUI_STEP", "85"))  # half a grid row per frame

    ticks: list[float] = []
    marks: dict[str, float] = {}

    def tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        if "toggled" in marks and "thumbs_done" not in marks and not window.jobs:
            marks["thumbs_done"] = now  # the thumbnail job has reported its end

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(tick)
    frames = paint_counter(grid.viewport())
    state = {"direction": 1, "steps": 0, "bounces": 0}
    scroller = QTimer()
    scroller.setTimerType(Qt.TimerType.PreciseTimer)
    scroller.setInterval(16)

    def scroll() -> None:
        value = bar.value() + state["direction"] * step
        if value >= bar.maximum() or value <= bar.minimum():
            state["direction"] = -state["direction"]
            state["bounces"] += 1
        bar.setValue(max(bar.minimum(), min(bar.maximum(), value)))
        state["steps"] += 1

    scroller.timeout.connect(scroll)

    def toggle() -> None:
        marks["toggle"] = time.perf_counter()
        window.grid_action.trigger()  # the View menu's Thumbnail grid: starts the thumbnails
        marks["toggled"] = time.perf_counter()
        QTimer.singleShot(200, begin)

    def begin() -> None:
        marks["scroll"] = time.perf_counter()
        scroller.start()
        QTimer.singleShot(int(seconds * 1000), end)

    def end() -> None:
        scroller.stop()
        marks["scrolled"] = time.perf_counter()
        marks["thumbs_at_end"] = float(sum(window.items.has_thumbnail(r) for r in refs))
        loop.quit()  # not app.quit(): that closes the windows, which locks the vault

    loop = QEventLoop()
    ticker.start()
    QTimer.singleShot(300, toggle)
    loop.exec()
    # then, without scrolling, until the thumbnails are all made (cold) or read (warm)
    scroll_frames = frames.count
    finished = wait(app, lambda: "thumbs_done" in marks, timeout=600)
    marks.setdefault("thumbs_done", time.perf_counter())
    ticker.stop()
    thumbs = sum(window.items.has_thumbnail(r) for r in refs)
    rss, hwm = proc_status_kib("VmRSS"), proc_status_kib("VmHWM")
    window.lock()

    def gaps(start: float, stop: float) -> list[float]:
        return [b - a for a, b in itertools.pairwise(ticks) if b > start and a < stop]

    during = sorted(gaps(marks["scroll"], marks["scrolled"]))
    worst = sorted(((b - a, a, b) for a, b in itertools.pairwise(ticks)), reverse=True)[:5]
    toggle_gaps = gaps(marks["toggle"], marks["toggled"])
    after = gaps(marks["scrolled"], max(marks["scrolled"], marks["thumbs_done"]))
    emit({"cold": cold, "forgotten": forgotten, "items": len(refs), "step_px": step,
          "steps": state["steps"], "frames": scroll_frames, "bounces": state["bounces"],
          "scroll_max": bar.maximum(),
          "scroll_s": marks["scrolled"] - marks["scroll"],
          "max_gap_ms": 1000 * (during[-1] if during else 0.0),
          "p99_gap_ms": 1000 * (during[int(0.99 * (len(during) - 1))] if during else 0.0),
          "median_gap_ms": 1000 * (during[len(during) // 2] if during else 0.0),
          "gaps_over_50": sum(g > 0.05 for g in during), "ticks": len(during),
          "toggle_ms": 1000 * (marks["toggled"] - marks["toggle"]),
          "toggle_gap_ms": 1000 * max(toggle_gaps, default=0.0),
          "after_max_gap_ms": 1000 * max(after, default=0.0),
          "thumbs_at_end": int(marks["thumbs_at_end"]), "thumbs": thumbs,
          "thumbs_finished": finished,
          "thumbs_s": marks["thumbs_done"] - marks["toggled"],
          "rss_kib": rss, "hwm_kib": hwm,
          "worst_gaps": [[a, b] for _, a, b in worst],  # perf_counter: to line up with logs
          "scroll_at": marks["scroll"], "toggle_at": marks["toggle"]})


def main(argv: list[str]) -> None:
    mode, vault = argv[1], Path(argv[2])
    if mode == "start":
        mode_start(vault, float(argv[3]))
    elif mode == "list":
        mode_list(vault)
    elif mode == "scroll":
        mode_scroll(vault, float(argv[3]), argv[4] == "cold")
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)
