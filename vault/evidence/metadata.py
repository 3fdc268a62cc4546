"""What can be read from stored content: PDF facts and photo EXIF, read back from the vault.

Runs only after the bytes are preserved. Anything unreadable becomes a warning, never an error:
the item stays in the vault either way.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from vault.documents.mupdf_quiet import mupdf, take_messages
from vault.errors import EnvironmentProblem
from vault.evidence import heif
from vault.evidence.email_parts import EML, MBOX, read_mbox, read_message
from vault.evidence.jpeg import jpeg_problems
from vault.evidence.outlook_msg import OLE, is_outlook, read_msg
from vault.evidence.png_check import walk_png
from vault.search.office_text import OFFICE_MIMES
from vault.store.objects import Content

MAX_PDF_BYTES = 512 << 20
MAX_MAIL_BYTES = 512 << 20
MAX_JPEG_CHECK = 64 << 20


@dataclass
class Extracted:
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def extract(reader: Content, mime: str) -> Extracted:
    out = Extracted()
    try:
        if mime == "application/pdf":
            _pdf(reader, out)
        elif mime.startswith("image/"):
            _image(reader, mime, out)
        elif mime in (EML, MBOX, OLE):
            _mail(reader, mime, out)
        elif mime in OFFICE_MIMES:
            _office(reader, mime, out)
    except Exception as e:  # a hostile file must not stop the import
        out.warnings.append(f"could not read this file's contents: {type(e).__name__}: {e}")
    out.metadata = _json_safe(out.metadata)
    out.warnings = capped(out.warnings)
    return out


MAX_WARNINGS = 20  # per item: a crafted file once gave 11,994 warnings in one custody event
MAX_WARNING_CHARS = 500


def capped(found: list[str]) -> list[str]:
    """The first warnings, each cut to a readable length, then how many more there were:
    what a hostile file can write into the signed custody log stays bounded."""
    kept = [w if len(w) <= MAX_WARNING_CHARS else w[:MAX_WARNING_CHARS] + "…"
            for w in found[:MAX_WARNINGS]]
    if len(found) > MAX_WARNINGS:
        kept.append(f"… and {len(found) - MAX_WARNINGS:,} more warnings of the same kind or "
                    "others, not recorded one by one")
    return kept


def _office(reader: Content, mime: str, out: Extracted) -> None:
    """An office document's core properties, what is embedded in it, and whether the search
    index will be able to read its words (one it refuses gives none: its item says why)."""
    from vault.search.office_text import document_properties, read_text

    reader.seek(0)
    with io.BufferedReader(reader, 1 << 16) as f:
        try:
            props, embedded = document_properties(f, mime)
        except Exception as e:  # hostile or damaged: say why its details were not read
            out.warnings.append(f"the document's details and its words could not be read "
                                f"({type(e).__name__}: {e}); preserved as received, and "
                                "found by its name")
            return
        if props:
            out.metadata["document"] = props
        if embedded:
            out.metadata["embedded"] = embedded
        f.seek(0)
        try:
            read_text(f, mime)
        except Exception as e:
            out.warnings.append(f"its words could not be read for search "
                                f"({type(e).__name__}: {e}); preserved as received, and "
                                "found by its name")


def _mail(reader: Content, mime: str, out: Extracted) -> None:
    """An e-mail's headers and what it carries; a mailbox's messages."""
    if reader.size > MAX_MAIL_BYTES:
        out.warnings.append("the message is too large to read its details during import")
        return
    reader.seek(0)
    data = reader.read()
    if mime == OLE:
        if not is_outlook(data):
            return  # a Compound File that is not an Outlook message (.doc, .xls...)
        found = read_msg(data)[0]
    else:
        found = read_message(data) if mime == EML else read_mbox(data)
    if found.headers:
        out.metadata["email"] = found.headers
    key = "messages" if mime == MBOX else "attachments"
    out.metadata[key] = found.attachments[:200]
    if len(found.attachments) > 200:
        out.metadata[f"{key}_count"] = len(found.attachments)
    out.warnings.extend(found.warnings)


def _json_safe(value: Any) -> Any:
    """Only what RFC 8785 can sign: no NaN or infinities, no integers beyond 2**53."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)
    return value


def _pdf(reader: Content, out: Extracted) -> None:
    if reader.size > MAX_PDF_BYTES:
        out.warnings.append("PDF too large to read its details during import")
        return
    pymupdf = mupdf()  # imported lazily: it costs ~0.2 s

    reader.seek(0)
    data = reader.read()
    take_messages()  # what MuPDF said before this document is not about it
    try:
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as e:
            out.warnings.append(f"not a readable PDF ({e}); preserved as received")
            return
        with doc:
            _pdf_details(doc, out)
    finally:
        out.warnings.extend(f"MuPDF: {m}" for m in take_messages())


def _pdf_details(doc: Any, out: Extracted) -> None:
    if doc.needs_pass and not doc.authenticate(""):
        out.metadata["encrypted"] = True
        out.warnings.append("password-protected PDF: pages and details cannot be read "
                            "without its password")
        return
    if doc.page_count == 0:
        # Never "pages 0" beside "repaired", which suggests the document was read.
        out.warnings.append("the PDF could not be read: no page was found in it, even after "
                            "trying to repair it; preserved as received")
        return
    if doc.is_repaired:
        out.warnings.append("the PDF is damaged: it had to be repaired to be read")
    meta = {k: v for k, v in (doc.metadata or {}).items() if v}
    out.metadata["pages"] = doc.page_count
    out.metadata["pdf"] = meta
    if doc.is_encrypted or meta.get("encryption"):
        out.metadata["encrypted"] = True


