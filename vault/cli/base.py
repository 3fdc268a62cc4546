"""What every command of ``evidence-vault`` shares: the ``cli`` group they register on,
asking for secrets, opening a vault, progress bars and plain output. Below every command
module (vault/cli/main.py and the other vault/cli/*.py groups), so none of them imports
another."""

from __future__ import annotations

import sys
from typing import Any

import click

from vault import __version__
from vault.store.vault import Vault

PASS_ENV = "EVIDENCE_VAULT_PASSPHRASE"
NEW_PASS_ENV = "EVIDENCE_VAULT_NEW_PASSPHRASE"
RECOVERY_ENV = "EVIDENCE_VAULT_RECOVERY_KEY"
PACKAGE_PASS_ENV = "EVIDENCE_VAULT_PACKAGE_PASSPHRASE"
EXIT_BUG = 70


def _ask(env: str, prompt: str, *, confirm: bool = False) -> str:
    from vault.process_safety import secret

    value = secret(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError(f"no terminal to ask for the {prompt.lower()}: set {env}")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


def open_vault(path: str) -> Vault:
    v = Vault.open(path, passphrase=_ask(PASS_ENV, "Passphrase"))
    _warn_open(v)
    return v


def _warn_open(v: Vault) -> None:
    for w in [*v.open_warnings, *v.kdf_warnings, *v.notices]:
        click.secho(f"WARNING: {w}", fg="red", err=True)


def _progress(total: int, label: str) -> Any:
    """A progress bar on stderr, shown only on a terminal."""
    return click.progressbar(length=max(total, 1), label=label, file=sys.stderr,
                             hidden=not sys.stderr.isatty(), show_pos=False, show_percent=True)


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def plain(text: object) -> str:
    """A field of the tab-separated output: backslash, tab, newline and carriage return
    escaped as \\\\, \\t, \\n and \\r, other control and line-breaking characters as
    \\xNN or \\uNNNN, so that one record is one line and its fields never split."""
    out = []
    for c in str(text):
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F:
            out.append(f"\\x{ord(c):02x}")
        elif c in "\u2028\u2029":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evidence-vault")
def cli() -> None:
    """Evidence Vault: keep evidence encrypted, with a signed chain of custody.

    The passphrase is asked for without echo, or read from EVIDENCE_VAULT_PASSPHRASE.
    """
