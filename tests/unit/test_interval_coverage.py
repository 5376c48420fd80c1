"""Each interval of ranklens.stats covers a known effect at its nominal level, at the levels read.

Axioms read their intervals at 99.7 % (Bonferroni over 16), claims at 99.2 % (over 6).

- The net preference's interval is exact, so its coverage is *computed*, not sampled: over every
  outcome (agree, disagree, tie counts) of n = 11, 50, 200 cases, weighted by its multinomial
  probability, on a grid of (p+, p-). Tolerance: none beyond round-off; coverage >= level
  everywhere. A draw-based check runs the same data through :func:`summarize`.
- Means and ratios of sums get a studentized bootstrap, which no finite-sample theorem covers
  (Bahadur and Savage 1956). Tolerance, fixed before measuring: at most twice the nominal miss
  rate (a 99.7 % interval at least a 99.4 % one), plus the Monte Carlo error (a one-sided
  binomial bound at 0.1 %), on exponential data (skewness 2, harder than the claims' cases).
  Measured (misses / nominal): mean 1.3x (n 10, 95 %), 2.3x (n 10, 99.2 %), 1.3x (n 30, 99.2 %),
  1.9x (n 20, 99.7 %); ratio 1.9x (n 30, 99.2 %). A ratio of ten skewed cases is beyond it:
  4.8x at 99.2 % (xfail, strict: it says so until fixed).
- The old rule (2000-resample percentile bootstrap) on the same data: mean 11x (n 10, 99.2 %),
  3.2x (n 30, 99.2 %), 9.5x (n 20, 99.7 %); ratio 10x (n 10) and 3.0x (n 30) at 99.2 %. The
  last test shows the tolerance rejects it, so the coverage test can fail.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.special import gammaln
from scipy.stats import binom

from ranklens.stats import family_level, mean_effect, net_preference_interval, ratio_effect, summarize

LEVELS = (0.95, family_level(6), family_level(16))
TOLERANCE = 2.0
"""Largest miss rate allowed, as a multiple of the nominal ``1 - level``, for the bootstrap intervals."""

Interval = Callable[[np.ndarray, np.ndarray, int, float], tuple[float, float]]


def outcome_counts(n: int) -> tuple[np.ndarray, np.ndarray]:
    agree, disagree = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    possible = agree + disagree <= n
    return agree[possible].astype(float), disagree[possible].astype(float)


def log_probability(agree: np.ndarray, disagree: np.ndarray, n: int, p_agree: float, p_disagree: float) -> np.ndarray:
    tied = n - agree - disagree
    log = gammaln(n + 1) - gammaln(agree + 1) - gammaln(disagree + 1) - gammaln(tied + 1)
    for count, p in ((agree, p_agree), (disagree, p_disagree), (tied, 1 - p_agree - p_disagree)):
        log = log + (count * np.log(p) if p > 1e-12 else np.where(count > 0, -np.inf, 0.0))
    return log


def exact_coverage(n: int, level: float, grid: list[tuple[float, float]]) -> list[float]:
    agree, disagree = outcome_counts(n)
    low, high = net_preference_interval(agree, disagree, n, level)
    coverage = []
    for p_agree, p_disagree in grid:
        effect = p_agree - p_disagree
        covers = (low <= effect + 1e-12) & (effect - 1e-12 <= high)
        coverage.append(float(np.exp(log_probability(agree, disagree, n, p_agree, p_disagree))[covers].sum()))
    return coverage


GRID = [(p, q) for p in np.linspace(0, 1, 21) for q in np.linspace(0, 1 - p, 9) if p + q > 0]


@pytest.mark.parametrize("n", [11, 50, 200])
@pytest.mark.parametrize("level", LEVELS)
def test_the_net_preference_interval_covers_every_effect_at_its_level(n: int, level: float) -> None:
    coverage = exact_coverage(n, level, GRID)
    worst = int(np.argmin(coverage))
    assert coverage[worst] >= level - 1e-9, f"covers {coverage[worst]:.5f} < {level:.5f} at (p+, p-) = {GRID[worst]}"


def test_summarize_reads_the_net_preference_interval_on_drawn_differences() -> None:
    """Continuous differences with P(d > delta) = 0.45, P(d < -delta) = 0.25: effect 0.2."""
    rng = np.random.default_rng(0)
    level, n, reps = 0.95, 50, 300
    effect = 0.2
    misses = 0
    for trial in range(reps):
        u = rng.random(n)
        d = np.where(u < 0.45, 1 + u, np.where(u < 0.7, -1 - u, u - 0.85))
        s = summarize(d, delta=0.5, seed=trial, level=level).effect
        misses += not s.ci_low <= effect <= s.ci_high
    assert misses <= binom.ppf(0.999, reps, 1 - level), f"{misses}/{reps} missed"


def studentized_mean(values: np.ndarray, _: np.ndarray, seed: int, level: float) -> tuple[float, float]:
    effect = mean_effect("m", values, seed=seed, level=level)
    return effect.ci_low, effect.ci_high


def studentized_ratio(num: np.ndarray, den: np.ndarray, seed: int, level: float) -> tuple[float, float]:
    effect = ratio_effect("r", num, den, seed=seed, level=level)
    return effect.ci_low, effect.ci_high


def old_percentile_mean(values: np.ndarray, _: np.ndarray, seed: int, level: float) -> tuple[float, float]:
    """The rule before: the central ``level`` of 2000 resampled means."""
    means = values[np.random.default_rng(seed).integers(0, len(values), size=(2000, len(values)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def exponential_mean(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    return rng.exponential(1.0, n), np.ones(n), 1.0


def skewed_ratio(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Gap-like denominators (gamma, mean 2) and a skewed gain around half of each: ratio 0.5."""
    den = rng.gamma(2.0, 1.0, n)
    return 0.5 * den + 0.5 * (rng.exponential(1.0, n) - 1.0), den, 0.5


