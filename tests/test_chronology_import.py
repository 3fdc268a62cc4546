"""An existing chronology from a CSV or XLSX sheet (docs/chronology.md, "From a
spreadsheet"): real files, a real vault, every row either a fact or named with why."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pymupdf
import pytest
from conftest import import_refs, run_cli, without_slot_warnings

from vault.chronology.importing import (
    SheetRefused,
    guess_mapping,
    import_rows,
    plan_rows,
    read_sheet,
)
from vault.chronology.store import add_entity, facts, history
from vault.custody import log as custody
from vault.store.vault import Vault

CASE = "Northshire"
ROWS = [
    ["Date", "Event", "Source", "Quote", "Status", "Comments"],
    ["03/03/2009", "A referral was made to @police", "MO/1, p. 1", "the referral made on",
     "Agreed", "first entry"],
    ["c. 04/2009", "The officer filed it", "MO/9 p2", "", "Disputed by defendant", ""],
    ["not a date", "Something", "", "", "", ""],
    ["", "An undated entry", "", "", "to be proved", ""],
    ["2010", "Mail from a@b.com", "", "", "", ""],
    ["05/05/2010", "A letter was sent", "MO/1 p. 1", "words not on the page", "", ""],
]


@pytest.fixture
def letter(vault: Vault, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "I write about the referral made on 3 March 2009.")
    doc.save(path)
    add_entity(vault, CASE, "police", "Northshire Police", kind="organisation", role="agency")
    return import_refs(vault, path)["letter.pdf"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_every_row_becomes_a_fact_or_is_named(vault: Vault, letter: str,
                                              tmp_path: Path) -> None:
    assert letter == "MO/1"
    sheet = read_sheet(write_csv(tmp_path / "old.csv", ROWS))
    mapping = guess_mapping(sheet.header)
    assert mapping == {"date": 0, "text": 1, "source": 2, "quote": 3, "status": 4,
                       "comment": 5}
    plans = plan_rows(sheet, mapping, {"MO/1"})
    assert [p.ok for p in plans] == [True, True, False, True, True, True]
    result = import_rows(vault, CASE, plans)
    assert result.facts == [1, 2, 3, 4]
    assert [line for line, _ in result.skipped] == [4, 6]
    assert "cannot be read" in result.skipped[0][1]
    assert "no one called @b" in result.skipped[1][1]
    assert result.citations == 1
    by_number = {f.number: f for f in facts(vault, CASE)}
    assert by_number[1].citations[0].where() == "MO/1, p. 1"
    assert by_number[1].comment == "first entry"
    assert by_number[2].status == "disputed by the other side"
    assert by_number[2].comment == "Source in the sheet: MO/9 p2"  # kept, not cited
    assert by_number[3].status == "to be proved" and by_number[3].date.show() == "undated"
    assert by_number[4].citations == ()  # the words are not on the page: said, and kept
    assert "words not on the page" in by_number[4].comment
    assert any(line == 7 and "citation not made" in w for line, w in result.warnings)
    assert [e.fields["action"] for e in history(vault, CASE, "fact", 4)] == [
        custody.CHRONOLOGY_ADDED, custody.CHRONOLOGY_CHANGED]


def test_xlsx_dates_and_a_chosen_mapping(vault: Vault, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "old.xlsx", [
        ["When it happened", "Notes", "Narrative"],
        [dt.datetime(2011, 6, 1), "x", "The council met"],
        [dt.datetime(2011, 6, 2, 14, 30), "", "The chair wrote"],
        ["between 06/2011 and 09/2011", "", "A review took place"]])
    sheet = read_sheet(path)
    assert sheet.rows[0][0] == "01/06/2011" and sheet.rows[1][0] == "02/06/2011 14:30"
    mapping = {"date": 0, "text": 2}
    result = import_rows(vault, CASE, plan_rows(sheet, mapping))
    assert sorted((f.number, f.date.show(), f.text) for f in facts(vault, CASE)) == [
        (1, "01/06/2011", "The council met"), (2, "02/06/2011 14:30", "The chair wrote"),
        (3, "between 06/2011 and 09/2011", "A review took place")]
    assert result.skipped == []
    with pytest.raises(SheetRefused, match="choose the column"):
        plan_rows(sheet, {"date": 0})


def test_hostile_and_broken_sheets_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 << 20))
    with pytest.raises(SheetRefused, match="unpack to more than"):
        read_sheet(bomb)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SheetRefused, match="not an XLSX"):
        read_sheet(broken)
    entity = tmp_path / "entity.xlsx"  # an XML entity expansion ("billion laughs")
    write_xlsx(entity, [["Date", "Event"], ["2010", "x"]])
    with zipfile.ZipFile(entity) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        b"</sheetData></worksheet>")
    with zipfile.ZipFile(entity, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(SheetRefused, match="cannot be read"):
        read_sheet(entity)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SheetRefused, match="CSV or an XLSX"):
        read_sheet(tmp_path / "old.xls")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SheetRefused, match="empty"):
        read_sheet(tmp_path / "empty.csv")


def test_a_windows_1252_csv(tmp_path: Path) -> None:
    sheet = read_sheet(write_csv(tmp_path / "w.csv", [["Date", "Event"],
                                                      ["2010", "Café meeting £5"]], "cp1252"))
    assert sheet.rows == [["2010", "Café meeting £5"]]


def test_the_command_line(make_vault: object, tmp_path: Path) -> None:
    v, _ = make_vault()  # type: ignore[operator]
    path = v.folder
    add_entity(v, CASE, "police", "Northshire Police", kind="organisation", role="agency")
    v.close()
    sheet = write_csv(tmp_path / "old.csv", ROWS)
    r = run_cli("chronology", "import", str(path), str(sheet), "--case", CASE, "--dry-run")
    assert r.returncode == 1, without_slot_warnings(r.stderr)
    assert "row 4\tNOT IMPORTED: the date 'not a date' cannot be read" in r.stdout
    assert "5 rows would be imported, 1 would not (nothing saved)" in r.stderr
    r = run_cli("chronology", "list", str(path), "--case", CASE)
    assert r.stdout == ""
    r = run_cli("chronology", "import", str(path), str(sheet), "--case", CASE,
                "--map", "comment=", "--map", "text=2")
    assert r.returncode == 1
    assert "4 facts added (0 citations checked and made); 2 rows not imported" in r.stderr
    assert "row 6\tNOT IMPORTED: no one called @b" in r.stdout
    r = run_cli("chronology", "import", str(path), str(sheet), "--case", CASE,
                "--map", "text=Nope")
    assert r.returncode != 0 and "no column 'Nope'" in r.stderr
    assert "Traceback" not in r.stderr
