"""Preparing cases from a large BEIR folder: time and peak resident memory, corpus never held whole.

Writes a synthetic BEIR folder (passages of 30-100 words drawn from the committed corpus's word
frequencies, queries of 3-8 words, one judged passage per query), then, in a fresh process so
that the peak memory is the preparation's alone, measures two steps:

1. ``open_case_source``: one streamed pass that counts word document frequencies over every
   passage and keeps the working set (what every ``--cases`` run does before its first test);
2. ``build_idf_table``: the WordPiece IDF of the whole corpus with a BERT tokenizer (what the
   IDF claims compute once per model and source).

    python benchmarks/bench_case_source.py [--passages 1000000] [--queries 10000] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_synthetic_beir(folder: Path, n_passages: int, n_queries: int, seed: int = 0) -> None:
    """A BEIR folder whose word frequencies follow the committed corpus's (streamed to disk)."""
    from ranklens.data.case_source import builtin_source

    words = builtin_source().words
    vocabulary = sorted(words.document_frequency)
    weights = np.array([words.document_frequency[w] for w in vocabulary], dtype=np.float64)
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qrels").mkdir(exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for start in range(0, n_passages, 10_000):
            count = min(10_000, n_passages - start)
            lengths = rng.integers(30, 101, size=count)
            picks = rng.choice(len(vocabulary), size=int(lengths.sum()), p=weights)
            offsets = np.concatenate([[0], np.cumsum(lengths)])
            for i in range(count):
                text = " ".join(vocabulary[j] for j in picks[offsets[i] : offsets[i + 1]])
                corpus.write(json.dumps({"_id": f"d{start + i}", "title": "", "text": text}) + "\n")
    judged = rng.choice(n_passages, size=n_queries, replace=False)
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as queries:
        for q in range(n_queries):
            text = " ".join(vocabulary[j] for j in rng.choice(len(vocabulary), size=int(rng.integers(3, 9)), p=weights))
            queries.write(json.dumps({"_id": f"q{q}", "text": text}) + "\n")
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        qrels.writelines(f"q{q}\td{int(judged[q])}\t1\n" for q in range(n_queries))


def measure(folder: Path) -> None:
    """The two preparation steps, in this (fresh) process."""
    from ranklens.data.sources import open_case_source
    from ranklens.data.term_stats import build_idf_table
    from ranklens.data.wordpiece import wordpiece_tokenizer

    start = time.perf_counter()
    source = open_case_source(folder)
    open_s = time.perf_counter() - start
    open_rss = _peak_rss_mib()
    counts = source.counts
    print(
        f"open_case_source: {open_s:.1f} s, peak RSS {open_rss:.0f} MiB; passages={counts['passages']} "
        f"queries={counts['queries']} working set={counts['working_queries']} queries, "
        f"{counts['working_passages']} passages; distinct words={len(source.words.document_frequency)}"
    )
    tokenizer = wordpiece_tokenizer()
    start = time.perf_counter()
    table = build_idf_table(source.passage_texts(), tokenizer)
    idf_s = time.perf_counter() - start
    print(
        f"build_idf_table (WordPiece, whole corpus): {idf_s:.1f} s, peak RSS {_peak_rss_mib():.0f} MiB; "
        f"N={table.n_docs} tokens with df={len(table.df)}"
    )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--folder", type=Path, help="write (or reuse) the synthetic folder here")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.folder)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp) / "synthetic-beir"
        if not (folder / "corpus.jsonl").is_file():
            start = time.perf_counter()
            write_synthetic_beir(folder, args.passages, args.queries)
            size = (folder / "corpus.jsonl").stat().st_size / 2**20
            print(f"wrote {args.passages} passages ({size:.0f} MiB) in {time.perf_counter() - start:.0f} s")
        command = [sys.executable, __file__, "--measure-only", "--folder", str(folder)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
