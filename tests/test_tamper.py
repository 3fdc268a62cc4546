"""Every kind of tampering is caught by ``check`` and located at the right item or event."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PASSPHRASE, write_files
from test_import import run_import

from vault.evidence.items import get_item
from vault.store.check import run_check
from vault.store.vault import Vault


@pytest.fixture
def filled(vault: Vault, tmp_path: Path) -> Vault:
    run_import(vault, *write_files(tmp_path / "in", 4, size=3 * (1 << 20) // 2))
    assert run_check(vault).ok
    return vault


def object_path(v: Vault, ref: str) -> Path:
    oid = get_item(v, ref).oid
    assert oid is not None
    return v.objects.path(oid)


def first_problem(v: Vault) -> str:
    report = run_check(v)
    assert not report.ok
    return report.problems[0]


def drop_triggers(v: Vault) -> None:
    v.con.execute("DROP TRIGGER custody_no_update")
    v.con.execute("DROP TRIGGER custody_no_delete")


@pytest.mark.parametrize("offset", [0, 20, 1 << 20, -1])
def test_one_flipped_byte_in_an_object(filled: Vault, offset: int) -> None:
    p = object_path(filled, "MO/2")
    data = bytearray(p.read_bytes())
    data[offset] ^= 0x80
    p.write_bytes(data)
    assert first_problem(filled).startswith("item MO/2:")


def test_swapped_objects(filled: Vault) -> None:
    a, b = object_path(filled, "MO/1"), object_path(filled, "MO/3")
    a_bytes = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(a_bytes)
    problems = run_check(filled).problems
    assert [p.split(":")[0] for p in problems] == ["item MO/1", "item MO/3"]


def test_truncated_object(filled: Vault) -> None:
    p = object_path(filled, "MO/4")
    p.write_bytes(p.read_bytes()[: (1 << 20) + 100])
    assert first_problem(filled).startswith("item MO/4:")


def test_deleted_object(filled: Vault) -> None:
    object_path(filled, "MO/2").unlink()
    assert first_problem(filled) == "item MO/2: object " + (get_item(filled, "MO/2").oid or "") \
        + " is missing"


def test_edited_item_hash(filled: Vault) -> None:
    filled.con.execute("UPDATE items SET sha256=? WHERE ref='MO/3'", ("0" * 64,))
    assert first_problem(filled).startswith("item MO/3: its recorded SHA-256 differs")


def test_triggers_refuse_update_and_delete(filled: Vault) -> None:
    with pytest.raises(Exception, match="append-only"):
        filled.con.execute("UPDATE custody SET item='MO/9' WHERE seq=2")
    with pytest.raises(Exception, match="append-only"):
        filled.con.execute("DELETE FROM custody WHERE seq=2")


def test_edited_custody_row(filled: Vault) -> None:
    drop_triggers(filled)
    body = filled.con.execute("SELECT body FROM custody WHERE seq=3").fetchone()[0]
    edited = bytes(body).replace(b"Mary Okafor", b"Mary Okafor Jr")
    filled.con.execute("UPDATE custody SET body=? WHERE seq=3", (edited,))
    assert first_problem(filled).startswith("custody event 3:")


def test_edited_custody_row_with_new_hash(filled: Vault) -> None:
    import hashlib

    drop_triggers(filled)
    body = bytes(filled.con.execute("SELECT body FROM custody WHERE seq=4").fetchone()[0])
    edited = body.replace(b"Investigator", b"Investigatrix")
    filled.con.execute("UPDATE custody SET body=?, hash=? WHERE seq=4",
                       (edited, hashlib.sha256(edited).hexdigest()))
    assert first_problem(filled) == \
        "custody event 4: its signature does not verify with the vault's key"


def test_deleted_custody_row(filled: Vault) -> None:
    drop_triggers(filled)
    filled.con.execute("DELETE FROM custody WHERE seq=3")
    assert first_problem(filled).startswith("custody event 4: out of sequence")


def test_reordered_custody_rows(filled: Vault) -> None:
    drop_triggers(filled)
    rows = {s: (b, h, g) for s, b, h, g in
            filled.con.execute("SELECT seq, body, hash, sig FROM custody WHERE seq IN (2, 3)")}
    for seq, other in ((2, 3), (3, 2)):
        filled.con.execute("UPDATE custody SET body=?, hash=?, sig=? WHERE seq=?",
                           (*rows[other], seq))
    assert first_problem(filled).startswith("custody event 2:")


def test_last_events_removed_is_reported_at_open(
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    v, _ = make_vault()
    run_import(v, *write_files(tmp_path / "a", 2))
    drop_triggers(v)
    last = v.last_event()[0]
    v.con.execute("DELETE FROM custody WHERE seq=?", (last,))
    folder = v.folder
    v.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as v2:
        assert any("restored from an older copy or its log was truncated" in w
                   for w in v2.open_warnings)
        assert not run_check(v2).ok


def test_vault_restored_from_an_older_copy_is_reported(
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    v, _ = make_vault()
    run_import(v, *write_files(tmp_path / "a", 2))
    folder = v.folder
    v.close()
    old = tmp_path / "old-index.db"
    shutil.copy(folder / "index.db", old)
    with Vault.open(folder, passphrase=PASSPHRASE) as v2:
        run_import(v2, *write_files(tmp_path / "b", 2, prefix="later"))
    shutil.copy(old, folder / "index.db")
    with Vault.open(folder, passphrase=PASSPHRASE) as v3:
        assert v3.open_warnings and "older copy" in v3.open_warnings[0]
        # Objects the older index does not know are not swept while the problem stands.
        assert v3.objects.names() - v3.referenced_objects()


def test_rewritten_log_is_reported_at_open(
        make_vault: Callable[..., tuple[Vault, str]], tmp_path: Path) -> None:
    v, _ = make_vault()
    run_import(v, *write_files(tmp_path / "a", 2))
    drop_triggers(v)
    last = v.last_event()[0]
    v.con.execute("UPDATE custody SET hash=? WHERE seq=?", ("f" * 64, last))
    folder = v.folder
    v.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as v2:
        assert "the log was rewritten" in v2.open_warnings[0]


def test_clean_vault_checks_ok(filled: Vault) -> None:
    report = run_check(filled)
    assert report.ok and report.items_checked == 4 and report.events_checked >= 5
