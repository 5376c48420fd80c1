"""The statistics every verdict goes through: invariants, known values, and the decision rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ranklens.stats import (
    ALPHA,
    MIN_EFFECT,
    decide,
    decide_all,
    family_level,
    fewest_cases,
    holm,
    mean_effect,
    net_preference_bound,
    neutral_band,
    ratio_effect,
    sign_bound,
    summarize,
    zero_violation_bound,
)
from ranklens.verdicts import Effect, Verdict

differences = arrays(np.float64, st.integers(1, 60), elements=st.floats(-5, 5, allow_nan=False))


@given(d=differences, delta=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_a_summary_is_internally_consistent(d: np.ndarray, delta: float, seed: int) -> None:
    s = summarize(d, delta=delta, seed=seed)
    assert s.positive + s.negative + s.neutral == s.n == len(d)
    assert s.effect.value == pytest.approx((s.positive - s.negative) / s.n)
    assert -1 <= s.effect.ci_low <= s.effect.ci_high <= 1
    assert 0 <= s.p_value <= 1


@given(d=differences, seed=st.integers(0, 2**16))
def test_summaries_are_a_function_of_the_seed(d: np.ndarray, seed: int) -> None:
    first, second = summarize(d, delta=0.1, seed=seed), summarize(d, delta=0.1, seed=seed)
    assert (first.effect, first.mean_difference, first.p_value, first.signs.tolist()) == (
        second.effect,
        second.mean_difference,
        second.p_value,
        second.signs.tolist(),
    )


@given(d=differences)
def test_ties_agree_only_for_non_strict_properties(d: np.ndarray) -> None:
    strict, lenient = summarize(d, delta=0.5, seed=0), summarize(d, delta=0.5, seed=0, ties_agree=True)
    assert lenient.positive == strict.positive + strict.neutral
    assert lenient.negative == strict.negative


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_the_interval_covers_the_true_rate_at_its_level(rate: float) -> None:
    rng = np.random.default_rng(0)
    covered = 0
    for trial in range(200):
        d = np.where(rng.random(150) < rate, 1.0, -1.0)
        effect = summarize(d, delta=0.0, seed=trial).effect
        covered += effect.ci_low <= 2 * rate - 1 <= effect.ci_high
    assert covered / 200 >= 0.91, f"95% bootstrap interval covered the true effect in {covered}/200 samples"


def test_holm_matches_a_worked_example() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_holm_never_lowers_a_p_value_and_keeps_the_order(p: list[float]) -> None:
    adjusted = holm(p)
    assert all(a >= raw for a, raw in zip(adjusted, p, strict=True))
    order = np.argsort(p, kind="stable")
    assert all(adjusted[order[i]] <= adjusted[order[i + 1]] for i in range(len(p) - 1))


def test_the_neutral_band_is_the_median_adjacent_gap_of_the_top_ten() -> None:
    rankings = [np.array([5.0, 4.0, 3.5, 0.0]), np.array([1.0, 1.2])]
    assert neutral_band(rankings) == pytest.approx(np.median([1.0, 0.5, 3.5, 0.2]))


@pytest.mark.parametrize(
    ("effect", "p", "verdict"),
    [
        (Effect("e", 0.6, 0.4, 0.8), 0.001, Verdict.PASS),
        (Effect("e", 0.6, 0.4, 0.8), 0.2, Verdict.INCONCLUSIVE),
        (Effect("e", 0.0, -0.05, 0.05), 1.0, Verdict.FAIL),
        (Effect("e", -0.5, -0.7, -0.3), 0.001, Verdict.FAIL),
        (Effect("e", 0.1, -0.2, 0.4), 0.5, Verdict.INCONCLUSIVE),
    ],
)
def test_the_decision_rule(effect: Effect, p: float, verdict: Verdict) -> None:
    assert decide(effect, p, n=200) == verdict, f"{effect} with Holm p={p} (min effect {MIN_EFFECT})"


def test_the_family_level_is_bonferroni() -> None:
    assert family_level(10) == pytest.approx(0.995)


@given(arrays(float, st.integers(1, 40), elements=st.floats(-5, 5)), st.integers(0, 2**16))
def test_a_mean_effect_brackets_its_value(values: np.ndarray, seed: int) -> None:
    effect = mean_effect("m", values, seed=seed)
    assert effect.ci_low - 1e-9 <= effect.value <= effect.ci_high + 1e-9
    assert effect == mean_effect("m", values, seed=seed)


@given(
    arrays(float, 20, elements=st.floats(0.1, 5)),
    arrays(float, 20, elements=st.floats(0.1, 5)),
    st.integers(0, 2**16),
)
def test_a_ratio_of_sums_is_bracketed_and_scale_free(num: np.ndarray, den: np.ndarray, seed: int) -> None:
    effect = ratio_effect("r", num, den, seed=seed)
    assert effect.value == pytest.approx(num.sum() / den.sum())
    assert effect.ci_low - 1e-9 <= effect.value <= effect.ci_high + 1e-9
    scaled = ratio_effect("r", 3 * num, 3 * den, seed=seed)
    assert (scaled.value, scaled.ci_low, scaled.ci_high) == pytest.approx((effect.value, effect.ci_low, effect.ci_high))


def test_one_tiny_denominator_cannot_dominate_a_ratio_of_sums() -> None:
    num, den = np.array([1.0, 1.0, 1.0, 5.0]), np.array([1.0, 1.0, 1.0, 1e-9])
    assert ratio_effect("r", num, den, seed=0).value == pytest.approx(8 / 3)


@pytest.mark.parametrize(
    ("intervals", "verdict"),
    [
        ([(0.6, 0.9), (0.2, 0.4)], Verdict.PASS),
        ([(0.6, 0.9), (-0.3, -0.1)], Verdict.FAIL),
        ([(0.6, 0.9), (-0.1, 0.3)], Verdict.INCONCLUSIVE),
        ([(0.3, 0.45), (0.2, 0.4)], Verdict.FAIL),
        ([(float("nan"), float("nan"))], Verdict.INCONCLUSIVE),
    ],
)
def test_a_claim_passes_only_when_every_part_clears_its_threshold(
    intervals: list[tuple[float, float]], verdict: Verdict
) -> None:
    thresholds = [0.5, 0.0]
    parts = [(Effect("e", (lo + hi) / 2, lo, hi, 0.95), t) for (lo, hi), t in zip(intervals, thresholds, strict=False)]
    assert decide_all(parts) == verdict


def all_alike(sign: float, n: int, family_size: int) -> tuple[Effect, float]:
    """The effect of ``n`` cases that all agree (+1), all disagree (-1) or all tie (0), and its
    Holm p-value in the least favourable case (every check of the family equally significant)."""
    summary = summarize(np.full(n, sign), delta=0.0, seed=0, level=family_level(family_size))
    return summary.effect, min(1.0, family_size * summary.p_value)


@pytest.mark.parametrize(("family_size", "to_pass", "to_fail"), [(16, 12, 9), (6, 11, 8), (1, 8, 6)])
def test_the_fewest_cases_of_the_axiom_rule_are_exact(family_size: int, to_pass: int, to_fail: int) -> None:
    """16 axioms at alpha 0.05: each Clopper-Pearson bound at alpha/64 = 0.00078;
    0.55**12 < 0.00078 <= 0.55**11, 0.45**9 < 0.00078 <= 0.45**8."""
    bound = net_preference_bound(family_level(family_size))
    assert (bound.to_pass, bound.to_fail, bound.needed) == (to_pass, to_fail, max(to_pass, to_fail))


@pytest.mark.parametrize("family_size", [1, 6, 16, 40])
def test_below_the_bound_no_sample_is_decided_and_at_it_both_verdicts_are_reachable(family_size: int) -> None:
    needed = net_preference_bound(family_level(family_size)).needed
    for sign in (1.0, -1.0, 0.0):
        effect, p = all_alike(sign, needed - 1, family_size)
        assert decide(effect, p, n=needed - 1) == Verdict.INCONCLUSIVE, (sign, effect)
    assert decide(*all_alike(1.0, needed, family_size), n=needed) == Verdict.PASS
    assert decide(*all_alike(-1.0, needed, family_size), n=needed) == Verdict.FAIL


@pytest.mark.parametrize("family_size", [1, 6, 16, 40])
def test_each_side_of_the_bound_is_tight_in_the_interval_itself(family_size: int) -> None:
    """The bounds are where an all-agree (all-disagree) sample's interval first clears MIN_EFFECT,
    so they are the smallest n that could decide, not merely a large enough one."""
    bound = net_preference_bound(family_level(family_size))
    assert all_alike(1.0, bound.to_pass - 1, family_size)[0].ci_low <= MIN_EFFECT
    assert all_alike(1.0, bound.to_pass, family_size)[0].ci_low > MIN_EFFECT
    assert all_alike(-1.0, bound.to_fail - 1, family_size)[0].ci_high >= MIN_EFFECT
    assert all_alike(-1.0, bound.to_fail, family_size)[0].ci_high < MIN_EFFECT


@given(
    family_size=st.integers(1, 40),
    signs=st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=0, max_size=60),
    seed=st.integers(0, 2**16),
)
def test_no_firm_verdict_below_the_bound_for_any_signs(family_size: int, signs: list[float], seed: int) -> None:
    """Whatever the signs, and even with the most favourable Holm p-value (the raw one)."""
    needed = net_preference_bound(family_level(family_size)).needed
    signs = signs[: needed - 1]
    summary = summarize(np.array(signs), delta=0.0, seed=seed, level=family_level(family_size))
    assert decide(summary.effect, summary.p_value, n=summary.n) == Verdict.INCONCLUSIVE


@given(n=st.integers(1, 400), seed=st.integers(0, 2**16), sign=st.sampled_from([-1.0, 0.0, 1.0]))
def test_a_degenerate_sample_gets_an_exact_interval_not_a_point(n: int, seed: int, sign: float) -> None:
    """All cases alike would leave every bootstrap resample equal; the exact interval stays wide
    at small n and is never a single point."""
    effect = summarize(np.full(n, sign), delta=0.0, seed=seed, level=family_level(16)).effect
    assert effect.ci_low < effect.value or effect.value == -1.0
    assert effect.ci_high > effect.value or effect.value == 1.0
    assert -1.0 <= effect.ci_low <= effect.value <= effect.ci_high <= 1.0


def test_an_all_tie_sample_fails_only_once_ties_bound_the_effect_below_the_minimum() -> None:
    """n ties out of n bound |effect| by 1 - (tail/2)**(1/n): below MIN_EFFECT from n = 68 at 16 checks
    (0.9**68 = 0.00077 < alpha/64 <= 0.9**67)."""
    assert decide(*all_alike(0.0, 67, 16), n=67) == Verdict.INCONCLUSIVE
    assert decide(*all_alike(0.0, 68, 16), n=68) == Verdict.FAIL


@pytest.mark.parametrize("n", [12, 200])
def test_ties_that_agree_are_no_evidence_when_nothing_moved(n: int) -> None:
    """A non-strict property (LNC2) on a model whose score never leaves the neutral band: every
    case agrees by tying, the interval and the sign test alone would pass it, the rule does not."""
    level = family_level(16)
    unmoved = summarize(np.linspace(-0.05, 0.05, n), delta=0.05, seed=0, level=level, ties_agree=True)
    assert (unmoved.tied, unmoved.positive, unmoved.neutral) == (n, n, 0)
    assert decide(unmoved.effect, unmoved.p_value, n=n) == Verdict.PASS
    assert decide(unmoved.effect, unmoved.p_value, n=n, moved=n - unmoved.tied) == Verdict.INCONCLUSIVE
    one_moved = summarize(np.r_[np.zeros(n - 1), 1.0], delta=0.05, seed=0, level=level, ties_agree=True)
    assert decide(one_moved.effect, one_moved.p_value, n=n, moved=n - one_moved.tied) == Verdict.PASS


def test_the_fewest_cases_is_the_first_n_whose_extreme_sample_is_significant() -> None:
    assert fewest_cases(0.5, 0.05) == 5  # 0.5**4 = 0.0625, 0.5**5 = 0.031
    assert fewest_cases(0.0, 0.05) == 1
    with pytest.raises(ValueError, match="per-case"):
        fewest_cases(1.0, 0.05)


def test_a_claim_part_needs_its_median_decided_by_a_sign_test() -> None:
    """Six claims at alpha 0.05: tail alpha/12 = 0.0042; 0.5**8 < tail <= 0.5**7."""
    bound = sign_bound(family_level(6))
    assert (bound.to_pass, bound.to_fail) == (8, 8)
    assert bound.shortfall(7, "a claim part") is not None
    assert bound.shortfall(8, "a claim part") is None


def test_zero_violations_pass_an_invariant_only_once_they_bound_the_rate() -> None:
    """0 of n at 95 %: the Clopper-Pearson upper end 1 - 0.025**(1/n) is below 0.1 from n = 36."""
    bound = zero_violation_bound(1 - ALPHA, max_rate=0.1)
    assert (bound.to_pass, bound.to_fail) == (36, 1)


def test_a_shortfall_names_the_smallest_n_on_each_side() -> None:
    message = net_preference_bound(family_level(16)).shortfall(1, "TFC1")
    assert message is not None
    assert all(text in message for text in ("n=1", "TFC1", "99.7 %", "pass needs n ≥ 12", "fail needs n ≥ 9")), message
