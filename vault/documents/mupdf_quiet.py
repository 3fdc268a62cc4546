"""MuPDF's own messages ("MuPDF error: syntax error: ...") never reach standard output, where
they would land among the machine-readable lines of ``import``, ``index`` and ``ocr`` and name
no file. :func:`mupdf` loads PyMuPDF with its printing turned off; :func:`take_messages` reads
what it said since the last call, for the caller to attach to the item concerned.

PyMuPDF is imported lazily (it costs about 0.2 s), and never by the package verifier.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_MESSAGES = 5  # kept per document; more are counted, not kept (a hostile file can say a lot)

_lock = threading.Lock()
_quiet = False


def mupdf() -> Any:
    """The ``pymupdf`` module, its messages kept rather than printed."""
    global _quiet
    import pymupdf

    if not _quiet:
        with _lock:
            if not _quiet:
                pymupdf.TOOLS.mupdf_display_errors(False)
                pymupdf.TOOLS.mupdf_display_warnings(False)
                _quiet = True
    return pymupdf


def take_messages() -> list[str]:
    """What MuPDF said since the last call: each message once, at most :data:`MAX_MESSAGES`,
    then how many more there were."""
    text = str(mupdf().TOOLS.mupdf_warnings(reset=True) or "")
    seen: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and line not in seen:
            seen.append(line)
    if len(seen) > MAX_MESSAGES:
        return [*seen[:MAX_MESSAGES], f"... and {len(seen) - MAX_MESSAGES} more messages"]
    return seen


@contextmanager
def readable_pdf(data: bytes) -> Iterator[Any | None]:
    """The PDF in ``data``, open; ``None`` when MuPDF cannot open it or it needs a password.
    The caller holds :data:`vault.documents.thumbnails.pdf_lock`."""
    try:
        doc = mupdf().open(stream=data, filetype="pdf")
    except Exception:
        yield None
        return
    with doc:
        yield None if doc.needs_pass else doc
