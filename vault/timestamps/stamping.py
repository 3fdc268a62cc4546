"""Trusted timestamps (docs/timestamps.md): the Time-Stamp Authorities the user turned on, the
offline-first queue of what is to be stamped, and the tokens received.

Nothing here waits for the network while holding the vault: requests are queued in short
transactions; :func:`stamp_pending` reads what is waiting, talks to each TSA with the vault's
lock released, and stores each good answer in its own short transaction. A TSA that does not
answer leaves its requests queued for the next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from vault.clock import duration, iso_utc
from vault.custody import log as custody
from vault.errors import EnvironmentProblem, NotFound, VaultError
from vault.store.vault import Vault

HEAD_KIND = "custody head"  # subject: "SEQ HASH" of the custody log's last event
SIGNATURE_KIND = "package signature"  # subject: the package id
# A token whose TSA time differs from this computer's clock at receipt by more than this is
# kept, but flagged wherever it is shown (docs/timestamps.md#clock-difference).
SKEW_WARNING_SECONDS = 600.0
DEFAULT_TIMEOUT = 10.0
NO_TSA = "no Time-Stamp Authority is turned on (evidence-vault tsa add)"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class TsaConfigRefused(VaultError):
    """A TSA's name, URL or CA certificate was refused."""

    exit_code = 2


@dataclass(frozen=True)
class Preset:
    """A well-known public TSA, offered but never contacted unless the user adds it.

    ``root`` names the root CA its tokens chain to when that root ships with the program
    (certifi's copy of the Mozilla root store, a dependency): such a preset can be added
    without a CA file, and its root is one of the *bundled roots* that package verification
    trusts. A preset without one needs the CA file its operator publishes."""

    name: str
    url: str
    note: str
    root: str | None = None


PRESETS: tuple[Preset, ...] = (
    Preset("freetsa", "https://freetsa.org/tsr",
           "FreeTSA.org, free; its CA certificate is published at "
           "https://freetsa.org/files/cacert.pem (give it with --ca)"),
    Preset("digicert", "http://timestamp.digicert.com",
           "DigiCert, free; chains to the bundled root 'DigiCert Trusted Root G4'",
           root="DigiCert Trusted Root G4"),
    Preset("sectigo", "http://timestamp.sectigo.com",
           "Sectigo, free; give its time-stamping root CA certificate from sectigo.com (--ca)"),
    Preset("globalsign", "http://timestamp.globalsign.com/tsa/r6advanced1",
           "GlobalSign, free; chains to the bundled root 'GlobalSign Root CA - R6'",
           root="GlobalSign Root CA - R6"),
)


# The bundled roots, by certifi's label, pinned by the SHA-256 of their DER: a root store that
# does not hold exactly this certificate gives none.
_ROOT_SHA256 = {
    "DigiCert Trusted Root G4":
        "552f7bdcf1a7af9e6ce672017f4f12abf77240c78e761ac203d1d9d20ac89988",
    "GlobalSign Root CA - R6":
        "2cabeafe37d06ca22aba7391c0033d25982952c453647349763a3ab5ad6ccf69",
}


def _mozilla_roots() -> dict[str, x509.Certificate]:
    """The pinned roots found in certifi's copy of the Mozilla store (a dependency)."""
    import certifi

    with open(certifi.where(), encoding="ascii") as f:
        text = f.read()
    out: dict[str, x509.Certificate] = {}
    for label, want in _ROOT_SHA256.items():
        at = text.find(f'# Label: "{label}"')
        start = text.find("-----BEGIN CERTIFICATE-----", at)
        end = text.find("-----END CERTIFICATE-----", start)
        if at < 0 or start < 0 or end < 0:
            continue
        cert = x509.load_pem_x509_certificate(text[start:end + 25].encode("ascii"))
        if cert.fingerprint(hashes.SHA256()).hex() == want:
            out[label] = cert
    return out


def preset_root(p: Preset) -> x509.Certificate | None:
    """The bundled root of a preset, or None when it has none (or it is missing)."""
    return _mozilla_roots().get(p.root) if p.root else None


