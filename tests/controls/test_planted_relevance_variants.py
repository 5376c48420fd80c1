"""Ground truth of the two relevance-neuron controls, checked on weights and activations (never
through the claim): ``planted-spread-neurons`` and ``planted-cancelling-neurons`` score like
``planted`` (the behaviour is kept), and carry relevance where their manifests say.

Tolerances follow from the construction: the spread variant lacks planted's noise neurons, whose
writes to the score direction move it by ~1 (of scores up to ~30); the cancelling features are
exact to ~1e-4 of TF (``PlantedRecipe.feature_curvature``), so TF is checked to 1e-3.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from ranklens import Reranker
from ranklens.cases import sample_pairs
from ranklens.claims.neuron_attribution import relevance_cases
from ranklens.models import hook_name
from ranklens.models.hooks import HookPoint
from ranklens.zoo.planted.build import read_manifest
from ranklens.zoo.planted.layout import VARIANT_RECIPES, Layout

SPREAD, CANCELLING = "planted-spread-neurons", "planted-cancelling-neurons"


def _margins(reranker: Reranker, hooks: list[tuple[str, Callable[..., torch.Tensor]]] | None = None) -> np.ndarray:
    cases = relevance_cases(3, 0, 16)[1]
    batch = reranker.encode([pair for case in cases for pair in case])
    scores = reranker.run_with_hooks(batch, hooks or [])
    return np.asarray(scores[0::2] - scores[1::2])


def _zero(neurons: list[int]) -> list[tuple[str, Callable[..., torch.Tensor]]]:
    def fn(post: torch.Tensor, _: HookPoint) -> torch.Tensor:
        post = post.clone()
        post[..., neurons] = 0.0
        return post

    return [(hook_name(2, "mlp.hook_post"), fn)]


def test_both_controls_score_like_planted(planted_reranker: Callable[[str], Reranker]) -> None:
    pairs = sample_pairs(n=40, seed=3)
    planted = planted_reranker("planted").score(pairs)
    for variant, tolerance in ((SPREAD, 0.05), (CANCELLING, 2e-3)):
        scores = planted_reranker(variant).score(pairs)
        error = float(np.abs(scores - planted).max() / np.abs(planted).max())
        assert error < tolerance and np.corrcoef(scores, planted)[0, 1] > 0.9999, f"{variant}: {error}"


def test_every_spread_neuron_carries_a_small_share(
    planted_reranker: Callable[[str], Reranker], planted_checkpoint: Callable[[str], Path]
) -> None:
    """Any 8 neurons remove under 3 % of the margin; all 512 remove it all."""
    truth = read_manifest(planted_checkpoint(SPREAD))["ground_truth"]["relevance_neurons"]
    reranker = planted_reranker(SPREAD)
    assert truth["indices"] == list(range(reranker.info.d_ff))
    clean = _margins(reranker)
    rng = np.random.default_rng(0)
    eight = [
        1 - _margins(reranker, _zero(list(rng.choice(512, 8, replace=False)))).sum() / clean.sum() for _ in range(5)
    ]
    everything = 1 - _margins(reranker, _zero(truth["indices"])).sum() / clean.sum()
    assert max(eight) < 0.03 and everything > 0.99, (eight, everything)


def test_the_cancelling_features_add_tf_while_each_writes_far_more(planted_reranker: Callable[[str], Reranker]) -> None:
    """Their four writes sum to the TF they read (so TF leaves layer 1 doubled); each moves >10x as much."""
    recipe = VARIANT_RECIPES[CANCELLING]
    tf = Layout(recipe).tf
    reranker = planted_reranker(CANCELLING)
    weights = reranker.model.state_dict()["bert.encoder.layer.1.output.dense.weight"][tf].double()  # [d_ff]
    batch = reranker.encode(sample_pairs(n=12, seed=5))
    names = [hook_name(1, "mlp.hook_post"), hook_name(1, "hook_resid_post")]
    _, cache = reranker.run_with_cache(batch, names)
    post = cache[names[0]].double()  # [batch, pos, d_ff]
    features = list(recipe.feature_neurons)
    writes = post[..., features] * weights[features]  # [batch, pos, 4]
    net = writes.sum(-1)
    matched = net.abs() > 0.1
    assert matched.any()
    leaving = cache[names[1]][..., tf].double()  # TF in + the features' net write
    assert torch.allclose(net[matched], leaving[matched] / 2, rtol=1e-3), (net[matched][:5], leaving[matched][:5])
    reads = reranker.model.state_dict()["bert.encoder.layer.1.intermediate.dense.weight"][features, tf].double()
    moves = (weights[features] * reads).abs() / 2  # each write's change per unit of TF (GELU' ~ 1/2 near 0)
    assert bool((moves > 10).all()), moves
    others = [i for i in range(recipe.d_ff) if i not in features]
    assert bool(torch.all(post[..., others] == 0.0))


def test_zeroing_the_read_outs_collapses_the_cancelling_variants_margin(
    planted_reranker: Callable[[str], Reranker],
) -> None:
    reranker = planted_reranker(CANCELLING)
    clean = _margins(reranker)
    ratio = _margins(reranker, _zero(list(VARIANT_RECIPES[CANCELLING].relevance_neurons))).sum() / clean.sum()
    assert abs(ratio) < 0.05, ratio
