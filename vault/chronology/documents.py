"""Writing a chronology's tables (vault/chronology/reports.py) as CSV, DOCX (editable, so
that the parties can work towards an agreed version) and PDF, only where the user chose, each
write a custody event (``chronology written``: the table, the format, the file's name and
SHA-256)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from vault.chronology.reports import Table
from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.store.atomic import atomic_write
from vault.store.vault import Vault

FORMATS = ("csv", "docx", "pdf")
# A cell that a spreadsheet would run as a formula starts with one of these: it is written
# with a leading apostrophe, which spreadsheets show as text (OWASP "CSV injection").
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(t: Table) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads the accents), one header row; the
    privilege notice, if any, on the first line."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if t.notice:
        w.writerow([t.notice])
    w.writerow(t.header)
    for row in t.rows:
        w.writerow(["'" + c if c.startswith(FORMULA) else c for c in row])
    return out.getvalue().encode("utf-8-sig")


def docx_bytes(t: Table, made: dt.datetime, author: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = t.title, author, author
    props.created = props.modified = made.replace(tzinfo=None)
    props.comments = props.keywords = props.subject = ""
    if t.notice:
        run = doc.add_paragraph().add_run(t.notice.upper())
        run.bold = True
    doc.add_heading(t.title, level=1)
    if t.subtitle:
        doc.add_paragraph(t.subtitle)
    table = doc.add_table(rows=1, cols=len(t.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, t.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in t.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    total = sum(t.widths) if t.widths else 0
    if total:
        usable = 29.7 - 3.0
        for col, width in zip(table.columns, t.widths, strict=True):
            for cell in col.cells:
                cell.width = Cm(usable * width / total)
    for paragraph in (p for row in table.rows for c in row.cells for p in c.paragraphs):
        for run in paragraph.runs:
            run.font.size = Pt(9)
    return docx_saved(doc, made)


def docx_saved(doc: Any, made: dt.datetime) -> bytes:
    """A python-docx document's bytes, the same every time: python-docx stamps each part of
    the zip with the clock's time, so a document saved a second later differed; each part is
    written again here with ``made`` as its time, in the same order."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    stamp = max(made, dt.datetime(1980, 1, 1, tzinfo=made.tzinfo)).timetuple()[:6]
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


CSS = """
body { font-family: sans-serif; font-size: 9pt; }
h1 { font-size: 14pt; margin-bottom: 4pt; }
p.notice { font-weight: bold; font-size: 10pt; }
p.sub { color: #444444; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #777777; padding: 3pt; vertical-align: top; text-align: left; }
th { background-color: #e8e8e8; }
span.h { font-family: monospace; }
"""
# Fingerprints and ids: set in a monospaced font, which has no ligatures, so that the text
# copied out of the PDF is the fingerprint (a proportional font turns "ff" into one glyph,
# U+FB00, and a copied SHA-256 would no longer match).
CODE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|"
                  r"\b[0-9a-fA-F]{16,}\b")


def code_html(text: str) -> str:
    """``text`` escaped for HTML, its fingerprints and ids in a monospaced span."""
    return CODE.sub(lambda m: f'<span class="h">{m.group(0)}</span>', html.escape(text))


def pdf_bytes(t: Table) -> bytes:
    """A4 landscape, the table flowing over as many pages as it needs (PyMuPDF's Story)."""
    import pymupdf

    from vault.documents.thumbnails import pdf_lock

    e = code_html
    parts = [f'<p class="notice">{html.escape(t.notice.upper())}</p>' if t.notice else "",
             f"<h1>{e(t.title)}</h1>",
             f'<p class="sub">{e(t.subtitle)}</p>' if t.subtitle else "",
             "<table><tr>", *(f"<th>{e(h)}</th>" for h in t.header), "</tr>"]
    for row in t.rows:
        parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    parts.append("</table>")
    out = io.BytesIO()
    with pdf_lock:
        story = pymupdf.Story(html="".join(parts), user_css=CSS)
        writer = pymupdf.DocumentWriter(out)
        page = pymupdf.paper_rect("a4-l")
        where = pymupdf.Rect(page.x0 + 36, page.y0 + 36, page.x1 - 36, page.y1 - 36)
        more = True
        while more:
            device = writer.begin_page(page)
            more, _filled = story.place(where)
            story.draw(device)
            writer.end_page()
        writer.close()
        return _finish_pdf(out.getvalue(), t.title)


def _finish_pdf(data: bytes, title: str) -> bytes:
    """Number the pages ("Chronology: X, page 2 of 5" at the foot of each), keep only the
    glyphs used of the fonts, and compress: a table of a few rows is then a few kilobytes,
    not a hundred. The same table gives the same bytes."""
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        total = doc.page_count
        for n, page in enumerate(doc, 1):
            r = page.rect
            page.insert_textbox(pymupdf.Rect(36, r.height - 30, r.width - 36, r.height - 14),
                                f"{title}, page {n} of {total}", fontsize=8,
                                fontname="helv", align=pymupdf.TEXT_ALIGN_RIGHT)
        doc.subset_fonts()
        doc.set_metadata({"title": title, "producer": "Evidence Vault", "creator":
                          "Evidence Vault"})
        return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))


def table_bytes(t: Table, fmt: str, made: dt.datetime, author: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(t)
    if fmt == "docx":
        return docx_bytes(t, made, author)
    if fmt == "pdf":
        return pdf_bytes(t)
    raise VaultError(f"{fmt}: write a table as {', '.join(FORMATS)}")


def write_table(v: Vault, case: str, t: Table, path: Path, fmt: str | None = None) -> str:
    """Write ``t`` to ``path`` (the format from its suffix unless given), atomically; record
    it. Returns the file's SHA-256."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    made = v.clock.now()
    t.subtitle = t.subtitle or (f"Made {made.strftime('%d/%m/%Y %H:%M')} UTC from Evidence "
                                f"Vault {v.vault_id}, case {case}")
    data = table_bytes(t, fmt, made, v.identity.name)
    atomic_write(path, data)
    sha = hashlib.sha256(data).hexdigest()
    with v.transaction():
        v.record(custody.CHRONOLOGY_WRITTEN, details={
            "case": case, "table": t.title, "format": fmt, "file": path.name, "sha256": sha,
            "rows": len(t.rows), "made": iso_utc(made)})
    return sha
