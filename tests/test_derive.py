"""Derivatives: annotated and redacted copies are new items with their own receipt
("derived"), the original untouched and told ("derivative made"); they open in standard tools
(poppler, pypdf); photos lose every piece of metadata; packages carry them; the CLI makes them.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
import pypdf
import pytest
from conftest import PASSPHRASE, ROOT, run_cli
from PIL import Image, ImageChops
from test_annotations import import_one, make_pdf, make_photo, object_file, stored
from test_no_plaintext import places_to_scan, scan, strace_or_fail, write_pdf
from test_thumbnails import TRACED

from vault import PROGRAM
from vault.custody import log as custody
from vault.documents.annotations import add_annotation, annotations, decode_upright
from vault.documents.derive import annotated_copy, mark_every_occurrence, redacted_copy
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.evidence.purge import purge
from vault.packages.export import ExportResult, export_package
from vault.packages.receive import receive_package
from vault.packages.verify import verify_package
from vault.store.check import run_check
from vault.store.vault import Vault

LINES = ["Witness statement of Zoë Marchbanks, taken on 3 May 2026.",
         "She saw the officer at the door of no. 12 at about nine.",
         "ZOË MARCHBANKS signed it in front of me."]


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True, timeout=60)
    return done.stdout.decode("utf-8")


def pdfinfo(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True,
                          timeout=60)
    return {k.strip(): val.strip() for k, _, val in
            (line.partition(":") for line in done.stdout.splitlines())}


def to_pdf_space(page: Any, x: float, y: float) -> tuple[float, float]:
    """Annotation coordinates (PyMuPDF's, unrotated, from the CropBox's top-left, y down) to
    PDF user space (y up), with pypdf's page."""
    box = page.cropbox
    return float(box.left) + x, float(box.top) - y


def close_to(a: float, b: float, tol: float = 0.6) -> bool:
    return abs(a - b) <= tol


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    """Three pages: upright, turned by /Rotate 90, and with a CropBox inside its MediaBox."""
    path = make_pdf(tmp_path / "statement.pdf", 3, lines=LINES, rotate={1: 90})
    doc = pymupdf.open(path)
    doc[2].set_cropbox(pymupdf.Rect(40, 50, 555, 800))
    doc.saveIncr()
    doc.close()
    return path


