"""Activation patching of attention heads, batched: many heads per forward pass.

One generic engine (TransformerLens style): the clean runs are cached once (:func:`clean_runs`),
then each patched run is the baseline input with one or more heads' outputs (``hook_z``) replaced
by the donor run's at selected positions. Speed comes from four things, measured side by side
with the naive loop in ``benchmarks/bench_circuits.py``:

- a sweep stacks (case, head) rows into one batch instead of one forward pass per head per case;
- the clean activations are computed once per case set, whatever is patched afterwards;
- rows that patch layer L start at layer L from the cached baseline residual (layers 0..L-1
  cannot change), through :meth:`Reranker.resume_from`;
- on post-LN families (BERT, RoBERTa, XLM-R, ELECTRA, DistilBERT) the later layers are
  recomputed only at the positions a patch changed and that are read downstream
  (:mod:`ranklens.models.incremental`); other families take the hook path, which recomputes
  whole layers. The two agree to float precision; :data:`Method` says which one runs.

Positions: ``[case, pos]`` boolean masks (:func:`query_positions`, :func:`cls_positions`).
Path patching to the logit adds ``freeze``: positions whose residual stream is held at the
baseline in every layer after the patched one, so the signal can reach the logit only through
the positions left free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from ranklens.models import Reranker, hook_name
from ranklens.models.clean_runs import MAX_ROWS, CleanRuns, length_groups
from ranklens.models.hooks import HookFn, HookPoint
from ranklens.models.incremental import incremental_logits

Head = tuple[int, int]
Method = Literal["auto", "incremental", "hooks"]
"""``incremental``: recompute only what a patch changed (:mod:`ranklens.models.incremental`) where
the family allows it, else hooks; ``hooks``: hooks and whole later layers; ``auto``: incremental
on CPU, hooks on an accelerator, where the many small steps of the incremental path cost more in
kernel launches than they save (``benchmarks/bench_circuits.py``: on an H200 the MiniLM-L6 query
sweep took 0.23 s incremental against 0.16 s with hooks; on 2 CPU cores 5.3 s against 9.9 s)."""
Progress = Callable[[int, int], None]
"""``progress(done, total)``: how the plugin and CLI show long steps (library code never prints)."""


def query_positions(reranker: Reranker, runs: CleanRuns, queries: Sequence[str]) -> Tensor:
    """``[case, pos]`` mask of the query's tokens (after the one leading special token)."""
    mask = torch.zeros_like(runs.inputs["input_ids"], dtype=torch.bool)
    for row, query in enumerate(queries):
        ids = reranker.tokenizer(query, add_special_tokens=False)["input_ids"]
        if runs.inputs["input_ids"][row, 1 : 1 + len(ids)].tolist() != ids:
            raise ValueError(f"cannot locate the query tokens of {query!r}: the pair does not start <special> query")
        mask[row, 1 : 1 + len(ids)] = True
    return mask


def cls_positions(runs: CleanRuns) -> Tensor:
    """``[case, pos]`` mask of the first position, where the classifier reads ([CLS] / <s>)."""
    mask = torch.zeros_like(runs.inputs["input_ids"], dtype=torch.bool)
    mask[:, 0] = True
    return mask


