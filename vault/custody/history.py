"""Proof that history was not rewritten: does a newer custody record extend an older one?

The older side is always a verified package excerpt (docs/package-format.md, "Comparing with
an earlier package"); the newer side is another verified excerpt or a vault's own full log.
Both are reduced to a :class:`History`: what each knows about each ``seq`` (a whole event,
or only the hash at the end of an ``omitted`` range), and the log's head. The comparison
walks the older record's events in ``seq`` order and stops at the first point where the
newer one disagrees, naming it in plain words.

No Qt here: the CLI, the package verifier and the app all call :func:`compare_history`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from vault.custody.excerpt import VerifiedExcerpt
from vault.custody.log import Event, canonical

# What a divergence is: the words of the result's ``what``.
EDITED = "edited"
REMOVED = "removed"
REORDERED = "reordered"
INSERTED = "inserted"
DIFFERENT_VAULT = "different vault"
BEHIND = "behind"
REWRITTEN = "rewritten"  # the logs differ at an event neither record shows


@dataclass(frozen=True)
class _Ev:
    seq: int
    body: bytes
    hash: str
    sig: bytes
    fields: dict[str, Any]

    @property
    def item(self) -> str | None:
        item = self.fields.get("item")
        return item if isinstance(item, str) else None

    @property
    def content(self) -> bytes:
        """What the event says, without its place in the chain (``seq`` and ``prev``)."""
        return canonical({k: v for k, v in self.fields.items() if k not in ("seq", "prev")})


@dataclass
class History:
    """One side of a comparison: a custody record reduced to what it knows."""

    label: str  # "the older package", "the vault", ... (used in messages)
    vault_id: str
    key_fingerprint: str
    head: int  # seq of the last event known
    events: dict[int, _Ev] = field(default_factory=dict)
    hashes: dict[int, str] = field(default_factory=dict)  # every seq whose hash is known
    items: set[str] = field(default_factory=set)

    def _add(self, ev: _Ev) -> None:
        self.events[ev.seq] = ev
        self.hashes[ev.seq] = ev.hash
        prev = ev.fields.get("prev")
        if ev.seq > 1 and isinstance(prev, str):
            # A verified event's signed ``prev`` states the hash of the event before it.
            self.hashes.setdefault(ev.seq - 1, prev)
        if ev.item:
            self.items.add(ev.item)
        self.head = max(self.head, ev.seq)


def history_from_excerpt(excerpt: VerifiedExcerpt, label: str) -> History:
    """The history a verified excerpt shows. Its records are already verified (chain,
    hashes, signatures), so each body is JCS of its ``event``."""
    h = History(label, excerpt.vault_id, excerpt.fingerprint, 0)
    for rec in excerpt.records:
        fields = rec["event"]
        try:
            sig = base64.b64decode(str(rec["sig"]), validate=True)
        except (binascii.Error, ValueError):
            sig = b""
        h._add(_Ev(int(fields["seq"]), canonical(fields), str(rec["hash"]), sig, fields))
    for _first, last, pinned in excerpt.omitted:  # an omitted range states its end's hash
        h.hashes.setdefault(last, pinned)
    return h


def history_from_events(events: Iterable[Event], *, vault_id: str, key_fingerprint: str,
                        label: str = "the vault") -> History:
    """A vault's own full log as the newer side."""
    h = History(label, vault_id, key_fingerprint, 0)
    for e in events:
        h._add(_Ev(e.seq, e.body, e.hash, e.sig, e.fields))
    return h


@dataclass
class Divergence:
    seq: int | None  # the first event where the records differ (None: another vault)
    item: str | None
    action: str | None
    what: str  # EDITED, REMOVED, REORDERED, INSERTED, DIFFERENT_VAULT, BEHIND, REWRITTEN
    message: str


