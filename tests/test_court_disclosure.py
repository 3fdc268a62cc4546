"""Unused material (docs/court-bundle.md): the two schedules, numbering that continues and is
never reused, decisions and disclosure actions, the signed nil return, and, searched in every
output made for the defence, no trace of a sensitive entry."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from conftest import run_cli
from packages import export, import_files, new_vault
from test_court import CASE, SAMPLES, marked, ref_of, sample_case

from vault.court import disclosure, store
from vault.court.labels import CONTINUITY, COVERS, LABELS, write_court_document
from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST
from vault.court.schedules import DOCUMENTS, NOT_FOR_DEFENCE
from vault.custody import log as custody
from vault.evidence.items import get_item
from vault.store.vault import Vault

SECRET_WORDS = ("XYZZY handler log", "QUOKKA identifies a source")


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    yield from sample_case(tmp_path)


def text_of(path: Path) -> str:
    """Every word a reader could get out of the file."""
    if path.suffix == ".pdf":
        with pymupdf.open(path) as doc:
            flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES  # "ﬃ" as "ffi"
            return "\n".join(page.get_text(flags=flags) for page in doc)
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as zf:  # every part: body, tables, properties
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return path.read_text("utf-8-sig")


def test_schedules_number_decide_and_record_disclosure(vault: Vault, tmp_path: Path) -> None:
    marks = marked(vault)
    board = ref_of(vault, "photo-notice-board.jpg")
    takeaway = ref_of(vault, "photo-takeaway-exterior.jpg")
    n1 = disclosure.schedule_item(vault, CASE, board, "non-sensitive",
                                  "Photograph of the notice board, not relied on")
    s1 = disclosure.schedule_item(vault, CASE, takeaway, "sensitive", SECRET_WORDS[0],
                                  SECRET_WORDS[1])
    assert (n1.label, s1.label) == ("N1", "S1")
    with pytest.raises(store.CourtRefused, match="needs its reason"):
        disclosure.schedule_item(vault, CASE, board, "sensitive", "Another photograph")
    with pytest.raises(store.CourtRefused, match="is an exhibit"):
        disclosure.schedule_item(vault, CASE, marks["MO/1"], "non-sensitive",
                                 "The minutes again, as unused")
    with pytest.raises(store.CourtRefused, match="already entry N1"):
        disclosure.schedule_item(vault, CASE, board, "non-sensitive", "The same photograph")
    # sensitive material never goes where the defence sees it
    with pytest.raises(store.CourtRefused, match="on the sensitive schedule"):
        store.mark_exhibit(vault, CASE, takeaway, by="MO", description="The takeaway's front")
    st = store.add_statement(vault, CASE, "MO", "12/05/2026")
    with pytest.raises(store.CourtRefused, match="on the sensitive schedule"):
        store.add_statement_document(vault, CASE, st.name, takeaway, "shown")
    disclosure.decide(vault, CASE, "N1", "disclose")
    done = disclosure.record_disclosure(vault, CASE, "n1", "disclosed to the defence",
                                        "served with the first schedule")
    assert (done.by, done.entry) == ("Mary Okafor", "N1")
    assert disclosure.disclosures(vault, CASE, "N1") == [done]
    # numbers go on and are never given again
    disclosure.unschedule(vault, CASE, "N1", "became an exhibit")
    n2 = disclosure.schedule_item(vault, CASE, board, "non-sensitive",
                                  "Photograph of the notice board, not relied on")
    assert n2.label == "N2"
    first, second = tmp_path / "n-1.csv", tmp_path / "n-2.csv"
    write_court_document(vault, CASE, DOCUMENTS["non-sensitive"], first)
    write_court_document(vault, CASE, DOCUMENTS["non-sensitive"], second)
    [heading], header, *rows = list(csv.reader(io.StringIO(second.read_text("utf-8-sig"))))
    assert "Revision 2." in heading and header[0] == "No."
    item = get_item(vault, board)
    assert rows == [["2", "Photograph of the notice board, not relied on", board, item.sha256,
                     "undecided", ""]]
    events = [e.fields for e in vault.events(board)]
    assert [f["details"]["record"] for f in events if f["action"].startswith("court entry")
            ] == ["schedule entry", "schedule entry", "disclosure", "schedule entry",
                  "schedule entry"]
    assert all(f.get("item") != board for f in events
               if f["action"].startswith("court entry"))  # linked, never the event's item


def test_an_empty_sensitive_schedule_is_a_nil_return_to_sign(vault: Vault, tmp_path: Path
                                                             ) -> None:
    marked(vault)
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"nil.{fmt}"
        write_court_document(vault, CASE, DOCUMENTS["sensitive"], out)
        text = text_of(out)
        assert "NIL RETURN" in text and "Signed" in text and "disclosure officer" in text
        assert NOT_FOR_DEFENCE.upper() in text
    with pytest.raises(store.CourtRefused, match="nil return is signed"):
        write_court_document(vault, CASE, DOCUMENTS["sensitive"], tmp_path / "nil.csv")
    revisions = [e.fields["details"]["revision"] for e in vault.events()
                 if e.fields["action"] == custody.COURT_WRITTEN]
    assert revisions == [1, 2]


def test_no_sensitive_entry_reaches_anything_for_the_defence(vault: Vault, tmp_path: Path
                                                             ) -> None:
    marks = marked(vault)
    takeaway = ref_of(vault, "photo-takeaway-exterior.jpg")
    board = ref_of(vault, "photo-notice-board.jpg")
    secret = disclosure.schedule_item(vault, CASE, takeaway, "sensitive", SECRET_WORDS[0],
                                      SECRET_WORDS[1])
    disclosure.decide(vault, CASE, "S1", "withhold")
    disclosure.record_disclosure(vault, CASE, "S1", "withheld", "PII application made")
    disclosure.schedule_item(vault, CASE, board, "non-sensitive", "Photograph of the board")
    st = store.add_statement(vault, CASE, "MO", "12/05/2026")
    store.add_statement_document(vault, CASE, st.name, "MO/1", "produced")
    store.add_statement_document(vault, CASE, st.name, board, "referred to")
    # the sensitive schedule holds it (so the search below can find it)
    kept = tmp_path / "sensitive.pdf"
    write_court_document(vault, CASE, DOCUMENTS["sensitive"], kept)
    kept_text = " ".join(text_of(kept).split())
    assert SECRET_WORDS[0] in kept_text and SECRET_WORDS[1] in kept_text
    # everything made for the defence, in every format
    outputs = []
    for fmt in ("pdf", "docx", "csv"):
        outputs.append(tmp_path / f"non-sensitive.{fmt}")
        write_court_document(vault, CASE, DOCUMENTS["non-sensitive"], outputs[-1])
        for document in (EXHIBIT_LIST, REFERRED_LIST):
            outputs.append(tmp_path / f"{document}.{fmt}".replace(" ", "-"))
            write_court_document(vault, CASE, document, outputs[-1], statement=st.name)
        for mark in marks:
            outputs.append(tmp_path / f"continuity-{mark.replace('/', '_')}.{fmt}")
            write_court_document(vault, CASE, CONTINUITY, outputs[-1], [mark])
    for fmt in ("pdf", "docx"):
        outputs.append(tmp_path / f"labels.{fmt}")
        write_court_document(vault, CASE, LABELS, outputs[-1])
    outputs.append(tmp_path / "covers.pdf")
    write_court_document(vault, CASE, COVERS, outputs[-1])
    package = export(vault, tmp_path / "p.zip", refs=list(marks.values()))
    with zipfile.ZipFile(package.path) as zf:
        package_text = "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                                 if not n.endswith((".pdf", ".jpg")))
    needles = [*SECRET_WORDS, takeaway, secret.sha256, "PII application", "S1"]
    for out in outputs:
        flat = " ".join(text_of(out).split())
        for needle in needles[:-1]:
            assert needle not in flat, (out.name, needle)
    for needle in needles[:-1]:
        assert needle not in package_text, needle
    assert "XYZZY" not in package_text


def test_schedules_from_the_command_line(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    [photo] = import_files(v, [SAMPLES / "photo-takeaway-exterior.jpg"], case=CASE)
    folder = v.folder
    v.close()
    r = run_cli("court", "schedule", folder, CASE, photo.ref, "--sensitive", "--description",
                SECRET_WORDS[0])
    assert r.returncode != 0 and "needs its reason" in r.stderr
    for args in (("schedule", folder, CASE, photo.ref, "--sensitive", "--description",
                  SECRET_WORDS[0], "--reason", SECRET_WORDS[1]),
                 ("decide", folder, CASE, "S1", "withhold"),
                 ("disclosed", folder, CASE, "S1", "--action", "withheld"),
                 ("schedule-write", folder, CASE, tmp_path / "s.docx", "--sensitive"),
                 ("schedule-write", folder, CASE, tmp_path / "n.pdf")):
        done = run_cli("court", *args)
        assert done.returncode == 0, done.stderr
    assert SECRET_WORDS[1] in text_of(tmp_path / "s.docx")
    assert "XYZZY" not in text_of(tmp_path / "n.pdf")


def test_sensitive_material_stays_out_of_packages(vault: Vault, tmp_path: Path) -> None:
    from vault.errors import VaultError
    from vault.packages.export import preview

    marks = marked(vault)
    takeaway = ref_of(vault, "photo-takeaway-exterior.jpg")
    disclosure.schedule_item(vault, CASE, takeaway, "sensitive", SECRET_WORDS[0],
                             SECRET_WORDS[1])
    assert preview(vault, case=CASE).sensitive_left_out == [takeaway]
    whole = export(vault, tmp_path / "case.zip", case=CASE)
    assert takeaway not in whole.exhibits and marks["MO/1"] in whole.exhibits
    with pytest.raises(VaultError, match=r"S1 of case NB-2026.*--include-sensitive"):
        export(vault, tmp_path / "named.zip", refs=[takeaway])
    assert not (tmp_path / "named.zip").exists()
    chosen = export(vault, tmp_path / "chosen.zip", refs=[takeaway], include_sensitive=True)
    assert chosen.exhibits == [takeaway]
    vault.close()  # the command line opens it itself
    done = run_cli("export", vault.folder, "--out", tmp_path / "cli.zip", "--case", CASE)
    assert done.returncode == 0 and f"left out: {takeaway} (sensitive schedule)" in done.stderr
