"""The tables made from a chronology (docs/chronology.md, "Outputs"): the neutral and the
working chronology, the dramatis personae, the knowledge matrix, what each person or body
knew on a day, and the knowledge-to-action report. Each is a :class:`Table` of plain strings,
written as CSV, DOCX or PDF by vault/chronology/documents.py.

Everything shared names a survivor by her pseudonym. Before a table is made, the words the
investigator typed (facts, versions, matters) are searched for the real name, the aliases and
the surname of everyone who has a pseudonym; a table that would name one is refused, saying
where, rather than written."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vault.chronology.dates import UncertainDate, days_between
from vault.chronology.model import DISPUTED, MENTION, Entity, Fact, Issue, Knowledge
from vault.chronology.store import entities, facts, gaps, issues, knowledge, positions
from vault.errors import VaultError
from vault.store.vault import Vault

PRIVILEGED = "Privileged and confidential: prepared for the purpose of litigation"


class WouldName(VaultError):
    """A shared table would print a real name that a pseudonym stands for."""


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    notice: str = ""  # printed above the table: the privilege line of the working chronology
    subtitle: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths


class Cast:
    """The cast of a case, and how each is named in what is being made."""

    def __init__(self, people: Iterable[Entity], *, shared: bool = True) -> None:
        self.by_short = {e.short: e for e in people}
        self.shared = shared

    def name(self, short: str) -> str:
        e = self.by_short.get(short)
        return e.shown(self.shared) if e else f"@{short}"

    def render(self, text: str) -> str:
        """``text`` with every @short written as the name (or pseudonym)."""
        return MENTION.sub(lambda m: self.name(m.group(1)), text)

    def protected(self) -> list[tuple[Entity, str]]:
        """(who, words) that must not appear where the pseudonym stands for them: the real
        name, each alias, and the surname (the name's last word, if three letters or more)."""
        out: list[tuple[Entity, str]] = []
        for e in self.by_short.values():
            if not e.pseudonym:
                continue
            words = {e.name, *e.aliases}
            last = e.name.split()[-1] if e.name.split() else ""
            if len(last) >= 3:
                words.add(last)
            out.extend((e, w) for w in sorted(words) if w.strip())
        return out

    def check_names(self) -> None:
        """Nobody printed under a real name may carry the real name, alias or surname of
        someone with a pseudonym: a mother named in full names her child."""
        for e in self.by_short.values():
            if not e.pseudonym:
                self.check(f"@{e.short}'s name", e.name, hint=f"give @{e.short} a pseudonym "
                           "too (for example “Mother of …”)")

    def check(self, where: str, text: str, hint: str = "") -> None:
        if not self.shared:
            return
        for e, words in self.protected():
            if re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text, re.IGNORECASE):
                raise WouldName(f"{where} names {e.pseudonym} by a real name (“{words}”): "
                                + (hint or f"write @{e.short} instead, which prints "
                                   f"“{e.pseudonym}”"))


def _cast(v: Vault, case: str, shared: bool) -> Cast:
    cast = Cast(entities(v, case), shared=shared)
    cast.check_names()
    return cast


def _sources(f: Fact) -> str:
    return "; ".join(dict.fromkeys(c.where() for c in f.citations))


def event_text(cast: Cast, f: Fact) -> str:
    """A fact's sentence as shared: names shown, a dispute and its versions stated."""
    cast.check(f"fact {f.number}", " ".join([f.text, *f.versions]))
    text = cast.render(f.text)
    if f.status in DISPUTED and f.versions:
        versions = "; ".join(f"({chr(97 + i)}) {cast.render(x)}"
                             for i, x in enumerate(f.versions))
        text += f" [Disputed. The versions: {versions}]"
    elif f.status in DISPUTED:
        text += " [Disputed]"
    elif f.status == "to be proved":
        text += " [To be proved]"
    return text


def shared_cast(v: Vault, case: str) -> Cast:
    """The cast as everything shared names it (pseudonyms), checked for relatives."""
    return _cast(v, case, shared=True)


def neutral_chronology(v: Vault, case: str) -> Table:
    """No. | Date | Event | Source: what the other side could agree with. No evaluation, no
    comment, pseudonyms throughout."""
    cast = _cast(v, case, shared=True)
    rows = []
    for n, f in enumerate(facts(v, case), 1):
        source = _sources(f)
        if f.doc_date is not None:
            source += f" (document dated {f.doc_date.show()})"
        rows.append([str(n), f.date.show(), event_text(cast, f), source.strip()])
    return Table(f"Chronology: {case}", ["No.", "Date", "Event", "Source"], rows,
                 widths=[0.6, 1.6, 5.0, 2.0])


