"""Hostile or odd input to the core gives a clear VaultError or a reported problem, never a
crash (each case found while reviewing the formats)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PASSPHRASE

from vault.custody import log as custody
from vault.errors import VaultUnusable
from vault.evidence.metadata import _json_safe
from vault.store.keyslots import parse_recovery_key
from vault.store.vault import Vault


def test_recovery_key_pasted_with_crlf(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    _, recovery = make_vault()
    assert parse_recovery_key(recovery.replace("-", "\r\n")) == parse_recovery_key(recovery)


@pytest.mark.parametrize("field,value", [
    ("m_kib", 0), ("t", 0), ("p", 0), ("m_kib", 1 << 40), ("t", "2"), ("version", 16),
])
def test_tampered_kdf_parameters_are_refused(make_vault: Callable[..., tuple[Vault, str]],
                                             field: str, value: object) -> None:
    v, _ = make_vault()
    v.close()
    header = json.loads((v.folder / "header.json").read_text())
    header["slots"][0]["kdf"][field] = value
    (v.folder / "header.json").write_text(json.dumps(header))
    with pytest.raises(VaultUnusable, match="key slot 1"):
        Vault.open(v.folder, passphrase=PASSPHRASE)


def test_metadata_is_made_signable() -> None:
    assert _json_safe({"a": float("nan"), "b": [float("inf"), 1.5], "c": 2**60}) == \
        {"a": None, "b": [None, 1.5], "c": str(2**60)}


@pytest.mark.parametrize("body", [b"[1]", b'{"v":1,"x":NaN}', b"not json"])
def test_chain_verifier_reports_odd_bodies(vault: Vault, body: bytes) -> None:
    ev = custody.Event(seq=1, body=body, hash=custody.sha256_hex(body), sig=b"\0" * 64)
    problems = [str(p) for p in custody.verify_chain([ev], vault.public_key)]
    assert any("not valid JSON" in p or "canonical" in p for p in problems)


def test_odd_things_in_the_vault_folder(make_vault: Callable[..., tuple[Vault, str]]) -> None:
    v, _ = make_vault()
    v.close()
    (v.folder / "objects" / "a-folder").mkdir()
    (v.folder / ".head.json.0badf00d.partial").write_text("{}")
    with Vault.open(v.folder, passphrase=PASSPHRASE) as v2:
        assert not v2.open_warnings
    assert (v.folder / "objects" / "a-folder").is_dir()
    assert not (v.folder / ".head.json.0badf00d.partial").exists()


def test_head_for_another_vault_is_reported(make_vault: Callable[..., tuple[Vault, str]]
                                            ) -> None:
    v, _ = make_vault()
    v.close()
    head = json.loads((v.folder / "head.json").read_text())
    head["vault"] = "someone-else"
    (v.folder / "head.json").write_text(json.dumps(head))
    with Vault.open(v.folder, passphrase=PASSPHRASE) as v2:
        assert "head.json is damaged" in v2.open_warnings[0]


def test_wrong_length_object_key(vault: Vault, tmp_path: Path) -> None:
    from vault.errors import IntegrityError
    from vault.store.objects import ObjectReader

    with pytest.raises(IntegrityError, match="damaged key"):
        ObjectReader(tmp_path / "x", "00" * 16, b"short")


def test_what_a_hostile_file_can_write_into_an_event_is_bounded() -> None:
    """A crafted JPEG once put 11,994 warnings into one signed custody event: the first few
    are kept, each of a readable length, then how many more there were."""
    from vault.evidence.metadata import MAX_WARNINGS, capped

    many = [f"image warning: corrupt data {i} " + "x" * 2000 for i in range(11_994)]
    kept = capped(many)
    assert len(kept) == MAX_WARNINGS + 1
    assert all(len(w) <= 501 for w in kept[:-1])
    assert kept[-1].startswith("… and 11,974 more warnings")
    assert capped(["one"]) == ["one"]
