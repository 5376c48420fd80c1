"""Clean runs: the baseline and donor runs of aligned pairs, cached once for every patch after.

Patching (:mod:`ranklens.models.patching`) and incremental recomputation
(:mod:`ranklens.models.incremental`) both start from these activations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ranklens.models import Pair, Reranker, hook_name

MAX_ROWS = 192
"""Rows per patched forward pass: large enough to amortise per-call overhead on CPU, small
enough that a 512-token batch of a base-size model stays under a few GiB."""
PATTERN_BYTES = 256 * 2**20
"""Attention patterns one clean-runs batch may hold: every layer's full patterns exist at once
when the forward pass returns (rows x layers x heads x width^2), before the query rows are cut."""


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
    """Per layer, attention ``[2 * case, head, q, k]`` (baseline rows, then donor rows) from the
    query rows only: [CLS] and the query's tokens, ``q < 1 +`` the longest query. The claims read
    nothing else, and the full patterns were most of a claim's memory (cases x width^2)."""

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
    c, layers = len(baseline), range(reranker.info.n_layers)
    inputs = reranker.encode(baseline).inputs
    width = inputs["input_ids"].shape[1]
    query_rows = 1 + max(map(len, reranker.tokenizer([q for q, _ in baseline], add_special_tokens=False)["input_ids"]))
    sites = ("attn.hook_z", "hook_resid_post", "attn.hook_pattern")
    names = [hook_name(layer, site) for layer in layers for site in sites]
    stored: dict[str, Tensor] = {}
    scores = np.empty(2 * c)
    right = reranker.tokenizer.padding_side == "right"
    per_case = 2 * reranker.info.n_layers * reranker.info.n_heads * int(lengths.max()) ** 2 * 4  # both runs
    cases_per_batch = max(1, min(MAX_ROWS // 2, PATTERN_BYTES // per_case))
    for group in length_groups(lengths[:c].tolist(), cases_per_batch) if right else [list(range(c))]:
        batch = reranker.encode([*(baseline[i] for i in group), *(donor[i] for i in group)])
        rows = torch.tensor([*group, *(c + i for i in group)])  # where the batch's rows go: [baseline, donor]
        scores[rows.numpy()], cache = reranker.run_with_cache(batch, names)
        for name, value in cache.items():
            value = _pad_positions(value, width, query_rows if name.endswith("hook_pattern") else None)
            resid = name.endswith("hook_resid_post")
            at = rows[: len(group)] if resid else rows  # a residual stream: only the baseline's, patches resume from it
            if name not in stored:
                stored[name] = value.new_zeros((c if resid else 2 * c, *value.shape[1:]))
            stored[name][at] = value[: len(at)]
    return CleanRuns(
        inputs=inputs,
        base=scores[:c],
        donor=scores[c:],
        donor_z={layer: stored[hook_name(layer, "attn.hook_z")][c:] for layer in layers},
        base_z={layer: stored[hook_name(layer, "attn.hook_z")][:c] for layer in layers},
        base_resid={layer: stored[hook_name(layer, "hook_resid_post")] for layer in layers},
        patterns={layer: stored[hook_name(layer, "attn.hook_pattern")] for layer in layers},
    )


def _pad_positions(value: Tensor, width: int, pattern_rows: int | None) -> Tensor:
    """A group's activation zero-padded on the right to ``width`` positions; a pattern's query
    axis cut or padded to ``pattern_rows``."""
    if pattern_rows is not None:  # [batch, head, q, k]
        kept = value[:, :, :pattern_rows]
        return torch.nn.functional.pad(kept, (0, width - value.shape[-1], 0, pattern_rows - kept.shape[-2]))
    return torch.nn.functional.pad(value.movedim(1, -1), (0, width - value.shape[1])).movedim(-1, 1)


def length_groups(lengths: Sequence[int], max_cases: int, slack: float = 0.1) -> list[list[int]]:
    """Indices grouped so that each group's lengths are within ``slack`` of its longest: padding
    a short case to a long one costs more on CPU than batching saves (measured: one case per
    batch ran the MiniLM-L6 sweep in half the time of 16 cases padded together)."""
    groups: list[list[int]] = []
    for case in sorted(range(len(lengths)), key=lambda c: -lengths[c]):
        if groups and len(groups[-1]) < max_cases and lengths[case] >= (1 - slack) * lengths[groups[-1][0]]:
            groups[-1].append(case)
        else:
            groups.append([case])
    return groups
