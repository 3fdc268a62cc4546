"""The exhibits: each one's provenance record, file and receipt in the custody log, purged
items, and the summary bag-info.txt gives of what the package holds."""

from __future__ import annotations

import json
from typing import Any

from vault.custody.excerpt import VerifiedExcerpt
from vault.custody.log import COPY_WITHDRAWN, PURGED, RECEIPTS, WORKINGS
from vault.packages.checks.reader import PackageReader
from vault.packages.format import (
    COUNT_LABELS,
    EXHIBITS,
    NOTES_LABEL,
    NOTES_VALUES,
    PROVENANCE,
    exhibit_kind,
    ref_key,
    ref_slug,
)


def exhibits(pkg: PackageReader, manifest: dict[str, str], excerpt: VerifiedExcerpt) -> None:
    """Each provenance record names its own exhibit file, whose SHA-256 is the one signed at
    its receipt; no exhibit without a record, no item of the log left out."""
    receipts: dict[str, str] = {}
    for ev in excerpt.events:
        if ev.get("action") in RECEIPTS and ev.get("item"):
            receipts.setdefault(str(ev["item"]), str(ev.get("sha256")))
    problems: list[str] = []
    described: set[str] = set()
    for p in sorted(manifest):
        if not p.startswith(PROVENANCE):
            continue
        try:
            rec = json.loads(pkg.read(p))
            ref, file, sha = str(rec["ref"]), str(rec["file"]), str(rec["sha256"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            problems.append(f"{p} is not a provenance record")
            continue
        if rec.get("purged") is True:
            problems.extend(_purged(pkg, rec, ref, sha, receipts, excerpt))
            continue
        described.add(file)
        pkg.r.exhibits.append(rec)
        if not file.startswith(EXHIBITS):
            problems.append(f"{ref}: its record points outside {EXHIBITS}")
        elif not file.startswith(f"{EXHIBITS}{ref_slug(ref)}_"):
            problems.append(f"{ref}: its file {file} is named for another exhibit")
        elif manifest.get(file) != sha:
            problems.append(f"{ref}: {file} is not the content its record describes")
        elif receipts.get(ref) != sha:
            problems.append(f"{ref}: its SHA-256 differs from the one signed at its receipt"
                            if ref in receipts else f"{ref}: no signed receipt in the log")
    pkg.r.exhibits.sort(key=lambda x: ref_key(str(x["ref"])))
    for p in sorted(manifest):
        if p.startswith(EXHIBITS) and p not in described:
            problems.append(f"{p} has no provenance record")
    # The excerpt holds the events of exactly the exported items: an item with events but
    # no exhibit (and no purge) was taken out after the export.
    shown = {str(x["ref"]) for x in (*pkg.r.exhibits, *pkg.r.purged)}
    with_events = {str(ev["item"]) for ev in excerpt.events if ev.get("item")}
    for ref in sorted(with_events - shown, key=ref_key):
        problems.append(f"{ref} has custody events in this package's log but is not in "
                        "the package (removed)")
    gone = f"; {len(pkg.r.purged)} purged before the export" if pkg.r.purged else ""
    pkg.check("exhibits", not problems and bool(pkg.r.exhibits), "; ".join(problems) or
              f"{len(pkg.r.exhibits)} exhibits: each matches the hash signed at receipt"
              + gone)


def summary(pkg: PackageReader, excerpt: VerifiedExcerpt) -> None:
    """Version 4: the summary in bag-info.txt says what the package holds; it MUST agree
    with the provenance records and the excerpt (notes "left out": none of their events)."""
    info = pkg.r.bag_info
    withdrawn = {str(ev["item"]) for ev in excerpt.events
                 if ev.get("action") == COPY_WITHDRAWN and ev.get("item")}
    pkg.r.withdrawn = sorted(withdrawn & {str(x["ref"]) for x in pkg.r.exhibits},
                             key=ref_key)
    if info.get("Evidence-Vault-Package-Version") in ("1", "2", "3"):
        return
    counts = dict.fromkeys(COUNT_LABELS, 0)
    for rec in (*pkg.r.exhibits, *pkg.r.purged):
        counts[exhibit_kind(rec)] += 1
    counts["withdrawn"] = len(pkg.r.withdrawn)
    problems = [f"{label} says {info.get(label, '(missing)')}, the package holds "
                f"{counts[kind]}" for kind, label in COUNT_LABELS.items()
                if info.get(label) != str(counts[kind])]
    notes = info.get(NOTES_LABEL, "")
    pkg.r.notes = notes
    workings = sum(1 for ev in excerpt.events if ev.get("action") in WORKINGS)
    if notes not in NOTES_VALUES:
        problems.append(f"{NOTES_LABEL} is {notes or '(missing)'}, not one of "
                        f"{' or '.join(NOTES_VALUES)}")
    elif notes == "left out" and workings:
        problems.append(f"{NOTES_LABEL} says left out, but the custody log holds "
                        f"{workings} note or annotation events")
    pkg.check("summary", not problems, "; ".join(problems) or (
        f"{counts['original']} originals, {counts['redacted copy']} redacted copies, "
        f"{counts['other copy']} other copies, {counts['purged']} purged, "
        f"{counts['withdrawn']} withdrawn; the investigator's notes {notes}"))


def _purged(pkg: PackageReader, rec: dict[str, Any], ref: str, sha: str,
            receipts: dict[str, str], excerpt: VerifiedExcerpt) -> list[str]:
    """A record of an item purged before the export (version 3): no file, and its purge
    event in the log after a receipt of the same SHA-256."""
    pkg.r.purged.append(rec)
    if rec.get("file") is not None:
        return [f"{ref}: its record says it was purged but names a file"]
    if not any(ev.get("item") == ref and ev.get("action") == PURGED
               for ev in excerpt.events):
        return [f"{ref}: recorded as purged, but the log has no purge event for it"]
    if receipts.get(ref) != sha:
        return [f"{ref}: its SHA-256 differs from the one signed at its receipt"
                if ref in receipts else f"{ref}: no signed receipt in the log"]
    return []
