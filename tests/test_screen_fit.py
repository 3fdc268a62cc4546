"""Every window and dialog fits the screen: a 1366x768 laptop at normal size, and a
2560x1600 screen with large text (192 dpi). Each runs tests/screen_fit_probe.py in its own
process, since a screen's size and resolution are fixed when Qt starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).resolve().parent / "screen_fit_probe.py"


@pytest.mark.parametrize(("width", "height", "dpi"), [(1366, 768, 96), (2560, 1600, 192)])
def test_every_window_fits_the_screen(tmp_path: Path, width: int, height: int,
                                      dpi: int) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "test", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": dpi, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "QT_FONT_DPI": str(dpi), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([sys.executable, str(PROBE), str(work)], env=env, capture_output=True,
                       text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "", r.stdout
