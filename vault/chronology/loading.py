"""A chronology read from a JSON document (docs/chronology.md, "A chronology from a file"):
the cast, posts, issues and elements, facts with their citations and the elements they
support, knowledge events and gaps, added through the store
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
    issues: int = 0
    support: int = 0
    gaps: int = 0


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
    issue_ids: dict[str, int] = {}

    def add_issues(entries: list[dict[str, Any]], parent: int | None) -> None:
        for i in entries:
            issue = store.add_issue(v, case, i["title"], parent=parent, note=i.get("note", ""))
            issue_ids[str(i.get("id", issue.id))] = issue.id
            out.issues += 1
            add_issues(i.get("elements", []), issue.id)
    add_issues(doc.get("issues", []), None)
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
        for issue, strength in f.get("support", []):
            if str(issue) not in issue_ids:
                raise VaultError(f"fact {fact.number} supports {issue!r}, which is not an "
                                 "issue here")
            store.support(v, case, fact.number, issue_ids[str(issue)], strength)
            out.support += 1
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
    for g in doc.get("gaps", []):
        fact_key = g.get("fact")
        if fact_key is not None and str(fact_key) not in numbers:
            raise VaultError(f"a gap concerns {fact_key!r}, which is not a fact here")
        store.add_gap(v, case, g.get("kind", "question"), g["text"],
                      parse_date(g.get("date", "")), sources=g.get("sources", ""),
                      fact=None if fact_key is None else numbers[str(fact_key)])
        out.gaps += 1
    return out
