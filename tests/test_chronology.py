"""The chronology in a real vault (docs/chronology.md): the cast and pseudonyms, facts and
their numbers, citations checked against the text layer and OCR text, knowledge events and
responses, the custody event of every change, the tables, a real name never in a shared
output (CSV, DOCX and PDF searched), and the command line."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pymupdf
import pytest
from conftest import import_refs, run_cli, without_slot_warnings
from test_ocr import run_all, scanned_pdf

from vault.chronology import reports
from vault.chronology.citations import QuoteNotFound
from vault.chronology.dates import parse_date
from vault.chronology.documents import write_table
from vault.chronology.reports import WouldName
from vault.chronology.store import (
    ChronologyRefused,
    add_entity,
    add_fact,
    add_gap,
    add_issue,
    add_knowledge,
    add_position,
    change_entity,
    change_fact,
    cite,
    entities,
    facts,
    gaps,
    history,
    issues,
    knowledge,
    remove_fact,
    set_response,
    support,
)
from vault.custody import log as custody
from vault.custody.excerpt import make_excerpt
from vault.errors import NotFound
from vault.store.check import run_check
from vault.store.vault import Vault

CASE = "Northshire"
SURVIVOR = "Jane Smith"
ALIAS = "Janey"


def letter_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with a real text layer, one paragraph per page (lines broken as a letter)."""
    with pymupdf.open() as doc:
        for text in pages:
            page = doc.new_page(width=595, height=842)
            page.insert_textbox(pymupdf.Rect(60, 80, 400, 700), text, fontsize=11)
        doc.save(path)
    return path


@pytest.fixture
def letter(vault: Vault, tmp_path: Path) -> str:
    path = letter_pdf(tmp_path / "letter.pdf", [
        "Dear Sir, I write about the referral made on 3 March 2009 concerning a child "
        "in the care of the council.",
        "The Detective Sergeant confirmed receipt of the referral and said no further action "
        "would be taken at this time."])
    return import_refs(vault, path)["letter.pdf"]


def cast(v: Vault) -> None:
    add_entity(v, CASE, "jones", "DS Alan Jones", role="officer under scrutiny",
               public_office=True)
    add_entity(v, CASE, "ca", SURVIVOR, role="survivor", aliases=[ALIAS])
    add_entity(v, CASE, "police", "Northshire Police", kind="organisation", role="agency")
    add_entity(v, CASE, "council", "Northshire Council", kind="organisation", role="agency")


def chron_events(v: Vault) -> list[dict[str, object]]:
    actions = {custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_CHANGED,
               custody.CHRONOLOGY_REMOVED, custody.CHRONOLOGY_WRITTEN}
    return [e.fields for e in v.events() if e.fields["action"] in actions]


# ------------------------------------------------------------------------------ the cast
def test_a_survivor_gets_a_pseudonym_and_keeps_one(vault: Vault) -> None:
    cast(vault)
    people = {e.short: e for e in entities(vault, CASE)}
    assert people["ca"].pseudonym == "Child A" and people["jones"].pseudonym == ""
    second = add_entity(vault, CASE, "cb", "Amy Brown", role="survivor")
    assert second.pseudonym == "Child B"
    with pytest.raises(ChronologyRefused, match="keeps a pseudonym"):
        change_entity(vault, CASE, "ca", pseudonym="")
    assert change_entity(vault, CASE, "ca", pseudonym="Child X").pseudonym == "Child X"
    with pytest.raises(ChronologyRefused, match="already in the cast"):
        add_entity(vault, CASE, "ca", "Someone")
    with pytest.raises(ChronologyRefused, match="short name"):
        add_entity(vault, CASE, "9x", "Someone")
    with pytest.raises(ChronologyRefused, match="role in the case"):
        add_entity(vault, CASE, "x", "Someone", role="villain")


def test_posts_are_held_by_people_in_organisations(vault: Vault) -> None:
    cast(vault)
    p = add_position(vault, CASE, "jones", "Detective Sergeant", "police",
                     parse_date("2005"), parse_date("on or after 2012"))
    assert (p.person, p.organisation) == ("jones", "police")
    with pytest.raises(ChronologyRefused, match="held by a person in an organisation"):
        add_position(vault, CASE, "police", "Chief", "jones", parse_date("2005"),
                     parse_date("2006"))
    with pytest.raises(NotFound, match="@nobody"):
        add_position(vault, CASE, "nobody", "Chief", "police", parse_date("2005"),
                     parse_date("2006"))


