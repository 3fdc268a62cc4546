"""The court bundle's records and the rules of marks (docs/court-bundle.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("investigator", "survivor", "officer", "witness", "expert", "other")
INITIALS = re.compile(r"[A-Z]{2,4}")
MARK = re.compile(r"([A-Z]{2,4})/([1-9][0-9]*)(?:/([1-9][0-9]*))?")
MIN_DESCRIPTION = 10  # characters: enough to identify the exhibit without opening it


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
