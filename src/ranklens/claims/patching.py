"""Activation patching of attention heads, batched: many heads per forward pass.

One generic engine (TransformerLens style): the clean runs are cached once (:func:`clean_runs`),
then each patched run is the baseline input with one or more heads' outputs (``hook_z``) replaced
by the donor run's at selected positions. Speed comes from three things, measured side by side
with the naive loop in ``benchmarks/bench_circuits.py``:

- a sweep stacks (case, head) rows into one batch instead of one forward pass per head per case;
- rows that patch layer L start at layer L from the cached baseline residual (layers 0..L-1
  cannot change), through :meth:`Reranker.resume_from`;
- the clean activations are computed once per case set, whatever is patched afterwards.

Positions: ``[case, pos]`` boolean masks (:func:`query_positions`, :func:`cls_positions`).
Path patching to the logit adds ``freeze``: positions whose residual stream is held at the
baseline in every layer after the patched one, so the signal can reach the logit only through
the positions left free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ranklens.models import Pair, Reranker, hook_name
from ranklens.models.hooks import HookFn, HookPoint

Head = tuple[int, int]
Progress = Callable[[int, int], None]
"""``progress(done, total)``: how the plugin and CLI show long steps (library code never prints)."""
MAX_ROWS = 192
"""Rows per patched forward pass: large enough to amortise per-call overhead on CPU, small
enough that a 512-token batch of a base-size model stays under a few GiB."""


@dataclass(frozen=True)
class CleanRuns:
    """Baseline and donor runs of aligned pairs, with what patching needs from each."""

    inputs: Mapping[str, Tensor]
    """Baseline inputs, each ``[case, pos]`` (padded to the same width as the donors)."""
    base: np.ndarray
    """Baseline scores ``[case]``."""
    donor: np.ndarray
    """Donor (e.g. perturbed) scores ``[case]``."""
    donor_z: Mapping[int, Tensor]
    """Per layer, the donor run's head outputs ``[case, pos, head, d_head]``."""
    base_z: Mapping[int, Tensor]
    """Per layer, the baseline run's head outputs (for self-patching and sanity checks)."""
    base_resid: Mapping[int, Tensor]
    """Per layer, the baseline residual stream after it ``[case, pos, d_model]``."""
    patterns: Mapping[int, Tensor]
    """Per layer, attention ``[2 * case, head, q, k]``: baseline rows, then donor rows."""

    @property
    def n_cases(self) -> int:
        return len(self.base)


def clean_runs(reranker: Reranker, baseline: Sequence[Pair], donor: Sequence[Pair]) -> CleanRuns:
    """Run ``baseline`` and ``donor`` (aligned: equal token length pair by pair) once, cached."""
    if len(baseline) != len(donor) or not baseline:
        raise ValueError(f"need as many donor pairs as baseline pairs (got {len(donor)} and {len(baseline)})")
    lengths = reranker.token_lengths([*baseline, *donor])
    unaligned = [i for i in range(len(baseline)) if lengths[i] != lengths[len(baseline) + i]]
    if unaligned:
        raise ValueError(
            f"pairs {unaligned[:5]} have different token lengths in the baseline and donor runs; "
            "patching needs aligned tokens (use a filler of the term's token length)"
        )
    batch = reranker.encode([*baseline, *donor])
    layers = range(reranker.info.n_layers)
    names = [
        hook_name(layer, site) for layer in layers for site in ("attn.hook_z", "hook_resid_post", "attn.hook_pattern")
    ]
    scores, cache = reranker.run_with_cache(batch, names)
    c = len(baseline)
    return CleanRuns(
        inputs={k: v[:c] for k, v in batch.inputs.items()},
        base=scores[:c],
        donor=scores[c:],
        donor_z={layer: cache[hook_name(layer, "attn.hook_z")][c:] for layer in layers},
        base_z={layer: cache[hook_name(layer, "attn.hook_z")][:c] for layer in layers},
        base_resid={layer: cache[hook_name(layer, "hook_resid_post")][:c] for layer in layers},
        patterns={layer: cache[hook_name(layer, "attn.hook_pattern")] for layer in layers},
    )


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
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Score with each single head patched from the donor: ``[case, layer, head]``."""
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    out = np.empty((runs.n_cases, n_layers, n_heads))
    chunks = [
        [(case, head) for case in group for head in range(n_heads)]
        for group in similar_lengths(runs, max(1, max_rows // n_heads))
    ]
    for layer in range(n_layers):
        for index, chunk in enumerate(chunks):
            cases = torch.tensor([c for c, _ in chunk])
            heads = torch.nn.functional.one_hot(torch.tensor([h for _, h in chunk]), n_heads).bool()  # [row, head]
            scores = _patched(reranker, runs, cases, {layer: heads}, positions, freeze)
            for (case, head), value in zip(chunk, scores.tolist(), strict=True):
                out[case, layer, head] = value
            if progress:
                progress(layer * len(chunks) + index + 1, n_layers * len(chunks))
    return out


def patch_heads_together(
    reranker: Reranker, runs: CleanRuns, heads: Sequence[Head], positions: Tensor, *, freeze: Tensor | None = None
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
        out[group] = _patched(reranker, runs, cases, {k: v[cases] for k, v in by_layer.items()}, positions, freeze)
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
) -> np.ndarray:
    """Scores of baseline rows ``cases`` with ``heads_by_layer[layer]`` (``[row, head]``) patched."""
    first = min(heads_by_layer)
    width = _width(reranker, runs, cases)
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
        logits = reranker.model(**inputs).logits
    return reranker.logits_to_scores(logits).double().cpu().numpy()


def similar_lengths(runs: CleanRuns, max_cases: int, slack: float = 0.1) -> list[list[int]]:
    """Cases grouped so that each group's lengths are within ``slack`` of its longest: padding
    a short case to a long one costs more on CPU than batching saves (measured: one case per
    batch ran the MiniLM-L6 sweep in half the time of 16 cases padded together)."""
    lengths = runs.inputs["attention_mask"].sum(1).tolist()
    groups: list[list[int]] = []
    for case in sorted(range(len(lengths)), key=lambda c: -lengths[c]):
        if groups and len(groups[-1]) < max_cases and lengths[case] >= (1 - slack) * lengths[groups[-1][0]]:
            groups[-1].append(case)
        else:
            groups.append([case])
    return groups


def _width(reranker: Reranker, runs: CleanRuns, cases: Tensor) -> int:
    """Columns the rows need: right padding beyond the longest row is dropped (it is masked, so
    the result is the same; only a right-padding tokenizer allows it without moving positions)."""
    if reranker.tokenizer.padding_side != "right":
        return int(runs.inputs["input_ids"].shape[1])
    return int(runs.inputs["attention_mask"][cases].sum(1).max())


def _writer(donor: Tensor, where: Tensor, heads: Tensor) -> HookFn:
    selected = where[:, :, None, None] & heads[:, None, :, None]  # [row, pos, head, 1]

    def write(z: Tensor, _: HookPoint) -> Tensor:  # z: [row, pos, head, d_head]
        return torch.where(selected.to(z.device), donor.to(z.device, z.dtype), z)

    return write


def _holder(base: Tensor, held: Tensor) -> HookFn:
    def hold(hidden: Tensor, _: HookPoint) -> Tensor:  # hidden: [row, pos, d_model]
        return torch.where(held[:, :, None].to(hidden.device), base.to(hidden.device, hidden.dtype), hidden)

    return hold
