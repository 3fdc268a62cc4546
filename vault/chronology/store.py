"""The chronology inside the vault (docs/chronology.md): every addition, change and removal
in one transaction with its custody event, which keeps the values before and after, so the
chronology's own history can be shown and cannot be silently rewritten."""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from vault.chronology.citations import check_quote
from vault.chronology.dates import UncertainDate
from vault.chronology.model import (
    AWARENESS,
    CASE_ROLES,
    ENTITY_KINDS,
    GAP_KINDS,
    HOW,
    MENTION,
    ORGANISATION,
    PARTS,
    PERSON,
    SHORT,
    STATUSES,
    STRENGTHS,
    SURVIVOR,
    Citation,
    Entity,
    Fact,
    Gap,
    Issue,
    Knowledge,
    Position,
    Support,
)
from vault.custody import log as custody
from vault.errors import NotFound, VaultError
from vault.evidence.items import case_id
from vault.store.vault import Vault


class ChronologyRefused(VaultError):
    """An entry that cannot be saved as given: the message says what to change."""


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ChronologyRefused(f"{value!r} is not a {what}: one of {', '.join(allowed)}")
    return value


def _record(v: Vault, action: str, case: str, record: str, rid: int,
            before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    details: dict[str, Any] = {"case": case, "record": record, "id": rid}
    if before is not None:
        details["before"] = before
    if after is not None:
        details["after"] = after
    return v.record(action, details=details).seq


def _case(v: Vault, case: str) -> int:
    row = v.con.execute("SELECT id FROM cases WHERE name=?", (case.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"no case {case!r} in this vault")
    return int(row[0])


# ------------------------------------------------------------------------------ the cast
def _entity(row: Any) -> Entity:
    return Entity(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]),
                  str(row[5]), bool(row[6]), tuple(json.loads(row[7])))


_ENTITY_COLS = "id, short, name, kind, role, pseudonym, public_office, aliases"


def entities(v: Vault, case: str) -> list[Entity]:
    """The cast of ``case``, by short name."""
    with v.db_lock:
        cid = _case(v, case)
        return [_entity(r) for r in v.con.execute(
            f"SELECT {_ENTITY_COLS} FROM chron_entities WHERE case_id=? AND removed=0 "
            "ORDER BY short", (cid,))]


def entity(v: Vault, case: str, short: str) -> Entity:
    with v.db_lock:
        return _entity_row(v, _case(v, case), short)


def _entity_row(v: Vault, cid: int, short: str) -> Entity:
    row = v.con.execute(f"SELECT {_ENTITY_COLS} FROM chron_entities WHERE case_id=? AND "
                        "short=? AND removed=0", (cid, short.lstrip("@").lower())).fetchone()
    if row is None:
        raise NotFound(f"no one called @{short.lstrip('@')} in the cast of this case: add "
                       "them first")
    return _entity(row)


def _next_pseudonym(v: Vault, cid: int) -> str:
    taken = {str(r[0]) for r in v.con.execute(
        "SELECT pseudonym FROM chron_entities WHERE case_id=?", (cid,))}
    for letters in (*string.ascii_uppercase, *(a + b for a in string.ascii_uppercase
                                               for b in string.ascii_uppercase)):
        if f"Child {letters}" not in taken:
            return f"Child {letters}"
    raise ChronologyRefused("no pseudonym left: give one")


def add_entity(v: Vault, case: str, short: str, name: str, *, kind: str = PERSON,
               role: str = "other", pseudonym: str = "", public_office: bool = False,
               aliases: Iterable[str] = ()) -> Entity:
    """Add a person, organisation or post to the cast. A survivor always gets a pseudonym
    ("Child A", the next free letter, unless one is given), used in everything shared."""
    short = short.lstrip("@").lower()
    if not SHORT.fullmatch(short):
        raise ChronologyRefused(f"@{short}: a short name is lower-case letters, digits, - "
                                "and _, starting with a letter (for example @dsjones)")
    if not name.strip():
        raise ChronologyRefused("a name is needed")
    _one_of(kind, ENTITY_KINDS, "kind")
    _one_of(role, CASE_ROLES, "role in the case")
    with v.transaction():
        cid = case_id(v, case)
        if v.con.execute("SELECT 1 FROM chron_entities WHERE case_id=? AND short=?",
                         (cid, short)).fetchone():
            raise ChronologyRefused(f"@{short} is already in the cast of this case")
        if role == SURVIVOR and not pseudonym.strip():
            pseudonym = _next_pseudonym(v, cid)
        e = Entity(0, short, name.strip(), kind, role, pseudonym.strip(), public_office,
                   tuple(a.strip() for a in aliases if a.strip()))
        cur = v.con.execute(
            "INSERT INTO chron_entities (case_id, short, name, pseudonym, kind, role, "
            "public_office, aliases, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (cid, e.short, e.name, e.pseudonym, e.kind, e.role, int(e.public_office),
             json.dumps(list(e.aliases))))
        e = replace(e, id=int(cur.lastrowid))
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "person" if kind == PERSON else kind,
                      e.id, None, e.to_json())
        v.con.execute("UPDATE chron_entities SET seq=? WHERE id=?", (seq, e.id))
    return e


