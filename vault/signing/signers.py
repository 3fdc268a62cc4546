"""Known signers: the people whose signing certificates a recipient has confirmed.

A package that verifies is intact and consistently signed, but anyone can make a certificate
with any name in it. Who signed is known only once the recipient has confirmed the
certificate's fingerprint with the sender through another channel (a phone call, a letter,
a meeting). This module keeps those confirmations and says, for a verified package, whether
its signer is one of them (docs/package-format.md, "Who signed").

The list is per user, in a JSON file outside any vault (it holds no evidence: names,
organisations, fingerprints and how each was confirmed); a vault can carry a list of its own
in its settings. Neither needs Qt, PyMuPDF or SQLCipher: the verifier uses this module.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vault.errors import VaultError
from vault.store.atomic import atomic_write

FORMAT = "evidence-vault known signers"
VERSION = 1
ENV = "EVIDENCE_VAULT_KNOWN_SIGNERS"
MAX_FILE = 4 << 20


def _hex(fp: str) -> str:
    return "".join(c for c in fp.upper() if c in "0123456789ABCDEF")


def display_fingerprint(fp: str) -> str:
    """``AB:CD:...``: the form openssl prints and the card shows."""
    h = _hex(fp)
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def spoken_fingerprint(fp: str) -> str:
    """The fingerprint in groups of four, to read aloud or compare by eye."""
    h = _hex(fp)
    return " ".join(h[i:i + 4] for i in range(0, len(h), 4))


@dataclass(frozen=True)
class KnownSigner:
    name: str
    organisation: str
    certificate_fingerprint: str  # SHA-256 of the signing certificate (DER), AB:CD:...
    custody_key_fingerprint: str = ""  # the custody log's Ed25519 key, when known
    confirmed: str = ""  # when, ISO 8601
    how: str = ""  # how, in the user's words: "read out on the phone by Mary, 12 May"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KnownSigner:
        fp = display_fingerprint(str(d["certificate_fingerprint"]))
        if len(_hex(fp)) != 64:
            raise ValueError("a certificate fingerprint is 64 hexadecimal digits")
        return cls(name=str(d.get("name", "")), organisation=str(d.get("organisation", "")),
                   certificate_fingerprint=fp,
                   custody_key_fingerprint=str(d.get("custody_key_fingerprint", "")),
                   confirmed=str(d.get("confirmed", "")), how=str(d.get("how", "")))

    def same_person_as(self, name: str, organisation: str) -> bool:
        """The same name (and organisation, where both give one), ignoring case and spacing."""
        def norm(s: str) -> str:
            return " ".join(s.casefold().split()).strip(" .,")
        if norm(self.name) != norm(name) or not norm(name):
            return False
        return not (self.organisation and organisation) or \
            norm(self.organisation) == norm(organisation)


@dataclass(frozen=True)
class TrustedRoot:
    """An organisation's root whose certificates the user recognises (docs/package-format.md,
    "Who signed"): its name, fingerprint, PEM, and when and how it was confirmed."""

    name: str
    certificate_fingerprint: str
    pem: str
    confirmed: str = ""
    how: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrustedRoot:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        from vault.signing.certs import cert_fingerprint

        pem = str(d["pem"])
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        fp = cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))
        if _hex(fp) != _hex(str(d.get("certificate_fingerprint", fp))):
            raise ValueError("a trusted root's fingerprint is not that of its certificate")
        return cls(str(d.get("name", "")), fp, pem, str(d.get("confirmed", "")),
                   str(d.get("how", "")))


@dataclass
class KnownSigners:
    """A list of confirmed signers and trusted organisation roots, and where it is kept
    (None: in memory only)."""

    signers: list[KnownSigner] = field(default_factory=list)
    path: Path | None = None
    roots: list[TrustedRoot] = field(default_factory=list)

    def root_certs(self) -> list[Any]:
        from cryptography import x509

        return [x509.load_pem_x509_certificate(r.pem.encode("ascii")) for r in self.roots]

    def add_root(self, root: TrustedRoot) -> None:
        self.roots = [r for r in self.roots if _hex(r.certificate_fingerprint) !=
                      _hex(root.certificate_fingerprint)] + [root]
        self.save()

    # ------------------------------------------------------------------ reading
    @classmethod
    def load(cls, path: Path) -> KnownSigners:
        """The list in ``path``; an empty one when the file does not exist yet."""
        try:
            if path.stat().st_size > MAX_FILE:
                raise VaultError(f"{path} is too large to be a list of known signers")
            data = path.read_bytes()
        except FileNotFoundError:
            return cls([], path)
        except OSError as e:
            raise VaultError(f"cannot read the known signers in {path}: "
                             f"{e.strerror or e}") from e
        signers, roots = parse_all(data, str(path))
        return cls(signers, path, roots)

    @classmethod
    def user(cls) -> KnownSigners:
        return cls.load(user_file())

    def find(self, certificate_fingerprint: str) -> KnownSigner | None:
        want = _hex(certificate_fingerprint)
        return next((s for s in self.signers if _hex(s.certificate_fingerprint) == want), None)

    def same_name(self, name: str, organisation: str) -> list[KnownSigner]:
        return [s for s in self.signers if s.same_person_as(name, organisation)]

    # ------------------------------------------------------------------ changing
    def add(self, signer: KnownSigner) -> None:
        """Add or replace (by certificate fingerprint), and save when kept in a file."""
        self.signers = [s for s in self.signers if _hex(s.certificate_fingerprint) !=
                        _hex(signer.certificate_fingerprint)] + [signer]
        self.save()

    def remove(self, certificate_fingerprint: str) -> bool:
        before = len(self.signers)
        want = _hex(certificate_fingerprint)
        self.signers = [s for s in self.signers if _hex(s.certificate_fingerprint) != want]
        if len(self.signers) != before:
            self.save()
        return len(self.signers) != before

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(self.path, dump(self.signers, self.roots))
        os.chmod(self.path, 0o600)


def parse(data: bytes, where: str = "the list") -> list[KnownSigner]:
    return parse_all(data, where)[0]


def parse_all(data: bytes, where: str = "the list"
              ) -> tuple[list[KnownSigner], list[TrustedRoot]]:
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not a list of known signers")
        if doc.get("version") != VERSION:
            raise ValueError(f"version {doc.get('version')!r}; this program reads {VERSION}")
        return ([KnownSigner.from_dict(d) for d in doc.get("signers", [])],
                [TrustedRoot.from_dict(d) for d in doc.get("roots", [])])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise VaultError(f"{where} is not a readable list of known signers: {e}") from e


def dump(signers: Iterable[KnownSigner], roots: Iterable[TrustedRoot] = ()) -> bytes:
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                           "signers": [s.to_dict() for s in signers]}
    roots = list(roots)
    if roots:
        doc["roots"] = [r.to_dict() for r in roots]
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def user_file() -> Path:
    """Where this user's list is kept: ``EVIDENCE_VAULT_KNOWN_SIGNERS``, else the platform's
    configuration folder."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from vault.user_dirs import config_dir

    return config_dir() / "known-signers.json"


