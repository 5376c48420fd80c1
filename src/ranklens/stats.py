"""Statistics shared by every check (one module, so every verdict follows the same rules)."""

from __future__ import annotations

from scipy.stats import binomtest


def proportion_ci(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a proportion; conservative, valid for k = 0 and small n."""
    if n == 0:
        return (0.0, 1.0)
    interval = binomtest(successes, n).proportion_ci(confidence_level=level, method="exact")
    return (float(interval.low), float(interval.high))
