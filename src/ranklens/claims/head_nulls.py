"""Null heads for the head claims: heads of the same layers, matched on how much they attend.

Softmax makes some attention facts hold for almost any head (SCIENCE.md): a head that attends to
the appended position at all gives it more mass when a query term sits there, and loses mass
when text is added. So a head claim's attention part is judged *against other heads*: for each
head found, a null head is drawn at random from the :data:`MATCH_POOL` heads of the found heads'
layers (the found heads excluded) whose attention to the appended position is closest to the
found head's. What the found heads show beyond such heads is what identifies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.clean_runs import CleanRuns
from ranklens.models.patching import query_positions
from ranklens.strategies import CircuitCase

MATCH_POOL = 3
"""Each found head's null is drawn from the 3 heads closest to it in attention: close enough to be
matched, enough of them that the null is a draw, not one hand-picked head."""
NULL_DRAWS = 20


@dataclass(frozen=True)
class AppendedAttention:
    """Attention from the query term's positions to the appended position, every head: ``[case, layer, head]``."""

    to_donor_token: np.ndarray
    """In the donor run, where the appended token is the query term (or a related word)."""
    to_filler: np.ndarray
    """In the baseline run, where the appended token is the filler."""

    @property
    def total(self) -> np.ndarray:
        """Attention to the appended position whatever holds it (mean of the two runs), ``[layer, head]``."""
        return np.asarray((self.to_donor_token + self.to_filler).mean(axis=0) / 2.0)

    def rows(self, keep: np.ndarray) -> AppendedAttention:
        """Only the cases where ``keep`` (boolean ``[case]``) holds."""
        return AppendedAttention(self.to_donor_token[keep], self.to_filler[keep])

    def of(self, heads: Sequence[Head]) -> tuple[np.ndarray, np.ndarray]:
        """Mean over ``heads`` of the two attentions: ``([case], [case])``."""
        layers, index = [h[0] for h in heads], [h[1] for h in heads]
        return self.to_donor_token[:, layers, index].mean(1), self.to_filler[:, layers, index].mean(1)


def appended_attention(reranker: Reranker, runs: CleanRuns, cases: Sequence[CircuitCase]) -> AppendedAttention:
    """Read every head's attention to the appended token from cached runs (no forward pass)."""
    c = len(cases)
    ids = runs.inputs["input_ids"]
    query = query_positions(reranker, runs, [x.query for x in cases])
    term_ids = torch.tensor([x.term_id for x in cases], device=ids.device)
    filler_ids = torch.tensor([x.filler_id for x in cases], device=ids.device)
    source = (query & (ids == term_ids[:, None])).float()  # [case, pos]: the term's query positions
    source = torch.cat([source, source]) / source.sum(-1, keepdim=True).clamp(min=1).repeat(2, 1)
    target = ((ids == filler_ids[:, None]) & ~query).float()  # [case, pos]: the appended position
    target = torch.cat([target, target])
    donor, base = [], []
    for layer in range(reranker.info.n_layers):
        pattern = runs.patterns[layer].float()  # [2 case, head, query rows, k]: baseline rows, then donor rows
        rows = pattern.shape[2]  # the query's positions all lie within them
        mass = torch.einsum("chqk,ck,cq->ch", pattern, target, source[:, :rows])  # [2 case, head]
        base.append(mass[:c])
        donor.append(mass[c:])
    return AppendedAttention(_stacked(donor), _stacked(base))


def matched_nulls(found: Sequence[Head], total: np.ndarray, *, seed: int, draws: int = NULL_DRAWS) -> list[list[Head]]:
    """``draws`` null head sets, one head per found head, matched on ``total`` attention ``[layer, head]``.

    Empty when the found heads' layers hold no other head (then there is no null to compare with).
    """
    layers = sorted({layer for layer, _ in found})
    pool = [(layer, h) for layer in layers for h in range(total.shape[1]) if (layer, h) not in set(found)]
    if not pool:
        return []
    rng = np.random.default_rng([seed, 41])
    closest = {
        head: sorted(pool, key=lambda other: (abs(total[other] - total[head]), other))[:MATCH_POOL] for head in found
    }
    return [[closest[head][int(rng.integers(len(closest[head])))] for head in found] for _ in range(draws)]


def selectivity_excess(
    attention: AppendedAttention, found: Sequence[Head], nulls: Sequence[Sequence[Head]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case: the found heads' selectivity, the null heads' mean selectivity, and the found
    heads' attention to the term (the scale the claims divide by, as a ratio of sums over cases).

    Selectivity is attention to the appended term minus attention to the filler at that position;
    (found - null) / attention to the term is on a 0..1 scale: 1 when the found heads ignore the
    filler and the null heads do not prefer the term.
    """
    to_term, to_filler = attention.of(found)
    null = np.mean([np.subtract(*attention.of(heads)) for heads in nulls], axis=0) if nulls else np.zeros_like(to_term)
    return to_term - to_filler, null, to_term


def _stacked(rows: list[torch.Tensor]) -> np.ndarray:
    return np.asarray(torch.stack(rows, dim=1).double().cpu().numpy())
