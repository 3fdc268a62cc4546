"""The custody log in a package: its chain and signatures, its end, and the custody key
that binds it to the certificate that signed the package."""

from __future__ import annotations

from vault.custody.excerpt import VerifiedExcerpt, verify_excerpt
from vault.custody.log import times_backwards
from vault.packages.checks.reader import PackageReader
from vault.packages.format import CUSTODY_LOG, normalise_fingerprint


def read_excerpt(pkg: PackageReader) -> None:
    """Verify the custody log excerpt, if there is one, and keep it for :func:`custody`."""
    if pkg.has(CUSTODY_LOG):
        pkg.excerpt = verify_excerpt(pkg.read(CUSTODY_LOG))


def custody(pkg: PackageReader) -> VerifiedExcerpt:
    """The custody log excerpt verifies (hashes, chain, signatures), ends where bag-info.txt
    says, and is signed by the custody key the signing certificate is bound to."""
    if not pkg.has(CUSTODY_LOG):
        pkg.check("custody", False, f"{CUSTODY_LOG} is missing", fatal=True)
    excerpt = pkg.excerpt or verify_excerpt(pkg.read(CUSTODY_LOG))
    pkg.r.custody = excerpt
    pkg.r.custody_fingerprint = excerpt.fingerprint
    problems = list(excerpt.problems)
    stated = pkg.r.bag_info.get("Evidence-Vault-Custody-Head", "")
    last = excerpt.records[-1] if excerpt.records else None
    head = f"{last['event'].get('seq')} {last['hash']}" if last else ""
    if not problems and head != stated:
        ends, says = head.split(" ")[0] or "none", stated.split(" ")[0] or "?"
        problems.append(f"the log ends at event {ends}, but bag-info.txt says it ends at "
                        f"event {says}" + (
                            " with another hash (the log comes from another package or "
                            "was rewritten)" if ends == says else
                            " (events cut from the end or added, or the log comes from "
                            "another package)"))
    pkg.check("custody chain", not problems, "; ".join(problems[:5]) or
              f"{len(excerpt.events)} events: hashes, chain and signatures verify")
    pkg.r.warnings.extend(times_backwards(excerpt.events))
    history = certificate_history(excerpt)
    pkg.r.certificate_history = history
    same_cert = normalise_fingerprint(history[-1] if history else "") == \
        normalise_fingerprint(pkg.r.signer_fingerprint)
    stated = pkg.r.bag_info.get("Evidence-Vault-Custody-Key-Fingerprint", "")
    pkg.check("custody key", same_cert and excerpt.fingerprint == stated,
              ("the package was signed with a certificate that the custody log does not "
                f"name (the log names {history[-1] if history else 'none'}): the "
                "signature and its certificate were replaced"
                if excerpt.fingerprint == stated else
                "the custody log belongs to another vault than the certificate that "
                "signed the package") if not same_cert else
              f"custody key {excerpt.fingerprint}, bound to the signing certificate"
              if excerpt.fingerprint == stated else
              f"bag-info.txt names custody key {stated or '(none)'}, but the log is signed "
              f"by {excerpt.fingerprint}")
    return excerpt


def certificate_history(excerpt: VerifiedExcerpt) -> list[str]:
    """The signing certificates the excerpt names, oldest first: event 1's, then the new one
    of each ``signing certificate changed`` that follows the one before."""
    from vault.custody.log import SIGNING_CERTIFICATE_CHANGED

    history = [excerpt.certificate_fingerprint] if excerpt.certificate_fingerprint else []
    for ev in excerpt.events:
        if ev.get("action") != SIGNING_CERTIFICATE_CHANGED:
            continue
        details = ev.get("details") or {}
        if history and normalise_fingerprint(str(details.get("old_fingerprint", ""))) == \
                normalise_fingerprint(history[-1]):
            history.append(str(details.get("new_fingerprint", "")))
    return history
