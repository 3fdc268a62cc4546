"""A redacted copy leaks nothing: a PDF carrying a name in its page text, in a picture on the
page, in its metadata and XMP, in an annotation, in a form field, in an attached file, in a
bookmark, a page label and a script, and in an earlier revision that a later incremental save
replaced, gives a copy where the name is found nowhere: not by pdftotext, not in any object
or decompressed stream, not in the raw bytes (as text, UTF-16BE or hexadecimal), and the
picture's pixels under the mark are gone. Hidden layers are not kept either."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from test_annotations import import_one, stored

from vault.documents.annotations import add_annotation
from vault.documents.derive import redacted_copy
from vault.evidence.items import get_item
from vault.store.check import run_check
from vault.store.vault import Vault

MARKER = "Zelinda Marchbanks"
IMAGE_RECT = pymupdf.Rect(72, 300, 372, 360)  # where the picture of the name is drawn


def forms(text: str) -> list[bytes]:
    """The ways the name can sit in a PDF's bytes, lower-cased: as text (Latin-1, UTF-8),
    UTF-16BE, and hexadecimal of each, in several cases."""
    out = set()
    for t in (text, text.lower(), text.upper(), text.replace(" ", "")):
        for enc in ("latin-1", "utf-8", "utf-16-be", "utf-16-le"):
            raw = t.encode(enc)
            out.add(raw.lower())
            out.add(raw.hex().encode())
            out.add(raw.hex().upper().encode().lower())
    return sorted(out)


FORMS = forms(MARKER)
FORMS_FIRST_NAME = forms("Zelinda")


def hits(blob: bytes, patterns: list[bytes] = FORMS) -> list[bytes]:
    low = blob.lower()
    return [p for p in patterns if p in low]


def name_picture() -> bytes:
    """A PNG of the name in black on white, as a scanned signature block would be."""
    im = Image.new("RGB", (600, 120), "white")
    draw = ImageDraw.Draw(im)
    draw.text((10, 25), MARKER, fill="black", font=ImageFont.load_default(size=56))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def hostile_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), f"Statement of {MARKER}, taken on 3 May 2026.", fontsize=12)
    page.insert_text((72, 130), "The officer was told at nine and did nothing.", fontsize=12)
    page.insert_image(IMAGE_RECT, stream=name_picture())
    page.add_text_annot((450, 100), f"Call {MARKER} back")  # an annotation's contents
    field = pymupdf.Widget()
    field.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    field.field_name = "witness"
    field.field_value = MARKER  # a form field's value
    field.rect = pymupdf.Rect(72, 500, 372, 530)
    page.add_widget(field)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 600, 200, 620),
                      "uri": "https://example.org/zelinda-marchbanks"})
    page.add_file_annot((450, 700), f"notes about {MARKER}".encode(), "notes.txt")
    second = doc.new_page(width=595, height=842)
    second.insert_text((72, 100), "Second page: the first draft named the witness.", fontsize=12)
    doc.embfile_add("interview.txt", f"Interview with {MARKER}\n".encode(),
                    filename="interview.txt")  # an attached file
    doc.set_metadata({"author": MARKER, "title": f"Statement of {MARKER}",
                      "subject": "statement", "keywords": MARKER})
    doc.set_xml_metadata(
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{MARKER}</rdf:li></rdf:Seq></dc:creator>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    doc.set_toc([[1, f"Statement of {MARKER}", 1]])  # a bookmark
    doc.set_page_labels([{"startpage": 0, "prefix": "ZM-", "style": "D", "firstpagenum": 1}])
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction",
                     f"<</S/JavaScript/JS(app.alert\\('{MARKER}'\\))>>")
    # Revision 1: page 2 still names the witness, uncompressed.
    draft = second.get_contents()[0]
    doc.update_stream(draft, b"BT /helv 12 Tf 72 742 Td (Draft: the witness is "
                      + MARKER.encode() + b") Tj ET", compress=False)
    second.insert_font("helv")
    doc.save(path, garbage=0, deflate=False)
    doc.close()
    # Revision 2, saved incrementally: page 2's text replaced; the draft survives only in the
    # first revision's bytes.
    doc = pymupdf.open(path)
    xref = doc[1].get_contents()[0]
    doc.update_stream(xref, b"BT /helv 12 Tf 72 742 Td (Draft: the witness is withheld) Tj ET",
                      compress=False)
    doc.saveIncr()
    doc.close()
    return path


def pdftotext(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True, timeout=60)
    return done.stdout.decode("utf-8")


def everywhere(data: bytes) -> dict[str, list[bytes]]:
    """Where the name (or its first half) is in a PDF: each object, each decompressed stream
    (xref numbers), the raw bytes."""
    found: dict[str, list[bytes]] = {}
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for x in range(1, doc.xref_length()):
            obj = doc.xref_object(x, compressed=True).encode("utf-8", "replace")
            h = hits(obj, FORMS + FORMS_FIRST_NAME)
            if h:
                found[f"object {x}"] = h
            if doc.xref_is_stream(x):
                h = hits(doc.xref_stream(x) or b"", FORMS + FORMS_FIRST_NAME)
                if h:
                    found[f"stream {x}"] = h
    h = hits(data, FORMS + FORMS_FIRST_NAME)
    if h:
        found["raw bytes"] = h
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_pdf(tmp_path_factory.mktemp("hostile") / "statement.pdf")


def test_the_hostile_pdf_really_hides_the_name_everywhere(hostile: Path) -> None:
    """Controls: each hiding place holds the name, so the test below means something."""
    data = hostile.read_bytes()
    assert data.count(b"%%EOF") == 2  # two revisions
    assert MARKER.encode() in data.split(b"%%EOF")[0]  # the draft, in revision 1
    with pymupdf.open(hostile) as doc:
        assert MARKER not in doc[1].get_text()  # the current page 2 no longer has it
        assert MARKER in doc[0].get_text()
        assert doc.metadata["author"] == MARKER and MARKER in doc.get_xml_metadata()
        assert MARKER in doc.embfile_get(0).decode()
        assert [w.field_value for w in doc[0].widgets()] == [MARKER]
        assert any(MARKER in (a.info.get("content") or "") for a in doc[0].annots())
        assert doc.get_toc()[0][1] == f"Statement of {MARKER}"
        assert len(doc[0].get_images()) == 1
    assert MARKER in pdftotext(hostile)
    assert len(everywhere(data)) >= 6


def test_redacted_copy_leaks_nothing(vault: Vault, hostile: Path, tmp_path: Path) -> None:
    ref = import_one(vault, hostile)
    original = get_item(vault, ref)
    add_annotation(vault, ref, "redaction", 0, {"rect": list(IMAGE_RECT)},
                   reason="s40 signature")
    result = redacted_copy(vault, ref, texts=[MARKER], reason="PD")
    assert result.ref is not None and result.warnings == []
    data = stored(vault, result.ref)
    out = tmp_path / "redacted.pdf"
    out.write_bytes(data)

    # Nowhere: extracted text, any object, any decompressed stream, the raw bytes.
    text = pdftotext(out)
    assert "zelinda" not in text.lower() and "marchbanks" not in text.lower()
    assert "The officer was told at nine" in text  # what was not redacted stays
    assert "Draft: the witness is withheld" in text
    assert everywhere(data) == {}
    assert data.count(b"%%EOF") == 1 and b"/Prev" not in data  # one revision, rewritten
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.page_count == 2
        assert not any(doc.metadata.get(k) for k in ("title", "author", "subject", "keywords",
                                                      "creator", "producer"))
        assert doc.get_xml_metadata() == "" and doc.embfile_count() == 0
        assert doc.get_toc() == [] and doc.get_page_labels() == []
        catalog = doc.xref_object(doc.pdf_catalog())
        for key in ("OpenAction", "AcroForm", "Names", "Outlines", "PageLabels", "Metadata"):
            assert not re.search(rf"/{key}\s+(?!null)", catalog), (key, catalog)
        for page in doc:
            assert list(page.annots()) == [] and page.first_widget is None
            assert page.get_links() == []
        assert "s40 signature" in doc[0].get_text()  # the reason is printed in its box
        # The picture's pixels under the mark: the page shows only the black box there, and
        # whatever is left of the image holds nothing but one colour.
        page = doc[0]
        zoom = 2
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                              colorspace=pymupdf.csRGB)
        shown = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
        inner = [round(c * zoom) for c in (IMAGE_RECT.x0 + 1, IMAGE_RECT.y0 + 1,
                                           IMAGE_RECT.x1 - 1, IMAGE_RECT.y1 - 1)]
        region = shown.crop(tuple(inner))
        # Black, but for the reason code printed in white in the middle.
        colours = {c for _, c in region.getcolors(1 << 20) or []}
        assert (0, 0, 0) in colours
        dark = sum(region.convert("L").histogram()[:40])
        assert dark / (region.width * region.height) > 0.9
        for xref, *_ in page.get_images(full=True):
            pm = pymupdf.Pixmap(doc, xref)
            im = Image.frombytes("RGB" if pm.n >= 3 else "L", (pm.width, pm.height),
                                 pm.samples if pm.n in (1, 3) else pymupdf.Pixmap(
                                     pymupdf.csRGB, pm).samples)
            assert im.getcolors(1) is not None, "image pixels of the name are left"

    # The derivation record says what was done, and check is clean; the original is intact.
    details = next(e.fields["details"] for e in vault.events(result.ref)
               if e.fields["action"] == "derived")
    settings = details["settings"]
    assert {m["found"] for m in settings["marks"]} == {"mark", "text"}
    assert any("attached files" in r for r in settings["removed"])
    assert any(r.startswith("from the catalog:") and "OpenAction" in r
               for r in settings["removed"])
    assert "no text left under any mark" in settings["verified"]
    assert hits(stored(vault, ref)) and get_item(vault, ref).sha256 == original.sha256
    report = run_check(vault)
    assert report.ok, report.problems


def test_a_mark_alone_removes_the_text_under_it(vault: Vault, hostile: Path,
                                                tmp_path: Path) -> None:
    """Without any word to search for, a mark over the name removes it from the text; the
    marked name is not extractable, while the same name elsewhere (unmarked) stays."""
    ref = import_one(vault, hostile)
    with pymupdf.open(hostile) as doc:
        [where] = [r for r in doc[0].search_for(MARKER) if r.y1 < 120]  # the page's text
    add_annotation(vault, ref, "redaction", 0, {"rect": list(where)})
    result = redacted_copy(vault, ref)
    assert result.ref is not None
    out = tmp_path / "mark-only.pdf"
    out.write_bytes(stored(vault, result.ref))
    text = pdftotext(out)
    assert "Statement of" in text and "marchbanks" not in text.lower()
    assert "zelinda" not in text.lower()


def test_hidden_layers_are_not_kept(vault: Vault, tmp_path: Path) -> None:
    """Content in a layer switched off cannot be reviewed: the copy keeps only what the pages
    show, as pictures, and nothing of the hidden layer."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Visible statement text.", fontsize=12)
    hidden = doc.add_ocg("Reviewer notes", on=False)
    page.insert_text((72, 200), f"Hidden: {MARKER}", fontsize=12, oc=hidden)
    path = tmp_path / "layers.pdf"
    doc.save(path)
    doc.close()
    with pymupdf.open(path) as check_doc:
        assert MARKER not in check_doc[0].get_text()  # not shown, so not found by a search
        assert hits(check_doc[0].read_contents())  # but there, in the content
    assert everywhere(path.read_bytes())
    ref = import_one(vault, path)
    result = redacted_copy(vault, ref)
    assert result.ref is not None
    data = stored(vault, result.ref)
    assert everywhere(data) == {}
    with pymupdf.open(stream=data, filetype="pdf") as copy:
        assert copy.get_ocgs() == {}
        assert len(copy[0].get_images()) == 1  # the page as it showed
    details = next(e.fields["details"] for e in vault.events(result.ref)
               if e.fields["action"] == "derived")
    assert details["settings"]["pages_as_pictures"] == [0]
    assert run_check(vault).ok


