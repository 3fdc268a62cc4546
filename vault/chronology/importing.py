"""An existing chronology brought in from a CSV or XLSX sheet (docs/chronology.md, "From a
spreadsheet"): the sheet is read, its columns are mapped to the fields of a fact (guessed from
the header, changed by the user), every row is checked and shown before anything is saved,
then each row becomes a fact through the store (checked and recorded as if typed). A row
that cannot become a fact is never dropped in silence: it is named, with why, in the result.

A sheet may come from someone else: an XLSX is refused before it is parsed when its zip would
unpack to more than :data:`MAX_UNPACKED` bytes or holds more than :data:`MAX_ENTRIES` parts,
and openpyxl parses its XML through defusedxml (no entity expansion)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault.chronology import store
from vault.chronology.dates import BadDate, UncertainDate, parse_date
from vault.chronology.model import STATUSES
from vault.errors import VaultError
from vault.store.vault import Vault

MAX_ROWS = 20_000
MAX_UNPACKED = 200 << 20
MAX_ENTRIES = 10_000
MAX_FILE = 50 << 20

# The fields a column can fill, in the order offered; "" leaves a column unused.
FIELDS = ("date", "text", "source", "quote", "status", "doc_date", "key", "evaluation",
          "comment")
LABELS = {"date": "Date", "text": "What happened", "source": "Source (exhibit, page)",
          "quote": "Words cited", "status": "Status", "doc_date": "Document's own date",
          "key": "Key fact (yes/no)", "evaluation": "Evaluation (private)",
          "comment": "Comment (private)"}
# Header words that suggest a field (lower case, the first that matches wins).
GUESSES = {
    "date": ("date", "when", "event date"),
    "text": ("event", "fact", "what happened", "description", "narrative", "details", "entry",
             "summary"),
    "source": ("source", "exhibit", "reference", "ref", "document"),
    "quote": ("quote", "words", "extract", "cited"),
    "status": ("status", "agreed", "disputed"),
    "doc_date": ("document date", "doc date", "dated"),
    "key": ("key", "important"),
    "evaluation": ("evaluation", "significance", "analysis"),
    "comment": ("comment", "comments", "notes", "note"),
}
SOURCE = re.compile(r"\b([A-Z]{1,6}/\d+(?:/\d+)*)\b(?:\D{0,8}?(?:p\.?|page|pp\.?)\s*(\d+))?",
                    re.IGNORECASE)
YES = {"yes", "y", "true", "1", "key", "x", "✓"}


class SheetRefused(VaultError):
    """A sheet that cannot be read: the message says why."""


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[str]]  # every cell as text, rows padded to the header's width
    name: str = ""


@dataclass
class RowPlan:
    """What one row will become: a fact's fields, or the reason it cannot."""
    line: int  # the row's number in the sheet (the header is 1)
    fields: dict[str, Any] = field(default_factory=dict)
    date: UncertainDate | None = None
    cite: tuple[str, int | None, str] | None = None  # ref, page, quote
    problem: str = ""  # the row is not imported
    warnings: list[str] = field(default_factory=list)  # imported, with these said

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class Imported:
    facts: list[int] = field(default_factory=list)  # numbers of the facts made
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, what)
    citations: int = 0


# ------------------------------------------------------------------------------ reading
def read_sheet(path: Path) -> Sheet:
    """The first sheet of an XLSX, or a CSV (UTF-8, with or without a byte-order mark, else
    Windows-1252; the delimiter sniffed), as text cells. The first row is the header."""
    size = path.stat().st_size
    if size > MAX_FILE:
        raise SheetRefused(f"{path.name} is larger than {MAX_FILE >> 20} MB: split it")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = list(_xlsx_rows(path))
    elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
        rows = list(_csv_rows(path.read_bytes()))
    else:
        raise SheetRefused(f"{path.name}: give a CSV or an XLSX file (an old .xls can be saved "
                           "as .xlsx from Excel or LibreOffice)")
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SheetRefused(f"{path.name} is empty")
    if len(rows) > MAX_ROWS + 1:
        raise SheetRefused(f"{path.name} has more than {MAX_ROWS:,} rows: split it")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [h.strip() or f"Column {i + 1}" for i, h in enumerate(rows[0])]
    return Sheet(header, rows[1:], path.name)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise SheetRefused(f"{path.name} is not an XLSX file ({e})") from e
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise SheetRefused(f"{path.name} would unpack to more than {MAX_UNPACKED >> 20} MB: "
                           "refused (a decompression bomb, or a sheet to split)")
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # the dependency is declared: its absence is an unsafe install
        raise SheetRefused("defusedxml is missing: XLSX files are not read without it")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise SheetRefused(f"{path.name} cannot be read as a spreadsheet ({e})") from e
    try:
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if n > MAX_ROWS + 1:
                raise SheetRefused(f"{path.name} has more than {MAX_ROWS:,} rows: split it")
            yield [_cell(c) for c in row]
    finally:
        book.close()


