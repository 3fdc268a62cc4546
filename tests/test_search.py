"""Search (vault/search/index.py, vault/search/query.py, vault/evidence/tags.py, the CLI):
every source is found, queries of every kind work and hostile ones never raise, filters, the
index follows notes, annotations, tags and purges at once, and a migrated vault becomes
searchable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pymupdf
import pytest
from conftest import PASSPHRASE, import_refs, run_cli

from vault.clock import FixedClock, iso_utc
from vault.custody import log as custody
from vault.documents.annotations import add_annotation, delete_annotation, edit_annotation
from vault.evidence.items import get_item
from vault.evidence.notes import add_note
from vault.evidence.purge import purge
from vault.evidence.tags import add_tag, all_tags, remove_tag, tags_of
from vault.search.index import index_item, pending_counts, row_range, run_index_jobs
from vault.search.query import HIT_END, HIT_START, count, search
from vault.store.check import run_check
from vault.store.vault import Vault

FIXTURE_S4 = Path(__file__).resolve().parent / "fixtures" / "vault-v1-schema4.evault"


def make_pdf(path: Path, pages: list[str]) -> Path:
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        if text:
            page.insert_text((72, 100), text, fontsize=12)
    doc.save(str(path))
    doc.close()
    return path


def indexed(v: Vault) -> None:
    errors = [p.error for p in run_index_jobs(v) if p.error]
    assert errors == []
    assert pending_counts(v)["index"] == 0


def item_id(v: Vault, ref: str) -> int:
    return int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])


def found(v: Vault, query: str, **kw: object) -> set[tuple[str, str, int | None]]:
    return {(h.ref, h.source, h.page) for h in search(v, query, **kw)}  # type: ignore[arg-type]


@pytest.fixture
def docs(vault: Vault, tmp_path: Path, corpus: Path) -> dict[str, str]:
    """A generated three-page PDF, two corpus PDFs, a text-less PDF and two corpus photos."""
    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "minutes-2016.pdf", ["Council minutes, first page", "Nothing here",
                                         "Inspector Quillfeather attended on 10/11/2016"])
    for name in ("crazyones-pdfa.pdf", "pdflatex-4-pages.pdf", "grayscale-image.pdf"):
        shutil.copy(corpus / "pdf" / name, src / name)
    for name in ("Canon_40D.jpg", "Nikon_D70.jpg"):
        shutil.copy(corpus / "photos" / name, src / name)
    refs = import_refs(vault, src)
    indexed(vault)
    return refs


# ------------------------------------------------------------------------- every source
@pytest.mark.timeout(60)  # a backtracking reader takes hours here; the guard is the point
@pytest.mark.parametrize("markup", ["<script" * 200_000, "<script>" * 200_000,
                                    "<" * 1_000_000, "<a" + "b" * 1_000_000])
def test_hostile_html_cannot_stall_the_index(markup: str) -> None:
    from vault.search.text_content import html_text

    assert "script" not in html_text(markup + "<p>tail</p>")[-200:]


def test_html_text_keeps_text_and_drops_code() -> None:
    from vault.search.text_content import html_text

    text = html_text("<p>Hollowbrook &amp; Vale</p><SCRIPT type=x>var hidden = 1;</script >"
                     "<style>p {}</style>3 < 4 ok<!-- note -->")
    assert " ".join(text.split()) == "Hollowbrook & Vale 3 < 4 ok"


def test_text_files_html_and_emails_are_searchable(vault: Vault, tmp_path: Path) -> None:
    """The content of text-like evidence: a Windows-1252 letter, an HTML page (not its
    markup or script), an e-mail (headers and both text and HTML parts)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "letter.txt").write_bytes(b"Dear Mr Grantham, the caf\xe9 meeting")  # cp1252
    (src / "page.html").write_text("<html><body><p>Hollowbrook &amp; Vale ward</p>"
                                   "<script>var scriptword = 1;</script></body></html>")
    (src / "mail.eml").write_text(
        "From: Officer Daunt <daunt@example.org>\nTo: council@example.org\n"
        "Subject: Referral Wexcombe\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\nPlain part mentions Larkspur.\n"
        "--b\nContent-Type: text/html; charset=utf-8\n\n<p>HTML part mentions "
        "<b>Tamsworth</b></p>\n--b--\n")
    refs = import_refs(vault, src)
    indexed(vault)
    letter, page, mail = refs["letter.txt"], refs["page.html"], refs["mail.eml"]
    assert (letter, "text", None) in found(vault, "grantham cafe")
    assert (page, "text", None) in found(vault, '"Hollowbrook & Vale"')
    assert found(vault, "scriptword") == set() and found(vault, "body") == set()
    for word in ("Daunt", "Wexcombe", "Larkspur", "Tamsworth"):
        assert (mail, "text", None) in found(vault, word), word
    assert {h.ref for h in search(vault, "Larkspur", source="text")} == {mail}


