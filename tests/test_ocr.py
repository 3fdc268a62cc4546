"""OCR with the real Tesseract on real vaults: scanned PDFs (pages that are only a picture of
text) and photos of documents are read into ``ocr_pages``, found by search at the right page,
recorded in the custody log; the original is untouched; bad content fails alone; stopping
keeps finished pages; the CLI; and no plaintext (document text, OCR text) leaves the vault."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
import zlib
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

import pymupdf
import pytest
from conftest import PASSPHRASE, ROOT, import_refs, run_cli, without_slot_warnings
from PIL import Image
from test_no_plaintext import (
    CALL,
    TRACED,
    existing_written,
    patterns,
    places_to_scan,
    run_traced,
    scan,
    strace_or_fail,
    written_paths,
)
from test_thumbnails import png_claiming

from vault.custody import log as custody
from vault.search.ocr import (
    MAX_TRIES,
    OcrProgress,
    ocr_text,
    pages_needing_ocr,
    pending_ocr,
    queue_ocr,
    read_image,
    require_tesseract,
    run_ocr_jobs,
    tesseract_available,
)
from vault.search.query import search
from vault.store.anchors import anchor_file
from vault.store.check import run_check
from vault.store.vault import Vault

PAGE_WORDS = ["Agenda Hartley safeguarding", "Rotherham council minutes Pendleton 1997",
              "Signed Okonkwo chairman"]


# ------------------------------------------------------------------------- inputs
def text_picture(lines: list[str], dpi: int = 200, fontsize: float = 26) -> Image.Image:
    """A greyscale A4 page of ``lines`` in a large font, drawn to pixels (a 'scan')."""
    with pymupdf.open() as doc:
        page = doc.new_page(width=595, height=842)
        for n, line in enumerate(lines):
            page.insert_text((60, 120 + n * 2 * fontsize), line, fontsize=fontsize)
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def png_bytes(im: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages are only pictures of text: no text layer at all."""
    with pymupdf.open() as doc:
        for lines in pages:
            page = doc.new_page(width=595, height=842)
            page.insert_image(page.rect, stream=png_bytes(text_picture(lines)))
        doc.save(path)
    with pymupdf.open(path) as doc:
        assert all(not p.get_text().strip() for p in doc)
    return path


def text_pdf(path: Path, text: str, with_picture: bool = True) -> Path:
    """A PDF with a real text layer (and, to show text wins, a picture on its page)."""
    with pymupdf.open() as doc:
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 80), text, fontsize=12)
        if with_picture:
            page.insert_image(pymupdf.Rect(60, 200, 300, 500),
                              stream=png_bytes(text_picture(["Picture caption"], dpi=50)))
        doc.save(path)
    return path


def rotated_jpeg(path: Path, lines: list[str]) -> Path:
    """A JPEG stored turned a quarter to the left, with EXIF orientation 6 (turn right to show
    it): read as stored, the lines would be vertical."""
    im = text_picture(lines).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(path, "JPEG", quality=92, exif=exif.tobytes())
    return path


def item_id(v: Vault, ref: str) -> int:
    return int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])


def original_sha256(v: Vault, ref: str) -> str:
    oid = v.con.execute("SELECT oid FROM items WHERE ref=?", (ref,)).fetchone()[0]
    with v.objects.open(oid, v.object_key(oid)) as reader:
        return hashlib.sha256(b"".join(reader.iter_chunks())).hexdigest()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def text_events(v: Vault, ref: str | None = None) -> list[dict[str, object]]:
    out = []
    for ev in v.events(ref):
        body = json.loads(ev.body)
        if body["action"] == custody.TEXT_RECOGNISED:
            out.append(body)
    return out


def run_all(v: Vault, **kw: object) -> list[OcrProgress]:
    return list(run_ocr_jobs(v, **kw))  # type: ignore[arg-type]


