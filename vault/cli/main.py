"""``evidence-vault``: the command line, a thin layer over the core.

Exit codes (docs/user-guide.md): 0 success; 1 the operation failed or found problems;
2 usage error or refused input; 3 wrong passphrase or recovery key; 4 the vault cannot be
used (not a vault, damaged, newer format, in use); 5 the system refused (disk full, permission);
70 internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import IO, Any

import click

from vault.cli.base import (  # the shared parts; the commands below register on cli
    EXIT_BUG,
    NEW_PASS_ENV,
    PACKAGE_PASS_ENV,
    PASS_ENV,
    RECOVERY_ENV,
    _ask,
    _human,
    _progress,
    _warn_open,
    cli,
    open_vault,
    plain,
)
from vault.errors import VaultError, WrongSecret
from vault.store.identity import Identity
from vault.store.vault import Vault


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The investigator's full name.")
@click.option("--initials", required=True, help="Initials for exhibit references (MO/1).")
@click.option("--role", default="", help="Role, for example 'Investigator'.")
@click.option("--organisation", default="", help="Organisation or campaign.")
@click.option("--email", default="", help="Contact email, written into evidence packages.")
def init(path: Path, name: str, initials: str, role: str, organisation: str, email: str) -> None:
    """Create a vault at PATH (a folder NAME.evault); prints the recovery key once."""
    identity = Identity(name=name, initials=initials.upper(), role=role, organisation=organisation,
                        email=email)
    passphrase = _ask(PASS_ENV, "New passphrase", confirm=True)
    v, recovery = Vault.create(path, passphrase, identity)
    with v:
        click.echo(f"Created {v.folder}")
        click.echo(f"Custody key fingerprint: {v.fingerprint()}")
        click.echo(f"Signing certificate fingerprint (SHA-256): {v.certificate_fingerprint()}")
    click.echo("")
    click.echo("RECOVERY KEY (shown once; write it down and keep it apart from this laptop):")
    click.echo(f"    {recovery}")


@cli.command("import")
@click.argument("vault")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--case", default=None, help="The case the items belong to.")
@click.option("--received-from", default="", help="How and from whom the batch was received.")
def import_cmd(vault: str, paths: tuple[Path, ...], case: str | None, received_from: str) -> None:
    """Import files and folders (recursively). Each line printed is committed to the vault."""
    from vault.evidence.importer import FAILED, RECEIVED_AGAIN, import_paths

    counts = {"imported": 0, RECEIVED_AGAIN: 0, FAILED: 0}
    results = []
    with open_vault(vault) as v, _progress(1, "Importing") as bar:
        for p in import_paths(v, paths, case=case, received_from=received_from,
                              details="queue"):
            bar.length = max(p.bytes_total, 1)
            bar.update(p.bytes_done - bar.pos)
            for r in p.acknowledged:
                results.append(r)
                counts[r.status] = counts.get(r.status, 0) + 1
                if r.status == FAILED:
                    click.echo(f"FAILED  {plain(r.source)}: {plain(r.error)}", err=True)
                else:
                    click.echo(f"{r.ref}\t{r.status}\t{r.sha256}\t{plain(r.source)}")
                    sys.stdout.flush()
        from vault.evidence.children import run_children_jobs
        from vault.evidence.details import run_detail_jobs
        from vault.search.index import run_index_jobs

        # every file is acknowledged above; now the items inside them (attachments, a
        # mailbox's messages), their details, then their text
        for r in run_children_jobs(v):
            results.append(r)
            counts[r.status] = counts.get(r.status, 0) + 1
            click.echo(f"{r.ref}\t{r.status}\t{r.sha256}\t{plain(r.source)}")
        later = {d.ref: d.warnings for d in run_detail_jobs(v)}
        for _done in run_index_jobs(v):  # the text made searchable (OCR waits for `ocr`)
            pass
    warned = [f"{r.ref} ({plain(Path(r.source).name)}): {plain(w)}"
              for r in results for w in [*r.warnings, *later.get(str(r.ref), [])]]
    for w in warned:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{counts['imported']} imported, {counts[RECEIVED_AGAIN]} received again, "
               f"{counts[FAILED]} failed, {len(warned)} warning(s)", err=True)
    if counts[FAILED]:
        sys.exit(1)


@cli.command("list")
@click.argument("vault")
@click.option("--case", default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON document for machines.")
def list_cmd(vault: str, case: str | None, as_json: bool) -> None:
    """List the items: reference, name, size, SHA-256, received time, case."""
    from vault.evidence.items import list_items

    with open_vault(vault) as v:
        items = list_items(v, case)
    if as_json:
        click.echo(json.dumps([i.summary() for i in items], indent=2))
        return
    for i in items:
        status = "" if i.status == "present" else f"  [{i.status.upper()}]"
        if i.withdrawn is not None:
            status += f"  [withdrawn{', superseded by ' + i.withdrawn if i.withdrawn else ''}]"
        click.echo(f"{i.ref}\t{plain(i.name)}\t{i.size}\t{i.sha256}\t{i.received}\t"
                   f"{plain(i.case or '-')}{status}")


@cli.command()
@click.argument("vault")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
def show(vault: str, ref: str, as_json: bool) -> None:
    """Show an item: provenance, metadata, warnings and custody timeline."""
    from vault.evidence.items import get_item, provenance
    from vault.search.index import given_up, text_problem

    with open_vault(vault) as v:
        item = get_item(v, ref)
        prov = provenance(v, item.ref)
        timeline = [e.fields for e in v.events(item.ref)]
        unreadable = [u for u in given_up(v) if u[0] == item.ref]
        from vault.evidence.children import thread
        from vault.evidence.private_details import private_record

        private = {str(p["private_sha256"]): private_record(v.con, str(p["private_sha256"]))
                   for p in prov if p.get("private_sha256")}

        links = thread(v, item.ref) if item.mime == "message/rfc822" else {}
    if as_json:
        click.echo(json.dumps({**item.summary(), "metadata": item.metadata,
                               "provenance": prov, "custody": timeline,
                               "private_details": private}, indent=2))
        return
    click.echo(f"{item.ref}  {item.name}")
    click.echo(f"  SHA-256   {item.sha256}")
    click.echo(f"  size      {item.size} bytes ({_human(item.size)})")
    click.echo(f"  type      {item.mime}")
    click.echo(f"  case      {item.case or '-'}")
    click.echo(f"  status    {item.status}")
    for p in prov:
        click.echo(f"  received  {p['received']} from {p['received_from'] or '(not stated)'}")
        kept = private.get(str(p.get("private_sha256") or "")) or {}
        click.echo(f"            {kept.get('original_path') or p['original_path']} "
                   f"(modified {p['modified']})")
    for k, val in item.metadata.items():
        click.echo(f"  {k:<9} {json.dumps(val) if isinstance(val, dict | list) else val}")
    for w in item.warnings:
        click.secho(f"  warning   {w}", fg="yellow")
    for _ref, kind, error in unreadable:
        click.secho(f"  text      {text_problem(kind, error)}", fg="yellow")
    for what, refs in links.items():
        if refs:
            click.echo(f"  {what}: {', '.join(refs)}")
    for p in prov:
        if p.get("sender_history"):
            pkg = p.get("package") or {}
            click.echo(f"  history before receipt (signed by the sender, custody key "
                       f"{pkg.get('sender_custody_key_fingerprint', '?')}):")
            for rec in p["sender_history"]:
                e = rec["event"]
                click.echo(f"    sender #{e['seq']} {e['time']} {e['action']} by "
                           f"{e['actor']['name']}")
    click.echo("  custody:")
    from vault.custody.log import done_by

    for e in timeline:
        click.echo(f"    #{e['seq']} {e['time']} {e['action']} by {done_by(e)}")


@cli.command()
@click.argument("vault")
@click.argument("ref")
@click.argument("dest", type=click.Path(path_type=Path))
def extract(vault: str, ref: str, dest: Path) -> None:
    """Write an item's exact bytes to DEST (recorded in the custody log)."""
    from vault.evidence.copyout import extract_item

    with open_vault(vault) as v:
        target = extract_item(v, ref, dest)
    click.echo(str(target))


