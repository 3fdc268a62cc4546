"""Trusted timestamps (docs/timestamps.md): TSA configuration, the offline-first queue, stamping
against a real local TSA (tests/tsa_server.py), the CLI, and `check` against head tokens."""
# ruff: noqa: F811 - fixtures are parameters of the same name

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PASSPHRASE, import_refs, run_cli, write_files
from tsa_fixtures import live, make_pki, make_tsa, tsa, tsa_pki  # noqa: F401 - fixtures used below
from tsa_server import TsaServer

from vault.clock import SystemClock
from vault.custody import log as custody
from vault.errors import NotFound, VaultError
from vault.evidence.copyout import extract_item
from vault.packages.export import ExportResult, export_package
from vault.packages.receive import receive_package
from vault.store.check import run_check
from vault.store.vault import Vault
from vault.timestamps import stamping as timestamps
from vault.timestamps.stamping import (
    HEAD_KIND,
    NO_TSA,
    TsaConfigRefused,
    add_tsa,
    head_token_problems,
    head_tokens,
    list_tsas,
    pending,
    queue,
    queue_head,
    remove_tsa,
    run_stamp,
    set_enabled,
    tokens_for,
    tsa_roots,
    unstamped_count,
)

MakeTsa = Callable[..., TsaServer]
ROOT_CA = "O=Evidence Vault tests,CN=Evidence Vault Test Root CA"


def head_subject(v: Vault) -> str:
    seq, h = v.last_event()
    return f"{seq} {h}"


# ----------------------------------------------------------------------------- configuration
@pytest.mark.usefixtures("tsa_pki")
def test_tsa_configuration_api(live: Callable[[str], Vault], tmp_path: Path) -> None:
    v = live("case")
    ca = (tmp_path / "tsa-pki" / "ca.pem").read_bytes()
    for bad_url in ("ftp://tsa.example/", "tsa.example", "http://", "http://a b/"):
        with pytest.raises(TsaConfigRefused, match="http"):
            add_tsa(v, "x", bad_url, ca)
    with pytest.raises(TsaConfigRefused, match="certificate"):
        add_tsa(v, "x", "http://127.0.0.1:1/tsa", b"not a certificate")
    with pytest.raises(TsaConfigRefused, match="name"):
        add_tsa(v, "bad name", "http://127.0.0.1:1/tsa", ca)
    assert list_tsas(v) == []
    t = add_tsa(v, "local", "http://127.0.0.1:1/tsa", ca)
    assert t.enabled and t.ca_subjects() == [ROOT_CA]
    with pytest.raises(TsaConfigRefused, match="already"):
        add_tsa(v, "local", "http://127.0.0.1:2/tsa", ca)
    assert [c.subject.rfc4514_string() for c in tsa_roots(v)] == [ROOT_CA]
    set_enabled(v, "local", False)
    assert not list_tsas(v)[0].enabled
    with pytest.raises(NotFound):
        set_enabled(v, "nobody", True)
    remove_tsa(v, "local")
    assert list_tsas(v) == []
    with pytest.raises(NotFound):
        remove_tsa(v, "local")


