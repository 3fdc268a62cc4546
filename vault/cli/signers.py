"""The command line's known-signers commands (registered on `vault.cli.base.cli` when imported)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from vault.cli.base import cli, open_vault
from vault.errors import VaultError
from vault.signing.signers import (
    KnownSigner,
    KnownSigners,
    display_fingerprint,
    spoken_fingerprint,
    user_file,
)


@cli.group("signers")
def signers_group() -> None:
    """The signers you have confirmed: a package they sign verifies as theirs.

    Your list is kept outside any vault, in your configuration folder (or the file named by
    EVIDENCE_VAULT_KNOWN_SIGNERS); it holds names and fingerprints, no evidence. With
    --vault, the list is the vault's own (inside the encrypted vault)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _save(signer: KnownSigner, vault: str | None) -> str:
    if vault is None:
        KnownSigners.user().add(signer)
        return f"your list ({user_file()})"
    from vault.packages.receive import confirm_in_vault

    with open_vault(vault) as v:
        confirm_in_vault(v, signer)
    return "the vault's list"


@signers_group.command("confirm")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--how", required=True,
              help="How you confirmed the fingerprint, e.g. 'read out on the phone, 12 May'.")
@click.option("--vault", default=None, help="Add to this vault's own list instead of yours.")
def confirm_cmd(package: Path, how: str, vault: str | None) -> None:
    """Confirm the signer of an intact PACKAGE, after comparing its fingerprint with the
    sender through another channel."""
    from vault.packages.verify import verify_package

    result = verify_package(package)
    if not result.intact:
        raise VaultError(f"the package is NOT VERIFIED ({result.reason}): its signer cannot "
                         "be confirmed from it")
    signer = KnownSigner(result.signer_name, result.signer_organisation,
                         display_fingerprint(result.signer_fingerprint),
                         result.custody_fingerprint, _now(), how)
    where = _save(signer, vault)
    click.echo(f"Confirmed {signer.name} ({signer.organisation}), certificate "
               f"{signer.certificate_fingerprint}, in {where}.")


@signers_group.command("add")
@click.argument("fingerprint")
@click.option("--name", required=True)
@click.option("--organisation", default="")
@click.option("--custody-key", default="", help="The custody key fingerprint, if given.")
@click.option("--how", required=True, help="How you got the fingerprint.")
@click.option("--vault", default=None, help="Add to this vault's own list instead of yours.")
def add_cmd(fingerprint: str, name: str, organisation: str, custody_key: str, how: str,
            vault: str | None) -> None:
    """Add a signer by the certificate FINGERPRINT the sender read out or wrote down."""
    try:
        signer = KnownSigner.from_dict({
            "name": name, "organisation": organisation, "certificate_fingerprint": fingerprint,
            "custody_key_fingerprint": custody_key, "confirmed": _now(), "how": how})
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="FINGERPRINT") from e
    where = _save(signer, vault)
    click.echo(f"Added {signer.name}, certificate {signer.certificate_fingerprint}, to {where}.")


@signers_group.command("trust-root")
@click.argument("root", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--how", required=True,
              help="How you got the root, e.g. 'handed over by the campaign, 12 May'.")
def trust_root_cmd(root: Path, how: str) -> None:
    """Recognise every signer whose certificate an organisation's ROOT (root.pem) issued."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from vault.signing.certs import cert_fingerprint
    from vault.signing.signers import TrustedRoot

    try:
        cert = x509.load_pem_x509_certificate(root.read_bytes())
    except ValueError as e:
        raise click.BadParameter("not a PEM certificate", param_hint="ROOT") from e
    fp = cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))
    KnownSigners.user().add_root(TrustedRoot(
        cert.subject.rfc4514_string(), fp,
        cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), _now(), how))
    click.echo(f"Trusted {cert.subject.rfc4514_string()}, root {fp}, in your list "
               f"({user_file()}).")


@signers_group.command("list")
@click.option("--vault", default=None, help="The vault's own list instead of yours.")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(vault: str | None, as_json: bool) -> None:
    """The confirmed signers."""
    if vault is None:
        found = KnownSigners.user().signers
    else:
        from vault.packages.receive import vault_signers

        with open_vault(vault) as v:
            found = vault_signers(v).signers
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False))
        return
    for s in found:
        click.echo(f"{s.name}\t{s.organisation}\t{s.certificate_fingerprint}\t"
                   f"{s.confirmed}\t{s.how}")


@signers_group.command("remove")
@click.argument("fingerprint")
def remove_cmd(fingerprint: str) -> None:
    """Remove a signer from your list."""
    if not KnownSigners.user().remove(fingerprint):
        raise VaultError(f"no signer with the fingerprint {fingerprint} in your list")
    click.echo("Removed.")


@cli.command("card")
@click.argument("vault")
def card_cmd(vault: str) -> None:
    """The fingerprints to hand over or read out to a recipient, once, by another route than
    the packages."""
    with open_vault(vault) as v:
        ident, cert, custody_fp = v.identity, v.certificate_fingerprint(), v.fingerprint()
    click.echo(f"Evidence Vault signer: {ident.name}"
               + (f", {ident.organisation}" if ident.organisation else ""))
    click.echo("Package-signing certificate (SHA-256), to read aloud in groups of four:")
    click.echo(f"  {spoken_fingerprint(cert)}")
    click.echo(f"  {cert}")
    click.echo(f"Custody key: {custody_fp}")
    click.echo("The recipient confirms it with:")
    click.echo(f'  evidence-vault signers add "{cert}" --name "{ident.name}" '
               f'--organisation "{ident.organisation}" --custody-key "{custody_fp}" '
               '--how "read out by phone on ..."')
