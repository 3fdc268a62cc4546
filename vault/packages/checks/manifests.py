"""The manifests: the tag manifest (signed) and the payload manifest it covers, every
payload file hashed (on two threads, streamed from the zip)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from vault.packages.checks.reader import PackageReader
from vault.packages.format import MANIFEST, REQUIRED_TAGS, TAGMANIFEST, parse_manifest


def tag_manifest(pkg: PackageReader, data: bytes) -> None:
    """Every tag file is listed with its SHA-256 and none was changed; nothing else is listed."""
    try:
        listed = parse_manifest(data)
    except (ValueError, UnicodeDecodeError) as e:
        pkg.check("tag manifest", False, f"malformed: {e}", fatal=True)
    problems = [f"{p} is not listed" for p in REQUIRED_TAGS if p not in listed]
    for p, h in sorted(listed.items()):
        if p.startswith(("data/", "signatures/")) or p == TAGMANIFEST:
            problems.append(f"{p} must not be listed")
        elif not pkg.has(p):
            problems.append(f"{p} is listed but missing")
        elif hashlib.sha256(pkg.read(p)).hexdigest() != h:
            problems.append(f"{p} was changed")
    pkg.check("tag manifest", not problems, "; ".join(problems) or
              f"{len(listed)} tag files match", fatal=True)


def payload(pkg: PackageReader, progress: Callable[[int, int], None] | None,
            meanwhile: Callable[[], None]) -> dict[str, str]:
    """The payload manifest: no file missing or added, every file's SHA-256, the
    Payload-Oxum. ``meanwhile`` runs on this thread while the files are hashed."""
    try:
        manifest = parse_manifest(pkg.read(MANIFEST))
    except (ValueError, UnicodeDecodeError) as e:
        pkg.check("manifest", False, f"malformed: {e}", fatal=True)
    prefix = f"{pkg.top}/"
    present = {n[len(prefix):] for n in pkg.z.entries if n.startswith(prefix + "data/")}
    outside = [p for p in manifest if not p.startswith("data/")]
    missing = sorted(set(manifest) - present)
    extra = sorted(present - set(manifest))
    pkg.check("manifest", not (outside or missing or extra), "; ".join(
        [f"lists {p} outside data/" for p in outside] +
        [f"{p} is missing" for p in missing] + [f"{p} was added" for p in extra])
        or f"{len(manifest)} payload files, none missing or added")
    bad = _hash_all(pkg, progress, meanwhile, {p: h for p, h in manifest.items() if p in present})
    pkg.check("payload hashes", not bad, "; ".join(f"{p} was changed" for p in bad)
              or "every payload file matches its SHA-256")
    oxum = pkg.r.bag_info.get("Payload-Oxum", "")
    size = sum(pkg.z.entries[prefix + p].file_size for p in present)
    pkg.check("Payload-Oxum", oxum == f"{size}.{len(present)}",
              f"{oxum} matches" if oxum == f"{size}.{len(present)}" else
              f"bag-info says {oxum}, the payload is {size}.{len(present)}")
    return manifest


def _hash_all(pkg: PackageReader, progress: Callable[[int, int], None] | None,
              meanwhile: Callable[[], None], wanted: dict[str, str]) -> list[str]:
    total = sum(pkg.z.entries[f"{pkg.top}/{p}"].file_size for p in wanted)
    done = 0

    def one(p: str) -> tuple[str, bool, int]:
        h = hashlib.sha256()
        n = 0
        for chunk in pkg.z.iter_chunks(f"{pkg.top}/{p}", check_crc=False):
            h.update(chunk)
            n += len(chunk)
        return p, h.hexdigest() == wanted[p], n

    bad = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(one, sorted(wanted))  # every file is submitted here
        meanwhile()  # Python work for this thread while the pool hashes
        for p, ok, n in results:
            done += n
            if progress:
                progress(done, total)
            if not ok:
                bad.append(p)
    return bad