def change_entity(v: Vault, case: str, short: str, **changes: Any) -> Entity:
    """Change a member of the cast (``name``, ``pseudonym``, ``role``, ``public_office``,
    ``aliases``, ``kind``); the short name stays."""
    allowed = {"name", "pseudonym", "role", "public_office", "aliases", "kind"}
    if set(changes) - allowed:
        raise ChronologyRefused(f"cannot change {', '.join(sorted(set(changes) - allowed))}")
    with v.transaction():
        cid = _case(v, case)
        old = _entity_row(v, cid, short)
        if "aliases" in changes:
            changes["aliases"] = tuple(changes["aliases"])
        new = replace(old, **changes)
        _one_of(new.kind, ENTITY_KINDS, "kind")
        _one_of(new.role, CASE_ROLES, "role in the case")
        if new.role == SURVIVOR and not new.pseudonym:
            raise ChronologyRefused("a survivor keeps a pseudonym: give another, not none")
        if new == old:
            return old
        seq = _record(v, custody.CHRONOLOGY_CHANGED, case, new.kind, old.id, old.to_json(),
                      new.to_json())
        v.con.execute("UPDATE chron_entities SET name=?, pseudonym=?, kind=?, role=?, "
                      "public_office=?, aliases=?, seq=? WHERE id=?",
                      (new.name, new.pseudonym, new.kind, new.role, int(new.public_office),
                       json.dumps(list(new.aliases)), seq, old.id))
    return new


# ------------------------------------------------------------------------------ posts held
def add_position(v: Vault, case: str, person: str, post: str, organisation: str,
                 start: UncertainDate, end: UncertainDate) -> Position:
    with v.transaction():
        cid = _case(v, case)
        who = _entity_row(v, cid, person)
        body = _entity_row(v, cid, organisation)
        if who.kind != PERSON or body.kind != ORGANISATION:
            raise ChronologyRefused("a post is held by a person in an organisation")
        if not post.strip():
            raise ChronologyRefused("name the post (for example 'Detective Sergeant')")
        p = Position(0, who.short, post.strip(), body.short, start, end)
        cur = v.con.execute(
            "INSERT INTO chron_positions (entity_id, post, organisation_id, start, end, seq) "
            "VALUES (?, ?, ?, ?, ?, NULL)", (who.id, p.post, body.id,
                                          json.dumps(start.to_json()),
                                          json.dumps(end.to_json())))
        p = replace(p, id=int(cur.lastrowid))
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "position", p.id, None, p.to_json())
        v.con.execute("UPDATE chron_positions SET seq=? WHERE id=?", (seq, p.id))
    return p


def positions(v: Vault, case: str) -> list[Position]:
    with v.db_lock:
        cid = _case(v, case)
        rows = v.con.execute(
            "SELECT p.id, a.short, p.post, b.short, p.start, p.end FROM chron_positions p "
            "JOIN chron_entities a ON a.id = p.entity_id JOIN chron_entities b ON "
            "b.id = p.organisation_id WHERE a.case_id=? AND p.removed=0", (cid,)).fetchall()
    out = [Position(int(r[0]), str(r[1]), str(r[2]), str(r[3]),
                    UncertainDate.from_json(json.loads(r[4])),
                    UncertainDate.from_json(json.loads(r[5]))) for r in rows]
    return sorted(out, key=lambda p: (p.person, p.start.sort_key()))


