"""Withdrawing a copy: a redacted copy found to leak (a name left visible, say) is marked
withdrawn, superseded by the better copy if there is one. Nothing is deleted: the copy stays
as evidence of what was made, with a ``copy withdrawn`` custody event (docs/custody-log.md);
it is shown as withdrawn and left out of exports unless they ask for it."""

from __future__ import annotations

from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.items import Item, get_item, provenance
from vault.store.vault import Vault

MAX_REASON = 2_000


def made_from(v: Vault, ref: str) -> str | None:
    """The reference of the item ``ref`` is a copy of (its ``derived`` receipt), else None."""
    records = provenance(v, ref)
    first = records[0] if records else {}
    source = first.get("derived_from")
    return str(source) if source else None


def withdraw_copy(v: Vault, ref: str, reason: str, *,
                  superseded_by: str | None = None) -> custody.Event:
    """Mark the copy ``ref`` withdrawn, for ``reason``, superseded by ``superseded_by`` (a
    copy of the same original) when given."""
    reason = " ".join(reason.split())
    if not reason:
        raise VaultError("say why the copy is withdrawn (for example: the surname on page 2 "
                         "was left visible)")
    if len(reason) > MAX_REASON:
        raise VaultError(f"the reason is longer than {MAX_REASON:,} characters")
    with v.db_lock:
        item = get_item(v, ref)
        original = made_from(v, item.ref)
        if original is None:
            raise VaultError(f"{item.ref} is an original, not a copy: originals are never "
                             "withdrawn (a purge is the only way to destroy one)")
        if item.withdrawn is not None:
            raise VaultError(f"{item.ref} was withdrawn already")
        newer: Item | None = None
        if superseded_by:
            newer = get_item(v, superseded_by)
            if newer.ref == item.ref:
                raise VaultError("a copy cannot supersede itself")
            if made_from(v, newer.ref) != original:
                raise VaultError(f"{newer.ref} is not a copy of {original}, so it cannot "
                                 f"replace {item.ref}")
            if newer.withdrawn is not None:
                raise VaultError(f"{newer.ref} is withdrawn itself")
        with v.transaction():
            ev = v.record(custody.COPY_WITHDRAWN, item=item.ref, sha256=item.sha256,
                          details={"reason": reason, "copy_of": original,
                                   "superseded_by": newer.ref if newer else None},
                          links=[newer.ref] if newer else None)
            v.con.execute(
                "INSERT INTO withdrawn (item_id, seq, superseded_by, reason) "
                "SELECT id, ?, ?, ? FROM items WHERE ref=?",
                (ev.seq, newer.ref if newer else None, reason, item.ref))
            return ev