def bundled_roots() -> list[x509.Certificate]:
    """The roots of the presets that ship one: trusted by package verification as they are."""
    roots = _mozilla_roots()
    return [roots[p.root] for p in PRESETS if p.root and p.root in roots]


def preset(name: str) -> Preset | None:
    return next((p for p in PRESETS if p.name == name.lower()), None)


@dataclass(frozen=True)
class Tsa:
    name: str
    url: str
    ca_pem: str
    enabled: bool
    added: str

    def ca_subjects(self) -> list[str]:
        return [c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(
            self.ca_pem.encode("ascii"))]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "url": self.url, "enabled": self.enabled,
                "added": self.added, "ca": self.ca_subjects()}


@dataclass(frozen=True)
class Pending:
    """A request still waiting for a token from ``missing`` (the enabled TSAs that have not
    given one; empty with ``reason`` NO_TSA when none is turned on)."""

    id: int
    kind: str
    subject: str
    sha256: str
    queued: str
    last_try: str | None
    last_error: str
    missing: tuple[str, ...]

    @property
    def reason(self) -> str:
        if not self.missing:
            return NO_TSA
        if self.last_error:
            return self.last_error
        return "not sent yet" if self.last_try is None else "waiting"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "subject": self.subject, "sha256": self.sha256,
                "queued": self.queued, "last_try": self.last_try, "reason": self.reason,
                "waiting_for": list(self.missing)}


@dataclass(frozen=True)
class StoredToken:
    tsa: str
    url: str
    kind: str
    subject: str
    message: bytes
    query: bytes
    response: bytes
    chain_pem: str
    gen_time: str
    local_time: str
    skew_seconds: float

    @property
    def flagged(self) -> bool:
        return abs(self.skew_seconds) > SKEW_WARNING_SECONDS

    @property
    def warning(self) -> str | None:
        return skew_warning(self.tsa, self.skew_seconds) if self.flagged else None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "subject": self.subject, "tsa": self.tsa, "url": self.url,
                "gen_time": self.gen_time, "local_time": self.local_time,
                "skew_seconds": self.skew_seconds, "warning": self.warning,
                "sha256": hashlib.sha256(self.message).hexdigest()}


@dataclass(frozen=True)
class Stamped:
    kind: str
    subject: str
    tsa: str
    gen_time: str
    skew_seconds: float

    @property
    def warning(self) -> str | None:
        return skew_warning(self.tsa, self.skew_seconds) \
            if abs(self.skew_seconds) > SKEW_WARNING_SECONDS else None


@dataclass
class StampProgress:
    done: int
    total: int
    current: str


@dataclass
class StampReport:
    stamped: list[Stamped] = field(default_factory=list)
    waiting: list[Pending] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.waiting


def skew_warning(tsa: str, skew: float) -> str:
    way = "behind" if skew > 0 else "ahead of"
    return (f"WARNING: {tsa}'s time is {duration(abs(skew))} {way} this computer's clock "
            f"(more than {duration(SKEW_WARNING_SECONDS)}): the TSA's or this computer's "
            "clock is wrong")


# ------------------------------------------------------------------------- TSA configuration
def _certificates(ca: bytes) -> list[x509.Certificate]:
    from vault.timestamps import tsp

    try:
        certs = tsp.load_certificates(ca)
    except Exception as e:
        raise TsaConfigRefused(f"the CA file is not a PEM or DER certificate ({e})") from e
    if not certs:
        raise TsaConfigRefused("the CA file holds no certificate")
    return certs


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
            c.isspace() for c in url):
        raise TsaConfigRefused(f"{url!r} is not an http:// or https:// address")
    return url


