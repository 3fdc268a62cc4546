"""Thumbnails: drawn from the decrypted original in memory, kept only inside the vault as
encrypted objects, read back from there; None for what cannot be drawn; gone with a purge;
kept by the sweep; checked by ``check``; never written anywhere in clear."""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest
from conftest import IDENTITY, PASSPHRASE, ROOT, T0, import_refs, write_files
from PIL import Image, ImageChops, ImageOps, ImageStat
from test_no_plaintext import existing_written, places_to_scan, scan, strace_or_fail

from vault.clock import FixedClock
from vault.documents.thumbnails import (
    MAX_DECODE_PIXELS,
    PNG_SIGNATURE,
    forget_thumbnails,
    thumbnail,
    thumbnails_for,
)
from vault.errors import NotFound, VaultUnusable
from vault.evidence.items import get_item
from vault.evidence.purge import purge
from vault.store.check import run_check
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

PHOTOS = ["Canon_40D.jpg", "DSCN0010.jpg", "DSCN0021.jpg", "DSCN0027.jpg", "IMG_5195.HEIC",
          "Nikon_D70.jpg", "jolla.jpg", "landscape_6.jpg", "portrait_8.jpg"]


# ------------------------------------------------------------------------------ helpers
def picture(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG"
    im.load()
    return im


def counts(v: Vault) -> tuple[int, int, int]:
    """(thumbnail rows, object rows, object files)."""
    rows = v.con.execute("SELECT count(*) FROM thumbnails").fetchone()[0]
    objects = v.con.execute("SELECT count(*) FROM objects").fetchone()[0]
    return rows, objects, len(v.objects.names())


def stored_oid(v: Vault, ref: str, size: int = 256) -> str:
    row = v.con.execute("SELECT t.oid FROM thumbnails t JOIN items i ON i.id = t.item_id "
                        "WHERE i.ref=? AND t.size=?", (ref, size)).fetchone()
    assert row is not None, f"no stored thumbnail of {ref} at {size} px"
    return str(row[0])


def png_claiming(width: int, height: int, idat: bytes) -> bytes:
    """A PNG whose header claims width x height (RGB, 8 bits) with the given IDAT data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def with_orientation(src: Path, dest: Path, orientation: int) -> Path:
    with Image.open(src) as im:
        exif = im.getexif()
        exif[0x0112] = orientation
        im.save(dest, "JPEG", quality=90, exif=exif.tobytes())
    return dest


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel (0 to 255) of two pictures of the same size."""
    assert a.size == b.size, (a.size, b.size)
    stat = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
    return sum(stat.mean) / 3


def reference(path: Path, size: int) -> Image.Image:
    """What a viewer shows, made the straightforward way (full decode, exif_transpose)."""
    with Image.open(path) as im:
        upright = ImageOps.exif_transpose(im)
    upright.thumbnail((size, size))
    return upright


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, dict[str, str]]]:
    """One vault holding the whole corpus, for the tests that only read."""
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.fail(f"the shared corpus is missing: {corpus}")
    v, _ = Vault.create(tmp_path_factory.mktemp("library") / "library", PASSPHRASE, IDENTITY,
                        clock=FixedClock(T0), kdf=TEST_KDF)
    try:
        yield v, import_refs(v, corpus)
    finally:
        v.close()


# ------------------------------------------------------------------------------ drawing
@pytest.mark.parametrize("size", [64, 256])
def test_every_photo_and_pdf_gets_a_png_that_fits(library: tuple[Vault, dict[str, str]],
                                                  corpus: Path, size: int) -> None:
    v, refs = library
    pdfs = sorted(p.name for p in (corpus / "pdf").glob("*.pdf"))
    assert len(pdfs) == 13
    for name in [*PHOTOS, *pdfs]:
        png = thumbnail(v, refs[name], size)
        assert png is not None, name
        im = picture(png)
        assert max(im.size) <= size and min(im.size) >= 1, (name, im.size)
        assert im.mode in ("RGB", "RGBA", "L", "LA")
        assert not im.info.get("exif") and not im.info.get("icc_profile"), name
        row = v.con.execute("SELECT t.mime, t.width, t.height FROM thumbnails t JOIN items i "
                            "ON i.id = t.item_id WHERE i.ref=? AND t.size=?",
                            (refs[name], size)).fetchone()
        assert tuple(row) == ("image/png", *im.size), name
    # A picture smaller than the bound is never enlarged; larger ones touch it.
    assert picture(thumbnail(v, refs["Canon_40D.jpg"], 256) or b"").size == (100, 68)
    assert max(picture(thumbnail(v, refs["jolla.jpg"], size) or b"").size) == size


