"""Keeping secrets out of crash dumps and child processes.

A crash dump of a running session holds the passphrase, the master key and evidence text, and
desktop crash reporters (systemd-coredump, apport, ABRT) keep such dumps outside the vault.
At start the app and the command line call :func:`harden`: no core file (RLIMIT_CORE 0) and,
on Linux, the process is made non-dumpable (PR_SET_DUMPABLE 0), which also stops another
process of the same user attaching to it with ptrace. Secret variables are taken out of the
environment as soon as they are read (:func:`take_secrets`), and every child process gets
:func:`child_env`, a minimal environment with no secret in it."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import subprocess
import sys

# The variables that may carry a secret to the command line (never to a child).
SECRET_VARIABLES = ("EVIDENCE_VAULT_PASSPHRASE", "EVIDENCE_VAULT_NEW_PASSPHRASE",
                    "EVIDENCE_VAULT_RECOVERY_KEY", "EVIDENCE_VAULT_PACKAGE_PASSPHRASE",
                    "EVIDENCE_VAULT_ROOT_PASSPHRASE")
# What a child (Tesseract) may see of the environment: enough to run, nothing more.
CHILD_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TESSDATA_PREFIX", "TMPDIR",
                   "SYSTEMROOT", "HOME")
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3

_secrets: dict[str, str] = {}


def harden() -> list[str]:
    """No core dumps, not dumpable, not attachable; what could not be done, in words."""
    missed: list[str] = []
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        missed.append("core dumps could not be turned off")
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
                missed.append("the process could not be made non-dumpable")
        except OSError:
            missed.append("the process could not be made non-dumpable")
    take_secrets()
    return missed


def dumpable() -> bool | None:
    """Whether the kernel would write a core of this process (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


def take_secrets() -> None:
    """Move the secret variables out of the environment (kept here, for :func:`secret`)."""
    for name in SECRET_VARIABLES:
        value = os.environ.pop(name, None)
        if value is not None:
            _secrets[name] = value


def secret(name: str) -> str | None:
    """A secret variable's value: taken out of the environment at start, or still there."""
    take_secrets()
    return _secrets.get(name)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: the few variables it needs, no secret."""
    env = {k: v for k in CHILD_VARIABLES if (v := os.environ.get(k)) is not None}
    env.update(extra)
    return env


def forget_secrets() -> None:
    with contextlib.suppress(Exception):
        _secrets.clear()


def child_flags(lower_priority: bool = False) -> int:
    """``creationflags`` for a child process: on Windows no console window of its own (the
    children are console programs, the desktop app is not) and, if asked, a lower priority;
    0 elsewhere."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    if lower_priority:
        flags |= getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
    return flags
