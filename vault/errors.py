"""Errors the core reports.

Two families, as qutebrowser splits them: :class:`VaultError` is the user's or the
environment's doing (wrong passphrase, a damaged file, a full disk) and carries a message
fit to show as it is; anything else escaping the core is a bug.
"""

from __future__ import annotations


class VaultError(Exception):
    """Something the user or the environment must fix; ``str(err)`` is the message."""

    exit_code = 1


class WrongSecret(VaultError):
    """The passphrase or recovery key does not open this vault."""

    exit_code = 3


class WeakPassphrase(VaultError):
    """A new passphrase was refused as too easy to guess."""

    exit_code = 2


class VaultUnusable(VaultError):
    """The vault cannot be opened: not a vault, damaged, newer format, or in use."""

    exit_code = 4


class NewerFormat(VaultUnusable):
    """The vault was written by a newer version of the program."""


class VaultInUse(VaultUnusable):
    """Another program has the vault open."""


class UnsafeEnvironment(VaultUnusable):
    """The SQLCipher library or its settings would put plaintext on disk."""


class EnvironmentProblem(VaultError):
    """The operating system refused: disk full, permission denied, missing file."""

    exit_code = 5


class NotFound(VaultError):
    """A reference or case that does not exist."""


class IntegrityError(VaultError):
    """Stored data failed an integrity check (object, chain, signature, head)."""
