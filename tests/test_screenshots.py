"""scripts/screenshots.py still drives every screen it documents: run it into a temporary
folder, on a 1366x768 screen at 2x in the dark theme (the hardest variant), and check each PNG
(present, within the screen, a main window filling it, not blank)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from conftest import ROOT
from PIL import Image

SCRIPT = ROOT / "scripts" / "screenshots.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_screenshot_script_renders_every_screen(tmp_path: Path) -> None:
    script = load_script()
    expected: list[str] = script.expected_shots()
    assert {"welcome", "start", "create-vault", "recovery-key", "unlock", "main-window-empty",
            "import", "import-summary", "main-window", "viewer-pdf", "viewer-photo", "export",
            "verification", "verification-details", "health", "court-mark"} <= set(expected)
    screen = tmp_path / "screen"
    screen.mkdir()
    env = {**script.screen_environment(2, screen), "TMPDIR": str(tmp_path)}
    out = tmp_path / "shots"
    done = subprocess.run([sys.executable, str(SCRIPT), "--variant", "dark-2x", "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Qt:" not in done.stderr, done.stderr  # no Qt warning while driving the screens
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(expected), done.stdout
    leftovers = [p for p in tmp_path.iterdir() if p not in (out, screen)]
    assert leftovers == [], "the throwaway vault was not deleted"
    for name in expected:
        path = out / f"{name}.png"
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), name
        with Image.open(path) as im:
            im.load()
            assert im.format == "PNG"
            width, height = script.SCREEN
            wanted = script.SHOTS[name]
            if wanted is not None:  # a main window: the whole screen, in its pixels
                assert im.size == (2 * wanted[0], 2 * wanted[1]), name
            assert im.size[0] <= 2 * width and im.size[1] <= 2 * height, name
            colours = im.convert("RGB").getcolors(maxcolors=1 << 16) or []
        assert len(colours) > 8, f"{name}.png is blank ({len(colours)} colours)"
        most = max(count for count, _ in colours)
        assert most < 0.97 * im.size[0] * im.size[1], f"{name}.png is nearly one colour"
