"""Hostile packages from an unknown sender: every one is refused, with the reason, and nothing
is ever written (SafeZip vets every entry and never extracts).

Each case is a crafted zip: with :mod:`zipfile` where it can write the trick (names, modes,
duplicates, compression), as raw bytes where it cannot (NUL or non-UTF-8 names, overlapping
entries, sizes the central directory lies about, encrypted or too-new entries).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import stat
import struct
import subprocess
import tempfile
import time
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CORPUS, PASSPHRASE, ROOT, run_cli, without_slot_warnings, write_files
from packages import (
    CASE,
    export,
    import_files,
    listing,
    new_vault,
    read_zip,
    rewrite_zip,
    temp_listing,
)

from vault.cli.main import main
from vault.errors import VaultError
from vault.evidence.items import list_items
from vault.packages import safezip
from vault.packages.format import BAGIT_TXT, MAX_TAG_FILE
from vault.packages.receive import receive_package
from vault.packages.safezip import MAX_RATIO, MAX_TOTAL, HostileArchive, SafeZip
from vault.packages.verification import NotAPackage
from vault.packages.verify import verify_package
from vault.store.check import run_check
from vault.store.vault import Vault

TMP = tempfile.gettempdir()
ABSOLUTE = f"{TMP}/evidence-vault-evil.txt"  # absolute: into the system temp folder itself

# ---------------------------------------------------------------------------------------------
# Raw zip bytes, for what zipfile cannot (or will not) write.

_TIME, _DATE = (9 << 11) | (30 << 5), ((2026 - 1980) << 9) | (5 << 5) | 3
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass
class Raw:
    """One entry. ``data`` is as stored (already deflated when ``method`` is 8)."""

    name: bytes
    data: bytes = b"hostile\n"
    size: int | None = None  # the uncompressed size the central directory claims
    csize: int | None = None  # the compressed size the central directory claims
    crc: int | None = None
    flags: int = 0x800  # names marked UTF-8
    method: int = zipfile.ZIP_STORED
    mode: int = stat.S_IFREG | 0o644
    version: int = 20
    local_name: bytes | None = None  # the local header's name, when it lies
    header_at: int | None = None  # no local header of its own: point at this offset

    def _crc(self) -> int:
        return zlib.crc32(self.data) if self.crc is None else self.crc

    def local(self) -> bytes:
        name = self.name if self.local_name is None else self.local_name
        size = len(self.data) if self.size is None else min(self.size, 0xFFFFFFFF)
        return _LOCAL.pack(b"PK\x03\x04", self.version, self.flags, self.method, _TIME, _DATE,
                           self._crc(), len(self.data), size, len(name), 0) + name + self.data

    def central(self, offset: int) -> bytes:
        size = len(self.data) if self.size is None else self.size
        extra = b""
        if size >= 0xFFFFFFFF:  # zip64: the real size in the extra field
            extra, size = struct.pack("<2HQ", 1, 8, size), 0xFFFFFFFF
        csize = len(self.data) if self.csize is None else self.csize
        return _CENTRAL.pack(b"PK\x01\x02", self.version, 3, self.version, 0, self.flags,
                             self.method, _TIME, _DATE, self._crc(), csize, size,
                             len(self.name), len(extra), 0, 0, 0, self.mode << 16,
                             offset) + self.name + extra


def raw_zip(entries: list[Raw], *, cd_offset_delta: int = 0) -> bytes:
    body = bytearray()
    offsets = []
    for e in entries:
        if e.header_at is not None:
            offsets.append(e.header_at)
        else:
            offsets.append(len(body))
            body += e.local()
    cd = b"".join(e.central(off) for e, off in zip(entries, offsets, strict=True))
    return bytes(body) + cd + _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                        len(cd), len(body) + cd_offset_delta, 0)


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def deflated(name: bytes, plain: bytes) -> Raw:
    return Raw(name, deflate(plain), size=len(plain), crc=zlib.crc32(plain),
               method=zipfile.ZIP_DEFLATED)


BENIGN = Raw(b"top/bagit.txt", BAGIT_TXT)


def write_raw(*entries: Raw, cd_offset_delta: int = 0) -> Callable[[Path, Path], None]:
    def build(dst: Path, real: Path) -> None:
        dst.write_bytes(raw_zip([BENIGN, *entries], cd_offset_delta=cd_offset_delta))
    return build


def write_zipfile(*entries: tuple[str, bytes, int], compress: int = zipfile.ZIP_STORED
                  ) -> Callable[[Path, Path], None]:
    """Entries (name, data, unix mode) written by zipfile itself, after a benign one."""
    def build(dst: Path, real: Path) -> None:
        with zipfile.ZipFile(dst, "x") as zf, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            zf.writestr("top/bagit.txt", BAGIT_TXT)
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name, date_time=(2026, 5, 3, 9, 30, 0))
                info.external_attr = mode << 16
                info.compress_type = compress
                zf.writestr(info, data)
        assert all("Duplicate name" in str(w.message) for w in caught), caught
    return build


FILE, LINK = stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777


def entry(name: str, problem: str) -> str:
    return f"entry {name!r}: {problem}"


def clash(first: str, second: str) -> str:
    return entry(second, f"clashes with {first!r} (duplicate, or the same name after Unicode "
                 "normalisation or case folding)")


DOTDOT = "a '..', '.' or empty path component"
DRIVE = "an absolute path or a drive letter"
BACKSLASH = "a backslash (Windows path separator)"
NUL = "an empty name or a NUL character"
CONTROL = "a control or bidirectional-override character"
SYMLINK = "a symbolic link"
NOT_UTF8 = "its name is not marked as UTF-8"
BOMB = f"compression ratio over {MAX_RATIO} (zip bomb)"
NO_HEADER = "no local header where the directory says"


# ---------------------------------------------------------------------------------------------
# Cases built from the real package.

def real_entry_data_offset(path: Path, suffix: str) -> tuple[zipfile.ZipInfo, int]:
    """The entry whose name ends with ``suffix`` and where its local name starts."""
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(suffix))
    return info, info.header_offset + _LOCAL.size


def crc_mismatch(dst: Path, real: Path) -> None:
    """One byte of an exhibit changed inside the archive, its CRC-32 left stale."""
    data = bytearray(real.read_bytes())
    info, name_at = real_entry_data_offset(real, "MO-1_doc-00000.txt")
    fields = _LOCAL.unpack_from(data, info.header_offset)
    data[name_at + fields[9] + fields[10] + 10] ^= 0x01
    dst.write_bytes(bytes(data))


def local_name_lies(dst: Path, real: Path) -> None:
    """The directory says p/bagit.txt; the local header (what streaming unzips use) ../evil."""
    data = bytearray(real.read_bytes())
    _, name_at = real_entry_data_offset(real, "/bagit.txt")
    assert data[name_at:name_at + 11] == b"p/bagit.txt"
    data[name_at:name_at + 11] = b"../evil.txt"
    dst.write_bytes(bytes(data))


BIG_MANIFEST_LINES = MAX_TAG_FILE // 92 + 1  # 92 bytes a line: just over the limit


def enormous_manifest(dst: Path, real: Path) -> None:
    """A well-formed manifest just over MAX_TAG_FILE; the signed tag manifest is untouched."""
    def mutate(entries: dict[str, bytes]) -> None:
        entries["manifest-sha256.txt"] = b"".join(
            b"%064x  data/exhibits/%07d.txt\n" % (i, i) for i in range(BIG_MANIFEST_LINES))
    rewrite_zip(real, dst, mutate)


def loose_beside_package(dst: Path, real: Path) -> None:
    shutil.copyfile(real, dst)
    with zipfile.ZipFile(dst, "a") as zf:
        zf.writestr("evil.txt", b"outside the top folder\n")


def zip_of_names(*names: str) -> Callable[[Path, Path], None]:
    def build(dst: Path, real: Path) -> None:
        with zipfile.ZipFile(dst, "x") as zf:
            for n in names:
                zf.writestr(n, b"x\n")
    return build


# ---------------------------------------------------------------------------------------------
# The cases.

@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path, Path], None]
    problem: str = ""  # refused while vetting: this exact problem is listed
    reason: str = ""  # refused later: verification.reason contains this

    @property
    def expect(self) -> str:
        return f"archive: unsafe zip: {self.problem}" if self.problem else self.reason


def zip_bomb(dst: Path, real: Path) -> None:
    """50 MB of zeros deflated to about 50 KB: a ratio of about 1000."""
    write_raw(deflated(b"top/evil-zeros.bin", bytes(50 << 20)))(dst, real)

HOSTILE = [
    # Names.
    Case("traversal-inside-top", write_zipfile(("top/../../evil.txt", b"x", FILE)),
         entry("top/../../evil.txt", DOTDOT)),
    Case("traversal-leading-dotdot", write_zipfile(("../evil.txt", b"x", FILE)),
         entry("../evil.txt", DOTDOT)),
    Case("traversal-dir-entry", write_zipfile(("top/../../evil/", b"", stat.S_IFDIR | 0o755)),
         entry("top/../../evil/", DOTDOT)),
    Case("dot-component", write_zipfile(("top/./evil.txt", b"x", FILE)),
         entry("top/./evil.txt", DOTDOT)),
    Case("empty-component", write_zipfile(("top//evil.txt", b"x", FILE)),
         entry("top//evil.txt", DOTDOT)),
    Case("absolute-path", write_zipfile((ABSOLUTE, b"x", FILE)), entry(ABSOLUTE, DRIVE)),
    Case("drive-letter-slash", write_zipfile(("C:/evil.txt", b"x", FILE)),
         entry("C:/evil.txt", DRIVE)),
    Case("drive-letter-relative", write_zipfile(("C:evil.txt", b"x", FILE)),
         entry("C:evil.txt", DRIVE)),
    Case("backslash", write_zipfile(("top\\..\\..\\evil.txt", b"x", FILE)),
         entry("top\\..\\..\\evil.txt", BACKSLASH)),
    Case("nul-in-name", write_raw(Raw(b"top/evil.txt\x00.pdf")),
         entry("top/evil.txt\x00.pdf", NUL)),
    Case("empty-name", write_raw(Raw(b"")), entry("", NUL)),
    Case("newline-in-name", write_zipfile(("top/evil\n.txt", b"x", FILE)),
         entry("top/evil\n.txt", CONTROL)),
    Case("terminal-escape-in-name", write_zipfile(("top/\x1b[2J\x1b[Hevil.txt", b"x", FILE)),
         entry("top/\x1b[2J\x1b[Hevil.txt", CONTROL)),
    Case("bidi-override-in-name", write_zipfile(("top/invoice\u202etxt.exe", b"x", FILE)),
         entry("top/invoice\u202etxt.exe", CONTROL)),
    Case("c1-control-in-name", write_zipfile(("top/evil\x9b.txt", b"x", FILE)),
         entry("top/evil\x9b.txt", CONTROL)),
    Case("not-utf8-cp437-name", write_raw(Raw(b"top/evil-caf\x82.txt", flags=0)),
         entry("top/evil-café.txt", NOT_UTF8)),
    # Symbolic links.
    Case("symlink-to-etc-passwd", write_zipfile(("top/evil-link", b"/etc/passwd", LINK)),
         entry("top/evil-link", SYMLINK)),
    Case("symlink-dir-escape", write_zipfile(("top/evil-dir/", b"../../..", LINK)),
         entry("top/evil-dir/", SYMLINK)),
    # Clashes.
    Case("duplicate-name", write_zipfile(("top/evil.txt", b"one", FILE),
                                         ("top/evil.txt", b"two", FILE)),
         clash("top/evil.txt", "top/evil.txt")),
    Case("case-fold-clash", write_zipfile(("top/evil.txt", b"a", FILE),
                                          ("top/EVIL.TXT", b"b", FILE)),
         clash("top/evil.txt", "top/EVIL.TXT")),
    Case("case-fold-folder-clash", write_zipfile(("top/data/evil.txt", b"a", FILE),
                                                 ("top/DATA/evil.txt", b"b", FILE)),
         clash("top/data/evil.txt", "top/DATA/evil.txt")),
    Case("case-fold-sharp-s-clash", write_zipfile(("top/evil-straße.txt", b"a", FILE),
                                                  ("top/EVIL-STRASSE.txt", b"b", FILE)),
         clash("top/evil-straße.txt", "top/EVIL-STRASSE.txt")),
    Case("nfc-nfd-clash", write_zipfile(
        (unicodedata.normalize("NFC", "top/evil-café.txt"), b"a", FILE),
        (unicodedata.normalize("NFD", "top/evil-café.txt"), b"b", FILE)),
        clash(unicodedata.normalize("NFC", "top/evil-café.txt"),
              unicodedata.normalize("NFD", "top/evil-café.txt"))),
    # Overlapping entries.
    Case("overlap-same-local-header", write_raw(Raw(b"top/evil-a.txt"),
                                                Raw(b"top/evil-b.txt", header_at=_LOCAL.size
                                                    + len(BENIGN.name) + len(BENIGN.data))),
         "entries 'top/evil-a.txt' and 'top/evil-b.txt' overlap"),
    Case("overlap-header-inside-data", write_raw(
        Raw(b"top/evil-a.bin", b"pad" + Raw(b"top/evil-b.txt").local()),
        Raw(b"top/evil-b.txt", header_at=2 * _LOCAL.size + len(BENIGN.name)
            + len(BENIGN.data) + len(b"top/evil-a.bin") + 3)),
        "entries 'top/evil-a.bin' and 'top/evil-b.txt' overlap"),
    Case("header-offset-negative", write_raw(cd_offset_delta=64),
         entry("top/bagit.txt", NO_HEADER)),
    Case("header-offset-past-end", write_raw(Raw(b"top/evil.txt", header_at=1 << 30)),
         entry("top/evil.txt", NO_HEADER)),
    Case("data-runs-past-end", write_raw(Raw(b"top/evil.txt", csize=1 << 20)),
         entry("top/evil.txt", "runs past the end of the file")),
    # Bombs and sizes.
    Case("deflate-bomb-50MB-zeros", zip_bomb, entry("top/evil-zeros.bin", BOMB)),
    Case("claims-4GiB-deflated", write_raw(Raw(b"top/evil.bin", deflate(b"tiny"),
                                               size=0xFFFFFFFE, crc=zlib.crc32(b"tiny"),
                                               method=zipfile.ZIP_DEFLATED)),
         entry("top/evil.bin", BOMB)),
    Case("claims-2TiB-stored-zip64", write_raw(Raw(b"top/evil.bin", size=2 << 40)),
         f"{(2 << 40) + len(BAGIT_TXT)} bytes uncompressed, more than the limit of {MAX_TOTAL}"),
    Case("claims-300x4GiB-stored", write_raw(*(Raw(b"top/evil-%03d.bin" % i, size=0xFFFFFFFE)
                                               for i in range(300))),
         f"{300 * 0xFFFFFFFE + len(BAGIT_TXT)} bytes uncompressed, more than the limit of "
         f"{MAX_TOTAL}"),
    # Features we do not read.
    Case("encrypted-entry", write_raw(Raw(b"top/evil.txt", flags=0x801)),
         entry("top/evil.txt", "encrypted")),
    Case("lzma-compression", write_zipfile(("top/evil.txt", b"x" * 100, FILE),
                                           compress=zipfile.ZIP_LZMA),
         entry("top/evil.txt", "unsupported compression")),
    # Refused while reading (damaged or lying data), or by the layout.
    # Payload bytes are checked by SHA-256, not by the (redundant, slower) CRC-32.
    Case("crc-mismatch", crc_mismatch, reason="payload hashes: "
         "data/exhibits/MO-1_doc-00000.txt was changed"),
    Case("local-header-name-lies", local_name_lies, reason="archive: unsafe zip: entry "
         "'p/bagit.txt': its local header and the directory disagree on the name"),
    Case("manifest-over-64MiB", enormous_manifest, reason="archive: unsafe zip: "
         f"p/manifest-sha256.txt is {BIG_MANIFEST_LINES * 92} bytes, over the limit of "
         f"{MAX_TAG_FILE}"),
    Case("loose-file-beside-package", loose_beside_package,
         reason="layout: expected one top folder, found ['evil.txt', 'p']"),
    Case("two-top-folders", zip_of_names("a/bagit.txt", "evil/bagit.txt"),
         reason="layout: expected one top folder, found ['a', 'evil']"),
    Case("only-loose-files", zip_of_names("bagit.txt", "evil.txt"),
         reason="layout: expected one top folder, found ['bagit.txt', 'evil.txt']"),
    Case("one-loose-file", zip_of_names("evil.txt"),
         reason="layout: expected one top folder, found ['evil.txt']"),
    Case("empty-zip", zip_of_names(), reason="layout: expected one top folder, found []"),
]


def write_bytes(data: Callable[[Path], bytes]) -> Callable[[Path, Path], None]:
    def build(dst: Path, real: Path) -> None:
        dst.write_bytes(data(real))
    return build


def corpus_pdf(real: Path) -> bytes:
    pdf = CORPUS / "pdf" / "minimal-document.pdf"
    if not pdf.is_file():
        pytest.fail(f"the shared corpus is missing: {pdf}")
    return pdf.read_bytes()


def folder(dst: Path, real: Path) -> None:
    dst.mkdir()


NOT_ZIP = "is not a readable zip file: File is not a zip file"

NOT_PACKAGES = [
    Case("random-bytes", write_bytes(lambda r: random.Random(20260503).randbytes(4096)),
         reason=NOT_ZIP),
    Case("empty-file", write_bytes(lambda r: b""), reason=NOT_ZIP),
    Case("pdf-renamed-zip", write_bytes(corpus_pdf), reason=NOT_ZIP),
    Case("truncated-half", write_bytes(lambda r: r.read_bytes()[: r.stat().st_size // 2]),
         reason=NOT_ZIP),
    Case("truncated-end-record", write_bytes(lambda r: r.read_bytes()[:-5]), reason=NOT_ZIP),
    Case("utf8-flag-invalid-utf8", write_raw(Raw(b"top/evil-\xff\xfe.txt")),
         reason="is not a readable zip file: 'utf-8' codec can't decode byte 0xff"),
    Case("zip-version-too-new", write_raw(Raw(b"top/evil.txt", version=74)),
         reason="is not a readable zip file: zip file version 7.4"),
    Case("a-folder", folder, reason="is not a file"),
]

ALL = HOSTILE + NOT_PACKAGES
BY_ID = {c.id: c for c in ALL}
assert len(BY_ID) == len(ALL)


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


# ---------------------------------------------------------------------------------------------
# Fixtures: one real package; every case built once, each in its own private folder.

@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("sender")
    v = new_vault(work / "sender")
    try:
        import_files(v, write_files(work / "in", 2, size=3000))
        result = export(v, work / "p.zip", case=CASE)
    finally:
        v.close()
    assert read_zip(result.path)[0] == "p"
    yield result.path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, real: Path) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    paths = {}
    for case in ALL:
        (root / case.id).mkdir()
        paths[case.id] = root / case.id / f"{case.id}.zip"
        case.build(paths[case.id], real)
    yield paths
    shutil.rmtree(root)  # the 64 MiB manifest and the bomb need not outlive the module


@pytest.fixture(scope="module", autouse=True)
def repository_untouched() -> Iterator[None]:
    """Over the whole module: no file named like a hostile target appears in the repository."""
    before = set(listing(ROOT))
    yield
    assert {p for p in set(listing(ROOT)) - before if "evil" in Path(p).name.lower()} == set()


# ---------------------------------------------------------------------------------------------
# Nothing written.

def zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return [i.orig_filename for i in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return []


def _targets(names: Iterable[str], bases: Iterable[Path]) -> set[str]:
    """Where an extracting reader would have written each name (joined, or flattened)."""
    out = set()
    for name in [*names, "../evil.txt", "../../evil.txt", "evil.txt", ABSOLUTE]:
        rel = name.replace("\\", "/")
        parts = [p for p in rel.split("/") if p]
        for base in bases:
            out.add(os.path.normpath(os.path.join(base, rel)))
            if parts:
                out.add(os.path.join(base, parts[-1]))
    return out


def _new_evil(before: set[str], after: set[str], parent: str) -> set[str]:
    """New names (or files below new folders) that look like our hostile targets."""
    new = after - before
    below = listing(*(Path(parent, n) for n in new))
    return {n for n in new | set(below) if "evil" in Path(n).name.lower()}


@contextlib.contextmanager
def nothing_written(package: Path) -> Iterator[None]:
    """Nothing changes beside the package; no hostile name appears anywhere near."""
    folder = package.parent
    cwd = Path.cwd()
    targets = _targets(zip_names(package), [folder, folder.parent, folder.parent.parent, cwd,
                                            cwd.parent, ROOT, Path(TMP)])
    existing = {t for t in targets if os.path.lexists(t)}
    private = listing(folder.parent)
    tmp, here = temp_listing(), set(os.listdir(cwd))
    yield
    assert listing(folder.parent) == private
    assert {t for t in targets if os.path.lexists(t)} == existing
    assert _new_evil(tmp, temp_listing(), TMP) == set()
    assert _new_evil(here, set(os.listdir(cwd)), str(cwd)) == set()
    assert not os.path.lexists(folder.parent / "evil.txt")
    assert not os.path.lexists(ABSOLUTE)


# ---------------------------------------------------------------------------------------------
# In-process: SafeZip and verify_package.

def test_the_real_package_verifies(real: Path) -> None:
    """The baseline the package-based cases start from is sound."""
    result = verify_package(real)
    assert result.verified, result.reason


@pytest.mark.parametrize("case", HOSTILE, ids=ids(HOSTILE))
def test_hostile_package_is_refused(case: Case, built: dict[str, Path]) -> None:
    path = built[case.id]
    with nothing_written(path):
        if case.problem:
            with pytest.raises(HostileArchive) as err:
                SafeZip(path)
            assert case.problem in err.value.problems
        result = verify_package(path)
    assert not result.verified
    assert case.expect in result.reason
    assert result.headline().startswith("NOT VERIFIED: ")
    if case.problem:  # refused before a single entry was read
        assert len(result.checks) == 1
        assert result.checks[0].name == "archive"
        assert not result.checks[0].ok
        assert case.problem in result.checks[0].detail
        assert result.exhibits == [] and result.custody is None


@pytest.mark.parametrize("case", NOT_PACKAGES, ids=ids(NOT_PACKAGES))
def test_not_a_package(case: Case, built: dict[str, Path]) -> None:
    path = built[case.id]
    with nothing_written(path), pytest.raises(NotAPackage) as err:
        verify_package(path)
    message = str(err.value)
    assert case.reason in message
    assert "\n" not in message
    assert err.value.exit_code == 3


CLAIMS = [c for c in HOSTILE if c.id.startswith("claims-")]


@pytest.mark.parametrize("case", CLAIMS, ids=ids(CLAIMS))
def test_claimed_sizes_are_refused_without_reading(case: Case, built: dict[str, Path]) -> None:
    """The central directory claims terabytes; the refusal comes from the claim, at once."""
    path = built[case.id]
    assert path.stat().st_size < 1 << 20
    start = time.perf_counter()
    result = verify_package(path)
    assert time.perf_counter() - start < 2
    assert result.checks[0].name == "archive" and case.problem in result.checks[0].detail


def test_total_size_limit_on_real_sizes(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    path.write_bytes(raw_zip([Raw(b"top/a.bin", bytes(600)), Raw(b"top/b.bin", bytes(600))]))
    with nothing_written(path):
        with pytest.raises(HostileArchive) as err:
            SafeZip(path, max_total=1199)
        assert err.value.problems == ["1200 bytes uncompressed, more than the limit of 1199"]
        with SafeZip(path, max_total=1200) as z:
            assert z.names() == ["top/a.bin", "top/b.bin"]


def test_too_many_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safezip, "MAX_ENTRIES", 5)
    over, at = tmp_path / "over.zip", tmp_path / "at.zip"
    over.write_bytes(raw_zip([Raw(b"top/evil-%d.txt" % i) for i in range(6)]))
    at.write_bytes(raw_zip([Raw(b"top/evil-%d.txt" % i) for i in range(5)]))
    with nothing_written(over):
        result = verify_package(over)
        assert [(c.name, c.ok, c.detail) for c in result.checks] == [
            ("archive", False, "unsafe zip: 6 entries (more than 5)")]
        accepted = verify_package(at)
    assert accepted.checks[0].name == "archive" and accepted.checks[0].ok
    assert accepted.reason.startswith("layout: missing ")


DAMAGED = {
    "bad-deflate-stream": (Raw(b"top/a.txt", b"\xff" * 40, size=100, method=8),
                           "Error -3 while decompressing data"),
    "truncated-deflate-stream": (Raw(b"top/a.txt", deflate(bytes(range(256)) * 8)[:40],
                                     size=2048, method=8), "Bad CRC-32 for file 'top/a.txt'"),
    "bad-crc": (Raw(b"top/a.txt", b"hello", crc=1234), "Bad CRC-32 for file 'top/a.txt'"),
    "local-name-lies": (Raw(b"top/a.txt", local_name=b"../evil"),
                        "File name in directory 'top/a.txt' and header b'../evil' differ."),
}


@pytest.mark.parametrize("how", ["read_small", "iter_chunks"])
@pytest.mark.parametrize("damage", list(DAMAGED))
def test_damaged_entry_data_is_refused_when_read(damage: str, how: str, tmp_path: Path) -> None:
    """zipfile's own errors (CRC, zlib, EOF, lying local header) become HostileArchive."""
    raw, text = DAMAGED[damage]
    path = tmp_path / "damaged.zip"
    path.write_bytes(raw_zip([raw]))
    with nothing_written(path), SafeZip(path) as z, pytest.raises(HostileArchive) as err:
        if how == "read_small":
            z.read_small("top/a.txt", 1 << 20)
        else:
            b"".join(z.iter_chunks("top/a.txt"))
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(f"entry 'top/a.txt': damaged ({text}")