# ------------------------------------------------------------------------------ annotated
def test_annotated_pdf_copy_holds_standard_annotations(vault: Vault, statement: Path,
                                                        tmp_path: Path) -> None:
    ref = import_one(vault, statement)
    original = get_item(vault, ref)
    before = object_file(vault, ref)
    with pymupdf.open(statement) as doc:
        words = [doc[i].search_for("witness statement")[0] for i in range(3)]
        cropped = doc[2].cropbox
    assert words[2].x0 == pytest.approx(72 - cropped.x0)  # relative to the CropBox
    hl = add_annotation(vault, ref, "highlight", 0, {"rects": [list(words[0])]},
                        text="the date matters", colour="#ffff00")
    rect = add_annotation(vault, ref, "rectangle", 1, {"rect": [100, 200, 300, 260]},
                          colour="#ff0000", text="the officer")
    ink = add_annotation(vault, ref, "ink", 0, {"strokes": [[[100, 300], [150, 350],
                                                            [200, 300]]]})
    note = add_annotation(vault, ref, "note", 2, {"rect": [300, 100, 320, 120]},
                          text="ask about the door")
    under = add_annotation(vault, ref, "underline", 2, {"rects": [list(words[2])]})
    strike = add_annotation(vault, ref, "strikeout", 1, {"rects": [list(words[1])]})
    add_annotation(vault, ref, "redaction", 0, {"rect": [72, 80, 400, 110]}, reason="s40")

    result = annotated_copy(vault, ref)
    assert result.status == "imported" and result.ref == "MO/2"
    copy = get_item(vault, result.ref)
    assert (copy.name, copy.mime, copy.case) == ("statement (annotated).pdf",
                                                 "application/pdf", None)
    data = stored(vault, result.ref)
    assert pdfinfo(data, tmp_path)["Pages"] == "3"
    text = pdftotext(data, tmp_path)
    assert "Zoë Marchbanks" in text  # the redaction mark is not applied in an annotated copy

    reader = pypdf.PdfReader(io.BytesIO(data))
    found: dict[str, tuple[int, Any]] = {}
    for number, page in enumerate(reader.pages):
        for a in page.get("/Annots", []):
            obj = a.get_object()
            if obj["/Subtype"] != "/Popup":  # a note's pop-up window
                found[str(obj["/NM"])] = (number, obj)
    assert set(found) == {hl.id, rect.id, ink.id, note.id, under.id, strike.id}
    expected = {hl.id: (0, "/Highlight"), rect.id: (1, "/Square"), ink.id: (0, "/Ink"),
                note.id: (2, "/Text"), under.id: (2, "/Underline"), strike.id: (1, "/StrikeOut")}
    for aid, (number, obj) in found.items():
        assert (number, obj["/Subtype"]) == expected[aid], aid
        assert obj["/T"] == "Mary Okafor"
        assert "/AP" in obj, "no appearance stream"
    assert found[hl.id][1]["/Contents"] == "the date matters"
    assert found[note.id][1]["/Contents"] == "ask about the door"
    assert [round(float(c), 2) for c in found[hl.id][1]["/C"]] == [1.0, 1.0, 0.0]

    # Positions, converted to PDF user space (y upwards), on the right pages.
    def quad_box(obj: Any) -> tuple[float, float, float, float]:
        q = [float(x) for x in obj["/QuadPoints"]]
        return min(q[0::2]), min(q[1::2]), max(q[0::2]), max(q[1::2])

    for aid, number, r in [(hl.id, 0, words[0]), (strike.id, 1, words[1]),
                           (under.id, 2, words[2])]:
        page = reader.pages[number]
        x0, y1 = to_pdf_space(page, r.x0, r.y0)
        x1, y0 = to_pdf_space(page, r.x1, r.y1)
        got = quad_box(found[aid][1])
        assert all(close_to(a, b) for a, b in zip(got, (x0, y0, x1, y1), strict=True)), \
            (aid, got, (x0, y0, x1, y1))
    page = reader.pages[1]  # turned by /Rotate 90: coordinates are the unrotated page's
    assert page.rotation == 90
    r = [float(x) for x in found[rect.id][1]["/Rect"]]
    left, top = to_pdf_space(page, 100, 200)
    right, bottom = to_pdf_space(page, 300, 260)
    assert all(close_to(a, b, 1.6) for a, b in zip(r, (left, bottom, right, top), strict=True))
    page = reader.pages[2]  # its CropBox starts at (40, 42) in user space
    assert float(page.cropbox.left) == 40
    r = [float(x) for x in found[note.id][1]["/Rect"]]
    left, top = to_pdf_space(page, 300, 100)
    assert close_to(r[0], left) and close_to(r[3], top)
    inks = [[float(x) for x in stroke] for stroke in found[ink.id][1]["/InkList"]]
    assert [(round(x), round(y)) for x, y in zip(inks[0][0::2], inks[0][1::2], strict=True)] \
        == [tuple(round(c) for c in to_pdf_space(reader.pages[0], x, y))
            for x, y in ink.geometry["strokes"][0]]

    # The derivation: "derived" on the copy (its receipt), "derivative made" on the original.
    [derived] = [e.fields for e in vault.events(result.ref)
                 if e.fields["action"] == custody.DERIVED]
    d = derived["details"]
    assert derived["item"] == result.ref and derived["sha256"] == copy.sha256
    assert (d["derived_from"], d["original_sha256"], d["operation"], d["output_sha256"]) == \
        (ref, original.sha256, "annotated copy", copy.sha256)
    assert d["program"] == PROGRAM and d["tools"]["pymupdf"] == pymupdf.VersionBind
    assert [a["id"] for a in d["settings"]["annotations"]] == \
        [hl.id, rect.id, ink.id, note.id, under.id, strike.id]
    [made] = [e.fields for e in vault.events(ref) if e.fields["action"] == "derivative made"]
    assert made["item"] == ref and made["sha256"] == original.sha256
    assert made["details"] == {**d, "derived_item": result.ref}
    # The original's event is on the copy's timeline too (linked).
    assert [e.fields["action"] for e in vault.events(result.ref)] == \
        ["derived", "derivative made", "metadata extracted"]
    assert object_file(vault, ref) == before and get_item(vault, ref).sha256 == original.sha256
    report = run_check(vault)
    assert report.ok, report.problems
    assert report.items_checked == 2


