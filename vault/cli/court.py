"""The command line's court-bundle commands (registered on `vault.cli.base.cli` when
imported): ``evidence-vault court ...`` (docs/court-bundle.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vault.cli.base import cli, open_vault

ROLES = ("investigator", "survivor", "officer", "witness", "expert", "other")


@cli.group("court")
def court() -> None:
    """Exhibits as the courts expect them: marks per producing witness (MO/3, MO/3/2),
    labels, cover sheets, page-stamped copies and continuity records (docs/court-bundle.md)."""


@court.command("witness")
@click.argument("vault")
@click.argument("case")
@click.option("--name", required=True, help="The producing witness's full name.")
@click.option("--initials", required=True, help="Two to four capital letters (MO).")
@click.option("--role", default="witness", type=click.Choice(ROLES))
def witness(vault: str, case: str, name: str, initials: str, role: str) -> None:
    """Add a producing witness to CASE."""
    from vault.court.store import add_witness

    with open_vault(vault) as v:
        w = add_witness(v, case, name, initials, role)
    click.echo(f"{w.initials}  {w.name} ({w.role})")


@court.command("mark")
@click.argument("vault")
@click.argument("case")
@click.argument("item")
@click.option("--by", "by", required=True, help="The producing witness's initials.")
@click.option("--description", required=True,
              help="Enough to identify it unopened: what, from and to whom, date, pages.")
@click.option("--under", default=None, help="Make it a sub-exhibit of this mark (MO/3).")
def mark(vault: str, case: str, item: str, by: str, description: str, under: str | None
         ) -> None:
    """Mark ITEM (a vault reference) as the next exhibit of a witness; prints the mark."""
    from vault.court.store import mark_exhibit

    with open_vault(vault) as v:
        e = mark_exhibit(v, case, item, by=by, description=description, under=under)
    click.echo(f"{e.mark}  {e.item}  {e.description}")


@court.command("exhibits")
@click.argument("vault")
@click.argument("case")
@click.option("--withdrawn", is_flag=True, help="Also list withdrawn exhibits.")
@click.option("--json", "as_json", is_flag=True)
def exhibits_cmd(vault: str, case: str, withdrawn: bool, as_json: bool) -> None:
    """List CASE's exhibits by witness and mark."""
    from vault.court.store import exhibits

    with open_vault(vault) as v:
        found = exhibits(v, case, withdrawn=withdrawn)
    if as_json:
        click.echo(json.dumps([{**e.to_dict(), "name": e.name, "withdrawn": e.removed,
                                "reason": e.reason} for e in found], ensure_ascii=False))
        return
    for e in found:
        gone = f"  WITHDRAWN: {e.reason}" if e.removed else ""
        click.echo(f"{e.mark:<10} {e.item:<8} {e.sha256[:16]}  {e.description}{gone}")


@court.command("describe")
@click.argument("vault")
@click.argument("case")
@click.argument("mark")
@click.option("--description", required=True)
def describe(vault: str, case: str, mark: str, description: str) -> None:
    """Change an exhibit's description (recorded with the words before and after)."""
    from vault.court.store import describe_exhibit

    with open_vault(vault) as v:
        e = describe_exhibit(v, case, mark, description)
    click.echo(f"{e.mark}  {e.description}")


@court.command("withdraw")
@click.argument("vault")
@click.argument("case")
@click.argument("mark")
@click.option("--reason", required=True)
def withdraw(vault: str, case: str, mark: str, reason: str) -> None:
    """Withdraw an exhibit (its number is never given again)."""
    from vault.court.store import withdraw_exhibit

    with open_vault(vault) as v:
        e = withdraw_exhibit(v, case, mark, reason)
    click.echo(f"{e.mark} withdrawn: {e.reason}")


def _write(vault: str, case: str, document: str, out: Path, marks: list[str] | None) -> None:
    from vault.court.labels import write_court_document

    with open_vault(vault) as v:
        sha = write_court_document(v, case, document, out, marks)
    click.echo(f"{out}  SHA-256 {sha}")


@court.command("labels")
@click.argument("vault")
@click.argument("case")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--marks", multiple=True, help="Only these exhibits (repeatable; default all).")
def labels(vault: str, case: str, out: Path, marks: tuple[str, ...]) -> None:
    """Exhibit labels, two to an A4 page, as OUT.pdf or OUT.docx."""
    from vault.court.labels import LABELS

    _write(vault, case, LABELS, out, list(marks) or None)


@court.command("covers")
@click.argument("vault")
@click.argument("case")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--marks", multiple=True, help="Only these exhibits (repeatable; default all).")
def covers(vault: str, case: str, out: Path, marks: tuple[str, ...]) -> None:
    """A cover sheet for each exhibit, as OUT.pdf or OUT.docx."""
    from vault.court.labels import COVERS

    _write(vault, case, COVERS, out, list(marks) or None)


@court.command("continuity")
@click.argument("vault")
@click.argument("case")
@click.argument("mark")
@click.argument("out", type=click.Path(path_type=Path))
def continuity_cmd(vault: str, case: str, mark: str, out: Path) -> None:
    """The continuity record of one exhibit from its custody log, as OUT.pdf, .docx or .csv."""
    from vault.court.labels import CONTINUITY

    _write(vault, case, CONTINUITY, out, [mark])


