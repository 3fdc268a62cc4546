"""Opening age-encrypted packages (``age -d`` does the same): to an age key, or to a
passphrase (streamed by :mod:`vault.packages.age_passphrase`, so any size fits in little memory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from vault.errors import VaultError
from vault.store.atomic import replacing

Decrypt = Callable[[IO[bytes], IO[bytes]], None]


def needs_passphrase(package: Path) -> bool:
    """Whether ``package`` is encrypted to a passphrase (rather than to an age key)."""
    from vault.packages.age_passphrase import is_passphrase_file

    try:
        with open(package, "rb") as f:
            return is_passphrase_file(f.read(256))
    except OSError as e:
        raise VaultError(f"cannot read {package}: {e.strerror}") from e


def decrypt_package(package: Path, out: Path, *, identity_file: Path | None = None,
                    passphrase: Callable[[], str] | None = None) -> None:
    """Decrypt ``package`` to ``out`` (written whole or not at all) with the age identities
    in ``identity_file`` or, for a passphrase file, the passphrase ``passphrase()`` gives."""
    if out.exists():
        raise VaultError(f"{out} already exists; choose another name")
    if needs_passphrase(package):
        if passphrase is None:
            raise VaultError(f"{package.name} is encrypted to a passphrase: give it")
        _decrypt(package, out, _with_passphrase(passphrase()))
    else:
        if identity_file is None:
            raise VaultError(f"{package.name} is encrypted to an age key: give the identity "
                             "file (AGE-SECRET-KEY-...)")
        _decrypt(package, out, _with_identities(identity_file))


MAX_IN_MEMORY = 4 << 30  # a package decrypted to be checked without a vault


def decrypt_in_memory(package: Path, *, identity_file: Path | None = None,
                      passphrase: Callable[[], str] | None = None) -> IO[bytes]:
    """``package`` decrypted into memory only (an anonymous memory file where the system has
    one, never a file on disk), to be checked without a vault. The caller closes it."""
    import io
    import os

    size = package.stat().st_size
    if size > MAX_IN_MEMORY:
        raise VaultError(f"{package.name} is too large to check in memory "
                         f"({size / 1e9:.1f} GB): receive it into a vault, which decrypts it "
                         "inside the vault")
    if needs_passphrase(package):
        if passphrase is None:
            raise VaultError(f"{package.name} is encrypted to a passphrase: give it")
        decrypt = _with_passphrase(passphrase())
    else:
        if identity_file is None:
            raise VaultError(f"{package.name} is encrypted to an age key: give the identity "
                             "file (AGE-SECRET-KEY-...)")
        decrypt = _with_identities(identity_file)
    memfd = getattr(os, "memfd_create", None)
    out: IO[bytes] = os.fdopen(memfd("package", 0), "w+b") if memfd is not None \
        else io.BytesIO()
    try:
        with open(package, "rb") as src:
            decrypt(src, out)
        out.seek(0)
    except BaseException as e:
        out.close()
        if isinstance(e, VaultError | KeyboardInterrupt):
            raise
        raise VaultError(f"cannot decrypt {package.name}: {e}") from e
    return out


def open_for_checking(package: Path, *, identity_file: Path | None = None,
                      passphrase: Callable[[], str] | None = None) -> IO[bytes] | None:
    """The bytes to check of ``package``: None for a plain zip (read from its file), an
    encrypted one decrypted in memory (:func:`decrypt_in_memory`). The caller closes it."""
    if package.suffix != ".age":
        return None
    return decrypt_in_memory(package, identity_file=identity_file, passphrase=passphrase)


def _with_passphrase(passphrase: str) -> Decrypt:
    from vault.packages.age_passphrase import decrypt_stream

    return lambda src, dst: decrypt_stream(src, dst, passphrase)


def _with_identities(identity_file: Path) -> Decrypt:
    import pyrage

    try:
        keys = [line.strip() for line in identity_file.read_text().splitlines()
                if line.strip().startswith("AGE-SECRET-KEY-")]
        identities = [pyrage.x25519.Identity.from_str(k) for k in keys]
    except (OSError, UnicodeDecodeError, ValueError):
        identities = []
    except Exception:  # pyrage's own error types
        identities = []
    if not identities:
        raise VaultError(f"{identity_file} holds no age identity (AGE-SECRET-KEY-...)")
    return lambda src, dst: pyrage.decrypt_io(src, dst, identities)


def _decrypt(package: Path, out: Path, decrypt: Decrypt) -> None:
    try:
        with open(package, "rb") as src, replacing(out) as dst:
            decrypt(src, dst)
    except VaultError:
        raise
    except Exception as e:  # pyrage's errors, AgeError, OSError: the file or the key is wrong
        raise VaultError(f"cannot decrypt {package.name}: {e}") from e