def test_pdf_text_is_found_at_its_page(vault: Vault, docs: dict[str, str]) -> None:
    ref = docs["minutes-2016.pdf"]
    [hit] = search(vault, "Quillfeather")
    assert (hit.ref, hit.source, hit.page) == (ref, "pdf", 3)
    assert f"{HIT_START}Quillfeather{HIT_END}" in hit.snippet
    assert hit.terms == ("Quillfeather",)
    assert hit.name == "minutes-2016.pdf" and hit.mime == "application/pdf"
    # corpus PDFs: one page, and the fourth of four
    assert (docs["crazyones-pdfa.pdf"], "pdf", 1) in found(vault, "misfits")  # the fi ligature
    pages = {p for r, s, p in found(vault, "meaning") if r == docs["pdflatex-4-pages.pdf"]}
    assert pages and pages <= {1, 2, 3, 4}


def test_file_names_provenance_and_exif(vault: Vault, docs: dict[str, str]) -> None:
    assert (docs["crazyones-pdfa.pdf"], "name", None) in found(vault, "crazyones")
    canon, nikon = docs["Canon_40D.jpg"], docs["Nikon_D70.jpg"]
    assert {r for r, s, _ in found(vault, "canon EOS", source="metadata")} == {canon}
    assert {r for r, s, _ in found(vault, "nikon D70", source="metadata")} == {nikon}
    # who imported each item is in its provenance record
    assert {r for r, s, _ in found(vault, "okafor", source="provenance")} == set(docs.values())


def test_provenance_received_from_is_found(vault: Vault, tmp_path: Path) -> None:
    from vault.evidence.importer import import_paths

    src = make_pdf(tmp_path / "letter.pdf", ["A letter"])
    [ref] = [r.ref for p in import_paths(vault, [src], received_from="Handed over by Mrs "
                                         "Abernethy-Tolland at the café, 3 May")
             for r in p.acknowledged]
    indexed(vault)
    assert (ref, "provenance", None) in found(vault, "Abernethy Tolland cafe")
    assert (ref, "provenance", None) in found(vault, "Abernethy-Tolland")


def test_notes_annotations_and_tags_are_searchable_at_once(vault: Vault,
                                                           docs: dict[str, str]) -> None:
    pdf, photo = docs["minutes-2016.pdf"], docs["Canon_40D.jpg"]
    add_note(vault, pdf, "Phoned the Zephyrine helpline about this")
    assert found(vault, "zephyrine") == {(pdf, "note", None)}  # no index job needed
    a = add_annotation(vault, pdf, "note", 1, {"rect": [10, 10, 40, 40]},
                       text="Sergeant Bellweather knew")
    assert found(vault, "bellweather") == {(pdf, "annotation", 2)}
    edit_annotation(vault, a.id, text="Sergeant Marchbanks knew")
    assert found(vault, "bellweather") == set()
    assert found(vault, "marchbanks") == {(pdf, "annotation", 2)}
    delete_annotation(vault, a.id)
    assert found(vault, "marchbanks") == set()
    add_annotation(vault, photo, "rectangle", 0, {"rect": [1, 1, 20, 20]}, text="the van")
    assert found(vault, "van") == {(photo, "annotation", 1)}
    assert add_tag(vault, photo, "police knowledge") is True
    assert add_tag(vault, photo, "Police  Knowledge") is False  # the same tag
    assert found(vault, '"police knowledge"') == {(photo, "tag", None)}
    assert tags_of(vault, photo) == ["police knowledge"]
    assert all_tags(vault) == [("police knowledge", 1)]
    remove_tag(vault, photo, "POLICE KNOWLEDGE")
    assert found(vault, "knowledge") == set() and all_tags(vault) == []
    assert pending_counts(vault)["index"] == 0