# ------------------------------------------------------------------------------ facts
def test_facts_are_numbered_once_ordered_by_date_and_every_change_is_kept(vault: Vault
                                                                          ) -> None:
    cast(vault)
    late = add_fact(vault, CASE, "Strategy meeting held", parse_date("2011"))
    early = add_fact(vault, CASE, "@jones received a referral about @ca",
                     parse_date("c. 03/2009"), people=[("jones", "recipient")], key=True)
    undated = add_fact(vault, CASE, "A file note, undated", parse_date("undated"))
    assert [late.number, early.number, undated.number] == [1, 2, 3]
    assert [f.number for f in facts(vault, CASE)] == [2, 1, 3]
    assert dict(early.people) == {"jones": "recipient"}
    assert dict(facts(vault, CASE)[0].people) == {"jones": "recipient", "ca": "mentioned"}

    changed = change_fact(vault, CASE, 1, text="Strategy meeting held by @council",
                          date=parse_date("between 06/2011 and 09/2011"))
    assert changed.date.show() == "between 06/2011 and 09/2011"
    remove_fact(vault, CASE, 3, "a duplicate of fact 2")
    assert [f.number for f in facts(vault, CASE)] == [2, 1]
    assert add_fact(vault, CASE, "Another", parse_date("2012")).number == 4  # 3 not reused

    events = history(vault, CASE, "fact", 1)
    assert [e.fields["action"] for e in events] == [custody.CHRONOLOGY_ADDED,
                                                    custody.CHRONOLOGY_CHANGED]
    before, after = events[1].fields["details"]["before"], events[1].fields["details"]["after"]
    assert before["text"] == "Strategy meeting held" and before["date"] == {
        "kind": "on", "date": "2011"}
    assert after["text"] == "Strategy meeting held by @council"
    gone = history(vault, CASE, "fact", 3)[-1].fields
    assert gone["action"] == custody.CHRONOLOGY_REMOVED
    assert gone["details"]["before"]["reason"] == "a duplicate of fact 2"
    assert run_check(vault).ok  # the custody chain with all of it still verifies


def test_a_fact_refuses_what_the_model_does_not_allow(vault: Vault) -> None:
    cast(vault)
    with pytest.raises(ChronologyRefused, match="not a status"):
        add_fact(vault, CASE, "x", parse_date("2010"), status="probably")
    with pytest.raises(ChronologyRefused, match="versions go with a disputed fact"):
        add_fact(vault, CASE, "x", parse_date("2010"), versions=["a", "b"])
    with pytest.raises(NotFound, match="@nobody"):
        add_fact(vault, CASE, "@nobody did it", parse_date("2010"))
    with pytest.raises(ChronologyRefused, match="part in a fact"):
        add_fact(vault, CASE, "x", parse_date("2010"), people=[("jones", "villain")])
    assert facts(vault, CASE) == []  # nothing half-saved


# ------------------------------------------------------------------------------ citations
def test_a_citation_is_checked_against_the_text_layer(vault: Vault, letter: str) -> None:
    cast(vault)
    add_fact(vault, CASE, "@jones confirmed receipt of the referral", parse_date("2009"))
    c = cite(vault, CASE, "fact", 1, letter, 2,
             "confirmed   receipt of the\nREFERRAL and said no further action")
    assert (c.found_in, c.page, c.ref) == ("text layer", 2, letter)
    sha = vault.con.execute("SELECT sha256 FROM items WHERE ref=?", (letter,)).fetchone()[0]
    assert c.sha256 == sha
    assert facts(vault, CASE)[0].citations == (c,)
    with pytest.raises(QuoteNotFound, match=r"not on page 1 of .*they are on page 2"):
        cite(vault, CASE, "fact", 1, letter, 1, "no further action")
    with pytest.raises(QuoteNotFound, match="not on page 2"):
        cite(vault, CASE, "fact", 1, letter, 2, "further action was taken at once")
    with pytest.raises(NotFound, match="no fact 9"):
        cite(vault, CASE, "fact", 9, letter, 2, "no further action")
    # The cited exhibit's own history shows the citation.
    assert any(e.fields["action"] == custody.CHRONOLOGY_ADDED for e in vault.events(letter))


