"""The SQLCipher 4 index: opening it safely, and the numbered schema migrations."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import sqlcipher3

from vault.errors import EnvironmentProblem, NewerFormat, UnsafeEnvironment, VaultUnusable
from vault.store.atomic import PRIVATE_FILE
from vault.store.secret_memory import key_statement, wipe

Connection = Any  # sqlcipher3.Connection has no type information
DB_NAME = "index.db"

# Each entry moves the schema from version i to i+1. Never edit a released entry: add one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE keys (
        name TEXT PRIMARY KEY, private BLOB NOT NULL, public BLOB NOT NULL, cert BLOB);
    CREATE TABLE cases (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created TEXT NOT NULL);
    CREATE TABLE objects (
        oid TEXT PRIMARY KEY, key BLOB NOT NULL, chunk_size INTEGER NOT NULL,
        size INTEGER NOT NULL);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        ref TEXT UNIQUE NOT NULL,
        case_id INTEGER REFERENCES cases(id),
        oid TEXT REFERENCES objects(oid),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        received TEXT NOT NULL,
        received_from TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'present',
        metadata TEXT NOT NULL DEFAULT '{}',
        warnings TEXT NOT NULL DEFAULT '[]');
    CREATE INDEX items_sha256 ON items(sha256);
    CREATE TABLE provenance (
        id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id),
        seq INTEGER NOT NULL, record TEXT NOT NULL);
    CREATE INDEX provenance_item ON provenance(item_id);
    CREATE TABLE custody (
        seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, body BLOB NOT NULL, sig BLOB NOT NULL,
        item TEXT);
    CREATE INDEX custody_item ON custody(item);
    CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody
        BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
    CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody
        BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
    """,
    # 2: events about several items at once (an export) appear on each item's timeline.
    """
    CREATE TABLE custody_links (seq INTEGER NOT NULL REFERENCES custody(seq), item TEXT NOT NULL,
        PRIMARY KEY (seq, item));
    CREATE INDEX custody_links_item ON custody_links(item);
    """,
    # 3: thumbnails, kept as encrypted objects like the contents (their keys in `objects`).
    """
    CREATE TABLE thumbnails (
        item_id INTEGER NOT NULL REFERENCES items(id),
        size INTEGER NOT NULL,
        oid TEXT UNIQUE NOT NULL REFERENCES objects(oid),
        mime TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        PRIMARY KEY (item_id, size));
    """,
    # 4: annotations, a layer over a PDF's or a photo's content, keyed to its SHA-256; a
    # removed one keeps its row (with the time it was removed), as its events keep its history.
    """
    CREATE TABLE annotations (
        n INTEGER PRIMARY KEY,
        id TEXT UNIQUE NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items(id),
        sha256 TEXT NOT NULL,
        page INTEGER NOT NULL,
        kind TEXT NOT NULL,
        geometry TEXT NOT NULL,
        colour TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        removed TEXT);
    CREATE INDEX annotations_item ON annotations(item_id, removed);
    """,
    # 5: trusted timestamps (docs/timestamps.md): the Time-Stamp Authorities the user turned
    # on, what is waiting to be stamped, and every token received (never deleted).
    """
    CREATE TABLE tsas (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        ca_pem TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        added TEXT NOT NULL);
    CREATE TABLE stamp_requests (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        message BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        queued TEXT NOT NULL,
        last_try TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        UNIQUE (kind, subject));
    CREATE TABLE stamp_tokens (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES stamp_requests(id),
        tsa TEXT NOT NULL,
        url TEXT NOT NULL,
        query BLOB NOT NULL,
        response BLOB NOT NULL,
        chain_pem TEXT NOT NULL,
        gen_time TEXT NOT NULL,
        local_time TEXT NOT NULL,
        skew_seconds REAL NOT NULL,
        UNIQUE (request_id, tsa));
    CREATE TRIGGER stamp_tokens_no_delete BEFORE DELETE ON stamp_tokens
        BEGIN SELECT RAISE(ABORT, 'timestamp tokens are kept'); END;
    """,
    # 6: search (docs/vault-format.md#search): a full-text index of everything readable about
    # an item, tags, OCR text (derived data; the original is untouched) and the text work
    # still to do. All of it inside the encrypted index; items present before are queued.
    """
    CREATE VIRTUAL TABLE search_text USING fts5(
        text, item_id UNINDEXED, source UNINDEXED, page UNINDEXED, key UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL COLLATE NOCASE, created TEXT NOT NULL);
    CREATE TABLE item_tags (
        item_id INTEGER NOT NULL REFERENCES items(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        added TEXT NOT NULL,
        PRIMARY KEY (item_id, tag_id));
    CREATE INDEX item_tags_tag ON item_tags(tag_id);
    CREATE TABLE ocr_pages (
        item_id INTEGER NOT NULL REFERENCES items(id),
        page INTEGER NOT NULL,
        text TEXT NOT NULL,
        engine TEXT NOT NULL,
        languages TEXT NOT NULL,
        created TEXT NOT NULL,
        words TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (item_id, page));
    CREATE TABLE text_jobs (
        item_id INTEGER NOT NULL REFERENCES items(id),
        kind TEXT NOT NULL,
        queued TEXT NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (item_id, kind));
    CREATE INDEX items_case ON items(case_id);
    CREATE INDEX items_mime ON items(mime);
    CREATE INDEX items_received ON items(received);
    INSERT INTO text_jobs (item_id, kind, queued)
        SELECT id, 'index', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM items
        WHERE status = 'present';
    """,
    # 7: copies withdrawn (a redacted copy that leaked, superseded by a better one): kept as
    # evidence, shown as withdrawn, left out of exports unless asked for. The custody log's
    # "copy withdrawn" events are the record; this table is their index. And FTS5
    # secure-delete: a purge leaves no words behind in the index. And the private details
    # (absolute paths, the computer's name) that packages carry only as a commitment.
    """
    CREATE TABLE withdrawn (
        item_id INTEGER PRIMARY KEY REFERENCES items(id),
        seq INTEGER NOT NULL REFERENCES custody(seq),
        superseded_by TEXT,
        reason TEXT NOT NULL);
    -- A purge must leave no word of the item in the index's raw segments: FTS5 then rewrites
    -- the segments on delete; 'optimize' drops what earlier deletions left behind.
    INSERT INTO search_text(search_text, rank) VALUES ('secure-delete', 1);
    INSERT INTO search_text(search_text) VALUES ('optimize');
    CREATE TABLE private_details (
        commitment TEXT PRIMARY KEY, salt BLOB NOT NULL, record TEXT NOT NULL);
    """,
    # 8: the chronology (docs/chronology.md): the cast, their posts, facts, citations of the
    # exact words on a hashed page, and knowledge events. Every change is a custody event
    # (`chronology entry added|changed|removed`) holding the values before and after; `seq`
    # is the event of a row's last change (set in the same transaction). Nothing is deleted: a
    # removed row is marked.
    """
    CREATE TABLE chron_entities (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        short TEXT NOT NULL, name TEXT NOT NULL, pseudonym TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL, role TEXT NOT NULL, public_office INTEGER NOT NULL DEFAULT 0,
        aliases TEXT NOT NULL DEFAULT '[]', removed INTEGER NOT NULL DEFAULT 0,
        seq INTEGER REFERENCES custody(seq), UNIQUE (case_id, short));
    CREATE TABLE chron_positions (
        id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL REFERENCES chron_entities(id),
        post TEXT NOT NULL, organisation_id INTEGER REFERENCES chron_entities(id),
        start TEXT NOT NULL, end TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0,
        seq INTEGER REFERENCES custody(seq));
    CREATE TABLE chron_facts (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        number INTEGER NOT NULL, text TEXT NOT NULL, date TEXT NOT NULL, doc_date TEXT,
        status TEXT NOT NULL, versions TEXT NOT NULL DEFAULT '[]',
        material INTEGER NOT NULL DEFAULT 0, key INTEGER NOT NULL DEFAULT 0,
        evaluation TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
        removed INTEGER NOT NULL DEFAULT 0, seq INTEGER REFERENCES custody(seq),
        UNIQUE (case_id, number));
    CREATE TABLE chron_fact_entities (
        fact_id INTEGER NOT NULL REFERENCES chron_facts(id),
        entity_id INTEGER NOT NULL REFERENCES chron_entities(id), role TEXT NOT NULL,
        PRIMARY KEY (fact_id, entity_id, role));
    CREATE INDEX chron_fact_entities_entity ON chron_fact_entities(entity_id);
    CREATE TABLE chron_knowledge (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        entity_id INTEGER NOT NULL REFERENCES chron_entities(id), matter TEXT NOT NULL,
        date TEXT NOT NULL, how TEXT NOT NULL, awareness TEXT NOT NULL,
        response_fact_id INTEGER REFERENCES chron_facts(id),
        removed INTEGER NOT NULL DEFAULT 0, seq INTEGER REFERENCES custody(seq));
    CREATE TABLE chron_citations (
        id INTEGER PRIMARY KEY, owner TEXT NOT NULL, owner_id INTEGER NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items(id), sha256 TEXT NOT NULL,
        page INTEGER, region TEXT, quote TEXT NOT NULL, found_in TEXT NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0, seq INTEGER REFERENCES custody(seq));
    CREATE INDEX chron_citations_owner ON chron_citations(owner, owner_id);
    CREATE INDEX chron_citations_item ON chron_citations(item_id);
    """,
    # 9: the chronology's issues and elements (a small tree per case), the facts that support
    # each with a strength, and the gaps: questions, documents referred to but not held, facts
    # to be proved with their potential sources (docs/chronology.md, version 2).
    """
    CREATE TABLE chron_issues (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        parent_id INTEGER REFERENCES chron_issues(id), title TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', removed INTEGER NOT NULL DEFAULT 0,
        seq INTEGER REFERENCES custody(seq));
    CREATE TABLE chron_support (
        id INTEGER PRIMARY KEY, fact_id INTEGER NOT NULL REFERENCES chron_facts(id),
        issue_id INTEGER NOT NULL REFERENCES chron_issues(id), strength TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', removed INTEGER NOT NULL DEFAULT 0,
        seq INTEGER REFERENCES custody(seq));
    CREATE INDEX chron_support_fact ON chron_support(fact_id);
    CREATE TABLE chron_gaps (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL, text TEXT NOT NULL, date TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '', fact_id INTEGER REFERENCES chron_facts(id),
        state TEXT NOT NULL DEFAULT 'open', answer TEXT NOT NULL DEFAULT '',
        removed INTEGER NOT NULL DEFAULT 0, seq INTEGER REFERENCES custody(seq));
    """,
    # 10: the court bundle (docs/court-bundle.md): producing witnesses and exhibit marks.
    """
    CREATE TABLE court_witnesses (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        initials TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
        seq INTEGER REFERENCES custody(seq), UNIQUE (case_id, initials));
    CREATE TABLE court_exhibits (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        witness_id INTEGER NOT NULL REFERENCES court_witnesses(id),
        parent_id INTEGER REFERENCES court_exhibits(id),
        number INTEGER NOT NULL, item_id INTEGER NOT NULL REFERENCES items(id),
        description TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '', seq INTEGER REFERENCES custody(seq));
    CREATE UNIQUE INDEX court_exhibit_number
        ON court_exhibits(witness_id, COALESCE(parent_id, 0), number);
    CREATE UNIQUE INDEX court_exhibit_item ON court_exhibits(case_id, item_id);
    CREATE TABLE court_statements (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        witness_id INTEGER NOT NULL REFERENCES court_witnesses(id),
        number INTEGER NOT NULL, dated TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        seq INTEGER REFERENCES custody(seq), UNIQUE (witness_id, number));
    CREATE TABLE court_statement_documents (
        id INTEGER PRIMARY KEY, statement_id INTEGER NOT NULL REFERENCES court_statements(id),
        item_id INTEGER NOT NULL REFERENCES items(id), how TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', removed INTEGER NOT NULL DEFAULT 0,
        seq INTEGER REFERENCES custody(seq));
    CREATE TABLE court_schedule (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        schedule TEXT NOT NULL, number INTEGER NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items(id), description TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '', decision TEXT NOT NULL DEFAULT 'undecided',
        removed INTEGER NOT NULL DEFAULT 0, seq INTEGER REFERENCES custody(seq),
        UNIQUE (case_id, schedule, number));
    CREATE UNIQUE INDEX court_schedule_item ON court_schedule(case_id, item_id)
        WHERE removed = 0;
    CREATE TABLE court_disclosures (
        id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES court_schedule(id),
        action TEXT NOT NULL, done TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        seq INTEGER REFERENCES custody(seq));
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _apply_key(con: Connection, pragma: str, key: bytes | bytearray) -> None:
    """Give SQLCipher the raw key through a statement that is wiped once used, run outside
    the connection's statement cache (which would keep it; vault/store/secret_memory.py)."""
    statement = key_statement(pragma, key)
    try:
        con.executescript(statement)
    finally:
        wipe(statement)


