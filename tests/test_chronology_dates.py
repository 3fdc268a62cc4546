"""The chronology's date model (vault/chronology/dates.py, docs/chronology.md "Dates"): every
row of the spec's table parsed, turned into its interval and shown; the refusals; ordering;
the JSON form round trip."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from vault.chronology.dates import (
    BadDate,
    Partial,
    UncertainDate,
    days_between,
    parse_date,
    parse_partial,
)

D = dt.date

# typed, shown, earliest, latest: the table of docs/chronology.md, row for row
TABLE = [
    ("03/03/2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("3/3/2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("2010-03-03", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("3 March 2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("3rd Mar 2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("March 3, 2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("on 03.03.2010", "03/03/2010", D(2010, 3, 3), D(2010, 3, 3)),
    ("03/03/2010 14:30", "03/03/2010 14:30", D(2010, 3, 3), D(2010, 3, 3)),
    ("3 March 2010 at 9.05", "03/03/2010 09:05", D(2010, 3, 3), D(2010, 3, 3)),
    ("03/2010", "03/2010", D(2010, 3, 1), D(2010, 3, 31)),
    ("March 2010", "03/2010", D(2010, 3, 1), D(2010, 3, 31)),
    ("2010-02", "02/2010", D(2010, 2, 1), D(2010, 2, 28)),
    ("02/2012", "02/2012", D(2012, 2, 1), D(2012, 2, 29)),
    ("2010", "2010", D(2010, 1, 1), D(2010, 12, 31)),
    ("c. 03/03/2010", "c. 03/03/2010", D(2010, 2, 24), D(2010, 3, 10)),
    ("about 03/2009", "c. 03/2009", D(2009, 2, 1), D(2009, 4, 30)),
    ("circa January 2009", "c. 01/2009", D(2008, 12, 1), D(2009, 2, 28)),
    ("c.2009", "c. 2009", D(2008, 1, 1), D(2010, 12, 31)),
    ("around December 2009", "c. 12/2009", D(2009, 11, 1), D(2010, 1, 31)),
    ("before 03/03/2010", "before 03/03/2010", None, D(2010, 3, 2)),
    ("before 03/2010", "before 03/2010", None, D(2010, 2, 28)),
    ("before 2010", "before 2010", None, D(2009, 12, 31)),
    ("on or before 03/2010", "on or before 03/2010", None, D(2010, 3, 31)),
    ("after 03/03/2010", "after 03/03/2010", D(2010, 3, 4), None),
    ("after 2011", "after 2011", D(2012, 1, 1), None),
    ("on or after 06/2011", "on or after 06/2011", D(2011, 6, 1), None),
    ("between 01/06/2011 and 30/09/2011", "between 01/06/2011 and 30/09/2011",
     D(2011, 6, 1), D(2011, 9, 30)),
    ("between June 2011 and September 2011", "between 06/2011 and 09/2011",
     D(2011, 6, 1), D(2011, 9, 30)),
    ("between 2009 and 2011", "between 2009 and 2011", D(2009, 1, 1), D(2011, 12, 31)),
    ("undated", "undated", None, None),
    ("", "undated", None, None),
]


@pytest.mark.parametrize(("typed", "shown", "lo", "hi"), TABLE, ids=[t[0] or "empty"
                                                                     for t in TABLE])
def test_the_spec_table(typed: str, shown: str, lo: dt.date | None, hi: dt.date | None) -> None:
    d = parse_date(typed)
    assert d.show() == shown
    assert d.interval() == (lo, hi)
    assert UncertainDate.from_json(d.to_json()) == d
    assert parse_date(shown) == d  # what is shown reads back as the same date


def test_the_spec_lists_the_same_table() -> None:
    from conftest import ROOT

    spec = (ROOT / "docs" / "chronology.md").read_text()
    for typed, shown, _lo, _hi in TABLE:
        if typed:
            assert f"`{typed}`" in spec and f"`{shown}`" in spec, typed


REFUSED = [
    ("31/02/2010", "does not exist"), ("29/02/2011", "does not exist"),
    ("3/3/10", "four digits"), ("13/2010", "no month 13"), ("00/2010", "no month 0"),
    ("between 2012 and 2011", "before the first"), ("between 2011", "between <date> and"),
    ("next Tuesday", "cannot read"), ("03/03/2010 25:00", "HH:MM"),
    ("before 03/03/2010 14:00", "time of day goes only with a day"),
    ("03/2010 14:00", "time of day goes only with a day"), ("999", "four digits"),
]


@pytest.mark.parametrize(("typed", "why"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_a_reason(typed: str, why: str) -> None:
    with pytest.raises(BadDate, match=why):
        parse_date(typed)


def test_the_model_refuses_what_parsing_cannot_make() -> None:
    with pytest.raises(BadDate, match="kind of date"):
        UncertainDate("roughly", Partial(2010))
    with pytest.raises(BadDate, match="undated"):
        UncertainDate("undated", Partial(2010))
    with pytest.raises(BadDate, match="two dates"):
        UncertainDate("on", Partial(2010), Partial(2011))
    with pytest.raises(BadDate, match="basis"):
        UncertainDate("on", Partial(2010), basis="a hunch")
    with pytest.raises(BadDate, match="a day needs its month"):
        Partial(2010, None, 3)


def test_sorted_by_interval_then_time_then_order_undated_last() -> None:
    order = ["c. 2009", "before 2009", "01/01/2009 09:00", "01/01/2009 10:00", "01/2009",
             "2009", "between 01/01/2009 and 31/12/2010", "03/2009", "on or before 03/2010",
             "after 2011", "undated"]
    dates = [parse_date(t) for t in order]
    shuffled = dates[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=UncertainDate.sort_key) == dates


def test_order_within_a_day() -> None:
    first = parse_date("03/03/2010", order=1)
    second = parse_date("03/03/2010", order=2)
    assert sorted([second, first], key=UncertainDate.sort_key) == [first, second]


def test_the_time_zone_is_shown_only_when_not_london() -> None:
    assert parse_date("03/03/2010 14:30").show() == "03/03/2010 14:30"
    assert parse_date("03/03/2010 14:30", zone="Europe/Paris").show() == \
        "03/03/2010 14:30 (Europe/Paris)"
    d = parse_date("03/03/2010 14:30", zone="Europe/Paris", basis="metadata")
    assert d.to_json() == {"kind": "on", "date": "2010-03-03", "time": "14:30",
                           "basis": "metadata", "zone": "Europe/Paris"}
    assert UncertainDate.from_json(d.to_json()) == d


def test_partial_dates() -> None:
    assert parse_partial("29 February 2012") == Partial(2012, 2, 29)
    assert parse_partial("Sept 2012") == Partial(2012, 9)
    assert Partial(2010, 3).precision == "month" and Partial(2010).precision == "year"


def test_days_between_is_at_least() -> None:
    knew = parse_date("before 01/04/2009")
    acted = parse_date("between 01/06/2011 and 30/09/2011")
    assert days_between(knew, acted) == (D(2011, 6, 1) - D(2009, 3, 31)).days
    assert days_between(parse_date("after 2009"), acted) is None
    assert days_between(parse_date("undated"), acted) is None


@pytest.mark.parametrize(("words", "suggested"), [
    ("on the 3rd of March 2010 we met", "3 March 2010"),
    ("letter dated 03/03/2010.", "03/03/2010"),
    ("March 3, 2010", "3 March 2010"),
    ("in June 2011 the council", "June 2011"),
    ("minutes of 12.03.2014", "12/03/2014"),
    ("held on Wednesday 12 March 2014 at 6.30 pm", "12 March 2014"),
    ("31/02/2009 is no day", ""),
    ("no date in these words", ""),
])
def test_a_date_is_suggested_from_the_words_selected(words: str, suggested: str) -> None:
    from vault.chronology.dates import suggest_date

    assert suggest_date(words) == suggested
    if suggested:
        parse_date(suggested)  # what is offered can be kept as it is
