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
- **inconclusive**, whatever the interval, when the sample has fewer cases than the rule needs to
  reach *both* verdicts at its level (:func:`net_preference_bound`): a percentile bootstrap of one
  or two cases is a point, and a sample that could fail but never pass would judge its own size.
  The same smallest-n reasoning (:func:`fewest_cases`, :class:`CaseBound`) gives the invariants'
  and the claims' preconditions.
"""

from __future__ import annotations

import math
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


def fewest_cases(per_case: float, tail: float) -> int:
    """Smallest n with ``per_case ** n < tail``.

    ``per_case`` is the largest probability the null hypothesis allows for one case to come out
    the way most against it. The most extreme sample of n cases (all of them that way) then has
    probability at most ``per_case ** n`` under the null, and every other sample is less extreme,
    so no sample of fewer cases can reject the null at one-sided level ``tail``: n is the fewest
    cases with which the verdict that needs that rejection is reachable at all.
    """
    if not 0.0 <= per_case < 1.0:
        raise ValueError(f"per-case probability must be in [0, 1), got {per_case}")
    if per_case == 0.0:
        return 1
    n = max(1, math.ceil(math.log(tail) / math.log(per_case)))
    while per_case**n >= tail:  # the logarithms' round-off, never more than a step
        n += 1
    while n > 1 and per_case ** (n - 1) < tail:
        n -= 1
    return n


@dataclass(frozen=True)
class CaseBound:
    """The fewest cases with which a check could pass, and with which it could fail, at ``level``.

    Below :attr:`needed` a check is ``inconclusive``: a sample that can reach only one verdict (or
    none) would report its own size, not the model.
    """

    to_pass: int
    to_fail: int
    level: float
    basis: str
    """The test that sets the bounds, in words (shown in messages)."""

    @property
    def needed(self) -> int:
        return max(self.to_pass, self.to_fail)

    def shortfall(self, n: int, check: str) -> str | None:
        """Why ``n`` cases cannot decide ``check``, or None when they can."""
        if n >= self.needed:
            return None
        return (
            f"n={n} cases cannot decide {check} at the {self.level * 100:.1f} % level: "
            f"pass needs n ≥ {self.to_pass}, fail needs n ≥ {self.to_fail} ({self.basis}); "
            "raise --ranklens-sample-size"
        )


def net_preference_bound(level: float, *, min_effect: float = MIN_EFFECT) -> CaseBound:
    """The fewest cases :func:`decide` needs, for intervals at ``level`` (the family's).

    The effect is ``p+ - p-`` (probabilities of agreeing and disagreeing). Each interval end is a
    one-sided test at ``tail = (1 - level) / 2``, which is ``alpha / (2 m)`` for a family of m:

    - pass rejects ``p+ - p- <= c``: there ``p+ <= (1 + c) / 2`` (since ``p+ + p- <= 1``), so n
      cases all agreeing have probability at most ``((1 + c) / 2) ** n``;
    - the sign test's smallest p-value is ``2 * 0.5 ** n``, which Holm multiplies by at most m:
      ``0.5 ** n < tail`` lets it pass whatever the other checks do (implied when ``c >= 0``);
    - fail rejects ``p+ - p- >= c``: there ``p- <= (1 - c) / 2``, so n cases all disagreeing have
      probability at most ``((1 - c) / 2) ** n``.

    16 axioms at alpha 0.05 and c = 0.1: tail 0.0016, pass needs 11 (0.55 ** 11 = 0.0014), the
    sign test alone 10, fail 9 (0.45 ** 9 = 0.0008).
    """
    tail = (1 - level) / 2
    to_pass = max(fewest_cases((1 + min_effect) / 2, tail), fewest_cases(0.5, tail))
    basis = "below that even every case agreeing, or disagreeing, is not significant"
    return CaseBound(to_pass, fewest_cases((1 - min_effect) / 2, tail), level, basis)


def sign_bound(level: float) -> CaseBound:
    """The fewest cases a claim part needs: a mean (or ratio of sums) against a threshold.

    No test bounds a mean without assumptions on the cases' distribution (Bahadur and Savage,
    1956); the weakest distribution-free statement about where cases lie relative to a threshold
    is a sign test on their median, and n cases make it at one-sided level ``tail`` only when all
    fall on one side and ``0.5 ** n < tail``. With fewer, a bootstrap interval restates the
    sample's range. Six claims at alpha 0.05: tail 0.0042, so 8 cases (0.5 ** 8 = 0.0039).
    """
    n = fewest_cases(0.5, (1 - level) / 2)
    return CaseBound(n, n, level, "below that a sign test cannot place even the cases' median")


def zero_violation_bound(level: float, *, max_rate: float) -> CaseBound:
    """The fewest pairs an invariant needs: zero violations must bound the rate below ``max_rate``.

    With no violation in n pairs the exact (Clopper-Pearson) upper end at ``level`` is
    ``1 - tail ** (1 / n)``, below ``max_rate`` exactly when ``(1 - max_rate) ** n < tail``. A
    violation is a counterexample, not an estimate, so one pair can fail an invariant.
    At 95 % and a rate of 0.1: 36 pairs (0.9 ** 36 = 0.023 < 0.025).
    """
    basis = f"zero violations must bound the violation rate below {max_rate:g}; one violation fails"
    return CaseBound(fewest_cases(1 - max_rate, (1 - level) / 2), 1, level, basis)


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
    if len(d) and np.all(signs == signs[0]):
        sign_low, sign_high = _alike_interval(float(signs[0]), len(d), level)
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
    index = resamples(len(d), rng)
    return (*percentile_interval(signs[index].mean(axis=1), level), *percentile_interval(d[index].mean(axis=1), level))


def resamples(n: int, rng: np.random.Generator) -> np.ndarray:
    """Case indices of :data:`BOOTSTRAP_RESAMPLES` resamples of ``n`` cases with replacement:
    ``[resample, case]``. Resampling whole cases keeps paired measurements paired."""
    return rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))


def percentile_interval(statistics: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of a statistic's bootstrap distribution (undefined resamples,
    NaN, left out): the one percentile-bootstrap rule every interval in ranklens uses."""
    tail = (1 - level) / 2 * 100
    return float(np.nanpercentile(statistics, tail)), float(np.nanpercentile(statistics, 100 - tail))