def test_ocr_pages_are_indexed_and_scans_are_queued(vault: Vault, docs: dict[str, str]) -> None:
    scan, photo = docs["grayscale-image.pdf"], docs["Canon_40D.jpg"]
    jobs = {(r, k) for r, k in vault.con.execute(
        "SELECT i.ref, j.kind FROM text_jobs j JOIN items i ON i.id = j.item_id")}
    assert (scan, "ocr") in jobs and (photo, "ocr") in jobs
    assert (docs["minutes-2016.pdf"], "ocr") not in jobs  # it has a text layer
    with vault.transaction():  # what the OCR worker stores (our own table)
        vault.con.execute("INSERT INTO ocr_pages (item_id, page, text, engine, languages, "
                          "created) VALUES (?, 1, ?, 'tesseract', 'eng', ?)",
                          (item_id(vault, scan), "Statement of Constable Fenwright",
                           iso_utc(vault.clock.now())))
        vault.con.execute("DELETE FROM text_jobs WHERE kind='ocr' AND item_id=?",
                          (item_id(vault, scan),))
    index_item(vault, item_id(vault, scan))
    assert found(vault, "fenwright") == {(scan, "ocr", 1)}
    assert vault.con.execute("SELECT count(*) FROM text_jobs WHERE kind='ocr' AND item_id=?",
                             (item_id(vault, scan),)).fetchone()[0] == 0  # covered now


# ------------------------------------------------------------------------- query syntax
def test_phrase_prefix_boolean_not(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "a.pdf", ["Northbridge council knew about Ashworth Street in 2016"])
    make_pdf(src / "b.pdf", ["The council met; Northbridge police were absent"])
    make_pdf(src / "c.pdf", ["Zoë Ashworthy wrote to the police"])
    refs = import_refs(vault, src)
    indexed(vault)
    a, b, c = refs["a.pdf"], refs["b.pdf"], refs["c.pdf"]

    def pdf_refs(q: str) -> set[str]:
        return {h.ref for h in search(vault, q, source="pdf")}

    assert pdf_refs("northbridge council") == {a, b}  # bare words: AND
    assert pdf_refs('"northbridge council"') == {a}  # phrase
    assert pdf_refs("ashworth") == {a}
    assert pdf_refs("ashworth*") == {a, c}  # prefix
    assert pdf_refs("ZOE") == {c}  # case and diacritics
    assert pdf_refs("ashworth OR absent") == {a, b}
    assert pdf_refs("police NOT absent") == {c}
    assert pdf_refs("NOT absent") == set()  # never the opposite: nothing rather than "absent"
    assert pdf_refs("(ashworthy OR absent) AND police") == {b, c}
    assert pdf_refs("2016") == {a}
    assert count(vault, "police", source="pdf") == 2


