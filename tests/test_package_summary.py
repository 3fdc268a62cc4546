"""Package format version 4: what a package holds, said in bag-info.txt and checked. The
investigator's notes and annotations stay out unless she sends them (the excerpt still
verifies); a withdrawn copy stays out of a whole-case export unless asked for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli
from packages import CASE, export, import_files, new_vault, read_zip, rewrite_zip
from test_annotations import make_pdf
from test_package_binding import resign

from vault.custody import log as custody
from vault.documents.annotations import add_annotation
from vault.documents.derive import redacted_copy
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.evidence.notes import add_note
from vault.evidence.withdraw import withdraw_copy
from vault.packages.export import preview
from vault.packages.format import BAG_INFO, CUSTODY_LOG, REPORT, parse_bag_info
from vault.packages.verify import verify_package
from vault.store.check import run_check
from vault.store.vault import Vault

SECRET = "privileged: the caller may not be reliable"


@pytest.fixture
def case_vault(tmp_path: Path) -> Vault:
    """MO/1 a letter (PDF) with a note and an annotation; MO/2 its redacted copy (leaky),
    MO/3 a better one."""
    v = new_vault(tmp_path / "mary")
    import_files(v, [make_pdf(tmp_path / "letter.pdf", 1, lines=["Dear Ms Okafor, about Child A",
                                                                  "Signed: J. Smith"])],
                 case=CASE)
    add_note(v, "MO/1", SECRET)
    add_annotation(v, "MO/1", "note", 0, {"rect": [400, 50, 420, 70]}, text="ask his manager")
    redacted_copy(v, "MO/1", texts=["Okafor"])
    redacted_copy(v, "MO/1", texts=["Okafor", "Smith"])
    yield v
    v.close()


def events_in(package: Path) -> list[dict[str, object]]:
    log = read_zip(package)[1][CUSTODY_LOG]
    return [json.loads(line)["event"] for line in log.splitlines() if b'"event"' in line]


def test_notes_are_left_out_by_default_and_the_package_still_verifies(
        case_vault: Vault, tmp_path: Path) -> None:
    package = export(case_vault, tmp_path / "p.zip", case=CASE).path
    assert SECRET.encode() not in package.read_bytes()
    assert b"ask his manager" not in package.read_bytes()
    actions = {e["action"] for e in events_in(package)}
    assert not actions & set(custody.WORKINGS)
    result = verify_package(package)
    assert result.intact, result.reason
    assert result.notes == "left out"
    info = parse_bag_info(read_zip(package)[1][BAG_INFO])
    assert info["Evidence-Vault-Package-Version"] == "6"
    assert (info["Evidence-Vault-Originals"], info["Evidence-Vault-Redacted-Copies"],
            info["Evidence-Vault-Withdrawn-Copies"]) == ("1", "2", "0")
    check = next(c for c in result.checks if c.name == "summary")
    assert check.ok and "1 originals, 2 redacted copies" in check.detail


def test_notes_go_when_chosen(case_vault: Vault, tmp_path: Path) -> None:
    package = export(case_vault, tmp_path / "p.zip", case=CASE, notes=True).path
    assert SECRET.encode() in package.read_bytes()
    actions = [e["action"] for e in events_in(package)]
    assert custody.NOTE_ADDED in actions and custody.ANNOTATION_ADDED in actions
    result = verify_package(package)
    assert result.intact and result.notes == "included"


def test_a_summary_that_lies_fails_even_re_signed(case_vault: Vault, tmp_path: Path) -> None:
    """The holder of the key re-signs a package whose summary hides the redacted copies, or
    claims notes left out while they are in: the summary check names it."""
    with_notes = export(case_vault, tmp_path / "n.zip", case=CASE, notes=True).path

    def claims_left_out(e: dict[str, bytes]) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(b"Evidence-Vault-Notes: included",
                                          b"Evidence-Vault-Notes: left out")
        resign(e, case_vault)

    def hides_copies(e: dict[str, bytes]) -> None:
        e[BAG_INFO] = re.sub(rb"Evidence-Vault-Redacted-Copies: \d+",
                             b"Evidence-Vault-Redacted-Copies: 0", e[BAG_INFO])
        resign(e, case_vault)

    for name, mutate, says in (("left-out.zip", claims_left_out, "note or annotation events"),
                               ("hidden.zip", hides_copies, "Redacted-Copies says 0")):
        rewrite_zip(with_notes, tmp_path / name, mutate)
        result = verify_package(tmp_path / name)
        assert not result.intact and result.reason.startswith("summary"), result.reason
        assert says in result.reason


def test_a_withdrawn_copy_stays_out_of_a_case_export(case_vault: Vault, tmp_path: Path) -> None:
    v = case_vault
    with pytest.raises(VaultError, match="originals are never withdrawn"):
        withdraw_copy(v, "MO/1", "wrong")
    with pytest.raises(VaultError, match="say why"):
        withdraw_copy(v, "MO/2", "  ")
    ev = withdraw_copy(v, "MO/2", "the signature's surname was left visible",
                       superseded_by="MO/3")
    assert ev.fields["details"]["superseded_by"] == "MO/3"
    assert get_item(v, "MO/2").withdrawn == "MO/3" and get_item(v, "MO/3").withdrawn is None
    with pytest.raises(VaultError, match="withdrawn already"):
        withdraw_copy(v, "MO/2", "again")
    assert run_check(v).ok, run_check(v).problems
    seen = preview(v, case=CASE)
    assert seen.withdrawn_left_out == ["MO/2"] and seen.redacted == ["MO/3"]
    package = export(v, tmp_path / "p.zip", case=CASE).path
    names = list(read_zip(package)[1])
    assert not [n for n in names if "MO-2" in n]
    assert verify_package(package).intact
    # asked for: it goes, counted and named as withdrawn
    asked = export(v, tmp_path / "asked.zip", case=CASE, include_withdrawn=True).path
    result = verify_package(asked)
    assert result.intact and result.withdrawn == ["MO/2"]
    assert parse_bag_info(read_zip(asked)[1][BAG_INFO])["Evidence-Vault-Withdrawn-Copies"] == "1"
    # the exhibit list says it was withdrawn, and what the boxes' reason codes mean
    import pymupdf

    with pymupdf.open(stream=read_zip(asked)[1][REPORT], filetype="pdf") as doc:
        text = " ".join(" ".join(page.get_text().split()) for page in doc)
    assert "WITHDRAWN" in text and "superseded by MO/3" in text
    assert "Redaction reason codes" in text and "S1 Personal data of a third party" in text


def test_withdraw_from_the_command_line(case_vault: Vault, tmp_path: Path) -> None:
    folder = case_vault.folder
    case_vault.close()
    done = run_cli("withdraw", folder, "MO/2", "--reason", "surname left visible",
                   "--superseded-by", "MO/3")
    assert done.returncode == 0, done.stderr
    assert "MO/2 is withdrawn, superseded by MO/3" in done.stdout
    listed = run_cli("list", folder)
    assert re.search(r"MO/2\t.*withdrawn, superseded by MO/3", listed.stdout), listed.stdout
    again = run_cli("withdraw", folder, "MO/1", "--reason", "x")
    assert again.returncode != 0 and "originals are never withdrawn" in again.stderr
    out = tmp_path / "cli.zip"
    done = run_cli("export", folder, "--case", CASE, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "left out: MO/2 (withdrawn)" in done.stderr
    assert "notes and annotations: left out" in done.stderr