def test_annotated_photo_copy(vault: Vault, tmp_path: Path) -> None:
    """Shapes drawn on the upright picture, at the coordinates of the picture as shown."""
    ref = import_one(vault, make_photo(tmp_path / "door.jpg", orientation=6, gps=True))
    item = get_item(vault, ref)
    upright = decode_upright(stored(vault, ref), item)
    assert upright.size == (200, 300)
    add_annotation(vault, ref, "rectangle", 0, {"rect": [20, 20, 180, 100]}, colour="#ff0000")
    add_annotation(vault, ref, "ellipse", 0, {"rect": [20, 150, 180, 250]}, colour="#00ff00")
    add_annotation(vault, ref, "arrow", 0, {"from": [10, 290], "to": [190, 120]},
                   colour="#0000ff")
    add_annotation(vault, ref, "label", 0, {"at": [30, 260]}, text="door", colour="#ffffff")
    add_annotation(vault, ref, "redaction", 0, {"rect": [0, 0, 10, 10]})
    result = annotated_copy(vault, ref)
    assert result.ref is not None
    data = stored(vault, result.ref)
    assert get_item(vault, result.ref).name == "door (annotated).jpg"
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == (200, 300)
        assert not im.getexif() and "exif" not in im.info and "icc_profile" not in im.info
        pixels = im.convert("RGB")
    assert b"Exif" not in data and b"Evidence Camera" not in data
    red = pixels.getpixel((20, 60))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60  # the rectangle's left side
    green = pixels.getpixel((100, 150))
    assert green[1] > 200 and green[0] < 60  # the ellipse's top
    inside = pixels.getpixel((100, 60))
    assert max(abs(a - b) for a, b in zip(inside, upright.getpixel((100, 60)),
                                          strict=True)) < 12  # untouched inside
    assert pixels.getpixel((5, 5)) != (0, 0, 0)  # the redaction mark is not drawn
    assert run_check(vault).ok


def test_nothing_to_annotate_or_copy(vault: Vault, tmp_path: Path) -> None:
    ref = import_one(vault, make_pdf(tmp_path / "a.pdf"))
    add_annotation(vault, ref, "redaction", 0, {"rect": [1, 1, 20, 20]})
    with pytest.raises(VaultError, match="no annotations to put in a copy"):
        annotated_copy(vault, ref)
    (tmp_path / "n.txt").write_text("text\n")
    text = import_one(vault, tmp_path / "n.txt")
    with pytest.raises(VaultError, match="copies are made of PDFs and photos only"):
        redacted_copy(vault, text)
    with pytest.raises(VaultError, match="copies are made of PDFs and photos only"):
        annotated_copy(vault, text)
    photo = import_one(vault, make_photo(tmp_path / "p.jpg"))
    with pytest.raises(VaultError, match="finding words works in PDFs only"):
        redacted_copy(vault, photo, texts=["door"])
    with pytest.raises(VaultError, match="blurring is for photos"):
        redacted_copy(vault, ref, blur=True)
    with pytest.raises(VaultError, match="must have some letters"):
        redacted_copy(vault, ref, texts=["  "])
    purge(vault, photo, "not needed")
    with pytest.raises(VaultError, match="was purged"):
        redacted_copy(vault, photo)
    assert len(get_items(vault)) == 3  # nothing was made