# ------------------------------------------------------------------------- tests
def test_tesseract_is_there_with_english_and_welsh() -> None:
    version = tesseract_available()
    assert version is not None and version.split(".")[0] >= "4"
    assert require_tesseract("eng+cym") == f"tesseract {version}"
    with pytest.raises(Exception, match="tesseract-ocr-xyz"):
        require_tesseract("eng+xyz")
    with pytest.raises(Exception, match="joined by"):
        require_tesseract("eng; rm -rf /")
    assert "Pendleton" in (read_image(png_bytes(text_picture([PAGE_WORDS[1]]))) or "")


def test_scans_and_photos_are_read_found_and_recorded(vault: Vault, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    scanned_pdf(inputs / "scan.pdf", [[w] for w in PAGE_WORDS])
    (inputs / "letter.png").write_bytes(png_bytes(text_picture(["Letter from Bramwell",
                                                                "Dated Thursday"])))
    rotated_jpeg(inputs / "turned.jpg", ["Photographed memo Quenby"])
    text_pdf(inputs / "typed.pdf", "Typed report Fairclough with a real text layer")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs.iterdir()}
    refs = import_refs(vault, inputs)
    ids = {name: item_id(vault, ref) for name, ref in refs.items()}

    assert pages_needing_ocr(vault, ids["scan.pdf"]) == [1, 2, 3]
    assert pages_needing_ocr(vault, ids["letter.png"]) == [1]
    assert pages_needing_ocr(vault, ids["typed.pdf"]) == []  # a text layer: never OCRed
    assert queue_ocr(vault, ids.values()) == 4

    progress = run_all(vault)
    pages = [p for p in progress if p.page is not None]
    assert len(pages) == 5 and [p.pages_done for p in pages] == [1, 2, 3, 4, 5]
    assert all(p.pages_total == 5 for p in progress)
    finished = {p.ref: p.item_pages for p in progress if p.finished}
    assert finished == {refs["scan.pdf"]: 3, refs["letter.png"]: 1, refs["turned.jpg"]: 1}
    assert all(p.error is None for p in progress)
    assert pending_ocr(vault) == []

    scan = ocr_text(vault, refs["scan.pdf"])
    assert [page for page, _ in scan] == [1, 2, 3]
    for (_, text), expected in zip(scan, PAGE_WORDS, strict=True):
        assert words(expected) <= words(text), (expected, text)
    assert {"bramwell", "thursday"} <= words(ocr_text(vault, refs["letter.png"])[0][1])
    assert "quenby" in words(ocr_text(vault, refs["turned.jpg"])[0][1])  # turned upright
    assert ocr_text(vault, refs["typed.pdf"]) == []
    row = vault.con.execute("SELECT engine, languages, created FROM ocr_pages LIMIT 1").fetchone()
    assert row[0] == f"tesseract {tesseract_available()}" and row[1] == "eng+cym"

    # Found by search, at the page where the word is.
    hits = [h for h in search(vault, "Pendleton") if h.source == "ocr"]
    assert [(h.ref, h.page) for h in hits] == [(refs["scan.pdf"], 2)]
    assert [(h.ref, h.page) for h in search(vault, "Okonkwo") if h.source == "ocr"] == \
        [(refs["scan.pdf"], 3)]
    assert {h.ref for h in search(vault, "Quenby")} == {refs["turned.jpg"]}

    # One custody event per item, the chain verifies, the originals are untouched.
    events = text_events(vault)
    engine = f"tesseract {tesseract_available()}"
    assert {str(e["item"]): e["details"] for e in events} == {
        refs["scan.pdf"]: {"pages": [1, 2, 3], "engine": engine, "languages": "eng+cym"},
        refs["letter.png"]: {"pages": [1], "engine": engine, "languages": "eng+cym"},
        refs["turned.jpg"]: {"pages": [1], "engine": engine, "languages": "eng+cym"},
    }
    assert len(events) == 3
    assert [e["sha256"] for e in events if e["item"] == refs["scan.pdf"]] == [before["scan.pdf"]]
    for name, ref in refs.items():
        assert original_sha256(vault, ref) == before[name]
    report = run_check(vault)
    assert report.problems == []

    # Queued again (as re-indexing does): nothing is read twice, no second event.
    queue_ocr(vault, ids.values())
    assert [p for p in run_all(vault) if p.page is not None] == []
    assert len(text_events(vault)) == 3


