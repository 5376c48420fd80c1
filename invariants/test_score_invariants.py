"""Scoring invariants: the ground every axiom and claim stands on.

Each test records its check in the report and ends on its verdict (ranklens.testing.expect); see
ranklens.invariants for the statements, tolerances and why they pass only at zero violations. Too
few pairs to bound the violation rate (a small --ranklens-sample-size) is inconclusive: skipped,
with the n needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ranklens.invariants import batch_order_invariance, batch_size_invariance, score_determinism, window_fit
from ranklens.models import Pair, Reranker
from ranklens.testing import RecordFixture, RunSettings, expect


@pytest.mark.ranklens_check("window_fit", kind="invariant")
def test_every_case_fits_the_window(
    reranker: Reranker, invariant_pairs: Sequence[Pair], record_check: RecordFixture
) -> None:
    expect(record_check(window_fit(reranker, invariant_pairs)))


@pytest.mark.ranklens_check("score_determinism", kind="invariant")
def test_scoring_twice_gives_the_same_scores(
    reranker: Reranker, invariant_pairs: Sequence[Pair], record_check: RecordFixture
) -> None:
    expect(record_check(score_determinism(reranker, invariant_pairs)))


@pytest.mark.ranklens_check("batch_size_invariance", kind="invariant")
def test_scores_do_not_depend_on_batch_size(
    reranker: Reranker, invariant_pairs: Sequence[Pair], record_check: RecordFixture
) -> None:
    expect(record_check(batch_size_invariance(reranker, invariant_pairs)))


@pytest.mark.ranklens_check("batch_order_invariance", kind="invariant")
def test_scores_do_not_depend_on_batch_order(
    reranker: Reranker, invariant_pairs: Sequence[Pair], ranklens_settings: RunSettings, record_check: RecordFixture
) -> None:
    expect(record_check(batch_order_invariance(reranker, invariant_pairs, seed=ranklens_settings.seed)))