# ------------------------------------------------------------------------------ facts
def _check_fact(v: Vault, cid: int, f: Fact) -> None:
    if not f.text.strip():
        raise ChronologyRefused("a fact needs its sentence")
    _one_of(f.status, STATUSES, "status")
    if f.versions and not f.status.startswith("disputed"):
        raise ChronologyRefused("competing versions go with a disputed fact")
    for short, part in f.people:
        _entity_row(v, cid, short)
        _one_of(part, PARTS, "part in a fact")
    for short in MENTION.findall(f.text):
        _entity_row(v, cid, short)


def _fact_people(v: Vault, cid: int, fid: int, f: Fact) -> None:
    v.con.execute("DELETE FROM chron_fact_entities WHERE fact_id=?", (fid,))
    people = dict.fromkeys([*f.people, *((s, "mentioned") for s in MENTION.findall(f.text)
                                         if s not in {p for p, _ in f.people})])
    for short, part in people:
        v.con.execute("INSERT OR IGNORE INTO chron_fact_entities (fact_id, entity_id, role) "
                      "VALUES (?, ?, ?)", (fid, _entity_row(v, cid, short).id, part))


Citing = tuple[str, int | None, str] | tuple[str, int | None, str,
                                             tuple[float, float, float, float] | None]


def _check_citing(v: Vault, citing: Citing | None) -> _Checked | None:
    """(exhibit, page, words[, region]) checked on its page, or None."""
    if citing is None:
        return None
    region = citing[3] if len(citing) > 3 else None
    return _checked_citation(v, citing[0], citing[1], citing[2], region)


def add_fact(v: Vault, case: str, text: str, date: UncertainDate, *,
             citing: Citing | None = None, **fields: Any) -> Fact:
    """Add a fact: its number is the next in the case, never reused. ``fields``: the other
    members of :class:`Fact` (``status``, ``doc_date``, ``versions``, ``material``,
    ``key``, ``evaluation``, ``comment``, ``people`` as (short, part) pairs). ``citing``:
    (exhibit, page, words[, region]) cited with it, checked once before anything is saved,
    then saved with the fact in one transaction: both or neither."""
    fields = _normal(fields)
    checked = _check_citing(v, citing)
    with v.transaction():
        cid = case_id(v, case)
        number = int(v.con.execute("SELECT coalesce(max(number), 0) + 1 FROM chron_facts "
                                   "WHERE case_id=?", (cid,)).fetchone()[0])
        f = Fact(0, number, text.strip(), date, **fields)
        _check_fact(v, cid, f)
        cur = v.con.execute(
            "INSERT INTO chron_facts (case_id, number, text, date, doc_date, status, versions,"
            " material, key, evaluation, comment, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, NULL)", (cid, *_fact_values(f)))
        f = replace(f, id=int(cur.lastrowid))
        _fact_people(v, cid, f.id, f)
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "fact", f.number, None, f.to_json())
        v.con.execute("UPDATE chron_facts SET seq=? WHERE id=?", (seq, f.id))
        if checked is not None:
            c = _insert_citation(v, case, "fact", f.id, f.number, checked)
            f = replace(f, citations=(c,))
    return f


