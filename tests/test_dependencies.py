"""The native parsers we ship decode files from adversaries: they stay on patched versions,
and docs/dependencies.md says which versions were checked against which advisories."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import pillow_heif
import pymupdf
import pytest

from vault.errors import EnvironmentProblem
from vault.evidence import heif
from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.store.vault import Vault

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "dependencies.md"


def _dotted(v: tuple[int, ...]) -> str:
    return ".".join(map(str, v))


def test_bundled_heic_decoder_is_at_least_the_fixed_versions() -> None:
    found = heif.versions()
    # libheif 1.23.3 fixes GHSA-x8r2-mggj-j6wr (heap overflow in uncompressed HEIF decoding);
    # later releases fix more. libde265 1.1.1 fixes the set_SliceHeaderIndex heap overflow.
    assert found["libheif"] >= (1, 23, 3), found
    assert found["libheif"] >= heif.LIBHEIF_FLOOR, found
    assert found["libde265"] >= heif.LIBDE265_FLOOR, found
    assert heif.problems() == []


def test_the_old_binding_is_not_installed() -> None:
    """pi_heif 1.4.0 bundles libheif 1.23.0: nothing may be able to import it."""
    assert importlib.util.find_spec("pi_heif") is None


def test_an_old_heic_decoder_is_refused_and_the_photo_still_preserved(
        monkeypatch: pytest.MonkeyPatch, vault: Vault, corpus: Path) -> None:
    monkeypatch.setattr(heif, "_ready", False)
    monkeypatch.setattr(pillow_heif, "libheif_info", lambda: {
        "libheif": "1.23.0", "decoders": {"libde265": "libde265 HEVC decoder, version 1.0.15"}})
    assert len(heif.problems()) == 2
    with pytest.raises(EnvironmentProblem, match=r"libheif 1\.23\.0, older than 1\.23\.6"):
        heif.register()
    refs = [r.ref for p in import_paths(vault, [corpus / "photos" / "IMG_5195.HEIC"])
            for r in p.acknowledged]
    assert refs == ["MO/1"]
    item = list_items(vault)[0]
    assert item.sha256 == hashlib.sha256(
        (corpus / "photos" / "IMG_5195.HEIC").read_bytes()).hexdigest()
    assert any("photo not decoded" in w and "libheif 1.23.0" in w for w in item.warnings)
    assert "camera_make" not in item.metadata


def test_mupdf_is_at_least_the_fixed_version() -> None:
    """MuPDF 1.28.0 fixes CVE-2026-3308 (image-stride overflow, heap read into thumbnails)."""
    version = tuple(int(x) for x in pymupdf.VersionFitz.split(".")[:3])
    assert version >= (1, 28, 2)


def test_dependencies_page_names_what_is_installed() -> None:
    """docs/dependencies.md lists each native parser at the version this environment runs."""
    import lxml.etree
    import PIL
    import PIL.features
    import sqlcipher3

    con = sqlcipher3.connect(":memory:")
    con.execute("PRAGMA key='x'")
    sqlcipher = con.execute("PRAGMA cipher_version").fetchone()[0].split()[0]
    con.close()
    text = DOC.read_text(encoding="utf-8")
    assert re.search(r"^Checked: \d{4}-\d{2}-\d{2}", text, re.M)
    expected = {
        "MuPDF": pymupdf.VersionFitz,
        "libheif": _dotted(heif.versions()["libheif"]),
        "libde265": _dotted(heif.versions()["libde265"]),
        "libjpeg-turbo": PIL.features.version("libjpeg_turbo"),
        "libtiff": PIL.features.version("libtiff"),
        "libwebp": PIL.features.version("webp"),
        "Pillow": PIL.__version__,
        "libxml2": _dotted(lxml.etree.LIBXML_VERSION),
        "SQLCipher": sqlcipher,
    }
    for name, version in expected.items():
        row = next((line for line in text.splitlines()
                    if line.startswith(f"| {name} ")), None)
        assert row is not None, f"{name} has no row in docs/dependencies.md"
        assert f"| {version} " in row, f"{name}: the page does not say {version}: {row}"
