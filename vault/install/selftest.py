"""``evidence-vault self-test``: does this installation work? Every part that a frozen or
packaged program could lose (a library left out, a native decoder missing, Tesseract's
language data, SQLCipher's version) is used for real on made-up files in a throwaway vault in
a temporary folder, which is removed at the end. Nothing here needs a display.

The same checks run from the app's Help menu. Each yields a :class:`Step`; the result puts
the problems first (docs/install.md, "Check that it works").
"""

from __future__ import annotations

import hashlib
import io
import platform
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault import PROGRAM
from vault.errors import VaultError

CASE = "SELF-TEST"
WORD = "Thistlewood"  # what OCR must read back from the scanned page
SQLCIPHER_MAJOR = 4


@dataclass
class Step:
    name: str  # what was checked, in plain words
    ok: bool
    detail: str  # what was found, or what is wrong and what to do


@dataclass
class SelfTest:
    steps: list[Step] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def failed(self) -> list[Step]:
        return [s for s in self.steps if not s.ok]

    def headline(self) -> str:
        if self.ok:
            return f"Everything works: {len(self.steps)} checks passed."
        names = ", ".join(s.name for s in self.failed)
        return (f"{len(self.failed)} of {len(self.steps)} checks failed: {names}. "
                "Evidence Vault must not be used for evidence on this computer until they "
                "pass.")

    def lines(self) -> list[str]:
        """The report as text: the headline, then the problems, then what works."""
        out = [self.headline(), ""]
        for s in [*self.failed, *(s for s in self.steps if s.ok)]:
            out.append(f"{'PASS' if s.ok else 'FAIL'}  {s.name}: {s.detail}")
        out.append("")
        out.append(f"{PROGRAM}, Python {platform.python_version()}, "
                   f"{platform.system()} {platform.machine()}"
                   f"{', frozen' if getattr(sys, 'frozen', False) else ''}; "
                   f"{self.seconds:.1f} s")
        return out


def run_self_test(cancel: Callable[[], bool] | None = None,
                  step: Callable[[Step], None] | None = None) -> SelfTest:
    """Run every check (``step`` is told of each as it ends); never raises for a failed
    check: a failure is a :class:`Step` that says why."""
    result = SelfTest()
    start = time.monotonic()
    for s in _steps(cancel or (lambda: False)):
        result.steps.append(s)
        if step:
            step(s)
    result.seconds = time.monotonic() - start
    return result


def _steps(cancel: Callable[[], bool]) -> Iterator[Step]:
    work = Path(tempfile.mkdtemp(prefix="evidence-vault-self-test-"))
    try:
        yield from _in(work, cancel)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _attempt(name: str, fn: Callable[[], str]) -> Step:
    """One check: ``fn`` returns what it found, or raises saying what is wrong."""
    try:
        return Step(name, True, fn())
    except VaultError as e:
        return Step(name, False, str(e))
    except Exception as e:  # a missing library or decoder shows as any exception here
        return Step(name, False, f"{type(e).__name__}: {e}")


def _in(work: Path, cancel: Callable[[], bool]) -> Iterator[Step]:
    files = work / "made-up files"
    files.mkdir()
    made: dict[str, Path] = {}

    def make_files() -> str:
        made["scan"] = _scanned_pdf(files / "scanned letter.pdf")
        made["photo"] = _photo(files / "photo.jpg")
        made["heic"] = _heic(files / "photo.heic")
        return "a scanned PDF page, a JPEG photo and a HEIC photo, made up for the test"

    yield _attempt("Making test files", make_files)
    if len(made) < 3:
        return
    state: dict[str, Any] = {}

    def storage() -> str:
        from vault.store.identity import Identity
        from vault.store.vault import Vault

        passphrase = "-".join(secrets.token_hex(3) for _ in range(6))
        v, _ = Vault.create(work / "self-test", passphrase,
                            Identity("Self Test", "ST", "Test", "Evidence Vault self-test"))
        state["vault"] = v
        version = str(v.con.execute("PRAGMA cipher_version").fetchone()[0])
        major = int(version.split(".")[0])
        if major < SQLCIPHER_MAJOR:
            raise VaultError(f"SQLCipher {version} is too old (version {SQLCIPHER_MAJOR} is "
                             "needed): this build is broken; install the official package")
        return f"an encrypted vault was created and opened (SQLCipher {version})"

    yield _attempt("Encrypted storage", storage)
    v = state.get("vault")
    if v is None:
        return
    try:
        refs: dict[str, str] = {}

        def importing() -> str:
            from vault.evidence.importer import import_paths

            for p in import_paths(v, [made["scan"], made["photo"], made["heic"]], case=CASE,
                                  received_from="self-test", details="wait"):
                for r in p.acknowledged:
                    if r.ref is None:
                        raise VaultError(f"{Path(r.source).name} was not imported: {r.error}")
                    if r.sha256 != hashlib.sha256(Path(r.source).read_bytes()).hexdigest():
                        raise VaultError(f"{Path(r.source).name}: the fingerprint recorded "
                                         "is not the file's")
                    refs[Path(r.source).suffix] = r.ref
            if len(refs) != 3:
                raise VaultError(f"{3 - len(refs)} of the 3 files were not imported")
            return "3 files stored encrypted, each fingerprinted (SHA-256) and logged"

        yield _attempt("Import", importing)
        if len(refs) < 3 or cancel():
            return
        yield _attempt("Photo details", lambda: _details(v, refs))
        yield _attempt("Viewer", lambda: _render(v, refs[".pdf"]))
        yield _attempt("Reading scans (OCR)", lambda: _ocr(v, refs[".pdf"]))
        if cancel():
            return
        yield _attempt("Evidence package", lambda: _package(v, work))
        yield _attempt("Vault check", lambda: _check(v))
    finally:
        v.close()