def rekey(con: Connection, key: bytes) -> None:
    """Re-encrypt every page of the index under ``key`` (one SQLite transaction: a crash
    leaves it all under the old key or all under the new), then empty the WAL, whose old
    frames are under the old key."""
    _apply_key(con, "rekey", key)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def connect(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """Open (or create) the index keyed with the raw master key, check that nothing will reach
    the disk in clear, and bring the schema up to date."""
    if not create and not path.is_file():
        raise VaultUnusable(f"the vault has no {DB_NAME}")
    if create and not path.exists():  # 0600 from the start; SQLite gives its WAL the same
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    try:
        con = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error as e:
        raise EnvironmentProblem(f"cannot open {path}: {e}") from e
    try:
        # SQLCipher's own log would print "hmac check failed" lines on a wrong key, past
        # the plain message this program gives for it.
        con.execute("PRAGMA cipher_log_level = NONE")
        _apply_key(con, "key", key)  # the first statement that touches the database
        _check_library(con)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as e:
            raise VaultUnusable(f"{DB_NAME} is damaged or does not belong to this header") from e
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA secure_delete = ON")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages, in memory: search
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def _check_library(con: Connection) -> None:
    row = con.execute("PRAGMA cipher_version").fetchone()
    version = row[0] if row else ""
    if not str(version).startswith("4."):
        raise UnsafeEnvironment(
            f"the SQLCipher library is {version or 'missing'}, not SQLCipher 4: refusing to run")
    con.execute("PRAGMA temp_store = MEMORY")
    if con.execute("PRAGMA temp_store").fetchone()[0] != 2:
        raise UnsafeEnvironment("SQLCipher would keep temporary data in files: refusing to run")


def schema_version(con: Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def migrate(con: Connection) -> None:
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise NewerFormat(
            f"this vault's index is schema version {current}, written by a newer Evidence Vault; "
            f"this version knows up to {SCHEMA_VERSION}. Update the program.")
    for version in range(current, SCHEMA_VERSION):
        con.execute("BEGIN IMMEDIATE")
        try:
            _run_script(con, MIGRATIONS[version])
            con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _run_script(con: Connection, script: str) -> None:
    """Run a migration inside the caller's transaction (executescript would commit first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlcipher3.complete_statement(statement):
            con.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError("incomplete statement in migration")
