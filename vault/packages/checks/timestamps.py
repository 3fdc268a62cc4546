"""The RFC 3161 timestamps in a package (docs/timestamps.md): each token granted for exactly
the bytes it names and signed by its TSA; trusted or not; the clocks compared."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from vault.clock import duration
from vault.custody.excerpt import VerifiedExcerpt
from vault.custody.log import event_instant, head_records
from vault.packages.checks.reader import PackageReader
from vault.packages.format import (
    HEAD_TIMESTAMPS,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    head_file,
    tsa_time,
)
from vault.packages.verification import TrustedTime
from vault.signing.certs import cert_fingerprint
from vault.timestamps import tsp


def timestamps(pkg: PackageReader, excerpt: VerifiedExcerpt,
               tsa_roots: Sequence[x509.Certificate]) -> None:
    """Every RFC 3161 token in the package: granted, for exactly the bytes it names, signed
    by its TSA (a failure means the package was altered); trusted or not (a warning)."""
    from vault.timestamps.stamping import bundled_roots

    roots = [*bundled_roots(), *tsa_roots]
    problems: list[str] = []
    prefix = f"{pkg.top}/"
    heads = sorted((f, n[len(prefix):]) for n in pkg.z.entries if n.startswith(
        prefix + HEAD_TIMESTAMPS) and (f := head_file(n[len(prefix):])) is not None)
    version = pkg.r.bag_info.get("Evidence-Vault-Package-Version", "")
    if version == "1" and (heads or pkg.has(SIGNATURE_TOKEN)
                           or pkg.has(SIGNATURE_TOKEN_CERTS)):
        problems.append("a version 1 package carries no timestamps, but this one has "
                        "timestamp files (added)")
    if pkg.has(SIGNATURE_TOKEN_CERTS) and not pkg.has(SIGNATURE_TOKEN):
        problems.append(f"{SIGNATURE_TOKEN_CERTS} without {SIGNATURE_TOKEN}")
    if pkg.has(SIGNATURE_TOKEN):
        certs = pkg.read(SIGNATURE_TOKEN_CERTS) if pkg.has(SIGNATURE_TOKEN_CERTS) \
            else None
        _token(pkg, "signature", "signature", pkg.read(SIGNATURE_TOKEN),
                    pkg.read(SIGNATURE), certs, roots,
                    event_instant(pkg.r.bag_info.get("Evidence-Vault-Custody-As-Of", "")),
                    "Evidence-Vault-Custody-As-Of", problems)
    # What the excerpt confirms: seq -> (hash, recorded time or None).
    known: dict[int, tuple[str, dt.datetime | None]] = {}
    for _start, end, h in excerpt.omitted:
        known[end] = (h, None)
    for rec in excerpt.records:
        known[int(rec["event"]["seq"])] = (str(rec["hash"]), event_instant(
            str(rec["event"].get("time", ""))))
    head_seq = int(excerpt.records[-1]["event"]["seq"]) if excerpt.records else 0
    names = {(seq, kind, tsa): name for (seq, kind, tsa), name in heads}
    for (seq, kind, tsa), name in heads:
        if kind == "json" and not any(k[0] == seq and k[1] == "tsr" for k in names):
            problems.append(f"{name} has no token beside it")
        if kind == "crt" and (seq, "tsr", tsa) not in names:
            problems.append(f"{name} has no token beside it")
        if kind != "tsr":
            continue
        record_name = names.get((seq, "json", ""))
        if record_name is None:
            problems.append(f"{name}: the head record head-{seq}.json is missing")
            continue
        if seq > head_seq or seq not in known:
            problems.append(f"{name}: custody event {seq} is not confirmed by the custody "
                            "log in this package")
            continue
        record = pkg.read(record_name)
        if record not in head_records(excerpt.vault_id, seq, known[seq][0],
                                      excerpt.fingerprint):
            problems.append("the timestamped custody head does not match the log: history "
                            f"was rewritten after it was stamped ({record_name} is not the "
                            f"head record of custody event {seq} of this package's custody "
                            "log, signed by its custody key)")
            continue
        crt = names.get((seq, "crt", tsa))
        _token(pkg, "custody head", seq, pkg.read(name), record,
                    pkg.read(crt) if crt else None, roots, known[seq][1],
                    f"the recorded time of custody event {seq}", problems)
    n = len(pkg.r.timestamps)
    untrusted = sum(not t.trusted for t in pkg.r.timestamps)
    pkg.check("timestamps", not problems, "; ".join(problems[:5]) if problems else
              "no timestamps: every time in this package is the exporting computer's "
              "clock" if not n else
              f"{n} timestamp{'s verify' if n != 1 else ' verifies'} "
              "(imprint and TSA signature)"
              + (f"; {untrusted} from a TSA that is not trusted" if untrusted else ""))


def _token(pkg: PackageReader, what: str, seq: int | str, token: bytes, message: bytes,
           certs_pem: bytes | None, roots: list[x509.Certificate],
           recorded: dt.datetime | None, recorded_name: str, problems: list[str]) -> None:
    label = "the signature's timestamp" if what == "signature" else \
        f"the timestamp of custody head {seq}"
    extra: list[x509.Certificate] = []
    if certs_pem is not None:
        try:
            extra = x509.load_pem_x509_certificates(certs_pem)
        except ValueError:
            problems.append(f"{label}: its certificate file is not PEM certificates")
            return
    check = tsp.check_response(token, message, roots, extra_certs=extra)
    warnings: list[str] = []
    if not check.ok:
        # Genuine but from a TSA not trusted here? Check it against its own certificates.
        own = [*extra, *_embedded_certs(token)]
        alone = tsp.check_response(token, message, own, extra_certs=own)
        if not alone.ok or alone.gen_time is None:
            problems.append(f"{label}: {alone.problem or check.problem}")
            return
        check = alone
        warnings.append(f"timestamp by {check.tsa} not trusted: its root "
                   f"{_root_of(check.tsa, own)} is not among the trusted roots; pass "
                   "--tsa-ca with that TSA's root certificate to trust it")
    if certs_pem is not None:
        # The chain file is what `openssl ts -verify -untrusted` reads: it must hold only
        # certificates of the TSA's verified chain, in their exact PEM form, so that the
        # program and the by-hand check agree.
        stray = _chain_file_problem(certs_pem, extra, token, check.tsa, roots)
        if stray:
            problems.append(f"{label}: its certificate file {stray}")
            return
    trusted = not warnings
    assert check.gen_time is not None
    gen = check.gen_time
    if recorded is not None and (recorded - gen).total_seconds() > 600:
        ahead = duration((recorded - gen).total_seconds())
        warnings.append(f"the exporting laptop's clock was ahead of the TSA by {ahead}: "
                        f"{label} ({check.tsa}) is {tsa_time(gen)}, "
                        f"{recorded_name} {tsa_time(recorded)}")
    pkg.r.timestamps.append(TrustedTime(what, seq, check.tsa,
                                        tsa_time(gen), trusted,
                                        "; ".join(warnings)))
    pkg.r.warnings.extend(w for w in warnings if w not in pkg.r.warnings)  # said once


def _chain_file_problem(data: bytes, certs: list[x509.Certificate], token: bytes,
                        tsa: str, roots: Sequence[x509.Certificate]) -> str:
    """Why a ``.tsr.crt`` file is not the TSA's chain ("" when it is): its exact PEM form,
    the TSA's own certificate first (as the token carries it), then each certificate the
    issuer of the one before it, the last one's signature checked where its issuer is
    known (itself, a trusted root, or a certificate the token carries)."""
    pem, der = serialization.Encoding.PEM, serialization.Encoding.DER
    if not certs or b"".join(c.public_bytes(pem) for c in certs) != data:
        return "is not in the exact PEM form it was written in (changed)"
    embedded = _embedded_certs(token)
    own = [c for c in embedded if c.subject.rfc4514_string() == tsa]
    if own and certs[0].public_bytes(der) not in {c.public_bytes(der) for c in own}:
        return "does not start with the TSA certificate that the token carries (changed)"
    for cert, issuer in itertools.pairwise(certs):
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return (f"holds a certificate (“{cert.subject.rfc4514_string()}”) that the next "
                    "one did not issue (changed)")
    last = certs[-1]
    issuers = [c for c in (last, *roots, *embedded) if c.subject == last.issuer]
    if issuers and not any(_issued_by(last, i) for i in issuers):
        return (f"holds a certificate (“{last.subject.rfc4514_string()}”) whose signature "
                "does not verify (changed)")
    return ""


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _embedded_certs(token: bytes) -> list[x509.Certificate]:
    """The certificates a TimeStampResp carries (none when it cannot be read)."""
    from asn1crypto import tsp as atsp

    try:
        sd = atsp.TimeStampResp.load(token)["time_stamp_token"]["content"]
        return [x509.load_der_x509_certificate(c.chosen.dump())
                for c in sd["certificates"] or [] if c.name == "certificate"]
    except Exception:  # a damaged token: the check says why
        return []


def _root_of(tsa: str, pool: list[x509.Certificate]) -> str:
    """The top of the TSA's chain as far as ``pool`` goes: the root if it is there."""
    current = next((c for c in pool if c.subject.rfc4514_string() == tsa), None)
    if current is None:
        return "(unknown)"
    for _ in range(8):
        up = next((c for c in pool if c.subject == current.issuer and c != current), None)
        if up is None:
            break
        current = up
    if current.issuer == current.subject:
        return (f"“{current.subject.rfc4514_string()}” (SHA-256 "
                f"{cert_fingerprint(current.public_bytes(serialization.Encoding.DER))})")
    return f"“{current.issuer.rfc4514_string()}”"