def _alike_interval(sign: float, n: int, level: float) -> tuple[float, float]:
    """An exact interval for ``p+ - p-`` when all ``n`` signs equal ``sign``.

    Every bootstrap resample of such a sample is the sample itself, so the percentile interval is
    a point that would decide any n alone. Instead: the one-sided Clopper-Pearson bound says the
    share of that sign is at least ``r = tail ** (1 / n)``; all agreeing gives
    ``p+ - p- >= 2 r - 1``, all disagreeing ``<= 1 - 2 r``, all tied ``|p+ - p-| <= 1 - r``.
    """
    r = ((1 - level) / 2) ** (1 / n)
    if sign > 0:
        return (2 * r - 1, 1.0)
    if sign < 0:
        return (-1.0, 1 - 2 * r)
    return (r - 1, 1 - r)


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


def decide(
    effect: Effect, adjusted_p: float, *, n: int, min_effect: float = MIN_EFFECT, alpha: float = ALPHA
) -> Verdict:
    """The three-valued verdict rule of the module docstring, for ``n`` cases."""
    if n < net_preference_bound(effect.ci_level, min_effect=min_effect).needed:
        return Verdict.INCONCLUSIVE
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
    means = v[resamples(len(v), np.random.default_rng(seed))].mean(axis=1)
    return Effect(name, float(v.mean()), *percentile_interval(means, level), level, better=Better.HIGHER)


def ratio_effect(
    name: str, numerator: np.ndarray, denominator: np.ndarray, *, seed: int, level: float = 0.95
) -> Effect:
    """``sum(numerator) / sum(denominator)`` over cases, with a paired bootstrap over cases.

    A ratio of sums, not a mean of ratios: one case with a tiny denominator cannot dominate it.
    """
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    if len(num) == 0 or den.sum() == 0:
        return Effect(name, float("nan"), float("nan"), float("nan"), level, better=Better.HIGHER)
    index = resamples(len(num), np.random.default_rng(seed))
    ratios = num[index].sum(axis=1) / np.where(den[index].sum(axis=1) == 0, np.nan, den[index].sum(axis=1))
    return Effect(name, float(num.sum() / den.sum()), *percentile_interval(ratios, level), level, better=Better.HIGHER)


def decide_all(parts: Sequence[tuple[Effect, float]]) -> Verdict:
    """The interval rule of :func:`decide` for a claim made of several parts, each an effect
    and its threshold: **pass** when every interval lies above its threshold, **fail** when any
    lies below it, **inconclusive** otherwise (an undefined effect is inconclusive).

    Claims are judged on intervals at the family level (Bonferroni over the claims), which is a
    level-``alpha`` test of each part without a separate p-value. Whether each part has enough
    cases (:func:`sign_bound`) is the caller's precondition, checked before this rule."""
    if any(e.ci_high < t for e, t in parts):
        return Verdict.FAIL
    if parts and all(e.ci_low > t for e, t in parts):
        return Verdict.PASS
    return Verdict.INCONCLUSIVE
