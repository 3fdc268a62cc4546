"""The parser worker's Job object on Windows (vault/parsers/windows_job.py), checked where
there is no Windows: the structures against the Windows x64 ABI (sizes and offsets from the
Windows SDK's winnt.h), and the calls made, in order, on a stand-in for kernel32 that records
them (the one thing here that is not the real part: this machine has no kernel32). The
installers' workflow runs the real thing: ``evidence-vault self-test`` on Windows reads a
photo's details in a worker."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest

from vault.parsers import windows_job
from vault.parsers.worker import MEMORY_LIMIT


def test_the_structures_have_the_windows_x64_layout() -> None:
    basic, extended = windows_job.BasicLimits, windows_job.ExtendedLimits
    assert ctypes.sizeof(basic) == 64
    assert ctypes.sizeof(windows_job.IoCounters) == 48
    assert ctypes.sizeof(extended) == 144
    assert ctypes.sizeof(windows_job.UiRestrictions) == 4
    offsets = {name: getattr(basic, name).offset for name, _t in basic._fields_}
    assert offsets == {"PerProcessUserTimeLimit": 0, "PerJobUserTimeLimit": 8,
                       "LimitFlags": 16, "MinimumWorkingSetSize": 24,
                       "MaximumWorkingSetSize": 32, "ActiveProcessLimit": 40, "Affinity": 48,
                       "PriorityClass": 56, "SchedulingClass": 60}
    assert extended.IoInfo.offset == 64
    assert extended.ProcessMemoryLimit.offset == 112
    assert extended.PeakJobMemoryUsed.offset == 136
    # the flags as winnt.h defines them
    assert windows_job.LIMITS == 0x0008 | 0x0100 | 0x0400 | 0x2000
    assert windows_job.JOB_OBJECT_EXTENDED_LIMIT_INFORMATION == 9
    assert windows_job.JOB_OBJECT_BASIC_UI_RESTRICTIONS == 4


class Kernel32:
    """Records each call; ``refuse`` names the call that fails (returns 0)."""

    CURRENT_PROCESS = -1  # the pseudo-handle GetCurrentProcess returns

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse
        self.calls: list[tuple[str, Any]] = []

    def _answer(self, name: str, value: Any) -> Any:
        return 0 if name == self.refuse else value

    def CreateJobObjectW(self, attributes: Any, name: Any) -> Any:
        self.calls.append(("CreateJobObjectW", (attributes, name)))
        return self._answer("CreateJobObjectW", 0x1234)

    def SetInformationJobObject(self, job: Any, kind: int, info: Any, size: int) -> int:
        copied = type(info._obj).from_buffer_copy(info._obj)  # what was given, as it was
        self.calls.append(("SetInformationJobObject", (job, kind, copied, size)))
        return int(self._answer(f"SetInformationJobObject {kind}", 1))

    def GetCurrentProcess(self) -> int:
        return self.CURRENT_PROCESS

    def AssignProcessToJobObject(self, job: Any, process: Any) -> int:
        self.calls.append(("AssignProcessToJobObject", (job, process)))
        return int(self._answer("AssignProcessToJobObject", 1))


def test_the_worker_puts_itself_in_a_job_with_its_limits() -> None:
    k = Kernel32()
    assert windows_job.confine(MEMORY_LIMIT, k) == 0x1234
    names = [c[0] for c in k.calls]
    assert names == ["CreateJobObjectW", "SetInformationJobObject", "SetInformationJobObject",
                     "AssignProcessToJobObject"]
    job, kind, limits, size = k.calls[1][1]
    assert (job, kind, size) == (0x1234, 9, 144)
    assert limits.BasicLimitInformation.LimitFlags == windows_job.LIMITS
    assert limits.BasicLimitInformation.ActiveProcessLimit == 1  # it starts no process
    assert limits.ProcessMemoryLimit == MEMORY_LIMIT
    job, kind, ui, size = k.calls[2][1]
    assert (job, kind, size, ui.UIRestrictionsClass) == (0x1234, 4, 4, 0xFF)
    assert k.calls[3][1] == (0x1234, Kernel32.CURRENT_PROCESS)


@pytest.mark.parametrize("refused", ["CreateJobObjectW", "SetInformationJobObject 9",
                                     "SetInformationJobObject 4", "AssignProcessToJobObject"])
def test_a_worker_that_cannot_confine_itself_stops(refused: str) -> None:
    k = Kernel32(refuse=refused)
    with pytest.raises(OSError, match="refused"):
        windows_job.confine(MEMORY_LIMIT, k)
    if refused != "AssignProcessToJobObject":  # it never runs unconfined past a refusal
        assert "AssignProcessToJobObject" not in [c[0] for c in k.calls]