def test_photos_look_like_the_original_turned_upright(library: tuple[Vault, dict[str, str]],
                                                      corpus: Path) -> None:
    v, refs = library
    for name in ["DSCN0010.jpg", "jolla.jpg", "landscape_6.jpg", "portrait_8.jpg"]:
        im = picture(thumbnail(v, refs[name]) or b"")
        ref = reference(corpus / "photos" / name, 256)
        assert im.size == ref.size, name
        assert difference(im, ref) < 6, name  # the same picture, the same way up
        assert difference(im, ref.rotate(180)) > 2 * difference(im, ref), name


def test_exif_orientation_is_applied(library: tuple[Vault, dict[str, str]], corpus: Path,
                                     vault: Vault, tmp_path: Path) -> None:
    v, refs = library
    # landscape_6: stored 450x600 (taller), orientation 6 turns it into a landscape.
    with Image.open(corpus / "photos" / "landscape_6.jpg") as im:
        assert im.size == (450, 600) and im.getexif()[0x0112] == 6
    w, h = picture(thumbnail(v, refs["landscape_6.jpg"]) or b"").size
    assert w > h
    # portrait_8: stored 600x450 (wider), orientation 8 turns it into a portrait.
    w, h = picture(thumbnail(v, refs["portrait_8.jpg"]) or b"").size
    assert h > w
    # A portrait photo: stored landscape with orientation 6 (as phones write them), and the
    # same picture stored upright without a tag, give the same upright thumbnail.
    src = corpus / "photos" / "DSCN0010.jpg"
    tagged = with_orientation(src, tmp_path / "portrait-6.jpg", 6)
    with Image.open(src) as im:
        im.transpose(Image.Transpose.ROTATE_270).save(tmp_path / "upright.jpg", quality=90)
    mine = import_refs(vault, tagged, tmp_path / "upright.jpg")
    a = picture(thumbnail(vault, mine["portrait-6.jpg"]) or b"")
    b = picture(thumbnail(vault, mine["upright.jpg"]) or b"")
    assert a.size == b.size == (192, 256)
    assert difference(a, b) < 6


def test_heic_photo(library: tuple[Vault, dict[str, str]]) -> None:
    v, refs = library
    assert get_item(v, refs["IMG_5195.HEIC"]).mime.startswith("image/hei")
    im = picture(thumbnail(v, refs["IMG_5195.HEIC"]) or b"")
    assert im.size == (198, 256)  # 2566x3313, upright
    assert ImageStat.Stat(im.convert("L")).stddev[0] > 10  # a picture, not a blank


def test_pdf_first_page_as_displayed(library: tuple[Vault, dict[str, str]],
                                     corpus: Path) -> None:
    v, refs = library
    for name in ["habibi-rotated.pdf", "pdflatex-4-pages.pdf", "google-doc-document.pdf"]:
        with pymupdf.open(corpus / "pdf" / name) as doc:
            rect = doc[0].rect  # /Rotate applied
            zoom = 256 / max(rect.width, rect.height)
            expected = doc[0].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom))
        im = picture(thumbnail(v, refs[name]) or b"")
        assert (im.width > im.height) == (rect.width > rect.height), name
        assert max(im.size) == 256
        drawn = Image.frombytes("RGB", (expected.width, expected.height), expected.samples)
        assert difference(im, drawn.resize(im.size)) < 3, name
    # Not blank: a text page is grey lines (small, antialiased text) on white.
    im = picture(thumbnail(v, refs["pdflatex-4-pages.pdf"]) or b"").convert("L")
    assert im.getextrema()[0] < 160 and im.getextrema()[1] == 255
    assert ImageStat.Stat(im).stddev[0] > 5