def issue_labels(tree: Iterable[Issue]) -> dict[int, str]:
    """Each issue's number in the tree ("1", "1.3") and title: "1.3 Awareness"."""
    counters: dict[int | None, int] = {}
    numbers: dict[int, str] = {}
    labels = {}
    for i in tree:
        counters[i.parent] = counters.get(i.parent, 0) + 1
        here = str(counters[i.parent])
        numbers[i.id] = (numbers[i.parent] + "." + here) if i.parent in numbers else here
        labels[i.id] = f"{numbers[i.id]} {i.title}"
    return labels


def working_chronology(v: Vault, case: str, *, real_names: bool = False) -> Table:
    """The neutral chronology with the fact's number, status, key and material marks, the
    people, the issues and elements it supports, the evaluation and the private comment.
    Marked privileged."""
    cast = _cast(v, case, shared=not real_names)
    labels = issue_labels(issues(v, case))
    rows = []
    for n, f in enumerate(facts(v, case), 1):
        marks = ", ".join(m for m, on in (("key", f.key), ("material", f.material)) if on)
        people = "; ".join(f"{cast.name(s)} ({part})" for s, part in f.people)
        cast.check(f"fact {f.number}", " ".join([f.evaluation, f.comment]))
        backs = "; ".join(f"{labels[i]} ({strength})" for i, strength in f.support
                          if i in labels)
        rows.append([str(n), str(f.number), f.date.show(),
                     f.doc_date.show() if f.doc_date else "", event_text(cast, f), f.status,
                     marks, people, _sources(f), cast.render(backs), cast.render(f.evaluation),
                     cast.render(f.comment)])
    return Table(f"Working chronology: {case}",
                 ["No.", "Fact", "Date", "Document date", "Event", "Status", "Key", "People",
                  "Source", "Issues", "Evaluation", "Comment"], rows, notice=PRIVILEGED,
                 widths=[0.5, 0.5, 1.2, 1.2, 3.5, 1.2, 0.8, 1.6, 1.4, 1.6, 2.0, 2.0])


NO_SUPPORT, WEAK_ONLY = "NO SUPPORTING FACT", "WEAK SUPPORT ONLY"


def element_support(tree: list[Issue], all_facts: Iterable[Fact]
                    ) -> list[tuple[Issue, str, list[tuple[Fact, str]]]]:
    """For each issue and element: how it is supported (NO SUPPORTING FACT, WEAK SUPPORT
    ONLY or "n facts") and its facts with their strength, in date order. An issue
    with elements is supported through them: only a leaf is found wanting."""
    by_issue: dict[int, list[tuple[Fact, str]]] = {}
    for f in all_facts:
        for iid, strength in f.support:
            by_issue.setdefault(iid, []).append((f, strength))
    parents = {i.parent for i in tree}
    out = []
    for i in tree:
        mine = by_issue.get(i.id, [])
        if i.id in parents and not mine:
            state = ""
        elif not mine:
            state = NO_SUPPORT
        elif all(s == "weak" for _, s in mine):
            state = WEAK_ONLY
        else:
            state = f"{len(mine)} fact{'s' if len(mine) != 1 else ''}"
        out.append((i, state, mine))
    return out


def facts_by_element(v: Vault, case: str) -> Table:
    """Each issue and element with the facts that support it and how strongly; the elements
    with no support or only weak support say so. Marked privileged (it is the case's
    analysis)."""
    cast = _cast(v, case, shared=True)
    tree = issues(v, case)
    labels = issue_labels(tree)
    rows = []
    for i, state, mine in element_support(tree, facts(v, case)):
        cast.check(f"issue {labels[i.id]}", i.title + " " + i.note)
        rows.append([cast.render(labels[i.id]), state, "", "", cast.render(i.note), ""])
        for f, strength in mine:
            rows.append(["", "", str(f.number), f.date.show(), event_text(cast, f),
                         f"{strength}; {_sources(f)}" if f.citations else
                         f"{strength}; no source cited"])
    return Table(f"Facts by element: {case}",
                 ["Issue or element", "Support", "Fact", "Date", "Event", "Strength; source"],
                 rows, notice=PRIVILEGED, widths=[2.2, 1.4, 0.5, 1.2, 4.0, 1.8])