def get_items(v: Vault) -> list[str]:
    return [r[0] for r in v.con.execute("SELECT ref FROM items")]


# ------------------------------------------------------------------------------ redacted
def test_redacted_photo_is_black_and_has_no_metadata(vault: Vault, tmp_path: Path) -> None:
    source = make_photo(tmp_path / "street.jpg", orientation=6, gps=True)
    raw = source.read_bytes()
    assert b"Exif" in raw and b"Evidence Camera" in raw and b"taken outside" in raw  # control
    with Image.open(source) as im:
        assert im.getexif().get_ifd(0x8825)  # GPS
    ref = import_one(vault, source)
    item = get_item(vault, ref)
    upright = decode_upright(stored(vault, ref), item).convert("RGB")
    mark = add_annotation(vault, ref, "redaction", 0, {"rect": [20.5, 40.2, 120.7, 140]},
                          reason="face")
    result = redacted_copy(vault, ref)
    assert result.ref is not None
    data = stored(vault, result.ref)
    assert get_item(vault, result.ref).name == "street (redacted).png"
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    for forbidden in (b"Exif", b"eXIf", b"iCCP", b"tEXt", b"iTXt", b"zTXt", b"GPS",
                      b"Evidence Camera", b"taken outside", b"xmp"):
        assert forbidden not in data, forbidden
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif() and set(im.info) <= {"dpi"}
        assert im.size == (200, 300)  # the orientation applied to the pixels
        out = im.convert("RGB")
    box = (20, 40, 121, 140)  # every pixel the mark touches
    assert out.crop(box).getcolors(1) == [((box[2] - box[0]) * (box[3] - box[1]), (0, 0, 0))]
    # Everything else is exactly the original's pixels (lossless).
    outside = out.copy()
    outside.paste((0, 0, 0), box)
    expected = upright.copy()
    expected.paste((0, 0, 0), box)
    assert ImageChops.difference(outside, expected).getbbox() is None
    details = next(e.fields["details"] for e in vault.events(result.ref)
               if e.fields["action"] == "derived")
    assert details["settings"]["marks"] == [{"page": 0, "rect": mark.geometry["rect"],
                                             "reason": "face", "found": "mark",
                                             "annotation": mark.id, "pixels": list(box)}]
    assert "every marked area entirely black" in details["settings"]["verified"]
    assert run_check(vault).ok
    # The same copy again gives the same bytes: received again on the first copy.
    again = redacted_copy(vault, ref)
    assert (again.status, again.ref) == ("received again", result.ref)
    assert [e.fields["action"] for e in vault.events(result.ref)][-2:] == \
        ["received again", "derivative made"]
    assert run_check(vault).ok

    # Blurring, only when asked: the area differs from the original, and is not black.
    blurred = redacted_copy(vault, ref, blur=True)
    assert blurred.ref is not None
    with Image.open(io.BytesIO(stored(vault, blurred.ref))) as im:
        region = im.convert("RGB").crop(box)
    assert region.getcolors(1) is None
    assert ImageChops.difference(region, upright.crop(box)).getbbox() is not None


