"""A parser worker's limits on Windows: a Job object it puts itself into before it reads
anything (Windows has no ``setrlimit``, no-new-privileges or Landlock).

The job (``JOBOBJECT_EXTENDED_LIMIT_INFORMATION``, Windows 8 and later, where jobs nest)
limits the worker's committed memory to :data:`vault.parsers.worker.MEMORY_LIMIT`, lets it
start no other process, ends it on an unhandled exception instead of showing a dialog, and
ends it when its last handle closes (the worker's own, when it exits). Its UI restrictions
keep it from the clipboard, the desktop, other processes' windows, global atoms and the
system's settings. A request running too long is ended by the parent's watchdog
(:mod:`vault.parsers.pool`): a job's processor-time limit cannot be moved on per request as
``RLIMIT_CPU`` is.

The structures are those of the Windows x64 ABI (their sizes and offsets are checked by
tests/test_windows_job.py); the calls go to ``kernel32``, given as a parameter so that the
sequence can be checked where there is no Windows.
"""

from __future__ import annotations

import ctypes
from typing import Any

JOB_OBJECT_BASIC_UI_RESTRICTIONS = 4
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9

LIMIT_ACTIVE_PROCESS = 0x0008
LIMIT_PROCESS_MEMORY = 0x0100
LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x0400
LIMIT_KILL_ON_JOB_CLOSE = 0x2000
LIMITS = (LIMIT_ACTIVE_PROCESS | LIMIT_PROCESS_MEMORY | LIMIT_DIE_ON_UNHANDLED_EXCEPTION
          | LIMIT_KILL_ON_JOB_CLOSE)

# JOB_OBJECT_UILIMIT_: HANDLES, READCLIPBOARD, WRITECLIPBOARD, SYSTEMPARAMETERS,
# DISPLAYSETTINGS, GLOBALATOMS, DESKTOP, EXITWINDOWS: every one there is.
UI_LIMITS = 0x00FF


class BasicLimits(ctypes.Structure):
    """``JOBOBJECT_BASIC_LIMIT_INFORMATION`` (64 bytes on x64)."""

    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", ctypes.c_uint32),
                ("MinimumWorkingSetSize", ctypes.c_uint64),  # SIZE_T
                ("MaximumWorkingSetSize", ctypes.c_uint64),
                ("ActiveProcessLimit", ctypes.c_uint32),
                ("Affinity", ctypes.c_uint64),  # ULONG_PTR
                ("PriorityClass", ctypes.c_uint32),
                ("SchedulingClass", ctypes.c_uint32)]


class IoCounters(ctypes.Structure):
    """``IO_COUNTERS`` (48 bytes)."""

    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class ExtendedLimits(ctypes.Structure):
    """``JOBOBJECT_EXTENDED_LIMIT_INFORMATION`` (144 bytes on x64)."""

    _fields_ = [("BasicLimitInformation", BasicLimits),
                ("IoInfo", IoCounters),
                ("ProcessMemoryLimit", ctypes.c_uint64),
                ("JobMemoryLimit", ctypes.c_uint64),
                ("PeakProcessMemoryUsed", ctypes.c_uint64),
                ("PeakJobMemoryUsed", ctypes.c_uint64)]


class UiRestrictions(ctypes.Structure):
    """``JOBOBJECT_BASIC_UI_RESTRICTIONS`` (4 bytes)."""

    _fields_ = [("UIRestrictionsClass", ctypes.c_uint32)]


def limits(memory: int) -> ExtendedLimits:
    """The job's limits: ``memory`` bytes committed at most, one process (this one)."""
    info = ExtendedLimits()
    info.BasicLimitInformation.LimitFlags = LIMITS
    info.BasicLimitInformation.ActiveProcessLimit = 1
    info.ProcessMemoryLimit = memory
    return info


_job: Any = None  # the job's handle: kept open for the worker's life (closing it ends it)


def _kernel32() -> Any:
    k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k.CreateJobObjectW.restype = ctypes.c_void_p
    k.CreateJobObjectW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p]
    k.SetInformationJobObject.restype = ctypes.c_int
    k.SetInformationJobObject.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                          ctypes.c_uint32]
    k.GetCurrentProcess.restype = ctypes.c_void_p
    k.AssignProcessToJobObject.restype = ctypes.c_int
    k.AssignProcessToJobObject.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    return k


def _refused(what: str) -> OSError:
    code = getattr(ctypes, "get_last_error", lambda: 0)()
    return OSError(code, f"{what} refused (Windows error {code})")


def confine(memory: int, kernel32: Any = None) -> Any:
    """Put this process into a new job with the limits above; returns the job's handle.
    Raises :class:`OSError` if Windows refuses any step: a worker that cannot confine
    itself reads nothing."""
    global _job
    k = kernel32 if kernel32 is not None else _kernel32()
    job = k.CreateJobObjectW(None, None)
    if not job:
        raise _refused("CreateJobObjectW")
    info = limits(memory)
    if not k.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                                     ctypes.byref(info), ctypes.sizeof(info)):
        raise _refused("the job's limits")
    ui = UiRestrictions(UI_LIMITS)
    if not k.SetInformationJobObject(job, JOB_OBJECT_BASIC_UI_RESTRICTIONS,
                                     ctypes.byref(ui), ctypes.sizeof(ui)):
        raise _refused("the job's UI restrictions")
    if not k.AssignProcessToJobObject(job, k.GetCurrentProcess()):
        raise _refused("AssignProcessToJobObject")
    _job = job
    return job
