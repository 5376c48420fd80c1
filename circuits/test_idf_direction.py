"""A low-rank IDF direction in the token embeddings (ranklens.claims.idf)."""

from __future__ import annotations

import pytest

from ranklens.claims.idf import idf_direction
from ranklens.models import Reranker
from ranklens.testing import CircuitSamples, RecordFixture, expect


@pytest.mark.ranklens_check("idf_direction", kind="claim")
def test_an_embedding_direction_carries_idf_and_steers_the_reward(
    reranker: Reranker, circuit_samples: CircuitSamples, record_check: RecordFixture
) -> None:
    s = circuit_samples
    expect(record_check(idf_direction(reranker, s.confirmation, delta=s.delta, seed=s.seed)))
