"""Every script searchable as it is usually typed: vowel marks, points, tonos, tatweel and
compatibility forms folded the same way at indexing and at query time."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import import_refs

from vault.search.fold import fold
from vault.search.index import FOLD_SETTING, run_index_jobs
from vault.search.query import search
from vault.store.vault import Vault

# (language, text in the document, what a person types, the hit's word as shown)
WORDS = [
    ("Arabic harakat", "قال يا حَبيبي في الرسالة", "حبيبي"),
    ("Arabic prefix", "قال يا حَبيبي في الرسالة", "حب*"),
    ("Arabic tatweel", "هذا كتـــاب الشرطة", "كتاب"),
    ("Arabic presentation forms", "ﺣﺒﻴﺒﻲ", "حبيبي"),
    ("Urdu", "پاکستانِ کی پولیس", "پاکستان"),
    ("Hebrew points", "שָׁלוֹם עֲלֵיכֶם", "שלום"),
    ("Greek tonos", "Η Αθήνα και η Θεσσαλονίκη", "Αθηνα"),
    ("Greek capitals", "η αθήνα", "ΑΘΗΝΑ"),
    ("Polish", "Spotkanie w Łódź, ulica Piotrkowska", "łodz"),
    ("Welsh", "Cyngor Sir Ynys Môn: Llŷr ap Gwŷn", "llyr"),
    ("Vietnamese", "Cảnh sát Việt Nam đã biết", "viet"),
]


@pytest.mark.parametrize(("label", "text", "typed"), WORDS, ids=[w[0] for w in WORDS])
def test_a_word_is_found_as_it_is_typed(vault: Vault, tmp_path: Path, label: str, text: str,
                                        typed: str) -> None:
    doc = tmp_path / "statement.txt"
    doc.write_text(f"Statement. {text}. End of statement.\n", encoding="utf-8")
    refs = import_refs(vault, doc)
    for _ in run_index_jobs(vault):
        pass
    hits = [h for h in search(vault, typed) if h.source == "text"]
    assert [h.ref for h in hits] == [refs["statement.txt"]], label


def test_the_arabic_pdf(vault: Vault, corpus: Path) -> None:
    refs = import_refs(vault, corpus / "pdf" / "habibi-rotated.pdf")
    for _ in run_index_jobs(vault):
        pass
    for typed in ("حبيبي", "حب*"):
        assert refs["habibi-rotated.pdf"] in {h.ref for h in search(vault, typed)}, typed


def test_latin_accents_stay_in_the_snippets() -> None:
    assert fold("Zoë Marchbanks, café") == "Zoë Marchbanks, café"
    assert fold("حَبيبي") == "حبيبي"
    assert fold("Αθήνα") == "Αθηνα"


def test_an_index_made_before_the_folding_is_read_again(vault: Vault, tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("يا حَبيبي", encoding="utf-8")
    import_refs(vault, doc)
    for _ in run_index_jobs(vault):
        pass
    # As a vault indexed by an earlier version: the raw text, and no folding setting.
    with vault.transaction():
        vault.con.execute("UPDATE search_text SET text=? WHERE source='text'", ("يا حَبيبي",))
        vault.con.execute("DELETE FROM settings WHERE key=?", (FOLD_SETTING,))
    assert [h for h in search(vault, "حبيبي") if h.source == "text"] == []
    for _ in run_index_jobs(vault):
        pass
    assert [h for h in search(vault, "حبيبي") if h.source == "text"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_text_is_text_and_searchable(vault: Vault, tmp_path: Path,
                                                     encoding: str) -> None:
    doc = tmp_path / f"export-{encoding}.txt"
    text = "Referral\tChild A\tThistlewood\r\nPolice\tnoted\t3 March 2010 — Zoë\r\n"
    doc.write_bytes(("\ufeff" + text if encoding.endswith(("le", "be")) else text)
                    .encode(encoding))
    refs = import_refs(vault, doc)
    from vault.evidence.items import get_item

    assert get_item(vault, refs[doc.name]).mime == "text/plain"
    for _ in run_index_jobs(vault):
        pass
    assert {h.ref for h in search(vault, "Thistlewood") if h.source == "text"} == {
        refs[doc.name]}
    assert {h.ref for h in search(vault, "zoe") if h.source == "text"} == {refs[doc.name]}