@cli.command()
@click.argument("vault")
@click.option("--json", "as_json", is_flag=True)
@click.option("--item", default=None, help="Only this item's events.")
def log(vault: str, as_json: bool, item: str | None) -> None:
    """Print the custody log."""
    with open_vault(vault) as v:
        events = list(v.events(item.upper() if item else None))
    for e in events:
        if as_json:
            click.echo(e.to_line().decode())
        else:
            f = e.fields
            click.echo(f"#{f['seq']}\t{f['time']}\t{f['action']}\t{f['item'] or '-'}\t"
                       f"{f['actor']['name']}\t{e.hash[:16]}")


@cli.command()
@click.argument("vault")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="A package exported from this vault earlier: check that the vault's log "
                   "still extends its custody log.")
def check(vault: str, previous: Path | None) -> None:
    """Re-read every object, recompute every hash, verify the chain and every signature."""
    from vault.store.check import CheckReport
    from vault.store.check import check as run

    history = None
    with open_vault(vault) as v:
        if previous is not None:
            from vault.packages.verify import compare_vault_with_package

            history = compare_vault_with_package(v, previous)
        report = None
        with _progress(1, "Checking") as bar:
            for step in run(v):
                if isinstance(step, CheckReport):
                    report = step
                else:
                    bar.length = max(step.total_bytes, 1)
                    bar.update(step.done_bytes - bar.pos)
    assert report is not None
    click.echo(f"{report.items_checked} items, {report.bytes_checked} bytes, "
               f"{report.events_checked} custody events checked")
    if history is not None:
        click.echo(f"{'history' if history.ok else 'PROBLEM: history'}: {history.message}")
    for w in report.warnings:
        click.echo(f"WARNING: {w}")
    if report.ok and (history is None or history.ok):
        click.echo("OK: every object matches its hash; the custody chain and signatures verify")
        return
    for p in report.problems:
        click.echo(f"PROBLEM: {p}")
    sys.exit(1)


