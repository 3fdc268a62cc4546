"""Import: exact bytes, provenance, metadata, warnings, received again, references."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest
from conftest import IDENTITY, write_files

from vault.evidence.importer import FAILED, IMPORTED, RECEIVED_AGAIN, ImportResult, import_paths
from vault.evidence.items import get_item, list_items, provenance
from vault.evidence.private_details import private_record
from vault.store.vault import Vault


def run_import(v: Vault, *paths: Path, **kw: object) -> list[ImportResult]:
    results: list[ImportResult] = []
    for p in import_paths(v, paths, **kw):  # type: ignore[arg-type]
        results.extend(p.acknowledged)
    return results


def stored_bytes(v: Vault, ref: str) -> bytes:
    item = get_item(v, ref)
    assert item.oid is not None
    with v.objects.open(item.oid, v.object_key(item.oid)) as r:
        return b"".join(r.iter_chunks())


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_corpus_file_is_preserved_exactly(vault: Vault, corpus: Path) -> None:
    before = snapshot(corpus)
    results = run_import(vault, corpus, case="NB-2026-01", received_from="USB stick from Y")
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file()]
    # What is inside files (a PDF's embedded file) is made an item too: named by its parent.
    inside = [r for r in results if r.parent is not None]
    assert [r.parent for r in inside] == [
        r.ref for r in results if r.source.endswith("with-attachment.pdf")]
    results = [r for r in results if r.parent is None]
    assert len(results) == len(files)
    by_source = {r.source: r for r in results}
    for f in files:
        r = by_source[str(f)]
        data = f.read_bytes()
        assert r.status == IMPORTED, r
        assert r.sha256 == hashlib.sha256(data).hexdigest()
        assert r.ref is not None
        assert stored_bytes(vault, r.ref) == data
        assert get_item(vault, r.ref).sha256 == r.sha256
    assert snapshot(corpus) == before  # sources neither modified nor touched


def test_bad_files_are_preserved_with_warnings(vault: Vault, corpus: Path) -> None:
    results = {Path(r.source).name: r for r in run_import(vault, corpus / "bad")}
    for name, r in results.items():
        assert r.status == IMPORTED
        assert r.ref is not None
        assert stored_bytes(vault, r.ref) == (corpus / "bad" / name).read_bytes()
        assert r.warnings, f"{name} should carry a warning"
        assert get_item(vault, r.ref).warnings == r.warnings
    assert any("password" in w for w in results["password-protected.pdf"].warnings)


def test_photo_metadata_gps_orientation_and_heic(vault: Vault, corpus: Path) -> None:
    run_import(vault, corpus / "photos")
    items = {i.name: i for i in list_items(vault)}
    gps = items["DSCN0010.jpg"].metadata["gps"]
    assert 43.4 < gps["latitude"] < 43.5 and 11.8 < gps["longitude"] < 11.9
    assert items["DSCN0010.jpg"].metadata["camera_make"] == "NIKON"
    assert items["landscape_6.jpg"].metadata["orientation"] == 6
    assert items["portrait_8.jpg"].metadata["orientation"] == 8
    heic = items["IMG_5195.HEIC"]
    assert heic.mime == "image/heic"
    assert heic.metadata["camera_make"] == "Apple"
    assert "captured" in heic.metadata
    for name in ("Canon_40D.jpg", "Nikon_D70.jpg", "jolla.jpg", "DSCN0021.jpg"):
        assert items[name].metadata.get("camera_make"), name
    assert not items["jolla.jpg"].warnings
    assert not items["DSCN0021.jpg"].warnings
    # The two camera samples were shrunk to 100 px wide after the camera wrote their metadata.
    assert "says the picture is 2730x1790" in items["Nikon_D70.jpg"].warnings[0]


def test_damaged_and_inconsistent_jpegs_are_named(vault: Vault, corpus: Path) -> None:
    results = {Path(r.source).name: r for r in run_import(vault, corpus / "bad")}
    assert any("damaged at byte 229375" in w for w in results["corrupted.jpg"].warnings)
    assert any("says the picture is 636x1020" in w for w in results["image00971.jpg"].warnings)
    assert any("says the picture is 5454x3647" in w for w in results["image01137.jpg"].warnings)


def test_pdf_metadata(vault: Vault, corpus: Path) -> None:
    pdf = corpus / "pdf"
    run_import(vault, pdf / "pdflatex-4-pages.pdf", pdf / "minimal-document.pdf")
    items = {i.name: i for i in list_items(vault)}
    assert items["pdflatex-4-pages.pdf"].metadata["pages"] == 4
    assert items["pdflatex-4-pages.pdf"].mime == "application/pdf"
    assert "producer" in items["pdflatex-4-pages.pdf"].metadata["pdf"]


def test_provenance_is_recorded_and_signed(vault: Vault, tmp_path: Path) -> None:
    [src] = write_files(tmp_path / "in", 1)
    os.utime(src, (1_600_000_000, 1_600_000_000))
    [r] = run_import(vault, src, case="NB-1", received_from="email from X on 3 May")
    [prov] = provenance(vault, r.ref or "")
    assert prov["original_name"] == src.name
    # the signed record: the path below what was imported; the absolute path and this
    # computer's name stay in the vault, sealed by the commitment
    assert prov["original_path"] == src.name
    private = private_record(vault.con, prov["private_sha256"])
    assert private is not None and private["original_path"] == str(src.resolve())
    assert private["machine"] == socket.gethostname()
    assert socket.gethostname() not in json.dumps(prov)
    assert prov["size"] == src.stat().st_size
    assert prov["modified"] == "2020-09-13T12:26:40.000000Z"
    assert prov["mime"] == "text/plain"
    assert prov["case"] == "NB-1"
    assert prov["received_from"] == "email from X on 3 May"
    assert prov["imported_by"] == IDENTITY.to_dict()
    assert prov["machine"].startswith("computer ") and prov["program"].startswith(
        "evidence-vault ")
    assert prov["received"].startswith("2026-05-03T09:")  # the injected clock
    [ev] = [e for e in vault.events(r.ref) if e.fields["action"] == "imported"]
    assert ev.fields["details"] == json.loads(json.dumps(prov))
    assert ev.fields["sha256"] == r.sha256


def test_references_are_sequential_and_never_reused(vault: Vault, tmp_path: Path) -> None:
    files = write_files(tmp_path / "in", 3)
    refs = [r.ref for r in run_import(vault, *files)]
    assert refs == ["MO/1", "MO/2", "MO/3"]
    from vault.evidence.purge import purge

    purge(vault, "MO/3", "imported by mistake")
    [r] = run_import(vault, *write_files(tmp_path / "more", 1, prefix="other"))
    assert r.ref == "MO/4"


def test_same_bytes_again_is_received_again_not_a_copy(vault: Vault, tmp_path: Path) -> None:
    [a] = write_files(tmp_path / "a", 1)
    b = tmp_path / "b" / "renamed.txt"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    [first] = run_import(vault, a, received_from="email")
    [second] = run_import(vault, b, received_from="USB stick")
    assert second.status == RECEIVED_AGAIN and second.ref == first.ref
    assert len(list_items(vault)) == 1
    assert len(vault.referenced_objects()) == 1
    assert vault.objects.names() == vault.referenced_objects()
    provs = provenance(vault, first.ref or "")
    assert [p["received_from"] for p in provs] == ["email", "USB stick"]
    actions = [e.fields["action"] for e in vault.events(first.ref)]
    assert actions == ["imported", "received again"]


def test_duplicates_within_one_batch(vault: Vault, tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.txt").write_bytes(b"same")
    (d / "b.txt").write_bytes(b"same")
    statuses = [r.status for r in run_import(vault, d)]
    assert statuses == [IMPORTED, RECEIVED_AGAIN]
    assert vault.objects.names() == vault.referenced_objects()


def test_folders_recursive_and_missing_paths(vault: Vault, tmp_path: Path) -> None:
    write_files(tmp_path / "top" / "sub" / "deeper", 2)
    write_files(tmp_path / "top", 1, prefix="x")
    results = run_import(vault, tmp_path / "top", tmp_path / "nope")
    assert sorted(r.status for r in results) == [FAILED, IMPORTED, IMPORTED, IMPORTED]


def test_empty_file(vault: Vault, tmp_path: Path) -> None:
    p = tmp_path / "empty.bin"
    p.write_bytes(b"")
    [r] = run_import(vault, p)
    assert r.sha256 == hashlib.sha256(b"").hexdigest()
    assert stored_bytes(vault, r.ref or "") == b""


def test_cancel_keeps_what_was_done(vault: Vault, tmp_path: Path) -> None:
    files = write_files(tmp_path / "in", 40, size=5000)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 10

    results = run_import(vault, *files, cancel=cancel, batch_files=4)
    assert 0 < len(results) < 40
    assert len(list_items(vault)) == len(results)
    from vault.store.check import run_check

    assert run_check(vault).ok
    assert vault.objects.names() == vault.referenced_objects()


def test_large_multi_chunk_file(vault: Vault, tmp_path: Path) -> None:
    p = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 12345)
    p.write_bytes(data)
    [r] = run_import(vault, p)
    assert stored_bytes(vault, r.ref or "") == data


def test_decompression_bomb_is_preserved_not_decoded(vault: Vault, tmp_path: Path) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)
    [r] = run_import(vault, bomb)
    assert r.status == IMPORTED
    assert any("decompression bomb" in w.lower() or "not decoded" in w for w in r.warnings)
    assert stored_bytes(vault, r.ref or "") == bomb.read_bytes()


@pytest.mark.parametrize("head,mime", [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"Received: from x\r\nFrom: a@b\r\n", "message/rfc822"),
    (b"Minutes of the meeting", "text/plain"),
    (b"\x00\x01\x02\x03binary", "application/octet-stream"),
    (b"Minutes of the caf\xe9 meeting", "text/plain"),  # Windows-1252: still text
    (b"\xe9\x8f\x1b\x93\xc4 not text", "application/octet-stream"),  # a control byte
])
def test_mime_from_content_not_name(vault: Vault, tmp_path: Path, head: bytes, mime: str) -> None:
    p = tmp_path / "misleading.docx"
    p.write_bytes(head + b" rest")
    [r] = run_import(vault, p)
    assert get_item(vault, r.ref or "").mime == mime
