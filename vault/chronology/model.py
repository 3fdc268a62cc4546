"""What a chronology holds (docs/chronology.md, "The model"): the cast (people, bodies and
posts), the posts they held, facts, citations and knowledge events. Plain values; the vault
side is vault/chronology/store.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vault.chronology.dates import UncertainDate

PERSON, ORGANISATION, POST = "person", "organisation", "post"
ENTITY_KINDS = (PERSON, ORGANISATION, POST)
SURVIVOR = "survivor"
CASE_ROLES = ("officer under scrutiny", "agency", SURVIVOR, "witness", "other")
STATUSES = ("undisputed", "disputed by the other side", "disputed by us", "to be proved")
DISPUTED = ("disputed by the other side", "disputed by us")
PARTS = ("actor", "recipient", "informed", "present", "author", "decision maker", "mentioned")
HOW = ("letter", "e-mail", "referral", "meeting", "minutes", "phone", "report", "court",
       "media", "other")
# How a person or body came to know: the first four are knowing; the last is a finding that
# they should have known (shown apart, never as knowing).
AWARENESS = ("received", "attended", "told", "copied in", "ought to have known")
OUGHT = "ought to have known"
# How strongly a fact supports an element of an issue; "weak" support alone is shown as weak.
STRENGTHS = ("strong", "some", "weak")
GAP_KINDS = ("question", "document not held", "fact to be proved")
GAP_STATES = ("open", "closed")
SHORT = re.compile(r"[a-z][a-z0-9_-]{0,39}")
MENTION = re.compile(r"@([a-z][a-z0-9_-]{0,39})")


@dataclass(frozen=True)
class Entity:
    """A person, an organisation or a post in the case (the cast)."""
    id: int
    short: str  # typed as @short in facts: lower case letters, digits, - and _
    name: str  # the real name: stays in the vault when there is a pseudonym
    kind: str
    role: str
    pseudonym: str = ""  # "Child A": used in everything shared
    public_office: bool = False
    aliases: tuple[str, ...] = ()

    def shown(self, shared: bool) -> str:
        """The name to print: the pseudonym in anything shared, when there is one."""
        return self.pseudonym if shared and self.pseudonym else self.name

    def to_json(self) -> dict[str, Any]:
        return {"short": self.short, "name": self.name, "kind": self.kind, "role": self.role,
                "pseudonym": self.pseudonym, "public_office": self.public_office,
                "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Position:
    """A post held by a person, in an organisation, from and to (uncertain) dates."""
    id: int
    person: str  # short names
    post: str
    organisation: str
    start: UncertainDate
    end: UncertainDate

    def to_json(self) -> dict[str, Any]:
        return {"person": self.person, "post": self.post, "organisation": self.organisation,
                "from": self.start.to_json(), "to": self.end.to_json()}


@dataclass(frozen=True)
class Citation:
    """Exact words on a page of a hashed exhibit, checked when saved."""
    id: int
    owner: str  # "fact", "knowledge" or "position"
    owner_id: int  # the fact's number, or the knowledge event's or position's id
    ref: str
    sha256: str  # the exhibit's SHA-256 when it was cited
    page: int | None  # from 1; None for text without pages
    quote: str
    found_in: str  # where the words were found: "text layer", "OCR text", "text", or
    #                "" for a marked area with no words (not checked)
    region: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in points

    def where(self) -> str:
        return self.ref + (f", p. {self.page}" if self.page else "")

    def to_json(self) -> dict[str, Any]:
        return {"owner": self.owner, "owner_id": self.owner_id, "ref": self.ref,
                "sha256": self.sha256, "page": self.page, "quote": self.quote,
                "found_in": self.found_in,
                "region": list(self.region) if self.region else None}


@dataclass(frozen=True)
class Fact:
    id: int
    number: int  # the fact's number in the case: given once, never reused
    text: str  # a short neutral sentence; people as @short
    date: UncertainDate
    status: str = "undisputed"
    doc_date: UncertainDate | None = None  # the document's own date, never the event's
    versions: tuple[str, ...] = ()  # a disputed fact's competing versions, neutrally
    material: bool = False
    key: bool = False
    evaluation: str = ""  # private: never in a shared chronology
    comment: str = ""  # private: never in a shared chronology
    people: tuple[tuple[str, str], ...] = ()  # (short, part)
    citations: tuple[Citation, ...] = field(default=(), compare=False)
    # the elements it supports, as (issue id, strength): kept by vault/chronology/store.py's
    # support(), not part of the fact's own record
    support: tuple[tuple[int, str], ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "date": self.date.to_json(),
                "doc_date": self.doc_date.to_json() if self.doc_date else None,
                "status": self.status, "versions": list(self.versions),
                "material": self.material, "key": self.key, "evaluation": self.evaluation,
                "comment": self.comment, "people": [list(p) for p in self.people]}


@dataclass(frozen=True)
class Knowledge:
    """Who knew which matter, when, how, and from which citation; what they did next."""
    id: int
    who: str  # short name of a person or body
    matter: str  # "allegation concerning Child A, 2009"
    date: UncertainDate
    how: str
    awareness: str
    response: int | None = None  # the number of the fact that was the response
    citations: tuple[Citation, ...] = field(default=(), compare=False)

    @property
    def knew(self) -> bool:
        """Actually knew (received, attended, told, copied in), not "ought to have known"."""
        return self.awareness != OUGHT

    def to_json(self) -> dict[str, Any]:
        return {"who": self.who, "matter": self.matter, "date": self.date.to_json(),
                "how": self.how, "awareness": self.awareness, "response": self.response}


@dataclass(frozen=True)
class Issue:
    """An issue of the case, or an element of one (``parent`` set): for example the elements
    of misconduct in public office."""
    id: int
    title: str
    parent: int | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "parent": self.parent, "note": self.note}


@dataclass(frozen=True)
class Support:
    """A fact (by number) linked to an issue or element, with how strongly it supports it."""
    id: int
    fact: int
    issue: int
    strength: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "issue": self.issue, "strength": self.strength,
                "note": self.note}


@dataclass(frozen=True)
class Gap:
    """What the case lacks: a question, a document referred to but not held, or a fact to be
    proved, with where it might be found."""
    id: int
    kind: str
    text: str
    date: UncertainDate
    sources: str = ""  # potential sources: "the minutes' author; the council's FOI team"
    fact: int | None = None  # the fact it concerns (its number)
    state: str = "open"
    answer: str = ""  # how it was closed

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "date": self.date.to_json(),
                "sources": self.sources, "fact": self.fact, "state": self.state,
                "answer": self.answer}