def test_redacted_pdf_removes_marked_and_searched_text(vault: Vault, statement: Path,
                                                       tmp_path: Path) -> None:
    ref = import_one(vault, statement)
    with pymupdf.open(statement) as doc:
        officer = doc[0].search_for("the officer")[0]
    add_annotation(vault, ref, "redaction", 0, {"rect": list(officer)}, reason="s40")
    with pytest.raises(VaultError, match=r"'never there'\. Nothing was stored"):
        redacted_copy(vault, ref, texts=["zoë marchbanks", "never there"], reason="PD")
    result = redacted_copy(vault, ref, texts=["zoë marchbanks", "Zoë Marchbanks"],
                           reason="PD")
    assert result.ref is not None
    assert result.warnings == []
    data = stored(vault, result.ref)
    text = pdftotext(data, tmp_path)
    assert text.count("the officer") == 2  # marked on page 1 only
    assert "marchbanks" not in text.lower()
    assert "taken on 3 May 2026" in text and "She saw" in text  # the rest stays
    info = pdfinfo(data, tmp_path)
    assert info["Pages"] == "3" and info["Encrypted"] == "no"
    with pymupdf.open(stream=data) as doc:
        assert "the officer" not in doc[0].get_text()
        assert doc[1].rotation == 90  # page 2 kept its rotation; its text was found too
        assert "marchbanks" not in doc[1].get_text().lower()
    details = next(e.fields["details"] for e in vault.events(result.ref)
               if e.fields["action"] == "derived")
    marks = details["settings"]["marks"]
    assert {m["found"] for m in marks} == {"mark", "text"}
    assert len([m for m in marks if m["found"] == "text"]) == 6  # 2 lines x 3 pages
    assert details["settings"]["texts"] == 1
    # The words searched for are on the original's event only, never on the copy's record.
    assert "marchbanks" not in json.dumps(details, ensure_ascii=False).lower()
    [made] = [e.fields for e in vault.events(ref) if e.fields["action"] == "derivative made"]
    assert made["details"]["texts"] == ["zoë marchbanks"]
    assert run_check(vault).ok


def test_mark_every_occurrence_for_review(vault: Vault, tmp_path: Path) -> None:
    a = import_one(vault, make_pdf(tmp_path / "a.pdf", 2, lines=LINES))
    b = import_one(vault, make_pdf(tmp_path / "b.pdf", 1, lines=["Nobody here."]))
    photo = import_one(vault, make_photo(tmp_path / "p.jpg"))
    marks = mark_every_occurrence(vault, [a, b, photo], "zoë  MARCHBANKS", reason="PD")
    assert len(marks) == 4  # both spellings, on both pages of a
    assert {(m.ref, m.kind, m.reason, m.colour) for m in marks} == \
        {(a, "redaction", "PD", "#000000")}
    assert sorted(m.page for m in marks) == [0, 0, 1, 1]
    with pymupdf.open(tmp_path / "a.pdf") as doc:
        first = doc[0].search_for("Marchbanks")[0]
    [m0] = [m for m in marks if m.page == 0 and m.geometry["rect"][1] < 100]
    x0, y0, x1, _y1 = m0.geometry["rect"]
    assert x0 < first.x0 and x1 == pytest.approx(first.x1, abs=1) and y0 >= first.y0 - 1
    assert mark_every_occurrence(vault, [a], "Zoë Marchbanks") == []  # already marked
    assert len([e for e in vault.events(a) if e.fields["action"] == "annotation added"]) == 4
    with pytest.raises(VaultError, match="give a word"):
        mark_every_occurrence(vault, [a], " ")
    # The review: one mark taken back; the copy hides the other three.
    from vault.documents.annotations import delete_annotation

    delete_annotation(vault, m0.id)
    result = redacted_copy(vault, a)
    assert result.ref is not None
    text = pdftotext(stored(vault, result.ref), tmp_path)
    assert text.count("Zoë Marchbanks") == 1 and "ZOË MARCHBANKS" not in text
    assert len(annotations(vault, a, kinds=["redaction"])) == 3


def test_password_protected_pdf(vault: Vault, tmp_path: Path) -> None:
    ref = import_one(vault, make_pdf(tmp_path / "locked.pdf", 2, lines=LINES,
                                     password="open sesame"))
    with pytest.raises(VaultError, match="password-protected PDF: give its password"):
        redacted_copy(vault, ref, texts=["Marchbanks"])
    with pytest.raises(VaultError, match="the password does not open"):
        redacted_copy(vault, ref, texts=["Marchbanks"], password="wrong")
    with pytest.raises(VaultError, match="password-protected"):
        mark_every_occurrence(vault, [ref], "Marchbanks")
    result = redacted_copy(vault, ref, texts=["Marchbanks"], password="open sesame")
    assert result.ref is not None
    data = stored(vault, result.ref)
    assert pdfinfo(data, tmp_path)["Encrypted"] == "no"
    assert "marchbanks" not in pdftotext(data, tmp_path).lower()
    assert run_check(vault).ok


