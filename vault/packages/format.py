"""The evidence package format (docs/package-format.md): names, tag files, limits.

Shared by export (which writes it) and verify (which must not trust it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

PACKAGE_VERSION = "6"
# Version 2 adds the optional RFC 3161 timestamp tokens; version 3 the strict container layout
# (which every earlier package written by this program already met: it is checked on all);
# version 4 the summary of what the package holds (SUMMARY_LABELS), checked against it;
# version 5 the chronology's tables under data/chronology/, their sources tied to the exhibits;
# version 6 court documents under data/court/, the exhibits they name tied to the package's.
READABLE_VERSIONS = ("1", "2", "3", "4", "5", "6")
# Version 4's summary in bag-info.txt: what the recipient can read, as the exporter saw it.
NOTES_LABEL = "Evidence-Vault-Notes"  # "included" or "left out"
NOTES_VALUES = ("included", "left out")
COUNT_LABELS = {
    "original": "Evidence-Vault-Originals",
    "redacted copy": "Evidence-Vault-Redacted-Copies",
    "other copy": "Evidence-Vault-Other-Copies",
    "purged": "Evidence-Vault-Purged",
    "withdrawn": "Evidence-Vault-Withdrawn-Copies",
}
# Version 5: the chronology's tables (docs/chronology.md, "Outputs") in the package, each as
# PDF, DOCX and CSV, with chronology.json: the facts and knowledge events as shared, each with
# the exhibits it cites (reference and SHA-256), which must be in the package.
CHRONOLOGY_LABEL = "Evidence-Vault-Chronology"  # the tables, ", "-separated, or "none"
CHRONOLOGY = "data/chronology/"
CHRONOLOGY_JSON = CHRONOLOGY + "chronology.json"
CHRONOLOGY_TABLES = ("neutral", "working", "cast", "matrix", "periods", "action", "elements",
                     "gaps")
PRIVILEGED_TABLES = ("working", "elements", "gaps")
CHRONOLOGY_FORMATS = ("pdf", "docx", "csv")
CHRONOLOGY_DOCUMENT = "evidence-vault chronology"  # chronology.json's "format"


def chronology_files(tables: list[str]) -> list[str]:
    """The files a package of version 5 holds for ``tables``, in the order written."""
    if not tables:
        return []
    return [*(f"{CHRONOLOGY}{t}.{fmt}" for t in tables for fmt in CHRONOLOGY_FORMATS),
            CHRONOLOGY_JSON]


# Version 6: court documents (docs/court-bundle.md) as PDF, with court.json: each file, the
# kind of document, and the exhibits it names (mark, reference, SHA-256), which must be in the
# package.
COURT_LABEL = "Evidence-Vault-Court"  # the documents, ", "-separated, or "none"
COURT = "data/court/"
COURT_JSON = COURT + "court.json"
COURT_DOCUMENTS = ("exhibit labels", "cover sheets", "continuity records", "statement lists",
                   "non-sensitive schedule", "sensitive schedule")
COURT_FORMAT = "evidence-vault court documents"  # court.json's "format"


BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
BAG_INFO = "bag-info.txt"
HOWTO = "HOW-TO-VERIFY.txt"
SIGNATURE = "signatures/tagmanifest-sha256.txt.p7s"
SIGNER_CERT = "signatures/signer-certificate.pem"
SIGNATURE_TOKEN = SIGNATURE + ".tsr"  # RFC 3161 TimeStampResp over the .p7s bytes (optional)
SIGNATURE_TOKEN_CERTS = SIGNATURE_TOKEN + ".crt"  # the TSA's chain as PEM, leaf first
HEAD_TIMESTAMPS = "data/custody/timestamps/"
_HEAD_FILE = re.compile(r"data/custody/timestamps/head-([1-9][0-9]{0,17})"
                        r"(?:\.json|\.([A-Za-z0-9][A-Za-z0-9._-]{0,63})\.tsr(\.crt)?)")
EXHIBITS = "data/exhibits/"
CUSTODY_LOG = "data/custody/custody-log.jsonl"
PROVENANCE = "data/custody/provenance/"
REPORT = "data/report/exhibit-list.pdf"
REQUIRED_TAGS = ("bagit.txt", BAG_INFO, MANIFEST)
MAX_TAG_FILE = 64 << 20  # manifests of a million files fit; anything larger is refused
MAX_PAYLOAD_NAME = 120

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def exhibit_kind(record: dict[str, object]) -> str:
    """What an exhibit's provenance record says it is: ``purged``, ``redacted copy`` or
    ``other copy`` (its first receipt was made from another item: ``derived``), else
    ``original``."""
    if record.get("purged") is True:
        return "purged"
    receipts = record.get("receipts")
    first = receipts[0] if isinstance(receipts, list) and receipts else {}
    if not isinstance(first, dict) or not first.get("derived_from"):
        return "original"
    return "redacted copy" if first.get("operation") == "redacted copy" else "other copy"


def safe_name(name: str, limit: int = MAX_PAYLOAD_NAME) -> str:
    """A file name that is valid and unambiguous on Windows, macOS and Linux."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.ASCII).strip("._ ") or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.upper() in _WINDOWS_RESERVED:
        stem += "_"
    ext = ext[:16]
    stem = stem[: max(1, limit - len(ext) - 1)]
    return f"{stem}.{ext}" if ext else stem