# ---------------------------------------------------------------------- the verdict
CONFIRMED = "confirmed"
UNCONFIRMED = "unconfirmed"


@dataclass
class SignerVerdict:
    """Who signed a package, as far as this computer knows."""

    status: str  # CONFIRMED or UNCONFIRMED
    name: str
    organisation: str
    certificate_fingerprint: str
    custody_key_fingerprint: str
    confirmed_as: KnownSigner | None = None  # the entry that confirms it
    confirmed_by: str = ""  # "your list", "this vault's list", "--signer"
    impostor_of: list[KnownSigner] = field(default_factory=list)  # same name, other key
    problems: list[str] = field(default_factory=list)  # a confirmed cert with another key

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "name": self.name, "organisation": self.organisation,
                "certificate_fingerprint": self.certificate_fingerprint,
                "custody_key_fingerprint": self.custody_key_fingerprint,
                "confirmed_by": self.confirmed_by,
                "confirmed": self.confirmed_as.to_dict() if self.confirmed_as else None,
                "same_name_confirmed_with_other_fingerprints": [
                    s.to_dict() for s in self.impostor_of],
                "problems": list(self.problems)}

    def sentence(self) -> str:
        """One plain sentence about the signer."""
        who = self.name + (f" ({self.organisation})" if self.organisation else "")
        if self.confirmed and self.confirmed_as is not None:
            how = self.confirmed_as.how or "confirmed"
            when = self.confirmed_as.confirmed[:10]
            return (f"Signed by {who}, a signer confirmed on this computer"
                    f"{' on ' + when if when else ''} ({how}).")
        if self.confirmed:
            return f"Signed by {who}, with the fingerprint you gave."
        if self.impostor_of:
            known = "; ".join(display_fingerprint(s.certificate_fingerprint)
                              for s in self.impostor_of)
            return (f"WARNING: this package claims to be from {who}, but it was signed with a "
                    f"different key from the one you confirmed for that name. Confirmed: "
                    f"{known}. This package: {self.certificate_fingerprint}. Do not rely on "
                    "it until the sender explains the new key through another channel.")
        return (f"The certificate says {who}, but anyone can put a name in a certificate and "
                "this computer has never confirmed this signer. Before relying on the "
                "package, phone or meet the sender and compare this fingerprint: "
                f"{spoken_fingerprint(self.certificate_fingerprint)}")


