"""Purge: destroy material that must not be held, keeping its hash and a signed purge event."""

from __future__ import annotations

from vault.custody import log as custody
from vault.documents.thumbnails import delete_thumbnail_rows
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.search.index import forget_item
from vault.store.vault import Vault


def purge(v: Vault, ref: str, reason: str) -> None:
    """The object and its key are destroyed; the item's hash, history and a purge event remain.

    The per-object key is deleted with ``secure_delete`` on, so even an old copy of the object
    file can no longer be decrypted with this index. The item's thumbnails go with it.
    """
    if not reason.strip():
        raise VaultError("a purge needs a stated reason")
    item = get_item(v, ref)
    if item.status == "purged":
        raise VaultError(f"{item.ref} was already purged")
    with v.transaction():
        item_id = v.con.execute("SELECT id FROM items WHERE ref=?", (item.ref,)).fetchone()[0]
        thumbnails = delete_thumbnail_rows(v, int(item_id))
        forget_item(v, int(item_id))  # its index rows and OCR text: derived from the content
        v.con.execute("UPDATE items SET oid=NULL, status='purged', metadata='{}' WHERE ref=?",
                      (item.ref,))
        v.con.execute("DELETE FROM objects WHERE oid=?", (item.oid,))
        v.record(custody.PURGED, item=item.ref, sha256=item.sha256,
                 details={"reason": reason.strip(), "size": item.size, "name": item.name})
    for oid in [item.oid, *thumbnails]:
        if oid:
            v.objects.remove(oid)
    v.objects.sync()
