"""Reading scans and photos of documents with Tesseract, inside the vault (docs/vault-format.md,
"OCR text").

Which pages need reading: a PDF page with fewer than :data:`MIN_PAGE_TEXT` non-blank
characters in its text layer and at least one image on it (a scan, a photographed page); a
photo is one page. Each page is drawn at :data:`DPI` dots per inch from the original decrypted
into memory (a photo decoded upright, by its EXIF orientation, refusing what is too large to
decode safely), handed to ``tesseract stdin stdout`` through a pipe and read back from one: no
temporary file, no image or text in clear on disk. Tesseract runs at low priority, one thread,
with a time limit per page, so the desktop stays responsive.

Tesseract's ``tsv`` output gives the words with their boxes: the text is rebuilt from it, and
the boxes kept in ``ocr_pages.words`` (PDF points in the page's unrotated space, or pixels of
the photo shown upright) so that the viewer can highlight a hit (:func:`ocr_words`,
:func:`ocr_matches`). The text of each page is stored in ``ocr_pages`` as soon as it is read (a
short transaction; the reading itself holds no lock), so stopping keeps what was finished. The
original is only read, never changed. When an item's pages are all read, its ``ocr`` text job
is removed and a ``text recognised`` custody event records the pages, engine and languages; the
item's search rows are then rebuilt (:func:`vault.search.index.index_item`), so the text is
found. A job that fails keeps its error in ``text_jobs.last_error`` (``tries`` counts the
attempts, :data:`MAX_TRIES` at most) and never stops the others.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.documents.mupdf_quiet import mupdf
from vault.documents.thumbnails import decode_image, pdf_lock, upright
from vault.errors import EnvironmentProblem, NotFound, VaultError, VaultUnusable
from vault.process_safety import child_flags
from vault.search import index as search_index
from vault.store.vault import Vault

PDF = "application/pdf"
KIND = "ocr"
DEFAULT_LANGUAGES = "eng+cym"
DPI = 300
# A PDF page with fewer non-blank characters than this in its text layer has none (the rule
# the search index uses to queue OCR).
MIN_PAGE_TEXT = search_index.MIN_PAGE_TEXT
MAX_OCR_BYTES = 512 << 20  # an original handed to a parser worker to draw its pages
MAX_PAGE_PIXELS = 40_000_000  # a page drawn for reading: at most this many pixels
BAND_PIXELS = 1_500_000  # a page is drawn this many pixels at a time
PAGE_TIMEOUT = 180.0  # seconds Tesseract may spend on one page
MAX_TRIES = search_index.MAX_TRIES  # failed this often: left with its error until queued again
NICENESS = 15
POLL = 0.2  # seconds between checks for cancellation while Tesseract reads
LANGUAGES_RE = re.compile(r"^[A-Za-z_]+(?:\+[A-Za-z_]+)*$")

Cancel = Callable[[], bool] | None
Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, the word
Rect = tuple[float, float, float, float]


class OcrFailed(VaultError):
    """One item could not be read (damaged, protected, too large, Tesseract failed)."""


@dataclass(frozen=True)
class OcrProgress:
    """After each page read, and when an item's job ends (``finished``: read to the end, or
    failed with ``error``)."""

    ref: str
    page: int | None  # the page just read (from 1), None on an item's end
    pages_done: int  # pages read so far in this run, over every item
    pages_total: int  # pages this run set out to read
    items_done: int
    items_total: int
    finished: bool = False
    item_pages: int = 0  # on an item's end: the pages read for it in this run
    error: str | None = None


@dataclass(frozen=True)
class _Item:
    id: int
    ref: str
    mime: str
    sha256: str
    oid: str
    key: bytes


# ------------------------------------------------------------------------------ Tesseract
@functools.lru_cache(maxsize=1)
def _probe(exe: str) -> tuple[str | None, frozenset[str]]:
    try:
        version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                                 timeout=30, env=_env(), creationflags=child_flags())
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                               timeout=30, env=_env(), creationflags=child_flags())
    except (OSError, subprocess.SubprocessError):
        return None, frozenset()
    first = (version.stdout or version.stderr).strip().splitlines()
    found = re.match(r"tesseract\s+v?(\S+)", first[0]) if first else None
    names = frozenset(line.strip() for line in langs.stdout.splitlines()[1:] if line.strip())
    return (found.group(1) if found else None), names


def tesseract_available() -> str | None:
    """Tesseract's version (``5.3.0``), or None when it is not installed or does not run."""
    exe = _tesseract()
    return None if exe is None else _probe(exe)[0]


