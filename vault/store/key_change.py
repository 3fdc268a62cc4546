"""Replacing a vault's keys, for when its passphrase or recovery key may have been seen.

Changing the passphrase re-wraps the same master key, so an older copy of ``header.json``
(a backup, a sync service's history) with the old passphrase, or the recovery key, which a
passphrase change never touches, still opens the vault. Replacing the keys makes a new
master key, re-encrypts the index under it (SQLCipher's rekey), and writes new passphrase
and recovery slots: the old passphrase, the old recovery key and every old header then open
nothing in this vault. The objects keep their own keys, which live only in the index.

The steps, each safe to be cut short (docs/vault-format.md, "Replacing the keys"):

1. ``header.json`` gets the new slots beside the old ones, each new one marked ``replaces``;
2. the index is re-encrypted under the new master key, in one SQLite transaction;
3. the ``keys replaced`` event is recorded (under the new key);
4. ``header.json`` keeps the new slots only.

Opening a vault left between steps keeps the generation of slots whose master key opens the
index (vault/store/vault.py, ``_settle_key_change``), and records step 3 where it is missing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from vault.custody import log as custody
from vault.errors import VaultError
from vault.store.db import rekey
from vault.store.keyslots import (
    KdfParams,
    calibrate,
    make_slot,
    normalise_passphrase,
    parse_recovery_key,
    weak_slot_warnings,
)
from vault.store.passphrase import require_strong
from vault.store.secret_memory import wipe
from vault.store.vault import Vault

STEPS = ("header", "index", "event", "done")


def replace_keys(v: Vault, new_passphrase: str, new_recovery_key: str, *, reason: str = "",
                 kdf: KdfParams | None = None, check_strength: bool = True,
                 after_step: Callable[[str], None] | None = None) -> None:
    """Give the vault a new master key, ``new_passphrase`` and ``new_recovery_key`` (made
    with :func:`vault.store.keyslots.new_recovery_key`, shown to the user and typed back before
    this is called). ``after_step`` is called with each name in :data:`STEPS` (tests stop
    the program there)."""
    if check_strength:
        require_strong(new_passphrase, [v.identity.name, v.identity.initials])
    recovery_secret = parse_recovery_key(new_recovery_key)
    header = v.header
    if header.key_change_pending():
        raise VaultError("a change of keys is already under way: close and open the vault")
    params = kdf or calibrate()
    master = secrets.token_bytes(32)
    change = secrets.token_hex(8)
    old_pass, old_rec = header.slot("passphrase"), header.slot("recovery")
    top = max(int(s["id"]) for s in header.slots)
    new_slots = [
        {**make_slot(top + 1, "passphrase", normalise_passphrase(new_passphrase), master,
                     v.vault_id, params), "replaces": old_pass["id"], "change": change},
        {**make_slot(top + 2, "recovery", recovery_secret, master, v.vault_id, params),
         "replaces": old_rec["id"], "change": change},
    ]
    step = after_step or (lambda _name: None)
    with v.db_lock:
        header.slots = [old_pass, old_rec, *new_slots]
        header.save(v.folder)
        step("header")
        try:
            rekey(v.con, master)
        except BaseException:
            # The rekey is one transaction: the index is still under the old key.
            header.settle_key_change(old_pass)
            header.save(v.folder)
            raise
        v.replace_master_key(master)
        wipe(master)  # the vault keeps its own copy
        step("index")
        with v.transaction():
            v.record(custody.KEYS_REPLACED, details={
                "change": change, "reason": " ".join(reason.split()),
                "kdf": params.describe()})
        step("event")
        header.settle_key_change(new_slots[0])
        header.save(v.folder)
        v.kdf_warnings = weak_slot_warnings(header.slots)
        step("done")
