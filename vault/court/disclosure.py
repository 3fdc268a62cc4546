"""Unused material (docs/court-bundle.md): the non-sensitive and the sensitive schedule, a
disclosure decision per entry and a record of every disclosure action. A schedule entry's
custody events are *linked* to its item (its timeline shows them) but do not name it as
their item, so a package's excerpt never carries them; sensitive material is refused
wherever something goes to the defence (an exhibit mark, a statement's lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.clock import iso_utc
from vault.court.model import (
    DECISIONS,
    MIN_DESCRIPTION,
    PREFIX,
    SCHEDULES,
    SENSITIVE,
    ScheduleEntry,
)
from vault.court.store import CourtRefused, _case
from vault.court.store import _record as record_court
from vault.custody import log as custody
from vault.errors import NotFound
from vault.evidence.items import case_id, get_item
from vault.store.vault import Vault


@dataclass(frozen=True)
class Disclosure:
    entry: str  # N3, S1
    action: str
    done: str  # ISO time
    by: str
    note: str


_ENTRY = """
    SELECT s.id, s.schedule, s.number, i.ref, i.sha256, i.name, s.description, s.reason,
           s.decision, s.removed
    FROM court_schedule s JOIN items i ON i.id = s.item_id
"""


def _entry(r: Any) -> ScheduleEntry:
    return ScheduleEntry(int(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]),
                         str(r[6]), str(r[7]), str(r[8]), bool(r[9]))


def _record(v: Vault, action: str, case: str, record: str, rid: int, item: str, *,
            before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> int:
    """Linked to ``item``, never naming it (see the module's docstring)."""
    return record_court(v, action, case, record, rid, before=before, after=after,
                        links=[item])


def _parse(entry: str) -> tuple[str, int]:
    text = entry.strip().upper()
    for schedule, prefix in PREFIX.items():
        if text.startswith(prefix) and text[1:].isdigit() and int(text[1:]) > 0:
            return schedule, int(text[1:])
    raise CourtRefused(f"{entry!r} is not a schedule entry: N and a number (non-sensitive), or "
                       "S and a number (sensitive): N3, S1")


def _entry_row(v: Vault, cid: int, entry: str) -> ScheduleEntry:
    schedule, number = _parse(entry)
    r = v.con.execute(_ENTRY + " WHERE s.case_id=? AND s.schedule=? AND s.number=?",
                      (cid, schedule, number)).fetchone()
    if r is None:
        raise NotFound(f"no entry {entry.strip().upper()} in this case's schedules")
    return _entry(r)


def sensitive_entry(v: Vault, cid: int, ref: str) -> ScheduleEntry | None:
    """The standing sensitive-schedule entry of the item ``ref`` in the case, if any (inside
    the caller's lock)."""
    r = v.con.execute(_ENTRY + " WHERE s.case_id=? AND i.ref=? AND s.schedule=? AND "
                      "s.removed=0", (cid, ref, SENSITIVE)).fetchone()
    return None if r is None else _entry(r)


def schedule_item(v: Vault, case: str, ref: str, schedule: str, description: str,
                  reason: str = "") -> ScheduleEntry:
    """Put the item ``ref`` on the case's ``schedule`` of unused material: the next number,
    never given twice. A sensitive entry needs the reason it is sensitive; an exhibit, or an
    item a statement produces or refers to, is not unused and cannot be sensitive."""
    if schedule not in SCHEDULES:
        raise CourtRefused(f"{schedule!r}: the schedules are {', '.join(SCHEDULES)}")
    description, reason = " ".join(description.split()), " ".join(reason.split())
    if len(description) < MIN_DESCRIPTION:
        raise CourtRefused("describe the material well enough to identify it (at least "
                           f"{MIN_DESCRIPTION} characters)")
    if schedule == SENSITIVE and not reason:
        raise CourtRefused("say why the material is sensitive: every entry of the sensitive "
                           "schedule needs its reason")
    with v.db_lock, v.transaction():
        cid = case_id(v, case)
        item = get_item(v, ref)
        item_id = int(v.con.execute("SELECT id FROM items WHERE ref=?",
                                    (item.ref,)).fetchone()[0])
        if v.con.execute("SELECT 1 FROM court_exhibits WHERE case_id=? AND item_id=? AND "
                         "removed=0", (cid, item_id)).fetchone():
            raise CourtRefused(f"{item.ref} is an exhibit: it is used material, not unused")
        if schedule == SENSITIVE and v.con.execute(
                "SELECT 1 FROM court_statement_documents d JOIN court_statements s ON "
                "s.id = d.statement_id WHERE s.case_id=? AND d.item_id=? AND d.removed=0",
                (cid, item_id)).fetchone():
            raise CourtRefused(f"{item.ref} is on a statement's lists, which go to the "
                               "defence: take it off them first")
        on = v.con.execute(_ENTRY + " WHERE s.case_id=? AND s.item_id=? AND s.removed=0",
                           (cid, item_id)).fetchone()
        if on is not None:
            raise CourtRefused(f"{item.ref} is already entry {_entry(on).label}")
        number = int(v.con.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM court_schedule "
                                   "WHERE case_id=? AND schedule=?",
                                   (cid, schedule)).fetchone()[0])
        cur = v.con.execute("INSERT INTO court_schedule (case_id, schedule, number, item_id, "
                            "description, reason) VALUES (?,?,?,?,?,?)",
                            (cid, schedule, number, item_id, description,
                             reason if schedule == SENSITIVE else ""))
        e = _entry(v.con.execute(_ENTRY + " WHERE s.id=?", (cur.lastrowid,)).fetchone())
        seq = _record(v, custody.COURT_ADDED, case, "schedule entry", e.id, e.item,
                      after=e.to_dict())
        v.con.execute("UPDATE court_schedule SET seq=? WHERE id=?", (seq, e.id))
    return e


