"""Overwriting secrets in memory once they have been used.

Python's ``bytes`` and ``str`` are immutable, and memory they free is not cleared: a master key
unwrapped into ``bytes`` or put into a ``PRAGMA key`` statement would stay readable in the
process (and in any dump of it) long after it was used. :func:`wipe` overwrites the buffer of
a ``bytearray``, ``bytes`` or compact ASCII ``str`` in place with zeros (CPython's layouts:
the data follows the object header, ``sys.getsizeof`` gives where it ends). Only objects this
program made itself and holds the sole use of may be wiped: an interned or shared one would
change under other code.
"""

from __future__ import annotations

import binascii
import ctypes
import sys


def wipe(secret: bytearray | bytes | str) -> None:
    """Overwrite ``secret``'s contents with zeros, in place."""
    if isinstance(secret, bytearray):
        secret[:] = bytes(len(secret))
        return
    if isinstance(secret, bytes):
        n = len(secret)
        if n == 0:
            return
        offset = sys.getsizeof(secret) - n - 1  # the data, then a terminating NUL
    elif isinstance(secret, str):
        if not secret or not secret.isascii():
            raise ValueError("only a non-empty ASCII string can be wiped in place")
        n = len(secret)
        offset = sys.getsizeof(secret) - n - 1
    else:
        raise TypeError(f"cannot wipe a {type(secret).__name__}")
    ctypes.memset(id(secret) + offset, 0, n)


def key_statement(pragma: str, key: bytes | bytearray) -> str:
    """``PRAGMA <pragma> = "x'<hex>'";`` with no copy of the key's hex text left behind but
    the returned string, which the caller wipes once SQLCipher has it."""
    head, tail = f'PRAGMA {pragma} = "x\''.encode(), b"'\";"
    hexed = binascii.hexlify(key)
    text = bytearray(len(head) + len(hexed) + len(tail))  # sized once: no reallocation
    text[:len(head)] = head
    text[len(head):len(head) + len(hexed)] = hexed
    text[len(head) + len(hexed):] = tail
    wipe(hexed)
    statement = text.decode("ascii")
    wipe(text)
    return statement
