"""A chronology read from a JSON document (docs/chronology.md, "A chronology from a file"):
the cast, posts, facts with their citations, and knowledge events, added through the store
one by one, so each is checked and recorded as if typed. The demo builds the sample case's
chronology (resources/samples/chronology.json) this way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.chronology import store
from vault.chronology.dates import parse_date
from vault.errors import VaultError
from vault.store.vault import Vault


@dataclass
class Loaded:
    people: int = 0
    posts: int = 0
    facts: int = 0
    citations: int = 0
    knowledge: int = 0


def load_chronology(v: Vault, case: str, doc: dict[str, Any], refs: dict[str, str]
                    ) -> Loaded:
    """Add everything in ``doc`` to the chronology of ``case``. Citations name exhibits by
    the file name they were imported from: ``refs`` maps those names to references."""
    out = Loaded()

    def cite(owner: str, key: int, citations: list[list[Any]]) -> None:
        for c in citations:
            name, page, quote = c[0], c[1], c[2]
            region = tuple(c[3]) if len(c) > 3 and c[3] else None
            if name not in refs:
                raise VaultError(f"the chronology cites {name}, which is not in the vault")
            store.cite(v, case, owner, key, refs[name], page, quote, region)
            out.citations += 1

    for e in doc.get("cast", []):
        store.add_entity(v, case, e["short"], e["name"], kind=e.get("kind", "person"),
                         role=e.get("role", "other"), pseudonym=e.get("pseudonym", ""),
                         public_office=bool(e.get("public_office")),
                         aliases=e.get("aliases", []))
        out.people += 1
    for p in doc.get("posts", []):
        store.add_position(v, case, p["person"], p["post"], p["organisation"],
                           parse_date(p.get("from", "")), parse_date(p.get("to", "")))
        out.posts += 1
    numbers: dict[str, int] = {}
    for f in doc.get("facts", []):
        date = parse_date(f["date"], basis=f.get("basis", ""), order=int(f.get("order", 0)))
        fields: dict[str, Any] = {k: f[k] for k in ("status", "versions", "material", "key",
                                                   "evaluation", "comment") if k in f}
        if f.get("doc_date"):
            fields["doc_date"] = parse_date(f["doc_date"])
        if f.get("people"):
            fields["people"] = [tuple(p) for p in f["people"]]
        fact = store.add_fact(v, case, f["text"], date, **fields)
        numbers[str(f.get("id", fact.number))] = fact.number
        out.facts += 1
        cite("fact", fact.number, f.get("cite", []))
    for k in doc.get("knowledge", []):
        response = k.get("response")
        if response is not None and str(response) not in numbers:
            raise VaultError(f"a knowledge event's response {response!r} is not a fact here")
        event = store.add_knowledge(v, case, k["who"], k["matter"], parse_date(k["date"]),
                                    how=k["how"], awareness=k["awareness"],
                                    response=None if response is None
                                    else numbers[str(response)])
        out.knowledge += 1
        cite("knowledge", event.id, k.get("cite", []))
    return out
