"""What every check of a package reads through: the zip, its top folder, the result."""

from __future__ import annotations

from vault.custody.excerpt import VerifiedExcerpt
from vault.packages.format import MAX_TAG_FILE
from vault.packages.safezip import SafeZip
from vault.packages.verification import Check, Verification


class Stop(Exception):
    """A check failed in a way that makes the later checks meaningless."""


class PackageReader:
    """A package's vetted zip, the top folder inside it, and the result the checks add to;
    what one check learns for a later one (the custody excerpt) is kept here too."""

    def __init__(self, z: SafeZip, result: Verification) -> None:
        self.z, self.r = z, result
        self.top = ""
        self.excerpt: VerifiedExcerpt | None = None

    def check(self, name: str, ok: bool, detail: str, *, fatal: bool = False) -> bool:
        """Record a check; a failed ``fatal`` one stops the verification (:class:`Stop`)."""
        self.r.checks.append(Check(name, ok, detail))
        if fatal and not ok:
            raise Stop
        return ok

    def read(self, name: str) -> bytes:
        """A tag file of the package (``name`` inside the top folder), up to its limit."""
        return self.z.read_small(f"{self.top}/{name}", MAX_TAG_FILE)

    def has(self, name: str) -> bool:
        return f"{self.top}/{name}" in self.z.entries

    def under(self, folder: str) -> list[str]:
        """The names (inside the top folder) of the entries under ``folder``."""
        prefix = f"{self.top}/"
        return [n[len(prefix):] for n in self.z.entries if n.startswith(prefix + folder)]