# ------------------------------------------------------------------------------ packages
def test_a_derived_item_travels_in_a_package(make_vault: Callable[..., tuple[Vault, str]],
                                             tmp_path: Path) -> None:
    v, _ = make_vault("sender")
    ref = import_one(v, make_pdf(tmp_path / "s.pdf", 2, lines=LINES))
    redacted = redacted_copy(v, ref, texts=["Zoë Marchbanks"])
    assert redacted.ref is not None
    out = tmp_path / "disclosure.zip"
    [result] = [s for s in export_package(v, out, refs=[redacted.ref], recipient="Smith & Co")
                if isinstance(s, ExportResult)]
    assert result.exhibits == [redacted.ref]
    verification = verify_package(out)
    assert verification.verified, verification.reason
    exhibits = {c.name: c for c in verification.checks}
    assert exhibits["exhibits"].ok
    # Nothing of the searched words in the package: not the copy, not its custody record.
    package = out.read_bytes()
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        inner = b"".join(z.read(n) for n in names)
    for blob in (package, inner):
        assert b"marchbanks" not in blob.lower()
        assert "marchbanks".encode("utf-16-be") not in blob.lower()
    # Received by another vault: the chain of custody continues from the derived receipt.
    other, _ = make_vault("solicitor")
    receipt = receive_package(other, out, signer=v.certificate_fingerprint())
    [r] = receipt.results
    assert r.sha256 == get_item(v, redacted.ref).sha256
    assert run_check(other).ok and run_check(v).ok
    # Exported with its original, both verify.
    both = tmp_path / "both.zip"
    for _ in export_package(v, both, refs=[ref, redacted.ref]):
        pass
    assert verify_package(both).verified


# ------------------------------------------------------------------------------ CLI
def test_cli_redact_and_annotations(make_vault: Callable[..., tuple[Vault, str]],
                                    tmp_path: Path) -> None:
    v, _ = make_vault()
    ref = import_one(v, make_pdf(tmp_path / "s.pdf", 2, lines=LINES))
    (tmp_path / "n.txt").write_text("a note\n")
    text = import_one(v, tmp_path / "n.txt")
    a = add_annotation(v, ref, "redaction", 1, {"rect": [72, 80, 300, 105]}, reason="s40")
    b = add_annotation(v, ref, "note", 0, {"rect": [10, 10, 30, 30]}, text="call\nher")
    folder = v.folder
    v.close()

    listed = run_cli("annotations", folder, ref.lower(), "--json")
    assert listed.returncode == 0, listed.stderr
    assert [x["id"] for x in json.loads(listed.stdout)] == [a.id, b.id]
    plain = run_cli("annotations", folder, ref)
    assert plain.returncode == 0
    lines = plain.stdout.splitlines()
    assert lines[0].startswith(f"{a.id}\tpage 2\tredaction\t") and lines[0].endswith("\ts40")
    assert lines[1].endswith("\tcall her")

    absent = run_cli("redact", folder, ref, "--text", "zoë marchbanks", "--text",
                     "absent words")
    assert absent.returncode == 1 and absent.stdout == ""  # refused: nothing stored
    assert "not found, so it could not be blacked out: 'absent words'" in absent.stderr
    done = run_cli("redact", folder, ref, "--text", "zoë marchbanks", "--reason", "PD")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "MO/3"
    assert "WARNING: 'PD' is not one of the reason codes" in done.stderr
    assert "WARNING: words given with --text can be seen by other programs" in done.stderr
    # the words kept off the command line: from standard input, no warning about them
    coded = run_cli("redact", folder, ref, "--text-file", "-", "--reason", "s1",
                    input="zoë marchbanks\n")
    assert coded.returncode == 0 and "reason codes" not in coded.stderr, coded.stderr
    assert "WARNING" not in coded.stderr.replace("WARNING: the passphrase", "").replace(
        "WARNING: the recovery key", ""), coded.stderr
    refused = run_cli("redact", folder, text, "--text", "note")
    assert refused.returncode == 1
    assert "copies are made of PDFs and photos only" in refused.stderr
    assert run_cli("annotations", folder, "MO/99").returncode == 1
    assert run_cli("check", folder).returncode == 0
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        new = get_item(again, "MO/3")
        assert new.name == "s (redacted).pdf"
        data = stored(again, "MO/3")
    out = pdftotext(data, tmp_path)
    assert "marchbanks" not in out.lower() and "She saw" in out