def add_tsa(v: Vault, name: str, url: str, ca: bytes) -> Tsa:
    """Turn on a TSA (name, URL and the CA certificate its tokens must chain to)."""
    if not _NAME.fullmatch(name):
        raise TsaConfigRefused(f"{name!r} is not a usable TSA name: letters, digits, '.', '_' "
                               "and '-', up to 64")
    url = check_url(url)
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                  for c in _certificates(ca))
    with v.transaction():
        if v.con.execute("SELECT 1 FROM tsas WHERE name=?", (name,)).fetchone():
            raise TsaConfigRefused(f"a TSA named {name!r} is already configured")
        added = iso_utc(v.clock.now())
        v.con.execute("INSERT INTO tsas (name, url, ca_pem, enabled, added) VALUES (?,?,?,1,?)",
                      (name, url, pem, added))
    return Tsa(name, url, pem, True, added)


def list_tsas(v: Vault) -> list[Tsa]:
    with v.db_lock:
        rows = v.con.execute("SELECT name, url, ca_pem, enabled, added FROM tsas "
                             "ORDER BY added, name").fetchall()
    return [Tsa(str(n), str(u), str(c), bool(e), str(a)) for n, u, c, e, a in rows]


def remove_tsa(v: Vault, name: str) -> None:
    """Stop using a TSA; the tokens it gave are kept."""
    with v.transaction():
        if v.con.execute("DELETE FROM tsas WHERE name=?", (name,)).rowcount == 0:
            raise NotFound(f"no TSA named {name!r}")


def set_enabled(v: Vault, name: str, enabled: bool) -> None:
    with v.transaction():
        if v.con.execute("UPDATE tsas SET enabled=? WHERE name=?",
                         (int(enabled), name)).rowcount == 0:
            raise NotFound(f"no TSA named {name!r}")


def tsa_roots(v: Vault) -> list[x509.Certificate]:
    """The CA certificates of every configured TSA (enabled or not)."""
    return [c for t in list_tsas(v)
            for c in x509.load_pem_x509_certificates(t.ca_pem.encode("ascii"))]


# ------------------------------------------------------------------------- the queue
def queue(v: Vault, kind: str, subject: str, message: bytes) -> int:
    """Queue ``message`` to be stamped; idempotent on (kind, subject). Returns the request id.
    No network: the request is sent by :func:`stamp_pending`."""
    sha = hashlib.sha256(message).hexdigest()
    with v.transaction():
        row = v.con.execute("SELECT id, sha256 FROM stamp_requests WHERE kind=? AND subject=?",
                            (kind, subject)).fetchone()
        if row is not None:
            if row[1] != sha:
                raise VaultError(f"{kind} {subject} is already queued with other content")
            return int(row[0])
        cur = v.con.execute("INSERT INTO stamp_requests (kind, subject, message, sha256, queued) "
                            "VALUES (?,?,?,?,?)",
                            (kind, subject, message, sha, iso_utc(v.clock.now())))
        return int(cur.lastrowid)


def queue_head(v: Vault) -> int | None:
    """Queue the custody log's current head record (docs/custody-log.md#headjson); nothing
    when the log is empty. Returns the request id."""
    with v.db_lock:
        seq, h = v.last_event()
        if seq == 0:
            return None
        return queue(v, HEAD_KIND, f"{seq} {h}",
                     custody.head_record(v.vault_id, seq, h, v.fingerprint()))


def queue_head_safely(v: Vault) -> None:
    """:func:`queue_head` for the triggers (after an import, before an export): the work it
    follows or precedes is never failed for it (a full disk queues the head next time)."""
    with contextlib.suppress(EnvironmentProblem):
        queue_head(v)


def pending(v: Vault) -> list[Pending]:
    """What is still waiting, oldest first. A custody head is superseded (no longer waiting)
    once a later head is queued: stamping the later head proves every earlier event too."""
    with v.db_lock:
        enabled = [str(r[0]) for r in v.con.execute(
            "SELECT name FROM tsas WHERE enabled=1 ORDER BY added, name")]
        rows = v.con.execute(
            "SELECT id, kind, subject, sha256, queued, last_try, last_error FROM stamp_requests "
            "WHERE kind <> ? OR id = (SELECT max(id) FROM stamp_requests WHERE kind = ?) "
            "ORDER BY id", (HEAD_KIND, HEAD_KIND)).fetchall()
        have: dict[int, set[str]] = {}
        for rid, tsa in v.con.execute("SELECT request_id, tsa FROM stamp_tokens"):
            have.setdefault(int(rid), set()).add(str(tsa))
    out = []
    for rid, kind, subject, sha, queued, last_try, last_error in rows:
        got = have.get(int(rid), set())
        missing = tuple(t for t in enabled if t not in got)
        if missing or (not enabled and not got):
            out.append(Pending(int(rid), str(kind), str(subject), str(sha), str(queued),
                               None if last_try is None else str(last_try), str(last_error),
                               missing))
    return out