def judge(name: str, organisation: str, certificate_fingerprint: str,
          custody_key_fingerprint: str, lists: Iterable[tuple[str, KnownSigners]],
          expected: str | None = None, earlier: Iterable[str] = (),
          revoked: str = "") -> SignerVerdict:
    """The verdict on a verified package's signer, against the confirmed lists (each with a
    label for what it is) and a fingerprint given for this one check. ``earlier``: the
    signing certificates the package's custody log names before the one that signed (a
    confirmed one, with the same custody key, confirms its renewals); ``revoked``: why the
    certificate is revoked (then nothing confirms it)."""
    verdict = SignerVerdict(UNCONFIRMED, name, organisation,
                            display_fingerprint(certificate_fingerprint),
                            custody_key_fingerprint)
    if revoked:
        verdict.problems.append(revoked)
        return verdict
    lists = list(lists)
    before = {_hex(fp) for fp in earlier}
    for label, known in lists:
        entry = known.find(certificate_fingerprint)
        if entry is None:
            continue
        if entry.custody_key_fingerprint and custody_key_fingerprint and \
                entry.custody_key_fingerprint != custody_key_fingerprint:
            verdict.problems.append(
                f"the certificate is the one confirmed for {entry.name}, but the custody log "
                f"is signed with another key ({custody_key_fingerprint}, confirmed: "
                f"{entry.custody_key_fingerprint})")
            continue
        verdict.status, verdict.confirmed_as, verdict.confirmed_by = CONFIRMED, entry, label
        return verdict
    for label, known in lists:
        for old in known.signers:
            if _hex(old.certificate_fingerprint) in before and custody_key_fingerprint and \
                    old.custody_key_fingerprint == custody_key_fingerprint:
                verdict.status, verdict.confirmed_as = CONFIRMED, old
                verdict.confirmed_by = (f"{label} (a renewal of the certificate confirmed "
                                        "there, recorded in the signed custody log)")
                return verdict
    if expected is not None and _hex(expected) == _hex(certificate_fingerprint):
        verdict.status, verdict.confirmed_by = CONFIRMED, "the fingerprint given"
        return verdict
    for _label, known in lists:
        verdict.impostor_of.extend(s for s in known.same_name(name, organisation)
                                   if s not in verdict.impostor_of)
    return verdict