# ------------------------------------------------------------------------------ no plaintext
def test_no_original_or_copy_reaches_the_disk_in_clear(
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    """A separate process, under strace, makes annotated and redacted copies of a PDF and a
    photo. Then a marker unique to this run carried by the originals, the copies' bytes and a
    run of the photo's decoded pixels are searched for in every file of the vault, every file
    the process wrote, created or renamed, and every recent file in the temp folders."""
    strace = strace_or_fail()
    since = time.time()
    marker = f"MARKER-{secrets.token_hex(16)}"
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_pdf(inputs / "statement.pdf", marker)  # the marker in its text and metadata
    jpeg = make_photo(tmp_path / "plain.jpg", (320, 240)).read_bytes()
    comment = b"\xff\xfe" + struct.pack(">H", len(marker) + 2) + marker.encode()
    (inputs / "photo.jpg").write_bytes(jpeg[:2] + comment + jpeg[2:])
    sources = {p.resolve() for p in inputs.iterdir()}
    v, _ = make_vault()
    pdf = import_one(v, inputs / "statement.pdf")
    photo = import_one(v, inputs / "photo.jpg")
    add_annotation(v, pdf, "highlight", 0, {"rects": [[72, 60, 300, 75]]}, text="look")
    add_annotation(v, pdf, "redaction", 0, {"rect": [72, 60, 150, 75]})
    add_annotation(v, photo, "rectangle", 0, {"rect": [10, 10, 100, 100]})
    add_annotation(v, photo, "redaction", 0, {"rect": [150, 50, 250, 150]})
    vault_dir = v.folder.resolve()
    v.close()
    code = f"""
import sys
from vault.documents.derive import annotated_copy, redacted_copy
from vault.store.vault import Vault
with Vault.open(sys.argv[1], passphrase={PASSPHRASE!r}) as v:
    made = [annotated_copy(v, {pdf!r}), redacted_copy(v, {pdf!r}, texts=["statement"]),
            annotated_copy(v, {photo!r}), redacted_copy(v, {photo!r})]
    print(" ".join(r.ref for r in made))
"""
    log = tmp_path / "derive.strace"
    env = {k: val for k, val in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    done = subprocess.run([strace, "-f", "-y", "--seccomp-bpf", "-e", f"trace={TRACED}",
                           "-o", str(log), sys.executable, "-c", code, str(vault_dir)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    refs = done.stdout.split()
    assert len(refs) == 4
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as v:
        copies = [stored(v, ref) for ref in refs]
        pixels = decode_upright(stored(v, photo), get_item(v, photo)).tobytes()
        assert run_check(v).ok
    assert marker.encode() in copies[0]  # the annotated copy keeps the PDF's metadata
    # Windows inside each copy (their first and last bytes are alike in any PDF or PNG).
    inner = [c[k * len(c) // 4:k * len(c) // 4 + 64] for c in copies for k in (1, 2, 3)]
    pats = (marker.encode(), marker.encode("utf-16-be"), *inner,
            pixels[len(pixels) // 3:len(pixels) // 3 + 192])
    scanned, hits = scan(places_to_scan(vault_dir, [log], since) - sources, pats)
    assert hits == set(), f"an original or a copy is in clear in: {sorted(map(str, hits))}"
    assert vault_dir / "index.db" in scanned
    # Control: a copy written in clear into the vault folder is found.
    leak = vault_dir / "leaked.pdf"
    leak.write_bytes(copies[1])
    try:
        assert scan({leak}, pats)[1] == {leak}
    finally:
        leak.unlink()
