"""A low-rank IDF direction in the token embeddings (ranklens.claims.idf)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.claims.idf import idf_direction
from ranklens.models import Reranker
from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.plugin.claim_fixtures import CircuitSamples
from ranklens.verdicts import CheckResult, Verdict

Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("idf_direction", kind="claim")
def test_an_embedding_direction_carries_idf_and_steers_the_reward(
    reranker: Reranker, circuit_samples: CircuitSamples, record_check: Record
) -> None:
    s = circuit_samples
    result = record_check(idf_direction(reranker, s.confirmation, delta=s.delta, seed=s.seed))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