@dataclass
class HistoryResult:
    ok: bool
    message: str  # one line: what was confirmed, or the first divergence
    divergence: Divergence | None = None
    shared_exhibits: int = 0
    events_compared: int = 0
    # Events of the older record that the newer one neither shows nor pins by a hash: they
    # could not be compared, and the result says so rather than claim them.
    events_uncompared: list[int] = field(default_factory=list)
    older_head: int = 0
    newer_head: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summary(ev: _Ev) -> str:
    """``imported MO/3 on 2026-11-02 10:41``."""
    f = ev.fields
    when = str(f.get("time", ""))[:16].replace("T", " ")
    return " ".join(str(x) for x in (f.get("action"), ev.item) if x) + f" on {when}"


def describe(ev: _Ev) -> str:
    """``event 17 (imported MO/3 on 2026-11-02 10:41)``."""
    return f"event {ev.seq} ({summary(ev)})"


def compare_history(older: History, newer: History) -> HistoryResult:
    """Does ``newer`` extend ``older``? The first divergence, or the counts confirmed."""
    shared = older.items & newer.items
    result = HistoryResult(ok=False, message="", shared_exhibits=len(shared),
                           older_head=older.head, newer_head=newer.head)
    if older.vault_id != newer.vault_id or older.key_fingerprint != newer.key_fingerprint:
        div = Divergence(None, None, None, DIFFERENT_VAULT,
                         f"{newer.label} and {older.label} come from different vaults "
                         f"({newer.label}: vault {newer.vault_id or '?'}, custody key "
                         f"{newer.key_fingerprint or '?'}; {older.label}: vault "
                         f"{older.vault_id or '?'}, custody key {older.key_fingerprint or '?'})")
        return _fail(result, div)
    for seq in range(1, older.head + 1):
        if seq > newer.head:
            last = older.events.get(older.head)
            div = Divergence(seq, last.item if last else None,
                             str(last.fields.get("action")) if last else None, BEHIND,
                             f"{newer.label} ends at event {newer.head}, but {older.label} "
                             f"already reached event {older.head}: it is behind the earlier "
                             "record (a rollback, or events cut from its end)")
            return _fail(result, div)
        o, n = older.events.get(seq), newer.events.get(seq)
        oh, nh = older.hashes.get(seq), newer.hashes.get(seq)
        if o is not None and n is not None:
            result.events_compared += 1
            if (o.body, o.hash, o.sig) == (n.body, n.hash, n.sig):
                continue
            return _fail(result, _classify(seq, o, n, older, newer))
        if o is not None and (o.item in shared or (nh is not None and nh != o.hash)):
            # The newer record must show this event (its exhibit is shared) or knows its hash.
            return _fail(result, _classify(seq, o, n, older, newer))
        if n is not None and (n.item in shared or (oh is not None and oh != n.hash)):
            return _fail(result, _classify(seq, o, n, older, newer))
        if oh is not None and nh is not None and oh != nh:
            div = Divergence(seq, None, None, REWRITTEN,
                             f"the logs differ at event {seq}, which neither record shows "
                             f"({older.label} has hash {oh[:16]}…, {newer.label} "
                             f"{nh[:16]}…): an event up to it was edited, removed or inserted")
            return _fail(result, div)
        if o is not None and n is None and nh is None:
            result.events_uncompared.append(seq)
    result.ok = True
    last_pinned = max((s for s in range(1, older.head + 1)
                       if s in older.hashes and s in newer.hashes), default=0)
    result.message = (f"{newer.label} extends {older.label}: {result.events_compared} events "
                      f"identical, {len(shared)} shared exhibits with nothing edited, removed, "
                      f"reordered or inserted up to event {last_pinned}; {newer.label} "
                      f"reaches event {newer.head}")
    if result.events_uncompared:
        result.message += (f". {len(result.events_uncompared)} of {older.label}'s events "
                           f"({_ranges(result.events_uncompared)}) could not be compared: "
                           f"{newer.label} does not show them (they concern exhibits it does "
                           "not hold), so nothing is claimed about them")
    return result


