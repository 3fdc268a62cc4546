"""Producing witnesses and exhibit marks inside the vault (docs/court-bundle.md): each change
in one transaction with its custody event, which keeps the values before and after. An
exhibit's events name its item, so they are in its timeline, its continuity record and a
package's custody excerpt."""

from __future__ import annotations

from typing import Any

from vault.court.model import (
    HOW,
    INITIALS,
    MIN_DESCRIPTION,
    PRODUCED,
    ROLES,
    Exhibit,
    Statement,
    StatementDocument,
    Witness,
    mark_of,
    parse_day,
    parse_mark,
    parse_statement,
)
from vault.custody import log as custody
from vault.errors import NotFound, VaultError
from vault.evidence.items import case_id, get_item
from vault.store.vault import Vault


class CourtRefused(VaultError):
    """A witness or exhibit that cannot be saved as given: the message says what to change."""


def _case(v: Vault, case: str) -> int:
    row = v.con.execute("SELECT id FROM cases WHERE name=?", (case.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"no case {case!r} in this vault")
    return int(row[0])


def _refuse_sensitive(v: Vault, cid: int, item_id: int, ref: str) -> None:
    """Sensitive unused material never goes where the defence will see it."""
    r = v.con.execute("SELECT number FROM court_schedule WHERE case_id=? AND item_id=? AND "
                      "schedule='sensitive' AND removed=0", (cid, item_id)).fetchone()
    if r is not None:
        raise CourtRefused(f"{ref} is on the sensitive schedule (S{r[0]}): sensitive material "
                           "never goes into what is served on the defence")


def _record(v: Vault, action: str, case: str, record: str, rid: int, *,
            before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
            item: str | None = None, sha256: str | None = None,
            links: list[str] | None = None) -> int:
    """A court record's custody event: the values ``before`` and ``after``; naming ``item``
    as its item, or only ``links`` to it (unused material, which no package excerpt may
    carry)."""
    details: dict[str, Any] = {"case": case, "record": record, "id": rid}
    if before is not None:
        details["before"] = before
    if after is not None:
        details["after"] = after
    return v.record(action, item=item, sha256=sha256, details=details, links=links).seq


# ------------------------------------------------------------------------------ witnesses
def add_witness(v: Vault, case: str, name: str, initials: str, role: str = "witness"
                ) -> Witness:
    """A producing witness of the case (made if new). Initials are 2-4 capital letters,
    unique in the case, never changed."""
    name, initials = " ".join(name.split()), initials.strip().upper()
    if not name:
        raise CourtRefused("a witness needs a name")
    if not INITIALS.fullmatch(initials):
        raise CourtRefused(f"{initials!r}: initials are two to four capital letters (MO)")
    if role not in ROLES:
        raise CourtRefused(f"{role!r} is not a role: one of {', '.join(ROLES)}")
    with v.db_lock, v.transaction():
        cid = case_id(v, case)
        if v.con.execute("SELECT 1 FROM court_witnesses WHERE case_id=? AND initials=?",
                         (cid, initials)).fetchone():
            raise CourtRefused(f"the case already has a witness with the initials {initials}")
        cur = v.con.execute("INSERT INTO court_witnesses (case_id, initials, name, role) "
                            "VALUES (?,?,?,?)", (cid, initials, name, role))
        w = Witness(int(cur.lastrowid), initials, name, role)
        seq = _record(v, custody.COURT_ADDED, case, "witness", w.id, after=w.to_dict())
        v.con.execute("UPDATE court_witnesses SET seq=? WHERE id=?", (seq, w.id))
    return w


def witnesses(v: Vault, case: str) -> list[Witness]:
    with v.db_lock:
        cid = _case(v, case)
        return [Witness(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in v.con.execute(
            "SELECT id, initials, name, role FROM court_witnesses WHERE case_id=? "
            "ORDER BY initials", (cid,))]


def _witness(v: Vault, cid: int, initials: str) -> Witness:
    r = v.con.execute("SELECT id, initials, name, role FROM court_witnesses "
                      "WHERE case_id=? AND initials=?", (cid, initials.strip().upper())
                      ).fetchone()
    if r is None:
        raise NotFound(f"no witness with the initials {initials.strip().upper()} in this case "
                       "(add the witness first)")
    return Witness(int(r[0]), str(r[1]), str(r[2]), str(r[3]))


# ------------------------------------------------------------------------------ exhibits
_EXHIBIT = """
    SELECT e.id, e.number, p.number, w.id, w.initials, w.name, w.role, i.ref, i.sha256,
           i.name, i.mime, e.description, e.removed, e.reason
    FROM court_exhibits e JOIN court_witnesses w ON w.id = e.witness_id
    JOIN items i ON i.id = e.item_id LEFT JOIN court_exhibits p ON p.id = e.parent_id
"""


def _exhibit(r: Any) -> Exhibit:
    w = Witness(int(r[3]), str(r[4]), str(r[5]), str(r[6]))
    sub = r[2] is not None
    mark = mark_of(w.initials, int(r[1]), int(r[2]) if sub else None)
    parent = mark_of(w.initials, int(r[2])) if sub else None
    return Exhibit(int(r[0]), mark, w, parent, str(r[7]), str(r[8]), str(r[9]), str(r[10]),
                   str(r[11]), bool(r[12]), str(r[13]))


def _key(e: Exhibit) -> tuple[Any, ...]:
    initials, number, sub = parse_mark(e.mark)
    return (initials, number, sub or 0)


def exhibits(v: Vault, case: str, *, withdrawn: bool = False) -> list[Exhibit]:
    """The case's exhibits by witness and number (sub-exhibits after their parent); withdrawn
    ones only if asked for."""
    with v.db_lock:
        cid = _case(v, case)
        rows = v.con.execute(_EXHIBIT + " WHERE e.case_id=?", (cid,)).fetchall()
    out = [_exhibit(r) for r in rows]
    return sorted((e for e in out if withdrawn or not e.removed), key=_key)


def _exhibit_row(v: Vault, cid: int, mark: str) -> Exhibit:
    initials, number, sub = parse_mark(mark)
    w = _witness(v, cid, initials)
    if sub is None:
        r = v.con.execute(_EXHIBIT + " WHERE e.witness_id=? AND e.parent_id IS NULL AND "
                          "e.number=?", (w.id, number)).fetchone()
    else:
        r = v.con.execute(_EXHIBIT + " WHERE e.witness_id=? AND p.number=? AND "
                          "p.parent_id IS NULL AND e.number=?", (w.id, number, sub)).fetchone()
    if r is None:
        raise NotFound(f"no exhibit {mark_of(initials, number, None) if sub is None else mark}"
                       " in this case")
    return _exhibit(r)


def exhibit(v: Vault, case: str, mark: str) -> Exhibit:
    try:
        with v.db_lock:
            return _exhibit_row(v, _case(v, case), mark)
    except ValueError as e:
        raise CourtRefused(str(e)) from None


def mark_exhibit(v: Vault, case: str, ref: str, *, by: str, description: str,
                 under: str | None = None) -> Exhibit:
    """Mark the item ``ref`` as the next exhibit of the witness ``by`` (initials) in the
    case, or as the next sub-exhibit of the exhibit ``under``. Refused for an item already
    marked in the case, a purged item, or a description too short to identify it."""
    description = " ".join(description.split())
    if len(description) < MIN_DESCRIPTION:
        raise CourtRefused("describe the exhibit well enough to identify it without opening "
                           f"it (at least {MIN_DESCRIPTION} characters): what it is, from and "
                           "to whom, its date, how many pages")
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        item = get_item(v, ref)
        if item.status != "present":
            raise CourtRefused(f"{item.ref} was purged: it cannot be produced as an exhibit")
        if (item.case or "") != case.strip():
            raise CourtRefused(f"{item.ref} belongs to case {item.case or '(none)'}, not "
                               f"{case.strip()}: exhibits are marked in the item's own case")
        item_id = int(v.con.execute("SELECT id FROM items WHERE ref=?",
                                    (item.ref,)).fetchone()[0])
        marked = v.con.execute(_EXHIBIT + " WHERE e.case_id=? AND e.item_id=?",
                               (cid, item_id)).fetchone()
        if marked is not None:
            raise CourtRefused(f"{item.ref} is already exhibit {_exhibit(marked).mark} in this "
                               "case: refer to it by that mark")
        _refuse_sensitive(v, cid, item_id, item.ref)
        witness = _witness(v, cid, by)
        parent_id: int | None = None
        if under is not None:
            try:
                parent = _exhibit_row(v, cid, under)
            except ValueError as bad:
                raise CourtRefused(str(bad)) from None
            if parent.parent is not None:
                raise CourtRefused(f"{parent.mark} is itself a sub-exhibit: mark under "
                                   f"{parent.parent}")
            if parent.removed:
                raise CourtRefused(f"{parent.mark} was withdrawn")
            if parent.witness.id != witness.id:
                raise CourtRefused(f"{parent.mark} is produced by {parent.witness.initials}: "
                                   "a sub-exhibit is produced by its parent's witness")
            parent_id = parent.id
        number = int(v.con.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM court_exhibits WHERE witness_id=? AND "
            "COALESCE(parent_id, 0)=?", (witness.id, parent_id or 0)).fetchone()[0])
        cur = v.con.execute(
            "INSERT INTO court_exhibits (case_id, witness_id, parent_id, number, item_id, "
            "description) VALUES (?,?,?,?,?,?)",
            (cid, witness.id, parent_id, number, item_id, description))
        e = _exhibit(v.con.execute(_EXHIBIT + " WHERE e.id=?", (cur.lastrowid,)).fetchone())
        seq = _record(v, custody.COURT_ADDED, case, "exhibit", e.id, after=e.to_dict(),
                      item=e.item, sha256=e.sha256)
        v.con.execute("UPDATE court_exhibits SET seq=? WHERE id=?", (seq, e.id))
    return e


def describe_exhibit(v: Vault, case: str, mark: str, description: str) -> Exhibit:
    """A better description; the change is recorded with the words before and after."""
    description = " ".join(description.split())
    if len(description) < MIN_DESCRIPTION:
        raise CourtRefused(f"a description of at least {MIN_DESCRIPTION} characters")
    with v.db_lock, v.transaction():
        before = _exhibit_row(v, _case(v, case), mark)
        v.con.execute("UPDATE court_exhibits SET description=? WHERE id=?",
                      (description, before.id))
        after = _exhibit_row(v, _case(v, case), mark)
        _record(v, custody.COURT_CHANGED, case, "exhibit", after.id, before=before.to_dict(),
                after=after.to_dict(), item=after.item, sha256=after.sha256)
    return after


def withdraw_exhibit(v: Vault, case: str, mark: str, reason: str) -> Exhibit:
    """Withdraw an exhibit: its number is never given again; it is left out of what is made
    afterwards. Its sub-exhibits are withdrawn first."""
    reason = " ".join(reason.split())
    if not reason:
        raise CourtRefused("say why the exhibit is withdrawn")
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        e = _exhibit_row(v, cid, mark)
        if e.removed:
            raise CourtRefused(f"{e.mark} was already withdrawn")
        standing = [x.mark for x in (_exhibit(r) for r in v.con.execute(
            _EXHIBIT + " WHERE e.parent_id=? AND e.removed=0", (e.id,)))]
        if standing:
            raise CourtRefused(f"withdraw its sub-exhibits first: {', '.join(standing)}")
        v.con.execute("UPDATE court_exhibits SET removed=1, reason=? WHERE id=?",
                      (reason, e.id))
        _record(v, custody.COURT_REMOVED, case, "exhibit", e.id,
                before={**e.to_dict(), "reason": reason}, item=e.item, sha256=e.sha256)
    return _exhibit_row_locked(v, cid, mark)


def _exhibit_row_locked(v: Vault, cid: int, mark: str) -> Exhibit:
    with v.db_lock:
        return _exhibit_row(v, cid, mark)


def chosen(v: Vault, case: str, marks: list[str] | None) -> list[Exhibit]:
    """The exhibits named (each must stand), or every standing exhibit of the case."""
    if not marks:
        found = exhibits(v, case)
        if not found:
            raise NotFound(f"case {case!r} has no exhibits marked yet")
        return found
    out = [exhibit(v, case, m) for m in marks]
    gone = [e.mark for e in out if e.removed]
    if gone:
        raise CourtRefused(f"withdrawn: {', '.join(gone)}")
    return out


def exhibit_of_item(v: Vault, case: str, ref: str) -> Exhibit | None:
    """The standing exhibit the item ``ref`` is in the case, if any."""
    with v.db_lock:
        cid = _case(v, case)
        r = v.con.execute(_EXHIBIT + " WHERE e.case_id=? AND i.ref=? AND e.removed=0",
                          (cid, ref.strip().upper())).fetchone()
    return None if r is None else _exhibit(r)



# ------------------------------------------------------------------------------ statements
def _statement(r: Any) -> Statement:
    return Statement(int(r[0]), Witness(int(r[1]), str(r[2]), str(r[3]), str(r[4])), int(r[5]),
                     str(r[6]), str(r[7]))


_STATEMENT = """
    SELECT s.id, w.id, w.initials, w.name, w.role, s.number, s.dated, s.title
    FROM court_statements s JOIN court_witnesses w ON w.id = s.witness_id
"""


def add_statement(v: Vault, case: str, by: str, dated: str, title: str = "") -> Statement:
    """A witness statement of the witness ``by`` (initials), dated ``dated`` (12/05/2026):
    the witness's next number in the case (MO:1, MO:2). The program does not write the
    witness's words: it records which documents the statement produces or mentions."""
    try:
        day = parse_day(dated)
    except ValueError as e:
        raise CourtRefused(str(e)) from None
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        w = _witness(v, cid, by)
        number = int(v.con.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM court_statements "
                                   "WHERE witness_id=?", (w.id,)).fetchone()[0])
        cur = v.con.execute("INSERT INTO court_statements (case_id, witness_id, number, dated, "
                            "title) VALUES (?,?,?,?,?)",
                            (cid, w.id, number, day, " ".join(title.split())))
        st = _statement(v.con.execute(_STATEMENT + " WHERE s.id=?",
                                      (cur.lastrowid,)).fetchone())
        seq = _record(v, custody.COURT_ADDED, case, "statement", st.id, after=st.to_dict())
        v.con.execute("UPDATE court_statements SET seq=? WHERE id=?", (seq, st.id))
    return st


