"""Custody log excerpts: the events about some items, verifiable without the others.

An excerpt (docs/package-format.md, "Custody") is JSON Lines: the first event of the vault
(which carries the custody public key), every event about the selected items, and for each
run of events left out one line ``{"omitted": {"from": A, "to": B}, "hash": H}`` giving the
hash of event B, which the next included event's signed ``prev`` pins down.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vault.custody.log import (
    GENESIS,
    SIGNING_CERTIFICATE_CHANGED,
    VAULT_CREATED,
    WORKINGS,
    ChainProblem,
    Event,
    canonical,
    event_problems,
    key_fingerprint,
)


def keeps(ev: Event, wanted: set[str], *, notes: bool = True) -> bool:
    """Whether an excerpt of the items ``wanted`` holds ``ev``: event 1, the events of those
    items (without the investigator's notes and annotations unless ``notes``), and every
    change of the package-signing certificate."""
    action = ev.fields.get("action")
    if action == SIGNING_CERTIFICATE_CHANGED or ev.seq == 1:
        return True
    return ev.fields.get("item") in wanted and (notes or action not in WORKINGS)


def make_excerpt(events: Iterable[Event], keep: Iterable[str], *, notes: bool = True) -> bytes:
    """The excerpt of ``events`` keeping what :func:`keeps` says."""
    wanted = set(keep)
    lines: list[bytes] = []
    gap: tuple[int, int, str] | None = None
    for ev in events:
        if keeps(ev, wanted, notes=notes):
            if gap:
                lines.append(canonical({"omitted": {"from": gap[0], "to": gap[1]},
                                        "hash": gap[2]}))
                gap = None
            lines.append(ev.to_line())
        else:
            gap = (gap[0] if gap else ev.seq, ev.seq, ev.hash)
    # A trailing gap is left out: nothing after it needs pinning.
    return b"".join(line + b"\n" for line in lines)


@dataclass
class VerifiedExcerpt:
    events: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # {"event", "hash", "sig"}
    problems: list[str] = field(default_factory=list)
    public_key: Ed25519PublicKey | None = None
    fingerprint: str = ""
    vault_id: str = ""
    certificate_fingerprint: str = ""
    omitted: list[tuple[int, int, str]] = field(default_factory=list)  # (from, to, hash)


def verify_excerpt(data: bytes) -> VerifiedExcerpt:
    out = VerifiedExcerpt()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        out.problems.append(f"the custody log is not UTF-8 text (byte {e.start})")
        return out
    # JSON Lines are split at "\n" only: U+0085, U+2028 and the other characters that
    # str.splitlines() also breaks at are ordinary characters inside a JSON string, and names
    # and notes from third parties hold them.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        out.problems.append("the custody log is empty")
        return out
    expected, prev = 1, GENESIS
    for n, text in enumerate(lines, 1):
        try:
            obj = json.loads(text)
            if not isinstance(obj, dict):
                raise ValueError
        except ValueError:
            out.problems.append(f"custody log line {n} is not a JSON object")
            return out
        if "omitted" in obj:
            span, h = obj.get("omitted"), obj.get("hash")
            if not (isinstance(span, dict) and span.get("from") == expected
                    and isinstance(span.get("to"), int) and span["to"] >= expected
                    and isinstance(h, str) and len(h) == 64):
                out.problems.append(f"custody log line {n}: a malformed or misplaced omitted "
                                    f"range (expected one starting at event {expected})")
                return out
            if n == len(lines):
                out.problems.append(f"custody log line {n}: an omitted range at the end (an "
                                    "excerpt ends with an event, never with a gap)")
                return out
            out.omitted.append((expected, span["to"], h))
            expected, prev = span["to"] + 1, h
            continue
        try:
            ev = Event(seq=int(obj["event"]["seq"]), body=canonical(obj["event"]),
                       hash=str(obj["hash"]), sig=base64.b64decode(obj["sig"], validate=True))
        except Exception:  # any malformed record
            out.problems.append(f"custody log line {n} is not a custody event record")
            return out
        ev.__dict__["fields"] = obj["event"]  # what the body was made from: no second parse
        if n == 1 and not _take_key(ev, out):
            return out
        assert out.public_key is not None
        for p in event_problems(ev, expected, prev, out.public_key, out.vault_id,
                                body_is_canonical=True):
            out.problems.append(str(p))
        out.events.append(ev.fields)
        out.records.append({"event": ev.fields, "hash": ev.hash, "sig": obj["sig"]})
        expected, prev = ev.seq + 1, ev.hash
    return out


def _take_key(ev: Event, out: VerifiedExcerpt) -> bool:
    """The first event must be the vault's creation, carrying its custody public key."""
    f = ev.fields
    details = f.get("details") or {}
    try:
        if ev.seq != 1 or f.get("action") != VAULT_CREATED:
            raise ValueError
        out.public_key = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(details["custody_public_key"], validate=True))
    except Exception:
        out.problems.append(str(ChainProblem(ev.seq, "the excerpt does not start with the "
                                                     "vault's creation and its public key")))
        return False
    out.fingerprint = key_fingerprint(out.public_key)
    out.vault_id = str(f.get("vault", ""))
    out.certificate_fingerprint = str(details.get("signing_certificate_fingerprint", ""))
    if details.get("custody_key_fingerprint") != out.fingerprint:
        out.problems.append("custody event 1: the key fingerprint it states is not its key's")
    return True
