"""Uncertain dates as real intervals (docs/chronology.md, "Dates").

A date in a chronology is rarely a day: "about March 2009", "before the meeting of 3 March
2010", "between June and September 2011", "undated". Each is held as what was said (a
qualifier and one or two partial dates) and worked with as the interval of days it allows,
both ends included, either end open. Entries sort by that interval and are shown as what was
said, in UK day-month-year order, never as a false day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from vault.errors import VaultError

ON, ABOUT, BEFORE, ON_OR_BEFORE, AFTER, ON_OR_AFTER, BETWEEN, UNDATED = (
    "on", "about", "before", "on or before", "after", "on or after", "between", "undated")
KINDS = (ON, ABOUT, BEFORE, ON_OR_BEFORE, AFTER, ON_OR_AFTER, BETWEEN, UNDATED)
BASES = ("", "document text", "metadata", "recollection", "inferred")
LONDON = "Europe/London"
ABOUT_DAYS = 7  # "about" a day: a week either side; a month or a year: one either side

MONTHS = {name.lower(): n for n in range(1, 13)
          for name in (calendar.month_name[n], calendar.month_abbr[n])}
MONTHS["sept"] = 9


class BadDate(VaultError):
    """A date that cannot be read, or does not exist (31/02/2010)."""


@dataclass(frozen=True, order=True)
class Partial:
    """A day, a month or a year."""
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999:
            raise BadDate(f"{self.year}: give the year in four digits")
        if self.month is None and self.day is not None:
            raise BadDate("a day needs its month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise BadDate(f"there is no month {self.month}")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise BadDate(f"{self.day:02d}/{self.month:02d}/{self.year} does not exist "
                              f"(that month has {last} days)")

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def first(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last(self) -> dt.date:
        if self.day is not None:
            return self.first()
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def show(self) -> str:
        if self.day is not None:
            return f"{self.day:02d}/{self.month:02d}/{self.year}"
        if self.month is not None:
            return f"{self.month:02d}/{self.year}"
        return str(self.year)

    def iso(self) -> str:
        return "-".join([f"{self.year:04d}", *(f"{n:02d}" for n in (self.month, self.day)
                                                if n is not None)])

    @classmethod
    def from_iso(cls, text: str) -> Partial:
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)


def _shift_months(d: Partial, months: int) -> Partial:
    assert d.month is not None
    n = d.year * 12 + d.month - 1 + months
    return Partial(n // 12, n % 12 + 1)


@dataclass(frozen=True)
class UncertainDate:
    kind: str = UNDATED
    first: Partial | None = None
    second: Partial | None = None  # the end of "between"
    time: str = ""  # "HH:MM", local time in ``zone``; only for "on" a day
    order: int = 0  # within a day, after the time
    zone: str = LONDON
    basis: str = ""  # why this date: see BASES

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BadDate(f"{self.kind!r} is not a kind of date ({', '.join(KINDS)})")
        if self.basis not in BASES:
            raise BadDate(f"{self.basis!r} is not a basis of a date "
                          f"({', '.join(b for b in BASES if b)})")
        if (self.kind == UNDATED) != (self.first is None):
            raise BadDate("an undated entry has no date; any other needs one")
        if (self.kind == BETWEEN) != (self.second is not None):
            raise BadDate("'between' needs two dates, and only 'between' takes a second")
        if self.kind == BETWEEN:
            assert self.first is not None and self.second is not None
            if self.second.last() < self.first.first():
                raise BadDate(f"between {self.first.show()} and {self.second.show()}: the "
                              "second date is before the first")
        if self.time:
            if self.kind != ON or self.first is None or self.first.precision != "day":
                raise BadDate("a time of day goes only with a day ('on')")
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", self.time):
                raise BadDate(f"{self.time}: give the time as HH:MM, 24-hour")

    # ------------------------------------------------------------------ the interval
    def interval(self) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and the latest day it allows, both included; None where open."""
        f = self.first
        if f is None:
            return None, None
        if self.kind == ON:
            return f.first(), f.last()
        if self.kind == ABOUT:
            if f.precision == "day":
                slack = dt.timedelta(days=ABOUT_DAYS)
                return f.first() - slack, f.first() + slack
            if f.precision == "month":
                return _shift_months(f, -1).first(), _shift_months(f, 1).last()
            return Partial(f.year - 1).first(), Partial(f.year + 1).last()
        if self.kind == BEFORE:
            return None, f.first() - dt.timedelta(days=1)
        if self.kind == ON_OR_BEFORE:
            return None, f.last()
        if self.kind == AFTER:
            return f.last() + dt.timedelta(days=1), None
        if self.kind == ON_OR_AFTER:
            return f.first(), None
        assert self.second is not None
        return f.first(), self.second.last()

    def certain_by(self) -> dt.date | None:
        """The day by which it had certainly happened (the interval's end), if any."""
        return self.interval()[1]

    def possible_from(self) -> dt.date | None:
        """The first day it may have happened, if any."""
        return self.interval()[0]

    @functools.cached_property
    def _key(self) -> tuple[int, dt.date, dt.date, int, str]:
        lo, hi = self.interval()
        if lo is None and hi is None:
            return (1, dt.date.max, dt.date.max, self.order, "")
        return (0, lo or hi or dt.date.max, hi or dt.date.max, self.order, self.time)

    def sort_key(self) -> tuple[int, dt.date, dt.date, int, str]:
        """Undated last; else by the earliest day (the latest where the start is open), then
        the latest day (open ends last), the order given within the day, then the time."""
        return self._key

    # ------------------------------------------------------------------ words
    def show(self) -> str:
        """As said, UK order: "c. 03/2009", "between 01/06/2011 and 30/09/2011"."""
        if self.first is None:
            return "undated"
        d = self.first.show()
        if self.kind == ON:
            text = d + (f" {self.time}" if self.time else "")
            if self.time and self.zone != LONDON:
                text += f" ({self.zone})"
            return text
        if self.kind == ABOUT:
            return f"c. {d}"
        if self.kind == BETWEEN:
            assert self.second is not None
            return f"between {d} and {self.second.show()}"
        return f"{self.kind} {d}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.first is not None:
            out["date"] = self.first.iso()
        if self.second is not None:
            out["to"] = self.second.iso()
        for name in ("time", "basis"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.order:
            out["order"] = self.order
        if self.zone != LONDON:
            out["zone"] = self.zone
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UncertainDate:
        return cls(kind=str(data.get("kind", UNDATED)),
                   first=Partial.from_iso(data["date"]) if data.get("date") else None,
                   second=Partial.from_iso(data["to"]) if data.get("to") else None,
                   time=str(data.get("time", "")), order=int(data.get("order", 0)),
                   zone=str(data.get("zone", LONDON)), basis=str(data.get("basis", "")))


# ---------------------------------------------------------------------- reading what is typed
_PREFIXES = ((ON_OR_BEFORE, ("on or before",)), (ON_OR_AFTER, ("on or after",)),
             (ABOUT, ("circa", "about", "around", "approx.", "approx", "c.", "ca.", "c")),
             (BEFORE, ("before",)), (AFTER, ("after",)), (ON, ("on",)))
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")


def parse_partial(text: str) -> Partial:
    """A day, month or year as typed, day first: 3/3/2010, 03-03-2010, 2010-03-03, 3 March
    2010, March 3 2010, 03/2010, March 2010, 2010. Never a two-digit year."""
    t = _ORDINAL.sub(r"\1", text.strip().lower().replace(",", " "))
    t = re.sub(r"\s+", " ", t)
    if m := re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", t):
        y, mo, d = m.groups()
        return Partial(int(y), int(mo) if mo else None, int(d) if d else None)
    if m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)", t):
        d, mo, y = m.groups()
        return Partial(_year(y), int(mo), int(d))
    if m := re.fullmatch(r"(\d{1,2})[/.\-](\d+)", t):
        mo, y = m.groups()
        return Partial(_year(y), int(mo))
    words = t.split(" ")
    if len(words) == 3 and words[0].isdigit() and words[1] in MONTHS:
        return Partial(_year(words[2]), MONTHS[words[1]], int(words[0]))
    if len(words) == 3 and words[0] in MONTHS and words[1].isdigit():
        return Partial(_year(words[2]), MONTHS[words[0]], int(words[1]))
    if len(words) == 2 and words[0] in MONTHS:
        return Partial(_year(words[1]), MONTHS[words[0]])
    if len(words) == 1 and t.isdigit():
        return Partial(_year(t))
    raise BadDate(f"cannot read {text.strip()!r} as a date: write it day first (03/03/2010, "
                  "3 March 2010), a month (03/2010, March 2010) or a year (2010)")


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise BadDate(f"{text}: give the year in four digits (a two-digit year is ambiguous)")
    return int(text)