def gaps_table(v: Vault, case: str) -> Table:
    """What the case lacks: recorded gaps (questions, documents referred to but not held,
    facts to be proved) and every fact whose status is "to be proved" that no gap names,
    with potential sources; open ones first. Marked privileged."""
    cast = _cast(v, case, shared=True)
    recorded = gaps(v, case)
    named = {g.fact for g in recorded if g.fact is not None}
    rows = []
    for g in sorted(recorded, key=lambda g: (g.state != "open", g.id)):
        cast.check(f"gap {g.id}", " ".join([g.text, g.sources, g.answer]))
        rows.append([str(g.id), g.kind, cast.render(g.text), g.date.show(),
                     cast.render(g.sources) or "none recorded",
                     "" if g.fact is None else str(g.fact),
                     g.state + (f": {cast.render(g.answer)}" if g.answer else "")])
    for f in facts(v, case):
        if f.status == "to be proved" and f.number not in named:
            rows.append(["", "fact to be proved", event_text(cast, f), f.date.show(),
                         _sources(f) or "none recorded", str(f.number), "open"])
    return Table(f"Gaps: {case}",
                 ["No.", "Kind", "What is missing", "Date", "Potential sources", "Fact",
                  "State"], rows, notice=PRIVILEGED,
                 widths=[0.5, 1.3, 4.0, 1.2, 2.2, 0.5, 1.4])


def dramatis_personae(v: Vault, case: str) -> Table:
    """Name (or pseudonym), role, posts held with dates, first and last appearance, number of
    facts, key exhibits (the exhibits cited most for them)."""
    cast = _cast(v, case, shared=True)
    all_facts = facts(v, case)
    posts = positions(v, case)
    rows = []
    for e in sorted(cast.by_short.values(), key=lambda e: cast.name(e.short).lower()):
        mine = [f for f in all_facts if e.short in {s for s, _ in f.people}]
        held = "; ".join(f"{p.post}, {cast.name(p.organisation)} ({p.start.show()} to "
                         f"{p.end.show()})" for p in posts if p.person == e.short)
        cited: dict[str, int] = {}
        for f in mine:
            for c in f.citations:
                cited[c.ref] = cited.get(c.ref, 0) + 1
        key = ", ".join(r for r, _ in sorted(cited.items(), key=lambda x: (-x[1], x[0]))[:3])
        dated = [f for f in mine if f.date.interval() != (None, None)]
        rows.append([cast.name(e.short), e.kind, e.role + (", public office holder"
                                                           if e.public_office else ""),
                     held, dated[0].date.show() if dated else "",
                     dated[-1].date.show() if dated else "", str(len(mine)), key])
    return Table(f"Dramatis personae: {case}",
                 ["Name", "Kind", "Role", "Posts held", "First appears", "Last appears",
                  "Facts", "Key exhibits"], rows, widths=[1.6, 1, 1.6, 2.6, 1.1, 1.1, 0.6, 1.2])


@dataclass(frozen=True)
class Cell:
    """What one person or body knew of one matter."""
    certainly_by: dt.date | None  # the earliest day by which they certainly knew
    certain_event: Knowledge | None
    possibly_from: dt.date | None  # the earliest day they may have known (or ought to have)
    possible_event: Knowledge | None
    sources: tuple[str, ...]

    def show(self) -> str:
        parts = []
        if self.certain_event is not None:
            parts.append("knew by " + _day(self.certainly_by, self.certain_event.date))
        maybe = self.possible_event
        if maybe is not None and maybe is not self.certain_event and (
                self.certainly_by is None or self.possibly_from is None
                or self.possibly_from < self.certainly_by):
            verb = "may have known" if maybe.knew else "ought to have known"
            parts.append(f"{verb} from {_day(self.possibly_from, maybe.date)}"
                         if self.possibly_from else f"{verb} {maybe.date.show()}")
        text = "; ".join(parts)
        return f"{text} ({'; '.join(self.sources)})" if self.sources else text


def _day(day: dt.date | None, date: UncertainDate) -> str:
    return day.strftime("%d/%m/%Y") if day else date.show()


def matrix_cells(events: Iterable[Knowledge]) -> dict[tuple[str, str], Cell]:
    """For each (who, matter): the earliest day they certainly knew (the end of the earliest
    ending interval of an event of actual knowledge) and the earliest day they may have known
    (the earliest known start of any event's interval, "ought to have known" included)."""
    grouped: dict[tuple[str, str], list[Knowledge]] = {}
    for k in events:
        grouped.setdefault((k.who, k.matter), []).append(k)
    cells = {}
    for key, ks in grouped.items():
        knew = [k for k in ks if k.knew and k.date.certain_by() is not None]
        certain = min(knew, key=lambda k: k.date.certain_by() or dt.date.max, default=None)
        starts = [k for k in ks if k.date.possible_from() is not None]
        possible = min(starts, key=lambda k: k.date.possible_from() or dt.date.max,
                       default=None)
        sources = tuple(dict.fromkeys(c.where() for k in ks for c in k.citations))
        cells[key] = Cell(certain.date.certain_by() if certain else None, certain,
                          possible.date.possible_from() if possible else None, possible,
                          sources)
    return cells