def test_a_citation_is_checked_against_ocr_text(vault: Vault, tmp_path: Path) -> None:
    scan = scanned_pdf(tmp_path / "minutes.pdf", [["Strategy meeting minutes"],
                                                  ["Referral noted by the chairman"]])
    ref = import_refs(vault, scan)["minutes.pdf"]
    cast(vault)
    add_fact(vault, CASE, "The referral was noted", parse_date("2011"))
    with pytest.raises(QuoteNotFound, match="no text to check"):
        cite(vault, CASE, "fact", 1, ref, 2, "Referral noted")
    run_all(vault)
    c = cite(vault, CASE, "fact", 1, ref, 2, "referral noted by the chairman")
    assert c.found_in == "OCR text"
    area = cite(vault, CASE, "fact", 1, ref, 1, "", region=(10, 10, 200, 80))
    assert area.found_in == "" and area.region == (10, 10, 200, 80)


# ------------------------------------------------------------------------------ knowledge
def test_knowledge_matrix_and_knowledge_to_action(vault: Vault, letter: str) -> None:
    cast(vault)
    referral = add_fact(vault, CASE, "@council referred the allegation to @police",
                        parse_date("03/03/2009"))
    decision = add_fact(vault, CASE, "@jones decided on no further action",
                        parse_date("between 06/2011 and 09/2011"))
    matter = "allegation concerning @ca, 2009"
    k1 = add_knowledge(vault, CASE, "jones", matter, parse_date("before 01/04/2009"),
                       how="referral", awareness="received")
    add_knowledge(vault, CASE, "jones", matter, parse_date("c. 01/2009"), how="meeting",
                  awareness="ought to have known")
    k3 = add_knowledge(vault, CASE, "council", matter, parse_date("03/03/2009"),
                       how="report", awareness="told")
    cite(vault, CASE, "knowledge", k1.id, letter, 1, "referral made on 3 March 2009")
    set_response(vault, CASE, k1.id, decision.number)
    assert [k.response for k in knowledge(vault, CASE)] == [None, None, decision.number]

    matrix = reports.knowledge_matrix(vault, CASE)
    assert matrix.header == ["Who", "allegation concerning Child A, 2009"]
    cells = {row[0]: row[1] for row in matrix.rows}
    assert cells["DS Alan Jones"] == ("knew by 31/03/2009; ought to have known from "
                                      f"01/12/2008 ({letter}, p. 1)")
    assert cells["Northshire Council"] == "knew by 03/03/2009"

    action = reports.knowledge_to_action(vault, CASE)
    by_who = {(r[0], r[2]): r for r in action.rows}
    jones = by_who[("DS Alan Jones", "before 01/04/2009")]
    assert jones[6] == str((parse_date("01/06/2011").interval()[0]
                            - parse_date("31/03/2009").interval()[0]).days)
    assert "no further action" in jones[5] and f"(fact {decision.number})" in jones[5]
    assert by_who[("Northshire Council", "03/03/2009")][5] == "no recorded response"
    assert referral.number == 1 and k3.awareness == "told"

    on = reports.known_on(vault, CASE, parse_date("01/02/2009").interval()[0])
    assert [(r[0], r[2]) for r in on.rows] == [("DS Alan Jones", "may have known")]
    on = reports.known_on(vault, CASE, parse_date("01/05/2009").interval()[0])
    assert sorted((r[0], r[2]) for r in on.rows) == [("DS Alan Jones", "knew"),
                                                     ("Northshire Council", "knew")]


