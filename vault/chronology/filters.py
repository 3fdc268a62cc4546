"""Filtering the facts of a chronology (docs/chronology.md, "Filters"): by person or body,
issue or element, status, key, undated, without a citation, and date range (a fact is in the
range when its interval overlaps it); and views, filters saved under a name in the vault."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vault.chronology.model import Fact
from vault.errors import VaultError
from vault.store.vault import Vault


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


# ------------------------------------------------------------------------------ saved views
VIEWS_SETTING = "chronology_views"  # {case: {name: FactFilter as JSON}}, in the vault


def filter_to_json(f: FactFilter) -> dict[str, Any]:
    return {"people": list(f.people), "status": f.status, "key": f.key, "undated": f.undated,
            "no_citation": f.no_citation, "issues": list(f.issues),
            "start": f.start.isoformat() if f.start else None,
            "end": f.end.isoformat() if f.end else None}


def filter_from_json(d: dict[str, Any]) -> FactFilter:
    day = dt.date.fromisoformat
    return FactFilter(tuple(d.get("people") or ()), d.get("status"), bool(d.get("key")),
                      bool(d.get("undated")), bool(d.get("no_citation")),
                      day(d["start"]) if d.get("start") else None,
                      day(d["end"]) if d.get("end") else None,
                      tuple(int(i) for i in d.get("issues") or ()))


def _views(v: Vault) -> dict[str, dict[str, dict[str, Any]]]:
    try:
        data = json.loads(v.setting(VIEWS_SETTING, "{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def saved_views(v: Vault, case: str) -> dict[str, FactFilter]:
    """The filters saved for ``case``, by name (sorted)."""
    with v.db_lock:
        views = _views(v).get(case, {})
    return {name: filter_from_json(views[name]) for name in sorted(views)}


def save_view(v: Vault, case: str, name: str, f: FactFilter | None) -> None:
    """Keep ``f`` as the view ``name`` of ``case`` (None: forget it). A view is a way of
    looking, not evidence: no custody event."""
    name = " ".join(name.split())
    if not name:
        raise VaultError("give the view a name")
    with v.transaction():
        views = _views(v)
        mine = views.setdefault(case, {})
        if f is None:
            mine.pop(name, None)
        else:
            mine[name] = filter_to_json(f)
        v.set_setting(VIEWS_SETTING, json.dumps(views, sort_keys=True))
