"""An open vault: the folder, its unlocked index, object store and custody log.

``Vault.create`` and ``Vault.open`` are the only ways in. Everything that changes the vault
runs inside :meth:`Vault.transaction`, which appends custody events in the same database
transaction and moves the signed head file on after the commit.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vault.clock import Clock, SystemClock, iso_utc
from vault.custody import log as custody
from vault.errors import (
    EnvironmentProblem,
    IntegrityError,
    VaultInUse,
    VaultUnusable,
    WrongSecret,
)
from vault.parsers.pool import ParserPool
from vault.signing.certs import cert_fingerprint, make_signing_certificate
from vault.store.atomic import PRIVATE_FILE, atomic_write, make_private_dir, private_opener
from vault.store.db import DB_NAME, Connection, connect
from vault.store.header import Header, read_header
from vault.store.identity import Identity
from vault.store.keyslots import (
    KdfParams,
    calibrate,
    make_slot,
    new_recovery_key,
    normalise_passphrase,
    open_slot,
    parse_recovery_key,
    slot_params,
    weak_slot_warnings,
)
from vault.store.objects import ObjectStore
from vault.store.passphrase import require_strong
from vault.store.secret_memory import wipe

HEAD = "head.json"
LOCK = "vault.lock"
SUFFIX = ".evault"


def vault_path(path: str | os.PathLike[str]) -> Path:
    """A vault is a folder ``NAME.evault``; the suffix is added when missing."""
    p = Path(path)
    return p if p.suffix == SUFFIX else p.with_name(p.name + SUFFIX)


class _Lock:
    """An exclusive lock on the vault folder, released by the OS if the process dies."""

    def __init__(self, folder: Path) -> None:
        self._f: IO[bytes] | None = None
        try:
            self._f = open(folder / LOCK, "a+b",  # noqa: SIM115 - closed in release()
                           opener=private_opener)
        except OSError as e:
            raise EnvironmentProblem(f"cannot open the vault's lock file: {e.strerror or e}") from e
        try:
            import fcntl

            fcntl.flock(self._f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            try:
                msvcrt.locking(self._f.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                self.release()
                raise VaultInUse("the vault is open in another program; close it there first") \
                    from None
        except OSError:
            self.release()
            raise VaultInUse("the vault is open in another program; close it there first") from None

    def release(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def _interrupted_change_message(kind: str, slot: dict[str, Any]) -> str:
    """The secret opened a slot whose master key the index refuses: a change of keys was cut
    short, and the user typed the secret of the generation that is not in force."""
    which = "passphrase" if kind == "passphrase" else "recovery key"
    if "replaces" in slot:
        return (f"this {which} was being set when a change of keys was interrupted, before "
                f"it took effect: open the vault with the {which} from before")
    return (f"this vault's keys were changed, and this {which} no longer opens it: use the new "
            f"{which}")


class Vault:
    def __init__(self, folder: Path, header: Header, con: Connection, lock: _Lock,
                 clock: Clock, master: bytes) -> None:
        self.folder = folder
        self._master = bytearray(master)
        self.header = header
        self.con = con
        self.clock = clock
        self.objects = ObjectStore(folder / "objects")
        self._lock = lock
        self._in_tx = False
        # One connection serves every thread (the GUI's and its workers'): a thread holds this
        # lock for a transaction, or for reads that must not interleave with one.
        self.db_lock = threading.RLock()
        self.open_warnings: list[str] = []
        self._machine: str | None = None
        # Said on open without stopping anything: encrypted files the index does not name.
        self.notices: list[str] = []
        self.key_change_notices: list[str] = []
        self._parsers: ParserPool | None = None
        # Key slots below the Argon2id floor (an edited header.json): said, never fatal.
        self.kdf_warnings: list[str] = weak_slot_warnings(header.slots)
        ident = json.loads(self.setting("identity"))
        self.identity = Identity(**ident)
        priv, pub = con.execute("SELECT private, public FROM keys WHERE name='custody'").fetchone()
        self._signing_key = Ed25519PrivateKey.from_private_bytes(bytes(priv))
        self.public_key = Ed25519PublicKey.from_public_bytes(bytes(pub))

    # ----------------------------------------------------------------- create / open / close
    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: str, identity: Identity, *,
               clock: Clock | None = None, kdf: KdfParams | None = None,
               check_strength: bool = True) -> tuple[Vault, str]:
        """Create a vault; returns it open, and the recovery key to show once."""
        clock = clock or SystemClock()
        if check_strength:
            require_strong(passphrase, [identity.name, identity.initials, identity.organisation])
        folder = vault_path(path)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise VaultUnusable(f"{folder} already exists")
        try:
            make_private_dir(folder)
            make_private_dir(folder / "objects")
        except OSError as e:
            raise EnvironmentProblem(f"cannot create {folder}: {e.strerror or e}") from e
        params = kdf or calibrate()
        vault_id = str(uuid.uuid4())
        master = secrets.token_bytes(32)
        recovery = new_recovery_key()
        now = clock.now()
        header = Header(vault_id=vault_id, name=folder.name[: -len(SUFFIX)], created=iso_utc(now))
        header.slots = [
            make_slot(1, "passphrase", normalise_passphrase(passphrase), master, vault_id, params),
            make_slot(2, "recovery", parse_recovery_key(recovery), master, vault_id, params),
        ]
        lock = _Lock(folder)
        con = connect(folder / DB_NAME, master, create=True)
        signing = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization as ser

        raw = ser.Encoding.Raw
        cert_key, cert = make_signing_certificate(identity, now)
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO settings VALUES ('identity', ?)",
                    (json.dumps(identity.to_dict()),))
        con.execute("INSERT INTO settings VALUES ('vault_id', ?)", (vault_id,))
        con.execute("INSERT INTO settings VALUES ('next_ref', '1')")
        con.execute("INSERT INTO keys VALUES ('custody', ?, ?, NULL)", (
            signing.private_bytes(raw, ser.PrivateFormat.Raw, ser.NoEncryption()),
            signing.public_key().public_bytes(raw, ser.PublicFormat.Raw)))
        con.execute("INSERT INTO keys VALUES ('signing', ?, x'', ?)", (cert_key, cert))
        con.execute("COMMIT")
        header.save(folder)
        v = cls(folder, header, con, lock, clock, master)
        with v.transaction():
            v.record(custody.VAULT_CREATED, details={
                "name": header.name, "investigator": identity.to_dict(),
                "custody_public_key": base64.b64encode(v.public_key_raw()).decode(),
                "custody_key_fingerprint": v.fingerprint(),
                "signing_certificate_fingerprint": v.certificate_fingerprint()})
        return v, recovery

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, passphrase: str | None = None,
             recovery_key: str | None = None, clock: Clock | None = None) -> Vault:
        folder = Path(path)
        if not folder.exists() and vault_path(folder).exists():
            folder = vault_path(folder)
        header = read_header(folder)
        if passphrase is not None:
            kind, secret = "passphrase", normalise_passphrase(passphrase)
        elif recovery_key is not None:
            kind, secret = "recovery", parse_recovery_key(recovery_key)
        else:
            raise ValueError("a passphrase or a recovery key is needed")
        # Two slots of a kind only while a change of keys was cut short: each that opens
        # with this secret is tried on the index, which only one master key opens.
        unwrapped: list[tuple[dict[str, Any], bytes]] = []
        refused: WrongSecret | None = None
        for slot in header.slots_of(kind):
            try:
                unwrapped.append((slot, open_slot(slot, secret, header.vault_id)))
            except WrongSecret as e:
                refused = e
        if not unwrapped:
            assert refused is not None
            raise refused
        lock = _Lock(folder)
        con = None
        opened: dict[str, Any] = {}
        try:
            for slot, master in unwrapped:
                try:
                    con = connect(folder / DB_NAME, master)
                    opened = slot
                    break
                except VaultUnusable:
                    if not header.key_change_pending():
                        raise
            if con is None:
                raise WrongSecret(_interrupted_change_message(kind, unwrapped[-1][0]))
        except BaseException:
            lock.release()
            raise
        try:
            v = cls(folder, header, con, lock, clock or SystemClock(), master)
            for _slot, unwrapped_key in unwrapped:  # the vault keeps its own wipeable copy
                wipe(unwrapped_key)
            if v.setting("vault_id") != header.vault_id:
                raise VaultUnusable("index.db belongs to another vault than header.json")
            # The head file inside the folder speaks first; the anchor outside it catches what
            # the head cannot (the whole folder restored) and would only repeat the head's news.
            v.open_warnings = v.head_problems() or v.anchor_problems()
            if header.key_change_pending():
                v._settle_key_change(opened)
        except BaseException:
            con.close()
            lock.release()
            raise
        with contextlib.suppress(OSError):  # a vault made by an earlier version: 0755
            make_private_dir(folder)
        for pattern in (".*.partial", ".*.tmp"):  # atomic writes cut short by a crash
            for leftover in folder.glob(pattern):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        if not v.open_warnings:
            v.advance_head()
            v.objects.sweep(v.referenced_objects())  # never deletes a committed object
            v.remember_head()
        v.notices = v.key_change_notices + v.orphan_notices()
        return v

    def _settle_key_change(self, opened: dict[str, Any]) -> None:
        """A change of keys was cut short (vault/store/key_change.py): keep the slots that opened
        the index, and record the change where it took effect and its event is missing."""
        change = str(opened.get("change", ""))
        took_effect = self.header.settle_key_change(opened)
        self.header.save(self.folder)
        self.kdf_warnings = weak_slot_warnings(self.header.slots)
        if not took_effect:
            self.key_change_notices.append(
                "a change of this vault's keys was interrupted before it took effect: the "
                "passphrase and recovery key from before it still open the vault, and the new "
                "recovery key shown then does not. Change the keys again")
            return
        recorded = any(json.loads(e.body).get("details", {}).get("change") == change
                       for e in self.events() if json.loads(e.body).get("action")
                       == custody.KEYS_REPLACED)
        if not recorded:
            with self.transaction():
                self.record(custody.KEYS_REPLACED, details={
                    "change": change, "reason": "", "completed_on_open": True})

    @property
    def machine(self) -> str:
        """This computer's label in this vault's events (its name kept in the settings)."""
        if self._machine is None:
            import socket

            from vault.evidence.private_details import machine_label

            host = socket.gethostname()
            self._machine = machine_label(self.vault_id, host)
            known = json.loads(self.setting("machines", "{}"))
            if known.get(self._machine) != host and self._in_tx:
                known[self._machine] = host
                self.set_setting("machines", json.dumps(known, sort_keys=True))
            elif known.get(self._machine) != host:
                self._machine = None  # remembered at the first event of a transaction
                return machine_label(self.vault_id, host)
        return self._machine

    def is_passphrase(self, candidate: str) -> bool:
        """Whether ``candidate`` opens this vault's passphrase slot (one key derivation)."""
        try:
            open_slot(self.header.slot("passphrase"), normalise_passphrase(candidate),
                      self.vault_id)
        except (WrongSecret, VaultUnusable):
            return False
        return True

    def anchor_problems(self) -> list[str]:
        """A rollback of the whole folder: the log behind what this computer saw of it."""
        from vault.store.anchors import read_anchor, rollback_problem

        anchor = read_anchor(self.vault_id)
        if anchor is None:
            return []
        row = self.con.execute("SELECT hash FROM custody WHERE seq=?", (anchor[0],)).fetchone()
        seq, _ = self.last_event()
        problem = rollback_problem(self.vault_id, seq, {} if row is None else
                                   {anchor[0]: str(row[0])})
        return [problem] if problem else []

    def remember_head(self) -> None:
        """Note outside the folder how far this vault's log has come (docs: anchors)."""
        from vault.store.anchors import write_anchor

        if not self.open_warnings:
            seq, h = self.last_event()
            write_anchor(self.vault_id, seq, h)

    def orphan_notices(self) -> list[str]:
        orphans = self.objects.orphaned()
        if not orphans:
            return []
        return [f"{len(orphans)} encrypted file(s) in objects/orphaned/ that this index does "
                "not name: left by an interrupted import, or the vault's index was restored "
                "from an older copy (the newer index.db holds their keys: put it back and "
                "they return). Nothing was deleted; 'evidence-vault orphans' lists them"]

    @property
    def parsers(self) -> ParserPool:
        """The worker processes that parse this vault's evidence away from its keys
        (vault/parsers/pool.py), started when first needed, ended when the vault closes."""
        with self.db_lock:
            if self._parsers is None:
                self._parsers = ParserPool()
            return self._parsers

    def close(self) -> None:
        if self._parsers is not None:
            self._parsers.close()
        with self.db_lock:  # waits for a worker thread's transaction to end
            if self.con is not None:
                with contextlib.suppress(Exception):
                    self.remember_head()
                with contextlib.suppress(Exception):
                    self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.con.close()
                self.con = None
            self._master[:] = bytes(len(self._master))
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ----------------------------------------------------------------- settings and keys
    def setting(self, key: str, default: str | None = None) -> str:
        row = self.con.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        if row is None:
            if default is None:
                raise VaultUnusable(f"the vault's index lacks the setting {key!r}")
            return default
        return str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        self.con.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                         "SET value=excluded.value", (key, value))

    @property
    def vault_id(self) -> str:
        return self.header.vault_id

    def public_key_raw(self) -> bytes:
        from cryptography.hazmat.primitives import serialization as ser

        return self.public_key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)

    def fingerprint(self) -> str:
        """The custody key's fingerprint: what the investigator reads to a solicitor."""
        return custody.key_fingerprint(self.public_key)

    def signing_material(self) -> tuple[bytes, bytes]:
        """(PKCS#8 private key DER, certificate DER) of the package-signing certificate."""
        key, cert = self.con.execute(
            "SELECT private, cert FROM keys WHERE name='signing'").fetchone()
        return bytes(key), bytes(cert)

    def certificate_fingerprint(self) -> str:
        return cert_fingerprint(self.signing_material()[1])

    # ----------------------------------------------------------------- transactions, custody
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic change; the head file moves on after the commit. Holds :attr:`db_lock`,
        so another thread's transaction waits instead of interleaving with this one."""
        with self.db_lock:
            if self._in_tx:
                raise RuntimeError("nested transaction")
            self.con.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
            except BaseException as e:
                self._in_tx = False
                self.con.execute("ROLLBACK")
                if isinstance(e, sqlcipher3.OperationalError) and "disk is full" in str(e):
                    raise EnvironmentProblem("the change could not be saved: No space left on "
                                             "device (the disk is full)") from e
                raise
            try:
                self.con.execute("COMMIT")
            except Exception as e:
                self._in_tx = False
                with contextlib.suppress(Exception):
                    self.con.execute("ROLLBACK")
                why = ("No space left on device (the disk is full)" if "disk is full" in str(e)
                       else str(e))
                raise EnvironmentProblem(f"the change could not be saved: {why}") from e
            self._in_tx = False
            if not self.open_warnings:
                # The change is committed; a head file that cannot be written now (disk full)
                # is moved on at the next open, which finds the log extending it.
                with contextlib.suppress(EnvironmentProblem):
                    self.advance_head()

    def last_event(self) -> tuple[int, str]:
        row = self.con.execute("SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, custody.GENESIS) if row is None else (int(row[0]), str(row[1]))

    def record(self, action: str, *, item: str | None = None, sha256: str | None = None,
               details: dict[str, Any] | None = None, time: str | None = None,
               links: list[str] | None = None) -> custody.Event:
        """Append a signed custody event inside the current transaction."""
        if not self._in_tx:
            raise RuntimeError("custody events are written inside a transaction")
        seq, prev = self.last_event()
        when = time or iso_utc(self.clock.now())
        if seq:
            # Times never go backwards in the log: an event given an earlier time (an import
            # stamped with its moment of receipt, recorded after a later event) takes the time
            # of the event before it; the moment of receipt stays in its details.
            row = self.con.execute("SELECT body FROM custody WHERE seq=?", (seq,)).fetchone()
            before = str(json.loads(bytes(row[0])).get("time", ""))
            earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
            if (custody.event_instant(when) or earliest) < (custody.event_instant(before)
                                                            or earliest):
                when = before
        ev = custody.make_event(
            self._signing_key, vault_id=self.vault_id, seq=seq + 1, prev=prev,
            time=when, actor=self.identity.actor(self.machine), action=action,
            item=item, sha256=sha256, details=details or {})
        self.con.execute("INSERT INTO custody (seq, hash, body, sig, item) VALUES (?,?,?,?,?)",
                         (ev.seq, ev.hash, ev.body, ev.sig, item))
        for ref in links or []:
            self.con.execute("INSERT INTO custody_links (seq, item) VALUES (?, ?)", (ev.seq, ref))
        return ev

    def events(self, item: str | None = None) -> Iterator[custody.Event]:
        sql = "SELECT seq, body, hash, sig FROM custody"
        args: tuple[Any, ...] = ()
        if item is not None:
            sql += " WHERE item=? OR seq IN (SELECT seq FROM custody_links WHERE item=?)"
            args = (item, item)
        for seq, body, h, sig in self.con.execute(sql + " ORDER BY seq", args):
            yield custody.Event(seq=int(seq), body=bytes(body), hash=str(h), sig=bytes(sig))

    # ----------------------------------------------------------------- head file
    def _read_head(self) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = json.loads((self.folder / HEAD).read_bytes())
            return doc
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    def head_problems(self) -> list[str]:
        """Compare the signed head file with the log: a log rolled back or rewritten shows."""
        head = self._read_head()
        seq, _ = self.last_event()
        if head is None:
            return [] if seq == 0 else [f"{HEAD} is missing: the custody log cannot be checked "
                                        "against its last known head"]
        try:
            hseq, hhash = head["seq"], head["hash"]
            if not isinstance(hseq, int) or isinstance(hseq, bool) or not isinstance(hhash, str) \
                    or head.get("vault") != self.vault_id:
                raise ValueError("malformed head")
            self.public_key.verify(base64.b64decode(head["sig"]),
                                   custody.head_record(self.vault_id, hseq, hhash))
        except Exception:
            return [f"{HEAD} is damaged or its signature does not verify"]
        if hseq > seq:
            return [f"the custody log ends at event {seq} but this vault had reached event "
                    f"{hseq}: it was restored from an older copy or its log was truncated"]
        row = self.con.execute("SELECT hash FROM custody WHERE seq=?", (hseq,)).fetchone()
        expected = custody.GENESIS if hseq == 0 else (None if row is None else row[0])
        if expected != hhash:
            return [f"custody event {hseq} differs from the one recorded in {HEAD}: "
                    "the log was rewritten"]
        return []

    def advance_head(self) -> None:
        seq, h = self.last_event()
        head = self._read_head()
        if head and head.get("seq") == seq and head.get("hash") == h:
            return
        sig = self._signing_key.sign(custody.head_record(self.vault_id, seq, h))
        doc = {"vault": self.vault_id, "seq": seq, "hash": h,
               "sig": base64.b64encode(sig).decode("ascii")}
        atomic_write(self.folder / HEAD, (json.dumps(doc, indent=2) + "\n").encode(),
                     mode=PRIVATE_FILE)

    # ----------------------------------------------------------------- objects
    def referenced_objects(self) -> set[str]:
        """Every object the index names: items' contents and thumbnails alike (both have their
        key in ``objects``; a thumbnail row cannot name an object without one)."""
        with self.db_lock:
            return {str(r[0]) for r in self.con.execute(
                "SELECT oid FROM objects UNION SELECT oid FROM thumbnails")}

    def object_key(self, oid: str) -> bytes:
        row = self.con.execute("SELECT key FROM objects WHERE oid=?", (oid,)).fetchone()
        if row is None:
            raise IntegrityError(f"object {oid} has no key in the index")
        return bytes(row[0])

    def object_keys(self, oids: Sequence[str]) -> dict[str, bytes]:
        """The keys of these objects, in a few queries (for reading many in turn)."""
        keys: dict[str, bytes] = {}
        for at in range(0, len(oids), 500):
            part = oids[at:at + 500]
            keys.update((str(o), bytes(k)) for o, k in self.con.execute(
                f"SELECT oid, key FROM objects WHERE oid IN ({','.join('?' * len(part))})",
                part))
        missing = [o for o in oids if o not in keys]
        if missing:
            raise IntegrityError(f"object {missing[0]} has no key in the index")
        return keys

    # ----------------------------------------------------------------- key slots
    def change_passphrase(self, new: str, *, kdf: KdfParams | None = None,
                          check_strength: bool = True, action: str = custody.PASSPHRASE_CHANGED,
                          recovery_key: str | None = None) -> None:
        """Rewrap the master key under a new passphrase: instant, whatever the vault's size."""
        if check_strength:
            require_strong(new, [self.identity.name, self.identity.initials])
        master = self._master  # wrapped straight from the vault's wipeable copy
        old = self.header.slot("passphrase")
        # Never the old slot's cost: header.json is not authenticated, and a slot not opened
        # now may have been edited to a trivial cost (docs/vault-format.md, "Key slots").
        params = kdf or calibrate()
        self.header.replace_slot(make_slot(int(old["id"]), "passphrase", normalise_passphrase(new),
                                           master, self.vault_id, params))
        if recovery_key is not None:
            rec = self.header.slot("recovery")
            if (slot_params(rec) or params).below_floor() and not params.for_tests:
                # Opened with the recovery key: its slot can be rewritten at a sound cost too.
                self.header.replace_slot(make_slot(int(rec["id"]), "recovery",
                                                   parse_recovery_key(recovery_key), master,
                                                   self.vault_id, params))
        self.header.save(self.folder)
        self.kdf_warnings = weak_slot_warnings(self.header.slots)
        with self.transaction():
            self.record(action)

    def replace_master_key(self, master: bytes) -> None:
        """After the index was re-encrypted under ``master`` (vault/store/key_change.py)."""
        self._master[:] = bytes(len(self._master))
        self._master = bytearray(master)

    def _master_key(self) -> bytes:
        return bytes(self._master)