# ------------------------------------------------------------------------------ the tables
def build(v: Vault, letter: str) -> None:
    cast(v)
    add_position(v, CASE, "jones", "Detective Sergeant", "police", parse_date("2005"),
                 parse_date("2012"))
    add_fact(v, CASE, "@council referred an allegation concerning @ca to @police",
             parse_date("03/03/2009"), doc_date=parse_date("05/03/2009"), key=True,
             people=[("council", "author"), ("police", "recipient")],
             evaluation="Strong: the letter is on the police file", comment="Chase the log")
    add_fact(v, CASE, "@jones told @ca's mother no action would follow",
             parse_date("c. 04/2009"), status="disputed by the other side",
             versions=["@jones said no action would follow",
                       "@jones said the matter was still open"])
    cite(v, CASE, "fact", 1, letter, 1, "the referral made on 3 March 2009")
    add_knowledge(v, CASE, "jones", "allegation concerning @ca", parse_date("before 04/2009"),
                  how="referral", awareness="received", response=2)
    mipo = add_issue(v, CASE, "Misconduct in public office: @jones")
    aware = add_issue(v, CASE, "Aware of the risk to @ca", parent=mipo.id)
    support(v, CASE, 1, aware.id, "strong")
    add_gap(v, CASE, "document not held", "The police log of @ca's referral",
            parse_date("03/03/2009"), sources="@police's disclosure officer", fact=1)


def text_of(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8"))
                            for n in z.namelist() if n.endswith(".xml"))
    if path.suffix == ".pdf":
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            meta = " ".join(str(x) for x in doc.metadata.values())
            return meta + " ".join(page.get_text() for page in doc)
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["csv", "docx", "pdf"])
def test_no_shared_output_names_the_survivor(vault: Vault, letter: str, tmp_path: Path,
                                             fmt: str) -> None:
    build(vault, letter)
    for name in reports.TABLES:
        out = tmp_path / f"{name}.{fmt}"
        write_table(vault, CASE, reports.TABLES[name](vault, CASE), out)
        text = " ".join(text_of(out).split())
        assert "Child A" in text, name
        for real in (SURVIVOR, "Smith", ALIAS):
            assert real.lower() not in text.lower(), (name, real)
        if name == "neutral":
            assert "Strong: the letter" not in text and "Chase the log" not in text
            assert "(a) DS Alan Jones said no action would follow" in text
            assert f"{letter}, p. 1 (document dated 05/03/2009)" in text
        if name == "working":
            assert "PRIVILEGED AND CONFIDENTIAL" in text.upper()
            assert "Chase the log" in text
            assert "1.1 Aware of the risk to Child A (strong)" in text
        if name in ("elements", "gaps"):
            assert "PRIVILEGED AND CONFIDENTIAL" in text.upper()
    written = [e for e in chron_events(vault) if e["action"] == custody.CHRONOLOGY_WRITTEN]
    assert len(written) == len(reports.TABLES) and written[0]["details"]["format"] == fmt  # type: ignore[index]


def test_a_real_name_typed_into_a_fact_stops_every_shared_table(vault: Vault, letter: str,
                                                                 tmp_path: Path) -> None:
    build(vault, letter)
    change_fact(vault, CASE, 2, versions=["@jones told Mrs Smith no action would follow",
                                          "@jones said the matter was still open"])
    for name in ("neutral", "working"):
        with pytest.raises(WouldName, match=r"fact 2 names Child A .*“Smith”.*@ca"):
            reports.TABLES[name](vault, CASE)
    change_fact(vault, CASE, 2, versions=["a", "b"], comment="Ask janey's school")
    reports.neutral_chronology(vault, CASE)  # comments are not in it
    with pytest.raises(WouldName, match="“Janey”"):
        reports.working_chronology(vault, CASE)
    real = reports.working_chronology(vault, CASE, real_names=True)  # only by choice
    assert any(SURVIVOR in " ".join(row) for row in real.rows)
    add_knowledge(vault, CASE, "jones", "what Jane Smith said", parse_date("2009"),
                  how="phone", awareness="told")
    for name in ("matrix", "action"):
        with pytest.raises(WouldName):
            reports.TABLES[name](vault, CASE)
    assert not (tmp_path / "x.pdf").exists()


