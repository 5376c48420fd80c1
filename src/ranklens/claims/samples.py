"""The circuit claims' cases: aligned cases (:func:`ranklens.strategies.aligned_cases`) drawn
uniformly for one half of the queries.

Cases come from seeded pairs split **by query** into a discovery half and a confirmation half:
heads and neurons are selected on one and judged on the other, never on the same queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ranklens.data.sources import active_source
from ranklens.models import Reranker
from ranklens.models.attention import Head, copies_mass
from ranklens.strategies import AlignedCases, CircuitCase, aligned_cases, draw_sample, seeded, source_pairs

Split = Literal["discover", "confirm"]
SOURCES_PER_CASE = 4
"""Draws per wanted case at most: most pairs have a usable term, some fail a precondition."""


@dataclass(frozen=True)
class CaseSample:
    """The cases of one split and how many sources failed a precondition (reported, not hidden)."""

    cases: tuple[CircuitCase, ...]
    skipped: int


def query_split(seed: int) -> dict[str, Split]:
    """Each fixture query's half: a seeded permutation, so the halves are fixed per seed."""
    texts = sorted({q.text for q in active_source().corpus.queries})
    order = np.random.default_rng([seed, 11]).permutation(len(texts))
    return {texts[int(i)]: ("discover" if rank % 2 == 0 else "confirm") for rank, i in enumerate(order)}


def circuit_cases(
    reranker: Reranker, *, n: int, seed: int, split: Split, cases: AlignedCases = aligned_cases
) -> CaseSample:
    """Up to ``n`` cases of ``cases`` (a declared claim's own, or :func:`aligned_cases`) on the
    ``split`` half's queries, drawn uniformly for ``seed``. Every head claim draws from the same
    seeded source, so a claim built on :func:`aligned_cases` gets the built-in claims' cases."""
    half = [query for query, side in query_split(seed).items() if side == split]
    strategy = cases(
        reranker.tokenizer, fits=lambda pair: bool(reranker.fits([pair])[0]), pairs=source_pairs(queries_in=half)
    )
    sample = draw_sample(strategy, n=n, source=seeded(seed, "circuit", split), attempts=n * SOURCES_PER_CASE)
    return CaseSample(sample.values, sample.rejected)


def mass_by_tf(
    reranker: Reranker, cases: Sequence[CircuitCase], heads: Sequence[Head], tfs: Sequence[int]
) -> np.ndarray:
    """Mass on the term's copies with TF = each of ``tfs``, padded with fillers to one length: ``[case, tf]``."""
    total = max(tfs)
    docs = [(c.query, c.tf_document(k, total)) for c in cases for k in tfs]
    return copies_mass(reranker, docs, [c.term_id for c in cases for _ in tfs], heads).reshape(len(cases), len(tfs))
