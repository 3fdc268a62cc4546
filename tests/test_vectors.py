"""The format's test vectors (tests/vectors) against the product code, and the fixture vaults.

The vectors are written by ``tests/vectors/make_vectors.py`` from the specifications alone
(docs/vault-format.md, docs/custody-log.md); here each one is fed to the product's own reader,
key slot, recovery key and custody code and must give the result its header expects.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vault.clock import FixedClock
from vault.custody import log as custody
from vault.documents.thumbnails import thumbnail
from vault.errors import IntegrityError, VaultUnusable, WrongSecret
from vault.evidence.importer import import_paths
from vault.evidence.items import list_items
from vault.evidence.purge import purge
from vault.store.check import run_check
from vault.store.db import SCHEMA_VERSION, schema_version
from vault.store.keyslots import normalise_passphrase, open_slot, parse_recovery_key
from vault.store.objects import MAGIC, ObjectReader, header_bytes
from vault.store.vault import Vault

TESTS = Path(__file__).resolve().parent
VECTORS = TESTS / "vectors"
FIXTURE = TESTS / "fixtures" / "vault-v1.evault"  # index schema 1
FIXTURE_S3 = TESTS / "fixtures" / "vault-v1-schema3.evault"  # index schema 3, a thumbnail
FIXTURE_S4 = TESTS / "fixtures" / "vault-v1-schema4.evault"  # schema 4, and an annotation
FIXTURE_S6 = TESTS / "fixtures" / "vault-v1-schema6.evault"  # schema 6: OCR, tag, timestamp
FIXTURES = [pytest.param(FIXTURE, id="schema1"), pytest.param(FIXTURE_S3, id="schema3"),
            pytest.param(FIXTURE_S4, id="schema4"), pytest.param(FIXTURE_S6, id="schema6")]
FIXTURE_README = TESTS / "fixtures" / "README.md"
CUSTODY_DOC = TESTS.parent / "docs" / "custody-log.md"
KINDS = {"object", "keyslot", "recovery", "custody", "custody-export", "head"}
LATER = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_vectors", VECTORS / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------- vector files
@dataclass(frozen=True)
class Vector:
    name: str
    kind: str
    expect: str
    params: dict[str, list[str]]
    payload: str

    def one(self, key: str) -> str:
        values = self.params.get(key, [])
        assert len(values) == 1, f"{self.name}: expected one {key!r} line, got {values}"
        return values[0]

    def all(self, key: str) -> list[str]:
        return self.params.get(key, [])


def parse(path: Path) -> Vector:
    text = path.read_bytes().decode("utf-8")
    head, sep, payload = text.partition("\n\n")
    assert sep and payload.endswith("\n"), f"{path.name}: not a vector file"
    params: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(": ")
        assert colon, f"{path.name}: bad header line {line!r}"
        params.setdefault(key, []).append(value)
    vec = Vector(path.stem, params.pop("kind")[0], params.pop("expect")[0], params,
                 payload[:-1])
    assert vec.kind in KINDS, f"{path.name}: unknown kind {vec.kind}"
    assert vec.all("comment"), f"{path.name}: no comment"
    return vec


FILES = sorted(VECTORS.glob("*.txt"))


def of_kind(kind: str) -> list[object]:
    return [pytest.param(p, id=p.stem) for p in FILES if parse(p).kind == kind]


def test_vectors_cover_every_kind() -> None:
    vectors = [parse(p) for p in FILES]
    assert len(vectors) >= 50
    for kind in KINDS:
        expects = {v.expect for v in vectors if v.kind == kind}
        assert "success" in expects, kind
        if kind != "custody-export":
            assert expects - {"success"}, f"no failing {kind} vector"


def test_vectors_are_reproducible(tmp_path: Path) -> None:
    """The generator still writes exactly the committed files: it cannot rot unnoticed."""
    written = _generator().write_vectors(tmp_path)
    assert sorted(p.name for p in written) == [p.name for p in FILES]
    for p in FILES:
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


# ------------------------------------------------------------------------------- objects
@pytest.mark.parametrize("path", of_kind("object"))
def test_object_vector(path: Path, tmp_path: Path) -> None:
    v = parse(path)
    data = bytes.fromhex("".join(v.payload.split()))
    oid, key = v.one("oid"), bytes.fromhex(v.one("key"))
    file = tmp_path / oid
    file.write_bytes(data)
    if v.expect == "header failure":
        with pytest.raises(IntegrityError, match="damaged header"):
            ObjectReader(file, oid, key)
    elif v.expect == "truncated":
        with pytest.raises(IntegrityError, match="is truncated"):
            ObjectReader(file, oid, key)
    elif v.expect == "success":
        with ObjectReader(file, oid, key) as reader:
            assert header_bytes(reader.chunk_size) == data[:16]
            assert reader.size == int(v.one("size"))
            content = reader.read()
            assert hashlib.sha256(content).hexdigest() == v.one("plaintext-sha256")
            assert len(content) == reader.size
            assert b"".join(reader.iter_chunks()) == content
            # a raw read stops at the end of a chunk: gather 70 bytes from the middle
            middle = reader.size // 2
            reader.seek(middle)
            got = b""
            while len(got) < 70 and (part := reader.read(70 - len(got))):
                got += part
            assert got == content[middle:middle + 70]
    elif v.expect == "payload failure":
        failing = int(v.one("failing-chunk"))
        with ObjectReader(file, oid, key) as reader:
            for i in range(failing):
                reader.chunk(i)
            with pytest.raises(IntegrityError, match="failed authentication"):
                reader.chunk(failing)
            reader.seek(0)
            with pytest.raises(IntegrityError):
                reader.read()
    else:
        pytest.fail(f"{path.name}: unknown expectation {v.expect!r}")


# ------------------------------------------------------------------------------- key slots
@pytest.mark.parametrize("path", of_kind("keyslot"))
def test_keyslot_vector(path: Path) -> None:
    v = parse(path)
    doc = json.loads(v.payload)
    if "passphrase" in doc:
        secret = normalise_passphrase(doc["passphrase"])
    else:
        secret = parse_recovery_key(doc["recovery_key"])
    if v.expect == "success":
        assert open_slot(doc["slot"], secret, doc["vault_id"]) == bytes.fromhex(
            v.one("master-key"))
    elif v.expect == "wrong secret":
        with pytest.raises(WrongSecret):
            open_slot(doc["slot"], secret, doc["vault_id"])
    elif v.expect == "unusable":
        with pytest.raises(VaultUnusable):
            open_slot(doc["slot"], secret, doc["vault_id"])
    else:
        pytest.fail(f"{path.name}: unknown expectation {v.expect!r}")


@pytest.mark.parametrize("path", of_kind("recovery"))
def test_recovery_vector(path: Path) -> None:
    v = parse(path)
    if v.expect == "success":
        assert parse_recovery_key(v.payload) == bytes.fromhex(v.one("secret"))
    elif v.expect == "mistyped":
        with pytest.raises(WrongSecret, match="mistyped"):
            parse_recovery_key(v.payload)
    elif v.expect == "malformed":
        with pytest.raises(WrongSecret, match="not a recovery key"):
            parse_recovery_key(v.payload)
    else:
        pytest.fail(f"{path.name}: unknown expectation {v.expect!r}")


def test_recovery_key_display_form() -> None:
    shown = parse(VECTORS / "recovery-canonical.txt").payload
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}", shown)


# ------------------------------------------------------------------------------- custody
# The problem kinds of docs/custody-log.md, and the words of the product's message for each.
PROBLEM_KINDS = {
    "out of sequence": "out-of-sequence",
    "do not match its recorded hash": "hash-mismatch",
    "signature does not verify": "bad-signature",
    "not valid JSON": "not-json",
    "not in canonical form": "not-canonical",
    "event version": "unknown-version",
    "its body says it is event": "seq-mismatch",
    "does not follow the event before it": "chain-broken",
    "belongs to another vault": "other-vault",
}


def problem_kind(reason: str) -> str:
    kinds = [k for words, k in PROBLEM_KINDS.items() if words in reason]
    assert len(kinds) == 1, f"unrecognised problem: {reason}"
    return kinds[0]


def stored_events(v: Vector) -> list[custody.Event]:
    rows = [json.loads(line) for line in v.payload.splitlines()]
    return [custody.Event(seq=r["seq"], body=r["body"].encode("utf-8"), hash=r["hash"],
                          sig=base64.b64decode(r["sig"])) for r in rows]


def public_key(v: Vector) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(v.one("public-key")))


@pytest.mark.parametrize("path", of_kind("custody"))
def test_custody_vector(path: Path) -> None:
    v = parse(path)
    found = [(p.seq, problem_kind(p.reason))
             for p in custody.verify_chain(stored_events(v), public_key(v), v.one("vault"))]
    expected = [(int(seq), kind) for seq, kind in (p.split() for p in v.all("problem"))]
    assert v.expect == ("problems" if expected else "success")
    assert found == expected


@pytest.mark.parametrize("path", of_kind("custody-export"))
def test_custody_export_vector(path: Path) -> None:
    v = parse(path)
    events = []
    for line in v.payload.splitlines():
        rec = json.loads(line)
        ev = custody.Event(seq=rec["event"]["seq"], body=custody.canonical(rec["event"]),
                           hash=rec["hash"], sig=base64.b64decode(rec["sig"]))
        assert ev.to_line() == line.encode("utf-8")  # the product writes exactly this form
        events.append(ev)
    assert v.expect == "success"
    assert list(custody.verify_chain(events, public_key(v), v.one("vault"))) == []


def test_product_writes_the_valid_chain_byte_for_byte() -> None:
    """make_event with the vector's key and fields gives the same bodies, hashes, signatures."""
    v = parse(VECTORS / "custody-valid-chain.txt")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v.one("signing-seed")))
    assert custody.key_fingerprint(key.public_key()) == v.one("fingerprint")
    for stored in stored_events(v):
        f = json.loads(stored.body)
        ev = custody.make_event(key, vault_id=f["vault"], seq=f["seq"], prev=f["prev"],
                                time=f["time"], actor=f["actor"], action=f["action"],
                                item=f["item"], sha256=f["sha256"], details=f["details"])
        assert ev == stored


