"""Patching fidelity: the batched, resumed sweep is exact, and patching does what it says."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from ranklens import Reranker
from ranklens.models.clean_runs import clean_runs
from ranklens.models.interventions import patch_heads
from ranklens.models.patching import patch_heads_together, query_positions, sweep_heads

ARCHITECTURES = ["bert", "electra", "roberta", "xlm-roberta", "distilbert", "modernbert", "deberta-v2"]
BASELINE = [("river delta", "mud and sand settle where the water slows down lantern")]
DONOR = [("river delta", "mud and sand settle where the water slows down delta")]


def _runs(reranker: Reranker) -> tuple[object, torch.Tensor]:
    runs = clean_runs(reranker, BASELINE * 2, DONOR * 2)
    return runs, torch.ones_like(runs.inputs["input_ids"], dtype=torch.bool)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_the_batched_sweep_matches_one_plain_patched_pass_per_head(
    tiny_reranker: Callable[[str], Reranker], architecture: str
) -> None:
    reranker = tiny_reranker(architecture)
    runs, everywhere = _runs(reranker)
    swept = sweep_heads(reranker, runs, everywhere, max_rows=5)  # [case, layer, head]; chunks cross layers
    batch = reranker.encode(BASELINE)
    _, donor_cache = reranker.run_with_cache(reranker.encode(DONOR), None)
    for layer in range(reranker.info.n_layers):
        for head in range(reranker.info.n_heads):
            plain = reranker.run_with_hooks(batch, patch_heads([(layer, head)], donor_cache))[0]
            assert swept[0, layer, head] == pytest.approx(plain, rel=1e-4, abs=1e-5), (layer, head)


@pytest.mark.parametrize("architecture", ["bert", "distilbert"])
def test_patching_a_run_into_itself_changes_nothing(
    tiny_reranker: Callable[[str], Reranker], architecture: str
) -> None:
    reranker = tiny_reranker(architecture)
    runs = clean_runs(reranker, BASELINE, BASELINE)
    everywhere = torch.ones_like(runs.inputs["input_ids"], dtype=torch.bool)
    swept = sweep_heads(reranker, runs, everywhere)
    np.testing.assert_allclose(swept[0], np.full(swept.shape[1:], runs.base[0]), rtol=1e-5, atol=1e-6)


def test_patching_every_head_reproduces_the_donor_score(planted_reranker: Callable[[str], Reranker]) -> None:
    reranker = planted_reranker("planted")
    runs, everywhere = _runs(reranker)
    heads = [(layer, head) for layer in range(reranker.info.n_layers) for head in range(reranker.info.n_heads)]
    np.testing.assert_allclose(patch_heads_together(reranker, runs, heads, everywhere), runs.donor, rtol=1e-5)
    assert abs(runs.donor[0] - runs.base[0]) > 1.0, "the test needs a donor that differs from the baseline"


def test_query_positions_cover_exactly_the_query_tokens(tiny_reranker: Callable[[str], Reranker]) -> None:
    reranker = tiny_reranker("bert")
    runs, _ = _runs(reranker)
    mask = query_positions(reranker, runs, [q for q, _ in BASELINE * 2])
    ids = runs.inputs["input_ids"][0][mask[0]].tolist()
    assert ids == reranker.tokenizer("river delta", add_special_tokens=False)["input_ids"]


def test_unaligned_pairs_are_refused_with_the_fix(tiny_reranker: Callable[[str], Reranker]) -> None:
    with pytest.raises(ValueError, match="filler of the term's token length"):
        clean_runs(tiny_reranker("bert"), BASELINE, [("river delta", "mud")])


def test_a_sweep_reports_its_progress_to_the_end(tiny_reranker: Callable[[str], Reranker]) -> None:
    reranker = tiny_reranker("bert")
    runs, everywhere = _runs(reranker)
    seen: list[tuple[int, int]] = []
    sweep_heads(reranker, runs, everywhere, max_rows=2, progress=lambda done, total: seen.append((done, total)))
    assert [done for done, _ in seen] == list(range(1, len(seen) + 1)), seen
    assert seen[-1][0] == seen[-1][1] == len(seen)
