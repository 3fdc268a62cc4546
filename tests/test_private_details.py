"""A package for another party carries no absolute path (folder names often hold a survivor's
or a child's name) and no computer name: the signed records hold the path below the folder
imported and a commitment to the rest, which the vault keeps and `check` verifies."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from conftest import PASSPHRASE, run_cli
from packages import CASE, export, import_files, new_vault, read_zip

from vault.custody.log import canonical
from vault.evidence.items import provenance
from vault.evidence.private_details import commitment, private_record
from vault.packages.verify import verify_package
from vault.store.check import run_check
from vault.store.vault import Vault


def test_a_package_reveals_no_path_or_computer_name(tmp_path: Path) -> None:
    folder = tmp_path / "Child A Okafor statements"
    (folder / "school").mkdir(parents=True)
    (folder / "school" / "letter.txt").write_text("From the school, 3 May.\n")
    (tmp_path / "single.txt").write_text("A note.\n")
    v = new_vault(tmp_path / "mary")
    try:
        import_files(v, [folder, tmp_path / "single.txt"])
        records = {p["original_name"]: p for r in ("MO/1", "MO/2") for p in provenance(v, r)}
        assert records["letter.txt"]["original_path"] == "school/letter.txt"
        assert records["single.txt"]["original_path"] == "single.txt"
        kept = private_record(v.con, records["letter.txt"]["private_sha256"])
        assert kept is not None
        assert kept["original_path"] == str(folder / "school" / "letter.txt")
        assert kept["machine"] == socket.gethostname()
        assert run_check(v).ok
        package = export(v, tmp_path / "p.zip", case=None, refs=["MO/1", "MO/2"]).path
    finally:
        v.close()
    data = package.read_bytes()
    assert b"Okafor statements" not in data and str(tmp_path).encode() not in data
    host = json.dumps(socket.gethostname()).encode()  # as a value: "vm", not any "vm"
    for name, content in read_zip(package)[1].items():
        if not name.endswith(".pdf"):
            assert host not in content, name
    assert verify_package(package).intact
    # The investigator can disclose one record later: salt and record match the signed value.
    with Vault.open(tmp_path / "mary", passphrase=PASSPHRASE) as again:
        sealed = records["letter.txt"]["private_sha256"]
        salt, record = again.con.execute(
            "SELECT salt, record FROM private_details WHERE commitment=?", (sealed,)).fetchone()
        assert commitment(bytes(salt), json.loads(record)) == sealed
        assert canonical(json.loads(record))
    shown = run_cli("show", tmp_path / "mary", "MO/1")
    assert str(folder / "school" / "letter.txt") in shown.stdout  # the vault keeps it all


def test_a_private_record_changed_is_found_by_check(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "mary")
    try:
        (tmp_path / "a.txt").write_text("a\n")
        import_files(v, [tmp_path / "a.txt"], case=CASE)
        with v.transaction():
            v.con.execute("UPDATE private_details SET record=?",
                          (json.dumps({"original_path": "/somewhere/else.txt",
                                       "machine": "another"}),))
        problems = run_check(v).problems
        assert any("do not match their signed commitment" in p for p in problems), problems
    finally:
        v.close()