@pytest.mark.usefixtures("tsa_pki")
def test_tsa_cli(live: Callable[[str], Vault], tmp_path: Path) -> None:
    v = live("case")
    folder = v.folder
    v.close()
    ca = tmp_path / "tsa-pki" / "ca.pem"
    junk = tmp_path / "junk.pem"
    junk.write_text("hello\n")
    r = run_cli("tsa", "add", folder, "local", "ftp://127.0.0.1/tsa", "--ca", ca)
    assert r.returncode == 2 and "evidence-vault: 'ftp://127.0.0.1/tsa' is not an http" in \
        r.stderr and "Traceback" not in r.stderr
    r = run_cli("tsa", "add", folder, "local", "http://127.0.0.1:9/tsa", "--ca", junk)
    assert r.returncode == 2 and "not a PEM or DER certificate" in r.stderr
    r = run_cli("tsa", "add", folder, "local", "http://127.0.0.1:9/tsa", "--ca", ca)
    assert r.returncode == 0, r.stderr
    assert f"added local\thttp://127.0.0.1:9/tsa\tCA {ROOT_CA}" in r.stdout
    r = run_cli("tsa", "add", folder, "freetsa", "--ca", ca)  # a preset: its URL, never called
    assert r.returncode == 0 and "https://freetsa.org/tsr" in r.stdout
    r = run_cli("tsa", "add", folder, "nopreset", "--ca", ca)
    assert r.returncode == 2 and "not a preset" in r.stderr
    r = run_cli("tsa", "disable", folder, "freetsa")
    assert r.returncode == 0
    r = run_cli("tsa", "list", folder)
    lines = r.stdout.splitlines()
    assert lines[0].startswith("local\thttp://127.0.0.1:9/tsa\tenabled\t")
    assert lines[1].startswith("freetsa\thttps://freetsa.org/tsr\tdisabled\t")
    assert any(ln.startswith("preset (not added)\tdigicert\thttp://timestamp.digicert.com")
               for ln in lines)
    assert not any("preset (not added)\tfreetsa" in ln for ln in lines)
    doc = json.loads(run_cli("tsa", "list", folder, "--json").stdout)
    assert [(t["name"], t["enabled"]) for t in doc["tsas"]] == [("local", True),
                                                                ("freetsa", False)]
    assert "sectigo" in {p["name"] for p in doc["presets_available"]}
    r = run_cli("tsa", "remove", folder, "freetsa")
    assert r.returncode == 0 and "tokens are kept" in r.stdout
    r = run_cli("tsa", "remove", folder, "freetsa")
    assert r.returncode == 1 and "evidence-vault: no TSA named 'freetsa'" in r.stderr
    r = run_cli("tsa", "presets")
    assert r.returncode == 0 and "freetsa\thttps://freetsa.org/tsr" in r.stdout


def test_presets_with_a_bundled_root_need_no_ca_file(live: Callable[[str], Vault]) -> None:
    """DigiCert and GlobalSign chain to roots of the shipped Mozilla store: added without
    --ca, with exactly that root; a preset without one still needs --ca."""
    v = live("case")
    folder = v.folder
    v.close()
    r = run_cli("tsa", "add", folder, "digicert")
    assert r.returncode == 0, r.stderr
    assert "CA CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US" in r.stdout
    r = run_cli("tsa", "add", folder, "freetsa")
    assert r.returncode == 2 and "--ca" in r.stderr
    r = run_cli("tsa", "add", folder, "globalsign", "http://127.0.0.1:9/other")
    assert r.returncode == 2 and "--ca" in r.stderr  # another URL: the root is not assumed
    names = sorted(c.subject.rfc4514_string() for c in timestamps.bundled_roots())
    assert names == ["CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US",
                     "CN=GlobalSign,O=GlobalSign,OU=GlobalSign Root CA - R6"]


# ----------------------------------------------------------------------------- the queue
def test_queue_is_idempotent_and_heads_supersede(live: Callable[[str], Vault],
                                                 tmp_path: Path) -> None:
    v = live("case")
    rid = queue(v, "package signature", "pkg-1", b"signature bytes")
    assert queue(v, "package signature", "pkg-1", b"signature bytes") == rid
    with pytest.raises(VaultError, match="other content"):
        queue(v, "package signature", "pkg-1", b"other bytes")
    first = queue_head(v)
    assert queue_head(v) == first  # the same head is queued once
    refs = import_refs(v, *write_files(tmp_path / "in", 2))
    # The import queued the new head (after its metadata events): the older head is superseded.
    waiting = pending(v)
    assert [(p.kind, p.subject) for p in waiting] == [
        ("package signature", "pkg-1"), (HEAD_KIND, head_subject(v))]
    assert all(p.reason == NO_TSA for p in waiting) and unstamped_count(v) == 2
    seq, h = v.last_event()
    msg = v.con.execute("SELECT message FROM stamp_requests WHERE subject=?",
                        (f"{seq} {h}",)).fetchone()[0]
    assert bytes(msg) == custody.head_record(v.vault_id, seq, h, v.fingerprint())
    # An event, then an export: the head as it was before the export is queued.
    extract_item(v, refs["doc-00000.txt"], tmp_path / "out")
    before = head_subject(v)
    for step in export_package(v, tmp_path / "p.zip", refs=list(refs.values())):
        last = step
    assert isinstance(last, ExportResult)
    assert pending(v)[-1].subject == before != head_subject(v)
    # Receiving the package into another vault queues that vault's head after the receipt.
    other = live("other")
    receive_package(other, tmp_path / "p.zip", signer=v.certificate_fingerprint())
    assert [p.subject for p in pending(other)] == [head_subject(other)]


