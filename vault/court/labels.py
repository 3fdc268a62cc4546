"""Exhibit labels (PDF and DOCX) and cover sheets (PDF) for the court bundle
(docs/court-bundle.md), and writing any court document where the user chose, each write a
custody event (``court document written``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from vault.chronology.documents import code_html, docx_saved, table_bytes
from vault.clock import iso_utc
from vault.court.continuity import continuity
from vault.court.lists import EXHIBIT_LIST, REFERRED_LIST, exhibit_list, referred_list
from vault.court.model import PRODUCED, SENSITIVE, Exhibit, show_date
from vault.court.schedules import DOCUMENTS, nil_return, revision, schedule_table
from vault.court.store import CourtRefused, chosen, producing_statement, statement_documents
from vault.custody import log as custody
from vault.store.atomic import atomic_write
from vault.store.vault import Vault

LABELS, COVERS, CONTINUITY = "exhibit labels", "cover sheets", "continuity record"
SCHEDULE_DOCUMENTS = {name: schedule for schedule, name in DOCUMENTS.items()}
BLANK = "." * 28

CSS = """
body { font-family: sans-serif; font-size: 10pt; }
p { margin: 0 0 5pt 0; }
p.mark { font-size: 20pt; font-weight: bold; margin-bottom: 8pt; }
p.big { font-size: 48pt; font-weight: bold; text-align: center; margin: 60pt 0 30pt 0; }
p.small { font-size: 8pt; color: #333333; }
p.sign { margin-top: 14pt; }
p.row { font-size: 12pt; margin-bottom: 9pt; }
span.h { font-family: monospace; }
"""


def _pages(e: Exhibit, v: Vault) -> str:
    from vault.evidence.items import get_item

    pages = get_item(v, e.item).metadata.get("pages")
    return str(pages) if pages else "-"


def _dates(v: Vault, case: str, exhibits: list[Exhibit]) -> dict[str, str]:
    """The date of the statement producing each exhibit (a blank to fill in by hand where no
    statement recorded in the vault produces it yet)."""
    out = {}
    for e in exhibits:
        st = producing_statement(v, case, e.mark)
        out[e.mark] = show_date(st.dated) if st else BLANK
    return out


def _label_html(e: Exhibit, case: str, vault_id: str, made: dt.datetime, dated: str) -> str:
    x = code_html
    return (f'<p class="mark">EXHIBIT {x(e.mark)}</p>'
            f'<p>This is the exhibit marked "{x(e.mark)}" referred to in the statement of '
            f"{x(e.witness.name)} dated {x(dated)}</p>"
            f"<p><b>Description:</b> {x(e.description)}</p>"
            f'<p class="small">Vault item {x(e.item)} ({x(e.name)}); SHA-256 {x(e.sha256)}</p>'
            f'<p class="small">Case {x(case)}; Evidence Vault {x(vault_id)}; made '
            f"{made.strftime('%d/%m/%Y')}</p>"
            f'<p class="sign">Signed {BLANK}{BLANK} (witness)</p>'
            f'<p class="sign">Signed {BLANK}{BLANK} (before whom produced) &#160; Date '
            f"{BLANK}</p>")


def labels_pdf(exhibits: list[Exhibit], case: str, vault_id: str, made: dt.datetime,
               dates: dict[str, str]) -> bytes:
    """A4 portrait, two labels to a page, a dashed line to cut along between them."""
    import pymupdf

    from vault.documents.thumbnails import pdf_lock

    out = io.BytesIO()
    with pdf_lock:
        writer = pymupdf.DocumentWriter(out)
        page = pymupdf.paper_rect("a4")
        half = page.height / 2
        for start in range(0, len(exhibits), 2):
            device = writer.begin_page(page)
            for slot, e in enumerate(exhibits[start:start + 2]):
                top = slot * half
                where = pymupdf.Rect(48, top + 40, page.width - 48, top + half - 30)
                story = pymupdf.Story(html=_label_html(e, case, vault_id, made, dates[e.mark]),
                                      user_css=CSS)
                more, _ = story.place(where)
                if more:
                    raise CourtRefused(f"the description of {e.mark} is too long for a label: "
                                       "shorten it")
                story.draw(device)
            writer.end_page()
        writer.close()
        return _finish(out.getvalue(), f"Exhibit labels: {case}", dashed=True)


def covers_pdf(exhibits: list[Exhibit], v: Vault, case: str, made: dt.datetime) -> bytes:
    """One A4 page per exhibit, to go in front of it in a bundle."""
    import pymupdf

    from vault.documents.thumbnails import pdf_lock

    x = code_html
    out = io.BytesIO()
    with pdf_lock:
        writer = pymupdf.DocumentWriter(out)
        page = pymupdf.paper_rect("a4")
        for e in exhibits:
            rows = _cover_rows(e, v, case, made)
            body = f'<p class="big">{x(e.mark)}</p>' + "".join(
                f'<p class="row"><b>{x(k)}:</b> {x(val)}</p>' for k, val in rows)
            device = writer.begin_page(page)
            story = pymupdf.Story(html=body, user_css=CSS)
            story.place(pymupdf.Rect(56, 56, page.width - 56, page.height - 56))
            story.draw(device)
            writer.end_page()
        writer.close()
        return _finish(out.getvalue(), f"Cover sheets: {case}")


def _cover_rows(e: Exhibit, v: Vault, case: str, made: dt.datetime) -> list[tuple[str, str]]:
    return [("Description", e.description), ("Produced by", f"{e.witness.name} "
                                                           f"({e.witness.role})"),
            ("Vault item", e.item), ("File", e.name), ("Type", e.mime),
            ("Pages", _pages(e, v)), ("SHA-256", e.sha256), ("Case", case),
            ("Evidence Vault", v.vault_id), ("Made", made.strftime("%d/%m/%Y"))]


def covers_docx(exhibits: list[Exhibit], v: Vault, case: str, made: dt.datetime) -> bytes:
    """The same cover sheets, editable: one page each."""
    from docx import Document
    from docx.enum.text import WD_BREAK, WD_PARAGRAPH_ALIGNMENT
    from docx.shared import Pt

    doc = Document()
    props = doc.core_properties
    props.title, props.author = f"Cover sheets: {case}", v.identity.name
    props.last_modified_by = v.identity.name
    props.created = props.modified = made.replace(tzinfo=None)
    props.comments = props.keywords = props.subject = ""
    for n, e in enumerate(exhibits):
        big = doc.add_paragraph()
        big.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
        run = big.add_run(e.mark)
        run.bold, run.font.size = True, Pt(48)
        for key, value in _cover_rows(e, v, case, made):
            para = doc.add_paragraph()
            para.add_run(f"{key}: ").bold = True
            para.add_run(value)
        if n + 1 < len(exhibits):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return docx_saved(doc, made)


def _finish(data: bytes, title: str, *, dashed: bool = False) -> bytes:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            if dashed:
                y = page.rect.height / 2
                page.draw_line((24, y), (page.rect.width - 24, y), color=(0.4, 0.4, 0.4),
                               width=0.5, dashes="[4 3] 0")
        doc.subset_fonts()
        doc.set_metadata({"title": title, "producer": "Evidence Vault",
                          "creator": "Evidence Vault"})
        return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))


def labels_docx(exhibits: list[Exhibit], case: str, vault_id: str, made: dt.datetime,
                author: str, dates: dict[str, str]) -> bytes:
    """The same labels, editable: one bordered box each, two to a page."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = f"Exhibit labels: {case}", author, author
    props.created = props.modified = made.replace(tzinfo=None)
    props.comments = props.keywords = props.subject = ""
    for n, e in enumerate(exhibits):
        box = doc.add_table(rows=1, cols=1)
        box.style = "Table Grid"
        cell = box.rows[0].cells[0]
        cell.text = ""
        first = cell.paragraphs[0].add_run(f"EXHIBIT {e.mark}")
        first.bold, first.font.size = True, Pt(18)
        for text in (f'This is the exhibit marked "{e.mark}" referred to in the statement of '
                     f"{e.witness.name} dated {dates[e.mark]}",
                     f"Description: {e.description}",
                     f"Vault item {e.item} ({e.name}); SHA-256 {e.sha256}",
                     f"Case {case}; Evidence Vault {vault_id}; made {made.strftime('%d/%m/%Y')}",
                     f"Signed {BLANK}{BLANK} (witness)",
                     f"Signed {BLANK}{BLANK} (before whom produced)   Date {BLANK}"):
            cell.add_paragraph(text)
        if n % 2 == 0 and n + 1 < len(exhibits):
            doc.add_paragraph("- " * 40)
        elif n + 1 < len(exhibits):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return docx_saved(doc, made)


def make_court_document(v: Vault, case: str, document: str, fmt: str,
                        marks: list[str] | None, statement: str | None, made: dt.datetime,
                        log: list[custody.Event] | None = None
                        ) -> tuple[bytes, list[str], dict[str, object]]:
    """(the bytes of ``document``, the marks or entries it names, what else its custody
    event says): labels, cover sheets, the continuity record of one mark (from ``log``, the
    verified custody log, when given), a statement's lists, or a schedule."""
    extra: dict[str, object] = {}
    if document in SCHEDULE_DOCUMENTS:
        schedule = SCHEDULE_DOCUMENTS[document]
        if fmt not in ("pdf", "docx", "csv"):
            raise CourtRefused(f"{fmt}: a schedule is written as pdf, docx or csv")
        rev = revision(v, case, schedule)
        table = schedule_table(v, case, schedule, rev)
        if not table.rows and schedule == SENSITIVE:
            if fmt == "csv":
                raise CourtRefused("the sensitive schedule is empty: its nil return is signed, "
                                   "so write it as pdf or docx")
            data = nil_return(case, made, fmt, v.identity.name, rev)
        else:
            if fmt == "csv":
                table.notice = " ".join(x for x in (table.notice, table.title + ".",
                                                    table.subtitle) if x)
            data = table_bytes(table, fmt, made, v.identity.name)
        named = [f"{'S' if schedule == SENSITIVE else 'N'}{r[0]}" for r in table.rows]
        extra = {"revision": rev}
    elif document in (EXHIBIT_LIST, REFERRED_LIST):
        if not statement:
            raise CourtRefused("name the statement (MO:1)")
        if fmt not in ("pdf", "docx", "csv"):
            raise CourtRefused(f"{fmt}: a statement's list is written as pdf, docx or csv")
        st, table = (exhibit_list if document == EXHIBIT_LIST else referred_list)(
            v, case, statement)
        if fmt == "csv":
            table.notice = table.title + ". " + table.subtitle
        data = table_bytes(table, fmt, made, v.identity.name)
        named = [d.mark for d in statement_documents(v, case, statement) if d.mark and
                 (d.how == PRODUCED) == (document == EXHIBIT_LIST)]
        extra = {"statement": st.name}
    elif document == CONTINUITY:
        if not marks or len(marks) != 1:
            raise CourtRefused("a continuity record is made for one exhibit")
        if fmt not in ("pdf", "docx", "csv"):
            raise CourtRefused(f"{fmt}: a continuity record is written as pdf, docx or csv")
        e, table = continuity(v, case, marks[0], log)
        if fmt == "csv":  # a CSV has no heading: its first line says what it is of
            table.notice = table.title + ". " + table.subtitle
        data = table_bytes(table, fmt, made, v.identity.name)
        named = [e.mark]
    else:
        found = chosen(v, case, marks)
        named = [e.mark for e in found]
        if document == LABELS and fmt == "pdf":
            data = labels_pdf(found, case, v.vault_id, made, _dates(v, case, found))
        elif document == LABELS and fmt == "docx":
            data = labels_docx(found, case, v.vault_id, made, v.identity.name,
                               _dates(v, case, found))
        elif document == COVERS and fmt == "pdf":
            data = covers_pdf(found, v, case, made)
        elif document == COVERS and fmt == "docx":
            data = covers_docx(found, v, case, made)
        else:
            raise CourtRefused(f"{document} are written as pdf or docx, not {fmt}")
    return data, named, extra


def write_court_document(v: Vault, case: str, document: str, path: Path,
                         marks: list[str] | None = None, fmt: str | None = None, *,
                         statement: str | None = None) -> str:
    """Make ``document`` and write it to ``path`` (the format from its suffix unless given),
    atomically; record it. Returns the file's SHA-256."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    made = v.clock.now()
    data, named, extra = make_court_document(v, case, document, fmt, marks, statement, made)
    atomic_write(path, data)
    sha = hashlib.sha256(data).hexdigest()
    with v.transaction():
        v.record(custody.COURT_WRITTEN, details={
            "case": case, "document": document, "marks": named, **extra, "format": fmt,
            "file": path.name, "sha256": sha, "made": iso_utc(made)})
    return sha
