"""Every character that some tool treats as a line break, in every text the package records
(file names, how and from whom an item was received, notes, tags, the case), goes through
export, verify and receive: genuine evidence is never called tampered."""

from __future__ import annotations

from pathlib import Path

import pytest
from packages import SOLICITOR, export, new_vault

from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.evidence.notes import add_note
from vault.evidence.tags import add_tag
from vault.packages.receive import receive_package
from vault.packages.verify import verify_package
from vault.store.check import run_check

# str.splitlines() breaks at all of these; JSON Lines break at LF only.
BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "VT": "\x0b", "FF": "\x0c", "FS": "\x1c",
          "GS": "\x1d", "RS": "\x1e", "NEL": "\x85", "LS": "\u2028", "PS": "\u2029",
          "TAB": "\t", "BOM": "\ufeff", "RLO": "\u202e"}


@pytest.mark.parametrize("label", sorted(BREAKS))
def test_line_breaking_characters_in_every_recorded_field(tmp_path: Path, label: str) -> None:
    ch = BREAKS[label]
    source = tmp_path / "in"
    source.mkdir()
    name = f"police{ch}letter{ch}.txt"
    (source / name).write_bytes(b"be noted " + label.encode())
    v = new_vault(tmp_path / "investigator")
    solicitor = new_vault(tmp_path / "solicitor", SOLICITOR)
    try:
        case = f"NB{ch}01"
        refs = [r.ref for p in import_paths(v, [source / name], case=case,
                                            received_from=f"USB stick{ch}from Y{ch}")
                for r in p.acknowledged]
        assert len(refs) == 1 and refs[0] is not None
        add_note(v, refs[0], f"first line{ch}second line")
        add_tag(v, refs[0], f"police{ch}knowledge")
        assert run_check(v).ok
        package = export(v, tmp_path / "package.zip", case=case,
                         recipient=f"Harbour{ch}Law").path
        result = verify_package(package)
        assert result.verified, result.reason
        receipt = receive_package(solicitor, package, case="HL-1",
                                  signer=v.certificate_fingerprint())
        assert receipt.verification.verified
        assert [i.name for i in list_items(solicitor, "HL-1")] == [name]
        assert run_check(solicitor).ok
    finally:
        v.close()
        solicitor.close()
