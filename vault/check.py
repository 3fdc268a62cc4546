"""``check``: re-read every object, recompute every hash, verify the chain and every signature.

Each problem names the first broken event or the item it concerns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vault import custody
from vault.errors import VaultError
from vault.thumbnails import read_thumbnail_object
from vault.vault import Vault


@dataclass
class CheckReport:
    items_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    thumbnails_checked: int = 0
    problems: list[str] = field(default_factory=list)

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

    # 1. The chain: hashes, links, signatures, in order; and what each item's events say.
    imported: dict[str, str] = {}
    purged: set[str] = set()
    events = list(v.events())
    for p in custody.verify_chain(events, v.public_key, v.vault_id):
        report.problems.append(str(p))
    for ev in events:
        try:
            f: dict[str, Any] = ev.fields
        except ValueError:
            continue
        if f.get("action") in custody.RECEIPTS and f.get("item"):
            imported.setdefault(str(f["item"]), str(f.get("sha256")))
        elif f.get("action") == custody.PURGED and f.get("item"):
            purged.add(str(f["item"]))
    report.events_checked = len(events)

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

    # 4. Files in objects/ that nothing refers to.
    stray = v.objects.names() - v.referenced_objects()
    if stray:
        report.problems.append(f"{len(stray)} file(s) in objects/ belong to no item")
    yield report


def run_check(v: Vault) -> CheckReport:
    for step in check(v):
        if isinstance(step, CheckReport):
            return step
    raise AssertionError("check ended without a report")
