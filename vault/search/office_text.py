"""The words of office documents (Word and OpenDocument text, spreadsheets and presentations)
for the search index.

The document is read as an untrusted zip through :class:`vault.packages.safezip.SafeZip` (names,
overlaps, compression ratio vetted; nothing extracted) from a seekable file: in the vault, the
original decrypted on the fly, never written anywhere. Each XML part is parsed with expat,
streaming, keeping only the text. A part that declares a DOCTYPE (never written by office
programs; the way to entity-expansion "billion laughs" attacks) makes the whole document
unreadable. A damaged or hostile document gives no text, never an exception: its item is
still preserved and found by its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO
from xml.parsers import expat

from vault.errors import VaultError
from vault.packages.safezip import SafeZip
from vault.search.text_content import MAX_TEXT

MAX_OFFICE_BYTES = 512 << 20  # a document handed to a parser worker, in memory
MAX_PART = 64 << 20  # bytes of one XML part, uncompressed
MAX_XML = 256 << 20  # bytes of XML parsed for one document, all parts together
MAX_SPACES = 1000  # a <text:s text:c="..."/> run of spaces, at most

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
OFFICE_MIMES = (DOCX, XLSX, PPTX, ODT, ODS, ODP)

_NUMBER = re.compile(r"(\d+)")


class Refused(Exception):
    """The document is hostile or damaged: it gives no text."""


class _Full(Exception):
    """The text has reached its limit: stop reading."""


@dataclass(frozen=True)
class _Rules:
    """How one kind of XML part holds its text, by elements' local names (namespaces vary:
    transitional and strict OOXML)."""

    text: frozenset[str]  # character data inside these is text ("" = everywhere)
    newline_after: frozenset[str] = frozenset()
    inline: dict[str, str] = field(default_factory=dict)  # an empty element standing for text
    names: frozenset[tuple[str, str]] = frozenset()  # (element, attribute) whose value is text


_WORD = _Rules(text=frozenset({"t"}), newline_after=frozenset({"p"}),
               inline={"tab": "\t", "br": "\n", "cr": "\n"})
_SHARED_STRINGS = _Rules(text=frozenset({"t"}), newline_after=frozenset({"si"}))
_SHEET = _Rules(text=frozenset({"is"}), newline_after=frozenset({"is"}))
_WORKBOOK = _Rules(text=frozenset(), names=frozenset({("sheet", "name")}))
_SLIDE = _Rules(text=frozenset({"t"}), newline_after=frozenset({"p"}), inline={"br": "\n"})
_ODF = _Rules(text=frozenset({"p", "h"}), newline_after=frozenset({"p", "h"}),
              inline={"tab": "\t", "line-break": "\n", "s": " "},
              names=frozenset({("table", "name")}))


def is_office(mime: str) -> bool:
    return mime in OFFICE_MIMES


def _numbered(names: list[str], folder: str, stem: str) -> list[str]:
    """``folder/stemN.xml`` parts in the order of N (slide2 before slide10)."""
    found = []
    for name in names:
        p = PurePosixPath(name)
        if str(p.parent) == folder and p.name.startswith(stem) and p.suffix == ".xml":
            m = _NUMBER.search(p.stem[len(stem):])
            found.append((int(m.group(1)) if m else 0, name))
    return [name for _, name in sorted(found)]


def _parts(mime: str, names: list[str]) -> list[tuple[str, _Rules]]:
    """The XML parts holding a document's text, in reading order, with their rules."""
    if mime == DOCX:
        parts = ["word/document.xml", *_numbered(names, "word", "header"),
                 *_numbered(names, "word", "footer"), "word/footnotes.xml", "word/endnotes.xml",
                 "word/comments.xml"]
        return [(p, _WORD) for p in parts]
    if mime == XLSX:
        return [("xl/workbook.xml", _WORKBOOK), ("xl/sharedStrings.xml", _SHARED_STRINGS),
                *((p, _SHEET) for p in _numbered(names, "xl/worksheets", "sheet"))]
    if mime == PPTX:
        return [(p, _SLIDE) for p in (*_numbered(names, "ppt/slides", "slide"),
                                      *_numbered(names, "ppt/notesSlides", "notesSlide"))]
    if mime in (ODT, ODS, ODP):
        return [("content.xml", _ODF), ("styles.xml", _ODF)]
    return []


