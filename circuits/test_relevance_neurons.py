"""Relevance neurons found by integrated gradients (ranklens.claims.neurons)."""

from __future__ import annotations

import pytest

from ranklens.claims.neurons import relevance_neurons
from ranklens.models import Reranker
from ranklens.testing import RELEVANCE, CircuitSamples, ProgressBar, RecordFixture, expect


@pytest.mark.ranklens_check("relevance_neurons", kind="claim")
def test_ablating_the_top_neurons_costs_more_margin_than_random_ones(
    reranker: Reranker, circuit_samples: CircuitSamples, progress_bar: ProgressBar, record_check: RecordFixture
) -> None:
    s = circuit_samples
    pairs, queries = RELEVANCE[s.profile]
    with progress_bar("relevance neurons, integrated gradients by layer") as progress:
        claim = relevance_neurons(
            reranker, n_pairs=pairs, n_queries=queries, delta=s.delta, seed=s.seed, progress=progress
        )
    expect(record_check(claim))
