"""Search benchmark: indexing throughput and query latency on a generated vault.

    .venv/bin/python bench/bench_search.py [--quick] [--workdir DIR] [--keep] [--seed N]

Builds a real (SQLCipher) vault of 100,000 items (``--quick``: 10,000), each with a name, a
provenance record and ~300 words of document text drawn from a vocabulary of common words,
surnames, street addresses and dates, indexed through ``vault.search.index.insert_rows`` (the
rows ``index_item`` writes, without PDFs to parse). Then times ``vault.search.query.search`` for
single words (common and rare), phrases, prefixes and with filters, and the same text in an
unencrypted in-memory sqlite3 FTS5 table as a baseline. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator

from bench_import import Figure, finish_workdir, make_workdir, say, summarise, work_options

from vault.clock import iso_utc
from vault.search.index import insert_rows
from vault.search.query import RANK_WINDOW, count, search
from vault.store.identity import Identity
from vault.store.keyslots import TEST_KDF
from vault.store.vault import Vault

MB = 1_000_000
FULL, QUICK = 100_000, 10_000
BATCH = 2_000  # items per transaction while indexing
WORDS = 300
QUERIES = 40  # timed runs per kind of query
LIMIT = 50  # hits fetched per query (a screenful and more)
TARGET_P95_MS = 50.0
IDENTITY = Identity("Bench Mark", "BM", "Investigator", "Benchmarks")
SURNAMES = ["Okafor", "Marchbanks", "Quillfeather", "Ashworth", "Fenwright", "Grimshaw",
            "Bellweather", "Abernethy", "Harrowgate", "Wolverton", "Okonjo", "Tolland"]
STREETS = ["Ashworth Street", "Mill Lane", "Church Road", "Station Road", "Victoria Terrace",
           "Canal Walk", "Northbridge Road", "Albion Street"]
CASES = ["NB-2026-01", "NB-2026-02", "NB-2026-03", "NB-2026-04"]


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """~6,000 pseudo-words with Zipf weights, plus names and words of officialdom."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(6000)}
    common = ["the", "of", "and", "to", "council", "police", "officer", "meeting", "report",
              "child", "concern", "social", "services", "referral", "minutes", "letter"]
    vocab = common + sorted(words)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    return vocab, weights


class TextMaker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab, self.weights = vocabulary(self.rng)
        self.cum = list(self._cumulative(self.weights))
        # rare names: each appears in about 10 documents of 100,000
        self.rare = [f"{w.capitalize()}son" for w in self.vocab[2000:2400]]

    @staticmethod
    def _cumulative(w: list[float]) -> Iterator[float]:
        total = 0.0
        for x in w:
            total += x
            yield total

    def document(self, i: int) -> str:
        rng = self.rng
        words = rng.choices(self.vocab, cum_weights=self.cum, k=WORDS)
        for _ in range(4):  # names, addresses and dates in the text
            pos = rng.randrange(len(words))
            kind = rng.randrange(3)
            if kind == 0:
                words[pos] = f"Mr {rng.choice(SURNAMES)}"
            elif kind == 1:
                words[pos] = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
            else:
                words[pos] = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2005, 2020)}"
        if rng.random() < 0.0001 * len(self.rare):
            words[rng.randrange(len(words))] = rng.choice(self.rare)
        return " ".join(words)