class _Reader:
    """Collects the text of XML parts with one budget for the whole document."""

    def __init__(self, limit: int) -> None:
        self.out: list[str] = []
        self.left = limit

    def add(self, s: str) -> None:
        if not s:
            return
        if len(s) >= self.left:
            self.out.append(s[:self.left])
            self.left = 0
            raise _Full
        self.out.append(s)
        self.left -= len(s)

    def parse(self, data: bytes, rules: _Rules) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        depth = 0  # how many open elements hold text

        def local(name: str) -> str:
            return name.rpartition(" ")[2]

        def refuse(*_: object) -> None:
            raise Refused("a DOCTYPE or entity declaration")

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth
            tag = local(name)
            if tag in rules.text:
                depth += 1
            for element, attribute in rules.names:
                if tag == element:
                    for key, value in attrs.items():
                        if local(key) == attribute:
                            self.add(value + "\n")
            if tag in rules.inline:
                text = rules.inline[tag]
                if tag == "s":
                    count = next((v for k, v in attrs.items() if local(k) == "c"), "1")
                    text = " " * min(int(count) if count.isdigit() else 1, MAX_SPACES)
                self.add(text)

        def end(name: str) -> None:
            nonlocal depth
            tag = local(name)
            if tag in rules.text:
                depth -= 1
            if tag in rules.newline_after:
                self.add("\n")

        def chars(data: str) -> None:
            if depth > 0:
                self.add(data)

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        try:
            parser.Parse(data, True)
        except expat.ExpatError as e:
            raise Refused(f"not well-formed XML: {e}") from e


def document_text(source: IO[bytes], mime: str, limit: int = MAX_TEXT) -> str:
    """The words of an office document read from ``source`` (seekable), at most ``limit``
    characters; "" when it holds none or is damaged or hostile (see :func:`read_text`).
    Errors of the vault itself (an original failing authentication) are raised."""
    try:
        return read_text(source, mime, limit)
    except VaultError:
        raise
    except Exception:  # hostile input: whatever it makes the parsers raise, it gives no text
        return ""


def read_text(source: IO[bytes], mime: str, limit: int = MAX_TEXT) -> str:
    """Like :func:`document_text` but raising :class:`Refused` (or the archive's
    :class:`~vault.packages.safezip.HostileArchive` /
    :class:`~vault.packages.safezip.NotAnArchive`) for a document that gives no text."""
    reader = _Reader(limit)
    budget = MAX_XML
    with SafeZip(Path("document"), source=source) as z:
        names = z.names()
        for name, rules in _parts(mime, names):
            if name not in z.entries:
                continue
            size = z.entries[name].file_size
            if size > MAX_PART or size > budget:
                continue  # too large to parse: its words are not searchable
            budget -= size
            try:
                reader.parse(z.read_small(name, MAX_PART), rules)
            except _Full:
                break
    return "".join(reader.out)


# ------------------------------------------------------------------ document properties
_PROPERTIES = {  # local element name -> what ``show`` calls it
    "creator": "author", "initial-creator": "author", "lastModifiedBy": "last modified by",
    "created": "created", "creation-date": "created", "modified": "modified",
    "title": "title", "subject": "subject", "revision": "revision",
}
_EMBEDDED = re.compile(r"^(word|xl|ppt)/(media|embeddings)/[^/]+$|^(Pictures|Object [^/]*)/")
MAX_PROPERTIES_XML = 1 << 20


def document_properties(source: IO[bytes], mime: str) -> tuple[dict[str, str], list[str]]:
    """An office document's core properties (author, created, modified, last modified by,
    title) from docProps/core.xml or meta.xml, and the names of the pictures and objects
    embedded in it. Read through the hostile-zip guard, DOCTYPEs refused; raises
    :class:`Refused` (or the archive's errors) for a document that cannot be read."""
    with SafeZip(Path("document"), source=source) as z:
        names = z.names()
        part = "docProps/core.xml" if mime in (DOCX, XLSX, PPTX) else "meta.xml"
        props: dict[str, str] = {}
        if part in z.entries and z.entries[part].file_size <= MAX_PROPERTIES_XML:
            data = z.read_small(part, MAX_PROPERTIES_XML)
            if b"<!DOCTYPE" in data.upper():
                raise Refused("a DOCTYPE in the document's properties")
            props = _properties(data)
        # In OpenDocument, dc:creator is the last person who saved it.
        if mime in (ODT, ODS, ODP) and "author" in props and "initial" in props:
            props["last modified by"] = props.pop("author")
            props["author"] = props.pop("initial")
        props.pop("initial", None)
        embedded = [n for n in names if _EMBEDDED.match(n)]
    return props, embedded[:200]


def _properties(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    current: list[str] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, _attrs: dict[str, str]) -> None:
        current.append(name.rsplit(" ", 1)[-1])

    def end(_name: str) -> None:
        current.pop()

    def chars(text: str) -> None:
        if not current:
            return
        local = current[-1]
        key = "initial" if local == "initial-creator" else _PROPERTIES.get(local)
        if key and len(out.get(key, "")) < 500:
            out[key] = (out.get(key, "") + text).strip()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(data, True)
    return {k: v for k, v in out.items() if v}