# ----------------------------------------------------------------------------- offline first
def test_offline_import_export_then_stamp_when_the_tsa_answers(
        live: Callable[[str], Vault], make_tsa: MakeTsa, tmp_path: Path) -> None:
    server = make_tsa()
    v = live("case")
    folder = v.folder
    add_tsa(v, "local", server.url, server.ca_pem)
    v.close()
    files = write_files(tmp_path / "in", 3)
    r = run_cli("import", folder, *files)
    assert r.returncode == 0, r.stderr
    assert server.requests == 0  # importing only queues
    server.stop()  # the TSA goes down: nothing listens on its port
    started = time.monotonic()
    r = run_cli("export", folder, "MO/1", "MO/2", "--out", tmp_path / "p.zip")
    assert r.returncode == 0, r.stderr
    r = run_cli("import", folder, *write_files(tmp_path / "more", 1, prefix="more"))
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started < 60
    r = run_cli("stamp", folder, "--timeout", "5")
    assert r.returncode == 1, r.stderr
    # The export's signature (package format 2) waits too, before the later custody head.
    waiting = [ln for ln in r.stdout.splitlines() if ln.startswith("WAITING")]
    assert len(waiting) == 2 and waiting[0].startswith("WAITING\tpackage signature\t")
    assert waiting[1].startswith("WAITING\tcustody head\t")
    assert "local: not reachable" in waiting[1] and "refused" in waiting[1]
    assert "0 stamped, 2 still waiting" in r.stderr
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        assert head_tokens(v) == [] and unstamped_count(v) == 2
        subject = head_subject(v)
        assert pending(v)[1].subject == subject and pending(v)[1].last_try is not None

    server.start()  # back on the same address
    r = run_cli("stamp", folder)
    assert r.returncode == 0, r.stderr
    stamped = [ln.split("\t") for ln in r.stdout.splitlines() if ln.startswith("STAMPED")]
    assert [s[1:4] for s in stamped][1] == ["custody head", subject, "local"]
    assert stamped[0][1] == "package signature"
    assert "WARNING" not in r.stdout and "2 stamped, 0 still waiting" in r.stderr
    assert server.requests == 2
    r = run_cli("stamp", folder)
    assert r.returncode == 0 and "0 stamped, 0 still waiting" in r.stderr
    assert server.requests == 2  # nothing sent twice
    doc = json.loads(run_cli("timestamps", folder, "--json").stdout)
    assert doc["waiting"] == [] and len(doc["tokens"]) == 2
    token = doc["tokens"][1]
    assert token["subject"] == subject and token["tsa"] == "local" and token["warning"] is None
    assert abs(token["skew_seconds"]) < 60
    with Vault.open(folder, passphrase=PASSPHRASE) as v:
        (t,) = head_tokens(v)
        assert t.response == server.responses[-1] and t.message == custody.head_record(
            v.vault_id, *(int(subject.split()[0]), subject.split()[1]), v.fingerprint())
        assert v.con.execute("SELECT last_error FROM stamp_requests WHERE subject=?",
                             (subject,)).fetchone()[0] == ""
    r = run_cli("check", folder)
    assert r.returncode == 0 and "OK:" in r.stdout


def test_the_network_is_used_outside_the_vaults_lock(
        live: Callable[[str], Vault], make_tsa: MakeTsa, tmp_path: Path) -> None:
    server = make_tsa(backend="python", down="slow", slow_seconds=2.0)
    v = live("case")
    add_tsa(v, "slow", server.url, server.ca_pem)
    import_refs(v, *write_files(tmp_path / "in", 1))
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(run_stamp(v, timeout=10)))
    worker.start()
    deadline = time.monotonic() + 10
    while server.requests == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.requests == 1
    started = time.monotonic()
    with v.transaction():  # another thread's change while the TSA thinks
        v.record(custody.NOTE_ADDED, details={"text": "written while the TSA was asked"})
    waited = time.monotonic() - started
    assert worker.is_alive() and waited < 1.0
    worker.join(timeout=20)
    report = result[0]
    assert isinstance(report, timestamps.StampReport) and len(report.stamped) == 1
    assert report.ok and len(head_tokens(v)) == 1


