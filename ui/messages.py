"""What a failure says to the user: the environment's fault or the core's refusal, plainly;
anything else is a bug, said so, with no traceback (it goes to the log on stderr only)."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QCoreApplication

from vault.errors import VaultError

log = logging.getLogger("evidence-vault")


def user_message(e: BaseException) -> tuple[str, bool]:
    """(message, is_bug) for ``e``."""
    if isinstance(e, VaultError):
        return str(e), False
    if isinstance(e, OSError):
        where = f" ({e.filename})" if e.filename else ""
        return QCoreApplication.translate(
            "messages", "The system refused: {error}{where}. Nothing acknowledged was lost."
        ).format(error=e.strerror or e, where=where), False
    log.error("internal error:\n%s", "".join(traceback.format_exception(e)))
    return QCoreApplication.translate(
        "messages", "Internal error ({kind}). This is a bug; nothing acknowledged was lost."
    ).format(kind=type(e).__name__), True
