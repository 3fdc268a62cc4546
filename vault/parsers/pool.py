"""The vault process's side of the parser workers (vault/parsers/worker.py).

A :class:`ParserPool` keeps a few long-lived worker processes (one per core, up to
:data:`MAX_WORKERS`), started on first use with a minimal environment. :meth:`ParserPool.run`
may be called from any thread: it takes an idle worker, sends it one file's plaintext over a
pipe (never a file), and waits for the answer. A worker that dies (a crash in a C library, the
kernel's memory or processor limit) or takes longer than :data:`TIMEOUT` is killed and
replaced; the call raises :class:`ParseFailed` with a plain reason, and the caller records a
warning on the item. The evidence is already stored by then: nothing is lost."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from vault.errors import VaultError
from vault.parsers.worker import TEST_ABORT, WORKER_FLAG, ProtocolError, receive, send

MAX_WORKERS = 4
TIMEOUT = 300.0  # seconds of waiting for one answer
ROOT = Path(__file__).resolve().parents[2]  # where the ``vault`` package is found


class ParseFailed(VaultError):
    """A worker could not parse the file: ``str(e)`` says why, for the item's warnings."""


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def worker_command() -> list[str]:
    """How to start a worker: this interpreter, isolated; in an installed (frozen) program,
    its command-line executable, which sits beside whichever one is running."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable).with_name("evidence-vault" + (".exe" if os.name == "nt"
                                                                  else ""))
        return [str(exe), WORKER_FLAG]
    return [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            "from vault.parsers.worker import main; main()"]


class _Worker:
    def __init__(self) -> None:
        from vault.process_safety import child_env, child_flags

        env = child_env()
        if os.environ.get(TEST_ABORT) == "1":  # tests only: see parse_worker.TEST_ABORT
            env[TEST_ABORT] = "1"
        self.process = subprocess.Popen(
            worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, close_fds=True,
            cwd="/" if os.name == "posix" else None,
            creationflags=child_flags())
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: IO[bytes] = self.process.stdin
        self.answers: IO[bytes] = self.process.stdout
        self.overran = False  # the last request ran past its time and was ended

    def ask(self, header: dict[str, Any], part: bytes, timeout: float) -> tuple[Any, bytes]:
        self.overran = False
        watchdog = threading.Timer(timeout, self._overrun)
        watchdog.start()
        try:
            send(self.requests, header, part)
            answer = receive(self.answers)
        except (OSError, ValueError, ProtocolError):
            answer = None
        finally:
            watchdog.cancel()
        if answer is None:
            self.kill()
            code = self.process.wait()
            why = (f"it stopped ({_signal_name(code)})" if code < 0 else
                   f"it ended (exit status {code})")
            if self.overran or code == -getattr(signal, "SIGKILL", 9):  # (Windows: no signals)
                why = f"it took longer than {timeout:.0f} s, or more memory than allowed"
            raise ParseFailed(f"the reader stopped on this file: {why}")
        reply, blob = answer
        if not reply.get("ok"):
            raise ParseFailed(str(reply.get("error", "the reader failed")))
        return reply.get("result"), blob

    def alive(self) -> bool:
        return self.process.poll() is None

    def _overrun(self) -> None:
        self.overran = True
        self.kill()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()

    def close(self) -> None:
        """End the worker at once: it holds nothing to save, and a clean exit of an
        interpreter with PyMuPDF loaded takes a tenth of a second per worker."""
        self.kill()
        for stream in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                stream.close()
        self.process.wait()


class ParserPool:
    """Long-lived parser workers for one open vault; :meth:`close` ends them."""

    def __init__(self, size: int | None = None, timeout: float = TIMEOUT) -> None:
        self.size = size or max(1, min(MAX_WORKERS, os.cpu_count() or 1))
        self.timeout = timeout
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(self.size):
            self._idle.put(None)  # a place for a worker, started when first needed
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, job: str, part: bytes, **args: Any) -> tuple[Any, bytes]:
        """Have a worker do ``job`` on ``part``; its result and binary answer. Raises
        :class:`ParseFailed` when the worker fails or dies on it."""
        if self._closed:
            raise ParseFailed("the vault was closed")
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive():
                worker = self._start()
            return worker.ask({"job": job, **args}, part, self.timeout)
        finally:
            self._idle.put(worker if worker is not None and worker.alive() else None)

    def _start(self) -> _Worker:
        try:
            worker = _Worker()
        except OSError as e:
            raise ParseFailed(f"no reader could be started: {e.strerror or e}") from e
        with self._lock:
            self._all.append(worker)
        return worker

    def pids(self) -> list[int]:
        """The running workers' process ids (tests look at their environment and limits)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.alive()]

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.close()
