"""Incremental patching: the spelled-out layers equal each family's forward, and patching through
them gives the hook path's scores for any heads, positions and frozen positions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from ranklens import Reranker
from ranklens.models import hook_name
from ranklens.models.clean_runs import CleanRuns, clean_runs
from ranklens.models.patching import cls_positions, patch_heads_together, query_positions, sweep_heads

POST_LN = ["bert", "electra", "roberta", "xlm-roberta", "distilbert"]
OTHER = ["modernbert", "deberta-v2"]
BASELINE = [("river delta", "mud and sand settle where the water slows down lantern")]
DONOR = [("river delta", "mud and sand settle where the water slows down delta")]
PLANTED_BASELINE = [
    ("river delta", "mud and sand settle where the water slows down lantern"),
    ("desert sand", "wind moves the dunes of the desert by night lantern"),
]
PLANTED_DONOR = [
    ("river delta", "mud and sand settle where the water slows down delta"),
    ("desert sand", "wind moves the dunes of the desert by night sand"),
]


@pytest.mark.parametrize("architecture", POST_LN)
def test_the_spelled_out_layers_reproduce_the_forward_pass(
    tiny_reranker: Callable[[str], Reranker], architecture: str
) -> None:
    reranker = tiny_reranker(architecture)
    batch = reranker.encode([*BASELINE, ("a short query", "and a document of another length")])
    names = [hook_name(layer, "hook_resid_post") for layer in range(reranker.info.n_layers)]
    _, cache = reranker.run_with_cache(batch, names)
    layers = reranker.hooked.post_ln_layers()
    assert layers is not None
    real = batch.inputs["attention_mask"].bool()
    x = reranker.hooked.layer_input(batch.inputs)
    for name, math in zip(names, layers, strict=True):
        with torch.inference_mode():
            q, k, v = (math.heads(p, x) for p in (math.query, math.key, math.value))
            attended = math.attend(q, k, v, real)
            torch.testing.assert_close(math.attend_inputs(q, x, real), attended, rtol=1e-4, atol=1e-5)
            x = math.finish(attended, x)
        torch.testing.assert_close(x[real], cache[name][real], rtol=1e-4, atol=1e-5)
    logits = reranker.hooked.logits_from(batch.inputs, x)
    scores = reranker.logits_to_scores(logits).cpu().numpy()
    np.testing.assert_allclose(scores, reranker.forward(batch), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("architecture", OTHER)
def test_families_with_other_layers_keep_the_hook_path(
    tiny_reranker: Callable[[str], Reranker], architecture: str
) -> None:
    assert tiny_reranker(architecture).hooked.post_ln_layers() is None


def _routes(
    reranker: Reranker, runs: CleanRuns, queries: list[str]
) -> dict[str, tuple[torch.Tensor, torch.Tensor | None]]:
    cls = cls_positions(runs)
    return {
        "query": (query_positions(reranker, runs, queries), None),
        "cls, rest frozen": (cls, ~cls),
        "everywhere": (torch.ones_like(cls), None),
    }


@pytest.mark.parametrize("architecture", POST_LN)
def test_incremental_sweeps_match_the_hook_path(tiny_reranker: Callable[[str], Reranker], architecture: str) -> None:
    reranker = tiny_reranker(architecture)
    runs = clean_runs(reranker, BASELINE * 2, DONOR * 2)
    for route, (positions, freeze) in _routes(reranker, runs, [BASELINE[0][0]] * 2).items():
        hooks = sweep_heads(reranker, runs, positions, freeze=freeze, method="hooks")
        incremental = sweep_heads(reranker, runs, positions, freeze=freeze, max_rows=5, method="incremental")
        np.testing.assert_allclose(incremental, hooks, rtol=1e-4, atol=1e-5, err_msg=route)


def test_incremental_patching_is_exact_where_patches_matter(planted_reranker: Callable[[str], Reranker]) -> None:
    """On the planted model patches move scores by whole units, so agreement is not vacuous."""
    reranker = planted_reranker("planted")
    runs = clean_runs(reranker, PLANTED_BASELINE, PLANTED_DONOR)
    for route, (positions, freeze) in _routes(reranker, runs, [q for q, _ in PLANTED_BASELINE]).items():
        hooks = sweep_heads(reranker, runs, positions, freeze=freeze, method="hooks")
        incremental = sweep_heads(reranker, runs, positions, freeze=freeze, method="incremental")
        assert np.abs(hooks - runs.base[:, None, None]).max() > 1.0, f"{route}: no head moves the score"
        np.testing.assert_allclose(incremental, hooks, rtol=1e-5, atol=1e-4, err_msg=route)


@given(
    architecture=st.sampled_from(POST_LN),
    heads=st.sets(st.tuples(st.integers(0, 1), st.integers(0, 3)), min_size=1, max_size=5),
    where=st.lists(st.booleans(), min_size=16, max_size=16),
    frozen=st.none() | st.lists(st.booleans(), min_size=16, max_size=16),
)
def test_any_joint_patch_matches_the_hook_path(
    tiny_reranker: Callable[[str], Reranker],
    architecture: str,
    heads: set[tuple[int, int]],
    where: list[bool],
    frozen: list[bool] | None,
) -> None:
    reranker = tiny_reranker(architecture)
    runs = clean_runs(reranker, BASELINE, DONOR)
    width = runs.inputs["input_ids"].shape[1]
    positions = torch.tensor(where[:width] + [False] * (width - len(where)))[None, :]
    freeze = None if frozen is None else torch.tensor(frozen[:width] + [True] * (width - len(frozen)))[None, :]
    hooks = patch_heads_together(reranker, runs, sorted(heads), positions, freeze=freeze, method="hooks")
    incremental = patch_heads_together(reranker, runs, sorted(heads), positions, freeze=freeze, method="incremental")
    np.testing.assert_allclose(incremental, hooks, rtol=1e-4, atol=1e-5)
