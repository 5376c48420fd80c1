"""What the curve claims share: they examine only *established* soft-TF heads, and draw curves.

Both ``saturation`` and ``length_normalization`` are measured on the confirmation cases, for the
heads the discovery half found (never selected on the cases they are judged on), and only once
those heads are shown to carry the matching effect (``soft_tf_heads``' joint-recovery part).
"""

from __future__ import annotations

import numpy as np

from ranklens.claims.heads import HeadClaim
from ranklens.claims.parts import LEVEL
from ranklens.stats import mean_effect

MIN_GAIN = 1e-6
"""Below this a case has no attention (or gain) to normalise by, and is left out."""


def no_established_heads(soft_tf: HeadClaim) -> str | None:
    """The curve claims are about heads that *carry* the matching effect (their joint recovery
    passed): any head that attends broadly dilutes with length and gathers more mass on more
    copies whatever it computes, so without them the curves would say nothing."""
    if (why := soft_tf.not_carrying()) is not None:
        return f"there are no established soft-TF heads to examine: {why}"
    return None


def report_curve(
    x: list[int], series: dict[str, np.ndarray], *, x_label: str, y_label: str, seed: int, normalise_at: int = 1
) -> dict[str, object]:
    """A report curve: each series' per-case values over the value at ``x[normalise_at]``, mean and interval."""
    drawn = []
    for label, values in series.items():
        if len(values) == 0:
            continue
        relative = values / values[:, normalise_at : normalise_at + 1]
        effects = [mean_effect(label, relative[:, i], seed=seed, level=LEVEL) for i in range(len(x))]
        drawn.append(
            {
                "label": label,
                "y": [round(e.value, 5) for e in effects],
                "ci_low": [round(e.ci_low, 5) for e in effects],
                "ci_high": [round(e.ci_high, 5) for e in effects],
            }
        )
    return {"x": x, "series": drawn, "x_label": x_label, "y_label": y_label}