def statements(v: Vault, case: str) -> list[Statement]:
    with v.db_lock:
        cid = _case(v, case)
        return [_statement(r) for r in v.con.execute(
            _STATEMENT + " WHERE s.case_id=? ORDER BY w.initials, s.number", (cid,))]


def _statement_row(v: Vault, cid: int, name: str) -> Statement:
    try:
        initials, number = parse_statement(name)
    except ValueError as e:
        raise CourtRefused(str(e)) from None
    w = _witness(v, cid, initials)
    r = v.con.execute(_STATEMENT + " WHERE s.witness_id=? AND s.number=?",
                      (w.id, number)).fetchone()
    if r is None:
        raise NotFound(f"no statement {initials}:{number} in this case")
    return _statement(r)


def statement(v: Vault, case: str, name: str) -> Statement:
    with v.db_lock:
        return _statement_row(v, _case(v, case), name)


_DOCUMENT = """
    SELECT d.id, d.how, i.ref, i.sha256, i.name, d.note, d.item_id
    FROM court_statement_documents d JOIN items i ON i.id = d.item_id
"""


def _document(v: Vault, cid: int, st: Statement, r: Any) -> StatementDocument:
    ex = v.con.execute(_EXHIBIT + " WHERE e.case_id=? AND e.item_id=? AND e.removed=0",
                       (cid, int(r[6]))).fetchone()
    e = _exhibit(ex) if ex is not None else None
    return StatementDocument(int(r[0]), st, str(r[1]), str(r[2]), e.mark if e else None,
                             e.description if e else str(r[4]), str(r[3]), str(r[5]))