HOSTILE = ['"', '""', "-", "--", "NEAR(", "NEAR(a b", "O'Brien", "10/11/2016", "B-12",
           "mary.okafor@example.org", "(", ")", "((a)", "AND", "OR OR", "NOT", "a AND",
           "*", "a**", "^a", "text:foo", "{a b}", "a+b", "'; DROP TABLE items; --", "\x00",
           "\u202e", "☃", "x" * 5000, "tag:", 'tag:"', "a:b:c", "NOT police"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(vault: Vault, docs: dict[str, str], query: str) -> None:
    hits = search(vault, query)
    assert isinstance(hits, list)
    assert count(vault, query) >= len(hits)


def test_punctuated_tokens_are_found(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "p.pdf", ["Mr O'Brien, ward B-12, on 10/11/2016, wrote to "
                             "mary.okafor@example.org"])
    [ref] = import_refs(vault, src).values()
    indexed(vault)
    for q in ["O'Brien", "B-12", "10/11/2016", "mary.okafor@example.org", "o'brien b-12"]:
        assert (ref, "pdf", 1) in found(vault, q), q


# ------------------------------------------------------------------------- filters
def test_filters(vault: Vault, tmp_path: Path, corpus: Path) -> None:
    import datetime as dt

    from vault.evidence.importer import import_paths

    v = vault
    v.clock = FixedClock(dt.datetime(2026, 5, 3, 9, 0, tzinfo=dt.UTC), dt.timedelta(days=1))
    one = make_pdf(tmp_path / "one.pdf", ["Harrowgate report"])
    two = make_pdf(tmp_path / "two.pdf", ["Harrowgate letter"])
    photo = tmp_path / "Harrowgate.jpg"
    shutil.copy(corpus / "photos" / "Canon_40D.jpg", photo)
    refs = {}
    for path, case, rf in [(one, "NB-1", "email from the council"), (two, "NB-2", "USB stick"),
                           (photo, "NB-1", "USB stick")]:
        for p in import_paths(v, [path], case=case, received_from=rf):
            refs.update({Path(r.source).name: str(r.ref) for r in p.acknowledged})
    indexed(v)
    add_tag(v, refs["two.pdf"], "council minutes")
    items = {r: rec for r, rec in v.con.execute("SELECT ref, received FROM items")}

    def hits(**kw: object) -> set[str]:
        return {h.ref for h in search(v, "harrowgate", **kw)}  # type: ignore[arg-type]

    everything = set(refs.values())
    assert hits() == everything
    assert hits(case="NB-1") == {refs["one.pdf"], refs["Harrowgate.jpg"]}
    assert hits(mime_prefix="image/") == {refs["Harrowgate.jpg"]}
    assert hits(mime_prefix="application/pdf") == {refs["one.pdf"], refs["two.pdf"]}
    assert hits(received_from="usb") == {refs["two.pdf"], refs["Harrowgate.jpg"]}
    assert hits(tags=["Council Minutes"]) == {refs["two.pdf"]}
    assert {h.ref for h in search(v, "harrowgate tag:\"council minutes\"")} == {refs["two.pdf"]}
    assert [(h.ref, h.source) for h in search(v, "tag:\"Council minutes\"")] == \
        [(refs["two.pdf"], "tag")]  # a tag alone lists its items
    assert hits(source="name") == {refs["Harrowgate.jpg"]}
    first = min(items.values())[:10]
    last = max(items.values())[:10]
    assert first != last
    assert hits(received_before=first) == {r for r, t in items.items() if t[:10] == first}
    assert hits(received_after=last) == {r for r, t in items.items() if t[:10] == last}
    assert hits(case="no such case") == set()


# ------------------------------------------------------------------------- consistency
def test_purge_removes_every_trace(vault: Vault, docs: dict[str, str]) -> None:
    ref = docs["minutes-2016.pdf"]
    add_note(vault, ref, "About Quillfeather")
    iid = item_id(vault, ref)
    with vault.transaction():
        vault.con.execute("INSERT INTO ocr_pages (item_id, page, text, engine, languages, "
                          "created) VALUES (?, 9, 'ocr text', 't', 'eng', 'x')",
                          (iid,))
    purge(vault, ref, "must not be held")
    assert found(vault, "Quillfeather") == set()
    lo, hi = row_range(iid)
    assert vault.con.execute("SELECT count(*) FROM search_text WHERE rowid BETWEEN ? AND ?",
                             (lo, hi)).fetchone()[0] == 0
    assert vault.con.execute("SELECT count(*) FROM ocr_pages WHERE item_id=?",
                             (iid,)).fetchone()[0] == 0
    index_item(vault, iid)  # a job left over for a purged item writes nothing
    assert found(vault, "minutes") == set()
    assert run_check(vault).ok


def test_reindex_is_idempotent(vault: Vault, docs: dict[str, str]) -> None:
    ref = docs["minutes-2016.pdf"]
    add_note(vault, ref, "a note")
    add_tag(vault, ref, "council")
    sql = "SELECT rowid >> 24, item_id, text, source, page, key FROM search_text"
    before = sorted(vault.con.execute(sql).fetchall(), key=repr)
    assert all(r[0] == r[1] for r in before)  # each row in its item's rowid range
    for iid in [r[0] for r in vault.con.execute("SELECT id FROM items")]:
        index_item(vault, int(iid))
        index_item(vault, int(iid))
    after = sorted(vault.con.execute(sql).fetchall(), key=repr)
    assert after == before
    assert len(search(vault, "Quillfeather")) == 1


def test_failing_item_does_not_stop_the_others(vault: Vault, tmp_path: Path) -> None:
    refs = import_refs(vault, make_pdf(tmp_path / "x.pdf", ["Wolverton"]),
                       make_pdf(tmp_path / "y.pdf", ["Wolverton"]))
    x = item_id(vault, refs["x.pdf"])
    oid = vault.con.execute("SELECT oid FROM items WHERE id=?", (x,)).fetchone()[0]
    path = vault.objects.path(oid)
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF  # damage the encrypted object: decrypting it fails
    path.write_bytes(bytes(data))
    progress = list(run_index_jobs(vault))
    assert [p.item_id for p in progress if p.error] == [x]
    assert {h.ref for h in search(vault, "wolverton")} == {refs["y.pdf"]}
    err = vault.con.execute("SELECT tries, last_error FROM text_jobs WHERE item_id=? AND "
                            "kind='index'", (x,)).fetchone()
    assert err[0] == 1 and err[1]


def test_migrated_fixture_becomes_searchable(tmp_path: Path) -> None:
    copy = tmp_path / FIXTURE_S4.name
    shutil.copytree(FIXTURE_S4, copy)
    with Vault.open(copy, passphrase=PASSPHRASE) as v:
        assert pending_counts(v)["index"] == 3  # queued by the migration
        assert search(v, "door") == []
        indexed(v)
        [hit] = search(v, "door")
        assert (hit.source, hit.page) == ("annotation", 1)
        assert search(v, "png", source="name")
        assert run_check(v).ok


# ------------------------------------------------------------------------- CLI, custody
def test_index_all_reads_every_item_again(vault: Vault, tmp_path: Path) -> None:
    """`index --all`: what an older indexer left unread (here: the rows of a text file
    removed, as before text files were read) becomes searchable."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "letter.txt").write_text("Sergeant Bellweather was told.")
    [ref] = import_refs(vault, src).values()
    indexed(vault)
    assert (ref, "text", None) in found(vault, "bellweather")
    with vault.transaction():
        vault.con.execute("DELETE FROM search_text WHERE rowid BETWEEN ? AND ?",
                          row_range(item_id(vault, ref), "text"))
    assert found(vault, "bellweather") == set()
    folder = vault.folder
    vault.close()
    r = run_cli("index", folder, "--all")
    assert r.returncode == 0 and "item(s) indexed, 0 failed" in r.stderr, r.stderr
    r = run_cli("search", folder, "bellweather")
    assert r.returncode == 0 and r.stdout.startswith(f"{ref}\t\t[text]\t"), r.stdout


def test_cli_search_tag_and_custody(tmp_path: Path) -> None:
    vault_dir = tmp_path / "cli"
    r = run_cli("init", vault_dir, "--name", "Mary Okafor", "--initials", "MO")
    assert r.returncode == 0, r.stderr
    path = f"{vault_dir}.evault"
    pdf = make_pdf(tmp_path / "report.pdf", ["Cover", "Nothing", "Grimshaw was told in 2016"])
    r = run_cli("import", path, pdf, "--case", "NB-1", "--received-from", "email from Okonjo")
    assert r.returncode == 0, r.stderr
    r = run_cli("search", path, "grimshaw", "--json")  # import made it searchable
    assert r.returncode == 0, r.stderr
    [line] = [json.loads(x) for x in r.stdout.splitlines()]
    assert (line["ref"], line["page"], line["source"]) == ("MO/1", 3, "pdf")
    assert "[Grimshaw]" in line["snippet"]
    r = run_cli("search", path, "okonjo")
    assert r.returncode == 0 and r.stdout.startswith("MO/1\t\t[provenance]\t")
    assert "1 hit(s)" in r.stderr
    r = run_cli("search", path, "nowhere-to-be-found")
    assert r.returncode == 1 and r.stdout == "" and "0 hit(s)" in r.stderr
    r = run_cli("search", path, 'grimshaw"(', "--from", "not-a-date")
    assert r.returncode != 0 and r.stderr.startswith("evidence-vault: --from")
    assert "Traceback" not in r.stderr
    r = run_cli("tag", path, "MO/1", "police knowledge", "council")
    assert r.returncode == 0, r.stderr
    r = run_cli("search", path, "grimshaw", "--tag", "council", "--type", "pdf")
    assert r.returncode == 0 and "MO/1" in r.stdout
    r = run_cli("untag", path, "MO/1", "council")
    assert r.returncode == 0, r.stderr
    r = run_cli("untag", path, "MO/1", "council")
    assert r.returncode != 0 and "has no tag" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("tags", path)
    assert r.stdout.splitlines() == ["1\tpolice knowledge"]
    r = run_cli("tags", path, "MO/1", "--json")
    assert json.loads(r.stdout) == ["police knowledge"]
    r = run_cli("index", path)
    assert r.returncode == 0, r.stderr
    r = run_cli("log", path, "--json")
    events = [json.loads(x)["event"] for x in r.stdout.splitlines()]
    tag_events = [(e["action"], e["details"]["tag"]) for e in events
                  if e["action"] in (custody.TAG_ADDED, custody.TAG_REMOVED)]
    assert tag_events == [("tag added", "police knowledge"), ("tag added", "council"),
                          ("tag removed", "council")]
    r = run_cli("check", path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_rowid_layout_is_as_documented(vault: Vault, docs: dict[str, str]) -> None:
    """docs/vault-format.md#search: rowid = item_id << 24 | source << 19 | n, n from 0."""
    from vault.search.index import SOURCES

    add_note(vault, docs["minutes-2016.pdf"], "one")
    add_note(vault, docs["minutes-2016.pdf"], "two")
    rows = vault.con.execute("SELECT rowid, item_id, source FROM search_text").fetchall()
    seen: dict[tuple[int, str], list[int]] = {}
    for rowid, iid, source in rows:
        assert rowid >> 24 == iid
        assert (rowid >> 19) & 31 == SOURCES.index(source)
        seen.setdefault((iid, source), []).append(rowid & ((1 << 19) - 1))
    assert all(sorted(ns) == list(range(len(ns))) for ns in seen.values())
    assert sorted(seen[(item_id(vault, docs["minutes-2016.pdf"]), "pdf")]) == [0, 1, 2]
    assert len(seen[(item_id(vault, docs["minutes-2016.pdf"]), "note")]) == 2


def test_unreadable_items_are_indexed_by_what_can_be_read(vault: Vault, tmp_path: Path,
                                                          corpus: Path) -> None:
    refs = import_refs(vault, corpus / "bad" / "password-protected.pdf",
                       corpus / "bad" / "corrupted.jpg")
    indexed(vault)  # no job fails
    assert {h.ref for h in search(vault, "password protected", source="name")} == \
        {refs["password-protected.pdf"]}
    assert {h.ref for h in search(vault, "corrupted")} == {refs["corrupted.jpg"]}


# ------------------------------------------------------------------ office documents (issue 7 M)
# Real files written by hand (zip + XML, as Word, Excel, PowerPoint and LibreOffice write them):
# filetype must recognise each, and its words must be found at source "text".
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
A = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
     'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"')
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def write_zip(path: Path, parts: list[tuple[str, str | bytes]]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts:
            stored = name == "mimetype"  # ODF: first, uncompressed
            z.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return path


def ooxml(path: Path, main: str, parts: list[tuple[str, str | bytes]]) -> Path:
    types = (XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/></Types>')
    rels = (XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/officeDocument" Target="{main}"/>'
            '</Relationships>')
    return write_zip(path, [("[Content_Types].xml", types), ("_rels/.rels", rels), *parts])


def docx(path: Path, body: str, extra: list[tuple[str, str | bytes]] | None = None,
         prolog: str = XML) -> Path:
    document = f"{prolog}<w:document {W}><w:body>{body}</w:body></w:document>"
    return ooxml(path, "word/document.xml", [("word/document.xml", document), *(extra or [])])


def odf(path: Path, mime: str, body: str) -> Path:
    content = (f'{XML}<office:document-content {ODF_NS} office:version="1.3"><office:body>'
               f"{body}</office:body></office:document-content>")
    return write_zip(path, [("mimetype", mime), ("content.xml", content),
                            ("META-INF/manifest.xml", XML + "<manifest/>")])


def office_files(src: Path) -> dict[str, tuple[str, list[str]]]:
    """{file name: (the MIME type filetype gives, phrases to find in its text)}."""
    from vault.search import office_text as ot

    src.mkdir(exist_ok=True)
    docx(src / "minutes.docx",
         "<w:p><w:r><w:t>Chair</w:t><w:tab/><w:t xml:space=\"preserve\">Ravensholt </w:t>"
         "</w:r><w:r><w:t>opened</w:t></w:r></w:p><w:p><w:r><w:t>Second</w:t><w:br/>"
         "<w:t>line</w:t></w:r></w:p>",
         [("word/header1.xml", f"{XML}<w:hdr {W}><w:p><w:r><w:t>Headerword Pellinore</w:t>"
           "</w:r></w:p></w:hdr>"),
          ("word/footer2.xml", f"{XML}<w:ftr {W}><w:p><w:r><w:t>Footerword Quenby</w:t>"
           "</w:r></w:p></w:ftr>"),
          ("word/comments.xml", f"{XML}<w:comments {W}><w:comment><w:p><w:r><w:t>Commented "
           "Marchbank</w:t></w:r></w:p></w:comment></w:comments>")])
    shared = (f'{XML}<sst {S} count="2"><si><t>Referral Thistlewood</t></si><si><r>'
              '<t xml:space="preserve">Rich </t></r><r><t>run Oxenhope</t></r></si></sst>')
    sheet = (f'{XML}<worksheet {S}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" t="inlineStr"><is><t>Inline Calderbrook</t></is></c>'
             '<c r="C1"><v>424242</v></c></row></sheetData></worksheet>')
    ooxml(src / "log.xlsx", "xl/workbook.xml", [
        ("xl/workbook.xml", f'{XML}<workbook {S}><sheets><sheet name="Referrals Hadleigh" '
         'sheetId="1"/></sheets></workbook>'),
        ("xl/sharedStrings.xml", shared), ("xl/worksheets/sheet1.xml", sheet)])
    slide = (f"{XML}<p:sld {A}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Slide "
             "Wetherden</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>")
    ooxml(src / "briefing.pptx", "ppt/presentation.xml", [
        ("ppt/presentation.xml", f"{XML}<p:presentation {A}/>"),
        ("ppt/slides/slide1.xml", slide),
        ("ppt/notesSlides/notesSlide1.xml", slide.replace("Wetherden", "Notes Fenwright"))])
    odf(src / "letter.odt", ot.ODT,
        "<office:text><text:h>Heading Ambleforth</text:h><text:p>Ward<text:s text:c=\"2\"/>"
        "Seven<text:tab/><text:span>Spanword Kettleby</text:span><text:line-break/>next"
        "</text:p></office:text>")
    odf(src / "rota.ods", ot.ODS,
        '<office:spreadsheet><table:table table:name="Rota Brackenfield"><table:table-row>'
        "<table:table-cell><text:p>Cell Dunmore</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet>")
    odf(src / "talk.odp", ot.ODP,
        "<office:presentation><draw:page><draw:frame><draw:text-box><text:p>Slide Gorsedale"
        "</text:p></draw:text-box></draw:frame></draw:page></office:presentation>")
    return {
        "minutes.docx": (ot.DOCX, ['"Chair Ravensholt opened"', '"second line"', "Pellinore",
                                   "Quenby", "Marchbank"]),
        "log.xlsx": (ot.XLSX, ["Thistlewood", '"rich run oxenhope"', "Calderbrook",
                               "Hadleigh"]),
        "briefing.pptx": (ot.PPTX, ["Wetherden", "Fenwright"]),
        "letter.odt": (ot.ODT, ["Ambleforth", '"ward seven"', "Kettleby", '"kettleby next"']),
        "rota.ods": (ot.ODS, ["Brackenfield", "Dunmore"]),
        "talk.odp": (ot.ODP, ["Gorsedale"]),
    }


def test_office_documents_are_searchable(vault: Vault, tmp_path: Path) -> None:
    """Word, Excel, PowerPoint and OpenDocument files: body, headers, footers, comments,
    shared and inline strings, sheet names, slides and their notes, each found at source
    "text" of its item alone; the MIME type is the one filetype gives."""
    import filetype

    files = office_files(tmp_path / "in")
    for name, (mime, _) in files.items():
        assert filetype.guess_mime(str(tmp_path / "in" / name)) == mime, name
    refs = import_refs(vault, tmp_path / "in")
    indexed(vault)
    for name, (mime, phrases) in files.items():
        ref = refs[name]
        assert vault.con.execute("SELECT mime FROM items WHERE ref=?", (ref,)).fetchone()[0] == \
            mime
        for phrase in phrases:
            assert {(h.ref, h.page) for h in search(vault, phrase, source="text")} == \
                {(ref, None)}, (name, phrase)
    assert found(vault, "424242") == set()  # numbers in cells are not text
    assert found(vault, "sheetData") == set() and found(vault, "schemas") == set()  # no markup


BILLION_LAUGHS = (XML + '<!DOCTYPE w:document [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + "]>")


def hostile_docx(path: Path, kind: str) -> Path:
    body = "<w:p><w:r><w:t>Hostileword Zennor</w:t></w:r></w:p>"
    if kind == "billion-laughs":
        return docx(path, body + "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>",
                    prolog=BILLION_LAUGHS)
    if kind == "doctype-only":  # no entity used: refused all the same
        return docx(path, body, prolog=XML + "<!DOCTYPE w:document>")
    if kind == "zip-bomb":  # 40 MB of spaces deflate to ~40 kB: a ratio of ~1000
        return docx(path, body + "<w:p><w:r><w:t>" + " " * 40_000_000 + "</w:t></w:r></w:p>")
    if kind == "truncated":
        data = docx(path, body * 200).read_bytes()
        path.write_bytes(data[:len(data) * 2 // 3])
        return path
    if kind == "not-xml":
        return docx(path, body + "<w:p><unclosed>")
    raise AssertionError(kind)


HOSTILE_KINDS = ["billion-laughs", "doctype-only", "zip-bomb", "truncated", "not-xml"]


@pytest.mark.timeout(120)
def test_hostile_office_documents_give_no_text_and_do_not_stop_the_index(
        vault: Vault, tmp_path: Path) -> None:
    """Choice: a damaged or hostile document is not an error. Its index job succeeds (nothing
    pending, no last_error), it has no ``text`` row, it stays preserved and is found by its
    name; a good document indexed in the same run is found."""
    import filetype

    from vault.search.office_text import DOCX

    src = tmp_path / "in"
    src.mkdir()
    paths = [hostile_docx(src / f"{kind}.docx", kind) for kind in HOSTILE_KINDS]
    for p in paths:
        assert filetype.guess_mime(str(p)) == DOCX, p.name  # so the office reader is tried
    docx(src / "good.docx", "<w:p><w:r><w:t>Goodword Trevose</w:t></w:r></w:p>")
    refs = import_refs(vault, src)
    progress = list(run_index_jobs(vault))
    assert [p.error for p in progress if p.error] == []
    assert pending_counts(vault)["index"] == 0
    assert vault.con.execute("SELECT count(*) FROM text_jobs WHERE last_error != ''"
                             ).fetchone()[0] == 0
    assert found(vault, "Trevose") == {(refs["good.docx"], "text", None)}
    assert found(vault, "Zennor") == set() and found(vault, "lol") == set()
    for kind in HOSTILE_KINDS:
        ref = refs[f"{kind}.docx"]
        rows = vault.con.execute("SELECT source FROM search_text WHERE item_id=?",
                                 (item_id(vault, ref),)).fetchall()
        assert "text" not in {r[0] for r in rows}, kind
        assert (ref, "name", None) in found(vault, f'"{kind}"', source="name"), kind
        oid, key = vault.con.execute("SELECT o.oid, o.key FROM items i JOIN objects o ON "
                                     "o.oid = i.oid WHERE i.ref=?", (ref,)).fetchone()
        with vault.objects.open(oid, bytes(key)) as reader:  # preserved byte for byte
            assert b"".join(reader.iter_chunks()) == (src / f"{kind}.docx").read_bytes(), kind
        # and its item says why its words are not searchable
        assert any("words could not be read" in w
                   for w in get_item(vault, ref).warnings), (kind, get_item(vault, ref).warnings)
    assert get_item(vault, refs["good.docx"]).warnings == []
    assert run_check(vault).ok


def test_office_text_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text stops at the limit; a part over MAX_PART is skipped, the others read."""
    import io

    from vault.search import office_text as ot

    body = "".join(f"<w:p><w:r><w:t>Word{i}</w:t></w:r></w:p>" for i in range(1000))
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"{XML}<w:document {W}><w:body>{body}</w:body>"
                   "</w:document>")
        z.writestr("word/comments.xml", f"{XML}<w:comments {W}><w:p><w:r><w:t>"
                   + "Comment " * 100 + "</w:t></w:r></w:p></w:comments>")
    text = ot.document_text(io.BytesIO(buf.getvalue()), ot.DOCX, limit=50)
    assert len(text) == 50 and text.startswith("Word0\nWord1\n")
    full = ot.document_text(io.BytesIO(buf.getvalue()), ot.DOCX)
    assert "Word999" in full and "Comment" in full
    monkeypatch.setattr(ot, "MAX_PART", 2000)  # the comments fit, the document does not
    assert ot.document_text(io.BytesIO(buf.getvalue()), ot.DOCX).split() == ["Comment"] * 100
    assert ot.document_text(io.BytesIO(b"not a zip"), ot.DOCX) == ""
    assert ot.document_text(io.BytesIO(buf.getvalue()), "application/pdf") == ""
