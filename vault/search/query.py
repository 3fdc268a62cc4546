"""Searching the full-text index (vault/search/index.py): a friendly query layer over SQLite
FTS5, filters on the items, ranked hits with highlighted snippets.

Query syntax: bare words must all occur (AND); ``"a phrase"``; ``word*`` (prefix); ``AND``,
``OR``, ``NOT`` (upper case) and parentheses as in FTS5; ``tag:NAME`` or ``tag:"two words"``
keeps only items with that tag. Matching ignores case and diacritics. Input that FTS5 cannot
parse (a stray quote, ``O'Brien``, ``10/11/2016``, an email) never raises: each word is then
searched for as it is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import sqlcipher3

from vault.search.fold import fold
from vault.search.index import ROW_BITS, SOURCE_SHIFT, SOURCES
from vault.store.vault import Vault

HIT_START = "\x02"
HIT_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16
RANK_WINDOW = 5_000  # matching rows ranked by bm25 at most (the most recently added)
OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'tag:"[^"]*"?|tag:[^\s()"]+|"[^"]*"?\*?|\(|\)|[^\s()"]+')
_BAREWORD = re.compile(r"\w+")  # FTS5 barewords: letters, digits, _ and anything non-ASCII


@dataclass(frozen=True)
class Hit:
    ref: str
    item_id: int
    name: str
    mime: str
    case: str | None
    source: str
    page: int | None
    snippet: str
    received: str
    received_from: str
    terms: tuple[str, ...] = field(default=())

    def plain_snippet(self, start: str = "[", end: str = "]") -> str:
        """The snippet with its hit markers replaced (brackets by default)."""
        return self.snippet.replace(HIT_START, start).replace(HIT_END, end)


@dataclass(frozen=True)
class Query:
    """A user's query made ready: the FTS5 expression, a safe fallback, tag filters and the
    words to highlight in a viewer."""

    fts: str
    fallback: str
    tags: tuple[str, ...]
    terms: tuple[str, ...]


def _quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def parse_query(text: str) -> Query:
    parts: list[str] = []
    plain: list[str] = []
    tags: list[str] = []
    terms: list[str] = []
    negated = False
    for tok in _TOKEN.findall(fold(text or "")):
        if tok.startswith("tag:"):
            name = " ".join(tok[4:].strip('"').split())
            if name:
                tags.append(name)
            continue
        if tok in ("(", ")"):
            parts.append(tok)
            continue
        if tok in OPERATORS:
            parts.append(tok)
            negated = tok == "NOT"
            continue
        prefix = tok.endswith("*")
        body = tok.rstrip("*")
        if body.startswith('"'):
            body = body[1:-1] if len(body) > 1 and body.endswith('"') else body[1:]
        words = " ".join(body.split())
        if not _has_word(words):
            continue
        bare = _BAREWORD.fullmatch(words) and not tok.startswith('"')
        expr = (words if bare else _quote(words)) + ("*" if prefix else "")
        parts.append(expr)
        if not negated:  # the plain-words fallback never looks for what was excluded
            plain.append(_quote(words) + ("*" if prefix else ""))
            terms.append(words)
        negated = False
    if not plain and tags:  # only tag:NAME: the items' tag rows themselves
        parts = plain = [_quote(t) for t in tags]
    return Query(fts=" ".join(parts), fallback=" ".join(plain), tags=tuple(tags),
                 terms=tuple(terms))


def _has_word(s: str) -> bool:
    return any(ch.isalnum() for ch in s)


def query_terms(text: str) -> tuple[str, ...]:
    """The words and phrases of a query, for highlighting inside a viewer."""
    return parse_query(text).terms


# ------------------------------------------------------------------------------- search
def _date(value: str | dt.date | None, *, end: bool) -> str | None:
    """An ISO bound: a date (``YYYY-MM-DD``) covers its whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        value = value.isoformat()
    s = str(value).strip()
    if len(s) == 10:
        d = dt.date.fromisoformat(s)  # ValueError for a wrong date: the caller says so
        return (d + dt.timedelta(days=1)).isoformat() if end else d.isoformat()
    return s


def _filters(*, case: str | None, mime_prefix: str | None,
             received_after: str | dt.date | None, received_before: str | dt.date | None,
             source: str | None, received_from: str | None, tags: tuple[str, ...]
             ) -> tuple[str, list[Any]]:
    """(SQL conditions on ``search_text s``, their arguments). The item filters become one
    set of item ids, found through the items' indexes; the source is read from the rowid."""
    sql = ""
    args: list[Any] = []
    if case:
        sql += " AND i.case_id = (SELECT id FROM cases WHERE name = ?)"
        args.append(case)
    if mime_prefix:  # a range, so that the index on mime serves it
        sql += " AND i.mime >= ? AND i.mime < ?"
        args += [mime_prefix, mime_prefix[:-1] + chr(ord(mime_prefix[-1]) + 1)]
    after = _date(received_after, end=False)
    if after:
        sql += " AND i.received >= ?"
        args.append(after)
    before = _date(received_before, end=True)
    if before:
        sql += " AND i.received < ?"
        args.append(before)
    if received_from:
        sql += " AND instr(lower(i.received_from), lower(?)) > 0"
        args.append(received_from)
    for tag in tags:
        sql += (" AND i.id IN (SELECT it.item_id FROM item_tags it JOIN tags t ON "
                "t.id = it.tag_id WHERE t.name = ?)")
        args.append(tag)
    if sql:  # the items passing the filters, found once through their indexes
        sql = f" AND (s.rowid >> {ROW_BITS}) IN (SELECT i.id FROM items i WHERE 1{sql})"
    if source:  # from the rowid (search_index's layout): no need to read the row
        idx = SOURCES.index(source) if source in SOURCES else -1
        sql += f" AND (s.rowid >> {SOURCE_SHIFT}) & {(1 << (ROW_BITS - SOURCE_SHIFT)) - 1} = ?"
        args.append(idx)
    return sql, args


