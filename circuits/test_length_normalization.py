"""Length normalisation in the soft-TF heads found (ranklens.claims.length_normalization)."""

from __future__ import annotations

import pytest

from ranklens.claims.heads import HeadClaim
from ranklens.claims.length_normalization import length_normalization
from ranklens.models import Reranker
from ranklens.testing import CircuitSamples, RecordFixture, expect


@pytest.mark.ranklens_check("length_normalization", kind="claim")
def test_what_the_soft_tf_heads_carry_falls_as_unrelated_text_is_added(
    reranker: Reranker, soft_tf_claim: HeadClaim, circuit_samples: CircuitSamples, record_check: RecordFixture
) -> None:
    s = circuit_samples
    expect(record_check(length_normalization(reranker, soft_tf_claim, s.confirmation, seed=s.seed)))