def _normal(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "people" in out:
        out["people"] = tuple((str(s).lstrip("@").lower(), str(p)) for s, p in out["people"])
    if "versions" in out:
        out["versions"] = tuple(str(x).strip() for x in out["versions"] if str(x).strip())
    return out


def _fact_values(f: Fact) -> tuple[Any, ...]:
    return (f.number, f.text, json.dumps(f.date.to_json()),
            json.dumps(f.doc_date.to_json()) if f.doc_date else None, f.status,
            json.dumps(list(f.versions)), int(f.material), int(f.key), f.evaluation,
            f.comment)


def change_fact(v: Vault, case: str, number: int, **changes: Any) -> Fact:
    """Change a fact; its custody event keeps what it said before."""
    changes = _normal(changes)
    if {"id", "number", "citations"} & set(changes):
        raise ChronologyRefused("a fact's number and citations are not changed this way")
    with v.transaction():
        cid = _case(v, case)
        old = _fact_row(v, cid, number)
        new = replace(old, **changes)
        _check_fact(v, cid, new)
        if new.to_json() == old.to_json():
            return old
        seq = _record(v, custody.CHRONOLOGY_CHANGED, case, "fact", number, old.to_json(),
                      new.to_json())
        v.con.execute("UPDATE chron_facts SET number=?, text=?, date=?, doc_date=?, status=?, "
                      "versions=?, material=?, key=?, evaluation=?, comment=?, seq=? WHERE "
                      "id=?", (*_fact_values(new), seq, old.id))
        _fact_people(v, cid, old.id, new)
    return new


def remove_fact(v: Vault, case: str, number: int, reason: str) -> None:
    """Take a fact out of the chronology. It stays in the vault, marked, and in the custody
    log; its number is not given again."""
    if not reason.strip():
        raise ChronologyRefused("say why the fact is taken out")
    with v.transaction():
        cid = _case(v, case)
        old = _fact_row(v, cid, number)
        seq = _record(v, custody.CHRONOLOGY_REMOVED, case, "fact", number,
                      {**old.to_json(), "reason": reason.strip()}, None)
        v.con.execute("UPDATE chron_facts SET removed=1, seq=? WHERE id=?", (seq, old.id))


_FACT_COLS = ("id, number, text, date, doc_date, status, versions, material, key, evaluation,"
              " comment")


@functools.lru_cache(maxsize=4096)
def _date(stored: str) -> UncertainDate:
    """A stored date (its JSON text): dates repeat, and reading a case reads thousands."""
    return UncertainDate.from_json(json.loads(stored))


def _fact(v: Vault, row: Any, people: dict[int, list[tuple[str, str]]] | None = None,
          cited: dict[int, list[Citation]] | None = None,
          backing: dict[int, list[tuple[int, str]]] | None = None) -> Fact:
    """A fact from its row; its people, citations and the elements it supports from the maps
    given (a whole case read at once), or read for it alone."""
    fid = int(row[0])
    if people is None:
        people = _people_of(v, "fe.fact_id=?", (fid,))
    if cited is None:
        cited = _citations_by_owner(v, "fact", "c.owner_id=?", (fid,),
                                    {fid: int(row[1])})
    if backing is None:
        backing = _support_of(v, "s.fact_id=?", (fid,))
    return Fact(fid, int(row[1]), str(row[2]), _date(str(row[3])),
                str(row[5]), _date(str(row[4])) if row[4] else None,
                () if row[6] == "[]" else tuple(json.loads(row[6])), bool(row[7]),
                bool(row[8]), str(row[9]),
                str(row[10]), tuple(people.get(fid, ())), tuple(cited.get(fid, ())),
                tuple(backing.get(fid, ())))


def _support_of(v: Vault, where: str, args: tuple[Any, ...]
                ) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    for fid, iid, strength in v.con.execute(
            "SELECT s.fact_id, s.issue_id, s.strength FROM chron_support s JOIN chron_issues i "
            f"ON i.id = s.issue_id AND i.removed = 0 WHERE s.removed = 0 AND {where} "
            "ORDER BY s.issue_id", args):
        out.setdefault(int(fid), []).append((int(iid), str(strength)))
    return out


def _people_of(v: Vault, where: str, args: tuple[Any, ...]
               ) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for fid, short, part in v.con.execute(
            "SELECT fe.fact_id, e.short, fe.role FROM chron_fact_entities fe JOIN "
            f"chron_entities e ON e.id = fe.entity_id WHERE {where} ORDER BY e.short, fe.role",
            args):
        out.setdefault(int(fid), []).append((str(short), str(part)))
    return out


def _fact_row(v: Vault, cid: int, number: int) -> Fact:
    row = v.con.execute(f"SELECT {_FACT_COLS} FROM chron_facts WHERE case_id=? AND number=? "
                        "AND removed=0", (cid, number)).fetchone()
    if row is None:
        raise NotFound(f"no fact {number} in this case")
    return _fact(v, row)


def facts(v: Vault, case: str) -> list[Fact]:
    """The facts of ``case`` in date order (docs/chronology.md, "Order")."""
    with v.db_lock:
        cid = _case(v, case)
        rows = v.con.execute(f"SELECT {_FACT_COLS} FROM chron_facts WHERE case_id=? AND "
                             "removed=0", (cid,)).fetchall()
        numbers = {int(r[0]): int(r[1]) for r in rows}
        people = _people_of(v, "e.case_id=?", (cid,))
        cited = _citations_by_owner(
            v, "fact", "c.owner_id IN (SELECT id FROM chron_facts WHERE case_id=?)", (cid,),
            numbers)
        backing = _support_of(v, "i.case_id=?", (cid,))
        out = [_fact(v, r, people, cited, backing) for r in rows]
    return sorted(out, key=lambda f: (f.date.sort_key(), f.number))


def fact(v: Vault, case: str, number: int) -> Fact:
    with v.db_lock:
        return _fact_row(v, _case(v, case), number)


# ------------------------------------------------------------------------------ knowledge
def add_knowledge(v: Vault, case: str, who: str, matter: str, date: UncertainDate, *,
                  how: str, awareness: str, response: int | None = None,
                  citing: Citing | None = None) -> Knowledge:
    """Record that ``who`` knew (or ought to have known) ``matter``; ``citing``: (exhibit,
    page, words) saved with it, checked first (both or neither)."""
    _one_of(how, HOW, "way of coming to know")
    _one_of(awareness, AWARENESS, "kind of awareness")
    if not matter.strip():
        raise ChronologyRefused("name the matter they knew of")
    checked = _check_citing(v, citing)
    with v.transaction():
        cid = _case(v, case)
        person = _entity_row(v, cid, who)
        fid = None if response is None else _fact_row(v, cid, response).id
        k = Knowledge(0, person.short, matter.strip(), date, how, awareness, response)
        cur = v.con.execute(
            "INSERT INTO chron_knowledge (case_id, entity_id, matter, date, how, awareness, "
            "response_fact_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (cid, person.id, k.matter, json.dumps(date.to_json()), how, awareness, fid))
        k = replace(k, id=int(cur.lastrowid))
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "knowledge", k.id, None, k.to_json())
        v.con.execute("UPDATE chron_knowledge SET seq=? WHERE id=?", (seq, k.id))
        if checked is not None:
            k = replace(k, citations=(_insert_citation(v, case, "knowledge", k.id, k.id,
                                                       checked),))
    return k


def set_response(v: Vault, case: str, knowledge_id: int, response: int | None) -> Knowledge:
    """What the person or body did next: a fact's number (None: no response recorded)."""
    with v.transaction():
        cid = _case(v, case)
        old = _knowledge_row(v, cid, knowledge_id)
        fid = None if response is None else _fact_row(v, cid, response).id
        new = replace(old, response=response)
        seq = _record(v, custody.CHRONOLOGY_CHANGED, case, "knowledge", old.id,
                      old.to_json(), new.to_json())
        v.con.execute("UPDATE chron_knowledge SET response_fact_id=?, seq=? WHERE id=?",
                      (fid, seq, old.id))
    return new


_KNOWLEDGE_SQL = ("SELECT k.id, e.short, k.matter, k.date, k.how, k.awareness, f.number FROM "
                  "chron_knowledge k JOIN chron_entities e ON e.id = k.entity_id LEFT JOIN "
                  "chron_facts f ON f.id = k.response_fact_id AND f.removed = 0 "
                  "WHERE k.case_id=? AND k.removed=0")


def _knowledge(v: Vault, r: Any, cited: dict[int, list[Citation]] | None = None
               ) -> Knowledge:
    kid = int(r[0])
    if cited is None:
        cited = _citations_by_owner(v, "knowledge", "c.owner_id=?", (kid,), {})
    return Knowledge(kid, str(r[1]), str(r[2]), _date(str(r[3])),
                     str(r[4]), str(r[5]), None if r[6] is None else int(r[6]),
                     tuple(cited.get(kid, ())))


def _knowledge_row(v: Vault, cid: int, kid: int) -> Knowledge:
    row = v.con.execute(_KNOWLEDGE_SQL + " AND k.id=?", (cid, kid)).fetchone()
    if row is None:
        raise NotFound(f"no knowledge event {kid} in this case")
    return _knowledge(v, row)


def knowledge(v: Vault, case: str) -> list[Knowledge]:
    with v.db_lock:
        cid = _case(v, case)
        cited = _citations_by_owner(
            v, "knowledge", "c.owner_id IN (SELECT id FROM chron_knowledge WHERE case_id=?)",
            (cid,), {})
        out = [_knowledge(v, r, cited) for r in v.con.execute(_KNOWLEDGE_SQL, (cid,))]
    return sorted(out, key=lambda k: (k.date.sort_key(), k.id))


# ------------------------------------------------------------------------------ citations
def _citations_by_owner(v: Vault, owner: str, where: str, args: tuple[Any, ...],
                        numbers: dict[int, int]) -> dict[int, list[Citation]]:
    """The citations of ``owner`` rows chosen by ``where``, by the row's id; ``numbers``
    gives the number a citation shows for its owner (a fact's number; else the id)."""
    out: dict[int, list[Citation]] = {}
    for r in v.con.execute(
            "SELECT c.id, i.ref, c.sha256, c.page, c.quote, c.found_in, c.region, c.owner_id "
            "FROM chron_citations c JOIN items i ON i.id = c.item_id WHERE c.owner=? AND "
            f"c.removed=0 AND {where} ORDER BY c.id", (owner, *args)):
        oid = int(r[7])
        out.setdefault(oid, []).append(Citation(
            int(r[0]), owner, numbers.get(oid, oid), str(r[1]), str(r[2]),
            None if r[3] is None else int(r[3]), str(r[4]), str(r[5]),
            tuple(json.loads(r[6])) if r[6] else None))
    return out


@dataclass(frozen=True)
class _Checked:
    """A citation whose words were found on their page (or a marked area), to be saved."""
    item_id: int
    ref: str
    sha256: str
    page: int | None
    quote: str
    found_in: str
    region: tuple[float, float, float, float] | None


def _checked_citation(v: Vault, ref: str, page: int | None, quote: str,
                      region: tuple[float, float, float, float] | None) -> _Checked:
    """Check the words on the page (outside any transaction: the item may be read for
    search first)."""
    quote = " ".join(quote.split())
    if not quote and region is None:
        raise ChronologyRefused("quote the words cited, or mark the area on the page")
    with v.db_lock:
        row = v.con.execute("SELECT id, sha256, status FROM items WHERE ref=?",
                            (ref.strip().upper(),)).fetchone()
    if row is None:
        raise NotFound(f"no item {ref} in this vault")
    if row[2] != "present":
        raise ChronologyRefused(f"{ref} is not held (purged): it cannot be cited")
    found_in = check_quote(v, int(row[0]), page, quote) if quote else ""
    return _Checked(int(row[0]), ref.strip().upper(), str(row[1]), page, quote, found_in,
                    region)


def _insert_citation(v: Vault, case: str, owner: str, target: int, owner_key: int,
                     c: _Checked) -> Citation:
    """Save a checked citation and its custody event (inside the caller's transaction)."""
    out = Citation(0, owner, owner_key, c.ref, c.sha256, c.page, c.quote, c.found_in,
                   c.region)
    cur = v.con.execute(
        "INSERT INTO chron_citations (owner, owner_id, item_id, sha256, page, region, "
        "quote, found_in, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (owner, target, c.item_id, c.sha256, c.page,
         json.dumps(list(c.region)) if c.region else None, c.quote, c.found_in))
    out = replace(out, id=int(cur.lastrowid))
    seq = v.record(custody.CHRONOLOGY_ADDED, details={
        "case": case, "record": "citation", "id": out.id, "after": out.to_json()},
        links=[out.ref]).seq
    v.con.execute("UPDATE chron_citations SET seq=? WHERE id=?", (seq, out.id))
    return out


