"""The command line's timestamps commands (registered on `vault.cli.base.cli` when imported).

``tsa add|list|remove|enable|disable|presets``, ``stamp`` (exit 0 when nothing is still
waiting, 1 when something is) and ``timestamps``. See docs/timestamps.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vault.cli.base import _progress, cli, open_vault


@cli.group()
def tsa() -> None:
    """Time-Stamp Authorities (RFC 3161) that stamp the custody log's head and packages.

    None is contacted until added here. A preset (see 'tsa presets') with a bundled root
    needs no CA file; the others need the CA certificate their operator publishes (--ca).
    """


@tsa.command("add")
@click.argument("vault")
@click.argument("name")
@click.argument("url", required=False)
@click.option("--ca", "ca", default=None, type=click.Path(exists=True, dir_okay=False,
                                                            path_type=Path),
              help="The CA certificate (PEM or DER) the TSA's tokens must chain to; "
                   "optional for a preset with a bundled root.")
def tsa_add(vault: str, name: str, url: str | None, ca: Path | None) -> None:
    """Turn on the TSA NAME at URL (http:// or https://). URL may be left out when NAME is a
    preset, and --ca too when the preset has a bundled root."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from vault.timestamps.stamping import TsaConfigRefused, add_tsa, preset, preset_root

    p = preset(name)
    if url is None:
        if p is None:
            raise TsaConfigRefused(f"{name!r} is not a preset ('evidence-vault tsa presets'): "
                                   "give its URL")
        url = p.url
    if ca is not None:
        ca_bytes = ca.read_bytes()
    else:
        root = preset_root(p) if p is not None and url == p.url else None
        if root is None:
            raise TsaConfigRefused("give the TSA's CA certificate with --ca (only a preset "
                                   "with a bundled root can do without)")
        ca_bytes = root.public_bytes(Encoding.PEM)
    with open_vault(vault) as v:
        t = add_tsa(v, name, url, ca_bytes)
    click.echo(f"added {t.name}\t{t.url}\tCA {'; '.join(t.ca_subjects())}")


@tsa.command("list")
@click.argument("vault")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for machines.")
def tsa_list(vault: str, as_json: bool) -> None:
    """The configured TSAs, then the presets not added (available, never contacted)."""
    from vault.timestamps.stamping import PRESETS, list_tsas

    with open_vault(vault) as v:
        tsas = list_tsas(v)
    names = {t.name for t in tsas}
    available = [p for p in PRESETS if p.name not in names]
    if as_json:
        click.echo(json.dumps({"tsas": [t.to_dict() for t in tsas],
                               "presets_available": [p.__dict__ for p in available]},
                              indent=2))
        return
    for t in tsas:
        click.echo(f"{t.name}\t{t.url}\t{'enabled' if t.enabled else 'disabled'}\t{t.added}\t"
                   f"CA {'; '.join(t.ca_subjects())}")
    if not tsas:
        click.echo("no TSA configured: nothing is ever sent")
    for p in available:
        click.echo(f"preset (not added)\t{p.name}\t{p.url}\t{p.note}")


@tsa.command("presets")
def tsa_presets() -> None:
    """Well-known public TSAs that can be added (none is contacted unless added)."""
    from vault.timestamps.stamping import PRESETS

    for p in PRESETS:
        click.echo(f"{p.name}\t{p.url}\t{p.note}")


@tsa.command("remove")
@click.argument("vault")
@click.argument("name")
def tsa_remove(vault: str, name: str) -> None:
    """Stop using the TSA NAME; the tokens it gave are kept."""
    from vault.timestamps.stamping import remove_tsa

    with open_vault(vault) as v:
        remove_tsa(v, name)
    click.echo(f"removed {name} (its tokens are kept)")


@tsa.command("enable")
@click.argument("vault")
@click.argument("name")
def tsa_enable(vault: str, name: str) -> None:
    """Send waiting requests to the TSA NAME again."""
    from vault.timestamps.stamping import set_enabled

    with open_vault(vault) as v:
        set_enabled(v, name, True)
    click.echo(f"{name} enabled")


@tsa.command("disable")
@click.argument("vault")
@click.argument("name")
def tsa_disable(vault: str, name: str) -> None:
    """Stop contacting the TSA NAME (kept configured)."""
    from vault.timestamps.stamping import set_enabled

    with open_vault(vault) as v:
        set_enabled(v, name, False)
    click.echo(f"{name} disabled")


@cli.command()
@click.argument("vault")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 300),
              help="Seconds to wait for each TSA's answer.")
@click.option("--attach", "attach", default=None, type=click.Path(path_type=Path),
              help="Instead: add the signature timestamp this vault now holds to PACKAGE.zip, "
                   "exported while offline (no network).")
def stamp(vault: str, timeout: float, attach: Path | None) -> None:
    """Send what is queued to the enabled TSAs. Prints each request stamped (kind, subject,
    TSA, TSA time, clock difference) and each one still waiting with why. Exit 0 when nothing
    is waiting, 1 when something still is (it is sent again next time).

    With --attach PACKAGE.zip, nothing is sent: the token received for that package's
    signature is added to the package file."""
    from vault.timestamps.stamping import StampReport, stamp_pending

    if attach is not None:
        from vault.packages.stamp import attach_signature_token

        with open_vault(vault) as v:
            done = attach_signature_token(v, attach)
        click.echo(f"attached the signature timestamp of {done.tsa} ({done.gen_time}) to "
                   f"{done.path}")
        click.echo(f"package SHA-256 {done.new_sha256} (was {done.old_sha256})", err=True)
        return

    report = None
    with open_vault(vault) as v, _progress(1, "Stamping") as bar:
        for step in stamp_pending(v, timeout=timeout):
            if isinstance(step, StampReport):
                report = step
            else:
                bar.length = max(step.total, 1)
                bar.update(step.done - bar.pos)
    assert report is not None
    for s in report.stamped:
        line = f"STAMPED\t{s.kind}\t{s.subject}\t{s.tsa}\t{s.gen_time}\t"
        click.echo(line + f"skew {s.skew_seconds:+.1f} s" + (f"\t{s.warning}" if s.warning else ""))
    for p in report.waiting:
        click.echo(f"WAITING\t{p.kind}\t{p.subject}\t{p.reason}")
    for w in report.warnings:
        click.secho(w, fg="red", err=True)
    click.echo(f"{len(report.stamped)} stamped, {len(report.waiting)} still waiting"
               + (f", {len(report.warnings)} warning(s)" if report.warnings else ""), err=True)
    if report.waiting:
        sys.exit(1)


@cli.command("timestamps")
@click.argument("vault")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for machines.")
def timestamps_cmd(vault: str, as_json: bool) -> None:
    """The stored timestamp tokens, oldest first, then what is still waiting."""
    from vault.timestamps.stamping import pending, tokens_for

    with open_vault(vault) as v:
        tokens = tokens_for(v)
        waiting = pending(v)
    if as_json:
        click.echo(json.dumps({"tokens": [t.to_dict() for t in tokens],
                               "waiting": [p.to_dict() for p in waiting]}, indent=2))
        return
    for t in tokens:
        click.echo(f"{t.kind}\t{t.subject}\t{t.tsa}\t{t.gen_time}\treceived {t.local_time}\t"
                   f"skew {t.skew_seconds:+.1f} s" + (f"\t{t.warning}" if t.warning else ""))
    for p in waiting:
        click.echo(f"WAITING\t{p.kind}\t{p.subject}\t{p.reason}")
