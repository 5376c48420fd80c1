"""Which heads discovery patches exactly: an attribution-patching screen, checked against exact.

Patching every head on every discovery case costs (cases x heads) patched runs. The screen
estimates every head's recovery from one forward and one backward pass per case
(:func:`~ranklens.models.attribution_patching.attribution_patching`) and puts forward the top
``candidates``; only they are patched exactly on every kept case, so the heads found, and every
verdict after, rest on exact patching. A first-order estimate can miss a head (a saturated
softmax downstream, paths whose gradients cancel: Kramár et al. 2024), so on :data:`AUDIT_CASES`
of the cases every head is patched exactly too, and the report states how well the two rankings
agree and which heads exact patching ranks in its top that the screen left out.

``exact`` (``--ranklens-profile exact``) patches every head on every case; the screen is then
still computed, and its agreement measured over all the discovery cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import spearmanr
from torch import Tensor

from ranklens.models import Reranker
from ranklens.models.attention import Head, heads_best_first
from ranklens.models.attribution_patching import attribution_patching
from ranklens.models.clean_runs import CleanRuns
from ranklens.models.patching import Progress, recovery, sweep_heads

Search = Literal["screen", "exact"]
AUDIT_CASES = 4
"""Discovery cases on which every head is patched exactly, to measure the screen against."""
TIE = 0.01
"""Recoveries this close count as tied: for recall (ties with the exact k-th), and for a missed
head (one left out that beats the weakest candidate by more)."""


@dataclass(frozen=True)
class Screen:
    """Per kept discovery case: each head's estimated and exact recovery, and the candidates."""

    search: Search
    candidates: tuple[Head, ...]
    """The screen's top heads: patched exactly on every case (under ``exact`` every head is)."""
    estimated: np.ndarray
    """``[case, layer, head]`` recovery estimated by attribution patching."""
    exact: np.ndarray
    """``[case, layer, head]`` recovery by exact patching; NaN where a head was not patched."""
    audit: np.ndarray
    """Case indices on which every head was patched exactly."""

    def details(self) -> dict[str, object]:
        """Agreement of the screen with exact patching on the audit cases, for the report."""
        exact, estimated = self.exact[self.audit].mean(0), self.estimated[self.audit].mean(0)
        k = len(self.candidates)
        ranked = heads_best_first(exact)
        top = {h for h in ranked if exact[h] >= exact[ranked[k - 1]] - TIE}
        chosen = set(self.candidates)
        weakest = min(exact[h] for h in chosen)
        left_out = [h for h in ranked if h not in chosen]
        return {
            "search": self.search,
            "screen_candidates": [list(h) for h in self.candidates],
            "audit_cases": len(self.audit),
            "spearman_screen_vs_exact": _spearman(estimated.ravel(), exact.ravel()),
            "recall_of_exact_top": round(min(1.0, len(top & chosen) / k), 4),
            "missed_heads": [
                {"head": list(h), "exact_recovery": round(float(exact[h]), 4)}
                for h in left_out
                if exact[h] > weakest + TIE
            ],
            "largest_recovery_left_out": round(float(exact[left_out[0]]), 4) if left_out else None,
            "estimated_recovery": [[round(float(v), 4) for v in row] for row in self.estimated.mean(0)],
        }


def screen_heads(
    reranker: Reranker,
    runs: CleanRuns,
    positions: Tensor,
    freeze: Tensor | None,
    kept: np.ndarray,
    *,
    candidates: int,
    search: Search,
    progress: Progress | None = None,
) -> Screen:
    """Estimate every head on the ``kept`` cases, then patch exactly the top ``candidates`` on
    all of them and every head on the audit cases (every head everywhere for ``exact``)."""
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    every = [(layer, head) for layer in range(n_layers) for head in range(n_heads)]
    estimate = attribution_patching(reranker, runs, positions, freeze=freeze, cases=kept.tolist())
    base, donor = runs.base[kept], runs.donor[kept]
    estimated = recovery(estimate[kept] + base[:, None, None], base, donor)
    chosen = heads_best_first(estimated.mean(0))[:candidates]
    audit = np.arange(len(kept)) if search == "exact" else np.arange(min(AUDIT_CASES, len(kept)))
    others = [h for h in every if h not in chosen]
    sweeps = [(every, kept)] if search == "exact" else [(chosen, kept), (others, kept[audit])]
    swept = np.full((runs.n_cases, n_layers, n_heads), np.nan)
    for phase, (heads, cases) in enumerate(sweeps):
        step = None if progress is None else _phase(progress, phase, len(sweeps))
        done = sweep_heads(reranker, runs, positions, freeze=freeze, heads=heads, cases=cases.tolist(), progress=step)
        swept = np.where(np.isnan(done), swept, done)
    return Screen(search, tuple(chosen), estimated, recovery(swept[kept], base, donor), audit)


def _phase(progress: Progress, phase: int, phases: int) -> Progress:
    return lambda done, total: progress(phase * total + done, phases * total)


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Rank correlation over all heads; ``None`` when either side is constant (no ranking)."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return round(float(spearmanr(x, y).statistic), 4)