def cite(v: Vault, case: str, owner: str, owner_key: int, ref: str, page: int | None,
         quote: str, region: tuple[float, float, float, float] | None = None) -> Citation:
    """Cite ``quote`` on ``page`` (from 1) of the exhibit ``ref`` for a fact (``owner_key`` its
    number), a knowledge event or a position (their ids). The words are checked against the
    page's text layer, then its OCR text; words that are not there are refused. A marked
    area with no words (``region`` and an empty quote) is kept, marked as not checked."""
    _one_of(owner, ("fact", "knowledge", "position"), "kind of entry")
    checked = _checked_citation(v, ref, page, quote, region)
    with v.transaction():
        cid = _case(v, case)
        if owner == "fact":
            target = _fact_row(v, cid, owner_key).id
        elif owner == "knowledge":
            target = _knowledge_row(v, cid, owner_key).id
        else:
            target = _position_id(v, cid, owner_key)
        return _insert_citation(v, case, owner, target, owner_key, checked)


def _position_id(v: Vault, cid: int, pid: int) -> int:
    row = v.con.execute("SELECT p.id FROM chron_positions p JOIN chron_entities e ON "
                        "e.id = p.entity_id WHERE e.case_id=? AND p.id=? AND p.removed=0",
                        (cid, pid)).fetchone()
    if row is None:
        raise NotFound(f"no position {pid} in this case")
    return int(row[0])