# ----------------------------------------------------------------------------- answers
def test_a_tsa_two_years_off_is_kept_and_flagged(
        live: Callable[[str], Vault], make_tsa: MakeTsa, tmp_path: Path) -> None:
    server = make_tsa(backend="python", time_offset=dt.timedelta(days=730))
    v = live("case")
    folder = v.folder
    add_tsa(v, "ahead", server.url, server.ca_pem)
    import_refs(v, *write_files(tmp_path / "in", 1))
    v.close()
    r = run_cli("stamp", folder)
    assert r.returncode == 0, r.stderr
    (line,) = [ln for ln in r.stdout.splitlines() if ln.startswith("STAMPED")]
    assert "\tWARNING: ahead's time is 730 days ahead of this computer's clock" in line
    assert "1 warning(s)" in r.stderr
    r = run_cli("timestamps", folder)
    assert "WARNING: ahead's time is 730 days ahead" in r.stdout
    with Vault.open(folder, passphrase=PASSPHRASE, clock=SystemClock()) as v:
        (t,) = head_tokens(v)
        assert t.flagged and -730 * 86400 - 60 < t.skew_seconds < -730 * 86400 + 60
        assert t.gen_time.startswith(str(dt.datetime.now(dt.UTC).year + 2)[:3])
        import_refs(v, *write_files(tmp_path / "more", 1, prefix="more"))
        report = run_stamp(v)
        assert len(report.stamped) == 1 and report.stamped[0].warning is not None
        assert len(report.warnings) == 1 and "730 days" in report.warnings[0]
        assert report.ok and head_token_problems(v) == []


@pytest.mark.parametrize("knob, reason", [
    ({"wrong_nonce": True}, "wrong nonce"),
    ({"wrong_imprint": True}, "another message"),
    ({"untrusted": True}, "not trusted"),
])
def test_a_bad_answer_is_not_stored(live: Callable[[str], Vault], make_tsa: MakeTsa,
                                    tmp_path: Path, knob: dict[str, object],
                                    reason: str) -> None:
    knob = dict(knob)
    if knob.pop("untrusted", False):
        knob["pki"] = make_pki(tmp_path / "other-pki", ca_name="Somebody Else's CA")
    server = make_tsa(backend="python", **knob)
    v = live("case")
    trusted_ca = (tmp_path / "tsa-pki" / "ca.pem").read_bytes() if "pki" in knob \
        else server.ca_pem
    add_tsa(v, "bad", server.url, trusted_ca)
    import_refs(v, *write_files(tmp_path / "in", 1))
    report = run_stamp(v)
    assert server.requests == 1 and report.stamped == [] and not report.ok
    (p,) = report.waiting
    assert p.subject == head_subject(v) and reason in p.reason and p.reason.startswith(
        "bad: answer refused: ")
    assert v.con.execute("SELECT count(*) FROM stamp_tokens").fetchone()[0] == 0
    assert tokens_for(v) == [] and unstamped_count(v) == 1


def test_several_tsas_each_stamp_and_a_disabled_one_is_not_contacted(
        live: Callable[[str], Vault], make_tsa: MakeTsa, tmp_path: Path) -> None:
    a = make_tsa()
    b = make_tsa(backend="python", pki=make_pki(tmp_path / "pki-b", ca_name="B Root"))
    c = make_tsa(backend="python")
    v = live("case")
    add_tsa(v, "a", a.url, a.ca_pem)
    add_tsa(v, "b", b.url, b.ca_pem)
    add_tsa(v, "c", c.url, c.ca_pem)
    set_enabled(v, "c", False)
    import_refs(v, *write_files(tmp_path / "in", 1))
    assert pending(v)[0].missing == ("a", "b")
    report = run_stamp(v)
    assert sorted(s.tsa for s in report.stamped) == ["a", "b"] and report.ok
    assert (a.requests, b.requests, c.requests) == (1, 1, 0)
    set_enabled(v, "c", True)
    assert [p.missing for p in pending(v)] == [("c",)]
    report = run_stamp(v)
    assert [s.tsa for s in report.stamped] == ["c"] and (a.requests, c.requests) == (1, 1)
    remove_tsa(v, "a")
    assert sorted(t.tsa for t in head_tokens(v)) == ["a", "b", "c"]  # tokens are kept
    assert head_token_problems(v) == [] and run_check(v).ok


