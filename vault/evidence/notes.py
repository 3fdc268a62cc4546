"""Notes on items: each one is a custody event (``note added``), so it can never be edited
or removed silently."""

from __future__ import annotations

from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.search.index import refresh_sources
from vault.store.vault import Vault

MAX_NOTE = 20_000  # characters


def add_note(v: Vault, ref: str, text: str) -> custody.Event:
    text = text.strip()
    if not text:
        raise VaultError("the note is empty")
    if len(text) > MAX_NOTE:
        raise VaultError(f"the note is longer than {MAX_NOTE:,} characters")
    item = get_item(v, ref)
    with v.transaction():
        ev = v.record(custody.NOTE_ADDED, item=item.ref, sha256=item.sha256,
                      details={"text": text})
        item_id = v.con.execute("SELECT id FROM items WHERE ref=?", (item.ref,)).fetchone()[0]
        refresh_sources(v, int(item_id), ("note",))  # searchable at once
        return ev


def notes(v: Vault, ref: str) -> list[dict[str, str]]:
    """The item's notes, oldest first: text, time and author."""
    return [{"text": str(e.fields["details"].get("text", "")), "time": e.fields["time"],
             "author": e.fields["actor"].get("name", "")}
            for e in v.events(get_item(v, ref).ref) if e.fields["action"] == custody.NOTE_ADDED]