def history(v: Vault, case: str, record: str, rid: int) -> list[custody.Event]:
    """The custody events of one entry (a fact by its number, the others by id), oldest
    first: each holds the values before and after."""
    actions = (custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_CHANGED, custody.CHRONOLOGY_REMOVED)
    kinds = {"person": ("person", "organisation", "post")}.get(record, (record,))
    with v.db_lock:
        return [e for e in v.events() if e.fields.get("action") in actions
                and e.fields["details"].get("case") == case
                and e.fields["details"].get("record") in kinds
                and e.fields["details"].get("id") == rid]


# ------------------------------------------------------------------------------ issues
def add_issue(v: Vault, case: str, title: str, *, parent: int | None = None,
              note: str = "") -> Issue:
    """Add an issue of the case, or (``parent`` given) an element of one."""
    if not title.strip():
        raise ChronologyRefused("name the issue or element")
    with v.transaction():
        cid = case_id(v, case)
        if parent is not None:
            _issue_row(v, cid, parent)
        i = Issue(0, title.strip(), parent, note.strip())
        cur = v.con.execute("INSERT INTO chron_issues (case_id, parent_id, title, note, seq) "
                            "VALUES (?, ?, ?, ?, NULL)", (cid, parent, i.title, i.note))
        i = replace(i, id=int(cur.lastrowid))
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "issue", i.id, None, i.to_json())
        v.con.execute("UPDATE chron_issues SET seq=? WHERE id=?", (seq, i.id))
    return i


