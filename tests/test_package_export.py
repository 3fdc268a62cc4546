"""Export: a package that bagit, openssl, sha256sum and pdfsig accept, repeatable and atomic."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bagit
import pytest
from agetool import age_decrypt
from conftest import ROOT, run_cli
from packages import CASE, export, import_files, new_vault, read_zip, sample_paths

from vault.custody import log as custody
from vault.errors import VaultError
from vault.evidence.items import get_item
from vault.evidence.purge import purge
from vault.packages.export import export_package
from vault.packages.format import MANIFEST, SIGNER_CERT, TAGMANIFEST
from vault.packages.verify import verify_package
from vault.store.vault import Vault


@pytest.fixture
def investigator(tmp_path: Path, corpus: Path) -> Iterator[Vault]:
    v = new_vault(tmp_path / "investigator")
    import_files(v, sample_paths(tmp_path))
    yield v
    v.close()


def unpack(package: Path, dest: Path) -> Path:
    """Unzip with the system's ``unzip``: what a solicitor without our program does."""
    dest.mkdir()
    subprocess.run(["unzip", "-q", str(package), "-d", str(dest)], check=True)
    (top,) = dest.iterdir()
    return top


def test_package_passes_standard_tools(investigator: Vault, tmp_path: Path) -> None:
    result = export(investigator, tmp_path / "package.zip", case=CASE,
                    recipient="Harbour Law")
    bag_dir = unpack(result.path, tmp_path / "unpacked")

    bag = bagit.Bag(str(bag_dir))
    bag.validate(processes=1)  # full validation: every hash, Payload-Oxum, tag manifest
    assert bag.info["External-Identifier"] == CASE

    for manifest in (MANIFEST, TAGMANIFEST):
        r = subprocess.run(["sha256sum", "--strict", "-c", manifest], cwd=bag_dir,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    assert "FAILED" not in r.stdout

    r = subprocess.run(["openssl", "cms", "-verify", "-binary", "-content", TAGMANIFEST,
                        "-in", "signatures/tagmanifest-sha256.txt.p7s", "-inform", "PEM",
                        "-purpose", "any", "-CAfile", SIGNER_CERT, "-out", os.devnull],
                       cwd=bag_dir, capture_output=True, text=True)
    assert r.returncode == 0 and "Verification successful" in r.stderr, r.stderr

    r = subprocess.run(["openssl", "x509", "-in", SIGNER_CERT, "-noout", "-fingerprint",
                        "-sha256"], cwd=bag_dir, capture_output=True, text=True, check=True)
    assert r.stdout.strip().split("=", 1)[1] == result.certificate_fingerprint
    assert investigator.certificate_fingerprint() == result.certificate_fingerprint

    r = subprocess.run(["pdfsig", "data/report/exhibit-list.pdf"], cwd=bag_dir,
                       capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in r.stdout, r.stdout + r.stderr
    assert "Total document signed" in r.stdout, r.stdout


def test_openssl_rejects_a_changed_tag_manifest(investigator: Vault, tmp_path: Path) -> None:
    """The hand check in HOW-TO-VERIFY.txt really catches a change."""
    bag_dir = unpack(export(investigator, tmp_path / "p.zip", case=CASE).path, tmp_path / "u")
    howto = (bag_dir / "HOW-TO-VERIFY.txt").read_text()
    assert "openssl cms -verify" in howto and "sha256sum" in howto
    tm = bag_dir / TAGMANIFEST
    tm.write_bytes(tm.read_bytes().replace(b"  bag-info.txt", b"  bag-info.txt ", 1))
    r = subprocess.run(["openssl", "cms", "-verify", "-binary", "-content", TAGMANIFEST,
                        "-in", "signatures/tagmanifest-sha256.txt.p7s", "-inform", "PEM",
                        "-purpose", "any", "-CAfile", SIGNER_CERT, "-out", os.devnull],
                       cwd=bag_dir, capture_output=True, text=True)
    assert r.returncode != 0 and "Verification failure" in r.stderr, r.stderr


def test_exhibits_are_the_bytes_received(investigator: Vault, tmp_path: Path) -> None:
    sources = {p.name: p.read_bytes() for p in sample_paths(tmp_path / "again")}
    result = export(investigator, tmp_path / "p.zip", case=CASE)
    _, entries = read_zip(result.path)
    exhibits = {n: d for n, d in entries.items() if n.startswith("data/exhibits/")}
    assert len(exhibits) == len(result.exhibits) == 6
    for ref in result.exhibits:
        item = get_item(investigator, ref)
        (name,) = [n for n in exhibits if n.startswith(f"data/exhibits/{ref.replace('/', '-')}_")]
        assert name.endswith(item.name)
        assert hashlib.sha256(exhibits[name]).hexdigest() == item.sha256
        assert exhibits[name] == sources[item.name]
        record = json.loads(entries[f"data/custody/provenance/{ref.replace('/', '-')}.json"])
        assert record["sha256"] == item.sha256 and record["file"] == name
    info = entries["bag-info.txt"].decode()
    for field in ("Source-Organization: Northbridge Survivors Campaign",
                  "Contact-Name: Mary Okafor", f"External-Identifier: {CASE}",
                  f"Evidence-Vault-Package-Id: {result.package_id}",
                  f"Evidence-Vault-Signer-Fingerprint: {result.certificate_fingerprint}"):
        assert field in info


def test_same_selection_gives_identical_manifests(investigator: Vault, tmp_path: Path) -> None:
    """ACPO principle 3: a second export of the same selection is byte-identical below data/,
    even though the first export is now in the vault's log."""
    pairs = [({"case": CASE}, {"case": CASE}),
             ({"refs": ["MO/1", "MO/3", "MO/6"]}, {"refs": ["MO/6", "MO/1", "MO/3"]})]
    for n, (one, two) in enumerate(pairs):
        first = export(investigator, tmp_path / f"first{n}.zip", **one)
        time.sleep(1.1)  # the wall clock must not leak into the package (XMP dates did)
        second = export(investigator, tmp_path / f"second{n}.zip", **two)
        _, a = read_zip(first.path)
        _, b = read_zip(second.path)
        assert a[MANIFEST] == b[MANIFEST]
        assert {k: d for k, d in a.items() if k.startswith("data/")} == \
            {k: d for k, d in b.items() if k.startswith("data/")}
        assert first.package_id != second.package_id


def test_each_export_is_a_custody_event(investigator: Vault, tmp_path: Path) -> None:
    result = export(investigator, tmp_path / "p.zip", refs=["MO/2", "MO/4"],
                    recipient="Harbour Law LLP")
    last = list(investigator.events())[-1]
    assert last.fields["action"] == custody.EXPORTED
    details = last.fields["details"]
    assert details["package_id"] == result.package_id
    assert details["package_sha256"] == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert details["recipient"] == "Harbour Law LLP"
    assert details["items"] == ["MO/2", "MO/4"]
    for ref in ("MO/2", "MO/4"):
        assert any(e.fields["action"] == custody.EXPORTED for e in investigator.events(ref))
    assert not any(e.fields["action"] == custody.EXPORTED for e in investigator.events("MO/1"))


def test_subset_export_verifies_without_revealing_other_items(investigator: Vault,
                                                              tmp_path: Path) -> None:
    result = export(investigator, tmp_path / "p.zip", refs=["MO/3"])
    verification = verify_package(result.path)
    assert verification.verified, verification.checks
    _, entries = read_zip(result.path)
    log = entries["data/custody/custody-log.jsonl"].decode()
    other = get_item(investigator, "MO/1")
    assert other.sha256 not in log and other.name not in log
    assert [x["ref"] for x in verification.exhibits] == ["MO/3"]


def test_existing_target_and_missing_folder_are_refused(investigator: Vault,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    target.write_bytes(b"the solicitor's earlier package")
    with pytest.raises(VaultError, match="already exists"):
        export(investigator, target, case=CASE)
    assert target.read_bytes() == b"the solicitor's earlier package"
    with pytest.raises(VaultError, match="does not exist"):
        export(investigator, tmp_path / "no-such-folder" / "p.zip", case=CASE)


def test_cancel_leaves_nothing(investigator: Vault, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    events = len(list(investigator.events()))
    with pytest.raises(VaultError, match="cancelled"):
        list(export_package(investigator, out / "p.zip", case=CASE, cancel=cancel))
    assert list(out.iterdir()) == []
    assert len(list(investigator.events())) == events  # no "exported" event


def test_a_purged_exhibit_goes_as_its_purge_record(investigator: Vault, tmp_path: Path) -> None:
    """A purged item's content no longer exists: the case exports without it, its purge
    recorded; a selection of nothing but purged items is refused."""
    purge(investigator, "MO/5", reason="duplicate of a later copy")
    result = verify_package(export(investigator, tmp_path / "p.zip", case=CASE).path)
    assert result.verified, result.reason
    assert [x["ref"] for x in result.purged] == ["MO/5"]
    assert "MO/5" not in [x["ref"] for x in result.exhibits]
    with pytest.raises(VaultError, match="MO/5: purged"):
        export(investigator, tmp_path / "r.zip", refs=["MO/5"])
    assert not (tmp_path / "r.zip").exists()
    assert verify_package(export(investigator, tmp_path / "q.zip", refs=["MO/6"]).path).verified


def test_selection_errors(investigator: Vault, tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="either"):
        export(investigator, tmp_path / "p.zip")
    with pytest.raises(VaultError):
        export(investigator, tmp_path / "p.zip", refs=["MO/99"])
    with pytest.raises(VaultError, match="no exhibits"):
        export(investigator, tmp_path / "p.zip", case="NO-SUCH-CASE")
    assert list(tmp_path.glob("*.zip")) == []


def test_age_encrypted_package_opens_with_the_age_tool(investigator: Vault,
                                                       tmp_path: Path) -> None:
    key = tmp_path / "solicitor.key"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    public = re.search(r"age1[0-9a-z]+", key.read_text())
    assert public
    result = export(investigator, tmp_path / "p.zip", case=CASE, encrypt_to=public.group(0))
    assert result.encrypted and result.path.name == "p.zip.age"
    assert not (tmp_path / "p.zip").exists()
    assert not zipfile.is_zipfile(result.path)
    assert b"Mary Okafor" not in result.path.read_bytes()
    plain = tmp_path / "by-age.zip"
    subprocess.run(["age", "-d", "-i", str(key), "-o", str(plain), str(result.path)],
                   check=True)
    assert verify_package(plain).verified
    ours = tmp_path / "by-us.zip"
    r = run_cli("decrypt", result.path, "--identity", key, "--out", ours, passphrase=None)
    assert r.returncode == 0, r.stderr
    assert ours.read_bytes() == plain.read_bytes()
    r = run_cli("verify", result.path, passphrase=None)
    assert r.returncode == 1 and "give the identity file" in r.stderr
    # Checked as it is, decrypted in memory only: nothing new on disk.
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run_cli("verify", result.path, "--identity", key, "--signer",
                investigator.certificate_fingerprint(), passphrase=None)
    assert r.returncode == 0 and r.stdout.startswith("VERIFIED"), r.stdout + r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with pytest.raises(VaultError, match="age public key"):
        export(investigator, tmp_path / "x.zip", case=CASE, encrypt_to="not-a-key")


def test_cli_export_prints_path_and_fingerprint(investigator: Vault, tmp_path: Path) -> None:
    fp = investigator.certificate_fingerprint()
    path = investigator.folder
    investigator.close()
    out = tmp_path / "cli.zip"
    r = run_cli("export", path, "--out", out, "--case", CASE, "--recipient", "Harbour Law")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [str(out), f"signer fingerprint (SHA-256): {fp}"]
    r = run_cli("fingerprint", path)
    assert r.returncode == 0 and r.stdout == fp + "\n"
    r = run_cli("verify", out, "--signer", fp)
    assert r.returncode == 0 and r.stdout.startswith("VERIFIED: intact, and signed by"), r.stdout
    r = run_cli("verify", out, "--signer", "00" * 32)
    assert r.returncode == 1 and r.stdout.startswith("NOT VERIFIED: expected signer")
    r = run_cli("verify", out, "--json", "--signer", fp)
    assert json.loads(r.stdout)["verified"] is True
    r = run_cli("verify", out, "--json")
    assert r.returncode == 4 and json.loads(r.stdout)["verified"] is False
    report = tmp_path / "report.html"
    r = run_cli("verify", out, "--report", report, "--signer", fp)
    assert r.returncode == 0 and "VERIFIED" in report.read_text()
    r = run_cli("export", path, "--out", tmp_path / "none.zip")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_killed_export_leaves_nothing_under_the_final_name(tmp_path: Path) -> None:
    v = new_vault(tmp_path / "big")
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        for _ in range(48):
            f.write(os.urandom(1 << 20))
    import_files(v, [big])
    path = v.folder
    v.close()
    out = tmp_path / "out"
    out.mkdir()
    env = {k: val for k, val in os.environ.items() if not k.startswith("EVIDENCE_VAULT_")}
    env["EVIDENCE_VAULT_PASSPHRASE"] = "correct horse battery staple orbit"
    proc = subprocess.Popen([sys.executable, "-m", "vault", "export", str(path), "--out",
                             str(out / "p.zip"), "--case", CASE], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.stat().st_size > (4 << 20)
                                                    for p in out.iterdir()):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "p.zip").exists()
    leftovers = list(out.iterdir())
    assert leftovers and all(p.name.startswith(".") and p.name.endswith(".partial")
                             for p in leftovers), leftovers
    r = run_cli("export", path, "--out", out / "p.zip", "--case", CASE)
    assert r.returncode == 0, r.stderr
    assert verify_package(out / "p.zip").verified


def test_report_of_many_exhibits_and_long_timelines() -> None:
    """MuPDF's Story once looped forever on a few hundred exhibits; the report is laid out in
    pieces, every exhibit appears, and no page is left blank."""
    import pymupdf

    from vault.packages.report import ReportData, build_report

    def exhibit(i: int, events: int) -> dict[str, object]:
        return {"ref": f"MO/{i}", "name": f"minutes-{i}.pdf", "size": 1000 + i,
                "sha256": f"{i:064x}", "mime": "application/pdf",
                "receipts": [{"received": "2026-05-03T09:30:00Z", "received_from": "post",
                              "imported_by": {"name": "Mary Okafor"},
                              "original_path": f"/home/mary/minutes-{i}.pdf"}],
                "timeline": [{"seq": i * 1000 + n, "time": "2026-05-03T09:30:00Z",
                              "action": "imported", "actor": {"name": "Mary Okafor"}}
                             for n in range(events)]}

    exhibits = [exhibit(i, 3) for i in range(1, 401)] + [exhibit(401, 700)]
    data = build_report(ReportData("NB-2026-01", {"name": "Mary Okafor"}, "AA:BB", "CC DD",
                                   dt.datetime(2026, 5, 3, tzinfo=dt.UTC), exhibits))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        text = [page.get_text() for page in doc]
    assert all(t.strip() for t in text)
    joined = "".join(text)
    assert [i for i in range(1, 402) if f"MO/{i}: minutes-{i}.pdf" not in joined] == []
    seqs = [ev["seq"] for x in exhibits for ev in x["timeline"]]  # type: ignore[attr-defined]
    assert [s for s in seqs if f"#{s} " not in joined] == []  # none lost at a page's foot


STRONG = "quartz meadow lantern ninety fog"


def test_passphrase_encrypted_package_opens_with_the_age_tool(investigator: Vault,
                                                              tmp_path: Path) -> None:
    result = export(investigator, tmp_path / "p.zip", refs=["MO/1", "MO/5"],
                    passphrase=STRONG)
    assert result.encrypted and result.path.name == "p.zip.age"
    assert result.path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    plain = tmp_path / "by-age.zip"
    code, output = age_decrypt(result.path, plain, passphrase=STRONG)
    assert code == 0, output
    assert verify_package(plain).verified
    ours = tmp_path / "by-us.zip"
    r = run_cli("decrypt", result.path, "--out", ours, passphrase=None,
                env={"EVIDENCE_VAULT_PACKAGE_PASSPHRASE": STRONG})
    assert r.returncode == 0, r.stderr
    assert ours.read_bytes() == plain.read_bytes()
    r = run_cli("decrypt", result.path, "--out", tmp_path / "wrong.zip", passphrase=None,
                env={"EVIDENCE_VAULT_PACKAGE_PASSPHRASE": "not the passphrase at all"})
    assert r.returncode == 1 and "wrong passphrase" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "wrong.zip").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # verify asks for the passphrase and checks it in memory, writing nothing
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run_cli("verify", result.path, "--json", passphrase=None,
                env={"EVIDENCE_VAULT_PACKAGE_PASSPHRASE": STRONG})
    assert r.returncode == 4 and json.loads(r.stdout)["intact"] is True, r.stdout + r.stderr
    r = run_cli("verify", result.path, passphrase=None,
                env={"EVIDENCE_VAULT_PACKAGE_PASSPHRASE": "not the passphrase at all"})
    assert r.returncode == 1 and "wrong passphrase" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    details = list(investigator.events())[-1].fields["details"]
    assert details["encrypted_to"] == "passphrase" and STRONG not in json.dumps(details)


def test_weak_package_passphrase_is_refused(investigator: Vault, tmp_path: Path) -> None:
    from vault.errors import WeakPassphrase

    with pytest.raises(WeakPassphrase):
        export(investigator, tmp_path / "p.zip", case=CASE, passphrase="password1")
    assert list(tmp_path.glob("p.zip*")) == []
    with pytest.raises(VaultError, match="not both"):
        export(investigator, tmp_path / "p.zip", case=CASE, passphrase=STRONG,
               encrypt_to="age1xyz")


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "age"])
def test_progress_arrives_while_writing_and_closing_early_leaves_nothing(
        tmp_path: Path, encrypted: bool) -> None:
    v = new_vault(tmp_path / "v")
    try:
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(6 << 20))
        import_files(v, [big])
        key = tmp_path / "k"
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
        public = re.search(r"age1[0-9a-z]+", key.read_text())
        assert public
        kw = {"encrypt_to": public.group(0)} if encrypted else {}
        steps = export_package(v, tmp_path / "p.zip", case=CASE, **kw)  # type: ignore[arg-type]
        seen = [next(steps) for _ in range(3)]
        assert [s.done_bytes for s in seen] == [1 << 20, 2 << 20, 3 << 20]  # type: ignore
        assert all(s.total_bytes == 6 << 20 for s in seen)  # type: ignore[union-attr]
        steps.close()  # the GUI's cancel: nothing stays behind
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.bin", "k", "v.evault"]
        assert not any(e.fields["action"] == custody.EXPORTED for e in v.events())
    finally:
        v.close()


def test_the_vault_passphrase_is_refused_for_a_package(investigator: Vault,
                                                       tmp_path: Path) -> None:
    """Whoever gets the package and its passphrase must not hold the vault's too."""
    from conftest import PASSPHRASE

    from vault.errors import VaultError

    with pytest.raises(VaultError, match="this vault's own passphrase"):
        export(investigator, tmp_path / "p.zip", refs=["MO/1"], passphrase=PASSPHRASE)
    assert list(tmp_path.glob("p.zip*")) == []