@pytest.mark.parametrize("path", of_kind("head"))
def test_head_vector(path: Path) -> None:
    v = parse(path)
    doc = json.loads(v.payload)
    record = custody.head_record(v.one("vault"), int(doc["seq"]), str(doc["hash"]))
    if v.expect == "success":
        public_key(v).verify(base64.b64decode(doc["sig"]), record)
        chain = stored_events(parse(VECTORS / "custody-valid-chain.txt"))
        assert (doc["seq"], doc["hash"]) == (chain[-1].seq, chain[-1].hash)
    elif v.expect == "bad signature":
        with pytest.raises(InvalidSignature):
            public_key(v).verify(base64.b64decode(doc["sig"]), record)
    else:
        pytest.fail(f"{path.name}: unknown expectation {v.expect!r}")


def test_docs_examples_are_the_vectors() -> None:
    """The worked examples in the specifications are those of the vectors."""
    fmt = (TESTS.parent / "docs" / "vault-format.md").read_text(encoding="utf-8")
    for name in ("recovery-canonical", "recovery-confusables"):
        assert parse(VECTORS / f"{name}.txt").payload in fmt
    assert parse(VECTORS / "recovery-canonical.txt").one("secret") in fmt
    log = CUSTODY_DOC.read_text(encoding="utf-8")
    assert parse(VECTORS / "custody-valid-chain.txt").one("fingerprint") in log