def _ranges(seqs: list[int]) -> str:
    """``3-5, 9``."""
    out: list[str] = []
    for s in seqs:
        if out and out[-1].split("-")[-1] == str(s - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{s}"
        else:
            out.append(str(s))
    return ", ".join(f"events {r}" if "-" in r else f"event {r}" for r in out)


def _fail(result: HistoryResult, div: Divergence) -> HistoryResult:
    result.ok, result.divergence, result.message = False, div, div.message
    return result


def _contents(h: History) -> dict[bytes, list[int]]:
    out: dict[bytes, list[int]] = {}
    for seq, ev in h.events.items():
        out.setdefault(ev.content, []).append(seq)
    return out


def _elsewhere(ev: _Ev | None, at: dict[bytes, list[int]]) -> int | None:
    """Where the other record has this event's content, at another ``seq``."""
    if ev is None:
        return None
    return next((s for s in at.get(ev.content, []) if s != ev.seq), None)


def _classify(seq: int, o: _Ev | None, n: _Ev | None, older: History,
              newer: History) -> Divergence:
    """Name what happened at ``seq``, the first place the records disagree."""
    old_at, new_at = _contents(older), _contents(newer)  # only once, on failure
    o_moved = _elsewhere(o, new_at)  # the older event, found at another seq in the newer
    n_from = _elsewhere(n, old_at)  # the newer event at seq is an older event from elsewhere
    if o is None:
        assert n is not None
        if n_from is not None:
            return Divergence(seq, n.item, str(n.fields.get("action")), REMOVED,
                              f"an event was removed before {describe(n)} of {newer.label}: "
                              f"{older.label} has that event as event {n_from}")
        return Divergence(seq, n.item, str(n.fields.get("action")), INSERTED,
                          f"{describe(n)} of {newer.label} was inserted: {older.label} has "
                          f"no such event, though it covers that exhibit or that event")
    mine = f"{newer.label}'s event {seq}"
    if o_moved is not None and n_from is not None:
        assert n is not None
        what, detail = REORDERED, (f"was moved: {newer.label} has it as event {o_moved}, "
                                   f"after {mine}, which is {older.label}'s event {n_from} "
                                   f"({summary(n)})")
    elif o_moved is not None:
        assert n is not None
        what, detail = INSERTED, (f"was pushed back to event {o_moved}: {mine} "
                                  f"({summary(n)}) was inserted before it")
    elif n is None:
        what, detail = REMOVED, f"was removed: {newer.label} has no such event"
    elif n_from is not None:
        what, detail = REMOVED, (f"was removed: {newer.label} has no such event; {mine} is "
                                 f"{older.label}'s event {n_from} ({summary(n)})")
    elif o.content == n.content:
        what, detail = EDITED, (f"was changed: {mine} says the same but follows another "
                                "event before it (an event before it that neither record "
                                "shows was edited, removed or inserted)")
    elif summary(o) == summary(n):
        what, detail = EDITED, (f"was changed: {mine} differs in "
                                f"{', '.join(_differences(o.fields, n.fields))}")
    else:
        what, detail = EDITED, f"was changed: {mine} is {summary(n)}"
    return Divergence(seq, o.item, str(o.fields.get("action")), what,
                      f"{describe(o)} {detail}")


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """The members that differ (``details.case: NB-1 → NB-2``), at most five."""
    out: list[str] = []
    for key in sorted(set(old) | set(new)):
        if key in ("seq", "prev") and not prefix:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        name = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(_differences(a, b, f"{name}."))
        else:
            def shown(x: Any) -> str:
                text = str(x) if not isinstance(x, (dict, list)) else canonical(x).decode()
                return text if len(text) <= 40 else text[:39] + "…"
            out.append(f"{name}: {shown(a)} → {shown(b)}")
    return out[:5]
