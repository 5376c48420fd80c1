"""Relevance neurons found by integrated gradients (ranklens.claims.neurons)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.claims.neurons import relevance_neurons
from ranklens.models import Reranker
from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.plugin.claim_fixtures import RELEVANCE, CircuitSamples, ProgressBar
from ranklens.verdicts import CheckResult, Verdict

Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("relevance_neurons", kind="claim")
def test_ablating_the_top_neurons_costs_more_margin_than_random_ones(
    reranker: Reranker, circuit_samples: CircuitSamples, progress_bar: ProgressBar, record_check: Record
) -> None:
    pairs, queries = RELEVANCE[circuit_samples.profile]
    with progress_bar("relevance neurons, integrated gradients by layer") as progress:
        claim = relevance_neurons(
            reranker,
            n_pairs=pairs,
            n_queries=queries,
            delta=circuit_samples.delta,
            seed=circuit_samples.seed,
            progress=progress,
        )
    result = record_check(claim)
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
