"""Streaming age v1 passphrase (scrypt) encryption and decryption.

pyrage's passphrase API works on whole byte strings in memory, and evidence packages can be
many gigabytes, so this module implements the scrypt recipient of the age v1 format
(https://age-encryption.org/v1) itself, streaming chunk by chunk with bounded memory. The
files it writes are ordinary age files (``age -d`` opens them) and it opens those that
``age -p`` writes.

File layout::

    age-encryption.org/v1
    -> scrypt <salt, base64> <log2 of the scrypt N>
    <file key wrapped with ChaCha20-Poly1305, base64>
    --- <HMAC-SHA256 of the header up to and including "---", base64>
    <16-byte payload nonce><STREAM payload: 64 KiB chunks, each sealed with ChaCha20-Poly1305>

Every failure to open a file is an :class:`AgeError` whose message is one line fit to show
as it is; the common ones are the module constants below (``WRONG_PASSPHRASE``, ...).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from typing import IO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

__all__ = [
    "CHANGED",
    "DEFAULT_LOG_N",
    "MAX_LOG_N",
    "NOT_AGE",
    "NOT_PASSPHRASE",
    "TRAILING_DATA",
    "TRUNCATED",
    "TRUNCATED_OR_CHANGED",
    "WRONG_PASSPHRASE",
    "AgeError",
    "decrypt_stream",
    "encrypt_stream",
    "is_passphrase_file",
]


class AgeError(ValueError):
    """An age file cannot be opened; ``str(err)`` is a one-line message fit to show."""


# The messages of the failures a user meets; a damaged header that is still well formed
# can only show as a wrong passphrase (the wrapped key does not open) or as CHANGED (the MAC).
WRONG_PASSPHRASE: Final = "wrong passphrase, or the file's header was damaged"
NOT_PASSPHRASE: Final = "not encrypted to a passphrase (the file is for an age key)"
NOT_AGE: Final = "not an age file"
TRUNCATED: Final = "the file is truncated"
CHANGED: Final = "the file was changed"
TRUNCATED_OR_CHANGED: Final = "the file is truncated or was changed"
TRAILING_DATA: Final = "the file has unexpected data after its end"

DEFAULT_LOG_N: Final = 18  # what age -p uses: 256 MiB and about a second
MAX_LOG_N: Final = 22  # what age -d accepts by default

_INTRO: Final = b"age-encryption.org/v1\n"
_ARMOR: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
_SCRYPT_LABEL: Final = b"age-encryption.org/v1/scrypt"
_FILE_KEY_SIZE: Final = 16
_SALT_SIZE: Final = 16
_TAG_SIZE: Final = 16
_MAC_SIZE: Final = 32
_NONCE_SIZE: Final = 16
_CHUNK: Final = 64 * 1024
_ENC_CHUNK: Final = _CHUNK + _TAG_SIZE
_COLUMNS: Final = 64  # base64 characters in a full stanza body line
_MAX_LINE: Final = 64 * 1024  # longest header line read (other recipients' stanzas)
_MAX_COUNTER: Final = 2**88 - 1
_B64_CHARS: Final = re.compile(rb"[A-Za-z0-9+/]*")
_DECIMAL: Final = re.compile(rb"[1-9][0-9]*")


def _b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    """Canonical unpadded standard base64, as age writes it; anything else is refused."""
    if _B64_CHARS.fullmatch(text) is None or len(text) % 4 == 1:
        raise AgeError("the file's header is invalid: bad base64")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error as e:
        raise AgeError("the file's header is invalid: bad base64") from e
    if _b64encode(data) != text:  # non-zero padding bits: another encoding of the same bytes
        raise AgeError("the file's header is invalid: non-canonical base64")
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _scrypt_key(passphrase: str, salt: bytes, log_n: int) -> bytes:
    kdf = Scrypt(salt=_SCRYPT_LABEL + salt, length=32, n=2**log_n, r=8, p=1)
    return kdf.derive(passphrase.encode("utf-8"))


def _header_mac(file_key: bytes, header: bytes) -> bytes:
    return hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")


def _nonce(counter: int, last: bool) -> bytes:
    if counter > _MAX_COUNTER:
        raise AgeError("the file is too long for the age format")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_exact(src: IO[bytes], n: int) -> bytes:
    """Up to ``n`` bytes; fewer only at the end of ``src`` (reads may come back short)."""
    first = src.read(n)
    if not first or len(first) == n:
        return first or b""
    parts = [first]
    got = len(first)
    while got < n:
        more = src.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _write_all(dst: IO[bytes], data: bytes) -> None:
    """Write all of ``data``: a raw (unbuffered) stream may take only part of it."""
    view = memoryview(data)
    while view:
        n = dst.write(view)
        if not n:
            raise OSError("the output took no data")
        view = view[n:]


def encrypt_stream(src: IO[bytes], dst: IO[bytes], passphrase: str, *,
                   log_n: int = DEFAULT_LOG_N) -> None:
    """Encrypt ``src`` to ``dst`` as an age file that opens with ``passphrase``.

    Reads and writes 64 KiB at a time (memory stays bounded whatever the size); scrypt's
    work factor is ``2**log_n`` (``age -p`` uses 18; ``age -d`` refuses more than 22).
    """
    if not passphrase:
        raise ValueError("the passphrase is empty")
    if not 1 <= log_n <= 30:
        raise ValueError(f"scrypt log_n must be between 1 and 30, not {log_n}")
    file_key = os.urandom(_FILE_KEY_SIZE)
    salt = os.urandom(_SALT_SIZE)
    wrapped = ChaCha20Poly1305(_scrypt_key(passphrase, salt, log_n)).encrypt(
        bytes(12), file_key, None)
    header = (_INTRO + b"-> scrypt " + _b64encode(salt) + b" " + str(log_n).encode() + b"\n"
              + _b64encode(wrapped) + b"\n---")  # 32 bytes: one short body line
    nonce = os.urandom(_NONCE_SIZE)
    _write_all(dst, header + b" " + _b64encode(_header_mac(file_key, header)) + b"\n" + nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    counter = 0
    chunk = _read_exact(src, _CHUNK)
    while True:
        # A full chunk is the last one only if nothing follows it: look one chunk ahead.
        following = _read_exact(src, _CHUNK) if len(chunk) == _CHUNK else b""
        last = not following
        _write_all(dst, aead.encrypt(_nonce(counter, last), chunk, None))
        if last:
            return
        counter += 1
        chunk = following


def _read_line(src: IO[bytes], limit: int = _MAX_LINE) -> bytes:
    """One header line without its newline; a header cut short is TRUNCATED."""
    line = src.readline(limit + 1)
    if not line.endswith(b"\n"):
        if len(line) > limit:
            raise AgeError("the file's header is invalid: a line is too long")
        raise AgeError(TRUNCATED)
    return line[:-1]


def _split_args(line: bytes) -> list[bytes]:
    args = line.split(b" ")
    for a in args[1:]:
        if not a or any(c < 0x21 or c > 0x7E for c in a):
            raise AgeError("the file's header is invalid: malformed stanza line")
    return args[1:]


def _read_intro(src: IO[bytes]) -> bytes:
    intro = src.readline(len(_INTRO))
    if intro == _INTRO:
        return intro
    if not intro:
        raise AgeError("the file is empty")
    if intro.startswith(_ARMOR[: len(intro)]):
        raise AgeError("armored (PEM) age files are not supported; use the binary form")
    if intro.startswith(b"age-encryption.org/"):
        raise AgeError("unsupported age format version")
    if _INTRO.startswith(intro):
        raise AgeError(TRUNCATED)
    raise AgeError(NOT_AGE)


def _read_header(src: IO[bytes]) -> tuple[bytes, bytes, int, bytes, bytes]:
    """Parse a passphrase file's header strictly.

    Returns the bytes the MAC covers, the salt, log_n, the wrapped file key and the MAC.
    """
    raw = [_read_intro(src)]
    line = _read_line(src)
    if line.startswith(b"---"):
        raise AgeError("the file's header is invalid: it has no recipient stanza")
    if not line.startswith(b"-> "):
        raise AgeError("the file's header is invalid: unexpected line")
    args = _split_args(line)
    if not args:
        raise AgeError("the file's header is invalid: malformed stanza line")
    if args[0] != b"scrypt":
        # A passphrase file has exactly one stanza, the scrypt one (spec); this file is for
        # X25519, SSH or plugin recipients.
        raise AgeError(NOT_PASSPHRASE)
    if len(args) != 3:
        raise AgeError("the file's header is invalid: malformed scrypt stanza")
    salt = _b64decode(args[1])
    if len(salt) != _SALT_SIZE or _DECIMAL.fullmatch(args[2]) is None or len(args[2]) > 9:
        raise AgeError("the file's header is invalid: malformed scrypt stanza")
    log_n = int(args[2])
    raw.append(line + b"\n")
    body = bytearray()
    while True:  # body lines: 64 columns each, the last one shorter (possibly empty)
        body_line = _read_line(src, _COLUMNS)
        raw.append(body_line + b"\n")
        body += _b64decode(body_line)
        if len(body_line) < _COLUMNS:
            break
    if len(body) != _FILE_KEY_SIZE + _TAG_SIZE:
        raise AgeError("the file's header is invalid: malformed scrypt stanza")
    footer = _read_line(src)
    if footer.startswith(b"-> "):
        raise AgeError("the file's header is invalid: a scrypt stanza must be the only one")
    if not footer.startswith(b"---"):
        raise AgeError("the file's header is invalid: unexpected line")
    if not footer.startswith(b"--- "):
        raise AgeError("the file's header is invalid: malformed MAC line")
    mac = _b64decode(footer[4:])
    if len(mac) != _MAC_SIZE:
        raise AgeError("the file's header is invalid: malformed MAC line")
    raw.append(b"---")
    return b"".join(raw), salt, log_n, bytes(body), mac


def decrypt_stream(src: IO[bytes], dst: IO[bytes], passphrase: str, *,
                   max_log_n: int = MAX_LOG_N) -> None:
    """Decrypt the age passphrase file ``src`` to ``dst``.

    Plaintext is written 64 KiB at a time, each chunk only once it is authenticated, but a
    file damaged or cut short further on is found only when reached: on any :class:`AgeError`
    the caller must discard what ``dst`` received. Files whose scrypt work factor is above
    ``2**max_log_n`` are refused before any work is done.
    """
    header, salt, log_n, wrapped, mac = _read_header(src)
    if log_n > max_log_n:
        raise AgeError(f"the passphrase work factor 2^{log_n} is above the limit "
                       f"2^{max_log_n}")
    try:
        file_key = ChaCha20Poly1305(_scrypt_key(passphrase, salt, log_n)).decrypt(
            bytes(12), wrapped, None)
    except InvalidTag:
        raise AgeError(WRONG_PASSPHRASE) from None
    if not hmac.compare_digest(_header_mac(file_key, header), mac):
        raise AgeError(CHANGED)

    nonce = _read_exact(src, _NONCE_SIZE)
    if len(nonce) != _NONCE_SIZE:
        raise AgeError(TRUNCATED)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))

    def open_chunk(chunk: bytes, counter: int, last: bool) -> bytes | None:
        try:
            return aead.decrypt(_nonce(counter, last), chunk, None)
        except InvalidTag:
            return None

    counter = 0
    chunk = _read_exact(src, _ENC_CHUNK)
    while True:
        # Only a full-size chunk can have one after it: look one chunk ahead.
        following = _read_exact(src, _ENC_CHUNK) if len(chunk) == _ENC_CHUNK else b""
        if not following:  # the final chunk of what is there
            if len(chunk) < _TAG_SIZE:
                raise AgeError(TRUNCATED)
            plain = open_chunk(chunk, counter, True)
            if plain is None:
                if len(chunk) == _ENC_CHUNK and open_chunk(chunk, counter, False) is not None:
                    raise AgeError(TRUNCATED)  # cut at a chunk boundary
                # A short chunk that fails: cut mid-chunk, or changed; nothing tells which.
                raise AgeError(CHANGED if len(chunk) == _ENC_CHUNK else TRUNCATED_OR_CHANGED)
            if not plain and counter:
                raise AgeError("the file is invalid: its last chunk is empty")
            _write_all(dst, plain)
            return
        plain = open_chunk(chunk, counter, False)
        if plain is None:
            if open_chunk(chunk, counter, True) is not None:
                raise AgeError(TRAILING_DATA)  # a full last chunk, then more
            raise AgeError(CHANGED)
        _write_all(dst, plain)
        counter += 1
        chunk = following


def is_passphrase_file(head: bytes) -> bool:
    """Whether ``head``, the first bytes of a file, is an age header with a scrypt stanza.

    A passphrase file's scrypt stanza is its first (and only) one, so the first 50 bytes
    are enough.
    """
    if not head.startswith(_INTRO):
        return False
    *lines, cut_short = head[len(_INTRO):].split(b"\n")
    for line in lines:
        if line.startswith(b"---"):
            return False
        if line.startswith(b"-> scrypt ") or line == b"-> scrypt":
            return True
    return cut_short.startswith(b"-> scrypt ")
