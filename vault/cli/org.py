"""The command line's organisation-root and signing-certificate commands (registered on
`vault.cli.base.cli` when imported)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from vault.cli.base import _ask, cli, open_vault

ROOT_PASS_ENV = "EVIDENCE_VAULT_ROOT_PASSPHRASE"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@cli.group("org")
def org_group() -> None:
    """An organisation's root: it issues its investigators' signing certificates, and a
    recipient who trusts it recognises them all. Keep the folder offline. The root's
    passphrase is asked for, or read from EVIDENCE_VAULT_ROOT_PASSPHRASE."""


@org_group.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The organisation, e.g. 'Northbridge Survivors "
                                            "Campaign'.")
def org_init(folder: Path, name: str) -> None:
    """Make a root in FOLDER: root.pem to hand to recipients, root-key.pem kept offline."""
    from vault.signing.org_ca import ROOT_CERT, init_root

    root = init_root(folder, name, _ask(ROOT_PASS_ENV, "Root passphrase", confirm=True),
                     _now())
    click.echo(f"{folder / ROOT_CERT}\nroot fingerprint (SHA-256): {root.fingerprint}")


@org_group.command("issue")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("request", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 5))
def org_issue(folder: Path, request: Path, out: Path, years: int) -> None:
    """Issue a signing certificate for an investigator's REQUEST (certificate request)."""
    from vault.signing.org_ca import issue, open_root
    from vault.store.atomic import atomic_write

    root = open_root(folder, _ask(ROOT_PASS_ENV, "Root passphrase"))
    atomic_write(out, issue(root, request.read_bytes(), _now(), years))
    click.echo(str(out))


@org_group.command("revoke")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("fingerprint")
def org_revoke(folder: Path, fingerprint: str) -> None:
    """Revoke a certificate the root issued; hand the new revoked.crl to recipients."""
    from vault.signing.org_ca import open_root, revoke

    root = open_root(folder, _ask(ROOT_PASS_ENV, "Root passphrase"))
    click.echo(str(revoke(root, fingerprint, _now())))


@cli.group("certificate")
def certificate_group() -> None:
    """The vault's package-signing certificate: renew it, or have an organisation's root
    issue one for the vault's key. Each change is a custody event that packages carry."""


@certificate_group.command("show")
@click.argument("vault")
def certificate_show(vault: str) -> None:
    """The current certificate: subject, issuer, validity, fingerprint."""
    from vault.signing.certificate import current

    with open_vault(vault) as v:
        cert = current(v)
        fp = v.certificate_fingerprint()
    click.echo(f"subject: {cert.subject.rfc4514_string()}\nissuer: "
               f"{cert.issuer.rfc4514_string()}\nvalid: {cert.not_valid_before_utc:%Y-%m-%d} "
               f"to {cert.not_valid_after_utc:%Y-%m-%d}\nfingerprint (SHA-256): {fp}")


@certificate_group.command("renew")
@click.argument("vault")
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 5))
def certificate_renew(vault: str, years: int) -> None:
    """A new self-signed certificate for the same key (recipients who confirmed the old one
    recognise the new one through the custody log)."""
    from vault.signing.certificate import renew

    with open_vault(vault) as v:
        click.echo(f"new fingerprint (SHA-256): {renew(v, years)}")


@certificate_group.command("request")
@click.argument("vault")
@click.option("--out", required=True, type=click.Path(path_type=Path))
def certificate_request(vault: str, out: Path) -> None:
    """A certificate request for the organisation's root (no secret in it)."""
    from vault.signing.certificate import request
    from vault.store.atomic import atomic_write

    with open_vault(vault) as v:
        atomic_write(out, request(v))
    click.echo(str(out))


@certificate_group.command("install")
@click.argument("vault")
@click.argument("certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--root", "root", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The organisation's root.pem that issued it.")
def certificate_install(vault: str, certificate: Path, root: Path) -> None:
    """Use a CERTIFICATE the organisation's root issued for this vault's key."""
    from vault.signing.certificate import install

    with open_vault(vault) as v:
        fp = install(v, certificate.read_bytes(), root.read_bytes())
    click.echo(f"installed; fingerprint (SHA-256): {fp}")
