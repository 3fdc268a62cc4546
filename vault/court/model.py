"""The court bundle's records and the rules of marks (docs/court-bundle.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

ROLES = ("investigator", "survivor", "officer", "witness", "expert", "other")
INITIALS = re.compile(r"[A-Z]{2,4}")
MARK = re.compile(r"([A-Z]{2,4})/([1-9][0-9]*)(?:/([1-9][0-9]*))?")
MIN_DESCRIPTION = 10  # characters: enough to identify the exhibit without opening it
PRODUCED, REFERRED, SHOWN = "produced", "referred to", "shown"
HOW = (PRODUCED, REFERRED, SHOWN)  # what a statement does with a document


@dataclass(frozen=True)
class Witness:
    id: int
    initials: str
    name: str
    role: str

    def to_dict(self) -> dict[str, str]:
        return {"initials": self.initials, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class Exhibit:
    id: int
    mark: str  # MO/3 or MO/3/2
    witness: Witness
    parent: str | None  # the parent's mark, for a sub-exhibit
    item: str  # the vault item's reference
    sha256: str
    name: str  # the item's file name
    mime: str
    description: str
    removed: bool = False
    reason: str = ""

    @property
    def file_safe(self) -> str:
        return file_safe(self.mark)

    def to_dict(self) -> dict[str, object]:
        return {"mark": self.mark, "witness": self.witness.initials, "parent": self.parent,
                "item": self.item, "sha256": self.sha256, "description": self.description}


def mark_of(initials: str, number: int, parent_number: int | None = None) -> str:
    return (f"{initials}/{number}" if parent_number is None
            else f"{initials}/{parent_number}/{number}")


def file_safe(mark: str) -> str:
    """The mark as a file name can hold it: ``MO/3/2`` -> ``MO_3_2``."""
    return mark.replace("/", "_")


def parse_mark(text: str) -> tuple[str, int, int | None]:
    """(initials, number, sub-number or None) of ``MO/3`` or ``MO/3/2``; ValueError if not a
    mark."""
    m = MARK.fullmatch(text.strip().upper().replace("_", "/"))
    if not m:
        raise ValueError(f"{text!r} is not an exhibit mark (initials, '/', a number: MO/3, or a "
                         "sub-exhibit MO/3/2)")
    top, sub = int(m.group(2)), m.group(3)
    return m.group(1), top, int(sub) if sub else None


@dataclass(frozen=True)
class Statement:
    id: int
    witness: Witness
    number: int  # the witness's statements in the case, from 1
    dated: str  # ISO date: 2026-05-12
    title: str

    @property
    def name(self) -> str:
        """``MO:1``: how the command line and the custody log name it."""
        return f"{self.witness.initials}:{self.number}"

    def shown(self) -> str:
        """``the statement of Mary Okafor dated 12/05/2026``."""
        return f"the statement of {self.witness.name} dated {show_date(self.dated)}"

    def to_dict(self) -> dict[str, object]:
        return {"statement": self.name, "witness": self.witness.initials,
                "number": self.number, "dated": self.dated, "title": self.title}


@dataclass(frozen=True)
class StatementDocument:
    id: int
    statement: Statement
    how: str  # produced, referred to, shown
    item: str
    mark: str | None  # the item's exhibit mark in the case, if it has one
    description: str  # the exhibit's description, or the item's file name
    sha256: str
    note: str

    def to_dict(self) -> dict[str, object]:
        return {"statement": self.statement.name, "how": self.how, "item": self.item,
                "mark": self.mark, "sha256": self.sha256, "note": self.note}


def parse_day(text: str) -> str:
    """A statement's date, ``12/05/2026`` or ``2026-05-12``, as ISO; ValueError if neither."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date: write it 12/05/2026")


def show_date(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if len(iso) == 10 else iso


def parse_statement(text: str) -> tuple[str, int]:
    """(initials, number) of ``MO:1``; ValueError if not."""
    m = re.fullmatch(r"([A-Za-z]{2,4}):([1-9][0-9]*)", text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a statement: the witness's initials, ':', its "
                         "number (MO:1)")
    return m.group(1).upper(), int(m.group(2))


NON_SENSITIVE, SENSITIVE = "non-sensitive", "sensitive"
SCHEDULES = (NON_SENSITIVE, SENSITIVE)
PREFIX = {NON_SENSITIVE: "N", SENSITIVE: "S"}  # N3, S1: an entry's name
DECISIONS = ("undecided", "disclose", "withhold", "inspect")


@dataclass(frozen=True)
class ScheduleEntry:
    id: int
    schedule: str  # non-sensitive, sensitive
    number: int  # consecutive in its schedule in the case, never given twice
    item: str
    sha256: str
    name: str  # the item's file name
    description: str
    reason: str  # why it is sensitive (the sensitive schedule only)
    decision: str
    removed: bool = False

    @property
    def label(self) -> str:
        return f"{PREFIX[self.schedule]}{self.number}"

    def to_dict(self) -> dict[str, object]:
        return {"entry": self.label, "schedule": self.schedule, "number": self.number,
                "item": self.item, "sha256": self.sha256, "description": self.description,
                "reason": self.reason, "decision": self.decision}
