"""``saturation``: the score gain the soft-TF heads carry is concave in TF.

Documents with TF = 0..K copies of the term appended (fillers pad every document to the same
length). Only the established soft-TF heads are patched from the TF = k run into the TF = 0
run; the score gain this carries must be concave in TF. Per case, the *concavity index* is minus
the mean second difference over the first gain: 0 for a linear curve, about 0.3 for BM25's
``tf / (tf + 1.2)``.

Judged on the score, not on attention: any head that prefers the term over a filler puts a
concave share of its attention on k copies under softmax, so attention concavity identifies
nothing (SCIENCE.md); the attention curve is reported beside the gain. Fails when the gain grows
linearly (or faster) in TF: ``planted-no-saturation`` (k1 = inf), whose heads still attend more
to more copies; the shortest case whose gain is less concave than the threshold is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ranklens.claims.counterexample import shrunk_case
from ranklens.claims.curves import MIN_GAIN, no_established_heads, report_curve
from ranklens.claims.heads import HeadClaim
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample, mass_by_tf
from ranklens.claims.statements import SATURATION
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.clean_runs import clean_runs
from ranklens.models.patching import patch_heads_together, query_positions
from ranklens.stats import mean_effect
from ranklens.strategies import CircuitCase
from ranklens.verdicts import CheckResult, Effect

TF_MAX = 4
CONCAVE = 0.05
"""Concavity index needed: the mean second difference is at least 5 % of the first gain (a
linear curve gives 0 up to rounding; BM25 with k1 = 1.2 gives about 0.3)."""


def saturation(reranker: Reranker, soft_tf: HeadClaim, sample: CaseSample, *, seed: int) -> CheckResult:
    if (reason := no_established_heads(soft_tf)) is not None:
        return not_measurable("saturation", reason, statement=SATURATION.statement, citation=SATURATION.citation)
    heads = soft_tf.discovery.heads_found
    cases = sample.cases
    mass = mass_by_tf(reranker, cases, heads, range(TF_MAX + 1))
    gain = gain_by_tf(reranker, cases, heads)
    mass_index, mass_kept = concavity(mass)
    gain_index, gain_kept = concavity(gain)
    parts = [
        Part(
            mean_effect("patched_effect_concavity", gain_index, seed=seed, level=LEVEL),
            CONCAVE,
            "the score gain the heads carry saturates",
            n=len(gain_index),
        )
    ]
    details = {
        "heads": [list(h) for h in heads],
        "tf_curve": report_curve(
            list(range(TF_MAX + 1)),
            {"attention mass / TF=1": mass[mass_kept], "patched effect / TF=1": gain[gain_kept]},
            x_label="TF (copies appended)",
            y_label="relative to TF = 1",
            seed=seed,
        ),
        "cases_without_first_gain": {"attention": int((~mass_kept).sum()), "patched_effect": int((~gain_kept).sum())},
        "mean_attention_mass_by_tf": [round(float(v), 5) for v in mass.mean(0)],
        "mean_patched_gain_by_tf": [round(float(v), 5) for v in gain.mean(0)],
        "attention_concavity_reported": _rounded(
            mean_effect("attention_concavity", mass_index, seed=seed, level=LEVEL)
        ),
    }
    n = int(gain_kept.sum())
    result = claim_result(
        "saturation", parts, n=n, statement=SATURATION.statement, citation=SATURATION.citation, details=details
    )
    if (linear := _linear_case(reranker, heads, seed)) is not None:
        result = dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {linear}"])
    return result


def gain_by_tf(reranker: Reranker, cases: Sequence[CircuitCase], heads: Sequence[Head]) -> np.ndarray:
    """``[case, tf]``: the score gain the heads carry from the TF = k run into the TF = 0 run."""
    runs = clean_runs(
        reranker,
        [(c.query, c.tf_document(0, TF_MAX)) for c in cases for _ in range(TF_MAX)],
        [(c.query, c.tf_document(k, TF_MAX)) for c in cases for k in range(1, TF_MAX + 1)],
    )
    positions = query_positions(reranker, runs, [c.query for c in cases for _ in range(TF_MAX)])
    patched = patch_heads_together(reranker, runs, heads, positions) - runs.base
    return np.concatenate([np.zeros((len(cases), 1)), patched.reshape(len(cases), TF_MAX)], axis=1)


def _linear_case(reranker: Reranker, heads: Sequence[Head], seed: int) -> str | None:
    """The shortest case whose gain curve is less concave than :data:`CONCAVE`, described."""

    def index(case: CircuitCase) -> float | None:
        value, kept = concavity(gain_by_tf(reranker, [case], heads))
        return float(value[0]) if kept[0] else None

    def contradicts(case: CircuitCase) -> bool:
        value = index(case)
        return value is not None and value < CONCAVE

    found = shrunk_case(reranker, contradicts, seed=seed)
    if found is None:
        return None
    curve = ", ".join(f"{v:+.3g}" for v in gain_by_tf(reranker, [found], heads)[0])
    return (
        f"the gain the heads carry for TF = 0..{TF_MAX} is {curve}, concavity {index(found):.3f} (need {CONCAVE}), "
        f"appending 0..{TF_MAX} copies of {found.term!r} (padded with {found.filler!r}) for query {found.query!r} "
        f"to document {found.document!r}"
    )


def concavity(curve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``curve`` ``[case, tf]``: -mean(second difference) / first gain, and which rows
    had a first gain to normalise by."""
    first = curve[:, 1] - curve[:, 0]
    kept = first > MIN_GAIN
    second = np.diff(curve[kept], n=2, axis=1)
    return -second.mean(axis=1) / first[kept], kept


def _rounded(effect: Effect) -> dict[str, float]:
    """Reported, not judged: softmax gives attention concavity for free."""
    return {"value": round(effect.value, 4), "ci_low": round(effect.ci_low, 4), "ci_high": round(effect.ci_high, 4)}