@cli.command()
@click.argument("vault")
@click.argument("ref")
@click.option("--text", "texts", multiple=True,
              help="Also black out every occurrence of this text (case-insensitive); repeat "
                   "for more. PDFs only.")
@click.option("--reason", default="", help="Reason code printed in the boxes found by --text: "
              "S1 third party's personal data, S2 would identify a survivor, witness or child, "
              "S3 contact details, S4 health or social care, LP privilege, NR not relevant.")
@click.option("--blur", is_flag=True, help="Photos: blur the marked areas instead of blacking "
                                           "them out (weaker: only if you must).")
@click.option("--password", default=None, help="The password of a password-protected PDF "
              "(better: --password-file, which keeps it out of the list of running programs).")
@click.option("--text-file", type=click.File("r", encoding="utf-8"), default=None,
              help="The words to black out, one text per line, from a file or - (standard "
                   "input): kept out of the list of running programs and the shell's history.")
@click.option("--password-file", type=click.File("r", encoding="utf-8"), default=None,
              help="The PDF's password, the first line of a file or - (standard input).")
def redact(vault: str, ref: str, texts: tuple[str, ...], reason: str, blur: bool,
           password: str | None, text_file: IO[str] | None,
           password_file: IO[str] | None) -> None:
    """Make a redacted copy of REF as a new item (the original is untouched): its redaction
    marks and every occurrence of each --text removed and blacked out, hidden data stripped.
    Prints the new item's reference."""
    from vault.documents.derive import redacted_copy
    from vault.documents.redaction_reasons import normalised, reason_warning

    if texts:
        click.echo("WARNING: words given with --text can be seen by other programs while "
                   "this runs and stay in your shell's history (often a survivor's name): "
                   "use --text-file, or --text-file - to type them", err=True)
    if password is not None:
        click.echo("WARNING: a password given with --password can be seen by other programs "
                   "and stays in your shell's history: use --password-file", err=True)
    if text_file is not None:
        texts = (*texts, *(line.strip() for line in text_file if line.strip()))
    if password_file is not None:
        password = password_file.readline().rstrip("\r\n")
    caution = reason_warning(reason)
    if caution:
        click.echo(f"WARNING: {caution}", err=True)
    with open_vault(vault) as v:
        result = redacted_copy(v, ref, texts=texts, blur=blur, password=password,
                               reason=normalised(reason))
    click.echo(result.ref)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)


@cli.command()
@click.argument("vault")
@click.argument("ref")
@click.option("--reason", required=True, help="Why (for example: the surname on page 2 was "
              "left visible).")
