"""The command line's OCR commands (registered on `vault.cli.cli` when imported)."""

from __future__ import annotations

from vault.cli import cli  # noqa: F401