# ------------------------------------------------------------------------------ bad content
def test_damaged_and_unreadable_content_gives_none(library: tuple[Vault, dict[str, str]],
                                                   vault: Vault, corpus: Path,
                                                   tmp_path: Path) -> None:
    v, refs = library
    assert thumbnail(v, refs["password-protected.pdf"]) is None
    assert thumbnail(v, refs["LICENSE-CC-BY-SA-4.0.txt"]) is None
    # The corpus's damaged JPEGs still decode (a viewer shows them, partly garbled): their
    # thumbnails are what a viewer shows, and nothing raises.
    for name in ["corrupted.jpg", "image00971.jpg", "image01137.jpg"]:
        png = thumbnail(v, refs[name])
        assert png is not None and max(picture(png).size) <= 256, name
    # Content that does not decode at all gives None, and nothing is stored for it.
    inputs = tmp_path / "in"
    inputs.mkdir()
    jolla = (corpus / "photos" / "jolla.jpg").read_bytes()
    pdf = (corpus / "pdf" / "minimal-document.pdf").read_bytes()
    (inputs / "truncated.jpg").write_bytes(jolla[: len(jolla) // 2])
    (inputs / "header-only.jpg").write_bytes(jolla[:2000])
    (inputs / "garbage.jpg").write_bytes(jolla[:600] + bytes(range(256)) * 64)
    (inputs / "cut.pdf").write_bytes(pdf[:300])
    (inputs / "not-a-pdf.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (inputs / "zero-page.png").write_bytes(png_claiming(0, 0, b""))
    (inputs / "empty.bin").write_bytes(b"")
    bad = import_refs(vault, inputs)
    before = counts(vault)
    for name, ref in bad.items():
        assert thumbnail(vault, ref) is None, name
    assert counts(vault) == before
    assert run_check(vault).ok


def test_a_decompression_bomb_is_refused_before_decoding(vault: Vault, tmp_path: Path) -> None:
    """A header claiming 100000x100000 (Pillow refuses it on opening), and a real 9000x9000
    picture (81 MP: under Pillow's limit, over ours), give None at once, in a fresh process
    whose peak memory shows nothing was decoded."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "claims-100000.png").write_bytes(png_claiming(100_000, 100_000,
                                                            zlib.compress(bytes(1000))))
    side = 9000
    assert side * side > MAX_DECODE_PIXELS
    rows = zlib.compressobj(9)
    idat = b"".join(rows.compress(bytes(side * 3 + 1)) for _ in range(side)) + rows.flush()
    (inputs / "real-81mp.png").write_bytes(png_claiming(side, side, idat))
    refs = import_refs(vault, inputs)
    vault.close()
    code = f"""
import json, resource, sys, time
from vault.documents.thumbnails import thumbnail
from vault.store.vault import Vault
out = {{}}
with Vault.open(sys.argv[1], passphrase={PASSPHRASE!r}) as v:
    thumbnail(v, {refs["claims-100000.png"]!r}, 16)  # imports Pillow and the rest first
    for ref in {sorted(refs.values())!r}:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        result = thumbnail(v, ref)
        out[ref] = [result is None, time.perf_counter() - t,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before]
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-W", "error", "-c", code, str(vault.folder)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for ref, (none, seconds, grown_kib) in results.items():
        assert none, ref
        # Refused before decoding: the memory says so (81 MP of RGB would be 243 MB). The time
        # is only a sanity bound: decoding 81 MP takes about a second here, and a loaded
        # machine took 0.39 s to refuse (a full-suite failure with a 0.3 s limit).
        assert grown_kib < 50 * 1024, (ref, grown_kib)
        assert seconds < 2.0, (ref, seconds)


def test_sizes_and_refs_are_checked(vault: Vault, tmp_path: Path) -> None:
    [src] = write_files(tmp_path / "in", 1)
    [ref] = import_refs(vault, src).values()
    for size in (0, 15, 1025, 5000):
        with pytest.raises(ValueError, match="thumbnail size"):
            thumbnail(vault, ref, size)
    with pytest.raises(ValueError):
        thumbnail(vault, ref, True)
    with pytest.raises(ValueError):
        list(thumbnails_for(vault, [ref], 2))
    with pytest.raises(NotFound):
        thumbnail(vault, "MO/999")
    assert thumbnail(vault, ref.lower()) is None  # a text file, found case-insensitively


# ------------------------------------------------------------------------------ storage
def test_made_once_then_read_from_the_vault(vault: Vault, corpus: Path) -> None:
    refs = import_refs(vault, corpus / "photos" / "jolla.jpg", corpus / "pdf" / "multicolumn.pdf")
    events = len(list(vault.events()))
    head = (vault.folder / "head.json").read_bytes()
    assert counts(vault) == (0, 2, 2)
    first = {ref: thumbnail(vault, ref) for ref in refs.values()}
    assert counts(vault) == (2, 4, 4)  # one row and one encrypted object each
    assert thumbnail(vault, refs["jolla.jpg"], 128) is not None  # another size: another one
    assert counts(vault) == (3, 5, 5)
    # Not a custody event: the log and its head are unchanged.
    assert len(list(vault.events())) == events
    assert (vault.folder / "head.json").read_bytes() == head
    # The stored object is the thumbnail, encrypted: it decrypts to exactly those bytes.
    for ref, png in first.items():
        oid = stored_oid(vault, ref)
        with vault.objects.open(oid, vault.object_key(oid)) as reader:
            assert reader.read() == png
        assert png is not None and png not in vault.objects.path(oid).read_bytes()
    # Later calls read it back: no new rows or objects, the same bytes, even with the
    # original's file made unreadable (the original is not read at all).
    original = vault.objects.path(get_item(vault, refs["jolla.jpg"]).oid or "")
    original.write_bytes(original.read_bytes()[:16])
    for ref, png in first.items():
        assert thumbnail(vault, ref) == png
    assert [r for _, r in thumbnails_for(vault, list(refs.values()))] == list(first.values())
    assert counts(vault) == (3, 5, 5)
    assert run_check(vault).problems == [
        f"item {refs['jolla.jpg']}: object {original.name} is truncated"]


def test_thumbnails_survive_reopening(make_vault: Callable[..., tuple[Vault, str]],
                                      corpus: Path) -> None:
    v, _ = make_vault()
    refs = import_refs(v, corpus / "photos" / "DSCN0021.jpg", corpus / "pdf" / "annotated_pdf.pdf")
    made = {ref: thumbnail(v, ref) for ref in refs.values()}
    names = v.objects.names()
    assert len(names) == 4
    assert {stored_oid(v, r) for r in refs.values()} <= v.referenced_objects()
    v.close()
    with Vault.open(v.folder, passphrase=PASSPHRASE) as again:
        assert again.open_warnings == []
        assert again.objects.names() == names  # the sweep kept them
        assert {ref: thumbnail(again, ref) for ref in refs.values()} == made
        assert counts(again) == (2, 4, 4)
        report = run_check(again)
        assert report.ok, report.problems
        assert report.thumbnails_checked == 2


def test_purge_removes_the_thumbnails(vault: Vault, corpus: Path) -> None:
    refs = import_refs(vault, corpus / "photos" / "DSCN0027.jpg", corpus / "photos" / "jolla.jpg")
    ref, other = refs["DSCN0027.jpg"], refs["jolla.jpg"]
    for size in (128, 256):
        assert thumbnail(vault, ref, size) is not None
    assert thumbnail(vault, other) is not None
    oids = [stored_oid(vault, ref, 128), stored_oid(vault, ref, 256)]
    assert counts(vault) == (3, 5, 5)
    purge(vault, ref, "must not be held")
    assert counts(vault) == (1, 2, 2)  # the other item and its thumbnail remain
    for oid in oids:
        assert not vault.objects.path(oid).exists()
        assert vault.con.execute("SELECT 1 FROM objects WHERE oid=?", (oid,)).fetchone() is None
    assert thumbnail(vault, ref) is None  # and none is made again
    assert counts(vault) == (1, 2, 2)
    assert thumbnail(vault, other) is not None
    assert run_check(vault).ok


def test_check_reports_a_damaged_thumbnail_as_not_evidence(vault: Vault, corpus: Path) -> None:
    [ref] = import_refs(vault, corpus / "photos" / "DSCN0010.jpg").values()
    png = thumbnail(vault, ref)
    assert run_check(vault).ok
    path = vault.objects.path(stored_oid(vault, ref))
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(data)
    report = run_check(vault)
    assert report.problems == [
        f"thumbnail of {ref} (256 px): object {path.name} failed authentication at its last "
        "chunk (truncated, or altered): altered, reordered, swapped or truncated (a display "
        "copy, not evidence: the item's content is checked on its own)"]
    assert report.items_checked == 1 and report.bytes_checked > 0
    # The screen still gets a thumbnail, drawn afresh; the damaged one is left for check.
    assert thumbnail(vault, ref) == png
    assert not run_check(vault).ok
    assert forget_thumbnails(vault, ref) == 1
    assert not path.exists()
    assert run_check(vault).ok
    assert thumbnail(vault, ref) == png  # made again
    assert forget_thumbnails(vault) == 1
    assert counts(vault) == (0, 1, 1)


def test_crash_leftovers_of_a_thumbnail_are_swept(make_vault: Callable[..., tuple[Vault, str]],
                                                  corpus: Path) -> None:
    """A thumbnail file written but never recorded (a crash before the commit) is an orphan."""
    v, _ = make_vault()
    [ref] = import_refs(v, corpus / "photos" / "Nikon_D70.jpg").values()
    writer = v.objects.writer()
    writer.write_chunk(b"\x89PNG half a thumbnail", final=True)
    writer.commit()
    assert "1 file(s) in objects/ belong to no item" in run_check(v).problems
    v.close()
    with Vault.open(v.folder, passphrase=PASSPHRASE) as again:
        assert writer.oid not in again.objects.names()
        assert thumbnail(again, ref) is not None
        assert run_check(again).ok


# ------------------------------------------------------------------------------ threads
def test_worker_thread_fills_a_grid_while_the_vault_is_used(vault: Vault, corpus: Path,
                                                             tmp_path: Path) -> None:
    refs = import_refs(vault, corpus / "photos", corpus / "pdf")
    grid: list[tuple[str, bytes | None]] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            grid.extend(thumbnails_for(vault, sorted(refs.values()), 128))
        except BaseException as e:
            failures.append(e)

    t = threading.Thread(target=worker)
    t.start()
    # Meanwhile this thread imports (transactions) and reads, as the GUI would.
    more = write_files(tmp_path / "more", 40, size=5000)
    for i in range(0, 40, 4):
        import_refs(vault, *more[i:i + 4])
        assert len(vault.con.execute("SELECT ref FROM items").fetchall()) >= len(refs)
    t.join(timeout=120)
    assert not t.is_alive() and failures == []
    assert [r for r, _ in grid] == sorted(refs.values())
    drawn = {r for r, png in grid if png is not None}
    assert drawn == {refs[n] for n in refs if n.endswith((".jpg", ".HEIC", ".pdf"))}
    assert counts(vault)[0] == len(drawn)
    report = run_check(vault)
    assert report.ok, report.problems


def test_same_thumbnail_from_several_threads_is_stored_once(vault: Vault, corpus: Path) -> None:
    [ref] = import_refs(vault, corpus / "photos" / "jolla.jpg").values()
    results: list[bytes | None] = []
    start = threading.Barrier(4)

    def one() -> None:
        start.wait()
        results.append(thumbnail(vault, ref))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4 and len(set(results)) == 1 and results[0] is not None
    assert counts(vault) == (1, 2, 2)  # no second row, no orphan file
    assert run_check(vault).ok


def test_cancel_stops_the_grid(vault: Vault, corpus: Path) -> None:
    refs = sorted(import_refs(vault, corpus / "photos").values())
    seen: list[str] = []
    for ref, _ in thumbnails_for(vault, refs, 64, cancel=lambda: len(seen) >= 3):
        seen.append(ref)
    assert seen == refs[:3]
    assert counts(vault)[0] == 3


def test_a_closed_vault_is_an_error_not_a_crash(make_vault: Callable[..., tuple[Vault, str]],
                                                corpus: Path) -> None:
    v, _ = make_vault()
    [ref] = import_refs(v, corpus / "photos" / "Canon_40D.jpg").values()
    v.close()
    with pytest.raises(VaultUnusable, match="closed"):
        thumbnail(v, ref)


# ------------------------------------------------------------------------------ no plaintext
TRACED = "openat,open,creat,rename,renameat,renameat2"


def windows(*blobs: bytes) -> tuple[bytes, ...]:
    """Three 48-byte windows of each blob (its start, middle and end)."""
    out = []
    for b in blobs:
        assert len(b) >= 48 * 3
        out += [b[:48], b[len(b) // 2:len(b) // 2 + 48], b[-48:]]
    return tuple(out)


def test_no_thumbnail_or_original_reaches_the_disk_in_clear(
        make_vault: Callable[..., tuple[Vault, str]], corpus: Path, tmp_path: Path) -> None:
    """A separate process, under strace, fills a grid from a worker thread (JPEGs, HEIC, PDF)
    while its main thread reads. Then the thumbnails' PNG bytes and decoded pixels, and a
    marker unique to this run carried by the originals, are searched for in every file of the
    vault, every file the traced process wrote, created or renamed, and every recent file in
    the temp folders."""
    strace = strace_or_fail()
    since = time.time()
    marker = f"MARKER-{secrets.token_hex(16)}".encode()
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ["jolla.jpg", "landscape_6.jpg"]:  # a JPEG comment segment holds the marker
        data = (corpus / "photos" / name).read_bytes()
        comment = b"\xff\xfe" + struct.pack(">H", len(marker) + 2) + marker
        (inputs / name).write_bytes(data[:2] + comment + data[2:])
    pdf = (corpus / "pdf" / "pdflatex-image.pdf").read_bytes()
    (inputs / "statement.pdf").write_bytes(pdf + b"%" + marker + b"\n")
    (inputs / "IMG_5195.HEIC").write_bytes((corpus / "photos" / "IMG_5195.HEIC").read_bytes())
    sources = {p.resolve() for p in inputs.iterdir()}
    v, _ = make_vault()
    refs = import_refs(v, inputs)
    vault_dir = v.folder.resolve()
    v.close()
    code = f"""
import sys, threading
from vault.evidence.items import list_items
from vault.documents.thumbnails import thumbnails_for
from vault.store.vault import Vault
with Vault.open(sys.argv[1], passphrase={PASSPHRASE!r}) as v:
    out = []
    t = threading.Thread(target=lambda: out.extend(thumbnails_for(v, {sorted(refs.values())!r})))
    t.start()
    while t.is_alive():
        list_items(v)
    t.join()
    assert all(png for _, png in out), out
    print(len(out))
"""
    log = tmp_path / "thumbnails.strace"
    env = {k: val for k, val in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    done = subprocess.run([strace, "-f", "-y", "--seccomp-bpf", "-e", f"trace={TRACED}",
                           "-o", str(log), sys.executable, "-c", code, str(vault_dir)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(refs))

    with Vault.open(vault_dir, passphrase=PASSPHRASE) as v:
        before = counts(v)
        pngs = [thumbnail(v, ref) for ref in refs.values()]
        assert counts(v) == before == (4, 8, 8)  # all made by the traced process
        oids = {stored_oid(v, ref) for ref in refs.values()}
    written = existing_written(log)
    assert {vault_dir / "objects" / oid for oid in oids} <= written, \
        "the strace parser missed the thumbnail objects the process certainly wrote"
    pixels = []
    for png in pngs:
        assert png is not None
        raw = picture(png).convert("RGB").tobytes()
        pixels.append(raw[len(raw) // 3:len(raw) // 3 + 3 * 64])  # a run of decoded pixels
    pats = (marker, *windows(*[png for png in pngs if png], *pixels))

    scanned, hits = scan(places_to_scan(vault_dir, [log], since) - sources, pats)
    assert hits == set(), f"a thumbnail or original is in clear in: {sorted(map(str, hits))}"
    assert {vault_dir / "index.db", *(vault_dir / "objects" / o for o in oids)} <= scanned
    assert not [p for p in vault_dir.rglob("*") if p.suffix.lower() in (".png", ".jpg")]

    # Controls: the sources are found; so is a thumbnail or its pixels written in clear into
    # the vault folder or a temp folder.
    assert scan(sources, pats)[1] == {p for p in sources if "HEIC" not in p.name}
    leak = vault_dir / "leaked.png"
    leak.write_bytes(pngs[0] or b"")
    temp_leak = Path(tempfile.gettempdir()).resolve() / f"ev-control-{secrets.token_hex(4)}"
    try:
        temp_leak.write_bytes(b"x" + pixels[-1] + b"y")
        control = scan(places_to_scan(vault_dir, [log], since) - sources, pats)[1]
    finally:
        temp_leak.unlink()
        leak.unlink()
    assert control == {leak.resolve(), temp_leak}
