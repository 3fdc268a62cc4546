"""The court bundle's first part (docs/court-bundle.md): exhibit marks per producing witness,
labels and cover sheets, page-stamped copies and continuity records, each checked against
the vault (every mark, hash and page) on the sample case."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from conftest import PASSPHRASE, ROOT, run_cli
from docx import Document
from packages import export, import_files, new_vault

from vault.court import store
from vault.court.labels import CONTINUITY, COVERS, LABELS, write_court_document
from vault.court.model import file_safe, parse_mark
from vault.court.stamping import stamped_copy
from vault.custody import log as custody
from vault.documents.annotations import read_content
from vault.errors import NotFound, VaultError
from vault.evidence.items import get_item, list_items
from vault.evidence.purge import purge
from vault.packages.verify import verify_package
from vault.store.vault import Vault

CASE = "NB-2026"
SAMPLES = ROOT / "resources" / "samples"
DESCRIPTIONS = {
    "council-minutes-2014-03-12.pdf": "Minutes of the Children's Services Committee of "
                                      "12/03/2014, 2 pages",
    "police-letter-2015-06-01.pdf": "Letter from Northbridge Police to the council dated "
                                    "01/06/2015",
    "photo-bus-shelter.jpg": "Photograph of the bus shelter in Wharf Road",
}


def sample_case(tmp_path: Path) -> Iterator[Vault]:
    """A vault holding the sample evidence (resources/samples) in the case NB-2026."""
    v = new_vault(tmp_path / "v")
    import_files(v, sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg")),
                 case=CASE)
    yield v
    v.close()


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    yield from sample_case(tmp_path)


def ref_of(v: Vault, name: str) -> str:
    return next(i.ref for i in list_items(v) if i.name == name)


def marked(v: Vault) -> dict[str, str]:
    """The sample case with two witnesses: MO/1, MO/2, MO/2/1 and AD/1."""
    store.add_witness(v, CASE, "Mary Okafor", "MO", "investigator")
    store.add_witness(v, CASE, "Alex Doe", "ad", "survivor")
    out = {}
    for name in ("council-minutes-2014-03-12.pdf", "police-letter-2015-06-01.pdf"):
        out[store.mark_exhibit(v, CASE, ref_of(v, name), by="MO",
                               description=DESCRIPTIONS[name]).mark] = ref_of(v, name)
    sub = store.mark_exhibit(v, CASE, ref_of(v, "foi-reply-2023-09-18.pdf"), by="MO",
                             description="The FOI reply that came with the letter",
                             under="MO/2")
    out[sub.mark] = sub.item
    photo = store.mark_exhibit(v, CASE, ref_of(v, "photo-bus-shelter.jpg"), by="AD",
                               description=DESCRIPTIONS["photo-bus-shelter.jpg"])
    out[photo.mark] = photo.item
    return out


def test_marks_are_consecutive_per_witness_with_sub_exhibits(vault: Vault) -> None:
    marks = marked(vault)
    assert list(marks) == ["MO/1", "MO/2", "MO/2/1", "AD/1"]
    listed = store.exhibits(vault, CASE)
    assert [e.mark for e in listed] == ["AD/1", "MO/1", "MO/2", "MO/2/1"]
    for e in listed:
        item = get_item(vault, e.item)
        assert e.item == marks[e.mark] and e.sha256 == item.sha256 and e.name == item.name
    assert store.exhibit(vault, CASE, "MO_2_1").parent == "MO/2"
    assert file_safe("MO/2/1") == "MO_2_1" and parse_mark("mo/12") == ("MO", 12, None)


def test_the_rules_of_marks(vault: Vault) -> None:
    marks = marked(vault)
    minutes = marks["MO/1"]
    with pytest.raises(store.CourtRefused, match="already exhibit MO/1"):
        store.mark_exhibit(vault, CASE, minutes, by="AD", description="The same minutes again")
    with pytest.raises(store.CourtRefused, match="well enough to identify"):
        store.mark_exhibit(vault, CASE, ref_of(vault, "photo-notice-board.jpg"), by="MO",
                           description="photo")
    with pytest.raises(store.CourtRefused, match="itself a sub-exhibit"):
        store.mark_exhibit(vault, CASE, ref_of(vault, "photo-notice-board.jpg"), by="MO",
                           description="A photograph of the notice board", under="MO/2/1")
    with pytest.raises(store.CourtRefused, match="produced by its parent's witness"):
        store.mark_exhibit(vault, CASE, ref_of(vault, "photo-notice-board.jpg"), by="AD",
                           description="A photograph of the notice board", under="MO/1")
    elsewhere = vault.folder.parent / "elsewhere.txt"
    elsewhere.write_text("A note of another case.\n")
    [other] = import_files(vault, [elsewhere], case="OTHER-1")
    with pytest.raises(store.CourtRefused, match="belongs to case OTHER-1, not NB-2026"):
        store.mark_exhibit(vault, CASE, str(other.ref), by="MO",
                           description="A note of another case entirely")
    with pytest.raises(NotFound, match="no witness with the initials ZZ"):
        store.mark_exhibit(vault, CASE, ref_of(vault, "photo-notice-board.jpg"), by="ZZ",
                           description="A photograph of the notice board")
    with pytest.raises(store.CourtRefused, match="already has a witness with the initials MO"):
        store.add_witness(vault, CASE, "Someone Else", "MO")
    with pytest.raises(store.CourtRefused, match="two to four capital letters"):
        store.add_witness(vault, CASE, "Someone Else", "M")
    # a withdrawn number is never given again; its sub-exhibits go first
    with pytest.raises(store.CourtRefused, match="sub-exhibits first: MO/2/1"):
        store.withdraw_exhibit(vault, CASE, "MO/2", "marked by mistake")
    store.withdraw_exhibit(vault, CASE, "MO/2/1", "not relied on")
    store.withdraw_exhibit(vault, CASE, "MO/2", "marked by mistake")
    again = store.mark_exhibit(vault, CASE, ref_of(vault, "photo-notice-board.jpg"), by="MO",
                               description="A photograph of the notice board")
    assert again.mark == "MO/3"
    assert [e.mark for e in store.exhibits(vault, CASE)] == ["AD/1", "MO/1", "MO/3"]
    assert [e.mark for e in store.exhibits(vault, CASE, withdrawn=True)] == [
        "AD/1", "MO/1", "MO/2", "MO/2/1", "MO/3"]
    with pytest.raises(store.CourtRefused, match="withdrawn: MO/2"):
        write_court_document(vault, CASE, LABELS, vault.folder.parent / "l.pdf", ["MO/2"])
    # a purged item cannot be produced
    notice = ref_of(vault, "photo-takeaway-exterior.jpg")
    purge(vault, notice, "held in error")
    with pytest.raises(store.CourtRefused, match="was purged"):
        store.mark_exhibit(vault, CASE, notice, by="MO", description="The takeaway's front")


def test_every_change_is_a_custody_event_on_the_item(vault: Vault) -> None:
    marks = marked(vault)
    store.describe_exhibit(vault, CASE, "MO/1", "Minutes of the committee of 12/03/2014")
    store.withdraw_exhibit(vault, CASE, "AD/1", "the witness will not give evidence")
    item_events = [e.fields for e in vault.events(marks["MO/1"])]
    court = [f for f in item_events if f["action"].startswith("court entry")]
    assert [f["action"] for f in court] == [custody.COURT_ADDED, custody.COURT_CHANGED]
    assert court[0]["details"]["after"] == {
        "mark": "MO/1", "witness": "MO", "parent": None, "item": marks["MO/1"],
        "sha256": get_item(vault, marks["MO/1"]).sha256,
        "description": DESCRIPTIONS["council-minutes-2014-03-12.pdf"]}
    assert court[1]["details"]["after"]["description"] == "Minutes of the committee of " \
                                                          "12/03/2014"
    removed = [e.fields for e in vault.events(marks["AD/1"])][-1]
    assert removed["action"] == custody.COURT_REMOVED
    assert removed["details"]["before"]["reason"] == "the witness will not give evidence"
    witnesses = [e.fields["details"]["after"] for e in vault.events()
                 if e.fields["action"] == custody.COURT_ADDED and
                 e.fields["details"]["record"] == "witness"]
    assert witnesses == [{"initials": "MO", "name": "Mary Okafor", "role": "investigator"},
                         {"initials": "AD", "name": "Alex Doe", "role": "survivor"}]
    assert not list(custody.verify_chain(list(vault.events()), vault.public_key,
                                         vault.vault_id))


def _pdf_text(path: Path) -> str:
    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text() for page in doc)


def test_labels_and_cover_sheets_name_every_mark_and_hash(vault: Vault, tmp_path: Path
                                                          ) -> None:
    marked(vault)
    shown = store.exhibits(vault, CASE)
    pdf, docx, covers = tmp_path / "labels.pdf", tmp_path / "labels.docx", tmp_path / "c.pdf"
    sha = write_court_document(vault, CASE, LABELS, pdf)
    write_court_document(vault, CASE, LABELS, docx)
    write_court_document(vault, CASE, COVERS, covers)
    covers_docx = tmp_path / "c.docx"
    write_court_document(vault, CASE, COVERS, covers_docx)
    cover_words = " ".join(p.text for p in Document(str(covers_docx)).paragraphs)
    assert sha == hashlib.sha256(pdf.read_bytes()).hexdigest()
    text = " ".join(_pdf_text(pdf).split())
    with pymupdf.open(pdf) as doc:
        assert doc.page_count == 2  # two labels to a page
    words = " ".join(p.text for t in Document(str(docx)).tables for row in t.rows
                     for c in row.cells for p in c.paragraphs)
    cover_text = " ".join(_pdf_text(covers).split())
    with pymupdf.open(covers) as doc:
        assert doc.page_count == len(shown)
    for e in shown:
        for source in (text, words):
            assert f"EXHIBIT {e.mark}" in source
            assert f'referred to in the statement of {e.witness.name}' in source
            assert e.sha256 in source.replace(" ", "") and e.description in source
            assert vault.vault_id in source
        assert e.sha256 in cover_text.replace(" ", "") and e.description in cover_text
        assert e.mark in cover_words and e.sha256 in cover_words and vault.vault_id in \
            cover_words
    assert "Pages: 2" in cover_text  # the minutes: the vault's own page count
    written = [e.fields["details"] for e in vault.events()
               if e.fields["action"] == custody.COURT_WRITTEN]
    assert [(w["document"], w["format"], w["file"]) for w in written] == [
        (LABELS, "pdf", "labels.pdf"), (LABELS, "docx", "labels.docx"),
        (COVERS, "pdf", "c.pdf"), (COVERS, "docx", "c.docx")]
    assert written[0]["marks"] == [e.mark for e in shown] and written[0]["sha256"] == sha
    # the same labels twice give the same bytes
    again = tmp_path / "again.pdf"
    write_court_document(vault, CASE, LABELS, again)
    assert again.read_bytes() == pdf.read_bytes()


def test_a_page_stamped_copy_leaves_the_original_alone(vault: Vault) -> None:
    marks = marked(vault)
    original = get_item(vault, marks["MO/1"])
    before = read_content(vault, original)
    _, result = stamped_copy(vault, CASE, "MO/1")
    assert result.ref and result.status == "imported"
    copy = get_item(vault, result.ref)
    assert read_content(vault, get_item(vault, original.ref)) == before
    assert get_item(vault, original.ref).sha256 == hashlib.sha256(before).hexdigest()
    with pymupdf.open(stream=read_content(vault, copy), filetype="pdf") as doc:
        stamps = [page.get_text() for page in doc]
    assert len(stamps) == 2
    for n, text in enumerate(stamps, 1):
        assert f"MO/1-{n}" in text
    derived = next(f for f in (ev.fields for ev in vault.events(copy.ref))
                   if f["action"] == custody.DERIVED)["details"]
    assert derived["operation"] == "page-stamped copy"
    assert derived["derived_from"] == original.ref and derived["original_sha256"] == \
        original.sha256
    assert derived["settings"] == {"mark": "MO/1", "pages": 2, "position": "foot right"}
    assert copy.name == "council-minutes-2014-03-12 (MO_1 stamped).pdf"
    with pytest.raises(store.CourtRefused, match="not a PDF"):
        stamped_copy(vault, CASE, "AD/1")


def test_a_continuity_record_follows_the_item_and_its_packages(vault: Vault, tmp_path: Path
                                                               ) -> None:
    marks = marked(vault)
    package = export(vault, tmp_path / "p.zip", refs=[marks["MO/1"]], recipient="Harbour Law")
    out = tmp_path / "continuity.csv"
    write_court_document(vault, CASE, CONTINUITY, out, ["MO/1"])
    [heading], *rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert heading.startswith("Continuity record: exhibit MO/1. ")
    assert get_item(vault, marks["MO/1"]).sha256 in heading
    assert f"Evidence Vault {vault.vault_id}" in heading
    assert rows[0] == ["When (UTC)", "What was done", "By", "Computer",
                       "Received from / handed to"]
    what = [r[1] for r in rows[1:]]
    assert what[0].startswith("Received and stored")
    assert "Marked as exhibit MO/1" in what
    handed = next(r for r in rows[1:] if r[1].startswith("Copied into an evidence package"))
    assert "Harbour Law" in handed[4] and package.package_id in handed[4]
    # every row is an event of this item: as many as the item's own events and the export
    own = sum(1 for _ in vault.events(marks["MO/1"]))
    assert len(rows) - 1 == own
    for fmt in ("pdf", "docx"):
        write_court_document(vault, CASE, CONTINUITY, tmp_path / f"c.{fmt}", ["MO/1"])
    assert "Marked as exhibit MO/1" in " ".join(_pdf_text(tmp_path / "c.pdf").split())
    with pytest.raises(store.CourtRefused, match="one exhibit"):
        write_court_document(vault, CASE, CONTINUITY, tmp_path / "x.pdf", ["MO/1", "AD/1"])


def test_a_continuity_record_is_refused_from_a_broken_log(vault: Vault, tmp_path: Path
                                                          ) -> None:
    marked(vault)
    with vault.transaction():  # an attacker with the key, editing the log behind its back
        vault.con.execute("DROP TRIGGER custody_no_update")
        body = bytes(vault.con.execute("SELECT body FROM custody WHERE seq=3").fetchone()[0])
        vault.con.execute("UPDATE custody SET body=? WHERE seq=3",
                          (body.replace(b'"action":"', b'"action":"x'),))
    with pytest.raises(VaultError, match="does not verify"):
        write_court_document(vault, CASE, CONTINUITY, tmp_path / "c.pdf", ["MO/1"])
    assert not (tmp_path / "c.pdf").exists()


def test_exhibit_events_travel_in_a_package_and_it_verifies(vault: Vault, tmp_path: Path
                                                            ) -> None:
    marks = marked(vault)
    write_court_document(vault, CASE, LABELS, tmp_path / "labels.pdf")
    result = export(vault, tmp_path / "p.zip", refs=[marks["MO/1"]])
    checked = verify_package(result.path)
    assert checked.intact, checked.reason
    import zipfile

    with zipfile.ZipFile(result.path) as zf:
        excerpt = next(zf.read(n) for n in zf.namelist() if n.endswith("custody-log.jsonl"))
    events = [json.loads(line).get("event", {}) for line in excerpt.splitlines()]
    actions = [e.get("action") for e in events]
    assert custody.COURT_ADDED in actions  # the mark is part of the exhibit's history
    assert custody.COURT_WRITTEN not in actions  # what was printed stays at home
    assert not any(e.get("details", {}).get("record") == "witness" for e in events)


def test_the_command_line(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "v")
    [minutes] = import_files(v, [SAMPLES / "council-minutes-2014-03-12.pdf"], case=CASE)
    folder = v.folder
    v.close()
    ok = run_cli("court", "witness", folder, CASE, "--name", "Mary Okafor", "--initials", "MO",
                 "--role", "investigator", passphrase=PASSPHRASE)
    assert ok.returncode == 0, ok.stderr
    done = run_cli("court", "mark", folder, CASE, minutes.ref, "--by", "MO", "--description",
                   DESCRIPTIONS["council-minutes-2014-03-12.pdf"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"MO/1  {minutes.ref}  ")
    listed = run_cli("court", "exhibits", folder, CASE, "--json")
    assert json.loads(listed.stdout)[0]["mark"] == "MO/1"
    for args in (("labels", folder, CASE, tmp_path / "l.pdf"),
                 ("covers", folder, CASE, tmp_path / "c.pdf"),
                 ("continuity", folder, CASE, "MO/1", tmp_path / "k.docx")):
        r = run_cli("court", *args)
        assert r.returncode == 0, r.stderr
    for args in (("statement", folder, CASE, "--by", "MO", "--dated", "12/05/2026"),
                 ("produces", folder, CASE, "MO:1", "MO/1"),
                 ("statement-lists", folder, CASE, "MO:1", tmp_path / "s.csv")):
        r = run_cli("court", *args)
        assert r.returncode == 0, r.stderr
    assert "MO/1" in (tmp_path / "s.csv").read_text("utf-8-sig")
    stamped = run_cli("court", "stamp", folder, CASE, "MO/1")
    assert stamped.returncode == 0 and "page-stamped copy of MO/1" in stamped.stdout
    refused = run_cli("court", "mark", folder, CASE, minutes.ref, "--by", "MO",
                      "--description", "again, a second time")
    assert refused.returncode != 0 and "already exhibit MO/1" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_schema_10_fixture_keeps_its_marks(tmp_path: Path) -> None:
    """tests/fixtures/vault-v5-schema10.evault, made once with the first court records:
    every later version shows the same marks, items and descriptions."""
    from conftest import committed_fixture

    folder, fields = committed_fixture(tmp_path, "vault-v5-schema10.evault")
    case = "NB-2026-01"
    with Vault.open(folder, passphrase=fields["passphrase"]) as v:
        assert v.vault_id == fields["vault id"]
        assert sum(1 for _ in v.events()) == int(fields["custody events"])
        assert [(w.initials, w.name, w.role) for w in store.witnesses(v, case)] == [
            ("AD", "Alex Doe", "survivor"), ("MO", "Mary Okafor", "investigator")]
        assert [(e.mark, e.item, e.parent, e.description) for e in store.exhibits(v, case)] == [
            ("AD/1", "MO/2", None, "Letter from the landlord to the tenant, 3 May 2026, 1 page"),
            ("MO/1", "MO/1", None, "Note of a call from a tenant, 2 May 2026"),
            ("MO/1/1", "MO/3", "MO/1", "Photograph sent with the call note")]
        assert [(d.how, d.mark, d.note) for d in store.statement_documents(v, case, "MO:1")] \
            == [("produced", "MO/1", ""), ("produced", "MO/1/1", ""),
                ("referred to", "AD/1", "the landlord's reply")]
        from vault.court import disclosure

        [secret] = disclosure.entries(v, case, "sensitive")
        assert (secret.label, secret.item, secret.reason, secret.decision) == (
            "S1", "MO/4", "it would identify a source", "withhold")
        assert [(d.action, d.note) for d in disclosure.disclosures(v, case, "S1")] == [
            ("withheld", "PII")]
        assert store.statement(v, case, "MO:1").shown() == \
            "the statement of Mary Okafor dated 12/05/2026"
        for e in store.exhibits(v, case):
            assert e.sha256 == get_item(v, e.item).sha256


def test_a_vault_of_schema_9_takes_marks_after_opening(tmp_path: Path) -> None:
    """The schema 9 fixture gains the court tables when opened, and its items can be
    marked."""
    from conftest import committed_fixture

    from vault.store.db import SCHEMA_VERSION, schema_version

    folder, fields = committed_fixture(tmp_path, "vault-v4-schema9.evault")
    with Vault.open(folder, passphrase=fields["passphrase"]) as v:
        assert schema_version(v.con) == SCHEMA_VERSION == 10
        store.add_witness(v, "NB-2026-01", "Mary Okafor", "MO", "investigator")
        e = store.mark_exhibit(v, "NB-2026-01", "MO/1", by="MO",
                               description="Note of a call from a tenant, 2 May 2026")
        assert e.mark == "MO/1"


def test_a_statement_produces_its_exhibits_and_lists_what_it_refers_to(
        vault: Vault, tmp_path: Path) -> None:
    marks = marked(vault)
    st = store.add_statement(vault, CASE, "MO", "12/05/2026", "First statement")
    assert (st.name, st.dated, st.shown()) == (
        "MO:1", "2026-05-12", "the statement of Mary Okafor dated 12/05/2026")
    assert store.add_statement(vault, CASE, "MO", "2026-06-01").name == "MO:2"
    store.add_statement_document(vault, CASE, "MO:1", "MO/2", "produced")
    store.add_statement_document(vault, CASE, "MO:1", "MO/1", "produced")
    store.add_statement_document(vault, CASE, "MO:1", "AD/1", "referred to")
    notice = ref_of(vault, "photo-notice-board.jpg")  # not an exhibit: referred to by its ref
    store.add_statement_document(vault, CASE, "MO:1", notice, "shown", "shown at interview")
    with pytest.raises(store.CourtRefused, match="produced by AD, not by MO"):
        store.add_statement_document(vault, CASE, "MO:1", "AD/1", "produced")
    with pytest.raises(store.CourtRefused, match="already produced in statement MO:1"):
        store.add_statement_document(vault, CASE, "MO:2", "MO/1", "produced")
    with pytest.raises(store.CourtRefused, match="not an exhibit: mark it first"):
        store.add_statement_document(vault, CASE, "MO:1", notice, "produced")
    with pytest.raises(store.CourtRefused, match="is not a date"):
        store.add_statement(vault, CASE, "MO", "next Tuesday")
    docs = store.statement_documents(vault, CASE, "MO:1")
    assert [(d.how, d.mark, d.item) for d in docs] == [
        ("produced", "MO/1", marks["MO/1"]), ("produced", "MO/2", marks["MO/2"]),
        ("referred to", "AD/1", marks["AD/1"]), ("shown", None, notice)]

    listed, referred = tmp_path / "list.csv", tmp_path / "referred.csv"
    from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST

    write_court_document(vault, CASE, EXHIBIT_LIST, listed, statement="MO:1")
    write_court_document(vault, CASE, REFERRED_LIST, referred, statement="MO:1")
    [title], _header, *rows = list(csv.reader(io.StringIO(listed.read_text("utf-8-sig"))))
    assert title.startswith("Exhibits produced in the statement of Mary Okafor dated "
                            "12/05/2026")
    assert f"Evidence Vault {vault.vault_id}" in title
    assert rows == [[e.mark, e.description, e.item, e.sha256]
                    for e in (store.exhibit(vault, CASE, m) for m in ("MO/1", "MO/2"))]
    [_t], _h, *others = list(csv.reader(io.StringIO(referred.read_text("utf-8-sig"))))
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in others] == [
        ("referred to", "AD/1", marks["AD/1"], get_item(vault, marks["AD/1"]).sha256, ""),
        ("shown", "(not an exhibit)", notice, get_item(vault, notice).sha256,
         "shown at interview")]
    for fmt in ("pdf", "docx"):
        write_court_document(vault, CASE, EXHIBIT_LIST, tmp_path / f"l.{fmt}", statement="MO:1")
    # the labels now carry the producing statement's date; AD/1 is produced by none yet
    pdf = tmp_path / "labels.pdf"
    write_court_document(vault, CASE, LABELS, pdf)
    text = " ".join(_pdf_text(pdf).split())
    assert 'marked "MO/1" referred to in the statement of Mary Okafor dated 12/05/2026' in text
    assert 'marked "AD/1" referred to in the statement of Alex Doe dated ....' in text
    written = [e.fields["details"] for e in vault.events()
               if e.fields["action"] == custody.COURT_WRITTEN]
    assert written[0]["statement"] == "MO:1" and written[0]["marks"] == ["MO/1", "MO/2"]
    assert written[1]["marks"] == ["AD/1"]
    store.remove_statement_document(vault, CASE, "MO:1", "AD/1", "referred to",
                                    "not in the final statement")
    assert [d.mark for d in store.statement_documents(vault, CASE, "MO:1")] == [
        "MO/1", "MO/2", None]



def test_a_docx_is_the_same_whatever_the_clock_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-docx stamps every part of the zip with the time of saving: the same document
    (a chronology table, a schedule) saved seconds apart, as two exports under load may be,
    must still give the same bytes."""
    import datetime as dt
    import time

    from vault.chronology.documents import docx_bytes
    from vault.chronology.reports import Table

    table = Table(title="Schedule", header=["No.", "Description"], rows=[["1", "A letter"]])
    made = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
    outs = []
    for now in (1_000_000_000.0, 1_700_000_123.0):
        monkeypatch.setattr(time, "time", lambda now=now: now)
        outs.append(docx_bytes(table, made, "Mary Okafor"))
    monkeypatch.undo()
    assert outs[0] == outs[1]
    with zipfile.ZipFile(io.BytesIO(outs[0])) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 12, 4, 9, 30, 0)}
