"""Real-world names and folders: a name that is not UTF-8, links to files and folders, a
link loop, a dangling link, names with tabs and newlines, empty and disguised files. Nothing
is lost or skipped without being named in the results and the exit code."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_files

from vault.evidence import importer
from vault.evidence.importer import FAILED, IMPORTED, ImportResult, import_paths
from vault.evidence.items import get_item, list_items, provenance
from vault.evidence.private_details import private_record
from vault.store.vault import Vault

LATIN1 = b"caf\xe9 menu.txt"  # a Windows-1252 / Latin-1 name, as on old FAT sticks


def run(v: Vault, *paths: Path | bytes) -> list[ImportResult]:
    out: list[ImportResult] = []
    for p in import_paths(v, [Path(os.fsdecode(x)) if isinstance(x, bytes) else x
                              for x in paths]):
        out.extend(p.acknowledged)
    return out


def stored(v: Vault, ref: str) -> bytes:
    item = get_item(v, ref)
    assert item.oid is not None
    with v.objects.open(item.oid, v.object_key(item.oid)) as r:
        return b"".join(r.iter_chunks())



def closed_vault_and_folder(make_vault: Any, tmp_path: Path) -> tuple[Path, Path]:
    """A new vault, closed for the command line to open, and an empty folder ``in`` to fill
    with what it will import."""
    v, _ = make_vault()
    folder = v.folder
    v.close()
    src = tmp_path / "in"
    src.mkdir()
    return folder, src

def test_a_name_that_is_not_utf8_imports_with_its_exact_bytes(vault: Vault,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    write_files(folder, 10, prefix="good")
    raw = os.fsencode(folder) + b"/" + LATIN1
    with open(raw, "wb") as f:
        f.write(b"Menu of the cafe where the meeting took place.\n")
    results = run(vault, folder)
    assert [r.status for r in results] == [IMPORTED] * 11, results
    odd = next(r for r in results if "menu" in r.source)
    assert odd.source.endswith("café menu.txt")
    item = get_item(vault, odd.ref or "")
    assert item.name == "café menu.txt"
    (record,) = provenance(vault, item.ref)
    assert record["original_name_bytes"] == LATIN1.hex()
    assert bytes.fromhex(record["original_path_bytes"]) == LATIN1  # below the folder
    private = private_record(vault.con, record["private_sha256"])
    assert private is not None
    assert bytes.fromhex(private["original_path_bytes"]) == raw  # the vault keeps it all
    with open(raw, "rb") as f:
        assert stored(vault, item.ref) == f.read()


def test_the_cli_imports_and_lists_a_latin1_name(tmp_path: Path,
                                                 make_vault: object) -> None:
    folder, src = closed_vault_and_folder(make_vault, tmp_path)
    with open(os.fsencode(src) + b"/" + LATIN1, "wb") as f:
        f.write(b"x")
    r = run_cli("import", folder, src)
    assert r.returncode == 0, r.stderr
    assert "café menu.txt" in r.stdout and "Traceback" not in r.stderr
    r = run_cli("list", folder)
    assert r.returncode == 0 and "\tcafé menu.txt\t" in r.stdout


def test_links_are_followed_and_recorded_and_a_loop_is_named(vault: Vault,
                                                             tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_files(outside, 2, prefix="linked")
    top = tmp_path / "top"
    write_files(top, 1, prefix="own")
    (top / "photos").symlink_to(outside, target_is_directory=True)
    (top / "one-file").symlink_to(outside / "linked-00000.txt")
    (top / "back").symlink_to(top, target_is_directory=True)  # a loop
    (top / "dangling").symlink_to(tmp_path / "nowhere.txt")
    results = run(vault, top)
    failed = {Path(r.source).name: r.error for r in results if r.status == FAILED}
    assert failed == {"back": failed["back"], "dangling": "a link whose target does not exist"}
    assert "a link to a folder already imported" in (failed["back"] or "")
    ok = [r for r in results if r.status != FAILED]
    names = sorted(Path(r.source).name for r in ok)
    assert names == ["linked-00000.txt", "linked-00001.txt", "one-file", "own-00000.txt"], names
    via = next(r for r in ok if Path(r.source).name == "one-file")
    (record,) = provenance(vault, via.ref or "")[:1]
    assert record["original_path"] == "one-file" and record["reached_through_link"] is True
    private = private_record(vault.con, record["private_sha256"])
    assert private is not None and private["original_path"] == str(top / "one-file")
    assert private["link_target"] == str(outside / "linked-00000.txt")
    assert any("reached through a link" in w for w in via.warnings)
    folder_item = next(r for r in ok if str(top / "photos") in r.source)
    linked = next(p for p in provenance(vault, folder_item.ref or "")
                  if p["original_path"].startswith("photos/"))
    assert private_record(vault.con, linked["private_sha256"])["link_target"].startswith(
        str(outside))


def test_the_cli_exit_code_names_what_was_not_imported(tmp_path: Path,
                                                       make_vault: object) -> None:
    folder, src = closed_vault_and_folder(make_vault, tmp_path)
    write_files(src, 1)
    (src / "loop").symlink_to(src, target_is_directory=True)
    r = run_cli("import", folder, src)
    assert r.returncode == 1
    assert "FAILED" in r.stderr and "loop" in r.stderr
    assert "1 imported, 0 received again, 1 failed" in r.stderr


def test_tabs_and_newlines_in_names_never_split_a_line(tmp_path: Path,
                                                       make_vault: object) -> None:
    folder, src = closed_vault_and_folder(make_vault, tmp_path)
    (src / "two\nlines\tand a tab.txt").write_bytes(b"odd name")
    r = run_cli("import", folder, src, "--case", "A\tB")
    assert r.returncode == 0, r.stderr
    (line,) = r.stdout.splitlines()
    assert len(line.split("\t")) == 4 and line.endswith("two\\nlines\\tand a tab.txt")
    r = run_cli("list", folder)
    (line,) = r.stdout.splitlines()
    fields = line.split("\t")
    assert len(fields) == 6 and fields[1] == "two\\nlines\\tand a tab.txt"
    assert fields[5] == "A\\tB"


def test_empty_and_disguised_files_are_warned_about(vault: Vault, tmp_path: Path,
                                                   corpus: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "letter.pdf").write_bytes((corpus / "photos" / "jolla.jpg").read_bytes())
    (tmp_path / "fine.pdf").write_bytes((corpus / "pdf" / "minimal-document.pdf").read_bytes())
    results = {Path(r.source).name: r for r in run(vault, tmp_path / "empty.txt",
                                                   tmp_path / "letter.pdf",
                                                   tmp_path / "fine.pdf")}
    assert any("the file is empty" in w for w in results["empty.txt"].warnings)
    assert any("ends in .pdf, but its content is a JPEG picture" in w
               for w in results["letter.pdf"].warnings)
    assert not any("ends in" in w for w in results["fine.pdf"].warnings)
    assert {r.status for r in results.values()} == {IMPORTED}


def test_one_item_that_cannot_be_recorded_does_not_take_the_batch_down(
        vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the reference for the third file cannot be made."""
    files = write_files(tmp_path / "in", 5)
    real = importer.next_reference
    calls = {"n": 0}

    def flaky(v: Vault) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("injected fault")
        return real(v)

    monkeypatch.setattr(importer, "next_reference", flaky)
    results = run(vault, *files)
    assert [r.status for r in results].count(IMPORTED) == 4
    (bad,) = [r for r in results if r.status == FAILED]
    assert "could not be recorded (ValueError: injected fault)" in (bad.error or "")
    assert len(list_items(vault)) == 4
    for r in results:
        if r.status == IMPORTED:
            assert hashlib.sha256(stored(vault, r.ref or "")).hexdigest() == r.sha256
    from vault.store.check import run_check

    assert run_check(vault).ok


