"""History: does this package's custody log extend an earlier package's?"""

from __future__ import annotations

from pathlib import Path

from vault.custody.excerpt import VerifiedExcerpt
from vault.custody.history import History, HistoryResult, compare_history, history_from_excerpt
from vault.packages.checks.reader import PackageReader


def history(pkg: PackageReader, excerpt: VerifiedExcerpt, previous: Path,
            older: History | None, why: str) -> None:
    """This package's custody log extends the earlier package's (``older``, or ``why`` it
    cannot be had)."""
    if older is None:
        pkg.r.history = HistoryResult(ok=False, message=why)
    elif excerpt.problems or not excerpt.records:
        pkg.r.history = HistoryResult(ok=False, message="not compared with "
                                      f"{previous.name}: this package's custody log "
                                      "does not verify")
    else:
        pkg.r.history = compare_history(older, history_from_excerpt(
            excerpt, "this package"))
    pkg.check("history", pkg.r.history.ok, pkg.r.history.message)