# ----------------------------------------------------------------------------- check
def test_check_names_a_log_that_differs_from_its_stamped_heads(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    a = live("a")
    add_tsa(a, "local", tsa.url, tsa.ca_pem)
    import_refs(a, *write_files(tmp_path / "in1", 1, prefix="first"))
    assert run_stamp(a).ok
    common = a.last_event()[0]
    folder_a = a.folder
    a.close()
    folder_b = tmp_path / "b.evault"
    shutil.copytree(folder_a, folder_b)
    a = Vault.open(folder_a, passphrase=PASSPHRASE)
    b = Vault.open(folder_b, passphrase=PASSPHRASE)
    try:
        import_refs(a, *write_files(tmp_path / "in2", 1, prefix="second"))
        # B is the same vault whose history went another way: other content at the same events,
        # then more events than A has. Both of its heads are stamped by the same TSA.
        import_refs(b, *write_files(tmp_path / "in3", 1, prefix="third"))
        assert run_stamp(b).ok
        rewritten = b.last_event()[0]
        assert a.last_event()[0] == rewritten and a.last_event() != b.last_event()
        import_refs(b, *write_files(tmp_path / "in4", 1, prefix="fourth"))
        assert run_stamp(b).ok
        beyond = b.last_event()[0]
        assert head_token_problems(a) == [] and head_token_problems(b) == []
        # Carry B's tokens for its own heads into A's real index (as a sync or a restore
        # mixing copies would): the requests and tokens, byte for byte.
        rows = b.con.execute(
            "SELECT r.kind, r.subject, r.message, r.sha256, r.queued, t.tsa, t.url, t.query, "
            "t.response, t.chain_pem, t.gen_time, t.local_time, t.skew_seconds "
            "FROM stamp_tokens t JOIN stamp_requests r ON r.id = t.request_id "
            "WHERE CAST(substr(r.subject, 1, instr(r.subject, ' ') - 1) AS INTEGER) > ?",
            (common,)).fetchall()
        assert len(rows) == 2
        with a.transaction():
            for row in rows:
                rid = a.con.execute("INSERT INTO stamp_requests (kind, subject, message, sha256, "
                                    "queued) VALUES (?,?,?,?,?)", row[:5]).lastrowid
                a.con.execute("INSERT INTO stamp_tokens (request_id, tsa, url, query, response, "
                              "chain_pem, gen_time, local_time, skew_seconds) "
                              "VALUES (?,?,?,?,?,?,?,?,?)", (rid, *row[5:]))
        problems = head_token_problems(a)
        assert len(problems) == 2
        assert problems[0].startswith(f"custody event {rewritten} differs from the custody head "
                                      f"at event {rewritten} stamped by local at ")
        assert "rewritten at or before that event" in problems[0]
        assert problems[1].startswith(f"custody log ends at event {rewritten}, but the custody "
                                      f"head at event {beyond} stamped by local")
        assert "rolled back or truncated" in problems[1]
        with pytest.raises(Exception, match="timestamp tokens are kept"), a.transaction():
            a.con.execute("DELETE FROM stamp_tokens")
    finally:
        b.close()
        a.close()
    r = run_cli("check", folder_a)
    assert r.returncode == 1
    found = [ln for ln in r.stdout.splitlines() if ln.startswith("PROBLEM:")]
    assert found[0].startswith(f"PROBLEM: custody event {rewritten} differs from the custody "
                               "head")
    assert any("rolled back or truncated" in ln for ln in found)


def test_a_stored_token_altered_in_the_index_is_reported(
        live: Callable[[str], Vault], tsa: TsaServer, tmp_path: Path) -> None:
    v = live("case")
    add_tsa(v, "local", tsa.url, tsa.ca_pem)
    import_refs(v, *write_files(tmp_path / "in", 1))
    assert run_stamp(v).ok and head_token_problems(v) == []
    response = bytearray(head_tokens(v)[0].response)
    response[-5] ^= 0x01  # inside the signature
    with v.transaction():
        v.con.execute("UPDATE stamp_tokens SET response=?", (bytes(response),))
    (problem,) = head_token_problems(v)
    assert "the token does not verify" in problem and f"event {v.last_event()[0]}" in problem