def test_mupdf_messages_become_warnings_and_stay_off_standard_output(
        tmp_path: Path, make_vault: object, corpus: Path) -> None:
    folder, src = closed_vault_and_folder(make_vault, tmp_path)
    good = (corpus / "pdf" / "minimal-document.pdf").read_bytes()
    cut = good.rindex(b"startxref")
    (src / "broken-xref.pdf").write_bytes(good[:cut] + b"startxref\n999999\n%%EOF\n")
    (src / "no-pages.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\n"
                                       b"trailer <</Root 1 0 R>>\n%%EOF\n")
    r = run_cli("import", folder, src)
    assert r.returncode == 0, r.stderr
    assert "MuPDF" not in r.stdout  # standard output is for results only
    assert all(line.count("\t") == 3 for line in r.stdout.splitlines()), r.stdout
    r = run_cli("show", folder, "MO/1")
    assert "MuPDF: " in r.stdout, r.stdout
    assert "had to be repaired" in r.stdout
    r = run_cli("show", folder, "MO/2")
    assert "the PDF could not be read: no page was found" in r.stdout, r.stdout
    assert "pages: 0" not in r.stdout.lower()
    r = run_cli("index", folder)
    assert "MuPDF" not in r.stdout


def big_png(path: Path, side: int = 30000) -> Path:
    """A valid PNG of side x side black pixels (1 bit), written in pieces (~120 KB)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    row = b"\0" * (1 + side // 8)
    z = zlib.compressobj(9)
    parts = [z.compress(row) for _ in range(side)]
    parts.append(z.flush())
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", b"".join(parts)))
        f.write(chunk(b"IEND", b""))
    return path


def test_an_intact_but_enormous_picture_is_never_called_damaged(
        vault: Vault, tmp_path: Path) -> None:
    from vault.documents.document import open_photo
    from vault.errors import VaultError
    from vault.search.index import given_up, pending_counts
    from vault.search.ocr import queue_ocr, run_ocr_jobs

    png = big_png(tmp_path / "plan.png")
    (r,) = run(vault, png)
    assert r.status == IMPORTED and r.ref is not None
    with pytest.raises(VaultError) as e:
        open_photo(vault, r.ref)
    message = str(e.value)
    assert "damaged" not in message
    assert "30,000 x 30,000 pixels: too large to show safely" in message, message
    item_id = int(vault.con.execute("SELECT id FROM items WHERE ref=?", (r.ref,)).fetchone()[0])
    queue_ocr(vault, [item_id])
    for _attempt in range(3):
        for _p in run_ocr_jobs(vault):
            pass
    assert pending_counts(vault)["ocr"] == 0  # no longer "waiting" for ever
    ((ref, kind, error),) = given_up(vault)
    assert (ref, kind) == (r.ref, "ocr") and "too large" in error


def test_an_office_documents_properties_and_embedded_pictures(vault: Vault,
                                                              tmp_path: Path) -> None:
    from test_search import XML, W, docx, hostile_docx

    core = (f'{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/"><dc:creator>J. Thistlewood</dc:creator>'
            '<cp:lastModifiedBy>Council Clerk</cp:lastModifiedBy>'
            '<dcterms:created>2014-03-10T09:00:00Z</dcterms:created>'
            '<dcterms:modified>2014-03-12T16:30:00Z</dcterms:modified>'
            '<dc:title>Minutes of 12 March 2014</dc:title></cp:coreProperties>')
    assert W
    docx(tmp_path / "minutes.docx", "<w:p><w:r><w:t>Item 4: referral</w:t></w:r></w:p>",
         extra=[("docProps/core.xml", core), ("word/media/image1.png", b"\x89PNG fake")])
    hostile = hostile_docx(tmp_path / "hostile.docx", "zip-bomb")
    results = {Path(r.source).name: r for r in run(vault, tmp_path / "minutes.docx", hostile)}
    item = get_item(vault, results["minutes.docx"].ref or "")
    assert item.metadata["document"] == {
        "author": "J. Thistlewood", "last modified by": "Council Clerk",
        "created": "2014-03-10T09:00:00Z", "modified": "2014-03-12T16:30:00Z",
        "title": "Minutes of 12 March 2014"}
    assert item.metadata["embedded"] == ["word/media/image1.png"]
    assert results["hostile.docx"].status == IMPORTED  # preserved; its details refused:
    assert any("details and its words could not be read" in w
               for w in results["hostile.docx"].warnings)


def test_a_link_above_what_was_named_is_not_the_evidences(vault: Vault, tmp_path: Path) -> None:
    """Links in the path leading to the folder the user named (a system's /tmp or /home)
    are not reported; only those inside it are."""
    write_files(tmp_path / "real", 1, prefix="doc")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    results = run(vault, tmp_path / "alias", tmp_path / "alias" / "doc-00000.txt")
    assert [r.status for r in results] == [IMPORTED, "received again"]
    for r in results:
        assert not any("link" in w for w in r.warnings), r.warnings
        assert "reached_through_link" not in provenance(vault, r.ref or "")[0]


def test_the_details_pane_says_when_text_could_not_be_read(dispose: Any, vault: Vault,
                                                          tmp_path: Path) -> None:
    from ui.detail import DetailPane
    from vault.search.index import given_up, text_problem
    from vault.search.ocr import queue_ocr, run_ocr_jobs

    (r,) = run(vault, big_png(tmp_path / "plan.png"))
    item_id = int(vault.con.execute("SELECT id FROM items WHERE ref=?", (r.ref,)).fetchone()[0])
    queue_ocr(vault, [item_id])
    for _attempt in range(3):
        for _p in run_ocr_jobs(vault):
            pass
    pane = DetailPane()
    dispose(pane)
    item = get_item(vault, r.ref or "")
    pane.show_item(item, [], [text_problem(k, e) for _r, k, e in given_up(vault)])
    assert "could not be read (OCR) after 3 attempts" in pane.values["Text"].text()
