"""The real ``age`` tool, driven on a pty: it reads a passphrase only from a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

PW = "tidal lantern ochre fifteen"


def age_binary() -> str:
    found = shutil.which("age")
    if found is None:
        pytest.fail("the age binary is missing (scripts/setup.sh installs it)")
    return found


def run_age(*args: str | Path, passphrase: str = PW, prompts: int = 1,
            timeout: float = 60) -> tuple[int, str]:
    """Run ``age`` with a pty as its terminal, answering ``prompts`` passphrase prompts.

    In a new session the child has no controlling terminal, so age's open of /dev/tty fails
    and it falls back to its standard input, which is the pty: it never touches ours.
    """
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([age_binary(), *map(str, args)], stdin=slave, stdout=slave,
                                stderr=slave, start_new_session=True)
    finally:
        os.close(slave)
    out = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every copy of the slave is closed, age has exited
                break
            if not data:
                break
            out += data
            if answered < prompts and out.lower().count(b"passphrase") > answered:
                os.write(master, passphrase.encode() + b"\n")
                answered += 1
        else:
            proc.kill()
            pytest.fail(f"age {args} did not finish in {timeout} s: {out!r}")
        return proc.wait(timeout=timeout), out.decode(errors="replace")
    finally:
        os.close(master)


def age_decrypt(path: Path, out: Path, passphrase: str = PW) -> tuple[int, str]:
    return run_age("-d", "-o", out, path, passphrase=passphrase)
