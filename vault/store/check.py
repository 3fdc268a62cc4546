"""``check``: re-read every object, recompute every hash, verify the chain and every signature.

Each problem names the first broken event or the item it concerns.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vault.custody import log as custody
from vault.documents.thumbnails import read_thumbnail_object
from vault.errors import VaultError
from vault.store.vault import Vault
from vault.timestamps.stamping import head_token_problems


@dataclass
class CheckReport:
    items_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    thumbnails_checked: int = 0
    annotations_checked: int = 0
    problems: list[str] = field(default_factory=list)
    # Said, not failed: custody times that go backwards (an earlier program recorded imports
    # at their moment of receipt after later events; the log is still intact).
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CheckProgress:
    done_bytes: int
    total_bytes: int
    current: str


def check(v: Vault, cancel: Callable[[], bool] | None = None
          ) -> Iterator[CheckProgress | CheckReport]:
    """Yields progress, then the :class:`CheckReport` last."""
    cancel = cancel or (lambda: False)
    report = CheckReport()
    report.problems.extend(v.head_problems())
    report.problems.extend(head_token_problems(v))  # the log against its trusted timestamps

    # 1. The chain: hashes, links, signatures, in order; and what each item's events say.
    imported: dict[str, str] = {}
    purged: set[str] = set()
    layer: dict[str, dict[str, Any]] = {}  # annotation id: its last state in the log
    derived: list[tuple[int, dict[str, Any]]] = []
    withdrawn: dict[str, int] = {}  # copy: its "copy withdrawn" event
    events = list(v.events())
    for p in custody.verify_chain(events, v.public_key, v.vault_id):
        report.problems.append(str(p))
    report.warnings.extend(custody.times_backwards([e.fields for e in events]))
    for ev in events:
        try:
            f: dict[str, Any] = ev.fields
        except ValueError:
            continue
        if f.get("action") in custody.RECEIPTS and f.get("item"):
            imported.setdefault(str(f["item"]), str(f.get("sha256")))
        elif f.get("action") == custody.PURGED and f.get("item"):
            purged.add(str(f["item"]))
        if f.get("action") in ANNOTATION_ACTIONS and f.get("item"):
            _replay(layer, f, ev.seq)
        if f.get("action") == custody.DERIVED and f.get("item"):
            derived.append((ev.seq, f))
        if f.get("action") == custody.COPY_WITHDRAWN and f.get("item"):
            withdrawn.setdefault(str(f["item"]), ev.seq)
    report.events_checked = len(events)
    indexed = {str(r[0]): int(r[1]) for r in v.con.execute(
        "SELECT i.ref, w.seq FROM withdrawn w JOIN items i ON i.id = w.item_id")}
    if indexed != withdrawn:
        report.problems.append("the withdrawn copies in the index differ from the custody log's "
                               f"(index: {sorted(indexed)}, log: {sorted(withdrawn)})")

    # 2. Every item against its import event, and every object's bytes against the hash.
    rows = v.con.execute("SELECT i.ref, i.sha256, i.status, i.oid, o.size FROM items i "
                         "LEFT JOIN objects o ON o.oid = i.oid ORDER BY i.id").fetchall()
    total = sum(r[4] or 0 for r in rows)
    done = 0
    for ref, sha, status, oid, size in rows:
        if cancel():
            report.problems.append("check cancelled before it finished")
            break
        report.items_checked += 1
        if ref not in imported:
            report.problems.append(f"item {ref}: no import event in the custody log")
        elif imported[ref] != sha:
            report.problems.append(f"item {ref}: its recorded SHA-256 differs from the one signed "
                                   "in its import event")
        if status == "purged":
            if ref not in purged:
                report.problems.append(f"item {ref}: marked purged with no purge event")
            continue
        if ref in purged:
            report.problems.append(f"item {ref}: purged in the log but still marked present")
        if oid is None:
            report.problems.append(f"item {ref}: its content is missing from the index")
            continue
        yield CheckProgress(done, total, ref)
        try:
            h = hashlib.sha256()
            n = 0
            with v.objects.open(oid, v.object_key(oid)) as reader:
                for chunk in reader.iter_chunks():
                    h.update(chunk)
                    n += len(chunk)
            if n != size:
                report.problems.append(f"item {ref}: content is {n} bytes, {size} recorded")
            if h.hexdigest() != sha and imported.get(ref) != h.hexdigest():
                report.problems.append(f"item {ref}: content does not match its SHA-256")
            report.bytes_checked += n
        except VaultError as e:
            report.problems.append(f"item {ref}: {e}")
        done += size or 0

    # 3. Thumbnails: display copies, not evidence, but a stored file that was altered or lost
    # is reported all the same, and none may outlive its item's purge.
    thumbs = v.con.execute("SELECT i.ref, i.status, t.size, t.oid, o.size FROM thumbnails t "
                           "JOIN items i ON i.id = t.item_id LEFT JOIN objects o ON o.oid = t.oid "
                           "ORDER BY i.id, t.size").fetchall()
    for ref, status, px, oid, size in thumbs:
        if cancel():
            if "check cancelled before it finished" not in report.problems:
                report.problems.append("check cancelled before it finished")
            break
        report.thumbnails_checked += 1
        where = f"thumbnail of {ref} ({px} px)"
        if status != "present":
            report.problems.append(f"{where}: still held although the item was purged")
            continue
        try:
            data = read_thumbnail_object(v, oid, v.object_key(oid))
            if len(data) != size:
                report.problems.append(f"{where}: {len(data)} bytes, {size} recorded")
        except VaultError as e:
            report.problems.append(f"{where}: {e} (a display copy, not evidence: the item's "
                                   "content is checked on its own)")

    # 4. Annotations: each row as its events left it, on the content it was made on; and
    # each derivative's original as it was when the copy was made.
    report.annotations_checked, problems = _annotation_problems(v, layer)
    report.problems.extend(problems)
    report.problems.extend(_derivation_problems(v, derived))

    # 5. Files in objects/ that nothing refers to (moved aside on open, never deleted).
    stray = v.objects.names() - v.referenced_objects()
    if stray:
        report.problems.append(f"{len(stray)} file(s) in objects/ belong to no item")
    report.warnings.extend(v.orphan_notices())

    # 6. The private details (absolute paths, computer names) against their commitments.
    from vault.evidence import private_details

    report.problems.extend(private_details.problems(v.con))
    for ev in events:
        sealed = (ev.fields.get("details") or {}).get("private_sha256")
        if isinstance(sealed, str) and private_details.private_record(v.con, sealed) is None:
            report.problems.append(f"custody event {ev.seq}: its private details are missing")
    yield report


def run_check(v: Vault) -> CheckReport:
    for step in check(v):
        if isinstance(step, CheckReport):
            return step
    raise AssertionError("check ended without a report")


ANNOTATION_ACTIONS = (custody.ANNOTATION_ADDED, custody.ANNOTATION_CHANGED,
                      custody.ANNOTATION_REMOVED)
_FIELDS = ("id", "ref", "sha256", "page", "kind", "geometry", "colour", "text", "reason",
           "author", "created", "updated")


def _replay(layer: dict[str, dict[str, Any]], f: dict[str, Any], seq: int) -> None:
    details = f.get("details") or {}
    state = details.get("after") if f["action"] == custody.ANNOTATION_CHANGED else details
    if not isinstance(state, dict) or not isinstance(state.get("id"), str):
        return
    layer[state["id"]] = {**state, "_removed": f["action"] == custody.ANNOTATION_REMOVED,
                          "_seq": seq, "_item": f.get("item"), "_sha256": f.get("sha256")}


def _annotation_problems(v: Vault, layer: dict[str, dict[str, Any]]) -> tuple[int, list[str]]:
    """Every annotation row against the last event about it, and the reverse."""
    problems: list[str] = []
    rows = v.con.execute(
        "SELECT a.id, i.ref, a.sha256, a.page, a.kind, a.geometry, a.colour, a.text, a.reason, "
        "a.author, a.created, a.updated, a.removed, i.sha256 FROM annotations a "
        "JOIN items i ON i.id = a.item_id ORDER BY a.n").fetchall()
    seen = set()
    for row in rows:
        got = dict(zip(_FIELDS, row[:12], strict=True))
        aid, ref = str(got["id"]), str(got["ref"])
        seen.add(aid)
        with contextlib.suppress(ValueError):
            got["geometry"] = json.loads(str(got["geometry"]))
        where = f"annotation {aid} of {ref}"
        state = layer.get(aid)
        if state is None:
            problems.append(f"{where}: no custody event records it")
            continue
        if got["sha256"] != row[13]:
            problems.append(f"{where}: made on other content than the item's")
        if (row[12] is not None) != state["_removed"]:
            problems.append(f"{where}: its removal differs from the custody log")
        if state["_item"] != ref or state["_sha256"] != got["sha256"] or \
                any(state.get(k) != got[k] for k in _FIELDS):
            problems.append(f"{where}: differs from custody event {state['_seq']}")
    for aid, state in layer.items():
        if aid not in seen:
            problems.append(f"annotation {aid} of {state['_item']}: in the custody log "
                            f"(event {state['_seq']}) but missing from the index")
    return len(rows), problems


def _derivation_problems(v: Vault, derived: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """A derivative names its original, whose content must be the one it was made from."""
    problems = []
    for seq, f in derived:
        details = f.get("details") or {}
        source, was = details.get("derived_from"), details.get("original_sha256")
        row = v.con.execute("SELECT sha256 FROM items WHERE ref=?", (source,)).fetchone()
        if row is None:
            problems.append(f"item {f['item']}: derived (event {seq}) from {source}, which is "
                            "not in the vault")
        elif row[0] != was:
            problems.append(f"item {f['item']}: derived (event {seq}) from {source} when its "
                            "SHA-256 was another than it is now")
        if details.get("output_sha256") != f.get("sha256"):
            problems.append(f"item {f['item']}: its derivation record (event {seq}) names "
                            "another SHA-256 than the event")
    return problems