def _scanned_pdf(path: Path) -> Path:
    """A one-page PDF holding only a picture of a typed line (no text layer), as a scanner
    makes: reading it needs OCR."""
    from vault.documents.mupdf_quiet import mupdf

    pymupdf = mupdf()
    typed = pymupdf.open()
    page = typed.new_page(width=595, height=842)
    page.insert_text((72, 120), f"Letter received from {WORD} Council", fontsize=22)
    picture = page.get_pixmap(dpi=200, alpha=False, colorspace=pymupdf.csGRAY)
    scan = pymupdf.open()
    scan.new_page(width=595, height=842).insert_image(scan[0].rect, pixmap=picture)
    path.write_bytes(scan.tobytes(garbage=3, deflate=True))
    return path


def _photo(path: Path) -> Path:
    from PIL import Image

    img = Image.new("RGB", (64, 48), (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "Evidence Vault"  # Make
    exif[0x0110] = "Self-test"  # Model
    img.save(path, "JPEG", exif=exif)
    return path


def _heic(path: Path) -> Path:
    from PIL import Image

    from vault.evidence import heif

    heif.register()  # refuses a decoder with published advisories
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 80)).save(buf, "HEIF")
    path.write_bytes(buf.getvalue())
    return path


def _details(v: Any, refs: dict[str, str]) -> str:
    from vault.evidence import heif
    from vault.evidence.items import get_item

    photo, heic = get_item(v, refs[".jpg"]), get_item(v, refs[".heic"])
    if photo.metadata.get("camera_model") != "Self-test":
        raise VaultError("the photo's camera details were not read"
                         f"{': ' + photo.warnings[0] if photo.warnings else ''}")
    if heic.metadata.get("width") != 64:
        raise VaultError("the HEIC photo could not be decoded"
                         f"{': ' + heic.warnings[0] if heic.warnings else ''}")

    have = heif.versions()
    return (f"camera details read from a JPEG; a HEIC photo decoded (libheif "
            f"{'.'.join(map(str, have['libheif']))}, libde265 "
            f"{'.'.join(map(str, have['libde265']))})")


def _render(v: Any, ref: str) -> str:
    from vault.documents.document import open_document

    doc = open_document(v, ref)
    try:
        w, h, _stride, pixels = doc.render(0, 1.0)
    finally:
        doc.close()
    dark = sum(1 for b in pixels[::3] if b < 128)
    if not dark:
        raise VaultError("the PDF page was drawn blank")
    return f"a PDF page drawn ({w}x{h} pixels)"


def _ocr(v: Any, ref: str) -> str:
    from vault.search.ocr import ocr_item, ocr_text, require_tesseract

    engine = require_tesseract()
    with v.db_lock:
        item_id = int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])
    list(ocr_item(v, item_id, engine=engine))
    text = " ".join(t for _page, t in ocr_text(v, ref))
    if WORD.lower() not in text.lower():
        raise VaultError(f"{engine} did not read the test page (it read {text[:60]!r})")
    return f"{engine} read the scanned page (English and Welsh installed)"


def _package(v: Any, work: Path) -> str:
    from vault.packages.export import ExportResult, export_package
    from vault.packages.verify import verify_package

    out = work / "package.zip"
    result = None
    for s in export_package(v, out, case=CASE, recipient="self-test", stamp=False):
        if isinstance(s, ExportResult):
            result = s
    assert result is not None
    checked = verify_package(out)
    if not checked.intact:
        raise VaultError(f"the package made here did not verify: {checked.reason}")
    return f"a signed package of {len(result.exhibits)} exhibits made and verified intact"


def _check(v: Any) -> str:
    from vault.store.check import run_check

    report = run_check(v)
    if not report.ok:
        raise VaultError(f"the vault check found problems: {report.problems[0]}")
    return (f"{report.items_checked} items and {report.events_checked} custody events checked "
            "intact")
