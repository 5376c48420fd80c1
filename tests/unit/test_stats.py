"""The statistics every verdict goes through: invariants, known values, and the decision rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ranklens.stats import (
    MIN_EFFECT,
    decide,
    decide_all,
    family_level,
    holm,
    mean_effect,
    neutral_band,
    ratio_effect,
    summarize,
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
    assert decide(effect, p) == verdict, f"{effect} with Holm p={p} (min effect {MIN_EFFECT})"


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
