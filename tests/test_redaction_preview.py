"""Before a redacted copy is made: what it will remove (areas, pages, words), and where the
words under the marks stand unmarked, in the document and in the case's other exhibits."""

from __future__ import annotations

from pathlib import Path

from packages import CASE, import_files, new_vault
from test_annotations import make_pdf

from vault.documents.annotations import add_annotation
from vault.documents.derive import mark_every_occurrence
from vault.documents.redaction_preview import preview_redaction
from vault.search.index import run_index_jobs

LETTER = ["Dear Ms Okafor,", "12 Mill Lane, Northbridge", "The housing office was told.",
          "Yours, for the Okafor family"]


def test_the_preview_names_the_words_and_where_else_they_stand(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "mary")
    try:
        import_files(v, [make_pdf(tmp_path / "letter.pdf", 2, lines=LETTER),
                         make_pdf(tmp_path / "minutes.pdf", 1,
                                  lines=["Minutes: Mrs Okafor rang the office."]),
                         make_pdf(tmp_path / "other.pdf", 1, lines=["Nothing of note."])],
                     case=CASE)
        list(run_index_jobs(v))
        # the first line of page 1 marked (baseline y=100, Helvetica 12 pt)
        add_annotation(v, "MO/1", "redaction", 0, {"rect": [60, 85, 300, 104]}, reason="S1")
        seen = preview_redaction(v, "MO/1")
        assert (seen.areas, seen.pages) == (1, [1])
        assert seen.words == ["Dear", "Ms", "Okafor,"]
        assert [e.word for e in seen.elsewhere] == ["Okafor"]  # "Dear", "Ms": too common/short
        okafor = seen.elsewhere[0]
        # unmarked: page 1's last line and both lines of page 2
        assert okafor.pages == [1, 2, 2]
        assert okafor.exhibits == ["MO/2"]
        # marking them too leaves only the other exhibit
        mark_every_occurrence(v, ["MO/1"], "Okafor", reason="S1")
        again = preview_redaction(v, "MO/1")
        assert again.areas == 5 and again.pages == [1, 2]
        assert again.unmarked_here() == [] and again.unmarked_in_others() == {"Okafor": ["MO/2"]}
    finally:
        v.close()
