"""Attribution patching: every head's patching effect estimated from one backward pass.

Patching head ``h`` of layer ``L`` from the donor run into the baseline run changes the score by
about ``(z_donor - z_base) . d score / d z_base`` summed over the patched positions (Nanda 2023;
Syed, Rager, Conmy 2023): the first-order term of the exact patch that
:func:`~ranklens.models.patching.sweep_heads` computes. One forward and one backward pass on the
baseline run (about three forward-equivalents; the donor's head outputs are already in the clean
runs) give the estimate for every head of every layer at once.

Path patching to the logit holds the ``freeze`` positions at the baseline after the patched layer;
the gradient honours this by detaching the residual stream at those positions after every layer,
so it reaches the logit only through the positions left free.

The estimate ranks candidates; it never decides a verdict (:mod:`ranklens.claims.discovery`
confirms the candidates by exact patching and reports how well the two rankings agree).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from ranklens.models import Reranker, hook_name
from ranklens.models.clean_runs import CleanRuns
from ranklens.models.gradients import TOKENS_PER_BACKWARD, parameters_frozen
from ranklens.models.hooks import HookFn, HookPoint
from ranklens.models.patching import similar_lengths, used_width


def attribution_patching(
    reranker: Reranker,
    runs: CleanRuns,
    positions: Tensor,
    *,
    freeze: Tensor | None = None,
    cases: Sequence[int] | None = None,
) -> np.ndarray:
    """Estimated score change when each head is patched from the donor at ``positions``:
    ``[case, layer, head]`` (NaN outside ``cases``, default all), in the units of
    :func:`~ranklens.models.patching.sweep_heads`' ``patched - base``."""
    out = np.full((runs.n_cases, reranker.info.n_layers, reranker.info.n_heads), np.nan)
    width = int(runs.inputs["attention_mask"].sum(1).max())
    for group in similar_lengths(runs, max(1, TOKENS_PER_BACKWARD // width), cases):
        out[group] = _estimate(reranker, runs, torch.tensor(group), positions, freeze)
    return out


def _estimate(
    reranker: Reranker, runs: CleanRuns, cases: Tensor, positions: Tensor, freeze: Tensor | None
) -> np.ndarray:
    n_layers = reranker.info.n_layers
    width = used_width(reranker, runs, cases)
    inputs = {k: v[cases, :width] for k, v in runs.inputs.items()}
    device = inputs["input_ids"].device
    where = positions[cases, :width].to(device)[:, :, None, None]  # [row, pos, 1, 1]
    shape = runs.base_z[0][cases, :width].shape  # [row, pos, head, d_head]
    deltas = [torch.zeros(shape, device=device, requires_grad=True) for _ in range(n_layers)]
    hooks = [(hook_name(layer, "attn.hook_z"), _added(delta)) for layer, delta in enumerate(deltas)]
    if freeze is not None:
        held = freeze[cases, :width].to(device)
        hooks += [(hook_name(layer, "hook_resid_post"), _detached(held)) for layer in range(n_layers)]
    with torch.enable_grad(), reranker.hooks(hooks), parameters_frozen(reranker.model):
        scores = reranker.logits_to_scores(reranker.model(**inputs).logits)
        grads = torch.autograd.grad(scores.sum(), deltas)
    per_layer = [
        ((runs.donor_z[layer][cases, :width] - runs.base_z[layer][cases, :width]).to(device) * grad * where).sum((1, 3))
        for layer, grad in enumerate(grads)
    ]  # each [row, head]
    return torch.stack(per_layer, 1).double().cpu().numpy()


def _added(delta: Tensor) -> HookFn:
    """Adds a zero tensor that requires grad: its gradient is the score's gradient w.r.t. ``z``."""

    def add(z: Tensor, _: HookPoint) -> Tensor:
        return z + delta.to(z.dtype)

    return add


def _detached(held: Tensor) -> HookFn:
    def hold(hidden: Tensor, _: HookPoint) -> Tensor:
        return torch.where(held[:, :, None], hidden.detach(), hidden)

    return hold
