"""The command line's search commands (registered on `vault.cli.base.cli` when imported):
``search``, ``index``, ``tag``, ``untag`` and ``tags``."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from vault.cli.base import cli, open_vault
from vault.errors import VaultError
from vault.search.index import SOURCES

# --type: a short name or a MIME type (prefix).
TYPES = {"pdf": "application/pdf", "photo": "image/", "image": "image/", "text": "text/",
         "video": "video/", "audio": "audio/"}


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise VaultError(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None


@cli.command("search")
@click.argument("vault")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True,
              help="JSON Lines: ref, name, page, source, snippet (hits in [brackets]), case.")
@click.option("--case", default=None, help="Only this case's items.")
@click.option("--type", "kind", default=None, help="pdf, photo, text or a MIME type prefix.")
@click.option("--tag", "tags", multiple=True, help="Only items with this tag (repeatable).")
@click.option("--source", default=None,
              type=click.Choice(SOURCES),
              help="Only hits in this kind of text.")
@click.option("--from", "date_from", default=None, help="Received on or after YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Received on or before YYYY-MM-DD.")
@click.option("--received-from", default=None, help="Received from (words in it).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def search_cmd(vault: str, query: str, as_json: bool, case: str | None, kind: str | None,
               tags: tuple[str, ...], source: str | None, date_from: str | None,
               date_to: str | None, received_from: str | None, limit: int) -> None:
    """Search everything in the vault. Words must all occur; "a phrase", word* (prefix),
    AND / OR / NOT, parentheses and tag:NAME work. Exit status 0 with hits, 1 with none."""
    from vault.search.query import count, search

    mime = TYPES.get(kind.lower(), kind) if kind else None
    filters = {"case": case, "mime_prefix": mime, "received_after": _day(date_from, "--from"),
               "received_before": _day(date_to, "--to"), "source": source,
               "received_from": received_from, "tags": tags}
    with open_vault(vault) as v:
        hits = search(v, query, limit=limit, **filters)  # type: ignore[arg-type]
        total = count(v, query, **filters) if hits else 0  # type: ignore[arg-type]
    for h in hits:
        if as_json:
            click.echo(json.dumps({"ref": h.ref, "name": h.name, "page": h.page,
                                   "source": h.source, "snippet": h.plain_snippet(),
                                   "case": h.case, "mime": h.mime}, ensure_ascii=False))
        else:
            page = f"page {h.page}" if h.page is not None else ""
            snippet = " ".join(h.plain_snippet().split())
            click.echo(f"{h.ref}\t{page}\t[{h.source}]\t{snippet}")
    shown = f" (first {len(hits)} shown)" if total > len(hits) else ""
    click.echo(f"{total} hit(s){shown}", err=True)
    sys.exit(0 if hits else 1)


@cli.command("index")
@click.argument("vault")
@click.option("--all", "everything", is_flag=True,
              help="Read every item again (after an upgrade that reads more kinds of text).")
def index_cmd(vault: str, everything: bool) -> None:
    """Read what is pending now: the details an import left, then the text to search (OCR is
    the `ocr` command's)."""
    from vault.evidence.details import run_detail_jobs
    from vault.search.index import (
        given_up,
        pending_counts,
        queue_index,
        run_index_jobs,
        text_problem,
    )

    done = failed = 0
    with open_vault(vault) as v:
        if everything:
            with v.transaction():
                queue_index(v, [int(r[0]) for r in v.con.execute(
                    "SELECT id FROM items WHERE status = 'present'")])
        for d in run_detail_jobs(v):
            if d.error:
                click.echo(f"details of {d.ref} not read yet: {d.error}", err=True)
        for p in run_index_jobs(v):
            done += 1
            if p.error:
                failed += 1
                click.echo(f"FAILED  {p.ref or p.item_id}: {p.error}", err=True)
        left = pending_counts(v)
        unreadable = given_up(v)
    for ref, kind, error in unreadable:
        click.echo(f"NOT SEARCHABLE  {ref}: {text_problem(kind, error)}", err=True)
    click.echo(f"{done - failed} item(s) indexed, {failed} failed; "
               f"{left['ocr']} waiting for OCR; {len(unreadable)} not searchable by their "
               "words", err=True)
    if failed:
        sys.exit(1)


@cli.command("tag")
@click.argument("vault")
@click.argument("ref")
@click.argument("tags", nargs=-1, required=True)
def tag_cmd(vault: str, ref: str, tags: tuple[str, ...]) -> None:
    """Put tags on an item (each one a custody event)."""
    from vault.evidence.tags import add_tag

    with open_vault(vault) as v:
        for t in tags:
            added = add_tag(v, ref, t)
            click.echo(f"{ref.upper()}\t{'tagged' if added else 'already tagged'}\t{t}")


@cli.command("untag")
@click.argument("vault")
@click.argument("ref")
@click.argument("tags", nargs=-1, required=True)
def untag_cmd(vault: str, ref: str, tags: tuple[str, ...]) -> None:
    """Take tags off an item (each one a custody event)."""
    from vault.evidence.tags import remove_tag

    with open_vault(vault) as v:
        for t in tags:
            remove_tag(v, ref, t)
            click.echo(f"{ref.upper()}\tuntagged\t{t}")


@cli.command("tags")
@click.argument("vault")
@click.argument("ref", required=False)
@click.option("--json", "as_json", is_flag=True)
def tags_cmd(vault: str, ref: str | None, as_json: bool) -> None:
    """Every tag with its number of items, or one item's tags."""
    from vault.evidence.tags import all_tags, tags_of

    with open_vault(vault) as v:
        if ref is not None:
            names = tags_of(v, ref)
            click.echo(json.dumps(names, ensure_ascii=False) if as_json else "\n".join(names))
        else:
            counted = all_tags(v)
            if as_json:
                click.echo(json.dumps([{"tag": n, "items": c} for n, c in counted],
                                      ensure_ascii=False))
            else:
                for n, c in counted:
                    click.echo(f"{c}\t{n}")
