#!/usr/bin/env python3
"""Deterministic test vectors for the Evidence Vault format, version 1.

    python tests/vectors/make_vectors.py [--out DIR]     # (re)write the vector files
    python tests/vectors/make_vectors.py --fixture       # also write the current fixture vault

The vectors are built from the specifications (docs/vault-format.md, docs/custody-log.md) with
fixed keys, salts, nonces and ids, using only the standard primitives (``cryptography``,
``argon2-cffi``, ``rfc8785``): this script deliberately does not import the product code, so
the vectors are an independent cross-check of it. ``tests/test_vectors.py`` checks every vector
against the product, and checks that running this script again gives identical files.

Vector file format (in the style of the age test vectors): UTF-8 text, a header of
``name: value`` lines (a name may repeat, as ``problem:`` does), an empty line, then the
payload; a trailing newline ends the payload and is not part of it. Every header has

    kind: object | keyslot | recovery | custody | custody-export | head
    expect: success | <an error kind, listed per kind below>
    comment: what the vector shows

* ``object``: ``oid``, ``key`` (hex) and, on success, ``size`` and ``plaintext-sha256``; the
  payload is the object file in hex, 32 bytes a line. ``expect``: ``success``, ``header
  failure`` (refused on opening: magic or chunk size), ``truncated`` (refused on opening: the
  last chunk is shorter than a tag) or ``payload failure`` with ``failing-chunk: N`` (chunks
  before N decrypt, chunk N fails authentication).
* ``keyslot``: the payload is a JSON document ``{"vault_id", "slot", "passphrase" or
  "recovery_key"}``; ``master-key`` (hex) on success. ``expect``: ``success``, ``wrong
  secret`` or ``unusable`` (the slot cannot be used at all).
* ``recovery``: the payload is a recovery key as a person typed it; ``secret`` (hex, the 20
  decoded bytes) on success. ``expect``: ``success``, ``mistyped`` (check digits differ) or
  ``malformed`` (not 32 characters of the alphabet).
* ``custody``: stored events, one JSON object a line: ``{"seq", "hash", "sig", "body"}`` where
  ``body`` is the exact body text (its UTF-8 encoding is the signed bytes) and ``sig`` is
  base64; verified in that order with ``public-key`` (base64, raw Ed25519) for the vault
  ``vault``. ``expect``: ``success``, or ``problems`` followed by one ``problem: SEQ KIND``
  line per problem the verifier reports, in order (kinds in docs/custody-log.md).
* ``custody-export``: the same, as the JSON Lines export (``{"event", "hash", "sig"}``).
* ``head``: the payload is a ``head.json``; ``expect``: ``success`` or ``bad signature``.

The fixture vaults are made with the product API and random keys, so they are not
reproducible: ``--fixture`` writes the fixture of the current index schema
(``tests/fixtures/vault-v1-schema6.evault``) and its section of ``tests/fixtures/README.md``
(with the PEM certificate of the throwaway test CA its timestamp token chains to), and refuses
to overwrite one (each is kept for every later format version). It needs the real
``tesseract`` and ``openssl`` (a local test TSA from ``tests/tsa_server.py`` stamps the custody
head). ``tests/fixtures/vault-v1.evault`` (schema 1), ``tests/fixtures/vault-v1-schema3.evault``
(schema 3) and ``tests/fixtures/vault-v1-schema4.evault`` (schema 4) were written the same way
by earlier versions.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rfc8785
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE = FIXTURES / "vault-v1-schema6.evault"  # the fixture --fixture writes
SUFFIX = ".txt"


def fixed(label: str, n: int = 32) -> bytes:
    """Fixed 'random' bytes, named: SHA-256 of a label (repeated for more than 32 bytes)."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"evidence-vault test vector|{label}|{counter}".encode()).digest()
        counter += 1
    return out[:n]


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def render(kind: str, expect: str, comment: str, params: list[tuple[str, str]],
           payload: str) -> str:
    lines = [f"kind: {kind}", f"expect: {expect}"]
    lines += [f"{k}: {v}" for k, v in params]
    lines.append(f"comment: {comment}")
    return "\n".join(lines) + "\n\n" + payload + "\n"


# --------------------------------------------------------------------------------- objects
MAGIC = b"EVOBJv1\n"
CHUNK = 64  # small chunks keep the vectors short; any size from 1 to 2**26 is allowed


def obj_header(chunk_size: int, *, magic: bytes = MAGIC, reserved: bytes = b"\0" * 4) -> bytes:
    return magic + chunk_size.to_bytes(4, "big") + reserved


def seal(key: bytes, header: bytes, oid: str, i: int, data: bytes, final: bool) -> bytes:
    aad = header + bytes.fromhex(oid) + (b"\x01" if final else b"\x00")
    return AESGCM(key).encrypt(i.to_bytes(12, "big"), data, aad)


def pieces(content: bytes, chunk_size: int) -> list[bytes]:
    if not content:
        return [b""]
    return [content[i:i + chunk_size] for i in range(0, len(content), chunk_size)]


def seal_all(key: bytes, header: bytes, oid: str, parts: list[bytes]) -> list[bytes]:
    return [seal(key, header, oid, i, p, i == len(parts) - 1) for i, p in enumerate(parts)]


def hexlines(data: bytes) -> str:
    h = data.hex()
    return "\n".join(h[i:i + 64] for i in range(0, len(h), 64)) if h else ""


