"""Tags on items ("police knowledge", "council minutes"): each one added or removed is a custody
event (``tag added``, ``tag removed``), and the item's tag rows in the search index follow at
once."""

from __future__ import annotations

from vault.clock import iso_utc
from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.search.index import refresh_sources
from vault.store.vault import Vault

MAX_TAG = 100  # characters


def normalise_tag(name: str) -> str:
    """A tag as stored: spaces collapsed; a VaultError when empty or too long."""
    tag = " ".join(str(name).split())
    if not tag:
        raise VaultError("a tag cannot be empty")
    if len(tag) > MAX_TAG:
        raise VaultError(f"a tag is at most {MAX_TAG} characters")
    if any(ord(ch) < 32 for ch in tag):
        raise VaultError("a tag cannot hold control characters")
    return tag


def _item_id(v: Vault, ref: str) -> int:
    return int(v.con.execute("SELECT id FROM items WHERE ref=?", (ref,)).fetchone()[0])


def add_tag(v: Vault, ref: str, name: str) -> bool:
    """Tag an item; False (and nothing recorded) when it already has that tag."""
    tag = normalise_tag(name)
    item = get_item(v, ref)
    if item.status != "present":
        raise VaultError(f"{item.ref} was purged: it cannot be tagged")
    with v.transaction():
        item_id = _item_id(v, item.ref)
        row = v.con.execute("SELECT id, name FROM tags WHERE name=?", (tag,)).fetchone()
        if row is None:
            tag_id = int(v.con.execute("INSERT INTO tags (name, created) VALUES (?, ?)",
                                       (tag, iso_utc(v.clock.now()))).lastrowid)
        else:
            tag_id, tag = int(row[0]), str(row[1])  # the spelling first used
        if v.con.execute("SELECT 1 FROM item_tags WHERE item_id=? AND tag_id=?",
                         (item_id, tag_id)).fetchone():
            return False
        v.con.execute("INSERT INTO item_tags (item_id, tag_id, added) VALUES (?, ?, ?)",
                      (item_id, tag_id, iso_utc(v.clock.now())))
        v.record(custody.TAG_ADDED, item=item.ref, sha256=item.sha256, details={"tag": tag})
        refresh_sources(v, item_id, ("tag",))
    return True


def remove_tag(v: Vault, ref: str, name: str) -> None:
    """Take a tag off an item; a VaultError when it does not have it."""
    tag = normalise_tag(name)
    item = get_item(v, ref)
    with v.transaction():
        item_id = _item_id(v, item.ref)
        row = v.con.execute("SELECT t.id, t.name FROM tags t JOIN item_tags it ON "
                            "it.tag_id = t.id WHERE it.item_id=? AND t.name=?",
                            (item_id, tag)).fetchone()
        if row is None:
            raise VaultError(f"{item.ref} has no tag {tag!r}")
        tag_id, tag = int(row[0]), str(row[1])
        v.con.execute("DELETE FROM item_tags WHERE item_id=? AND tag_id=?", (item_id, tag_id))
        if not v.con.execute("SELECT 1 FROM item_tags WHERE tag_id=?", (tag_id,)).fetchone():
            v.con.execute("DELETE FROM tags WHERE id=?", (tag_id,))
        v.record(custody.TAG_REMOVED, item=item.ref, sha256=item.sha256, details={"tag": tag})
        refresh_sources(v, item_id, ("tag",))


def tags_of(v: Vault, ref: str) -> list[str]:
    item = get_item(v, ref)
    with v.db_lock:
        return [str(r[0]) for r in v.con.execute(
            "SELECT t.name FROM tags t JOIN item_tags it ON it.tag_id = t.id JOIN items i ON "
            "i.id = it.item_id WHERE i.ref=? ORDER BY t.name COLLATE NOCASE", (item.ref,))]


def all_tags(v: Vault) -> list[tuple[str, int]]:
    """Every tag in use, with how many items (present ones) carry it, by name."""
    with v.db_lock:
        return [(str(n), int(c)) for n, c in v.con.execute(
            "SELECT t.name, count(i.id) FROM tags t JOIN item_tags it ON it.tag_id = t.id "
            "LEFT JOIN items i ON i.id = it.item_id AND i.status = 'present' GROUP BY t.id "
            "ORDER BY t.name COLLATE NOCASE")]
