"""A chronology as it goes into an evidence package (docs/package-format.md, version 5;
docs/chronology.md, "In a package"): the chosen tables as PDF, DOCX and CSV, and
``chronology.json``, the facts and knowledge events as shared (pseudonyms, no evaluation or
comment), each with the exhibits it cites by reference and SHA-256, so that a verifier can
tie every source to an exhibit in the package without this program's database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from vault.chronology import reports
from vault.chronology.documents import table_bytes
from vault.chronology.model import Citation
from vault.chronology.store import facts, knowledge
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.packages.format import (
    CHRONOLOGY,
    CHRONOLOGY_DOCUMENT,
    CHRONOLOGY_FORMATS,
    CHRONOLOGY_JSON,
    CHRONOLOGY_TABLES,
    PRIVILEGED_TABLES,
)
from vault.store.vault import Vault

DOCUMENT_VERSION = 1
ACTIONS = (custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_CHANGED, custody.CHRONOLOGY_REMOVED)


@dataclass
class SharedChronology:
    """What a package will hold of a case's chronology: file name (below the package's top
    folder) to bytes, in the order written, and the exhibits its sources cite."""
    tables: list[str]
    files: dict[str, bytes]
    cited: list[str]  # references, in the order first cited


def _source(c: Citation) -> dict[str, Any]:
    return {"ref": c.ref, "sha256": c.sha256, "page": c.page, "quote": c.quote,
            "region": list(c.region) if c.region else None}


def last_change(v: Vault, case: str) -> dt.datetime | None:
    """The time of the last change to the chronology of ``case`` (its custody events)."""
    last = None
    for e in v.events():
        if e.fields.get("action") in ACTIONS and e.fields["details"].get("case") == case:
            last = e.fields["time"]
    return dt.datetime.fromisoformat(last.replace("Z", "+00:00")) if last else None


def shared_chronology(v: Vault, case: str, tables: list[str], made: dt.datetime
                      ) -> SharedChronology:
    """The files for ``tables`` of ``case``'s chronology, made as of ``made`` (the same
    chronology at the same time gives the same bytes). Refused, before anything is written,
    when a table would name someone behind a pseudonym (reports.WouldName)."""
    unknown = [t for t in tables if t not in CHRONOLOGY_TABLES]
    if unknown:
        raise VaultError(f"{', '.join(unknown)}: not a chronology table (one of "
                         f"{', '.join(CHRONOLOGY_TABLES)})")
    tables = [t for t in CHRONOLOGY_TABLES if t in tables]  # the format's order, once each
    if not tables:
        raise VaultError("choose at least one chronology table")
    subtitle = (f"Made {made.strftime('%d/%m/%Y %H:%M')} UTC from Evidence Vault "
                f"{v.vault_id}, case {case}")
    files: dict[str, bytes] = {}
    for name in tables:
        t = reports.TABLES[name](v, case)
        t.subtitle = subtitle
        for fmt in CHRONOLOGY_FORMATS:
            files[f"{CHRONOLOGY}{name}.{fmt}"] = table_bytes(t, fmt, made, v.identity.name)
    cast = reports.shared_cast(v, case)
    fact_list, events = facts(v, case), knowledge(v, case)
    doc_facts: list[dict[str, Any]] = [
        {"number": f.number, "date": f.date.to_json(), "shown_date": f.date.show(),
         "event": reports.event_text(cast, f), "status": f.status, "key": f.key,
         "material": f.material, "sources": [_source(c) for c in f.citations]}
        for f in fact_list]
    doc_knowledge: list[dict[str, Any]] = []
    for k in events:
        cast.check(f"knowledge event {k.id}", k.matter)
        doc_knowledge.append({
            "id": k.id, "who": cast.name(k.who), "matter": cast.render(k.matter),
            "date": k.date.to_json(), "shown_date": k.date.show(), "how": k.how,
            "awareness": k.awareness, "response": k.response,
            "sources": [_source(c) for c in k.citations]})
    doc = {"format": CHRONOLOGY_DOCUMENT, "version": DOCUMENT_VERSION, "case": case,
           "made": iso_utc(made), "tables": tables,
           "privileged": [t for t in tables if t in PRIVILEGED_TABLES],
           "facts": doc_facts, "knowledge": doc_knowledge}
    files[CHRONOLOGY_JSON] = (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
                              + "\n").encode("utf-8")
    cited = list(dict.fromkeys(s["ref"] for entry in (*doc_facts, *doc_knowledge)
                               for s in entry["sources"]))
    return SharedChronology(tables, files, cited)
