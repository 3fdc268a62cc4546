"""The command line's OCR commands (registered on `vault.cli.base.cli` when imported)."""

from __future__ import annotations

import sys

import click

from vault.cli.base import _progress, cli, open_vault


@cli.command("ocr")
@click.argument("vault")
@click.option("--languages", default="eng+cym", show_default=True,
              help="Tesseract languages, joined by '+'.")
def ocr_cmd(vault: str, languages: str) -> None:
    """Read the scans and photos waiting for OCR, in the foreground.

    Prints "REF: N pages read" for each item read to the end. Ctrl-C stops: the pages
    already read are kept and the rest stays queued."""
    from vault.search.index import run_index_jobs
    from vault.search.ocr import pending_ocr, require_tesseract, run_ocr_jobs

    require_tesseract(languages)
    failed = 0
    with open_vault(vault) as v, _progress(1, "Reading") as bar:
        for _done in run_index_jobs(v):  # indexing is what finds the pages without text
            pass
        for p in run_ocr_jobs(v, languages=languages):
            bar.length = max(p.pages_total, 1)
            bar.update(p.pages_done - bar.pos)
            if p.page is not None and not sys.stderr.isatty():
                click.echo(f"{p.ref}: page {p.page} read ({p.pages_done}/{p.pages_total})",
                           err=True)
            if p.finished and p.error is not None:
                failed += 1
                click.echo(f"{p.ref}: FAILED: {p.error}", err=True)
            elif p.finished:
                click.echo(f"{p.ref}: {p.item_pages} pages read")
                sys.stdout.flush()
        left = pending_ocr(v)
    if left:
        click.echo(f"{len(left)} still queued; {failed} failed in this run (a failed item is "
                   f"tried again by the next `evidence-vault ocr`, up to 3 times)", err=True)
    if failed:
        sys.exit(1)


@cli.command("ocr-text")
@click.argument("vault")
@click.argument("ref")
def ocr_text_cmd(vault: str, ref: str) -> None:
    """Print the text read by OCR from the item REF, page by page."""
    from vault.search.ocr import ocr_text

    with open_vault(vault) as v:
        pages = ocr_text(v, ref)
    if not pages:
        click.echo(f"No text was read from {ref.strip().upper()} by OCR.", err=True)
    for page, text in pages:
        click.echo(f"--- page {page} ---")
        click.echo(text)