def _issue_row(v: Vault, cid: int, iid: int) -> Issue:
    row = v.con.execute("SELECT id, title, parent_id, note FROM chron_issues WHERE case_id=? "
                        "AND id=? AND removed=0", (cid, iid)).fetchone()
    if row is None:
        raise NotFound(f"no issue or element {iid} in this case")
    return Issue(int(row[0]), str(row[1]), None if row[2] is None else int(row[2]),
                 str(row[3]))


def issues(v: Vault, case: str) -> list[Issue]:
    """The issues and elements of ``case``, each issue followed by its elements (depth
    first, in the order they were added)."""
    with v.db_lock:
        cid = _case(v, case)
        rows = [Issue(int(r[0]), str(r[1]), None if r[2] is None else int(r[2]), str(r[3]))
                for r in v.con.execute("SELECT id, title, parent_id, note FROM chron_issues "
                                       "WHERE case_id=? AND removed=0 ORDER BY id", (cid,))]
    children: dict[int | None, list[Issue]] = {}
    for i in rows:
        children.setdefault(i.parent, []).append(i)
    out: list[Issue] = []

    def walk(parent: int | None) -> None:
        for i in children.get(parent, ()):
            out.append(i)
            walk(i.id)
    walk(None)
    return out


def support(v: Vault, case: str, number: int, issue: int, strength: str, *,
            note: str = "") -> Support:
    """Link fact ``number`` to an issue or element with a strength (``strong``, ``some``,
    ``weak``); linking it again changes the strength, and the event keeps the old one."""
    _one_of(strength, STRENGTHS, "strength")
    with v.transaction():
        cid = _case(v, case)
        f = _fact_row(v, cid, number)
        _issue_row(v, cid, issue)
        new = Support(0, number, issue, strength, note.strip())
        row = v.con.execute("SELECT id, strength, note FROM chron_support WHERE fact_id=? AND "
                            "issue_id=? AND removed=0", (f.id, issue)).fetchone()
        if row is None:
            cur = v.con.execute("INSERT INTO chron_support (fact_id, issue_id, strength, note, "
                                "seq) VALUES (?, ?, ?, ?, NULL)",
                                (f.id, issue, strength, new.note))
            new = replace(new, id=int(cur.lastrowid))
            seq = _record(v, custody.CHRONOLOGY_ADDED, case, "support", new.id, None,
                          new.to_json())
        else:
            old = Support(int(row[0]), number, issue, str(row[1]), str(row[2]))
            new = replace(new, id=old.id)
            if new == old:
                return old
            seq = _record(v, custody.CHRONOLOGY_CHANGED, case, "support", old.id,
                          old.to_json(), new.to_json())
        v.con.execute("UPDATE chron_support SET strength=?, note=?, seq=? WHERE id=?",
                      (strength, new.note, seq, new.id))
    return new


