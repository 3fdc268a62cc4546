"""Version 5: the chronology's tables in the package. bag-info.txt names them; exactly their
files are under data/chronology/; chronology.json is the shared chronology, and every source
it gives (an exhibit's reference and SHA-256) is an exhibit of the package with that SHA-256.
Reads JSON only: no PDF or DOCX parser runs here."""

from __future__ import annotations

import json
from typing import Any

from vault.packages.checks.reader import PackageReader
from vault.packages.format import (
    CHRONOLOGY,
    CHRONOLOGY_DOCUMENT,
    CHRONOLOGY_JSON,
    CHRONOLOGY_LABEL,
    CHRONOLOGY_TABLES,
    chronology_files,
)


def chronology(pkg: PackageReader, manifest: dict[str, str]) -> None:
    info = pkg.r.bag_info
    if info.get("Evidence-Vault-Package-Version") in ("1", "2", "3", "4"):
        return  # data/chronology/ was plain payload then
    label = info.get(CHRONOLOGY_LABEL)
    tables = [] if label in (None, "", "none") else [t.strip() for t in label.split(",")]
    problems: list[str] = []
    if label is None:
        problems.append(f"bag-info.txt has no {CHRONOLOGY_LABEL}")
    unknown = [t for t in tables if t not in CHRONOLOGY_TABLES]
    if unknown:
        problems.append(f"{CHRONOLOGY_LABEL} names {', '.join(unknown)}, not chronology "
                        "tables")
    expected = set(chronology_files([t for t in tables if t not in unknown]))
    present = {p for p in manifest if p.startswith(CHRONOLOGY)}
    for p in sorted(expected - present):
        problems.append(f"{p} is missing (removed)")
    for p in sorted(present - expected):
        problems.append(f"{p} is not one of the tables {CHRONOLOGY_LABEL} names (added)")
    sources = 0
    if CHRONOLOGY_JSON in expected and CHRONOLOGY_JSON in present:
        sources = _sources(pkg, tables, problems)
    pkg.r.chronology = tables
    pkg.r.chronology_files = {p: manifest[p] for p in sorted(expected & present)}
    pkg.check("chronology", not problems, "; ".join(problems) or (
        "no chronology" if not tables else
        f"the chronology's tables ({', '.join(tables)}); each of its {sources} sources is "
        "an exhibit of this package with the SHA-256 it cites"))


def _sources(pkg: PackageReader, tables: list[str], problems: list[str]) -> int:
    """Check chronology.json against the label and the exhibits; return how many sources."""
    try:
        doc: dict[str, Any] = json.loads(pkg.read(CHRONOLOGY_JSON))
        entries = [*((f"fact {e['number']}", e) for e in doc["facts"]),
                   *((f"knowledge event {e['id']}", e) for e in doc["knowledge"])]
        cited = [(where, str(s["ref"]), str(s["sha256"])) for where, e in entries
                 for s in e["sources"]]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        problems.append(f"{CHRONOLOGY_JSON} is not a chronology document")
        return 0
    if doc.get("format") != CHRONOLOGY_DOCUMENT or doc.get("tables") != tables:
        problems.append(f"{CHRONOLOGY_JSON} does not describe the tables {CHRONOLOGY_LABEL} "
                        "names")
    held = {str(x["ref"]): str(x["sha256"]) for x in pkg.r.exhibits}
    for where, ref, sha in cited:
        if ref not in held:
            problems.append(f"{where} cites {ref}, which is not in the package")
        elif held[ref] != sha:
            problems.append(f"{where} cites {ref} with another SHA-256 than the package's "
                            f"{ref} (the exhibit changed after it was cited, or the citation "
                            "was altered)")
    pkg.r.chronology_sources = len(cited)
    return len(cited)