@click.option("--superseded-by", default=None, help="The copy that replaces it.")
def withdraw(vault: str, ref: str, reason: str, superseded_by: str | None) -> None:
    """Withdraw the copy REF (a redacted copy that leaked, say): it is kept as evidence,
    shown as withdrawn, and left out of a case's exports unless asked for."""
    from vault.evidence.withdraw import withdraw_copy

    with open_vault(vault) as v:
        ev = withdraw_copy(v, ref, reason, superseded_by=superseded_by)
    newer = ev.fields["details"]["superseded_by"]
    click.echo(f"{ev.fields['item']} is withdrawn" +
               (f", superseded by {newer}" if newer else "") + ".")


@cli.command()
@click.argument("vault")
@click.option("--discard", is_flag=True, help="Delete them for good (recorded in the custody "
              "log): only once you are sure no newer copy of index.db exists.")
@click.option("--reason", default="", help="With --discard: why (recorded).")
def orphans(vault: str, discard: bool, reason: str) -> None:
    """List the encrypted files the index does not name (objects/orphaned/): left by an
    interrupted import, or the index was restored from an older copy. Putting the newer
    index.db back returns them; --discard deletes them, recorded."""
    from vault.store.orphans import discard_orphans

    with open_vault(vault) as v:
        names = v.objects.orphaned()
        for name in names:
            size = (v.objects.root / "orphaned" / name).stat().st_size
            click.echo(f"{name}\t{size}")
        if not names:
            click.echo("no orphaned files", err=True)
        elif discard:
            discard_orphans(v, reason)
            click.echo(f"{len(names)} orphaned file(s) discarded (recorded in the custody log)",
                       err=True)


@cli.command("accept-restore")
@click.argument("vault")
@click.option("--reason", required=True, help="Why you go on with this older copy.")
def accept_restore_cmd(vault: str, reason: str) -> None:
    """Go on with a vault that was put back from an older copy (the WARNING on open says
    so): recorded in its custody log; this computer then stops warning about it."""
    from vault.store.orphans import accept_restore

    with open_vault(vault) as v:
        accept_restore(v, reason)
    click.echo("accepted: recorded in the custody log", err=True)


@cli.command("annotations")
@click.argument("vault")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for machines.")
def annotations_cmd(vault: str, ref: str, as_json: bool) -> None:
    """List an item's annotations, oldest first (page numbers from 1)."""
    from vault.documents.annotations import annotations

    with open_vault(vault) as v:
        found = annotations(v, ref)
    if as_json:
        click.echo(json.dumps([a.to_dict() for a in found], indent=2, ensure_ascii=False))
        return
    for a in found:
        extra = f"\t{a.reason}" if a.reason else ""
        click.echo(f"{a.id}\tpage {a.page + 1}\t{a.kind}\t{json.dumps(a.geometry)}\t"
                   f"{a.colour}\t{a.author}\t{a.created}\t{' '.join(a.text.split())}{extra}")


@cli.command()
@click.argument("vault")
def passwd(vault: str) -> None:
    """Change the passphrase (instant, whatever the vault's size).

    This does not lock anyone out who already has the old passphrase and an older copy of
    the vault's header (a backup, a synced copy), nor anyone with the recovery key: if the
    passphrase or the recovery key may have been seen, use 'rekey' instead."""
    with open_vault(vault) as v:
        v.change_passphrase(_ask(NEW_PASS_ENV, "New passphrase", confirm=True))
    click.echo("Passphrase changed.")
    click.echo("If you think the old passphrase or the recovery key was seen by someone, run "
               "'evidence-vault rekey' as well: a passphrase change alone does not lock out a "
               "copy of the vault made before it, or the recovery key.")


