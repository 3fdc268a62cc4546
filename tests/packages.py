"""Helpers for the evidence-package tests: vaults with exhibits, exports, zip rewriting."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from conftest import CORPUS, IDENTITY, PASSPHRASE, T0, write_files

from vault.clock import FixedClock
from vault.evidence.importer import ImportResult, import_paths
from vault.packages.export import ExportResult, export_package
from vault.packages.verification import Check, Verification
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

SOLICITOR = Identity("Sam Solicitor", "SS", "Solicitor", "Harbour Law")
CASE = "NB-2026-01"
SAMPLE = ("pdf/minimal-document.pdf", "pdf/pdflatex-image.pdf", "photos/jolla.jpg",
          "photos/DSCN0010.jpg")

Entries = dict[str, bytes]


def new_vault(path: Path, identity: Identity = IDENTITY) -> Vault:
    v, _ = Vault.create(path, PASSPHRASE, identity, clock=FixedClock(T0), kdf=TEST_KDF)
    return v


def sample_paths(work: Path) -> list[Path]:
    """A couple of corpus PDFs and photos, plus generated text files."""
    return [CORPUS / s for s in SAMPLE] + write_files(work / "generated", 2, size=3000)


def import_files(v: Vault, paths: Iterable[Path], case: str | None = CASE) -> list[ImportResult]:
    results: list[ImportResult] = []
    for p in import_paths(v, list(paths), case=case):
        results.extend(p.acknowledged)
    return results


def export(v: Vault, out: Path, **kw: object) -> ExportResult:
    """Run the export generator to its end and return its result."""
    steps = list(export_package(v, out, **kw))  # type: ignore[arg-type]
    result = steps[-1]
    assert isinstance(result, ExportResult), steps
    return result


def read_zip(path: Path) -> tuple[str, Entries]:
    """(top folder, {name below the top folder: bytes}) in archive order."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        tops = {n.split("/", 1)[0] for n in names}
        assert len(tops) == 1, tops
        top = tops.pop()
        return top, {n.split("/", 1)[1]: zf.read(n) for n in names}


def write_zip(dst: Path, top: str, entries: Entries) -> None:
    """A stored zip like export writes: every entry under ``top/``, names marked UTF-8."""
    with zipfile.ZipFile(dst, "x", zipfile.ZIP_STORED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2026, 5, 3, 9, 30, 0))
            info.external_attr = 0o644 << 16
            info.flag_bits |= 0x800
            zf.writestr(info, data)


def rewrite_zip(src: Path, dst: Path, mutate: Callable[[Entries], None]) -> None:
    """Copy the package ``src`` to ``dst`` after ``mutate`` changed its entries in place."""
    top, entries = read_zip(src)
    mutate(entries)
    write_zip(dst, top, entries)


def flip(data: bytes, at: int | None = None) -> bytes:
    """``data`` with one byte changed (in the middle unless ``at`` is given)."""
    i = len(data) // 2 if at is None else at
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_text(entries: dict[str, str]) -> bytes:
    return "".join(f"{h}  {p}\n" for p, h in sorted(entries.items())).encode()


def rehash(entries: Entries) -> None:
    """Rewrite Payload-Oxum and both manifests to match the (changed) entries; the signature
    is not redone."""
    payload = {p: sha256(d) for p, d in entries.items() if p.startswith("data/")}
    oxum = f"Payload-Oxum: {sum(len(entries[p]) for p in payload)}.{len(payload)}"
    entries["bag-info.txt"] = re.sub(rb"Payload-Oxum: [0-9.]+", oxum.encode(),
                                     entries["bag-info.txt"])
    entries["manifest-sha256.txt"] = manifest_text(payload)
    tags = {p: sha256(entries[p]) for p in
            ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "HOW-TO-VERIFY.txt")}
    entries["tagmanifest-sha256.txt"] = manifest_text(tags)


def failed(result: Verification) -> list[Check]:
    return [c for c in result.checks if not c.ok]


def listing(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folders``: (size, mtime) by path, to show nothing was written."""
    out: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for f in files:
                p = Path(root, f)
                try:
                    st = p.lstat()
                except OSError:
                    continue
                out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


def temp_listing() -> set[str]:
    """Names directly in the system temporary folder (other processes may use it too)."""
    return set(os.listdir(tempfile.gettempdir()))
