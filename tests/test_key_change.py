"""Replacing the keys revokes what a passphrase change cannot: after it, the old passphrase,
the old recovery key and an old copy of header.json open nothing in the vault, while every
item stays readable; the change survives being cut short at every step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IDENTITY, NEW_PASSPHRASE, PASSPHRASE, ROOT, run_cli, write_files
from packages import import_files

from vault.custody import log as custody
from vault.errors import VaultUnusable, WrongSecret
from vault.evidence.copyout import extract_item
from vault.store.check import run_check
from vault.store.key_change import replace_keys
from vault.store.keyslots import TEST_KDF, new_recovery_key
from vault.store.vault import Vault


def made(tmp_path: Path) -> tuple[Path, str, bytes]:
    """A vault holding one letter; its recovery key; the letter's bytes."""
    v, recovery = Vault.create(tmp_path / "mary", PASSPHRASE, IDENTITY,
                               kdf=TEST_KDF)
    letter = write_files(tmp_path / "docs", 1, prefix="letter")[0]
    import_files(v, [letter])
    folder = v.folder
    v.close()
    return folder, recovery, letter.read_bytes()


def events(v: Vault, action: str) -> list[dict[str, object]]:
    bodies = [json.loads(e.body) for e in v.events()]
    return [b for b in bodies if b["action"] == action]


def test_old_secrets_and_an_old_header_open_nothing_after_the_keys_are_replaced(
        tmp_path: Path) -> None:
    folder, old_recovery, content = made(tmp_path)
    old_header = (folder / "header.json").read_bytes()
    recovery = new_recovery_key()
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        replace_keys(v, NEW_PASSPHRASE, recovery, reason="the passphrase was seen", kdf=TEST_KDF)
        # Still working in the same session, under the new key.
        import_files(v, write_files(tmp_path / "more", 1, prefix="minutes"))
    header = json.loads((folder / "header.json").read_bytes())
    assert [(s["id"], s["kind"]) for s in header["slots"]] == [(1, "passphrase"), (2, "recovery")]
    assert not any("replaces" in s or "change" in s for s in header["slots"])

    with pytest.raises(WrongSecret, match="wrong passphrase"):
        Vault.open(folder, passphrase=PASSPHRASE)
    with pytest.raises(WrongSecret, match="wrong recovery key"):
        Vault.open(folder, recovery_key=old_recovery)
    # An older header.json (a backup, a sync service's history) unwraps the old master key,
    # which the index no longer accepts.
    current = (folder / "header.json").read_bytes()
    (folder / "header.json").write_bytes(old_header)
    with pytest.raises(VaultUnusable, match="does not belong"):
        Vault.open(folder, passphrase=PASSPHRASE)
    with pytest.raises(VaultUnusable, match="does not belong"):
        Vault.open(folder, recovery_key=old_recovery)
    said = run_cli("list", folder)  # a plain message, not SQLCipher's log or a traceback
    assert said.returncode != 0 and "does not belong" in said.stderr
    assert "ERROR CORE" not in said.stderr and "Traceback" not in said.stderr, said.stderr
    (folder / "header.json").write_bytes(current)

    for n, secret in enumerate(({"passphrase": NEW_PASSPHRASE}, {"recovery_key": recovery})):
        with Vault.open(folder, **secret) as v:  # type: ignore[arg-type]
            assert extract_item(v, "MO/1", tmp_path / f"copy-{n}").read_bytes() == content
            done = events(v, custody.KEYS_REPLACED)
            assert len(done) == 1 and done[0]["details"]["reason"] == "the passphrase was seen"
            report = run_check(v)
            assert report.ok, report.problems


