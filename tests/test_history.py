"""History cannot be quietly rewritten: a newer package (or the vault itself) must extend
the custody log of an earlier package, and the first divergence is named.

The rewritten packages are made as a dishonest signer would: the custody excerpt is edited,
its chain rebuilt and every event re-signed with the vault's own custody key, the manifests
recomputed and the CMS signature redone with the vault's own certificate, so that each one
still verifies on its own and only the comparison with the earlier package shows it.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE, T0, run_cli, write_files
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from packages import (
    CASE,
    Entries,
    export,
    failed,
    flip,
    import_files,
    new_vault,
    read_zip,
    rehash,
    rewrite_zip,
    sample_paths,
    write_zip,
)

from vault.clock import FixedClock
from vault.custody.history import (
    BEHIND,
    DIFFERENT_VAULT,
    EDITED,
    INSERTED,
    REMOVED,
    REORDERED,
    compare_history,
    history_from_excerpt,
)
from vault.custody.log import canonical, sha256_hex
from vault.evidence.notes import add_note
from vault.packages.format import CUSTODY_LOG, SIGNATURE, TAGMANIFEST
from vault.packages.verification import Verification
from vault.packages.verify import compare_vault_with_package, verify_package
from vault.signing.certs import cert_fingerprint
from vault.signing.cms import sign_detached
from vault.store.identity import Identity
from vault.store.vault import Vault


@dataclass
class Made:
    vault: Path
    old: Path  # exported first
    new: Path  # exported after a note and two more imports
    stranger: Path  # a package of another vault
    custody_key: Ed25519PrivateKey
    signing_key: bytes
    signing_cert: bytes


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    work = tmp_path_factory.mktemp("history")
    v = new_vault(work / "investigator")
    other = new_vault(work / "stranger", Identity("Eve Mallory", "EM", "Investigator", "Other"))
    try:
        import_files(v, sample_paths(work))
        old = export(v, work / "old.zip", case=CASE).path
        add_note(v, "MO/1", "Handed over in person at the town hall")
        import_files(v, write_files(work / "later", 2, size=2000, prefix="later"))
        add_note(v, "MO/2", "Second copy requested from the council")
        new = export(v, work / "new.zip", case=CASE, notes=True).path
        import_files(other, write_files(work / "other", 2, size=1500, prefix="other"))
        stranger = export(other, work / "stranger.zip", case=CASE).path
        (priv,) = v.con.execute("SELECT private FROM keys WHERE name='custody'").fetchone()
        key, cert = v.signing_material()
        made = Made(v.folder, old, new, stranger, Ed25519PrivateKey.from_private_bytes(
            bytes(priv)), key, cert)
    finally:
        v.close()  # closed, so that the CLI can open the vault
        other.close()
    yield made


# --------------------------------------------------------------------- rewriting a package
Line = dict[str, Any]


def lines_of(package: Path) -> list[Line]:
    return [json.loads(x) for x in read_zip(package)[1][CUSTODY_LOG].splitlines()]


def rewritten(made: Made, tmp_path: Path, edit: Callable[[list[Line]], list[Line]]) -> Path:
    """The newer package with its custody excerpt edited by ``edit``, then renumbered,
    re-chained and re-signed with the vault's keys: it verifies on its own."""
    out = tmp_path / f"rewritten-{len(list(tmp_path.iterdir()))}.zip"

    def mutate(e: Entries) -> None:
        lines = edit([json.loads(x) for x in e[CUSTODY_LOG].splitlines()])
        expected, prev = 1, "0" * 64
        data = b""
        last = ""
        for line in lines:
            if "omitted" in line:
                span = line["omitted"]
                length = span["to"] - span["from"]
                line = {"omitted": {"from": expected, "to": expected + length},
                        "hash": line["hash"]}
                expected, prev = expected + length + 1, line["hash"]
            else:
                event = dict(line["event"], seq=expected, prev=prev)
                body = canonical(event)
                line = {"event": event, "hash": sha256_hex(body),
                        "sig": base64.b64encode(made.custody_key.sign(body)).decode()}
                expected, prev = expected + 1, line["hash"]
                last = f"{event['seq']} {line['hash']}"
            data += canonical(line) + b"\n"
        e[CUSTODY_LOG] = data
        e["bag-info.txt"] = re.sub(rb"Evidence-Vault-Custody-Head: [^\n]*",
                                   f"Evidence-Vault-Custody-Head: {last}".encode(),
                                   e["bag-info.txt"])
        rehash(e)
        e[SIGNATURE] = sign_detached(e[TAGMANIFEST], made.signing_key, made.signing_cert)

    rewrite_zip(made.new, out, mutate)
    alone = verify_package(out)
    assert alone.verified, failed(alone)  # a validly signed package, history rewritten
    return out