def statement_documents(v: Vault, case: str, name: str) -> list[StatementDocument]:
    """What the statement produces, then what the witness referred to, then was shown; each
    in the order of the marks (documents with no mark after, by reference)."""
    with v.db_lock:
        cid = _case(v, case)
        st = _statement_row(v, cid, name)
        docs = [_document(v, cid, st, r) for r in v.con.execute(
            _DOCUMENT + " WHERE d.statement_id=? AND d.removed=0", (st.id,))]

    def order(d: StatementDocument) -> tuple[Any, ...]:
        marked = parse_mark(d.mark) if d.mark else ("~", 0, 0)
        return (HOW.index(d.how), marked[0], marked[1], marked[2] or 0, d.item)

    return sorted(docs, key=order)


def add_statement_document(v: Vault, case: str, name: str, document: str, how: str,
                           note: str = "") -> StatementDocument:
    """Record that the statement ``name`` (MO:1) produces the exhibit ``document`` (its mark),
    or that the witness referred to it or was shown it (a mark, or any item's reference).
    A statement produces only its witness's own exhibits, and an exhibit is produced in one
    statement only."""
    if how not in HOW:
        raise CourtRefused(f"{how!r}: a statement {', '.join(HOW)} a document")
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        st = _statement_row(v, cid, name)
        try:
            e: Exhibit | None = _exhibit_row(v, cid, document)
        except (ValueError, NotFound):
            e = None
        if e is not None and e.removed:
            raise CourtRefused(f"{e.mark} was withdrawn")
        ref = e.item if e is not None else get_item(v, document).ref
        if how == PRODUCED:
            if e is None:
                raise CourtRefused(f"{document} is not an exhibit: mark it first, then the "
                                   "statement produces it")
            if e.witness.id != st.witness.id:
                raise CourtRefused(f"{e.mark} is produced by {e.witness.initials}, not by "
                                   f"{st.witness.initials}: this statement can refer to it")
            other = v.con.execute(
                "SELECT s.number FROM court_statement_documents d JOIN court_statements s ON "
                "s.id = d.statement_id JOIN items i ON i.id = d.item_id WHERE i.ref=? AND "
                "d.how=? AND d.removed=0 AND s.case_id=?", (ref, PRODUCED, cid)).fetchone()
            if other is not None:
                raise CourtRefused(f"{e.mark} is already produced in statement "
                                   f"{st.witness.initials}:{other[0]}")
        item_id = int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])
        _refuse_sensitive(v, cid, item_id, ref)
        if v.con.execute("SELECT 1 FROM court_statement_documents WHERE statement_id=? AND "
                         "item_id=? AND how=? AND removed=0", (st.id, item_id, how)).fetchone():
            raise CourtRefused(f"{st.name} already records {ref} as {how}")
        cur = v.con.execute("INSERT INTO court_statement_documents (statement_id, item_id, how, "
                            "note) VALUES (?,?,?,?)",
                            (st.id, item_id, how, " ".join(note.split())))
        d = _document(v, cid, st, v.con.execute(_DOCUMENT + " WHERE d.id=?",
                                                (cur.lastrowid,)).fetchone())
        seq = _record(v, custody.COURT_ADDED, case, "statement document", d.id,
                      after=d.to_dict(), item=d.item, sha256=d.sha256)
        v.con.execute("UPDATE court_statement_documents SET seq=? WHERE id=?", (seq, d.id))
    return d


