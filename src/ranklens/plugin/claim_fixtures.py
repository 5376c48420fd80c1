"""Session fixtures of the circuit suite: seeded case halves, and the soft-TF discovery that the
saturation and length claims reuse (heads are found once, on the discovery half).

Kept apart from the plugin's hooks; ``ranklens.plugin`` imports them so pytest registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pytest

from ranklens.axioms import calibrate_delta
from ranklens.claims.heads import HeadClaim, soft_tf_heads
from ranklens.claims.samples import CaseSample, circuit_cases
from ranklens.models import Reranker
from ranklens.models.patching import Progress
from ranklens.plugin.options import Settings
from ranklens.plugin.progress import terminal_progress

CASES = {"full": 64, "quick": 24}
"""Cases per half. Only cases where the appended term moves the score beyond the neutral band
are attributed (on minilm-ce about 40 % of them), so 64 leave ~25 per half there; the quick
profile keeps the planted controls fast, where every case counts."""
RELEVANCE = {"full": (12, 24), "quick": (6, 12)}
"""(discovery pairs for integrated gradients, confirmation queries for the ablation)."""


@dataclass(frozen=True)
class CircuitSamples:
    """The two disjoint halves and the model's neutral band (drops pairs with no effect)."""

    discovery: CaseSample
    confirmation: CaseSample
    delta: float
    seed: int
    profile: str


@pytest.fixture(scope="session")
def circuit_samples(reranker: Reranker, ranklens_settings: Settings) -> CircuitSamples:
    seed, profile = ranklens_settings.seed, ranklens_settings.profile
    n = ranklens_settings.sample_size or CASES[profile]
    return CircuitSamples(
        circuit_cases(reranker, n=n, seed=seed, split="discover"),
        circuit_cases(reranker, n=n, seed=seed, split="confirm"),
        calibrate_delta(reranker, seed=seed),
        seed,
        profile,
    )


ProgressBar = Callable[[str], AbstractContextManager[Progress]]


@pytest.fixture(scope="session")
def progress_bar(pytestconfig: pytest.Config) -> ProgressBar:
    """``with progress_bar("patching heads") as progress: ...`` shows a long step's progress on
    the terminal (see :func:`ranklens.plugin.progress.terminal_progress`)."""
    return lambda label: terminal_progress(pytestconfig, label)


@pytest.fixture(scope="session")
def soft_tf_claim(reranker: Reranker, circuit_samples: CircuitSamples, progress_bar: ProgressBar) -> HeadClaim:
    s = circuit_samples
    with progress_bar("soft-TF heads, patching sweep") as progress:
        return soft_tf_heads(reranker, s.discovery, s.confirmation, delta=s.delta, seed=s.seed, progress=progress)