def knowledge_matrix(v: Vault, case: str) -> Table:
    """Rows: people and bodies; columns: matters; each cell the earliest day they certainly
    knew and the earliest they may have known, with its sources."""
    cast = _cast(v, case, shared=True)
    events = knowledge(v, case)
    for k in events:
        cast.check(f"knowledge event {k.id}", k.matter)
    matters = list(dict.fromkeys(k.matter for k in events))
    who = list(dict.fromkeys(k.who for k in events))
    cells = matrix_cells(events)
    rows = [[cast.name(w), *(cells[(w, m)].show() if (w, m) in cells else "" for m in matters)]
            for w in sorted(who, key=lambda s: cast.name(s).lower())]
    return Table(f"Knowledge matrix: {case}", ["Who", *(cast.render(m) for m in matters)],
                 rows)


def knowledge_by_period(v: Vault, case: str) -> Table:
    """The knowledge matrix with periods (years) for columns: for each person or body, at the
    end of each year, the matters they certainly knew and those they may have known."""
    cast = _cast(v, case, shared=True)
    events = knowledge(v, case)
    for k in events:
        cast.check(f"knowledge event {k.id}", k.matter)
    cells = matrix_cells(events)
    days = [d for c in cells.values() for d in (c.certainly_by, c.possibly_from) if d]
    years = list(range(min(days).year, max(days).year + 1)) if days else []
    who = sorted(dict.fromkeys(w for w, _m in cells), key=lambda s: cast.name(s).lower())
    rows = []
    for w in who:
        row = [cast.name(w)]
        for year in years:
            end = dt.date(year, 12, 31)
            knew = [m for (x, m), c in cells.items() if x == w and c.certainly_by
                    and c.certainly_by <= end]
            maybe = [m for (x, m), c in cells.items() if x == w and m not in knew
                     and c.possibly_from and c.possibly_from <= end]
            row.append("; ".join([*(f"knew: {cast.render(m)}" for m in knew),
                                  *(f"may have known: {cast.render(m)}" for m in maybe)]))
        rows.append(row)
    return Table(f"What each knew, year by year: {case}",
                 ["Who", *(f"By end {y}" for y in years)], rows)


def known_on(v: Vault, case: str, day: dt.date) -> Table:
    """What each person or body knew, or may have known, on ``day``."""
    cast = _cast(v, case, shared=True)
    rows = []
    for (w, m), cell in sorted(matrix_cells(knowledge(v, case)).items(),
                               key=lambda x: (cast.name(x[0][0]).lower(), x[0][1])):
        cast.check("a knowledge event", m)
        if cell.certainly_by is not None and cell.certainly_by <= day:
            state = "knew"
        elif cell.possibly_from is not None and cell.possibly_from <= day:
            state = "may have known"
        else:
            continue
        rows.append([cast.name(w), cast.render(m), state, cell.show()])
    return Table(f"What each knew on {day.strftime('%d/%m/%Y')}: {case}",
                 ["Who", "Matter", "On that day", "Basis"], rows)


def knowledge_to_action(v: Vault, case: str) -> Table:
    """For each knowledge event: the response by that person or body and the days between
    (at least), or "no recorded response"."""
    cast = _cast(v, case, shared=True)
    by_number = {f.number: f for f in facts(v, case)}
    rows = []
    for k in knowledge(v, case):
        cast.check(f"knowledge event {k.id}", k.matter)
        response = by_number.get(k.response) if k.response is not None else None
        if response is None:
            did, days = "no recorded response", ""
        else:
            gap = days_between(k.date, response.date)
            did = f"{response.date.show()}: {event_text(cast, response)} (fact {response.number})"
            days = "" if gap is None else str(gap)
        rows.append([cast.name(k.who), cast.render(k.matter), k.date.show(),
                     f"{k.how}, {k.awareness}",
                     "; ".join(dict.fromkeys(c.where() for c in k.citations)), did, days])
    return Table(f"From knowing to acting: {case}",
                 ["Who", "Matter", "Knew", "How", "Source", "Response", "Days (at least)"],
                 rows, widths=[1.4, 2, 1.2, 1.4, 1.2, 3.5, 0.8])


TABLES = {"neutral": neutral_chronology, "working": working_chronology,
          "cast": dramatis_personae, "matrix": knowledge_matrix,
          "periods": knowledge_by_period, "action": knowledge_to_action,
          "elements": facts_by_element, "gaps": gaps_table}
