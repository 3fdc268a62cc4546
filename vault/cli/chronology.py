"""The command line's chronology commands (registered on `vault.cli.base.cli` when
imported): ``evidence-vault chronology ...`` (docs/chronology.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vault.cli.base import cli, open_vault
from vault.errors import VaultError

TABLES = ("neutral", "working", "cast", "matrix", "periods", "action", "elements", "gaps")


@cli.group("chronology")
def chronology() -> None:
    """Who knew what, and when: the cast, facts with uncertain dates, citations of the exact
    words on a page, knowledge events, and the tables made from them (docs/chronology.md).
    People are written @short in facts."""


def _date(text: str | None, basis: str = "") -> Any:
    from vault.chronology.dates import parse_date

    return None if text is None else parse_date(text, basis=basis)


def _people(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        short, _, part = value.partition(":")
        out.append((short, part or "actor"))
    return out


def _json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


CASE = click.option("--case", required=True, help="The case the chronology belongs to.")


@chronology.command("add-person")
@click.argument("vault")
@click.argument("short")
@click.argument("name")
@CASE
@click.option("--kind", default="person", type=click.Choice(("person", "organisation", "post")))
@click.option("--role", default="other",
              type=click.Choice(("officer under scrutiny", "agency", "survivor", "witness",
                                 "other")))
@click.option("--pseudonym", default="",
              help="Used in everything shared (a survivor gets 'Child A' etc. if none).")
@click.option("--public-office", is_flag=True, help="Holds a public office.")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
def add_person(vault: str, short: str, name: str, case: str, kind: str, role: str,
               pseudonym: str, public_office: bool, aliases: tuple[str, ...]) -> None:
    """Add a person, organisation or post to the cast, known in facts as @SHORT."""
    from vault.chronology.store import add_entity

    with open_vault(vault) as v:
        e = add_entity(v, case, short, name, kind=kind, role=role, pseudonym=pseudonym,
                       public_office=public_office, aliases=aliases)
    shown = f" (shown as {e.pseudonym} in anything shared)" if e.pseudonym else ""
    click.echo(f"@{e.short}: {e.name}{shown}")


@chronology.command("cast")
@click.argument("vault")
@CASE
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def cast_cmd(vault: str, case: str, as_json: bool) -> None:
    """The cast of the case (real names: this stays on your screen)."""
    from vault.chronology.store import entities

    with open_vault(vault) as v:
        people = entities(v, case)
    for e in people:
        if as_json:
            _json(e.to_json())
        else:
            extra = f"  [{e.pseudonym}]" if e.pseudonym else ""
            click.echo(f"@{e.short}\t{e.name}{extra}\t{e.kind}\t{e.role}")


@chronology.command("add-post")
@click.argument("vault")
@click.argument("person")
@click.argument("post")
@click.argument("organisation")
@CASE
@click.option("--from", "start", default="undated", help="When the post began.")
@click.option("--to", "end", default="undated", help="When it ended.")
def add_post(vault: str, person: str, post: str, organisation: str, case: str, start: str,
             end: str) -> None:
    """Record that PERSON held POST in ORGANISATION (both @short)."""
    from vault.chronology.store import add_position

    with open_vault(vault) as v:
        p = add_position(v, case, person, post, organisation, _date(start), _date(end))
    click.echo(f"position {p.id}: @{p.person}, {p.post}, @{p.organisation} "
               f"({p.start.show()} to {p.end.show()})")


FACT_OPTIONS = [
    click.option("--doc-date", default=None, help="The document's own date (not the event's)."),
    click.option("--basis", default="",
                 type=click.Choice(("", "document text", "metadata", "recollection",
                                    "inferred")), help="Why this date."),
    click.option("--status", default=None,
                 type=click.Choice(("undisputed", "disputed by the other side",
                                    "disputed by us", "to be proved"))),
    click.option("--version", "versions", multiple=True,
                 help="A disputed fact's competing version, neutrally (repeatable)."),
    click.option("--key/--not-key", default=None, help="A key fact."),
    click.option("--material/--not-material", default=None, help="A material fact."),
    click.option("--evaluation", default=None, help="Private: never in a shared table."),
    click.option("--comment", default=None, help="Private: never in a shared table."),
    click.option("--person", "people", multiple=True,
                 help="SHORT:PART, PART one of actor, recipient, informed, present, author, "
                      "decision maker, mentioned (repeatable)."),
]


def _fact_options(f: Any) -> Any:
    for option in reversed(FACT_OPTIONS):
        f = option(f)
    return f


def _fields(doc_date: str | None, basis: str, status: str | None, versions: tuple[str, ...],
            key: bool | None, material: bool | None, evaluation: str | None,
            comment: str | None, people: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc_date is not None:
        out["doc_date"] = _date(doc_date)
    for name, value in (("status", status), ("key", key), ("material", material),
                        ("evaluation", evaluation), ("comment", comment)):
        if value is not None:
            out[name] = value
    if versions:
        out["versions"] = versions
    if people:
        out["people"] = _people(people)
    return out


@chronology.command("add-fact")
@click.argument("vault")
@click.argument("text")
@CASE
@click.option("--date", "date", required=True,
              help="As said: 03/03/2010, c. 03/2009, before 2010, between 06/2011 and "
                   "09/2011, undated, 03/03/2010 14:30 (day first).")
@_fact_options
def add_fact_cmd(vault: str, text: str, case: str, date: str, basis: str, **kw: Any) -> None:
    """Add a fact: a short neutral sentence, people written @short."""
    from vault.chronology.store import add_fact

    with open_vault(vault) as v:
        f = add_fact(v, case, text, _date(date, basis), **_fields(basis=basis, **kw))
    click.echo(f"fact {f.number}: {f.date.show()}: {f.text}")


@chronology.command("change-fact")
@click.argument("vault")
@click.argument("number", type=int)
@CASE
@click.option("--text", default=None)
@click.option("--date", default=None)
@_fact_options
def change_fact_cmd(vault: str, number: int, case: str, text: str | None, date: str | None,
                    basis: str, **kw: Any) -> None:
    """Change fact NUMBER; what it said before is kept in the custody log."""
    from vault.chronology.store import change_fact

    changes = _fields(basis=basis, **kw)
    if text is not None:
        changes["text"] = text
    if date is not None:
        changes["date"] = _date(date, basis)
    with open_vault(vault) as v:
        f = change_fact(v, case, number, **changes)
    click.echo(f"fact {f.number}: {f.date.show()}: {f.text}")


@chronology.command("remove-fact")
@click.argument("vault")
@click.argument("number", type=int)
@CASE
@click.option("--reason", required=True, help="Why it is taken out.")
def remove_fact_cmd(vault: str, number: int, case: str, reason: str) -> None:
    """Take fact NUMBER out; it stays in the custody log, and its number is not reused."""
    from vault.chronology.store import remove_fact

    with open_vault(vault) as v:
        remove_fact(v, case, number, reason)
    click.echo(f"fact {number} taken out")


@chronology.command("cite")
@click.argument("vault")
@click.argument("ref")
@CASE
@click.option("--fact", "fact_number", type=int, default=None)
@click.option("--knowledge", "knowledge_id", type=int, default=None)
@click.option("--position", "position_id", type=int, default=None)
@click.option("--page", type=int, default=None, help="The page, from 1.")
@click.option("--quote", default="", help="The exact words (checked against the page).")
def cite_cmd(vault: str, ref: str, case: str, fact_number: int | None,
             knowledge_id: int | None, position_id: int | None, page: int | None,
             quote: str) -> None:
    """Cite the words QUOTE on a page of the exhibit REF for a fact, a knowledge event or a
    position. Words that are not on that page are refused."""
    from vault.chronology.store import cite

    owners = [(k, n) for k, n in (("fact", fact_number), ("knowledge", knowledge_id),
                                   ("position", position_id)) if n is not None]
    if len(owners) != 1:
        raise VaultError("give one of --fact, --knowledge or --position")
    with open_vault(vault) as v:
        c = cite(v, case, owners[0][0], owners[0][1], ref, page, quote)
    click.echo(f"{c.where()}: “{c.quote}” (found in its {c.found_in})")


@chronology.command("knew")
@click.argument("vault")
@click.argument("who")
@click.argument("matter")
@CASE
@click.option("--date", required=True, help="When, as said (see add-fact).")
@click.option("--how", required=True,
              type=click.Choice(("letter", "e-mail", "referral", "meeting", "minutes", "phone",
                                 "report", "court", "media", "other")))
@click.option("--awareness", required=True,
              type=click.Choice(("received", "attended", "told", "copied in",
                                 "ought to have known")))
@click.option("--response", type=int, default=None, help="The fact that was their response.")
def knew_cmd(vault: str, who: str, matter: str, case: str, date: str, how: str,
             awareness: str, response: int | None) -> None:
    """Record that WHO (@short) knew, or ought to have known, MATTER."""
    from vault.chronology.store import add_knowledge

    with open_vault(vault) as v:
        k = add_knowledge(v, case, who, matter, _date(date), how=how, awareness=awareness,
                          response=response)
    click.echo(f"knowledge {k.id}: @{k.who} {k.awareness} ({k.how}) {k.date.show()}: "
               f"{k.matter}")


@chronology.command("respond")
@click.argument("vault")
@click.argument("knowledge_id", type=int)
@click.argument("fact_number", type=int, required=False)
@CASE
def respond_cmd(vault: str, knowledge_id: int, fact_number: int | None, case: str) -> None:
    """Link knowledge event KNOWLEDGE_ID to the fact that was the response (none: no
    recorded response)."""
    from vault.chronology.store import set_response

    with open_vault(vault) as v:
        k = set_response(v, case, knowledge_id, fact_number)
    click.echo(f"knowledge {k.id}: response " + (f"fact {k.response}" if k.response
                                                 else "none recorded"))


@chronology.command("list")
@click.argument("vault")
@CASE
@click.option("--json", "as_json", is_flag=True, help="One JSON object per fact.")
@click.option("--person", "people", multiple=True, help="Facts involving @SHORT.")
@click.option("--status", default=None)
@click.option("--key", is_flag=True, help="Key facts only.")
@click.option("--undated", is_flag=True, help="Undated facts only.")
@click.option("--no-citation", is_flag=True, help="Facts that cite nothing.")
@click.option("--from", "start", default=None, help="Facts that may be on or after (a date).")
@click.option("--to", "end", default=None, help="Facts that may be on or before (a date).")
@click.option("--issue", "issue_ids", type=int, multiple=True,
              help="Facts supporting issue or element ID (see `issues`).")
def list_cmd(vault: str, case: str, as_json: bool, people: tuple[str, ...],
             status: str | None, key: bool, undated: bool, no_citation: bool,
             start: str | None, end: str | None, issue_ids: tuple[int, ...]) -> None:
    """The facts in date order (your working view: real names, comments)."""
    from vault.chronology.filters import FactFilter
    from vault.chronology.store import facts

    lo = _date(start).interval()[0] if start else None
    hi = _date(end).interval()[1] if end else None
    chosen = FactFilter(tuple(p.lstrip("@").lower() for p in people), status, key, undated,
                        no_citation, lo, hi, issue_ids)
    with open_vault(vault) as v:
        shown = chosen.apply(facts(v, case))
    for f in shown:
        if as_json:
            _json({**f.to_json(), "shown_date": f.date.show(),
                   "citations": [c.to_json() for c in f.citations],
                   "support": [{"issue": i, "strength": s} for i, s in f.support]})
        else:
            sources = "; ".join(c.where() for c in f.citations) or "no citation"
            click.echo(f"{f.number}\t{f.date.show()}\t{f.text}\t[{f.status}]\t{sources}")
    click.echo(f"{len(shown)} fact(s)", err=True)


@chronology.command("history")
@click.argument("vault")
@click.argument("number", type=int)
@CASE
def history_cmd(vault: str, number: int, case: str) -> None:
    """Every change of fact NUMBER, from the custody log: when, who, before and after."""
    from vault.chronology.store import history

    with open_vault(vault) as v:
        events = history(v, case, "fact", number)
    for e in events:
        d = e.fields["details"]
        click.echo(f"{e.seq}\t{e.fields['time']}\t{e.fields['actor']['name']}\t"
                   f"{e.fields['action']}")
        for side in ("before", "after"):
            if side in d:
                click.echo(f"  {side}: {json.dumps(d[side], ensure_ascii=False)}")


@chronology.command("write")
@click.argument("vault")
@click.argument("table", type=click.Choice(TABLES))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@CASE
@click.option("--format", "fmt", default=None, type=click.Choice(("csv", "docx", "pdf")),
              help="Default: from OUT's suffix.")
@click.option("--real-names", is_flag=True,
              help="Working chronology only: real names instead of pseudonyms.")
def write_cmd(vault: str, table: str, out: Path, case: str, fmt: str | None,
              real_names: bool) -> None:
    """Write a table: neutral (the chronology to share), working (privileged: status,
    issues, evaluation, comments), cast (dramatis personae), matrix (who knew what, when),
    periods (the matrix year by year), action (from knowing to acting), elements (facts by
    element, privileged), gaps
    (privileged). Pseudonyms throughout unless --real-names (working only)."""
    from vault.chronology import reports
    from vault.chronology.documents import write_table

    if real_names and table != "working":
        raise VaultError("--real-names goes only with the working chronology")
    with open_vault(vault) as v:
        t = (reports.working_chronology(v, case, real_names=True) if real_names
             else reports.TABLES[table](v, case))
        sha = write_table(v, case, t, out, fmt)
    click.echo(f"{out}\t{len(t.rows)} rows\tSHA-256 {sha}")


@chronology.command("add-issue")
@click.argument("vault")
@click.argument("title")
@CASE
@click.option("--under", "parent", type=int, default=None,
              help="The issue this is an element of (its ID).")
@click.option("--note", default="", help="What must be shown (private).")
def add_issue_cmd(vault: str, title: str, case: str, parent: int | None, note: str) -> None:
    """Add an issue of the case, or an element of one (--under)."""
    from vault.chronology.store import add_issue

    with open_vault(vault) as v:
        i = add_issue(v, case, title, parent=parent, note=note)
    click.echo(f"issue {i.id}: {i.title}" + (f" (an element of {i.parent})"
                                             if i.parent else ""))


@chronology.command("issues")
@click.argument("vault")
@CASE
@click.option("--json", "as_json", is_flag=True, help="One JSON object per issue.")
def issues_cmd(vault: str, case: str, as_json: bool) -> None:
    """The issues and elements, numbered as in the tables, with how each is supported."""
    from vault.chronology.reports import element_support, issue_labels
    from vault.chronology.store import facts, issues

    with open_vault(vault) as v:
        tree = issues(v, case)
        support = element_support(tree, facts(v, case))
    labels = issue_labels(tree)
    for i, state, mine in support:
        if as_json:
            _json({"id": i.id, **i.to_json(), "label": labels[i.id], "support": state,
                   "facts": [[f.number, s] for f, s in mine]})
        else:
            click.echo(f"{i.id}	{labels[i.id]}	{state}	"
                       + ", ".join(f"{f.number} ({s})" for f, s in mine))


@chronology.command("support")
@click.argument("vault")
@click.argument("number", type=int)
@click.argument("issue", type=int)
@CASE
@click.option("--strength", required=True, type=click.Choice(("strong", "some", "weak")))
@click.option("--note", default="")
def support_cmd(vault: str, number: int, issue: int, case: str, strength: str,
                note: str) -> None:
    """Link fact NUMBER to issue or element ISSUE, with how strongly it supports it."""
    from vault.chronology.store import support

    with open_vault(vault) as v:
        s = support(v, case, number, issue, strength, note=note)
    click.echo(f"fact {s.fact} supports issue {s.issue} ({s.strength})")


@chronology.command("unsupport")
@click.argument("vault")
@click.argument("number", type=int)
@click.argument("issue", type=int)
@CASE
@click.option("--reason", required=True)
def unsupport_cmd(vault: str, number: int, issue: int, case: str, reason: str) -> None:
    """Take away the link between fact NUMBER and issue ISSUE."""
    from vault.chronology.store import unsupport

    with open_vault(vault) as v:
        unsupport(v, case, number, issue, reason)
    click.echo(f"fact {number} no longer linked to issue {issue}")


@chronology.command("add-gap")
@click.argument("vault")
@click.argument("text")
@CASE
@click.option("--kind", default="question",
              type=click.Choice(("question", "document not held", "fact to be proved")))
@click.option("--date", default="undated", help="When (of a document: its date).")
@click.option("--sources", default="", help="Where it might be found.")
@click.option("--fact", "fact_number", type=int, default=None, help="The fact it concerns.")
def add_gap_cmd(vault: str, text: str, case: str, kind: str, date: str, sources: str,
                fact_number: int | None) -> None:
    """Record what the case lacks: a question, a document referred to but not held, a fact
    to be proved."""
    from vault.chronology.store import add_gap

    with open_vault(vault) as v:
        g = add_gap(v, case, kind, text, _date(date), sources=sources, fact=fact_number)
    click.echo(f"gap {g.id}: {g.kind}: {g.text}")


@chronology.command("close-gap")
@click.argument("vault")
@click.argument("gap_id", type=int)
@CASE
@click.option("--answer", required=True, help="How it was closed (the exhibit found...).")
def close_gap_cmd(vault: str, gap_id: int, case: str, answer: str) -> None:
    """Close gap GAP_ID."""
    from vault.chronology.store import close_gap

    with open_vault(vault) as v:
        g = close_gap(v, case, gap_id, answer)
    click.echo(f"gap {g.id} closed: {g.answer}")


@chronology.command("import")
@click.argument("vault")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@CASE
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Which column fills which field (date, text, source, quote, status, "
                   "doc_date, key, evaluation, comment); COLUMN is its header or its number "
                   "from 1. Guessed from the header where not given.")
@click.option("--dry-run", is_flag=True, help="Show what each row would become; save nothing.")
def import_cmd(vault: str, sheet: Path, case: str, maps: tuple[str, ...],
               dry_run: bool) -> None:
    """Bring in an existing chronology from a CSV or XLSX SHEET: one fact per row. Every row
    that is not imported is named with why; the exit code is 1 if any was not."""
    from vault.chronology.importing import (
        FIELDS,
        SheetRefused,
        guess_mapping,
        import_rows,
        plan_rows,
        read_sheet,
    )

    table = read_sheet(sheet)
    mapping = guess_mapping(table.header)
    for m in maps:
        fld, _, col = m.partition("=")
        if fld not in FIELDS:
            raise click.UsageError(f"{fld!r} is not a field: one of {', '.join(FIELDS)}")
        if col.isdigit() and 1 <= int(col) <= len(table.header):
            mapping[fld] = int(col) - 1
        elif col in table.header:
            mapping[fld] = table.header.index(col)
        elif not col:
            mapping.pop(fld, None)
        else:
            raise SheetRefused(f"no column {col!r} in {sheet.name}: its columns are "
                               f"{', '.join(table.header)}")
    for fld in FIELDS:
        if fld in mapping:
            click.echo(f"{fld} <- {table.header[mapping[fld]]!r}", err=True)
    with open_vault(vault) as v:
        from vault.evidence.items import list_items

        refs = {i.ref for i in list_items(v) if i.status == "present"}
        plans = plan_rows(table, mapping, refs)
        if dry_run:
            for p in plans:
                if p.ok and p.date is not None:
                    click.echo(f"row {p.line}	{p.date.show()}	{p.fields['text']}"
                               + (f"	{p.cite[0]}" if p.cite else ""))
                    for w in p.warnings:
                        click.echo(f"row {p.line}	note: {w}")
                else:
                    click.echo(f"row {p.line}	NOT IMPORTED: {p.problem}")
            bad = sum(not p.ok for p in plans)
            click.echo(f"{len(plans) - bad} rows would be imported, {bad} would not "
                       "(nothing saved)", err=True)
            sys.exit(1 if bad else 0)
        result = import_rows(v, case, plans)
    for line, why in result.skipped:
        click.echo(f"row {line}	NOT IMPORTED: {why}")
    for line, what in result.warnings:
        click.echo(f"row {line}	note: {what}")
    click.echo(f"{len(result.facts)} facts added ({result.citations} citations checked and "
               f"made); {len(result.skipped)} rows not imported", err=True)
    sys.exit(1 if result.skipped else 0)


@chronology.command("known-on")
@click.argument("vault")
@click.argument("day")
@CASE
def known_on_cmd(vault: str, day: str, case: str) -> None:
    """What each person or body knew, or may have known, on DAY."""
    from vault.chronology.reports import known_on

    d = _date(day)
    if d.first is None or d.first.precision != "day" or d.kind != "on":
        raise VaultError("give one day, for example 03/03/2010")
    with open_vault(vault) as v:
        t = known_on(v, case, d.interval()[0])
    for row in t.rows:
        click.echo("\t".join(row))
    if not t.rows:
        click.echo("nothing recorded as known by then", err=True)
    sys.exit(0)
