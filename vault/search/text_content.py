"""The readable text of text-like evidence (plain text, HTML, e-mail), for the search index.

Read from the original decrypted into memory; nothing is written anywhere. Only the first
:data:`MAX_TEXT` bytes are read: a larger file is still preserved whole, and what is beyond
that limit is not searchable (its item is not marked; the limit is documented).
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage

MAX_TEXT = 16 << 20
TEXT_MIMES = ("text/", "message/rfc822")
_NAME = re.compile(r"\s*([a-z][a-z0-9]*)")


def is_text(mime: str) -> bool:
    return mime.startswith(TEXT_MIMES)


def decode(data: bytes) -> str:
    """UTF-16 or UTF-32 where the content is (by BOM or pattern), UTF-8 (with or without a
    BOM), else Windows-1252, which decodes any byte."""
    from vault.evidence.mime import wide_encoding

    wide = wide_encoding(data[:8192])
    if wide is not None:
        text = data.decode(wide, errors="replace")
        return text.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def html_text(markup: str) -> str:
    """The text of an HTML document without its tags, scripts and styles. One forward pass
    with ``str.find``, linear in the input however hostile (a regular expression over
    unclosed tags backtracks: 8,000 unclosed ``<script`` took 4 s)."""
    lower = markup.lower()
    out: list[str] = []
    i, n = 0, len(markup)
    while i < n:
        lt = markup.find("<", i)
        if lt < 0:
            out.append(markup[i:])
            break
        out.append(markup[i:lt])
        if not markup[lt + 1:lt + 2].isalpha() and markup[lt + 1:lt + 2] not in ("/", "!", "?"):
            out.append("<")  # "3 < 4": a less-than sign, not a tag
            i = lt + 1
            continue
        gt = markup.find(">", lt)
        if gt < 0:  # a "<" that opens no tag: text
            out.append(markup[lt:])
            break
        name = _NAME.match(lower, lt + 1, min(gt, lt + 16))
        i = gt + 1
        if name and name.group(1) in ("script", "style"):
            end = lower.find("</" + name.group(1), i)
            close = -1 if end < 0 else lower.find(">", end)
            i = n if close < 0 else close + 1  # unclosed: the rest is code, not text
        out.append(" ")
    return html.unescape("".join(out))


def email_text(data: bytes) -> str:
    """The headers people search by, then every text part (HTML parts without their tags)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    lines = [f"{h}: {msg[h]}" for h in ("From", "To", "Cc", "Date", "Subject") if msg[h]]
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        try:
            body = part.get_content()
        except (LookupError, ValueError):  # an unknown charset or a broken encoding
            raw = part.get_payload(decode=True)
            body = decode(raw) if isinstance(raw, bytes) else ""
        if not isinstance(body, str):
            continue
        lines.append(html_text(body) if part.get_content_subtype() == "html" else body)
        name = part.get_filename()
        if name:
            lines.append(name)
    return "\n".join(lines)


def text_of(mime: str, data: bytes) -> str:
    """The searchable text of a text-like content (``data`` at most :data:`MAX_TEXT`)."""
    if mime == "message/rfc822":
        try:
            return email_text(data)
        except Exception:  # a malformed message: its bytes as text are still searchable
            return decode(data)
    text = decode(data)
    return html_text(text) if mime == "text/html" else text
