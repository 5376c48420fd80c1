"""Term-frequency saturation in the soft-TF heads found (ranklens.claims.saturation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.claims.heads import HeadClaim
from ranklens.claims.saturation import saturation
from ranklens.models import Reranker
from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.plugin.claim_fixtures import CircuitSamples
from ranklens.verdicts import CheckResult, Verdict

Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("saturation", kind="claim")
def test_soft_tf_heads_saturate_in_term_frequency(
    reranker: Reranker, soft_tf_claim: HeadClaim, circuit_samples: CircuitSamples, record_check: Record
) -> None:
    result = record_check(saturation(reranker, soft_tf_claim, circuit_samples.confirmation, seed=circuit_samples.seed))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
