"""Queries, passages and (query, passage) sources drawn from the active case source.

:func:`source_pairs` is the population every axiom and circuit case starts from: half a query
with a passage judged relevant to it, half the same kind of query with a passage drawn uniformly
from the others, so the scores a check compares span the model's whole range;
:func:`sample_source_pairs` draws the scoring invariants' pairs from it.
:func:`relevance_contrasts` is what the relevance-neuron claim compares: a judged query with a
relevant and a non-relevant passage.
:func:`passage_fragments` is what a counterexample search draws documents from: real passages,
which Hypothesis shrinks by dropping sentences and then words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from hypothesis import strategies as st

from ranklens.data.corpus import Corpus
from ranklens.data.sources import active_source
from ranklens.models import Pair
from ranklens.strategies.sampling import Draw, draw_sample, seeded

MIN_FRAGMENT_WORDS = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class _Population:
    """The case source's texts as the lists the strategies sample from (built once per source)."""

    queries: tuple[str, ...]
    passages: tuple[str, ...]
    relevant: tuple[tuple[str, str], ...]
    """(query, passage) pairs judged relevant; for a source without judgements, its listed pairs,
    or each query with one passage fixed by its position when none are listed."""
    relevant_set: frozenset[tuple[str, str]]
    judged: Mapping[str, frozenset[str]]
    """Query -> the passages judged relevant to it, from positive judgements only (no fallback)."""


_built: dict[int, tuple[Corpus, _Population]] = {}


def _population(corpus: Corpus) -> _Population:
    """Cached by identity: hashing a corpus of thousands of passages on every draw would cost more
    than the draw."""
    if id(corpus) not in _built or _built[id(corpus)][0] is not corpus:
        _built[id(corpus)] = (corpus, _build_population(corpus))
    return _built[id(corpus)][1]


def _build_population(corpus: Corpus) -> _Population:
    queries = {q.qid: q.text for q in corpus.queries}
    passages = {p.pid: p.text for p in corpus.passages}
    pids = sorted(passages)
    judged = sorted((r.qid, r.pid) for r in corpus.qrels if r.relevance > 0) or sorted(corpus.listed)
    if not judged:
        judged = [(qid, pids[index % len(pids)]) for index, qid in enumerate(sorted(queries))]
    relevant = tuple(dict.fromkeys((queries[q], passages[p]) for q, p in judged))
    positive: dict[str, set[str]] = {}
    for r in corpus.qrels:
        if r.relevance > 0:
            positive.setdefault(queries[r.qid], set()).add(passages[r.pid])
    return _Population(
        tuple(sorted(set(queries.values()))),
        tuple(passages[p] for p in pids),
        relevant,
        frozenset(relevant),
        {query: frozenset(texts) for query, texts in positive.items()},
    )


def _current() -> _Population:
    return _population(active_source().corpus)


def queries() -> st.SearchStrategy[str]:
    """A query of the case source, uniformly."""
    return st.sampled_from(_current().queries)


def passages() -> st.SearchStrategy[str]:
    """A passage of the case source, uniformly."""
    return st.sampled_from(_current().passages)


def source_pairs(*, queries_in: Collection[str] | None = None) -> st.SearchStrategy[Pair]:
    """A (query, passage) pair: with probability 1/2 a judged-relevant pair, uniformly; else the
    query of a uniformly drawn judged pair with a uniform passage not judged relevant to it.

    ``queries_in``: only queries in this set (the circuit claims' discovery or confirmation half).
    """
    population = _current()
    relevant = population.relevant
    if queries_in is not None:
        allowed = frozenset(queries_in)
        relevant = tuple(pair for pair in relevant if pair[0] in allowed)

    @st.composite
    def pairs(draw: Draw) -> Pair:
        query, passage = draw(st.sampled_from(relevant))
        if draw(st.booleans()):
            return query, passage
        other = draw(st.sampled_from(population.passages).filter(lambda p: (query, p) not in population.relevant_set))
        return query, other

    return pairs()


def sample_source_pairs(*, n: int, seed: int) -> list[Pair]:
    """The scoring invariants' pairs: ``n`` distinct :func:`source_pairs` drawn uniformly for ``seed``.

    Distinct, as :func:`ranklens.cases.sample_pairs` (the numpy reference) draws them: a repeated
    pair would count as a second case without being a second piece of evidence.
    """
    sample = draw_sample(source_pairs(), n=n, source=seeded(seed, "invariants"), unique_by=lambda pair: pair)
    return list(sample.values)


def relevance_contrasts(*, queries_in: Collection[str] | None = None) -> st.SearchStrategy[tuple[Pair, Pair]]:
    """``((query, relevant), (query, other))``: a query uniform among those with a positive
    judgement, one of its judged-relevant passages uniformly, and a passage uniform among those not
    judged relevant to it. Empty for a source without positive judgements: unlike
    :func:`source_pairs`, nothing stands in for them, since the contrast is relevance itself.

    ``queries_in``: only queries in this set (the relevance-neuron claim's discovery or confirmation half).
    """
    population = _current()
    judged = population.judged
    if queries_in is not None:
        allowed = frozenset(queries_in)
        judged = {query: texts for query, texts in judged.items() if query in allowed}
    if not judged:
        return st.nothing()
    options = tuple(sorted(judged))

    @st.composite
    def contrasts(draw: Draw) -> tuple[Pair, Pair]:
        query = draw(st.sampled_from(options))
        relevant = judged[query]
        passage = draw(st.sampled_from(sorted(relevant)))
        other = draw(st.sampled_from(population.passages).filter(lambda p: p not in relevant))
        return (query, passage), (query, other)

    return contrasts()


def passage_fragments(*, min_words: int = MIN_FRAGMENT_WORDS) -> st.SearchStrategy[str]:
    """A passage of the case source cut to some of its sentences and a prefix of their words.

    Shrinks towards the first sentence of the first passage, then towards ``min_words`` words: a
    minimal counterexample is a short piece of real text, not a list of unrelated words.
    """

    @st.composite
    def fragments(draw: Draw) -> str:
        sentences = _SENTENCE_END.split(draw(passages()).strip())
        kept = draw(st.sets(st.integers(0, len(sentences) - 1), min_size=1))
        words = " ".join(sentences[i] for i in sorted(kept)).split()
        if len(words) <= min_words:
            return " ".join(words)
        return " ".join(words[: draw(st.integers(min_words, len(words)))])

    return fragments()


def search_pairs() -> st.SearchStrategy[Pair]:
    """What a counterexample search draws: any query of the source with a passage fragment."""
    return st.tuples(queries(), passage_fragments())