def object_vectors() -> Iterator[tuple[str, str]]:
    key = fixed("object key")
    oid = fixed("object id", 16).hex()
    other_oid = fixed("other object id", 16).hex()
    other_key = fixed("other object key")
    hdr = obj_header(CHUNK)
    multi = b"".join(b"Exhibit MO/1, line %02d of the witness statement.\n" % i
                     for i in range(1, 5))[:158]
    assert len(multi) == 158  # 64 + 64 + 30: three chunks

    def success(name: str, comment: str, content: bytes, data: bytes, *,
                use_oid: str = oid) -> tuple[str, str]:
        return name, render("object", "success", comment, [
            ("oid", use_oid), ("key", key.hex()), ("size", str(len(content))),
            ("plaintext-sha256", hashlib.sha256(content).hexdigest())], hexlines(data))

    def failure(name: str, comment: str, expect: str, data: bytes, *, chunk: int | None = None,
                use_oid: str = oid, use_key: bytes = key) -> tuple[str, str]:
        params = [("oid", use_oid), ("key", use_key.hex())]
        if chunk is not None:
            params.append(("failing-chunk", str(chunk)))
        return name, render("object", expect, comment, params, hexlines(data))

    empty = hdr + b"".join(seal_all(key, hdr, oid, pieces(b"", CHUNK)))
    yield success("object-empty", "empty content: the header and one empty final chunk "
                  "(a bare 16-byte tag)", b"", empty)
    short = b"hello, evidence\n"
    yield success("object-short", "16 bytes: one short final chunk", short,
                  hdr + b"".join(seal_all(key, hdr, oid, pieces(short, CHUNK))))
    full = bytes(range(64))
    yield success("object-one-full-chunk", "exactly chunk_size bytes: one full chunk with the "
                  "final flag, no empty chunk after it", full,
                  hdr + b"".join(seal_all(key, hdr, oid, pieces(full, CHUNK))))
    chunks = seal_all(key, hdr, oid, pieces(multi, CHUNK))
    good = hdr + b"".join(chunks)
    yield success("object-multi-chunk", "158 bytes in chunks of 64: 64 + 64 + 30", multi, good)
    two = multi[:128]
    yield success("object-two-full-chunks", "128 bytes: two full chunks, the second final", two,
                  hdr + b"".join(seal_all(key, hdr, oid, pieces(two, CHUNK))))
    trailing = [seal(key, hdr, oid, 0, full, False), seal(key, hdr, oid, 1, b"", True)]
    yield success("object-full-then-empty-final", "64 bytes as a non-final full chunk then an "
                  "empty final chunk: not what the writer produces, but readers accept it",
                  full, hdr + b"".join(trailing))

    flipped = bytearray(good)
    flipped[len(hdr) + 80 + 5] ^= 0x01
    yield failure("object-flipped-ciphertext", "one bit flipped in chunk 1's ciphertext",
                  "payload failure", bytes(flipped), chunk=1)
    flipped_tag = bytearray(good)
    flipped_tag[-1] ^= 0x80
    yield failure("object-flipped-tag", "one bit flipped in the last chunk's tag",
                  "payload failure", bytes(flipped_tag), chunk=2)
    yield failure("object-last-chunk-dropped", "the final chunk removed at a chunk boundary: "
                  "chunk 1 is now read as final, but was sealed as not final",
                  "payload failure", hdr + chunks[0] + chunks[1], chunk=1)
    yield failure("object-cut-inside-tag", "the file cut 40 bytes short: the last chunk is "
                  "shorter than a tag", "truncated", good[:-40])
    yield failure("object-header-only", "only the 16-byte header: no final chunk at all",
                  "truncated", hdr)
    yield failure("object-chunks-reordered", "chunks 0 and 1 swapped (nonce is the position)",
                  "payload failure", hdr + chunks[1] + chunks[0] + chunks[2], chunk=0)
    foreign = seal_all(key, hdr, other_oid, pieces(multi, CHUNK))
    yield failure("object-chunk-from-other-object", "chunk 1 taken from another object sealed "
                  "with the same key, position and flags: only the object id in the AAD differs",
                  "payload failure", hdr + chunks[0] + foreign[1] + chunks[2], chunk=1)
    yield failure("object-other-object-id", "a valid object presented under another object id "
                  "(a file renamed over another), same key", "payload failure", good, chunk=0,
                  use_oid=other_oid)
    yield failure("object-wrong-key", "a valid object read with another object's key",
                  "payload failure", good, chunk=0, use_key=other_key)
    two_chunks = seal_all(key, hdr, oid, pieces(two, CHUNK))
    extra = seal(key, hdr, oid, 2, b"appended", True)
    yield failure("object-chunk-appended", "a short final chunk appended after the two full "
                  "chunks of object-two-full-chunks: chunk 1, sealed as final, is now read as "
                  "not final", "payload failure", hdr + b"".join(two_chunks) + extra, chunk=1)
    bad_reserved = obj_header(CHUNK, reserved=b"\0\0\0\x01")
    yield failure("object-reserved-changed", "a reserved header byte set: the header is part of "
                  "every chunk's AAD", "payload failure", bad_reserved + good[16:], chunk=0)
    yield failure("object-bad-magic", "magic EVOBJv2", "header failure",
                  obj_header(CHUNK, magic=b"EVOBJv2\n") + good[16:])
    yield failure("object-chunk-size-zero", "chunk size 0", "header failure",
                  obj_header(0) + good[16:])
    yield failure("object-chunk-size-too-large", "chunk size 2**26 + 1", "header failure",
                  obj_header((1 << 26) + 1) + good[16:])
    yield failure("object-short-header", "a file of 10 bytes", "header failure", hdr[:10])


# --------------------------------------------------------------------------------- key slots
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def recovery_check(body: bytes) -> bytes:
    return hashlib.sha256(b"evidence-vault recovery|" + body).digest()[:2]


def recovery_encode(body: bytes) -> str:
    """18 bytes and their 2-byte check, as 32 Crockford base32 characters in groups of 4."""
    bits = "".join(f"{b:08b}" for b in body + recovery_check(body))
    chars = "".join(ALPHABET[int(bits[i:i + 5], 2)] for i in range(0, 160, 5))
    return "-".join(chars[i:i + 4] for i in range(0, 32, 4))


def recovery_decode(text: str) -> bytes | None:
    """The 20 bytes, or None if the check fails (used only to choose the vectors)."""
    table = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
    chars = [c for c in text.upper() if c not in " -\t\n"]
    bits = "".join(f"{table[c]:05b}" for c in chars)
    raw = int(bits, 2).to_bytes(20, "big")
    return raw if recovery_check(raw[:18]) == raw[18:] else None


def recovery_body() -> bytes:
    """Fixed bytes whose encoding holds a 0 and two 1s (for the O/I/L forgiveness vectors)."""
    n = 0
    while True:
        body = fixed(f"recovery key {n}", 18)
        text = recovery_encode(body)
        if "0" in text and text.count("1") >= 2:
            return body
        n += 1


def wrap(kind: str, slot_id: int, secret: bytes, master: bytes, vault_id: str, label: str, *,
         m_kib: int = 1024, t: int = 3, p: int = 2) -> dict[str, Any]:
    salt, nonce = fixed(f"{label} salt", 16), fixed(f"{label} nonce", 12)
    kek = hash_secret_raw(secret, salt, time_cost=t, memory_cost=m_kib, parallelism=p,
                          hash_len=32, type=Type.ID, version=19)
    aad = f"evidence-vault keyslot|{vault_id}|{kind}".encode()
    ct = AESGCM(kek).encrypt(nonce, master, aad)
    return {"id": slot_id, "kind": kind,
            "kdf": {"alg": "argon2id", "version": 19, "m_kib": m_kib, "t": t, "p": p,
                    "salt": b64(salt)},
            "wrap": {"alg": "A256GCM", "nonce": b64(nonce), "ct": b64(ct)}}


