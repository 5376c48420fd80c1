"""Curve claims on the soft-TF heads found: ``saturation`` and ``length_normalization``.

Both are measured on the confirmation cases, for the heads the discovery half found (never
selected on the cases they are judged on), with attention read as in :mod:`.attention`, and
only once ``soft_tf_heads`` has passed: a head that attends broadly dilutes with length and
gathers more mass on more copies whatever it computes, so the curves mean something only for
heads shown to carry the matching effect.

- **saturation**: documents with TF = 0..K copies of the term appended (fillers pad every
  document to the same length). The heads' attention mass on the copies, and the score gain of
  patching only those heads from the TF = k run into the TF = 0 run, must be concave in TF. Per
  case, the *concavity index* is minus the mean second difference over the first gain: 0 for a
  linear curve, about 0.3 for BM25's ``tf / (tf + 1.2)``.
- **length_normalization**: the term twice, then n unrelated one-token words (sharing no token
  with the query) appended; the heads' attention mass on the two copies must fall as n grows.
  Per case, the relative drop from n = 0 to the largest n.
"""

from __future__ import annotations

import numpy as np

from ranklens.claims.attention import copies_mass, mass_by_tf
from ranklens.claims.cases import CaseSample, unrelated_tokens
from ranklens.claims.head_claims import HeadClaim
from ranklens.claims.patching import clean_runs, patch_heads_together, query_positions
from ranklens.claims.result import LEVEL, Part, claim_result, not_measurable
from ranklens.models import Reranker
from ranklens.stats import mean_effect
from ranklens.verdicts import CheckResult, Verdict

Head = tuple[int, int]
TF_MAX = 4
APPENDED = (0, 16, 32, 64)
CONCAVE = 0.05
"""Concavity index needed: the mean second difference is at least 5 % of the first gain (a
linear curve gives 0 up to rounding; BM25 with k1 = 1.2 gives about 0.3)."""
LENGTH_DROP = 0.05
"""Relative attention lost to 64 unrelated tokens: at least 5 % (BM25's b = 0.75 loses ~18 %
on an average-length document; no length normalisation loses none)."""
MIN_GAIN = 1e-6
CITATION = "Lu, Chen, Eickhoff, 'Cross-Encoder Rediscovers a Semantic Variant of BM25' (arXiv 2502.04645), Sec. 4"
SATURATION = (
    "The soft-TF heads saturate: their attention mass on the matching tokens, and the score gain "
    "they carry, grow with TF at a decreasing rate (concave in TF = 0..K)."
)
LENGTH = (
    "The soft-TF heads are length-normalised: with the term count fixed, their attention mass on "
    "the matching tokens falls as unrelated text is added to the document."
)


def saturation(reranker: Reranker, soft_tf: HeadClaim, sample: CaseSample, *, seed: int) -> CheckResult:
    if (reason := _no_heads(soft_tf)) is not None:
        return not_measurable("saturation", reason, statement=SATURATION, citation=CITATION)
    heads = soft_tf.discovery.heads_found
    cases = sample.cases
    mass = mass_by_tf(reranker, cases, heads, range(TF_MAX + 1))
    runs = clean_runs(
        reranker,
        [(c.query, c.tf_document(0, TF_MAX)) for c in cases for _ in range(TF_MAX)],
        [(c.query, c.tf_document(k, TF_MAX)) for c in cases for k in range(1, TF_MAX + 1)],
    )
    positions = query_positions(reranker, runs, [c.query for c in cases for _ in range(TF_MAX)])
    patched = patch_heads_together(reranker, runs, heads, positions) - runs.base
    gain = np.concatenate([np.zeros((len(cases), 1)), patched.reshape(len(cases), TF_MAX)], axis=1)
    mass_index, mass_kept = _concavity(mass)
    gain_index, gain_kept = _concavity(gain)
    parts = [
        Part(
            mean_effect("attention_concavity", mass_index, seed=seed, level=LEVEL),
            CONCAVE,
            "attention saturates",
            n=len(mass_index),
        ),
        Part(
            mean_effect("patched_effect_concavity", gain_index, seed=seed, level=LEVEL),
            CONCAVE,
            "the gain saturates",
            n=len(gain_index),
        ),
    ]
    details = {
        "heads": [list(h) for h in heads],
        "tf_curve": _curve(
            list(range(TF_MAX + 1)),
            {"attention mass / TF=1": mass[mass_kept], "patched effect / TF=1": gain[gain_kept]},
            x_label="TF (copies appended)",
            y_label="relative to TF = 1",
            seed=seed,
        ),
        "cases_without_first_gain": {"attention": int((~mass_kept).sum()), "patched_effect": int((~gain_kept).sum())},
        "mean_attention_mass_by_tf": [round(float(v), 5) for v in mass.mean(0)],
        "mean_patched_gain_by_tf": [round(float(v), 5) for v in gain.mean(0)],
    }
    n = int(min(mass_kept.sum(), gain_kept.sum()))
    return claim_result("saturation", parts, n=n, statement=SATURATION, citation=CITATION, details=details)