def entries(v: Vault, case: str, schedule: str, *, removed: bool = False
            ) -> list[ScheduleEntry]:
    with v.db_lock:
        cid = _case(v, case)
        rows = v.con.execute(_ENTRY + " WHERE s.case_id=? AND s.schedule=? ORDER BY s.number",
                             (cid, schedule)).fetchall()
    return [e for e in map(_entry, rows) if removed or not e.removed]


def entry(v: Vault, case: str, name: str) -> ScheduleEntry:
    with v.db_lock:
        return _entry_row(v, _case(v, case), name)


def decide(v: Vault, case: str, name: str, decision: str) -> ScheduleEntry:
    """The disclosure decision on an entry: undecided, disclose, withhold, inspect."""
    if decision not in DECISIONS:
        raise CourtRefused(f"{decision!r}: a decision is one of {', '.join(DECISIONS)}")
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        before = _entry_row(v, cid, name)
        if before.removed:
            raise CourtRefused(f"{before.label} was taken off the schedule")
        v.con.execute("UPDATE court_schedule SET decision=? WHERE id=?", (decision, before.id))
        after = _entry_row(v, cid, name)
        _record(v, custody.COURT_CHANGED, case, "schedule entry", after.id, after.item,
                before=before.to_dict(), after=after.to_dict())
    return after


def unschedule(v: Vault, case: str, name: str, reason: str) -> None:
    """Take an entry off its schedule: its number is never given again."""
    reason = " ".join(reason.split())
    if not reason:
        raise CourtRefused("say why the entry comes off the schedule")
    with v.db_lock, v.transaction():
        e = _entry_row(v, _case(v, case), name)
        v.con.execute("UPDATE court_schedule SET removed=1 WHERE id=?", (e.id,))
        _record(v, custody.COURT_REMOVED, case, "schedule entry", e.id, e.item,
                before={**e.to_dict(), "reason": reason})


def record_disclosure(v: Vault, case: str, name: str, action: str, note: str = ""
                      ) -> Disclosure:
    """A disclosure action on an entry (``disclosed to the defence``, ``made available for
    inspection``, ``withheld``...): who and when come from the vault and its clock."""
    action, note = " ".join(action.split()), " ".join(note.split())
    if not action:
        raise CourtRefused("say what was done")
    with v.db_lock, v.transaction():
        e = _entry_row(v, _case(v, case), name)
        done = iso_utc(v.clock.now())
        cur = v.con.execute("INSERT INTO court_disclosures (entry_id, action, done, note) "
                            "VALUES (?,?,?,?)", (e.id, action, done, note))
        seq = _record(v, custody.COURT_ADDED, case, "disclosure", int(cur.lastrowid), e.item,
                      after={"entry": e.label, "action": action, "done": done, "note": note})
        v.con.execute("UPDATE court_disclosures SET seq=? WHERE id=?", (seq, cur.lastrowid))
    return Disclosure(e.label, action, done, v.identity.name, note)


def disclosures(v: Vault, case: str, name: str) -> list[Disclosure]:
    with v.db_lock:
        e = _entry_row(v, _case(v, case), name)
        rows = v.con.execute("SELECT d.action, d.done, d.note, c.body FROM court_disclosures d "
                             "JOIN custody c ON c.seq = d.seq WHERE d.entry_id=? ORDER BY d.id",
                             (e.id,)).fetchall()
    out = []
    for action, done, note, body in rows:
        by = custody.Event(seq=0, body=bytes(body), hash="", sig=b"").fields["actor"]["name"]
        out.append(Disclosure(e.label, str(action), str(done), str(by), str(note)))
    return out


def sensitive_refs(v: Vault) -> dict[str, str]:
    """Every item on a standing sensitive-schedule entry, in any case: reference -> "S1 of
    case NB-2026"."""
    with v.db_lock:
        return {str(r[0]): f"S{r[1]} of case {r[2]}" for r in v.con.execute(
            "SELECT i.ref, s.number, c.name FROM court_schedule s JOIN items i ON "
            "i.id = s.item_id JOIN cases c ON c.id = s.case_id WHERE s.schedule=? AND "
            "s.removed=0", (SENSITIVE,))}