Draw = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray, float]]


def misses(interval: Interval, draw: Draw, n: int, level: float, reps: int) -> int:
    rng = np.random.default_rng(n)
    missed = 0
    for trial in range(reps):
        num, den, truth = draw(rng, n)
        low, high = interval(num, den, trial, level)
        missed += not low <= truth <= high
    return missed


def allowed(reps: int, level: float) -> int:
    return int(binom.ppf(0.999, reps, TOLERANCE * (1 - level)))


@pytest.mark.parametrize(
    ("interval", "draw", "n", "level", "reps"),
    [
        (studentized_mean, exponential_mean, 10, 0.95, 1500),
        (studentized_mean, exponential_mean, 10, family_level(6), 2000),
        (studentized_mean, exponential_mean, 30, family_level(6), 1000),
        (studentized_mean, exponential_mean, 20, family_level(16), 800),
        (studentized_ratio, skewed_ratio, 30, family_level(6), 1000),
        (studentized_ratio, skewed_ratio, 30, 0.95, 1000),
        pytest.param(
            studentized_ratio,
            skewed_ratio,
            10,
            family_level(6),
            1500,
            marks=pytest.mark.xfail(reason="ratio of sums at n = 10: misses ~4.8x nominal (old rule ~10x)"),
        ),
    ],
    ids=[
        "mean-n10-95",
        "mean-n10-99.2",
        "mean-n30-99.2",
        "mean-n20-99.7",
        "ratio-n30-99.2",
        "ratio-n30-95",
        "ratio-n10-99.2",
    ],
)
def test_the_studentized_bootstrap_covers_within_tolerance(
    interval: Interval, draw: Draw, n: int, level: float, reps: int
) -> None:
    missed = misses(interval, draw, n, level, reps)
    assert missed <= allowed(reps, level), (
        f"missed {missed}/{reps} = {missed / reps / (1 - level):.1f}x the nominal {1 - level:.4f} "
        f"(allowed {allowed(reps, level)})"
    )


def test_the_tolerance_rejects_the_old_percentile_bootstrap() -> None:
    """The comparison, and the proof that the coverage test can fail: the old rule on the same data."""
    level, reps = family_level(6), 2000
    missed = misses(old_percentile_mean, exponential_mean, 10, level, reps)
    assert missed > allowed(reps, level), f"old rule missed only {missed}/{reps}"
