"""Version 6: court documents in the package. bag-info.txt names the kinds; court.json lists
exactly the files under data/court/, and every exhibit it says a document names (mark,
reference, SHA-256) is an exhibit of the package with that SHA-256. Reads JSON only: no PDF
parser runs here."""

from __future__ import annotations

import json
from typing import Any

from vault.packages.checks.reader import PackageReader
from vault.packages.format import COURT, COURT_DOCUMENTS, COURT_FORMAT, COURT_JSON, COURT_LABEL


def court(pkg: PackageReader, manifest: dict[str, str]) -> None:
    info = pkg.r.bag_info
    if info.get("Evidence-Vault-Package-Version") in ("1", "2", "3", "4", "5"):
        return  # data/court/ was plain payload then
    label = info.get(COURT_LABEL)
    kinds = [] if label in (None, "", "none") else [k.strip() for k in label.split(",")]
    problems: list[str] = []
    if label is None:
        problems.append(f"bag-info.txt has no {COURT_LABEL}")
    unknown = [k for k in kinds if k not in COURT_DOCUMENTS]
    if unknown:
        problems.append(f"{COURT_LABEL} names {', '.join(unknown)}, not court documents")
    present = {p for p in manifest if p.startswith(COURT)}
    named = 0
    listed: set[str] = set()
    if kinds:
        if COURT_JSON not in present:
            problems.append(f"{COURT_JSON} is missing (removed)")
        else:
            listed, named = _described(pkg, kinds, problems)
            listed.add(COURT_JSON)
    for p in sorted(listed - present):
        problems.append(f"{p} is missing (removed)")
    for p in sorted(present - listed):
        problems.append(f"{p} is not one of the files {COURT_JSON} lists (added)")
    pkg.r.court = kinds
    pkg.r.court_files = {p: manifest[p] for p in sorted(listed & present)}
    pkg.check("court documents", not problems, "; ".join(problems) or (
        "no court documents" if not kinds else
        f"court documents ({', '.join(kinds)}); each of the {named} exhibits they name is an "
        "exhibit of this package with the SHA-256 they give"))


def _described(pkg: PackageReader, kinds: list[str], problems: list[str]
               ) -> tuple[set[str], int]:
    try:
        doc: dict[str, Any] = json.loads(pkg.read(COURT_JSON))
        files = {str(f["file"]) for f in doc["files"]}
        named = [(str(x["mark"]), str(x["ref"]), str(x["sha256"])) for x in doc["exhibits"]]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        problems.append(f"{COURT_JSON} is not a court documents file")
        return set(), 0
    if doc.get("format") != COURT_FORMAT or doc.get("documents") != kinds:
        problems.append(f"{COURT_JSON} does not describe the documents {COURT_LABEL} names")
    bad = sorted(f for f in files if not f.startswith(COURT) or "/" in f[len(COURT):])
    if bad:
        problems.append(f"{COURT_JSON} lists files outside {COURT}: {', '.join(bad)}")
    held = {str(x["ref"]): str(x["sha256"]) for x in pkg.r.exhibits}
    for mark, ref, sha in named:
        if ref not in held:
            problems.append(f"exhibit {mark} ({ref}) is not in the package")
        elif held[ref] != sha:
            problems.append(f"exhibit {mark} is given another SHA-256 than the package's {ref} "
                            "(the exhibit changed after the documents were made, or they were "
                            "altered)")
    return files - set(bad), len(named)
