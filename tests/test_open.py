"""Opening vaults: newer formats, damaged files, locks, and the SQLCipher safety checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE

from vault.errors import NewerFormat, UnsafeEnvironment, VaultInUse, VaultUnusable
from vault.store.db import _check_library
from vault.store.vault import Vault


def closed_vault(make_vault: Callable[..., tuple[Vault, str]]) -> Path:
    v, _ = make_vault()
    v.close()
    return v.folder


def test_newer_header_format_is_refused(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    folder = closed_vault(make_vault)
    header = json.loads((folder / "header.json").read_text())
    header["version"] = 99
    (folder / "header.json").write_text(json.dumps(header))
    with pytest.raises(NewerFormat, match=r"format 99.*newer Evidence Vault"):
        Vault.open(folder, passphrase=PASSPHRASE)


def test_newer_schema_is_refused(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    v.con.execute("PRAGMA user_version = 42")
    v.close()
    with pytest.raises(NewerFormat, match="schema version 42"):
        Vault.open(v.folder, passphrase=PASSPHRASE)


def test_not_a_vault(tmp_path: Path) -> None:
    with pytest.raises(VaultUnusable, match="not a vault"):
        Vault.open(tmp_path, passphrase=PASSPHRASE)
    (tmp_path / "header.json").write_text("{not json")
    with pytest.raises(VaultUnusable, match="damaged"):
        Vault.open(tmp_path, passphrase=PASSPHRASE)


def test_damaged_index_is_a_clear_error(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    folder = closed_vault(make_vault)
    db = folder / "index.db"
    data = bytearray(db.read_bytes())
    for i in range(0, 64):
        data[i] ^= 0xFF
    db.write_bytes(data)
    with pytest.raises(VaultUnusable, match="damaged"):
        Vault.open(folder, passphrase=PASSPHRASE)


def test_missing_index(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    folder = closed_vault(make_vault)
    (folder / "index.db").unlink()
    with pytest.raises(VaultUnusable, match=r"no index\.db"):
        Vault.open(folder, passphrase=PASSPHRASE)


def test_second_opener_is_refused(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    with pytest.raises(VaultInUse, match="open in another program"):
        Vault.open(v.folder, passphrase=PASSPHRASE)
    v.close()
    Vault.open(v.folder, passphrase=PASSPHRASE).close()


def test_open_checks_sqlcipher_4_and_memory_temp_store(vault: Vault) -> None:
    assert str(vault.con.execute("PRAGMA cipher_version").fetchone()[0]).startswith("4.")
    assert vault.con.execute("PRAGMA temp_store").fetchone()[0] == 2
    assert vault.con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


class _FakeLibrary:
    """Stands in for a foreign SQLite build (not our code) answering the safety pragmas."""

    def __init__(self, version: str, temp_store: int) -> None:
        self.version, self.temp_store = version, temp_store

    def execute(self, sql: str) -> Any:
        value = self.version if "cipher_version" in sql else self.temp_store

        class Row:
            def fetchone(self) -> tuple[Any]:
                return (value,)

        return Row()


@pytest.mark.parametrize("version,temp_store,message", [
    ("3.4.1", 2, "not SQLCipher 4"),
    ("", 2, "not SQLCipher 4"),
    ("4.19.0 community", 1, "temporary data in files"),
])
def test_unsafe_sqlite_builds_are_refused(version: str, temp_store: int, message: str) -> None:
    with pytest.raises(UnsafeEnvironment, match=message):
        _check_library(_FakeLibrary(version, temp_store))


def test_crash_leftovers_are_swept_at_open(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    folder = closed_vault(make_vault)
    (folder / "objects" / ".tmp-0123").write_bytes(b"half written")
    (folder / "objects" / ("ab" * 16)).write_bytes(b"renamed, never committed")
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        assert v.objects.names() == v.referenced_objects() == set()


def test_head_file_moves_with_the_log(vault: Vault) -> None:
    head = json.loads((vault.folder / "head.json").read_text())
    assert (head["seq"], head["hash"]) == vault.last_event()
