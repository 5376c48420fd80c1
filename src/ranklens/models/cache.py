"""A score cache shared by everything that scores pairs in one session.

Axioms re-score the same documents under many perturbations; the cache makes a suite cost close
to the forward passes it really needs. Keys carry the weights fingerprint, the dtype and the
window, so one cache can serve several models without mixing their scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CacheKey = tuple[str, str, str, int]
"""(model namespace: fingerprint and dtype, query, document, max_length)."""


@dataclass
class ScoreCache:
    """A plain dictionary of scores with hit and miss counters (for the benchmark and report)."""

    scores: dict[CacheKey, float] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def get(self, key: CacheKey) -> float | None:
        score = self.scores.get(key)
        if score is None:
            self.misses += 1
        else:
            self.hits += 1
        return score

    def put(self, key: CacheKey, score: float) -> None:
        self.scores[key] = score

    def __len__(self) -> int:
        return len(self.scores)