def test_csv_cells_that_look_like_formulas_are_text(vault: Vault, tmp_path: Path) -> None:
    cast(vault)
    add_fact(vault, CASE, "=HYPERLINK(\"http://example.invalid\")", parse_date("2010"))
    out = tmp_path / "n.csv"
    write_table(vault, CASE, reports.neutral_chronology(vault, CASE), out)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[1][2] == "'=HYPERLINK(\"http://example.invalid\")"


def test_chronology_events_stay_out_of_package_excerpts(vault: Vault, letter: str) -> None:
    build(vault, letter)
    excerpt = make_excerpt(vault.events(), [letter]).decode()
    assert "chronology" not in excerpt and SURVIVOR not in excerpt


# ------------------------------------------------------------------------------ the CLI
def test_the_command_line(make_vault: object, tmp_path: Path) -> None:
    v, _ = make_vault()  # type: ignore[operator]
    path = v.folder
    ref = import_refs(v, letter_pdf(tmp_path / "l.pdf", ["The referral was received."]))[
        "l.pdf"]
    v.close()

    def ok(*args: str) -> str:
        r = run_cli("chronology", *args[:1], str(path), *args[1:], "--case", CASE)
        assert r.returncode == 0, without_slot_warnings(r.stderr)
        return r.stdout

    assert "Child A" in ok("add-person", "ca", SURVIVOR, "--role", "survivor")
    ok("add-person", "jones", "DS Alan Jones", "--role", "officer under scrutiny")
    assert ok("add-fact", "@jones received the referral", "--date", "c. 03/2009",
              "--person", "jones:recipient", "--key").startswith("fact 1: c. 03/2009")
    assert "found in its text layer" in ok("cite", ref, "--fact", "1", "--page", "1",
                                           "--quote", "referral was received")
    ok("change-fact", "1", "--date", "03/2009")
    listed = [json.loads(line) for line in ok("list", "--json", "--key").splitlines()]
    assert [(f["number"], f["shown_date"]) for f in listed] == [(1, "03/2009")]
    assert listed[0]["citations"][0]["ref"] == ref
    assert "before:" in ok("history", "1")
    out = tmp_path / "chronology.docx"
    assert "1 rows" in ok("write", "neutral", str(out))
    assert SURVIVOR not in text_of(out)
    r = run_cli("chronology", "add-fact", str(path), "x", "--date", "31/02/2010",
                "--case", CASE)
    assert r.returncode != 0 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("chronology", "cite", str(path), ref, "--fact", "1", "--page", "1",
                "--quote", "not in it", "--case", CASE)
    assert r.returncode != 0 and "not on page 1" in r.stderr


# ------------------------------------------------------------------------------ the fixture
def test_the_schema_8_fixture_keeps_its_chronology(tmp_path: Path) -> None:
    """tests/fixtures/vault-v3-schema8.evault, made once with the first version of the
    chronology: every later version shows the same chronology from it."""
    from conftest import committed_fixture

    folder, fields = committed_fixture(tmp_path, "vault-v3-schema8.evault")
    case = "NB-2026-01"
    with Vault.open(folder, passphrase=fields["passphrase"]) as v:
        assert v.vault_id == fields["vault id"]
        assert run_check(v).ok
        people = {e.short: e for e in entities(v, case)}
        assert people["tenant"].pseudonym == "Child A" and people["tenant"].name == "Alex Doe"
        got = [(f.number, f.date.show(), f.status, f.key, [c.where() for c in f.citations])
               for f in facts(v, case)]
        assert got == [(1, "02/05/2026 10:15", "undisputed", True, ["MO/1"]),
                       (2, "03/05/2026", "disputed by us", False, [])]
        assert facts(v, case)[0].date.basis == "document text"
        assert facts(v, case)[1].comment == "Ask for the work order"
        [k] = knowledge(v, case)
        assert (k.who, k.date.show(), k.response, [c.quote for c in k.citations]) == (
            "landlord", "before 03/05/2026", 2, ["repairs are scheduled"])
        neutral = reports.neutral_chronology(v, case)
        assert neutral.rows[0][2] == "Child A reported the broken lift by telephone"
        assert "Alex Doe" not in json.dumps(neutral.rows)
        assert [e.fields["action"] for e in history(v, case, "fact", 3)] == [
            custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_REMOVED]
        assert add_fact(v, case, "A later fact", parse_date("2027")).number == 4
        # schema 9 adds issues, support and gaps to a chronology made before them
        assert issues(v, case) == [] and gaps(v, case) == []
        element = add_issue(v, case, "Knew of the broken lift")
        support(v, case, 1, element.id, "strong")
        assert facts(v, case)[0].support == ((element.id, "strong"),)
        assert run_check(v).ok


