"""What a package's verification found: each check, the package's facts, and one of three
results (docs/package-format.md, "Verification" and "Who signed")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography import x509

from vault.custody.excerpt import VerifiedExcerpt
from vault.custody.history import HistoryResult
from vault.errors import VaultError
from vault.signing.signers import SignerVerdict


class NotAPackage(VaultError):
    exit_code = 3


# The three results of a verification (docs/package-format.md, "Who signed").


# The three results of a verification (docs/package-format.md, "Who signed").
VERIFIED_CONFIRMED = "verified"  # intact, and signed by a signer confirmed on this computer
INTACT_UNCONFIRMED = "signer not confirmed"  # intact, but who signed is not known
NOT_INTACT = "not verified"  # something was changed, added or removed, or does not agree


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class TrustedTime:
    """One RFC 3161 token in a package, once it checked out (imprint and TSA signature)."""
    what: str  # "custody head" or "signature"
    seq: int | str  # the custody head's seq, or "signature"
    tsa: str  # the TSA certificate's subject
    gen_time: str  # the TSA's time, ISO 8601 UTC (…Z)
    trusted: bool  # the TSA chains to a trusted root (bundled or passed in)
    warning: str = ""  # why not trusted, or a clock warning; "" if none

    def describe(self) -> str:
        subject = (f"custody head {self.seq}" if self.what == "custody head"
                   else "the package signature")
        note = "" if self.trusted else " — UNTRUSTED"
        return f"{subject} existed by {self.gen_time} (TSA: {self.tsa}){note}"


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    package_id: str = ""
    case: str = ""
    signer_fingerprint: str = ""
    custody_fingerprint: str = ""
    bag_info: dict[str, str] = field(default_factory=dict)
    exhibits: list[dict[str, Any]] = field(default_factory=list)
    purged: list[dict[str, Any]] = field(default_factory=list)  # records of purged items
    custody: VerifiedExcerpt | None = None
    top: str = ""
    history: HistoryResult | None = None  # with ``previous``: the comparison with it
    timestamps: list[TrustedTime] = field(default_factory=list)  # every token that checked out
    warnings: list[str] = field(default_factory=list)  # non-fatal: untrusted TSA, clock skew
    signer_name: str = ""  # the signing certificate's subject: CN, O (anyone can write these)
    signer_organisation: str = ""
    signer: SignerVerdict | None = None  # who signed, as far as this computer knows
    signer_certificate: x509.Certificate | None = None
    # The package-signing certificates the custody log names, oldest first (event 1's, then
    # each `signing certificate changed`): the last must be the one that signed.
    certificate_history: list[str] = field(default_factory=list)
    revoked: str = ""  # why the signer's certificate is revoked ("" when it is not)
    # Version 4's summary: "included" or "left out" (the investigator's notes and
    # annotations), "" before version 4; the exhibits withdrawn by the sender (references).
    notes: str = ""
    withdrawn: list[str] = field(default_factory=list)
    # Version 5: the chronology's tables in the package ([] when none), and how many sources
    # (exhibit citations) its chronology.json gives, each checked against the exhibits.
    chronology: list[str] = field(default_factory=list)
    chronology_sources: int = 0
    chronology_files: dict[str, str] = field(default_factory=dict)  # path -> SHA-256
    # Version 6: the kinds of court documents in the package, and their files.
    court: list[str] = field(default_factory=list)
    court_files: dict[str, str] = field(default_factory=dict)  # path -> SHA-256

    @property
    def intact(self) -> bool:
        """Every check passed: nothing added, removed or changed since it was signed, and the
        signature, custody log and timestamps agree. Says nothing of *who* signed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    # The package-level checks (receive, history) ask whether the bytes can be relied on.
    verified = intact

    @property
    def signer_confirmed(self) -> bool:
        return self.signer is not None and self.signer.confirmed

    @property
    def outcome(self) -> str:
        """One of the three results: VERIFIED_CONFIRMED, INTACT_UNCONFIRMED, NOT_INTACT."""
        if not self.intact:
            return NOT_INTACT
        return VERIFIED_CONFIRMED if self.signer_confirmed else INTACT_UNCONFIRMED

    @property
    def reason(self) -> str:
        failed = [c for c in self.checks if not c.ok]
        return f"{failed[0].name}: {failed[0].detail}" if failed else ""

    def headline(self) -> str:
        if self.outcome == NOT_INTACT:
            return f"NOT VERIFIED: {self.reason}"
        who = self.signer_name or "an unnamed signer"
        if self.outcome == VERIFIED_CONFIRMED:
            return f"VERIFIED: intact, and signed by {who}, a confirmed signer"
        if self.signer is not None and self.signer.impostor_of:
            return (f"INTACT, BUT SIGNED WITH A KEY YOU HAVE NOT CONFIRMED FOR {who.upper()}: "
                    "do not rely on it")
        return ("INTACT, SIGNER NOT CONFIRMED: nothing was changed since it was signed, but "
                "this computer has never confirmed who signed it")

    def to_json(self) -> dict[str, Any]:
        return {"result": self.outcome,
                "verified": self.outcome == VERIFIED_CONFIRMED,
                "intact": self.intact, "reason": self.reason,
                "signer": self.signer.to_json() if self.signer else None,
                "package_id": self.package_id, "case": self.case,
                "signer_fingerprint": self.signer_fingerprint,
                "custody_key_fingerprint": self.custody_fingerprint,
                "checks": [asdict(c) for c in self.checks],
                "exhibits": [{k: x.get(k) for k in ("ref", "name", "file", "size", "sha256")}
                             for x in self.exhibits],
                "purged": [{k: x.get(k) for k in ("ref", "name", "sha256", "purge_reason",
                                                  "purged_at")} for x in self.purged],
                "timestamps": [asdict(t) for t in self.timestamps],
                "chronology": {"tables": list(self.chronology),
                               "files": dict(self.chronology_files),
                               "sources": self.chronology_sources},
                "court": {"documents": list(self.court), "files": dict(self.court_files)},
                "warnings": list(self.warnings),
                **({"history": self.history.to_json()} if self.history else {})}