def require_tesseract(languages: str = DEFAULT_LANGUAGES) -> str:
    """The engine as recorded (``tesseract 5.3.0``); :class:`EnvironmentProblem` when
    Tesseract or one of ``languages`` is missing, saying what to install."""
    if not LANGUAGES_RE.match(languages):
        raise OcrFailed(f"languages are Tesseract codes joined by '+' (eng+cym), not "
                        f"{languages!r}")
    exe = _tesseract()
    version, installed = _probe(exe) if exe else (None, frozenset[str]())
    if version is None:
        raise EnvironmentProblem(
            "Tesseract is not installed: install tesseract-ocr, tesseract-ocr-eng and "
            "tesseract-ocr-cym (sudo apt-get install tesseract-ocr tesseract-ocr-eng "
            "tesseract-ocr-cym) to read scans and photos")
    missing = [code for code in languages.split("+") if code not in installed]
    if missing:
        raise EnvironmentProblem(
            "Tesseract has no data for " + ", ".join(missing) + ": install " +
            " ".join(f"tesseract-ocr-{code.lower().replace('_', '-')}" for code in missing))
    return f"tesseract {version}"


def _bundled() -> Path | None:
    """Tesseract inside an installed program (the Windows and macOS builds carry it, with its
    English and Welsh data, in ``tesseract/``); None elsewhere (Linux packages depend on
    Debian's tesseract-ocr instead)."""
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or base is None:
        return None
    exe = Path(base) / "tesseract" / ("tesseract.exe" if os.name == "nt" else "tesseract")
    return exe if exe.is_file() else None


def _tesseract() -> str | None:
    bundled = _bundled()
    return str(bundled) if bundled else shutil.which("tesseract")


def _env() -> dict[str, str]:
    """A minimal environment, no secret in it; one thread: the other core stays with the
    desktop. A bundled Tesseract is told where its language data is."""
    from vault.process_safety import child_env

    bundled = _bundled()
    extra = {"TESSDATA_PREFIX": str(bundled.parent / "tessdata")} if bundled else {}
    return child_env(OMP_THREAD_LIMIT="1", **extra)


def read_image(image: bytes, languages: str = DEFAULT_LANGUAGES, *, dpi: int | None = None,
               cancel: Cancel = None, timeout: float = PAGE_TIMEOUT) -> str | None:
    """The text Tesseract reads in ``image`` (PNM or PNG bytes), passed through pipes only.
    None when ``cancel()`` became true meanwhile (Tesseract is stopped)."""
    read = read_page(image, languages, dpi=dpi, cancel=cancel, timeout=timeout)
    return None if read is None else read[0]