def keyslot_vectors() -> Iterator[tuple[str, str]]:
    vault_id = "7d3f6c1e-2a4b-4c8d-9e0f-1a2b3c4d5e6f"
    other_vault = "0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    master = fixed("master key")
    passphrase = "granite meadow lantern saffron"
    cafe = "café quarry juniper beacon"  # NFC: é is U+00E9

    def vec(name: str, expect: str, comment: str, doc: dict[str, Any]) -> tuple[str, str]:
        params = [("master-key", master.hex())] if expect == "success" else []
        payload = json.dumps(doc, indent=2, ensure_ascii=True)
        return name, render("keyslot", expect, comment, params, payload)

    slot = wrap("passphrase", 1, passphrase.encode(), master, vault_id, "passphrase slot")
    yield vec("keyslot-passphrase-good", "success", "passphrase slot, Argon2id m=1024 KiB t=3 "
              "p=2 (distinct values: a swapped parameter shows)",
              {"vault_id": vault_id, "slot": slot, "passphrase": passphrase})
    yield vec("keyslot-passphrase-wrong", "wrong secret", "one letter of the passphrase differs",
              {"vault_id": vault_id, "slot": slot, "passphrase": passphrase[:-1] + "m"})
    yield vec("keyslot-other-vault", "wrong secret", "the right passphrase, but the slot was "
              "sealed for another vault id (AAD)",
              {"vault_id": other_vault, "slot": slot, "passphrase": passphrase})
    relabelled = {**slot, "kind": "recovery"}
    yield vec("keyslot-relabelled", "wrong secret", "the slot's kind changed from passphrase to "
              "recovery (the kind is in the AAD)",
              {"vault_id": vault_id, "slot": relabelled, "passphrase": passphrase})
    nfc = wrap("passphrase", 1, unicodedata.normalize("NFC", cafe).encode(), master, vault_id,
               "nfc slot", t=1, p=1)
    yield vec("keyslot-passphrase-nfd-typed", "success", "slot made from the NFC UTF-8 bytes; "
              "the passphrase typed in NFD (e + U+0301) opens it after normalisation",
              {"vault_id": vault_id, "slot": nfc,
               "passphrase": unicodedata.normalize("NFD", cafe)})
    body = recovery_body()
    rkey = recovery_encode(body)
    rslot = wrap("recovery", 2, body + recovery_check(body), master, vault_id, "recovery slot",
                 t=1, p=1)
    yield vec("keyslot-recovery-good", "success", "recovery slot: the Argon2id secret is the "
              "20 decoded bytes (18 random and the 2-byte check)",
              {"vault_id": vault_id, "slot": rslot, "recovery_key": rkey})
    yield vec("keyslot-recovery-normalised", "success", "the same key typed in lower case, "
              "without dashes, O for 0 and l for 1",
              {"vault_id": vault_id, "slot": rslot,
               "recovery_key": rkey.replace("-", "").replace("0", "O").replace("1", "l").lower()})
    unknown = {**slot, "kdf": {**slot["kdf"], "alg": "scrypt"}}
    yield vec("keyslot-unknown-kdf", "unusable", "kdf alg 'scrypt': not a version 1 slot",
              {"vault_id": vault_id, "slot": unknown, "passphrase": passphrase})
    damaged = {**slot, "wrap": {**slot["wrap"], "nonce": "not base64!"}}
    yield vec("keyslot-damaged", "unusable", "the nonce is not base64",
              {"vault_id": vault_id, "slot": damaged, "passphrase": passphrase})


def recovery_vectors() -> Iterator[tuple[str, str]]:
    body = recovery_body()
    key = recovery_encode(body)
    secret = (body + recovery_check(body)).hex()

    def vec(name: str, expect: str, comment: str, text: str) -> tuple[str, str]:
        params = [("secret", secret)] if expect == "success" else []
        return name, render("recovery", expect, comment, params, text)

    yield vec("recovery-canonical", "success", "as displayed: 8 groups of 4, dashes", key)
    yield vec("recovery-lowercase-no-dashes", "success", "lower case, no separators",
              key.replace("-", "").lower())
    yield vec("recovery-confusables", "success", "spaces for dashes, O for 0, I and L for 1",
              key.replace("-", " ").replace("0", "O").replace("1", "I", 1).replace("1", "L"))
    i = key.index("-") + 1  # first character of the second group
    wrong = key[:i] + ALPHABET[(ALPHABET.index(key[i]) + 1) % 32] + key[i + 1:]
    assert recovery_decode(wrong) is None
    yield vec("recovery-mistyped", "mistyped", "one character of the second group changed",
              wrong)
    j = next(k for k in range(len(key) - 1)
             if "-" not in key[k:k + 2] and key[k] != key[k + 1]
             and recovery_decode(key[:k] + key[k + 1] + key[k] + key[k + 2:]) is None)
    yield vec("recovery-transposed", "mistyped", "two neighbouring characters swapped",
              key[:j] + key[j + 1] + key[j] + key[j + 2:])
    yield vec("recovery-too-short", "malformed", "the last character missing", key[:-1])
    yield vec("recovery-bad-character", "malformed", "U is not in the alphabet",
              "U" + key[1:])


# --------------------------------------------------------------------------------- custody
GENESIS = "0" * 64
VAULT = "4f1c2a9e-5b7d-4e3a-9c61-2d8e0f7a1b35"
ACTOR = {"name": "Mary Okafor", "initials": "MO", "role": "Investigator",
         "organisation": "Northbridge Survivors Campaign", "machine": "vector-host",
         "program": "evidence-vault 0.1.0"}
INVESTIGATOR = {k: ACTOR[k] for k in ("name", "initials", "role", "organisation")}


def jcs(obj: Any) -> bytes:
    return bytes(rfc8785.dumps(obj))


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def fingerprint(raw: bytes) -> str:
    h = sha(raw).upper()
    return " ".join(h[i:i + 4] for i in range(0, 64, 4))


class Row:
    """An event as stored: its seq, exact body bytes, recorded hash and signature."""

    def __init__(self, seq: int, body: bytes, digest: str, sig: bytes) -> None:
        self.seq, self.body, self.hash, self.sig = seq, body, digest, sig

    def line(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "sig": b64(self.sig),
                           "body": self.body.decode("utf-8")}, ensure_ascii=True)

    def export_line(self) -> str:
        return jcs({"event": json.loads(self.body), "hash": self.hash,
                    "sig": b64(self.sig)}).decode("utf-8")


def sign(key: Ed25519PrivateKey, seq: int, body: bytes) -> Row:
    return Row(seq, body, sha(body), key.sign(body))


def event_fields(seq: int, prev: str, time: str, action: str, item: str | None,
                 sha256: str | None, details: dict[str, Any]) -> dict[str, Any]:
    return {"v": 1, "vault": VAULT, "seq": seq, "time": time, "actor": ACTOR, "action": action,
            "item": item, "sha256": sha256, "details": details, "prev": prev}


def chain(key: Ed25519PrivateKey, specs: list[tuple[str, str | None, str | None, dict[str, Any]]],
          ) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for n, (action, item, digest, details) in enumerate(specs, start=1):
        time = f"2026-05-03T09:30:{n:02d}.000000Z"
        rows.append(sign(key, n, jcs(event_fields(n, prev, time, action, item, digest,
                                                  details))))
        prev = rows[-1].hash
    return rows


