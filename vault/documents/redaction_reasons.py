"""The reason codes printed in redaction boxes (docs/user-guide.md#reason-codes).

A reason printed on a box is read by whoever receives the copy, so it must not itself
identify anyone: "victim's mother" in a box names a relationship the redaction was meant to
hide. A short code from this list says why without saying who; anything else is allowed
but warned about."""

from __future__ import annotations

REASON_CODES: dict[str, str] = {
    "S1": "Personal data of a third party",
    "S2": "Would identify a survivor, a witness or a child",
    "S3": "Address, telephone number or other contact details",
    "S4": "Health, medical or social-care information",
    "LP": "Legal professional privilege",
    "NR": "Not relevant to this matter",
}


def normalised(reason: str) -> str:
    """A code as the list spells it (``s1`` -> ``S1``); any other text as typed, trimmed."""
    r = reason.strip()
    return r.upper() if r.upper() in REASON_CODES else r


def reason_warning(reason: str) -> str | None:
    """Why a reason that is not a code deserves a second look; None for a code or nothing."""
    r = reason.strip()
    if not r or r.upper() in REASON_CODES:
        return None
    return (f"{r!r} is not one of the reason codes ({', '.join(REASON_CODES)}): words printed "
            "on a box are read by whoever receives the copy and can themselves identify "
            "someone. Use a code unless you are sure.")
