"""Court documents as they go into an evidence package (docs/package-format.md, version 6;
docs/court-bundle.md, "In a package"): the chosen documents of the case as PDF under
``data/court/``, and ``court.json`` naming each file, its kind, and the exhibits it names by
mark, reference and SHA-256, so that a verifier can tie them to the package's exhibits without
this program's database. Made as of the court records' last change: the same records give the
same bytes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from vault.clock import iso_utc
from vault.court.continuity import verified_log
from vault.court.labels import CONTINUITY, COVERS, LABELS, make_court_document
from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST
from vault.court.model import file_safe
from vault.court.schedules import DOCUMENTS
from vault.court.store import CourtRefused, exhibit, exhibits, statements
from vault.custody import log as custody
from vault.packages.format import COURT, COURT_DOCUMENTS, COURT_FORMAT, COURT_JSON
from vault.store.vault import Vault

DOCUMENT_VERSION = 1
ACTIONS = (custody.COURT_ADDED, custody.COURT_CHANGED, custody.COURT_REMOVED)


@dataclass
class SharedCourt:
    documents: list[str]  # the kinds chosen, in the format's order
    files: dict[str, bytes]  # path below the package's top folder -> bytes, court.json last
    named: list[str]  # the items (references) the documents name as exhibits


def last_change(v: Vault, case: str) -> dt.datetime:
    last = None
    for e in v.events():
        if e.fields.get("action") in ACTIONS and e.fields["details"].get("case") == case:
            last = e.fields["time"]
    if last is None:
        raise CourtRefused(f"case {case!r} has no court records to put in a package")
    return dt.datetime.fromisoformat(str(last).replace("Z", "+00:00"))


def shared_court(v: Vault, case: str, documents: list[str], refs: set[str]) -> SharedCourt:
    """The files of ``documents`` for a package holding the items ``refs``. Refused when a
    document names an exhibit the package would not hold (it is never added)."""
    unknown = [d for d in documents if d not in COURT_DOCUMENTS]
    if unknown:
        raise CourtRefused(f"{', '.join(unknown)}: not a court document (one of "
                           f"{', '.join(COURT_DOCUMENTS)})")
    chosen = [d for d in COURT_DOCUMENTS if d in documents]
    made = last_change(v, case)
    plan: list[tuple[str, str, str, list[str] | None, str | None]] = []
    if "exhibit labels" in chosen:
        plan.append(("exhibit labels", "exhibit-labels.pdf", LABELS, None, None))
    if "cover sheets" in chosen:
        plan.append(("cover sheets", "cover-sheets.pdf", COVERS, None, None))
    if "continuity records" in chosen:
        for e in exhibits(v, case):
            if e.item in refs:
                plan.append(("continuity records", f"continuity-{e.file_safe}.pdf", CONTINUITY,
                             [e.mark], None))
    if "statement lists" in chosen:
        for st in statements(v, case):
            stem = f"statement-{st.witness.initials}-{st.number}"
            plan.append(("statement lists", f"{stem}-exhibits.pdf", EXHIBIT_LIST, None,
                         st.name))
            plan.append(("statement lists", f"{stem}-referred.pdf", REFERRED_LIST, None,
                         st.name))
    for schedule, name in DOCUMENTS.items():
        if name in chosen:
            plan.append((name, f"unused-{schedule}.pdf", name, None, None))
    # the custody log read and verified once for every continuity record, not once each
    log = verified_log(v) if any(p[2] == CONTINUITY for p in plan) else None
    files: dict[str, bytes] = {}
    listed: list[dict[str, Any]] = []
    named: dict[str, dict[str, str]] = {}
    for kind, file, document, marks, statement in plan:
        data, names, extra = make_court_document(v, case, document, "pdf", marks, statement,
                                                 made, log)
        files[COURT + file] = data
        marked = [n for n in names if "/" in n]  # marks (schedule entries are N3, S1)
        listed.append({"file": COURT + file, "document": kind, "marks": marked,
                       **{k: val for k, val in extra.items()}})
        for mark in marked:
            e = exhibit(v, case, mark)
            named[mark] = {"mark": e.mark, "ref": e.item, "sha256": e.sha256,
                           "file_safe": file_safe(e.mark)}
    missing = sorted({x["ref"] for x in named.values()} - refs)
    if missing:
        raise CourtRefused(f"the court documents name {', '.join(missing)}, which this package "
                           "would not hold: include them, or leave those documents out")
    doc = {"format": COURT_FORMAT, "version": DOCUMENT_VERSION, "case": case,
           "made": iso_utc(made), "documents": chosen, "files": listed,
           "exhibits": [named[m] for m in sorted(named)]}
    files[COURT_JSON] = (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
                         + "\n").encode("utf-8")
    return SharedCourt(chosen, files, sorted({x["ref"] for x in named.values()}))
