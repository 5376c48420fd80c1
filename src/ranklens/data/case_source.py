"""A case source: the population every suite draws its cases from, and the corpus's own statistics.

A source has two parts, so that a corpus of any size works in bounded memory:

- the **working set**, a :class:`~ranklens.data.corpus.Corpus` the suites sample from: at most
  :data:`MAX_QUERIES` queries (judged queries only, when the source has judgements) with all
  their judged passages, plus a uniform sample of other passages up to :data:`MAX_PASSAGES`.
  Both samples rank ids by a salted hash (:mod:`ranklens.data.working_set`), so they are the
  same in any file order and on every machine.
- the **statistics of the whole corpus**: word document frequencies (the IDF of TDC, the filler
  band) counted in one streamed pass, and :attr:`CaseSource.passage_texts` to stream the passages
  again for a tokenizer's own IDF (the claims' IDF direction and scoring heads).

The committed Wikipedia corpus (800 queries and passages) is the built-in source; it fits whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ranklens.data.corpus import DATA_FILES, Corpus, Passage, Qrel, Query, load_corpus
from ranklens.data.word_stats import WordCounter, WordStatistics, count_words
from ranklens.data.working_set import BottomK, lowest_ranked
from ranklens.errors import CaseSourceError

MAX_QUERIES = 1000
MAX_PASSAGES = 5000
MIN_QUERIES = 4
"""The discovery/confirmation split needs queries in both halves."""
MIN_PASSAGES = 20
"""The neutral band ranks 20 random candidates per query."""
BUILTIN = "builtin"
_CHUNK = 1 << 20


@dataclass(frozen=True, eq=False)
class CaseSource:
    """Where a run's cases come from (see the module docstring)."""

    name: str
    format: str
    corpus: Corpus
    words: WordStatistics
    sha256: str
    counts: Mapping[str, int]
    passage_texts: Callable[[], Iterable[str]]
    notes: tuple[str, ...] = ()

    @property
    def has_judgements(self) -> bool:
        return bool(self.corpus.relevant())

    def record(self) -> dict[str, Any]:
        """The report's ``case_source``: what a reader (and the gate) needs to know it."""
        return {
            "name": self.name,
            "format": self.format,
            "sha256": self.sha256,
            "counts": dict(self.counts),
            "notes": list(self.notes),
        }


def builtin_source() -> CaseSource:
    """The committed corpus: 800 Wikipedia queries and passages, one relevant passage each."""
    from ranklens.resources import data_dir

    corpus = load_corpus(data_dir())
    return CaseSource(
        name=BUILTIN,
        format=BUILTIN,
        corpus=corpus,
        words=count_words(p.text for p in corpus.passages),
        sha256=files_sha256([data_dir() / name for name in DATA_FILES]),
        counts=_counts(len(corpus.queries), len(corpus.passages), len(corpus.qrels), corpus) | {"empty_passages": 0},
        passage_texts=lambda: (p.text for p in corpus.passages),
    )


def files_sha256(paths: Sequence[Path]) -> str:
    """One sha256 over the files' names and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Judgements:
    """What a source says about its queries before its passages are read."""

    queries: dict[str, str]
    qrels: list[Qrel] = field(default_factory=list)
    listed: list[tuple[str, str]] = field(default_factory=list)
    where: dict[str, str] = field(default_factory=dict)
    """pid -> "file:line" of its first judgement, to name the line that cites an unknown passage."""


def assemble(
    name: str,
    format: str,
    judgements: Judgements,
    passages: Callable[[], Iterator[tuple[str, str]]],
    *,
    sha256: str,
    passages_file: str,
) -> CaseSource:
    """Stream ``passages()`` ((pid, text) of the whole corpus) once: count words, keep the working
    set's passages. Raises :class:`CaseSourceError` for an empty corpus or judgements that name
    passages the corpus does not have."""
    positive = sorted({r.qid for r in judgements.qrels if r.relevance > 0})
    pool = positive or sorted(judgements.queries)
    kept_queries = set(lowest_ranked(pool, MAX_QUERIES))
    needed = {r.pid for r in judgements.qrels if r.qid in kept_queries and r.relevance > 0}
    needed |= {pid for qid, pid in judgements.listed if qid in kept_queries}
    counter = WordCounter()
    kept: dict[str, str] = {}
    others: BottomK[tuple[str, str]] = BottomK(MAX_PASSAGES)
    all_ids: set[str] = set()
    judged = {r.pid for r in judgements.qrels} | {pid for _, pid in judgements.listed}
    empty = 0
    for pid, text in passages():
        if not text.strip():
            empty += 1
            continue
        counter.add(text)
        if pid in judged:
            all_ids.add(pid)
        if pid in needed:
            kept[pid] = text
        else:
            others.offer(pid, (pid, text))
    if counter.n_documents == 0:
        raise CaseSourceError(
            f"{name}: {passages_file} holds no passage with text. Point --cases at a non-empty corpus."
        )
    unknown = sorted(judged - all_ids)
    if unknown:
        raise CaseSourceError(
            f"{name}: {judgements.where.get(unknown[0], 'a judgement')} names passage {unknown[0]!r}, which "
            f"{passages_file} does not have ({len(unknown)} unknown passage id(s) in all). Fix the ids, or "
            "drop those judgements."
        )
    for pid, text in others.items():
        if len(kept) >= max(MAX_PASSAGES, len(needed)):
            break
        kept.setdefault(pid, text)
    corpus = Corpus(
        queries=tuple(Query(qid, judgements.queries[qid], "", "") for qid in sorted(kept_queries)),
        passages=tuple(Passage(pid, kept[pid], "", "", "") for pid in sorted(kept)),
        qrels=tuple(sorted((r for r in judgements.qrels if r.qid in kept_queries and r.pid in kept), key=_qrel_key)),
        listed=tuple(sorted(p for p in judgements.listed if p[0] in kept_queries and p[1] in kept)),
    )
    _require_enough(name, corpus)
    counts = _counts(len(judgements.queries), counter.n_documents, len(judgements.qrels), corpus) | {
        "empty_passages": empty
    }
    notes = () if corpus.relevant() else (NO_JUDGEMENTS,)
    texts = lambda: (text for _, text in passages() if text.strip())  # noqa: E731 - a re-streamable view
    return CaseSource(name, format, corpus, counter.statistics(), sha256, counts, texts, notes)


NO_JUDGEMENTS = (
    "no positive relevance judgements: samples pair queries with listed or random passages, and "
    "relevance_neurons (which needs relevant and non-relevant passages of one query) is inconclusive"
)


def _counts(queries: int, passages: int, judgements: int, working: Corpus) -> dict[str, int]:
    return {
        "queries": queries,
        "passages": passages,
        "judgements": judgements,
        "working_queries": len(working.queries),
        "working_passages": len(working.passages),
    }


def _require_enough(name: str, corpus: Corpus) -> None:
    if len(corpus.queries) < MIN_QUERIES or len(corpus.passages) < MIN_PASSAGES:
        raise CaseSourceError(
            f"{name}: {len(corpus.queries)} usable queries and {len(corpus.passages)} passages; the suites need at "
            f"least {MIN_QUERIES} queries (judged ones, when there are judgements) and {MIN_PASSAGES} passages "
            "with text. Add more, or run on the built-in corpus (leave --cases out)."
        )


def _qrel_key(qrel: Qrel) -> tuple[str, str, int]:
    return (qrel.qid, qrel.pid, qrel.relevance)