_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_TAGS = {0x010F: "camera_make", 0x0110: "camera_model", 0x0112: "orientation",
         0x0132: "datetime", 0x0131: "software"}
_EXIF_TAGS = {0x9003: "captured", 0x9011: "offset_time"}


# Pixels decoded at import to find damage (after a JPEG's reduced-size decoding): a 48 MP
# phone photo at most, about 200 MB. A larger PNG is checked without decoding (png_check.py).
MAX_CHECK_PIXELS = 50_000_000


def _image(reader: Content, mime: str, out: Extracted) -> None:
    from PIL import Image

    if mime in ("image/heic", "image/heif", "image/avif"):
        try:
            heif.register()
        except EnvironmentProblem as e:
            out.warnings.append(f"photo not decoded: {e}; preserved as received")
            return
    reader.seek(0)
    # Small enough: read once, for the decoder and the structural check alike.
    data = reader.read() if reader.size <= MAX_JPEG_CHECK else None
    source = io.BytesIO(data) if data is not None else io.BufferedReader(reader, 1 << 20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            im = Image.open(source)
        except Image.DecompressionBombError as e:
            out.warnings.append(f"image not decoded: {e}")
            return
        except Exception as e:
            out.warnings.append(f"not a readable image ({e}); preserved as received")
            return
        with im:
            out.metadata.update({"format": im.format, "width": im.width, "height": im.height})
            # A large PNG is walked, not decoded (png_check.py): Pillow would decode all of it
            # to reach an eXIf chunk that follows the image data.
            walked: list[str] | None = None
            if im.format == "PNG" and im.width * im.height > MAX_CHECK_PIXELS:
                source.seek(0)
                walked, raw = walk_png(source)
                exif = Image.Exif()
                if raw:
                    exif.load(raw)
            else:
                exif = im.getexif()
            for tag, name in _TAGS.items():
                if tag in exif:
                    out.metadata[name] = _plain(exif[tag])
            for tag, name in _EXIF_TAGS.items():
                value = exif.get_ifd(_EXIF_IFD).get(tag)
                if value is not None:
                    out.metadata[name] = _plain(value)
            gps = _gps(exif.get_ifd(_GPS_IFD))
            if gps:
                out.metadata["gps"] = gps
            out.warnings.extend(_dimension_mismatch(im, exif.get_ifd(_EXIF_IFD)))
            try:
                if im.format == "JPEG":
                    im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
                if walked is not None:  # checked in a stream, in constant memory
                    out.warnings.extend(walked)
                elif im.width * im.height <= MAX_CHECK_PIXELS:
                    im.load()  # reads the whole image: a truncated or corrupt one shows here
                else:
                    out.warnings.append(
                        f"too large to decode during import ({im.width * im.height / 1e6:,.0f} "
                        "megapixels): its image data was not checked for damage; preserved "
                        "as received")
            except Exception as e:
                out.warnings.append(f"the image data is damaged: {e}")
    for w in caught:
        out.warnings.append(f"image warning: {w.message}")
    if mime == "image/jpeg" and data is not None:
        out.warnings.extend(jpeg_problems(data))


_XMP_DIM = re.compile(rb"exif:Pixel([XY])Dimension(?:>|=\")\s*(\d+)")


def _dimension_mismatch(im: Any, exif_ifd: Any) -> list[str]:
    """Metadata that describes another picture than the one stored (cropped, edited, forged)."""
    claims: list[tuple[str, int, int]] = []
    if 0xA002 in exif_ifd and 0xA003 in exif_ifd:
        with contextlib.suppress(TypeError, ValueError):
            claims.append(("EXIF", int(exif_ifd[0xA002]), int(exif_ifd[0xA003])))
    xmp = im.info.get("xmp")
    if isinstance(xmp, bytes):
        dims = {axis.decode(): int(value) for axis, value in _XMP_DIM.findall(xmp)}
        if "X" in dims and "Y" in dims:
            claims.append(("XMP", dims["X"], dims["Y"]))
    actual = {(im.width, im.height), (im.height, im.width)}
    return [f"the {source} metadata says the picture is {w}x{h} pixels but it is "
            f"{im.width}x{im.height}: it may have been cropped, resized or edited"
            for source, w, h in claims if (w, h) not in actual and w and h]


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\0 ")
    if isinstance(value, str):
        return value.strip("\0 ")
    if isinstance(value, int):
        return value
    return str(value)


def _dms(values: Any) -> float:
    d, m, s = (Fraction(float(v)).limit_denominator(10**7) for v in values)
    return float(d + m / 60 + s / 3600)


def _gps(ifd: Any) -> dict[str, Any] | None:
    try:
        lat, lon = _dms(ifd[2]), _dms(ifd[4])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if str(ifd.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(ifd.get(3, "E")).upper().startswith("W"):
        lon = -lon
    out: dict[str, Any] = {"latitude": round(lat, 7), "longitude": round(lon, 7)}
    if 6 in ifd:
        with contextlib.suppress(TypeError, ValueError, ZeroDivisionError):
            out["altitude_m"] = round(float(ifd[6]) * (-1 if ifd.get(5) == 1 else 1), 2)
    return out
