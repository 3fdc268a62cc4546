"""Discarding the encrypted files the index does not name (objects/orphaned/), by an
explicit, recorded choice: never on open, never by ``check``."""

from __future__ import annotations

from vault.custody import log as custody
from vault.errors import VaultError
from vault.store.vault import Vault


def accept_restore(v: Vault, reason: str) -> None:
    """The user knows the vault was put back from an older copy and goes on with it: the
    choice is recorded, and this computer's anchor moves to the restored log."""
    from vault.store.anchors import read_anchor, write_anchor

    reason = " ".join(reason.split())
    if not reason:
        raise VaultError("say why the older copy is accepted (for example: the laptop was "
                         "restored from the backup of 3 May; the newer copy is lost)")
    problems = v.anchor_problems()
    if not problems:
        raise VaultError("this computer has not seen a newer state of this vault: nothing to "
                         "accept")
    seen = read_anchor(v.vault_id)
    with v.transaction():
        ev = v.record(custody.RESTORE_ACCEPTED, details={
            "reason": reason, "seen_seq": seen[0] if seen else None,
            "seen_hash": seen[1] if seen else None, "problem": problems[0]})
    write_anchor(v.vault_id, ev.seq, ev.hash, accept=True)
    v.open_warnings = [w for w in v.open_warnings if w not in problems]
    if not v.open_warnings:
        v.advance_head()


def discard_orphans(v: Vault, reason: str) -> int:
    reason = " ".join(reason.split())
    if not reason:
        raise VaultError("say why the orphaned files can go (for example: an import "
                         "interrupted on 3 May; no newer index exists)")
    names = v.objects.orphaned()
    if not names:
        return 0
    sizes = {n: (v.objects.root / "orphaned" / n).stat().st_size for n in names}
    with v.transaction():
        v.record(custody.ORPHANS_DISCARDED, details={
            "reason": reason, "files": names, "bytes": sum(sizes.values())})
    v.objects.discard_orphaned(names)
    return len(names)
