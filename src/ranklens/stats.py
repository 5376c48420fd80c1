"""Statistics shared by every check: one module, so every verdict follows the same rules.

The verdict rule, written once (:func:`decide`):

- Each case yields a paired difference ``d`` oriented so that ``d > 0`` agrees with the property
  (e.g. s(query term appended) - s(filler appended)).
- A difference inside the model's neutral band ``|d| <= delta`` counts as a tie; ``delta`` is
  calibrated per model (:func:`neutral_band`), because a score gap of 0.01 is large for one model
  and noise for another (MacAvaney et al., ABNIRML, TACL 2022).
- The effect is ``(pos - neg) / n`` in [-1, 1]; its confidence interval is a seeded percentile
  bootstrap over cases at a level corrected for the number of checks in the family
  (Bonferroni on the interval, Holm on the p-values reported beside it).
- **pass** when the interval's lower end is above ``min_effect`` and the sign test rejects
  "no preference" after Holm correction; **fail** when the interval's upper end is below
  ``min_effect`` (the property is confidently absent or reversed); **inconclusive** otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import binomtest

from ranklens.verdicts import Better, Effect, Verdict

ALPHA = 0.05
"""Family-wise error rate of a suite's verdicts."""
MIN_EFFECT = 0.1
"""Smallest net preference (pos - neg)/n called a property of the model: one case in ten more
agreeing than disagreeing. Below that, a behaviour is too weak to rely on in a ranking."""
BOOTSTRAP_RESAMPLES = 2000


def proportion_ci(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a proportion; conservative, valid for k = 0 and small n."""
    if n == 0:
        return (0.0, 1.0)
    interval = binomtest(successes, n).proportion_ci(confidence_level=level, method="exact")
    return (float(interval.low), float(interval.high))


def neutral_band(rankings: Sequence[np.ndarray], *, top: int = 10) -> float:
    """Median gap between adjacent scores in each ranking's top ``top`` (ABNIRML's delta).

    ``rankings`` holds one array of candidate scores per query. Differences smaller than a typical
    gap between neighbouring documents would not change a ranking, so they count as ties.
    """
    gaps = [np.abs(np.diff(np.sort(scores)[::-1][:top])) for scores in rankings if len(scores) > 1]
    return float(np.median(np.concatenate(gaps))) if gaps else 0.0


@dataclass(frozen=True)
class PairedSummary:
    """Counts and effects of one check's paired differences."""

    n: int
    positive: int
    negative: int
    neutral: int
    effect: Effect
    """(pos - neg)/n with its bootstrap interval."""
    mean_difference: Effect
    """Mean paired difference (score units) with its bootstrap interval."""
    p_value: float
    """Two-sided sign test of pos against neg (ties dropped), before correction."""
    signs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Each case's -1 / 0 / +1 (their mean is the effect), for the paired release gate."""


def summarize(
    differences: np.ndarray, *, delta: float, seed: int, level: float = 0.95, ties_agree: bool = False
) -> PairedSummary:
    """Paired summary of ``differences`` with ties inside ``±delta``.

    ``ties_agree`` is for non-strict properties (s(a) >= s(b)): a tie then agrees.
    """
    d = np.asarray(differences, dtype=float)
    signs = np.where(d > delta, 1.0, np.where(d < -delta, -1.0, 1.0 if ties_agree else 0.0))
    positive, negative = int((signs > 0).sum()), int((signs < 0).sum())
    rng = np.random.default_rng(seed)
    sign_low, sign_high, mean_low, mean_high = _bootstrap(signs, d, rng, level)
    decided = positive + negative
    p_value = float(binomtest(positive, decided).pvalue) if decided else 1.0
    return PairedSummary(
        n=len(d),
        positive=positive,
        negative=negative,
        neutral=len(d) - decided,
        effect=Effect(
            "net_preference", float(signs.mean()) if len(d) else 0.0, sign_low, sign_high, level, better=Better.HIGHER
        ),
        mean_difference=Effect(
            "mean_difference", float(d.mean()) if len(d) else 0.0, mean_low, mean_high, level, better=Better.HIGHER
        ),
        p_value=p_value,
        signs=signs,
    )


