"""Term-frequency saturation in the soft-TF heads found (ranklens.claims.saturation)."""

from __future__ import annotations

import pytest

from ranklens.claims.heads import HeadClaim
from ranklens.claims.saturation import saturation
from ranklens.models import Reranker
from ranklens.testing import CircuitSamples, RecordFixture, expect


@pytest.mark.ranklens_check("saturation", kind="claim")
def test_soft_tf_heads_saturate_in_term_frequency(
    reranker: Reranker, soft_tf_claim: HeadClaim, circuit_samples: CircuitSamples, record_check: RecordFixture
) -> None:
    s = circuit_samples
    expect(record_check(saturation(reranker, soft_tf_claim, s.confirmation, seed=s.seed)))