def read_page(image: bytes, languages: str = DEFAULT_LANGUAGES, *, dpi: int | None = None,
              cancel: Cancel = None, timeout: float = PAGE_TIMEOUT
              ) -> tuple[str, list[Box]] | None:
    """(the text, the words with their boxes in pixels of ``image``) as Tesseract reads them
    (its ``tsv`` output through a pipe). None when ``cancel()`` became true meanwhile."""
    exe = _tesseract()
    if exe is None:
        raise EnvironmentProblem("Tesseract is not installed: install tesseract-ocr")
    argv = [exe, "stdin", "stdout", "-l", languages, "--psm", "3"]
    if dpi is not None:
        argv += ["--dpi", str(dpi)]
    argv.append("tsv")  # words with their boxes; the text is rebuilt from them
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env(),
                                creationflags=child_flags(lower_priority=True))
    except OSError as e:
        raise EnvironmentProblem(f"cannot run Tesseract: {e.strerror or e}") from e
    if hasattr(os, "setpriority"):  # POSIX (Windows: the priority class above)
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, proc.pid, NICENESS)
    # communicate() in a thread of its own (it cannot be resumed with input after a timeout);
    # this thread watches the clock and ``cancel`` and kills Tesseract, which ends it.
    result: list[tuple[bytes, bytes]] = []

    def talk() -> None:
        with contextlib.suppress(OSError, ValueError):  # Tesseract killed: no result
            result.append(proc.communicate(image))

    talker = threading.Thread(target=talk, name="tesseract-pipe", daemon=True)
    deadline = time.monotonic() + timeout
    try:
        talker.start()
        while talker.is_alive():
            talker.join(POLL)
            if not talker.is_alive():
                break
            if cancel is not None and cancel():
                return None
            if time.monotonic() > deadline:
                raise OcrFailed(f"Tesseract took more than {timeout:.0f} s on a page")
    finally:
        if talker.is_alive() or proc.returncode is None:
            with contextlib.suppress(OSError):
                proc.kill()
            talker.join()
            proc.wait()
    if not result:
        raise OcrFailed("Tesseract could not be given the page")
    out, err = result[0]
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailed(f"Tesseract failed ({proc.returncode}): "
                        f"{lines[-1] if lines else 'no message'}")
    return parse_tsv(out.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[str, list[Box]]:
    """Tesseract's ``tsv`` output as (text, words): the words of a line joined by spaces,
    lines by a line break, paragraphs and blocks by a blank line (as its plain text output);
    each word (level 5) with its box (left, top, right, bottom in pixels)."""
    paragraphs: list[list[list[str]]] = []
    words: list[Box] = []
    at: tuple[str, ...] | None = None
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = "\t".join(cols[11:]).replace("\f", "").strip()
        if not text:
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        par, line = tuple(cols[1:4]), tuple(cols[1:5])
        if at is None or at[:3] != par:
            paragraphs.append([[]])
        elif at != line:
            paragraphs[-1].append([])
        at = line
        paragraphs[-1][-1].append(text)
        words.append((float(left), float(top), float(left + width), float(top + height), text))
    text = "\n\n".join("\n".join(" ".join(ws) for ws in par) for par in paragraphs)
    return text.strip(), words


# ------------------------------------------------------------------------------ the index
def _con(v: Vault) -> Any:
    if v.con is None:
        raise VaultUnusable("the vault was closed")
    return v.con


def queue_ocr(v: Vault, item_ids: Iterable[int]) -> int:
    """Queue an ``ocr`` text job for each item (one already queued is left as it is; a job
    that failed :data:`MAX_TRIES` times is given its tries back). Returns how many were
    queued or given back."""
    now = iso_utc(v.clock.now())
    count = 0
    with v.db_lock:
        _con(v)
        with v.transaction():
            for item_id in item_ids:
                cur = v.con.execute(
                    "INSERT INTO text_jobs (item_id, kind, queued) VALUES (?, ?, ?) "
                    "ON CONFLICT (item_id, kind) DO UPDATE SET tries=0, last_error='' "
                    "WHERE tries >= ?", (item_id, KIND, now, MAX_TRIES))
                count += cur.rowcount
    return count


def pending_ocr(v: Vault) -> list[tuple[str, int, str]]:
    """The queued ``ocr`` jobs: (reference, tries, last error), oldest first."""
    with v.db_lock:
        rows = _con(v).execute(
            "SELECT i.ref, j.tries, j.last_error FROM text_jobs j JOIN items i "
            "ON i.id = j.item_id WHERE j.kind=? ORDER BY j.queued, j.item_id",
            (KIND,)).fetchall()
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def ocr_text(v: Vault, ref: str) -> list[tuple[int, str]]:
    """The text read from the item ``ref``: (page from 1, text) in page order; empty when
    none was read. :class:`NotFound` for an unknown reference."""
    with v.db_lock:
        con = _con(v)
        row = con.execute("SELECT id FROM items WHERE ref=?", (ref.strip().upper(),)).fetchone()
        if row is None:
            raise NotFound(f"no item {ref} in this vault")
        rows = con.execute("SELECT page, text FROM ocr_pages WHERE item_id=? ORDER BY page",
                           (int(row[0]),)).fetchall()
    return [(int(p), str(t)) for p, t in rows]


def ocr_words(v: Vault, ref_or_item_id: str | int, page: int) -> list[Box]:
    """The words read on ``page`` (from 1) of an item (its reference or id), with their
    boxes (x0, y0, x1, y1, word): points in the PDF page's unrotated space, or pixels of a
    photo shown upright. Empty when the page was not read (or read before words were kept).
    :class:`NotFound` for an unknown item."""
    with v.db_lock:
        con = _con(v)
        if isinstance(ref_or_item_id, str):
            row = con.execute("SELECT id FROM items WHERE ref=?",
                              (ref_or_item_id.strip().upper(),)).fetchone()
        else:
            row = con.execute("SELECT id FROM items WHERE id=?", (ref_or_item_id,)).fetchone()
        if row is None:
            raise NotFound(f"no item {ref_or_item_id} in this vault")
        found = con.execute("SELECT words FROM ocr_pages WHERE item_id=? AND page=?",
                            (int(row[0]), page)).fetchone()
    try:
        raw = json.loads(str(found[0])) if found is not None else []
    except ValueError:
        return []
    out: list[Box] = []
    for w in raw if isinstance(raw, list) else []:
        if (isinstance(w, list) and len(w) == 5 and isinstance(w[4], str)
                and all(isinstance(n, int | float) for n in w[:4])):
            out.append((float(w[0]), float(w[1]), float(w[2]), float(w[3]), w[4]))
    return out


def _fold(s: str) -> str:
    """As FTS5's ``unicode61 remove_diacritics 2`` compares: case folded, accents removed."""
    decomposed = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tokens(s: str) -> list[str]:
    """The tokens FTS5 would see: runs of letters and digits, folded."""
    return re.findall(r"[^\W_]+", _fold(s))


def ocr_matches(words: Iterable[Box], terms: Iterable[str]) -> list[Rect]:
    """The boxes of ``terms`` (query words or phrases, as :func:`vault.search.query.query_terms`
    gives them; ``polic*`` for a beginning) among ``words``: case, accents and punctuation
    ignored, a phrase's words consecutive. One box per match (a match over several lines:
    one per line), in the words' order."""
    stream: list[tuple[str, int]] = []  # (token, index of its word)
    boxes = list(words)
    for i, w in enumerate(boxes):
        stream += [(t, i) for t in _tokens(w[4])]
    found: list[tuple[int, Rect]] = []
    for term in terms:
        prefix = term.rstrip().endswith("*")
        want = _tokens(term)
        if not want:
            continue
        n = len(want)
        for start in range(len(stream) - n + 1):
            got = [t for t, _ in stream[start:start + n]]
            if got[:-1] != want[:-1]:
                continue
            if not (got[-1].startswith(want[-1]) if prefix else got[-1] == want[-1]):
                continue
            indices = sorted({i for _, i in stream[start:start + n]})
            found += [(indices[0], r) for r in _lines([boxes[i] for i in indices])]
    found.sort(key=lambda f: f[0])
    return list(dict.fromkeys(r for _, r in found))


def _lines(words: list[Box]) -> list[Rect]:
    """Consecutive words' boxes joined into one box per line."""
    out: list[list[float]] = []
    for x0, y0, x1, y1, _t in words:
        last = out[-1] if out else None
        if last is not None and min(y1, last[3]) - max(y0, last[1]) > 0.5 * min(
                y1 - y0, last[3] - last[1]) and x0 >= last[0]:
            last[:] = [last[0], min(y0, last[1]), max(x1, last[2]), max(y1, last[3])]
        else:
            out.append([x0, y0, x1, y1])
    return [(r[0], r[1], r[2], r[3]) for r in out]


def _item(v: Vault, item_id: int) -> _Item | None:
    """The item if present and readable, else None."""
    with v.db_lock:
        row = _con(v).execute("SELECT ref, mime, sha256, oid, status FROM items WHERE id=?",
                              (item_id,)).fetchone()
        if row is None or row[4] != "present" or row[3] is None:
            return None
        key = v.object_key(str(row[3]))
    return _Item(item_id, str(row[0]), str(row[1]), str(row[2]), str(row[3]), key)


def _done_pages(v: Vault, item_id: int) -> set[int]:
    with v.db_lock:
        return {int(r[0]) for r in _con(v).execute(
            "SELECT page FROM ocr_pages WHERE item_id=?", (item_id,))}


# ------------------------------------------------------------------------------ reading
def _readable(mime: str) -> bool:
    return mime == PDF or mime.startswith("image/")


class PageSource:
    """An original's plaintext, drawing pages for Tesseract: in a parser worker only
    (vault/parsers/jobs.py), which holds no key."""

    def __init__(self, data: bytes, mime: str, ref: str) -> None:
        self.ref = ref
        self._doc: Any = None
        self._data = b""
        self._image: Any = None
        self._zoom: dict[int, float] = {}  # pixels a point each PDF page was drawn at
        try:
            if mime == PDF:
                self._open_pdf(data)
            elif mime.startswith("image/"):
                from vault.store.objects import MemoryReader

                decoded = decode_image(MemoryReader(data), mime)
                if decoded is None:
                    raise OcrFailed(f"{ref} is too large to decode safely")
                im, orientation = decoded
                self._image = upright(im, orientation).convert("L")
            else:
                raise OcrFailed(f"{ref} is neither a PDF nor a photo")
        except OcrFailed:
            self.close()
            raise
        except Exception as e:  # hostile or damaged content
            self.close()
            if type(e).__name__.startswith("DecompressionBomb"):  # Pillow's refusal
                raise OcrFailed(f"{ref} is too large to decode safely") from None
            raise OcrFailed(f"{ref} is damaged: it cannot be read "
                            f"({type(e).__name__})") from None

    def _open_pdf(self, data: bytes) -> None:
        pymupdf = mupdf()

        with pdf_lock:
            self._data = data  # PyMuPDF reads from it while the document is open
            self._doc = pymupdf.open(stream=data, filetype="pdf")
            if self._doc.needs_pass and not self._doc.authenticate(""):
                raise OcrFailed(f"{self.ref} is protected by a password: it cannot be "
                                "read")

    def pages_needing_ocr(self) -> list[int]:
        if self._image is not None:
            return [1]
        found = []
        with pdf_lock:
            for i in range(int(self._doc.page_count)):
                page = self._doc.load_page(i)
                text = page.get_text("text")
                if len("".join(text.split())) >= MIN_PAGE_TEXT:
                    continue
                if page.get_images(full=False) or page.get_image_info():
                    found.append(i + 1)
        return found

    def draw(self, page: int) -> bytes:
        """The page, greyscale, as PNM bytes."""
        if self._image is not None:
            import io

            out = io.BytesIO()
            self._image.save(out, "PPM")
            return out.getvalue()
        import math

        pymupdf = mupdf()

        with pdf_lock:
            p = self._doc.load_page(page - 1)
            r = p.rect  # as displayed: /Rotate applied
            w, h = float(r.width), float(r.height)
        if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
            raise OcrFailed(f"page {page} of {self.ref} has no size")
        zoom = DPI / 72
        if w * h * zoom * zoom > MAX_PAGE_PIXELS:
            zoom = math.sqrt(MAX_PAGE_PIXELS / (w * h))
        self._zoom[page] = zoom
        matrix = pymupdf.Matrix(zoom, zoom)
        # Drawn in bands of whole pixel rows, each a short call: PyMuPDF holds the GIL (and
        # this holds pdf_lock) while it draws, and the desktop's thread must not wait long.
        width, height = round(w * zoom), round(h * zoom)
        bands = max(1, -(-width * height // BAND_PIXELS))
        canvas = bytearray(width * height)
        for k in range(bands):
            top, bottom = height * k // bands, height * (k + 1) // bands
            clip = pymupdf.Rect(r.x0, r.y0 + top / zoom, r.x1, r.y0 + bottom / zoom)
            with pdf_lock:
                pix = p.get_pixmap(matrix=matrix, alpha=False, colorspace=pymupdf.csGRAY,
                                   clip=clip)
            pw, rows = min(int(pix.width), width), min(int(pix.height), height - int(pix.y))
            samples, stride = pix.samples_mv, int(pix.stride)
            for row in range(max(rows, 0)):
                at = (int(pix.y) + row) * width + int(pix.x)
                canvas[at:at + pw - int(pix.x)] = samples[row * stride:row * stride + pw
                                                          - int(pix.x)]
            time.sleep(0)  # let another thread take the GIL between bands
        return b"P5\n%d %d\n255\n" % (width, height) + bytes(canvas)

    def geometry(self, page: int) -> dict[str, Any] | None:
        """What :func:`stored_words` needs of a page drawn by :meth:`draw` (None for a
        photo): the zoom, the page's rectangle as displayed, and its derotation matrix."""
        if self._image is not None:
            return None
        with pdf_lock:
            p = self._doc.load_page(page - 1)
            r, m = p.rect, p.derotation_matrix
        return {"zoom": self._zoom[page], "rect": [float(r.x0), float(r.y0)],
                "derotation": [float(m.a), float(m.b), float(m.c), float(m.d), float(m.e),
                               float(m.f)]}

    def close(self) -> None:
        if self._doc is not None:
            with pdf_lock:
                self._doc.close()
            self._doc = None
        self._data = b""
        self._image = None


class _Source:
    """An item's original decrypted into memory, its pages drawn for Tesseract by a parser
    worker (vault/parsers/pool.py): MuPDF and the image decoders never run beside the keys."""

    def __init__(self, v: Vault, item: _Item) -> None:
        self.v, self.item = v, item
        self._geometry: dict[int, dict[str, Any] | None] = {}
        with v.objects.open(item.oid, item.key) as reader:
            if reader.size > MAX_OCR_BYTES:
                raise OcrFailed(f"{item.ref} is too large to read")
            self._data = b"".join(reader.iter_chunks())

    def _ask(self, job: str, **args: Any) -> tuple[Any, bytes]:
        from vault.parsers.pool import ParseFailed

        try:
            found, blob = self.v.parsers.run(job, self._data, mime=self.item.mime,
                                             ref=self.item.ref, **args)
        except ParseFailed as e:
            raise OcrFailed(f"{self.item.ref} could not be read: {e}") from None
        if isinstance(found, dict) and "failed" in found:
            raise OcrFailed(str(found["failed"]))
        return found, blob

    def pages_needing_ocr(self) -> list[int]:
        found, _ = self._ask("ocr_pages")
        return [int(p) for p in found["pages"]]

    def draw(self, page: int) -> bytes:
        """The page, greyscale, as PNM bytes."""
        found, blob = self._ask("ocr_draw", page=page)
        self._geometry[page] = found["geometry"]
        return blob

    def stored_words(self, page: int, words: list[Box]) -> list[Box]:
        """Boxes in pixels of the picture :meth:`draw` made, as stored: a photo's pixels as
        shown (upright); for a PDF page, points in PyMuPDF's unrotated page space (where
        annotations are stored too), rounded to 0.1."""
        g = self._geometry.get(page)
        if g is None:
            return words
        zoom, (x, y), (a, b, c, d, e, f) = g["zoom"], g["rect"], g["derotation"]
        out: list[Box] = []
        for x0, y0, x1, y1, text in words:
            corners = [(x + px / zoom, y + py / zoom) for px, py in
                       ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
            xs = [cx * a + cy * c + e for cx, cy in corners]
            ys = [cx * b + cy * d + f for cx, cy in corners]
            out.append((round(min(xs), 1), round(min(ys), 1), round(max(xs), 1),
                        round(max(ys), 1), text))
        return out

    @property
    def dpi(self) -> int | None:
        return DPI if self.item.mime == PDF else None

    def close(self) -> None:
        self._data = b""


def page_job(data: bytes, mime: str, ref: str, page: int | None) -> tuple[Any, bytes]:
    """In a parser worker: the pages needing OCR (``page`` None), or one page drawn and its
    geometry; ``{"failed": why}`` for content that cannot be read."""
    try:
        source = PageSource(data, mime, ref)
    except OcrFailed as e:
        return {"failed": str(e)}, b""
    try:
        if page is None:
            return {"pages": source.pages_needing_ocr()}, b""
        drawn = source.draw(page)
        return {"geometry": source.geometry(page)}, drawn
    except OcrFailed as e:
        return {"failed": str(e)}, b""
    finally:
        source.close()


def pages_needing_ocr(v: Vault, item_id: int) -> list[int]:
    """The pages (from 1) of the item that have no text to read but an image: a PDF's pages
    with fewer than :data:`MIN_PAGE_TEXT` non-blank characters in their text layer and an
    image on them; ``[1]`` for a photo; ``[]`` for anything else or a purged item. OcrFailed when
    the content cannot be read."""
    item = _item(v, item_id)
    if item is None or not _readable(item.mime):
        return []
    source = _Source(v, item)
    try:
        return source.pages_needing_ocr()
    finally:
        source.close()


def ocr_item(v: Vault, item_id: int, cancel: Cancel = None, *,
             languages: str = DEFAULT_LANGUAGES, engine: str | None = None) -> Iterator[int]:
    """Read the item's pages that need it and were not read yet, storing each page's text as
    soon as it is read; yields each page number stored. Once all are read: the ``ocr`` job
    removed, a ``text recognised`` event (when any page was read), the search rows rebuilt.
    Stops (the job left queued) once ``cancel()`` is true. OcrFailed for unreadable content."""
    engine = engine or require_tesseract(languages)
    item = _item(v, item_id)
    if item is None or not _readable(item.mime):
        _finish(v, item_id, None, engine, languages)
        return
    source = _Source(v, item)
    try:
        todo = [p for p in source.pages_needing_ocr() if p not in _done_pages(v, item_id)]
        for page in todo:
            if cancel is not None and cancel():
                return
            read = read_page(source.draw(page), languages, dpi=source.dpi, cancel=cancel)
            if read is None:
                return
            text, boxes = read
            words = source.stored_words(page, boxes)
            if not _store_page(v, item, page, text, words, engine, languages):
                return  # purged meanwhile
            yield page
    finally:
        source.close()
    _finish(v, item_id, item, engine, languages)


def _store_page(v: Vault, item: _Item, page: int, text: str, words: list[Box], engine: str,
                languages: str) -> bool:
    with v.db_lock:
        _con(v)
        with v.transaction():
            row = v.con.execute("SELECT status, oid FROM items WHERE id=?",
                                (item.id,)).fetchone()
            if row is None or (row[0], row[1]) != ("present", item.oid):
                return False
            v.con.execute("INSERT OR REPLACE INTO ocr_pages (item_id, page, text, engine, "
                          "languages, created, words) VALUES (?,?,?,?,?,?,?)",
                          (item.id, page, text, engine, languages, iso_utc(v.clock.now()),
                           json.dumps([list(w) for w in words], ensure_ascii=False,
                                      separators=(",", ":"))))
    return True


def _finish(v: Vault, item_id: int, item: _Item | None, engine: str, languages: str) -> None:
    """The job is done: remove it; record the event and re-index when text was read."""
    with v.db_lock:
        _con(v)
        with v.transaction():
            job = v.con.execute("DELETE FROM text_jobs WHERE item_id=? AND kind=?",
                                (item_id, KIND)).rowcount
            pages = [int(r[0]) for r in v.con.execute(
                "SELECT page FROM ocr_pages WHERE item_id=? ORDER BY page", (item_id,))]
            recorded = (item is not None and job > 0 and bool(pages)
                        and not _recorded(v, item.ref, pages))
            if recorded:
                assert item is not None
                v.record(custody.TEXT_RECOGNISED, item=item.ref, sha256=item.sha256,
                         details={"pages": pages, "engine": engine, "languages": languages})
    if recorded:
        _reindex(v, item_id)


def _recorded(v: Vault, ref: str, pages: list[int]) -> bool:
    """Whether a ``text recognised`` event already records these pages of the item (a job
    queued again after the text was read adds no event)."""
    for (body,) in v.con.execute("SELECT body FROM custody WHERE item=?", (ref,)):
        event = json.loads(bytes(body))
        if (event.get("action") == custody.TEXT_RECOGNISED
                and event.get("details", {}).get("pages") == pages):
            return True
    return False


def _reindex(v: Vault, item_id: int) -> None:
    """Rebuild the item's search rows, OCR text included."""
    search_index.index_item(v, item_id)


def _fail(v: Vault, item_id: int, error: str) -> None:
    with v.db_lock:
        _con(v)
        with v.transaction():
            v.con.execute("UPDATE text_jobs SET tries = tries + 1, last_error=? "
                          "WHERE item_id=? AND kind=?", (error, item_id, KIND))


def run_ocr_jobs(v: Vault, *, cancel: Cancel = None, languages: str = DEFAULT_LANGUAGES
                 ) -> Iterator[OcrProgress]:
    """Work through the queued ``ocr`` jobs (those tried fewer than :data:`MAX_TRIES` times),
    oldest first, yielding progress after each page and at each item's end. A failure is
    recorded on its job and the next one goes on; pages already read are skipped. Stops
    once ``cancel()`` is true, keeping every page read and leaving unfinished jobs queued."""
    engine = require_tesseract(languages)
    with v.db_lock:
        ids = [int(r[0]) for r in _con(v).execute(
            "SELECT item_id FROM text_jobs WHERE kind=? AND tries < ? "
            "ORDER BY queued, item_id", (KIND, MAX_TRIES))]
    plan: list[tuple[int, str, int | str]] = []  # item id, ref, pages to read or an error
    for item_id in ids:
        if cancel is not None and cancel():
            return
        item = _item(v, item_id)
        if item is None or not _readable(item.mime):
            _finish(v, item_id, None, engine, languages)
            continue
        try:
            needed = pages_needing_ocr(v, item_id)
            plan.append((item_id, item.ref, len(set(needed) - _done_pages(v, item_id))))
        except VaultError as e:
            plan.append((item_id, item.ref, str(e)))
    total = sum(n for _, _, n in plan if isinstance(n, int))
    done = 0
    for index, (item_id, ref, planned) in enumerate(plan):
        if cancel is not None and cancel():
            return
        if isinstance(planned, str):
            _fail(v, item_id, planned)
            yield OcrProgress(ref, None, done, total, index + 1, len(plan), finished=True,
                              error=planned)
            continue
        read = 0
        try:
            for page in ocr_item(v, item_id, cancel, languages=languages, engine=engine):
                read += 1
                done += 1
                yield OcrProgress(ref, page, done, total, index, len(plan))
        except EnvironmentProblem:
            raise
        except VaultError as e:
            _fail(v, item_id, str(e))
            yield OcrProgress(ref, None, done, total, index + 1, len(plan), finished=True,
                              item_pages=read, error=str(e))
            continue
        if cancel is not None and cancel():
            return
        if planned:  # an item with nothing left to read just leaves the queue
            yield OcrProgress(ref, None, done, total, index + 1, len(plan), finished=True,
                              item_pages=read)
