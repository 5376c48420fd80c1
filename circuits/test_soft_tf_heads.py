"""Soft-TF (matching) heads and relevance-scoring heads (ranklens.claims.heads has the
statements, protocol, thresholds and citations)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.claims.heads import HeadClaim, scoring_heads
from ranklens.models import Reranker
from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.plugin.claim_fixtures import CircuitSamples, ProgressBar
from ranklens.verdicts import CheckResult, Verdict

Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("soft_tf_heads", kind="claim")
def test_a_few_heads_compute_soft_term_frequency(soft_tf_claim: HeadClaim, record_check: Record) -> None:
    result = record_check(soft_tf_claim.result)
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message


@pytest.mark.ranklens_check("scoring_heads", kind="claim")
def test_late_heads_move_the_signal_to_cls_weighted_by_idf(
    reranker: Reranker, circuit_samples: CircuitSamples, progress_bar: ProgressBar, record_check: Record
) -> None:
    s = circuit_samples
    with progress_bar("scoring heads, path-patching sweep") as progress:
        claim = scoring_heads(reranker, s.discovery, s.confirmation, delta=s.delta, seed=s.seed, progress=progress)
    result = record_check(claim.result)
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
