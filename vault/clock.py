"""An injectable clock: the core never reads the time any other way."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock for tests: starts at ``start`` and advances ``step`` at every reading."""

    def __init__(self, start: dt.datetime, step: dt.timedelta = dt.timedelta(seconds=1)) -> None:
        self._t = start.astimezone(dt.UTC)
        self._step = step

    def now(self) -> dt.datetime:
        t = self._t
        self._t += self._step
        return t


def iso_utc(t: dt.datetime) -> str:
    """RFC 3339 UTC with microseconds and a ``Z``: the one time format in every record."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration(seconds: float) -> str:
    """A length of time in words, rounded to the largest unit that fits twice: ``730 days``."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} seconds"
