"""Session fixtures of the circuit suite: seeded case halves, the soft-TF discovery that the
saturation and length claims reuse (heads are found once, on the discovery half), and your own
head claims (``claim_check``).

Kept apart from the plugin's hooks; ``ranklens.plugin`` imports them so pytest registers them.
Their types (:class:`~ranklens.testing.CircuitSamples`, :data:`~ranklens.testing.ProgressBar`) are
public in :mod:`ranklens.testing`, where the product tests import them from. The claims (and
torch with them) are imported when a fixture is first used, not with the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ranklens.plugin.completeness import check_id_of
from ranklens.plugin.options import Settings
from ranklens.plugin.progress import terminal_progress
from ranklens.testing import CircuitSamples, ClaimFixture, ProgressBar
from ranklens.verdicts import CheckResult

if TYPE_CHECKING:
    from ranklens.claims import HeadClaimSpec
    from ranklens.claims.heads import HeadClaim
    from ranklens.models import Reranker

CASES = {"full": 64, "quick": 24, "exact": 64}
"""Cases per half. Only cases where the appended term moves the score beyond the neutral band
are attributed (on minilm-ce about 40 % of them), so 64 leave ~25 per half there; the quick
profile keeps the planted controls fast, where every case counts."""


def cases_per_half(settings: Settings) -> int:
    return settings.sample_size or CASES[settings.profile]


@pytest.fixture(scope="session")
def circuit_samples(reranker: Reranker, ranklens_settings: Settings) -> CircuitSamples:
    from ranklens.axioms import calibrate_delta
    from ranklens.claims.samples import circuit_cases

    seed, profile = ranklens_settings.seed, ranklens_settings.profile
    n = cases_per_half(ranklens_settings)
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
def passes_stmc1(reranker: Reranker, circuit_samples: CircuitSamples, ranklens_settings: Settings) -> bool:
    """Whether the model passes STMC1 (it rewards a related word at all), the precondition of the
    soft-TF claim's related-word part. STMC1 alone is measured, on the axiom suite's cases and at
    its family's interval level, so a circuits-only run does not pay for the other axioms; its
    p-value is Bonferroni-adjusted, never below the Holm p the axiom suite reports."""
    from ranklens.axioms import AXIOMS, measure_family, results
    from ranklens.axioms.registry import axiom
    from ranklens.verdicts import Verdict

    s, family = circuit_samples, len(AXIOMS)
    measured = measure_family(
        reranker,
        [axiom("STMC1")],
        seed=s.seed,
        sample_size=ranklens_settings.sample_size,
        delta=s.delta,
        family_size=family,
    )
    [result] = results(measured, delta=s.delta, seed=s.seed, family_size=family)
    return result.verdict == Verdict.PASS


@pytest.fixture(scope="session")
def soft_tf_claim(
    reranker: Reranker, circuit_samples: CircuitSamples, passes_stmc1: bool, progress_bar: ProgressBar
) -> HeadClaim:
    """The soft-TF claim; its related-word part is judged when the model passes STMC1."""
    from ranklens.claims.heads import soft_tf_heads

    s = circuit_samples
    with progress_bar("soft-TF heads, patching sweep") as progress:
        return soft_tf_heads(
            reranker,
            s.discovery,
            s.confirmation,
            delta=s.delta,
            seed=s.seed,
            related_judged=passes_stmc1,
            search=s.search,
            progress=progress,
        )


def declared_claims(session: pytest.Session) -> int:
    """Claims the collected tests declare that are not built in: each one more member of the
    claim family (counted once however many models or parameters its test runs with)."""
    from ranklens.claims.statements import CLAIM_IDS

    declared = {
        check_id_of(item)
        for item in session.items
        if (marker := item.get_closest_marker("ranklens_check")) is not None and marker.kwargs.get("kind") == "claim"
    }
    return len(declared - {None, *CLAIM_IDS})


@pytest.fixture(scope="session")
def claim_check(
    request: pytest.FixtureRequest,
    reranker: Reranker,
    circuit_samples: CircuitSamples,
    ranklens_settings: Settings,
    progress_bar: ProgressBar,
) -> ClaimFixture:
    """A :class:`~ranklens.claims.HeadClaimSpec` of your own measured as the built-in head claims
    are: its cases drawn per query half with the circuit suite's seed and count, the model's
    neutral band, intervals at the level of the family of built-in and declared claims, and a
    Hypothesis-shrunk counterexample when one exists. Each spec is measured once per session."""
    from ranklens.claims.declared import declared_head_claim
    from ranklens.claims.samples import circuit_cases

    s, n = circuit_samples, cases_per_half(ranklens_settings)
    measured: dict[str, tuple[HeadClaimSpec, CheckResult]] = {}

    def get(spec: HeadClaimSpec) -> CheckResult:
        if spec.name in measured and measured[spec.name][0] != spec:
            raise ValueError(f"Two different claims are named {spec.name!r}: give each an id of its own.")
        if spec.name not in measured:
            halves = [
                circuit_cases(reranker, n=n, seed=s.seed, split=h, cases=spec.cases) for h in ("discover", "confirm")
            ]
            with progress_bar(f"{spec.name}, patching sweep") as progress:
                claim = declared_head_claim(
                    reranker,
                    spec,
                    *halves,
                    delta=s.delta,
                    seed=s.seed,
                    declared=declared_claims(request.session),
                    search=s.search,
                    progress=progress,
                )
            measured[spec.name] = (spec, claim.result)
        return measured[spec.name][1]

    return get
