"""Verify an evidence package: full validation, never a size-only check.

This path imports neither Qt nor PyMuPDF nor SQLCipher, so a solicitor can run it from a small
install. Nothing is extracted: every entry is streamed out of the (vetted) zip and hashed. The
checks themselves are in vault/packages/checks/, one module per kind; the result they fill in
is in vault/packages/verification.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from cryptography import x509

from vault.custody.history import (
    History,
    HistoryResult,
    compare_history,
    history_from_events,
    history_from_excerpt,
)
from vault.packages.checks import (
    chronology,
    court,
    custody,
    exhibits,
    history,
    layout,
    manifests,
    signature,
    timestamps,
)
from vault.packages.checks.reader import PackageReader, Stop
from vault.packages.format import TAGMANIFEST
from vault.packages.safezip import HostileArchive, NotAnArchive, SafeZip
from vault.packages.verification import NotAPackage, Verification
from vault.signing.signers import KnownSigners, judge

if TYPE_CHECKING:
    from vault.store.vault import Vault




def verify_package(path: Path, *, signer: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   previous: Path | None = None,
                   tsa_roots: Sequence[x509.Certificate] = (),
                   known: Sequence[tuple[str, KnownSigners]] = (),
                   trust_roots: Sequence[x509.Certificate] = (),
                   crls: Sequence[x509.CertificateRevocationList] = (),
                   source: IO[bytes] | None = None) -> Verification:
    """Verify ``path``; with ``previous`` (an earlier package from the same vault), also the
    check ``history``: this package's custody log extends the earlier one's. Timestamp tokens
    are trusted when they chain to a bundled root or to one of ``tsa_roots``. An intact
    package's signer is judged against the ``known`` signers (each list with a label) and
    ``signer``, a fingerprint given for this check; or by an organisation root among
    ``trust_roots`` (and those the lists hold) that issued its certificate and did not revoke
    it in one of ``crls``. ``source``: the package's bytes already open (an encrypted
    package decrypted in memory), ``path`` then only naming it."""
    if source is None and path.suffix == ".age":
        raise NotAPackage(f"{path.name} is encrypted: give its passphrase or key to check it "
                          "(the program decrypts it in memory), or decrypt it first with "
                          "'evidence-vault decrypt' or 'age -d'")
    if source is None and not path.is_file():
        raise NotAPackage(f"{path} is not a file")
    result = Verification()
    try:
        with SafeZip(path, strict=True, source=source) as z:
            _run(PackageReader(z, result), signer, progress, previous, tsa_roots)
    except NotAnArchive as e:
        raise NotAPackage(str(e)) from e
    except HostileArchive as e:
        layout.refused(result, e)
    except Stop:
        pass
    if result.intact:
        lists = [*known, *signature.root_lists(result, [*trust_roots,
                                               *(r for _l, k in known for r in k.root_certs())],
                                      crls)]
        result.signer = judge(result.signer_name, result.signer_organisation,
                              result.signer_fingerprint, result.custody_fingerprint, lists,
                              expected=signer, earlier=result.certificate_history[:-1],
                              revoked=result.revoked)
        result.warnings.extend(result.signer.problems)
    return result


def _run(pkg: PackageReader, expected: str | None,
         progress: Callable[[int, int], None] | None, previous: Path | None,
         tsa_roots: Sequence[x509.Certificate]) -> None:
    """Every check, in the order of docs/package-format.md ("Verification"); a fatal failure
    stops the rest (:class:`Stop`)."""
    layout.archive(pkg)
    layout.layout(pkg)
    tagmanifest = pkg.read(TAGMANIFEST)
    signature.signature(pkg, tagmanifest, expected)
    manifests.tag_manifest(pkg, tagmanifest)
    signature.stated_signer(pkg)
    manifest = manifests.payload(pkg, progress, meanwhile=lambda: custody.read_excerpt(pkg))
    excerpt = custody.custody(pkg)
    exhibits.exhibits(pkg, manifest, excerpt)
    exhibits.summary(pkg, excerpt)
    chronology.chronology(pkg, manifest)
    court.court(pkg, manifest)
    timestamps.timestamps(pkg, excerpt, tsa_roots)
    if previous is not None:
        older, why = earlier_history(previous)
        history.history(pkg, excerpt, previous, older, why)


def earlier_history(previous: Path, label: str = "the earlier package"
                    ) -> tuple[History | None, str]:
    """The custody history of an earlier package, once it verifies; else why not."""
    try:
        old = verify_package(previous)
    except NotAPackage as e:
        return None, f"the earlier package {previous.name} is not a package: {e}"
    if not old.verified or old.custody is None:
        return None, (f"the earlier package {previous.name} does not verify ({old.reason}); "
                      "there is nothing trustworthy to compare with")
    return history_from_excerpt(old.custody, label), ""


def compare_vault_with_package(v: Vault, previous: Path) -> HistoryResult:
    """Does the vault's own log extend the custody excerpt of an earlier package of it?"""
    older, why = earlier_history(previous, "the package")
    if older is None:
        return HistoryResult(ok=False, message=why)
    with v.db_lock:
        newer = history_from_events(v.events(), vault_id=v.vault_id,
                                    key_fingerprint=v.fingerprint())
    return compare_history(older, newer)