def test_index_queues_ocr_for_scans_not_for_text(vault: Vault, tmp_path: Path) -> None:
    """The search index queues the OCR (vault.search.index); a mixed PDF gets only its
    scanned page read."""
    from vault.search.index import index_item

    inputs = tmp_path / "in"
    inputs.mkdir()
    text_pdf(inputs / "typed.pdf", "Typed report Fairclough with a real text layer")
    with pymupdf.open() as doc:
        doc.new_page().insert_text((60, 80), "A typed covering letter from Ashworth")
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=png_bytes(text_picture([PAGE_WORDS[1]])))
        doc.save(inputs / "mixed.pdf")
    refs = import_refs(vault, inputs)
    for ref in refs.values():
        index_item(vault, item_id(vault, ref))
    assert [ref for ref, _, _ in pending_ocr(vault)] == [refs["mixed.pdf"]]
    assert pages_needing_ocr(vault, item_id(vault, refs["mixed.pdf"])) == [2]
    assert [(p.ref, p.page) for p in run_all(vault) if p.page] == [(refs["mixed.pdf"], 2)]
    assert [(h.page, h.source) for h in search(vault, "Pendleton")] == [(2, "ocr")]
    assert [(h.page, h.source) for h in search(vault, "Ashworth")] == [(1, "pdf")]


def test_bad_content_fails_alone_with_a_clear_error(vault: Vault, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-damaged.png").write_bytes(png_claiming(800, 600, b"not zlib data at all"))
    side = 9000  # 81 MP: over the decoding limit (64 MP), under Pillow's own
    rows = zlib.compressobj(9)
    idat = b"".join(rows.compress(bytes(side * 3 + 1)) for _ in range(side)) + rows.flush()
    (inputs / "b-bomb.png").write_bytes(png_claiming(side, side, idat))
    with pymupdf.open() as doc:
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=png_bytes(text_picture(["Locked"])))
        doc.save(inputs / "c-locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
                 user_pw="secret", owner_pw="owner")
    (inputs / "d-good.png").write_bytes(png_bytes(text_picture([PAGE_WORDS[1]])))
    refs = import_refs(vault, inputs)
    queue_ocr(vault, [item_id(vault, refs[n]) for n in sorted(refs)])

    progress = run_all(vault)
    errors = {p.ref: p.error for p in progress if p.finished and p.error}
    assert set(errors) == {refs["a-damaged.png"], refs["b-bomb.png"], refs["c-locked.pdf"]}
    assert "damaged" in (errors[refs["a-damaged.png"]] or "")
    assert "too large to decode safely" in (errors[refs["b-bomb.png"]] or "")
    assert "password" in (errors[refs["c-locked.pdf"]] or "")
    assert "pendleton" in words(ocr_text(vault, refs["d-good.png"])[0][1])  # not stopped
    pending = {ref: (tries, error) for ref, tries, error in pending_ocr(vault)}
    assert pending == {ref: (1, error) for ref, error in errors.items()}
    assert text_events(vault, refs["b-bomb.png"]) == []

    # Tried again by later runs, up to MAX_TRIES, then left with its error.
    for _ in range(MAX_TRIES):
        run_all(vault)
    assert {tries for _, tries, _ in pending_ocr(vault)} == {MAX_TRIES}
    assert run_all(vault) == []


