"""Streaming age passphrase files: interop with the real age binary and pyrage, and every way
a file can be damaged. ``age`` reads a passphrase only from a terminal, so it runs on a pty."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyrage
import pytest
from agetool import PW, age_binary, age_decrypt, run_age
from conftest import ROOT
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from vault.packages.age_passphrase import (
    CHANGED,
    NOT_AGE,
    NOT_PASSPHRASE,
    TRAILING_DATA,
    TRUNCATED,
    TRUNCATED_OR_CHANGED,
    WRONG_PASSPHRASE,
    AgeError,
    decrypt_stream,
    encrypt_stream,
    is_passphrase_file,
)

LOG_N = 10  # age -d accepts any work factor up to 22; 10 keeps our encryptions instant
K = 64 * 1024
ENC = K + 16


# --- helpers -------------------------------------------------------------------------------

def age_output(out: Path) -> bytes:
    """What ``age -o out`` wrote: age creates the file on its first write, so none if empty."""
    return out.read_bytes() if out.exists() else b""


def encrypt(data: bytes, passphrase: str = PW, log_n: int = LOG_N) -> bytes:
    dst = io.BytesIO()
    encrypt_stream(io.BytesIO(data), dst, passphrase, log_n=log_n)
    return dst.getvalue()


def decrypt(blob: bytes, passphrase: str = PW, **kw: int) -> bytes:
    dst = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), dst, passphrase, **kw)
    return dst.getvalue()


def refused(blob: bytes, passphrase: str = PW, **kw: int) -> str:
    with pytest.raises(AgeError) as e:
        decrypt(blob, passphrase, **kw)
    return str(e.value)


def header_len(blob: bytes) -> int:
    return blob.index(b"\n", blob.index(b"\n---") + 1) + 1


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def standard_stanza(salt: str, body: str) -> str:
    return f"-> scrypt {salt} {LOG_N}\n{body}\n"


def standard_footer(mac: str) -> str:
    return f" {mac}\n"


def forge(stanzas: Callable[[str, str], str] = standard_stanza,
          footer: Callable[[str], str] = standard_footer, *, log_n: int = LOG_N,
          chunks: list[tuple[bytes, bool]] | None = None) -> bytes:
    """An age file written here from the spec, with its header MAC always right.

    ``stanzas(salt, wrapped_key)`` writes the stanza lines from the right base64 values and
    ``footer(mac)`` what follows "---", so a test can change one detail that a strict reader
    must refuse on its own; ``chunks`` are the payload's (plaintext, last flag) pairs.
    """
    file_key, salt = os.urandom(16), os.urandom(16)
    key = Scrypt(salt=b"age-encryption.org/v1/scrypt" + salt, length=32, n=2**log_n, r=8,
                 p=1).derive(PW.encode())
    wrapped = ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None)
    header = f"age-encryption.org/v1\n{stanzas(b64(salt), b64(wrapped))}---".encode()
    mac_key = HKDF(hashes.SHA256(), 32, b"", b"header").derive(file_key)
    mac = b64(hmac.digest(mac_key, header, "sha256"))
    nonce = os.urandom(16)
    aead = ChaCha20Poly1305(HKDF(hashes.SHA256(), 32, nonce, b"payload").derive(file_key))
    payload = b"".join(
        aead.encrypt(i.to_bytes(11, "big") + (b"\x01" if last else b"\x00"), plain, None)
        for i, (plain, last) in enumerate(chunks or [(b"hello", True)]))
    return header + footer(mac).encode() + nonce + payload


def work_factor(text: str) -> Callable[[str, str], str]:
    return lambda salt, body: f"-> scrypt {salt} {text}\n{body}\n"


# --- our files open with age, age's files open here -------------------------------------------

@pytest.mark.parametrize("size", [0, 1, K - 1, K, K + 1, 3 * K, 5_000_000 + 17])
def test_age_decrypts_what_we_encrypt(size: int, tmp_path: Path) -> None:
    data = os.urandom(size)
    (tmp_path / "f.age").write_bytes(encrypt(data))
    code, out = age_decrypt(tmp_path / "f.age", tmp_path / "out")
    assert code == 0, out
    assert age_output(tmp_path / "out") == data


def test_age_refuses_our_file_with_the_wrong_passphrase(tmp_path: Path) -> None:
    (tmp_path / "f.age").write_bytes(encrypt(b"evidence"))
    code, out = age_decrypt(tmp_path / "f.age", tmp_path / "out", passphrase="not it")
    assert code != 0
    assert "incorrect passphrase" in out


AGE_SIZES = [0, K, 3 * K + 5, 1_000_003]


@pytest.fixture(scope="module")
def age_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[bytes, bytes]]:
    """``age -p`` files (work factor 2^18, age's own choice) for AGE_SIZES, made in parallel."""
    d = tmp_path_factory.mktemp("age-p")

    def make(size: int) -> tuple[bytes, bytes]:
        data = os.urandom(size)
        (d / f"{size}.bin").write_bytes(data)
        code, out = run_age("-p", "-o", d / f"{size}.age", d / f"{size}.bin", prompts=2)
        assert code == 0, out
        return data, (d / f"{size}.age").read_bytes()

    with ThreadPoolExecutor(len(AGE_SIZES)) as pool:
        return dict(zip(AGE_SIZES, pool.map(make, AGE_SIZES), strict=True))


@pytest.mark.parametrize("size", AGE_SIZES)
def test_we_decrypt_what_age_encrypts(size: int,
                                      age_files: dict[int, tuple[bytes, bytes]]) -> None:
    data, blob = age_files[size]
    assert blob.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert is_passphrase_file(blob[:100])
    assert decrypt(blob) == data


def test_pyrage_decrypts_what_we_encrypt() -> None:
    data = os.urandom(3 * K + 100)
    assert pyrage.passphrase.decrypt(encrypt(data), PW) == data
    assert pyrage.passphrase.decrypt(encrypt(b""), PW) == b""


def test_we_decrypt_what_pyrage_encrypts() -> None:
    data = os.urandom(K + 7)
    assert decrypt(pyrage.passphrase.encrypt(data, PW)) == data


def test_a_file_decrypts_to_what_was_encrypted_and_is_different_each_time() -> None:
    data = os.urandom(2 * K)
    a, b = encrypt(data), encrypt(data)
    assert a != b and data not in a
    assert decrypt(a) == decrypt(b) == data
    assert a.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert a.split(b"\n")[1].endswith(b" 10")
    assert len(a) == header_len(a) + 16 + 2 * ENC  # a full last chunk: no empty chunk after


def test_the_default_work_factor_is_ages() -> None:
    src, dst = io.BytesIO(b"x"), io.BytesIO()
    encrypt_stream(src, dst, PW)
    assert dst.getvalue().split(b"\n")[1].endswith(b" 18")


# --- is_passphrase_file --------------------------------------------------------------------

@pytest.fixture(scope="module")
def x25519_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    d = tmp_path_factory.mktemp("x25519")
    subprocess.run(["age-keygen", "-o", d / "key.txt"], check=True, capture_output=True)
    recipient = subprocess.run(["age-keygen", "-y", d / "key.txt"], check=True,
                               capture_output=True, text=True).stdout.strip()
    (d / "in").write_bytes(b"evidence")
    subprocess.run([age_binary(), "-r", recipient, "-o", d / "f.age", d / "in"], check=True)
    return (d / "f.age").read_bytes()


def test_is_passphrase_file_tells_passphrase_files_from_key_files(x25519_file: bytes) -> None:
    ours = encrypt(b"evidence")
    assert is_passphrase_file(ours)
    assert is_passphrase_file(ours[:len("age-encryption.org/v1\n-> scrypt x")])
    assert not is_passphrase_file(ours[:len("age-encryption.org/v1\n-> scr")])
    assert x25519_file.startswith(b"age-encryption.org/v1\n-> X25519 ")
    assert not is_passphrase_file(x25519_file)
    assert not is_passphrase_file(x25519_file[:200])
    assert not is_passphrase_file(b"")
    assert not is_passphrase_file(b"PK\x03\x04-> scrypt \n")
    assert not is_passphrase_file(b"age-encryption.org/v2\n-> scrypt abc 18\n")


# --- refusals ------------------------------------------------------------------------------

def test_wrong_passphrase() -> None:
    assert refused(encrypt(b"evidence"), "tidal lantern ochre sixteen") == WRONG_PASSPHRASE


def test_an_x25519_file_is_not_for_a_passphrase(x25519_file: bytes) -> None:
    assert refused(x25519_file) == NOT_PASSPHRASE


@pytest.mark.parametrize("blob,message", [
    (b"", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x00\x00", NOT_AGE),
    (b"age-encryption.org/v2\n-> scrypt x 10\n", "unsupported age format version"),
    (b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n", "armored (PEM) age files are not supported"),
])
def test_not_an_age_passphrase_file(blob: bytes, message: str) -> None:
    assert refused(blob).startswith(message)


def test_truncated() -> None:
    blob = encrypt(os.urandom(3 * K + 1000))
    start = header_len(blob) + 16
    assert len(blob) == start + 3 * ENC + 1016
    for cut in (start + ENC, start + 2 * ENC, start + 3 * ENC,  # at chunk boundaries
                start, start - 5, header_len(blob) - 10, 30,  # in the nonce, in the header
                start + ENC + 10):  # less of a chunk than its tag
        assert refused(blob[:cut]) == TRUNCATED, cut
    # Mid-chunk: the last piece fails like a changed chunk would; nothing tells which it is.
    for cut in (start + ENC + 1000, start + 3 * ENC + 500, len(blob) - 1):
        assert refused(blob[:cut]) == TRUNCATED_OR_CHANGED, cut
    assert decrypt(blob) == decrypt(blob[:start + 3 * ENC + 1016])


def test_a_flipped_byte_anywhere_is_refused() -> None:
    blob = encrypt(os.urandom(2 * K + 1000))
    first_line_end = blob.index(b"\n") + 1
    mac_start = blob.index(b"\n---") + 5
    start = header_len(blob) + 16

    def flipped(at: int, bit: int = 1) -> bytes:
        return blob[:at] + bytes([blob[at] ^ bit]) + blob[at + 1:]

    def other_letter(at: int) -> bytes:  # header text stays valid base64
        return blob[:at] + (b"B" if blob[at:at + 1] == b"A" else b"A") + blob[at + 1:]

    assert refused(other_letter(mac_start + 3)) == CHANGED  # the MAC itself
    assert refused(other_letter(first_line_end + 12)) == WRONG_PASSPHRASE  # the salt
    assert refused(other_letter(blob.index(b"\n", first_line_end) + 5)) == WRONG_PASSPHRASE
    assert refused(flipped(0, 0x20)) == NOT_AGE
    assert refused(flipped(start - 3)) == CHANGED  # the payload nonce
    assert refused(flipped(start + 100)) == CHANGED  # the first chunk
    assert refused(flipped(start + ENC + K + 3)) == CHANGED  # the second chunk's tag
    assert refused(flipped(len(blob) - 1)) == TRUNCATED_OR_CHANGED  # the short last chunk


def test_a_changed_work_factor_is_caught() -> None:
    blob = encrypt(b"evidence")
    assert refused(blob.replace(b" 10\n", b" 11\n", 1)) == WRONG_PASSPHRASE


def test_trailing_data() -> None:
    full = encrypt(os.urandom(K))  # one full chunk, the last
    assert refused(full + b"x") == TRAILING_DATA
    assert refused(full + os.urandom(ENC)) == TRAILING_DATA
    two = encrypt(os.urandom(2 * K))
    assert refused(two + two[-ENC:]) == TRAILING_DATA
    # After a short last chunk the extra bytes join it, so it no longer authenticates.
    assert refused(encrypt(b"evidence") + b"x") == TRUNCATED_OR_CHANGED
    assert refused(encrypt(b"") + b"\n") == TRUNCATED_OR_CHANGED


def test_swapped_and_dropped_chunks() -> None:
    blob = encrypt(os.urandom(3 * K + 1000))
    start = header_len(blob) + 16
    head, c = blob[:start], [blob[start + i * ENC:start + (i + 1) * ENC] for i in range(4)]
    assert decrypt(head + b"".join(c))
    assert refused(head + c[1] + c[0] + c[2] + c[3]) == CHANGED
    assert refused(head + c[0] + c[2] + c[1] + c[3]) == CHANGED
    assert refused(head + c[0] + c[2] + c[3]) == CHANGED  # a middle one dropped
    assert refused(head + c[0] + c[1] + c[3]) == TRUNCATED_OR_CHANGED


def test_chunks_from_another_file_are_refused() -> None:
    a, b = encrypt(os.urandom(2 * K)), encrypt(os.urandom(2 * K))
    assert refused(a[:header_len(a)] + b[header_len(b):]) == CHANGED


def test_work_factor_over_the_limit_is_refused_before_any_work() -> None:
    twelve = forge(work_factor("12"), log_n=12)
    assert refused(twelve, max_log_n=11) == (
        "the passphrase work factor 2^12 is above the limit 2^11")
    assert decrypt(twelve, max_log_n=12) == b"hello"
    over, huge = forge(work_factor("23")), forge(work_factor("999999999"))
    t = time.monotonic()
    assert refused(over) == "the passphrase work factor 2^23 is above the limit 2^22"
    assert refused(huge).startswith("the passphrase work factor 2^999999999 is above")
    assert time.monotonic() - t < 0.5


def test_forge_writes_what_age_opens(tmp_path: Path) -> None:
    """The forged files below differ from valid ones only where each test says."""
    blob = forge(chunks=[(b"a" * K, False), (b"b" * 10, True)])
    assert decrypt(blob) == b"a" * K + b"b" * 10
    (tmp_path / "f.age").write_bytes(blob)
    assert age_decrypt(tmp_path / "f.age", tmp_path / "out")[0] == 0
    assert (tmp_path / "out").read_bytes() == b"a" * K + b"b" * 10


def noncanonical(text: str) -> str:
    """The same bytes in base64 with a non-zero unused bit in the last character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return text[:-1] + alphabet[alphabet.index(text[-1]) | 1]


Stanzas = Callable[[str, str], str]
STRICT_CASES: dict[str, tuple[Stanzas, Callable[[str], str], str]] = {
    "padded salt": (lambda s, b: f"-> scrypt {s}== 10\n{b}\n", standard_footer, "bad base64"),
    "non-canonical salt": (lambda s, b: f"-> scrypt {noncanonical(s)} 10\n{b}\n",
                           standard_footer, "non-canonical base64"),
    "short salt": (lambda s, b: f"-> scrypt {s[:-2]} 10\n{b}\n", standard_footer,
                   "malformed scrypt stanza"),
    "leading zero": (work_factor("010"), standard_footer, "malformed scrypt stanza"),
    "signed work factor": (work_factor("+10"), standard_footer, "malformed scrypt stanza"),
    "zero work factor": (work_factor("0"), standard_footer, "malformed scrypt stanza"),
    "extra argument": (work_factor("10 x"), standard_footer, "malformed scrypt stanza"),
    "double space": (lambda s, b: f"-> scrypt  {s} 10\n{b}\n", standard_footer,
                     "malformed stanza line"),
    "trailing space": (work_factor("10 "), standard_footer, "malformed stanza line"),
    "tab": (lambda s, b: f"-> scrypt\t{s} 10\n{b}\n", standard_footer,
            "malformed stanza line"),
    "body split": (lambda s, b: f"-> scrypt {s} 10\n{b[:40]}\n{b[40:]}\n", standard_footer,
                   "malformed scrypt stanza"),
    "body padded": (lambda s, b: f"-> scrypt {s} 10\n{b}=\n", standard_footer, "bad base64"),
    "body non-canonical": (lambda s, b: f"-> scrypt {s} 10\n{noncanonical(b)}\n",
                           standard_footer, "non-canonical base64"),
    "body line too long": (lambda s, b: f"-> scrypt {s} 10\n{b * 2}\n", standard_footer,
                           "a line is too long"),
    "second stanza": (lambda s, b: standard_stanza(s, b) + "-> X25519 abc\nAAAA\n",
                      standard_footer, "must be the only one"),
    "second scrypt": (lambda s, b: standard_stanza(s, b) * 2, standard_footer,
                      "must be the only one"),
    "key stanza first": (lambda s, b: "-> X25519 abc\nAAAA\n" + standard_stanza(s, b),
                         standard_footer, NOT_PASSPHRASE),
    "no stanza": (lambda s, b: "", standard_footer, "it has no recipient stanza"),
    "crlf": (standard_stanza, lambda m: f" {m}\r\n", "bad base64"),
    "mac padded": (standard_stanza, lambda m: f" {m}=\n", "bad base64"),
    "mac double space": (standard_stanza, lambda m: f"  {m}\n", "bad base64"),
    "mac non-canonical": (standard_stanza, lambda m: f" {noncanonical(m)}\n",
                          "non-canonical base64"),
    "mac short": (standard_stanza, lambda m: f" {m[:-3]}\n", "malformed MAC line"),
    "no mac": (standard_stanza, lambda m: "\n", "malformed MAC line"),
}


@pytest.mark.parametrize("case", STRICT_CASES)
def test_header_is_parsed_strictly(case: str, tmp_path: Path) -> None:
    """Each deviation comes with a right MAC, so only the strict check itself can catch it
    (most would decrypt without it); age refuses every one of them as well."""
    stanzas, footer, message = STRICT_CASES[case]
    blob = forge(stanzas, footer)
    assert message in refused(blob)
    (tmp_path / "f.age").write_bytes(blob)
    code, out = age_decrypt(tmp_path / "f.age", tmp_path / "out")
    assert code != 0, out


def test_an_empty_last_chunk_after_others_is_refused(tmp_path: Path) -> None:
    blob = forge(chunks=[(b"a" * K, False), (b"", True)])  # what age betas wrote
    assert refused(blob) == "the file is invalid: its last chunk is empty"
    assert forge(chunks=[(b"", True)]) and decrypt(forge(chunks=[(b"", True)])) == b""
    (tmp_path / "f.age").write_bytes(blob)
    assert age_decrypt(tmp_path / "f.age", tmp_path / "out")[0] != 0


def test_a_short_chunk_that_is_not_the_last_is_refused() -> None:
    assert refused(forge(chunks=[(b"a" * 10, False), (b"b", True)])) == TRUNCATED_OR_CHANGED
    assert refused(forge(chunks=[(b"a" * K, False)])) == TRUNCATED


def test_encrypt_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="empty"):
        encrypt(b"x", passphrase="")
    with pytest.raises(ValueError, match="log_n"):
        encrypt(b"x", log_n=0)


# --- bounded memory --------------------------------------------------------------------------

class Source(io.RawIOBase):
    """``size`` bytes, made as they are read; reading it all at once is a test failure."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = os.urandom(K)
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        assert n is not None and 0 <= n <= 2 * ENC, f"read({n}) would read it all"
        n = min(n, self.left)
        out = (self.block * (n // K + 1))[:n]
        self.left -= len(out)
        self.sha.update(out)
        return out


class Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.largest = 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.largest = max(self.largest, len(b))
        self.sha.update(b)
        return len(b)


class Reader(io.BytesIO):
    def read(self, n: int | None = -1) -> bytes:
        assert n is not None and 0 <= n <= 2 * ENC, f"read({n}) would read it all"
        return super().read(n)


def test_reads_and_writes_a_chunk_at_a_time() -> None:
    src, ciphertext = Source(5 * K + 3), io.BytesIO()
    encrypt_stream(src, ciphertext, PW, log_n=LOG_N)  # type: ignore[arg-type]
    sink = Sink()
    decrypt_stream(Reader(ciphertext.getvalue()), sink, PW)  # type: ignore[arg-type]
    assert sink.sha.digest() == src.sha.digest()
    assert sink.largest == K


class ShortReader(io.BytesIO):
    """At most 1000 bytes a read, as a pipe or socket may give."""

    def read(self, n: int | None = -1) -> bytes:
        assert n is not None and n >= 0
        return super().read(min(n, 1000))


class ShortWriter(io.BytesIO):
    """Takes at most 1000 bytes a write, as a raw (unbuffered) stream may."""

    def write(self, b: bytes) -> int:  # type: ignore[override]
        return super().write(bytes(b)[:1000])


def test_short_reads_and_writes_are_completed() -> None:
    data = os.urandom(3 * K + 5)
    ciphertext, plaintext = ShortWriter(), ShortWriter()
    encrypt_stream(ShortReader(data), ciphertext, PW, log_n=LOG_N)
    assert len(ciphertext.getvalue()) == header_len(ciphertext.getvalue()) + 16 + 3 * ENC + 21
    decrypt_stream(ShortReader(ciphertext.getvalue()), plaintext, PW)
    assert plaintext.getvalue() == data


MEMORY_SCRIPT = textwrap.dedent("""
    import hashlib, json, os, resource, sys, threading
    from vault.packages.age_passphrase import decrypt_stream, encrypt_stream

    class Source:  # size bytes made as they are read
        def __init__(self, size):
            self.left, self.block, self.sha = size, os.urandom(65536), hashlib.sha256()
        def read(self, n):
            n = min(n, self.left)
            out = (self.block * (n // 65536 + 1))[:n]
            self.left -= len(out)
            self.sha.update(out)
            return out

    class Sink:
        def __init__(self):
            self.sha = hashlib.sha256()
        def write(self, b):
            self.sha.update(b)
            return len(b)

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    encrypt_stream(Source(1000), Sink(), "pw", log_n=10)  # load everything first
    base = peak()
    r, w = os.pipe()
    src = Source(int(sys.argv[1]))
    def produce():
        with open(w, "wb", buffering=0) as out:
            encrypt_stream(src, out, "pw", log_n=10)
    t = threading.Thread(target=produce)
    t.start()
    sink = Sink()
    with open(r, "rb", buffering=0) as pipe:  # short reads: a pipe gives what it holds
        decrypt_stream(pipe, sink, "pw")
    t.join()
    print(json.dumps({"grew": peak() - base, "same": sink.sha.digest() == src.sha.digest()}))
""")


def test_memory_stays_bounded_whatever_the_size() -> None:
    """200 MB through encrypt, a pipe and decrypt in a child process; its peak RSS grows by
    far less than the data (reading it whole would grow it by 200 MB or more)."""
    r = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(200 * 1024 * 1024)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["same"]
    assert result["grew"] < 32 * 1024 * 1024, result
