"""Patched runs that recompute only what a patch changed, for post-LN encoder families.

The semantics are those of the hook path in :mod:`ranklens.models.patching`: the patched heads'
outputs are replaced by the donor's at the patched positions, and frozen positions are held at
the baseline in every layer after the first patched one. Each layer is evaluated only where its
output can differ from the baseline run and is still read:

- where no input of a layer changed, its head outputs are the cached baseline ones, so the first
  patched layer is recomputed only at the patched positions (the rest of a layer is
  per-position);
- in a later layer keys and values are recomputed only at positions whose input changed, and
  outputs only at positions read downstream: every position not frozen, except in the last layer,
  where the classifier reads the first position alone.

A head patched at the query positions therefore costs almost nothing in the last two layers, and
a head path-patched at [CLS] costs one position per layer (``benchmarks/bench_circuits.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ranklens.models import Reranker
from ranklens.models.clean_runs import CleanRuns
from ranklens.models.layer_math import PostLNLayer


def incremental_logits(
    reranker: Reranker,
    layers: list[PostLNLayer],
    runs: CleanRuns,
    rows: Tensor,
    width: int,
    heads_by_layer: Mapping[int, Tensor],
    positions: Tensor,
    freeze: Tensor | None,
) -> Tensor:
    """Logits of baseline rows ``rows`` (case indices) with ``heads_by_layer[layer]`` (``[row, head]``)
    patched from the donor at ``positions``; ``freeze`` as in :func:`~ranklens.models.patching.sweep_heads`."""
    first, last = min(heads_by_layer), len(layers) - 1
    device = runs.inputs["input_ids"].device
    rows, positions = rows.to(device), positions.to(device)
    freeze = None if freeze is None else freeze.to(device)
    heads_by_layer = {layer: heads.to(device) for layer, heads in heads_by_layer.items()}
    cases, case_of_row = torch.unique(rows, return_inverse=True)
    inputs = {k: v[rows, :width] for k, v in runs.inputs.items()}
    real = inputs["attention_mask"].bool()  # [row, pos]
    first_position = torch.zeros_like(real)
    first_position[:, 0] = True
    x = _base_input(reranker, runs, cases, width, first)[case_of_row]  # what the layer receives, per row
    changed = torch.zeros_like(real)  # where x differs from the baseline run
    with torch.inference_mode():
        for layer in range(first, last + 1):
            math = layers[layer]
            read = real & first_position if layer == last else real
            if freeze is not None and layer > first:
                read = read & ~freeze[rows, :width]
            patch = heads_by_layer.get(layer)
            patched = positions[rows, :width] & patch.any(1)[:, None] if patch is not None else torch.zeros_like(real)
            moved = changed.any(1)  # [row]: attention reads a changed key or value somewhere
            compute = read & (moved[:, None] | patched)  # [row, pos]
            at_row, at_pos = compute.nonzero(as_tuple=True)  # the computed entries, row-major
            if moved.all():  # every layer after the first patched one, in a sweep
                base = runs.base_resid[layer - 1][cases, :width], case_of_row
                z = _attend(math, x, changed, compute, real, base)  # [entry, head, d_head]
            else:  # unchanged rows keep the baseline's head outputs
                z = runs.base_z[layer][rows[at_row], at_pos]
                if moved.any():
                    base = runs.base_resid[layer - 1][cases, :width], case_of_row[moved]
                    z[moved[at_row]] = _attend(math, x[moved], changed[moved], compute[moved], real[moved], base)
            if patch is not None:
                swap = patched[at_row, at_pos][:, None] & patch[at_row]  # [entry, head]
                z = torch.where(swap[:, :, None], runs.donor_z[layer][rows[at_row], at_pos], z)
            out = runs.base_resid[layer][rows, :width]
            out[at_row, at_pos] = math.finish(z, x[at_row, at_pos])
            x, changed = out, compute
    return reranker.hooked.logits_from(inputs, x)


def _attend(
    math: PostLNLayer, x: Tensor, changed: Tensor, compute: Tensor, real: Tensor, base: tuple[Tensor, Tensor]
) -> Tensor:
    """Head outputs at the ``compute`` positions (entries row-major) of rows whose input ``x``
    differs from the baseline input at ``changed``; ``base`` is that input ``[case, pos, d_model]``
    and each row's case."""
    counts = compute.sum(1)
    order = torch.argsort((~compute).to(torch.int8), dim=1, stable=True)[:, : int(counts.max())]  # computed first
    slots, n = order.shape[1], x.shape[1]
    if 2 * slots < n:  # few queries: project only them
        queries = math.heads(math.query, x.gather(1, order[:, :, None].expand(-1, -1, x.shape[-1])))
    else:
        queries = _projected(math, math.query, x, changed, base)
        queries = queries.gather(1, order[:, :, None, None].expand(-1, -1, *queries.shape[2:]))
    if slots * math.n_heads * n < int(changed.sum(1).max()) * x.shape[-1]:
        z = math.attend_inputs(queries, x, real)  # few queries, many new keys: skip projecting them
    else:
        keys, values = (_projected(math, p, x, changed, base) for p in (math.key, math.value))
        z = math.attend(queries, keys, values, real)
    return z[torch.arange(slots, device=x.device)[None, :] < counts[:, None]]


def _projected(
    math: PostLNLayer, projection: nn.Module, x: Tensor, changed: Tensor, base: tuple[Tensor, Tensor]
) -> Tensor:
    """``projection`` of ``x`` at every position ``[row, pos, head, d_head]``: where under half the
    positions changed, the baseline's projection (once per case) with only the changed ones redone."""
    if 2 * int(changed.sum()) > changed.numel():
        return math.heads(projection, x)
    inputs, case_of_row = base
    out = math.heads(projection, inputs)[case_of_row]
    out[changed] = math.heads(projection, x[changed])
    return out


def _base_input(reranker: Reranker, runs: CleanRuns, cases: Tensor, width: int, layer: int) -> Tensor:
    """What ``layer`` receives in the baseline run of ``cases``: a cached residual stream, or the
    embeddings (recomputed: the clean runs cache no layer-0 input)."""
    if layer > 0:
        return runs.base_resid[layer - 1][cases, :width]
    return reranker.hooked.layer_input({k: v[cases, :width] for k, v in runs.inputs.items()})