def old_head(made: Made) -> int:
    return int(lines_of(made.old)[-1]["event"]["seq"])


def pick(made: Made, lines: list[Line], *, pair: bool = False) -> int:
    """The index of an event line about an exhibit of the older package, before its end,
    that is not a receipt (so the exhibits still match); with ``pair``, the next line is
    also such an event, with the next ``seq``."""
    head = old_head(made)

    def fits(i: int) -> bool:
        ev = lines[i].get("event")
        return bool(ev and ev["seq"] > 1 and ev["seq"] < head and ev["item"]
                    and ev["action"] != "imported")

    for i in range(len(lines) // 3, len(lines) - 1):
        if fits(i) and (not pair or (fits(i + 1) and "event" in lines[i + 1]
                                     and lines[i + 1]["event"]["seq"] ==
                                     lines[i]["event"]["seq"] + 1)):
            return i
    raise AssertionError("no event to rewrite")


def history_of(result: Verification) -> tuple[str, int | None]:
    assert result.history is not None and not result.history.ok
    div = result.history.divergence
    assert div is not None
    return div.what, div.seq


# --------------------------------------------------------------------- an honest extension
def test_an_extended_log_passes(made: Made) -> None:
    result = verify_package(made.new, previous=made.old)
    assert result.verified, failed(result)
    names = [c.name for c in result.checks]
    assert names[-6:] == ["exhibits", "summary", "chronology", "court documents", "timestamps",
                          "history"]
    h = result.history
    assert h is not None and h.ok and h.divergence is None
    old = verify_package(made.old)
    assert old.custody is not None
    assert h.shared_exhibits == len(old.exhibits) == 6
    assert h.events_compared == len(old.custody.records)
    assert h.older_head == old_head(made) < h.newer_head
    assert "this package extends the earlier package" in h.message


def test_the_same_package_extends_itself(made: Made) -> None:
    result = verify_package(made.old, previous=made.old)
    assert result.verified and result.history is not None and result.history.ok


def test_extended_log_cli_text_json_and_report(made: Made, tmp_path: Path) -> None:
    signer = ["--signer", cert_fingerprint(made.signing_cert)]
    r = run_cli("verify", made.new, "--previous", made.old, *signer, passphrase=None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[0].startswith("VERIFIED: intact, and signed by")
    assert any(x.startswith("  [ok] history: this package extends") for x in
               r.stdout.splitlines())
    report = tmp_path / "report.html"
    r = run_cli("verify", made.new, "--previous", made.old, "--json", "--report", report,
                *signer, passphrase=None)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["history"]["ok"] is True and doc["history"]["shared_exhibits"] == 6
    assert "Extends the earlier package" in report.read_text(encoding="utf-8")


# --------------------------------------------------------------------- rewritten history
def backdated(made: Made, tmp_path: Path) -> tuple[Path, int]:
    """A newer package, validly re-signed, in which one shared event was backdated: the
    package and that event's seq."""
    chosen: list[int] = []

    def edit(lines: list[Line]) -> list[Line]:
        i = pick(made, lines)
        chosen.append(lines[i]["event"]["seq"])
        lines[i]["event"]["time"] = "2026-01-01T00:00:00.000000Z"  # backdated
        return lines

    return rewritten(made, tmp_path, edit), chosen[0]


def test_an_edited_event_fails_at_that_event(made: Made, tmp_path: Path) -> None:
    package, seq = backdated(made, tmp_path)
    result = verify_package(package, previous=made.old)
    assert not result.verified
    assert history_of(result) == (EDITED, seq)
    assert result.reason.startswith(f"history: event {seq} (")
    assert "was changed" in result.reason
    assert [c.name for c in failed(result)] == ["history"]


def test_a_removed_event_fails_at_that_event(made: Made, tmp_path: Path) -> None:
    chosen: list[int] = []

    def remove(lines: list[Line]) -> list[Line]:
        i = pick(made, lines)
        chosen.append(lines[i]["event"]["seq"])
        return lines[:i] + lines[i + 1:]

    result = verify_package(rewritten(made, tmp_path, remove), previous=made.old)
    assert history_of(result) == (REMOVED, chosen[0])
    assert result.reason.startswith(f"history: event {chosen[0]} (")
    assert "was removed" in result.reason


def test_an_event_replaced_by_an_omitted_line_fails(made: Made, tmp_path: Path) -> None:
    """No renumbering at all: the signer simply leaves a shared exhibit's event out."""
    chosen: list[int] = []

    def hide(lines: list[Line]) -> list[Line]:
        i = pick(made, lines)
        seq = lines[i]["event"]["seq"]
        chosen.append(seq)
        if "omitted" in lines[i + 1] or "omitted" in lines[i - 1]:
            raise AssertionError("pick an event between two events")
        return [*lines[:i], {"omitted": {"from": seq, "to": seq}, "hash": lines[i]["hash"]},
                *lines[i + 1:]]

    result = verify_package(rewritten(made, tmp_path, hide), previous=made.old)
    assert history_of(result) == (REMOVED, chosen[0])


def test_two_reordered_events_fail_at_the_first(made: Made, tmp_path: Path) -> None:
    chosen: list[int] = []

    def swap(lines: list[Line]) -> list[Line]:
        i = pick(made, lines, pair=True)
        chosen.append(lines[i]["event"]["seq"])
        return [*lines[:i], lines[i + 1], lines[i], *lines[i + 2:]]

    result = verify_package(rewritten(made, tmp_path, swap), previous=made.old)
    assert history_of(result) == (REORDERED, chosen[0])
    assert result.reason.startswith(f"history: event {chosen[0]} (")
    assert f"as event {chosen[0] + 1}" in result.reason


def test_an_inserted_event_fails_where_it_was_put(made: Made, tmp_path: Path) -> None:
    chosen: list[int] = []

    def insert(lines: list[Line]) -> list[Line]:
        i = pick(made, lines)
        chosen.append(lines[i]["event"]["seq"])
        planted = dict(lines[i]["event"], action="note added",
                       details={"text": "received in March"})
        return [*lines[:i], {"event": planted}, *lines[i:]]

    result = verify_package(rewritten(made, tmp_path, insert), previous=made.old)
    assert history_of(result) == (INSERTED, chosen[0])


def test_rewritten_history_cli(made: Made, tmp_path: Path) -> None:
    chosen: list[int] = []

    def remove(lines: list[Line]) -> list[Line]:
        i = pick(made, lines)
        chosen.append(lines[i]["event"]["seq"])
        return lines[:i] + lines[i + 1:]

    package = rewritten(made, tmp_path, remove)
    r = run_cli("verify", package, passphrase=None)
    assert r.returncode == 4  # on its own, the rewritten package is intact (signer unconfirmed)
    r = run_cli("verify", package, "--previous", made.old, passphrase=None)
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith(f"NOT VERIFIED: history: event {chosen[0]} ("), first
    assert "Traceback" not in r.stdout + r.stderr
    r = run_cli("verify", package, "--previous", made.old, "--json", passphrase=None)
    div = json.loads(r.stdout)["history"]["divergence"]
    assert (div["what"], div["seq"]) == (REMOVED, chosen[0])


# --------------------------------------------------------------------- wrong pairings
def test_a_package_of_another_vault(made: Made) -> None:
    result = verify_package(made.new, previous=made.stranger)
    assert history_of(result) == (DIFFERENT_VAULT, None)
    assert result.reason.startswith("history: this package and the earlier package come "
                                    "from different vaults")


def test_arguments_swapped_is_behind(made: Made) -> None:
    result = verify_package(made.old, previous=made.new)
    what, seq = history_of(result)
    assert what == BEHIND and seq == old_head(made) + 1
    assert f"ends at event {old_head(made)}" in result.reason


def test_an_earlier_package_that_does_not_verify(made: Made, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    top, entries = read_zip(made.old)
    exhibit = next(n for n in entries if n.startswith("data/exhibits/"))
    entries[exhibit] = flip(entries[exhibit])
    write_zip(bad, top, entries)
    result = verify_package(made.new, previous=bad)
    assert result.reason == (f"history: the earlier package bad.zip does not verify (payload "
                             f"hashes: {exhibit} was changed); there is nothing trustworthy "
                             "to compare with")
    missing = verify_package(made.new, previous=tmp_path / "nothing.zip")
    assert missing.reason.startswith("history: the earlier package nothing.zip is not a "
                                     "package")


def test_compare_history_directly(made: Made) -> None:
    old, new = verify_package(made.old).custody, verify_package(made.new).custody
    assert old is not None and new is not None
    ok = compare_history(history_from_excerpt(old, "A"), history_from_excerpt(new, "B"))
    assert ok.ok and ok.events_compared == len(old.records)
    back = compare_history(history_from_excerpt(new, "B"), history_from_excerpt(old, "A"))
    assert not back.ok and back.divergence is not None and back.divergence.what == BEHIND


# --------------------------------------------------------------------- against a vault
def test_vault_extends_its_packages(made: Made) -> None:
    r = run_cli("check", made.vault, "--previous", made.old)
    assert r.returncode == 0, r.stdout + r.stderr
    assert any(x.startswith("history: the vault extends the package") for x in
               r.stdout.splitlines()), r.stdout
    r = run_cli("check", made.vault, "--previous", made.stranger)
    assert r.returncode == 1
    assert "PROBLEM: history: the vault and the package come from different vaults" in r.stdout


def test_a_diverged_vault_copy_fails(tmp_path: Path) -> None:
    """Vault A is copied to B; each then imports a different file. A package of A does not
    extend into B: B's log differs at the first event after the copy."""
    a = new_vault(tmp_path / "a")
    import_files(a, write_files(tmp_path / "first", 2, size=1200))
    fork = a.last_event()[0] + 1
    folder = a.folder
    a.close()
    b_folder = tmp_path / "b.evault"
    shutil.copytree(folder, b_folder)
    a = Vault.open(folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    b = Vault.open(b_folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    try:
        import_files(a, write_files(tmp_path / "in-a", 1, size=1300, prefix="only-a"))
        import_files(b, write_files(tmp_path / "in-b", 1, size=1300, prefix="only-b"))
        package = export(a, tmp_path / "from-a.zip", case=CASE).path
        assert compare_vault_with_package(a, package).ok
        result = compare_vault_with_package(b, package)
        assert not result.ok and result.divergence is not None
        assert (result.divergence.what, result.divergence.seq) == (EDITED, fork)
        assert result.divergence.item == "MO/3"
        assert result.message.startswith(f"event {fork} (imported MO/3 on ")
    finally:
        a.close()
        b.close()
    r = run_cli("check", b_folder, "--previous", package)
    assert r.returncode == 1
    assert f"PROBLEM: history: event {fork} (imported MO/3 on " in r.stdout
    r = run_cli("check", folder, "--previous", package)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_vault_behind_its_package(tmp_path: Path) -> None:
    """A vault restored from a copy older than a package it exported is behind it."""
    v = new_vault(tmp_path / "v")
    import_files(v, write_files(tmp_path / "first", 2, size=1200))
    folder = v.folder
    v.close()
    shutil.copytree(folder, tmp_path / "saved.evault")
    v = Vault.open(folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    try:
        import_files(v, write_files(tmp_path / "more", 1, size=1300, prefix="more"))
        package = export(v, tmp_path / "p.zip", case=CASE).path
    finally:
        v.close()
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "saved.evault", folder)
    v = Vault.open(folder, passphrase=PASSPHRASE, clock=FixedClock(T0))
    try:
        result = compare_vault_with_package(v, package)
        assert result.divergence is not None and result.divergence.what == BEHIND
    finally:
        v.close()
