"""A worker process that parses evidence away from the keys.

PyMuPDF, Pillow (libjpeg-turbo, libpng, libtiff, libwebp), the HEIC decoder and the e-mail
and office readers decode files that an adversary may have made. One memory-corruption bug in
any of them, run in the process that holds the vault's master key and signing keys, would
give both away. So the app and the command line hand each file's plaintext to a worker
process (:mod:`vault.parsers.pool`) that holds no key and no secret: it reads one request at a
time from its standard input and answers on its standard output.

Before it reads anything, the worker limits itself: no core file, not dumpable (Linux), no
new privileges (Linux: it can never gain any through an executable it runs), Landlock where
the kernel has it (no file written, created or run, no TCP: :func:`landlock`), an address
space of :data:`MEMORY_LIMIT`, and, for each request, :data:`CPU_SECONDS` of processor time
(``RLIMIT_CPU``: the kernel ends it past that). On Windows, a Job object instead
(:mod:`vault.parsers.windows_job`: the same memory limit, no other process, no clipboard or
desktop). Its environment is the minimal one of
:func:`vault.process_safety.child_env`. Anything the libraries print goes to its standard
error, never into the answers.

A message, each way, is a JSON header and a binary part::

    uint32 big-endian  length of the header, then the header (UTF-8 JSON)
    uint64 big-endian  length of the binary part, then the part
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import IO, Any

MEMORY_LIMIT = 4 << 30  # address space: decoding a 50-megapixel photo needs ~1 GB of it
CPU_SECONDS = 120  # per request
MAX_HEADER = 1 << 20
MAX_PART = 1 << 31
# Tests make a worker abort mid-file: set in the parent's environment, passed to workers,
# and then a payload holding ABORT_MARKER ends the worker with SIGABRT.
TEST_ABORT = "EVIDENCE_VAULT_TEST_WORKER_ABORT"
ABORT_MARKER = b"EVIDENCE-VAULT-TEST: ABORT THE PARSER HERE"


class ProtocolError(Exception):
    """The other side sent something that is not a message (or went away mid-message)."""


def send(stream: IO[bytes], header: dict[str, Any], part: bytes = b"") -> None:
    head = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode()
    stream.write(struct.pack(">I", len(head)) + head + struct.pack(">Q", len(part)))
    if part:
        stream.write(part)
    stream.flush()


def _exactly(stream: IO[bytes], n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(min(left, 1 << 24))
        if not chunk:
            raise ProtocolError("the other side went away mid-message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(stream: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """The next message; None at a clean end of input."""
    first = stream.read(4)
    if not first:
        return None
    if len(first) < 4:
        first += _exactly(stream, 4 - len(first))
    (n,) = struct.unpack(">I", first)
    if n > MAX_HEADER:
        raise ProtocolError(f"a header of {n} bytes")
    header = json.loads(_exactly(stream, n))
    (m,) = struct.unpack(">Q", _exactly(stream, 8))
    if m > MAX_PART:
        raise ProtocolError(f"a part of {m} bytes")
    if not isinstance(header, dict):
        raise ProtocolError("a header that is not an object")
    return header, _exactly(stream, m)


def confine() -> None:
    """The limits a worker puts on itself before it reads anything."""
    from vault.process_safety import harden

    harden()  # no core, not dumpable
    if sys.platform == "win32":  # no setrlimit there: a Job object
        from vault.parsers import windows_job

        windows_job.confine(MEMORY_LIMIT)
        return
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        pr_set_no_new_privs = 38
        if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS refused")
        landlock(libc)


# Landlock (Linux 5.13 and later): rights a worker gives up for good. Reading files stays
# allowed (Python imports the parsers' modules lazily); writing, creating, removing,
# truncating or executing any file, TCP, and signalling or reaching abstract sockets outside
# the worker are refused, whatever the user's own rights.
_FS_EXECUTE, _FS_WRITE_FILE = 1 << 0, 1 << 1
_FS_WRITE_RIGHTS_V1 = _FS_EXECUTE | _FS_WRITE_FILE | sum(1 << b for b in range(4, 13))
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
_SYS_CREATE_RULESET, _SYS_RESTRICT_SELF = 444, 446  # the same on every architecture


def landlock_abi(libc: Any) -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or it is turned off)."""
    if not sys.platform.startswith("linux"):
        return 0
    version = int(libc.syscall(_SYS_CREATE_RULESET, None, 0, 1))  # ..._VERSION flag
    return max(version, 0)


def landlock(libc: Any) -> int:
    """Give up, for this process and its children, every right Landlock can take that a
    parser does not need (see above); the ABI version used, 0 where the kernel has none."""
    import ctypes

    abi = landlock_abi(libc)
    if abi < 1:
        return 0
    fs = _FS_WRITE_RIGHTS_V1 | (_FS_REFER if abi >= 2 else 0) | \
        (_FS_TRUNCATE if abi >= 3 else 0) | (_FS_IOCTL_DEV if abi >= 5 else 0)
    net = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    fields = [fs] + ([net] if abi >= 4 else []) + ([scoped] if abi >= 6 else [])
    attr = (ctypes.c_uint64 * len(fields))(*fields)
    fd = int(libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset refused")
    try:  # no rule is added: every right the ruleset handles is refused everywhere
        if libc.syscall(_SYS_RESTRICT_SELF, fd, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self refused")
    finally:
        os.close(fd)
    return abi


def _cpu_budget() -> None:
    """Processor time for one more request: the soft limit moved on from what was used.
    (On Windows the parent's watchdog alone ends a request that runs too long.)"""
    if sys.platform == "win32":
        return
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (spent + CPU_SECONDS, resource.RLIM_INFINITY))


WORKER_FLAG = "--parser-worker"
"""In an installed (frozen) program there is no interpreter to give ``-c``: the parent runs
the program's own command-line executable with this one argument, and its entry point calls
:func:`main` before anything else (packaging/pyinstaller/entry_cli.py)."""


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")  # the protocol's channel...
    os.dup2(2, 1)  # ...and whatever a library prints goes to standard error instead
    requests = sys.stdin.buffer
    from vault.memory import keep_freed_memory

    keep_freed_memory()  # whole files in memory, one after another
    if sys.platform == "win32":  # bytes as they are: no newline translation on the pipes
        import msvcrt

        for fd in (requests.fileno(), answers.fileno()):
            msvcrt.setmode(fd, os.O_BINARY)
    confine()
    from vault.parsers.jobs import JOBS  # the parsers, loaded once the limits are in place

    aborting = os.environ.get(TEST_ABORT) == "1"
    while True:
        message = receive(requests)
        if message is None:
            return
        header, part = message
        if aborting and ABORT_MARKER in part:
            os.abort()
        _cpu_budget()
        job = JOBS.get(str(header.get("job")))
        try:
            if job is None:
                raise ValueError(f"no job {header.get('job')!r}")
            result, blob = job(part, header)
            send(answers, {"ok": True, "result": result}, blob)
        except MemoryError:
            send(answers, {"ok": False, "error": "it needs more memory than a reader may use"})
        except Exception as e:  # a hostile file: what it made the parser raise
            send(answers, {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]})


if __name__ == "__main__":
    main()