def test_a_copy_that_fails_its_own_check_is_not_stored(vault: Vault, hostile: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks are not decoration: when the redaction leaves text under a mark, or the
    stripping leaves the name in the file, nothing is stored and the user is told."""
    import vault.documents.derive as derive
    from vault.errors import VaultError

    ref = import_one(vault, hostile)
    with pymupdf.open(hostile) as doc:
        [where] = [r for r in doc[0].search_for(MARKER) if r.y1 < 120]
    add_annotation(vault, ref, "redaction", 0, {"rect": list(where)})
    items = vault.con.execute("SELECT count(*) FROM items").fetchone()[0]
    files = vault.objects.names()
    events = len(list(vault.events()))
    with monkeypatch.context() as m:
        m.setattr(pymupdf.Page, "apply_redactions", lambda self, **kw: True)  # does nothing
        with pytest.raises(VaultError, match="text under a redaction mark on page 1 could not "
                                             "be removed; nothing was stored"):
            redacted_copy(vault, ref)
    with monkeypatch.context() as m:
        m.setattr(derive, "_strip_document", lambda doc: [])  # strips nothing
        with pytest.raises(VaultError, match="failed its own check, so nothing was stored: "
                                             ".*metadata, attachments or layers are left.*"
                                             r"text searched for \(number 1\) is still in"):
            redacted_copy(vault, ref, texts=[MARKER])
    assert vault.con.execute("SELECT count(*) FROM items").fetchone()[0] == items
    assert vault.objects.names() == files and len(list(vault.events())) == events
    assert run_check(vault).ok
