"""Outlook messages (``.msg``): a Compound File (OLE2) of MAPI property streams, read with
olefile (pure Python, so a hostile file cannot corrupt memory). Headers, the body's text and
the attachments, each with its place in the message, as for an ``.eml``
(:mod:`vault.evidence.email_parts`). Bounded, and never raising for a hostile file: what cannot be
read gives a warning, and the message itself is always preserved as received.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from typing import Any

from vault.evidence.email_parts import MAX_PART_BYTES, MAX_PARTS, Contents, Part

OLE = "application/x-ole-storage"  # what sniffing calls any Compound File
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_MSG_BYTES = 512 << 20
# MAPI property tags, as stream names give them (__substg1.0_TTTTKKKK: tag, type).
_TEXT = {"0037": "subject", "0C1A": "sender_name", "0C1F": "sender", "0E04": "to",
         "0E03": "cc", "1035": "message_id", "1042": "in_reply_to", "1039": "references",
         "1000": "body"}


def is_outlook(data: bytes) -> bool:
    if not data.startswith(OLE_MAGIC):
        return False
    try:
        ole = _open(data)
    except Exception:
        return False
    with ole:
        return ole.exists("__properties_version1.0") and any(
            e[0].startswith("__substg1.0_0037") for e in ole.listdir(streams=True))


def _open(data: bytes) -> Any:
    import olefile

    return olefile.OleFileIO(io.BytesIO(data))


def _string(ole: Any, path: str, tag: str) -> str | None:
    for kind, codec in (("001F", "utf-16-le"), ("001E", "cp1252")):
        name = f"{path}__substg1.0_{tag}{kind}"
        if ole.exists(name):
            raw = ole.openstream(name).read(4 << 20)
            return str(raw.decode(codec, "replace").rstrip("\x00"))
    return None


def _submitted(ole: Any) -> str | None:
    """PR_CLIENT_SUBMIT_TIME (0x0039, a FILETIME) from the top-level property stream."""
    if not ole.exists("__properties_version1.0"):
        return None
    data = ole.openstream("__properties_version1.0").read(1 << 20)
    for at in range(32, len(data) - 15, 16):  # top level: a 32-byte header, then 16 a property
        prop_type, prop_id = struct.unpack("<HH", data[at:at + 4])
        if prop_id == 0x0039 and prop_type == 0x0040:
            (ticks,) = struct.unpack("<Q", data[at + 8:at + 16])
            when = dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ticks // 10)
            return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def read_msg(data: bytes) -> tuple[Contents, str]:
    """An Outlook message's headers and attachments, and its body text."""
    out = Contents()
    if len(data) > MAX_MSG_BYTES:
        out.warnings.append("the message is too large to read; preserved as received")
        return out, ""
    try:
        ole = _open(data)
    except Exception as e:
        out.warnings.append(f"not a readable Outlook message ({type(e).__name__}); preserved "
                            "as received")
        return out, ""
    with ole:
        values = {key: _string(ole, "", tag) for tag, key in _TEXT.items()}
        sender = " ".join(x for x in (values.get("sender_name"),
                                      f"<{values['sender']}>" if values.get("sender") else "")
                          if x)
        headers = {"from": sender, "to": values.get("to") or "", "cc": values.get("cc") or "",
                   "date": _submitted(ole) or "", "subject": values.get("subject") or "",
                   "message_id": values.get("message_id") or "",
                   "in_reply_to": values.get("in_reply_to") or "",
                   "references": values.get("references") or ""}
        out.headers = {k: " ".join(v.split())[:2000] for k, v in headers.items() if v}
        storages = sorted({e[0] for e in ole.listdir(streams=False, storages=True)
                           if e and e[0].startswith("__attach_version1.0_#")})
        for n, storage in enumerate(storages, 1):
            name = (_string(ole, f"{storage}/", "3707") or _string(ole, f"{storage}/", "3704")
                    or f"attachment {n}")
            stream = f"{storage}/__substg1.0_37010102"
            listed: dict[str, Any] = {"attachment": n, "name": name}
            out.attachments.append(listed)
            if not ole.exists(stream):
                out.warnings.append(f"attachment {name!r} is not a file (an embedded message "
                                    "or object): it stays inside the preserved message")
                continue
            size = ole.get_size(stream)
            listed["size"] = size
            if size > MAX_PART_BYTES or len(out.parts) >= MAX_PARTS:
                out.warnings.append(f"attachment {name!r} was not extracted (too large, or "
                                    "too many): it stays inside the preserved message")
                continue
            payload = ole.openstream(stream).read(size)
            out.parts.append(Part(payload, name, "", {"attachment": n, "storage": storage}))
        body = values.get("body") or ""
    return out, body
