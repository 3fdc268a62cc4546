"""The chronology's issues and elements, the facts that support them, and the gaps
(docs/chronology.md, "Issues and elements", "Gaps"): real vaults on disk, real custody
events."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli, without_slot_warnings

from vault.chronology import reports
from vault.chronology.dates import parse_date
from vault.chronology.documents import write_table
from vault.chronology.filters import FactFilter
from vault.chronology.store import (
    ChronologyRefused,
    add_entity,
    add_fact,
    add_gap,
    add_issue,
    close_gap,
    facts,
    gaps,
    history,
    issues,
    support,
    unsupport,
)
from vault.custody import log as custody
from vault.errors import NotFound
from vault.store.check import run_check
from vault.store.vault import Vault

CASE = "Northshire"


def elements(v: Vault) -> dict[str, int]:
    """Misconduct in public office with three of its elements, and one fact for each of
    two of them."""
    add_entity(v, CASE, "jones", "DS Alan Jones", role="officer under scrutiny",
               public_office=True)
    mipo = add_issue(v, CASE, "Misconduct in public office: @jones",
                     note="The elements as stated in Attorney General's Reference (No 3 of 2003)")
    ids = {"mipo": mipo.id}
    for key, title in (("office", "A public officer acting as such"),
                       ("neglect", "Wilfully neglected to perform his duty"),
                       ("trust", "An abuse of the public's trust")):
        ids[key] = add_issue(v, CASE, title, parent=mipo.id).id
    add_fact(v, CASE, "@jones was a Detective Sergeant", parse_date("2009"))
    add_fact(v, CASE, "@jones took no action on the referral", parse_date("c. 04/2009"))
    add_fact(v, CASE, "@jones filed the referral", parse_date("04/2009"))
    return ids


def test_issues_form_a_tree_numbered_as_in_the_tables(vault: Vault) -> None:
    ids = elements(vault)
    sub = add_issue(vault, CASE, "Knew of the referral", parent=ids["neglect"])
    tree = issues(vault, CASE)
    assert [i.id for i in tree] == [ids["mipo"], ids["office"], ids["neglect"], sub.id,
                                    ids["trust"]]
    labels = reports.issue_labels(tree)
    assert [labels[i.id] for i in tree] == [
        "1 Misconduct in public office: @jones", "1.1 A public officer acting as such",
        "1.2 Wilfully neglected to perform his duty", "1.2.1 Knew of the referral",
        "1.3 An abuse of the public's trust"]
    with pytest.raises(NotFound, match="no issue or element 999"):
        add_issue(vault, CASE, "An element of nothing", parent=999)
    with pytest.raises(ChronologyRefused, match="name the issue"):
        add_issue(vault, CASE, "  ")


def test_facts_by_element_shows_missing_and_weak_support(vault: Vault) -> None:
    ids = elements(vault)
    support(vault, CASE, 1, ids["office"], "strong")
    support(vault, CASE, 2, ids["neglect"], "weak")
    support(vault, CASE, 3, ids["neglect"], "weak")
    table = reports.facts_by_element(vault, CASE)
    assert table.notice == reports.PRIVILEGED
    by_label = {r[0]: r[1] for r in table.rows if r[0]}
    assert by_label == {
        "1 Misconduct in public office: DS Alan Jones": "",  # supported through its elements
        "1.1 A public officer acting as such": "1 fact",
        "1.2 Wilfully neglected to perform his duty": reports.WEAK_ONLY,
        "1.3 An abuse of the public's trust": reports.NO_SUPPORT}
    fact_rows = [r for r in table.rows if r[2]]
    assert [(r[2], r[5]) for r in fact_rows] == [
        ("1", "strong; no source cited"), ("2", "weak; no source cited"),
        ("3", "weak; no source cited")]
    # one strong link lifts the element out of "weak support only"
    support(vault, CASE, 3, ids["neglect"], "strong")
    by_label = {r[0]: r[1] for r in reports.facts_by_element(vault, CASE).rows if r[0]}
    assert by_label["1.2 Wilfully neglected to perform his duty"] == "2 facts"


def test_every_link_is_a_custody_event_keeping_the_old_strength(vault: Vault) -> None:
    ids = elements(vault)
    first = support(vault, CASE, 2, ids["neglect"], "some", note="only his own note")
    assert support(vault, CASE, 2, ids["neglect"], "some", note="only his own note") == first
    support(vault, CASE, 2, ids["neglect"], "strong")
    with pytest.raises(ChronologyRefused, match="say why"):
        unsupport(vault, CASE, 2, ids["neglect"], "")
    unsupport(vault, CASE, 2, ids["neglect"], "the fact goes to awareness, not neglect")
    events = history(vault, CASE, "support", first.id)
    assert [e.fields["action"] for e in events] == [
        custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_CHANGED, custody.CHRONOLOGY_REMOVED]
    assert events[1].fields["details"]["before"]["strength"] == "some"
    assert events[1].fields["details"]["after"]["strength"] == "strong"
    assert events[2].fields["details"]["before"]["reason"].startswith("the fact goes")
    [f] = [f for f in facts(vault, CASE) if f.number == 2]
    assert f.support == ()
    with pytest.raises(NotFound, match="not linked"):
        unsupport(vault, CASE, 2, ids["neglect"], "again")
    with pytest.raises(ChronologyRefused, match="strength"):
        support(vault, CASE, 2, ids["neglect"], "overwhelming")
    issue_events = history(vault, CASE, "issue", ids["trust"])
    assert issue_events[0].fields["details"]["after"] == {
        "title": "An abuse of the public's trust", "parent": ids["mipo"], "note": ""}
    assert run_check(vault).ok


def test_the_filter_by_issue(vault: Vault) -> None:
    ids = elements(vault)
    support(vault, CASE, 1, ids["office"], "strong")
    support(vault, CASE, 3, ids["neglect"], "some")
    keep = FactFilter(issues=(ids["neglect"],)).apply(facts(vault, CASE))
    assert [f.number for f in keep] == [3]
    keep = FactFilter(issues=(ids["neglect"], ids["office"])).apply(facts(vault, CASE))
    assert [f.number for f in keep] == [1, 3]


def test_gaps_and_facts_to_be_proved(vault: Vault, tmp_path: Path) -> None:
    elements(vault)
    add_fact(vault, CASE, "@jones was told by the school", parse_date("2009"),
             status="to be proved")
    add_fact(vault, CASE, "@jones met the social worker", parse_date("05/2009"),
             status="to be proved")
    letter = add_gap(vault, CASE, "document not held",
                     "The letter of 3 March 2010 mentioned in the minutes, not on file",
                     parse_date("03/03/2010"), sources="the council's FOI team")
    asked = add_gap(vault, CASE, "question", "Who read the referral?",
                    sources="@jones's notebook", fact=5)
    with pytest.raises(ChronologyRefused, match="kind of gap"):
        add_gap(vault, CASE, "hunch", "x")
    with pytest.raises(NotFound, match="no fact 99"):
        add_gap(vault, CASE, "question", "x", fact=99)
    close_gap(vault, CASE, letter.id, "found: exhibit MO/7")
    with pytest.raises(ChronologyRefused, match="say how"):
        close_gap(vault, CASE, asked.id, " ")
    assert [(g.id, g.state) for g in gaps(vault, CASE)] == [(letter.id, "closed"),
                                                             (asked.id, "open")]
    table = reports.gaps_table(vault, CASE)
    assert table.notice == reports.PRIVILEGED
    assert [(r[0], r[1], r[5], r[6]) for r in table.rows] == [
        (str(asked.id), "question", "5", "open"),
        (str(letter.id), "document not held", "", "closed: found: exhibit MO/7"),
        # fact 4 is to be proved and no gap names it; fact 5's gap is listed above
        ("", "fact to be proved", "4", "open")]
    assert table.rows[0][4] == "DS Alan Jones's notebook"
    events = history(vault, CASE, "gap", letter.id)
    assert [e.fields["action"] for e in events] == [custody.CHRONOLOGY_ADDED,
                                                    custody.CHRONOLOGY_CHANGED]
    assert events[1].fields["details"]["before"]["state"] == "open"
    out = tmp_path / "gaps.csv"
    write_table(vault, CASE, table, out)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == [reports.PRIVILEGED] and rows[1][2] == "What is missing"


def test_the_command_line(make_vault: object, tmp_path: Path) -> None:
    v, _ = make_vault()  # type: ignore[operator]
    path = v.folder
    v.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("chronology", *args[:1], str(path), *args[1:], "--case", CASE)

    def ok(*args: str) -> str:
        r = run(*args)
        assert r.returncode == 0, without_slot_warnings(r.stderr)
        return r.stdout

    ok("add-person", "jones", "DS Alan Jones")
    ok("add-fact", "@jones filed the referral", "--date", "04/2009")
    assert ok("add-issue", "Misconduct in public office").strip() == \
        "issue 1: Misconduct in public office"
    assert "an element of 1" in ok("add-issue", "Wilful neglect", "--under", "1")
    ok("add-issue", "Abuse of trust", "--under", "1")
    assert ok("support", "1", "2", "--strength", "weak").strip() == \
        "fact 1 supports issue 2 (weak)"
    got = [json.loads(line) for line in ok("issues", "--json").splitlines()]
    assert [(g["label"], g["support"], g["facts"]) for g in got] == [
        ("1 Misconduct in public office", "", []),
        ("1.1 Wilful neglect", "WEAK SUPPORT ONLY", [[1, "weak"]]),
        ("1.2 Abuse of trust", "NO SUPPORTING FACT", [])]
    assert json.loads(ok("list", "--issue", "2", "--json"))["support"] == [
        {"issue": 2, "strength": "weak"}]
    assert ok("list", "--issue", "3").strip() == ""
    assert ok("add-gap", "Where is the log?", "--kind", "document not held", "--sources",
              "the force").startswith("gap 1: document not held")
    assert "closed" in ok("close-gap", "1", "--answer", "exhibit MO/2")
    r = run("unsupport", "1", "2")
    assert r.returncode == 2 and "--reason" in r.stderr
    assert run("support", "1", "2", "--strength", "huge").returncode == 2
    r = run("add-gap", "x", "--fact", "9")
    assert r.returncode != 0 and "no fact 9" in r.stderr and "Traceback" not in r.stderr
    out = tmp_path / "elements.docx"
    assert "rows" in ok("write", "elements", str(out)) and out.is_file()
    ok("unsupport", "1", "2", "--reason", "a mistake")
    assert json.loads(ok("issues", "--json").splitlines()[1])["support"] == \
        reports.NO_SUPPORT


def test_the_schema_9_fixture_keeps_its_issues_and_gaps(tmp_path: Path) -> None:
    """tests/fixtures/vault-v4-schema9.evault, made once with the first version of issues,
    support and gaps: every later version shows the same from it."""
    from conftest import committed_fixture

    folder, fields = committed_fixture(tmp_path, "vault-v4-schema9.evault")
    case = "NB-2026-01"
    with Vault.open(folder, passphrase=fields["passphrase"]) as v:
        assert v.vault_id == fields["vault id"]
        assert sum(1 for _ in v.events()) == int(fields["custody events"])
        assert run_check(v).ok
        tree = issues(v, case)
        assert [(i.id, i.title, i.parent) for i in tree] == [
            (1, "Breach of the repairing duty", None), (2, "The landlord was told", 1),
            (3, "No repair in reasonable time", 1)]
        assert tree[0].note == "Landlord and Tenant Act 1985, s. 11"
        assert {f.number: f.support for f in facts(v, case)} == {
            1: ((2, "strong"),), 2: ((3, "weak"),)}
        assert [(g.kind, g.text, g.date.show(), g.sources, g.fact, g.state, g.answer)
                for g in gaps(v, case)] == [
            ("document not held", "The repair work order", "on or after 03/05/2026",
             "@landlord", 2, "open", ""),
            ("question", "Who took the call?", "undated", "", None, "closed",
             "the housing officer (MO/1)")]
        states = {r[0]: r[1] for r in reports.facts_by_element(v, case).rows if r[0]}
        assert states == {"1 Breach of the repairing duty": "",
                          "1.1 The landlord was told": "1 fact",
                          "1.2 No repair in reasonable time": reports.WEAK_ONLY}
        removed = history(v, case, "support", 3)
        assert [e.fields["action"] for e in removed] == [custody.CHRONOLOGY_ADDED,
                                                         custody.CHRONOLOGY_REMOVED]
