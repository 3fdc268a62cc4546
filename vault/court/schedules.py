"""The unused-material schedules as documents (docs/court-bundle.md): the non-sensitive
schedule (served on the defence) and the sensitive schedule (never), each numbered as
entered, with a revision number that goes on from every schedule written before; a sensitive
schedule with no entry is a nil return to be signed."""

from __future__ import annotations

import datetime as dt
import io

from vault.chronology.reports import Table
from vault.court.disclosure import disclosures, entries
from vault.court.model import NON_SENSITIVE, SENSITIVE
from vault.custody import log as custody
from vault.store.vault import Vault

DOCUMENTS = {NON_SENSITIVE: "non-sensitive schedule", SENSITIVE: "sensitive schedule"}
NOT_FOR_DEFENCE = "Sensitive: not for disclosure to the defence"
NIL = ("NIL RETURN. I certify that, to the best of my knowledge and belief, there is no "
       "sensitive unused material in this case.")


def revision(v: Vault, case: str, schedule: str) -> int:
    """The revision the next written schedule is: one more than those written before."""
    with v.db_lock:
        written = sum(1 for e in v.events()
                      if e.fields.get("action") == custody.COURT_WRITTEN
                      and (e.fields.get("details") or {}).get("case") == case
                      and (e.fields.get("details") or {}).get("document") == DOCUMENTS[schedule])
    return written + 1


def schedule_table(v: Vault, case: str, schedule: str, rev: int) -> Table:
    found = entries(v, case, schedule)
    if schedule == NON_SENSITIVE:
        rows = []
        for e in found:
            done = disclosures(v, case, e.label)
            last = f"{done[-1].action} ({done[-1].done[:10]})" if done else ""
            rows.append([str(e.number), e.description, e.item, e.sha256, e.decision, last])
        t = Table(title=f"Schedule of non-sensitive unused material: {case}",
                  header=["No.", "Description", "Vault item", "SHA-256", "Decision",
                          "Disclosure"], rows=rows, widths=[1.0, 7.0, 2.0, 8.0, 2.0, 4.0])
    else:
        rows = [[str(e.number), e.description, e.reason, e.item, e.sha256, e.decision]
                for e in found]
        t = Table(title=f"Schedule of sensitive unused material: {case}",
                  header=["No.", "Description", "Why it is sensitive", "Vault item",
                          "SHA-256", "Decision"], rows=rows, widths=[1.0, 6.0, 5.0, 2.0, 8.0,
                                                                    2.0],
                  notice=NOT_FOR_DEFENCE)
    t.subtitle = (f"Revision {rev}. Case {case}, Evidence Vault {v.vault_id}. Numbers are "
                  "given in the order entered and never again; gaps are entries taken off.")
    return t


def nil_return(case: str, made: dt.datetime, fmt: str, author: str, rev: int) -> bytes:
    """The signed nil return of an empty sensitive schedule, as PDF or DOCX."""
    title = f"Schedule of sensitive unused material: {case}"
    lines = [NOT_FOR_DEFENCE.upper(), title, f"Revision {rev}, made {made:%d/%m/%Y}", NIL,
             "Signed " + "." * 40 + " (disclosure officer)",
             "Name " + "." * 42 + "   Date " + "." * 20]
    if fmt == "docx":
        from docx import Document

        from vault.chronology.documents import docx_saved

        doc = Document()
        props = doc.core_properties
        props.title, props.author, props.last_modified_by = title, author, author
        props.created = props.modified = made.replace(tzinfo=None)
        props.comments = props.keywords = props.subject = ""
        for n, line in enumerate(lines):
            run = doc.add_paragraph().add_run(line)
            run.bold = n in (0, 1)
        return docx_saved(doc, made)
    import html

    import pymupdf

    from vault.documents.thumbnails import pdf_lock

    body = "".join(f"<p{' class=b' if n < 2 else ''}>{html.escape(line)}</p>"
                   for n, line in enumerate(lines))
    out = io.BytesIO()
    with pdf_lock:
        writer = pymupdf.DocumentWriter(out)
        page = pymupdf.paper_rect("a4")
        device = writer.begin_page(page)
        story = pymupdf.Story(html=body, user_css="body {font-family: sans-serif; "
                              "font-size: 11pt;} p {margin-bottom: 14pt;} p.b {font-weight: "
                              "bold;}")
        story.place(pymupdf.Rect(56, 56, page.width - 56, page.height - 56))
        story.draw(device)
        writer.end_page()
        writer.close()
    with pymupdf.open(stream=out.getvalue(), filetype="pdf") as doc:
        doc.subset_fonts()
        doc.set_metadata({"title": title, "producer": "Evidence Vault",
                          "creator": "Evidence Vault"})
        return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))