# ------------------------------------------------------------------------------- fixtures
FIELDS = (r"passphrase|recovery key|vault id|custody key fingerprint|custody events|thumbnail"
          r"|annotation|scan|tag|tsa|head token")


def fixture_info(fixture: Path = FIXTURE
                 ) -> tuple[dict[str, str], list[tuple[str, str, int, str]]]:
    """The fixture's section of tests/fixtures/README.md: its fields and its items."""
    sections = FIXTURE_README.read_text(encoding="utf-8").split("\n## ")
    [text] = [sec for sec in sections if sec.startswith(fixture.name + "\n")]
    fields = dict(re.findall(rf"^({FIELDS}): (.+)$", text, re.MULTILINE))
    items = [(ref, name, int(size), sha) for ref, name, size, sha in re.findall(
        r"^\| (\S+) \| (\S+) \| (\d+) \| `([0-9a-f]{64})` \|$", text, re.MULTILINE)]
    assert len(fields) == {FIXTURE_S3.name: 6, FIXTURE_S4.name: 7,
                           FIXTURE_S6.name: 11}.get(fixture.name, 5)
    assert len(items) == {FIXTURE.name: 2, FIXTURE_S6.name: 4}.get(fixture.name, 3)
    return fields, items


def fixture_contents() -> dict[str, bytes]:
    """The fixtures' item contents by SHA-256, as the generator made them."""
    gen = _generator()
    return {hashlib.sha256(c).hexdigest(): c
            for c in [*gen.FIXTURE_FILES.values(), gen.fixture_photo(), gen.fixture_scan()]}


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy(fixture: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of a committed fixture; the committed one must come out untouched."""
    before = _tree_digest(fixture)
    copy = tmp_path / "copy" / fixture.name
    shutil.copytree(fixture, copy)
    yield copy
    assert _tree_digest(fixture) == before, "the committed fixture was modified"


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Iterator[Path]:
    yield from _copy(FIXTURE, tmp_path)


@pytest.fixture
def s3_copy(tmp_path: Path) -> Iterator[Path]:
    yield from _copy(FIXTURE_S3, tmp_path)


@pytest.fixture(params=FIXTURES)
def any_fixture_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    yield from _copy(request.param, tmp_path)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_layout(fixture: Path) -> None:
    """The committed fixture as format version 1 lays it out (read only)."""
    names = {p.name for p in fixture.iterdir()}
    assert names == {"header.json", "index.db", "head.json", "objects", "vault.lock"}
    header = json.loads((fixture / "header.json").read_bytes())
    assert (header["format"], header["version"]) == ("evidence-vault", 1)
    assert [(s["id"], s["kind"]) for s in header["slots"]] == [(1, "passphrase"), (2, "recovery")]
    assert not (fixture / "index.db").read_bytes().startswith(b"SQLite format 3\0")
    fields, items = fixture_info(fixture)
    objects = sorted((fixture / "objects").iterdir())
    assert len(objects) == len(items) + ("thumbnail" in fields)
    for p in objects:
        assert re.fullmatch(r"[0-9a-f]{32}", p.name)
        assert p.read_bytes()[:16] == MAGIC + (1 << 20).to_bytes(4, "big") + bytes(4)
    head = json.loads((fixture / "head.json").read_bytes())
    assert head["vault"] == header["vault_id"] == fields["vault id"]
    assert head["seq"] == int(fields["custody events"])


def test_fixture_opens_and_checks(any_fixture_copy: Path) -> None:
    fields, expected = fixture_info(any_fixture_copy)
    contents = fixture_contents()
    objects_before = {p.name for p in (any_fixture_copy / "objects").iterdir()}
    with Vault.open(any_fixture_copy, passphrase=fields["passphrase"],
                    clock=FixedClock(LATER)) as v:
        assert v.open_warnings == []
        assert v.vault_id == fields["vault id"]
        assert v.fingerprint() == fields["custody key fingerprint"]
        assert schema_version(v.con) == SCHEMA_VERSION  # migrated on open
        assert v.objects.names() == objects_before  # the sweep kept every object
        report = run_check(v)
        assert report.ok, report.problems
        assert report.items_checked == len(expected)
        assert report.thumbnails_checked == ("thumbnail" in fields)
        assert report.annotations_checked == ("annotation" in fields)
        assert report.events_checked == int(fields["custody events"])
        items = list_items(v)
        assert [(i.ref, i.name, i.size, i.sha256) for i in items] == expected
        assert {i.status for i in items} == {"present"}
        for item in items:
            assert item.oid is not None
            with v.objects.open(item.oid, v.object_key(item.oid)) as reader:
                assert reader.read() == contents[item.sha256]


def test_schema3_fixture_serves_its_stored_thumbnail(s3_copy: Path) -> None:
    """The thumbnail made when the fixture was written is read back, not drawn again, and
    goes with its item's purge."""
    fields, _ = fixture_info(FIXTURE_S3)
    ref, size, digest = fields["thumbnail"].split()
    with Vault.open(s3_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        [(oid,)] = v.con.execute("SELECT oid FROM thumbnails").fetchall()
        before = v.objects.names()
        png = thumbnail(v, ref, int(size))
        assert png is not None and hashlib.sha256(png).hexdigest() == digest
        assert v.objects.names() == before
        assert thumbnail(v, "MO/1", int(size)) is None  # a text note has none
        purge(v, ref, "checking that thumbnails go with the item")
        assert oid not in v.objects.names()
        assert v.con.execute("SELECT count(*) FROM thumbnails").fetchone()[0] == 0
        assert run_check(v).ok


def test_schema4_fixture_keeps_its_annotation(tmp_path: Path) -> None:
    """The annotation made when the fixture was written is read back as it was made, with
    its event, on the photo's unchanged content."""
    from vault.documents.annotations import annotations

    fields, items = fixture_info(FIXTURE_S4)
    ref, annotation_id = fields["annotation"].split()
    for copy in _copy(FIXTURE_S4, tmp_path):
        with Vault.open(copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
            [a] = annotations(v, ref)
            assert (a.id, a.kind, a.page, a.colour, a.text) == \
                (annotation_id, "rectangle", 0, "#ff0000", "the door")
            assert a.geometry == _generator().FIXTURE_ANNOTATION
            assert a.sha256 == next(sha for r, _, _, sha in items if r == ref)
            [added] = [e.fields for e in v.events(ref)
                       if e.fields["action"] == custody.ANNOTATION_ADDED]
            assert added["details"] == a.to_dict()
            assert run_check(v).ok


def _fixture_ca(fixture: Path) -> str:
    """The PEM certificate of the test CA written in the fixture's README section."""
    sections = FIXTURE_README.read_text(encoding="utf-8").split("\n## ")
    [text] = [sec for sec in sections if sec.startswith(fixture.name + "\n")]
    [pem] = re.findall(r"^```pem\n(.*?)```$", text, re.MULTILINE | re.DOTALL)
    return str(pem)


def test_schema6_fixture_keeps_its_timestamps_tags_and_ocr(tmp_path: Path) -> None:
    """The schema 6 fixture as it was made: its custody-head token verifies against the CA
    written beside it and matches the log, its TSA is listed, its tag is there and found,
    and the word Tesseract read on the scan's second page is found at that page."""
    from cryptography import x509

    from vault.evidence.tags import tags_of
    from vault.search.ocr import ocr_text, ocr_words
    from vault.search.query import search
    from vault.timestamps import tsp
    from vault.timestamps.stamping import head_token_problems, head_tokens, list_tsas, pending

    gen = _generator()
    fields, items = fixture_info(FIXTURE_S6)
    scan_ref, scan_page, word = fields["scan"].split()
    tag_ref, tag = fields["tag"].split(" ", 1)
    tsa_name, tsa_url = fields["tsa"].split()
    seq, head_hash, gen_time = fields["head token"].split()
    ca_pem = _fixture_ca(FIXTURE_S6)
    [ca] = x509.load_pem_x509_certificates(ca_pem.encode("ascii"))
    assert (word, tag) == (gen.FIXTURE_SCAN_WORD, gen.FIXTURE_TAG)
    assert next(name for r, name, _, _ in items if r == scan_ref) == "minutes.pdf"
    for copy in _copy(FIXTURE_S6, tmp_path):
        with Vault.open(copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
            report = run_check(v)
            assert report.ok, report.problems
            assert head_token_problems(v) == []
            [t] = list_tsas(v)
            assert (t.name, t.url, t.enabled) == (tsa_name, tsa_url, True)
            assert x509.load_pem_x509_certificates(t.ca_pem.encode("ascii")) == [ca]
            [token] = head_tokens(v)
            assert (token.tsa, token.subject, token.gen_time) == \
                (tsa_name, f"{seq} {head_hash}", gen_time)
            assert token.message == custody.head_record(v.vault_id, int(seq), head_hash)
            assert int(seq) == int(fields["custody events"]) == v.last_event()[0]
            check = tsp.check_response(token.response, token.message, [ca])
            assert (check.ok, check.trusted) == (True, True), check.problem
            assert check.gen_time is not None and \
                check.gen_time.strftime("%Y-%m-%dT%H:%M:%S") == gen_time[:19]
            other = tsp.check_response(token.response, token.message + b" ", [ca])
            assert not other.ok  # the token is bound to that head record
            assert pending(v) == []  # nothing waits: the head was stamped
            assert tags_of(v, tag_ref) == [tag]
            assert [(h.ref, h.source) for h in search(v, tag.split()[0])] == [(tag_ref, "tag")]
            assert [(p, text.strip()) for p, text in ocr_text(v, scan_ref)] == \
                [(int(scan_page), word)]
            [box] = ocr_words(v, scan_ref, int(scan_page))  # where the word is on the page
            assert box[4] == word and 0 <= box[0] < box[2] and 0 <= box[1] < box[3]
            hits = search(v, word.lower())
            assert [(h.ref, h.source, h.page) for h in hits] == \
                [(scan_ref, "ocr", int(scan_page))]
            assert [(h.ref, h.page) for h in search(v, "cover sheet")] == [(scan_ref, 1)]


def test_schema1_fixture_migrates_and_makes_thumbnails(fixture_copy: Path, tmp_path: Path,
                                                       corpus: Path) -> None:
    """A vault migrated from schema 1 takes thumbnails, and keeps them across an opening."""
    fields, _ = fixture_info()
    photo = corpus / "photos" / "DSCN0010.jpg"
    with Vault.open(fixture_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        [result] = [r for p in import_paths(v, [photo]) for r in p.acknowledged]
        assert result.ref is not None
        png = thumbnail(v, result.ref)
        assert png is not None
    with Vault.open(fixture_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        assert len(v.objects.names()) == 4  # two notes, the photo, its thumbnail
        assert thumbnail(v, result.ref) == png
        assert run_check(v).ok


def test_fixture_opens_with_recovery_key(any_fixture_copy: Path) -> None:
    fields, items = fixture_info(any_fixture_copy)
    with Vault.open(any_fixture_copy, recovery_key=fields["recovery key"],
                    clock=FixedClock(LATER)) as v:
        assert v.open_warnings == []
        assert len(list_items(v)) == len(items)


def _python_snippet() -> str:
    blocks = re.findall(r"```python\n(.*?)```", CUSTODY_DOC.read_text(encoding="utf-8"),
                        re.DOTALL)
    assert len(blocks) == 1, "docs/custody-log.md should hold exactly one Python block"
    return str(blocks[0])


def test_fixture_log_verifies_with_the_documented_snippet(fixture_copy: Path,
                                                           tmp_path: Path) -> None:
    """The third-party verifier of docs/custody-log.md, on the fixture's exported log."""
    fields, _ = fixture_info()
    with Vault.open(fixture_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        lines = [e.to_line().decode("utf-8") for e in v.events()]
    script = tmp_path / "verify_custody.py"
    script.write_text(_python_snippet(), encoding="utf-8")
    export = tmp_path / "custody.jsonl"

    def run(log: list[str], fingerprint: str) -> subprocess.CompletedProcess[str]:
        export.write_text("".join(line + "\n" for line in log), encoding="utf-8")
        return subprocess.run([sys.executable, str(script), str(export), fingerprint],
                              capture_output=True, text=True, timeout=60)

    good = run(lines, fields["custody key fingerprint"])
    assert good.returncode == 0, good.stderr
    assert f"OK: {len(lines)} events" in good.stdout
    edited = lines[2].replace("two notes typed for the fixture", "found on a bus")
    assert edited != lines[2]
    assert run([*lines[:2], edited, *lines[3:]], fields["custody key fingerprint"]).returncode
    assert run([lines[0], *lines[2:]], fields["custody key fingerprint"]).returncode
    assert run(lines, "0000 " * 15 + "0000").returncode


def test_fixture_index_rollback_is_caught_by_head(fixture_copy: Path, tmp_path: Path) -> None:
    """An older copy of index.db is a valid SQLCipher database; head.json shows the rollback,
    and no object is swept while it does."""
    fields, _ = fixture_info()
    old_index = tmp_path / "old-index.db"
    shutil.copyfile(fixture_copy / "index.db", old_index)
    extra = tmp_path / "note-3.txt"
    extra.write_bytes(b"A third note, imported after the fixture was made.\n")
    with Vault.open(fixture_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        for _ in import_paths(v, [extra]):
            pass
        newest = max(e.seq for e in v.events())
    assert json.loads((fixture_copy / "head.json").read_bytes())["seq"] == newest
    for name in ("index.db-wal", "index.db-shm"):
        (fixture_copy / name).unlink(missing_ok=True)
    shutil.copyfile(old_index, fixture_copy / "index.db")
    with Vault.open(fixture_copy, passphrase=fields["passphrase"], clock=FixedClock(LATER)) as v:
        assert len(v.open_warnings) == 1, "\n".join(v.open_warnings)
        assert "restored from an older copy" in v.open_warnings[0]
        assert len(v.objects.names()) == 3  # the newer object was not swept
        report = run_check(v)
        assert any("restored from an older copy" in p for p in report.problems)
        assert "1 file(s) in objects/ belong to no item" in report.problems
