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
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def is_text(mime: str) -> bool:
    return mime.startswith(TEXT_MIMES)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252, which decodes any byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def html_text(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", markup))


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
