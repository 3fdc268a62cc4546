"""Encrypted object files: round trips at chunk boundaries and every kind of tampering."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from vault.errors import IntegrityError
from vault.store.objects import HEADER_LEN, TAG_LEN, ObjectReader, ObjectWriter

CS = 64


def store(root: Path, data: bytes, chunk_size: int = CS) -> ObjectWriter:
    w = ObjectWriter(root, chunk_size)
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]
    for i, c in enumerate(chunks):
        w.write_chunk(c, final=i == len(chunks) - 1)
    w.commit()
    return w


def read_all(w: ObjectWriter) -> bytes:
    with ObjectReader(w.path, w.oid, w.key) as r:
        return b"".join(r.iter_chunks())


@pytest.mark.parametrize("size", [0, 1, CS - 1, CS, CS + 1, 3 * CS, 3 * CS + 5])
def test_round_trip(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    w = store(tmp_path, data)
    assert read_all(w) == data
    with ObjectReader(w.path, w.oid, w.key) as r:
        assert r.size == size
        r.seek(size // 2)
        assert r.read() == data[size // 2:]


def test_name_is_random_and_not_the_hash(tmp_path: Path) -> None:
    data = b"the same content"
    a, b = store(tmp_path, data), store(tmp_path, data)
    assert a.oid != b.oid
    assert hashlib.sha256(data).hexdigest() not in {a.oid, b.oid}
    assert a.path.read_bytes() != b.path.read_bytes()


def _ct_offset(chunk: int) -> int:
    return HEADER_LEN + chunk * (CS + TAG_LEN)


def test_flipped_byte_anywhere_is_detected(tmp_path: Path) -> None:
    w = store(tmp_path, os.urandom(3 * CS + 7))
    original = w.path.read_bytes()
    for pos in range(len(original)):
        damaged = bytearray(original)
        damaged[pos] ^= 0x01
        w.path.write_bytes(damaged)
        with pytest.raises(IntegrityError):
            read_all(w)


def test_truncation_is_detected(tmp_path: Path) -> None:
    w = store(tmp_path, os.urandom(3 * CS))
    original = w.path.read_bytes()
    for cut in (_ct_offset(1), _ct_offset(2), len(original) - 1, HEADER_LEN + 3):
        w.path.write_bytes(original[:cut])
        with pytest.raises(IntegrityError):
            read_all(w)


def test_reordered_chunks_are_detected(tmp_path: Path) -> None:
    w = store(tmp_path, os.urandom(3 * CS + 1))
    raw = w.path.read_bytes()
    c0, c1 = raw[_ct_offset(0):_ct_offset(1)], raw[_ct_offset(1):_ct_offset(2)]
    w.path.write_bytes(raw[:HEADER_LEN] + c1 + c0 + raw[_ct_offset(2):])
    with pytest.raises(IntegrityError, match="chunk 0"):
        read_all(w)


def test_object_swapped_for_another_is_detected(tmp_path: Path) -> None:
    a, b = store(tmp_path, os.urandom(100)), store(tmp_path, os.urandom(100))
    a.path.write_bytes(b.path.read_bytes())
    with pytest.raises(IntegrityError):
        read_all(a)


def test_missing_object(tmp_path: Path) -> None:
    w = store(tmp_path, b"x")
    w.path.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        read_all(w)


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    w = ObjectWriter(tmp_path, CS)
    w.write_chunk(b"a" * CS, final=False)
    w.abort()
    assert list(tmp_path.iterdir()) == []