# ------------------------------------------------------------------------------ the sample case
def test_the_sample_case_chronology(vault: Vault, tmp_path: Path) -> None:
    """resources/samples/chronology.json, as the demo builds it: at least 30 facts, 10
    people, 3 bodies and 8 knowledge events, every citation found on its page, and no
    shared table naming a survivor (or her mother, who carries her surname)."""
    from conftest import ROOT

    from vault.chronology.loading import load_chronology
    from vault.cli.demo import CASE as DEMO
    from vault.cli.demo import SAMPLES

    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg"))
    refs = import_refs(vault, *files)
    doc = json.loads((ROOT / "resources" / "samples" / "chronology.json").read_text())
    loaded = load_chronology(vault, DEMO, doc, refs)
    people = entities(vault, DEMO)
    assert loaded.facts >= 30 and loaded.knowledge >= 8 and loaded.citations >= 30
    assert sum(e.kind == "person" for e in people) >= 10
    assert sum(e.kind == "organisation" for e in people) >= 3
    hidden = [e for e in people if e.pseudonym]
    assert {e.pseudonym for e in hidden} >= {"Child A", "Child B", "Mother of Child A"}
    for name in reports.TABLES:
        for fmt in ("csv", "docx", "pdf"):
            out = tmp_path / f"{name}.{fmt}"
            write_table(vault, DEMO, reports.TABLES[name](vault, DEMO), out)
            text = " ".join(text_of(out).split()).lower()
            for e in hidden:
                for words in (e.name, *e.aliases, e.name.split()[-1]):
                    assert words.lower() not in text, (name, fmt, words)
    action = {r[0]: r for r in reports.knowledge_to_action(vault, DEMO).rows}
    assert "no recorded response" in action["Councillor Thaddeus Wrenfield"][5]


def test_a_relative_named_in_full_stops_a_shared_table(vault: Vault) -> None:
    add_entity(vault, CASE, "ca", SURVIVOR, role="survivor")
    add_entity(vault, CASE, "mum", "Mrs Ann Smith", role="witness")
    add_fact(vault, CASE, "@mum wrote to the council", parse_date("2010"))
    with pytest.raises(WouldName, match=r"@mum's name names Child A .*give @mum a pseudonym"):
        reports.neutral_chronology(vault, CASE)
    change_entity(vault, CASE, "mum", pseudonym="Mother of Child A")
    assert reports.neutral_chronology(vault, CASE).rows[0][2] == \
        "Mother of Child A wrote to the council"


def test_the_matrix_year_by_year_and_the_package_knows_every_table(vault: Vault,
                                                                   letter: str) -> None:
    from vault.packages.format import CHRONOLOGY_TABLES

    assert tuple(reports.TABLES) == CHRONOLOGY_TABLES  # the package's order and names
    build(vault, letter)
    add_knowledge(vault, CASE, "council", "allegation concerning @ca",
                  parse_date("between 2008 and 2010"), how="meeting", awareness="attended")
    add_knowledge(vault, CASE, "police", "the review", parse_date("after 2010"),
                  how="report", awareness="ought to have known")
    t = reports.knowledge_by_period(vault, CASE)
    assert t.header == ["Who", "By end 2008", "By end 2009", "By end 2010", "By end 2011"]
    rows = {r[0]: r[1:] for r in t.rows}
    assert rows["DS Alan Jones"] == ["", "knew: allegation concerning Child A",
                                     "knew: allegation concerning Child A",
                                     "knew: allegation concerning Child A"]
    assert rows["Northshire Council"][0] == "may have known: allegation concerning Child A"
    assert rows["Northshire Council"][2] == "knew: allegation concerning Child A"
    assert rows["Northshire Police"] == ["", "", "", "may have known: the review"]
