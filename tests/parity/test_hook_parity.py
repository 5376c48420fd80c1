"""Hooks and interventions are faithful: no-ops change nothing, and nothing is left behind.

Each property runs per architecture on a tiny random checkpoint. No-op comparisons are exact up to
float32 round-off of an identical computation (atol 1e-6); patched-versus-clean comparisons share
the same eager attention path, so they are compared at the same tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from ranklens import Reranker
from ranklens.errors import HookNameError
from ranklens.models import Batch
from ranklens.models.hooks import SITES, hook_name
from ranklens.models.interventions import ablate_neurons, patch_heads, set_neurons, zero_heads
from ranklens.zoo.tiny import TINY_ARCHITECTURES

ATOL = 1e-6
WRITABLE_SITES = [site for site in SITES if site != "attn.hook_pattern"]


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


@pytest.fixture(params=TINY_ARCHITECTURES)
def reranker(request: pytest.FixtureRequest, tiny_reranker: Callable[[str], Reranker]) -> Reranker:
    return tiny_reranker(request.param)


@given(data=st.data())
def test_a_no_op_hook_leaves_scores_unchanged(
    reranker: Reranker, pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    layer = data.draw(st.integers(0, reranker.info.n_layers - 1), label="layer")
    site = data.draw(st.sampled_from(WRITABLE_SITES), label="site")
    returns_copy = data.draw(st.booleans(), label="hook returns a copy instead of None")
    batch = reranker.encode(pairs)
    clean = reranker.forward(batch)
    hooked = reranker.run_with_hooks(
        batch, [(hook_name(layer, site), lambda x, _: x.clone() if returns_copy else None)]
    )
    np.testing.assert_allclose(hooked, clean, rtol=0, atol=ATOL)


@given(data=st.data())
def test_patching_heads_with_their_own_cached_values_is_a_no_op(
    reranker: Reranker, pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    heads = data.draw(
        st.lists(
            st.tuples(st.integers(0, reranker.info.n_layers - 1), st.integers(0, reranker.info.n_heads - 1)),
            min_size=1,
            max_size=6,
        ),
        label="heads",
    )
    batch = reranker.encode(pairs)
    clean, cache = reranker.run_with_cache(batch, [hook_name(layer, "attn.hook_z") for layer, _ in heads])
    patched = reranker.run_with_hooks(batch, patch_heads(heads, cache))
    np.testing.assert_allclose(patched, clean, rtol=0, atol=ATOL)


@given(site=st.sampled_from(SITES), fail_inside=st.booleans())
def test_hooks_are_gone_afterwards_even_when_the_block_raises(
    reranker: Reranker, pairs: list[tuple[str, str]], site: str, fail_inside: bool
) -> None:
    before = hook_count(reranker.model)
    batch = reranker.encode(pairs)
    names = [hook_name(layer, site) for layer in range(reranker.info.n_layers)]
    with pytest.raises(RuntimeError) if fail_inside else nullcontext():
        _, _cache = reranker.run_with_cache(batch, names)
        with reranker.hooks(zero_heads([(0, 0)])):
            assert hook_count(reranker.model) > before
            if fail_inside:
                raise RuntimeError("boom inside the hook context")
    assert hook_count(reranker.model) == before
    assert reranker.hooked.active == 0


def test_patching_the_last_residual_stream_reproduces_the_other_run(
    reranker: Reranker, pairs: list[tuple[str, str]]
) -> None:
    baseline = reranker.encode(pairs)
    ids = baseline.input_ids.clone()
    ids[:, 2] = ids[:, 1]  # a different input of identical shape: the second token repeated
    perturbed = Batch(baseline.pairs, {**baseline.inputs, "input_ids": ids}, baseline.lengths)
    last = hook_name(reranker.info.n_layers - 1, "hook_resid_post")
    target, cache = reranker.run_with_cache(perturbed, [last])
    assert not np.allclose(target, reranker.forward(baseline), atol=ATOL), "the perturbation must change the score"
    patched = reranker.run_with_hooks(baseline, [(last, lambda _, __: cache[last])])
    np.testing.assert_allclose(patched, target, rtol=0, atol=ATOL)


def test_run_with_cache_returns_documented_shapes(reranker: Reranker, pairs: list[tuple[str, str]]) -> None:
    batch = reranker.encode(pairs)
    _, cache = reranker.run_with_cache(batch)
    b, pos = batch.input_ids.shape
    info = reranker.info
    expected = {
        "attn.hook_pattern": (b, info.n_heads, pos, pos),
        "attn.hook_z": (b, pos, info.n_heads, info.d_head),
        "mlp.hook_post": (b, pos, info.d_ff),
        "hook_resid_post": (b, pos, info.d_model),
    }
    shapes = {name: tuple(t.shape) for name, t in cache.items()}
    assert shapes == {
        hook_name(layer, site): shape for layer in range(info.n_layers) for site, shape in expected.items()
    }


def test_attention_patterns_are_distributions_over_real_tokens(
    reranker: Reranker, pairs: list[tuple[str, str]]
) -> None:
    batch = reranker.encode(pairs)
    _, cache = reranker.run_with_cache(batch, [hook_name(0, "attn.hook_pattern")])
    pattern = cache[hook_name(0, "attn.hook_pattern")]  # [batch, head, q, k]
    mask = batch.inputs["attention_mask"].bool()
    real_rows = pattern.sum(-1)[mask[:, None, :].expand(-1, pattern.shape[1], -1)]
    torch.testing.assert_close(real_rows, torch.ones_like(real_rows), rtol=0, atol=1e-5)
    real_query_padded_key = mask[:, None, :, None] & ~mask[:, None, None, :]  # [batch, 1, q, k]
    padded_keys = pattern.masked_select(real_query_padded_key.expand_as(pattern))
    assert float(padded_keys.abs().sum()) < 1e-6, "attention leaks onto padding"


def test_interventions_take_effect(reranker: Reranker, pairs: list[tuple[str, str]]) -> None:
    batch = reranker.encode(pairs)
    clean = reranker.forward(batch)
    all_heads = [(layer, head) for layer in range(reranker.info.n_layers) for head in range(reranker.info.n_heads)]
    last = reranker.info.n_layers - 1
    changed = {
        "zero all heads": reranker.run_with_hooks(batch, zero_heads(all_heads)),
        "ablate all neurons": reranker.run_with_hooks(batch, ablate_neurons(last, range(reranker.info.d_ff))),
        "set neurons to 3": reranker.run_with_hooks(batch, set_neurons(last, [0, 1, 2], 3.0)),
    }
    unchanged = [name for name, scores in changed.items() if np.allclose(scores, clean, atol=ATOL)]
    assert not unchanged, f"interventions that changed no score: {unchanged}"


@given(token_id=st.integers(0, 200), scale=st.floats(-5, 5, allow_nan=False))
def test_embedding_edits_are_restored(reranker: Reranker, token_id: int, scale: float) -> None:
    before = reranker.W_E.clone()
    with reranker.edit_embeddings({token_id: before[token_id] * scale + 1.0}):
        assert torch.equal(reranker.W_E[token_id], (before[token_id] * scale + 1.0).to(before.dtype))
    assert torch.equal(reranker.W_E, before)


def test_scores_inside_an_intervention_bypass_the_cache(reranker: Reranker, pairs: list[tuple[str, str]]) -> None:
    clean = reranker.score(pairs)
    all_heads = [(layer, head) for layer in range(reranker.info.n_layers) for head in range(reranker.info.n_heads)]
    with reranker.hooks(zero_heads(all_heads)):
        ablated = reranker.score(pairs)
    assert not np.allclose(ablated, clean, atol=ATOL)
    np.testing.assert_array_equal(reranker.score(pairs), clean)


def test_an_unknown_hook_name_lists_the_valid_range(reranker: Reranker) -> None:
    with pytest.raises(HookNameError, match=r"layer in 0\.\.1 and site one of attn.hook_pattern"):
        reranker.hooked.point("blocks.7.attn.hook_z")


def test_attention_patterns_are_read_only(reranker: Reranker) -> None:
    with (
        pytest.raises(HookNameError, match="read only"),
        reranker.hooks([(hook_name(0, "attn.hook_pattern"), lambda x, _: x)]),
    ):
        pass