def parse_date(text: str, *, basis: str = "", zone: str = LONDON, order: int = 0
               ) -> UncertainDate:
    """What the investigator typed, as an :class:`UncertainDate` (the table in
    docs/chronology.md): "undated", "c. 03/2009", "before 3 March 2010", "on or after 2011",
    "between 01/06/2011 and 30/09/2011", "03/03/2010 14:30"."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in ("", "undated", "no date", "n.d.", "unknown"):
        return UncertainDate(basis=basis, zone=zone, order=order)
    if t.startswith("between "):
        rest = t[len("between "):]
        if " and " not in rest:
            raise BadDate(f"{text.strip()!r}: write 'between <date> and <date>'")
        a, b = rest.split(" and ", 1)
        return UncertainDate(BETWEEN, parse_partial(a), parse_partial(b), basis=basis,
                             zone=zone, order=order)
    kind = ON
    for k, words in _PREFIXES:
        w = next((w for w in words if t.startswith(w + " ") or
                  (w.endswith(".") and t.startswith(w))), None)
        if w is not None:
            kind, t = k, t[len(w):].strip()
            break
    time = ""
    if m := re.fullmatch(r"(.*?)(?:,| at)? (\d{1,2})[:.](\d{2})", t):
        t, time = m.group(1), f"{int(m.group(2)):02d}:{m.group(3)}"
    return UncertainDate(kind, parse_partial(t), time=time, basis=basis, zone=zone,
                         order=order)


def days_between(earlier: UncertainDate, later: UncertainDate) -> int | None:
    """Whole days from the latest ``earlier`` can be to the earliest ``later`` can be: at
    least this many days passed (None where either end is open)."""
    a, b = earlier.interval()[1], later.interval()[0]
    if a is None or b is None:
        return None
    return (b - a).days


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_CANDIDATES = (
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}\b",
               re.IGNORECASE),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b"),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
               re.IGNORECASE),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{4}}\b", re.IGNORECASE),
)


def suggest_date(text: str) -> str:
    """A date found in ``text`` (words selected on a page), as the investigator would type it,
    to offer when a fact is made from them; "" when none is found. Day first, as in the UK:
    "3rd March 2010", "03/03/2010", "March 3, 2010", "March 2010"."""
    for pattern in _CANDIDATES:
        for m in pattern.finditer(text):
            found = m.group(0)
            cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", found, flags=re.IGNORECASE)
            cleaned = re.sub(r"\bof\s+", "", cleaned, flags=re.IGNORECASE)
            cleaned = cleaned.replace(",", " ").replace(".", "/" if "/" not in cleaned
                                                        and cleaned[:1].isdigit()
                                                        and cleaned.count(".") == 2 else " ")
            cleaned = " ".join(cleaned.split())
            md = re.fullmatch(rf"((?:{_MONTHS}))/? (\d{{1,2}}) (\d{{4}})", cleaned,
                              re.IGNORECASE)
            if md:  # "March 3 2010": the day first
                cleaned = f"{md.group(2)} {md.group(1)} {md.group(3)}"
            try:
                parse_date(cleaned)
            except BadDate:
                continue
            return cleaned
    return ""
