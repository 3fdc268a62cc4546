"""The archive and its layout: one top folder, the tag files the format requires and
nothing it does not know, BagIt 1.0, a format version this program reads."""

from __future__ import annotations

from vault.packages.checks.reader import PackageReader
from vault.packages.format import (
    BAG_INFO,
    BAGIT_TXT,
    READABLE_VERSIONS,
    REQUIRED_TAGS,
    SIGNATURE,
    SIGNER_CERT,
    TAGMANIFEST,
    known_name,
    parse_bag_info,
)
from vault.packages.safezip import HostileArchive
from vault.packages.verification import Check, Verification


def archive(pkg: PackageReader) -> None:
    """The zip was read entry by entry and nothing in it is unsafe (vault/packages/safezip.py
    refuses it otherwise: see :func:`refused`)."""
    pkg.check("archive", True, f"{len(pkg.z.entries)} entries, none unsafe")


def refused(result: Verification, e: HostileArchive) -> None:
    result.checks.append(Check("archive", False, "unsafe zip: " + "; ".join(e.problems)))


def layout(pkg: PackageReader) -> None:
    """One top folder holding the tag files of the format and nothing else, the BagIt
    declaration, bag-info.txt and a format version this program reads."""
    tops = {n.split("/", 1)[0] for n in pkg.z.entries}
    loose = [n for n in pkg.z.entries if "/" not in n]
    pkg.check("layout", len(tops) == 1 and not loose,
              "one top folder" if len(tops) == 1 and not loose else
              f"expected one top folder, found {sorted(tops)[:5]}", fatal=True)
    pkg.top = pkg.r.top = tops.pop()
    missing = [t for t in (*REQUIRED_TAGS, TAGMANIFEST, SIGNATURE, SIGNER_CERT)
               if not pkg.has(t)]
    pkg.check("layout", not missing, f"missing {', '.join(missing)}" if missing
              else "all tag files present", fatal=True)
    prefix = f"{pkg.top}/"
    unknown = sorted(n[len(prefix):] for n in pkg.z.entries
                     if not known_name(n[len(prefix):]))
    pkg.check("layout", not unknown, f"{', '.join(unknown[:5])}: not part of the package "
              "format (added)" if unknown else "no files outside the package format",
              fatal=True)
    ok = pkg.read("bagit.txt") == BAGIT_TXT
    pkg.check("bagit.txt", ok, "BagIt 1.0, UTF-8" if ok else
              "bagit.txt is not the BagIt 1.0 declaration this format requires", fatal=True)
    try:
        pkg.r.bag_info = parse_bag_info(pkg.read(BAG_INFO))
    except (ValueError, UnicodeDecodeError) as e:
        pkg.check("bag-info.txt", False, f"malformed: {e}", fatal=True)
    version = pkg.r.bag_info.get("Evidence-Vault-Package-Version", "")
    readable = version in READABLE_VERSIONS
    pkg.check("format version", readable, f"package format {version}"
              if readable else f"package format {version or '(none)'}: this program "
              f"reads formats {', '.join(READABLE_VERSIONS[:-1])} and "
              f"{READABLE_VERSIONS[-1]}; a newer program may read it", fatal=True)
    pkg.r.package_id = pkg.r.bag_info.get("Evidence-Vault-Package-Id", "")
    pkg.r.case = pkg.r.bag_info.get("External-Identifier", "")
