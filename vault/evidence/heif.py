"""The HEIC/HEIF decoder: pillow-heif, whose wheels bundle libheif and libde265.

iPhone photos from third parties are a main kind of evidence, and both libraries have had
heap overflows reachable from a crafted file. :func:`register` installs the decoder into
Pillow only when the bundled libraries are at least the versions checked against the
published advisories (docs/dependencies.md); an older build is refused, and the photo is
then preserved as received, undecoded, with a warning.
"""

from __future__ import annotations

import re
import threading

from vault.errors import EnvironmentProblem

# The oldest bundled versions with every advisory known on the date in docs/dependencies.md
# fixed. Raise them when a new advisory is published.
LIBHEIF_FLOOR = (1, 23, 6)
LIBDE265_FLOOR = (1, 1, 3)

_lock = threading.Lock()
_ready = False


def _version(text: str) -> tuple[int, ...]:
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not found:
        return ()
    return tuple(int(g or 0) for g in found.groups())


def versions() -> dict[str, tuple[int, ...]]:
    """The bundled libheif's and HEVC decoder's versions, as read from the binding."""
    import pillow_heif

    info = pillow_heif.libheif_info()
    decoders = info.get("decoders") or {}
    de265 = str(decoders.get("libde265", ""))
    return {"libheif": _version(str(info.get("libheif", ""))), "libde265": _version(de265)}


def problems() -> list[str]:
    """Why the bundled decoder must not be used (empty: it may)."""
    found = versions()
    out = []
    for name, floor in (("libheif", LIBHEIF_FLOOR), ("libde265", LIBDE265_FLOOR)):
        have = found[name]
        if not have or have < floor:
            shown = ".".join(map(str, have)) or "unknown"
            out.append(f"the HEIC decoder bundles {name} {shown}, older than "
                       f"{'.'.join(map(str, floor))} which fixes published heap overflows")
    return out


def refusal() -> str | None:
    """Why HEIC/HEIF photos are not decoded here (None: they are). The vault process asks
    before it hands one to a parser worker, which asks again before it decodes."""
    refused = problems()
    return "; ".join(refused) + ": update pillow-heif" if refused else None


def register() -> None:
    """Make Pillow open HEIC/HEIF, once; raise :class:`EnvironmentProblem` when the bundled
    libraries are older than the floors."""
    global _ready
    with _lock:
        if _ready:
            return
        refused = refusal()
        if refused:
            raise EnvironmentProblem(refused)
        import pillow_heif

        pillow_heif.register_heif_opener()
        _ready = True