def remove_statement_document(v: Vault, case: str, name: str, document: str, how: str,
                              reason: str) -> None:
    """Take a document off a statement's lists (recorded with the reason)."""
    reason = " ".join(reason.split())
    if not reason:
        raise CourtRefused("say why the document comes off the statement's list")
    with v.db_lock, v.transaction():
        cid = _case(v, case)
        st = _statement_row(v, cid, name)
        found = [d for d in (_document(v, cid, st, r) for r in v.con.execute(
            _DOCUMENT + " WHERE d.statement_id=? AND d.how=? AND d.removed=0", (st.id, how)))
            if document.strip().upper() in (d.item, d.mark)]
        if not found:
            raise NotFound(f"{st.name} does not record {document} as {how}")
        d = found[0]
        v.con.execute("UPDATE court_statement_documents SET removed=1 WHERE id=?", (d.id,))
        _record(v, custody.COURT_REMOVED, case, "statement document", d.id,
                before={**d.to_dict(), "reason": reason}, item=d.item, sha256=d.sha256)


def producing_statement(v: Vault, case: str, mark: str) -> Statement | None:
    """The statement that produces the exhibit ``mark``, if one does yet."""
    with v.db_lock:
        cid = _case(v, case)
        e = _exhibit_row(v, cid, mark)
        r = v.con.execute(
            _STATEMENT + " JOIN court_statement_documents d ON d.statement_id = s.id "
            "JOIN items i ON i.id = d.item_id WHERE s.case_id=? AND i.ref=? AND d.how=? AND "
            "d.removed=0", (cid, e.item, PRODUCED)).fetchone()
    return None if r is None else _statement(r)
