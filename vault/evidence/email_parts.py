"""What is inside an e-mail (``.eml``) or a mailbox (``.mbox``): headers, the body's text,
and the parts that become items of their own (attachments, attached messages, the messages
of a mailbox), each with its place in the original.

Parsing is bounded and never raises for hostile input: a broken MIME tree gives warnings
(Python's ``email`` package is lenient and lists its defects), a part larger than
:data:`MAX_PART_BYTES` or beyond :data:`MAX_PARTS` is left inside the preserved original with
a warning naming it. Nothing is written anywhere: the caller stores each part in the vault.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

MAX_PARTS = 2000  # attachments (or messages of a mailbox) made items from one original
MAX_PART_BYTES = 256 << 20
MAX_WARNINGS = 5
MBOX = "application/mbox"
EML = "message/rfc822"
HEADERS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("date", "Date"),
           ("subject", "Subject"), ("message_id", "Message-ID"),
           ("in_reply_to", "In-Reply-To"), ("references", "References"))


@dataclass
class Part:
    """A piece of the original that becomes an item: its bytes, the name it had, and where
    it was (``part`` a MIME path such as ``2.1``, or ``message`` N of a mailbox with its byte
    range)."""

    data: bytes
    name: str
    content_type: str
    place: dict[str, Any]


@dataclass
class Contents:
    headers: dict[str, str] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)  # listed in metadata
    warnings: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _warn(out: Contents, text: str) -> None:
    if len(out.warnings) < MAX_WARNINGS:
        out.warnings.append(text)
    elif len(out.warnings) == MAX_WARNINGS:
        out.warnings.append("... and more problems in its structure")


def message_headers(msg: Message) -> dict[str, str]:
    out = {}
    for key, name in HEADERS:
        try:
            value = msg.get(name)
        except Exception:  # a header the policy cannot parse: its raw text
            value = msg.get_all(name, [""])[0] if hasattr(msg, "get_all") else ""
        if value:
            out[key] = _text(value)[:2000]
    return out


def read_message(data: bytes) -> Contents:
    """An e-mail's headers, and its attachments and attached messages as parts."""
    out = Contents()
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as e:  # the email package is lenient; this is a safety net
        out.warnings.append(f"the message could not be read as an e-mail ({e}); preserved "
                            "as received")
        return out
    assert isinstance(msg, EmailMessage)
    out.headers = message_headers(msg)
    for defect in msg.defects:
        _warn(out, f"broken message structure: {type(defect).__name__}")
    body_seen = False
    for path, part in _walk(msg):
        for defect in part.defects:
            _warn(out, f"broken part {path}: {type(defect).__name__}")
        ctype = part.get_content_type()
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            payload = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
            name = filename or f"attached message {path}.eml"
        elif part.is_multipart():
            continue
        else:
            if (not body_seen and filename is None and disposition != "attachment"
                    and ctype in ("text/plain", "text/html")):
                body_seen = True
                continue
            if filename is None and disposition is None and ctype.startswith("text/"):
                continue  # the same body in another form (text and HTML)
            try:
                payload = part.get_payload(decode=True) or b""
            except Exception as e:
                _warn(out, f"part {path} could not be decoded ({e}); it stays inside the "
                      "preserved message")
                continue
            name = filename or f"part {path}"
        listed = {"part": path, "name": _text(name)[:500], "content_type": ctype,
                  "size": len(payload)}
        out.attachments.append(listed)
        if len(payload) > MAX_PART_BYTES:
            _warn(out, f"attachment {listed['name']!r} ({len(payload)} bytes) is too large to "
                  "extract; it stays inside the preserved message")
            continue
        if len(out.parts) >= MAX_PARTS:
            _warn(out, f"more than {MAX_PARTS} attachments: the rest stay inside the "
                  "preserved message")
            continue
        out.parts.append(Part(payload, listed["name"], ctype, {"part": path,
                                                                "content_type": ctype}))
    return out


def _walk(msg: Message, prefix: str = "") -> Any:
    """(MIME path, part) for every part below ``msg``, depth first; an attached message is
    given as one part and not descended into (it becomes an item, read in its turn)."""
    payload = msg.get_payload() if msg.is_multipart() else None
    if not isinstance(payload, list):
        if not prefix:
            yield "1", msg
        return
    for i, part in enumerate(payload, 1):
        if not isinstance(part, Message):
            continue
        path = f"{prefix}{i}"
        yield path, part
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            yield from _walk(part, f"{path}.")


_FROM_LINE = re.compile(rb"^From [^\r\n]*\r?\n", re.M)


def is_mbox(head: bytes) -> bool:
    """A mailbox: a "From " separator line, then header lines."""
    if not head.startswith(b"From "):
        return False
    rest = head.split(b"\n", 1)[1] if b"\n" in head else b""
    return re.match(rb"[A-Za-z][A-Za-z0-9-]*:", rest) is not None


def read_mbox(data: bytes) -> Contents:
    """The messages of a mailbox, each as a part with its byte range in the original (the
    separator line excluded; ``>From`` quoting left as it is, so the bytes are exact)."""
    out = Contents()
    starts = [m.start() for m in _FROM_LINE.finditer(data)]
    for n, start in enumerate(starts, 1):
        body_start = data.index(b"\n", start) + 1
        end = starts[n] if n < len(starts) else len(data)
        chunk = data[body_start:end]
        headers = message_headers(email.message_from_bytes(chunk[:65536],
                                                           policy=email.policy.default))
        name = f"message {n}" + (f" - {headers['subject'][:80]}" if headers.get("subject")
                                 else "") + ".eml"
        out.attachments.append({"message": n, "name": name, "size": len(chunk),
                                "offset": body_start})
        if len(out.parts) >= MAX_PARTS:
            _warn(out, f"more than {MAX_PARTS} messages: the rest stay inside the preserved "
                  "mailbox")
            continue
        out.parts.append(Part(chunk, name, EML, {"message": n, "offset": body_start,
                                                 "length": len(chunk)}))
    if not starts:
        out.warnings.append("no message found in the mailbox")
    return out


def message_view(data: bytes, limit: int = 1 << 20) -> tuple[dict[str, str], str]:
    """An e-mail's headers and the text of its body (its plain-text part, else its HTML part
    without markup), at most ``limit`` characters, for reading it on screen."""
    from vault.search.text_content import html_text

    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:
        return {}, data[:limit].decode("utf-8", "replace")
    headers = message_headers(msg)
    body = ""
    if isinstance(msg, EmailMessage):
        try:
            part = msg.get_body(preferencelist=("plain", "html"))
            if part is not None:
                content = part.get_content()
                body = html_text(content) if part.get_content_type() == "text/html" \
                    else str(content)
        except Exception:  # a broken body: its raw text
            body = ""
    if not body:
        payload = msg.get_payload(decode=True) if not msg.is_multipart() else None
        body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return headers, body[:limit]