def tesseract_running() -> bool:
    """Whether a Tesseract started by this process is running now (from /proc)."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            parent = fields[1].split()[1]
        except (OSError, IndexError):
            continue
        if parent == me and name.startswith("tesseract"):
            return True
    return False


def test_stopping_keeps_finished_pages_and_the_job(vault: Vault, tmp_path: Path) -> None:
    pdf = scanned_pdf(tmp_path / "scan.pdf", [[w] for w in PAGE_WORDS])
    ref = import_refs(vault, pdf)["scan.pdf"]
    queue_ocr(vault, [item_id(vault, ref)])
    seen: list[OcrProgress] = []
    started = time.monotonic()
    for p in run_ocr_jobs(vault, cancel=lambda: bool(seen)):
        seen.append(p)
    assert [(p.page, p.finished) for p in seen] == [(1, False)]
    assert [page for page, _ in ocr_text(vault, ref)] == [1]
    assert pending_ocr(vault) == [(ref, 0, "")]  # still queued, not counted as a failure
    assert text_events(vault) == []

    # Stopped while Tesseract reads a page: it is killed at once, nothing is stored. The stop
    # comes once Tesseract is seen running (not after a fixed delay: a fast machine reads a
    # page in less than any delay chosen).
    stopped: list[bool] = []

    def stop() -> bool:  # once asked to stop, it stays stopped, as a Stop button does
        if not stopped and tesseract_running():
            stopped.append(True)
        return bool(stopped)

    started = time.monotonic()
    assert run_all(vault, cancel=stop) == []
    assert stopped
    assert time.monotonic() - started < 3
    assert [page for page, _ in ocr_text(vault, ref)] == [1]

    rest = [p.page for p in run_all(vault) if p.page is not None]
    assert rest == [2, 3]  # page 1 is not read again
    assert [e["details"]["pages"] for e in text_events(vault)] == [[1, 2, 3]]  # type: ignore


def test_cli_ocr_and_ocr_text(make_vault: Callable[..., tuple[Vault, str]],
                              tmp_path: Path) -> None:
    v, _ = make_vault()
    folder = v.folder
    scan = scanned_pdf(tmp_path / "scan.pdf", [[PAGE_WORDS[0]], [PAGE_WORDS[1]]])
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes(text_picture(["Letter from Bramwell"])))
    refs = import_refs(v, scan, photo)
    queue_ocr(v, [item_id(v, r) for r in refs.values()])
    v.close()

    done = run_cli("ocr", folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{refs['scan.pdf']}: 2 pages read",
                                        f"{refs['photo.png']}: 1 pages read"]
    assert f"{refs['scan.pdf']}: page 2 read (2/3)" in done.stderr
    shown = run_cli("ocr-text", folder, refs["scan.pdf"])
    assert shown.returncode == 0, shown.stderr
    assert "--- page 2 ---" in shown.stdout and "Pendleton" in shown.stdout
    assert run_cli("ocr", folder).stdout == ""  # nothing left
    check = run_cli("check", folder)
    assert check.returncode == 0 and "OK:" in check.stdout, check.stdout + check.stderr

    missing = run_cli("ocr-text", folder, "MO/99")
    assert missing.returncode == 1 and without_slot_warnings(missing.stderr).startswith(
        "evidence-vault: no item")
    bad = run_cli("ocr", folder, "--languages", "eng+klingon")
    assert bad.returncode == 5 and "tesseract-ocr-klingon" in bad.stderr
    assert "Traceback" not in bad.stderr + missing.stderr
    no_tesseract = run_cli("ocr", folder, env={"PATH": "/nonexistent"})
    assert no_tesseract.returncode == 5
    assert "install tesseract-ocr" in no_tesseract.stderr


def test_no_plaintext_from_indexing_and_ocr(make_vault: Callable[..., tuple[Vault, str]],
                                            tmp_path: Path) -> None:
    """Import, index and OCR under strace: neither the marker in a PDF's text layer nor the
    one only in a scanned picture (and so only in OCR text) is anywhere on disk in clear, and
    Tesseract opens no file for writing."""
    strace = strace_or_fail()
    alphabet = "ABCDEFGHJKMNPRSTUVWXYZ"  # no I, L, O: nothing Tesseract could misread
    text_marker = f"MARKER-{secrets.token_hex(12)}"
    scan_marker = "".join(secrets.choice(alphabet) for _ in range(12))
    since = time.time()
    v, _ = make_vault()
    vault_dir = v.folder.resolve()
    v.close()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text_pdf(inputs / "typed.pdf", f"Typed statement {text_marker}", with_picture=False)
    scanned_pdf(inputs / "scan.pdf", [["Scanned letter"], [f"Codeword {scan_marker}"]])
    sources = {p.resolve() for p in inputs.iterdir()}

    logs = tmp_path / "strace"
    logs.mkdir()
    run_traced(strace, logs / "import.log", "import", vault_dir, inputs)
    run_traced(strace, logs / "index.log", "index", vault_dir)
    tesseract_log = logs / "ocr.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env["EVIDENCE_VAULT_PASSPHRASE"] = PASSPHRASE
    import subprocess
    import sys

    done = subprocess.run(
        [strace, "-f", "-y", "--seccomp-bpf", "-e", f"trace={TRACED},execve", "-o",
         str(tesseract_log), sys.executable, "-m", "vault", "ocr", str(vault_dir)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("2 pages read"), done.stdout
    traced = sorted(logs.iterdir())

    # Tesseract ran (twice to read, one page each; its version and languages asked first)
    # and opened nothing for writing.
    lines = tesseract_log.read_text(errors="replace").splitlines()
    runs = [line for line in lines if re.match(r"^\d+\s+execve\(\"[^\"]*/tesseract\"", line)]
    assert sum('"stdin", "stdout"' in line for line in runs) == 2, runs  # one run a page
    pids = {line.split()[0] for line in runs}
    theirs = [line for line in lines if line.split()[0] in pids and CALL.match(line)]
    assert theirs, "no file calls of Tesseract's were traced"
    own = tmp_path / "tesseract-only.log"
    own.write_text("\n".join(theirs) + "\n")
    assert written_paths(own, ROOT) == set(), "Tesseract wrote a file"

    with Vault.open(vault_dir, passphrase=PASSPHRASE) as v:
        read = ocr_text(v, "MO/1") + ocr_text(v, "MO/2")
        # The test is not vacuous: the scan was read. A random word has no dictionary to help
        # Tesseract, so a letter may come out wrong; what it read is then looked for too.
        # Tesseract may also break the word with a space ("NT ZXJDVVHFNY"): joined, it is
        # compared; its longest piece is searched for.
        recognised = [line.split() for _, text in read
                      for line in re.findall(r"Codeword ([^\n]+)", text)]
        assert recognised and SequenceMatcher(None, "".join(recognised[0]),
                                              scan_marker).ratio() >= 0.8, read
        assert {h.source for h in search(v, max(recognised[0], key=len))} == {"ocr"}
        assert {h.source for h in search(v, text_marker)} == {"pdf"}
        files = places_to_scan(vault_dir, traced, since) - sources
        scanned, hits = scan(files, patterns(text_marker) + patterns(scan_marker)
                             + patterns(" ".join(recognised[0])))
    assert hits == set(), f"a marker is in clear in: {sorted(map(str, hits))}"
    assert {vault_dir / "index.db", *(vault_dir / "objects").iterdir()} <= scanned
    # Outside the vault, only the rollback anchor (a vault id, an event number and a hash).
    anchor = anchor_file().resolve()
    assert all(p.is_relative_to(vault_dir) or p.suffix == ".pyc" or p == anchor
               for log in traced for p in existing_written(log)), \
        "a traced run wrote outside the vault"


# ------------------------------------------------------------------------- word boxes
def picture_and_truth(width: float, height: float, lines: list[str], dpi: int = 200
                      ) -> tuple[bytes, dict[str, tuple[float, float, float, float]]]:
    """A picture of ``lines`` (PNG) and where each word was drawn, in points of the page."""
    with pymupdf.open() as doc:
        page = doc.new_page(width=width, height=height)
        for n, line in enumerate(lines):
            page.insert_text((60, 120 + n * 52), line, fontsize=26)
        truth = {str(w[4]): (float(w[0]), float(w[1]), float(w[2]), float(w[3]))
                 for w in page.get_text("words")}
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        im = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    return png_bytes(im), truth


def near(box: tuple[float, ...], want: tuple[float, ...], tolerance: float) -> bool:
    """The box read is where the word was drawn: its sides within ``tolerance`` of the
    drawn word's, its top and bottom inside the drawn line's (which has room for accents and
    descenders), at least a third as tall (a word of small letters only)."""
    x0, y0, x1, y1 = (float(c) for c in box[:4])
    w0, v0, w1, v1 = want
    return (abs(x0 - w0) <= tolerance and abs(x1 - w1) <= tolerance
            and y0 >= v0 - tolerance and y1 <= v1 + tolerance and y1 - y0 >= (v1 - v0) / 3)


def test_word_boxes_are_stored_where_the_words_are(vault: Vault, tmp_path: Path) -> None:
    from vault.documents.document import open_document
    from vault.search.ocr import ocr_matches, ocr_words

    inputs = tmp_path / "in"
    inputs.mkdir()
    upright, truth = picture_and_truth(595, 842, ["Agenda Hartley safeguarding",
                                                  "Minutes Pendleton, 1997"])
    turned, turned_truth = picture_and_truth(842, 595, ["Turned page Harwood"])
    with pymupdf.open() as doc:
        doc.new_page(width=595, height=842).insert_image(pymupdf.Rect(0, 0, 595, 842),
                                                        stream=upright)
        page = doc.new_page(width=595, height=842)
        page.set_rotation(90)  # shown landscape; the picture is placed to be read upright
        page.insert_image(page.mediabox, stream=turned, rotate=90)
        doc.save(inputs / "scan.pdf")
    photo, photo_truth = picture_and_truth(595, 842, ["Photographed memo Quenby"])
    im = Image.open(__import__("io").BytesIO(photo)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: shown upright by turning it back
    im.convert("L").save(inputs / "memo.jpg", "JPEG", quality=92, exif=exif.tobytes())
    refs = import_refs(vault, inputs)
    queue_ocr(vault, [item_id(vault, r) for r in refs.values()])
    assert all(p.error is None for p in run_all(vault))

    # Page 1: points of the page, within a few points of where each word was drawn.
    page1 = ocr_words(vault, refs["scan.pdf"], 1)
    assert [w[4] for w in page1] == ["Agenda", "Hartley", "safeguarding", "Minutes",
                                     "Pendleton,", "1997"]
    for box in page1:
        assert near(box, truth[box[4]], 4), box
    assert ocr_words(vault, item_id(vault, refs["scan.pdf"]), 1) == page1  # by id too
    # Page 2, turned 90°: stored in the unrotated page, shown where the word was drawn.
    page2 = ocr_words(vault, refs["scan.pdf"], 2)
    assert [w[4] for w in page2] == ["Turned", "page", "Harwood"]
    doc = open_document(vault, refs["scan.pdf"])
    try:
        for box in page2:
            assert not near(box, turned_truth[box[4]], 4)  # stored unrotated...
            assert near(doc.from_unrotated(1, box[:4]), turned_truth[box[4]], 4), box
    finally:
        doc.close()
    # A photo: pixels of the photo shown upright (200 dpi).
    memo = ocr_words(vault, refs["memo.jpg"], 1)
    assert [w[4] for w in memo] == ["Photographed", "memo", "Quenby"]
    for box in memo:
        assert near(box, tuple(c * 200 / 72 for c in photo_truth[box[4]]), 8), box
    # The text is still readable text; a page not read has no words.
    assert ocr_text(vault, refs["scan.pdf"])[0][1] == \
        "Agenda Hartley safeguarding\nMinutes Pendleton, 1997"
    assert ocr_words(vault, refs["scan.pdf"], 3) == []
    with pytest.raises(Exception, match="no item"):
        ocr_words(vault, "ZZ/99", 1)

    # The boxes of a query's terms.
    hartley = next(w for w in page1 if w[4] == "Hartley")
    assert ocr_matches(page1, ["hartley"]) == [hartley[:4]]
    assert ocr_matches(page1, ["pendleton"]) == [page1[4][:4]]  # punctuation ignored
    assert ocr_matches(page1, ["pendle"]) == []  # a whole word, unless a prefix
    assert ocr_matches(page1, ["pendle*"]) == [page1[4][:4]]
    phrase = ocr_matches(page1, ["Pendleton 1997"])  # consecutive words: one box
    assert phrase == [(page1[4][0], min(page1[4][1], page1[5][1]), page1[5][2],
                       max(page1[4][3], page1[5][3]))]
    assert ocr_matches(page1, ["1997 Pendleton"]) == []
    over_lines = ocr_matches(page1, ["safeguarding minutes"])  # one box per line
    assert over_lines == [page1[2][:4], page1[3][:4]]
    accented = [(0.0, 0.0, 10.0, 5.0, "Tŷ"), (12.0, 0.0, 30.0, 5.0, "CAFÉ.")]
    assert ocr_matches(accented, ["ty cafe"]) == [(0.0, 0.0, 30.0, 5.0)]
    assert ocr_matches(accented, ["café", "TY"]) == [(0.0, 0.0, 10.0, 5.0),
                                                       (12.0, 0.0, 30.0, 5.0)]


def test_a_word_on_a_scan_is_redacted_from_the_ocr_boxes(vault: Vault, tmp_path: Path) -> None:
    """Most evidence is scans: ``redact --text`` blacks out the word where OCR read it (the
    pixels removed), and refuses (nothing stored, exit 1, the word named) when it is nowhere,
    or when the scan was never read."""
    from vault.documents.annotations import read_content
    from vault.documents.derive import redacted_copy
    from vault.errors import VaultError
    from vault.evidence.items import get_item, list_items
    from vault.search.index import run_index_jobs

    pdf = scanned_pdf(tmp_path / "memo.pdf", [["Memo about Marchbanks", "Housing office"]])
    ref = import_refs(vault, pdf)["memo.pdf"]
    before = len(list_items(vault))
    with pytest.raises(VaultError, match="not read by OCR"):  # not read yet
        redacted_copy(vault, ref, texts=["Marchbanks"])
    list(run_index_jobs(vault))
    run_all(vault)
    with pytest.raises(VaultError, match=r"'Kettleborough'.*Nothing was stored"):
        redacted_copy(vault, ref, texts=["Marchbanks", "Kettleborough"])
    assert len(list_items(vault)) == before
    copy = redacted_copy(vault, ref, texts=["Marchbanks"], reason="S2")
    assert copy.ref and "(redacted)" in get_item(vault, copy.ref).name
    with pymupdf.open(stream=read_content(vault, get_item(vault, copy.ref)),
                      filetype="pdf") as doc:
        pix = doc[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    seen = read_image(png_bytes(Image.frombytes("L", (pix.width, pix.height), pix.samples)))
    assert seen is not None
    assert "marchbanks" not in seen.lower() and "housing" in seen.lower()
    # marking every occurrence for review finds it on the scan too
    from vault.documents.derive import mark_every_occurrence

    [mark] = mark_every_occurrence(vault, [ref], "marchbanks", reason="S2")
    assert mark.page == 0 and mark.kind == "redaction"