@cli.command()
@click.argument("vault")
@click.option("--reason", default="", help="Why (kept in the chain of custody).")
def rekey(vault: str, reason: str) -> None:
    """Replace the vault's keys: a new passphrase and a new recovery key, and the index
    re-encrypted, so that the old passphrase, the old recovery key and any older copy of the
    header open nothing in this vault. (Backups made before keep their old keys.)"""
    from vault.store.key_change import replace_keys
    from vault.store.keyslots import new_recovery_key, parse_recovery_key

    with open_vault(vault) as v:
        new = _ask(NEW_PASS_ENV, "New passphrase", confirm=True)
        key = new_recovery_key()
        click.echo("NEW RECOVERY KEY (write it down and keep it apart from this laptop; the "
                   "old one stops working):")
        click.echo(f"    {key}")
        sys.stdout.flush()
        typed = click.prompt("Type the new recovery key back", err=True, default="",
                             show_default=False)
        try:
            same = parse_recovery_key(typed) == parse_recovery_key(key)
        except WrongSecret:
            same = False
        if not same:
            raise click.ClickException("the recovery key typed back differs from the one shown. "
                                       "Nothing was changed: the old passphrase and recovery key "
                                       "still open the vault")
        click.echo("Replacing the keys (the index is re-encrypted)…", err=True)
        replace_keys(v, new, key, reason=reason)
    click.echo("Keys replaced: the old passphrase and the old recovery key no longer open "
               "this vault. Backups made before this still open with the old ones: destroy "
               "them or make new ones.")


@cli.command()
@click.argument("vault")
def recover(vault: str) -> None:
    """Set a new passphrase using the recovery key."""
    from vault.custody import log as custody

    key = _ask(RECOVERY_ENV, "Recovery key")
    with Vault.open(vault, recovery_key=key) as v:
        _warn_open(v)
        v.change_passphrase(_ask(NEW_PASS_ENV, "New passphrase", confirm=True),
                            action=custody.RECOVERED, recovery_key=key)
    click.echo("Passphrase reset with the recovery key.")


@cli.command()
@click.argument("vault")
@click.argument("ref")
@click.option("--reason", required=True, help="Why this material must be destroyed.")
def purge(vault: str, ref: str, reason: str) -> None:
    """Destroy an item's content for good; its hash and a purge event remain."""
    from vault.evidence.purge import purge as run

    with open_vault(vault) as v:
        run(v, ref, reason)
    click.echo(f"{ref.upper()} purged.")


@cli.command()
@click.argument("vault")
@click.argument("dest", type=click.Path(path_type=Path))
def backup(vault: str, dest: Path) -> None:
    """Write a consistent, encrypted copy of the vault to DEST."""
    from vault.store.backup import backup as run

    with open_vault(vault) as v:
        target = run(v, dest)
    click.echo(str(target))


@cli.command()
@click.argument("vault")
@click.option("--custody", "custody_key", is_flag=True, help="The custody key's fingerprint.")
def fingerprint(vault: str, custody_key: bool) -> None:
    """Print the signing certificate's SHA-256 fingerprint (to read to the solicitor); with
    --custody, the custody key's fingerprint instead."""
    with open_vault(vault) as v:
        click.echo(v.fingerprint() if custody_key else v.certificate_fingerprint())


@cli.command()
@click.argument("vault")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The package file to write (FILE.zip).")
@click.option("--case", default=None, help="Export every exhibit of this case.")
@click.argument("refs", nargs=-1)
@click.option("--recipient", default="", help="Who the package is for (recorded).")
@click.option("--encrypt-to", default=None, help="Encrypt to this age public key (age1...).")
@click.option("--encrypt-passphrase", is_flag=True,
              help=f"Encrypt with a passphrase (asked for, or read from {PACKAGE_PASS_ENV}); "
                   "open it with 'age -d' or 'evidence-vault decrypt'.")
@click.option("--with-notes", is_flag=True,
              help="Send your notes and annotations on these exhibits too (left out unless "
                   "given: they may be privileged).")
@click.option("--include-withdrawn", is_flag=True,
              help="With --case: send its withdrawn copies too (left out unless given).")
@click.option("--chronology", "chronology", multiple=True,
              type=click.Choice(("neutral", "working", "cast", "matrix", "periods", "action",
                                 "elements", "gaps")),
              help="With --case: put this table of the case's chronology in the package, as "
                   "PDF, DOCX and CSV, its sources tied to the exhibits (repeatable; working, "
                   "elements and gaps are privileged).")
@click.option("--court", "court", multiple=True,
              type=click.Choice(("exhibit labels", "cover sheets", "continuity records",
                                 "statement lists", "non-sensitive schedule",
                                 "sensitive schedule")),
              help="With --case: put these court documents in the package as PDF (repeatable; "
                   "docs/court-bundle.md); every exhibit they name must go too.")