# ------------------------------------------------------------------------------ mapping
def guess_mapping(header: list[str]) -> dict[str, int]:
    """Field -> column, guessed from the header's words; each column used once."""
    out: dict[str, int] = {}
    used: set[int] = set()
    names = [h.strip().lower() for h in header]
    for fld in FIELDS:
        for word in GUESSES[fld]:
            hit = next((i for i, h in enumerate(names) if i not in used and
                        (h == word or h.startswith(word + " "))), None)
            if hit is None:
                hit = next((i for i, h in enumerate(names) if i not in used and
                            re.search(rf"\b{re.escape(word)}\b", h)), None)
            if hit is not None:
                out[fld] = hit
                used.add(hit)
                break
    return out


def _status(text: str) -> str | None:
    t = text.strip().lower()
    if not t or t in ("agreed", "undisputed", "not disputed"):
        return "undisputed"
    if t in STATUSES:
        return t
    if "prove" in t:
        return "to be proved"
    if "dispute" in t and ("us" in t or "we" in t or "claimant" in t):
        return "disputed by us"
    if "dispute" in t:
        return "disputed by the other side"
    return None


def plan_rows(sheet: Sheet, mapping: dict[str, int], refs: set[str] | None = None
              ) -> list[RowPlan]:
    """What each row will become, without saving anything: the preview. ``refs``: the
    exhibits the vault holds (a source naming another is said, not cited)."""
    if "date" not in mapping or "text" not in mapping:
        raise SheetRefused("choose the column of the date and the column of what happened")
    plans = []
    for n, row in enumerate(sheet.rows, 2):
        def get(fld: str, row: list[str] = row) -> str:
            i = mapping.get(fld)
            return " ".join(row[i].split()) if i is not None and i < len(row) else ""

        p = RowPlan(n)
        text = get("text")
        if not text:
            p.problem = "no event: the column of what happened is empty"
            plans.append(p)
            continue
        try:
            p.date = parse_date(get("date") or "undated", basis="document text")
        except BadDate as e:
            p.problem = f"the date {get('date')!r} cannot be read: {e}"
            plans.append(p)
            continue
        p.fields["text"] = text
        status = _status(get("status"))
        if status is None:
            p.warnings.append(f"status {get('status')!r} not understood: kept as undisputed, "
                              "the words in the comment")
            p.fields["comment"] = f"Status in the sheet: {get('status')}"
        elif status != "undisputed":
            p.fields["status"] = status
        if get("doc_date"):
            try:
                p.fields["doc_date"] = parse_date(get("doc_date"))
            except BadDate:
                p.warnings.append(f"the document's date {get('doc_date')!r} cannot be read: "
                                  "kept in the comment")
                p.fields["comment"] = _join(p.fields.get("comment", ""),
                                            f"Document dated (as in the sheet): "
                                            f"{get('doc_date')}")
        if get("key"):
            p.fields["key"] = get("key").lower() in YES
        for fld in ("evaluation", "comment"):
            if get(fld):
                p.fields[fld] = _join(p.fields.get(fld, ""), get(fld))
        source = get("source")
        if source:
            m = SOURCE.search(source)
            ref = m.group(1).upper() if m else ""
            page = int(m.group(2)) if m and m.group(2) else None
            quote = get("quote")
            if m and (refs is None or ref in refs) and quote:
                p.cite = (ref, page, quote)
            else:
                why = ("no exhibit reference in it" if not m else
                       f"{ref} is not in this vault" if refs is not None and ref not in refs
                       else "no words to cite")
                p.warnings.append(f"source {source!r} not cited ({why}): kept in the comment")
                p.fields["comment"] = _join(p.fields.get("comment", ""),
                                            f"Source in the sheet: {source}")
        plans.append(p)
    return plans


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def import_rows(v: Vault, case: str, plans: list[RowPlan],
                cancel: Callable[[], bool] = lambda: False) -> Imported:
    """Add each planned row as a fact (and its citation), one by one through the store; a
    row the store refuses is named with why, and the others go on."""
    out = Imported()
    for p in plans:
        if cancel():
            out.skipped.extend((q.line, "not imported: cancelled") for q in plans
                               if q.line >= p.line and q.ok)
            break
        if not p.ok or p.date is None:
            out.skipped.append((p.line, p.problem))
            continue
        fields = dict(p.fields)
        text = fields.pop("text")
        try:
            fact = store.add_fact(v, case, text, p.date, **fields)
        except VaultError as e:
            out.skipped.append((p.line, str(e)))
            continue
        out.facts.append(fact.number)
        out.warnings.extend((p.line, w) for w in p.warnings)
        if p.cite is not None:
            ref, page, quote = p.cite
            try:
                store.cite(v, case, "fact", fact.number, ref, page, quote)
                out.citations += 1
            except VaultError as e:  # the source is kept with the fact, never lost
                where = ref + (f", p. {page}" if page else "")
                store.change_fact(v, case, fact.number, comment=_join(
                    fact.comment, f"Source in the sheet: {where}: “{quote}” (not cited: {e})"))
                out.warnings.append((p.line, f"fact {fact.number} added, its citation not "
                                              f"made ({e}): the source is in its comment"))
    return out