def unstamped_count(v: Vault) -> int:
    """How many requests are still waiting (for the app's status bar)."""
    return len(pending(v))


# ------------------------------------------------------------------------- stamping
def stamp_pending(v: Vault, *, timeout: float = DEFAULT_TIMEOUT,
                  cancel: Callable[[], bool] | None = None
                  ) -> Iterator[StampProgress | StampReport]:
    """Send every waiting request to each enabled TSA that has not stamped it; yields
    progress, then the :class:`StampReport`. Never raises for a TSA that does not answer or
    answers wrongly: the request stays queued with the reason as its ``last_error``."""
    from vault.timestamps import tsp

    cancel = cancel or (lambda: False)
    report = StampReport()
    waiting = pending(v)
    tsas = {t.name: t for t in list_tsas(v) if t.enabled}
    with v.db_lock:
        messages = {p.id: bytes(v.con.execute("SELECT message FROM stamp_requests WHERE id=?",
                                              (p.id,)).fetchone()[0]) for p in waiting}
    work = [(name, p) for name in tsas for p in waiting if name in p.missing]
    errors: dict[int, list[str]] = {}
    tried: dict[int, str] = {}
    down: dict[str, str] = {}
    for n, (name, p) in enumerate(work):
        if cancel():
            report.cancelled = True
            break
        yield StampProgress(n, len(work), f"{p.kind} {p.subject} → {name}")
        tsa = tsas[name]
        tried[p.id] = iso_utc(v.clock.now())
        if name in down:  # one unanswered try per TSA and run: the rest wait for next time
            errors.setdefault(p.id, []).append(f"{name}: {down[name]}")
            continue
        message = messages[p.id]
        query = tsp.make_query(message)
        try:
            answer = _send(tsa.url, query, timeout, cancel)
        except VaultError as e:
            down[name] = f"not reachable ({e})"
            errors.setdefault(p.id, []).append(f"{name}: {down[name]}")
            continue
        if answer is None:  # cancelled while waiting for the TSA: nothing stored
            report.cancelled = True
            break
        local = v.clock.now()
        roots = x509.load_pem_x509_certificates(tsa.ca_pem.encode("ascii"))
        try:
            check = tsp.check_response(answer, message, roots, nonce=query.nonce)
        except Exception as e:  # a hostile answer must not stop the run
            errors.setdefault(p.id, []).append(f"{name}: unreadable answer ({e})")
            continue
        if not (check.ok and check.trusted) or check.gen_time is None:
            problem = check.problem or "the token does not chain to the TSA's CA certificate"
            errors.setdefault(p.id, []).append(f"{name}: answer refused: {problem}")
            continue
        skew = (local - check.gen_time).total_seconds()
        gen = iso_utc(check.gen_time)
        with v.transaction():
            v.con.execute(
                "INSERT INTO stamp_tokens (request_id, tsa, url, query, response, chain_pem, "
                "gen_time, local_time, skew_seconds) VALUES (?,?,?,?,?,?,?,?,?)",
                (p.id, name, tsa.url, query.der, answer, check.chain_pem, gen, iso_utc(local),
                 skew))
        stamped = Stamped(p.kind, p.subject, name, gen, skew)
        report.stamped.append(stamped)
        if stamped.warning:
            report.warnings.append(f"{p.kind} {p.subject}: {stamped.warning}")
    if tried:
        with v.transaction():
            for rid, when in tried.items():
                v.con.execute("UPDATE stamp_requests SET last_try=?, last_error=? WHERE id=?",
                              (when, "; ".join(errors.get(rid, [])), rid))
    report.waiting = pending(v)
    yield report


