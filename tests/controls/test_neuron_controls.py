"""``relevance_neurons`` against planted ground truth, including the two controls that can break it.

- ``planted-spread-neurons`` ranks right (R is computed) but every layer-2 neuron carries a small
  share of it: the claim's "a small set carries it" must **fail**.
- ``planted-cancelling-neurons`` adds four layer-1 neurons that compute ``c * tf`` as a sum of GELU
  curvatures; each is attributed ~26x the margin and cancels against its partner. The claim must
  still name the layer-2 read-out neurons, while the old protocol (rank by |IG|, mean-ablate)
  names the feature neurons and passes: the negative control for the protocol.

Same quick-profile samples as ``test_circuit_controls.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest
import torch

from ranklens import Reranker
from ranklens.axioms import calibrate_delta
from ranklens.claims.neuron_attribution import Neuron, attributions, relevance_cases
from ranklens.claims.neurons import EXCESS, MAX_COMPLETENESS_ERROR, relevance_neurons, top_k
from ranklens.models import hook_name
from ranklens.models.interventions import FwdHook, set_neurons
from ranklens.testing import RELEVANCE
from ranklens.verdicts import CheckResult, Verdict
from ranklens.zoo.planted.layout import VARIANT_RECIPES

SEED = 0
CANCELLING = "planted-cancelling-neurons"
Claim = Callable[[str], CheckResult]


@pytest.fixture(scope="module")
def delta(planted_reranker: Callable[[str], Reranker]) -> Callable[[str], float]:
    return functools.cache(lambda variant: calibrate_delta(planted_reranker(variant), seed=SEED))


@pytest.fixture(scope="module")
def claim(planted_reranker: Callable[[str], Reranker], delta: Callable[[str], float]) -> Claim:
    pairs, queries = RELEVANCE["quick"]

    @functools.cache
    def get(variant: str) -> CheckResult:
        reranker = planted_reranker(variant)
        return relevance_neurons(reranker, n_pairs=pairs, n_queries=queries, delta=delta(variant), seed=SEED)

    return get


@pytest.mark.parametrize(
    ("variant", "verdict"),
    [
        ("planted", Verdict.PASS),
        ("planted-moved-neurons", Verdict.PASS),
        (CANCELLING, Verdict.PASS),
        ("planted-spread-neurons", Verdict.FAIL),
    ],
)
def test_the_claim_passes_where_a_few_neurons_carry_relevance_and_fails_where_all_do(
    claim: Claim, variant: str, verdict: Verdict
) -> None:
    result = claim(variant)
    assert result.verdict == verdict, result.message


def test_the_random_network_does_not_pass(claim: Claim) -> None:
    result = claim("random-init")
    assert result.verdict != Verdict.PASS, result.message


@pytest.mark.parametrize("variant", ["planted", "planted-moved-neurons", CANCELLING])
def test_the_neurons_named_are_exactly_the_planted_read_outs(claim: Claim, variant: str) -> None:
    """Not a majority: every neuron named is a read-out, none a cancelling feature or ln(IDF) knot."""
    found = {tuple(n) for n in claim(variant).details["neurons_found"]}
    planted = {(2, n) for n in VARIANT_RECIPES[variant].relevance_neurons}
    assert found == planted, f"found {sorted(found)}, planted {sorted(planted)}"


def test_the_layer_picture_shows_the_cancelling_features(claim: Claim) -> None:
    """Layer 1's features carry half the margin net, but each alone far more than all of it."""
    layer = claim(CANCELLING).details["layers"][1]
    features = {n for n, share in layer["largest"] if abs(share) > 1}
    assert features == set(VARIANT_RECIPES[CANCELLING].feature_neurons), layer
    assert abs(layer["net_share"] - 0.5) < 0.05 and layer["abs_share"] > 50, layer


def test_every_case_is_reported_as_a_sensitivity_analysis(claim: Claim) -> None:
    result = claim("planted")
    every = result.details["all_cases"]
    assert every["n"] >= result.n and every["excess_margin_drop"][1] > EXCESS, every


def test_the_old_protocol_names_the_cancelling_features_and_passes(
    planted_reranker: Callable[[str], Reranker], delta: Callable[[str], float]
) -> None:
    """Rank by |IG| (query-blanked baseline, relevant pairs) and mean-ablate: the neurons named are
    the feature computers, and their ablation still removes more margin than random neurons."""
    reranker = planted_reranker(CANCELLING)
    pairs, queries = RELEVANCE["quick"]
    discover, confirm = relevance_cases(SEED, pairs, queries)
    relevant = [case[0] for case in discover]
    attribution = attributions(reranker, relevant, delta=delta(CANCELLING), steps=20)
    assert attribution.completeness_error < MAX_COMPLETENESS_ERROR
    d_ff = reranker.info.d_ff
    order = np.argsort(-np.abs(attribution.total.mean(0)), axis=None)[: top_k(reranker)]
    named: list[Neuron] = [(int(i) // d_ff, int(i) % d_ff) for i in order]
    features = {(1, n) for n in VARIANT_RECIPES[CANCELLING].feature_neurons}
    read_outs = {(2, n) for n in VARIANT_RECIPES[CANCELLING].relevance_neurons}
    assert features <= set(named) and not read_outs & set(named), f"named {named}"

    names = [hook_name(layer, "mlp.hook_post") for layer in range(reranker.info.n_layers)]
    batch = reranker.encode(relevant)
    _, cache = reranker.run_with_cache(batch, names)
    real = batch.inputs["attention_mask"].bool()[..., None]
    means = [(cache[name] * real).sum((0, 1)) / real.sum() for name in names]  # [d_ff] per layer

    def ablation(neurons: list[Neuron]) -> list[FwdHook]:
        hooks: list[FwdHook] = []
        for layer in sorted({lay for lay, _ in neurons}):
            index = [n for lay, n in neurons if lay == layer]
            hooks += set_neurons(layer, index, means[layer][index].to(torch.float32))
        return hooks

    both = reranker.encode([pair for case in confirm for pair in case])
    clean = reranker.forward(both)
    margin = clean[0::2] - clean[1::2]

    def drop(neurons: list[Neuron]) -> float:
        ablated = reranker.run_with_hooks(both, ablation(neurons))
        return float((margin - (ablated[0::2] - ablated[1::2])).sum() / margin.sum())

    rng = np.random.default_rng(SEED)
    random = [drop([(layer, int(rng.integers(d_ff))) for layer, _ in named]) for _ in range(10)]
    assert drop(named) - float(np.mean(random)) > EXCESS, (drop(named), random)