def _bootstrap(signs: np.ndarray, d: np.ndarray, rng: np.random.Generator, level: float) -> tuple[float, ...]:
    if len(d) == 0:
        return (-1.0, 1.0, -np.inf, np.inf)
    index = rng.integers(0, len(d), size=(BOOTSTRAP_RESAMPLES, len(d)))  # [resample, case]
    tail = (1 - level) / 2 * 100
    sign_means, diff_means = signs[index].mean(axis=1), d[index].mean(axis=1)
    return (
        float(np.percentile(sign_means, tail)),
        float(np.percentile(sign_means, 100 - tail)),
        float(np.percentile(diff_means, tail)),
        float(np.percentile(diff_means, 100 - tail)),
    )


def family_level(family_size: int, *, alpha: float = ALPHA) -> float:
    """Confidence level of each interval so that the family's intervals hold jointly (Bonferroni)."""
    return 1 - alpha / max(family_size, 1)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (step-down, monotone), in input order."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


def decide(effect: Effect, adjusted_p: float, *, min_effect: float = MIN_EFFECT, alpha: float = ALPHA) -> Verdict:
    """The three-valued verdict rule of the module docstring."""
    if effect.ci_low > min_effect and adjusted_p < alpha:
        return Verdict.PASS
    if effect.ci_high < min_effect:
        return Verdict.FAIL
    return Verdict.INCONCLUSIVE


def mean_effect(name: str, values: np.ndarray, *, seed: int, level: float = 0.95) -> Effect:
    """Mean of per-case ``values`` with a seeded percentile-bootstrap interval (claims' effects)."""
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return Effect(name, float("nan"), float("nan"), float("nan"), level, better=Better.HIGHER)
    index = np.random.default_rng(seed).integers(0, len(v), size=(BOOTSTRAP_RESAMPLES, len(v)))
    means = v[index].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return Effect(
        name,
        float(v.mean()),
        float(np.percentile(means, tail)),
        float(np.percentile(means, 100 - tail)),
        level,
        better=Better.HIGHER,
    )


def ratio_effect(
    name: str, numerator: np.ndarray, denominator: np.ndarray, *, seed: int, level: float = 0.95
) -> Effect:
    """``sum(numerator) / sum(denominator)`` over cases, with a paired bootstrap over cases.

    A ratio of sums, not a mean of ratios: one case with a tiny denominator cannot dominate it.
    """
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    if len(num) == 0 or den.sum() == 0:
        return Effect(name, float("nan"), float("nan"), float("nan"), level, better=Better.HIGHER)
    index = np.random.default_rng(seed).integers(0, len(num), size=(BOOTSTRAP_RESAMPLES, len(num)))
    ratios = num[index].sum(axis=1) / np.where(den[index].sum(axis=1) == 0, np.nan, den[index].sum(axis=1))
    tail = (1 - level) / 2 * 100
    return Effect(
        name,
        float(num.sum() / den.sum()),
        float(np.nanpercentile(ratios, tail)),
        float(np.nanpercentile(ratios, 100 - tail)),
        level,
        better=Better.HIGHER,
    )


def decide_all(parts: Sequence[tuple[Effect, float]]) -> Verdict:
    """The interval rule of :func:`decide` for a claim made of several parts, each an effect
    and its threshold: **pass** when every interval lies above its threshold, **fail** when any
    lies below it, **inconclusive** otherwise (an undefined effect is inconclusive).

    Claims are judged on intervals at the family level (Bonferroni over the claims), which is a
    level-``alpha`` test of each part without a separate p-value."""
    if any(e.ci_high < t for e, t in parts):
        return Verdict.FAIL
    if parts and all(e.ci_low > t for e, t in parts):
        return Verdict.PASS
    return Verdict.INCONCLUSIVE
