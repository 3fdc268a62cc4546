"""The custody log: append-only, hash-chained, Ed25519-signed events (docs/custody-log.md).

An event's *body* is a JSON object serialised with RFC 8785 (JSON Canonicalization Scheme).
Its hash is the SHA-256 of those bytes; ``prev`` in each body is the hash of the event before
(64 zeros for the first); the signature is Ed25519 over the same bytes. Verification needs
only the bodies, hashes, signatures and the public key.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EVENT_VERSION = 1
GENESIS = "0" * 64

# Actions the program writes. Verifiers accept any string: newer versions may add actions.
VAULT_CREATED = "vault created"
IMPORTED = "imported"
RECEIVED_AGAIN = "received again"
RECEIVED_FROM_PACKAGE = "received from package"
UNVERIFIED_PRESERVED = "unverified package preserved"
# A new item made from another one's content (an annotated or redacted copy): on the new item
# "derived", on the one it was made from "derivative made".
DERIVED = "derived"
DERIVATIVE_MADE = "derivative made"
# The events that bring an item's content into a vault and fix its SHA-256.
RECEIPTS = ("imported", RECEIVED_FROM_PACKAGE, DERIVED)
METADATA_EXTRACTED = "metadata extracted"
NOTE_ADDED = "note added"
EXTRACTED = "extracted"
EXPORTED = "exported"
# An RFC 3161 token for a package's signature, added to the package file after its export.
PACKAGE_TIMESTAMP_ATTACHED = "package timestamp attached"
VERIFIED = "verified"
PURGED = "purged"
PASSPHRASE_CHANGED = "passphrase changed"
RECOVERED = "passphrase reset with recovery key"
# A new master key: the index re-encrypted, new passphrase and recovery slots (key_change.py).
KEYS_REPLACED = "keys replaced"
BACKUP_MADE = "backup made"
CASE_CREATED = "case created"
ANNOTATION_ADDED = "annotation added"
ANNOTATION_CHANGED = "annotation changed"
ANNOTATION_REMOVED = "annotation removed"
# Text read from an item's scanned pages or photo by OCR (derived data; the original untouched).
TEXT_RECOGNISED = "text recognised"
TAG_ADDED = "tag added"
TAG_REMOVED = "tag removed"
# A copy (a redacted copy that leaked, say) withdrawn: kept as evidence, shown as withdrawn,
# left out of exports unless asked for; ``superseded_by`` names the copy that replaces it.
COPY_WITHDRAWN = "copy withdrawn"
# Encrypted files the index did not name (objects/orphaned/), deleted by an explicit choice.
ORPHANS_DISCARDED = "orphaned files discarded"
# The vault folder put back from an older copy, and the user going on with it knowingly.
RESTORE_ACCEPTED = "restore from an older copy accepted"
# The investigator's own workings on an item: her notes and annotations. A package leaves
# them out unless she chooses to send them (they may be privileged).
WORKINGS = (NOTE_ADDED, ANNOTATION_ADDED, ANNOTATION_CHANGED, ANNOTATION_REMOVED)
# What the program does by itself on the investigator's behalf (reading an item's details or
# text): shown as done by the program, for her.
AUTOMATIC = (METADATA_EXTRACTED, TEXT_RECOGNISED)


def done_by(fields: dict[str, Any]) -> str:
    """Who did what an event records, as a person should read it."""
    name = str((fields.get("actor") or {}).get("name", ""))
    return f"Evidence Vault, for {name}" if fields.get("action") in AUTOMATIC else name


# A package signer confirmed in this vault's own list of known signers.
SIGNER_CONFIRMED = "signer confirmed"
# The package-signing certificate renewed or replaced (the key stays): every excerpt keeps it.
SIGNING_CERTIFICATE_CHANGED = "signing certificate changed"
# The chronology (docs/chronology.md): no ``item``; ``details`` name the case, the kind of
# record and its id, and hold the record ``after`` and/or ``before`` the change.
CHRONOLOGY_ADDED = "chronology entry added"
CHRONOLOGY_CHANGED = "chronology entry changed"
CHRONOLOGY_REMOVED = "chronology entry removed"
CHRONOLOGY_WRITTEN = "chronology written"  # a table of it written where the user chose
# The court bundle (docs/court-bundle.md): producing witnesses and exhibit marks (an
# exhibit's events name its item), and the documents made from them.
COURT_ADDED = "court entry added"
COURT_CHANGED = "court entry changed"
COURT_REMOVED = "court entry removed"
COURT_WRITTEN = "court document written"  # labels, cover sheets, a continuity record


def canonical(obj: Any) -> bytes:
    """RFC 8785 bytes of ``obj``. Events hold no floats, so json.dumps with sorted keys gives
    the same bytes, ten times faster, whenever every key sorts the same by code point as by
    UTF-16 code unit (no key outside the Basic Multilingual Plane); otherwise, and for any
    float, the reference implementation decides."""
    if _plain(obj):
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    return bytes(rfc8785.dumps(obj))


_SAFE_INT = 1 << 53


def _plain(obj: Any) -> bool:
    """No floats, no integers beyond 2**53, no keys outside the Basic Multilingual Plane."""
    stack = [obj]
    while stack:
        o = stack.pop()
        t = type(o)
        if t is str or t is bool or o is None:
            continue
        if t is int:
            if -_SAFE_INT < o < _SAFE_INT:
                continue
            return False
        if t is dict:
            for k, v in o.items():
                if type(k) is not str or not (k.isascii() or max(k) < "\U00010000"):
                    return False
                stack.append(v)
            continue
        if t is list:
            stack.extend(o)
            continue
        return False
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Event:
    seq: int
    body: bytes  # canonical JSON, exactly as hashed and signed
    hash: str
    sig: bytes

    @functools.cached_property
    def fields(self) -> dict[str, Any]:
        """The parsed body (parsed once; callers must not change it)."""
        value: dict[str, Any] = json.loads(self.body)
        return value

    def to_line(self) -> bytes:
        """One JSON Lines record: the body, its hash and its signature."""
        return canonical({"event": self.fields, "hash": self.hash,
                          "sig": base64.b64encode(self.sig).decode("ascii")})


def make_event(key: Ed25519PrivateKey, *, vault_id: str, seq: int, prev: str, time: str,
               actor: dict[str, str], action: str, item: str | None, sha256: str | None,
               details: dict[str, Any]) -> Event:
    body = canonical({"v": EVENT_VERSION, "vault": vault_id, "seq": seq, "time": time,
                      "actor": actor, "action": action, "item": item, "sha256": sha256,
                      "details": details, "prev": prev})
    return Event(seq=seq, body=body, hash=sha256_hex(body), sig=key.sign(body))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"custody event {self.seq}: {self.reason}"


def verify_chain(events: Iterable[Event], public_key: Ed25519PublicKey,
                 vault_id: str | None = None) -> Iterator[ChainProblem]:
    """Yield every problem, in order; the first names the first broken event."""
    expected_seq = 1
    prev = GENESIS
    for ev in events:
        yield from event_problems(ev, expected_seq, prev, public_key, vault_id)
        prev = sha256_hex(ev.body)
        expected_seq = ev.seq + 1


def event_problems(ev: Event, expected_seq: int, prev: str, public_key: Ed25519PublicKey,
                   vault_id: str | None = None, *,
                   body_is_canonical: bool = False) -> Iterator[ChainProblem]:
    """Everything wrong with one event, given the sequence number and hash it must follow.
    ``body_is_canonical``: the caller made ``ev.body`` with :func:`canonical` itself."""
    if ev.seq != expected_seq:
        yield ChainProblem(ev.seq, f"out of sequence (expected event {expected_seq}): "
                                   "an event was removed, inserted or reordered")
    if sha256_hex(ev.body) != ev.hash:
        yield ChainProblem(ev.seq, "its contents do not match its recorded hash (edited)")
    try:
        public_key.verify(ev.sig, ev.body)
    except InvalidSignature:
        yield ChainProblem(ev.seq, "its signature does not verify with the vault's key")
    try:
        f = ev.fields
        if not isinstance(f, dict):
            raise ValueError("not an object")
    except ValueError:
        yield ChainProblem(ev.seq, "its body is not valid JSON (a JSON object)")
        f = {}
    try:
        canonical_ok = body_is_canonical or canonical(f) == ev.body
    except Exception:  # NaN, Infinity, integers beyond 2**53: not canonicalisable
        canonical_ok = False
    if not canonical_ok:
        yield ChainProblem(ev.seq, "its body is not in canonical form")
    if f and f.get("v") != EVENT_VERSION:
        yield ChainProblem(ev.seq, f"its event version {f.get('v')!r} is unknown")
    if f.get("seq") != ev.seq:
        yield ChainProblem(ev.seq, f"its body says it is event {f.get('seq')}")
    if f.get("prev") != prev:
        yield ChainProblem(ev.seq, "it does not follow the event before it (chain broken)")
    if vault_id is not None and f.get("vault") != vault_id:
        yield ChainProblem(ev.seq, "it belongs to another vault")


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits (easy to read out)."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    h = hashlib.sha256(raw).hexdigest().upper()
    return " ".join(h[i:i + 4] for i in range(0, 64, 4))


def head_record(vault_id: str, seq: int, head_hash: str,
                custody_key: str | None = None) -> bytes:
    """The head record of event ``seq`` (docs/custody-log.md#headjson). With ``custody_key``
    (the custody key's fingerprint), the form that trusted timestamps stamp since version 2
    of docs/timestamps.md: it binds the stamped head to the key that signs the log, so a log
    signed again under another key no longer matches its tokens."""
    record: dict[str, Any] = {"kind": "evidence-vault custody head", "vault": vault_id,
                              "seq": seq, "hash": head_hash}
    if custody_key is not None:
        record["custody_key"] = custody_key
    return canonical(record)


def head_records(vault_id: str, seq: int, head_hash: str, custody_key: str) -> tuple[bytes, ...]:
    """Every form of the head record a token may stamp: with the custody key (current), and
    without it (tokens of timestamps version 1)."""
    return (head_record(vault_id, seq, head_hash, custody_key),
            head_record(vault_id, seq, head_hash))


def event_instant(text: str) -> dt.datetime | None:
    """An event's ``time`` as an instant (None when it cannot be read)."""
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def times_backwards(events: Sequence[dict[str, Any]]) -> list[str]:
    """A warning for each event recorded at a time before the event it follows (a clock
    that went back, or events written out of order)."""
    out: list[str] = []
    last: tuple[dt.datetime, int] | None = None
    for ev in events:
        t = event_instant(str(ev.get("time", "")))
        if t is None:
            continue
        if last is not None and t < last[0]:
            out.append(f"custody times go backwards at event {ev.get('seq')}: "
                       f"{ev.get('time')} is before event {last[1]}'s time")
            if len(out) >= 5:
                break
        if last is None or t >= last[0]:
            last = (t, int(ev.get("seq", 0)))
    return out