def custody_vectors() -> Iterator[tuple[str, str]]:
    seed = fixed("custody signing key")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    other = Ed25519PrivateKey.from_private_bytes(fixed("another signing key"))
    pub = raw_public(key)
    photo_sha = sha(b"not really a JPEG: the bytes of IMG_0042.jpg")
    provenance = {
        "original_name": "IMG_0042.jpg", "original_path": "/media/usb/DCIM/IMG_0042.jpg",
        "size": 44, "sha256": photo_sha, "mime": "image/jpeg",
        "modified": "2026-05-01T17:02:11.000000Z", "created": None, "case": "NB-2026-01",
        "received": "2026-05-03T09:30:02.000000Z",
        "received_from": "handed over by Zoë at the café, on a USB stick",
        "imported_by": INVESTIGATOR, "machine": "vector-host", "program": "evidence-vault 0.1.0"}
    created = {"name": "vectors", "investigator": INVESTIGATOR, "custody_public_key": b64(pub),
               "custody_key_fingerprint": fingerprint(pub),
               "signing_certificate_fingerprint": ":".join(
                   f"{b:02X}" for b in fixed("signing certificate"))}
    metadata = {"metadata": {"format": "JPEG", "width": 4032, "height": 3024,
                             "captured": "2026:05:01 17:02:09",
                             "gps": {"latitude": 51.5007292, "longitude": -0.1246254,
                                     "altitude_m": 12.5}},
                "warnings": []}
    specs: list[tuple[str, str | None, str | None, dict[str, Any]]] = [
        ("vault created", None, None, created),
        ("imported", "MO/1", photo_sha, provenance),
        ("metadata extracted", "MO/1", photo_sha, metadata)]
    rows = chain(key, specs)
    common = [("vault", VAULT), ("public-key", b64(pub))]

    def vec(name: str, comment: str, lines: list[Row], problems: list[tuple[int, str]], *,
            vault: str = VAULT, extra: list[tuple[str, str]] | None = None) -> tuple[str, str]:
        params = [("vault", vault), ("public-key", b64(pub)), *(extra or [])]
        params += [("problem", f"{s} {k}") for s, k in problems]
        return name, render("custody", "problems" if problems else "success", comment, params,
                            "\n".join(r.line() for r in lines))

    yield vec("custody-valid-chain", "three events: vault created, imported, metadata "
              "extracted (non-ASCII text and floats in the bodies)", rows, [],
              extra=[("fingerprint", fingerprint(pub)), ("signing-seed", seed.hex())])
    yield "custody-export-valid", render(
        "custody-export", "success", "the same chain as exported by 'evidence-vault log --json': "
        "the body is the RFC 8785 form of 'event'", common,
        "\n".join(r.export_line() for r in rows))

    fields = json.loads(rows[1].body)
    fields["details"]["received_from"] = "found on the office printer"
    edited = jcs(fields)
    yield vec("custody-edited-body", "event 2's body edited; its recorded hash and signature "
              "left as they were", [rows[0], Row(2, edited, rows[1].hash, rows[1].sig), rows[2]],
              [(2, "hash-mismatch"), (2, "bad-signature"), (3, "chain-broken")])
    yield vec("custody-edited-body-rehashed", "event 2's body edited and its hash recomputed; "
              "the signature cannot be", [rows[0], Row(2, edited, sha(edited), rows[1].sig),
                                          rows[2]],
              [(2, "bad-signature"), (3, "chain-broken")])
    yield vec("custody-reordered-pair", "events 2 and 3 stored in the wrong order",
              [rows[0], rows[2], rows[1]],
              [(3, "out-of-sequence"), (3, "chain-broken"), (2, "out-of-sequence"),
               (2, "chain-broken")])
    yield vec("custody-removed-middle", "event 2 removed", [rows[0], rows[2]],
              [(3, "out-of-sequence"), (3, "chain-broken")])
    yield vec("custody-bad-signature", "event 2 signed by another key",
              [rows[0], sign(other, 2, rows[1].body), rows[2]], [(2, "bad-signature")])

    loose = json.dumps(json.loads(rows[1].body), ensure_ascii=False).encode("utf-8")
    assert loose != rows[1].body and jcs(json.loads(loose)) == rows[1].body
    third = json.loads(rows[2].body)
    third["prev"] = sha(loose)
    yield vec("custody-non-canonical-body", "event 2's body is valid JSON with the right "
              "fields, correctly hashed, linked and signed, but not in RFC 8785 form",
              [rows[0], sign(key, 2, loose), sign(key, 3, jcs(third))],
              [(2, "not-canonical")])

    junk = b"this is not JSON"
    third = json.loads(rows[2].body)
    third["prev"] = sha(junk)
    yield vec("custody-body-not-json", "event 2's body is not JSON (though hashed, signed and "
              "linked to): every check on its fields fails",
              [rows[0], sign(key, 2, junk), sign(key, 3, jcs(third))],
              [(2, "not-json"), (2, "not-canonical"), (2, "seq-mismatch"), (2, "chain-broken"),
               (2, "other-vault")])
    yield vec("custody-row-renumbered", "event 3 stored as event 4 (the body still says 3)",
              [rows[0], rows[1], Row(4, rows[2].body, rows[2].hash, rows[2].sig)],
              [(4, "out-of-sequence"), (4, "seq-mismatch")])
    yield vec("custody-other-vault", "a valid chain, checked as the log of another vault",
              rows, [(1, "other-vault"), (2, "other-vault"), (3, "other-vault")],
              vault="0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d")
    future = chain(key, [specs[0], specs[1],
                         ("sealed by a future version", "MO/1", photo_sha,
                          {"what": "an action this version does not know"})])
    yield vec("custody-unknown-action", "verifiers accept actions they do not know", future, [])
    copy_sha = sha(b"the bytes of a redacted copy of IMG_0042.jpg")
    withdrawn = chain(key, [specs[0], specs[1],
                            ("note added", "MO/1", photo_sha,
                             {"text": "Privileged: ask counsel about the date."}),
                            ("copy withdrawn", "MO/2", copy_sha,
                             {"reason": "a face was left visible", "copy_of": "MO/1",
                              "superseded_by": "MO/3"})])
    yield vec("custody-note-and-withdrawn-copy", "version 2's actions 'note added' (the "
              "investigator's note, which a package leaves out unless she sends it) and "
              "'copy withdrawn' (a copy kept, superseded by another)", withdrawn, [])
    fact = {"number": 1, "text": "@jones received a referral about @ca",
            "date": {"kind": "about", "date": "2009-03"}, "doc_date": None,
            "status": "undisputed", "versions": [], "material": False, "key": True,
            "evaluation": "", "comment": "", "people": [["jones", "recipient"]]}
    person = {"short": "ca", "name": "Jane Smith", "kind": "person", "role": "survivor",
              "pseudonym": "Child A", "public_office": False, "aliases": []}
    chron = chain(key, [specs[0],
                        ("chronology entry added", None, None,
                         {"case": "NB-2026-01", "record": "person", "id": 1,
                          "after": person}),
                        ("chronology entry added", None, None,
                         {"case": "NB-2026-01", "record": "fact", "id": 1, "after": fact}),
                        ("chronology entry changed", None, None,
                         {"case": "NB-2026-01", "record": "fact", "id": 1, "before": fact,
                          "after": {**fact, "date": {"kind": "on", "date": "2009-03-03"}}}),
                        ("chronology entry removed", None, None,
                         {"case": "NB-2026-01", "record": "fact", "id": 1,
                          "before": {**fact, "reason": "a duplicate"}}),
                        ("chronology written", None, None,
                         {"case": "NB-2026-01", "table": "Chronology: NB-2026-01",
                          "format": "pdf", "file": "chronology.pdf",
                          "sha256": sha(b"the bytes of chronology.pdf"), "rows": 0,
                          "made": "2026-05-03T09:30:06.000000Z"})])
    yield vec("custody-chronology", "version 4's chronology actions: an entry added, changed "
              "(the values before and after) and removed, and a table written", chron, [])
    issue = {"title": "Misconduct in public office", "parent": None,
             "note": "The elements as stated in Attorney General's Reference (No 3 of 2003)"}
    link = {"fact": 1, "issue": 2, "strength": "some", "note": ""}
    gap = {"kind": "document not held", "text": "The letter of 3 March 2010, not on file",
           "date": {"kind": "on", "date": "2010-03-03"}, "sources": "the council's FOI team",
           "fact": None, "state": "open", "answer": ""}
    case = {"case": "NB-2026-01"}
    issues = chain(key, [specs[0],
                         ("chronology entry added", None, None,
                          {**case, "record": "issue", "id": 1, "after": issue}),
                         ("chronology entry added", None, None,
                          {**case, "record": "issue", "id": 2,
                           "after": {"title": "Awareness", "parent": 1, "note": ""}}),
                         ("chronology entry added", None, None,
                          {**case, "record": "support", "id": 1, "after": link}),
                         ("chronology entry changed", None, None,
                          {**case, "record": "support", "id": 1, "before": link,
                           "after": {**link, "strength": "strong"}}),
                         ("chronology entry removed", None, None,
                          {**case, "record": "support", "id": 1,
                           "before": {**link, "strength": "strong",
                                      "reason": "goes to another element"}}),
                         ("chronology entry added", None, None,
                          {**case, "record": "gap", "id": 1, "after": gap}),
                         ("chronology entry changed", None, None,
                          {**case, "record": "gap", "id": 1, "before": gap,
                           "after": {**gap, "state": "closed", "answer": "found: MO/7"}})])
    yield vec("custody-chronology-issues", "version 5's chronology records: an issue and its "
              "element, a fact's support of the element added, changed and removed, and a gap "
              "added and closed", issues, [])
    witness = {"initials": "MO", "name": "Mary Okafor", "role": "investigator"}
    mark = {"mark": "MO/1", "witness": "MO", "parent": None, "item": "MO/1",
            "sha256": sha(b"the minutes"),
            "description": "Minutes of the Children's Services Committee of 12/03/2014"}
    court = chain(key, [specs[0],
                        ("court entry added", None, None,
                         {**case, "record": "witness", "id": 1, "after": witness}),
                        ("court entry added", "MO/1", sha(b"the minutes"),
                         {**case, "record": "exhibit", "id": 1, "after": mark}),
                        ("court entry changed", "MO/1", sha(b"the minutes"),
                         {**case, "record": "exhibit", "id": 1, "before": mark,
                          "after": {**mark, "description": "Minutes of the committee, 2 pages"}}),
                        ("court entry added", None, None,
                         {**case, "record": "statement", "id": 1,
                          "after": {"statement": "MO:1", "witness": "MO", "number": 1,
                                    "dated": "2026-05-12", "title": "First statement"}}),
                        ("court entry added", "MO/1", sha(b"the minutes"),
                         {**case, "record": "statement document", "id": 1,
                          "after": {"statement": "MO:1", "how": "produced", "item": "MO/1",
                                    "mark": "MO/1", "sha256": sha(b"the minutes"),
                                    "note": ""}}),
                        ("court entry added", None, None,
                         {**case, "record": "schedule entry", "id": 1,
                          "after": {"entry": "S1", "schedule": "sensitive", "number": 1,
                                    "item": "MO/2", "sha256": sha(b"the handler's log"),
                                    "description": "Handler's log", "reason": "names a source",
                                    "decision": "undecided"}}),
                        ("court entry added", None, None,
                         {**case, "record": "disclosure", "id": 1,
                          "after": {"entry": "S1", "action": "withheld",
                                    "done": "2026-05-03T09:30:08.000000Z", "note": ""}}),
                        ("court document written", None, None,
                         {**case, "document": "exhibit labels", "marks": ["MO/1"],
                          "format": "pdf", "file": "labels.pdf",
                          "sha256": sha(b"the bytes of labels.pdf"),
                          "made": "2026-05-03T09:30:06.000000Z"}),
                        ("court entry removed", "MO/1", sha(b"the minutes"),
                         {**case, "record": "exhibit", "id": 1,
                          "before": {**mark, "description": "Minutes of the committee, 2 pages",
                                     "reason": "marked by mistake"}})])
    yield vec("custody-court", "version 6's court bundle: a producing witness, an exhibit "
              "marked (its events name the item), its description changed, a statement "
              "producing it, a sensitive schedule entry and a disclosure action (linked to "
              "their item, not naming it), labels written, the exhibit withdrawn", court, [])
    yield vec("custody-truncated-tail", "the last event removed: the chain alone cannot tell "
              "(head.json does)", rows[:2], [])

    # head.json for the valid chain
    def head(name: str, expect: str, comment: str, doc: dict[str, Any],
             vault: str = VAULT) -> tuple[str, str]:
        return name, render("head", expect, comment,
                            [("vault", vault), ("public-key", b64(pub))],
                            json.dumps(doc, indent=2))

    record = jcs({"kind": "evidence-vault custody head", "vault": VAULT, "seq": 3,
                  "hash": rows[2].hash})
    doc = {"vault": VAULT, "seq": 3, "hash": rows[2].hash, "sig": b64(key.sign(record))}
    yield head("head-valid", "success", "head.json after event 3 of custody-valid-chain; signed "
               "record " + record.decode(), doc)
    yield head("head-seq-edited", "bad signature", "seq lowered to 2 without a new signature",
               {**doc, "seq": 2})
    yield head("head-other-vault", "bad signature", "a valid head.json, checked for another vault",
               doc, vault="0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d")


