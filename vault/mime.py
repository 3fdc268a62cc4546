"""MIME type from content (magic numbers), never from the file name."""

from __future__ import annotations

import filetype

OCTET = "application/octet-stream"


def _legacy_text(head: bytes) -> bool:
    """No NUL and no control byte but tab, line feed, form feed and carriage return: binary
    data of any length has some."""
    return not any((b < 0x20 and b not in (9, 10, 12, 13)) or b == 0x7F for b in head)


def sniff(head: bytes) -> str:
    """The MIME type of a content whose first bytes are ``head`` (a few KiB suffice)."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if not head:
        return "application/x-empty"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:  # just a character cut at the end of the sample
            text = head[: e.start].decode("utf-8")
        elif _legacy_text(head):  # Windows-1252 or Latin-1 text, as old letters often are
            text = head.decode("cp1252", errors="replace")
        else:
            return OCTET
    if "\0" in text:
        return OCTET
    first = text.lstrip()[:200].lower()
    if first.startswith(("received:", "return-path:", "from:", "message-id:", "mime-version:",
                         "delivered-to:")):
        return "message/rfc822"
    if first.startswith(("<!doctype html", "<html")):
        return "text/html"
    return "text/plain"
