"""The command line, run as a real subprocess: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NEW_PASSPHRASE, PASSPHRASE, run_cli, write_files

from vault.store.vault import Vault


@pytest.fixture
def folder(make_vault: Callable[..., tuple[Vault, str]]) -> Path:
    v, _ = make_vault()
    v.close()
    return v.folder


def no_traceback(r: object) -> None:
    assert "Traceback" not in getattr(r, "stderr", "") + getattr(r, "stdout", "")


def test_init_prints_the_recovery_key_once(tmp_path: Path) -> None:
    r = run_cli("init", tmp_path / "case", "--name", "Mary Okafor", "--initials", "mo",
                "--organisation", "Campaign")
    assert r.returncode == 0, r.stderr
    assert "RECOVERY KEY" in r.stdout and "fingerprint" in r.stdout
    key = r.stdout.strip().splitlines()[-1].strip()
    assert len(key.replace("-", "")) == 32
    r2 = run_cli("log", tmp_path / "case.evault")
    assert "vault created" in r2.stdout
    assert key not in (tmp_path / "case.evault" / "header.json").read_text()


def test_init_refuses_a_weak_passphrase(tmp_path: Path) -> None:
    r = run_cli("init", tmp_path / "weak", "--name", "M O", "--initials", "MO",
                passphrase="password123")
    assert r.returncode == 2 and "too weak" in r.stderr
    no_traceback(r)
    assert not (tmp_path / "weak.evault" / "header.json").exists()


def test_import_list_show_log_check(folder: Path, tmp_path: Path) -> None:
    files = write_files(tmp_path / "in", 3)
    r = run_cli("import", folder, tmp_path / "in", "--case", "NB-1", "--received-from", "email")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["MO/1", "MO/2", "MO/3"]
    assert "3 imported, 0 received again, 0 failed" in r.stderr
    listed = json.loads(run_cli("list", folder, "--json").stdout)
    assert [i["name"] for i in listed] == [f.name for f in files]
    assert listed[0]["case"] == "NB-1" and listed[0]["received_from"] == "email"
    shown = run_cli("show", folder, "mo/2")
    assert shown.returncode == 0 and files[1].name in shown.stdout and "imported" in shown.stdout
    log = run_cli("log", folder, "--json")
    events = [json.loads(ln) for ln in log.stdout.splitlines()]
    assert {"event", "hash", "sig"} == set(events[0])
    check = run_cli("check", folder)
    assert check.returncode == 0 and check.stdout.strip().endswith("signatures verify")


def test_check_exit_code_on_damage(folder: Path, tmp_path: Path) -> None:
    run_cli("import", folder, *write_files(tmp_path / "in", 1))
    obj = next(p for p in (folder / "objects").iterdir())
    obj.write_bytes(obj.read_bytes()[:-1])
    r = run_cli("check", folder)
    assert r.returncode == 1 and "PROBLEM: item MO/1" in r.stdout
    no_traceback(r)


@pytest.mark.parametrize("args,code,message", [
    (["list", "{v}"], 3, "wrong passphrase"),
    (["list", "{tmp}/nothing-here"], 4, "not a vault"),
    (["show", "{v}", "MO/99"], 1, "no item MO/99"),
    (["import", "{v}", "{tmp}/missing"], 2, "does not exist"),
    (["frobnicate"], 2, "No such command"),
])
def test_user_mistakes_get_a_message_and_an_exit_code(folder: Path, tmp_path: Path,
                                                      args: list[str], code: int,
                                                      message: str) -> None:
    argv = [a.format(v=folder, tmp=tmp_path) for a in args]
    r = run_cli(*argv, passphrase="wrong passphrase" if code == 3 else PASSPHRASE)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert message in r.stderr
    no_traceback(r)


def test_no_passphrase_without_a_terminal(folder: Path) -> None:
    r = run_cli("list", folder, passphrase=None)
    assert r.returncode == 2 and "EVIDENCE_VAULT_PASSPHRASE" in r.stderr


def test_passwd_recover_purge_extract_backup(make_vault: Callable[..., tuple[Vault, str]],
                                             tmp_path: Path) -> None:
    v, recovery = make_vault()
    v.close()
    folder = v.folder
    [src] = write_files(tmp_path / "in", 1)
    assert run_cli("import", folder, src).returncode == 0
    r = run_cli("passwd", folder, env={"EVIDENCE_VAULT_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert run_cli("list", folder).returncode == 3
    r = run_cli("recover", folder, passphrase=None,
                env={"EVIDENCE_VAULT_RECOVERY_KEY": recovery,
                     "EVIDENCE_VAULT_NEW_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.txt"
    assert run_cli("extract", folder, "MO/1", out).returncode == 0
    assert out.read_bytes() == src.read_bytes()
    assert run_cli("backup", folder, tmp_path / "bk").returncode == 0
    assert run_cli("check", tmp_path / "bk.evault").returncode == 0
    assert run_cli("purge", folder, "MO/1", "--reason", "not to be held").returncode == 0
    listed = run_cli("list", folder)
    assert "[PURGED]" in listed.stdout
    assert run_cli("check", folder).returncode == 0
    fp = run_cli("fingerprint", folder)
    assert fp.returncode == 0
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}\n", fp.stdout), fp.stdout
    custody_fp = run_cli("fingerprint", "--custody", folder)
    assert re.fullmatch(r"([0-9A-F]{4} ){15}[0-9A-F]{4}\n", custody_fp.stdout), custody_fp.stdout


def test_demo_runs_end_to_end() -> None:
    r = run_cli("demo", passphrase=None)
    assert r.returncode == 0, r.stderr
    assert "OK: 6 items" in r.stdout
    assert re.search(r"Built the sample chronology: \d+ people and bodies, \d+ facts", r.stdout)
    assert "Removed the throwaway vault" in r.stdout


def test_version() -> None:
    r = run_cli("--version", passphrase=None)
    assert r.returncode == 0 and "evidence-vault" in r.stdout