# --------------------------------------------------------------------------------- driver
def all_vectors() -> Iterator[tuple[str, str]]:
    yield from object_vectors()
    yield from keyslot_vectors()
    yield from recovery_vectors()
    yield from custody_vectors()


def write_vectors(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in all_vectors():
        path = out / (name + SUFFIX)
        if path in written:
            raise AssertionError(f"duplicate vector name {name}")
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


FIXTURE_PASSPHRASE = "correct horse battery staple orbit"
FIXTURE_FILES = {
    "note-1.txt": b"Call from a tenant, 2 May 2026: the lift has been broken for six weeks.\n",
    "note-2.txt": b"Letter from the landlord, 3 May 2026: repairs are scheduled.\n",
}


def fixture_photo(width: int = 96, height: int = 64) -> bytes:
    """A small RGB PNG (a colour gradient), built byte by byte so it never changes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\0" + b"".join(bytes((x * 255 // (width - 1), y * 255 // (height - 1),
                                             128)) for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


FIXTURE_THUMBNAIL_SIZE = 64
FIXTURE_ANNOTATION = {"rect": [8, 6, 40.5, 30.25]}
FIXTURE_SCAN_WORD = "HARTLEY"  # what Tesseract reads on the scan's second page
FIXTURE_SCAN_COVER = "Cover sheet: minutes received from the council."
FIXTURE_TAG = "safeguarding referral"
FIXTURE_TSA = "local-test-tsa"
_GLYPHS = {  # a 5x7 bitmap font, just the letters of FIXTURE_SCAN_WORD
    "A": ".XXX.|X...X|X...X|XXXXX|X...X|X...X|X...X",
    "E": "XXXXX|X....|X....|XXXX.|X....|X....|XXXXX",
    "H": "X...X|X...X|X...X|XXXXX|X...X|X...X|X...X",
    "L": "X....|X....|X....|X....|X....|X....|XXXXX",
    "R": "XXXX.|X...X|X...X|XXXX.|X.X..|X..X.|X...X",
    "T": "XXXXX|..X..|..X..|..X..|..X..|..X..|..X..",
    "Y": "X...X|X...X|.X.X.|..X..|..X..|..X..|..X..",
}


def fixture_scan(scale: int = 4, margin: int = 40) -> bytes:
    """A two-page PDF built byte by byte so it never changes: page 1 has a text layer (the
    cover sheet, never OCRed), page 2 is only a greyscale picture of FIXTURE_SCAN_WORD (a
    'scan', read by Tesseract). The picture is placed at 300 dpi, the dpi vault/search/ocr.py draws
    pages at, so Tesseract sees its pixels unscaled."""
    import zlib

    columns: list[str] = []
    for ch in FIXTURE_SCAN_WORD:
        rows = _GLYPHS[ch].split("|")
        columns += ["".join(r[c] for r in rows) for c in range(5)] + ["." * 7]
    width, height = 2 * margin + len(columns) * scale, 2 * margin + 7 * scale
    lines = []
    for y in range(height):
        row = bytearray(b"\xff" * width)
        if margin <= y < margin + 7 * scale:
            for i, col in enumerate(columns):
                if col[(y - margin) // scale] == "X":
                    row[margin + i * scale:margin + (i + 1) * scale] = b"\0" * scale
        lines.append(bytes(row))
    pixels = zlib.compress(b"".join(lines), 9)
    pw, ph = width * 72 / 300, height * 72 / 300
    cover = f"BT /F1 12 Tf 40 50 Td ({FIXTURE_SCAN_COVER}) Tj ET".encode("ascii")
    picture = f"q {pw:g} 0 0 {ph:g} 0 0 cm /Im0 Do Q".encode("ascii")
    box = f"/MediaBox [0 0 {pw:g} {ph:g}]".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 100] /Resources << /Font "
        b"<< /F1 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Page /Parent 2 0 R " + box + b" /Resources << /XObject << /Im0 7 0 R >> "
        b">> /Contents 8 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(cover) + cover + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (width, height, len(pixels)) + pixels + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(picture) + picture + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def fixture_notes(folder: Path) -> list[Path]:
    """The two notes of FIXTURE_FILES written into ``folder``, to be imported."""
    out = []
    for name, content in FIXTURE_FILES.items():
        (folder / name).write_bytes(content)
        out.append(folder / name)
    return out


def fixture_readme(target: Path) -> Path:
    """The fixtures' README, once it is sure that ``target`` is new: a committed fixture is
    never regenerated silently, nor described twice."""
    if target.exists():
        raise SystemExit(f"{target} exists: a committed fixture is never regenerated silently "
                         "(delete it first if that is really what you want)")
    readme = target.parent / "README.md"
    if f"## {target.name}\n" in readme.read_text(encoding="utf-8"):
        raise SystemExit(f"{readme} already describes {target.name}: remove that section first")
    return readme


def make_fixture(target: Path = FIXTURE) -> Path:
    """A small real vault made with the product API: kept for every later format version.

    Index schema 6: the two notes of the schema 1 fixture and a photo, with the photo's
    thumbnail stored and a rectangle annotation on the photo (as in the schema 4 fixture);
    then a two-page PDF whose second page is a scan, indexed and read by the real Tesseract
    (``ocr_pages``, ``search_text``), a tag on the second note, and a local test TSA
    (``tests/tsa_server.py``, ``openssl ts -reply``, a fresh throwaway CA) configured and
    asked once for a token on the custody head (``tsas``, ``stamp_requests``,
    ``stamp_tokens``)."""
    import datetime as dt
    import os
    import tempfile

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from tsa_server import TsaServer

    from vault.clock import FixedClock
    from vault.documents.annotations import add_annotation
    from vault.documents.thumbnails import thumbnail
    from vault.evidence.importer import import_paths
    from vault.evidence.items import list_items
    from vault.evidence.tags import add_tag
    from vault.search.index import run_index_jobs
    from vault.search.ocr import ocr_text, run_ocr_jobs
    from vault.store.check import run_check
    from vault.store.db import SCHEMA_VERSION
    from vault.store.identity import Identity
    from vault.store.keyslots import TEST_KDF
    from vault.store.vault import Vault
    from vault.timestamps.stamping import add_tsa, head_tokens, queue_head, run_stamp

    readme = fixture_readme(target)
    # the TSA signs with the real time, so the vault's clock is the real time too (no skew)
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0)
    identity = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
    files = {**FIXTURE_FILES, "photo.png": fixture_photo(), "minutes.pdf": fixture_scan()}
    for name in ("no_proxy", "NO_PROXY"):
        os.environ[name] = "127.0.0.1,localhost"
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for name, content in files.items():
            p = Path(tmp) / name
            p.write_bytes(content)
            mtime = (t0 - dt.timedelta(days=1)).timestamp()
            os.utime(p, (mtime, mtime))
            sources.append(p)
        v, recovery = Vault.create(target, FIXTURE_PASSPHRASE, identity,
                                   clock=FixedClock(t0), kdf=TEST_KDF)
        with v, TsaServer(Path(tmp) / "tsa") as tsa:
            for _ in import_paths(v, sources, case="NB-2026-01",
                                  received_from="notes, a photo and a scan made for the "
                                                "fixture"):
                pass
            by_name = {i.name: i for i in list_items(v)}
            photo, scan, note = by_name["photo.png"], by_name["minutes.pdf"], by_name["note-2.txt"]
            png = thumbnail(v, photo.ref, FIXTURE_THUMBNAIL_SIZE)
            if png is None:
                raise SystemExit("the fixture photo gave no thumbnail")
            mark = add_annotation(v, photo.ref, "rectangle", 0, FIXTURE_ANNOTATION,
                                  colour="#ff0000", text="the door")
            for _ in run_index_jobs(v):
                pass
            for _ in run_ocr_jobs(v):
                pass
            read = ocr_text(v, scan.ref)
            if [(page, text.strip()) for page, text in read] != [(2, FIXTURE_SCAN_WORD)]:
                raise SystemExit(f"Tesseract did not read the scan as expected: {read!r}")
            add_tag(v, note.ref, FIXTURE_TAG)
            add_tsa(v, FIXTURE_TSA, tsa.url, tsa.ca_pem)
            queue_head(v)
            stamp = run_stamp(v, timeout=30)
            [token] = head_tokens(v)
            if stamp.stamped == [] or stamp.warnings or stamp.waiting:
                raise SystemExit(f"the head was not stamped cleanly: {stamp}")
            report = run_check(v)
            if not report.ok or report.thumbnails_checked != 1 or \
                    report.annotations_checked != 1:
                raise SystemExit(f"the new fixture does not check: {report.problems}")
            items = list_items(v)
            fp, vault_id = v.fingerprint(), v.vault_id
            events = sum(1 for _ in v.events())
            ca_pem = tsa.ca_pem.decode("ascii").strip()
    rows = "\n".join(f"| {i.ref} | {i.name} | {i.size} | `{i.sha256}` |" for i in items)
    section = f"""
## {target.name}

A small real vault written by Evidence Vault 0.1.0: vault format version 1, index schema
version {SCHEMA_VERSION}. It was made once with `python tests/vectors/make_vectors.py --fixture`
(`Vault.create` with `TEST_KDF` and a clock fixed at the real time of making, the two notes
above, the 96x64 PNG and a two-page PDF imported into the case `NB-2026-01`; the PNG's
thumbnail made at {FIXTURE_THUMBNAIL_SIZE} px and the red rectangle annotation, "the door", at
{json.dumps(FIXTURE_ANNOTATION)}, as in the schema 4 fixture; then the search index built,
the PDF's second page (a scan, no text layer) read by the real Tesseract, the tag
"{FIXTURE_TAG}" put on {note.ref}, a local test TSA (`tests/tsa_server.py`, `openssl ts -reply`,
a throwaway CA) configured as `{FIXTURE_TSA}` and the custody head stamped once by it). The
same rules apply: keep it for good, never open it in place. The TSA's address is dead now;
its token still verifies against the CA certificate below (also stored in the vault's `tsas`
row), which was made for this fixture only and whose key was thrown away.

```
passphrase: {FIXTURE_PASSPHRASE}
recovery key: {recovery}
vault id: {vault_id}
custody key fingerprint: {fp}
custody events: {events}
thumbnail: {photo.ref} {FIXTURE_THUMBNAIL_SIZE} {hashlib.sha256(png).hexdigest()}
annotation: {photo.ref} {mark.id}
scan: {scan.ref} 2 {FIXTURE_SCAN_WORD}
tag: {note.ref} {FIXTURE_TAG}
tsa: {FIXTURE_TSA} {tsa.url}
head token: {token.subject} {token.gen_time}
```

```pem
{ca_pem}
```

| ref | name | size | sha256 |
|-----|------|------|--------|
{rows}
"""
    with readme.open("a", encoding="utf-8") as f:
        f.write(section)
    return target


KEY_CHANGE_FIXTURE = FIXTURES / "vault-v2-key-change-cut-short.evault"
KEY_CHANGE_PASSPHRASE = "quietly amber lighthouse seventeen"


def make_key_change_fixture(target: Path = KEY_CHANGE_FIXTURE) -> Path:
    """A vault left between steps 2 and 3 of a change of keys (vault format version 2): its
    header holds the old slots and the new ones (``replaces``), its index is already under the
    new master key, and the ``keys replaced`` event is not yet recorded."""
    import datetime as dt
    import tempfile

    sys.path.insert(0, str(ROOT))
    from vault.clock import FixedClock
    from vault.evidence.importer import import_paths
    from vault.store.identity import Identity
    from vault.store.key_change import replace_keys
    from vault.store.keyslots import TEST_KDF, new_recovery_key
    from vault.store.vault import Vault

    readme = fixture_readme(target)

    class CutShort(Exception):
        pass

    def stop(step: str) -> None:
        if step == "index":
            raise CutShort

    t0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    identity = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
    new_recovery = new_recovery_key()
    with tempfile.TemporaryDirectory() as tmp:
        sources = fixture_notes(Path(tmp))
        v, old_recovery = Vault.create(target, FIXTURE_PASSPHRASE, identity,
                                       clock=FixedClock(t0), kdf=TEST_KDF)
        with v:
            for _ in import_paths(v, sources, case="NB-2026-01"):
                pass
            try:
                replace_keys(v, KEY_CHANGE_PASSPHRASE, new_recovery, reason="fixture",
                             kdf=TEST_KDF, check_strength=False, after_step=stop)
            except CutShort:
                pass
            else:
                raise SystemExit("the change of keys was not cut short")
            vault_id = v.vault_id
            events = sum(1 for _ in v.events())
    section = f"""
## {target.name}

A vault cut short in a change of keys (vault format version 2, "Replacing the keys"), made
once with `python tests/vectors/make_vectors.py --key-change-fixture`: `Vault.create` with
`TEST_KDF`, the two notes above imported into the case `NB-2026-01`, then `replace_keys`
stopped after step 2. `header.json` holds four slots (the old passphrase and recovery slots,
and the new ones marked `replaces`); `index.db` is under the new master key; the `keys
replaced` event is not recorded. Opening it with the new passphrase or recovery key keeps the
new slots and records the event (`completed_on_open`); the old ones are refused with a message
that says the keys were changed. Keep it for good, never open it in place.

```
old passphrase: {FIXTURE_PASSPHRASE}
old recovery key: {old_recovery}
new passphrase: {KEY_CHANGE_PASSPHRASE}
new recovery key: {new_recovery}
vault id: {vault_id}
custody events: {events}
```
"""
    with readme.open("a", encoding="utf-8") as f:
        f.write(section)
    return target


CHRONOLOGY_FIXTURE = FIXTURES / "vault-v3-schema8.evault"


ISSUES_FIXTURE = FIXTURES / "vault-v4-schema9.evault"
COURT_FIXTURE = FIXTURES / "vault-v5-schema10.evault"


def make_chronology_fixture(target: Path = CHRONOLOGY_FIXTURE, *, issues: bool = False
                            ) -> Path:
    """A vault of index schema 8 holding a chronology (docs/chronology.md): a cast with a
    survivor's pseudonym, a post held, three facts (one disputed, one taken out), a citation
    checked against a note's text, and a knowledge event with its response. With ``issues``
    (index schema 9): also an issue with two elements, two facts linked to them, a link
    changed and one taken away, and two gaps, one closed."""
    import datetime as dt
    import tempfile

    sys.path.insert(0, str(ROOT))
    from vault.chronology import store
    from vault.chronology.dates import parse_date
    from vault.clock import FixedClock
    from vault.evidence.importer import import_paths
    from vault.store.identity import Identity
    from vault.store.keyslots import TEST_KDF
    from vault.store.vault import Vault

    readme = fixture_readme(target)
    t0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    identity = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
    case = "NB-2026-01"
    with tempfile.TemporaryDirectory() as tmp:
        sources = fixture_notes(Path(tmp))
        v, recovery = Vault.create(target, FIXTURE_PASSPHRASE, identity, clock=FixedClock(t0),
                                   kdf=TEST_KDF)
        with v:
            for _ in import_paths(v, sources, case=case):
                pass
            store.add_entity(v, case, "tenant", "Alex Doe", role="survivor")
            store.add_entity(v, case, "landlord", "Ms Pat Reed", role="officer under scrutiny")
            store.add_entity(v, case, "council", "Northbridge Council", kind="organisation",
                             role="agency")
            store.add_position(v, case, "landlord", "Housing officer", "council",
                               parse_date("2020"), parse_date("on or after 2026"))
            store.add_fact(v, case, "@tenant reported the broken lift by telephone",
                           parse_date("02/05/2026 10:15", basis="document text"),
                           people=[("tenant", "author")], key=True)
            store.add_fact(v, case, "@landlord wrote that repairs were scheduled",
                           parse_date("03/05/2026"), status="disputed by us",
                           versions=["Repairs were scheduled", "No repair was ever booked"],
                           people=[("landlord", "author")], comment="Ask for the work order")
            store.add_fact(v, case, "A duplicate entry", parse_date("c. 05/2026"))
            store.remove_fact(v, case, 3, "a duplicate of fact 1")
            store.cite(v, case, "fact", 1, "MO/1", None, "the lift has been broken")
            k = store.add_knowledge(v, case, "landlord", "the broken lift",
                                    parse_date("before 03/05/2026"), how="letter",
                                    awareness="received", response=2)
            store.cite(v, case, "knowledge", k.id, "MO/2", None, "repairs are scheduled")
            if issues:
                duty = store.add_issue(v, case, "Breach of the repairing duty",
                                       note="Landlord and Tenant Act 1985, s. 11")
                told = store.add_issue(v, case, "The landlord was told", parent=duty.id)
                slow = store.add_issue(v, case, "No repair in reasonable time", parent=duty.id)
                store.support(v, case, 1, told.id, "some")
                store.support(v, case, 1, told.id, "strong")
                store.support(v, case, 2, slow.id, "weak")
                store.support(v, case, 2, told.id, "some")
                store.unsupport(v, case, 2, told.id, "goes to the delay only")
                store.add_gap(v, case, "document not held", "The repair work order",
                              parse_date("on or after 03/05/2026"), sources="@landlord",
                              fact=2)
                gap = store.add_gap(v, case, "question", "Who took the call?")
                store.close_gap(v, case, gap.id, "the housing officer (MO/1)")
            vault_id = v.vault_id
            events = sum(1 for _ in v.events())
    if issues:
        section = f"""
## {target.name}

A small real vault of index schema 9 (vault format version 4) holding a chronology with
issues and gaps, made once with `python tests/vectors/make_vectors.py --issues-fixture`: the
same notes, cast, facts, citations and knowledge event as `vault-v3-schema8.evault` (with its
own vault id and keys), then the issue 1 "Breach of the repairing duty" (note "Landlord and
Tenant Act 1985, s. 11") with the elements 2 "The landlord was told" and 3 "No repair in
reasonable time"; fact 1 supports element 2 ("some", then changed to "strong"), fact 2
supports element 3 ("weak"), and fact 2's link to element 2 was made and taken away ("goes to
the delay only"); gap 1, a document not held ("The repair work order", on or after
03/05/2026, potential source @landlord, fact 2), open; gap 2, a question ("Who took the
call?"), closed ("the housing officer (MO/1)"). Every later version must open it and show
all of it unchanged. Keep it for good, never open it in place.

"""
    else:
        section = f"""
## {target.name}

A small real vault of index schema 8 (vault format version 3) holding a chronology, made once
with `python tests/vectors/make_vectors.py --chronology-fixture`: `Vault.create` with
`TEST_KDF` and a fixed clock, the two notes above imported into the case `NB-2026-01`, then a
cast of three (the survivor `@tenant`, "Alex Doe", shown as `Child A`; `@landlord`, who held
the post "Housing officer" at `@council` from 2020), fact 1 (02/05/2026 10:15, key, citing
MO/1 "the lift has been broken"), fact 2 (03/05/2026, disputed by us, two versions, a private
comment), fact 3 taken out ("a duplicate of fact 1"), and a knowledge event (`@landlord`
received "the broken lift" before 03/05/2026 by letter, citing MO/2, response fact 2). Every
later version must open it and show that chronology unchanged. Keep it for good, never open it
in place.

"""
    section += f"""
```
passphrase: {FIXTURE_PASSPHRASE}
recovery key: {recovery}
vault id: {vault_id}
custody events: {events}
```
"""
    with readme.open("a", encoding="utf-8") as f:
        f.write(section)
    return target


def make_court_fixture(target: Path = COURT_FIXTURE) -> Path:
    """A vault of index schema 10 holding the court bundle's first records
    (docs/court-bundle.md): two witnesses, exhibits MO/1 and its sub-exhibit MO/1/1, AD/1
    (its description changed), the statement MO:1 producing MO/1 and MO/1/1 and referring to
    AD/1, a sensitive schedule entry with its decision and a disclosure action, and labels
    written."""
    import datetime as dt
    import tempfile

    sys.path.insert(0, str(ROOT))
    from vault.clock import FixedClock
    from vault.court import store
    from vault.court.labels import LABELS, write_court_document
    from vault.evidence.importer import import_paths
    from vault.store.identity import Identity
    from vault.store.keyslots import TEST_KDF
    from vault.store.vault import Vault

    readme = fixture_readme(target)
    t0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    identity = Identity("Mary Okafor", "MO", "Investigator", "Northbridge Survivors Campaign")
    case = "NB-2026-01"
    with tempfile.TemporaryDirectory() as tmp:
        sources = fixture_notes(Path(tmp))
        photo = Path(tmp) / "photo.png"
        photo.write_bytes(fixture_photo())
        log = Path(tmp) / "handler-log.txt"
        log.write_bytes(b"Handler's log, 4 May 2026: the source said the lift was cut.\n")
        v, recovery = Vault.create(target, FIXTURE_PASSPHRASE, identity, clock=FixedClock(t0),
                                   kdf=TEST_KDF)
        with v:
            for _ in import_paths(v, [*sources, photo, log], case=case):
                pass
            store.add_witness(v, case, "Mary Okafor", "MO", "investigator")
            store.add_witness(v, case, "Alex Doe", "AD", "survivor")
            store.mark_exhibit(v, case, "MO/1", by="MO",
                               description="Note of a call from a tenant, 2 May 2026")
            store.mark_exhibit(v, case, "MO/3", by="MO", under="MO/1",
                               description="Photograph sent with the call note")
            store.mark_exhibit(v, case, "MO/2", by="AD",
                               description="Letter from the landlord of 3 May 2026")
            store.describe_exhibit(v, case, "AD/1",
                                   "Letter from the landlord to the tenant, 3 May 2026, 1 page")
            store.add_statement(v, case, "MO", "12/05/2026", "First statement")
            store.add_statement_document(v, case, "MO:1", "MO/1", "produced")
            store.add_statement_document(v, case, "MO:1", "MO/1/1", "produced")
            store.add_statement_document(v, case, "MO:1", "AD/1", "referred to",
                                         "the landlord's reply")
            from vault.court import disclosure

            disclosure.schedule_item(v, case, "MO/4", "sensitive", "Handler's log of 4 May 2026",
                                     "it would identify a source")
            disclosure.decide(v, case, "S1", "withhold")
            disclosure.record_disclosure(v, case, "S1", "withheld", "PII")
            write_court_document(v, case, LABELS, Path(tmp) / "labels.pdf")
            vault_id = v.vault_id
            events = sum(1 for _ in v.events())
    section = f"""
## {target.name}

A small real vault of index schema 10 (vault format version 5) holding the court bundle's
first records, made once with `python tests/vectors/make_vectors.py --court-fixture`:
`Vault.create` with `TEST_KDF` and a fixed clock, the two notes (MO/1, MO/2) and the photo
(MO/3) imported into the case `NB-2026-01`, the witnesses MO "Mary Okafor" (investigator) and
AD "Alex Doe" (survivor), exhibit MO/1 (MO/1, "Note of a call from a tenant, 2 May 2026"), its
sub-exhibit MO/1/1 (MO/3, "Photograph sent with the call note"), exhibit AD/1 (MO/2, described
"Letter from the landlord of 3 May 2026", then "Letter from the landlord to the tenant, 3 May
2026, 1 page"), the statement MO:1 of Mary Okafor dated 12/05/2026 ("First statement")
producing MO/1 and MO/1/1 and referring to AD/1 (note "the landlord's reply"), the handler's
log (MO/4) as entry S1 of the sensitive schedule ("Handler's log of 4 May 2026", reason "it
would identify a source", decision withhold, a disclosure action "withheld", note "PII"), and
exhibit labels written. Every later version must open it and show all of
it unchanged. Keep it for good, never open it in place.

```
passphrase: {FIXTURE_PASSPHRASE}
recovery key: {recovery}
vault id: {vault_id}
custody events: {events}
```
"""
    with readme.open("a", encoding="utf-8") as f:
        f.write(section)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the vectors")
    parser.add_argument("--fixture", action="store_true",
                        help=f"also create {FIXTURE.relative_to(ROOT)} (refused if it exists)")
    parser.add_argument("--key-change-fixture", action="store_true",
                        help=f"only create {KEY_CHANGE_FIXTURE.relative_to(ROOT)}")
    parser.add_argument("--chronology-fixture", action="store_true",
                        help=f"only create {CHRONOLOGY_FIXTURE.relative_to(ROOT)}")
    parser.add_argument("--court-fixture", action="store_true",
                        help=f"only create {COURT_FIXTURE.relative_to(ROOT)}")
    parser.add_argument("--issues-fixture", action="store_true",
                        help=f"only create {ISSUES_FIXTURE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.court_fixture:
        print(f"fixture written to {make_court_fixture()}")
        return
    if args.issues_fixture:
        print(f"fixture written to {make_chronology_fixture(ISSUES_FIXTURE, issues=True)}")
        return
    if args.chronology_fixture:
        print(f"fixture written to {make_chronology_fixture()}")
        return
    if args.key_change_fixture:
        print(f"fixture written to {make_key_change_fixture()}")
        return
    written = write_vectors(args.out)
    print(f"{len(written)} vectors written to {args.out}")
    if args.fixture:
        print(f"fixture written to {make_fixture()}")


if __name__ == "__main__":
    main()
