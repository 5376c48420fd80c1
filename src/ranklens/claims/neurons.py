"""The ``relevance_neurons`` claim: a few FFN neurons carry the relevant-vs-non-relevant margin.

Vast et al. (ICTIR 2024) find relevance neurons with neuron integrated gradients and show that
pruning them hurts ranking far more than pruning as many random neurons. Ranking neurons by the
size of their attribution and mean-ablating them is fooled by features computed by cancelling
units (one half of a difference of squares, or a ReLU decomposition of a concave read-out such as
planted's ln(IDF) knots): each such unit is attributed many times the whole score difference,
and mean-ablating it wrecks the computation, so the ablation "removes more margin than random"
while the units named compute a feature upstream instead of carrying relevance. Here, each case
is a query with a relevant and a non-relevant passage, and:

- **attribution** (:mod:`ranklens.claims.neuron_attribution`): integrated gradients per input
  (query blanked to [PAD] as baseline), summed over the shared prefix ([CLS], query, first [SEP]);
  a neuron's **share** of a case is its attribution on the relevant input minus that on the
  non-relevant one, over the case's margin s(q, relevant) - s(q, non-relevant);
- **discovery**: a neuron carries relevance when its share lies in (0, 1] in every discovery
  case: the margin's sign, and no more than the whole margin. A share above 1 is more than there
  is to carry: other neurons must cancel it, so it computes an intermediate, not relevance. The
  top-k such neurons by their smallest share are named;
- **confirmation**: on held-out queries, the neurons found are patched at the shared prefix with
  their activations on the non-relevant input (real activations, not an off-distribution mean),
  against as many random neurons of the same layers (:data:`RANDOM_DRAWS` draws). The effect is
  the extra margin removed, as a fraction of the margin, on cases whose margin exceeds the
  neutral band (every case: ``details["all_cases"]``, a sensitivity analysis).

**Fails** when the interval of that excess lies below :data:`EXCESS`: the best consistent
carriers remove hardly more margin than random neurons, so no small set carries relevance
(``planted-spread-neurons``: R shared by all 512 neurons of a layer). **Inconclusive** when the
model does not separate relevant from non-relevant passages, when integrated gradients miss
completeness, or when no neuron carries a bounded share in every discovery case.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ranklens.claims.neuron_attribution import (
    Attribution,
    Neuron,
    attributions,
    patch_neurons,
    relevance_cases,
    shared_prefix,
)
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.statements import RELEVANCE_NEURONS
from ranklens.models import Reranker, hook_name
from ranklens.models.patching import Progress
from ranklens.stats import mean_effect, ratio_effect
from ranklens.verdicts import CheckResult

MAX_COMPLETENESS_ERROR = 0.05
RANDOM_DRAWS = 30
EXCESS = 0.1
"""The neurons found must remove at least 10 % more of the margin than random ones: a smaller
excess would not single out a set of neurons as carrying relevance."""
MAX_SHARE = 1.0
"""A part cannot carry more than the whole: not a tuned bound, the definition of a share."""


def top_k(reranker: Reranker) -> int:
    """0.5 % of the FFN neurons, at least 8."""
    return max(8, math.ceil(0.005 * reranker.info.n_layers * reranker.info.d_ff))


def relevance_neurons(
    reranker: Reranker,
    *,
    n_pairs: int,
    n_queries: int,
    delta: float,
    seed: int,
    steps: int = 20,
    progress: Progress | None = None,
) -> CheckResult:
    """``n_pairs`` inputs for integrated gradients (``n_pairs // 2`` discovery queries, each with a
    relevant and a non-relevant passage: the cost of ``n_pairs`` attributions), ``n_queries``
    confirmation queries; ``delta`` is the model's neutral band."""
    discover, confirm = relevance_cases(seed, n_pairs // 2, n_queries)
    if not discover or not confirm:
        return _inconclusive(
            "the case source has no query with a relevant passage in both the discovery and the confirmation "
            "half: relevance neurons need relevance judgements (BEIR qrels, or a positive label in JSONL rows)",
            {"discovery_cases": len(discover), "confirmation_cases": len(confirm)},
        )
    positive = reranker.encode([relevant for relevant, _ in confirm])
    negative = reranker.encode([other for _, other in confirm])
    relevant_scores = reranker.forward(positive)
    clean = relevant_scores - reranker.forward(negative)
    margin = mean_effect("margin", clean, seed=seed, level=LEVEL)
    if not margin.ci_low > 0:
        return _inconclusive(
            f"the model does not separate relevant from non-relevant passages (margin {margin.value:+.3g} "
            f"[{margin.ci_low:+.3g}, {margin.ci_high:+.3g}]): no relevance to carry",
            {"clean_margin": round(margin.value, 5)},
            n=len(clean),
        )
    inputs = [pair for case in discover for pair in case]
    discovery_scores = reranker.forward(reranker.encode(inputs))
    discovery_margin = discovery_scores[0::2] - discovery_scores[1::2]
    attribution = attributions(reranker, inputs, delta=delta, steps=steps, progress=progress)
    details: dict[str, Any] = {
        "completeness_error": round(attribution.completeness_error, 5),
        "ig": f"integrated gradients per layer on mlp.hook_post, {steps} Gauss-Legendre nodes, "
        "baseline = query tokens -> [PAD]; completeness error relative to the larger of the expected "
        f"difference and the neutral band ({delta:.3g}); share = (IG on relevant - IG on non-relevant) "
        "at [CLS], query and first [SEP], over the case's margin",
        "discovery_cases": f"{int((discovery_margin > delta).sum())} of {len(discover)} (margin > neutral band)",
        "clean_margin": round(margin.value, 5),
    }
    if attribution.completeness_error > MAX_COMPLETENESS_ERROR:
        return _inconclusive(
            f"integrated gradients with {steps} nodes missed completeness by {attribution.completeness_error:.1%} "
            f"(bound {MAX_COMPLETENESS_ERROR:.0%}): the attributions do not add up to the score, so their "
            f"ranking of neurons is not trusted; integrate more finely (relevance_neurons(..., steps={2 * steps}))",
            details,
        )
    shares = _shares(attribution, discovery_margin, delta)
    if shares is None:
        return _inconclusive("no discovery query's margin exceeds the neutral band: no share to measure", details)
    found, carried = _carriers(shares, top_k(reranker))
    details |= {"neurons_found": [list(n) for n in found], "found_min_share": carried}
    details["layers"] = _layer_picture(shares, attribution, discovery_margin, delta)
    if not found:
        return _inconclusive(
            f"no neuron carries a share of the margin in (0, {MAX_SHARE:g}] in every discovery case", details
        )
    names = sorted({hook_name(layer, "mlp.hook_post") for layer, _ in found})
    _, source = reranker.run_with_cache(negative, names)
    mask = shared_prefix(reranker, positive)

    def drop(neurons: list[Neuron]) -> np.ndarray:
        return np.asarray(relevant_scores - reranker.run_with_hooks(positive, patch_neurons(neurons, source, mask)))

    drop_found = drop(found)
    rng = np.random.default_rng([seed, 53])
    random_drops = np.stack([drop(_draw(found, reranker.info.d_ff, rng)) for _ in range(RANDOM_DRAWS)])  # [draw, q]
    kept = clean > delta
    excess = ratio_effect(
        "excess_margin_drop", (drop_found - random_drops.mean(0))[kept], clean[kept], seed=seed, level=LEVEL
    )
    every = ratio_effect("excess_margin_drop", drop_found - random_drops.mean(0), clean, seed=seed, level=LEVEL)
    details["all_cases"] = {
        "n": len(clean),
        "excess_margin_drop": [round(v, 5) for v in (every.value, every.ci_low, every.ci_high)],
        "note": "sensitivity analysis: the same effect on every confirmation case, margins inside the band included",
    }
    details["ablation"] = {
        "effect": round(float(drop_found[kept].mean()), 5),
        "random": [round(float(v), 5) for v in random_drops[:, kept].mean(1)],
        "label": "margin drop when patched from the non-relevant input",
    }
    n = int(kept.sum())
    parts = [Part(excess, EXCESS, "the neurons found carry more of the margin than random ones", n=n)]
    return claim_result(
        "relevance_neurons",
        parts,
        n=n,
        statement=RELEVANCE_NEURONS.statement,
        citation=RELEVANCE_NEURONS.citation,
        details=details,
    )


def _shares(attribution: Attribution, margin: np.ndarray, delta: float) -> np.ndarray | None:
    """``[case, layer, d_ff]`` shares of the margin, on cases whose margin exceeds the band."""
    kept = margin > delta
    if not kept.any():
        return None
    difference = attribution.shared[0::2] - attribution.shared[1::2]
    return np.asarray(difference[kept] / margin[kept, None, None])


def _carriers(shares: np.ndarray, k: int) -> tuple[list[Neuron], list[float]]:
    """The top-``k`` neurons whose share lies in (0, MAX_SHARE] in every case, by their smallest share."""
    bounded = ((shares > 0) & (shares <= MAX_SHARE)).all(0)  # [layer, d_ff]
    smallest = np.where(bounded, shares.min(0), -np.inf)
    order = [int(i) for i in np.argsort(-smallest, axis=None)[:k] if np.isfinite(smallest.flat[int(i)])]
    d_ff = shares.shape[2]
    return [(i // d_ff, i % d_ff) for i in order], [round(float(smallest.flat[i]), 5) for i in order]


def _layer_picture(
    shares: np.ndarray, attribution: Attribution, margin: np.ndarray, delta: float
) -> list[dict[str, Any]]:
    """Per layer: net and absolute mean share, at the shared prefix and at every position, and the
    neurons with the largest mean |share| (where cancelling features show up)."""
    mean = shares.mean(0)  # [layer, d_ff]
    kept = margin > delta
    every = ((attribution.total[0::2] - attribution.total[1::2])[kept] / margin[kept, None, None]).mean(0)
    picture = []
    for layer, row in enumerate(mean):
        top = np.argsort(-np.abs(row))[:4]
        picture.append(
            {
                "layer": layer,
                "net_share": round(float(row.sum()), 4),
                "abs_share": round(float(np.abs(row).sum()), 4),
                "net_share_all_positions": round(float(every[layer].sum()), 4),
                "abs_share_all_positions": round(float(np.abs(every[layer]).sum()), 4),
                "largest": [[int(n), round(float(row[n]), 4)] for n in top],
            }
        )
    return picture


def _inconclusive(reason: str, details: dict[str, Any], *, n: int = 0) -> CheckResult:
    return not_measurable(
        "relevance_neurons",
        reason,
        statement=RELEVANCE_NEURONS.statement,
        citation=RELEVANCE_NEURONS.citation,
        details=details,
        n=n,
    )


def _draw(found: list[Neuron], d_ff: int, rng: np.random.Generator) -> list[Neuron]:
    """As many random neurons per layer as were found there, none of the found ones."""
    drawn: list[Neuron] = []
    for layer in sorted({layer for layer, _ in found}):
        taken = {n for lay, n in found if lay == layer}
        pool = [n for n in range(d_ff) if n not in taken]
        drawn += [(layer, int(n)) for n in rng.choice(pool, size=len(taken), replace=False)]
    return drawn
