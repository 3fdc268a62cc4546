"""A chronology in an evidence package (package format 5, docs/package-format.md; docs/
chronology.md, "In a package"): export, verify, receive. The tables arrive intact, signed,
and their sources still name the right exhibits, by reference and SHA-256."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from conftest import run_cli
from packages import (
    CASE,
    SOLICITOR,
    Entries,
    export,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
)

from vault.chronology.dates import parse_date
from vault.chronology.reports import WouldName
from vault.chronology.store import add_entity, add_fact, add_knowledge, change_fact, cite
from vault.documents.derive import redacted_copy
from vault.errors import VaultError
from vault.evidence.items import list_items
from vault.evidence.withdraw import withdraw_copy
from vault.packages.format import (
    BAG_INFO,
    CHRONOLOGY_JSON,
    MANIFEST,
    SIGNATURE,
    TAGMANIFEST,
)
from vault.packages.receive import confirm_in_vault, receive_package
from vault.packages.verify import verify_package
from vault.signing.cms import sign_detached
from vault.signing.signers import KnownSigner
from vault.store.check import run_check
from vault.store.vault import Vault

SURVIVOR = "Jane Smith"


def letter(path: Path, lines: list[str]) -> Path:
    doc = pymupdf.open()
    for text in lines:
        doc.new_page(width=595, height=842).insert_text((72, 100), text, fontsize=11)
    doc.save(path)
    return path


@pytest.fixture
def investigator(tmp_path: Path) -> Iterator[Vault]:
    """A case with two letters (MO/1, MO/2) and a chronology citing both, the survivor
    behind a pseudonym."""
    v = new_vault(tmp_path / "investigator")
    import_files(v, [
        letter(tmp_path / "referral.pdf", ["The referral about Jane Smith was made on 3 March "
                                           "2009 to the police."]),
        letter(tmp_path / "reply.pdf", ["No further action will be taken at this time."])])
    add_entity(v, CASE, "ca", SURVIVOR, role="survivor")
    add_entity(v, CASE, "jones", "DS Alan Jones", role="officer under scrutiny",
               public_office=True)
    add_fact(v, CASE, "A referral about @ca was made to the police", parse_date("03/03/2009"),
             key=True, evaluation="Strong", comment="Private: chase the log")
    add_fact(v, CASE, "@jones wrote that no further action would be taken",
             parse_date("06/2009"))
    cite(v, CASE, "fact", 1, "MO/1", 1, "referral about Jane Smith was made on 3 March 2009")
    cite(v, CASE, "fact", 2, "MO/2", 1, "No further action will be taken")
    k = add_knowledge(v, CASE, "jones", "the referral about @ca", parse_date("before 04/2009"),
                      how="referral", awareness="received", response=2)
    cite(v, CASE, "knowledge", k.id, "MO/1", 1, "to the police")
    yield v
    v.close()


def text_of(name: str, data: bytes) -> str:
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8"))
                            for n in z.namelist() if n.endswith(".xml"))
    if name.endswith(".pdf"):
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return " ".join(page.get_text() for page in doc)
    return data.decode("utf-8-sig")


def test_export_verify_receive(investigator: Vault, tmp_path: Path) -> None:
    v = investigator
    package = export(v, tmp_path / "p.zip", case=CASE, chronology=["neutral", "cast"]).path
    result = verify_package(package, signer=v.certificate_fingerprint())
    assert result.verified and result.outcome == "verified", result.reason
    assert result.chronology == ["neutral", "cast"] and result.chronology_sources == 3
    [check] = [c for c in result.checks if c.name == "chronology"]
    assert check.ok and "each of its 3 sources" in check.detail
    _, entries = read_zip(package)
    assert b"Evidence-Vault-Chronology: neutral, cast\n" in entries[BAG_INFO]
    assert b"Evidence-Vault-Package-Version: 6\n" in entries[BAG_INFO]
    files = sorted(n for n in entries if n.startswith("data/chronology/"))
    assert files == sorted([f"data/chronology/{t}.{f}" for t in ("neutral", "cast")
                            for f in ("pdf", "docx", "csv")] + [CHRONOLOGY_JSON])
    for name in files:  # every file signed (in the manifest), none naming the survivor
        assert f"{hashlib.sha256(entries[name]).hexdigest()}  {name}".encode() in \
            entries[MANIFEST]
        if name != CHRONOLOGY_JSON:
            text = " ".join(text_of(name, entries[name]).split())
            assert "Child A" in text and "Smith" not in text, name
            assert "chase the log" not in text.lower(), name
    doc = json.loads(entries[CHRONOLOGY_JSON])
    assert doc["tables"] == ["neutral", "cast"] and doc["privileged"] == []
    assert [f["event"] for f in doc["facts"]] == [
        "A referral about Child A was made to the police",
        "DS Alan Jones wrote that no further action would be taken"]
    assert "evaluation" not in doc["facts"][0] and "comment" not in doc["facts"][0]
    held = {i.ref: i.sha256 for i in list_items(v, CASE)}
    for f in doc["facts"]:
        for s in f["sources"]:
            assert held[s["ref"]] == s["sha256"]
    assert doc["knowledge"][0]["matter"] == "the referral about Child A"

    # the solicitor receives it: the exhibits and the chronology's files arrive intact, and
    # every source of the chronology names an exhibit she now holds, with its SHA-256
    solicitor = new_vault(tmp_path / "solicitor", SOLICITOR)
    try:
        confirm_in_vault(solicitor, KnownSigner(
            "Mary Okafor", "Northbridge Survivors Campaign", v.certificate_fingerprint(),
            v.fingerprint(), "2026-05-03T09:00:00Z", "read out on the phone"))
        receipt = receive_package(solicitor, package, case="HL-1")
        got = {i.name: i for i in list_items(solicitor, "HL-1")}
        for name in files:
            item = got["chronology-" + name.rsplit("/", 1)[1]]
            assert item.sha256 == hashlib.sha256(entries[name]).hexdigest()
        [json_item] = [i for n, i in got.items() if n == "chronology-chronology.json"]
        with solicitor.objects.open(json_item.oid, solicitor.object_key(json_item.oid)) as r:
            received = json.loads(b"".join(r.iter_chunks()))
        by_ref = {i.ref: i.sha256 for i in got.values()}
        for entry in (*received["facts"], *received["knowledge"]):
            for s in entry["sources"]:
                assert by_ref[s["ref"]] == s["sha256"]
        assert len(receipt.results) == 2 + len(files)
        assert run_check(solicitor).ok
    finally:
        solicitor.close()


def test_the_same_chronology_exported_again_gives_the_same_files(investigator: Vault,
                                                                  tmp_path: Path) -> None:
    a = export(investigator, tmp_path / "a.zip", case=CASE, chronology=["neutral"]).path
    b = export(investigator, tmp_path / "b.zip", case=CASE, chronology=["neutral"]).path
    assert read_zip(a)[1][MANIFEST] == read_zip(b)[1][MANIFEST]
    change_fact(investigator, CASE, 2, text="@jones wrote that no action would follow")
    c = export(investigator, tmp_path / "c.zip", case=CASE, chronology=["neutral"]).path
    assert read_zip(c)[1][MANIFEST] != read_zip(a)[1][MANIFEST]


def test_refused_before_anything_is_written(investigator: Vault, tmp_path: Path) -> None:
    v = investigator
    with pytest.raises(VaultError, match="belongs to a case"):
        export(v, tmp_path / "refs.zip", refs=["MO/1", "MO/2"], chronology=["neutral"])
    with pytest.raises(VaultError, match="not a chronology table"):
        export(v, tmp_path / "bad.zip", case=CASE, chronology=["diary"])
    change_fact(v, CASE, 2, text="@jones told Jane Smith no action would follow")
    with pytest.raises(WouldName, match="Child A"):
        export(v, tmp_path / "named.zip", case=CASE, chronology=["neutral"])
    change_fact(v, CASE, 2, text="@jones wrote that no further action would be taken")
    copy = str(redacted_copy(v, "MO/1", texts=["Jane Smith"]).ref)
    cite(v, CASE, "fact", 1, copy, 1, "made on 3 March 2009")
    withdraw_copy(v, copy, "sent by mistake")  # cited, but left out of the case's export
    with pytest.raises(VaultError, match=f"cites {copy}, which is not in this package"):
        export(v, tmp_path / "missing.zip", case=CASE, chronology=["neutral"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["investigator.evault",
                                                          "referral.pdf", "reply.pdf"]
    ok = export(v, tmp_path / "ok.zip", case=CASE, chronology=["neutral"],
                include_withdrawn=True).path
    assert verify_package(ok).intact


def test_privileged_tables_go_only_when_chosen(investigator: Vault, tmp_path: Path) -> None:
    plain = export(investigator, tmp_path / "plain.zip", case=CASE).path
    _, entries = read_zip(plain)
    assert b"Evidence-Vault-Chronology: none\n" in entries[BAG_INFO]
    assert not any(n.startswith("data/chronology/") for n in entries)
    assert verify_package(plain).intact
    work = export(investigator, tmp_path / "work.zip", case=CASE, chronology=["working"]).path
    _, entries = read_zip(work)
    assert json.loads(entries[CHRONOLOGY_JSON])["privileged"] == ["working"]
    text = text_of("working.csv", entries["data/chronology/working.csv"])
    assert text.startswith("Privileged and confidential") and "chase the log" in text


def resigned(v: Vault, src: Path, dst: Path, change: object) -> Path:
    """``src`` changed by ``change`` and re-signed with the vault's own key: only the
    chronology check can find what was done."""
    def mutate(e: Entries) -> None:
        change(e)  # type: ignore[operator]
        rehash(e)
        key, cert = v.signing_material()
        e[SIGNATURE] = sign_detached(e[TAGMANIFEST], key, cert)
    rewrite_zip(src, dst, mutate)
    return dst


def test_a_tampered_chronology_fails_its_check(investigator: Vault, tmp_path: Path) -> None:
    v = investigator
    package = export(v, tmp_path / "p.zip", case=CASE, chronology=["neutral"]).path

    def other_hash(e: Entries) -> None:
        doc = json.loads(e[CHRONOLOGY_JSON])
        doc["facts"][1]["sources"][0]["sha256"] = "0" * 64
        e[CHRONOLOGY_JSON] = json.dumps(doc).encode()

    def other_ref(e: Entries) -> None:
        doc = json.loads(e[CHRONOLOGY_JSON])
        doc["facts"][0]["sources"][0]["ref"] = "MO/9"
        e[CHRONOLOGY_JSON] = json.dumps(doc).encode()

    def table_removed(e: Entries) -> None:
        del e["data/chronology/neutral.docx"]

    def table_added(e: Entries) -> None:
        e["data/chronology/matrix.csv"] = b"Who\r\n"

    def label_says_more(e: Entries) -> None:
        e[BAG_INFO] = e[BAG_INFO].replace(b"Evidence-Vault-Chronology: neutral",
                                          b"Evidence-Vault-Chronology: neutral, cast")

    for change, words in ((other_hash, "fact 2 cites MO/2 with another SHA-256"),
                          (other_ref, "fact 1 cites MO/9, which is not in the package"),
                          (table_removed, "neutral.docx is missing (removed)"),
                          (table_added, "matrix.csv is not one of the tables"),
                          (label_says_more, "cast.pdf is missing")):
        bad = resigned(v, package, tmp_path / f"{change.__name__}.zip", change)
        result = verify_package(bad)
        failed = [c for c in result.checks if not c.ok]
        assert [c.name for c in failed] == ["chronology"], (change.__name__, failed)
        assert words in failed[0].detail, (change.__name__, failed[0].detail)


def test_the_command_line(investigator: Vault, tmp_path: Path) -> None:
    folder = investigator.folder
    investigator.close()
    out = tmp_path / "cli.zip"
    r = run_cli("export", str(folder), "--case", CASE, "--out", str(out), "--chronology",
                "neutral", "--chronology", "action")
    assert r.returncode == 0, r.stderr
    assert "chronology: neutral, action" in r.stderr
    r = run_cli("verify", str(out), "--json", passphrase=None)
    doc = json.loads(r.stdout)
    assert doc["intact"] and doc["chronology"]["tables"] == ["neutral", "action"]
    assert doc["chronology"]["sources"] == 3
    r = run_cli("export", str(folder), "MO/1", "--out", str(tmp_path / "x.zip"),
                "--chronology", "neutral")
    assert r.returncode != 0 and "belongs to a case" in r.stderr
    assert "Traceback" not in r.stderr
