"""Key slots: the master key wrapped under keys derived with Argon2id.

Slot 1 holds the master key under the passphrase, slot 2 under the recovery key. A slot is
plain JSON (no secrets): KDF parameters and salt, and the AES-256-GCM wrapped key. The slot
kind and the vault id are authenticated with the wrapped key, so a slot cannot be moved to
another vault or relabelled.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.errors import VaultUnusable, WrongSecret
from vault.store.secret_memory import wipe

KEY_BYTES = 32
# Limits a reader enforces, so a tampered header cannot exhaust memory or time.
MAX_M_KIB = 4 << 20  # 4 GiB
MAX_T = 64
MAX_P = 16
TARGET_SECONDS = 0.5
# The floor: no slot is ever written below it, and a slot found below it is reported. 256 MiB
# and 2 passes is above RFC 9106's second recommended option (64 MiB, 3 passes) in the
# memory an attacker needs for each guess and in the work per guess.
FLOOR_M_KIB = 262144
FLOOR_T = 2


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: memory in KiB, passes, lanes. ``for_tests`` marks the cheap parameters
    that only code can ask for (never a header), so tests may write slots below the floor."""

    m_kib: int = 262144
    t: int = 2
    p: int = 2
    for_tests: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"alg": "argon2id", "version": 19, "m_kib": self.m_kib, "t": self.t, "p": self.p}

    def below_floor(self) -> bool:
        return self.m_kib < FLOOR_M_KIB or self.t < FLOOR_T

    def describe(self) -> str:
        memory = f"{self.m_kib // 1024} MiB" if self.m_kib >= 1024 else f"{self.m_kib} KiB"
        return f"{memory}, {self.t} pass{'es' if self.t != 1 else ''}"


# For tests and fixtures only: fast, and far too weak for real vaults.
TEST_KDF = KdfParams(m_kib=1024, t=1, p=1, for_tests=True)


class WeakKdf(ValueError):
    """A key slot would be written below the floor: a bug in the caller, never the user's."""


def b64e(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def b64d(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


def derive(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret, salt, time_cost=params.t, memory_cost=params.m_kib, parallelism=params.p,
        hash_len=KEY_BYTES, type=Type.ID,
    )


def calibrate(target: float = TARGET_SECONDS) -> KdfParams:
    """Pick Argon2id passes so one derivation takes about ``target`` seconds here, never
    below the floor. The cost is measured on this machine, never read from a header: a
    header's costs are not authenticated until a slot is opened, and only that slot's."""
    base = KdfParams(m_kib=FLOOR_M_KIB, t=1)
    # A first derivation faults the memory in; timing it would make the machine look slow.
    derive(b"warm-up", b"\0" * 16, base)
    start = time.perf_counter()
    derive(b"calibration", b"\0" * 16, base)
    one = max(time.perf_counter() - start, 1e-3)
    return KdfParams(m_kib=base.m_kib, t=max(FLOOR_T, min(10, round(target / one))), p=base.p)


def slot_params(slot: dict[str, Any]) -> KdfParams | None:
    """A slot's Argon2id cost as its header states it (None when unreadable)."""
    try:
        kdf = slot["kdf"]
        return KdfParams(m_kib=int(kdf["m_kib"]), t=int(kdf["t"]), p=int(kdf["p"]))
    except (KeyError, TypeError, ValueError):
        return None


def weak_slot_warnings(slots: list[dict[str, Any]]) -> list[str]:
    """A plain warning for each slot whose cost is below the floor."""
    out = []
    for slot in slots:
        params = slot_params(slot)
        if params is not None and params.below_floor():
            what = "passphrase" if slot.get("kind") == "passphrase" else "recovery key"
            fix = ("change the passphrase to restore full strength" if what == "passphrase"
                   else "reset the passphrase with the recovery key to restore full strength")
            out.append(f"the {what} key slot in header.json is cheap to attack "
                       f"({params.describe()}, below the floor of {FLOOR_M_KIB // 1024} MiB, "
                       f"{FLOOR_T} passes): the header may have been edited; {fix}")
    return out


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalised UTF-8, so the same passphrase typed on any system opens the vault."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _aad(vault_id: str, kind: str) -> bytes:
    return f"evidence-vault keyslot|{vault_id}|{kind}".encode()


def make_slot(slot_id: int, kind: str, secret: bytes, master_key: bytes | bytearray,
              vault_id: str, params: KdfParams) -> dict[str, Any]:
    if params.below_floor() and not params.for_tests:
        raise WeakKdf(f"refusing to write a key slot at {params.describe()}: below the floor "
                      f"of {FLOOR_M_KIB // 1024} MiB, {FLOOR_T} passes")
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = derive(secret, salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, master_key, _aad(vault_id, kind))
    wipe(kek)
    return {"id": slot_id, "kind": kind, "kdf": {**params.to_json(), "salt": b64e(salt)},
            "wrap": {"alg": "A256GCM", "nonce": b64e(nonce), "ct": b64e(wrapped)}}


def open_slot(slot: dict[str, Any], secret: bytes, vault_id: str) -> bytes:
    """Unwrap the master key, or raise :class:`WrongSecret`."""
    try:
        kdf = slot["kdf"]
        if kdf["alg"] != "argon2id" or kdf.get("version") != 19 \
                or slot["wrap"]["alg"] != "A256GCM":
            raise VaultUnusable(f"key slot {slot['id']} uses an unknown algorithm")
        params = KdfParams(m_kib=kdf["m_kib"], t=kdf["t"], p=kdf["p"])
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in
                   (params.m_kib, params.t, params.p)) \
                or not (8 * params.p <= params.m_kib <= MAX_M_KIB and 1 <= params.t <= MAX_T
                        and 1 <= params.p <= MAX_P):
            raise VaultUnusable(f"key slot {slot['id']} has out-of-range Argon2id parameters")
        salt, nonce = b64d(kdf["salt"]), b64d(slot["wrap"]["nonce"])
        wrapped = b64d(slot["wrap"]["ct"])
        kind = str(slot["kind"])
    except (KeyError, TypeError, ValueError) as e:
        raise VaultUnusable("header.json has a damaged key slot") from e
    kek = derive(secret, salt, params)
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, _aad(vault_id, kind))
    except InvalidTag:
        raise WrongSecret("wrong passphrase" if kind == "passphrase"
                          else "wrong recovery key") from None
    finally:
        wipe(kek)


# Recovery key: 18 random bytes and a 2-byte check, written as 32 Crockford base32 characters
# in 8 groups of 4. The check catches typing mistakes before the slow key derivation.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}


def _check(body: bytes) -> bytes:
    return hashlib.sha256(b"evidence-vault recovery|" + body).digest()[:2]


def new_recovery_key() -> str:
    body = secrets.token_bytes(18)
    n = int.from_bytes(body + _check(body), "big")
    chars = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(32)))
    return "-".join(chars[i:i + 4] for i in range(0, 32, 4))


def parse_recovery_key(text: str) -> bytes:
    """The canonical secret of a recovery key typed by a person (case, dashes, spaces, O/0 and I/L/1
    forgiven)."""
    chars = [c for c in text.upper() if c != "-" and not c.isspace()]
    if len(chars) != 32 or any(c not in _DECODE for c in chars):
        raise WrongSecret("that is not a recovery key: it has 32 letters and digits in 8 groups")
    n = 0
    for c in chars:
        n = (n << 5) | _DECODE[c]
    raw = n.to_bytes(20, "big")
    if _check(raw[:18]) != raw[18:]:
        raise WrongSecret("the recovery key was mistyped: check each group")
    return raw
