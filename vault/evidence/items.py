"""Reading and naming items and cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import NotFound

if TYPE_CHECKING:
    from vault.store.vault import Vault


@dataclass(slots=True)
class Item:
    """An item as read from the vault: read-only by convention (not ``frozen``, whose
    ``__init__`` took 16 ms of the GUI thread's 60 ms for a list of 10,000)."""

    ref: str
    name: str
    size: int
    sha256: str
    mime: str
    received: str
    received_from: str
    case: str | None
    status: str
    oid: str | None
    metadata: dict[str, Any]
    warnings: list[str]
    # A withdrawn copy: the reference of the copy that supersedes it, "" when none does;
    # None while it stands.
    withdrawn: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"ref": self.ref, "name": self.name, "size": self.size, "sha256": self.sha256,
                "mime": self.mime, "received": self.received,
                "received_from": self.received_from, "case": self.case, "status": self.status,
                "warnings": self.warnings,
                **({} if self.withdrawn is None else {"withdrawn": True,
                                                      "superseded_by": self.withdrawn or None})}


_SELECT = ("SELECT i.ref, i.name, i.size, i.sha256, i.mime, i.received, i.received_from, "
           "c.name, i.status, i.oid, i.metadata, i.warnings, w.seq, w.superseded_by "
           "FROM items i LEFT JOIN cases c ON c.id = i.case_id "
           "LEFT JOIN withdrawn w ON w.item_id = i.id")


def _item(row: Any) -> Item:
    # Most items have no details or warnings: "{}" and "[]" are not parsed (a list of
    # 10,000 items is read on every refresh of the window)
    return Item(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                row[9], {} if row[10] == "{}" else json.loads(row[10]),
                [] if row[11] == "[]" else json.loads(row[11]),
                None if row[12] is None else str(row[13] or ""))


def list_items(v: Vault, case: str | None = None) -> list[Item]:
    if case is None:
        rows = v.con.execute(_SELECT + " ORDER BY i.id").fetchall()
    else:
        rows = v.con.execute(_SELECT + " WHERE c.name=? ORDER BY i.id", (case,)).fetchall()
    return [_item(r) for r in rows]


def count_items(v: Vault) -> int:
    """How many items the vault holds (every case; withdrawn and purged ones too)."""
    return int(v.con.execute("SELECT count(*) FROM items").fetchone()[0])


def get_item(v: Vault, ref: str) -> Item:
    row = v.con.execute(_SELECT + " WHERE i.ref=?", (ref.strip().upper(),)).fetchone()
    if row is None:
        raise NotFound(f"no item {ref} in this vault")
    return _item(row)


def provenance(v: Vault, ref: str) -> list[dict[str, Any]]:
    rows = v.con.execute("SELECT p.record FROM provenance p JOIN items i ON i.id = p.item_id "
                         "WHERE i.ref=? ORDER BY p.seq", (ref,)).fetchall()
    return [json.loads(r[0]) for r in rows]


def case_id(v: Vault, name: str) -> int:
    """The case called ``name``, created (a custody event) if new. Inside a transaction."""
    name = name.strip()
    row = v.con.execute("SELECT id FROM cases WHERE name=?", (name,)).fetchone()
    if row is not None:
        return int(row[0])
    cur = v.con.execute("INSERT INTO cases (name, created) VALUES (?, ?)",
                        (name, iso_utc(v.clock.now())))
    v.record(custody.CASE_CREATED, details={"case": name})
    return int(cur.lastrowid)


def list_cases(v: Vault) -> list[str]:
    return [str(r[0]) for r in v.con.execute("SELECT name FROM cases ORDER BY name")]


def next_reference(v: Vault) -> str:
    """The next exhibit reference (``MO/7``): unique in the vault and never reused. A
    reference already held (an exhibit received from a package keeps the sender's, which may
    share these initials) is passed over."""
    n = int(v.setting("next_ref"))
    while v.con.execute("SELECT 1 FROM items WHERE ref=?",
                        (f"{v.identity.initials}/{n}",)).fetchone():
        n += 1
    v.set_setting("next_ref", str(n + 1))
    return f"{v.identity.initials}/{n}"
