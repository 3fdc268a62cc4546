"""MIME type from content (magic numbers), never from the file name."""

from __future__ import annotations

import filetype

OCTET = "application/octet-stream"


def _legacy_text(head: bytes) -> bool:
    """No NUL and no control byte but tab, line feed, form feed and carriage return: binary
    data of any length has some."""
    return not any((b < 0x20 and b not in (9, 10, 12, 13)) or b == 0x7F for b in head)


def wide_encoding(head: bytes) -> str | None:
    """The encoding of UTF-16 or UTF-32 text (what Windows calls "Unicode" text, and Excel's
    "Unicode text" export), by its byte order mark or, without one, by its pattern: mostly
    ASCII characters whose other bytes are zero. None for anything else."""
    for bom, name in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                      (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return name
    sample = head[: len(head) - len(head) % 4][:4096]
    if len(sample) < 16 or sample.count(0) < 0.4 * len(sample):
        return None  # (almost every file: wide text of ASCII characters is half zero bytes)
    for name, width, zero_at in (("utf-32-le", 4, (1, 2, 3)), ("utf-32-be", 4, (0, 1, 2)),
                                 ("utf-16-le", 2, (1,)), ("utf-16-be", 2, (0,))):
        units = len(sample) // width
        low = next(i for i in range(width) if i not in zero_at)  # the ASCII byte's place
        # counted a byte lane at a time (bytes.count runs in C: this is on every import)
        if all(sample[z::width].count(0) >= 0.9 * units for z in zero_at) and \
                units - sample[low::width].count(0) >= 0.9 * units:
            try:
                text = sample.decode(name)
            except UnicodeDecodeError:
                continue
            if _legacy_text(text.encode("utf-8", "ignore")):
                return name
    return None


def sniff(head: bytes) -> str:
    """The MIME type of a content whose first bytes are ``head`` (a few KiB suffice)."""
    if head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        # A Compound File (.msg, .doc, .xls, .ppt): first, as its streams may hold a PDF.
        return "application/x-ole-storage"
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    from vault.evidence.email_parts import MBOX, is_mbox

    if is_mbox(head):
        return MBOX
    if wide_encoding(head) is not None:
        return "text/plain"
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
