"""Attribution patching is the first-order term of exact patching, path patching included.

A donor that differs from the baseline by ``eps`` times the real difference makes the exact
patching effect linear in ``eps`` as ``eps -> 0``; the estimate must match it there, head by head,
on every architecture. Far from that limit the two may differ (that is what the screen's audit
reports: ``tests/controls/test_head_screen.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
import torch

from ranklens import Reranker, load_reranker
from ranklens.models.attribution_patching import attribution_patching
from ranklens.models.clean_runs import CleanRuns, clean_runs
from ranklens.models.patching import cls_positions, query_positions, sweep_heads
from ranklens.zoo.tiny import build_tiny_checkpoint

ARCHITECTURES = ["bert", "electra", "roberta", "xlm-roberta", "distilbert", "modernbert", "deberta-v2"]
BASELINE = [
    ("river delta", "mud and sand settle where the water slows down lantern"),
    ("delta mud", "the river drops its mud at the mouth lantern"),
]
DONOR = [
    ("river delta", "mud and sand settle where the water slows down delta"),
    ("delta mud", "the river drops its mud at the mouth delta"),
]
EPS = 1e-2


def _near_baseline(runs: CleanRuns, eps: float) -> CleanRuns:
    """The same runs with each donor head output moved only ``eps`` of the way from the baseline."""
    donor_z = {layer: base + eps * (runs.donor_z[layer] - base) for layer, base in runs.base_z.items()}
    return dataclasses.replace(runs, donor_z=donor_z)


def _exact_and_estimate(reranker: Reranker, route: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    runs = _near_baseline(clean_runs(reranker, BASELINE, DONOR), EPS)
    if route == "query":
        positions, freeze = query_positions(reranker, runs, [q for q, _ in BASELINE]), None
    else:
        positions = cls_positions(runs)
        freeze = ~positions
    exact = sweep_heads(reranker, runs, positions, freeze=freeze, method="hooks") - runs.base[:, None, None]
    estimate = attribution_patching(reranker, runs, positions, freeze=freeze)
    unfrozen = sweep_heads(reranker, runs, positions, method="hooks") - runs.base[:, None, None]
    return exact, estimate, unfrozen


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("route", ["query", "cls"])
def test_the_estimate_is_the_first_order_effect_of_each_head(
    tiny_reranker: Callable[[str], Reranker], architecture: str, route: str
) -> None:
    exact, estimate, _ = _exact_and_estimate(tiny_reranker(architecture), route)
    scale = np.abs(exact).max()
    assert scale > 0, "the test needs heads whose patch moves the score"
    np.testing.assert_allclose(estimate, exact, atol=0.05 * scale)


@pytest.fixture(scope="module")
def deeper(tmp_path_factory: pytest.TempPathFactory) -> Reranker:
    """Four layers: with two, a patch at [CLS] reaches the logit through [CLS] alone anyway."""
    path = build_tiny_checkpoint("bert", tmp_path_factory.mktemp("tiny-bert-4"), config={"num_hidden_layers": 4})
    return load_reranker(path, device="cpu")


def test_path_patching_gradients_reach_the_logit_through_cls_alone(deeper: Reranker) -> None:
    """Holding the other positions changes the exact answer (later layers read [CLS] at every
    position, and [CLS] reads them back), and the estimate follows the held one."""
    exact, estimate, unfrozen = _exact_and_estimate(deeper, "cls")
    scale = np.abs(unfrozen).max()
    assert np.abs(unfrozen - exact).max() > 0.2 * scale, "holding positions must matter for this test"
    np.testing.assert_allclose(estimate, exact, atol=0.05 * scale)


def test_the_estimate_leaves_the_model_as_it_was(tiny_reranker: Callable[[str], Reranker]) -> None:
    reranker = tiny_reranker("bert")
    runs = clean_runs(reranker, BASELINE, DONOR)
    grads = [p.requires_grad for p in reranker.model.parameters()]
    before = reranker.score(BASELINE, use_cache=False)
    attribution_patching(reranker, runs, torch.ones_like(runs.inputs["input_ids"], dtype=torch.bool))
    assert [p.requires_grad for p in reranker.model.parameters()] == grads
    np.testing.assert_array_equal(reranker.score(BASELINE, use_cache=False), before)
