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


def core_modules() -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in (ROOT / "vault").rglob("*.py") if p.stem != "__main__")


def test_importing_the_whole_core_loads_no_qt() -> None:
    modules = core_modules()
    assert "vault.packages.verify" in modules and "vault.store.vault" in modules
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


# The core's parts, each a folder with one job (docs/architecture.md); only what every part
# shares stays at the top.
PARTS = {"store", "custody", "signing", "evidence", "parsers", "documents", "search", "court",
         "timestamps", "packages", "chronology", "cli", "install"}
SHARED = {"__init__", "__main__", "errors", "clock", "user_dirs", "process_safety", "memory"}


def test_the_core_is_in_folders_named_after_its_parts() -> None:
    top = ROOT / "vault"
    assert {p.stem for p in top.glob("*.py")} == SHARED
    folders = {p.name for p in top.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == PARTS
    assert all((top / part / "__init__.py").is_file() for part in PARTS)


def test_the_package_verifier_loads_neither_qt_nor_pymupdf_nor_sqlcipher() -> None:
    """The verifier's package, imported on its own (as a small install of it would), needs
    none of the heavy native parts."""
    code = ("import sys\nimport vault.packages.verify, vault.packages.verify_report, "
            "vault.packages.age, vault.packages.howto\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlcipher3', 'fitz', 'pymupdf', 'PySide6', 'shiboken6', 'ui'}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       check=True)
    assert r.stdout.strip() == "[]", r.stdout


def test_the_first_window_needs_neither_the_main_window_nor_the_vaults_code() -> None:
    """Start-up (issue 16): the desktop app's entry module shows the start or unlock window
    without importing the main window, the package check, the vault's storage (SQLCipher,
    the crypto) or any parser; they load once a vault is opened."""
    code = ("import sys\nimport ui.app\n"
            "print(sorted({m for m in sys.modules} & {'ui.main_window', 'ui.check_package', "
            "'ui.operations', 'vault.store.vault', 'sqlcipher3', 'pymupdf', 'PIL', 'zxcvbn', "
            "'vault.evidence.importer'}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       check=True)
    assert r.stdout.strip() == "[]", r.stdout


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
        "import sys\nfrom vault.cli.main import main\n"
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


def module_imports(packages: tuple[str, ...] = ("vault", "ui")) -> dict[str, set[str]]:
    """Each module of ``packages`` and the modules of them it imports at module level,
    typing-only imports included (a circle in types is still a circle in design); imports
    inside functions (kept lazy for start-up time or for a worker) are not counted."""
    names = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            names[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in names}

    def visit(name: str, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                targets = [child.module, *(f"{child.module}.{a.name}" for a in child.names)]
            else:
                visit(name, child)
                continue
            graph[name].update(t for t in targets if t in names and t != name)

    for name, path in names.items():
        visit(name, ast.parse(path.read_text(encoding="utf-8")))
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_module_imports_in_a_circle() -> None:
    assert circles(module_imports()) == []


def test_the_circle_check_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    graph = module_imports()
    graph["vault.errors"].add("vault.store.vault")  # vault.store.vault imports vault.errors
    assert any({"vault.errors", "vault.store.vault"} <= set(group) for group in circles(graph))