def test_the_command_line_shows_the_new_recovery_key_and_needs_it_typed_back(
        tmp_path: Path) -> None:
    folder, _, _ = made(tmp_path)
    mistyped = run_cli("rekey", folder, "--reason", "laptop seen unattended",
                       env={"EVIDENCE_VAULT_NEW_PASSPHRASE": NEW_PASSPHRASE},
                       input="0000-0000-0000-0000-0000-0000-0000-0000\n")
    assert mistyped.returncode != 0
    assert "Traceback" not in mistyped.stderr
    assert "nothing was changed" in mistyped.stderr.lower()
    with Vault.open(folder, passphrase=PASSPHRASE):
        pass  # unchanged

    # The key is printed first; reading it back from the output, as a person copies it.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")},
           "EVIDENCE_VAULT_PASSPHRASE": PASSPHRASE,
           "EVIDENCE_VAULT_NEW_PASSPHRASE": NEW_PASSPHRASE}
    with subprocess.Popen([sys.executable, "-m", "vault", "rekey", str(folder), "--reason",
                           "seen"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env) as proc:
        assert proc.stdout is not None and proc.stdin is not None and proc.stderr is not None
        key = ""
        while not key:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            words = line.split()
            if len(words) == 1 and words[0].count("-") == 7:
                key = words[0]
        proc.stdin.write(key + "\n")
        proc.stdin.close()
        said = proc.stdout.read()
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert "no longer open" in said
    with pytest.raises(WrongSecret):
        Vault.open(folder, passphrase=PASSPHRASE)
    with Vault.open(folder, recovery_key=key) as v:
        assert len(events(v, custody.KEYS_REPLACED)) == 1


CUT_SHORT = """
import os, sys
from vault.store.key_change import replace_keys
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault
folder, old, new, recovery, stop = sys.argv[1:]
v = Vault.open(folder, passphrase=old)
def step(name):
    if name == stop:
        os._exit(3)  # the power fails: nothing is closed or cleaned up
replace_keys(v, new, recovery, kdf=TEST_KDF, after_step=step, check_strength=False)
"""


def cut_short(folder: Path, recovery: str, stop: str) -> None:
    done = subprocess.run([sys.executable, "-c", CUT_SHORT, str(folder), PASSPHRASE,
                           NEW_PASSPHRASE, recovery, stop], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 3, done.stderr


def test_cut_short_before_the_index_changed_the_old_keys_still_work(tmp_path: Path) -> None:
    folder, old_recovery, content = made(tmp_path)
    recovery = new_recovery_key()
    cut_short(folder, recovery, "header")
    assert len(json.loads((folder / "header.json").read_bytes())["slots"]) == 4
    with pytest.raises(WrongSecret, match=r"was being set .* before it took effect"):
        Vault.open(folder, passphrase=NEW_PASSPHRASE)
    with pytest.raises(WrongSecret, match="was being set"):
        Vault.open(folder, recovery_key=recovery)
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        assert any("interrupted before it took effect" in n for n in v.notices), v.notices
        assert events(v, custody.KEYS_REPLACED) == []
        assert extract_item(v, "MO/1", tmp_path / "copy").read_bytes() == content
    assert len(json.loads((folder / "header.json").read_bytes())["slots"]) == 2
    with Vault.open(folder, recovery_key=old_recovery) as v:
        assert v.notices == []


@pytest.mark.parametrize("stop", ["index", "event"])
def test_cut_short_after_the_index_changed_the_new_keys_open_it_and_it_is_recorded(
        tmp_path: Path, stop: str) -> None:
    folder, old_recovery, content = made(tmp_path)
    recovery = new_recovery_key()
    cut_short(folder, recovery, stop)
    with pytest.raises(WrongSecret, match="keys were changed"):
        Vault.open(folder, passphrase=PASSPHRASE)
    with pytest.raises(WrongSecret, match="keys were changed"):
        Vault.open(folder, recovery_key=old_recovery)
    with Vault.open(folder, recovery_key=recovery) as v:
        done = events(v, custody.KEYS_REPLACED)
        assert len(done) == 1
        assert done[0]["details"].get("completed_on_open") is (True if stop == "index" else None)
        assert extract_item(v, "MO/1", tmp_path / "copy").read_bytes() == content
        report = run_check(v)
        assert report.ok, report.problems
    header = json.loads((folder / "header.json").read_bytes())
    assert [(s["id"], s["kind"]) for s in header["slots"]] == [(1, "passphrase"), (2, "recovery")]
    with pytest.raises(WrongSecret, match="wrong passphrase"):
        Vault.open(folder, passphrase=PASSPHRASE)
    with Vault.open(folder, passphrase=NEW_PASSPHRASE) as v:
        assert len(events(v, custody.KEYS_REPLACED)) == 1


KEY_CHANGE_FIXTURE = ROOT / "tests" / "fixtures" / "vault-v2-key-change-cut-short.evault"


def test_the_committed_fixture_cut_short_after_the_index_changed(tmp_path: Path) -> None:
    """A vault of format version 2 left between steps 2 and 3, made once and kept."""
    from conftest import committed_fixture

    folder, fields = committed_fixture(tmp_path, KEY_CHANGE_FIXTURE.name)
    assert len(json.loads((folder / "header.json").read_bytes())["slots"]) == 4
    with pytest.raises(WrongSecret, match="keys were changed"):
        Vault.open(folder, passphrase=fields["old passphrase"])
    with pytest.raises(WrongSecret, match="keys were changed"):
        Vault.open(folder, recovery_key=fields["old recovery key"])
    with Vault.open(folder, passphrase=fields["new passphrase"]) as v:
        assert v.vault_id == fields["vault id"]
        done = events(v, custody.KEYS_REPLACED)
        assert len(done) == 1 and done[0]["details"]["completed_on_open"] is True
        assert sum(1 for _ in v.events()) == int(fields["custody events"]) + 1
        report = run_check(v)
        assert report.ok, report.problems
    assert len(json.loads((folder / "header.json").read_bytes())["slots"]) == 2
    with Vault.open(folder, recovery_key=fields["new recovery key"]):
        pass