def build(v: Vault, n: int, seed: int, baseline: sqlite3.Connection
          ) -> tuple[float, float, int, float]:
    """Items inserted (not timed), then their rows indexed (timed): (index seconds, baseline
    index seconds, text bytes, seconds to make the items)."""
    maker = TextMaker(seed)
    rng = random.Random(seed + 1)
    t0 = time.perf_counter()
    with v.transaction():
        for c in CASES:
            v.con.execute("INSERT INTO cases (name, created) VALUES (?, ?)",
                          (c, iso_utc(v.clock.now())))
        case_ids = [int(r[0]) for r in v.con.execute("SELECT id FROM cases")]
        rows = []
        for i in range(1, n + 1):
            photo = rng.random() < 0.2
            mime = "image/jpeg" if photo else "application/pdf"
            name = f"{'IMG' if photo else 'doc'}_{i:06d}.{'jpg' if photo else 'pdf'}"
            received = f"20{rng.randint(16, 26)}-{rng.randint(1, 12):02d}-" \
                f"{rng.randint(1, 28):02d}T10:00:00.000000Z"
            rows.append((i, f"BM/{i}", rng.choice(case_ids), f"{i:064x}", 1000, name, mime,
                         received, f"email from {rng.choice(SURNAMES)}"))
        v.con.executemany("INSERT INTO items (id, ref, case_id, sha256, size, name, mime, "
                          "received, received_from) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    make_items = time.perf_counter() - t0
    total_bytes = 0
    index_s = base_s = 0.0
    for start in range(1, n + 1, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, n + 1)):
            _, _, _, _, _, name, _, _, rf = rows[i - 1]
            text = maker.document(i)
            prov = json.dumps({"original_name": name, "received_from": rf})
            item_rows: list[tuple[str, int | None, str | None, str]] = [
                ("name", None, None, name), ("provenance", None, "1", prov),
                ("pdf", 1, None, text)]
            total_bytes += sum(len(r[3].encode()) for r in item_rows)
            batch.append((i, item_rows))
        t = time.perf_counter()
        with v.transaction():
            for i, item_rows in batch:
                insert_rows(v, i, item_rows)
        index_s += time.perf_counter() - t
        t = time.perf_counter()
        baseline.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)",
                             [((i << 24) + k, r[3]) for i, item_rows in batch
                              for k, r in enumerate(item_rows)])
        base_s += time.perf_counter() - t
        if (start // BATCH) % 10 == 0:
            say(f"  indexed {min(start + BATCH - 1, n):,} of {n:,} items")
    t = time.perf_counter()
    v.con.execute("INSERT INTO search_text(search_text) VALUES ('optimize')")
    optimise = time.perf_counter() - t
    say(f"  FTS5 optimize: {optimise:.1f} s (not in the throughput)")
    return index_s, base_s, total_bytes, make_items


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def timed(label: str, queries: list[str], fn: Callable[[str], int]) -> tuple[float, float, float]:
    times, found = [], []
    fn(queries[0])  # warm
    for q in queries:
        t = time.perf_counter()
        found.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    med, p95 = statistics.median(times), percentile(times, 95)
    say(f"  {label:<34} median {med:7.2f} ms  p95 {p95:7.2f} ms  "
        f"(hits per query: median {statistics.median(found):,.0f})")
    return med, p95, statistics.median(found)


def query_sets(maker: TextMaker, rng: random.Random) -> dict[str, list[str]]:
    common = maker.vocab[:16]
    mid = maker.vocab[16:400]
    return {
        "single word, common": [rng.choice(common) for _ in range(QUERIES)],
        "single word, mid-frequency": [rng.choice(mid) for _ in range(QUERIES)],
        "single word, rare (a name)": [rng.choice(maker.rare) for _ in range(QUERIES)],
        "phrase (an address)": [f'"{rng.choice(STREETS)}"' for _ in range(QUERIES)],
        "phrase (Mr + surname)": [f'"Mr {rng.choice(SURNAMES)}"' for _ in range(QUERIES)],
        "two words (AND)": [f"{rng.choice(SURNAMES)} {rng.choice(mid)}"
                            for _ in range(QUERIES)],
        "prefix, 3 letters": [rng.choice(mid)[:3] + "*" for _ in range(QUERIES)],
        "prefix, 5 letters": [rng.choice(maker.rare)[:5] + "*" for _ in range(QUERIES)],
        "date (10/11/2016 style)": [f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/"
                                    f"{rng.randint(2005, 2020)}" for _ in range(QUERIES)],
    }


def run(args: argparse.Namespace) -> list[Figure]:
    n = QUICK if args.quick else FULL
    work = make_workdir(args.workdir)
    say(f"Evidence Vault search benchmark ({'quick' if args.quick else 'full'}: {n:,} items, "
        f"seed {args.seed}) on {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version} (baseline), workdir {work}")
    figures: list[Figure] = []
    baseline = sqlite3.connect(":memory:")
    baseline.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = "
                     "'unicode61 remove_diacritics 2')")
    try:
        v, _ = Vault.create(work / "search", "correct horse battery staple orbit", IDENTITY,
                            kdf=TEST_KDF, check_strength=False)
        with v:
            if args.cache_mb:
                v.con.execute(f"PRAGMA cache_size = -{args.cache_mb * 1024}")
            say(f"  SQLCipher page cache: {v.con.execute('PRAGMA cache_size').fetchone()[0]} "
                "(negative: KiB, positive: pages)")
            say("\n[1] Indexing")
            index_s, base_s, size, make_s = build(v, n, args.seed, baseline)
            rows = v.con.execute("SELECT count(*) FROM search_text").fetchone()[0]
            say(f"  {n:,} items ({make_s:.1f} s to insert the items), {rows:,} rows, "
                f"{size / MB:,.1f} MB of text")
            figures += [
                Figure("indexing: documents", n / index_s, "docs/s"),
                Figure("indexing: text", size / MB / index_s, "MB/s"),
                Figure("indexing: baseline (sqlite3 :memory:)", size / MB / base_s, "MB/s"),
            ]
            say(f"  vault: {n / index_s:,.0f} docs/s, {size / MB / index_s:.2f} MB/s; baseline "
                f"in memory, unencrypted: {size / MB / base_s:.2f} MB/s")
            db_mb = sum(f.stat().st_size for f in (work / "search.evault").glob("index.db*")) / MB
            say(f"  index.db (+ WAL) on disk: {db_mb:,.0f} MB")

            say(f"\n[2] Queries: vault.search.query.search(limit={LIMIT}), {QUERIES} of each kind")
            sets = query_sets(TextMaker(args.seed), random.Random(args.seed + 2))
            worst = 0.0
            for label, qs in sets.items():
                med, p95, _ = timed(label, qs, lambda q: len(search(v, q, limit=LIMIT)))
                worst = max(worst, p95)
                figures.append(Figure(f"query p95: {label}", p95, "ms",
                                      f"< {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS))
                figures.append(Figure(f"query median: {label}", med, "ms"))
            filtered = {
                "mid word + case": lambda q: len(search(v, q, case=CASES[1], limit=LIMIT)),
                "mid word + photos only": lambda q: len(search(v, q, mime_prefix="image/",
                                                              limit=LIMIT)),
                "mid word + received in 2020": lambda q: len(search(
                    v, q, received_after="2020-01-01", received_before="2020-12-31",
                    limit=LIMIT)),
                "mid word + source=name (rare)": lambda q: len(search(v, q, source="name",
                                                                     limit=LIMIT)),
            }
            for label, fn in filtered.items():
                med, p95, _ = timed(label, sets["single word, mid-frequency"], fn)
                figures.append(Figure(f"query p95: {label}", p95, "ms",
                                      f"< {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS))
            _med, p95, _ = timed("common word, limit=200", sets["single word, common"],
                                lambda q: len(search(v, q, limit=200)))
            figures.append(Figure("query p95: common word, limit=200", p95, "ms"))
            _med, p95, _ = timed("count() of a common word", sets["single word, common"],
                                lambda q: count(v, q))
            figures.append(Figure("count p95: common word", p95, "ms"))

            say("\n[3] Baseline: sqlite3 :memory: (unencrypted) FTS5 over the same text; the "
                "same windowed bm25 query, LIMIT 50, no snippet; and a plain MATCH count")
            windowed = ("SELECT rid FROM (SELECT rowid AS rid, rank AS r FROM t WHERE t MATCH ? "
                        f"ORDER BY rowid DESC LIMIT {RANK_WINDOW}) ORDER BY r LIMIT 50")
            for label in ("single word, common", "single word, rare (a name)",
                          "phrase (an address)", "prefix, 3 letters"):
                qs = sets[label]
                b_med, _b_p95, _ = timed(f"baseline: {label}", qs, lambda q: len(
                    baseline.execute(windowed, (q,)).fetchall()))
                v_med = statistics.median(
                    _times(lambda q: len(search(v, q, limit=LIMIT)), qs))
                say(f"    vault search() / baseline (median): {v_med / max(b_med, 1e-6):.1f}x")
                figures.append(Figure(f"baseline median: {label}", b_med, "ms"))
            timed("baseline: MATCH count, common word", sets["single word, common"],
                  lambda q: int(baseline.execute("SELECT count(*) FROM t WHERE t MATCH ?",
                                                 (q,)).fetchone()[0]))
            say(f"\n  worst p95 of the plain queries: {worst:.1f} ms")
    finally:
        baseline.close()
        finish_workdir(work, args.keep)
    return figures


def _times(fn: Callable[[str], int], qs: list[str]) -> list[float]:
    out = []
    for q in qs:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help=f"{QUICK:,} items instead of {FULL:,}")
    work_options(p)
    p.add_argument("--cache-mb", type=int, default=0,
                   help="set the connection's page cache to this many MB (default: as opened)")
    args = p.parse_args(argv)
    summarise(lambda: run(args))


if __name__ == "__main__":
    main()
