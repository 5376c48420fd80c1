"""Head claims: soft-TF (matching) heads and relevance-scoring heads, found by patching.

Both follow one protocol (Lu, Chen, Eickhoff 2025; Chen, Merullo, Eickhoff 2024): the perturbed
run (a query term appended) is patched into the baseline run (a one-token filler appended), one
head at a time, and each head is ranked by its mean normalised recovery on the **discovery**
cases. Every head is first estimated by attribution patching, and only the top candidates are
patched exactly (:mod:`ranklens.claims.screen`; ``--ranklens-profile exact`` patches every head).
The heads found are the shortest prefix of that ranking whose joint patch recovers
:data:`SELECT` of the effect on the discovery cases (at most :func:`max_heads`); the claim is then
judged on the disjoint **confirmation** cases. The two claims differ in where they patch:

- soft-TF heads write the matching signal at the **query positions** (query tokens attend to
  the matching document tokens), so they are patched there;
- scoring heads carry it from the query positions to **[CLS]**, where the classifier reads, so
  they are path-patched: only at [CLS], with every other position held at the baseline in all
  later layers, so the patched signal reaches the logit through [CLS] alone.

Pairs whose perturbed - baseline gap is inside the model's neutral band are dropped before
normalising (the recovery would blow up) and counted in the details.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from ranklens.claims.screen import Screen, Search, screen_heads
from ranklens.models import Reranker
from ranklens.models.attention import Head, heads_best_first
from ranklens.models.clean_runs import CleanRuns, clean_runs
from ranklens.models.patching import Progress, cls_positions, patch_heads_together, query_positions
from ranklens.strategies import CircuitCase

Route = Literal["query", "cls"]
MOST = 0.5
""""Most of the effect": the heads found must recover over half of it jointly (SCIENCE.md)."""
SELECT = 0.8
"""Discovery adds heads until they recover this much: aiming above :data:`MOST` keeps the
confirmation from being decided by a set that only just reached it on the discovery half."""
SMALL_SET = 0.1
"""A "small set": at most this fraction of all heads (and at least 2)."""
MIN_CASES = 10
"""Fewer kept cases than this give no verdict: there is too little effect to attribute."""


def max_heads(n_layers: int, n_heads: int) -> int:
    return max(2, math.ceil(SMALL_SET * n_layers * n_heads))


@dataclass(frozen=True)
class PatchedCases:
    """Clean runs of aligned cases, the positions patched, and which cases have a usable gap."""

    cases: tuple[CircuitCase, ...]
    runs: CleanRuns
    positions: torch.Tensor
    freeze: torch.Tensor | None
    kept: np.ndarray
    """Boolean ``[case]``: |perturbed - baseline| above the neutral band."""

    @property
    def gap(self) -> np.ndarray:
        return np.asarray((self.runs.donor - self.runs.base)[self.kept])

    def joint_gain(self, reranker: Reranker, heads: Sequence[Head], *, every_case: bool = False) -> np.ndarray:
        """Patched - baseline with ``heads`` patched together, on the kept cases (or on every case,
        for the sensitivity analysis that keeps the cases inside the neutral band too)."""
        patched = patch_heads_together(reranker, self.runs, heads, self.positions, freeze=self.freeze)
        gain = np.asarray(patched - self.runs.base)
        return gain if every_case else gain[self.kept]


def patched_cases(reranker: Reranker, cases: Sequence[CircuitCase], route: Route, *, delta: float) -> PatchedCases:
    runs = clean_runs(reranker, [c.baseline for c in cases], [c.perturbed for c in cases])
    if route == "query":
        positions, freeze = query_positions(reranker, runs, [c.query for c in cases]), None
    else:
        positions = cls_positions(runs)
        freeze = ~positions
    kept = np.abs(runs.donor - runs.base) > delta
    return PatchedCases(tuple(cases), runs, positions, freeze, kept)


@dataclass(frozen=True)
class HeadDiscovery:
    """What the discovery half found, with the numbers the report shows."""

    route: Route
    mean_recovery: np.ndarray
    """``[layer, head]`` mean normalised recovery over the kept discovery cases, by exact patching;
    NaN for the heads the screen did not put forward."""
    heads_found: tuple[Head, ...]
    joint_recovery: tuple[float, ...]
    """Joint recovery of the top-k heads on the discovery cases, k = 1..len."""
    kept: int
    dropped: int
    screen: Screen | None = None
    """How the candidates were chosen and how well the screen agreed with exact patching."""

    @property
    def ranking(self) -> list[Head]:
        """Heads measured exactly, best first (every head under ``--ranklens-profile exact``)."""
        measured = np.isfinite(self.mean_recovery)
        return heads_best_first(np.where(measured, self.mean_recovery, -np.inf))[: int(measured.sum())]


def discover_heads(
    reranker: Reranker, discovery: PatchedCases, *, search: Search = "screen", progress: Progress | None = None
) -> HeadDiscovery:
    """Rank heads by single-head recovery, then take the shortest top-k that recovers :data:`SELECT`.

    ``screen``: every head's recovery is estimated by attribution patching and only the top
    :func:`max_heads` candidates are patched exactly (a few audit cases patch every head, to
    report what the screen missed); ``exact``: every head is patched on every case."""
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    route, kept = discovery_route(discovery), np.flatnonzero(discovery.kept)
    if len(kept) == 0:
        nothing = np.full((n_layers, n_heads), np.nan)
        return HeadDiscovery(route, nothing, (), (), 0, len(discovery.kept))
    limit = max_heads(n_layers, n_heads)
    runs, positions, freeze = discovery.runs, discovery.positions, discovery.freeze
    screen = screen_heads(reranker, runs, positions, freeze, kept, candidates=limit, search=search, progress=progress)
    partial = HeadDiscovery(route, screen.exact.mean(0), (), (), len(kept), len(discovery.kept) - len(kept))
    ranking = partial.ranking[:limit]
    joint: list[float] = []
    for k in range(1, len(ranking) + 1):
        joint.append(float(discovery.joint_gain(reranker, ranking[:k]).sum() / discovery.gap.sum()))
        if joint[-1] >= SELECT:
            break
    best = len(joint) if joint[-1] >= SELECT else int(np.argmax(joint)) + 1
    return dataclasses.replace(partial, heads_found=tuple(ranking[:best]), joint_recovery=tuple(joint), screen=screen)


def discovery_route(cases: PatchedCases) -> Route:
    return "query" if cases.freeze is None else "cls"
