"""Court documents in an evidence package (package format 6; docs/court-bundle.md, "In a
package"): made from the vault, tied to the package's exhibits, checked by the verifier,
kept as items when received; refused before anything is written when they name an exhibit
the package would not hold."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from packages import Entries, export, import_files, new_vault, rehash, rewrite_zip
from test_court import CASE, SAMPLES, marked
from test_package_tamper import resign

from vault.court import disclosure, store
from vault.errors import VaultError
from vault.evidence.items import list_items
from vault.evidence.withdraw import withdraw_copy
from vault.packages.format import BAG_INFO, COURT_JSON
from vault.packages.receive import receive_package
from vault.packages.verify import verify_package
from vault.store.vault import Vault

ALL = ["exhibit labels", "cover sheets", "continuity records", "statement lists",
       "non-sensitive schedule", "sensitive schedule"]


def court_case(tmp_path: Path) -> Vault:
    v = new_vault(tmp_path / "investigator")
    import_files(v, sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg")),
                 case=CASE)
    marked(v)
    store.add_statement(v, CASE, "MO", "12/05/2026")
    store.add_statement_document(v, CASE, "MO:1", "MO/1", "produced")
    board = next(i.ref for i in list_items(v) if i.name == "photo-notice-board.jpg")
    disclosure.schedule_item(v, CASE, board, "non-sensitive", "Photograph of the notice board")
    return v


def test_court_documents_travel_and_verify(tmp_path: Path) -> None:
    v = court_case(tmp_path)
    result = export(v, tmp_path / "p.zip", case=CASE, court=ALL[:5])
    with zipfile.ZipFile(result.path) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        top = zf.namelist()[0].split("/")[0]
        doc = json.loads(zf.read(f"{top}/{COURT_JSON}"))
        info = zf.read(f"{top}/{BAG_INFO}").decode()
    assert "Evidence-Vault-Court: exhibit labels, cover sheets, continuity records, statement " \
           "lists, non-sensitive schedule" in info
    for file in ("exhibit-labels.pdf", "cover-sheets.pdf", "continuity-MO_1.pdf",
                 "continuity-AD_1.pdf", "statement-MO-1-exhibits.pdf",
                 "statement-MO-1-referred.pdf", "unused-non-sensitive.pdf", "court.json"):
        assert f"data/court/{file}" in names, file
    assert doc["documents"] == ALL[:5]
    exhibits = {e.mark: e for e in store.exhibits(v, CASE)}
    assert [(x["mark"], x["ref"], x["sha256"]) for x in doc["exhibits"]] == [
        (m, exhibits[m].item, exhibits[m].sha256) for m in sorted(exhibits)]
    checked = verify_package(result.path)
    assert checked.intact, checked.reason
    court_check = next(c for c in checked.checks if c.name == "court documents")
    assert court_check.ok and f"each of the {len(exhibits)} exhibits" in court_check.detail
    assert sorted(checked.court_files) == sorted(f"data/court/{n.split('/')[-1]}"
                                                for n in names if n.startswith("data/court/"))
    # received: the documents are kept as items of their own, next to the exhibits
    v.close()
    solicitor = new_vault(tmp_path / "solicitor")
    receive_package(solicitor, result.path, case="R-1", allow_unconfirmed=True)
    received = {i.name for i in list_items(solicitor)}
    assert {"court-exhibit-labels.pdf", "court-court.json", "court-continuity-MO_1.pdf"} <= \
        received
    solicitor.close()


def test_refused_when_a_document_names_an_exhibit_left_out(tmp_path: Path) -> None:
    from vault.court.stamping import stamped_copy

    v = court_case(tmp_path)
    _, copy = stamped_copy(v, CASE, "MO/1")
    assert copy.ref is not None
    store.mark_exhibit(v, CASE, copy.ref, by="MO", description="The minutes, pages stamped")
    withdraw_copy(v, copy.ref, "stamped with the wrong mark")  # left out of the case's export
    with pytest.raises(VaultError, match=f"name {copy.ref}, which this package would not hold"):
        export(v, tmp_path / "p.zip", case=CASE, court=["exhibit labels"])
    assert not (tmp_path / "p.zip").exists()
    with pytest.raises(VaultError, match="belong to a case"):
        export(v, tmp_path / "p.zip", refs=[store.exhibit(v, CASE, "MO/1").item],
               court=["exhibit labels"])
    v.close()


@pytest.mark.parametrize("tamper, expected", [
    ("sha", "exhibit MO/2 is given another SHA-256"),
    ("removed", "continuity-MO_1.pdf is missing (removed)"),
])
def test_a_changed_court_document_is_named(tmp_path: Path, tamper: str, expected: str) -> None:
    v = court_case(tmp_path)
    package = export(v, tmp_path / "p.zip", case=CASE, court=["exhibit labels",
                                                             "continuity records"]).path

    def change(e: Entries) -> None:
        if tamper == "sha":
            doc = json.loads(e[COURT_JSON])
            doc["exhibits"][2]["sha256"] = "0" * 64
            e[COURT_JSON] = json.dumps(doc).encode()
        else:
            del e["data/court/continuity-MO_1.pdf"]
        rehash(e)
        key, cert = v.signing_material()
        resign(e, key, cert)

    out = tmp_path / "t.zip"
    rewrite_zip(package, out, change)
    checked = verify_package(out)
    check = next(c for c in checked.checks if c.name == "court documents")
    assert not check.ok and expected in check.detail
    v.close()