def length_normalization(reranker: Reranker, soft_tf: HeadClaim, sample: CaseSample, *, seed: int) -> CheckResult:
    if (reason := _no_heads(soft_tf)) is not None:
        return not_measurable("length_normalization", reason, statement=LENGTH, citation=CITATION)
    heads = soft_tf.discovery.heads_found
    rng = np.random.default_rng([seed, 31])
    rows, cases = [], []
    for case in sample.cases:
        extra = unrelated_tokens(reranker, case.query, max(APPENDED), rng)
        docs = [(case.query, case.with_appended([case.term, case.term, *(extra or [])[:n]])) for n in APPENDED]
        if extra is not None and bool(reranker.fits(docs).all()):
            rows += docs
            cases += [case] * len(APPENDED)
    if not rows:
        return not_measurable("length_normalization", "no case fits the window", statement=LENGTH, citation=CITATION)
    mass = copies_mass(reranker, rows, cases, heads).reshape(-1, len(APPENDED))
    kept = mass[:, 0] > MIN_GAIN
    drop = (mass[kept, 0] - mass[kept, -1]) / mass[kept, 0]
    effect = mean_effect("relative_attention_drop", drop, seed=seed, level=LEVEL)
    parts = [Part(effect, LENGTH_DROP, "attention falls", n=len(drop))]
    details = {
        "heads": [list(h) for h in heads],
        "length_curve": _curve(
            list(APPENDED),
            {"attention mass / no text added": mass[kept]},
            x_label="unrelated tokens appended",
            y_label="relative attention mass",
            seed=seed,
            normalise_at=0,
        ),
        "mean_attention_mass_by_length": [round(float(v), 5) for v in mass.mean(0)],
        "monotone_fraction": round(float(np.mean(np.all(np.diff(mass[kept], axis=1) <= 0, axis=1))), 4),
        "cases_without_attention": int((~kept).sum()),
    }
    return claim_result(
        "length_normalization", parts, n=len(drop), statement=LENGTH, citation=CITATION, details=details
    )


def _no_heads(soft_tf: HeadClaim) -> str | None:
    """The curve claims are about *established* soft-TF heads: any head that attends broadly
    dilutes with length and gathers more mass on more copies whatever it computes, so without
    them the curves would say nothing."""
    if soft_tf.result.verdict != Verdict.PASS:
        return f"soft_tf_heads is {soft_tf.result.verdict}, so there are no established soft-TF heads to examine"
    return None


def _concavity(curve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``curve`` ``[case, tf]``: -mean(second difference) / first gain, and which rows
    had a first gain to normalise by."""
    first = curve[:, 1] - curve[:, 0]
    kept = first > MIN_GAIN
    second = np.diff(curve[kept], n=2, axis=1)
    return -second.mean(axis=1) / first[kept], kept


def _curve(
    x: list[int], series: dict[str, np.ndarray], *, x_label: str, y_label: str, seed: int, normalise_at: int = 1
) -> dict[str, object]:
    """A report curve: each series' per-case values over the value at ``x[normalise_at]``, mean and interval."""
    drawn = []
    for label, values in series.items():
        if len(values) == 0:
            continue
        relative = values / values[:, normalise_at : normalise_at + 1]
        effects = [mean_effect(label, relative[:, i], seed=seed, level=LEVEL) for i in range(len(x))]
        drawn.append(
            {
                "label": label,
                "y": [round(e.value, 5) for e in effects],
                "ci_low": [round(e.ci_low, 5) for e in effects],
                "ci_high": [round(e.ci_high, 5) for e in effects],
            }
        )
    return {"x": x, "series": drawn, "x_label": x_label, "y_label": y_label}