def ref_slug(ref: str) -> str:
    """``MO/12`` becomes ``MO-12`` in file names."""
    return ref.replace("/", "-")


def exhibit_path(ref: str, original_name: str) -> str:
    return f"{EXHIBITS}{ref_slug(ref)}_{safe_name(original_name)}"


def format_bag_info(fields: list[tuple[str, str]]) -> bytes:
    lines = []
    for k, v in fields:
        v = " ".join(v.split())  # one line per field; no tabs or newlines inside values
        lines.append(f"{k}: {v}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse_bag_info(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    key = None
    for line in _lines(data):
        if line[:1] in (" ", "\t") and key:
            out[key] += " " + line.strip()
            continue
        k, sep, v = line.partition(":")
        if not sep:
            raise ValueError(f"malformed bag-info line: {line[:60]!r}")
        key = k.strip()
        out[key] = v.strip()
    return out


def _lines(data: bytes) -> list[str]:
    """A tag file's lines: split at LF only (CR LF tolerated), never at the other characters
    that str.splitlines() breaks at (U+0085, U+2028...), which may stand inside a value."""
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def format_manifest(entries: dict[str, str]) -> bytes:
    return "".join(f"{h}  {p}\n" for p, h in sorted(entries.items())).encode("utf-8")


def parse_manifest(data: bytes) -> dict[str, str]:
    """``{path: sha256}``; raises ValueError on anything malformed or duplicated."""
    out: dict[str, str] = {}
    for n, line in enumerate(_lines(data), 1):
        h, sep, path = line.partition(" ")
        path = path.lstrip(" *")
        if not sep or not re.fullmatch(r"[0-9a-fA-F]{64}", h) or not path:
            raise ValueError(f"line {n} is not 'SHA256  path'")
        if path in out:
            raise ValueError(f"line {n} lists {path} twice")
        out[path] = h.lower()
    return out


def normalise_fingerprint(fp: str) -> str:
    return re.sub(r"[^0-9A-F]", "", fp.upper())


def known_name(name: str) -> bool:
    """Whether ``name`` (below the top folder) may appear in a package of this version."""
    if name.startswith(HEAD_TIMESTAMPS):
        return head_file(name) is not None
    return (name in (*REQUIRED_TAGS, TAGMANIFEST, HOWTO, SIGNATURE, SIGNER_CERT,
                     SIGNATURE_TOKEN, SIGNATURE_TOKEN_CERTS)
            or name.startswith("data/") or name.endswith("/"))


def head_file(name: str) -> tuple[int, str, str] | None:
    """``(seq, kind, tsa)`` of a custody-head timestamp file: kind ``json`` (the head record,
    tsa ""), ``tsr`` (a token) or ``crt`` (its TSA chain); None for any other name."""
    m = _HEAD_FILE.fullmatch(name)
    if m is None:
        return None
    return int(m[1]), "json" if m[2] is None else "crt" if m[3] else "tsr", m[2] or ""


def head_record_path(seq: int) -> str:
    return f"{HEAD_TIMESTAMPS}head-{seq}.json"


def head_token_path(seq: int, tsa: str) -> str:
    """The token of ``tsa`` for the head at ``seq`` (its chain: the same + ``.crt``)."""
    return f"{HEAD_TIMESTAMPS}head-{seq}.{safe_name(tsa, 64)}.tsr"


def ref_key(ref: str) -> tuple[str, int]:
    """Sort key of an exhibit reference: MO/2 before MO/10."""
    prefix, _, n = ref.partition("/")
    return prefix, int(n) if n.isdigit() else 0


def tsa_time(t: dt.datetime) -> str:
    """A TSA's time as shown: ISO 8601 UTC, ``Z``, fractions only when the token has them."""
    t = t.astimezone(dt.UTC)
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"
