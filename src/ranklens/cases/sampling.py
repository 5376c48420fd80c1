"""Seeded samples of (query, passage) pairs from the case source's working set.

Samples are drawn with a ``numpy`` Generator seeded by the run's seed, so the same seed gives the
same cases in every run and process (the baseline gate compares per-case differences).
"""

from __future__ import annotations

import numpy as np

from ranklens.data.corpus import Corpus
from ranklens.data.sources import active_source
from ranklens.models import Pair


def sample_pairs(*, n: int, seed: int, corpus: Corpus | None = None) -> list[Pair]:
    """``n`` distinct pairs: about half a query with its relevant passage, half with a random other.

    Mixing both keeps the sample's scores spread over the model's whole range. A source without
    positive judgements pairs the first half from its listed (unjudged) pairs instead, or, with
    none listed either, draws every pair at random.
    """
    corpus = corpus or active_source().corpus
    rng = np.random.default_rng(seed)
    queries = {q.qid: q.text for q in corpus.queries}
    passages = {p.pid: p.text for p in corpus.passages}
    pids = sorted(passages)
    relevant = sorted((r.qid, r.pid) for r in corpus.qrels if r.relevance > 0) or sorted(corpus.listed)
    if not relevant:
        relevant = [(qid, pids[int(rng.integers(len(pids)))]) for qid in sorted(queries)]
    chosen: dict[Pair, None] = {}
    for index in rng.permutation(len(relevant))[: (n + 1) // 2]:
        qid, pid = relevant[index]
        chosen[(queries[qid], passages[pid])] = None
    relevant_set = set(relevant)
    while len(chosen) < min(n, len(queries) * len(passages)):
        qid, _ = relevant[int(rng.integers(len(relevant)))]
        pid = pids[int(rng.integers(len(pids)))]
        if (qid, pid) not in relevant_set:
            chosen[(queries[qid], passages[pid])] = None
    return list(chosen)
