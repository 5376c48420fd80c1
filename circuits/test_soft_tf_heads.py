"""Soft-TF (matching) heads and relevance-scoring heads (ranklens.claims.heads has the protocol
and thresholds; ranklens.claims.statements the statements and citations)."""

from __future__ import annotations

import pytest

from ranklens.claims.heads import HeadClaim, scoring_heads
from ranklens.models import Reranker
from ranklens.testing import CircuitSamples, ProgressBar, RecordFixture, expect


@pytest.mark.ranklens_check("soft_tf_heads", kind="claim")
def test_a_few_heads_compute_soft_term_frequency(soft_tf_claim: HeadClaim, record_check: RecordFixture) -> None:
    expect(record_check(soft_tf_claim.result))


@pytest.mark.ranklens_check("scoring_heads", kind="claim")
def test_late_heads_move_the_signal_to_cls_weighted_by_idf(
    reranker: Reranker,
    circuit_samples: CircuitSamples,
    soft_tf_claim: HeadClaim,
    progress_bar: ProgressBar,
    record_check: RecordFixture,
) -> None:
    s = circuit_samples
    with progress_bar("scoring heads, path-patching sweep") as progress:
        claim = scoring_heads(
            reranker,
            s.discovery,
            s.confirmation,
            delta=s.delta,
            seed=s.seed,
            soft_tf=soft_tf_claim,
            search=s.search,
            progress=progress,
        )
    expect(record_check(claim.result))