@court.command("stamp")
@click.argument("vault")
@click.argument("case")
@click.argument("mark")
def stamp(vault: str, case: str, mark: str) -> None:
    """A page-stamped copy of a PDF exhibit (MO/3-1, MO/3-2, ...) stored as a new item;
    prints its reference. The original is not changed."""
    from vault.court.stamping import stamped_copy

    with open_vault(vault) as v:
        e, result = stamped_copy(v, case, mark)
    click.echo(f"{result.ref}  page-stamped copy of {e.mark} ({e.item})  SHA-256 "
               f"{result.sha256}")


@court.command("statement")
@click.argument("vault")
@click.argument("case")
@click.option("--by", "by", required=True, help="The witness's initials.")
@click.option("--dated", required=True, help="The statement's date (12/05/2026).")
@click.option("--title", default="", help="For example 'First statement'.")
def statement_cmd(vault: str, case: str, by: str, dated: str, title: str) -> None:
    """Record a witness statement (its date, not its words); prints its name (MO:1)."""
    from vault.court.store import add_statement

    with open_vault(vault) as v:
        st = add_statement(v, case, by, dated, title)
    click.echo(f"{st.name}  {st.shown()}")


@court.command("produces")
@click.argument("vault")
@click.argument("case")
@click.argument("statement")
@click.argument("documents", nargs=-1, required=True)
@click.option("--how", default="produced", type=click.Choice(("produced", "referred to", "shown")),
              help="produced (an exhibit of the statement's witness), or referred to or shown "
                   "(any exhibit mark or item reference).")
@click.option("--note", default="")
def produces(vault: str, case: str, statement: str, documents: tuple[str, ...], how: str,
             note: str) -> None:
    """Record that STATEMENT (MO:1) produces these exhibits, or that the witness referred to
    or was shown these documents."""
    from vault.court.store import add_statement_document

    with open_vault(vault) as v:
        for document in documents:
            d = add_statement_document(v, case, statement, document, how, note)
            click.echo(f"{statement} {d.how}: {d.mark or '-'}  {d.item}  {d.description}")


@court.command("statement-lists")
@click.argument("vault")
@click.argument("case")
@click.argument("statement")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--referred", is_flag=True,
              help="The documents referred to or shown, instead of the exhibits produced.")
def statement_lists(vault: str, case: str, statement: str, out: Path, referred: bool) -> None:
    """A statement's exhibit list (or its documents referred to) as OUT.pdf, .docx or .csv."""
    from vault.court.labels import write_court_document
    from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST

    with open_vault(vault) as v:
        sha = write_court_document(v, case, REFERRED_LIST if referred else EXHIBIT_LIST, out,
                                   statement=statement)
    click.echo(f"{out}  SHA-256 {sha}")


@court.command("schedule")
@click.argument("vault")
@click.argument("case")
@click.argument("item")
@click.option("--sensitive", is_flag=True, help="The sensitive schedule (never served).")
@click.option("--description", required=True)
@click.option("--reason", default="", help="Why it is sensitive (required with --sensitive).")
def schedule_cmd(vault: str, case: str, item: str, sensitive: bool, description: str,
                 reason: str) -> None:
    """Put ITEM on a schedule of unused material; prints its entry (N3, S1)."""
    from vault.court.disclosure import schedule_item

    with open_vault(vault) as v:
        e = schedule_item(v, case, item, "sensitive" if sensitive else "non-sensitive",
                          description, reason)
    click.echo(f"{e.label}  {e.item}  {e.description}")


@court.command("decide")
@click.argument("vault")
@click.argument("case")
@click.argument("entry")
@click.argument("decision", type=click.Choice(("undecided", "disclose", "withhold", "inspect")))
def decide_cmd(vault: str, case: str, entry: str, decision: str) -> None:
    """The disclosure decision on a schedule ENTRY (N3, S1)."""
    from vault.court.disclosure import decide

    with open_vault(vault) as v:
        e = decide(v, case, entry, decision)
    click.echo(f"{e.label}  {e.decision}")


@court.command("disclosed")
@click.argument("vault")
@click.argument("case")
@click.argument("entry")
@click.option("--action", required=True,
              help="What was done: 'disclosed to the defence', 'made available for "
                   "inspection', 'withheld'...")
@click.option("--note", default="")
def disclosed_cmd(vault: str, case: str, entry: str, action: str, note: str) -> None:
    """Record a disclosure action on ENTRY (who and when are recorded)."""
    from vault.court.disclosure import record_disclosure

    with open_vault(vault) as v:
        d = record_disclosure(v, case, entry, action, note)
    click.echo(f"{d.entry}  {d.action}  {d.done}  {d.by}")


@court.command("unschedule")
@click.argument("vault")
@click.argument("case")
@click.argument("entry")
@click.option("--reason", required=True)
def unschedule_cmd(vault: str, case: str, entry: str, reason: str) -> None:
    """Take ENTRY off its schedule (its number is never given again)."""
    from vault.court.disclosure import unschedule

    with open_vault(vault) as v:
        unschedule(v, case, entry, reason)
    click.echo(f"{entry.upper()} taken off: {reason}")


@court.command("schedule-write")
@click.argument("vault")
@click.argument("case")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--sensitive", is_flag=True,
              help="The sensitive schedule (a nil return to sign when it is empty).")
def schedule_write(vault: str, case: str, out: Path, sensitive: bool) -> None:
    """Write a schedule of unused material as OUT.pdf, .docx or .csv (the next revision)."""
    from vault.court.labels import write_court_document
    from vault.court.schedules import DOCUMENTS

    with open_vault(vault) as v:
        sha = write_court_document(v, case, DOCUMENTS["sensitive" if sensitive
                                                      else "non-sensitive"], out)
    click.echo(f"{out}  SHA-256 {sha}")