def sweep_heads(
    reranker: Reranker,
    runs: CleanRuns,
    positions: Tensor,
    *,
    freeze: Tensor | None = None,
    heads: Sequence[Head] | None = None,
    cases: Sequence[int] | None = None,
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
    method: Method = "auto",
) -> np.ndarray:
    """Score with each single head patched from the donor: ``[case, layer, head]``. Only ``heads``
    (default: all) on ``cases`` (default: all) are patched; the other entries are NaN."""
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    by_layer: dict[int, list[int]] = {}
    for layer, head in heads if heads is not None else [(lay, h) for lay in range(n_layers) for h in range(n_heads)]:
        by_layer.setdefault(layer, []).append(head)
    chosen = list(range(runs.n_cases)) if cases is None else list(cases)
    out = np.full((runs.n_cases, n_layers, n_heads), np.nan)
    steps = [
        (layer, [(case, head) for case in group for head in layer_heads])
        for layer, layer_heads in sorted(by_layer.items())
        for group in similar_lengths(runs, max(1, max_rows // len(layer_heads)), chosen)
    ]
    for done, (layer, chunk) in enumerate(steps, start=1):
        rows = torch.tensor([c for c, _ in chunk])
        patched = torch.nn.functional.one_hot(torch.tensor([h for _, h in chunk]), n_heads).bool()  # [row, head]
        scores = _patched(reranker, runs, rows, {layer: patched}, positions, freeze, method)
        for (case, head), value in zip(chunk, scores.tolist(), strict=True):
            out[case, layer, head] = value
        if progress:
            progress(done, len(steps))
    return out


def patch_heads_together(
    reranker: Reranker,
    runs: CleanRuns,
    heads: Sequence[Head],
    positions: Tensor,
    *,
    freeze: Tensor | None = None,
    method: Method = "auto",
) -> np.ndarray:
    """Score with all of ``heads`` patched from the donor at once: ``[case]``."""
    if not heads:
        return runs.base.copy()
    n_heads = reranker.info.n_heads
    by_layer: dict[int, Tensor] = {}
    for layer, head in heads:
        selected = by_layer.setdefault(layer, torch.zeros(runs.n_cases, n_heads, dtype=torch.bool))
        selected[:, head] = True
    out = np.empty(runs.n_cases)
    for group in similar_lengths(runs, MAX_ROWS):
        cases = torch.tensor(group)
        out[group] = _patched(
            reranker, runs, cases, {k: v[cases] for k, v in by_layer.items()}, positions, freeze, method
        )
    return out


def recovery(patched: np.ndarray, base: np.ndarray, donor: np.ndarray) -> np.ndarray:
    """Normalised recovery ``(patched - base) / (donor - base)`` along the first axis (Lu et al.):
    0 = the patch has no effect, 1 = it restores the whole effect. Callers drop small gaps first."""
    gap = (donor - base).reshape(-1, *([1] * (patched.ndim - 1)))
    return np.asarray((patched - base.reshape(gap.shape)) / gap)


def _patched(
    reranker: Reranker,
    runs: CleanRuns,
    cases: Tensor,
    heads_by_layer: Mapping[int, Tensor],
    positions: Tensor,
    freeze: Tensor | None,
    method: Method,
) -> np.ndarray:
    """Scores of baseline rows ``cases`` with ``heads_by_layer[layer]`` (``[row, head]``) patched."""
    width = used_width(reranker, runs, cases)
    incremental = method == "incremental" or (method == "auto" and runs.inputs["input_ids"].device.type == "cpu")
    layers = reranker.hooked.post_ln_layers() if incremental else None
    if layers is not None:
        logits = incremental_logits(reranker, layers, runs, cases, width, heads_by_layer, positions, freeze)
    else:
        logits = _logits_with_hooks(reranker, runs, cases, width, heads_by_layer, positions, freeze)
    return reranker.logits_to_scores(logits).double().cpu().numpy()


def _logits_with_hooks(
    reranker: Reranker,
    runs: CleanRuns,
    cases: Tensor,
    width: int,
    heads_by_layer: Mapping[int, Tensor],
    positions: Tensor,
    freeze: Tensor | None,
) -> Tensor:
    """The generic path: hooks write the patch, the run resumes at the first patched layer."""
    first = min(heads_by_layer)
    inputs = {k: v[cases, :width] for k, v in runs.inputs.items()}
    where = positions[cases, :width]  # [row, pos]
    hooks = [
        (hook_name(layer, "attn.hook_z"), _writer(runs.donor_z[layer][cases, :width], where, heads))
        for layer, heads in heads_by_layer.items()
    ]
    if freeze is not None:
        held = freeze[cases, :width]
        hooks += [
            (hook_name(layer, "hook_resid_post"), _holder(runs.base_resid[layer][cases, :width], held))
            for layer in range(first + 1, reranker.info.n_layers)
        ]
    with ExitStack() as stack, torch.inference_mode():
        stack.enter_context(reranker.hooks(hooks))
        if first > 0:
            stack.enter_context(reranker.resume_from(first, runs.base_resid[first - 1][cases, :width]))
        return reranker.model(**inputs).logits  # type: ignore[no-any-return]


def similar_lengths(runs: CleanRuns, max_cases: int, cases: Sequence[int] | None = None) -> list[list[int]]:
    """``cases`` (default: all) in :func:`length_groups`."""
    chosen = list(range(runs.n_cases)) if cases is None else list(cases)
    lengths = runs.inputs["attention_mask"].sum(1)[chosen].tolist()
    return [[chosen[i] for i in group] for group in length_groups(lengths, max_cases)]


def used_width(reranker: Reranker, runs: CleanRuns, cases: Tensor) -> int:
    """Columns the rows need: right padding beyond the longest row is dropped (it is masked, so
    the result is the same; only a right-padding tokenizer allows it without moving positions)."""
    if reranker.tokenizer.padding_side != "right":
        return int(runs.inputs["input_ids"].shape[1])
    return int(runs.inputs["attention_mask"][cases].sum(1).max())


def _writer(donor: Tensor, where: Tensor, heads: Tensor) -> HookFn:
    selected = where[:, :, None, None] & heads.to(where.device)[:, None, :, None]  # [row, pos, head, 1]

    def write(z: Tensor, _: HookPoint) -> Tensor:  # z: [row, pos, head, d_head]
        return torch.where(selected.to(z.device), donor.to(z.device, z.dtype), z)

    return write


def _holder(base: Tensor, held: Tensor) -> HookFn:
    def hold(hidden: Tensor, _: HookPoint) -> Tensor:  # hidden: [row, pos, d_model]
        return torch.where(held[:, :, None].to(hidden.device), base.to(hidden.device, hidden.dtype), hidden)

    return hold
