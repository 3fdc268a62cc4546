"""Mechanical guards of the architecture."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

FORBIDDEN_IN_CORE = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_qt_or_ui() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & set(FORBIDDEN_IN_CORE))
                 for p in (ROOT / "vault").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_whole_core_loads_no_qt() -> None:
    modules = [f"vault.{p.stem}" for p in (ROOT / "vault").glob("*.py")
               if p.stem not in ("__main__",)]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            f"{FORBIDDEN_IN_CORE!r}]\nprint(bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       check=True)
    assert r.stdout.strip() == "[]"


def test_guard_catches_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport ui.main\n")
    assert imported_modules(bad) & set(FORBIDDEN_IN_CORE) == {"PySide6", "ui"}


HEAVY = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pymupdf", "fitz", "pyhanko", "PIL", "ui")


def test_verify_path_loads_neither_qt_nor_pymupdf(tmp_path: Path, corpus: Path) -> None:
    """A solicitor's small install: `evidence-vault verify` (with --json and --report) runs
    without Qt, PyMuPDF, pyHanko or Pillow ever being imported."""
    from packages import CASE, export, import_files, new_vault, sample_paths

    v = new_vault(tmp_path / "vault")
    try:
        import_files(v, sample_paths(tmp_path))
        package = export(v, tmp_path / "p.zip", case=CASE).path
        fp = v.certificate_fingerprint()
    finally:
        v.close()
    code = (
        "import sys\nfrom vault.cli import main\n"
        f"for args in (['verify', '--signer', {fp!r}, {str(package)!r}],\n"
        f"             ['verify', '--json', '--signer', {fp!r}, {str(package)!r}],\n"
        f"             ['verify', '--report', {str(tmp_path / 'r.html')!r}, '--signer', {fp!r},\n"
        f"              {str(package)!r}]):\n"
        "    try:\n        main(args)\n    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout
    assert "VERIFIED" in (tmp_path / "r.html").read_text()