@click.option("--include-sensitive", is_flag=True,
              help="Let named exhibits on a sensitive schedule of unused material go (never "
                   "with --case).")
def export(vault: str, out: Path, case: str | None, refs: tuple[str, ...], recipient: str,
           encrypt_to: str | None, encrypt_passphrase: bool, with_notes: bool,
           include_withdrawn: bool, chronology: tuple[str, ...], court: tuple[str, ...],
           include_sensitive: bool) -> None:
    """Export exhibits (REFS, or --case) as one signed evidence package. Your notes and
    annotations, and a case's withdrawn copies, stay out unless asked for; material on a
    sensitive schedule never goes with a case, and named only with --include-sensitive."""
    from vault.packages.export import ExportResult, export_package, preview

    if bool(refs) == bool(case):
        raise click.UsageError("give either exhibit references or --case, not both or neither")
    if encrypt_to and encrypt_passphrase:
        raise click.UsageError("give --encrypt-to or --encrypt-passphrase, not both")
    package_passphrase = _ask(PACKAGE_PASS_ENV, "Package passphrase", confirm=True) \
        if encrypt_passphrase else None
    result = None
    chosen = [r.upper() for r in refs] or None
    with open_vault(vault) as v, _progress(1, "Exporting") as bar:
        seen = preview(v, refs=chosen, case=case, include_withdrawn=include_withdrawn,
                       include_sensitive=include_sensitive)
        for step in export_package(v, out, refs=chosen, case=case,
                                   include_sensitive=include_sensitive, court=court,
                                   recipient=recipient, encrypt_to=encrypt_to,
                                   passphrase=package_passphrase, notes=with_notes,
                                   include_withdrawn=include_withdrawn,
                                   chronology=chronology):
            if isinstance(step, ExportResult):
                result = step
            else:
                bar.length = max(step.total_bytes, 1)
                bar.update(step.done_bytes - bar.pos)
    assert result is not None
    click.echo(str(result.path))
    click.echo(f"signer fingerprint (SHA-256): {result.certificate_fingerprint}")
    click.echo(f"notes and annotations: {'included' if with_notes else 'left out'}"
               + (f" ({seen.notes})" if seen.notes else ""), err=True)
    if seen.withdrawn_left_out:
        click.echo("left out: " + ", ".join(f"{r} (withdrawn)" for r in seen.withdrawn_left_out),
                   err=True)
    if seen.sensitive_left_out:
        click.echo("left out: " + ", ".join(f"{r} (sensitive schedule)"
                                            for r in seen.sensitive_left_out), err=True)
    for copy, original in seen.redacted_with_original:
        click.echo(f"WARNING: {copy} is a redacted copy of {original}, and the original goes "
                   "too", err=True)
    if chronology:
        click.echo(f"chronology: {', '.join(chronology)}", err=True)
    if court:
        click.echo(f"court documents: {', '.join(court)}", err=True)
    click.echo(f"{len(result.exhibits)} exhibits; package SHA-256 {result.sha256}", err=True)
    if result.signature_timestamp:
        click.echo(f"signature timestamp: {result.signature_timestamp} "
                   f"(TSA: {result.signature_tsa})")
    elif result.timestamp_waiting:
        click.echo("signature timestamp: waiting (offline); run `evidence-vault stamp VAULT "
                   f"--attach {result.path.name}` later")


EXIT_SIGNER_UNCONFIRMED = 4


def _org_trust_options(command: Any) -> Any:
    """``--trust-root`` and ``--crl``, for the commands that judge a package's signer."""
    paths = click.Path(exists=True, dir_okay=False, path_type=Path)
    command = click.option("--crl", "crl", multiple=True, type=paths,
                           help="An organisation root's revocation list (revoked.crl); "
                                "repeatable.")(command)
    return click.option("--trust-root", "trust_root", multiple=True, type=paths,
                        help="An organisation's root certificate (root.pem): every signer it "
                             "issued a certificate to is recognised; repeatable.")(command)


@cli.command()
@click.argument("package", type=click.Path(path_type=Path))
@click.option("--signer", default=None,
              help="The certificate fingerprint the investigator gave you (by phone or letter): "
                   "confirms the signer for this check only.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None,
              help="Also save the verification report as HTML here.")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="An earlier package of the same vault: check that this one's custody log "
                   "extends it (nothing edited, removed or reordered).")
