"""Every window and dialog fits the screen: a 1366x768 laptop at normal size, with the
desktop's text made 1.5 and 2 times larger (the screen not scaled), and a 2560x1600 screen
scaled to 200% (192 dpi). The main window is checked with each of its panels shown too (the
chronology goes below the list, or into a window of its own, where beside it the window would
be wider than the screen). Each runs tests/screen_fit_probe.py in its own process, since a
screen's size and resolution are fixed when Qt starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).resolve().parent / "screen_fit_probe.py"


@pytest.mark.parametrize(("width", "height", "dpi", "text_scale"),
                         [(1366, 768, 96, 1), (1366, 768, 96, 1.5), (1366, 768, 96, 2),
                          (2560, 1600, 192, 1)])
def test_every_window_fits_the_screen(tmp_path: Path, width: int, height: int,
                                      dpi: int, text_scale: float) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "test", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": dpi, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "QT_FONT_DPI": str(dpi), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([sys.executable, str(PROBE), str(work), str(text_scale)], env=env,
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "", r.stdout
