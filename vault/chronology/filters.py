"""Filtering the facts of a chronology (docs/chronology.md, "Filters"): by person or body,
issue or element, status, key, undated, without a citation, and date range (a fact is in the
range when its interval overlaps it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from vault.chronology.model import Fact


@dataclass(frozen=True)
class FactFilter:
    people: tuple[str, ...] = ()  # short names: facts involving any of them
    status: str | None = None
    key: bool = False
    undated: bool = False
    no_citation: bool = False
    start: dt.date | None = None  # facts that may have happened on or after
    end: dt.date | None = None  # facts that may have happened on or before
    issues: tuple[int, ...] = ()  # facts supporting any of these issues or elements


    def keeps(self, f: Fact) -> bool:
        lo, hi = f.date.interval()
        if self.people and not {s for s, _ in f.people} & set(self.people):
            return False
        if self.issues and not {i for i, _ in f.support} & set(self.issues):
            return False
        if self.status is not None and f.status != self.status:
            return False
        if self.key and not f.key:
            return False
        if self.undated and (lo, hi) != (None, None):
            return False
        if self.no_citation and f.citations:
            return False
        if self.start is not None and hi is not None and hi < self.start:
            return False
        if self.end is not None and lo is not None and lo > self.end:
            return False
        return not ((self.start or self.end) and (lo, hi) == (None, None))

    def apply(self, facts: Iterable[Fact]) -> list[Fact]:
        return [f for f in facts if self.keeps(f)]