@click.option("--tsa-ca", "tsa_ca", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A Time-Stamp Authority root certificate (PEM or DER) to trust, besides the "
                   "bundled ones; repeatable.")
@_org_trust_options
@click.option("--identity", "identity", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="For a package encrypted to an age key: the identity file. A package "
                   f"encrypted to a passphrase asks for it ({PACKAGE_PASS_ENV}).")
def verify(package: Path, signer: str | None, as_json: bool, report_path: Path | None,
           previous: Path | None, tsa_ca: tuple[Path, ...], trust_root: tuple[Path, ...],
           crl: tuple[Path, ...], identity: Path | None) -> None:
    """Verify a package. Exit 0 verified (intact, and signed by a confirmed signer), 4 intact
    but the signer is not confirmed, 1 not verified, 2 usage error, 3 not a package.

    Signers are confirmed once with 'evidence-vault signers confirm PACKAGE' after comparing
    the fingerprint with the sender by phone or in person; or for one check with --signer.
    An encrypted package (.age) is decrypted in memory only, never to a file."""
    from vault.packages.verification import VERIFIED_CONFIRMED
    from vault.packages.verify import verify_package
    from vault.packages.verify_report import html_report
    from vault.signing.signers import KnownSigners
    from vault.timestamps.tsp import load_certificates

    roots = [c for f in tsa_ca for c in load_certificates(f.read_bytes())]
    known = KnownSigners.user()
    org_roots, crls = _org_trust(trust_root, crl)

    with _progress(1, "Verifying") as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        from vault.packages.age import open_for_checking

        decrypted = open_for_checking(package, identity_file=identity, passphrase=lambda: _ask(
            PACKAGE_PASS_ENV, "Package passphrase")) if package.is_file() else None
        try:
            result = verify_package(package, signer=signer, progress=progress,
                                    previous=previous, tsa_roots=roots,
                                    known=[("your list of known signers", known)],
                                    trust_roots=org_roots, crls=crls, source=decrypted)
        finally:
            if decrypted is not None:
                decrypted.close()
    if report_path is not None:
        report_path.write_text(html_report(package.name, result), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        confirmed = result.outcome == VERIFIED_CONFIRMED
        click.secho(result.headline(), fg="green" if confirmed else "red" if not result.intact
                    else "yellow", bold=True)
        if result.signer is not None:
            click.echo(f"  {result.signer.sentence()}")
            if not confirmed:
                click.echo("  Once you have compared it with the sender (not by the route the "
                           "package came), confirm this signer:\n"
                           f"    evidence-vault signers confirm \"{package}\" --how \"...\"")
        # Problems first, then what passed.
        for c in sorted(result.checks, key=lambda c: c.ok):
            click.echo(f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
        for t in result.timestamps:
            click.echo(f"  {t.describe()}")
        for w in result.warnings:
            click.secho(f"  WARNING: {w}", fg="yellow")
    sys.exit(0 if result.outcome == VERIFIED_CONFIRMED else 1 if not result.intact
             else EXIT_SIGNER_UNCONFIRMED)


def _org_trust(roots: tuple[Path, ...], crls: tuple[Path, ...]) -> tuple[list[Any], list[Any]]:
    """The organisation roots and revocation lists named on the command line."""
    from vault.signing.org_ca import load_crls
    from vault.timestamps.tsp import load_certificates

    certs = [c for f in roots for c in load_certificates(f.read_bytes())]
    return certs, [c for f in crls for c in load_crls(f.read_bytes())]


@cli.command()
@click.argument("vault")
@click.argument("package", type=click.Path(exists=True, path_type=Path))
@click.option("--case", default=None, help="The case to file the exhibits under.")
@click.option("--signer", default=None,
              help="The certificate fingerprint the sender gave you: confirms the signer for "
                   "this package only.")
@click.option("--allow-unconfirmed-signer", is_flag=True,
              help="Receive an intact package even though its signer is not confirmed.")
@click.option("--keep-unverified", is_flag=True,
              help="Preserve a package that does not verify as one unverified item.")
@click.option("--allow-other-signer", is_flag=True,
              help="Receive it although exhibits it holds came before from a package signed "
                   "by another key (they are then received again into their history).")
@_org_trust_options
def receive(vault: str, package: Path, case: str | None, signer: str | None,
            allow_unconfirmed_signer: bool, keep_unverified: bool, allow_other_signer: bool,
            trust_root: tuple[Path, ...], crl: tuple[Path, ...]) -> None:
    """Take a verified package into this vault; the chain of custody continues. Its signer
    must be confirmed (your list of known signers, this vault's list, or --signer)."""
    from vault.packages.receive import receive_package
    from vault.signing.signers import KnownSigners

    known = [("your list of known signers", KnownSigners.user())]
    org_roots, crls = _org_trust(trust_root, crl)
    with open_vault(vault) as v:
        receipt = receive_package(v, package, case=case, keep_unverified=keep_unverified,
                                  signer=signer, known=known,
                                  allow_unconfirmed=allow_unconfirmed_signer,
                                  trust_roots=org_roots, crls=crls,
                                  merge_other_signers=allow_other_signer)
    click.echo(receipt.verification.headline(), err=True)
    for r in receipt.results:
        click.echo(f"{r.ref}\t{r.status}\t{r.sha256}")
    if receipt.preserved_unverified:
        sys.exit(1)


@cli.command()
@click.argument("package", type=click.Path(exists=True, path_type=Path))
@click.option("--identity", "identity", default=None,
              type=click.Path(exists=True, path_type=Path),
              help="The age identity file (AGE-SECRET-KEY-...), for a package encrypted to a "
                   f"key. A passphrase package asks for its passphrase ({PACKAGE_PASS_ENV}).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path))
def decrypt(package: Path, identity: Path | None, out: Path) -> None:
    """Decrypt an age-encrypted package to OUT (the same as 'age -d')."""
    from vault.packages.age import decrypt_package

    decrypt_package(package, out, identity_file=identity,
                    passphrase=lambda: _ask(PACKAGE_PASS_ENV, "Package passphrase"))
    click.echo(str(out))


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo vault and print its passphrase.")
def demo(keep: bool) -> None:
    """Create a throwaway vault, import the sample evidence, check it, say what was done."""
    from vault.cli.demo import run_demo

    run_demo(keep=keep, echo=click.echo)


@cli.command("self-test")
def self_test() -> None:
    """Check that this installation works, with no display: a throwaway vault in a temporary
    folder, SQLCipher's version, a made-up PDF and photos imported, a page drawn and read by
    OCR, a package exported and verified. Exit code 0 when everything works, 1 if not."""
    from vault.install.selftest import run_self_test

    click.echo("Checking this installation (about 10 seconds)...", err=True)
    result = run_self_test(step=lambda s: click.echo(
        f"  {'ok' if s.ok else 'FAILED'}: {s.name}", err=True))
    click.echo("\n".join(result.lines()))
    if not result.ok:
        sys.exit(1)


# Commands kept in modules of their own register themselves on `cli` when imported.
from vault.cli import chronology as _chronology  # noqa: E402,F401
from vault.cli import court as _court  # noqa: E402,F401
from vault.cli import ocr as _ocr  # noqa: E402,F401
from vault.cli import org as _org  # noqa: E402,F401
from vault.cli import search as _search  # noqa: E402,F401
from vault.cli import signers as _signers  # noqa: E402,F401
from vault.cli import timestamps as _timestamps  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    from vault.memory import keep_freed_memory
    from vault.process_safety import harden

    harden()  # no core dump, not attachable; secret variables out of the environment
    keep_freed_memory()  # 1 MiB pieces freed and made again, without page faults
    try:
        cli.main(args=argv, prog_name="evidence-vault", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except VaultError as e:
        click.echo(f"evidence-vault: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; everything already reported as done is kept.", err=True)
        sys.exit(130)
    except Exception as e:  # a bug: say so plainly; the traceback only on request
        click.echo(f"evidence-vault: internal error ({type(e).__name__}: {e}). This is a bug; "
                   "nothing acknowledged was lost. Run with EVIDENCE_VAULT_DEBUG=1 for details.",
                   err=True)
        if os.environ.get("EVIDENCE_VAULT_DEBUG"):
            traceback.print_exc()
        sys.exit(EXIT_BUG)