def unsupport(v: Vault, case: str, number: int, issue: int, reason: str) -> None:
    """Take away the link between fact ``number`` and an issue or element."""
    if not reason.strip():
        raise ChronologyRefused("say why the link is taken away")
    with v.transaction():
        cid = _case(v, case)
        f = _fact_row(v, cid, number)
        row = v.con.execute("SELECT id, strength, note FROM chron_support WHERE fact_id=? AND "
                            "issue_id=? AND removed=0", (f.id, issue)).fetchone()
        if row is None:
            raise NotFound(f"fact {number} is not linked to issue {issue}")
        old = Support(int(row[0]), number, issue, str(row[1]), str(row[2]))
        seq = _record(v, custody.CHRONOLOGY_REMOVED, case, "support", old.id,
                      {**old.to_json(), "reason": reason.strip()}, None)
        v.con.execute("UPDATE chron_support SET removed=1, seq=? WHERE id=?", (seq, old.id))


# ------------------------------------------------------------------------------ gaps
def add_gap(v: Vault, case: str, kind: str, text: str, date: UncertainDate | None = None, *,
            sources: str = "", fact: int | None = None) -> Gap:
    """Record a gap: a question, a document referred to but not held, or a fact to be proved
    (``fact``: its number), with its potential sources."""
    _one_of(kind, GAP_KINDS, "kind of gap")
    if not text.strip():
        raise ChronologyRefused("say what is missing")
    with v.transaction():
        cid = case_id(v, case)
        fid = None if fact is None else _fact_row(v, cid, fact).id
        g = Gap(0, kind, text.strip(), date or UncertainDate(), sources.strip(), fact)
        cur = v.con.execute(
            "INSERT INTO chron_gaps (case_id, kind, text, date, sources, fact_id, seq) VALUES "
            "(?, ?, ?, ?, ?, ?, NULL)", (cid, kind, g.text, json.dumps(g.date.to_json()),
                                         g.sources, fid))
        g = replace(g, id=int(cur.lastrowid))
        seq = _record(v, custody.CHRONOLOGY_ADDED, case, "gap", g.id, None, g.to_json())
        v.con.execute("UPDATE chron_gaps SET seq=? WHERE id=?", (seq, g.id))
    return g


_GAP_SQL = ("SELECT g.id, g.kind, g.text, g.date, g.sources, f.number, g.state, g.answer FROM "
            "chron_gaps g LEFT JOIN chron_facts f ON f.id = g.fact_id WHERE g.case_id=? AND "
            "g.removed=0")


def _gap(r: Any) -> Gap:
    return Gap(int(r[0]), str(r[1]), str(r[2]), _date(str(r[3])), str(r[4]),
               None if r[5] is None else int(r[5]), str(r[6]), str(r[7]))


def close_gap(v: Vault, case: str, gap_id: int, answer: str) -> Gap:
    """Close a gap, saying how (the document found, the question answered)."""
    if not answer.strip():
        raise ChronologyRefused("say how the gap was closed (for example the exhibit found)")
    with v.transaction():
        cid = _case(v, case)
        row = v.con.execute(_GAP_SQL + " AND g.id=?", (cid, gap_id)).fetchone()
        if row is None:
            raise NotFound(f"no gap {gap_id} in this case")
        old = _gap(row)
        new = replace(old, state="closed", answer=answer.strip())
        seq = _record(v, custody.CHRONOLOGY_CHANGED, case, "gap", old.id, old.to_json(),
                      new.to_json())
        v.con.execute("UPDATE chron_gaps SET state=?, answer=?, seq=? WHERE id=?",
                      (new.state, new.answer, seq, old.id))
    return new


def gaps(v: Vault, case: str) -> list[Gap]:
    with v.db_lock:
        cid = _case(v, case)
        return [_gap(r) for r in v.con.execute(_GAP_SQL + " ORDER BY g.id", (cid,))]
