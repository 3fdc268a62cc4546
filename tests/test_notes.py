"""Notes are custody events: signed, chained, never edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files

from vault.custody import log as custody
from vault.errors import NotFound, VaultError
from vault.evidence.importer import import_paths
from vault.evidence.notes import add_note, notes
from vault.store.check import run_check
from vault.store.vault import Vault


def test_a_note_is_a_signed_custody_event(vault: Vault, tmp_path: Path) -> None:
    (src,) = write_files(tmp_path / "in", 1)
    (result,) = [r for p in import_paths(vault, [src]) for r in p.acknowledged]
    ref = result.ref or ""
    ev = add_note(vault, ref.lower(), "  Mentions the 2011 strategy meeting.  ")
    assert ev.fields["action"] == custody.NOTE_ADDED
    assert ev.fields["item"] == ref and ev.fields["sha256"] == result.sha256
    assert ev.fields["details"] == {"text": "Mentions the 2011 strategy meeting."}
    assert notes(vault, ref) == [{"text": "Mentions the 2011 strategy meeting.",
                                  "time": ev.fields["time"], "author": "Mary Okafor"}]
    assert run_check(vault).ok


def test_empty_long_and_unknown_are_refused(vault: Vault, tmp_path: Path) -> None:
    (src,) = write_files(tmp_path / "in", 1)
    list(import_paths(vault, [src]))
    before = len(list(vault.events()))
    with pytest.raises(VaultError, match="empty"):
        add_note(vault, "MO/1", "   ")
    with pytest.raises(VaultError, match="longer than"):
        add_note(vault, "MO/1", "x" * 20_001)
    with pytest.raises(NotFound):
        add_note(vault, "MO/99", "a note")
    assert len(list(vault.events())) == before
