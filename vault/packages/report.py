"""The package's human-readable exhibit list: a PDF, signed (PAdES) by the investigator.

Made with PyMuPDF and pyHanko; both are imported here only, so the verify path stays light.
The output is deterministic for the same inputs (fixed dates, deterministic ECDSA), so the
same selection exported twice gives the same report and so the same manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from vault.documents.mupdf_quiet import mupdf
from vault.errors import VaultError
from vault.packages.format import exhibit_kind

STORY_ROWS = 150  # table rows laid out per Story

CSS = """
* { font-family: sans-serif; }
body { font-size: 9pt; }
h1 { font-size: 15pt; margin-bottom: 2pt; }
h2 { font-size: 11pt; margin-top: 10pt; margin-bottom: 2pt; }
td, th { font-size: 8.5pt; padding: 1pt 4pt; vertical-align: top; text-align: left; }
.mono { font-family: monospace; font-size: 7.5pt; }
.small { font-size: 8pt; color: #333; }
p.fact { font-size: 8.5pt; margin: 0 0 1pt 0; }
p.event { font-size: 8pt; color: #333; margin: 0; }
"""


@dataclass
class ReportData:
    case: str
    signer: dict[str, str]
    certificate_fingerprint: str
    custody_fingerprint: str
    as_of: dt.datetime
    exhibits: list[dict[str, Any]]  # ref, name, size, sha256, mime, receipts, timeline


# MuPDF's Story loses what it is given to place when the first box is too low to hold
# anything (measured: 22 pt at the foot of a page drew nothing there and nothing on the next
# page either): a fragment starts on a new page when less than this is left.
MIN_SPACE = 60


def _e(x: object) -> str:
    return html.escape(str(x if x is not None else ""))


def _head(r: ReportData) -> str:
    return "".join([
        f"<h1>Exhibit list: {_e(r.case or 'selected exhibits')}</h1>",
        "<p class='small'>Custody record as of "
        f"{_e(r.as_of.strftime('%Y-%m-%d %H:%M:%S UTC'))}.</p>",
        "<table>",
        f"<tr><th>Signed by</th><td>{_e(r.signer.get('name'))}, "
        f"{_e(r.signer.get('role'))}, {_e(r.signer.get('organisation'))}</td></tr>",
        f"<tr><th>Certificate SHA-256</th><td class='mono'>"
        f"{_e(r.certificate_fingerprint)}</td></tr>",
        f"<tr><th>Custody key</th><td class='mono'>{_e(r.custody_fingerprint)}</td></tr>",
        f"<tr><th>Exhibits</th><td>{len(r.exhibits)}</td></tr></table>",
        "<p class='small'>Who signed: a name in a certificate proves nothing, since anyone can "
        "make a certificate with any name. Before relying on this list or the package, phone "
        "or meet the signer (never by the route the package came) and ask them to read out "
        "their certificate's SHA-256 fingerprint; it must be the one above, group by group. "
        "Evidence Vault then remembers the signer (<i>evidence-vault signers confirm</i>, or "
        "<i>Confirm this signer</i> in the app).</p>"])


def _exhibit(x: dict[str, Any]) -> Iterator[tuple[int, str]]:
    """(rows, HTML) pieces of one exhibit: its facts, then its timeline. One paragraph per
    line, no tables: MuPDF's Story does not split a table of several rows across pages, and
    laid the rest of the piece out below the page's foot, where it was lost."""
    def fact(label: str, value: str, cls: str = "") -> str:
        return f"<p class='fact'><b>{_e(label)}:</b> <span class='{cls}'>{value}</span></p>"

    parts = [f"<h2>{_e(x['ref'])}: {_e(x['name'])}</h2>",
             fact("Description", _e(x.get("description") or x["mime"])),
             fact("Size", f"{x['size']:,} bytes"),
             fact("SHA-256", _e(x["sha256"]), "mono")]
    for p in x["receipts"]:
        parts.append(fact("Received", f"{_e(p.get('received'))} from "
                          f"{_e(p.get('received_from') or '(not stated)')}; imported by "
                          f"{_e((p.get('imported_by') or {}).get('name'))} from "
                          f"{_e(p.get('original_path'))}"))
    for ev in x["timeline"]:
        if ev.get("action") == "copy withdrawn":
            d = ev.get("details") or {}
            parts.append(fact("WITHDRAWN", f"{_e(ev.get('time'))}: {_e(d.get('reason'))}"
                              + (f"; superseded by {_e(d['superseded_by'])}"
                                 if d.get("superseded_by") else "")))
    yield len(parts), "".join(parts)
    timeline = x["timeline"]
    for i in range(0, len(timeline), STORY_ROWS):
        rows = [f"<p class='event'>#{ev['seq']} &#160; {_e(ev['time'])} &#160; "
                f"{_e(ev['action'])} &#160; {_e(ev['actor'].get('name'))}</p>"
                for ev in timeline[i:i + STORY_ROWS]]
        yield len(rows), "".join(rows)


def _fragments(r: ReportData) -> Iterator[str]:
    """The report's HTML in pieces of at most about STORY_ROWS table rows: MuPDF's Story lays
    out one long document in time that grows faster than its length (and looped forever on
    one of a few hundred exhibits)."""
    yield _head(r)
    batch: list[str] = []
    rows = 0
    for x in r.exhibits:
        for n, html_part in _exhibit(x):
            if batch and rows + n > STORY_ROWS:
                yield "".join(batch)
                batch, rows = [], 0
            batch.append(html_part)
            rows += n
    if batch:
        yield "".join(batch)
    if any(exhibit_kind(x) == "redacted copy" for x in r.exhibits):
        yield _reason_codes()


def _reason_codes() -> str:
    """What the codes printed in the redacted copies' boxes mean."""
    from vault.documents.redaction_reasons import REASON_CODES

    rows = "".join(f"<p class='fact'><b>{_e(code)}</b> &#160; {_e(meaning)}</p>"
                   for code, meaning in REASON_CODES.items())
    return ("<h2>Redaction reason codes</h2><p class='small'>The code printed in a blacked-out "
            "box of a redacted copy says why it was removed:</p>" + rows)


def build_report(r: ReportData) -> bytes:
    """The exhibit list as PDF. It is made on a thread of its own while the exhibits are
    written, and PyMuPDF is not safe from two threads at once: each step holds the PyMuPDF
    lock, let go between the pieces of the list, so that the app's background readers (a
    page of the viewer, a thumbnail) wait for one piece at most, not for the whole list."""
    from vault.documents.thumbnails import pdf_lock

    return _build_report(r, pdf_lock)


def _build_report(r: ReportData, lock: AbstractContextManager[Any]) -> bytes:
    pymupdf = mupdf()

    out = io.BytesIO()
    with lock:
        writer = pymupdf.DocumentWriter(out)
        page = pymupdf.paper_rect("a4")
        frame = pymupdf.Rect(50, 50, page.width - 50, page.height - 50)
        dev = writer.begin_page(page)
    top, blank = frame.y0, True
    for html_part in _fragments(r):
        with lock:
            story = pymupdf.Story(html=html_part, user_css=CSS)
            more, pages = True, 0
            while more:
                more, placed = story.place(pymupdf.Rect(frame.x0, top, frame.x1, frame.y1))
                filled = pymupdf.Rect(placed)
                pages += 1
                if (filled.is_empty and top == frame.y0) or pages > 2 * STORY_ROWS:
                    writer.end_page()
                    writer.close()
                    raise VaultError("the exhibit list could not be laid out; nothing was "
                                     "exported (this is a bug: please report it)")
                story.draw(dev)
                blank = blank and filled.is_empty
                top = frame.y1 if filled.is_empty else filled.y1 + 6
                if more or top >= frame.y1 - MIN_SPACE:
                    writer.end_page()
                    dev = writer.begin_page(page)
                    top, blank = frame.y0, True
            del story  # MuPDF's objects go while the lock is held
    with lock:
        writer.end_page()
        writer.close()
        del dev, writer
        doc = pymupdf.open(stream=out.getvalue(), filetype="pdf")
        if blank and doc.page_count > 1:
            doc.delete_page(-1)
        doc.subset_fonts()  # only the glyphs used: a report of ~40 KB instead of ~110 KB
        when = r.as_of.strftime("D:%Y%m%d%H%M%SZ")
        doc.set_metadata({"title": f"Exhibit list {r.case}",
                          "author": r.signer.get("name", ""),
                          "subject": "Exhibit list of an evidence package",
                          "creator": "Evidence Vault", "producer": "Evidence Vault",
                          "creationDate": when, "modDate": when})
        data: bytes = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
        doc.close()
        del doc
    return data


def sign_report(pdf: bytes, key_der: bytes, cert_der: bytes, when: dt.datetime) -> bytes:
    """Sign as PAdES (``ETSI.CAdES.detached``) with a fixed signing time."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import DocumentMetadata
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class DeterministicSigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            key = serialization.load_der_private_key(key_der, None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            return key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))

    class FixedTimePdfSigner(signers.PdfSigner):
        def init_signing_session(self, *a: Any, **kw: Any) -> Any:
            session = super().init_signing_session(*a, **kw)
            session.system_time = when
            return session

    class FixedTimeWriter(IncrementalPdfFileWriter):
        """No clock and no randomness: the file ID is derived from the content and the time."""

        @staticmethod
        def _handle_id(prev: Any) -> Any:
            from pyhanko.pdf_utils import generic

            seed = hashlib.sha256(pdf + when.isoformat().encode()).digest()
            return generic.ArrayObject([generic.ByteStringObject(seed[:16]),
                                        generic.ByteStringObject(seed[16:])])

        def __init__(self, stream: io.BytesIO) -> None:
            super().__init__(stream)
            self._meta.__class__ = FixedTimeMetadata  # both /ModDate and XMP ModifyDate

    class FixedTimeMetadata(DocumentMetadata):
        """pyHanko stamps "now" as the modification date; this stamps the signing time."""

        def __setattr__(self, name: str, value: Any) -> None:
            super().__setattr__(name, when if name == "last_modified" and value == "now"
                                else value)

    cert = x509.Certificate.load(cert_der)
    signer = DeterministicSigner(signing_cert=cert, signing_key=keys.PrivateKeyInfo.load(key_der),
                                 cert_registry=SimpleCertificateStore.from_certs([cert]))
    meta = signers.PdfSignatureMetadata(
        field_name="InvestigatorSignature", md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, reason="Exhibit list of an evidence package",
        name=cert.subject.native.get("common_name"))
    out = io.BytesIO()
    FixedTimePdfSigner(meta, signer=signer).sign_pdf(
        FixedTimeWriter(io.BytesIO(pdf)), output=out)
    return out.getvalue()