def _run(v: Vault, query: str, tags: tuple[str, ...], kw: dict[str, Any],
         build: Any, tail_args: list[Any]) -> tuple[list[Any], str, Query]:
    """Run ``build(conditions)`` with the query, trying the plain words when the query is not
    valid FTS5. Purged items have no rows, so only filters read the items table."""
    q = parse_query(query)
    where, args = _filters(tags=(*tags, *q.tags), **kw)
    sql = build(f"FROM search_text s WHERE search_text MATCH ?{where}")
    for expr in dict.fromkeys((q.fts, q.fallback)):
        if not expr.strip():
            continue
        try:
            with v.db_lock:
                return v.con.execute(sql, [expr, *args, *tail_args]).fetchall(), expr, q
        except sqlcipher3.OperationalError:  # not valid FTS5: try the plain words
            continue
    return [], "", q


def search(v: Vault, query: str, *, case: str | None = None, mime_prefix: str | None = None,
           received_after: str | dt.date | None = None,
           received_before: str | dt.date | None = None, source: str | None = None,
           received_from: str | None = None, tags: tuple[str, ...] | list[str] = (),
           limit: int = 200, offset: int = 0) -> list[Hit]:
    """The rows matching ``query`` and the filters, best first (bm25), one hit per row (an
    item's name, a provenance record, a page, a note...). Never raises for a query.

    Ranking reads every matching row, so it is bounded: when more than :data:`RANK_WINDOW`
    rows match, the best ones among the most recently added :data:`RANK_WINDOW` are shown
    first (a word that common ranks poorly anyway); :func:`count` still counts them all."""
    kw = {"case": case, "mime_prefix": mime_prefix, "received_after": received_after,
          "received_before": received_before, "source": source,
          "received_from": received_from}
    ids, expr, q = _run(
        v, query, tuple(tags), kw,
        lambda cond: (f"SELECT rid FROM (SELECT s.rowid AS rid, s.rank AS r {cond} "
                      "ORDER BY s.rowid DESC LIMIT ?) ORDER BY r, rid DESC LIMIT ? OFFSET ?"),
        [RANK_WINDOW, max(0, int(limit)), max(0, int(offset))])
    if not ids:
        return []
    rowids = [int(r[0]) for r in ids]
    marks = ",".join("?" * len(rowids))
    with v.db_lock:
        rows = v.con.execute(
            "SELECT s.rowid, s.source, s.page, snippet(search_text, 0, ?, ?, ?, ?), i.ref, i.id, "
            "i.name, i.mime, c.name, i.received, i.received_from FROM search_text s "
            f"JOIN items i ON i.id = (s.rowid >> {ROW_BITS}) LEFT JOIN cases c ON c.id = "
            f"i.case_id WHERE search_text MATCH ? AND s.rowid IN ({marks})",
            [HIT_START, HIT_END, ELLIPSIS, SNIPPET_TOKENS, expr, *rowids]).fetchall()
    by_id = {int(r[0]): r for r in rows}
    hits = []
    for rowid in rowids:
        r = by_id.get(rowid)
        if r is None:
            continue
        hits.append(Hit(ref=str(r[4]), item_id=int(r[5]), name=str(r[6]), mime=str(r[7]),
                        case=None if r[8] is None else str(r[8]), source=str(r[1]),
                        page=None if r[2] is None else int(r[2]), snippet=str(r[3]),
                        received=str(r[9]), received_from=str(r[10]), terms=q.terms))
    return hits


def count(v: Vault, query: str, *, case: str | None = None, mime_prefix: str | None = None,
          received_after: str | dt.date | None = None,
          received_before: str | dt.date | None = None, source: str | None = None,
          received_from: str | None = None, tags: tuple[str, ...] | list[str] = ()) -> int:
    """How many rows :func:`search` would find without a limit."""
    kw = {"case": case, "mime_prefix": mime_prefix, "received_after": received_after,
          "received_before": received_before, "source": source,
          "received_from": received_from}
    rows, _expr, _q = _run(v, query, tuple(tags), kw, lambda cond: f"SELECT count(*) {cond}",
                           [])
    return int(rows[0][0]) if rows else 0
