"""A purge destroys the item's words in the search index too: not only unfindable, but gone
from the FTS5 segments' raw bytes, in the vault and in a backup made afterwards."""

from __future__ import annotations

from pathlib import Path

from conftest import PASSPHRASE
from packages import import_files, new_vault

from vault.evidence.purge import purge
from vault.search.index import run_index_jobs
from vault.search.query import search
from vault.store.backup import backup
from vault.store.vault import Vault

WORD = b"Quillfeatherstone"  # a survivor's (invented) surname


def raw_segments(v: Vault) -> bytes:
    with v.db_lock:
        return b"".join(bytes(r[0]) for r in v.con.execute(
            "SELECT block FROM search_text_data WHERE block IS NOT NULL"))


def test_purged_words_leave_the_raw_index_and_later_backups(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "statement.txt").write_bytes(b"Statement of Mary " + WORD + b", 3 May 2026.\n")
    (docs / "minutes.txt").write_bytes(b"Minutes of the housing panel.\n")
    v = new_vault(tmp_path / "mary")
    try:
        import_files(v, sorted(docs.iterdir()))
        list(run_index_jobs(v))
        assert search(v, WORD.decode())
        assert WORD.lower() in raw_segments(v).lower()
        ref = next(h.ref for h in search(v, WORD.decode()))
        purge(v, ref, "the survivor withdrew her consent")
        assert search(v, WORD.decode()) == []
        assert WORD.lower() not in raw_segments(v).lower()
        copy = backup(v, tmp_path / "backup")
    finally:
        v.close()
    b = Vault.open(copy, passphrase=PASSPHRASE)
    try:
        assert WORD.lower() not in raw_segments(b).lower()
        assert search(b, "housing")  # the rest still found
    finally:
        b.close()
