"""A sample too small to decide a check gives no verdict, and says how many cases would.

Issue #12, item 6: ``--ranklens-sample-size 1`` used to fail axioms with the interval [0, 0],
where a pass was impossible, and to pass every invariant on one pair. Each kind of check now has
a smallest n below which it is ``inconclusive`` (see :mod:`ranklens.stats`); its message names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest

from ranklens import Reranker
from ranklens.axioms import AXIOMS, calibrate_delta, measure_family, results
from ranklens.cases import sample_pairs
from ranklens.claims.parts import LEVEL, Part, claim_result
from ranklens.invariants import (
    INVARIANT_LEVEL,
    MAX_VIOLATION_RATE,
    batch_order_invariance,
    batch_size_invariance,
    score_determinism,
    window_fit,
)
from ranklens.stats import family_level, mean_effect, net_preference_bound, sign_bound, zero_violation_bound
from ranklens.verdicts import CheckResult, Verdict

AXIOM_BOUND = net_preference_bound(family_level(len(AXIOMS)))
INVARIANT_BOUND = zero_violation_bound(INVARIANT_LEVEL, max_rate=MAX_VIOLATION_RATE)


def invariants(reranker: Reranker, n: int) -> list[CheckResult]:
    pairs = sample_pairs(n=n, seed=0)
    return [
        score_determinism(reranker, pairs),
        batch_size_invariance(reranker, pairs),
        batch_order_invariance(reranker, pairs, seed=0),
        window_fit(reranker, pairs),
    ]


def undecided(checks: list[CheckResult], needs: str) -> dict[str, str]:
    """The checks that are not inconclusive or whose message does not name ``needs``."""
    return {
        c.check_id: f"{c.verdict}: {c.message}"
        for c in checks
        if c.verdict != Verdict.INCONCLUSIVE or needs not in c.message
    }


@pytest.mark.parametrize("sample_size", [1, 2])
def test_a_tiny_axiom_sample_is_inconclusive_and_names_the_n_it_needs(
    planted_reranker: Callable[[str], Reranker], sample_size: int
) -> None:
    reranker = planted_reranker("planted")
    delta = calibrate_delta(reranker, seed=0)
    measured = measure_family(reranker, AXIOMS, seed=0, sample_size=sample_size, delta=delta)
    checks = results(measured, delta=delta, seed=0)
    needs = f"pass needs n ≥ {AXIOM_BOUND.to_pass}, fail needs n ≥ {AXIOM_BOUND.to_fail}"
    assert undecided(checks, needs) == {}
    assert all(c.threshold["min_cases"] == AXIOM_BOUND.needed for c in checks)


def test_the_axiom_bound_at_the_default_family_is_twelve_cases() -> None:
    """16 axioms at alpha 0.05, exact net-preference interval (README, "How a verdict is reached")."""
    assert (len(AXIOMS), AXIOM_BOUND.to_pass, AXIOM_BOUND.to_fail) == (16, 12, 9)


def test_one_pair_passes_no_invariant(planted_reranker: Callable[[str], Reranker]) -> None:
    checks = invariants(planted_reranker("planted"), 1)
    assert undecided(checks, f"pass needs n ≥ {INVARIANT_BOUND.to_pass}") == {}


def test_an_invariant_passes_from_the_bound_on_and_not_one_pair_before(
    planted_reranker: Callable[[str], Reranker],
) -> None:
    """The bound is tight: zero violations in 35 pairs do not bound the rate below 0.1, in 36 they do."""
    reranker = planted_reranker("planted")
    below, at = invariants(reranker, INVARIANT_BOUND.to_pass - 1), invariants(reranker, INVARIANT_BOUND.to_pass)
    assert {c.verdict for c in below} == {Verdict.INCONCLUSIVE}, [c.message for c in below]
    assert {c.verdict for c in at} == {Verdict.PASS}, [c.message for c in at]
    assert all(c.effect.ci_high >= MAX_VIOLATION_RATE for c in below)
    assert all(c.effect.ci_high < MAX_VIOLATION_RATE for c in at)


def test_a_violation_fails_an_invariant_whatever_the_sample(planted_reranker: Callable[[str], Reranker]) -> None:
    """A pair that breaks an invariant is a counterexample, not an estimate: one is enough to fail."""
    pairs = sample_pairs(n=1, seed=0)
    query, document = pairs[0]
    result = window_fit(planted_reranker("planted"), [(query, " ".join([document] * 40))])
    assert result.verdict == Verdict.FAIL, result.message


@pytest.mark.parametrize("n", [1, 2, 7])
def test_a_claim_part_on_too_few_cases_is_inconclusive_and_names_the_n_it_needs(n: int) -> None:
    """Even when every case clears the threshold by far (a degenerate bootstrap interval)."""
    effect = mean_effect("joint_recovery", np.full(n, 0.9), seed=0, level=LEVEL)
    result = claim_result(
        "soft_tf_heads", [Part(effect, 0.5, "recovers most", n=n)], n=n, statement="s", citation="c", details={}
    )
    needed = sign_bound(LEVEL).needed
    assert result.verdict == Verdict.INCONCLUSIVE, result.message
    assert re.search(rf"n={n} cases cannot decide .*pass needs n ≥ {needed}", result.message), result.message
    assert result.threshold["min_cases"] == {"joint_recovery": needed}


def test_a_claim_part_at_the_bound_is_decided() -> None:
    needed = sign_bound(LEVEL).needed
    effect = mean_effect("joint_recovery", np.full(needed, 0.9), seed=0, level=LEVEL)
    result = claim_result(
        "soft_tf_heads",
        [Part(effect, 0.5, "recovers most", n=needed)],
        n=needed,
        statement="s",
        citation="c",
        details={},
    )
    assert result.verdict == Verdict.PASS, result.message
