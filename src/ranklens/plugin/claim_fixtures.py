"""Session fixtures of the circuit suite: seeded case halves, and the soft-TF discovery that the
saturation and length claims reuse (heads are found once, on the discovery half).

Kept apart from the plugin's hooks; ``ranklens.plugin`` imports them so pytest registers them.
Their types (:class:`~ranklens.testing.CircuitSamples`, :data:`~ranklens.testing.ProgressBar`) are
public in :mod:`ranklens.testing`, where the product tests import them from. The claims (and
torch with them) are imported when a fixture is first used, not with the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ranklens.plugin.options import Settings
from ranklens.plugin.progress import terminal_progress
from ranklens.testing import CircuitSamples, ProgressBar

if TYPE_CHECKING:
    from ranklens.claims.heads import HeadClaim
    from ranklens.models import Reranker
    from ranklens.plugin.axiom_fixtures import AxiomFamily

CASES = {"full": 64, "quick": 24}
"""Cases per half. Only cases where the appended term moves the score beyond the neutral band
are attributed (on minilm-ce about 40 % of them), so 64 leave ~25 per half there; the quick
profile keeps the planted controls fast, where every case counts."""


@pytest.fixture(scope="session")
def circuit_samples(reranker: Reranker, ranklens_settings: Settings) -> CircuitSamples:
    from ranklens.axioms import calibrate_delta
    from ranklens.claims.samples import circuit_cases

    seed, profile = ranklens_settings.seed, ranklens_settings.profile
    n = ranklens_settings.sample_size or CASES[profile]
    return CircuitSamples(
        circuit_cases(reranker, n=n, seed=seed, split="discover"),
        circuit_cases(reranker, n=n, seed=seed, split="confirm"),
        calibrate_delta(reranker, seed=seed),
        seed,
        profile,
    )


@pytest.fixture(scope="session")
def progress_bar(pytestconfig: pytest.Config) -> ProgressBar:
    """``with progress_bar("patching heads") as progress: ...`` shows a long step's progress on
    the terminal (see :func:`ranklens.plugin.progress.terminal_progress`)."""
    return lambda label: terminal_progress(pytestconfig, label)


@pytest.fixture(scope="session")
def soft_tf_claim(
    reranker: Reranker, circuit_samples: CircuitSamples, axiom_family: AxiomFamily, progress_bar: ProgressBar
) -> HeadClaim:
    """The soft-TF claim; its related-word part is judged when the model passes STMC1 (the same
    axiom family the axiom suite reports, measured once per session)."""
    from ranklens.claims.heads import soft_tf_heads
    from ranklens.verdicts import Verdict

    s = circuit_samples
    semantic = axiom_family.results["STMC1"].verdict == Verdict.PASS
    with progress_bar("soft-TF heads, patching sweep") as progress:
        return soft_tf_heads(
            reranker,
            s.discovery,
            s.confirmation,
            delta=s.delta,
            seed=s.seed,
            related_judged=semantic,
            progress=progress,
        )