# ---------------------------------------------------------------------------------------------
# The CLI: every case through its entry point (the same handler that keeps tracebacks away),
# the representative ones also in real subprocesses, a few at a time.

def assert_cli_refused(case: Case, code: int | str | None, out: str, err: str) -> None:
    output = out + err
    assert "Traceback" not in output
    assert "internal error" not in output
    if case in NOT_PACKAGES:
        assert code == 3, output
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("evidence-vault: "), err
        assert case.reason in err
    else:
        assert code == 1, output
        assert out.splitlines()[0].startswith(f"NOT VERIFIED: {case.expect}")
        assert f"  [FAIL] {case.expect}" in out
    # Names are shown escaped: a hostile name cannot drive the terminal.
    assert all(ch == "\n" or ord(ch) >= 32 for ch in output), repr(output)


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_cli_verify_refuses(case: Case, built: dict[str, Path], capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVIDENCE_VAULT_DEBUG", raising=False)
    with nothing_written(built[case.id]), pytest.raises(SystemExit) as exit_:
        main(["verify", str(built[case.id])])
    captured = capsys.readouterr()
    assert_cli_refused(case, exit_.value.code, captured.out, captured.err)


SUBPROCESS = [BY_ID[i] for i in (
    "traversal-inside-top", "terminal-escape-in-name", "symlink-to-etc-passwd",
    "overlap-header-inside-data",
    "header-offset-negative", "deflate-bomb-50MB-zeros", "claims-2TiB-stored-zip64",
    "encrypted-entry", "crc-mismatch", "local-header-name-lies", "manifest-over-64MiB",
    "random-bytes", "zip-version-too-new")]


@pytest.fixture(scope="module")
def cli_runs(built: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    root = next(iter(built.values())).parent.parent
    before, tmp = listing(root), temp_listing()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(ids(SUBPROCESS), pool.map(lambda c: run_cli("verify", built[c.id]),
                                                  SUBPROCESS), strict=True))
    assert listing(root) == before
    assert _new_evil(tmp, temp_listing(), TMP) == set()
    return runs


@pytest.mark.parametrize("case", SUBPROCESS, ids=ids(SUBPROCESS))
def test_cli_subprocess_verify_refuses(case: Case, built: dict[str, Path],
                                       cli_runs: dict[str, subprocess.CompletedProcess[str]]
                                       ) -> None:
    r = cli_runs[case.id]
    assert_cli_refused(case, r.returncode, r.stdout, r.stderr)
    assert not os.path.lexists(built[case.id].parent.parent / "evil.txt")


# ---------------------------------------------------------------------------------------------
# Receive into a real vault: refused, nothing taken in, the vault still checks clean.

RECEIVE = ["traversal-inside-top", "symlink-to-etc-passwd", "deflate-bomb-50MB-zeros",
           "overlap-same-local-header", "crc-mismatch", "manifest-over-64MiB",
           "loose-file-beside-package", "random-bytes"]


def receiving_vault(tmp_path: Path) -> Vault:
    v = new_vault(tmp_path / "receiver")
    import_files(v, write_files(tmp_path / "own", 1, size=500))
    return v


@pytest.mark.parametrize("case_id", RECEIVE)
def test_receive_refuses(case_id: str, built: dict[str, Path], tmp_path: Path) -> None:
    case = BY_ID[case_id]
    v = receiving_vault(tmp_path)
    try:
        items = list_items(v)
        vault_files = listing(v.folder)
        with nothing_written(built[case_id]), pytest.raises(VaultError) as err:
            receive_package(v, built[case_id])
        assert listing(v.folder) == vault_files
        message = str(err.value)
        if case in NOT_PACKAGES:
            assert isinstance(err.value, NotAPackage) and case.reason in message
        else:
            assert message.startswith(f"the package is NOT VERIFIED ({case.expect}")
            assert message.endswith("nothing was received. To keep it as evidence anyway, "
                                    "receive it as an unverified item.")
        assert list_items(v) == items
        report = run_check(v)
        assert report.ok, report.problems
    finally:
        v.close()


def test_cli_receive_refuses(built: dict[str, Path], tmp_path: Path) -> None:
    case = BY_ID["traversal-inside-top"]
    v = receiving_vault(tmp_path)
    folder, count = v.folder, len(list_items(v))
    v.close()
    with nothing_written(built[case.id]):
        r = run_cli("receive", folder, built[case.id])
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stdout == ""
    assert without_slot_warnings(r.stderr).startswith(
        f"evidence-vault: the package is NOT VERIFIED ({case.expect})")
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        assert len(list_items(v)) == count
        assert run_check(v).ok


def test_a_package_verifies_where_pread_does_not_exist(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.pread: the verifier reads the entries through zipfile instead, with
    the same result."""
    from packages import CASE, export, import_files, new_vault, sample_paths

    v = new_vault(tmp_path / "v")
    import_files(v, sample_paths(tmp_path))
    package = export(v, tmp_path / "p.zip", case=CASE).path
    v.close()
    with_pread = verify_package(package)
    monkeypatch.delattr(os, "pread")
    without = verify_package(package)
    assert without.intact and [c for c in without.checks] == [c for c in with_pread.checks]
