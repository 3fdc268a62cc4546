"""Chronology benchmark: a case of 5,000 facts and 20,000 citations (docs/chronology.md).

    .venv/bin/python bench/bench_chronology.py [--quick] [--workdir DIR] [--keep] [--seed N]

Builds a real (SQLCipher) vault with a 40-page PDF of generated text, a cast of 60 (10 of them
survivors with pseudonyms) and 5,000 facts (``--quick``: 500), each with four citations of
words on the PDF's pages, checked as the program always checks them, all through the
product's own API (one transaction and custody event each). Then times reading the whole
chronology (what opening the view does), filtering it, and writing the neutral chronology of
all of it as DOCX, PDF and CSV, against a plain SELECT of the same rows in the same run.
Targets (issue 15): opening and filtering under 200 ms; the DOCX and the PDF under 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf
from bench_import import Figure, finish_workdir, make_workdir, say, summarise, work_options

from vault.chronology import reports, store
from vault.chronology.dates import parse_date
from vault.chronology.documents import table_bytes
from vault.chronology.filters import FactFilter
from vault.evidence.importer import import_paths
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

FULL, QUICK = 5_000, 500
CITATIONS = 4  # per fact
PAGES = 40
CASE = "NB-2026-01"
IDENTITY = Identity("Bench Mark", "BM", "Investigator", "Benchmarks")
OPEN_MS, WRITE_S = 200.0, 10.0
PARTS = ("actor", "recipient", "informed", "author")


def page_lines(rng: random.Random, page: int) -> list[str]:
    words = ["referral", "meeting", "council", "officer", "minutes", "report", "concern",
             "strategy", "safeguarding", "letter", "record", "decision", "telephone"]
    return [f"Page {page} line {n}: " + " ".join(rng.choice(words) for _ in range(6))
            for n in range(1, 31)]


def make_pdf(path: Path, rng: random.Random) -> list[list[str]]:
    pages = [page_lines(rng, p) for p in range(1, PAGES + 1)]
    with pymupdf.open() as doc:
        for lines in pages:
            page = doc.new_page(width=595, height=842)
            page.insert_text((40, 40), "\n".join(lines), fontsize=8)
        doc.save(path)
    return pages


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def run(args: argparse.Namespace) -> list[Figure]:
    n = QUICK if args.quick else FULL
    work = make_workdir(args.workdir)
    rng = random.Random(args.seed)
    say(f"Evidence Vault chronology benchmark ({n:,} facts, {n * CITATIONS:,} citations) on "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, workdir {work}")
    figures: list[Figure] = []
    try:
        pages = make_pdf(work / "minutes.pdf", rng)
        v, _ = Vault.create(work / "case", "bench passphrase is long enough", IDENTITY,
                            kdf=TEST_KDF)
        with v:
            for _ in import_paths(v, [work / "minutes.pdf"], case=CASE):
                pass
            shorts = []
            for i in range(60):
                short = f"p{i:02d}"
                store.add_entity(v, CASE, short, f"Person Number{i:02d}",
                                 role="survivor" if i < 10 else "officer under scrutiny")
                shorts.append(short)
            t = time.perf_counter()
            for i in range(n):
                year, month = 2005 + i % 15, 1 + i % 12
                date = rng.choice([f"{1 + i % 28:02d}/{month:02d}/{year}", f"c. {month:02d}/{year}",
                                   f"before {year}", f"between {year} and {year + 1}",
                                   "undated"])
                who = rng.sample(shorts, 2)
                store.add_fact(v, CASE, f"@{who[0]} wrote to @{who[1]} about item {i}",
                               parse_date(date), people=[(who[0], rng.choice(PARTS))],
                               key=i % 10 == 0)
                if i and i % 1000 == 0:
                    say(f"  {i:,} facts")
            per_fact = (time.perf_counter() - t) / n * 1000
            t = time.perf_counter()
            for i in range(n):
                for _ in range(CITATIONS):
                    page = rng.randrange(PAGES)
                    line = rng.choice(pages[page])
                    store.cite(v, CASE, "fact", i + 1, "BM/1", page + 1, line[-30:])
                if i and i % 1000 == 0:
                    say(f"  {i * CITATIONS:,} citations")
            per_cite = (time.perf_counter() - t) / (n * CITATIONS) * 1000
            say(f"  adding: {per_fact:.1f} ms a fact, {per_cite:.1f} ms a citation "
                "(each a transaction and a signed custody event)")
            figures += [Figure("add a fact (transaction + custody event)", per_fact, "ms"),
                        Figure("add a citation (words checked)", per_cite, "ms")]

            def raw() -> None:
                with v.db_lock:
                    v.con.execute("SELECT * FROM chron_facts").fetchall()
                    v.con.execute("SELECT * FROM chron_citations").fetchall()
                    v.con.execute("SELECT * FROM chron_fact_entities").fetchall()

            base = median_ms(raw)
            load = median_ms(lambda: store.facts(v, CASE))
            say(f"  open: read every fact with its people and citations {load:.0f} ms; a "
                f"plain SELECT of the same rows {base:.0f} ms ({load / base:.1f}x)")
            figures += [Figure("open: read the whole chronology", load, "ms",
                               f"< {OPEN_MS:.0f} ms", load < OPEN_MS),
                        Figure("baseline: plain SELECT of its rows", base, "ms"),
                        Figure("open / baseline", load / base, "x")]
            all_facts = store.facts(v, CASE)
            filters = {"a person": FactFilter(people=("p03",)),
                       "a date range": FactFilter(start=parse_date("2009").interval()[0],
                                                  end=parse_date("2010").interval()[1]),
                       "key facts": FactFilter(key=True),
                       "undated": FactFilter(undated=True)}
            for label, f in filters.items():
                ms = median_ms(lambda f=f: f.apply(all_facts))  # type: ignore[misc]
                shown = len(f.apply(all_facts))
                say(f"  filter by {label}: {ms:.1f} ms ({shown:,} of {len(all_facts):,})")
                figures.append(Figure(f"filter: {label}", ms, "ms", f"< {OPEN_MS:.0f} ms",
                                      ms < OPEN_MS))
            for fmt in ("docx", "pdf", "csv"):
                t = time.perf_counter()
                table = reports.neutral_chronology(v, CASE)
                data = table_bytes(table, fmt, v.clock.now(), IDENTITY.name)
                s = time.perf_counter() - t
                say(f"  neutral chronology of all {len(table.rows):,} facts as {fmt}: {s:.1f} s"
                    f", {len(data) / 1e6:.1f} MB")
                figures.append(Figure(f"write all as {fmt}", s, "s",
                                      f"< {WRITE_S:.0f} s" if fmt != "csv" else "",
                                      s < WRITE_S if fmt != "csv" else None))
    finally:
        finish_workdir(work, args.keep)
    return figures


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help=f"{QUICK:,} facts instead of {FULL:,}")
    work_options(p)
    args = p.parse_args(argv)
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