def _send(url: str, query: Any, timeout: float, cancel: Callable[[], bool]) -> bytes | None:
    """The TSA's answer, or None as soon as ``cancel()`` says so: the request runs in a
    thread of its own that touches nothing of the vault and is left to end by itself, so
    that locking the vault never waits for the network."""
    from vault.timestamps import tsp

    out: list[bytes | BaseException] = []

    def ask() -> None:
        try:
            out.append(tsp.send_query(url, query, timeout=timeout))
        except BaseException as e:  # handed to the caller below
            out.append(e)

    thread = threading.Thread(target=ask, name="tsa-request", daemon=True)
    thread.start()
    while thread.is_alive():
        if cancel():
            return None
        thread.join(0.05)
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def run_stamp(v: Vault, *, timeout: float = DEFAULT_TIMEOUT) -> StampReport:
    for step in stamp_pending(v, timeout=timeout):
        if isinstance(step, StampReport):
            return step
    raise AssertionError("stamping ended without a report")


# ------------------------------------------------------------------------- stored tokens
def tokens_for(v: Vault, kind: str | None = None, subject: str | None = None
               ) -> list[StoredToken]:
    """Stored tokens, oldest first; only those of ``kind`` (and ``subject``) when given."""
    sql = ("SELECT t.tsa, t.url, r.kind, r.subject, r.message, t.query, t.response, "
           "t.chain_pem, t.gen_time, t.local_time, t.skew_seconds FROM stamp_tokens t "
           "JOIN stamp_requests r ON r.id = t.request_id")
    args: list[str] = []
    if kind is not None:
        sql += " WHERE r.kind=?"
        args.append(kind)
        if subject is not None:
            sql += " AND r.subject=?"
            args.append(subject)
    with v.db_lock:
        rows = v.con.execute(sql + " ORDER BY t.id", args).fetchall()
    return [StoredToken(str(a), str(b), str(c), str(d), bytes(e), bytes(f), bytes(g), str(h),
                        str(i), str(j), float(k)) for a, b, c, d, e, f, g, h, i, j, k in rows]


def head_tokens(v: Vault) -> list[StoredToken]:
    return tokens_for(v, HEAD_KIND)


def head_token_problems(v: Vault) -> list[str]:
    """Every stored custody-head token against the log: its record must be this vault's head
    record at that event, and the log must still hold that event with that hash. A rewritten
    or rolled-back log shows at the first event whose stamped hash it no longer has."""
    from vault.timestamps import tsp

    problems: list[tuple[int, str]] = []
    with v.db_lock:
        last, _ = v.last_event()
        hashes = {int(s): str(h) for s, h in v.con.execute("SELECT seq, hash FROM custody")}
    roots = tsa_roots(v)
    for t in head_tokens(v):
        try:
            seq_s, h = t.subject.split(" ")
            seq = int(seq_s)
        except ValueError:
            problems.append((0, f"a custody-head timestamp from {t.tsa} names no event "
                                f"({t.subject!r})"))
            continue
        said = f"the custody head at event {seq} stamped by {t.tsa} at {t.gen_time}"
        if t.message not in custody.head_records(v.vault_id, seq, h, v.fingerprint()):
            problems.append((seq, f"{said}: its record is not this vault's head record"))
            continue
        extra = x509.load_pem_x509_certificates(t.chain_pem.encode("ascii")) \
            if t.chain_pem.strip() else []
        check = tsp.check_response(t.response, t.message, roots + extra, extra_certs=extra)
        if not check.ok:
            problems.append((seq, f"{said}: the token does not verify ({check.problem})"))
        if seq > last:
            problems.append((seq, f"custody log ends at event {last}, but {said}: the log "
                                  "was rolled back or truncated"))
        elif hashes.get(seq) != h:
            problems.append((seq, f"custody event {seq} differs from {said}: the log was "
                                  "rewritten at or before that event"))
    problems.sort(key=lambda p: p[0])
    return [p for _, p in problems]

